/*
 * parquet_reader.c: opening a Parquet file: magic and footer validation,
 * the thrift footer, the schema walk that maps leaves to our logical types,
 * column chunk statistics and the page index. Page decoding lives in
 * parquet_column_reader.c.
 */
#include "format/parquet_reader_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"

#define SCHEMA_MAX_DEPTH 64

arm_status parquet_reader_corrupt(const parquet_reader *r, const char *column, uint64_t offset,
                                  arm_error *err, const char *fmt, ...)
{
    char message[256];
    va_list args;
    va_start(args, fmt);
    vsnprintf(message, sizeof message, fmt, args);
    va_end(args);
    error_set(err, ARM_ERROR_CORRUPT, NULL, -1, "parquet file is corrupt: %s", message);
    if (column != NULL)
        error_detail(err, "file \"%s\", column \"%s\", byte offset %llu", r->name, column,
                     (unsigned long long)offset);
    else
        error_detail(err, "file \"%s\", byte offset %llu", r->name, (unsigned long long)offset);
    return ARM_ERROR_CORRUPT;
}

arm_status parquet_reader_read_range(parquet_reader *r, uint64_t offset, size_t size, buffer **out,
                                     const uint8_t **data, arm_error *err)
{
    return parquet_reader_read_range_into(r, offset, size, NULL, out, data, err);
}

arm_status parquet_reader_read_range_into(parquet_reader *r, uint64_t offset, size_t size,
                                          buffer *reuse, buffer **out, const uint8_t **data,
                                          arm_error *err)
{
    *out = NULL;
    if (offset > r->file_size || size > r->file_size - offset) {
        buffer_release(reuse);
        return parquet_reader_corrupt(r, NULL, offset, err, "range of %zu bytes outside the file",
                                      size);
    }
    if (r->image != NULL) {
        buffer_release(reuse);
        *out = buffer_retain(r->image);
        *data = (const uint8_t *)r->image->data + offset;
        return ARM_OK;
    }
    if (r->segments != NULL) {
        buffer_release(reuse);
        for (uint32_t i = 0; i < r->segment_count; i++) {
            const parquet_image_segment *g = &r->segments[i];
            if (offset >= g->offset && offset - g->offset <= g->bytes->size_bytes &&
                size <= g->bytes->size_bytes - (offset - g->offset)) {
                *out = buffer_retain(g->bytes);
                *data = (const uint8_t *)g->bytes->data + (offset - g->offset);
                return ARM_OK;
            }
        }
        return parquet_reader_corrupt(r, NULL, offset, err,
                                      "range of %zu bytes outside the parts that were read", size);
    }
    buffer *b = reuse;
    if (b == NULL || !buffer_is_unique(b) || b->capacity_bytes < size) {
        buffer_release(b);
        b = buffer_create(size ? size : 1);
    }
    if (b == NULL)
        return error_out_of_memory(err);
    size_t done = 0;
    while (done < size) {
        ssize_t n = pread(r->fd, (uint8_t *)b->data + done, size - done, (off_t)(offset + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            buffer_release(b);
            error_set(err, ARM_ERROR_IO, NULL, -1, "could not read parquet file \"%s\": %s",
                      r->name, n < 0 ? strerror(errno) : "unexpected end of file");
            return ARM_ERROR_IO;
        }
        done += (size_t)n;
    }
    b->size_bytes = size;
    *out = b;
    *data = b->data;
    return ARM_OK;
}

static arm_status reader_alloc(parquet_reader **out, const char *name, arm_error *err)
{
    parquet_reader *r = calloc(1, sizeof *r);
    if (r == NULL)
        return error_out_of_memory(err);
    r->fd = -1;
    r->arena = arena_create(0, NULL);
    r->name = r->arena ? arena_strdup(r->arena, name) : NULL;
    if (r->name == NULL) {
        arena_destroy(r->arena);
        free(r);
        return error_out_of_memory(err);
    }
    *out = r;
    return ARM_OK;
}

void parquet_reader_close(parquet_reader *r)
{
    if (r == NULL)
        return;
    if (r->fd >= 0)
        close(r->fd);
    buffer_release(r->image);
    for (uint32_t i = 0; i < r->segment_count; i++)
        buffer_release(r->segments[i].bytes);
    free(r->segments);
    buffer_release(r->footer);
    for (uint32_t i = 0; i < r->held_count; i++)
        buffer_release(r->held[i]);
    free(r->held);
    arena_destroy(r->arena);
    free(r);
}

/* ---- schema ---- */

static void leaf_unsupported(parquet_leaf *leaf, arena *a, const char *reason)
{
    leaf->unsupported = ARM_ERROR_NOT_SUPPORTED;
    leaf->unsupported_reason = arena_strdup(a, reason);
    leaf->type = type_make(TYPE_INVALID);
}

static bool resolve_decimal(parquet_leaf *leaf, arena *a, int32_t precision, int32_t scale)
{
    if (precision < 1 || precision > DECIMAL_MAX_PRECISION || scale < 0 || scale > precision) {
        leaf_unsupported(leaf, a, "decimal precision or scale out of range");
        return false;
    }
    leaf->type = type_decimal((uint8_t)precision, (uint8_t)scale);
    return true;
}

static void resolve_int32(parquet_leaf *leaf, arena *a)
{
    const parquet_schema_element *e = leaf->element;
    const parquet_logical_type *lt = &e->logical;
    parquet_converted_type ct = e->converted_type;
    int width = 32;
    bool is_signed = true;
    if (lt->kind == PARQUET_LT_INTEGER) {
        width = lt->bit_width;
        is_signed = lt->is_signed;
    } else if (lt->kind == PARQUET_LT_NONE && ct >= PARQUET_CT_UINT_8 && ct <= PARQUET_CT_INT_64) {
        static const int widths[] = {8, 16, 32, 64};
        width = widths[(ct - PARQUET_CT_UINT_8) % 4];
        is_signed = ct >= PARQUET_CT_INT_8;
    }
    if (width == 8 && is_signed) {
        leaf->type = type_make(TYPE_TINYINT), leaf->convert = PARQUET_CONVERT_I32_TO_I8;
    } else if ((width == 16 && is_signed) || (width == 8 && !is_signed)) {
        leaf->type = type_make(TYPE_SMALLINT), leaf->convert = PARQUET_CONVERT_I32_TO_I16;
    } else if (width == 32 && !is_signed) {
        leaf->type = type_make(TYPE_BIGINT), leaf->convert = PARQUET_CONVERT_U32_TO_I64;
    } else if ((width == 32 && is_signed) || (width == 16 && !is_signed)) {
        leaf->type = type_make(TYPE_INTEGER);
    } else {
        leaf_unsupported(leaf, a, "integer width does not fit INT32");
    }
}

static void resolve_int64(parquet_leaf *leaf, arena *a)
{
    const parquet_schema_element *e = leaf->element;
    const parquet_logical_type *lt = &e->logical;
    parquet_converted_type ct = e->converted_type;
    leaf->type = type_make(TYPE_BIGINT);
    if (lt->kind == PARQUET_LT_TIMESTAMP ||
        (lt->kind == PARQUET_LT_NONE &&
         (ct == PARQUET_CT_TIMESTAMP_MILLIS || ct == PARQUET_CT_TIMESTAMP_MICROS))) {
        parquet_time_unit unit = lt->kind == PARQUET_LT_TIMESTAMP    ? lt->unit
                                 : ct == PARQUET_CT_TIMESTAMP_MILLIS ? PARQUET_MILLIS
                                                                     : PARQUET_MICROS;
        leaf->type = type_make(TYPE_TIMESTAMP);
        leaf->convert = unit == PARQUET_MILLIS  ? PARQUET_CONVERT_MILLIS
                        : unit == PARQUET_NANOS ? PARQUET_CONVERT_NANOS
                                                : PARQUET_CONVERT_NONE;
        return;
    }
    bool is_unsigned = (lt->kind == PARQUET_LT_INTEGER && !lt->is_signed) ||
                       (lt->kind == PARQUET_LT_NONE && ct == PARQUET_CT_UINT_64);
    if (is_unsigned) {
        leaf->type = type_decimal(20, 0);
        leaf->convert = PARQUET_CONVERT_U64_TO_I128;
    } else if (lt->kind == PARQUET_LT_TIME || ct == PARQUET_CT_TIME_MICROS) {
        leaf_unsupported(leaf, a, "TIME columns are not supported");
    }
}

static void resolve_binary(parquet_leaf *leaf)
{
    const parquet_schema_element *e = leaf->element;
    parquet_logical_kind k = e->logical.kind;
    parquet_converted_type ct = e->converted_type;
    bool is_text = k == PARQUET_LT_STRING || k == PARQUET_LT_ENUM || k == PARQUET_LT_JSON ||
                   (k == PARQUET_LT_NONE &&
                    (ct == PARQUET_CT_UTF8 || ct == PARQUET_CT_ENUM || ct == PARQUET_CT_JSON));
    leaf->type = type_make(is_text ? TYPE_VARCHAR : TYPE_BLOB);
    leaf->convert = PARQUET_CONVERT_STRING;
}

static void resolve_fixed(parquet_leaf *leaf, arena *a, bool is_decimal, int32_t precision,
                          int32_t scale)
{
    const parquet_schema_element *e = leaf->element;
    if (e->type_length <= 0) {
        leaf_unsupported(leaf, a, "FIXED_LEN_BYTE_ARRAY without a positive length");
        return;
    }
    leaf->physical_size = (uint32_t)e->type_length;
    if (is_decimal) {
        if (resolve_decimal(leaf, a, precision, scale))
            leaf->convert = PARQUET_CONVERT_DECIMAL_BYTES;
        if (e->type_length > 16)
            leaf_unsupported(leaf, a, "decimal wider than 16 bytes");
    } else if (e->converted_type == PARQUET_CT_INTERVAL && e->type_length == 12) {
        leaf->type = type_make(TYPE_INTERVAL);
        leaf->convert = PARQUET_CONVERT_INTERVAL;
    } else {
        leaf->type = type_make(TYPE_BLOB);
        leaf->convert = PARQUET_CONVERT_STRING;
    }
}

static void resolve_leaf_type(parquet_leaf *leaf, arena *a)
{
    const parquet_schema_element *e = leaf->element;
    bool is_decimal =
        e->logical.kind == PARQUET_LT_DECIMAL ||
        (e->logical.kind == PARQUET_LT_NONE && e->converted_type == PARQUET_CT_DECIMAL);
    int32_t precision =
        e->logical.kind == PARQUET_LT_DECIMAL ? e->logical.decimal_precision : e->precision;
    int32_t scale = e->logical.kind == PARQUET_LT_DECIMAL ? e->logical.decimal_scale : e->scale;
    leaf->convert = PARQUET_CONVERT_NONE;
    leaf->physical_size = 0;
    switch (leaf->physical) {
    case PARQUET_BOOLEAN:
        leaf->type = type_make(TYPE_BOOLEAN);
        leaf->convert = PARQUET_CONVERT_BOOLEAN;
        return;
    case PARQUET_INT32:
        leaf->physical_size = 4;
        if (is_decimal) {
            if (resolve_decimal(leaf, a, precision, scale))
                leaf->convert = precision > DECIMAL_INT64_MAX_PRECISION
                                    ? PARQUET_CONVERT_DECIMAL_BYTES /* never: p <= 9 */
                                    : PARQUET_CONVERT_I32_TO_I64;
            if (precision > 9)
                leaf_unsupported(leaf, a, "decimal precision too large for INT32");
        } else if (e->logical.kind == PARQUET_LT_DATE || e->converted_type == PARQUET_CT_DATE) {
            leaf->type = type_make(TYPE_DATE);
        } else if (e->logical.kind == PARQUET_LT_TIME ||
                   e->converted_type == PARQUET_CT_TIME_MILLIS) {
            leaf_unsupported(leaf, a, "TIME columns are not supported");
        } else {
            resolve_int32(leaf, a);
        }
        return;
    case PARQUET_INT64:
        leaf->physical_size = 8;
        if (is_decimal) {
            if (resolve_decimal(leaf, a, precision, scale) &&
                precision > DECIMAL_INT64_MAX_PRECISION)
                leaf->convert = PARQUET_CONVERT_I64_TO_I128;
        } else {
            resolve_int64(leaf, a);
        }
        return;
    case PARQUET_INT96:
        leaf->physical_size = 12;
        leaf->type = type_make(TYPE_TIMESTAMP);
        leaf->convert = PARQUET_CONVERT_INT96;
        return;
    case PARQUET_FLOAT: leaf->physical_size = 4, leaf->type = type_make(TYPE_REAL); return;
    case PARQUET_DOUBLE: leaf->physical_size = 8, leaf->type = type_make(TYPE_DOUBLE); return;
    case PARQUET_BYTE_ARRAY:
        if (is_decimal) {
            if (resolve_decimal(leaf, a, precision, scale))
                leaf->convert = PARQUET_CONVERT_DECIMAL_BYTES;
        } else {
            resolve_binary(leaf);
        }
        return;
    case PARQUET_FIXED_LEN_BYTE_ARRAY: resolve_fixed(leaf, a, is_decimal, precision, scale); return;
    }
}

typedef struct schema_walk {
    parquet_reader *r;
    uint32_t next;   /* next schema element */
    uint32_t leaves; /* leaves found */
    bool counting;   /* first pass counts leaves only */
} schema_walk;

static arm_status walk_element(schema_walk *w, const char *prefix, uint32_t def, uint32_t rep,
                               bool nested, int depth, arm_error *err);

static arm_status walk_children(schema_walk *w, int32_t count, const char *prefix, uint32_t def,
                                uint32_t rep, bool nested, int depth, arm_error *err)
{
    if (count < 0 || (uint32_t)count > w->r->meta.schema_count - w->next)
        return parquet_reader_corrupt(w->r, NULL, 0, err, "schema has %d children past its end",
                                      count);
    for (int32_t i = 0; i < count; i++) {
        arm_status status = walk_element(w, prefix, def, rep, nested, depth + 1, err);
        if (status != ARM_OK)
            return status;
    }
    return ARM_OK;
}

static arm_status walk_element(schema_walk *w, const char *prefix, uint32_t def, uint32_t rep,
                               bool nested, int depth, arm_error *err)
{
    parquet_reader *r = w->r;
    if (depth > SCHEMA_MAX_DEPTH)
        return parquet_reader_corrupt(r, NULL, 0, err, "schema nested too deep");
    if (w->next >= r->meta.schema_count)
        return parquet_reader_corrupt(r, NULL, 0, err, "schema ends early");
    const parquet_schema_element *e = &r->meta.schema[w->next++];
    parquet_repetition repetition = e->has_repetition ? e->repetition : PARQUET_OPTIONAL;
    if (repetition == PARQUET_OPTIONAL)
        def++;
    else if (repetition == PARQUET_REPEATED)
        def++, rep++;
    else if (repetition != PARQUET_REQUIRED)
        nested = true;
    const char *name = prefix ? arena_printf(r->arena, "%s.%s", prefix, e->name) : e->name;
    if (name == NULL)
        return error_out_of_memory(err);
    if (!e->has_type)
        return walk_children(w, e->num_children, name, def, rep, true, depth, err);
    if (!w->counting) {
        parquet_leaf *leaf = &r->leaves[w->leaves];
        leaf->name = name;
        leaf->element = e;
        leaf->physical = e->type;
        leaf->max_definition = def;
        leaf->max_repetition = rep;
        leaf->is_nested = nested || rep > 0 || def > 1;
        leaf->unsupported = ARM_OK;
        resolve_leaf_type(leaf, r->arena);
        if (leaf->is_nested)
            leaf_unsupported(leaf, r->arena, "nested columns are not supported yet");
    }
    w->leaves++;
    return ARM_OK;
}

static arm_status build_schema(parquet_reader *r, arm_error *err)
{
    if (r->meta.schema_count == 0 || r->meta.schema[0].has_type)
        return parquet_reader_corrupt(r, NULL, 0, err, "schema has no root group");
    for (int pass = 0; pass < 2; pass++) {
        schema_walk w = {r, 1, 0, pass == 0};
        arm_status status =
            walk_children(&w, r->meta.schema[0].num_children, NULL, 0, 0, false, 0, err);
        if (status != ARM_OK)
            return status;
        if (w.next != r->meta.schema_count)
            return parquet_reader_corrupt(r, NULL, 0, err, "schema has %u unused elements",
                                          r->meta.schema_count - w.next);
        if (pass == 0) {
            r->leaf_count = w.leaves;
            r->leaves = arena_zalloc(r->arena, sizeof(parquet_leaf) * (w.leaves + 1));
            if (r->leaves == NULL)
                return error_out_of_memory(err);
        }
    }
    return ARM_OK;
}

static arm_status check_row_groups(parquet_reader *r, arm_error *err)
{
    for (uint32_t g = 0; g < r->meta.row_group_count; g++) {
        const parquet_row_group *rg = &r->meta.row_groups[g];
        if (rg->column_count != r->leaf_count)
            return parquet_reader_corrupt(r, NULL, 0, err,
                                          "row group %u has %u columns, the schema has %u", g,
                                          rg->column_count, r->leaf_count);
        if (rg->num_rows < 0)
            return parquet_reader_corrupt(r, NULL, 0, err, "row group %u has %lld rows", g,
                                          (long long)rg->num_rows);
        for (uint32_t c = 0; c < rg->column_count; c++) {
            if (rg->columns[c].meta.type != r->leaves[c].physical)
                return parquet_reader_corrupt(r, r->leaves[c].name, 0, err,
                                              "column chunk type differs from the schema");
        }
    }
    return ARM_OK;
}

static arm_status read_footer(parquet_reader *r, arm_error *err)
{
    buffer *b = NULL;
    const uint8_t *p;
    if (r->file_size < 12)
        return parquet_reader_corrupt(r, NULL, 0, err, "file of %llu bytes is too small",
                                      (unsigned long long)r->file_size);
    arm_status status = parquet_reader_read_range(r, 0, 4, &b, &p, err);
    if (status != ARM_OK)
        return status;
    bool head_ok = memcmp(p, "PAR1", 4) == 0;
    buffer_release(b);
    if (!head_ok)
        return parquet_reader_corrupt(r, NULL, 0, err, "bad magic at the start of the file");
    uint64_t tail_offset = r->file_size - 8;
    if ((status = parquet_reader_read_range(r, tail_offset, 8, &b, &p, err)) != ARM_OK)
        return status;
    uint32_t footer_size =
        (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    bool tail_ok = memcmp(p + 4, "PAR1", 4) == 0;
    buffer_release(b);
    if (!tail_ok)
        return parquet_reader_corrupt(r, NULL, tail_offset + 4, err,
                                      "bad magic at the end of the file");
    if (footer_size == 0 || footer_size > r->file_size - 12)
        return parquet_reader_corrupt(r, NULL, tail_offset, err,
                                      "footer length %u does not fit the file", footer_size);
    uint64_t footer_offset = tail_offset - footer_size;
    if ((status = parquet_reader_read_range(r, footer_offset, footer_size, &r->footer, &p, err)))
        return status;
    thrift_reader tr;
    thrift_reader_init(&tr, p, footer_size);
    if (!parquet_file_meta_decode(&r->meta, &tr, r->arena)) {
        if (tr.failure && strcmp(tr.failure, "out of memory") == 0)
            return error_out_of_memory(err);
        return parquet_reader_corrupt(r, NULL, footer_offset + tr.failure_offset, err,
                                      "malformed footer metadata (%s)", tr.failure);
    }
    if ((status = build_schema(r, err)) != ARM_OK)
        return status;
    return check_row_groups(r, err);
}

arm_status parquet_reader_open(parquet_reader **out, const char *path, arm_error *err)
{
    parquet_reader *r = NULL;
    *out = NULL;
    arm_status status = reader_alloc(&r, path, err);
    if (status != ARM_OK)
        return status;
    struct stat st;
    r->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (r->fd < 0 || fstat(r->fd, &st) != 0) {
        error_set(err, ARM_ERROR_IO, NULL, -1, "could not open parquet file \"%s\": %s", path,
                  strerror(errno));
        parquet_reader_close(r);
        return ARM_ERROR_IO;
    }
    r->file_size = (uint64_t)st.st_size;
    if ((status = read_footer(r, err)) != ARM_OK) {
        parquet_reader_close(r);
        return status;
    }
    *out = r;
    return ARM_OK;
}

arm_status parquet_reader_open_memory(parquet_reader **out, const void *data, size_t size,
                                      const char *name, arm_error *err)
{
    parquet_reader *r = NULL;
    *out = NULL;
    arm_status status = reader_alloc(&r, name ? name : "<memory>", err);
    if (status != ARM_OK)
        return status;
    r->image = buffer_create(size ? size : 1);
    if (r->image == NULL) {
        parquet_reader_close(r);
        return error_out_of_memory(err);
    }
    if (size > 0)
        memcpy(r->image->data, data, size);
    r->image->size_bytes = size;
    r->file_size = size;
    if ((status = read_footer(r, err)) != ARM_OK) {
        parquet_reader_close(r);
        return status;
    }
    *out = r;
    return ARM_OK;
}

arm_status parquet_reader_open_segments(parquet_reader **out, const parquet_image_segment *segments,
                                        uint32_t count, uint64_t size, const char *name,
                                        arm_error *err)
{
    parquet_reader *r = NULL;
    *out = NULL;
    arm_status status = reader_alloc(&r, name ? name : "<memory>", err);
    if (status != ARM_OK)
        return status;
    r->segments = calloc(count + 1, sizeof *r->segments);
    if (r->segments == NULL) {
        parquet_reader_close(r);
        return error_out_of_memory(err);
    }
    for (uint32_t i = 0; i < count; i++)
        r->segments[r->segment_count++] =
            (parquet_image_segment){segments[i].offset, buffer_retain(segments[i].bytes)};
    r->file_size = size;
    if ((status = read_footer(r, err)) != ARM_OK) {
        parquet_reader_close(r);
        return status;
    }
    *out = r;
    return ARM_OK;
}

/* ---- accessors ---- */

uint32_t parquet_reader_column_count(const parquet_reader *r)
{
    return r->leaf_count;
}

const char *parquet_reader_column_name(const parquet_reader *r, uint32_t column)
{
    return column < r->leaf_count ? r->leaves[column].name : NULL;
}

logical_type parquet_reader_column_type(const parquet_reader *r, uint32_t column)
{
    return column < r->leaf_count ? r->leaves[column].type : type_make(TYPE_INVALID);
}

bool parquet_reader_column_is_nullable(const parquet_reader *r, uint32_t column)
{
    return column < r->leaf_count && r->leaves[column].max_definition > 0;
}

bool parquet_reader_column_field_id(const parquet_reader *r, uint32_t column, int32_t *field_id)
{
    if (column >= r->leaf_count || !r->leaves[column].element->has_field_id)
        return false;
    *field_id = r->leaves[column].element->field_id;
    return true;
}

arm_status parquet_reader_column_check(const parquet_reader *r, uint32_t column, arm_error *err)
{
    if (column >= r->leaf_count)
        return error_set(err, ARM_ERROR_MISUSE, NULL, -1, "parquet column %u out of range", column);
    const parquet_leaf *leaf = &r->leaves[column];
    if (leaf->unsupported == ARM_OK)
        return ARM_OK;
    error_set(err, leaf->unsupported, NULL, -1, "cannot read parquet column \"%s\": %s", leaf->name,
              leaf->unsupported_reason ? leaf->unsupported_reason : "unsupported");
    error_detail(err, "file \"%s\"", r->name);
    return leaf->unsupported;
}

bool parquet_reader_find_column(const parquet_reader *r, const char *name, uint32_t *column)
{
    for (uint32_t i = 0; i < r->leaf_count; i++) {
        if (strcmp(r->leaves[i].name, name) == 0) {
            *column = i;
            return true;
        }
    }
    return false;
}

int64_t parquet_reader_row_count(const parquet_reader *r)
{
    int64_t total = 0;
    for (uint32_t g = 0; g < r->meta.row_group_count; g++)
        total += r->meta.row_groups[g].num_rows;
    return total;
}

uint32_t parquet_reader_row_group_count(const parquet_reader *r)
{
    return r->meta.row_group_count;
}

int64_t parquet_reader_row_group_rows(const parquet_reader *r, uint32_t row_group)
{
    return row_group < r->meta.row_group_count ? r->meta.row_groups[row_group].num_rows : 0;
}

const parquet_file_meta *parquet_reader_metadata(const parquet_reader *r)
{
    return &r->meta;
}

uint64_t parquet_reader_file_size(const parquet_reader *r)
{
    return r->file_size;
}

/* ---- statistics ---- */

int128 parquet_decimal_from_bytes(const uint8_t *data, uint32_t length)
{
    if (length == 0)
        return 0;
    unsigned __int128 v = (data[0] & 0x80) ? ~(unsigned __int128)0 : 0;
    for (uint32_t i = 0; i < length; i++)
        v = (v << 8) | data[i];
    return (int128)v;
}

static int64_t load_le(const uint8_t *p, uint32_t n)
{
    uint64_t v = 0;
    for (uint32_t i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return (int64_t)v;
}

bool parquet_leaf_stat_value(const parquet_leaf *leaf, const uint8_t *data, uint32_t length,
                             value *out)
{
    memset(out, 0, sizeof *out);
    out->type = leaf->type;
    switch (leaf->convert) {
    case PARQUET_CONVERT_BOOLEAN:
        if (length < 1)
            return false;
        out->u.boolean = data[0] != 0;
        return true;
    case PARQUET_CONVERT_NONE:
    case PARQUET_CONVERT_I32_TO_I8:
    case PARQUET_CONVERT_I32_TO_I16:
    case PARQUET_CONVERT_I32_TO_I64:
    case PARQUET_CONVERT_U32_TO_I64:
    case PARQUET_CONVERT_MILLIS:
    case PARQUET_CONVERT_NANOS:
    case PARQUET_CONVERT_I64_TO_I128:
    case PARQUET_CONVERT_U64_TO_I128: break;
    case PARQUET_CONVERT_STRING:
        out->u.str.data = (const char *)data;
        out->u.str.length = length;
        return true;
    case PARQUET_CONVERT_DECIMAL_BYTES:
        if (length == 0 || length > 16)
            return false;
        if (leaf->type.precision > DECIMAL_INT64_MAX_PRECISION)
            out->u.i128 = parquet_decimal_from_bytes(data, length);
        else
            out->u.i64 = (int64_t)parquet_decimal_from_bytes(data, length);
        return true;
    default: return false;
    }
    if (length != leaf->physical_size)
        return false;
    if (leaf->physical == PARQUET_FLOAT) {
        memcpy(&out->u.f32, data, 4);
        return out->u.f32 == out->u.f32;
    }
    if (leaf->physical == PARQUET_DOUBLE) {
        memcpy(&out->u.f64, data, 8);
        return out->u.f64 == out->u.f64;
    }
    int64_t v = load_le(data, length);
    if (length == 4)
        v = (int32_t)v;
    switch (leaf->convert) {
    case PARQUET_CONVERT_U32_TO_I64: v = (uint32_t)v; break;
    case PARQUET_CONVERT_MILLIS: v = (int64_t)((uint64_t)v * 1000); break;
    case PARQUET_CONVERT_NANOS: v = v >= 0 ? v / 1000 : -((-(v + 1)) / 1000) - 1; break;
    case PARQUET_CONVERT_I64_TO_I128: out->u.i128 = v; return true;
    case PARQUET_CONVERT_U64_TO_I128: out->u.i128 = (uint64_t)v; return true;
    default: break;
    }
    out->u.i64 = v;
    return true;
}

static void stats_from_parquet(const parquet_leaf *leaf, const parquet_statistics *s,
                               parquet_column_stats *out)
{
    bool is_unsigned_order = leaf->convert == PARQUET_CONVERT_STRING ||
                             leaf->convert == PARQUET_CONVERT_U32_TO_I64 ||
                             leaf->convert == PARQUET_CONVERT_U64_TO_I128;
    out->has_null_count = s->has_null_count;
    out->null_count = s->null_count;
    if (s->has_min && s->has_max && !(s->min_max_is_legacy && is_unsigned_order)) {
        out->has_min_max = parquet_leaf_stat_value(leaf, s->min.data, s->min.length, &out->min) &&
                           parquet_leaf_stat_value(leaf, s->max.data, s->max.length, &out->max);
    }
}

arm_status parquet_reader_column_stats(const parquet_reader *r, uint32_t row_group, uint32_t column,
                                       parquet_column_stats *out, arm_error *err)
{
    memset(out, 0, sizeof *out);
    if (row_group >= r->meta.row_group_count || column >= r->leaf_count)
        return error_set(err, ARM_ERROR_MISUSE, NULL, -1,
                         "parquet row group or column out of range");
    const parquet_leaf *leaf = &r->leaves[column];
    const parquet_column_meta *m = &r->meta.row_groups[row_group].columns[column].meta;
    out->row_count = r->meta.row_groups[row_group].num_rows;
    out->min = value_null(leaf->type);
    out->max = value_null(leaf->type);
    if (m->has_statistics && leaf->unsupported == ARM_OK)
        stats_from_parquet(leaf, &m->statistics, out);
    return ARM_OK;
}

static arm_status hold_buffer(parquet_reader *r, buffer *b, arm_error *err)
{
    if (r->held_count == r->held_capacity) {
        uint32_t capacity = r->held_capacity ? r->held_capacity * 2 : 8;
        buffer **grown = realloc(r->held, capacity * sizeof *grown);
        if (grown == NULL) {
            buffer_release(b);
            return error_out_of_memory(err);
        }
        r->held = grown;
        r->held_capacity = capacity;
    }
    r->held[r->held_count++] = b;
    return ARM_OK;
}

/* Reads and decodes one page index structure (column index when `ci` is set). */
static arm_status read_index(parquet_reader *r, const parquet_leaf *leaf, int64_t offset,
                             int32_t length, parquet_column_index *ci, parquet_offset_index *oi,
                             arm_error *err)
{
    buffer *b;
    const uint8_t *p;
    if (offset < 0 || length <= 0 || (uint64_t)offset > r->file_size ||
        (uint64_t)length > r->file_size - (uint64_t)offset)
        return parquet_reader_corrupt(r, leaf->name, (uint64_t)offset, err,
                                      "page index outside the file");
    arm_status status = parquet_reader_read_range(r, (uint64_t)offset, (size_t)length, &b, &p, err);
    if (status != ARM_OK || (status = hold_buffer(r, b, err)) != ARM_OK)
        return status;
    thrift_reader tr;
    thrift_reader_init(&tr, p, (size_t)length);
    bool ok = ci ? parquet_column_index_decode(ci, &tr, r->arena)
                 : parquet_offset_index_decode(oi, &tr, r->arena);
    if (!ok)
        return parquet_reader_corrupt(r, leaf->name, (uint64_t)offset + tr.failure_offset, err,
                                      "malformed page index (%s)", tr.failure);
    return ARM_OK;
}

static void fill_page_stats(const parquet_leaf *leaf, const parquet_column_index *ci, uint32_t i,
                            parquet_column_stats *s)
{
    s->min = value_null(leaf->type);
    s->max = value_null(leaf->type);
    if (ci == NULL)
        return;
    if (ci->has_null_counts) {
        s->has_null_count = true;
        s->null_count = ci->null_counts[i];
    }
    if (!ci->null_pages[i] && leaf->unsupported == ARM_OK)
        s->has_min_max = parquet_leaf_stat_value(leaf, ci->min_values[i].data,
                                                 ci->min_values[i].length, &s->min) &&
                         parquet_leaf_stat_value(leaf, ci->max_values[i].data,
                                                 ci->max_values[i].length, &s->max);
}

arm_status parquet_reader_page_index(parquet_reader *r, uint32_t row_group, uint32_t column,
                                     parquet_page_info **pages, uint32_t *page_count,
                                     arm_error *err)
{
    *pages = NULL;
    *page_count = 0;
    if (row_group >= r->meta.row_group_count || column >= r->leaf_count)
        return error_set(err, ARM_ERROR_MISUSE, NULL, -1,
                         "parquet row group or column out of range");
    const parquet_leaf *leaf = &r->leaves[column];
    const parquet_column_chunk *chunk = &r->meta.row_groups[row_group].columns[column];
    int64_t rows = r->meta.row_groups[row_group].num_rows;
    parquet_offset_index oi;
    parquet_column_index ci;
    if (!chunk->has_offset_index)
        return ARM_OK;
    arm_status status =
        read_index(r, leaf, chunk->offset_index_offset, chunk->offset_index_length, NULL, &oi, err);
    if (status != ARM_OK)
        return status;
    bool has_ci = chunk->has_column_index;
    if (has_ci && (status = read_index(r, leaf, chunk->column_index_offset,
                                       chunk->column_index_length, &ci, NULL, err)) != ARM_OK)
        return status;
    if (has_ci && ci.page_count != oi.page_count)
        return parquet_reader_corrupt(r, leaf->name, (uint64_t)chunk->column_index_offset, err,
                                      "column index and offset index differ in page count");
    parquet_page_info *info = arena_zalloc(r->arena, sizeof *info * (oi.page_count + 1));
    if (info == NULL)
        return error_out_of_memory(err);
    for (uint32_t i = 0; i < oi.page_count; i++) {
        const parquet_page_location *loc = &oi.pages[i];
        int64_t next = i + 1 < oi.page_count ? oi.pages[i + 1].first_row_index : rows;
        if (loc->first_row_index < 0 || next < loc->first_row_index || next > rows)
            return parquet_reader_corrupt(r, leaf->name, (uint64_t)chunk->offset_index_offset, err,
                                          "page index rows out of order");
        info[i].offset = loc->offset;
        info[i].size_bytes = loc->compressed_page_size;
        info[i].first_row = loc->first_row_index;
        info[i].row_count = next - loc->first_row_index;
        info[i].stats.row_count = info[i].row_count;
        fill_page_stats(leaf, has_ci ? &ci : NULL, i, &info[i].stats);
    }
    *pages = info;
    *page_count = oi.page_count;
    return ARM_OK;
}
