/*
 * pipeline.h (internal to exec/): one pipeline of a running query (source ->
 * streaming operators -> sink or result collector) and how it runs: one
 * task per thread with its own operator locals, fanning out to the thread
 * pool only once the source proved to have more than one batch.
 */
#ifndef ARM_EXEC_PIPELINE_H
#define ARM_EXEC_PIPELINE_H

#include <pthread.h>

#include "exec/executor.h"
#include "exec/operator.h"
#include "exec/result_set.h"

/*
 * Batches appended to a result_set from several threads, with the source
 * sequence of each, so that a range of them can be put back in source order.
 * Charges what it holds to `budget` (may be NULL).
 */
typedef struct result_collector {
    result_set *result;
    uint64_t *sequences; /* one per batch of `result`; heap */
    uint32_t sequence_capacity;
    memory_budget *budget;
} result_collector;

/* Appends the selected rows of `b` and remembers b->sequence. Not locked. */
arm_status result_collector_append(result_collector *c, const batch *b, arm_error *err);
/*
 * The same from several threads: the rows are copied into result form
 * outside `lock` (the copy is the work: a filter's result can be most of a
 * query's time), and only the hand-over holds it.
 */
arm_status result_collector_append_locked(result_collector *c, pthread_mutex_t *lock,
                                          const batch *b, arm_error *err);
/* Stable-sorts batches [first_batch, end) by sequence and renumbers their first rows. */
arm_status result_collector_order(result_collector *c, uint32_t first_batch, arm_error *err);
void result_collector_dispose(result_collector *c); /* frees the sequences, not the result */

/*
 * Delivery of a streamed result in order (executor_run_streaming). Batches
 * from parallel tasks wait in `window`, sorted by sequence, until no task can
 * still produce a smaller one. Sources hand out morsels in increasing
 * sequence order and a task's batches only grow, so each task's `floor` (the
 * batch it pushes; after that batch, one more; on joining, the largest
 * sequence pulled so far) bounds what it may still deliver: a batch goes out
 * once no other task's floor is below its sequence. All functions lock.
 */
typedef struct result_stream_entry {
    batch rows; /* kept with result_set_keep_batch */
    uint64_t sequence;
    uint64_t arrival; /* ties between one task's batches keep their order */
    uint32_t task;
} result_stream_entry;

typedef struct result_stream {
    const result_sink *sink;
    const result_set *shape; /* the column types kept batches take */
    const _Atomic bool *failed;
    pthread_mutex_t lock;
    pthread_cond_t moved; /* a floor moved or the window shrank */
    uint64_t *floors;     /* per task; UINT64_MAX: not running */
    uint32_t task_count;
    uint64_t max_pulled;
    result_stream_entry *window; /* sorted by (sequence, arrival) */
    uint32_t window_count, window_capacity;
    uint64_t window_rows, window_limit_rows;
    uint64_t arrivals;
    uint64_t delivered_rows;
} result_stream;

void result_stream_init(result_stream *s, const result_sink *sink, const result_set *shape,
                        const _Atomic bool *failed);
void result_stream_dispose(result_stream *s);
/* Starts a pipeline of `task_count` tasks, none running yet. */
arm_status result_stream_begin(result_stream *s, uint32_t task_count, arm_error *err);
/* A task other than the first starts: it pulls only sequences beyond those pulled so far. */
void result_stream_join(result_stream *s, uint32_t task);
/* Task `task` pulled a batch of `sequence` and pushes it now. */
void result_stream_pulled(result_stream *s, uint32_t task, uint64_t sequence);
/* Keeps or delivers one output batch of `task`. */
arm_status result_stream_add(result_stream *s, uint32_t task, const batch *b, arm_error *err);
/* Task `task` finished pushing `sequence`: delivers what that allows. */
arm_status result_stream_pushed(result_stream *s, uint32_t task, uint64_t sequence, arm_error *err);
/* Task `task` ends: delivers what that allows. */
arm_status result_stream_leave(result_stream *s, uint32_t task, arm_error *err);
/* Whether no other task is further behind than `task` (its rows hold up theirs). */
bool result_stream_is_behind(result_stream *s, uint32_t task);
/*
 * While the window is over its limit and some other task is behind `task`:
 * waits until a floor moves or rows are delivered, and returns true (the
 * caller lets the sink work, then asks again). Else returns false at once.
 */
bool result_stream_pause(result_stream *s, uint32_t task);
/* Wakes paused tasks (after a failure). */
void result_stream_wake(result_stream *s);

/*
 * What every pipeline of one query shares: the lock that serializes
 * combine() and result collection, and the first error.
 */
typedef struct pipeline_shared {
    query_context *ctx;
    pthread_mutex_t lock;
    _Atomic bool failed;
    arm_status first_status;
    arm_error first_error;
    result_collector *collector; /* where pipelines with sink == NULL deliver */
    result_stream *stream;       /* instead, when streaming; else NULL */
} pipeline_shared;

/*
 * source -> ops[0] -> ... -> ops[op_count-1] -> sink (input `sink_input`),
 * or the shared result collector when sink is NULL. Allocated in the
 * query arena.
 */
typedef struct pipeline {
    op *source;
    op **ops; /* streaming operators, in order */
    uint32_t op_count;
    uint32_t op_capacity;
    op *sink;
    uint32_t sink_input;
    struct pipeline **followers; /* run right after this one (RIGHT/FULL join tails) */
    uint32_t follower_count;
    bool defer_finalize; /* a follower feeds the same sink and finalizes it */
    bool is_serial;      /* keeps source order through a LIMIT: one thread */
} pipeline;

pipeline *pipeline_create(arena *a, op *sink, uint32_t sink_input);
/* Puts `o` in front of the streaming operators (the builder walks the plan top-down). */
arm_status pipeline_prepend(arena *a, pipeline *p, op *o, arm_error *err);

/*
 * Runs `p` to completion on up to ctx->thread_count tasks, then finalizes
 * its sink. On failure returns the first error any task hit (in `err`).
 */
arm_status pipeline_run(pipeline *p, pipeline_shared *shared, arm_error *err);

void pipeline_shared_init(pipeline_shared *s, query_context *ctx, result_collector *collector);
void pipeline_shared_dispose(pipeline_shared *s);

#endif
