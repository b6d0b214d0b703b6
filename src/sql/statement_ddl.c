/*
 * statement_ddl.c: CREATE TABLE [AS], DROP TABLE/VIEW, CREATE VIEW. Tables
 * are memory tables registered in the catalog; defaults are stored as SQL
 * text and re-bound at INSERT time; views store their SELECT text.
 */
#include <string.h>

#include "common/error.h"
#include "sql/binder_internal.h"
#include "sql/planner.h"
#include "sql/statement_internal.h"
#include "sql/suggest.h"
#include "table/memory_table.h"

static const char *name_schema(binder *b, const ast_name *name)
{
    return name->count >= 2 ? binder_ident(b, &name->parts[name->count - 2]) : NULL;
}

static const char *name_last(binder *b, const ast_name *name)
{
    return binder_ident(b, &name->parts[name->count - 1]);
}

static bool relation_exists(catalog *cat, const char *schema, const char *name)
{
    table_def *t = catalog_lookup_table(cat, schema, name);
    view_def *v = t ? NULL : catalog_lookup_view(cat, schema, name);
    table_def_release(t);
    view_def_release(v);
    return t != NULL || v != NULL;
}

static arm_status nothing(result_set **out, arm_error *err)
{
    return result_set_create_empty(out, RESULT_SET_NOTHING, 0, err);
}

static arm_status primary_key_of(table_def *def, binder *b, const ast_stmt *stmt, arm_error *err)
{
    uint32_t n = 0, capacity = def->column_count + stmt->u.create_table.primary_key_count;
    uint32_t *pk = arena_alloc(b->arena, (capacity + 1) * sizeof *pk);
    if (pk == NULL)
        return error_out_of_memory(err);
    for (uint32_t c = 0; c < def->column_count; c++)
        if (stmt->u.create_table.columns[c].primary_key)
            pk[n++] = c;
    for (uint32_t i = 0; i < stmt->u.create_table.primary_key_count; i++) {
        const ast_ident *id = &stmt->u.create_table.primary_key[i];
        const char *name = binder_ident(b, id);
        uint32_t c = 0;
        while (c < def->column_count && strcmp(def->columns[c].name, name) != 0)
            c++;
        if (c == def->column_count)
            return error_set(err, ARM_ERROR_NOT_FOUND, "42703", id->position,
                             "column \"%s\" named in key does not exist", name);
        pk[n++] = c;
    }
    uint32_t column_level = n - stmt->u.create_table.primary_key_count;
    if (column_level > 1 || (column_level == 1 && stmt->u.create_table.primary_key_count > 0))
        return error_set(err, ARM_ERROR_SYNTAX, "42P16", stmt->position,
                         "multiple primary keys for table \"%s\" are not allowed", def->name);
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t j = 0; j < i; j++)
            if (pk[i] == pk[j])
                return error_set(err, ARM_ERROR_SYNTAX, "42701", stmt->position,
                                 "column \"%s\" appears twice in primary key constraint",
                                 def->columns[pk[i]].name);
    for (uint32_t i = 0; i < n; i++)
        def->columns[pk[i]].is_not_null = true;
    def->primary_key = pk;
    def->primary_key_count = n;
    return ARM_OK;
}

static arm_status check_default(binder *b, const column_def *column, const ast_column_def *ast,
                                arm_error *err)
{
    expr *e;
    if (binder_bind_sql_expr(&e, b, column->default_sql, err) != ARM_OK ||
        binder_assign(&e, b, column->type, column->name, -1, err) != ARM_OK) {
        err->position = ast->default_expr ? ast->default_expr->position : ast->name.position;
        return err->status;
    }
    return ARM_OK;
}

static arm_status columns_from_ast(table_def *def, binder *b, const ast_stmt *stmt, arm_error *err)
{
    uint32_t n = stmt->u.create_table.column_count;
    def->columns = arena_zalloc(b->arena, (n + 1) * sizeof *def->columns);
    if (def->columns == NULL)
        return error_out_of_memory(err);
    def->column_count = n;
    for (uint32_t c = 0; c < n; c++) {
        const ast_column_def *ast = &stmt->u.create_table.columns[c];
        column_def *column = &def->columns[c];
        column->name = (char *)binder_ident(b, &ast->name);
        column->type = ast->type.type;
        column->is_not_null = ast->not_null || ast->primary_key;
        column->default_sql = (char *)ast->default_sql;
        column->field_id = c + 1;
        for (uint32_t k = 0; k < c; k++)
            if (strcmp(def->columns[k].name, column->name) == 0)
                return error_set(err, ARM_ERROR_SYNTAX, "42701", ast->name.position,
                                 "column \"%s\" specified more than once", column->name);
        if (ast->unique && !ast->primary_key)
            return error_set(err, ARM_ERROR_NOT_SUPPORTED, "0A000", ast->name.position,
                             "UNIQUE constraints are not supported yet");
        if (column->default_sql != NULL && check_default(b, column, ast, err) != ARM_OK)
            return err->status;
    }
    return primary_key_of(def, b, stmt, err);
}

/* Columns of CREATE TABLE AS: the query's names and types (NULL becomes VARCHAR). */
static arm_status columns_from_query(table_def *def, binder *b, logical_op **root,
                                     const ast_query *query, arm_error *err)
{
    logical_outputs outputs;
    if (binder_bind_query(root, b, query, err) != ARM_OK ||
        logical_get_outputs(*root, b->arena, &outputs, err) != ARM_OK)
        return err->status;
    def->columns = arena_zalloc(b->arena, (outputs.count + 1) * sizeof *def->columns);
    if (def->columns == NULL)
        return error_out_of_memory(err);
    def->column_count = outputs.count;
    for (uint32_t c = 0; c < outputs.count; c++) {
        def->columns[c].name = (char *)outputs.names[c];
        def->columns[c].type = outputs.types[c];
        if (def->columns[c].type.id == TYPE_NULL)
            def->columns[c].type = type_make(TYPE_VARCHAR);
        def->columns[c].field_id = c + 1;
        for (uint32_t k = 0; k < c; k++)
            if (strcmp(def->columns[k].name, def->columns[c].name) == 0)
                return error_set(err, ARM_ERROR_SYNTAX, "42701", query->position,
                                 "column \"%s\" specified more than once", def->columns[c].name);
    }
    return ARM_OK;
}

/* INSERT INTO new_table <bound query>, casting NULL-typed columns. */
static arm_status fill_from_query(result_set **out, sql_session *s, binder *b, table_def *def,
                                  logical_op *root, arm_error *err)
{
    logical_outputs outputs;
    if (logical_get_outputs(root, b->arena, &outputs, err) != ARM_OK)
        return err->status;
    logical_op *project = logical_create(b->arena, LOGICAL_PROJECT, root);
    expr **exprs = arena_alloc(b->arena, (outputs.count + 1) * sizeof *exprs);
    if (project == NULL || exprs == NULL)
        return error_out_of_memory(err);
    for (uint32_t c = 0; c < outputs.count; c++) {
        exprs[c] = binder_column_ref(b, outputs.bindings[c].table_index, outputs.bindings[c].column,
                                     outputs.types[c]);
        if (exprs[c] == NULL ||
            binder_coerce(&exprs[c], b, def->columns[c].type, -1, err) != ARM_OK)
            return err->status ? err->status : error_out_of_memory(err);
    }
    project->u.project.table_index = b->next_table_index++;
    project->u.project.exprs = exprs;
    project->u.project.names = outputs.names;
    project->u.project.count = outputs.count;
    logical_op *insert = logical_create(b->arena, LOGICAL_INSERT, project);
    if (insert == NULL)
        return error_out_of_memory(err);
    insert->u.modify.def = def;
    plan_node *plan;
    if (planner_plan(&plan, b, insert, err) != ARM_OK)
        return err->status;
    return statement_run_plan(out, s, b, plan, NULL, 0, NULL, err);
}

static arm_status register_table(table_def *def, sql_session *s, arm_error *err)
{
    table_provider *provider = NULL;
    if (memory_table_create(&provider, def, err) != ARM_OK)
        return err->status;
    def->provider = provider;
    if (catalog_create_table(s->db->catalog, def, err) == ARM_OK)
        return ARM_OK;
    if (provider->vtable->destroy != NULL) /* on failure the provider is still ours */
        provider->vtable->destroy(provider);
    return err->status;
}

static arm_status create_table(result_set **out, sql_session *s, binder *b, const ast_stmt *stmt,
                               arm_error *err)
{
    const ast_name *name = &stmt->u.create_table.name;
    const char *schema = name_schema(b, name), *table_name = name_last(b, name);
    if (relation_exists(s->db->catalog, schema, table_name)) {
        if (stmt->u.create_table.if_not_exists)
            return nothing(out, err);
        if (stmt->u.create_table.or_replace) {
            if (catalog_drop_table(s->db->catalog, schema, table_name, false, err) != ARM_OK)
                return err->status;
        } else {
            return error_set(err, ARM_ERROR_ALREADY_EXISTS, "42P07", name->position,
                             "relation \"%s\" already exists", table_name);
        }
    }
    table_def def;
    memset(&def, 0, sizeof def);
    def.refcount = 1;
    def.schema_name = (char *)(schema ? schema : "main");
    def.name = (char *)table_name;
    def.schema_version = 1;
    logical_op *root = NULL;
    const ast_query *query = stmt->u.create_table.as_query;
    arm_status status = query ? columns_from_query(&def, b, &root, query, err)
                              : columns_from_ast(&def, b, stmt, err);
    if (status != ARM_OK || register_table(&def, s, err) != ARM_OK)
        return err->status;
    if (query == NULL)
        return nothing(out, err);
    table_def *created = catalog_lookup_table(s->db->catalog, schema, table_name);
    if (created == NULL)
        return error_internal(err, "created table not found");
    status = fill_from_query(out, s, b, created, root, err);
    table_def_release(created);
    if (status != ARM_OK) /* CREATE TABLE AS is all or nothing */
        catalog_drop_table(s->db->catalog, schema, table_name, true, NULL);
    return status;
}

arm_status statement_create_table(result_set **out, sql_session *s, const ast_stmt *stmt,
                                  arm_error *err)
{
    binder b;
    if (statement_binder_init(&b, s, 0, NULL, err) != ARM_OK)
        return err->status;
    arm_status status = create_table(out, s, &b, stmt, err);
    binder_dispose(&b);
    return status;
}

typedef struct drop_suggestion {
    suggester s;
    arena *a;
    bool want_view;
} drop_suggestion;

static void consider_drop(void *context, const char *schema_name, const char *name, bool is_view)
{
    (void)schema_name;
    drop_suggestion *d = context;
    const char *copy = is_view == d->want_view ? arena_strdup(d->a, name) : NULL;
    if (copy != NULL)
        suggester_consider(&d->s, copy);
}

/* CREATE SCHEMA [IF NOT EXISTS] s */
arm_status statement_create_schema(result_set **out, sql_session *s, const ast_stmt *stmt,
                                   arm_error *err)
{
    binder b;
    if (statement_binder_init(&b, s, 0, NULL, err) != ARM_OK)
        return err->status;
    const char *name = binder_ident(&b, &stmt->u.create_schema.name);
    arm_status st = name == NULL ? error_out_of_memory(err)
                                 : catalog_create_schema(s->db->catalog, name,
                                                         stmt->u.create_schema.if_not_exists, err);
    binder_dispose(&b);
    if (st != ARM_OK) {
        error_set_position(err, stmt->u.create_schema.name.position);
        return st;
    }
    return nothing(out, err);
}

static arm_status drop_schema(result_set **out, sql_session *s, binder *b, const ast_stmt *stmt,
                              arm_error *err)
{
    const ast_name *name = &stmt->u.drop.name;
    arm_status st = name->count != 1
                        ? error_set(err, ARM_ERROR_SYNTAX, "42601", name->position,
                                    "a schema name has one part")
                        : catalog_drop_schema(s->db->catalog, name_last(b, name),
                                              stmt->u.drop.if_exists, stmt->u.drop.cascade, err);
    if (st != ARM_OK) {
        error_set_position(err, name->position);
        return st;
    }
    return nothing(out, err);
}

arm_status statement_drop(result_set **out, sql_session *s, const ast_stmt *stmt, arm_error *err)
{
    binder b;
    if (statement_binder_init(&b, s, 0, NULL, err) != ARM_OK)
        return err->status;
    if (stmt->u.drop.object == AST_OBJECT_SCHEMA) {
        arm_status st = drop_schema(out, s, &b, stmt, err);
        binder_dispose(&b);
        return st;
    }
    catalog *cat = s->db->catalog;
    const ast_name *name = &stmt->u.drop.name;
    const char *schema = name_schema(&b, name), *object = name_last(&b, name);
    bool is_view = stmt->u.drop.object == AST_OBJECT_VIEW;
    table_def *t = catalog_lookup_table(cat, schema, object);
    view_def *v = catalog_lookup_view(cat, schema, object);
    bool exists = is_view ? v != NULL : t != NULL, other = is_view ? t != NULL : v != NULL;
    table_def_release(t);
    view_def_release(v);
    binder_dispose(&b);
    if (!exists && other) {
        error_set(err, ARM_ERROR_TYPE, "42809", name->position, "\"%s\" is not a %s", object,
                  is_view ? "view" : "table");
        error_hint(err, "Use DROP %s to remove a %s.", is_view ? "TABLE" : "VIEW",
                   is_view ? "table" : "view");
        return err->status;
    }
    if (!exists && stmt->u.drop.if_exists)
        return nothing(out, err);
    if (!exists) {
        drop_suggestion d = {{0}, s->arena, is_view};
        suggester_init(&d.s, object);
        catalog_list(cat, consider_drop, &d);
        error_set(err, ARM_ERROR_NOT_FOUND, "42P01", name->position, "%s \"%s\" does not exist",
                  is_view ? "view" : "table", object);
        if (d.s.best != NULL)
            error_hint(err, "Perhaps you meant \"%s\".", d.s.best);
        return err->status;
    }
    arm_status status = is_view ? catalog_drop_view(cat, schema, object, true, err)
                                : catalog_drop_table(cat, schema, object, true, err);
    return status != ARM_OK ? status : nothing(out, err);
}

static arm_status create_view(result_set **out, sql_session *s, binder *b, const ast_stmt *stmt,
                              arm_error *err)
{
    const ast_name *name = &stmt->u.create_view.name;
    const char *schema = name_schema(b, name), *view_name = name_last(b, name);
    table_def *t = catalog_lookup_table(s->db->catalog, schema, view_name);
    view_def *existing = catalog_lookup_view(s->db->catalog, schema, view_name);
    bool table_exists = t != NULL, view_exists = existing != NULL;
    table_def_release(t);
    view_def_release(existing);
    if ((view_exists || table_exists) && stmt->u.create_view.if_not_exists)
        return nothing(out, err);
    if (table_exists || (view_exists && !stmt->u.create_view.or_replace))
        return error_set(err, ARM_ERROR_ALREADY_EXISTS, "42P07", name->position,
                         "relation \"%s\" already exists", view_name);
    logical_op *root;
    logical_outputs outputs;
    if (binder_bind_query(&root, b, stmt->u.create_view.query, err) != ARM_OK ||
        logical_get_outputs(root, b->arena, &outputs, err) != ARM_OK)
        return err->status;
    uint32_t n = stmt->u.create_view.column_name_count;
    if (n > outputs.count)
        return error_set(err, ARM_ERROR_SYNTAX, "42601", name->position,
                         "CREATE VIEW specifies more column names than columns");
    view_def def;
    memset(&def, 0, sizeof def);
    def.refcount = 1;
    def.schema_name = (char *)(schema ? schema : "main");
    def.name = (char *)view_name;
    def.sql = (char *)stmt->u.create_view.query_sql;
    if (n > 0) {
        def.column_names = arena_alloc(b->arena, n * sizeof *def.column_names);
        if (def.column_names == NULL)
            return error_out_of_memory(err);
        for (uint32_t i = 0; i < n; i++)
            def.column_names[i] = (char *)binder_ident(b, &stmt->u.create_view.column_names[i]);
        def.column_name_count = n;
    }
    if (catalog_create_view(s->db->catalog, &def, stmt->u.create_view.or_replace, err) != ARM_OK)
        return err->status;
    return nothing(out, err);
}

arm_status statement_create_view(result_set **out, sql_session *s, const ast_stmt *stmt,
                                 arm_error *err)
{
    binder b;
    if (statement_binder_init(&b, s, 0, NULL, err) != ARM_OK)
        return err->status;
    arm_status status = create_view(out, s, &b, stmt, err);
    binder_dispose(&b);
    return status;
}
