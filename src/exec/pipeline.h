/*
 * pipeline.h (internal to exec/): one pipeline of a running query (source ->
 * streaming operators -> sink or result collector) and how it runs: one
 * task per thread with its own operator locals, fanning out to the thread
 * pool only once the source proved to have more than one batch.
 */
#ifndef ARM_EXEC_PIPELINE_H
#define ARM_EXEC_PIPELINE_H

#include <pthread.h>

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

/* Appends the selected rows of `b` (count > 0) and remembers b->sequence. Not locked. */
arm_status result_collector_append(result_collector *c, const batch *b, arm_error *err);
/* Stable-sorts batches [first_batch, end) by sequence and renumbers their first rows. */
arm_status result_collector_order(result_collector *c, uint32_t first_batch, arm_error *err);
void result_collector_dispose(result_collector *c); /* frees the sequences, not the result */

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
