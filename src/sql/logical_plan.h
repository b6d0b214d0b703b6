/*
 * logical_plan.h: the relational tree the binder builds and the optimizer
 * rewrites. Columns are named by bindings (table_index, column) rather than
 * positions, so pushdown and join reordering never renumber anything; the
 * physical planner (planner.c) resolves bindings to input positions.
 */
#ifndef ARM_SQL_LOGICAL_PLAN_H
#define ARM_SQL_LOGICAL_PLAN_H

#include "catalog/catalog.h"
#include "exec/plan.h"

typedef enum logical_kind {
    LOGICAL_GET,       /* get: a table scan; filters are pushed-down conjuncts */
    LOGICAL_VALUES,    /* values: constant rows (also the one empty row of a FROM-less SELECT) */
    LOGICAL_EMPTY,     /* empty: no rows, with the output columns of what it replaced */
    LOGICAL_FILTER,    /* filter: conjuncts over the child */
    LOGICAL_PROJECT,   /* project: outputs (table_index, i) = exprs[i] */
    LOGICAL_AGGREGATE, /* aggregate: (group_index, i) = groups[i], (aggregate_index, j) */
    LOGICAL_JOIN,      /* join: conjuncts over both children */
    LOGICAL_ORDER,     /* order: sort keys; limit/offset set when it became a top-N */
    LOGICAL_LIMIT,     /* limit */
    LOGICAL_DISTINCT,  /* distinct over all child columns */
    LOGICAL_SET_OP,    /* set_op: children's columns in order, as (table_index, i) */
    LOGICAL_INSERT,    /* modify: child produces the table's columns in order */
    LOGICAL_DELETE,    /* modify: child column 0 is the row id */
    LOGICAL_UPDATE,    /* modify: row id, then the table's columns */
} logical_kind;

typedef struct column_binding {
    uint32_t table_index;
    uint32_t column;
} column_binding;

typedef enum logical_set_kind {
    LOGICAL_SET_UNION,
    LOGICAL_SET_INTERSECT,
    LOGICAL_SET_EXCEPT,
} logical_set_kind;

/* A growable array of expressions in the statement arena. */
typedef struct expr_list {
    expr **items;
    uint32_t count;
    uint32_t capacity;
} expr_list;

typedef struct logical_op logical_op;

/* One operator of the logical tree; all memory in the statement arena. */
struct logical_op {
    logical_kind kind;
    logical_op *children[2];
    uint32_t child_count;
    double estimated_rows;
    union {
        struct {
            table_def *def; /* retained by the binder for the statement's life */
            const char *table_name;
            uint32_t table_index;
            /* table column c is binding column c; the row id is column def->column_count */
            uint32_t *column_ids; /* columns produced (table indexes; row id as above) */
            uint32_t column_id_count;
            expr_list filters;
        } get;
        struct {
            uint32_t table_index;
            uint32_t column_count;
            logical_type *types;
            const char **names;
            expr **rows; /* row-major */
            uint32_t row_count;
        } values;
        struct {
            column_binding *bindings;
            logical_type *types;
            const char **names;
            uint32_t column_count;
        } empty;
        struct {
            expr_list conditions;
        } filter;
        struct {
            uint32_t table_index;
            expr **exprs;
            const char **names;
            uint32_t count;
        } project;
        struct {
            uint32_t group_index;
            uint32_t aggregate_index;
            expr **groups;
            const char **group_names;
            uint32_t group_count;
            plan_aggregate *aggregates; /* args and filter over bindings until planned */
            const char **aggregate_names;
            logical_type *aggregate_types;
            uint32_t aggregate_count;
        } aggregate;
        struct {
            join_type type;
            expr_list conditions;
        } join;
        struct {
            plan_sort_key *keys;
            uint32_t key_count;
            bool is_top_n;
            uint64_t limit;
            uint64_t offset;
        } order;
        struct {
            uint64_t limit; /* UINT64_MAX: none */
            uint64_t offset;
        } limit;
        struct {
            uint32_t table_index;
            logical_set_kind kind;
            bool all;
            uint32_t column_count;
            logical_type *types;
            const char **names;
        } set_op;
        struct {
            table_def *def;
        } modify;
    } u;
};

/* The output columns of an operator (arrays allocated in `a`). */
typedef struct logical_outputs {
    column_binding *bindings;
    logical_type *types;
    const char **names;
    uint32_t count;
} logical_outputs;

logical_op *logical_create(arena *a, logical_kind kind, logical_op *child);
arm_status logical_get_outputs(const logical_op *op, arena *a, logical_outputs *out,
                               arm_error *err);
arm_status expr_list_append(expr_list *list, arena *a, expr *e, arm_error *err);

/* Calls fn on each direct expression slot of `op` (not children), so passes can rewrite them. */
typedef arm_status (*logical_expr_fn)(void *context, expr **slot, arm_error *err);
arm_status logical_visit_exprs(logical_op *op, logical_expr_fn fn, void *context, arm_error *err);
/* Calls fn on each slot in the tree of `*slot` (pre-order, children after parent). */
arm_status expr_visit_tree(expr **slot, logical_expr_fn fn, void *context, arm_error *err);

/* True when every column of `e` at depth 0 has a table index in `tables` (count entries). */
bool expr_uses_only(const expr *e, const uint32_t *tables, uint32_t count);

#endif
