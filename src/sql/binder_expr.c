/*
 * binder_expr.c: binding expressions: names to column bindings, literals
 * and parameters to types, operators and functions to overloads with the
 * implicit casts PostgreSQL would insert. Aggregates are collected into the
 * enclosing SELECT block's bind_aggregates and replaced by column refs.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "exec/aggregate.h"
#include "sql/binder_internal.h"
#include "sql/planner.h"
#include "sql/suggest.h"
#include "vector/cast.h"

expr *binder_new_expr(binder *b, expr_kind kind, logical_type type, int32_t position)
{
    expr *e = arena_zalloc(b->arena, sizeof *e);
    if (e == NULL)
        return NULL;
    e->kind = kind;
    e->type = type;
    e->position = position;
    return e;
}

expr *binder_column_ref(binder *b, uint32_t table_index, uint32_t column, logical_type type)
{
    expr *e = binder_new_expr(b, EXPR_COLUMN, type, -1);
    if (e != NULL) {
        e->u.column.table_index = table_index;
        e->u.column.column = column;
    }
    return e;
}

expr *binder_cast(binder *b, expr *child, logical_type to, int32_t position)
{
    expr *e = binder_new_expr(b, EXPR_CAST, to, position);
    if (e != NULL)
        e->u.cast.child = child;
    return e;
}

expr *binder_constant(binder *b, const value *val, int32_t position)
{
    expr *e = binder_new_expr(b, EXPR_CONSTANT, val->type, position);
    if (e != NULL)
        e->u.constant = *val;
    return e;
}

const char *binder_type_name(binder *b, logical_type type)
{
    char buf[64];
    type_format(type, buf, sizeof buf);
    for (char *p = buf; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    const char *copy = arena_strdup(b->arena, buf);
    return copy ? copy : "?";
}

bool binder_is_untyped(const binder *b, const expr *e)
{
    if (e->kind == EXPR_CONSTANT && e->type.id == TYPE_NULL)
        return true;
    (void)b;
    return (e->kind == EXPR_CONSTANT || e->kind == EXPR_PARAMETER) && e->is_untyped;
}

/* A flag on the node (not a list to search): bulk INSERTs bind thousands of literals. */
static arm_status mark_untyped(binder *b, expr *e, arm_error *err)
{
    (void)b, (void)err;
    e->is_untyped = true;
    return ARM_OK;
}

arm_status binder_coerce(expr **e, binder *b, logical_type to, int32_t position, arm_error *err)
{
    expr *x = *e;
    if (type_equal(x->type, to) && !binder_is_untyped(b, x))
        return ARM_OK;
    if (x->kind == EXPR_CONSTANT && binder_is_untyped(b, x)) {
        value v;
        if (x->u.constant.is_null)
            v = value_null(to);
        else if (cast_value(&v, &x->u.constant, to, b->arena,
                            x->position >= 0 ? x->position : position, err) != ARM_OK)
            return err->status;
        *e = binder_constant(b, &v, x->position);
        return *e ? ARM_OK : error_out_of_memory(err);
    }
    if (x->kind == EXPR_PARAMETER && binder_is_untyped(b, x)) {
        expr *typed = binder_new_expr(b, EXPR_PARAMETER, to, x->position);
        if (typed == NULL)
            return error_out_of_memory(err);
        typed->u.parameter.index = x->u.parameter.index;
        b->param_types[x->u.parameter.index] = to;
        b->param_is_typed[x->u.parameter.index] = true;
        *e = typed;
        return ARM_OK;
    }
    if (type_equal(x->type, to))
        return ARM_OK;
    *e = binder_cast(b, x, to, position);
    return *e ? ARM_OK : error_out_of_memory(err);
}

arm_status binder_assign(expr **e, binder *b, logical_type to, const char *column_name,
                         int32_t position, arm_error *err)
{
    expr *x = *e;
    if (!binder_is_untyped(b, x) && !type_equal(x->type, to) &&
        !type_can_implicit_cast(x->type, to) && !cast_exists(x->type, to)) {
        error_set(err, ARM_ERROR_TYPE, "42804", position,
                  "column \"%s\" is of type %s but expression is of type %s", column_name,
                  binder_type_name(b, to), binder_type_name(b, x->type));
        error_hint(err, "You will need to rewrite or cast the expression.");
        return err->status;
    }
    return binder_coerce(e, b, to, position, err);
}

const char *binder_ident(binder *b, const ast_ident *ident)
{
    if (ident->name == NULL || ident->quoted)
        return ident->name;
    const char *p = ident->name;
    while (*p && !isupper((unsigned char)*p))
        p++;
    if (*p == '\0')
        return ident->name;
    char *copy = arena_strdup(b->arena, ident->name);
    if (copy == NULL)
        return ident->name;
    for (char *q = copy; *q; q++)
        *q = (char)tolower((unsigned char)*q);
    return copy;
}

/* ---- structural equality and copies ------------------------------------ */

static bool list_equal(expr *const *x, expr *const *y, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (!binder_expr_equal(x[i], y[i]))
            return false;
    return true;
}

static bool value_identical(const value *x, const value *y)
{
    if (!type_equal(x->type, y->type) || x->is_null != y->is_null)
        return false;
    if (x->is_null)
        return true;
    switch (x->type.id) {
    case TYPE_BOOLEAN: return x->u.boolean == y->u.boolean;
    case TYPE_REAL: return x->u.f32 == y->u.f32;
    case TYPE_DOUBLE: return x->u.f64 == y->u.f64;
    case TYPE_VARCHAR:
    case TYPE_BLOB:
        return x->u.str.length == y->u.str.length &&
               memcmp(x->u.str.data, y->u.str.data, x->u.str.length) == 0;
    case TYPE_INTERVAL:
        return x->u.interval.months == y->u.interval.months &&
               x->u.interval.days == y->u.interval.days &&
               x->u.interval.micros == y->u.interval.micros;
    case TYPE_DECIMAL:
        if (x->type.precision > DECIMAL_INT64_MAX_PRECISION)
            return x->u.i128 == y->u.i128;
        return x->u.i64 == y->u.i64;
    default: return x->u.i64 == y->u.i64;
    }
}

bool binder_expr_equal(const expr *x, const expr *y)
{
    if (x == y)
        return true;
    if (x == NULL || y == NULL || x->kind != y->kind || !type_equal(x->type, y->type))
        return false;
    switch (x->kind) {
    case EXPR_CONSTANT: return value_identical(&x->u.constant, &y->u.constant);
    case EXPR_COLUMN:
        return x->u.column.table_index == y->u.column.table_index &&
               x->u.column.column == y->u.column.column && x->u.column.depth == y->u.column.depth;
    case EXPR_PARAMETER: return x->u.parameter.index == y->u.parameter.index;
    case EXPR_CAST: return binder_expr_equal(x->u.cast.child, y->u.cast.child);
    case EXPR_FUNCTION:
        return x->u.function.fn == y->u.function.fn &&
               x->u.function.arg_count == y->u.function.arg_count &&
               list_equal(x->u.function.args, y->u.function.args, x->u.function.arg_count);
    case EXPR_AND:
    case EXPR_OR:
    case EXPR_COALESCE:
    case EXPR_IS_DISTINCT:
    case EXPR_IS_NOT_DISTINCT:
        return x->u.list.count == y->u.list.count &&
               list_equal(x->u.list.args, y->u.list.args, x->u.list.count);
    case EXPR_NOT:
    case EXPR_IS_NULL:
    case EXPR_IS_NOT_NULL: return binder_expr_equal(x->u.unary.child, y->u.unary.child);
    case EXPR_CASE:
        return x->u.case_.count == y->u.case_.count &&
               list_equal(x->u.case_.when, y->u.case_.when, x->u.case_.count) &&
               list_equal(x->u.case_.then, y->u.case_.then, x->u.case_.count) &&
               (x->u.case_.otherwise == NULL) == (y->u.case_.otherwise == NULL) &&
               (x->u.case_.otherwise == NULL ||
                binder_expr_equal(x->u.case_.otherwise, y->u.case_.otherwise));
    case EXPR_IN_LIST:
        return x->u.in_list.count == y->u.in_list.count &&
               binder_expr_equal(x->u.in_list.child, y->u.in_list.child) &&
               list_equal(x->u.in_list.list, y->u.in_list.list, x->u.in_list.count);
    case EXPR_SUBQUERY: return false;
    }
    return false;
}

static expr **copy_list(binder *b, expr *const *items, uint32_t n)
{
    expr **out = arena_alloc(b->arena, (n + 1) * sizeof *out);
    if (out == NULL)
        return NULL;
    for (uint32_t i = 0; i < n; i++)
        if ((out[i] = binder_copy_expr(b, items[i])) == NULL)
            return NULL;
    return out;
}

expr *binder_copy_expr(binder *b, const expr *e)
{
    if (e == NULL)
        return NULL;
    expr *c = arena_alloc(b->arena, sizeof *c);
    if (c == NULL)
        return NULL;
    *c = *e;
    bool ok = true;
    switch (e->kind) {
    case EXPR_CAST: ok = (c->u.cast.child = binder_copy_expr(b, e->u.cast.child)) != NULL; break;
    case EXPR_FUNCTION:
        ok = (c->u.function.args = copy_list(b, e->u.function.args, e->u.function.arg_count));
        break;
    case EXPR_AND:
    case EXPR_OR:
    case EXPR_COALESCE:
    case EXPR_IS_DISTINCT:
    case EXPR_IS_NOT_DISTINCT:
        ok = (c->u.list.args = copy_list(b, e->u.list.args, e->u.list.count)) != NULL;
        break;
    case EXPR_NOT:
    case EXPR_IS_NULL:
    case EXPR_IS_NOT_NULL:
        ok = (c->u.unary.child = binder_copy_expr(b, e->u.unary.child)) != NULL;
        break;
    case EXPR_CASE:
        ok = (c->u.case_.when = copy_list(b, e->u.case_.when, e->u.case_.count)) &&
             (c->u.case_.then = copy_list(b, e->u.case_.then, e->u.case_.count)) &&
             (e->u.case_.otherwise == NULL ||
              (c->u.case_.otherwise = binder_copy_expr(b, e->u.case_.otherwise)));
        break;
    case EXPR_IN_LIST:
        ok = (c->u.in_list.child = binder_copy_expr(b, e->u.in_list.child)) &&
             (c->u.in_list.list = copy_list(b, e->u.in_list.list, e->u.in_list.count));
        break;
    case EXPR_SUBQUERY:
        ok = e->u.subquery.child == NULL ||
             (c->u.subquery.child = binder_copy_expr(b, e->u.subquery.child)) != NULL;
        break;
    default: break;
    }
    return ok ? c : NULL;
}

arm_status binder_split_conjuncts(binder *b, expr *e, expr_list *list, arm_error *err)
{
    if (e->kind == EXPR_AND) {
        for (uint32_t i = 0; i < e->u.list.count; i++)
            if (binder_split_conjuncts(b, e->u.list.args[i], list, err) != ARM_OK)
                return err->status;
        return ARM_OK;
    }
    return expr_list_append(list, b->arena, e, err);
}

/* ---- column references -------------------------------------------------- */

static int find_column(const bind_table *t, const char *name, bool skip_merged)
{
    for (uint32_t c = 0; c < t->column_count; c++) {
        if (skip_merged && t->merged != NULL && t->merged[c])
            continue;
        if (strcmp(t->column_names[c], name) == 0)
            return (int)c;
    }
    return -1;
}

typedef struct lookup_result {
    expr *found;
    bool ambiguous;
    bool table_found;
} lookup_result;

static arm_status lookup_qualified(binder *b, const bind_scope *scope, const char *qualifier,
                                   const char *name, lookup_result *r, arm_error *err)
{
    for (uint32_t i = 0; i < scope->table_count; i++) {
        const bind_table *t = &scope->tables[i];
        if (t->name == NULL || strcmp(t->name, qualifier) != 0)
            continue;
        r->table_found = true;
        int c = find_column(t, name, false);
        if (c < 0)
            continue;
        if (r->found != NULL) {
            r->ambiguous = true;
            return ARM_OK;
        }
        r->found = binder_column_ref(b, t->table_index, (uint32_t)c, t->column_types[c]);
        if (r->found == NULL)
            return error_out_of_memory(err);
    }
    return ARM_OK;
}

static arm_status lookup_unqualified(binder *b, const bind_scope *scope, const char *name,
                                     lookup_result *r, arm_error *err)
{
    for (uint32_t i = 0; i < scope->using_count; i++) {
        const bind_using *u = &scope->usings[i];
        if (!u->is_hidden && strcmp(u->name, name) == 0) {
            if (r->found != NULL) {
                r->ambiguous = true;
                return ARM_OK;
            }
            if ((r->found = binder_copy_expr(b, u->value)) == NULL)
                return error_out_of_memory(err);
        }
    }
    for (uint32_t i = 0; i < scope->table_count; i++) {
        const bind_table *t = &scope->tables[i];
        int c = find_column(t, name, true);
        if (c < 0)
            continue;
        if (r->found != NULL) {
            r->ambiguous = true;
            return ARM_OK;
        }
        r->found = binder_column_ref(b, t->table_index, (uint32_t)c, t->column_types[c]);
        if (r->found == NULL)
            return error_out_of_memory(err);
    }
    return ARM_OK;
}

static arm_status column_not_found(binder *b, const ast_expr *ast, const char *qualifier,
                                   const char *name, arm_error *err)
{
    suggester s;
    suggester_init(&s, name);
    for (const bind_scope *scope = b->scope; scope != NULL; scope = scope->parent) {
        for (uint32_t i = 0; i < scope->table_count; i++) {
            const bind_table *t = &scope->tables[i];
            if (qualifier != NULL && (t->name == NULL || strcmp(t->name, qualifier) != 0))
                continue;
            for (uint32_t c = 0; c < t->column_count; c++)
                suggester_consider(&s, t->column_names[c]);
        }
    }
    if (qualifier != NULL)
        error_set(err, ARM_ERROR_NOT_FOUND, "42703", ast->position, "column %s.%s does not exist",
                  qualifier, name);
    else
        error_set(err, ARM_ERROR_NOT_FOUND, "42703", ast->position, "column \"%s\" does not exist",
                  name);
    if (s.best != NULL)
        error_hint(err, "Perhaps you meant \"%s\".", s.best);
    return err->status;
}

static arm_status bind_special_name(expr **out, binder *b, const char *name, int32_t position,
                                    bool *handled, arm_error *err);

/* `t.x` where no FROM item is called t; if an alias hides table t, say so. */
static arm_status missing_from_entry(binder *b, const char *qualifier, int32_t position,
                                     arm_error *err)
{
    for (const bind_scope *scope = b->scope; scope != NULL; scope = scope->parent) {
        for (uint32_t i = 0; i < scope->table_count; i++) {
            const bind_table *t = &scope->tables[i];
            if (t->relation_name == NULL || strcmp(t->relation_name, qualifier) != 0)
                continue;
            error_set(err, ARM_ERROR_NOT_FOUND, "42P01", position,
                      "invalid reference to FROM-clause entry for table \"%s\"", qualifier);
            error_hint(err, "Perhaps you meant to reference the table alias \"%s\".", t->name);
            return err->status;
        }
    }
    return error_set(err, ARM_ERROR_NOT_FOUND, "42P01", position,
                     "missing FROM-clause entry for table \"%s\"", qualifier);
}

static arm_status bind_column(expr **out, binder *b, const ast_expr *ast, arm_error *err)
{
    const ast_name *n = &ast->u.column;
    const char *name = binder_ident(b, &n->parts[n->count - 1]);
    const char *qualifier = n->count >= 2 ? binder_ident(b, &n->parts[n->count - 2]) : NULL;
    bool any_table = false;
    uint32_t depth = 0;
    for (const bind_scope *scope = b->scope; scope != NULL; scope = scope->parent, depth++) {
        lookup_result r = {NULL, false, false};
        arm_status status = qualifier ? lookup_qualified(b, scope, qualifier, name, &r, err)
                                      : lookup_unqualified(b, scope, name, &r, err);
        if (status != ARM_OK)
            return status;
        any_table |= r.table_found;
        if (r.ambiguous)
            return error_set(err, ARM_ERROR_NOT_FOUND, "42702", ast->position,
                             "column reference \"%s\" is ambiguous", name);
        if (r.found == NULL)
            continue;
        if (depth > 0)
            return error_set(err, ARM_ERROR_NOT_SUPPORTED, "0A000", ast->position,
                             "correlated subqueries are not supported yet");
        r.found->position = ast->position;
        *out = r.found;
        return ARM_OK;
    }
    if (qualifier == NULL) {
        bool handled = false;
        if (bind_special_name(out, b, name, ast->position, &handled, err) != ARM_OK)
            return err->status;
        if (handled)
            return ARM_OK;
    }
    if (qualifier != NULL && !any_table)
        return missing_from_entry(b, qualifier, n->parts[n->count - 2].position, err);
    return column_not_found(b, ast, qualifier, name, err);
}

/* current_date, current_timestamp, now(): constants of the statement time. */
static arm_status bind_special_name(expr **out, binder *b, const char *name, int32_t position,
                                    bool *handled, arm_error *err)
{
    value v;
    *handled = false;
    if (strcmp(name, "current_timestamp") == 0 || strcmp(name, "now") == 0 ||
        strcmp(name, "localtimestamp") == 0) {
        v = value_bigint(b->statement_time_micros);
        v.type = type_make(TYPE_TIMESTAMP);
    } else if (strcmp(name, "current_date") == 0) {
        int64_t micros = b->statement_time_micros;
        int64_t days = micros / 86400000000LL - (micros % 86400000000LL < 0 ? 1 : 0);
        v = value_bigint(days);
        v.type = type_make(TYPE_DATE);
    } else {
        return ARM_OK;
    }
    *handled = true;
    b->is_volatile_plan = true;
    *out = binder_constant(b, &v, position);
    return *out ? ARM_OK : error_out_of_memory(err);
}

/* ---- literals and parameters -------------------------------------------- */

static arm_status bind_literal(expr **out, binder *b, const ast_expr *ast, arm_error *err)
{
    value v = ast->u.literal.val;
    if (v.type.id == TYPE_BIGINT && !v.is_null && v.u.i64 >= INT32_MIN && v.u.i64 <= INT32_MAX)
        v.type = type_make(TYPE_INTEGER);
    if (v.is_null)
        v = value_null(type_make(TYPE_NULL));
    *out = binder_constant(b, &v, ast->position);
    if (*out == NULL)
        return error_out_of_memory(err);
    if (ast->u.literal.is_string)
        return mark_untyped(b, *out, err);
    return ARM_OK;
}

static arm_status bind_parameter(expr **out, binder *b, const ast_expr *ast, arm_error *err)
{
    uint32_t index = ast->u.parameter.index - 1;
    if (ast->u.parameter.index == 0 || index >= b->param_count)
        return error_set(err, ARM_ERROR_SYNTAX, "42P02", ast->position, "there is no parameter $%u",
                         ast->u.parameter.index);
    *out = binder_new_expr(b, EXPR_PARAMETER, b->param_types[index], ast->position);
    if (*out == NULL)
        return error_out_of_memory(err);
    (*out)->u.parameter.index = index;
    return b->param_is_typed[index] ? ARM_OK : mark_untyped(b, *out, err);
}

/* ---- operators and functions -------------------------------------------- */

static arm_status make_call(expr **out, binder *b, const char *name, expr **args, uint32_t n,
                            int32_t position, arm_error *err)
{
    logical_type types[8];
    logical_type cast_to[8];
    bool untyped[8];
    if (n > 8)
        return error_set(err, ARM_ERROR_NOT_SUPPORTED, "54023", position,
                         "function %s has too many arguments", name);
    for (uint32_t i = 0; i < n; i++) {
        types[i] = args[i]->type;
        untyped[i] = binder_is_untyped(b, args[i]);
    }
    const scalar_function *fn = NULL;
    if (function_resolve(&fn, cast_to, name, types, untyped, n, position, err) != ARM_OK)
        return err->status; /* "function f(integer) does not exist" / "operator does not exist" */
    expr **call_args = arena_alloc(b->arena, (n + 1) * sizeof *call_args);
    expr *call = binder_new_expr(b, EXPR_FUNCTION, fn->return_type, position);
    if (call_args == NULL || call == NULL)
        return error_out_of_memory(err);
    for (uint32_t i = 0; i < n; i++) {
        call_args[i] = args[i];
        if (cast_to[i].id != TYPE_INVALID &&
            binder_coerce(&call_args[i], b, cast_to[i], args[i]->position, err) != ARM_OK)
            return err->status;
    }
    call->u.function.fn = fn;
    call->u.function.args = call_args;
    call->u.function.arg_count = n;
    if (fn->bind != NULL && fn->bind(fn, call, b->arena, err) != ARM_OK)
        return err->status;
    *out = call;
    return ARM_OK;
}

/* Gives two operands one type: untyped ones adopt the other's, else type_common. */
static arm_status unify_pair(binder *b, expr **l, expr **r, const char *op, int32_t position,
                             arm_error *err)
{
    bool lu = binder_is_untyped(b, *l), ru = binder_is_untyped(b, *r);
    logical_type t;
    if (lu && ru)
        t = type_make(TYPE_VARCHAR);
    else if (lu)
        t = (*r)->type;
    else if (ru)
        t = (*l)->type;
    else if (type_equal((*l)->type, (*r)->type))
        return ARM_OK;
    else if (!type_common((*l)->type, (*r)->type, &t)) {
        error_set(err, ARM_ERROR_TYPE, "42883", position, "operator does not exist: %s %s %s",
                  binder_type_name(b, (*l)->type), op, binder_type_name(b, (*r)->type));
        error_hint(err, "No operator matches the given name and argument types. You might need "
                        "to add explicit type casts.");
        return err->status;
    }
    if (binder_coerce(l, b, t, position, err) != ARM_OK ||
        binder_coerce(r, b, t, position, err) != ARM_OK)
        return err->status;
    return ARM_OK;
}

static bool is_comparison(const char *op)
{
    return strcmp(op, "=") == 0 || strcmp(op, "<>") == 0 || strcmp(op, "<") == 0 ||
           strcmp(op, "<=") == 0 || strcmp(op, ">") == 0 || strcmp(op, ">=") == 0;
}

static arm_status bind_operator(expr **out, binder *b, const char *op, expr *l, expr *r,
                                int32_t position, arm_error *err)
{
    /* comparisons compare in a common type; arithmetic overloads pick their own (1.50 * 2 is
     * numeric(3,2) * numeric(10,0), scale 2, as PostgreSQL) */
    if (is_comparison(op) && unify_pair(b, &l, &r, op, position, err) != ARM_OK)
        return err->status;
    expr *args[2] = {l, r};
    return make_call(out, b, op, args, 2, position, err);
}

static arm_status require_boolean(expr **e, binder *b, const char *what, arm_error *err)
{
    logical_type boolean = type_make(TYPE_BOOLEAN);
    if (binder_is_untyped(b, *e))
        return binder_coerce(e, b, boolean, (*e)->position, err);
    if ((*e)->type.id != TYPE_BOOLEAN)
        return error_set(err, ARM_ERROR_TYPE, "42804", (*e)->position,
                         "argument of %s must be type boolean, not type %s", what,
                         binder_type_name(b, (*e)->type));
    return ARM_OK;
}

static arm_status make_list(expr **out, binder *b, expr_kind kind, logical_type type, expr **items,
                            uint32_t n, int32_t position, arm_error *err)
{
    expr *e = binder_new_expr(b, kind, type, position);
    expr **args = arena_alloc(b->arena, (n + 1) * sizeof *args);
    if (e == NULL || args == NULL)
        return error_out_of_memory(err);
    memcpy(args, items, n * sizeof *args);
    e->u.list.args = args;
    e->u.list.count = n;
    *out = e;
    return ARM_OK;
}

static arm_status make_unary(expr **out, binder *b, expr_kind kind, logical_type type, expr *child,
                             int32_t position, arm_error *err)
{
    expr *e = binder_new_expr(b, kind, type, position);
    if (e == NULL)
        return error_out_of_memory(err);
    e->u.unary.child = child;
    *out = e;
    return ARM_OK;
}

static arm_status bind_logical(expr **out, binder *b, const ast_expr *ast, arm_error *err)
{
    bool is_and = strcmp(ast->u.binary.op, "AND") == 0;
    expr *l, *r;
    if (binder_bind_expr(&l, b, ast->u.binary.left, err) != ARM_OK ||
        require_boolean(&l, b, ast->u.binary.op, err) != ARM_OK ||
        binder_bind_expr(&r, b, ast->u.binary.right, err) != ARM_OK ||
        require_boolean(&r, b, ast->u.binary.op, err) != ARM_OK)
        return err->status;
    expr_kind kind = is_and ? EXPR_AND : EXPR_OR;
    expr *items[2] = {l, r};
    /* flatten a chain of the same operator into one n-ary node */
    if (l->kind == kind) {
        expr **args = arena_alloc(b->arena, (l->u.list.count + 2) * sizeof *args);
        if (args == NULL)
            return error_out_of_memory(err);
        memcpy(args, l->u.list.args, l->u.list.count * sizeof *args);
        args[l->u.list.count] = r;
        l->u.list.args = args;
        l->u.list.count++;
        *out = l;
        return ARM_OK;
    }
    return make_list(out, b, kind, type_make(TYPE_BOOLEAN), items, 2, ast->position, err);
}

/* `text || anything` (PostgreSQL): the non-string side is converted to text. */
static arm_status concat_operands(binder *b, expr **l, expr **r, arm_error *err)
{
    logical_type varchar = type_make(TYPE_VARCHAR);
    if ((binder_is_untyped(b, *l) && binder_coerce(l, b, varchar, (*l)->position, err)) ||
        (binder_is_untyped(b, *r) && binder_coerce(r, b, varchar, (*r)->position, err)))
        return err->status;
    bool ls = (*l)->type.id == TYPE_VARCHAR, rs = (*r)->type.id == TYPE_VARCHAR;
    if (ls && !rs && !type_is_string((*r)->type.id))
        *r = binder_cast(b, *r, varchar, (*r)->position);
    else if (rs && !ls && !type_is_string((*l)->type.id))
        *l = binder_cast(b, *l, varchar, (*l)->position);
    return *l != NULL && *r != NULL ? ARM_OK : error_out_of_memory(err);
}

static arm_status bind_binary(expr **out, binder *b, const ast_expr *ast, arm_error *err)
{
    const char *op = ast->u.binary.op;
    if (strcmp(op, "AND") == 0 || strcmp(op, "OR") == 0)
        return bind_logical(out, b, ast, err);
    expr *l, *r;
    if (binder_bind_expr(&l, b, ast->u.binary.left, err) != ARM_OK ||
        binder_bind_expr(&r, b, ast->u.binary.right, err) != ARM_OK)
        return err->status;
    if (strcmp(op, "||") == 0 && concat_operands(b, &l, &r, err) != ARM_OK)
        return err->status;
    return bind_operator(out, b, op, l, r, ast->position, err);
}

static arm_status negate_literal(expr **out, binder *b, const ast_expr *ast, bool *done,
                                 arm_error *err)
{
    const ast_expr *operand = ast->u.unary.operand;
    *done = false;
    if (operand->kind != AST_LITERAL || operand->u.literal.is_string ||
        operand->u.literal.val.is_null)
        return ARM_OK;
    value v = operand->u.literal.val;
    switch (v.type.id) {
    case TYPE_BIGINT:
        if (v.u.i64 == INT64_MIN)
            return ARM_OK;
        v.u.i64 = -v.u.i64;
        if (v.u.i64 >= INT32_MIN && v.u.i64 <= INT32_MAX)
            v.type = type_make(TYPE_INTEGER);
        break;
    case TYPE_DOUBLE: v.u.f64 = -v.u.f64; break;
    case TYPE_DECIMAL:
        if (v.type.precision > DECIMAL_INT64_MAX_PRECISION)
            v.u.i128 = -v.u.i128;
        else
            v.u.i64 = -v.u.i64;
        break;
    default: return ARM_OK;
    }
    *done = true;
    *out = binder_constant(b, &v, ast->position);
    return *out ? ARM_OK : error_out_of_memory(err);
}

static arm_status bind_unary(expr **out, binder *b, const ast_expr *ast, arm_error *err)
{
    const char *op = ast->u.unary.op;
    expr *child;
    if (strcmp(op, "-") == 0) {
        bool done;
        if (negate_literal(out, b, ast, &done, err) != ARM_OK)
            return err->status;
        if (done)
            return ARM_OK;
    }
    if (binder_bind_expr(&child, b, ast->u.unary.operand, err) != ARM_OK)
        return err->status;
    if (strcmp(op, "NOT") == 0) {
        if (require_boolean(&child, b, "NOT", err) != ARM_OK)
            return err->status;
        return make_unary(out, b, EXPR_NOT, type_make(TYPE_BOOLEAN), child, ast->position, err);
    }
    if (strcmp(op, "+") == 0) {
        *out = child;
        return ARM_OK;
    }
    if (binder_is_untyped(b, child) &&
        binder_coerce(&child, b, type_make(TYPE_DOUBLE), child->position, err) != ARM_OK)
        return err->status;
    if (function_exists("negate"))
        return make_call(out, b, "negate", &child, 1, ast->position, err);
    /* unary minus without a negate function: 0 - x in the operand's type */
    value zero = value_integer(0);
    expr *z = binder_constant(b, &zero, ast->position);
    if (z == NULL)
        return error_out_of_memory(err);
    if (type_is_numeric(child->type.id) &&
        binder_coerce(&z, b, child->type, ast->position, err) != ARM_OK)
        return err->status;
    if (child->type.id == TYPE_INTERVAL) {
        value zero_interval = value_null(type_make(TYPE_INTERVAL));
        zero_interval.is_null = false;
        memset(&zero_interval.u.interval, 0, sizeof zero_interval.u.interval);
        z = binder_constant(b, &zero_interval, ast->position);
        if (z == NULL)
            return error_out_of_memory(err);
    }
    expr *args[2] = {z, child};
    return make_call(out, b, "-", args, 2, ast->position, err);
}

/* Unifies the types of `n` expressions (CASE, COALESCE, IN, VALUES, UNION). */
arm_status binder_unify(binder *b, expr **items, uint32_t n, const char *context, logical_type *out,
                        arm_error *err)
{
    bool have = false;
    logical_type t = type_make(TYPE_VARCHAR);
    for (uint32_t i = 0; i < n; i++) {
        if (binder_is_untyped(b, items[i]))
            continue;
        if (!have) {
            t = items[i]->type;
            have = true;
        } else if (!type_equal(t, items[i]->type)) {
            logical_type common;
            if (!type_common(t, items[i]->type, &common))
                return error_set(err, ARM_ERROR_TYPE, "42804", items[i]->position,
                                 "%s types %s and %s cannot be matched", context,
                                 binder_type_name(b, t), binder_type_name(b, items[i]->type));
            t = common;
        }
    }
    for (uint32_t i = 0; i < n; i++)
        if (binder_coerce(&items[i], b, t, items[i]->position, err) != ARM_OK)
            return err->status;
    *out = t;
    return ARM_OK;
}

static arm_status make_case(expr **out, binder *b, expr **when, expr **then, uint32_t n,
                            expr *otherwise, int32_t position, arm_error *err)
{
    expr **results = arena_alloc(b->arena, (n + 1) * sizeof *results);
    if (results == NULL)
        return error_out_of_memory(err);
    memcpy(results, then, n * sizeof *results);
    uint32_t count = n;
    if (otherwise != NULL)
        results[count++] = otherwise;
    logical_type t;
    if (binder_unify(b, results, count, "CASE", &t, err) != ARM_OK)
        return err->status;
    expr *e = binder_new_expr(b, EXPR_CASE, t, position);
    if (e == NULL)
        return error_out_of_memory(err);
    e->u.case_.when = when;
    e->u.case_.then = results;
    e->u.case_.count = n;
    e->u.case_.otherwise = otherwise != NULL ? results[n] : NULL;
    *out = e;
    return ARM_OK;
}

static arm_status bind_case(expr **out, binder *b, const ast_expr *ast, arm_error *err)
{
    uint32_t n = ast->u.case_.count;
    expr **when = arena_alloc(b->arena, (n + 1) * sizeof *when);
    expr **then = arena_alloc(b->arena, (n + 1) * sizeof *then);
    expr *operand = NULL, *otherwise = NULL;
    if (when == NULL || then == NULL)
        return error_out_of_memory(err);
    if (ast->u.case_.operand != NULL &&
        binder_bind_expr(&operand, b, ast->u.case_.operand, err) != ARM_OK)
        return err->status;
    for (uint32_t i = 0; i < n; i++) {
        if (binder_bind_expr(&when[i], b, ast->u.case_.when[i], err) != ARM_OK)
            return err->status;
        if (operand != NULL) {
            expr *left = i == 0 ? operand : binder_copy_expr(b, operand);
            if (left == NULL)
                return error_out_of_memory(err);
            if (bind_operator(&when[i], b, "=", left, when[i], ast->u.case_.when[i]->position,
                              err) != ARM_OK)
                return err->status;
        } else if (require_boolean(&when[i], b, "CASE/WHEN", err) != ARM_OK) {
            return err->status;
        }
        if (binder_bind_expr(&then[i], b, ast->u.case_.then[i], err) != ARM_OK)
            return err->status;
    }
    if (ast->u.case_.otherwise != NULL &&
        binder_bind_expr(&otherwise, b, ast->u.case_.otherwise, err) != ARM_OK)
        return err->status;
    return make_case(out, b, when, then, n, otherwise, ast->position, err);
}

static arm_status bind_args(expr ***out, binder *b, ast_expr *const *args, uint32_t n,
                            arm_error *err)
{
    expr **bound = arena_alloc(b->arena, (n + 1) * sizeof *bound);
    if (bound == NULL)
        return error_out_of_memory(err);
    for (uint32_t i = 0; i < n; i++)
        if (binder_bind_expr(&bound[i], b, args[i], err) != ARM_OK)
            return err->status;
    *out = bound;
    return ARM_OK;
}

static arm_status bind_aggregate(expr **out, binder *b, const ast_expr *ast, const char *name,
                                 arm_error *err);

static arm_status bind_nullif(expr **out, binder *b, expr **args, int32_t position, arm_error *err)
{
    expr *left = binder_copy_expr(b, args[0]);
    expr *cond;
    if (left == NULL)
        return error_out_of_memory(err);
    if (bind_operator(&cond, b, "=", left, args[1], position, err) != ARM_OK)
        return err->status;
    expr **when = arena_alloc(b->arena, sizeof *when);
    expr **then = arena_alloc(b->arena, sizeof *then);
    value null = value_null(type_make(TYPE_NULL));
    if (when == NULL || then == NULL || (then[0] = binder_constant(b, &null, position)) == NULL)
        return error_out_of_memory(err);
    when[0] = cond;
    return make_case(out, b, when, then, 1, args[0], position, err);
}

static arm_status bind_function(expr **out, binder *b, const ast_expr *ast, arm_error *err)
{
    const ast_name *n = &ast->u.function.name;
    const char *name = binder_ident(b, &n->parts[n->count - 1]);
    uint32_t count = ast->u.function.arg_count;
    if (aggregate_exists(name))
        return bind_aggregate(out, b, ast, name, err);
    if (ast->u.function.is_distinct || ast->u.function.filter != NULL || ast->u.function.is_star)
        return error_set(err, ARM_ERROR_SYNTAX, "42809", ast->position,
                         "%s is not an aggregate function", name);
    if (count == 0) {
        bool handled = false;
        if (bind_special_name(out, b, name, ast->position, &handled, err) != ARM_OK)
            return err->status;
        if (handled)
            return ARM_OK;
    }
    expr **args;
    if (bind_args(&args, b, ast->u.function.args, count, err) != ARM_OK)
        return err->status;
    if (strcmp(name, "coalesce") == 0 && count > 0) {
        logical_type t;
        if (binder_unify(b, args, count, "COALESCE", &t, err) != ARM_OK)
            return err->status;
        return make_list(out, b, EXPR_COALESCE, t, args, count, ast->position, err);
    }
    if (strcmp(name, "nullif") == 0 && count == 2)
        return bind_nullif(out, b, args, ast->position, err);
    return make_call(out, b, name, args, count, ast->position, err);
}

static arm_status add_aggregate(expr **out, binder *b, bind_aggregates *aggs,
                                const plan_aggregate *item, logical_type type, const char *name,
                                int32_t position, arm_error *err)
{
    for (uint32_t i = 0; i < aggs->count; i++) {
        const plan_aggregate *other = &aggs->items[i];
        if (other->fn == item->fn && other->is_distinct == item->is_distinct &&
            other->arg_count == item->arg_count &&
            list_equal(other->args, item->args, item->arg_count) &&
            binder_expr_equal(other->filter, item->filter)) {
            *out = binder_column_ref(b, aggs->aggregate_index, i, aggs->types[i]);
            return *out ? ARM_OK : error_out_of_memory(err);
        }
    }
    if (aggs->count == aggs->capacity) {
        uint32_t capacity = aggs->capacity ? aggs->capacity * 2 : 4;
        plan_aggregate *items = arena_realloc(b->arena, aggs->items, aggs->capacity * sizeof *items,
                                              capacity * sizeof *items);
        logical_type *types = arena_realloc(b->arena, aggs->types, aggs->capacity * sizeof *types,
                                            capacity * sizeof *types);
        const char **names = arena_realloc(b->arena, aggs->names, aggs->capacity * sizeof *names,
                                           capacity * sizeof *names);
        if (items == NULL || types == NULL || names == NULL)
            return error_out_of_memory(err);
        aggs->items = items;
        aggs->types = types;
        aggs->names = names;
        aggs->capacity = capacity;
    }
    aggs->items[aggs->count] = *item;
    aggs->types[aggs->count] = type;
    aggs->names[aggs->count] = name;
    *out = binder_column_ref(b, aggs->aggregate_index, aggs->count, type);
    aggs->count++;
    if (*out == NULL)
        return error_out_of_memory(err);
    (*out)->position = position;
    return ARM_OK;
}

/* ORDER BY inside an aggregate: recorded for the block (its input gets sorted). */
static arm_status bind_aggregate_order(binder *b, bind_aggregates *aggs, const ast_expr *ast,
                                       arm_error *err)
{
    uint32_t n = ast->u.function.order_by_count;
    plan_sort_key *keys = arena_zalloc(b->arena, n * sizeof *keys);
    if (keys == NULL)
        return error_out_of_memory(err);
    for (uint32_t i = 0; i < n; i++) {
        const ast_order_item *item = &ast->u.function.order_by[i];
        if (binder_bind_expr(&keys[i].key, b, item->expr, err) != ARM_OK)
            return err->status;
        keys[i].descending = item->descending;
        keys[i].nulls_first = item->nulls_first < 0 ? item->descending : item->nulls_first == 1;
    }
    if (aggs->order_keys == NULL) {
        aggs->order_keys = keys;
        aggs->order_key_count = n;
        return ARM_OK;
    }
    bool same = aggs->order_key_count == n;
    for (uint32_t i = 0; same && i < n; i++)
        same = binder_expr_equal(keys[i].key, aggs->order_keys[i].key) &&
               keys[i].descending == aggs->order_keys[i].descending &&
               keys[i].nulls_first == aggs->order_keys[i].nulls_first;
    if (!same)
        return error_set(err, ARM_ERROR_NOT_SUPPORTED, "0A000", ast->position,
                         "aggregates with different ORDER BY in one query are not supported yet");
    return ARM_OK;
}

static arm_status bind_aggregate(expr **out, binder *b, const ast_expr *ast, const char *name,
                                 arm_error *err)
{
    bind_scope *scope = b->scope;
    bind_aggregates *aggs = scope->aggregates;
    if (aggs == NULL)
        return error_set(err, ARM_ERROR_SYNTAX, "42803", ast->position, "%s",
                         scope->aggregate_error ? scope->aggregate_error
                                                : "aggregate functions are not allowed here");
    uint32_t count = ast->u.function.arg_count;
    const char *saved_error = scope->aggregate_error;
    scope->aggregates = NULL;
    scope->aggregate_error = "aggregate function calls cannot be nested";
    plan_aggregate item = {0};
    expr **args = NULL;
    arm_status status = bind_args(&args, b, ast->u.function.args, count, err);
    if (status == ARM_OK && ast->u.function.filter != NULL)
        status = binder_bind_condition(&item.filter, b, ast->u.function.filter, "FILTER", err);
    if (status == ARM_OK && ast->u.function.order_by_count > 0)
        status = bind_aggregate_order(b, aggs, ast, err);
    scope->aggregates = aggs;
    scope->aggregate_error = saved_error;
    if (status != ARM_OK)
        return status;
    logical_type types[8], cast_to[8];
    if (count > 8)
        return error_set(err, ARM_ERROR_NOT_SUPPORTED, "54023", ast->position,
                         "too many arguments for %s", name);
    for (uint32_t i = 0; i < count; i++) {
        if (binder_is_untyped(b, args[i]) &&
            binder_coerce(&args[i], b, type_make(TYPE_VARCHAR), args[i]->position, err))
            return err->status;
        types[i] = args[i]->type;
        cast_to[i] = types[i];
    }
    if (aggregate_resolve(&item.fn, cast_to, name, types, count, ast->u.function.is_star,
                          ast->position, err) != ARM_OK)
        return err->status;
    for (uint32_t i = 0; i < count; i++)
        if (cast_to[i].id != TYPE_INVALID &&
            binder_coerce(&args[i], b, cast_to[i], args[i]->position, err) != ARM_OK)
            return err->status;
    item.args = args;
    item.arg_count = count;
    item.is_distinct = ast->u.function.is_distinct;
    logical_type type = item.fn->return_type;
    if (type.id == TYPE_INVALID || type.id == TYPE_NULL ||
        (type.id == TYPE_DECIMAL && type.precision == 0 && count > 0))
        type = count > 0 ? args[0]->type : type_make(TYPE_BIGINT);
    return add_aggregate(out, b, aggs, &item, type, name, ast->position, err);
}

/* ---- the remaining expression kinds ------------------------------------- */

static arm_status bind_cast(expr **out, binder *b, const ast_expr *ast, arm_error *err)
{
    expr *child;
    logical_type to = ast->u.cast.type.type;
    if (ast->u.cast.is_try)
        return error_set(err, ARM_ERROR_NOT_SUPPORTED, "0A000", ast->position,
                         "TRY_CAST is not supported yet");
    if (binder_bind_expr(&child, b, ast->u.cast.operand, err) != ARM_OK)
        return err->status;
    if (binder_is_untyped(b, child))
        return (*out = child, binder_coerce(out, b, to, ast->position, err));
    if (type_equal(child->type, to)) {
        *out = child;
        return ARM_OK;
    }
    if (!cast_exists(child->type, to))
        return error_set(err, ARM_ERROR_TYPE, "42846", ast->position, "cannot cast type %s to %s",
                         binder_type_name(b, child->type), binder_type_name(b, to));
    *out = binder_cast(b, child, to, ast->position);
    return *out ? ARM_OK : error_out_of_memory(err);
}

static arm_status bind_between(expr **out, binder *b, const ast_expr *ast, arm_error *err)
{
    expr *x, *low, *high, *ge, *le;
    if (binder_bind_expr(&x, b, ast->u.between.operand, err) != ARM_OK ||
        binder_bind_expr(&low, b, ast->u.between.low, err) != ARM_OK ||
        binder_bind_expr(&high, b, ast->u.between.high, err) != ARM_OK)
        return err->status;
    expr *x2 = binder_copy_expr(b, x);
    if (x2 == NULL)
        return error_out_of_memory(err);
    if (bind_operator(&ge, b, ">=", x, low, ast->position, err) != ARM_OK ||
        bind_operator(&le, b, "<=", x2, high, ast->position, err) != ARM_OK)
        return err->status;
    expr *items[2] = {ge, le};
    if (make_list(out, b, EXPR_AND, type_make(TYPE_BOOLEAN), items, 2, ast->position, err))
        return err->status;
    if (ast->u.between.symmetric) { /* ... OR (x >= high AND x <= low) */
        expr *swapped[2], *x3 = binder_copy_expr(b, x2), *x4 = binder_copy_expr(b, x2);
        expr *low2 = binder_copy_expr(b, low), *high2 = binder_copy_expr(b, high);
        if (x3 == NULL || x4 == NULL || low2 == NULL || high2 == NULL)
            return error_out_of_memory(err);
        expr *either[2] = {*out, NULL};
        if (bind_operator(&swapped[0], b, ">=", x3, high2, ast->position, err) != ARM_OK ||
            bind_operator(&swapped[1], b, "<=", x4, low2, ast->position, err) != ARM_OK ||
            make_list(&either[1], b, EXPR_AND, type_make(TYPE_BOOLEAN), swapped, 2, ast->position,
                      err) != ARM_OK ||
            make_list(out, b, EXPR_OR, type_make(TYPE_BOOLEAN), either, 2, ast->position, err))
            return err->status;
    }
    if (ast->u.between.negated)
        return make_unary(out, b, EXPR_NOT, type_make(TYPE_BOOLEAN), *out, ast->position, err);
    return ARM_OK;
}

static arm_status bind_in_list(expr **out, binder *b, const ast_expr *ast, arm_error *err)
{
    uint32_t n = ast->u.in_list.count;
    expr **items = arena_alloc(b->arena, (n + 2) * sizeof *items);
    if (items == NULL)
        return error_out_of_memory(err);
    if (binder_bind_expr(&items[0], b, ast->u.in_list.operand, err) != ARM_OK)
        return err->status;
    for (uint32_t i = 0; i < n; i++)
        if (binder_bind_expr(&items[i + 1], b, ast->u.in_list.list[i], err) != ARM_OK)
            return err->status;
    logical_type t;
    if (binder_unify(b, items, n + 1, "IN", &t, err) != ARM_OK)
        return err->status;
    expr *e = binder_new_expr(b, EXPR_IN_LIST, type_make(TYPE_BOOLEAN), ast->position);
    if (e == NULL)
        return error_out_of_memory(err);
    e->u.in_list.child = items[0];
    e->u.in_list.list = items + 1;
    e->u.in_list.count = n;
    *out = e;
    if (ast->u.in_list.negated)
        return make_unary(out, b, EXPR_NOT, type_make(TYPE_BOOLEAN), e, ast->position, err);
    return ARM_OK;
}

static arm_status bind_subquery_plan(plan_node **plan, logical_type *type, binder *b,
                                     const ast_query *query, int32_t position, bool one_column,
                                     logical_type *want, arm_error *err)
{
    logical_op *root;
    if (binder_bind_query_in(&root, b, query, b->scope, err) != ARM_OK)
        return err->status;
    logical_outputs outputs;
    if (logical_get_outputs(root, b->arena, &outputs, err) != ARM_OK)
        return err->status;
    if (one_column && outputs.count != 1)
        return error_set(err, ARM_ERROR_SYNTAX, "42601", position,
                         want == NULL && outputs.count > 1 ? "subquery must return only one column"
                         : outputs.count > 1               ? "subquery has too many columns"
                                                           : "subquery has too few columns");
    if (one_column) {
        *type = outputs.types[0];
        if (type->id == TYPE_NULL)
            *type = type_make(TYPE_VARCHAR);
        if (want != NULL)
            *type = *want;
        if (!type_equal(*type, outputs.types[0])) {
            /* add a cast on top so the subquery yields exactly the wanted type */
            logical_op *project = logical_create(b->arena, LOGICAL_PROJECT, root);
            expr **exprs = arena_alloc(b->arena, sizeof *exprs);
            const char **names = arena_alloc(b->arena, sizeof *names);
            if (project == NULL || exprs == NULL || names == NULL)
                return error_out_of_memory(err);
            exprs[0] = binder_column_ref(b, outputs.bindings[0].table_index,
                                         outputs.bindings[0].column, outputs.types[0]);
            if (exprs[0] == NULL || (exprs[0] = binder_cast(b, exprs[0], *type, position)) == NULL)
                return error_out_of_memory(err);
            names[0] = outputs.names[0];
            project->u.project.table_index = b->next_table_index++;
            project->u.project.exprs = exprs;
            project->u.project.names = names;
            project->u.project.count = 1;
            root = project;
        }
    }
    return binder_plan_subquery(plan, b, root, err);
}

static arm_status make_subquery(expr **out, binder *b, subquery_kind kind, logical_type type,
                                plan_node *plan, expr *child, int32_t position, arm_error *err)
{
    expr *e = binder_new_expr(b, EXPR_SUBQUERY, type, position);
    if (e == NULL)
        return error_out_of_memory(err);
    e->u.subquery.kind = kind;
    e->u.subquery.plan = plan;
    e->u.subquery.child = child;
    e->u.subquery.id = b->subquery_count++;
    *out = e;
    return ARM_OK;
}

static arm_status bind_in_subquery(expr **out, binder *b, const ast_expr *ast, arm_error *err)
{
    expr *x;
    plan_node *plan;
    logical_type type;
    if (binder_bind_expr(&x, b, ast->u.in_subquery.operand, err) != ARM_OK)
        return err->status;
    /* first bind to learn the column type, then unify with the operand */
    if (bind_subquery_plan(&plan, &type, b, ast->u.in_subquery.query, ast->position, true, NULL,
                           err) != ARM_OK)
        return err->status;
    logical_type common = type;
    if (binder_is_untyped(b, x)) {
        if (binder_coerce(&x, b, type, x->position, err) != ARM_OK)
            return err->status;
    } else if (!type_equal(x->type, type)) {
        if (!type_common(x->type, type, &common))
            return error_set(err, ARM_ERROR_TYPE, "42883", ast->position,
                             "operator does not exist: %s = %s", binder_type_name(b, x->type),
                             binder_type_name(b, type));
        if (binder_coerce(&x, b, common, x->position, err) != ARM_OK)
            return err->status;
        if (!type_equal(common, type) &&
            bind_subquery_plan(&plan, &type, b, ast->u.in_subquery.query, ast->position, true,
                               &common, err) != ARM_OK)
            return err->status;
    }
    if (make_subquery(out, b, SUBQUERY_IN, type_make(TYPE_BOOLEAN), plan, x, ast->position, err))
        return err->status;
    if (ast->u.in_subquery.negated)
        return make_unary(out, b, EXPR_NOT, type_make(TYPE_BOOLEAN), *out, ast->position, err);
    return ARM_OK;
}

static arm_status bind_subquery(expr **out, binder *b, const ast_expr *ast, arm_error *err)
{
    plan_node *plan;
    logical_type type = type_make(TYPE_BOOLEAN);
    bool is_exists = ast->kind == AST_EXISTS;
    if (bind_subquery_plan(&plan, &type, b, ast->u.subquery.query, ast->position, !is_exists, NULL,
                           err) != ARM_OK)
        return err->status;
    if (!is_exists)
        return make_subquery(out, b, SUBQUERY_SCALAR, type, plan, NULL, ast->position, err);
    if (make_subquery(out, b, SUBQUERY_EXISTS, type_make(TYPE_BOOLEAN), plan, NULL, ast->position,
                      err) != ARM_OK)
        return err->status;
    if (ast->u.subquery.negated)
        return make_unary(out, b, EXPR_NOT, type_make(TYPE_BOOLEAN), *out, ast->position, err);
    return ARM_OK;
}

/*
 * LIKE ... ESCAPE e: the LIKE kernels use backslash as the escape character,
 * so a constant pattern is rewritten with e replaced by a backslash (and its
 * own backslashes escaped). An empty e turns escaping off.
 */
static arm_status rewrite_escape(expr **pattern, binder *b, expr *escape, int32_t position,
                                 arm_error *err)
{
    if (optimizer_fold_constants(pattern, b, err) != ARM_OK ||
        optimizer_fold_constants(&escape, b, err) != ARM_OK)
        return err->status;
    const expr *p = *pattern;
    if (p->kind != EXPR_CONSTANT || escape->kind != EXPR_CONSTANT || p->type.id != TYPE_VARCHAR ||
        escape->type.id != TYPE_VARCHAR)
        return error_set(err, ARM_ERROR_NOT_SUPPORTED, "0A000", position,
                         "LIKE ... ESCAPE needs a constant pattern and escape character");
    if (p->u.constant.is_null || escape->u.constant.is_null)
        return ARM_OK; /* NULL pattern: the result is NULL anyway */
    if (escape->u.constant.u.str.length > 1)
        return error_set(err, ARM_ERROR_INVALID_INPUT, "22025", position, "invalid escape string");
    uint32_t length = p->u.constant.u.str.length;
    const char *text = p->u.constant.u.str.data;
    char esc = escape->u.constant.u.str.length ? escape->u.constant.u.str.data[0] : '\0';
    char *rewritten = arena_alloc(b->arena, 2 * (size_t)length + 1);
    if (rewritten == NULL)
        return error_out_of_memory(err);
    uint32_t used = 0;
    for (uint32_t i = 0; i < length; i++) {
        char c = text[i];
        if (esc != '\0' && c == esc && i + 1 < length) {
            rewritten[used++] = '\\';
            rewritten[used++] = text[++i];
        } else if (c == '\\') {
            rewritten[used++] = '\\';
            rewritten[used++] = '\\';
        } else {
            rewritten[used++] = c;
        }
    }
    value v = value_varchar(rewritten, used);
    *pattern = binder_constant(b, &v, p->position);
    return *pattern ? ARM_OK : error_out_of_memory(err);
}

static arm_status bind_like(expr **out, binder *b, const ast_expr *ast, arm_error *err)
{
    expr *args[3];
    uint32_t n = 2;
    logical_type varchar = type_make(TYPE_VARCHAR);
    if (binder_bind_expr(&args[0], b, ast->u.like.operand, err) != ARM_OK ||
        binder_bind_expr(&args[1], b, ast->u.like.pattern, err) != ARM_OK)
        return err->status;
    if (ast->u.like.escape != NULL) {
        if (binder_bind_expr(&args[2], b, ast->u.like.escape, err) != ARM_OK)
            return err->status;
        n = 3;
    }
    for (uint32_t i = 0; i < n; i++)
        if (binder_is_untyped(b, args[i]) &&
            binder_coerce(&args[i], b, varchar, args[i]->position, err) != ARM_OK)
            return err->status;
    if (n == 3) {
        if (rewrite_escape(&args[1], b, args[2], ast->u.like.escape->position, err) != ARM_OK)
            return err->status;
        n = 2;
    }
    bool ci = ast->u.like.case_insensitive, negated = ast->u.like.negated;
    const char *name = ci ? "~~*" : "~~";
    if (negated && function_exists(ci ? "!~~*" : "!~~")) {
        name = ci ? "!~~*" : "!~~";
        negated = false;
    }
    if (make_call(out, b, name, args, n, ast->position, err) != ARM_OK)
        return err->status;
    if (negated)
        return make_unary(out, b, EXPR_NOT, type_make(TYPE_BOOLEAN), *out, ast->position, err);
    return ARM_OK;
}

static arm_status bind_is(expr **out, binder *b, const ast_expr *ast, arm_error *err)
{
    expr *x, *y;
    logical_type boolean = type_make(TYPE_BOOLEAN);
    if (binder_bind_expr(&x, b, ast->u.is.operand, err) != ARM_OK)
        return err->status;
    if (ast->kind == AST_IS_NULL) {
        if (binder_is_untyped(b, x) && binder_coerce(&x, b, type_make(TYPE_VARCHAR), -1, err))
            return err->status;
        return make_unary(out, b, ast->u.is.negated ? EXPR_IS_NOT_NULL : EXPR_IS_NULL, boolean, x,
                          ast->position, err);
    }
    bool distinct = ast->u.is.negated; /* x IS NOT TRUE: x IS DISTINCT FROM TRUE */
    if (ast->kind == AST_IS_DISTINCT)
        distinct = !ast->u.is.negated; /* x IS [NOT] DISTINCT FROM y */
    if (ast->kind == AST_IS_BOOL) {
        if (require_boolean(&x, b, "IS TRUE", err) != ARM_OK)
            return err->status;
        value v = value_boolean(ast->u.is.bool_value);
        if ((y = binder_constant(b, &v, ast->position)) == NULL)
            return error_out_of_memory(err);
    } else if (binder_bind_expr(&y, b, ast->u.is.other, err) != ARM_OK ||
               unify_pair(b, &x, &y, "=", ast->position, err) != ARM_OK) {
        return err->status;
    }
    expr *items[2] = {x, y};
    return make_list(out, b, distinct ? EXPR_IS_DISTINCT : EXPR_IS_NOT_DISTINCT, boolean, items, 2,
                     ast->position, err);
}

static arm_status bind_extract(expr **out, binder *b, const ast_expr *ast, arm_error *err)
{
    expr *args[2];
    value field = value_varchar(ast->u.extract.field, (uint32_t)strlen(ast->u.extract.field));
    if ((args[0] = binder_constant(b, &field, ast->position)) == NULL)
        return error_out_of_memory(err);
    if (binder_bind_expr(&args[1], b, ast->u.extract.operand, err) != ARM_OK)
        return err->status;
    return make_call(out, b, "date_part", args, 2, ast->position, err);
}

arm_status binder_bind_expr(expr **out, binder *b, const ast_expr *ast, arm_error *err)
{
    switch (ast->kind) {
    case AST_LITERAL:
    case AST_INTERVAL: return bind_literal(out, b, ast, err);
    case AST_COLUMN_REF: return bind_column(out, b, ast, err);
    case AST_STAR:
        return error_set(err, ARM_ERROR_SYNTAX, "42601", ast->position,
                         "\"*\" is not allowed here");
    case AST_PARAMETER: return bind_parameter(out, b, ast, err);
    case AST_UNARY: return bind_unary(out, b, ast, err);
    case AST_BINARY: return bind_binary(out, b, ast, err);
    case AST_FUNCTION: return bind_function(out, b, ast, err);
    case AST_CAST: return bind_cast(out, b, ast, err);
    case AST_CASE: return bind_case(out, b, ast, err);
    case AST_BETWEEN: return bind_between(out, b, ast, err);
    case AST_IN_LIST: return bind_in_list(out, b, ast, err);
    case AST_IN_SUBQUERY: return bind_in_subquery(out, b, ast, err);
    case AST_EXISTS:
    case AST_SUBQUERY: return bind_subquery(out, b, ast, err);
    case AST_LIKE: return bind_like(out, b, ast, err);
    case AST_IS_NULL:
    case AST_IS_DISTINCT:
    case AST_IS_BOOL: return bind_is(out, b, ast, err);
    case AST_EXTRACT: return bind_extract(out, b, ast, err);
    case AST_DEFAULT:
        return error_set(err, ARM_ERROR_SYNTAX, "42601", ast->position,
                         "DEFAULT is not allowed in this context");
    case AST_LIST:
        return error_set(err, ARM_ERROR_NOT_SUPPORTED, "0A000", ast->position,
                         "list values are not supported yet, except as the files of "
                         "read_parquet(['a.parquet', 'b.parquet'])");
    }
    return error_internal(err, "unknown expression kind");
}

arm_status binder_bind_condition(expr **out, binder *b, const ast_expr *ast, const char *clause,
                                 arm_error *err)
{
    if (binder_bind_expr(out, b, ast, err) != ARM_OK)
        return err->status;
    return require_boolean(out, b, clause, err);
}

const char *binder_expr_name(binder *b, const ast_expr *ast)
{
    switch (ast->kind) {
    case AST_COLUMN_REF: return binder_ident(b, &ast->u.column.parts[ast->u.column.count - 1]);
    case AST_FUNCTION: {
        const ast_name *n = &ast->u.function.name;
        return binder_ident(b, &n->parts[n->count - 1]);
    }
    case AST_CAST: {
        const char *inner = binder_expr_name(b, ast->u.cast.operand);
        if (strcmp(inner, "?column?") != 0)
            return inner;
        return binder_type_name(b, ast->u.cast.type.type);
    }
    case AST_CASE: return "case";
    case AST_EXISTS: return "exists";
    case AST_EXTRACT: return "extract";
    default: return "?column?";
    }
}
