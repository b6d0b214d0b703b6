/*
 * Tests for expression evaluation (src/exec/expr*.c, function*.c):
 * three-valued logic, lazy CASE and COALESCE, IN lists with NULL, selection
 * vectors, overload resolution and runtime errors.
 */
#include <string.h>

#include "exec/expr.h"
#include "exec/plan.h"
#include "harness.h"
#include "vector/cast.h"

static arena *a;

/* A one-column INTEGER batch: values[i], NULL where nulls[i]. */
static void make_batch(batch *b, const int32_t *values, const bool *nulls, uint32_t n)
{
    arm_error err;
    logical_type t = type_make(TYPE_INTEGER);
    CHECK_OK(batch_init(b, 1, &t, &err), &err);
    CHECK_OK(vector_prepare_flat(&b->columns[0], n, &err), &err);
    for (uint32_t i = 0; i < n; i++) {
        ((int32_t *)b->columns[0].data)[i] = values[i];
        if (nulls && nulls[i]) {
            CHECK_OK(vector_ensure_validity(&b->columns[0], &err), &err);
            vector_set_null(&b->columns[0], i);
        }
    }
    b->count = n;
}

static expr *call(const char *name, expr *x, expr *y)
{
    arm_error err;
    logical_type types[2] = {x->type, y->type}, cast_to[2];
    bool untyped[2] = {false, false};
    const scalar_function *fn = NULL;
    CHECK_OK(function_resolve(&fn, cast_to, name, types, untyped, 2, -1, &err), &err);
    expr *e = arena_zalloc(a, sizeof *e);
    e->kind = EXPR_FUNCTION;
    e->type = fn->return_type;
    e->position = 7;
    e->u.function.fn = fn;
    e->u.function.args = arena_alloc(a, 2 * sizeof(expr *));
    e->u.function.args[0] = type_equal(x->type, cast_to[0]) ? x : expr_cast(a, x, cast_to[0], -1);
    e->u.function.args[1] = type_equal(y->type, cast_to[1]) ? y : expr_cast(a, y, cast_to[1], -1);
    e->u.function.arg_count = 2;
    if (fn->bind)
        CHECK_OK(fn->bind(fn, e, a, &err), &err);
    return e;
}

static expr *integer(int32_t v)
{
    value x = value_integer(v);
    return expr_constant(a, &x, -1);
}

static expr *list(expr_kind kind, expr *x, expr *y)
{
    expr *e = arena_zalloc(a, sizeof *e);
    e->kind = kind;
    e->type = type_make(TYPE_BOOLEAN);
    e->u.list.args = arena_alloc(a, 2 * sizeof(expr *));
    e->u.list.args[0] = x;
    e->u.list.args[1] = y;
    e->u.list.count = 2;
    return e;
}

/* Evaluates `e` over `b` and returns the cells as text joined by ','. */
static const char *eval_text(expr *e, const batch *b)
{
    static char text[640];
    arm_error err;
    query_context ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.arena = a;
    expr_executor *ex = NULL;
    vector out;
    vector_init(&out, e->type);
    text[0] = '\0';
    CHECK_OK(expr_executor_create(&ex, &e, 1, &ctx, &err), &err);
    if (expr_execute(ex, 0, b, &out, &err) != ARM_OK) {
        snprintf(text, sizeof text, "error:%s", err.message);
    } else {
        size_t used = 0;
        for (uint32_t i = 0; i < b->count; i++) {
            value v;
            vector_get_value(&out, batch_row(b, i), &v);
            v.type = e->type;
            char cell[64];
            value_format(&v, cell, sizeof cell);
            used += (size_t)snprintf(text + used, sizeof text - used, "%s%s", i ? "," : "", cell);
        }
    }
    vector_dispose(&out);
    expr_executor_destroy(ex);
    return text;
}

static void test_three_valued_logic(void)
{
    /* x: 1, 0, NULL; (x = 1) AND/OR (x IS NULL-ish via x = 1 again) */
    int32_t values[3] = {1, 0, 0};
    bool nulls[3] = {false, false, true};
    batch b;
    make_batch(&b, values, nulls, 3);
    expr *x = expr_column(a, type_make(TYPE_INTEGER), 0);
    expr *is_one = call("=", x, integer(1));
    value null_bool = value_null(type_make(TYPE_BOOLEAN));
    expr *unknown = expr_constant(a, &null_bool, -1);
    value t = value_boolean(true), f = value_boolean(false);
    CHECK_STR_EQ(eval_text(list(EXPR_AND, is_one, unknown), &b), "NULL,false,NULL");
    CHECK_STR_EQ(eval_text(list(EXPR_OR, is_one, unknown), &b), "true,NULL,NULL");
    CHECK_STR_EQ(eval_text(list(EXPR_AND, is_one, expr_constant(a, &f, -1)), &b),
                 "false,false,false");
    CHECK_STR_EQ(eval_text(list(EXPR_OR, is_one, expr_constant(a, &t, -1)), &b), "true,true,true");
    CHECK_STR_EQ(eval_text(list(EXPR_IS_DISTINCT, x, integer(0)), &b), "true,false,true");
    CHECK_STR_EQ(eval_text(list(EXPR_IS_NOT_DISTINCT, x, integer(0)), &b), "false,true,false");
    batch_dispose(&b);
}

static void test_case_and_coalesce_are_lazy(void)
{
    int32_t values[4] = {5, 0, 2, 0};
    bool nulls[4] = {false, false, false, true};
    batch b;
    make_batch(&b, values, nulls, 4);
    expr *x = expr_column(a, type_make(TYPE_INTEGER), 0);
    /* CASE WHEN x = 0 THEN 0 ELSE 10 / x END: no division by zero */
    expr *c = arena_zalloc(a, sizeof *c);
    c->kind = EXPR_CASE;
    c->type = type_make(TYPE_INTEGER);
    c->u.case_.when = arena_alloc(a, sizeof(expr *));
    c->u.case_.then = arena_alloc(a, sizeof(expr *));
    c->u.case_.when[0] = call("=", x, integer(0));
    c->u.case_.then[0] = integer(0);
    c->u.case_.count = 1;
    c->u.case_.otherwise = call("/", integer(10), x);
    CHECK_STR_EQ(eval_text(c, &b), "2,0,5,NULL");
    /* without the guard the division fails, naming the position */
    CHECK_STR_EQ(eval_text(call("/", integer(10), x), &b), "error:division by zero");
    expr *co = list(EXPR_COALESCE, x, call("/", integer(1), integer(0)));
    co->type = type_make(TYPE_INTEGER);
    b.count = 3; /* no NULL: the fallback is never evaluated */
    CHECK_STR_EQ(eval_text(co, &b), "5,0,2");
    batch_dispose(&b);
}

static void test_in_list_and_selection(void)
{
    int32_t values[5] = {1, 2, 3, 4, 0};
    bool nulls[5] = {false, false, false, false, true};
    batch b;
    make_batch(&b, values, nulls, 5);
    expr *x = expr_column(a, type_make(TYPE_INTEGER), 0);
    expr *in = arena_zalloc(a, sizeof *in);
    in->kind = EXPR_IN_LIST;
    in->type = type_make(TYPE_BOOLEAN);
    in->u.in_list.child = x;
    in->u.in_list.list = arena_alloc(a, 3 * sizeof(expr *));
    in->u.in_list.list[0] = integer(2);
    in->u.in_list.list[1] = integer(4);
    value null_int = value_null(type_make(TYPE_INTEGER));
    in->u.in_list.list[2] = expr_constant(a, &null_int, -1);
    in->u.in_list.count = 3;
    CHECK_STR_EQ(eval_text(in, &b), "NULL,true,NULL,true,NULL");
    in->u.in_list.count = 2;
    CHECK_STR_EQ(eval_text(in, &b), "false,true,false,true,NULL");
    /* evaluation under a selection touches only the selected rows */
    b.sel = b.sel_storage;
    b.sel[0] = 1;
    b.sel[1] = 3;
    b.count = 2;
    CHECK_STR_EQ(eval_text(call("*", x, integer(10)), &b), "20,40");
    arm_error err;
    query_context ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.arena = a;
    expr_executor *ex;
    expr *gt = call(">", x, integer(2));
    CHECK_OK(expr_executor_create(&ex, &gt, 1, &ctx, &err), &err);
    uint32_t sel[VECTOR_SIZE], count = 0;
    CHECK_OK(expr_select(ex, 0, &b, sel, &count, &err), &err);
    CHECK(count == 1 && sel[0] == 3);
    expr_executor_destroy(ex);
    batch_dispose(&b);
}

static void test_resolution_and_errors(void)
{
    arm_error err;
    logical_type types[2] = {type_make(TYPE_INTEGER), type_make(TYPE_DATE)}, cast_to[2];
    bool untyped[2] = {false, false};
    const scalar_function *fn;
    CHECK(function_resolve(&fn, cast_to, "=", types, untyped, 2, 4, &err) == ARM_ERROR_TYPE);
    CHECK_STR_EQ(err.message, "operator does not exist: integer = date");
    CHECK_INT_EQ(err.position, 4);
    CHECK(function_resolve(&fn, cast_to, "nosuch", types, untyped, 1, -1, &err) ==
          ARM_ERROR_NOT_FOUND);
    CHECK_STR_EQ(err.sqlstate, "42883");
    types[0] = type_make(TYPE_SMALLINT);
    types[1] = type_make(TYPE_BIGINT);
    CHECK_OK(function_resolve(&fn, cast_to, "+", types, untyped, 2, -1, &err), &err);
    CHECK(fn->return_type.id == TYPE_BIGINT && cast_to[0].id == TYPE_BIGINT);
    int32_t values[1] = {2147483647};
    batch b;
    make_batch(&b, values, NULL, 1);
    expr *x = expr_column(a, type_make(TYPE_INTEGER), 0);
    CHECK_STR_EQ(eval_text(call("+", x, integer(1)), &b), "error:integer out of range");
    CHECK_STR_EQ(eval_text(call("-", x, integer(-2147483647 - 1 + 1)), &b),
                 "error:integer out of range");
    CHECK_STR_EQ(eval_text(call("%", x, integer(0)), &b), "error:division by zero");
    batch_dispose(&b);
}

static void test_constant_folding_and_format(void)
{
    arm_error err;
    value out;
    expr *e = call("*", call("+", integer(2), integer(3)), integer(4));
    CHECK(expr_is_constant(e));
    CHECK_OK(expr_evaluate_constant(e, a, &out, &err), &err);
    CHECK_INT_EQ(out.u.i64, 20);
    char text[128];
    expr_format(e, NULL, text, sizeof text);
    CHECK_STR_EQ(text, "((2 + 3) * 4)");
    expr *copy = expr_copy(a, e);
    CHECK(copy != e && expr_equal(copy, e));
    CHECK(!expr_equal(copy, integer(20)));
}

static void setup(void)
{
    a = arena_create(0, NULL);
}

static void teardown(void)
{
    arena_destroy(a);
}

TEST_MAIN(setup, test_three_valued_logic, test_case_and_coalesce_are_lazy,
          test_in_list_and_selection, test_resolution_and_errors, test_constant_folding_and_format,
          teardown)
