/*
 * test_thread_pool.c: unit tests for src/common/thread_pool.c: every task
 * runs exactly once, concurrent runs from several threads, nested runs from
 * inside tasks, jobs of different callers side by side, a pool of 0 workers
 * runs inline, destroy joins the workers.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "common/thread_pool.h"
#include "harness.h"

enum { TASK_COUNT = 1000 };

typedef struct {
    atomic_int counts[TASK_COUNT];
} task_counts;

static void count_task(void *context, uint32_t i)
{
    task_counts *c = context;
    atomic_fetch_add(&c->counts[i], 1);
}

static void check_counts_once(task_counts *c)
{
    int wrong = 0;
    for (int i = 0; i < TASK_COUNT; i++) {
        if (atomic_load(&c->counts[i]) != 1) {
            wrong++;
        }
    }
    CHECK_INT_EQ(wrong, 0);
}

static void test_tasks_run_exactly_once(void)
{
    arm_error err = {0};
    thread_pool *pool = NULL;
    CHECK_OK(thread_pool_create(&pool, 4, &err), &err);
    CHECK_INT_EQ(thread_pool_size(pool), 4);
    for (int round = 0; round < 20; round++) {
        task_counts *c = calloc(1, sizeof *c);
        thread_pool_run(pool, TASK_COUNT, count_task, c);
        check_counts_once(c);
        free(c);
    }
    task_counts *none = calloc(1, sizeof *none);
    thread_pool_run(pool, 0, count_task, none);
    CHECK_INT_EQ(atomic_load(&none->counts[0]), 0);
    free(none);
    thread_pool_destroy(pool);
}

static void test_zero_workers_runs_inline(void)
{
    arm_error err = {0};
    thread_pool *pool = NULL;
    CHECK_OK(thread_pool_create(&pool, 0, &err), &err);
    CHECK_INT_EQ(thread_pool_size(pool), 0);
    task_counts *c = calloc(1, sizeof *c);
    thread_pool_run(pool, TASK_COUNT, count_task, c);
    check_counts_once(c);
    free(c);
    thread_pool_destroy(pool);
    thread_pool_destroy(NULL);
    CHECK(thread_pool_default_threads() >= 1);
}

typedef struct {
    thread_pool *pool;
    task_counts *counts;
} runner_arg;

static void *runner_main(void *arg)
{
    runner_arg *r = arg;
    for (int round = 0; round < 5; round++) {
        thread_pool_run(r->pool, TASK_COUNT, count_task, &r->counts[round]);
    }
    return NULL;
}

static void test_concurrent_runs(void)
{
    enum { RUNNERS = 4 };
    arm_error err = {0};
    thread_pool *pool = NULL;
    CHECK_OK(thread_pool_create(&pool, 3, &err), &err);
    pthread_t threads[RUNNERS];
    runner_arg args[RUNNERS];
    for (int t = 0; t < RUNNERS; t++) {
        args[t].pool = pool;
        args[t].counts = calloc(5, sizeof(task_counts));
        CHECK_INT_EQ(pthread_create(&threads[t], NULL, runner_main, &args[t]), 0);
    }
    for (int t = 0; t < RUNNERS; t++) {
        pthread_join(threads[t], NULL);
        for (int round = 0; round < 5; round++) {
            check_counts_once(&args[t].counts[round]);
        }
        free(args[t].counts);
    }
    thread_pool_destroy(pool);
}

static void test_destroy_joins(void)
{
    arm_error err = {0};
    for (int i = 0; i < 20; i++) {
        thread_pool *pool = NULL;
        CHECK_OK(thread_pool_create(&pool, 2, &err), &err);
        if (i % 2 == 0) {
            task_counts *c = calloc(1, sizeof *c);
            thread_pool_run(pool, TASK_COUNT, count_task, c);
            check_counts_once(c);
            free(c);
        }
        thread_pool_destroy(pool); /* must join without hanging or leaking */
    }
}

typedef struct {
    thread_pool *pool;
    task_counts inner[8];
} nested_arg;

/* Each outer task runs a whole job of its own on the same pool. */
static void nested_task(void *context, uint32_t i)
{
    nested_arg *n = context;
    thread_pool_run(n->pool, TASK_COUNT, count_task, &n->inner[i]);
}

static void test_nested_runs(void)
{
    arm_error err = {0};
    thread_pool *pool = NULL;
    CHECK_OK(thread_pool_create(&pool, 3, &err), &err);
    nested_arg *n = calloc(1, sizeof *n);
    n->pool = pool;
    thread_pool_run(pool, 8, nested_task, n);
    for (int i = 0; i < 8; i++)
        check_counts_once(&n->inner[i]);
    free(n);
    thread_pool_destroy(pool);
}

typedef struct {
    atomic_bool release;
    atomic_int started;
} gate;

/* Task 0 waits until another job released it: only possible if jobs run side by side. */
static void gated_task(void *context, uint32_t i)
{
    gate *g = context;
    atomic_fetch_add(&g->started, 1);
    if (i == 0)
        while (!atomic_load(&g->release))
            sched_yield();
}

typedef struct {
    thread_pool *pool;
    gate *g;
} gated_arg;

static void *gated_runner(void *arg)
{
    gated_arg *a = arg;
    thread_pool_run(a->pool, 2, gated_task, a->g);
    return NULL;
}

static void test_jobs_run_side_by_side(void)
{
    arm_error err = {0};
    thread_pool *pool = NULL;
    CHECK_OK(thread_pool_create(&pool, 2, &err), &err);
    gate g = {false, 0};
    gated_arg a = {pool, &g};
    pthread_t blocked;
    CHECK_INT_EQ(pthread_create(&blocked, NULL, gated_runner, &a), 0);
    while (atomic_load(&g.started) < 1)
        sched_yield();
    task_counts *c = calloc(1, sizeof *c);
    thread_pool_run(pool, TASK_COUNT, count_task, c); /* must not wait for the gated job */
    check_counts_once(c);
    atomic_store(&g.release, true);
    pthread_join(blocked, NULL);
    CHECK_INT_EQ(atomic_load(&g.started), 2);
    free(c);
    thread_pool_destroy(pool);
}

TEST_MAIN(test_tasks_run_exactly_once, test_zero_workers_runs_inline, test_concurrent_runs,
          test_destroy_joins, test_nested_runs, test_jobs_run_side_by_side)
