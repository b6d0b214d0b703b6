/*
 * operator.h: the physical operator protocol. The executor splits a plan into
 * pipelines (source -> streaming operators -> sink), runs each pipeline on
 * all threads with per-thread local state, then combines and finalizes the
 * sink, which may become the source of a later pipeline (DuckDB's and
 * Hyper's morsel-driven model). One file per operator: op_<name>.c.
 *
 * Roles by plan kind:
 *   source only:        TABLE_SCAN, TABLE_COUNT, VALUES, EMPTY
 *   streaming:          FILTER, PROJECT, LIMIT, and the probe side (child 0) of
 *                       HASH_JOIN / NESTED_LOOP_JOIN
 *   sink then source:   HASH_AGGREGATE, DISTINCT, SORT, TOP_N, UNION_ALL,
 *                       SET_OP, INSERT, DELETE, UPDATE (their source emits the
 *                       result: for DML one row with the count)
 *   joins:              child 1 (build) pipelines sink into the join; the join
 *                       is streaming in child 0's pipeline; RIGHT/FULL joins
 *                       are also a source of unmatched build rows afterwards.
 */
#ifndef ARM_EXEC_OPERATOR_H
#define ARM_EXEC_OPERATOR_H

#include <stdatomic.h>

#include "exec/plan.h"

typedef struct op op;

typedef enum op_status {
    OP_NEED_INPUT,       /* `out` is valid (may have count 0); give me the next input */
    OP_HAVE_MORE_OUTPUT, /* `out` is valid; call execute again with the same input */
    OP_FINISHED,         /* no more output will ever come (LIMIT reached) */
} op_status;

typedef struct op_vtable {
    const char *name;
    /* Global state, once per query, before any pipeline runs. */
    arm_status (*init)(op *o, arm_error *err);
    /* Per-thread state (may set *local = NULL). */
    arm_status (*local_create)(op *o, void **local, arm_error *err);
    void (*local_destroy)(op *o, void *local);

    /*
     * Source: fills `out` (initialized with the op's output types) with the
     * next rows; out->count == 0 means exhausted for this thread. Must be
     * safe to call from several threads with their own locals.
     */
    arm_status (*source_next)(op *o, void *local, batch *out, arm_error *err);
    /* True if the source emits rows in an order that must be kept (sorts): runs on one thread. */
    bool source_is_ordered;

    /* Streaming: transforms `in` into `out` (both owned by the pipeline). */
    arm_status (*execute)(op *o, void *local, const batch *in, batch *out, op_status *status,
                          arm_error *err);

    /* Sink for child `input` (0 or 1): consumes rows into thread-local state. */
    arm_status (*sink)(op *o, void *local, uint32_t input, const batch *in, arm_error *err);
    /* Merges one thread's local state into the global state (called under a lock). */
    arm_status (*combine)(op *o, void *local, uint32_t input, arm_error *err);
    /* After every thread combined input `input`. */
    arm_status (*finalize)(op *o, uint32_t input, arm_error *err);

    void (*destroy)(op *o);
} op_vtable;

/* Counters for EXPLAIN ANALYZE, per plan node. */
typedef struct op_profile {
    _Atomic uint64_t rows_out;
    _Atomic uint64_t time_ns;
} op_profile;

/* Implementations embed `op` first. */
struct op {
    const op_vtable *vtable;
    plan_node *plan;
    query_context *ctx;
    op_profile profile;
};

/*
 * Constructors, called by the executor for each plan node. They allocate the
 * op in ctx->arena (plus whatever they manage themselves, freed by destroy).
 */
arm_status op_table_scan_create(op **out, plan_node *plan, query_context *ctx, arm_error *err);
arm_status op_table_count_create(op **out, plan_node *plan, query_context *ctx, arm_error *err);
arm_status op_values_create(op **out, plan_node *plan, query_context *ctx, arm_error *err);
arm_status op_filter_create(op **out, plan_node *plan, query_context *ctx, arm_error *err);
arm_status op_project_create(op **out, plan_node *plan, query_context *ctx, arm_error *err);
arm_status op_limit_create(op **out, plan_node *plan, query_context *ctx, arm_error *err);
arm_status op_union_all_create(op **out, plan_node *plan, query_context *ctx, arm_error *err);
arm_status op_modify_create(op **out, plan_node *plan, query_context *ctx, arm_error *err);
arm_status op_hash_aggregate_create(op **out, plan_node *plan, query_context *ctx,
                                    arm_error *err); /* HASH_AGGREGATE and DISTINCT */
arm_status op_hash_join_create(op **out, plan_node *plan, query_context *ctx, arm_error *err);
arm_status op_nested_loop_join_create(op **out, plan_node *plan, query_context *ctx,
                                      arm_error *err);
arm_status op_sort_create(op **out, plan_node *plan, query_context *ctx,
                          arm_error *err); /* SORT and TOP_N */
arm_status op_set_op_create(op **out, plan_node *plan, query_context *ctx, arm_error *err);

/* Checks the interrupt flag: ARM_ERROR_INTERRUPTED when set. Cheap; call per batch. */
arm_status op_check_interrupt(const query_context *ctx, arm_error *err);

#endif
