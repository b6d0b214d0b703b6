/*
 * binder_internal.h: the binder's scopes and helpers shared by its files
 * (binder_expr.c: expressions; binder_query.c: SELECT, FROM, set operations;
 * binder_dml.c: INSERT, UPDATE, DELETE). A scope is one query level; scopes
 * form a stack so an outer reference is seen with its depth (correlation).
 */
#ifndef ARM_SQL_BINDER_INTERNAL_H
#define ARM_SQL_BINDER_INTERNAL_H

#include "sql/binder.h"

/* One FROM item as names resolve against it. */
typedef struct bind_table {
    const char *name; /* qualifier: alias or table name; NULL for none */
    uint32_t table_index;
    uint32_t column_count;
    const char **column_names;
    logical_type *column_types;
    bool *merged; /* USING/NATURAL merged: hidden from * and unqualified names; may be NULL */
    const char *relation_name; /* the table's own name when an alias hides it, else NULL */
} bind_table;

/* A column merged by JOIN ... USING: the unqualified name means `value`. */
typedef struct bind_using {
    const char *name;
    expr *value;
    uint32_t first_table; /* scope tables [first_table, end_table) it covers */
    uint32_t end_table;
    bool is_hidden; /* superseded by an enclosing USING of the same name */
} bind_using;

/* Aggregates and groups of one SELECT block. */
typedef struct bind_aggregates {
    uint32_t group_index;
    uint32_t aggregate_index;
    expr_list groups;
    const char **group_names;
    plan_aggregate *items;
    logical_type *types;
    const char **names;
    uint32_t count;
    uint32_t capacity;
    /* ORDER BY inside aggregates (STRING_AGG(x, ',' ORDER BY y)): the input is sorted by
     * these keys before aggregating, so every aggregate of the block must agree on them */
    plan_sort_key *order_keys;
    uint32_t order_key_count;
} bind_aggregates;

typedef struct bind_scope {
    struct bind_scope *parent;
    bind_table *tables;
    uint32_t table_count;
    uint32_t table_capacity;
    bind_using *usings;
    uint32_t using_count;
    uint32_t using_capacity;
    bind_aggregates *aggregates; /* NULL: aggregates not allowed here */
    const char *aggregate_error; /* message when one appears where not allowed */
} bind_scope;

/* Scopes. */
void binder_scope_push(binder *b, bind_scope *scope, bind_scope *parent);
void binder_scope_pop(binder *b, bind_scope *scope);
arm_status binder_scope_add(binder *b, bind_scope *scope, const bind_table *table, arm_error *err);

/* Expressions. */
arm_status binder_bind_expr(expr **out, binder *b, const ast_expr *ast, arm_error *err);
/* Binds and requires BOOLEAN: `argument of WHERE must be type boolean, not type integer`. */
arm_status binder_bind_condition(expr **out, binder *b, const ast_expr *ast, const char *clause,
                                 arm_error *err);
/* Implicit conversion to `to` (untyped literals are parsed now, parameters take the type). */
arm_status binder_coerce(expr **e, binder *b, logical_type to, int32_t position, arm_error *err);
/* Assignment conversion (INSERT/UPDATE): also explicit-only casts between numeric types. */
arm_status binder_assign(expr **e, binder *b, logical_type to, const char *column_name,
                         int32_t position, arm_error *err);
bool binder_is_untyped(const binder *b, const expr *e);
/* The result column name PostgreSQL gives an expression (column, function, ?column?). */
const char *binder_expr_name(binder *b, const ast_expr *ast);
/* Structural equality of bound expressions (columns by binding). */
bool binder_expr_equal(const expr *x, const expr *y);
/* Deep copy (statement arena); NULL on OOM. */
expr *binder_copy_expr(binder *b, const expr *e);
/* Gives `n` expressions one type (CASE, COALESCE, IN, VALUES): `CASE types x and y cannot be
 * matched`. Untyped literals adopt it; all untyped gives VARCHAR. */
arm_status binder_unify(binder *b, expr **items, uint32_t n, const char *context, logical_type *out,
                        arm_error *err);
/* Builders (statement arena). */
expr *binder_new_expr(binder *b, expr_kind kind, logical_type type, int32_t position);
expr *binder_column_ref(binder *b, uint32_t table_index, uint32_t column, logical_type type);
expr *binder_cast(binder *b, expr *child, logical_type to, int32_t position);
expr *binder_constant(binder *b, const value *val, int32_t position);
/* Appends the conjuncts of `e` (flattening AND) to `list`. */
arm_status binder_split_conjuncts(binder *b, expr *e, expr_list *list, arm_error *err);
/* Lower-cased copy of a type's SQL name ("integer"). */
const char *binder_type_name(binder *b, logical_type type);

/* Queries. */
/* Binds a query in a fresh scope whose parent is `parent` (NULL: none). */
arm_status binder_bind_query_in(logical_op **out, binder *b, const ast_query *query,
                                bind_scope *parent, arm_error *err);
/* A scan of `def` added to the current scope as `alias` (ref: column aliases, or NULL). */
arm_status binder_bind_table(logical_op **out, binder *b, table_def *def, const char *alias,
                             const ast_table_ref *ref, arm_error *err);
/* Plans a bound subquery (for EXPR_SUBQUERY): optimizer + physical planner. */
arm_status binder_plan_subquery(plan_node **out, binder *b, logical_op *root, arm_error *err);
/* Parses "SELECT <sql>" and binds the expression (DEFAULT values) in an empty scope. */
arm_status binder_bind_sql_expr(expr **out, binder *b, const char *sql, arm_error *err);

/* Keeps `def` (a reference the caller gives up) for the statement's lifetime. */
arm_status binder_retain_table(binder *b, table_def *def, arm_error *err);
/* The schema part of a qualified name, or NULL for an unqualified one. */
const char *binder_schema_of(binder *b, const ast_name *name);
/* FROM f(...): read_parquet, read_csv, the history functions, arm_cache_stats
 * (binder_table_function.c). */
arm_status binder_bind_table_function(logical_op **out, binder *b, const ast_table_ref *ref,
                                      arm_error *err);
/* FROM t VERSION n / AS OF TIMESTAMP / t@ref: a read-only table of another version. */
arm_status binder_bind_table_version(logical_op **out, binder *b, const ast_table_ref *ref,
                                     const char *alias, arm_error *err);

#endif
