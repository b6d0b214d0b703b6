/*
 * binder_table_function.c: FROM items that are not catalog tables: table
 * functions (read_parquet, read_csv, generate_series, range,
 * arm_log/arm_branches/arm_tags, arm_cache_stats) and tables read at another
 * version, branch or tag.
 */
#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "sql/binder_internal.h"
#include "sql/csv_import.h"
#include "sql/sql_storage.h"
#include "sql/statement_internal.h"
#include "table/parquet_scan.h"
#include "table/series_table.h"
#include "vector/cast.h"

/* A table_def (refcount 1) naming the provider's columns; the def owns the provider. */
static arm_status def_for_provider(table_def **out, binder *b, const char *name,
                                   table_provider *provider, arm_error *err)
{
    table_def def;
    memset(&def, 0, sizeof def);
    def.name = (char *)name;
    def.column_count = provider->column_count;
    def.columns = arena_zalloc(b->arena, (def.column_count + 1) * sizeof *def.columns);
    if (def.columns == NULL) {
        provider->vtable->destroy(provider);
        return error_out_of_memory(err);
    }
    for (uint32_t i = 0; i < def.column_count; i++) {
        def.columns[i].name = provider->column_names[i];
        def.columns[i].type = provider->column_types[i];
    }
    def.provider = provider;
    if ((*out = table_def_copy(&def)) == NULL) {
        provider->vtable->destroy(provider);
        return error_out_of_memory(err);
    }
    return ARM_OK;
}

/* The text of a constant argument (a file name, a pattern). */
static arm_status text_argument(binder *b, const ast_expr *ast, const char *function,
                                const char **out, arm_error *err)
{
    expr *e;
    value v;
    if (binder_bind_expr(&e, b, ast, err) != ARM_OK ||
        binder_coerce(&e, b, type_make(TYPE_VARCHAR), ast->position, err) != ARM_OK ||
        expr_evaluate_constant(e, b->arena, &v, err) != ARM_OK)
        return err->status;
    if (v.is_null)
        return error_set(err, ARM_ERROR_INVALID_INPUT, "22004", ast->position,
                         "%s() needs a file name, not NULL", function);
    char *text = arena_strndup(b->arena, v.u.str.data, v.u.str.length);
    if (text == NULL)
        return error_out_of_memory(err);
    *out = text;
    return ARM_OK;
}

/* read_parquet's files: one text argument or a list of them, each a path or a glob. */
static arm_status parquet_patterns(binder *b, const ast_expr *arg, const char ***out,
                                   uint32_t *count, arm_error *err)
{
    const ast_expr *const *items = (const ast_expr *const *)&arg;
    uint32_t n = 1;
    if (arg->kind == AST_LIST) {
        items = (const ast_expr *const *)arg->u.list.items;
        n = arg->u.list.count;
    }
    if (n == 0)
        return error_set(err, ARM_ERROR_INVALID_INPUT, "22023", arg->position,
                         "read_parquet() needs at least one file in its list");
    const char **patterns = arena_alloc(b->arena, n * sizeof *patterns);
    if (patterns == NULL)
        return error_out_of_memory(err);
    for (uint32_t i = 0; i < n; i++)
        if (text_argument(b, items[i], "read_parquet", &patterns[i], err) != ARM_OK)
            return err->status;
    *out = patterns;
    *count = n;
    return ARM_OK;
}

/*
 * FROM read_parquet('f.parquet'), a glob pattern of files, or a list of
 * either: read_parquet(['a.parquet', 'dir/STAR.parquet']). A read-only table.
 */
static arm_status bind_read_parquet(logical_op **out, binder *b, const ast_table_ref *ref,
                                    arm_error *err)
{
    if (ref->u.function.arg_count != 1)
        return error_set(err, ARM_ERROR_TYPE, "42883", ref->position,
                         "read_parquet() takes one argument: a file name, a glob pattern "
                         "or a list of them");
    const char **patterns;
    uint32_t pattern_count;
    table_provider *provider = NULL;
    table_def *def = NULL;
    if (parquet_patterns(b, ref->u.function.args[0], &patterns, &pattern_count, err) != ARM_OK)
        return err->status;
    if (parquet_scan_create(&provider, patterns, pattern_count, err) != ARM_OK) {
        error_set_position(err, ref->u.function.args[0]->position);
        return err->status;
    }
    if (def_for_provider(&def, b, "read_parquet", provider, err) != ARM_OK ||
        binder_retain_table(b, def, err) != ARM_OK)
        return err->status;
    b->is_volatile_plan = true; /* the files may change between executions */
    const char *alias = ref->alias.name ? binder_ident(b, &ref->alias) : "read_parquet";
    return binder_bind_table(out, b, def, alias, ref, err);
}

/* One character of a read_csv option ('delim', 'quote'). */
static arm_status char_option(const char *name, const char *text, int32_t position, char *out,
                              arm_error *err)
{
    if (strlen(text) != 1)
        return error_set(err, ARM_ERROR_INVALID_INPUT, "22023", position,
                         "read_csv option %s must be one character", name);
    *out = text[0];
    return ARM_OK;
}

/* read_csv's named option `name = value`. */
static arm_status csv_option(binder *b, const ast_expr *arg, csv_import_options *o,
                             bool *header_known, arm_error *err)
{
    const ast_expr *key = arg->u.binary.left;
    const char *name = binder_ident(b, &key->u.column.parts[0]);
    const char *text;
    if (text_argument(b, arg->u.binary.right, "read_csv", &text, err) != ARM_OK)
        return err->status;
    if (strcmp(name, "header") == 0) {
        *header_known = true;
        o->header = strcmp(text, "true") == 0 || strcmp(text, "1") == 0;
        return ARM_OK;
    }
    if (strcmp(name, "delim") == 0 || strcmp(name, "delimiter") == 0 || strcmp(name, "sep") == 0)
        return char_option(name, text, arg->position, &o->delimiter, err);
    if (strcmp(name, "quote") == 0)
        return char_option(name, text, arg->position, &o->quote, err);
    if (strcmp(name, "nullstr") == 0 || strcmp(name, "null") == 0) {
        o->null_text = text;
        return ARM_OK;
    }
    return error_set(err, ARM_ERROR_NOT_FOUND, "42883", arg->position,
                     "read_csv has no option \"%s\" (header, delim, quote, nullstr)", name);
}

/* FROM read_csv('f.csv' [, header = true, delim = ';', quote = '"', nullstr = 'NA']). */
static arm_status bind_read_csv(logical_op **out, binder *b, const ast_table_ref *ref,
                                arm_error *err)
{
    uint32_t n = ref->u.function.arg_count;
    const char *path;
    if (n == 0 || text_argument(b, ref->u.function.args[0], "read_csv", &path, err) != ARM_OK)
        return n == 0 ? error_set(err, ARM_ERROR_TYPE, "42883", ref->position,
                                  "read_csv() needs a file name")
                      : err->status;
    csv_import_options o = {false, ',', '"', ""};
    bool header_known = false;
    for (uint32_t i = 1; i < n; i++) {
        const ast_expr *arg = ref->u.function.args[i];
        bool named = arg->kind == AST_BINARY && strcmp(arg->u.binary.op, "=") == 0 &&
                     arg->u.binary.left->kind == AST_COLUMN_REF &&
                     arg->u.binary.left->u.column.count == 1;
        if (!named)
            return error_set(err, ARM_ERROR_SYNTAX, "42601", arg->position,
                             "read_csv options are written name = value, e.g. header = true");
        if (csv_option(b, arg, &o, &header_known, err) != ARM_OK)
            return err->status;
    }
    table_def *def = NULL;
    if (csv_import_read(&def, path, o, header_known, err) != ARM_OK) {
        error_set_position(err, ref->u.function.args[0]->position);
        return err->status;
    }
    if (binder_retain_table(b, def, err) != ARM_OK)
        return err->status;
    b->is_volatile_plan = true;
    const char *alias = ref->alias.name ? binder_ident(b, &ref->alias) : "read_csv";
    return binder_bind_table(out, b, def, alias, ref, err);
}

/* A bound argument of generate_series() or range(), coerced to `type` and evaluated now. */
static arm_status series_argument(binder *b, expr *e, const ast_expr *ast, const char *function,
                                  logical_type type, value *out, arm_error *err)
{
    if (binder_coerce(&e, b, type, ast->position, err) != ARM_OK)
        return err->status;
    if (!expr_is_constant(e)) {
        error_set(err, ARM_ERROR_NOT_SUPPORTED, "0A000", ast->position,
                  "the arguments of %s() must be constants", function);
        error_hint(err, "Columns of other FROM items, parameters and subqueries are not "
                        "supported as arguments yet.");
        return ARM_ERROR_NOT_SUPPORTED;
    }
    return expr_evaluate_constant(e, b->arena, out, err);
}

/* A series of timestamps: an argument is a DATE, TIMESTAMP or INTERVAL (not an untyped literal). */
static bool is_timestamp_series(binder *b, expr *const *args, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        type_id id = args[i]->type.id;
        if ((id == TYPE_DATE || id == TYPE_TIMESTAMP || id == TYPE_INTERVAL) &&
            !binder_is_untyped(b, args[i]))
            return true;
    }
    return false;
}

/*
 * generate_series()'s or range()'s start, stop and step into `values`:
 * BIGINT (step 1 by default, range(n) starting at 0), or TIMESTAMP (DATE
 * widened) with an INTERVAL step, which has no default.
 */
static arm_status series_arguments(binder *b, const ast_table_ref *ref, const char *function,
                                   value values[3], arm_error *err)
{
    uint32_t n = ref->u.function.arg_count;
    expr *args[3];
    for (uint32_t i = 0; i < n; i++)
        if (binder_bind_expr(&args[i], b, ref->u.function.args[i], err) != ARM_OK)
            return err->status;
    bool is_timestamp = is_timestamp_series(b, args, n);
    if (is_timestamp && n < 3)
        return error_set(err, ARM_ERROR_TYPE, "42883", ref->position,
                         "%s() of timestamps needs a step: an INTERVAL such as INTERVAL '1 day'",
                         function);
    for (uint32_t i = 0; i < n && !is_timestamp; i++) {
        char name[32];
        logical_type type = args[i]->type; /* -9223372036854775808 is a DECIMAL literal */
        bool is_whole = type_is_integer(type.id) || (type.id == TYPE_DECIMAL && type.scale == 0);
        if (!is_whole && !binder_is_untyped(b, args[i]))
            return error_set(err, ARM_ERROR_TYPE, "42883", ref->u.function.args[i]->position,
                             "%s() counts in integers or timestamps, not %s", function,
                             type_format(type, name, sizeof name));
    }
    values[0] = value_bigint(0);
    values[2] = value_bigint(1);
    uint32_t first_slot = n == 1 ? 1 : 0; /* range(n) is range(0, n) */
    for (uint32_t i = 0; i < n; i++) {
        uint32_t slot = first_slot + i;
        type_id id = !is_timestamp ? TYPE_BIGINT : slot == 2 ? TYPE_INTERVAL : TYPE_TIMESTAMP;
        if (series_argument(b, args[i], ref->u.function.args[i], function, type_make(id),
                            &values[slot], err) != ARM_OK)
            return err->status;
    }
    return ARM_OK;
}

/*
 * FROM generate_series(start, stop [, step]) (stop included) and
 * range([start,] stop [, step]) (stop excluded): one column named after the
 * function. The arguments are constants; a NULL among them gives no rows.
 */
static arm_status bind_series(logical_op **out, binder *b, const ast_table_ref *ref,
                              const char *function, arm_error *err)
{
    bool is_range = strcmp(function, "range") == 0;
    uint32_t n = ref->u.function.arg_count;
    if (n < (is_range ? 1u : 2u) || n > 3)
        return error_set(err, ARM_ERROR_TYPE, "42883", ref->position,
                         is_range ? "range() takes 1 to 3 arguments: [start,] stop [, step]"
                                  : "generate_series() takes 2 or 3 arguments: start, stop [, "
                                    "step]");
    value values[3];
    table_provider *provider = NULL;
    table_def *def = NULL;
    if (series_arguments(b, ref, function, values, err) != ARM_OK)
        return err->status;
    if (series_table_create(&provider, function, &values[0], &values[1], &values[2], !is_range,
                            err) != ARM_OK) {
        error_set_position(err, n == 3 ? ref->u.function.args[2]->position : ref->position);
        return err->status;
    }
    if (def_for_provider(&def, b, function, provider, err) != ARM_OK ||
        binder_retain_table(b, def, err) != ARM_OK)
        return err->status;
    const char *alias = ref->alias.name ? binder_ident(b, &ref->alias) : function;
    return binder_bind_table(out, b, def, alias, ref, err);
}

/* FROM arm_cache_stats(): the column cache's counters now. */
static arm_status bind_cache_stats(logical_op **out, binder *b, const ast_table_ref *ref,
                                   arm_error *err)
{
    if (ref->u.function.arg_count > 0)
        return error_set(err, ARM_ERROR_TYPE, "42883", ref->position,
                         "arm_cache_stats() takes no arguments");
    table_def *def = NULL;
    if (statement_cache_stats_table(b->cache, &def, err) != ARM_OK)
        return err->status;
    if (binder_retain_table(b, def, err) != ARM_OK)
        return err->status;
    b->is_volatile_plan = true; /* the counters move with every scan */
    const char *alias = ref->alias.name ? binder_ident(b, &ref->alias) : "arm_cache_stats";
    return binder_bind_table(out, b, def, alias, ref, err);
}

/* A table function in FROM; arm_log(), arm_branches(), arm_tags(): a database folder's history. */
arm_status binder_bind_table_function(logical_op **out, binder *b, const ast_table_ref *ref,
                                      arm_error *err)
{
    const ast_name *name = &ref->u.function.name;
    const char *function = binder_ident(b, &name->parts[name->count - 1]);
    if (name->count == 1 && strcmp(function, "read_parquet") == 0)
        return bind_read_parquet(out, b, ref, err);
    if (name->count == 1 &&
        (strcmp(function, "read_csv") == 0 || strcmp(function, "read_csv_auto") == 0))
        return bind_read_csv(out, b, ref, err);
    if (name->count == 1 && strcmp(function, "arm_cache_stats") == 0)
        return bind_cache_stats(out, b, ref, err);
    if (name->count == 1 &&
        (strcmp(function, "generate_series") == 0 || strcmp(function, "range") == 0))
        return bind_series(out, b, ref, function, err);
    bool history = name->count == 1 &&
                   (strcmp(function, "arm_log") == 0 || strcmp(function, "arm_branches") == 0 ||
                    strcmp(function, "arm_tags") == 0);
    if (!history)
        return error_set(err, ARM_ERROR_NOT_SUPPORTED, "0A000", ref->position,
                         "table function \"%s\" is not supported yet", function);
    if (ref->u.function.arg_count > 0)
        return error_set(err, ARM_ERROR_TYPE, "42883", ref->position, "%s() takes no arguments",
                         function);
    if (b->storage == NULL) {
        error_set(err, ARM_ERROR_NOT_SUPPORTED, "0A000", ref->position,
                  "%s() needs a database folder: this database is in memory", function);
        error_hint(err, "Open a folder (arm PATH) to keep commits, branches and tags.");
        return ARM_ERROR_NOT_SUPPORTED;
    }
    table_def *def = NULL;
    if (sql_storage_history(b->storage, function, &def, err) != ARM_OK)
        return err->status;
    if (binder_retain_table(b, def, err) != ARM_OK)
        return err->status;
    b->is_volatile_plan = true; /* history changes with every commit */
    const char *alias = ref->alias.name ? binder_ident(b, &ref->alias) : function;
    return binder_bind_table(out, b, def, alias, ref, err);
}

/* AS OF TIMESTAMP's expression, evaluated now, in microseconds. */
static arm_status as_of_micros(binder *b, const ast_expr *ast, int64_t *out, arm_error *err)
{
    expr *e;
    value v;
    if (binder_bind_expr(&e, b, ast, err) != ARM_OK ||
        binder_coerce(&e, b, type_make(TYPE_TIMESTAMP), ast->position, err) != ARM_OK ||
        expr_evaluate_constant(e, b->arena, &v, err) != ARM_OK)
        return err->status;
    if (v.is_null)
        return error_set(err, ARM_ERROR_INVALID_INPUT, "22004", ast->position,
                         "AS OF TIMESTAMP needs a time, not NULL");
    *out = v.u.i64;
    return ARM_OK;
}

/* t VERSION n, t AS OF TIMESTAMP '...', t@branch, t@tag: a read-only table of that version. */
arm_status binder_bind_table_version(logical_op **out, binder *b, const ast_table_ref *ref,
                                     const char *alias, arm_error *err)
{
    const ast_name *name = &ref->u.table.name;
    const ast_time_travel *travel = &ref->u.table.travel;
    if (b->storage == NULL) {
        error_set(err, ARM_ERROR_NOT_SUPPORTED, "0A000", ref->position,
                  "versions and branches need a database folder: this database is in memory");
        error_hint(err, "Open a folder (arm PATH) to keep versions.");
        return ARM_ERROR_NOT_SUPPORTED;
    }
    int64_t micros = -1;
    if (travel->as_of_timestamp != NULL &&
        as_of_micros(b, travel->as_of_timestamp, &micros, err) != ARM_OK)
        return err->status;
    const char *branch = travel->branch.name ? binder_ident(b, &travel->branch) : NULL;
    table_def *def = NULL;
    if (sql_storage_open_version(
            b->storage, binder_schema_of(b, name), binder_ident(b, &name->parts[name->count - 1]),
            travel->has_version ? travel->version : -1, micros, branch, &def, err) != ARM_OK) {
        view_def *view = err->status == ARM_ERROR_NOT_FOUND
                             ? catalog_lookup_view(b->catalog, binder_schema_of(b, name),
                                                   binder_ident(b, &name->parts[name->count - 1]))
                             : NULL;
        if (view != NULL) {
            view_def_release(view);
            error_set(err, ARM_ERROR_NOT_SUPPORTED, "0A000", ref->position,
                      "views cannot be read at another version or branch yet");
            error_hint(err, "Read the tables the view uses at that version instead.");
        }
        error_set_position(err, ref->position);
        return err->status;
    }
    if (binder_retain_table(b, def, err) != ARM_OK) /* the statement owns `def` from here */
        return err->status;
    b->is_volatile_plan |= branch != NULL || micros >= 0;
    return binder_bind_table(out, b, def, alias, ref, err);
}
