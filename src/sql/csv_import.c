/*
 * csv_import.c: CSV records into table rows (COPY FROM, read_csv).
 */
#include "sql/csv_import.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/arena.h"
#include "common/error.h"
#include "format/csv_reader.h"
#include "table/memory_table.h"
#include "table/table_provider.h"
#include "vector/cast.h"

/* A CSV batch being filled: field text per column, and the line of each row. */
typedef struct csv_batch {
    batch text;
    batch cast;
    uint64_t lines[VECTOR_SIZE];
} csv_batch;

/* Names the first row of column k that does not convert (the batch cast failed). */
static arm_status bad_csv_value(table_def *def, csv_batch *cb, uint32_t k, const char *path,
                                arm_error *err)
{
    arena *a = arena_create(0, NULL);
    arm_error one;
    for (uint32_t i = 0; i < cb->text.count && a != NULL; i++) {
        value in, out;
        vector_get_value(&cb->text.columns[k], i, &in);
        if (in.is_null || cast_value(&out, &in, def->columns[k].type, a, -1, &one) == ARM_OK)
            continue;
        char type[64];
        type_format(def->columns[k].type, type, sizeof type);
        arena_destroy(a);
        error_set(err, one.status, one.sqlstate, -1,
                  "could not convert \"%.*s\" to %s in \"%s\" line %llu, column \"%s\"",
                  (int)(in.u.str.length > 80 ? 80 : in.u.str.length), in.u.str.data, type, path,
                  (unsigned long long)cb->lines[i], def->columns[k].name);
        return err->status;
    }
    arena_destroy(a);
    return err->status; /* the batch error stands */
}

static arm_status flush_csv(table_def *def, csv_batch *cb, const char *path, uint64_t *rows,
                            arm_error *err)
{
    if (cb->text.count == 0)
        return ARM_OK;
    for (uint32_t k = 0; k < def->column_count; k++) {
        arm_status s =
            def->columns[k].type.id == TYPE_VARCHAR
                ? vector_reference(&cb->cast.columns[k], &cb->text.columns[k], err)
                : cast_vector(&cb->text.columns[k], &cb->cast.columns[k], def->columns[k].type,
                              NULL, cb->text.count, false, -1, err);
        if (s != ARM_OK)
            return bad_csv_value(def, cb, k, path, err);
    }
    cb->cast.count = cb->text.count;
    cb->cast.sel = NULL;
    arm_status s = def->provider->vtable->append(def->provider, &cb->cast, err);
    *rows += cb->text.count;
    batch_reset(&cb->text);
    batch_reset(&cb->cast);
    return s;
}

static arm_status add_csv_record(table_def *def, csv_batch *cb, const csv_field *fields,
                                 const csv_import_options *c, uint64_t line, arm_error *err)
{
    uint32_t row = cb->text.count;
    if (row == 0)
        for (uint32_t k = 0; k < def->column_count; k++)
            if (vector_prepare_flat(&cb->text.columns[k], VECTOR_SIZE, err) != ARM_OK ||
                vector_ensure_validity(&cb->text.columns[k], err) != ARM_OK)
                return err->status;
    for (uint32_t k = 0; k < def->column_count; k++) {
        vector *v = &cb->text.columns[k];
        const csv_field *f = &fields[k];
        vector_set_valid(v, row);
        if (!f->quoted && f->length == strlen(c->null_text) &&
            memcmp(f->text, c->null_text, f->length) == 0)
            vector_set_null(v, row);
        else if (vector_add_string(v, f->text, f->length, &((string_view *)v->data)[row], err) !=
                 ARM_OK)
            return err->status;
    }
    cb->lines[row] = line;
    cb->text.count++;
    return ARM_OK;
}

arm_status csv_import_append(table_def *def, const char *path, const csv_import_options *c,
                             uint64_t *rows, arm_error *err)
{
    csv_reader *r = NULL;
    if (csv_reader_open(&r, path, c->delimiter, c->quote, err) != ARM_OK)
        return err->status;
    uint32_t n = def->column_count;
    logical_type *text_types = calloc(n + 1, sizeof *text_types);
    logical_type *table_types = calloc(n + 1, sizeof *table_types);
    csv_batch *cb = calloc(1, sizeof *cb);
    arm_status s = text_types && table_types && cb ? ARM_OK : error_out_of_memory(err);
    for (uint32_t k = 0; k < n && s == ARM_OK; k++) {
        text_types[k] = type_make(TYPE_VARCHAR);
        table_types[k] = def->columns[k].type;
    }
    if (s == ARM_OK && (s = batch_init(&cb->text, n, text_types, err)) == ARM_OK)
        s = batch_init(&cb->cast, n, table_types, err);
    bool skip_header = c->header;
    while (s == ARM_OK) {
        const csv_field *fields;
        uint32_t count;
        uint64_t line;
        if ((s = csv_reader_next(r, &fields, &count, &line, err)) != ARM_OK || count == 0)
            break;
        if (skip_header) {
            skip_header = false;
            continue;
        }
        if (count != n) {
            s = error_set(err, ARM_ERROR_INVALID_INPUT, "22P04", -1,
                          "\"%s\" line %llu has %u fields but table \"%s\" has %u columns", path,
                          (unsigned long long)line, count, def->name, n);
            break;
        }
        if ((s = add_csv_record(def, cb, fields, c, line, err)) == ARM_OK &&
            cb->text.count == VECTOR_SIZE)
            s = flush_csv(def, cb, path, rows, err);
    }
    if (s == ARM_OK)
        s = flush_csv(def, cb, path, rows, err);
    if (cb) {
        batch_dispose(&cb->text);
        batch_dispose(&cb->cast);
    }
    free(cb);
    free(text_types);
    free(table_types);
    csv_reader_close(r);
    return s;
}

/* ---- read_csv: inferring columns ----------------------------------------------------- */

#define CSV_SAMPLE_RECORDS 20000

/* Candidate types, narrowest first; a column takes the first that every sampled value fits. */
static const type_id candidate_types[] = {TYPE_BOOLEAN, TYPE_BIGINT, TYPE_DOUBLE, TYPE_DATE,
                                          TYPE_TIMESTAMP};
#define CANDIDATE_COUNT (sizeof candidate_types / sizeof candidate_types[0])

typedef struct csv_sample {
    arena *a;
    char **cells; /* record-major, NULL for NULL fields */
    uint32_t column_count;
    uint32_t record_count;
    uint64_t *lines;
} csv_sample;

static bool is_null_field(const csv_field *f, const csv_import_options *o)
{
    return !f->quoted && f->length == strlen(o->null_text) &&
           memcmp(f->text, o->null_text, f->length) == 0;
}

static arm_status read_sample(csv_sample *s, const char *path, const csv_import_options *o,
                              arm_error *err)
{
    csv_reader *r = NULL;
    if (csv_reader_open(&r, path, o->delimiter, o->quote, err) != ARM_OK)
        return err->status;
    arm_status st = ARM_OK;
    uint32_t capacity = 0;
    while (st == ARM_OK && s->record_count < CSV_SAMPLE_RECORDS) {
        const csv_field *fields;
        uint32_t count;
        uint64_t line;
        if ((st = csv_reader_next(r, &fields, &count, &line, err)) != ARM_OK || count == 0)
            break;
        if (s->record_count == 0)
            s->column_count = count;
        if (count != s->column_count) {
            st = error_set(err, ARM_ERROR_INVALID_INPUT, "22P04", -1,
                           "\"%s\" line %llu has %u fields but the first line has %u", path,
                           (unsigned long long)line, count, s->column_count);
            break;
        }
        if (s->record_count == capacity) {
            uint32_t grown = capacity ? 2 * capacity : 64;
            s->cells = arena_realloc(s->a, s->cells, (size_t)capacity * count * sizeof(char *),
                                     (size_t)grown * count * sizeof(char *));
            s->lines = arena_realloc(s->a, s->lines, capacity * sizeof(uint64_t),
                                     grown * sizeof(uint64_t));
            if (s->cells == NULL || s->lines == NULL) {
                st = error_out_of_memory(err);
                break;
            }
            capacity = grown;
        }
        for (uint32_t k = 0; k < count && st == ARM_OK; k++) {
            char **cell = &s->cells[(size_t)s->record_count * count + k];
            *cell = is_null_field(&fields[k], o)
                        ? NULL
                        : arena_strndup(s->a, fields[k].text, fields[k].length);
            if (*cell == NULL && !is_null_field(&fields[k], o))
                st = error_out_of_memory(err);
        }
        s->lines[s->record_count++] = line;
    }
    csv_reader_close(r);
    return st;
}

static bool text_fits(arena *a, const char *text, type_id type)
{
    if (type == TYPE_BOOLEAN) /* 0/1 and t/f stay numbers and text: only the words */
        return strcasecmp(text, "true") == 0 || strcasecmp(text, "false") == 0;
    value in = value_varchar(text, (uint32_t)strlen(text)), out;
    arm_error ignored;
    return *text != '\0' && cast_value(&out, &in, type_make(type), a, -1, &ignored) == ARM_OK;
}

/* The narrowest candidate every non-NULL sample value of column k (from `first`) fits. */
static logical_type infer_column(csv_sample *s, uint32_t k, uint32_t first)
{
    bool fits[CANDIDATE_COUNT];
    for (size_t t = 0; t < CANDIDATE_COUNT; t++)
        fits[t] = true;
    bool any = false;
    for (uint32_t i = first; i < s->record_count; i++) {
        const char *cell = s->cells[(size_t)i * s->column_count + k];
        if (cell == NULL)
            continue;
        any = true;
        for (size_t t = 0; t < CANDIDATE_COUNT; t++)
            fits[t] = fits[t] && text_fits(s->a, cell, candidate_types[t]);
    }
    for (size_t t = 0; any && t < CANDIDATE_COUNT; t++)
        if (fits[t])
            return type_make(candidate_types[t]);
    return type_make(TYPE_VARCHAR);
}

/*
 * The first record is a header when some typed column's first value does
 * not fit that column's type, or when every column is text (files of only
 * text columns nearly always name them).
 */
static bool looks_like_header(csv_sample *s, const logical_type *types)
{
    if (s->record_count < 2)
        return false;
    bool all_text = true;
    for (uint32_t k = 0; k < s->column_count; k++) {
        const char *cell = s->cells[k];
        if (types[k].id == TYPE_VARCHAR)
            continue;
        all_text = false;
        if (cell == NULL || !text_fits(s->a, cell, types[k].id))
            return true;
    }
    return all_text;
}

static char *column_name(csv_sample *s, bool header, uint32_t k)
{
    const char *given = header ? s->cells[k] : NULL;
    if (given == NULL || *given == '\0')
        return arena_printf(s->a, "column%u", k);
    char *name = arena_strdup(s->a, given);
    for (char *c = name; c && *c; c++) /* names fold to lower case, as unquoted SQL names do */
        *c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
    for (uint32_t j = 0; name && j < k; j++) /* a repeated name gets its position */
        if (header && s->cells[j] && strcasecmp(s->cells[j], given) == 0)
            return arena_printf(s->a, "%s_%u", name, k);
    return name;
}

arm_status csv_import_read(table_def **out, const char *path, csv_import_options options,
                           bool header_known, arm_error *err)
{
    *out = NULL;
    csv_sample s;
    memset(&s, 0, sizeof s);
    if ((s.a = arena_create(0, NULL)) == NULL)
        return error_out_of_memory(err);
    arm_status st = read_sample(&s, path, &options, err);
    if (st == ARM_OK && s.record_count == 0)
        st = error_set(err, ARM_ERROR_INVALID_INPUT, "22P04", -1, "\"%s\" has no records", path);
    logical_type *types = NULL;
    column_def *columns = NULL;
    if (st == ARM_OK) {
        types = arena_zalloc(s.a, s.column_count * sizeof *types);
        columns = arena_zalloc(s.a, s.column_count * sizeof *columns);
        if (types == NULL || columns == NULL)
            st = error_out_of_memory(err);
    }
    for (uint32_t k = 0; st == ARM_OK && k < s.column_count; k++)
        types[k] = infer_column(&s, k, 1);
    if (st == ARM_OK && !header_known)
        options.header = looks_like_header(&s, types);
    for (uint32_t k = 0; st == ARM_OK && k < s.column_count; k++) {
        columns[k].type = options.header ? types[k] : infer_column(&s, k, 0);
        if ((columns[k].name = column_name(&s, options.header, k)) == NULL)
            st = error_out_of_memory(err);
    }
    table_def def;
    memset(&def, 0, sizeof def);
    def.name = "read_csv";
    def.columns = columns;
    def.column_count = s.column_count;
    if (st == ARM_OK)
        st = memory_table_create(&def.provider, &def, err);
    uint64_t rows = 0;
    if (st == ARM_OK)
        st = csv_import_append(&def, path, &options, &rows, err);
    if (st == ARM_OK && (*out = table_def_copy(&def)) == NULL)
        st = error_out_of_memory(err);
    if (st != ARM_OK && def.provider != NULL)
        def.provider->vtable->destroy(def.provider);
    arena_destroy(s.a);
    return st;
}
