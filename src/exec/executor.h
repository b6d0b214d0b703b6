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

#endif
