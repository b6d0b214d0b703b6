/*
 * expr.c: bound expression trees: constructors, deep copy, structural
 * equality, constant detection and a readable rendering for EXPLAIN.
 */
#include "exec/expr.h"

#include <stdio.h>
#include <string.h>

#include "exec/plan.h"
#include "vector/cast.h"

static expr *expr_new(arena *a, expr_kind kind, logical_type type, int32_t position)
{
    expr *e = arena_zalloc(a, sizeof *e);
    if (e != NULL) {
        e->kind = kind;
        e->type = type;
        e->position = position;
    }
    return e;
}

expr *expr_constant(arena *a, const value *val, int32_t position)
{
    expr *e = expr_new(a, EXPR_CONSTANT, val->type, position);
    if (e == NULL)
        return NULL;
    e->u.constant = *val;
    if (!val->is_null && type_is_string(val->type.id)) {
        char *copy = arena_strndup(a, val->u.str.data, val->u.str.length);
        if (copy == NULL)
            return NULL;
        e->u.constant.u.str.data = copy;
    }
    return e;
}

expr *expr_column(arena *a, logical_type type, uint32_t index)
{
    expr *e = expr_new(a, EXPR_COLUMN, type, -1);
    if (e != NULL)
        e->u.column.index = index;
    return e;
}

expr *expr_cast(arena *a, expr *child, logical_type to, int32_t position)
{
    expr *e = expr_new(a, EXPR_CAST, to, position);
    if (e != NULL)
        e->u.cast.child = child;
    return e;
}

static expr **copy_list(arena *a, expr *const *list, uint32_t count)
{
    if (count == 0)
        return NULL;
    expr **out = arena_alloc(a, count * sizeof *out);
    if (out == NULL)
        return NULL;
    for (uint32_t i = 0; i < count; i++) {
        out[i] = list[i] ? expr_copy(a, list[i]) : NULL;
        if (list[i] && out[i] == NULL)
            return NULL;
    }
    return out;
}

expr *expr_copy(arena *a, const expr *e)
{
    if (e == NULL)
        return NULL;
    if (e->kind == EXPR_CONSTANT)
        return expr_constant(a, &e->u.constant, e->position);
    expr *c = arena_alloc(a, sizeof *c);
    if (c == NULL)
        return NULL;
    *c = *e;
    switch (e->kind) {
    case EXPR_CAST: c->u.cast.child = expr_copy(a, e->u.cast.child); break;
    case EXPR_FUNCTION:
        c->u.function.args = copy_list(a, e->u.function.args, e->u.function.arg_count);
        break;
    case EXPR_AND:
    case EXPR_OR:
    case EXPR_COALESCE:
    case EXPR_IS_DISTINCT:
    case EXPR_IS_NOT_DISTINCT:
        c->u.list.args = copy_list(a, e->u.list.args, e->u.list.count);
        break;
    case EXPR_NOT:
    case EXPR_IS_NULL:
    case EXPR_IS_NOT_NULL: c->u.unary.child = expr_copy(a, e->u.unary.child); break;
    case EXPR_CASE:
        c->u.case_.when = copy_list(a, e->u.case_.when, e->u.case_.count);
        c->u.case_.then = copy_list(a, e->u.case_.then, e->u.case_.count);
        c->u.case_.otherwise = expr_copy(a, e->u.case_.otherwise);
        break;
    case EXPR_IN_LIST:
        c->u.in_list.child = expr_copy(a, e->u.in_list.child);
        c->u.in_list.list = copy_list(a, e->u.in_list.list, e->u.in_list.count);
        break;
    case EXPR_SUBQUERY: c->u.subquery.child = expr_copy(a, e->u.subquery.child); break;
    default: break;
    }
    return c;
}

static bool list_equal(expr *const *a, expr *const *b, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++) {
        if ((a[i] == NULL) != (b[i] == NULL) || (a[i] && !expr_equal(a[i], b[i])))
            return false;
    }
    return true;
}

static bool constant_equal(const value *a, const value *b)
{
    if (!type_equal(a->type, b->type) || a->is_null != b->is_null)
        return false;
    if (a->is_null)
        return true;
    if (type_is_string(a->type.id))
        return a->u.str.length == b->u.str.length &&
               memcmp(a->u.str.data, b->u.str.data, a->u.str.length) == 0;
    char x[64], y[64];
    value_format(a, x, sizeof x);
    value_format(b, y, sizeof y);
    return strcmp(x, y) == 0;
}

bool expr_equal(const expr *a, const expr *b)
{
    if (a->kind != b->kind || !type_equal(a->type, b->type))
        return false;
    switch (a->kind) {
    case EXPR_CONSTANT: return constant_equal(&a->u.constant, &b->u.constant);
    case EXPR_COLUMN:
        return a->u.column.index == b->u.column.index &&
               a->u.column.table_index == b->u.column.table_index &&
               a->u.column.column == b->u.column.column && a->u.column.depth == b->u.column.depth;
    case EXPR_PARAMETER: return a->u.parameter.index == b->u.parameter.index;
    case EXPR_CAST: return expr_equal(a->u.cast.child, b->u.cast.child);
    case EXPR_FUNCTION:
        return a->u.function.fn == b->u.function.fn &&
               a->u.function.arg_count == b->u.function.arg_count &&
               list_equal(a->u.function.args, b->u.function.args, a->u.function.arg_count);
    case EXPR_AND:
    case EXPR_OR:
    case EXPR_COALESCE:
    case EXPR_IS_DISTINCT:
    case EXPR_IS_NOT_DISTINCT:
        return a->u.list.count == b->u.list.count &&
               list_equal(a->u.list.args, b->u.list.args, a->u.list.count);
    case EXPR_NOT:
    case EXPR_IS_NULL:
    case EXPR_IS_NOT_NULL: return expr_equal(a->u.unary.child, b->u.unary.child);
    case EXPR_CASE:
        return a->u.case_.count == b->u.case_.count &&
               list_equal(a->u.case_.when, b->u.case_.when, a->u.case_.count) &&
               list_equal(a->u.case_.then, b->u.case_.then, a->u.case_.count) &&
               ((a->u.case_.otherwise == NULL && b->u.case_.otherwise == NULL) ||
                (a->u.case_.otherwise && b->u.case_.otherwise &&
                 expr_equal(a->u.case_.otherwise, b->u.case_.otherwise)));
    case EXPR_IN_LIST:
        return a->u.in_list.count == b->u.in_list.count &&
               expr_equal(a->u.in_list.child, b->u.in_list.child) &&
               list_equal(a->u.in_list.list, b->u.in_list.list, a->u.in_list.count);
    case EXPR_SUBQUERY: return a->u.subquery.plan == b->u.subquery.plan;
    }
    return false;
}

static bool list_constant(expr *const *list, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++) {
        if (list[i] && !expr_is_constant(list[i]))
            return false;
    }
    return true;
}

bool expr_is_constant(const expr *e)
{
    switch (e->kind) {
    case EXPR_CONSTANT: return true;
    case EXPR_COLUMN:
    case EXPR_PARAMETER:
    case EXPR_SUBQUERY: return false;
    case EXPR_CAST: return expr_is_constant(e->u.cast.child);
    case EXPR_FUNCTION:
        return !(e->u.function.fn->flags & FUNCTION_VOLATILE) &&
               list_constant(e->u.function.args, e->u.function.arg_count);
    case EXPR_AND:
    case EXPR_OR:
    case EXPR_COALESCE:
    case EXPR_IS_DISTINCT:
    case EXPR_IS_NOT_DISTINCT: return list_constant(e->u.list.args, e->u.list.count);
    case EXPR_NOT:
    case EXPR_IS_NULL:
    case EXPR_IS_NOT_NULL: return expr_is_constant(e->u.unary.child);
    case EXPR_CASE:
        return list_constant(e->u.case_.when, e->u.case_.count) &&
               list_constant(e->u.case_.then, e->u.case_.count) &&
               (e->u.case_.otherwise == NULL || expr_is_constant(e->u.case_.otherwise));
    case EXPR_IN_LIST:
        return expr_is_constant(e->u.in_list.child) &&
               list_constant(e->u.in_list.list, e->u.in_list.count);
    }
    return false;
}

/* ---- rendering ---------------------------------------------------------- */

typedef struct render {
    char *buf;
    size_t capacity;
    size_t length;
    const char *const *names;
} render;

static void put(render *r, const char *text)
{
    size_t n = strlen(text);
    if (r->length < r->capacity) {
        size_t room = r->capacity - r->length;
        memcpy(r->buf + r->length, text, n < room ? n : room);
    }
    r->length += n;
}

static void render_expr(render *r, const expr *e);

static void render_list(render *r, expr *const *list, uint32_t count, const char *separator)
{
    for (uint32_t i = 0; i < count; i++) {
        if (i)
            put(r, separator);
        render_expr(r, list[i]);
    }
}

static bool is_operator(const char *name)
{
    return strchr("+-*/%=<>|~!", name[0]) != NULL;
}

static void render_expr(render *r, const expr *e)
{
    char tmp[96];
    switch (e->kind) {
    case EXPR_CONSTANT:
        if (!e->u.constant.is_null && type_is_string(e->type.id)) {
            put(r, "'");
            value_format(&e->u.constant, tmp, sizeof tmp);
            put(r, tmp);
            put(r, "'");
        } else {
            value_format(&e->u.constant, tmp, sizeof tmp);
            put(r, tmp);
        }
        break;
    case EXPR_COLUMN:
        if (r->names && r->names[e->u.column.index]) {
            put(r, r->names[e->u.column.index]);
        } else {
            snprintf(tmp, sizeof tmp, "#%u", e->u.column.index);
            put(r, tmp);
        }
        break;
    case EXPR_PARAMETER:
        snprintf(tmp, sizeof tmp, "$%u", e->u.parameter.index + 1);
        put(r, tmp);
        break;
    case EXPR_CAST:
        put(r, "CAST(");
        render_expr(r, e->u.cast.child);
        put(r, " AS ");
        put(r, type_format(e->type, tmp, sizeof tmp));
        put(r, ")");
        break;
    case EXPR_FUNCTION: {
        const char *name = e->u.function.fn->name;
        if (is_operator(name) && e->u.function.arg_count == 2) {
            put(r, "(");
            render_expr(r, e->u.function.args[0]);
            put(r, " ");
            put(r, strcmp(name, "~~") == 0 ? "LIKE" : strcmp(name, "~~*") == 0 ? "ILIKE" : name);
            put(r, " ");
            render_expr(r, e->u.function.args[1]);
            put(r, ")");
        } else {
            put(r, strcmp(name, "negate") == 0 ? "-" : name);
            put(r, "(");
            render_list(r, e->u.function.args, e->u.function.arg_count, ", ");
            put(r, ")");
        }
        break;
    }
    case EXPR_AND:
    case EXPR_OR:
        put(r, "(");
        render_list(r, e->u.list.args, e->u.list.count, e->kind == EXPR_AND ? " AND " : " OR ");
        put(r, ")");
        break;
    case EXPR_COALESCE:
        put(r, "COALESCE(");
        render_list(r, e->u.list.args, e->u.list.count, ", ");
        put(r, ")");
        break;
    case EXPR_IS_DISTINCT:
    case EXPR_IS_NOT_DISTINCT:
        put(r, "(");
        render_expr(r, e->u.list.args[0]);
        put(r, e->kind == EXPR_IS_DISTINCT ? " IS DISTINCT FROM " : " IS NOT DISTINCT FROM ");
        render_expr(r, e->u.list.args[1]);
        put(r, ")");
        break;
    case EXPR_NOT:
        put(r, "(NOT ");
        render_expr(r, e->u.unary.child);
        put(r, ")");
        break;
    case EXPR_IS_NULL:
    case EXPR_IS_NOT_NULL:
        put(r, "(");
        render_expr(r, e->u.unary.child);
        put(r, e->kind == EXPR_IS_NULL ? " IS NULL)" : " IS NOT NULL)");
        break;
    case EXPR_CASE:
        put(r, "CASE");
        for (uint32_t i = 0; i < e->u.case_.count; i++) {
            put(r, " WHEN ");
            render_expr(r, e->u.case_.when[i]);
            put(r, " THEN ");
            render_expr(r, e->u.case_.then[i]);
        }
        if (e->u.case_.otherwise) {
            put(r, " ELSE ");
            render_expr(r, e->u.case_.otherwise);
        }
        put(r, " END");
        break;
    case EXPR_IN_LIST:
        put(r, "(");
        render_expr(r, e->u.in_list.child);
        put(r, " IN (");
        render_list(r, e->u.in_list.list, e->u.in_list.count, ", ");
        put(r, "))");
        break;
    case EXPR_SUBQUERY:
        if (e->u.subquery.kind == SUBQUERY_IN) {
            put(r, "(");
            render_expr(r, e->u.subquery.child);
            put(r, " IN (SUBQUERY))");
        } else {
            put(r, e->u.subquery.kind == SUBQUERY_EXISTS ? "EXISTS(SUBQUERY)" : "(SUBQUERY)");
        }
        break;
    }
}

size_t expr_format(const expr *e, const char *const *column_names, char *buf, size_t capacity)
{
    render r = {buf, capacity, 0, column_names};
    render_expr(&r, e);
    if (capacity > 0)
        buf[r.length < capacity ? r.length : capacity - 1] = '\0';
    return r.length;
}
