/*
 * statement_append.c: rows that come from C (the API's appender) instead of
 * SQL text. The table is resolved once by name, as INSERT's binder resolves
 * it; each batch then goes to the table's provider as INSERT's sink sends
 * its rows (constraints checked there, all or nothing, charged to the memory
 * limit). sql.c wraps each write in the writer lock and autocommit.
 */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "sql/parser.h"
#include "sql/statement_internal.h"
#include "table/table_provider.h"

/*
 * Read-only tables are refused when written, not when resolved: a session
 * that is not writing resolves against the last commit, whose tables are
 * all read-only snapshots.
 */
static arm_status refuse_read_only(const table_def *def, arm_error *err)
{
    if (def->provider != NULL && def->provider->vtable->append != NULL)
        return ARM_OK;
    return error_set(err, ARM_ERROR_NOT_SUPPORTED, NULL, -1, "table \"%s\" is read-only",
                     def->name);
}

/* A view has no rows of its own to append to: say so rather than "does not exist". */
static arm_status refuse_view(binder *b, const ast_name *name, arm_error *err)
{
    const char *schema = name->count >= 2 ? binder_ident(b, &name->parts[name->count - 2]) : NULL;
    const char *table = binder_ident(b, &name->parts[name->count - 1]);
    view_def *view = catalog_lookup_view(b->catalog, schema, table);
    if (view == NULL)
        return ARM_OK;
    view_def_release(view);
    error_set(err, ARM_ERROR_NOT_SUPPORTED, "42809", name->position, "cannot append to view \"%s\"",
              table);
    error_hint(err, "Append to the table the view reads from.");
    return ARM_ERROR_NOT_SUPPORTED;
}

static char *copy_text(const char *text)
{
    return text == NULL ? NULL : strdup(text);
}

static arm_status copy_target(sql_append_target *out, const table_def *def, arm_error *err)
{
    uint32_t n = def->column_count;
    out->schema_name = copy_text(def->schema_name);
    out->name = copy_text(def->name);
    out->column_types = calloc(n ? n : 1, sizeof *out->column_types);
    out->column_names = calloc(n ? n : 1, sizeof *out->column_names);
    if ((def->schema_name != NULL && out->schema_name == NULL) || out->name == NULL ||
        out->column_types == NULL || out->column_names == NULL)
        return error_out_of_memory(err);
    out->column_count = n;
    for (uint32_t c = 0; c < n; c++) {
        out->column_types[c] = def->columns[c].type;
        if ((out->column_names[c] = strdup(def->columns[c].name)) == NULL)
            return error_out_of_memory(err);
    }
    return ARM_OK;
}

arm_status statement_append_resolve(sql_append_target *out, sql_session *s, const char *name,
                                    arm_error *err)
{
    ast_name parsed;
    binder b;
    if (parser_parse_name(&parsed, s->arena, name, err) != ARM_OK ||
        statement_binder_init(&b, s, 0, NULL, err) != ARM_OK)
        return err->status;
    table_def *def = NULL;
    arm_status status = refuse_view(&b, &parsed, err);
    if (status == ARM_OK)
        status = binder_lookup_table(&def, &b, &parsed, err);
    if (status == ARM_OK)
        status = copy_target(out, def, err);
    binder_dispose(&b);
    return status;
}

/* The table as the appender resolved it may have been dropped or altered since. */
static arm_status check_unchanged(const table_def *def, const sql_append_target *t, arm_error *err)
{
    if (def == NULL) {
        error_set(err, ARM_ERROR_NOT_FOUND, "42P01", -1, "relation \"%s\" does not exist", t->name);
        error_detail(err, "It was dropped after the appender was opened.");
        return ARM_ERROR_NOT_FOUND;
    }
    bool same = def->column_count == t->column_count;
    for (uint32_t c = 0; same && c < t->column_count; c++)
        same = type_equal(def->columns[c].type, t->column_types[c]);
    if (same)
        return refuse_read_only(def, err);
    error_set(err, ARM_ERROR_NOT_SUPPORTED, "0A000", -1,
              "the columns of table \"%s\" changed after the appender was opened", t->name);
    error_hint(err, "Close the appender and open a new one.");
    return ARM_ERROR_NOT_SUPPORTED;
}

/* What the rows hold, charged like the rows an INSERT collects (strings: their views). */
static int64_t rows_bytes(const batch *rows)
{
    int64_t bytes = 0;
    for (uint32_t c = 0; c < rows->column_count; c++)
        bytes +=
            (int64_t)type_physical_size(rows->columns[c].type) * rows->count + rows->count / 8 + 64;
    return bytes;
}

arm_status statement_append(sql_session *s, const sql_append_target *t, const batch *rows,
                            arm_error *err)
{
    if (rows->sel != NULL || rows->column_count != t->column_count)
        return error_internal(err, "appended rows do not have the table's columns");
    table_def *def = catalog_lookup_table(statement_catalog(s), t->schema_name, t->name);
    arm_status status = check_unchanged(def, t, err);
    memory_budget budget;
    memory_budget_init(&budget, atomic_load(&s->db->memory_limit_bytes), &s->db->budget);
    int64_t bytes = rows_bytes(rows);
    if (status == ARM_OK)
        status = memory_budget_reserve_or_error(&budget, bytes, "appended rows", err);
    if (status == ARM_OK) {
        table_provider *provider = def->provider;
        status = provider->vtable->append(provider, rows, err);
        memory_budget_release(&budget, bytes);
    }
    table_def_release(def);
    return status;
}
