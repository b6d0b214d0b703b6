/*
 * binder_dml.c: binding INSERT, UPDATE and DELETE. INSERT's input produces
 * the table's columns in order (defaults filled in, values cast the way
 * PostgreSQL's assignment casts do); UPDATE's input is the row id then the
 * whole new row; DELETE's is the row id.
 */
#include <string.h>
#include <strings.h>

#include "common/error.h"
#include "sql/binder_internal.h"
#include "sql/planner.h"
#include "sql/suggest.h"

static int find_table_column(const table_def *def, const char *name)
{
    for (uint32_t c = 0; c < def->column_count; c++)
        if (strcmp(def->columns[c].name, name) == 0)
            return (int)c;
    return -1;
}

static arm_status unknown_column(const table_def *def, const char *name, int32_t position,
                                 arm_error *err)
{
    suggester s;
    suggester_init(&s, name);
    for (uint32_t c = 0; c < def->column_count; c++)
        suggester_consider(&s, def->columns[c].name);
    error_set(err, ARM_ERROR_NOT_FOUND, "42703", position,
              "column \"%s\" of relation \"%s\" does not exist", name, def->name);
    if (s.best != NULL)
        error_hint(err, "Perhaps you meant \"%s\".", s.best);
    return err->status;
}

/* target[c] = position in the statement's column list of table column c, or -1. */
static arm_status map_targets(int32_t **target_out, uint32_t *count_out, binder *b,
                              const table_def *def, const ast_ident *columns, uint32_t count,
                              arm_error *err)
{
    int32_t *target = arena_alloc(b->arena, (def->column_count + 1) * sizeof *target);
    if (target == NULL)
        return error_out_of_memory(err);
    for (uint32_t c = 0; c < def->column_count; c++)
        target[c] = columns == NULL ? (int32_t)c : -1;
    *count_out = columns == NULL ? def->column_count : count;
    for (uint32_t i = 0; columns != NULL && i < count; i++) {
        const char *name = binder_ident(b, &columns[i]);
        int c = find_table_column(def, name);
        if (c < 0)
            return unknown_column(def, name, columns[i].position, err);
        if (target[c] >= 0)
            return error_set(err, ARM_ERROR_SYNTAX, "42701", columns[i].position,
                             "column \"%s\" specified more than once", name);
        target[c] = (int32_t)i;
    }
    *target_out = target;
    return ARM_OK;
}

static arm_status default_value(expr **out, binder *b, const table_def *def, uint32_t c,
                                arm_error *err)
{
    const column_def *column = &def->columns[c];
    if (column->default_sql == NULL) {
        value null = value_null(column->type);
        *out = binder_constant(b, &null, -1);
        return *out ? ARM_OK : error_out_of_memory(err);
    }
    if (binder_bind_sql_expr(out, b, column->default_sql, err) != ARM_OK ||
        binder_assign(out, b, column->type, column->name, -1, err) != ARM_OK ||
        optimizer_fold_constants(out, b, err) != ARM_OK) {
        err->position = -1; /* the position is within the DEFAULT text, not this statement */
        error_detail(err, "while computing the DEFAULT of column \"%s\"", column->name);
        return err->status;
    }
    return ARM_OK;
}

/* Without a column list, fewer values than columns fill the first ones (PostgreSQL). */
static void shrink_implicit_targets(int32_t *target, uint32_t *target_count, bool implicit,
                                    uint32_t given)
{
    if (!implicit || given >= *target_count)
        return;
    for (uint32_t c = given; c < *target_count; c++)
        target[c] = -1;
    *target_count = given;
}

/* DEFAULT in a VALUES row or SET list (AST_DEFAULT, or the bare name `default`). */
static bool is_default_keyword(const ast_expr *ast)
{
    return ast->kind == AST_DEFAULT || (ast->kind == AST_COLUMN_REF && ast->u.column.count == 1 &&
                                        !ast->u.column.parts[0].quoted &&
                                        strcasecmp(ast->u.column.parts[0].name, "default") == 0);
}

static arm_status arity_error(uint32_t expressions, uint32_t targets, int32_t position,
                              arm_error *err)
{
    return error_set(err, ARM_ERROR_SYNTAX, "42601", position,
                     expressions > targets ? "INSERT has more expressions than target columns"
                                           : "INSERT has more target columns than expressions");
}

static arm_status bind_insert_values(logical_op **out, binder *b, const table_def *def,
                                     int32_t *target, uint32_t target_count, bool implicit,
                                     const ast_select *select, arm_error *err)
{
    if (select != NULL)
        shrink_implicit_targets(target, &target_count, implicit, select->values_column_count);
    uint32_t rows = select ? select->values_row_count : 1, columns = def->column_count;
    logical_op *values = logical_create(b->arena, LOGICAL_VALUES, NULL);
    expr **cells = arena_alloc(b->arena, ((size_t)rows * columns + 1) * sizeof *cells);
    logical_type *types = arena_alloc(b->arena, (columns + 1) * sizeof *types);
    const char **names = arena_alloc(b->arena, (columns + 1) * sizeof *names);
    if (values == NULL || cells == NULL || types == NULL || names == NULL)
        return error_out_of_memory(err);
    if (select != NULL && select->values_column_count != target_count)
        return arity_error(select->values_column_count, target_count, select->position, err);
    for (uint32_t c = 0; c < columns; c++) {
        types[c] = def->columns[c].type;
        names[c] = def->columns[c].name;
    }
    for (uint32_t r = 0; r < rows; r++) {
        for (uint32_t c = 0; c < columns; c++) {
            expr **slot = &cells[(size_t)r * columns + c];
            if (select == NULL || target[c] < 0) {
                if (default_value(slot, b, def, c, err) != ARM_OK)
                    return err->status;
                continue;
            }
            const ast_expr *ast = select->values_rows[r][target[c]];
            if (is_default_keyword(ast)) {
                if (default_value(slot, b, def, c, err) != ARM_OK)
                    return err->status;
                continue;
            }
            if (binder_bind_expr(slot, b, ast, err) != ARM_OK ||
                binder_assign(slot, b, types[c], names[c], ast->position, err) != ARM_OK ||
                optimizer_fold_constants(slot, b, err) != ARM_OK)
                return err->status;
            if ((*slot)->kind != EXPR_CONSTANT && (*slot)->kind != EXPR_PARAMETER)
                return error_set(err, ARM_ERROR_NOT_SUPPORTED, "0A000", ast->position,
                                 "VALUES entries must be constants; use INSERT ... SELECT");
        }
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

static arm_status bind_insert_query(logical_op **out, binder *b, const table_def *def,
                                    int32_t *target, uint32_t target_count, bool implicit,
                                    const ast_query *query, arm_error *err)
{
    logical_op *input;
    logical_outputs outputs;
    if (binder_bind_query(&input, b, query, err) != ARM_OK ||
        logical_get_outputs(input, b->arena, &outputs, err) != ARM_OK)
        return err->status;
    shrink_implicit_targets(target, &target_count, implicit, outputs.count);
    if (outputs.count != target_count)
        return arity_error(outputs.count, target_count, query->position, err);
    uint32_t columns = def->column_count;
    logical_op *project = logical_create(b->arena, LOGICAL_PROJECT, input);
    expr **exprs = arena_alloc(b->arena, (columns + 1) * sizeof *exprs);
    const char **names = arena_alloc(b->arena, (columns + 1) * sizeof *names);
    if (project == NULL || exprs == NULL || names == NULL)
        return error_out_of_memory(err);
    for (uint32_t c = 0; c < columns; c++) {
        names[c] = def->columns[c].name;
        if (target[c] < 0) {
            if (default_value(&exprs[c], b, def, c, err) != ARM_OK)
                return err->status;
            continue;
        }
        uint32_t k = (uint32_t)target[c];
        exprs[c] = binder_column_ref(b, outputs.bindings[k].table_index, outputs.bindings[k].column,
                                     outputs.types[k]);
        if (exprs[c] == NULL)
            return error_out_of_memory(err);
        if (outputs.types[k].id == TYPE_NULL) {
            value null = value_null(def->columns[c].type);
            exprs[c] = binder_constant(b, &null, -1);
        } else if (binder_assign(&exprs[c], b, def->columns[c].type, names[c], query->position,
                                 err) != ARM_OK) {
            return err->status;
        }
    }
    project->u.project.table_index = b->next_table_index++;
    project->u.project.exprs = exprs;
    project->u.project.names = names;
    project->u.project.count = columns;
    *out = project;
    return ARM_OK;
}

static arm_status bind_insert(logical_op **out, binder *b, const ast_stmt *stmt, arm_error *err)
{
    table_def *def;
    int32_t *target;
    uint32_t target_count;
    logical_op *input;
    const ast_query *query = stmt->u.insert.query;
    if (binder_lookup_table(&def, b, &stmt->u.insert.table, err) != ARM_OK ||
        map_targets(&target, &target_count, b, def, stmt->u.insert.columns,
                    stmt->u.insert.column_count, err) != ARM_OK)
        return err->status;
    arm_status status;
    bool implicit = stmt->u.insert.columns == NULL;
    if (stmt->u.insert.default_values || query == NULL)
        status = bind_insert_values(&input, b, def, target, target_count, implicit, NULL, err);
    else if (query->set_op == AST_SET_NONE && query->select->values_rows != NULL &&
             query->order_by_count == 0 && query->limit == NULL && query->cte_count == 0)
        status =
            bind_insert_values(&input, b, def, target, target_count, implicit, query->select, err);
    else
        status = bind_insert_query(&input, b, def, target, target_count, implicit, query, err);
    if (status != ARM_OK)
        return status;
    logical_op *insert = logical_create(b->arena, LOGICAL_INSERT, input);
    if (insert == NULL)
        return error_out_of_memory(err);
    insert->u.modify.def = def;
    *out = insert;
    return ARM_OK;
}

/* The scan of UPDATE/DELETE: all columns plus the row id, then WHERE. */
static arm_status bind_modify_input(logical_op **out, uint32_t *table_index, binder *b,
                                    table_def *def, const ast_ident *alias, const ast_expr *where,
                                    arm_error *err)
{
    const char *name = alias->name ? binder_ident(b, alias) : def->name;
    logical_op *get;
    if (binder_bind_table(&get, b, def, name, NULL, err) != ARM_OK)
        return err->status;
    get->u.get.column_ids[def->column_count] = def->column_count; /* the row id */
    get->u.get.column_id_count = def->column_count + 1;
    *table_index = get->u.get.table_index;
    *out = get;
    if (where == NULL)
        return ARM_OK;
    expr *condition;
    b->scope->aggregate_error = "aggregate functions are not allowed in WHERE";
    if (binder_bind_condition(&condition, b, where, "WHERE", err) != ARM_OK)
        return err->status;
    logical_op *filter = logical_create(b->arena, LOGICAL_FILTER, get);
    if (filter == NULL)
        return error_out_of_memory(err);
    if (binder_split_conjuncts(b, condition, &filter->u.filter.conditions, err) != ARM_OK)
        return err->status;
    *out = filter;
    return ARM_OK;
}

static arm_status bind_set_list(expr **exprs, binder *b, const table_def *def, uint32_t table_index,
                                const ast_stmt *stmt, arm_error *err)
{
    for (uint32_t c = 0; c < def->column_count; c++)
        exprs[c + 1] = NULL;
    for (uint32_t i = 0; i < stmt->u.update.set_count; i++) {
        const ast_ident *id = &stmt->u.update.columns[i];
        const char *name = binder_ident(b, id);
        int c = find_table_column(def, name);
        if (c < 0)
            return unknown_column(def, name, id->position, err);
        if (exprs[c + 1] != NULL)
            return error_set(err, ARM_ERROR_SYNTAX, "42601", id->position,
                             "multiple assignments to same column \"%s\"", name);
        const ast_expr *ast = stmt->u.update.values[i];
        if (is_default_keyword(ast)) {
            if (default_value(&exprs[c + 1], b, def, (uint32_t)c, err) != ARM_OK)
                return err->status;
            continue;
        }
        if (binder_bind_expr(&exprs[c + 1], b, ast, err) != ARM_OK ||
            binder_assign(&exprs[c + 1], b, def->columns[c].type, name, ast->position, err))
            return err->status;
    }
    for (uint32_t c = 0; c < def->column_count; c++)
        if (exprs[c + 1] == NULL &&
            (exprs[c + 1] = binder_column_ref(b, table_index, c, def->columns[c].type)) == NULL)
            return error_out_of_memory(err);
    return ARM_OK;
}

static arm_status bind_update_or_delete(logical_op **out, binder *b, const ast_stmt *stmt,
                                        arm_error *err)
{
    bool is_update = stmt->kind == AST_STMT_UPDATE;
    const ast_name *name = is_update ? &stmt->u.update.table : &stmt->u.delete_.table;
    const ast_ident *alias = is_update ? &stmt->u.update.alias : &stmt->u.delete_.alias;
    const ast_expr *where = is_update ? stmt->u.update.where : stmt->u.delete_.where;
    table_def *def;
    logical_op *input;
    uint32_t table_index;
    if (is_update && stmt->u.update.from != NULL)
        return error_set(err, ARM_ERROR_NOT_SUPPORTED, "0A000", stmt->u.update.from->position,
                         "UPDATE ... FROM is not supported yet");
    if (binder_lookup_table(&def, b, name, err) != ARM_OK ||
        bind_modify_input(&input, &table_index, b, def, alias, where, err) != ARM_OK)
        return err->status;
    uint32_t count = is_update ? def->column_count + 1 : 1;
    logical_op *project = logical_create(b->arena, LOGICAL_PROJECT, input);
    expr **exprs = arena_alloc(b->arena, (count + 1) * sizeof *exprs);
    const char **names = arena_alloc(b->arena, (count + 1) * sizeof *names);
    if (project == NULL || exprs == NULL || names == NULL)
        return error_out_of_memory(err);
    exprs[0] = binder_column_ref(b, table_index, def->column_count, type_make(TYPE_BIGINT));
    names[0] = "rowid";
    if (exprs[0] == NULL)
        return error_out_of_memory(err);
    if (is_update) {
        b->scope->aggregate_error = "aggregate functions are not allowed in UPDATE";
        if (bind_set_list(exprs, b, def, table_index, stmt, err) != ARM_OK)
            return err->status;
        for (uint32_t c = 0; c < def->column_count; c++)
            names[c + 1] = def->columns[c].name;
    }
    project->u.project.table_index = b->next_table_index++;
    project->u.project.exprs = exprs;
    project->u.project.names = names;
    project->u.project.count = count;
    logical_op *modify =
        logical_create(b->arena, is_update ? LOGICAL_UPDATE : LOGICAL_DELETE, project);
    if (modify == NULL)
        return error_out_of_memory(err);
    modify->u.modify.def = def;
    *out = modify;
    return ARM_OK;
}

arm_status binder_bind_dml(logical_op **out, binder *b, const ast_stmt *stmt, arm_error *err)
{
    bind_scope scope;
    bind_scope *saved = b->scope;
    binder_scope_push(b, &scope, NULL);
    arm_status status;
    if (stmt->kind == AST_STMT_INSERT)
        status = bind_insert(out, b, stmt, err);
    else
        status = bind_update_or_delete(out, b, stmt, err);
    b->scope = saved;
    return status;
}
