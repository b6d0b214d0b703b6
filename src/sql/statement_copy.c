/*
 * statement_copy.c: COPY between tables (or queries) and files.
 *   COPY t TO 'f.parquet' [(FORMAT parquet, COMPRESSION zstd|snappy|gzip|lz4|uncompressed,
 *                           ROW_GROUP_SIZE n)]
 *   COPY (SELECT ...) TO 'f.csv' (FORMAT csv, HEADER, DELIMITER ';', NULL 'NA')
 *   COPY t FROM 'f.parquet' | 'f.csv' [(...)]
 * The format comes from FORMAT, else from the file's extension. COPY FROM
 * appends (columns by position, cast to the table's types) and reports the
 * rows copied; a CSV value that does not convert names its line and column.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/error.h"
#include "format/parquet_reader.h"
#include "format/parquet_writer.h"
#include "sql/csv_import.h"
#include "sql/parser.h"
#include "sql/statement_internal.h"
#include "table/table_provider.h"
#include "vector/cast.h"

typedef struct copy_options {
    bool is_csv;
    parquet_writer_options parquet;
    bool header;
    char delimiter;
    char quote;
    const char *null_text;
} copy_options;

static csv_import_options csv_options(const copy_options *c)
{
    csv_import_options o = {c->header, c->delimiter, c->quote, c->null_text};
    return o;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

static arm_status bad_option(const ast_copy_option *o, const char *why, arm_error *err)
{
    return error_set(err, ARM_ERROR_INVALID_INPUT, "22023", o->position, "COPY option %s: %s",
                     o->name, why);
}

static arm_status read_options(const ast_stmt *stmt, copy_options *c, arm_error *err)
{
    parquet_writer_options defaults = PARQUET_WRITER_OPTIONS_INIT;
    c->parquet = defaults;
    c->is_csv = ends_with(stmt->u.copy.path, ".csv") || ends_with(stmt->u.copy.path, ".tsv");
    c->delimiter = ends_with(stmt->u.copy.path, ".tsv") ? '\t' : ',';
    c->quote = '"';
    c->null_text = "";
    c->header = false;
    for (uint32_t i = 0; i < stmt->u.copy.option_count; i++) {
        const ast_copy_option *o = &stmt->u.copy.options[i];
        const char *v = o->value ? o->value : "";
        if (strcmp(o->name, "format") == 0) {
            if (strcasecmp(v, "csv") != 0 && strcasecmp(v, "parquet") != 0)
                return bad_option(o, "expected csv or parquet", err);
            c->is_csv = strcasecmp(v, "csv") == 0;
        } else if (strcmp(o->name, "header") == 0) {
            c->header = o->value == NULL || strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0;
        } else if (strcmp(o->name, "delimiter") == 0 || strcmp(o->name, "delim") == 0) {
            if (strlen(v) != 1)
                return bad_option(o, "the delimiter must be one character", err);
            c->delimiter = v[0];
        } else if (strcmp(o->name, "quote") == 0) {
            if (strlen(v) != 1)
                return bad_option(o, "the quote must be one character", err);
            c->quote = v[0];
        } else if (strcmp(o->name, "null") == 0) {
            c->null_text = v;
        } else if (strcmp(o->name, "compression") == 0 || strcmp(o->name, "codec") == 0) {
            static const struct {
                const char *name;
                parquet_codec_id codec;
            } codecs[] = {{"zstd", PARQUET_CODEC_ZSTD},
                          {"snappy", PARQUET_CODEC_SNAPPY},
                          {"gzip", PARQUET_CODEC_GZIP},
                          {"lz4", PARQUET_CODEC_LZ4_RAW},
                          {"uncompressed", PARQUET_CODEC_UNCOMPRESSED}};
            size_t k = 0;
            while (k < sizeof codecs / sizeof codecs[0] && strcasecmp(v, codecs[k].name) != 0)
                k++;
            if (k == sizeof codecs / sizeof codecs[0])
                return bad_option(o, "expected zstd, snappy, gzip, lz4 or uncompressed", err);
            c->parquet.codec = codecs[k].codec;
        } else if (strcmp(o->name, "row_group_size") == 0) {
            char *end;
            unsigned long long rows = strtoull(v, &end, 10);
            if (*v == '\0' || *end != '\0' || rows == 0)
                return bad_option(o, "expected a positive number of rows", err);
            c->parquet.row_group_rows = rows;
        } else {
            return bad_option(o,
                              "unknown option (FORMAT, HEADER, DELIMITER, QUOTE, NULL, "
                              "COMPRESSION, ROW_GROUP_SIZE)",
                              err);
        }
    }
    return ARM_OK;
}

/* ---- COPY ... TO --------------------------------------------------------------------- */

/*
 * COPY TO streams: the query's batches go to the file as the executor
 * delivers them, in result order, so only rows waiting for earlier ones, and
 * Parquet row groups being gathered or encoded, are in memory. The file is
 * written under a temporary name in the same folder and renamed at the end,
 * so a failing query or write leaves nothing under the target name.
 */
typedef struct copy_target {
    const copy_options *options;
    const plan_node *plan;
    parquet_writer *parquet; /* FORMAT parquet */
    FILE *csv;               /* FORMAT csv */
    const char *path;        /* the target, named in errors */
    const char *temp_path;   /* what is written, renamed to `path` at the end */
} copy_target;

static arm_status cannot_write(const char *path, arm_error *err)
{
    return error_set(err, ARM_ERROR_IO, "58030", -1, "cannot write \"%s\": %s", path,
                     strerror(errno));
}

static void write_csv_field(FILE *f, const char *text, size_t length, const copy_options *c)
{
    bool quote = length == 0 || memchr(text, c->delimiter, length) ||
                 memchr(text, c->quote, length) || memchr(text, '\n', length) ||
                 memchr(text, '\r', length);
    if (!quote) {
        fwrite(text, 1, length, f);
        return;
    }
    fputc(c->quote, f);
    for (size_t i = 0; i < length; i++) {
        if (text[i] == c->quote)
            fputc(c->quote, f);
        fputc(text[i], f);
    }
    fputc(c->quote, f);
}

static arm_status deliver_csv(void *context, const batch *rows, arm_error *err)
{
    copy_target *t = context;
    const copy_options *c = t->options;
    char text[256];
    for (uint32_t i = 0; i < rows->count; i++) {
        for (uint32_t k = 0; k < rows->column_count; k++) {
            if (k > 0)
                fputc(c->delimiter, t->csv);
            value v;
            vector_get_value(&rows->columns[k], i, &v);
            if (v.is_null)
                fputs(c->null_text, t->csv);
            else if (type_is_string(v.type.id) && v.type.id == TYPE_VARCHAR)
                write_csv_field(t->csv, v.u.str.data, v.u.str.length, c);
            else {
                size_t n = value_format(&v, text, sizeof text);
                write_csv_field(t->csv, text, n < sizeof text ? n : sizeof text - 1, c);
            }
        }
        fputc('\n', t->csv);
    }
    return ferror(t->csv) ? cannot_write(t->path, err) : ARM_OK;
}

static arm_status open_csv(copy_target *t, arm_error *err)
{
    const copy_options *c = t->options;
    t->csv = fopen(t->temp_path, "w");
    if (t->csv == NULL)
        return cannot_write(t->path, err);
    for (uint32_t k = 0; c->header && k < t->plan->column_count; k++) {
        if (k > 0)
            fputc(c->delimiter, t->csv);
        write_csv_field(t->csv, t->plan->names[k], strlen(t->plan->names[k]), c);
    }
    if (c->header)
        fputc('\n', t->csv);
    return ARM_OK;
}

static arm_status deliver_parquet(void *context, const batch *rows, arm_error *err)
{
    return parquet_writer_stream_add(((copy_target *)context)->parquet, rows, err);
}

static arm_status work_parquet(void *context, bool is_behind, arm_error *err)
{
    return parquet_writer_stream_work(((copy_target *)context)->parquet, is_behind, err);
}

/* Row groups are encoded on the query's threads; the file does not depend on their number. */
static arm_status open_parquet(copy_target *t, uint32_t thread_count, arm_error *err)
{
    const plan_node *plan = t->plan;
    parquet_writer_column *columns = calloc(plan->column_count + 1, sizeof *columns);
    if (columns == NULL)
        return error_out_of_memory(err);
    for (uint32_t i = 0; i < plan->column_count; i++)
        columns[i] = (parquet_writer_column){plan->names[i], plan->types[i], true, -1};
    arm_status s = parquet_writer_create(&t->parquet, t->temp_path, columns, plan->column_count,
                                         &t->options->parquet, err);
    free(columns);
    if (s == ARM_OK)
        s = parquet_writer_stream_begin(t->parquet, thread_count, err);
    return s;
}

/* Finishes the file under its temporary name (status ARM_OK) or abandons it. */
static arm_status close_target(copy_target *t, arm_status status, arm_error *err)
{
    if (t->parquet != NULL) {
        if (status == ARM_OK)
            status = parquet_writer_stream_end(t->parquet, err);
        if (status == ARM_OK)
            status = parquet_writer_close(t->parquet, NULL, err);
        parquet_writer_destroy(t->parquet);
    }
    if (t->csv != NULL) {
        bool failed = ferror(t->csv) != 0;
        if ((fclose(t->csv) != 0 || failed) && status == ARM_OK)
            status = cannot_write(t->path, err);
    }
    return status;
}

/* Plans the query COPY TO reads: (query), or SELECT * FROM the table. */
static arm_status copy_plan(plan_node **out, binder *b, sql_session *s, const ast_stmt *stmt,
                            arm_error *err)
{
    ast_stmt select;
    memset(&select, 0, sizeof select);
    select.kind = AST_STMT_SELECT;
    select.position = stmt->position;
    if (stmt->u.copy.query != NULL) {
        select.u.query = stmt->u.copy.query;
    } else {
        ast_script script;
        const ast_name *n = &stmt->u.copy.table;
        char *sql = arena_printf(s->arena, "SELECT * FROM \"%s\"%s%s%s", n->parts[0].name,
                                 n->count > 1 ? ".\"" : "", n->count > 1 ? n->parts[1].name : "",
                                 n->count > 1 ? "\"" : "");
        if (sql == NULL)
            return error_out_of_memory(err);
        if (parser_parse(&script, s->arena, sql, err) != ARM_OK)
            return err->status;
        select.u.query = script.statements[0]->u.query;
    }
    return statement_plan(out, b, &select, err);
}

/* Runs the planned query into the file at t->temp_path; *rows receives the rows written. */
static arm_status copy_stream(copy_target *t, sql_session *s, binder *b, plan_node *plan,
                              uint64_t *rows, arm_error *err)
{
    uint32_t threads = statement_thread_count(s);
    result_sink sink = {t->options->is_csv ? deliver_csv : deliver_parquet,
                        t->options->is_csv ? NULL : work_parquet, t, 0};
    if (!t->options->is_csv) { /* room for every thread to complete a group while one lags */
        sink.window_rows = t->options->parquet.row_group_rows * (threads + 1);
        if (sink.window_rows < 64 * VECTOR_SIZE)
            sink.window_rows = 64 * VECTOR_SIZE;
    }
    arm_status st = t->options->is_csv ? open_csv(t, err) : open_parquet(t, threads, err);
    if (st == ARM_OK)
        st = statement_stream_plan(s, b, plan, &sink, rows, err);
    return close_target(t, st, err);
}

static arm_status copy_to(result_set **out, sql_session *s, const ast_stmt *stmt,
                          const copy_options *c, arm_error *err)
{
    static _Atomic uint32_t copies;
    const char *path = stmt->u.copy.path;
    binder b;
    plan_node *plan = NULL;
    uint64_t rows = 0;
    if (statement_binder_init(&b, s, 0, NULL, err) != ARM_OK)
        return err->status;
    arm_status st = copy_plan(&plan, &b, s, stmt, err);
    copy_target t = {.options = c, .plan = plan, .path = path};
    if (st == ARM_OK) {
        t.temp_path = arena_printf(s->arena, "%s.%ld-%u.tmp", path, (long)getpid(),
                                   (unsigned)atomic_fetch_add(&copies, 1));
        st = t.temp_path == NULL ? error_out_of_memory(err)
                                 : copy_stream(&t, s, &b, plan, &rows, err);
    }
    if (st == ARM_OK && rename(t.temp_path, path) != 0)
        st = cannot_write(path, err);
    if (st != ARM_OK && t.temp_path != NULL)
        remove(t.temp_path);
    binder_dispose(&b);
    if (st != ARM_OK)
        return st;
    return result_set_create_empty(out, RESULT_SET_CHANGES, rows, err);
}

/* ---- COPY ... FROM ------------------------------------------------------------------- */

/* Casts the columns of `in` that differ from the table's types, then appends. */
static arm_status append_cast(table_def *def, batch *in, batch *cast, arm_error *err)
{
    for (uint32_t k = 0; k < def->column_count; k++) {
        if (type_equal(in->columns[k].type, def->columns[k].type)) {
            if (vector_reference(&cast->columns[k], &in->columns[k], err) != ARM_OK)
                return err->status;
        } else if (cast_vector(&in->columns[k], &cast->columns[k], def->columns[k].type, NULL,
                               in->count, false, -1, err) != ARM_OK) {
            error_detail(err, "column \"%s\"", def->columns[k].name);
            return err->status;
        }
    }
    cast->count = in->count;
    cast->sel = NULL;
    return def->provider->vtable->append(def->provider, cast, err);
}

static arm_status copy_from_parquet(table_def *def, const char *path, uint64_t *rows,
                                    arm_error *err)
{
    parquet_reader *r = NULL;
    if (parquet_reader_open(&r, path, err) != ARM_OK)
        return err->status;
    arm_status s = ARM_OK;
    uint32_t n = def->column_count;
    if (parquet_reader_column_count(r) != n) {
        s = error_set(err, ARM_ERROR_TYPE, "42804", -1,
                      "\"%s\" has %u columns but table \"%s\" has %u", path,
                      parquet_reader_column_count(r), def->name, n);
        parquet_reader_close(r);
        return s;
    }
    logical_type *types = calloc(n + 1, sizeof *types);
    logical_type *table_types = calloc(n + 1, sizeof *table_types);
    parquet_column_reader **readers = calloc(n + 1, sizeof *readers);
    batch in, cast;
    memset(&in, 0, sizeof in);
    memset(&cast, 0, sizeof cast);
    if (types == NULL || table_types == NULL || readers == NULL)
        s = error_out_of_memory(err);
    for (uint32_t k = 0; k < n && s == ARM_OK; k++) {
        s = parquet_reader_column_check(r, k, err);
        types[k] = parquet_reader_column_type(r, k);
        table_types[k] = def->columns[k].type;
    }
    if (s == ARM_OK && (s = batch_init(&in, n, types, err)) == ARM_OK)
        s = batch_init(&cast, n, table_types, err);
    for (uint32_t g = 0; s == ARM_OK && g < parquet_reader_row_group_count(r); g++) {
        for (uint32_t k = 0; k < n && s == ARM_OK; k++)
            s = parquet_column_reader_open(&readers[k], r, g, k, err);
        while (s == ARM_OK) {
            batch_reset(&in);
            batch_reset(&cast);
            uint32_t got = 0;
            for (uint32_t k = 0; k < n && s == ARM_OK; k++)
                s = parquet_column_reader_next(readers[k], &in.columns[k], VECTOR_SIZE, &got, err);
            if (s != ARM_OK || got == 0)
                break;
            in.count = got;
            if ((s = append_cast(def, &in, &cast, err)) == ARM_OK)
                *rows += got;
        }
        for (uint32_t k = 0; k < n; k++) {
            parquet_column_reader_close(readers[k]);
            readers[k] = NULL;
        }
    }
    batch_dispose(&in);
    batch_dispose(&cast);
    free(types);
    free(table_types);
    free(readers);
    parquet_reader_close(r);
    return s;
}

arm_status statement_copy(result_set **out, sql_session *s, const ast_stmt *stmt, arm_error *err)
{
    copy_options c;
    if (read_options(stmt, &c, err) != ARM_OK)
        return err->status;
    if (!stmt->u.copy.is_from)
        return copy_to(out, s, stmt, &c, err);
    binder b;
    table_def *def = NULL;
    if (statement_binder_init(&b, s, 0, NULL, err) != ARM_OK)
        return err->status;
    uint64_t rows = 0;
    csv_import_options opts = csv_options(&c);
    arm_status st = binder_lookup_table(&def, &b, &stmt->u.copy.table, err);
    if (st == ARM_OK && def->provider->vtable->append == NULL)
        st = error_set(err, ARM_ERROR_MISUSE, "42809", stmt->position,
                       "table \"%s\" cannot be written", def->name);
    if (st == ARM_OK)
        st = c.is_csv ? csv_import_append(def, stmt->u.copy.path, &opts, &rows, err)
                      : copy_from_parquet(def, stmt->u.copy.path, &rows, err);
    binder_dispose(&b);
    if (st != ARM_OK)
        return st;
    return result_set_create_empty(out, RESULT_SET_CHANGES, rows, err);
}
