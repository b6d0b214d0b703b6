/*
 * executor.h: runs a physical plan. Splits it into pipelines, runs them on
 * the thread pool (morsel-driven), and materializes the output.
 */
#ifndef ARM_EXEC_EXECUTOR_H
#define ARM_EXEC_EXECUTOR_H

#include "exec/plan.h"
#include "exec/result_set.h"

/* Per-node rows and time from a profiled run (EXPLAIN ANALYZE), indexed by plan_node.id. */
typedef struct plan_profile {
    uint32_t node_count;
    uint64_t *rows_out;
    uint64_t *time_ns;
    uint64_t total_time_ns;
} plan_profile;

/*
 * Runs `plan` and materializes its rows into a new result set (column names
 * from plan->names). For INSERT/UPDATE/DELETE plans the result is of kind
 * RESULT_SET_CHANGES. When ctx->profile is set, `profile_out` (may be NULL
 * otherwise) receives per-node figures allocated in ctx->arena.
 */
arm_status executor_run(result_set **out, plan_node *plan, query_context *ctx,
                        plan_profile *profile_out, arm_error *err);

/*
 * Where executor_run_streaming delivers a query's rows instead of a result set.
 *   deliver: called with every non-empty output batch in the order executor_run
 *     would have materialized them, one call at a time (never concurrently).
 *     The batch is dense (no selection), typed as the plan's columns, and
 *     borrowed for the call: retain its vectors (vector_reference) to keep
 *     rows. Keep it cheap: other threads wait for it to deliver theirs. An
 *     error stops the query and is returned.
 *   work: optional. Called by the threads that deliver, between batches,
 *     outside the executor's locks and possibly on several threads at once:
 *     the place for the heavy work deliveries queued (encoding, writing).
 *     `is_behind`: no other thread is further behind, so rows of the threads
 *     ahead wait for this one; better leave work to them unless it piles up.
 *   window_rows: rows that may wait for earlier ones before the threads that
 *     are ahead pause (0: a default of a few hundred thousand).
 */
typedef struct result_sink {
    arm_status (*deliver)(void *context, const batch *rows, arm_error *err);
    arm_status (*work)(void *context, bool is_behind, arm_error *err);
    void *context;
    uint64_t window_rows;
} result_sink;

/*
 * Runs `plan` (a query, not INSERT/UPDATE/DELETE) delivering its rows to
 * `sink` in result order as they are produced; only batches waiting for
 * earlier ones are held. *row_count (may be NULL) receives the rows delivered.
 * On failure, rows delivered before it stay delivered.
 */
arm_status executor_run_streaming(plan_node *plan, query_context *ctx, const result_sink *sink,
                                  uint64_t *row_count, arm_error *err);

#endif
