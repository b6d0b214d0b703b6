/*
 * binder_query.c: binding queries: the FROM clause (tables, views, CTEs,
 * subqueries, joins with ON/USING/NATURAL), SELECT blocks (WHERE, GROUP BY,
 * HAVING, the select list), set operations, ORDER BY and LIMIT, into a
 * logical plan. Expressions are bound by binder_expr.c.
 */
#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "sql/binder_internal.h"
#include "sql/parser.h"
#include "sql/planner.h"
#include "sql/suggest.h"
#include "vector/cast.h"

#define BINDER_MAX_VIEW_DEPTH 32

arm_status binder_init(binder *b, arena *a, catalog *cat, int64_t statement_time_micros,
                       uint32_t param_count, const value *param_values, arm_error *err)
{
    memset(b, 0, sizeof *b);
    b->arena = a;
    b->catalog = cat;
    b->statement_time_micros = statement_time_micros;
    b->param_count = param_count;
    b->param_values = param_values;
    b->param_types = arena_alloc(a, (param_count + 1) * sizeof *b->param_types);
    b->param_is_typed = arena_zalloc(a, (param_count + 1) * sizeof *b->param_is_typed);
    if (b->param_types == NULL || b->param_is_typed == NULL)
        return error_out_of_memory(err);
    for (uint32_t i = 0; i < param_count; i++)
        b->param_types[i] = type_make(TYPE_VARCHAR);
    return ARM_OK;
}

void binder_dispose(binder *b)
{
    for (uint32_t i = 0; i < b->table_ref_count; i++)
        table_def_release(b->table_refs[i]);
    b->table_ref_count = 0;
    for (uint32_t i = 0; i < b->view_ref_count; i++)
        view_def_release(b->view_refs[i]);
    b->view_ref_count = 0;
}

void binder_scope_push(binder *b, bind_scope *scope, bind_scope *parent)
{
    memset(scope, 0, sizeof *scope);
    scope->parent = parent;
    scope->aggregate_error = "aggregate functions are not allowed here";
    b->scope = scope;
}

void binder_scope_pop(binder *b, bind_scope *scope)
{
    b->scope = scope->parent;
}

arm_status binder_scope_add(binder *b, bind_scope *scope, const bind_table *table, arm_error *err)
{
    if (table->name != NULL) {
        for (uint32_t i = 0; i < scope->table_count; i++)
            if (scope->tables[i].name != NULL && strcmp(scope->tables[i].name, table->name) == 0)
                return error_set(err, ARM_ERROR_SYNTAX, "42712", -1,
                                 "table name \"%s\" specified more than once", table->name);
    }
    if (scope->table_count == scope->table_capacity) {
        uint32_t capacity = scope->table_capacity ? scope->table_capacity * 2 : 4;
        bind_table *tables =
            arena_realloc(b->arena, scope->tables, scope->table_capacity * sizeof *tables,
                          capacity * sizeof *tables);
        if (tables == NULL)
            return error_out_of_memory(err);
        scope->tables = tables;
        scope->table_capacity = capacity;
    }
    scope->tables[scope->table_count++] = *table;
    return ARM_OK;
}

/* ---- table lookup -------------------------------------------------------- */

typedef struct name_suggestion {
    suggester s;
    arena *a;
} name_suggestion;

static void consider_name(void *context, const char *schema_name, const char *name, bool is_view)
{
    (void)schema_name, (void)is_view;
    name_suggestion *ns = context;
    const char *copy = arena_strdup(ns->a, name);
    if (copy != NULL)
        suggester_consider(&ns->s, copy);
}

static arm_status relation_not_found(binder *b, const char *name, int32_t position, arm_error *err)
{
    name_suggestion ns;
    suggester_init(&ns.s, name);
    ns.a = b->arena;
    catalog_list(b->catalog, consider_name, &ns);
    error_set(err, ARM_ERROR_NOT_FOUND, "42P01", position, "relation \"%s\" does not exist", name);
    if (ns.s.best != NULL)
        error_hint(err, "Perhaps you meant \"%s\".", ns.s.best);
    return err->status;
}

arm_status binder_retain_table(binder *b, table_def *def, arm_error *err)
{
    if (b->table_ref_count == b->table_ref_capacity) {
        uint32_t capacity = b->table_ref_capacity ? b->table_ref_capacity * 2 : 4;
        table_def **refs = arena_realloc(
            b->arena, b->table_refs, b->table_ref_capacity * sizeof *refs, capacity * sizeof *refs);
        if (refs == NULL) {
            table_def_release(def);
            return error_out_of_memory(err);
        }
        b->table_refs = refs;
        b->table_ref_capacity = capacity;
    }
    b->table_refs[b->table_ref_count++] = def;
    return ARM_OK;
}

/* Keeps `view` (a reference the caller gives up) for the statement's lifetime. */
static arm_status retain_view(binder *b, view_def *view, arm_error *err)
{
    if (b->view_ref_count == b->view_ref_capacity) {
        uint32_t capacity = b->view_ref_capacity ? b->view_ref_capacity * 2 : 4;
        view_def **refs = arena_realloc(b->arena, b->view_refs, b->view_ref_capacity * sizeof *refs,
                                        capacity * sizeof *refs);
        if (refs == NULL) {
            view_def_release(view);
            return error_out_of_memory(err);
        }
        b->view_refs = refs;
        b->view_ref_capacity = capacity;
    }
    b->view_refs[b->view_ref_count++] = view;
    return ARM_OK;
}

const char *binder_schema_of(binder *b, const ast_name *name)
{
    return name->count >= 2 ? binder_ident(b, &name->parts[name->count - 2]) : NULL;
}

arm_status binder_lookup_table(table_def **out, binder *b, const ast_name *name, arm_error *err)
{
    const char *table_name = binder_ident(b, &name->parts[name->count - 1]);
    table_def *def = catalog_lookup_table(b->catalog, binder_schema_of(b, name), table_name);
    if (def == NULL)
        return relation_not_found(b, table_name, name->position, err);
    if (binder_retain_table(b, def, err) != ARM_OK)
        return err->status;
    *out = def;
    return ARM_OK;
}

/* ---- FROM ---------------------------------------------------------------- */

static arm_status bind_from(logical_op **out, binder *b, const ast_table_ref *ref, arm_error *err);

static arm_status add_query_table(binder *b, logical_op *root, const char *name,
                                  const ast_ident *aliases, uint32_t alias_count,
                                  char *const *stored_names, uint32_t stored_count,
                                  int32_t position, arm_error *err)
{
    logical_outputs outputs;
    if (logical_get_outputs(root, b->arena, &outputs, err) != ARM_OK)
        return err->status;
    if (alias_count > outputs.count)
        return error_set(err, ARM_ERROR_SYNTAX, "42P10", position,
                         "table \"%s\" has %u columns available but %u columns specified",
                         name ? name : "?", outputs.count, alias_count);
    bind_table t = {0};
    t.name = name;
    t.table_index = outputs.count ? outputs.bindings[0].table_index : b->next_table_index++;
    t.column_count = outputs.count;
    t.column_types = outputs.types;
    const char **names = arena_alloc(b->arena, (outputs.count + 1) * sizeof *names);
    if (names == NULL)
        return error_out_of_memory(err);
    for (uint32_t i = 0; i < outputs.count; i++) {
        names[i] = outputs.names[i];
        if (i < stored_count && stored_names != NULL)
            names[i] = stored_names[i];
        if (i < alias_count)
            names[i] = binder_ident(b, &aliases[i]);
    }
    t.column_names = names;
    return binder_scope_add(b, b->scope, &t, err);
}

static arm_status bind_view(logical_op **out, binder *b, view_def *view, const char *alias,
                            const ast_table_ref *ref, arm_error *err)
{
    if (retain_view(b, view, err) != ARM_OK) /* the statement owns `view` from here */
        return err->status;
    if (b->view_depth >= BINDER_MAX_VIEW_DEPTH)
        return error_set(err, ARM_ERROR_NOT_SUPPORTED, "54001", ref->position,
                         "views nest too deeply (is view \"%s\" recursive?)", view->name);
    ast_script script;
    arm_status status = parser_parse(&script, b->arena, view->sql, err);
    if (status == ARM_OK && (script.count != 1 || script.statements[0]->kind != AST_STMT_SELECT))
        status = error_set(err, ARM_ERROR_CORRUPT, "XX001", ref->position,
                           "view \"%s\" does not hold a query", view->name);
    /* the view's own FROM must not see CTEs of the query that uses it */
    uint32_t saved_ctes = b->cte_count;
    b->cte_count = 0;
    b->view_depth++;
    if (status == ARM_OK)
        status = binder_bind_query_in(out, b, script.statements[0]->u.query, NULL, err);
    b->view_depth--;
    b->cte_count = saved_ctes;
    if (status != ARM_OK) {
        err->position = ref->position; /* positions inside the view's text mean nothing here */
        return err->status;
    }
    return add_query_table(b, *out, alias, ref->column_aliases, ref->column_alias_count,
                           view->column_names, view->column_name_count, ref->position, err);
}

static const ast_cte *find_cte(binder *b, const char *name, uint32_t *index)
{
    for (uint32_t i = b->cte_count; i-- > 0;) {
        if (strcmp(binder_ident(b, &b->ctes[i]->name), name) == 0) {
            *index = i;
            return b->ctes[i];
        }
    }
    return NULL;
}

static arm_status bind_cte_ref(logical_op **out, binder *b, const ast_cte *cte, uint32_t index,
                               const char *alias, const ast_table_ref *ref, arm_error *err)
{
    uint32_t saved = b->cte_count;
    b->cte_count = index; /* a CTE sees only the ones before it */
    arm_status status = binder_bind_query_in(out, b, cte->query, b->scope->parent, err);
    b->cte_count = saved;
    if (status != ARM_OK)
        return status;
    const ast_ident *aliases = ref->column_alias_count ? ref->column_aliases : cte->column_names;
    uint32_t alias_count =
        ref->column_alias_count ? ref->column_alias_count : cte->column_name_count;
    return add_query_table(b, *out, alias, aliases, alias_count, NULL, 0, ref->position, err);
}

arm_status binder_bind_table(logical_op **out, binder *b, table_def *def, const char *alias,
                             const ast_table_ref *ref, arm_error *err)
{
    logical_op *get = logical_create(b->arena, LOGICAL_GET, NULL);
    uint32_t n = def->column_count;
    uint32_t *ids = arena_alloc(b->arena, (n + 1) * sizeof *ids);
    const char **names = arena_alloc(b->arena, (n + 1) * sizeof *names);
    logical_type *types = arena_alloc(b->arena, (n + 1) * sizeof *types);
    if (get == NULL || ids == NULL || names == NULL || types == NULL)
        return error_out_of_memory(err);
    for (uint32_t c = 0; c < n; c++) {
        ids[c] = c;
        names[c] = def->columns[c].name;
        types[c] = def->columns[c].type;
    }
    if (ref != NULL) {
        if (ref->column_alias_count > n)
            return error_set(err, ARM_ERROR_SYNTAX, "42P10", ref->position,
                             "table \"%s\" has %u columns available but %u columns specified",
                             alias, n, ref->column_alias_count);
        for (uint32_t c = 0; c < ref->column_alias_count; c++)
            names[c] = binder_ident(b, &ref->column_aliases[c]);
    }
    get->u.get.def = def;
    get->u.get.table_name = def->name;
    get->u.get.table_index = b->next_table_index++;
    get->u.get.column_ids = ids;
    get->u.get.column_id_count = n;
    get->estimated_rows = (double)def->provider->vtable->estimated_row_count(def->provider);
    bind_table t = {alias, get->u.get.table_index, n, names, types, NULL, NULL};
    if (alias != NULL && strcmp(alias, def->name) != 0)
        t.relation_name = def->name;
    *out = get;
    return binder_scope_add(b, b->scope, &t, err);
}

static arm_status bind_table_name(logical_op **out, binder *b, const ast_table_ref *ref,
                                  arm_error *err)
{
    const ast_name *name = &ref->u.table.name;
    const char *table_name = binder_ident(b, &name->parts[name->count - 1]);
    const char *alias = ref->alias.name ? binder_ident(b, &ref->alias) : table_name;
    const ast_time_travel *travel = &ref->u.table.travel;
    if (travel->has_version || travel->as_of_timestamp != NULL || travel->branch.name != NULL)
        return binder_bind_table_version(out, b, ref, alias, err);
    uint32_t cte_index;
    const ast_cte *cte = name->count == 1 ? find_cte(b, table_name, &cte_index) : NULL;
    if (cte != NULL)
        return bind_cte_ref(out, b, cte, cte_index, alias, ref, err);
    table_def *def = catalog_lookup_table(b->catalog, binder_schema_of(b, name), table_name);
    if (def != NULL) {
        if (binder_retain_table(b, def, err) != ARM_OK)
            return err->status;
        return binder_bind_table(out, b, def, alias, ref, err);
    }
    view_def *view = catalog_lookup_view(b->catalog, binder_schema_of(b, name), table_name);
    if (view != NULL)
        return bind_view(out, b, view, alias, ref, err);
    return relation_not_found(b, table_name, name->position, err);
}

/* Finds `name` among the visible columns of scope tables [first, end). */
static arm_status using_side(expr **out, binder *b, const char *name, uint32_t first, uint32_t end,
                             int32_t position, const char *side, arm_error *err)
{
    bind_scope *scope = b->scope;
    *out = NULL;
    for (uint32_t i = 0; i < scope->using_count; i++) {
        bind_using *u = &scope->usings[i];
        if (!u->is_hidden && u->first_table >= first && u->end_table <= end &&
            strcmp(u->name, name) == 0) {
            u->is_hidden = true;
            *out = u->value;
            return ARM_OK;
        }
    }
    for (uint32_t i = first; i < end; i++) {
        bind_table *t = &scope->tables[i];
        for (uint32_t c = 0; c < t->column_count; c++) {
            if ((t->merged && t->merged[c]) || strcmp(t->column_names[c], name) != 0)
                continue;
            if (*out != NULL)
                return error_set(err, ARM_ERROR_NOT_FOUND, "42702", position,
                                 "common column name \"%s\" appears more than once in %s table",
                                 name, side);
            if (t->merged == NULL &&
                (t->merged = arena_zalloc(b->arena, t->column_count * sizeof(bool))) == NULL)
                return error_out_of_memory(err);
            t->merged[c] = true;
            if ((*out = binder_column_ref(b, t->table_index, c, t->column_types[c])) == NULL)
                return error_out_of_memory(err);
        }
    }
    if (*out == NULL)
        return error_set(err, ARM_ERROR_NOT_FOUND, "42703", position,
                         "column \"%s\" specified in USING clause does not exist in %s table", name,
                         side);
    return ARM_OK;
}

static arm_status add_using(binder *b, const char *name, expr *merged_value, uint32_t first,
                            uint32_t end, arm_error *err)
{
    bind_scope *scope = b->scope;
    if (scope->using_count == scope->using_capacity) {
        uint32_t capacity = scope->using_capacity ? scope->using_capacity * 2 : 4;
        bind_using *items =
            arena_realloc(b->arena, scope->usings, scope->using_capacity * sizeof *items,
                          capacity * sizeof *items);
        if (items == NULL)
            return error_out_of_memory(err);
        scope->usings = items;
        scope->using_capacity = capacity;
    }
    bind_using u = {name, merged_value, first, end, false};
    scope->usings[scope->using_count++] = u;
    return ARM_OK;
}

static arm_status bind_using_column(binder *b, logical_op *join, const char *name, uint32_t first,
                                    uint32_t mid, uint32_t end, int32_t position, arm_error *err)
{
    expr *l, *r, *cond;
    if (using_side(&l, b, name, first, mid, position, "left", err) != ARM_OK ||
        using_side(&r, b, name, mid, end, position, "right", err) != ARM_OK)
        return err->status;
    expr *lv = l, *rv = r;
    logical_type t = l->type;
    if (!type_equal(l->type, r->type) && !type_common(l->type, r->type, &t))
        return error_set(err, ARM_ERROR_TYPE, "42883", position,
                         "JOIN/USING types %s and %s cannot be matched",
                         binder_type_name(b, l->type), binder_type_name(b, r->type));
    if (binder_coerce(&lv, b, t, position, err) != ARM_OK ||
        binder_coerce(&rv, b, t, position, err) != ARM_OK)
        return err->status;
    expr *args[2] = {lv, rv};
    logical_type types[2] = {t, t}, cast_to[2];
    bool untyped[2] = {false, false};
    const scalar_function *fn;
    if (function_resolve(&fn, cast_to, "=", types, untyped, 2, position, err) != ARM_OK)
        return err->status;
    cond = binder_new_expr(b, EXPR_FUNCTION, fn->return_type, position);
    expr **call_args = arena_alloc(b->arena, 2 * sizeof *call_args);
    if (cond == NULL || call_args == NULL)
        return error_out_of_memory(err);
    memcpy(call_args, args, sizeof args);
    cond->u.function.fn = fn;
    cond->u.function.args = call_args;
    cond->u.function.arg_count = 2;
    if (fn->bind != NULL && fn->bind(fn, cond, b->arena, err) != ARM_OK)
        return err->status;
    if (expr_list_append(&join->u.join.conditions, b->arena, cond, err) != ARM_OK)
        return err->status;
    expr *merged = lv;
    if (join->u.join.type == JOIN_RIGHT)
        merged = rv;
    else if (join->u.join.type == JOIN_FULL) {
        merged = binder_new_expr(b, EXPR_COALESCE, t, position);
        expr **items = arena_alloc(b->arena, 2 * sizeof *items);
        if (merged == NULL || items == NULL)
            return error_out_of_memory(err);
        items[0] = lv;
        items[1] = rv;
        merged->u.list.args = items;
        merged->u.list.count = 2;
    }
    return add_using(b, name, merged, first, end, err);
}

/* NATURAL JOIN: the names visible on both sides, in left order. */
static arm_status natural_columns(binder *b, uint32_t first, uint32_t mid, uint32_t end,
                                  const char ***names, uint32_t *count, arm_error *err)
{
    bind_scope *scope = b->scope;
    uint32_t capacity = 0;
    for (uint32_t i = first; i < mid; i++)
        capacity += scope->tables[i].column_count;
    capacity += scope->using_count;
    *names = arena_alloc(b->arena, (capacity + 1) * sizeof **names);
    *count = 0;
    if (*names == NULL)
        return error_out_of_memory(err);
    for (uint32_t i = 0; i < scope->using_count; i++) {
        const bind_using *u = &scope->usings[i];
        if (!u->is_hidden && u->first_table >= first && u->end_table <= mid)
            (*names)[(*count)++] = u->name;
    }
    for (uint32_t i = first; i < mid; i++) {
        const bind_table *t = &scope->tables[i];
        for (uint32_t c = 0; c < t->column_count; c++)
            if (!(t->merged && t->merged[c]))
                (*names)[(*count)++] = t->column_names[c];
    }
    uint32_t kept = 0;
    for (uint32_t k = 0; k < *count; k++) {
        bool on_right = false;
        for (uint32_t i = mid; i < end && !on_right; i++) {
            const bind_table *t = &scope->tables[i];
            for (uint32_t c = 0; c < t->column_count && !on_right; c++)
                on_right =
                    !(t->merged && t->merged[c]) && strcmp(t->column_names[c], (*names)[k]) == 0;
        }
        for (uint32_t i = 0; i < scope->using_count && !on_right; i++)
            on_right = !scope->usings[i].is_hidden && scope->usings[i].first_table >= mid &&
                       strcmp(scope->usings[i].name, (*names)[k]) == 0;
        if (on_right)
            (*names)[kept++] = (*names)[k];
    }
    *count = kept;
    return ARM_OK;
}

static join_type join_type_of(ast_join_kind kind)
{
    switch (kind) {
    case AST_JOIN_LEFT: return JOIN_LEFT;
    case AST_JOIN_RIGHT: return JOIN_RIGHT;
    case AST_JOIN_FULL: return JOIN_FULL;
    default: return JOIN_INNER;
    }
}

static arm_status bind_join(logical_op **out, binder *b, const ast_table_ref *ref, arm_error *err)
{
    uint32_t first = b->scope->table_count;
    logical_op *left, *right;
    if (bind_from(&left, b, ref->u.join.left, err) != ARM_OK)
        return err->status;
    uint32_t mid = b->scope->table_count;
    if (bind_from(&right, b, ref->u.join.right, err) != ARM_OK)
        return err->status;
    uint32_t end = b->scope->table_count;
    logical_op *join = logical_create(b->arena, LOGICAL_JOIN, NULL);
    if (join == NULL)
        return error_out_of_memory(err);
    join->children[0] = left;
    join->children[1] = right;
    join->child_count = 2;
    join->u.join.type = join_type_of(ref->u.join.kind);
    *out = join;
    if (ref->u.join.natural) {
        const char **names;
        uint32_t count;
        if (natural_columns(b, first, mid, end, &names, &count, err) != ARM_OK)
            return err->status;
        for (uint32_t i = 0; i < count; i++)
            if (bind_using_column(b, join, names[i], first, mid, end, ref->position, err))
                return err->status;
        return ARM_OK;
    }
    for (uint32_t i = 0; i < ref->u.join.using_count; i++) {
        const ast_ident *id = &ref->u.join.using_columns[i];
        if (bind_using_column(b, join, binder_ident(b, id), first, mid, end, id->position, err))
            return err->status;
    }
    if (ref->u.join.on != NULL) {
        expr *cond;
        if (binder_bind_condition(&cond, b, ref->u.join.on, "JOIN/ON", err) != ARM_OK ||
            binder_split_conjuncts(b, cond, &join->u.join.conditions, err) != ARM_OK)
            return err->status;
    }
    return ARM_OK;
}

static arm_status bind_from(logical_op **out, binder *b, const ast_table_ref *ref, arm_error *err)
{
    switch (ref->kind) {
    case AST_TABLE_NAME: return bind_table_name(out, b, ref, err);
    case AST_TABLE_JOIN: return bind_join(out, b, ref, err);
    case AST_TABLE_SUBQUERY: {
        if (binder_bind_query_in(out, b, ref->u.subquery.query, b->scope->parent, err) != ARM_OK)
            return err->status;
        const char *alias = ref->alias.name ? binder_ident(b, &ref->alias) : NULL;
        return add_query_table(b, *out, alias, ref->column_aliases, ref->column_alias_count, NULL,
                               0, ref->position, err);
    }
    case AST_TABLE_FUNCTION: return binder_bind_table_function(out, b, ref, err);
    }
    return error_internal(err, "unknown FROM item");
}

/* ---- the select list ------------------------------------------------------ */

/* The select list of one block, with ORDER BY's hidden columns appended. */
typedef struct select_list {
    expr_list exprs;
    const char **names;
    uint32_t name_capacity;
    uint32_t visible_count;
} select_list;

static arm_status select_add(binder *b, select_list *list, expr *e, const char *name,
                             arm_error *err)
{
    if (list->exprs.count == list->name_capacity) {
        uint32_t capacity = list->name_capacity ? list->name_capacity * 2 : 8;
        const char **names = arena_realloc(
            b->arena, list->names, list->name_capacity * sizeof *names, capacity * sizeof *names);
        if (names == NULL)
            return error_out_of_memory(err);
        list->names = names;
        list->name_capacity = capacity;
    }
    list->names[list->exprs.count] = name;
    return expr_list_append(&list->exprs, b->arena, e, err);
}

static arm_status expand_table(binder *b, select_list *list, const bind_table *t, bool skip_merged,
                               arm_error *err)
{
    for (uint32_t c = 0; c < t->column_count; c++) {
        if (skip_merged && t->merged != NULL && t->merged[c])
            continue;
        expr *e = binder_column_ref(b, t->table_index, c, t->column_types[c]);
        if (e == NULL || select_add(b, list, e, t->column_names[c], err) != ARM_OK)
            return e == NULL ? error_out_of_memory(err) : err->status;
    }
    return ARM_OK;
}

static arm_status expand_star(binder *b, select_list *list, const ast_expr *star, arm_error *err)
{
    bind_scope *scope = b->scope;
    const ast_name *q = &star->u.star.qualifier;
    if (q->count > 0) {
        const char *name = binder_ident(b, &q->parts[q->count - 1]);
        for (uint32_t i = 0; i < scope->table_count; i++)
            if (scope->tables[i].name && strcmp(scope->tables[i].name, name) == 0)
                return expand_table(b, list, &scope->tables[i], false, err);
        return error_set(err, ARM_ERROR_NOT_FOUND, "42P01", star->position,
                         "missing FROM-clause entry for table \"%s\"", name);
    }
    if (scope->table_count == 0)
        return error_set(err, ARM_ERROR_SYNTAX, "42601", star->position,
                         "SELECT * with no tables specified is not valid");
    for (uint32_t i = 0; i < scope->using_count; i++) {
        const bind_using *u = &scope->usings[i];
        if (u->is_hidden)
            continue;
        expr *e = binder_copy_expr(b, u->value);
        if (e == NULL)
            return error_out_of_memory(err);
        if (select_add(b, list, e, u->name, err) != ARM_OK)
            return err->status;
    }
    for (uint32_t i = 0; i < scope->table_count; i++)
        if (expand_table(b, list, &scope->tables[i], true, err) != ARM_OK)
            return err->status;
    return ARM_OK;
}

static arm_status bind_select_list(binder *b, const ast_select *select, select_list *list,
                                   bool keep_untyped, arm_error *err)
{
    for (uint32_t i = 0; i < select->item_count; i++) {
        const ast_select_item *item = &select->items[i];
        if (item->expr->kind == AST_STAR) {
            if (expand_star(b, list, item->expr, err) != ARM_OK)
                return err->status;
            continue;
        }
        expr *e;
        if (binder_bind_expr(&e, b, item->expr, err) != ARM_OK)
            return err->status;
        if (binder_is_untyped(b, e) && !keep_untyped &&
            binder_coerce(&e, b, type_make(TYPE_VARCHAR), e->position, err) != ARM_OK)
            return err->status;
        const char *name =
            item->alias.name ? binder_ident(b, &item->alias) : binder_expr_name(b, item->expr);
        if (select_add(b, list, e, name, err) != ARM_OK)
            return err->status;
    }
    list->visible_count = list->exprs.count;
    return ARM_OK;
}

/* ---- GROUP BY ------------------------------------------------------------- */

static bool ast_is_ordinal(const ast_expr *ast)
{
    return ast->kind == AST_LITERAL && !ast->u.literal.is_string && !ast->u.literal.val.is_null &&
           ast->u.literal.val.type.id == TYPE_BIGINT;
}

static const ast_select_item *select_item_by_alias(binder *b, const ast_select *select,
                                                   const char *name)
{
    for (uint32_t i = 0; i < select->item_count; i++)
        if (select->items[i].alias.name &&
            strcmp(binder_ident(b, &select->items[i].alias), name) == 0)
            return &select->items[i];
    return NULL;
}

static arm_status bind_group_item(expr **out, binder *b, const ast_select *select,
                                  const ast_expr *ast, arm_error *err)
{
    if (ast_is_ordinal(ast)) {
        int64_t k = ast->u.literal.val.u.i64;
        if (k < 1 || k > select->item_count || select->items[k - 1].expr->kind == AST_STAR)
            return error_set(err, ARM_ERROR_SYNTAX, "42P10", ast->position,
                             "GROUP BY position %lld is not in select list", (long long)k);
        ast = select->items[k - 1].expr;
    }
    if (binder_bind_expr(out, b, ast, err) == ARM_OK)
        return ARM_OK;
    /* a bare name that is not an input column may be a select alias */
    if (err->status != ARM_ERROR_NOT_FOUND || strcmp(err->sqlstate, "42703") != 0 ||
        ast->kind != AST_COLUMN_REF || ast->u.column.count != 1)
        return err->status;
    const ast_select_item *item =
        select_item_by_alias(b, select, binder_ident(b, &ast->u.column.parts[0]));
    if (item == NULL || item->expr->kind == AST_STAR)
        return err->status;
    arm_error_clear(err);
    return binder_bind_expr(out, b, item->expr, err);
}

/* ---- aggregation ---------------------------------------------------------- */

typedef struct group_rewrite {
    binder *b;
    bind_aggregates *aggs;
    const bind_scope *scope;
} group_rewrite;

static const char *column_display_name(const bind_scope *scope, const expr *e, char *buf,
                                       size_t capacity)
{
    for (uint32_t i = 0; i < scope->table_count; i++) {
        const bind_table *t = &scope->tables[i];
        if (t->table_index != e->u.column.table_index || e->u.column.column >= t->column_count)
            continue;
        if (t->name != NULL)
            snprintf(buf, capacity, "%s.%s", t->name, t->column_names[e->u.column.column]);
        else
            snprintf(buf, capacity, "%s", t->column_names[e->u.column.column]);
        return buf;
    }
    snprintf(buf, capacity, "?");
    return buf;
}

static arm_status rewrite_group_slot(void *context, expr **slot, arm_error *err)
{
    group_rewrite *g = context;
    expr *e = *slot;
    for (uint32_t i = 0; i < g->aggs->groups.count; i++) {
        if (binder_expr_equal(e, g->aggs->groups.items[i])) {
            expr *ref = binder_column_ref(g->b, g->aggs->group_index, i, e->type);
            if (ref == NULL)
                return error_out_of_memory(err);
            ref->position = e->position;
            *slot = ref;
            return ARM_OK;
        }
    }
    if (e->kind != EXPR_COLUMN || e->u.column.depth != 0 ||
        e->u.column.table_index == g->aggs->aggregate_index ||
        e->u.column.table_index == g->aggs->group_index)
        return ARM_OK;
    char name[160];
    return error_set(err, ARM_ERROR_SYNTAX, "42803", e->position,
                     "column \"%s\" must appear in the GROUP BY clause or be used in an aggregate "
                     "function",
                     column_display_name(g->scope, e, name, sizeof name));
}

static arm_status rewrite_grouped(binder *b, bind_aggregates *aggs, expr **slot, arm_error *err)
{
    group_rewrite g = {b, aggs, b->scope};
    return expr_visit_tree(slot, rewrite_group_slot, &g, err);
}

static arm_status build_aggregate(logical_op **op, binder *b, bind_aggregates *aggs, arm_error *err)
{
    if (aggs->order_keys != NULL) {
        /* the sort runs on one thread and the aggregate keeps arrival order per group */
        logical_op *sort = logical_create(b->arena, LOGICAL_ORDER, *op);
        if (sort == NULL)
            return error_out_of_memory(err);
        sort->u.order.keys = aggs->order_keys;
        sort->u.order.key_count = aggs->order_key_count;
        *op = sort;
    }
    logical_op *agg = logical_create(b->arena, LOGICAL_AGGREGATE, *op);
    if (agg == NULL)
        return error_out_of_memory(err);
    agg->u.aggregate.group_index = aggs->group_index;
    agg->u.aggregate.aggregate_index = aggs->aggregate_index;
    agg->u.aggregate.groups = aggs->groups.items;
    agg->u.aggregate.group_names = aggs->group_names;
    agg->u.aggregate.group_count = aggs->groups.count;
    agg->u.aggregate.aggregates = aggs->items;
    agg->u.aggregate.aggregate_names = aggs->names;
    agg->u.aggregate.aggregate_types = aggs->types;
    agg->u.aggregate.aggregate_count = aggs->count;
    agg->estimated_rows = aggs->groups.count == 0 ? 1 : (*op)->estimated_rows * 0.1 + 1;
    *op = agg;
    return ARM_OK;
}

static arm_status add_filter(logical_op **op, binder *b, expr *condition, arm_error *err)
{
    logical_op *filter = logical_create(b->arena, LOGICAL_FILTER, *op);
    if (filter == NULL)
        return error_out_of_memory(err);
    if (binder_split_conjuncts(b, condition, &filter->u.filter.conditions, err) != ARM_OK)
        return err->status;
    *op = filter;
    return ARM_OK;
}

/* ---- ORDER BY and LIMIT --------------------------------------------------- */

static arm_status bind_order_item(binder *b, select_list *list, const ast_order_item *item,
                                  bool allow_hidden, uint32_t *column_out, arm_error *err)
{
    const ast_expr *ast = item->expr;
    if (ast_is_ordinal(ast)) {
        int64_t k = ast->u.literal.val.u.i64;
        if (k < 1 || k > list->visible_count)
            return error_set(err, ARM_ERROR_SYNTAX, "42P10", ast->position,
                             "ORDER BY position %lld is not in select list", (long long)k);
        *column_out = (uint32_t)(k - 1);
        return ARM_OK;
    }
    if (ast->kind == AST_COLUMN_REF && ast->u.column.count == 1) {
        const char *name = binder_ident(b, &ast->u.column.parts[0]);
        int found = -1;
        for (uint32_t i = 0; i < list->visible_count; i++) {
            if (strcmp(list->names[i], name) != 0)
                continue;
            if (found >= 0 && !binder_expr_equal(list->exprs.items[found], list->exprs.items[i]))
                return error_set(err, ARM_ERROR_SYNTAX, "42702", ast->position,
                                 "ORDER BY \"%s\" is ambiguous", name);
            if (found < 0)
                found = (int)i;
        }
        if (found >= 0) {
            *column_out = (uint32_t)found;
            return ARM_OK;
        }
    }
    expr *e;
    if (binder_bind_expr(&e, b, ast, err) != ARM_OK)
        return err->status;
    if (binder_is_untyped(b, e) &&
        binder_coerce(&e, b, type_make(TYPE_VARCHAR), e->position, err) != ARM_OK)
        return err->status;
    for (uint32_t i = 0; i < list->exprs.count; i++) {
        if (binder_expr_equal(e, list->exprs.items[i])) {
            *column_out = i;
            return ARM_OK;
        }
    }
    if (!allow_hidden)
        return error_set(err, ARM_ERROR_SYNTAX, "42P10", ast->position,
                         "for SELECT DISTINCT, ORDER BY expressions must appear in select list");
    *column_out = list->exprs.count;
    return select_add(b, list, e, "?column?", err);
}

/* ORDER BY of one query: sort directions, and which select-list column each key sorts by. */
typedef struct order_keys {
    plan_sort_key *keys; /* key expressions filled by finish_query */
    uint32_t *columns;
} order_keys;

static arm_status bind_order_by(order_keys *out, binder *b, const ast_query *query,
                                select_list *list, bool allow_hidden, arm_error *err)
{
    uint32_t n = query->order_by_count;
    out->keys = arena_zalloc(b->arena, (n + 1) * sizeof *out->keys);
    out->columns = arena_alloc(b->arena, (n + 1) * sizeof *out->columns);
    if (out->keys == NULL || out->columns == NULL)
        return error_out_of_memory(err);
    for (uint32_t i = 0; i < n; i++) {
        const ast_order_item *item = &query->order_by[i];
        if (bind_order_item(b, list, item, allow_hidden, &out->columns[i], err))
            return err->status;
        out->keys[i].descending = item->descending;
        out->keys[i].nulls_first =
            item->nulls_first < 0 ? item->descending : item->nulls_first == 1;
    }
    return ARM_OK;
}

static arm_status bind_limit_value(uint64_t *out, binder *b, const ast_expr *ast, const char *what,
                                   uint64_t unknown, arm_error *err)
{
    value v;
    if (ast->kind == AST_PARAMETER) {
        uint32_t index = ast->u.parameter.index - 1;
        if (ast->u.parameter.index == 0 || index >= b->param_count)
            return error_set(err, ARM_ERROR_SYNTAX, "42P02", ast->position,
                             "there is no parameter $%u", ast->u.parameter.index);
        b->param_types[index] = type_make(TYPE_BIGINT);
        b->param_is_typed[index] = true;
        b->is_volatile_plan = true;
        if (b->param_values == NULL) {
            *out = unknown;
            return ARM_OK;
        }
        if (cast_value(&v, &b->param_values[index], type_make(TYPE_BIGINT), b->arena, ast->position,
                       err) != ARM_OK)
            return err->status;
    } else {
        bind_scope scope;
        expr *e;
        binder_scope_push(b, &scope, NULL);
        scope.aggregate_error = "aggregate functions are not allowed in LIMIT";
        arm_status status = binder_bind_expr(&e, b, ast, err);
        binder_scope_pop(b, &scope);
        if (status != ARM_OK)
            return status;
        if (binder_is_untyped(b, e) &&
            binder_coerce(&e, b, type_make(TYPE_BIGINT), ast->position, err) != ARM_OK)
            return err->status;
        if (!type_is_integer(e->type.id) || !expr_is_constant(e))
            return error_set(err, ARM_ERROR_TYPE, "42804", ast->position,
                             "argument of %s must be a constant of type bigint, not type %s", what,
                             binder_type_name(b, e->type));
        if (expr_evaluate_constant(e, b->arena, &v, err) != ARM_OK)
            return err->status;
    }
    if (v.is_null) {
        *out = unknown;
        return ARM_OK;
    }
    if (v.u.i64 < 0)
        return error_set(err, ARM_ERROR_INVALID_INPUT, what[0] == 'L' ? "2201W" : "2201X",
                         ast->position, "%s must not be negative", what);
    *out = (uint64_t)v.u.i64;
    return ARM_OK;
}

/*
 * The tail every query shares: the projection of `list` (select list plus
 * hidden ORDER BY columns), DISTINCT, ORDER BY, LIMIT/OFFSET, and a last
 * projection dropping the hidden columns.
 */
static arm_status finish_query(logical_op **op, binder *b, const ast_query *query,
                               select_list *list, const order_keys *order, bool distinct,
                               arm_error *err)
{
    logical_op *project = logical_create(b->arena, LOGICAL_PROJECT, *op);
    if (project == NULL)
        return error_out_of_memory(err);
    uint32_t proj_index = b->next_table_index++;
    project->u.project.table_index = proj_index;
    project->u.project.exprs = list->exprs.items;
    project->u.project.names = list->names;
    project->u.project.count = list->exprs.count;
    *op = project;
    if (distinct && (*op = logical_create(b->arena, LOGICAL_DISTINCT, *op)) == NULL)
        return error_out_of_memory(err);
    if (query != NULL && query->order_by_count > 0) {
        plan_sort_key *keys = order->keys;
        for (uint32_t i = 0; i < query->order_by_count; i++) {
            uint32_t column = order->columns[i];
            keys[i].key = binder_column_ref(b, proj_index, column, list->exprs.items[column]->type);
            if (keys[i].key == NULL)
                return error_out_of_memory(err);
        }
        logical_op *sort = logical_create(b->arena, LOGICAL_ORDER, *op);
        if (sort == NULL)
            return error_out_of_memory(err);
        sort->u.order.keys = keys;
        sort->u.order.key_count = query->order_by_count;
        *op = sort;
    }
    if (query != NULL && (query->limit != NULL || query->offset != NULL)) {
        logical_op *limit = logical_create(b->arena, LOGICAL_LIMIT, *op);
        if (limit == NULL)
            return error_out_of_memory(err);
        limit->u.limit.limit = UINT64_MAX;
        if ((query->limit != NULL && bind_limit_value(&limit->u.limit.limit, b, query->limit,
                                                      "LIMIT", UINT64_MAX, err) != ARM_OK) ||
            (query->offset != NULL && bind_limit_value(&limit->u.limit.offset, b, query->offset,
                                                       "OFFSET", 0, err) != ARM_OK))
            return err->status;
        *op = limit;
    }
    if (list->exprs.count == list->visible_count)
        return ARM_OK;
    logical_op *trim = logical_create(b->arena, LOGICAL_PROJECT, *op);
    expr **exprs = arena_alloc(b->arena, (list->visible_count + 1) * sizeof *exprs);
    if (trim == NULL || exprs == NULL)
        return error_out_of_memory(err);
    for (uint32_t i = 0; i < list->visible_count; i++)
        if ((exprs[i] = binder_column_ref(b, proj_index, i, list->exprs.items[i]->type)) == NULL)
            return error_out_of_memory(err);
    trim->u.project.table_index = b->next_table_index++;
    trim->u.project.exprs = exprs;
    trim->u.project.names = list->names;
    trim->u.project.count = list->visible_count;
    *op = trim;
    return ARM_OK;
}

/* ---- SELECT blocks ---------------------------------------------------------- */

static arm_status bind_from_clause(logical_op **op, binder *b, const ast_select *select,
                                   arm_error *err)
{
    if (select->from != NULL)
        return bind_from(op, b, select->from, err);
    logical_op *values = logical_create(b->arena, LOGICAL_VALUES, NULL);
    if (values == NULL)
        return error_out_of_memory(err);
    values->u.values.table_index = b->next_table_index++;
    values->u.values.row_count = 1;
    values->estimated_rows = 1;
    *op = values;
    return ARM_OK;
}

static arm_status bind_groups(binder *b, const ast_select *select, bind_aggregates *aggs,
                              arm_error *err)
{
    uint32_t n = select->group_by_count;
    aggs->group_names = arena_alloc(b->arena, (n + 1) * sizeof *aggs->group_names);
    if (aggs->group_names == NULL)
        return error_out_of_memory(err);
    b->scope->aggregate_error = "aggregate functions are not allowed in GROUP BY";
    for (uint32_t i = 0; i < n; i++) {
        expr *e;
        if (bind_group_item(&e, b, select, select->group_by[i], err) != ARM_OK)
            return err->status;
        if (binder_is_untyped(b, e) &&
            binder_coerce(&e, b, type_make(TYPE_VARCHAR), e->position, err) != ARM_OK)
            return err->status;
        aggs->group_names[aggs->groups.count] = binder_expr_name(b, select->group_by[i]);
        if (expr_list_append(&aggs->groups, b->arena, e, err) != ARM_OK)
            return err->status;
    }
    return ARM_OK;
}

static arm_status bind_select_body(logical_op **out, binder *b, const ast_select *select,
                                   const ast_query *query, arm_error *err)
{
    bind_scope *scope = b->scope;
    logical_op *op;
    expr *where = NULL, *having = NULL;
    bool keep_untyped = b->keep_untyped_literals;
    b->keep_untyped_literals = false; /* only this block's own select list */
    scope->aggregate_error = "aggregate functions are not allowed in JOIN conditions";
    if (bind_from_clause(&op, b, select, err) != ARM_OK)
        return err->status;
    scope->aggregate_error = "aggregate functions are not allowed in WHERE";
    if (select->where != NULL &&
        (binder_bind_condition(&where, b, select->where, "WHERE", err) != ARM_OK ||
         add_filter(&op, b, where, err) != ARM_OK))
        return err->status;
    bind_aggregates aggs = {0};
    aggs.group_index = b->next_table_index++;
    aggs.aggregate_index = b->next_table_index++;
    if (bind_groups(b, select, &aggs, err) != ARM_OK)
        return err->status;
    scope->aggregates = &aggs;
    select_list list = {0};
    order_keys order = {0};
    if (bind_select_list(b, select, &list, keep_untyped, err) != ARM_OK)
        return err->status;
    if (select->having != NULL &&
        binder_bind_condition(&having, b, select->having, "HAVING", err) != ARM_OK)
        return err->status;
    if (query != NULL && query->order_by_count > 0 &&
        bind_order_by(&order, b, query, &list, !select->distinct, err) != ARM_OK)
        return err->status;
    scope->aggregates = NULL;
    if (aggs.groups.count > 0 || aggs.count > 0 || having != NULL) {
        for (uint32_t i = 0; i < list.exprs.count; i++)
            if (rewrite_grouped(b, &aggs, &list.exprs.items[i], err) != ARM_OK)
                return err->status;
        if (having != NULL && rewrite_grouped(b, &aggs, &having, err) != ARM_OK)
            return err->status;
        if (build_aggregate(&op, b, &aggs, err) != ARM_OK)
            return err->status;
        if (having != NULL && add_filter(&op, b, having, err) != ARM_OK)
            return err->status;
    }
    if (finish_query(&op, b, query, &list, &order, select->distinct, err) != ARM_OK)
        return err->status;
    *out = op;
    return ARM_OK;
}

static arm_status bind_select(logical_op **out, binder *b, const ast_select *select,
                              const ast_query *query, bind_scope *parent, arm_error *err)
{
    bind_scope scope;
    bind_scope *saved = b->scope;
    binder_scope_push(b, &scope, parent);
    arm_status status = bind_select_body(out, b, select, query, err);
    b->scope = saved;
    return status;
}

/* ---- VALUES and set operations -------------------------------------------- */

static arm_status bind_values(logical_op **out, binder *b, const ast_select *select, arm_error *err)
{
    uint32_t rows = select->values_row_count, columns = select->values_column_count;
    logical_op *values = logical_create(b->arena, LOGICAL_VALUES, NULL);
    expr **cells = arena_alloc(b->arena, ((size_t)rows * columns + 1) * sizeof *cells);
    expr **column = arena_alloc(b->arena, (rows + 1) * sizeof *column);
    logical_type *types = arena_alloc(b->arena, (columns + 1) * sizeof *types);
    const char **names = arena_alloc(b->arena, (columns + 1) * sizeof *names);
    if (values == NULL || cells == NULL || column == NULL || types == NULL || names == NULL)
        return error_out_of_memory(err);
    for (uint32_t r = 0; r < rows; r++)
        for (uint32_t c = 0; c < columns; c++)
            if (binder_bind_expr(&cells[r * columns + c], b, select->values_rows[r][c], err))
                return err->status;
    for (uint32_t c = 0; c < columns; c++) {
        for (uint32_t r = 0; r < rows; r++)
            column[r] = cells[r * columns + c];
        if (binder_unify(b, column, rows, "VALUES", &types[c], err) != ARM_OK)
            return err->status;
        for (uint32_t r = 0; r < rows; r++) {
            expr **slot = &cells[r * columns + c];
            *slot = column[r];
            if (optimizer_fold_constants(slot, b, err) != ARM_OK)
                return err->status;
            if ((*slot)->kind != EXPR_CONSTANT && (*slot)->kind != EXPR_PARAMETER)
                return error_set(err, ARM_ERROR_NOT_SUPPORTED, "0A000",
                                 select->values_rows[r][c]->position,
                                 "VALUES entries must be constants");
        }
        names[c] = arena_printf(b->arena, "column%u", c + 1);
    }
    values->u.values.table_index = b->next_table_index++;
    values->u.values.column_count = columns;
    values->u.values.types = types;
    values->u.values.names = names;
    values->u.values.rows = cells;
    values->u.values.row_count = rows;
    values->estimated_rows = rows;
    *out = values;
    return ARM_OK;
}

static const char *set_op_name(ast_set_op op)
{
    return op == AST_SET_UNION ? "UNION" : op == AST_SET_INTERSECT ? "INTERSECT" : "EXCEPT";
}

/* The slot of output i when it is an untyped literal of a set operand's select list. */
static expr **untyped_output(binder *b, logical_op *op, uint32_t i)
{
    if (op->kind != LOGICAL_PROJECT || i >= op->u.project.count ||
        !binder_is_untyped(b, op->u.project.exprs[i]))
        return NULL;
    return &op->u.project.exprs[i];
}

/* Puts a casting projection on `*op` when its column types differ from `types`. */
static arm_status cast_outputs(logical_op **op, binder *b, const logical_outputs *outputs,
                               const logical_type *types, arm_error *err)
{
    bool needed = false;
    for (uint32_t i = 0; i < outputs->count; i++) {
        expr **slot = untyped_output(b, *op, i);
        if (slot != NULL) { /* a literal takes the type of the other side */
            if (binder_coerce(slot, b, types[i], (*slot)->position, err) != ARM_OK)
                return err->status;
            continue;
        }
        needed |= !type_equal(outputs->types[i], types[i]);
    }
    if (!needed)
        return ARM_OK;
    logical_op *project = logical_create(b->arena, LOGICAL_PROJECT, *op);
    expr **exprs = arena_alloc(b->arena, (outputs->count + 1) * sizeof *exprs);
    if (project == NULL || exprs == NULL)
        return error_out_of_memory(err);
    for (uint32_t i = 0; i < outputs->count; i++) {
        exprs[i] = binder_column_ref(b, outputs->bindings[i].table_index,
                                     outputs->bindings[i].column, outputs->types[i]);
        if (exprs[i] == NULL)
            return error_out_of_memory(err);
        if (!type_equal(outputs->types[i], types[i]) &&
            (exprs[i] = binder_cast(b, exprs[i], types[i], -1)) == NULL)
            return error_out_of_memory(err);
    }
    project->u.project.table_index = b->next_table_index++;
    project->u.project.exprs = exprs;
    project->u.project.names = outputs->names;
    project->u.project.count = outputs->count;
    *op = project;
    return ARM_OK;
}

static arm_status bind_set_op(logical_op **out, binder *b, const ast_query *query,
                              bind_scope *parent, arm_error *err)
{
    logical_op *left, *right;
    logical_outputs lo, ro;
    const char *name = set_op_name(query->set_op);
    b->keep_untyped_literals = true;
    arm_status status = binder_bind_query_in(&left, b, query->left, parent, err);
    b->keep_untyped_literals = true;
    if (status == ARM_OK)
        status = binder_bind_query_in(&right, b, query->right, parent, err);
    b->keep_untyped_literals = false;
    if (status != ARM_OK || logical_get_outputs(left, b->arena, &lo, err) != ARM_OK ||
        logical_get_outputs(right, b->arena, &ro, err) != ARM_OK)
        return err->status;
    if (lo.count != ro.count)
        return error_set(err, ARM_ERROR_SYNTAX, "42601", query->right->position,
                         "each %s query must have the same number of columns", name);
    logical_type *types = arena_alloc(b->arena, (lo.count + 1) * sizeof *types);
    if (types == NULL)
        return error_out_of_memory(err);
    for (uint32_t i = 0; i < lo.count; i++) {
        logical_type l = lo.types[i], r = ro.types[i];
        bool lu = untyped_output(b, left, i) != NULL, ru = untyped_output(b, right, i) != NULL;
        if (lu && ru)
            types[i] = type_make(TYPE_VARCHAR);
        else if (lu)
            types[i] = r;
        else if (ru || type_equal(l, r))
            types[i] = l;
        else if (!type_common(l, r, &types[i]))
            return error_set(err, ARM_ERROR_TYPE, "42804", query->right->position,
                             "%s types %s and %s cannot be matched", name, binder_type_name(b, l),
                             binder_type_name(b, r));
    }
    if (cast_outputs(&left, b, &lo, types, err) != ARM_OK ||
        cast_outputs(&right, b, &ro, types, err) != ARM_OK)
        return err->status;
    logical_op *set = logical_create(b->arena, LOGICAL_SET_OP, left);
    if (set == NULL)
        return error_out_of_memory(err);
    set->children[1] = right;
    set->child_count = 2;
    set->u.set_op.table_index = b->next_table_index++;
    set->u.set_op.kind = query->set_op == AST_SET_UNION       ? LOGICAL_SET_UNION
                         : query->set_op == AST_SET_INTERSECT ? LOGICAL_SET_INTERSECT
                                                              : LOGICAL_SET_EXCEPT;
    set->u.set_op.all = query->set_all;
    set->u.set_op.column_count = lo.count;
    set->u.set_op.types = types;
    set->u.set_op.names = lo.names;
    set->estimated_rows = left->estimated_rows + right->estimated_rows;
    *out = set;
    return ARM_OK;
}

/* ORDER BY / LIMIT over a set operation or VALUES: names and ordinals of its outputs. */
static arm_status bind_outer_tail(logical_op **op, binder *b, const ast_query *query,
                                  bind_scope *parent, arm_error *err)
{
    if (query->order_by_count == 0 && query->limit == NULL && query->offset == NULL)
        return ARM_OK;
    logical_outputs outputs;
    if (logical_get_outputs(*op, b->arena, &outputs, err) != ARM_OK)
        return err->status;
    bind_scope scope;
    bind_scope *saved = b->scope;
    binder_scope_push(b, &scope, parent);
    bind_table t = {0};
    t.table_index = outputs.count ? outputs.bindings[0].table_index : 0;
    t.column_count = outputs.count;
    t.column_names = outputs.names;
    t.column_types = outputs.types;
    select_list list = {0};
    order_keys order = {0};
    arm_status status = binder_scope_add(b, &scope, &t, err);
    for (uint32_t i = 0; status == ARM_OK && i < outputs.count; i++) {
        expr *e = binder_column_ref(b, outputs.bindings[i].table_index, outputs.bindings[i].column,
                                    outputs.types[i]);
        status = e ? select_add(b, &list, e, outputs.names[i], err) : error_out_of_memory(err);
    }
    list.visible_count = list.exprs.count;
    if (status == ARM_OK && query->order_by_count > 0)
        status = bind_order_by(&order, b, query, &list, true, err);
    if (status == ARM_OK)
        status = finish_query(op, b, query, &list, &order, false, err);
    b->scope = saved;
    return status;
}

static arm_status push_ctes(binder *b, const ast_query *query, arm_error *err)
{
    for (uint32_t i = 0; i < query->cte_count; i++) {
        if (b->cte_count == b->cte_capacity) {
            uint32_t capacity = b->cte_capacity ? b->cte_capacity * 2 : 4;
            const ast_cte **items = arena_realloc(
                b->arena, b->ctes, b->cte_capacity * sizeof *items, capacity * sizeof *items);
            if (items == NULL)
                return error_out_of_memory(err);
            b->ctes = items;
            b->cte_capacity = capacity;
        }
        b->ctes[b->cte_count++] = &query->ctes[i];
    }
    return ARM_OK;
}

arm_status binder_bind_query_in(logical_op **out, binder *b, const ast_query *query,
                                bind_scope *parent, arm_error *err)
{
    uint32_t saved_ctes = b->cte_count;
    arm_status status = push_ctes(b, query, err);
    if (status == ARM_OK) {
        if (query->set_op != AST_SET_NONE) {
            status = bind_set_op(out, b, query, parent, err);
            if (status == ARM_OK)
                status = bind_outer_tail(out, b, query, parent, err);
        } else if (query->select->values_rows != NULL) {
            status = bind_values(out, b, query->select, err);
            if (status == ARM_OK)
                status = bind_outer_tail(out, b, query, parent, err);
        } else {
            status = bind_select(out, b, query->select, query, parent, err);
        }
    }
    b->cte_count = saved_ctes;
    return status;
}

arm_status binder_bind_query(logical_op **out, binder *b, const ast_query *query, arm_error *err)
{
    return binder_bind_query_in(out, b, query, NULL, err);
}

arm_status binder_plan_subquery(plan_node **out, binder *b, logical_op *root, arm_error *err)
{
    return planner_plan(out, b, root, err);
}

arm_status binder_bind_sql_expr(expr **out, binder *b, const char *sql, arm_error *err)
{
    char *text = arena_printf(b->arena, "SELECT %s", sql);
    if (text == NULL)
        return error_out_of_memory(err);
    ast_script script;
    if (parser_parse(&script, b->arena, text, err) != ARM_OK)
        return err->status;
    if (script.count != 1 || script.statements[0]->kind != AST_STMT_SELECT ||
        script.statements[0]->u.query->select == NULL ||
        script.statements[0]->u.query->select->item_count != 1)
        return error_set(err, ARM_ERROR_SYNTAX, "42601", -1, "invalid expression: %s", sql);
    bind_scope scope;
    bind_scope *saved = b->scope;
    binder_scope_push(b, &scope, NULL);
    arm_status status =
        binder_bind_expr(out, b, script.statements[0]->u.query->select->items[0].expr, err);
    b->scope = saved;
    return status;
}
