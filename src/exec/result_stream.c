/*
 * result_stream.c: delivers a streamed query result in order while its
 * pipeline runs on several tasks. Only batches that wait for an earlier one
 * are kept (the window); the rest go to the sink as they come. Orders by the
 * same sequence numbers result_collector_order sorts by, so a streamed result
 * has the rows executor_run would have materialized, in the same order.
 */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "exec/pipeline.h"

#define RESULT_STREAM_DEFAULT_WINDOW_ROWS (256u * VECTOR_SIZE)

void result_stream_init(result_stream *s, const result_sink *sink, const result_set *shape,
                        const _Atomic bool *failed)
{
    memset(s, 0, sizeof *s);
    s->sink = sink;
    s->shape = shape;
    s->failed = failed;
    s->window_limit_rows =
        sink->window_rows ? sink->window_rows : RESULT_STREAM_DEFAULT_WINDOW_ROWS;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->moved, NULL);
}

void result_stream_dispose(result_stream *s)
{
    for (uint32_t i = 0; i < s->window_count; i++)
        batch_dispose(&s->window[i].rows);
    free(s->window);
    free(s->floors);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->moved);
}

arm_status result_stream_begin(result_stream *s, uint32_t task_count, arm_error *err)
{
    if (task_count > s->task_count) {
        uint64_t *grown = realloc(s->floors, task_count * sizeof *grown);
        if (grown == NULL)
            return error_out_of_memory(err);
        s->floors = grown;
    }
    s->task_count = task_count;
    for (uint32_t i = 0; i < task_count; i++)
        s->floors[i] = UINT64_MAX;
    s->max_pulled = 0;
    return ARM_OK;
}

/* The smallest floor of the running tasks other than `task`. */
static uint64_t min_floor(const result_stream *s, uint32_t task)
{
    uint64_t floor = UINT64_MAX;
    for (uint32_t i = 0; i < s->task_count; i++)
        if (i != task && s->floors[i] < floor)
            floor = s->floors[i];
    return floor;
}

static arm_status deliver(result_stream *s, const batch *b, arm_error *err)
{
    s->delivered_rows += b->count;
    return s->sink->deliver(s->sink->context, b, err);
}

/* Under the lock: delivers the window's head while no other task may still come before it. */
static arm_status flush(result_stream *s, arm_error *err)
{
    uint32_t done = 0;
    arm_status status = ARM_OK;
    while (done < s->window_count && status == ARM_OK) {
        result_stream_entry *e = &s->window[done];
        if (e->sequence > min_floor(s, e->task) || atomic_load(s->failed))
            break;
        status = deliver(s, &e->rows, err);
        s->window_rows -= e->rows.count;
        batch_dispose(&e->rows);
        done++;
    }
    if (done > 0) {
        s->window_count -= done;
        memmove(s->window, s->window + done, s->window_count * sizeof *s->window);
        pthread_cond_broadcast(&s->moved);
    }
    return status;
}

/* Under the lock: puts a kept batch into the window at its place (it owns `rows` then). */
static arm_status insert(result_stream *s, uint32_t task, uint64_t sequence, batch *rows,
                         arm_error *err)
{
    if (s->window_count == s->window_capacity) {
        uint32_t capacity = s->window_capacity ? s->window_capacity * 2 : 64;
        result_stream_entry *grown = realloc(s->window, capacity * sizeof *grown);
        if (grown == NULL)
            return error_out_of_memory(err);
        s->window = grown;
        s->window_capacity = capacity;
    }
    uint32_t at = s->window_count; /* arrivals only grow: ties go after */
    while (at > 0 && s->window[at - 1].sequence > sequence)
        at--;
    memmove(s->window + at + 1, s->window + at, (s->window_count - at) * sizeof *s->window);
    s->window[at] = (result_stream_entry){*rows, sequence, s->arrivals++, task};
    s->window_count++;
    s->window_rows += rows->count;
    return ARM_OK;
}

/* Every floor change wakes paused tasks: one of them may be the furthest behind now. */
void result_stream_join(result_stream *s, uint32_t task)
{
    pthread_mutex_lock(&s->lock);
    s->floors[task] = s->max_pulled;
    pthread_cond_broadcast(&s->moved);
    pthread_mutex_unlock(&s->lock);
}

void result_stream_pulled(result_stream *s, uint32_t task, uint64_t sequence)
{
    pthread_mutex_lock(&s->lock);
    s->floors[task] = sequence;
    if (sequence > s->max_pulled)
        s->max_pulled = sequence;
    pthread_cond_broadcast(&s->moved);
    pthread_mutex_unlock(&s->lock);
}

/*
 * Delivers `b` at once when nothing may come before it (the window holds
 * nothing else and no other task is behind), else keeps it in the window.
 */
arm_status result_stream_add(result_stream *s, uint32_t task, const batch *b, arm_error *err)
{
    if (b->count == 0)
        return ARM_OK;
    batch rows;
    arm_status status = result_set_keep_batch(&rows, s->shape, b, err);
    if (status != ARM_OK)
        return status;
    bool kept = false;
    pthread_mutex_lock(&s->lock);
    if (s->window_count == 0 && b->sequence <= min_floor(s, task)) {
        status = deliver(s, &rows, err);
        pthread_cond_broadcast(&s->moved); /* paused tasks may find work the delivery made */
    } else if ((status = insert(s, task, b->sequence, &rows, err)) == ARM_OK)
        kept = true;
    pthread_mutex_unlock(&s->lock);
    if (!kept)
        batch_dispose(&rows);
    return status;
}

arm_status result_stream_pushed(result_stream *s, uint32_t task, uint64_t sequence, arm_error *err)
{
    pthread_mutex_lock(&s->lock);
    s->floors[task] = sequence < UINT64_MAX ? sequence + 1 : sequence;
    arm_status status = s->window_count > 0 ? flush(s, err) : ARM_OK;
    pthread_cond_broadcast(&s->moved);
    pthread_mutex_unlock(&s->lock);
    return status;
}

arm_status result_stream_leave(result_stream *s, uint32_t task, arm_error *err)
{
    pthread_mutex_lock(&s->lock);
    s->floors[task] = UINT64_MAX;
    arm_status status = flush(s, err);
    pthread_cond_broadcast(&s->moved);
    pthread_mutex_unlock(&s->lock);
    return status;
}

bool result_stream_is_behind(result_stream *s, uint32_t task)
{
    pthread_mutex_lock(&s->lock);
    bool is_behind = s->floors[task] <= min_floor(s, task);
    pthread_mutex_unlock(&s->lock);
    return is_behind;
}

/*
 * A task that is ahead waits while the window is full; the task furthest
 * behind never waits, and its progress (or leaving) wakes the others.
 */
bool result_stream_pause(result_stream *s, uint32_t task)
{
    pthread_mutex_lock(&s->lock);
    bool must_wait = !atomic_load(s->failed) && s->window_rows > s->window_limit_rows &&
                     s->floors[task] > min_floor(s, task);
    if (must_wait)
        pthread_cond_wait(&s->moved, &s->lock);
    pthread_mutex_unlock(&s->lock);
    return must_wait;
}

void result_stream_wake(result_stream *s)
{
    pthread_mutex_lock(&s->lock);
    pthread_cond_broadcast(&s->moved);
    pthread_mutex_unlock(&s->lock);
}
