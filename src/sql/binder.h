/*
 * binder.h: turns syntax trees (ast.h) into logical plans (logical_plan.h):
 * resolves names against the catalog and the FROM scopes, types every
 * expression (implicit casts, function overloads), and checks SQL's rules
 * (GROUP BY, ORDER BY with DISTINCT, set operation arity).
 */
#ifndef ARM_SQL_BINDER_H
#define ARM_SQL_BINDER_H

#include "sql/ast.h"
#include "sql/logical_plan.h"

struct bind_scope;

/*
 * State for binding one statement. Table and view definitions looked up while
 * binding are retained until binder_dispose, so the plan stays valid while it
 * runs and a plan cache can tell what the plan depends on (catalog_holds).
 */
typedef struct binder {
    arena *arena; /* statement lifetime: everything bound lives here */
    catalog *catalog;
    struct sql_storage *storage; /* versions and branches; NULL in memory (set after init) */
    struct column_cache *cache;  /* the database's column cache, for arm_cache_stats() */
    int64_t statement_time_micros;
    uint32_t next_table_index;
    uint32_t subquery_count; /* EXPR_SUBQUERY ids handed out */
    uint32_t view_depth;
    table_def **table_refs;
    uint32_t table_ref_count;
    uint32_t table_ref_capacity;
    view_def **view_refs; /* views expanded, retained: a plan cache checks they still hold */
    uint32_t view_ref_count;
    uint32_t view_ref_capacity;
    /* parameters: types inferred from context (VARCHAR when nothing says) */
    logical_type *param_types;
    bool *param_is_typed;
    uint32_t param_count;
    const value *param_values; /* known values (LIMIT $1), or NULL while preparing */
    /* the plan depends on this execution (now(), LIMIT $1): a prepared statement re-plans */
    bool is_volatile_plan;
    struct bind_scope *scope; /* innermost scope */
    bool
        keep_untyped_literals; /* binding a set operand: its literals adopt the other side's type */
    const ast_cte **ctes;      /* WITH entries visible now, innermost last */
    uint32_t cte_count;
    uint32_t cte_capacity;
    expr **untyped; /* string literals and parameters whose type context decides */
    uint32_t untyped_count;
    uint32_t untyped_capacity;
} binder;

arm_status binder_init(binder *b, arena *a, catalog *cat, int64_t statement_time_micros,
                       uint32_t param_count, const value *param_values, arm_error *err);
/* Releases the table and view definitions the statement retained. */
void binder_dispose(binder *b);

/* Binds a query (SELECT, set operation, VALUES) into a logical plan whose root names the
 * result columns. */
arm_status binder_bind_query(logical_op **out, binder *b, const ast_query *query, arm_error *err);
/* Binds INSERT, UPDATE or DELETE into LOGICAL_INSERT/UPDATE/DELETE over its input. */
arm_status binder_bind_dml(logical_op **out, binder *b, const ast_stmt *stmt, arm_error *err);

/* Looks up a table (folded name), retaining it for the statement; errors with a suggestion. */
arm_status binder_lookup_table(table_def **out, binder *b, const ast_name *name, arm_error *err);
/* The name as the catalog stores it: unquoted identifiers fold to lower case. */
const char *binder_ident(binder *b, const ast_ident *ident);

#endif
