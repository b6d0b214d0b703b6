/*
 * thread_pool.c: fixed pthread workers. thread_pool_run publishes one job
 * (fn, task count); workers and the caller claim task indexes with an atomic
 * counter, and the caller waits until every claimed task finished. Jobs of
 * several callers (queries on different connections, or a task that runs a
 * nested job) run side by side: idle workers join any job with tasks left.
 */
#define _GNU_SOURCE
#include "common/thread_pool.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/error.h"

typedef struct pool_job pool_job;

/* One thread_pool_run call: lives on its caller's stack until every task is done. */
struct pool_job {
    void (*fn)(void *context, uint32_t i);
    void *context;
    uint32_t task_count;
    _Atomic uint32_t next;
    _Atomic uint32_t done;
    uint32_t active_workers; /* guarded by the pool lock: the job lives until they leave */
    pool_job *next_job;      /* the pool's list of jobs with callers waiting */
};

struct thread_pool {
    pthread_t *threads;
    uint32_t thread_count;
    pthread_mutex_t lock;
    pthread_cond_t work_ready;
    pthread_cond_t job_done;
    pool_job *jobs; /* running jobs, newest first */
    bool stopping;
};

/* Claims and runs tasks of `job` until none is left. */
static void run_tasks(pool_job *job)
{
    for (;;) {
        uint32_t i = atomic_fetch_add(&job->next, 1);
        if (i >= job->task_count)
            return;
        job->fn(job->context, i);
        atomic_fetch_add(&job->done, 1);
    }
}

/* A job with tasks nobody claimed yet, or NULL. Called with the lock held. */
static pool_job *find_job(thread_pool *pool)
{
    for (pool_job *job = pool->jobs; job != NULL; job = job->next_job)
        if (atomic_load(&job->next) < job->task_count)
            return job;
    return NULL;
}

static void *worker_main(void *arg)
{
    thread_pool *pool = arg;
    pthread_mutex_lock(&pool->lock);
    for (;;) {
        pool_job *job;
        while (!pool->stopping && (job = find_job(pool)) == NULL)
            pthread_cond_wait(&pool->work_ready, &pool->lock);
        if (pool->stopping)
            break;
        job->active_workers++;
        pthread_mutex_unlock(&pool->lock);
        run_tasks(job);
        pthread_mutex_lock(&pool->lock);
        job->active_workers--;
        pthread_cond_broadcast(&pool->job_done);
    }
    pthread_mutex_unlock(&pool->lock);
    return NULL;
}

arm_status thread_pool_create(thread_pool **out, uint32_t thread_count, arm_error *err)
{
    thread_pool *pool = calloc(1, sizeof *pool);
    if (pool == NULL)
        return error_out_of_memory(err);
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->work_ready, NULL);
    pthread_cond_init(&pool->job_done, NULL);
    pool->threads = calloc(thread_count ? thread_count : 1, sizeof *pool->threads);
    if (pool->threads == NULL) {
        thread_pool_destroy(pool);
        return error_out_of_memory(err);
    }
    for (uint32_t i = 0; i < thread_count; i++) {
        if (pthread_create(&pool->threads[i], NULL, worker_main, pool) != 0)
            break;
        pool->thread_count++;
    }
    *out = pool;
    return ARM_OK;
}

void thread_pool_destroy(thread_pool *pool)
{
    if (pool == NULL)
        return;
    pthread_mutex_lock(&pool->lock);
    pool->stopping = true;
    pthread_cond_broadcast(&pool->work_ready);
    pthread_mutex_unlock(&pool->lock);
    for (uint32_t i = 0; i < pool->thread_count; i++)
        pthread_join(pool->threads[i], NULL);
    free(pool->threads);
    pthread_mutex_destroy(&pool->lock);
    pthread_cond_destroy(&pool->work_ready);
    pthread_cond_destroy(&pool->job_done);
    free(pool);
}

uint32_t thread_pool_size(const thread_pool *pool)
{
    return pool ? pool->thread_count : 0;
}

uint32_t thread_pool_default_threads(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        int n = CPU_COUNT(&set);
        if (n > 0)
            return (uint32_t)n;
    }
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (uint32_t)n : 1;
}

void thread_pool_run(thread_pool *pool, uint32_t task_count, void (*fn)(void *context, uint32_t i),
                     void *context)
{
    pool_job job = {fn, context, task_count, 0, 0, 0, NULL};
    if (pool == NULL || pool->thread_count == 0 || task_count <= 1) {
        run_tasks(&job);
        return;
    }
    pthread_mutex_lock(&pool->lock);
    job.next_job = pool->jobs;
    pool->jobs = &job;
    pthread_cond_broadcast(&pool->work_ready);
    pthread_mutex_unlock(&pool->lock);
    run_tasks(&job);
    pthread_mutex_lock(&pool->lock);
    while (atomic_load(&job.done) < task_count || job.active_workers > 0)
        pthread_cond_wait(&pool->job_done, &pool->lock);
    pool_job **link = &pool->jobs;
    while (*link != &job)
        link = &(*link)->next_job;
    *link = job.next_job;
    pthread_mutex_unlock(&pool->lock);
}
