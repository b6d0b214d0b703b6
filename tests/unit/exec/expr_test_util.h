/*
 * expr_test_util.h: helpers for the expression and function unit tests:
 * typed literals, calls resolved like the binder does (implicit casts and
 * bind), constant evaluation to text, and evaluation over a column batch.
 */
#ifndef ARM_TESTS_EXPR_TEST_UTIL_H
#define ARM_TESTS_EXPR_TEST_UTIL_H

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "exec/expr.h"
#include "exec/plan.h"
#include "harness.h"
#include "vector/cast.h"

static arena *test_arena;
static arm_error test_err; /* the last evaluation error */

static inline void test_arena_setup(void)
{
    test_arena = arena_create(0, NULL);
}

static inline void test_arena_teardown(void)
{
    arena_destroy(test_arena);
}

static inline expr *lit(const value *v)
{
    return expr_constant(test_arena, v, -1);
}

static inline expr *lit_int(int32_t x)
{
    value v = value_integer(x);
    return lit(&v);
}

static inline expr *lit_big(int64_t x)
{
    value v = value_bigint(x);
    return lit(&v);
}

static inline expr *lit_dbl(double x)
{
    value v = value_double(x);
    return lit(&v);
}

static inline expr *lit_str(const char *s)
{
    value v = value_varchar(s, (uint32_t)strlen(s));
    return lit(&v);
}

static inline expr *lit_null(type_id id)
{
    value v = value_null(type_make(id));
    return lit(&v);
}

/* A literal of any type written as text ("2026-11-22" as DATE, "1.50" as DECIMAL(4,2)). */
static inline expr *lit_as(const char *text, logical_type type)
{
    value in = value_varchar(text, (uint32_t)strlen(text)), out;
    arm_error err;
    CHECK_OK(cast_value(&out, &in, type, test_arena, -1, &err), &err);
    return lit(&out);
}

/* A call resolved as the binder does it: overload, implicit casts, bind. */
static inline expr *call_n(const char *name, uint32_t n, expr **args)
{
    arm_error err;
    logical_type types[8], cast_to[8];
    bool untyped[8] = {false};
    for (uint32_t i = 0; i < n; i++)
        types[i] = args[i]->type;
    const scalar_function *fn = NULL;
    if (function_resolve(&fn, cast_to, name, types, untyped, n, -1, &err) != ARM_OK) {
        fprintf(stderr, "%s: cannot resolve %s: %s\n", harness_current, name, err.message);
        harness_failures++;
        return lit_null(TYPE_INTEGER);
    }
    expr *e = arena_zalloc(test_arena, sizeof *e);
    e->kind = EXPR_FUNCTION;
    e->type = fn->return_type;
    e->position = 3;
    e->u.function.fn = fn;
    e->u.function.args = arena_alloc(test_arena, (n ? n : 1) * sizeof(expr *));
    for (uint32_t i = 0; i < n; i++)
        e->u.function.args[i] = type_equal(args[i]->type, cast_to[i])
                                    ? args[i]
                                    : expr_cast(test_arena, args[i], cast_to[i], -1);
    e->u.function.arg_count = n;
    if (fn->bind && fn->bind(fn, e, test_arena, &err) != ARM_OK) {
        fprintf(stderr, "%s: bind of %s failed: %s\n", harness_current, name, err.message);
        harness_failures++;
    }
    return e;
}

static inline expr *call1(const char *name, expr *x)
{
    return call_n(name, 1, &x);
}

static inline expr *call2(const char *name, expr *x, expr *y)
{
    expr *args[2] = {x, y};
    return call_n(name, 2, args);
}

static inline expr *call3(const char *name, expr *x, expr *y, expr *z)
{
    expr *args[3] = {x, y, z};
    return call_n(name, 3, args);
}

static inline expr *node_list(expr_kind kind, logical_type type, uint32_t n, expr **args)
{
    expr *e = arena_zalloc(test_arena, sizeof *e);
    e->kind = kind;
    e->type = type;
    e->position = -1;
    e->u.list.args = arena_alloc(test_arena, n * sizeof(expr *));
    memcpy(e->u.list.args, args, n * sizeof(expr *));
    e->u.list.count = n;
    return e;
}

static inline expr *node_unary(expr_kind kind, expr *child)
{
    expr *e = arena_zalloc(test_arena, sizeof *e);
    e->kind = kind;
    e->type = type_make(TYPE_BOOLEAN);
    e->position = -1;
    e->u.unary.child = child;
    return e;
}

/* Formats a value, or "ERROR: message" when `status` failed (err kept in test_err). */
static inline const char *format_result(arm_status status, const value *v, char *buf,
                                        size_t capacity)
{
    if (status != ARM_OK)
        snprintf(buf, capacity, "ERROR: %.400s", test_err.message);
    else
        value_format(v, buf, capacity);
    return buf;
}

/* Evaluates a column-free expression to text. */
static inline const char *eval_const(expr *e)
{
    static char text[4][512];
    static int next;
    char *buf = text[next++ & 3];
    value v;
    arm_status s = expr_evaluate_constant(e, test_arena, &v, &test_err);
    if (s == ARM_OK)
        v.type = e->type;
    return format_result(s, &v, buf, 512);
}

/* Evaluates `e` over the batch; cells as text joined by ','. */
static inline const char *eval_batch(expr *e, const batch *b)
{
    static char text[4096];
    query_context ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.arena = test_arena;
    expr_executor *ex = NULL;
    vector out;
    vector_init(&out, e->type);
    text[0] = '\0';
    CHECK_OK(expr_executor_create(&ex, &e, 1, &ctx, &test_err), &test_err);
    if (expr_execute(ex, 0, b, &out, &test_err) != ARM_OK) {
        snprintf(text, sizeof text, "ERROR: %s", test_err.message);
    } else {
        size_t used = 0;
        for (uint32_t i = 0; i < b->count && used < sizeof text; i++) {
            value v;
            vector_get_value(&out, batch_row(b, i), &v);
            v.type = e->type;
            char cell[256];
            value_format(&v, cell, sizeof cell);
            used += (size_t)snprintf(text + used, sizeof text - used, "%s%s", i ? "," : "", cell);
        }
    }
    vector_dispose(&out);
    expr_executor_destroy(ex);
    return text;
}

/* A one-column batch of `type` from text cells ("NULL" is NULL). */
static inline void batch_from_text(batch *b, logical_type type, uint32_t n,
                                   const char *const *cells)
{
    arm_error err;
    CHECK_OK(batch_init(b, 1, &type, &err), &err);
    CHECK_OK(vector_prepare_flat(&b->columns[0], n, &err), &err);
    for (uint32_t i = 0; i < n; i++) {
        value in = value_varchar(cells[i], (uint32_t)strlen(cells[i])), out;
        if (strcmp(cells[i], "NULL") == 0)
            out = value_null(type);
        else
            CHECK_OK(cast_value(&out, &in, type, test_arena, -1, &err), &err);
        CHECK_OK(vector_set_value(&b->columns[0], i, &out, &err), &err);
    }
    b->count = n;
}

#endif
