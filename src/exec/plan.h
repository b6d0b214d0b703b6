/*
 * plan.h: physical plans, the tree the planner builds and the executor runs.
 * A plan_node is plain data (allocated in the statement arena); the executor
 * turns it into pipelines of operators. Plans hold no table data.
 */
#ifndef ARM_EXEC_PLAN_H
#define ARM_EXEC_PLAN_H

#include "common/arena.h"
#include "common/memory_budget.h"
#include "exec/expr.h"
#include "table/table_provider.h"

typedef struct aggregate_function aggregate_function; /* exec/aggregate.h */
struct plan_profile;                                  /* exec/executor.h */

typedef enum plan_kind {
    PLAN_TABLE_SCAN,
    PLAN_TABLE_COUNT, /* COUNT(*)s of a whole table, from its provider's exact row count */
    PLAN_VALUES,
    PLAN_EMPTY,
    PLAN_FILTER,
    PLAN_PROJECT,
    PLAN_HASH_AGGREGATE,
    PLAN_HASH_JOIN,
    PLAN_NESTED_LOOP_JOIN,
    PLAN_SORT,
    PLAN_TOP_N,
    PLAN_LIMIT,
    PLAN_UNION_ALL,
    PLAN_SET_OP, /* INTERSECT / EXCEPT [ALL] */
    PLAN_DISTINCT,
    PLAN_INSERT,
    PLAN_DELETE,
    PLAN_UPDATE,
} plan_kind;

typedef enum join_type {
    JOIN_INNER,
    JOIN_LEFT,
    JOIN_RIGHT,
    JOIN_FULL,
    JOIN_SEMI, /* left rows with a match; output: left columns */
    JOIN_ANTI, /* left rows without a match; output: left columns */
    JOIN_CROSS,
} join_type;

typedef enum set_op_kind {
    SET_OP_INTERSECT,
    SET_OP_EXCEPT,
} set_op_kind;

typedef struct plan_aggregate {
    const aggregate_function *fn;
    expr **args; /* COUNT(*): none; STRING_AGG: value, separator */
    uint32_t arg_count;
    bool is_distinct;
    expr *filter; /* FILTER (WHERE ...), or NULL */
} plan_aggregate;

typedef struct plan_sort_key {
    expr *key;
    bool descending;
    bool nulls_first; /* PostgreSQL default: NULLS LAST for ASC, FIRST for DESC */
} plan_sort_key;

typedef struct plan_node plan_node;

/*
 * One operator of a physical plan. Output columns are described by
 * column_count/types/names; expressions of a node refer to the output columns
 * of its children by index (for joins: left columns, then right columns).
 */
struct plan_node {
    plan_kind kind;
    plan_node *children[2];
    uint32_t child_count;
    uint32_t column_count;
    logical_type *types;
    const char **names;
    double estimated_rows;
    uint32_t id; /* pre-order number, for EXPLAIN ANALYZE */
    union {
        struct {
            table_provider *table;
            const char *table_name; /* for EXPLAIN and errors */
            uint32_t *column_ids;   /* table columns produced (TABLE_COLUMN_ROW_ID allowed) */
            table_filter *filters;  /* pruning hints; see table_provider.h */
            uint32_t filter_count;
            expr *predicate; /* evaluated on the produced columns inside the scan; or NULL */
        } scan;
        struct {
            table_provider *table;  /* has exact_row_count; every output column is the count */
            const char *table_name; /* for EXPLAIN */
        } table_count;
        struct {
            expr **rows; /* row_count * column_count, row-major; constant or parameters */
            uint32_t row_count;
        } values;
        struct {
            expr *predicate;
        } filter;
        struct {
            expr **exprs; /* column_count of them */
        } project;
        struct {
            expr **groups; /* output: groups, then aggregates */
            uint32_t group_count;
            plan_aggregate *aggregates;
            uint32_t aggregate_count;
        } aggregate;
        struct {
            join_type type;
            /* children[0] is the probe (left) side, children[1] the build (right) side */
            expr **left_keys;  /* over children[0]'s columns */
            expr **right_keys; /* over children[1]'s columns */
            uint32_t key_count;
            bool *null_equals_null; /* per key (IS NOT DISTINCT FROM); NULL: all false */
            expr *condition;        /* extra condition over left++right columns, or NULL */
            /* per output column: read by some node above; NULL: all. Unread columns are
             * emitted as constant NULLs instead of being gathered. */
            const bool *output_used;
        } join; /* also NESTED_LOOP_JOIN (key_count 0, condition may be NULL = cross) */
        struct {
            plan_sort_key *keys;
            uint32_t key_count;
            uint64_t limit;  /* TOP_N only */
            uint64_t offset; /* TOP_N only */
        } sort;
        struct {
            uint64_t limit; /* UINT64_MAX: none */
            uint64_t offset;
        } limit;
        struct {
            set_op_kind kind;
            bool all;
        } set_op;
        struct {
            table_provider *table;
            const char *table_name;
            /* children[0] produces the table's columns in order, already typed */
        } insert;
        struct {
            table_provider *table;
            const char *table_name;
            /* DELETE: children[0]'s column 0 is the row id. UPDATE: column 0 is the row
             * id, then the table's columns in order (new values). */
        } modify;
    } u;
};

/*
 * What one query needs at run time. Owned by the caller of executor_run for
 * the statement's duration.
 */
typedef struct query_context {
    arena *arena;             /* query lifetime */
    memory_budget *budget;    /* memory_limit */
    uint32_t thread_count;    /* >= 1 */
    struct thread_pool *pool; /* may be NULL: run on the calling thread */
    const value *params;
    uint32_t param_count;
    _Atomic bool *interrupt;             /* set asynchronously by arm_conn_interrupt; may be NULL */
    int64_t statement_time_micros;       /* now() and current_date for this statement */
    bool profile;                        /* EXPLAIN ANALYZE: collect rows and time per node */
    bool committed_only;                 /* scans see committed rows only: another connection
                                            may be writing (table_scan_options) */
    value *subquery_results;             /* filled by the executor for EXPR_SUBQUERY ids */
    struct subquery_set **subquery_sets; /* SUBQUERY_IN hash sets, by id */
    uint32_t subquery_count;
} query_context;

plan_node *plan_node_create(arena *a, plan_kind kind, uint32_t column_count);
/* Renders the plan as an indented tree, one line per operator (EXPLAIN). */
arm_status plan_explain(const plan_node *plan, const struct plan_profile *profile, arena *a,
                        char **out_text, arm_error *err);

#endif
