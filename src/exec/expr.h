/*
 * expr.h: bound expressions (what the binder produces and the executor
 * evaluates) and their vectorized evaluation. The binder resolves names,
 * types, functions and implicit casts, so evaluation never looks anything up.
 */
#ifndef ARM_EXEC_EXPR_H
#define ARM_EXEC_EXPR_H

#include "common/arena.h"
#include "vector/vector.h"

struct plan_node;
struct query_context;
struct expr;

typedef enum expr_kind {
    EXPR_CONSTANT,    /* constant */
    EXPR_COLUMN,      /* column: input column `index` */
    EXPR_PARAMETER,   /* parameter: $index (0-based), typed by the binder */
    EXPR_CAST,        /* cast: child to e->type; errors on bad values */
    EXPR_FUNCTION,    /* function: scalar function call (operators too: "+", "=", "~~") */
    EXPR_AND,         /* list: n-ary, SQL three-valued logic */
    EXPR_OR,          /* list */
    EXPR_NOT,         /* unary */
    EXPR_IS_NULL,     /* unary */
    EXPR_IS_NOT_NULL, /* unary */
    EXPR_CASE,        /* case_: searched CASE (simple CASE is rewritten by the binder) */
    EXPR_COALESCE,    /* list */
    EXPR_IN_LIST,     /* in_list: child IN (list...); constant lists become a hash set */
    EXPR_SUBQUERY,    /* subquery: scalar, EXISTS or IN over an uncorrelated plan */
    EXPR_IS_DISTINCT, /* binary (args[0], args[1]): IS DISTINCT FROM */
    EXPR_IS_NOT_DISTINCT,
} expr_kind;

typedef enum subquery_kind {
    SUBQUERY_SCALAR, /* one column, at most one row (more is an error), no rows gives NULL */
    SUBQUERY_EXISTS,
    SUBQUERY_IN, /* subquery.child IN (subquery); NOT IN via EXPR_NOT */
} subquery_kind;

typedef arm_status (*scalar_kernel)(const struct expr *call, vector *const *args,
                                    const uint32_t *sel, uint32_t count, vector *result,
                                    arm_error *err);

/* Function flags. */
#define FUNCTION_SPECIAL_NULLS 1u /* kernel handles NULL args itself (else NULL in, NULL out) */
#define FUNCTION_VOLATILE 2u      /* never constant-folded (random) */
#define FUNCTION_TEXT_ARGS 4u     /* any argument is accepted and cast to VARCHAR (concat) */

/*
 * A scalar function overload. `arg_types` are the types the kernel expects
 * (the binder casts arguments to them); `return_type` may be adjusted by
 * `bind` (e.g. DECIMAL precision) when set.
 */
typedef struct scalar_function {
    const char *name;
    uint32_t arg_count; /* fixed count; variadic functions set is_variadic */
    bool is_variadic;   /* every argument of arg_types[0] */
    logical_type arg_types[4];
    logical_type return_type;
    uint32_t flags;
    scalar_kernel kernel;
    /* optional: computes the return type (and may fill bind_data) from the actual args */
    arm_status (*bind)(const struct scalar_function *fn, struct expr *call, arena *a,
                       arm_error *err);
} scalar_function;

/*
 * Picks the overload of `name` for these argument types, PostgreSQL's way
 * (exact match first, then the fewest implicit casts; unknown-typed string
 * literals fit anything). `cast_to` receives the type each argument must be
 * cast to. ARM_ERROR_NOT_FOUND with a hint listing the candidates when none fits.
 */
arm_status function_resolve(const scalar_function **out, logical_type *cast_to, const char *name,
                            const logical_type *arg_types, const bool *arg_is_untyped_literal,
                            uint32_t arg_count, int32_t position, arm_error *err);
/* True if a scalar function of this name exists (any overload). */
bool function_exists(const char *name);

typedef struct expr {
    expr_kind kind;
    logical_type type;
    int32_t position; /* byte offset in the SQL, for runtime errors; -1 if none */
    union {
        value constant;
        struct {
            uint32_t index;       /* input column, resolved by the planner */
            uint32_t table_index; /* binder binding: which FROM item ... */
            uint32_t column;      /* ... and which of its columns */
            uint32_t depth;       /* 0 = this query; >0 = correlated outer reference */
        } column;
        struct {
            uint32_t index;
        } parameter;
        struct {
            struct expr *child;
        } cast;
        struct {
            const scalar_function *fn;
            struct expr **args;
            uint32_t arg_count;
            void *bind_data; /* set by fn->bind, e.g. a compiled LIKE pattern */
        } function;
        struct {
            struct expr **args;
            uint32_t count;
        } list; /* AND, OR, COALESCE, IS [NOT] DISTINCT (2) */
        struct {
            struct expr *child;
        } unary; /* NOT, IS NULL, IS NOT NULL */
        struct {
            struct expr **when;
            struct expr **then;
            uint32_t count;
            struct expr *otherwise; /* NULL: ELSE NULL */
        } case_;
        struct {
            struct expr *child;
            struct expr **list;
            uint32_t count;
        } in_list;
        struct {
            subquery_kind kind;
            struct plan_node *plan;
            struct expr *child; /* SUBQUERY_IN: the left operand */
            uint32_t id;        /* index into query_context->subquery_results */
        } subquery;
    } u;
    bool is_untyped; /* binder: a string literal or parameter whose type context decides */
} expr;

/* Constructors allocate in `a`; NULL on OOM. */
expr *expr_constant(arena *a, const value *val, int32_t position);
expr *expr_column(arena *a, logical_type type, uint32_t index);
expr *expr_cast(arena *a, expr *child, logical_type to, int32_t position);
expr *expr_copy(arena *a, const expr *e); /* deep copy of the tree */
bool expr_equal(const expr *a, const expr *b);
/* True when the tree has no columns, parameters, subqueries or volatile functions. */
bool expr_is_constant(const expr *e);
/* A readable SQL-ish rendering for EXPLAIN ("(score > 95.0)"); returns length needed. */
size_t expr_format(const expr *e, const char *const *column_names, char *buf, size_t capacity);

/*
 * Evaluates a set of expressions over batches. One executor per thread: it
 * holds scratch vectors for intermediates, so evaluation allocates nothing
 * per batch once warm.
 */
typedef struct expr_executor expr_executor;

arm_status expr_executor_create(expr_executor **out, expr *const *exprs, uint32_t count,
                                struct query_context *ctx, arm_error *err);
void expr_executor_destroy(expr_executor *ex);
/*
 * Evaluates expression `index` for the selected rows of `input`, writing
 * result values at the same physical positions in `result` (which may come
 * back CONSTANT, or sharing an input column for a plain column reference).
 */
arm_status expr_execute(expr_executor *ex, uint32_t index, const batch *input, vector *result,
                        arm_error *err);
/*
 * Evaluates boolean expression `index` and writes the physical rows where it
 * is TRUE (not FALSE, not NULL) to `sel_out` (VECTOR_SIZE entries), ascending.
 */
arm_status expr_select(expr_executor *ex, uint32_t index, const batch *input, uint32_t *sel_out,
                       uint32_t *count_out, arm_error *err);
/* Evaluates a constant expression (constant folding, VALUES, defaults). Strings go in `a`. */
arm_status expr_evaluate_constant(const expr *e, arena *a, value *out, arm_error *err);

#endif
