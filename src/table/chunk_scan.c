/*
 * chunk_scan.c: scans of stored table versions straight from their chunks.
 * Each thread takes the next chunk, reads it from the object store, opens a
 * Parquet reader over the bytes and walks its row groups with one column
 * reader per requested column. Row ids are not offered: old versions are
 * read-only.
 */
#include "table/chunk_scan.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "format/parquet_reader.h"

typedef struct chunk_scan_table {
    table_provider base;
    const table_chunk_io *io;
    char *name;
    catalog_chunk_ref *chunks;
    uint32_t chunk_count;
    uint64_t row_count;
} chunk_scan_table;

typedef struct chunk_scan {
    chunk_scan_table *table;
    uint32_t *column_ids;
    uint32_t column_count;
    _Atomic uint32_t next_chunk;
} chunk_scan;

typedef struct chunk_scan_local {
    parquet_reader *reader; /* the current chunk, or NULL */
    parquet_column_reader **readers;
    uint32_t chunk;
    uint32_t row_group;
    uint32_t batch_in_chunk;
    uint64_t rows_left; /* of the current row group, for scans without columns */
} chunk_scan_local;

static arm_status chunk_scan_begin(table_provider *provider, const table_scan_options *options,
                                   table_scan **out, arm_error *err)
{
    chunk_scan_table *t = (chunk_scan_table *)provider;
    *out = NULL;
    for (uint32_t i = 0; i < options->column_count; i++)
        if (options->column_ids[i] >= t->base.column_count)
            return error_set(err, ARM_ERROR_NOT_SUPPORTED, "0A000", -1,
                             "rows of another version of \"%s\" cannot be changed", t->name);
    chunk_scan *scan = calloc(1, sizeof *scan);
    if (scan == NULL ||
        (scan->column_ids = calloc(options->column_count + 1, sizeof(uint32_t))) == NULL) {
        free(scan);
        return error_out_of_memory(err);
    }
    scan->table = t;
    scan->column_count = options->column_count;
    if (options->column_count > 0)
        memcpy(scan->column_ids, options->column_ids, options->column_count * sizeof(uint32_t));
    atomic_init(&scan->next_chunk, 0);
    *out = (table_scan *)scan;
    return ARM_OK;
}

static arm_status chunk_scan_local_create(table_scan *base, table_scan_local **out, arm_error *err)
{
    chunk_scan *scan = (chunk_scan *)base;
    chunk_scan_local *l = calloc(1, sizeof *l);
    if (l == NULL || (l->readers = calloc(scan->column_count + 1, sizeof *l->readers)) == NULL) {
        free(l);
        return error_out_of_memory(err);
    }
    *out = (table_scan_local *)l;
    return ARM_OK;
}

static void close_row_group(chunk_scan *scan, chunk_scan_local *l)
{
    for (uint32_t k = 0; k < scan->column_count; k++) {
        parquet_column_reader_close(l->readers[k]);
        l->readers[k] = NULL;
    }
}

static void close_chunk(chunk_scan *scan, chunk_scan_local *l)
{
    close_row_group(scan, l);
    parquet_reader_close(l->reader);
    l->reader = NULL;
}

static arm_status open_row_group(chunk_scan *scan, chunk_scan_local *l, arm_error *err)
{
    for (uint32_t k = 0; k < scan->column_count; k++)
        if (parquet_column_reader_open(&l->readers[k], l->reader, l->row_group, scan->column_ids[k],
                                       err) != ARM_OK)
            return err->status;
    l->rows_left = (uint64_t)parquet_reader_row_group_rows(l->reader, l->row_group);
    return ARM_OK;
}

/* Reads the next chunk from the store; false when none is left. */
static arm_status open_next_chunk(chunk_scan *scan, chunk_scan_local *l, bool *done, arm_error *err)
{
    chunk_scan_table *t = scan->table;
    uint32_t next = atomic_fetch_add(&scan->next_chunk, 1);
    *done = next >= t->chunk_count;
    if (*done)
        return ARM_OK;
    uint8_t *bytes = NULL;
    size_t length = 0;
    if (t->io->get(t->io->context, t->chunks[next].object_id, &bytes, &length, err) != ARM_OK)
        return err->status;
    arm_status s = parquet_reader_open_memory(&l->reader, bytes, length, t->name, err);
    free(bytes);
    if (s == ARM_OK && parquet_reader_column_count(l->reader) != t->base.column_count)
        s = error_set(err, ARM_ERROR_CORRUPT, NULL, -1,
                      "a chunk of table \"%s\" has %u columns, the table %u", t->name,
                      parquet_reader_column_count(l->reader), t->base.column_count);
    l->chunk = next;
    l->row_group = 0;
    l->batch_in_chunk = 0;
    if (s == ARM_OK && parquet_reader_row_group_count(l->reader) > 0)
        s = open_row_group(scan, l, err);
    return s;
}

/* The next batch of the current row group: rows read (0 at its end). */
static arm_status read_batch(chunk_scan *scan, chunk_scan_local *l, batch *out, uint32_t *rows,
                             arm_error *err)
{
    *rows = 0;
    for (uint32_t k = 0; k < scan->column_count; k++) {
        uint32_t got = 0;
        if (parquet_column_reader_next(l->readers[k], &out->columns[k], VECTOR_SIZE, &got, err) !=
            ARM_OK)
            return err->status;
        if (k > 0 && got != *rows)
            return error_set(err, ARM_ERROR_CORRUPT, NULL, -1,
                             "a chunk of \"%s\" has columns of different lengths",
                             scan->table->name);
        *rows = got;
    }
    if (scan->column_count == 0) { /* COUNT(*): rows without columns */
        *rows = l->rows_left > VECTOR_SIZE ? VECTOR_SIZE : (uint32_t)l->rows_left;
        l->rows_left -= *rows;
    }
    return ARM_OK;
}

static arm_status chunk_scan_next(table_scan *base, table_scan_local *local, batch *out,
                                  arm_error *err)
{
    chunk_scan *scan = (chunk_scan *)base;
    chunk_scan_local *l = (chunk_scan_local *)local;
    out->count = 0;
    out->sel = NULL;
    for (;;) {
        if (l->reader == NULL) {
            bool done;
            if (open_next_chunk(scan, l, &done, err) != ARM_OK)
                return err->status;
            if (done)
                return ARM_OK;
        }
        uint32_t rows = 0;
        if (l->row_group < parquet_reader_row_group_count(l->reader) &&
            read_batch(scan, l, out, &rows, err) != ARM_OK)
            return err->status;
        if (rows > 0) {
            out->count = rows;
            out->sequence = (uint64_t)l->chunk << 32 | l->batch_in_chunk++;
            return ARM_OK;
        }
        close_row_group(scan, l);
        if (++l->row_group < parquet_reader_row_group_count(l->reader)) {
            if (open_row_group(scan, l, err) != ARM_OK)
                return err->status;
        } else {
            close_chunk(scan, l);
        }
    }
}

static void chunk_scan_local_destroy(table_scan_local *local)
{
    chunk_scan_local *l = (chunk_scan_local *)local;
    for (uint32_t k = 0; l->readers && l->readers[k]; k++)
        parquet_column_reader_close(l->readers[k]);
    parquet_reader_close(l->reader);
    free(l->readers);
    free(l);
}

static void chunk_scan_end(table_scan *base)
{
    chunk_scan *scan = (chunk_scan *)base;
    free(scan->column_ids);
    free(scan);
}

static uint64_t chunk_scan_rows(table_provider *provider)
{
    return ((chunk_scan_table *)provider)->row_count;
}

static void chunk_scan_destroy(table_provider *provider)
{
    chunk_scan_table *t = (chunk_scan_table *)provider;
    for (uint32_t c = 0; c < t->base.column_count && t->base.column_names; c++)
        free(t->base.column_names[c]);
    free(t->base.column_names);
    free(t->base.column_types);
    free(t->chunks);
    free(t->name);
    free(t);
}

static const table_provider_vtable chunk_scan_vtable = {
    .scan_begin = chunk_scan_begin,
    .scan_local_create = chunk_scan_local_create,
    .scan_next = chunk_scan_next,
    .scan_local_destroy = chunk_scan_local_destroy,
    .scan_end = chunk_scan_end,
    .estimated_row_count = chunk_scan_rows,
    .destroy = chunk_scan_destroy,
};

arm_status chunk_scan_create(table_provider **out, const table_chunk_io *io,
                             const catalog_table_version *version, arm_error *err)
{
    *out = NULL;
    uint32_t n = version->def.column_count;
    chunk_scan_table *t = calloc(1, sizeof *t);
    if (t == NULL)
        return error_out_of_memory(err);
    t->base.vtable = &chunk_scan_vtable;
    t->io = io;
    t->name = strdup(version->def.name);
    t->base.column_types = calloc(n + 1, sizeof(logical_type));
    t->base.column_names = calloc(n + 1, sizeof(char *));
    t->chunks = malloc((version->chunk_count + 1) * sizeof *t->chunks);
    bool ok = t->name && t->base.column_types && t->base.column_names && t->chunks;
    for (uint32_t c = 0; ok && c < n; c++) {
        t->base.column_types[c] = version->def.columns[c].type;
        ok = (t->base.column_names[c] = strdup(version->def.columns[c].name)) != NULL;
    }
    t->base.column_count = n;
    if (!ok) {
        chunk_scan_destroy(&t->base);
        return error_out_of_memory(err);
    }
    if (version->chunk_count > 0)
        memcpy(t->chunks, version->chunks, version->chunk_count * sizeof *t->chunks);
    t->chunk_count = version->chunk_count;
    t->row_count = version->row_count;
    *out = &t->base;
    return ARM_OK;
}
