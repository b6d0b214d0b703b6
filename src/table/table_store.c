/*
 * table_store.c: a table's rows to content-defined Parquet chunks (chunk_table reads them).
 *
 * Boundaries: each row gets a 64-bit fingerprint (a hash of its cells); a
 * gear hash h = (h << 1) + fingerprint rolls over them, so h depends only on
 * the last 64 rows, and a chunk ends after a row where the low bits of h are
 * zero (1 in average_rows) once it holds min_rows, or at max_rows. An insert
 * or delete therefore moves at most the boundaries within 64 rows of it.
 */
#include "table/table_store.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/hash.h"
#include "format/parquet_writer.h"
#include "table/chunk_meta.h"

#define NULL_CELL_HASH 0x243f6a8885a308d3ULL

/* The chunk being written: a memory Parquet writer and its row count. */
typedef struct chunk_cutter {
    const table_chunk_io *io;
    const table_store_options *options;
    table_store_options defaults; /* options when none are given */
    const table_def *def;
    parquet_writer *writer;
    uint64_t rows;
    uint64_t rolling;
    uint64_t skip_rows; /* logical rows at the start that are already stored */
    catalog_chunk_ref *chunks;
    catalog_chunk_stats *stats; /* parallel to chunks; kept chunks have none */
    uint32_t chunk_count;
    uint32_t chunk_capacity;
    zone_map *zones;     /* the open chunk's statistics, one per column */
    char **zone_strings; /* owned copies of string min (2k) and max (2k+1) */
    uint64_t fingerprints[VECTOR_SIZE];
    uint32_t sel[VECTOR_SIZE];
} chunk_cutter;

static uint64_t cell_hash(const vector *v, uint32_t row)
{
    if (!vector_is_valid(v, row))
        return NULL_CELL_HASH;
    if (type_is_string(v->type.id)) {
        const string_view *s = &((const string_view *)v->data)[row];
        return hash_bytes(string_view_data(s), s->length);
    }
    size_t width = type_physical_size(v->type);
    return hash_bytes((const uint8_t *)v->data + (size_t)row * width, width);
}

/* Fingerprints of the batch's logical rows; columns must be flat over its physical rows. */
static void fingerprint_rows(chunk_cutter *c, const batch *b)
{
    for (uint32_t i = 0; i < b->count; i++)
        c->fingerprints[i] = 0x9e3779b97f4a7c15ULL;
    for (uint32_t k = 0; k < b->column_count; k++)
        for (uint32_t i = 0; i < b->count; i++)
            c->fingerprints[i] =
                hash_combine(c->fingerprints[i], cell_hash(&b->columns[k], batch_row(b, i)));
}

/*
 * Chunks are LZ4_RAW-compressed: a cold scan spends its time decompressing,
 * and LZ4 decodes several times faster than ZSTD for about 30% more bytes
 * (docs/decisions.md, "Chunk codec").
 */
#define CHUNK_CODEC PARQUET_CODEC_LZ4_RAW

static arm_status start_chunk(chunk_cutter *c, arm_error *err)
{
    parquet_writer_column columns[256];
    uint32_t n = c->def->column_count;
    parquet_writer_column *cols = n <= 256 ? columns : calloc(n, sizeof *cols);
    if (cols == NULL)
        return error_out_of_memory(err);
    for (uint32_t i = 0; i < n; i++) {
        cols[i].name = c->def->columns[i].name;
        cols[i].type = c->def->columns[i].type;
        cols[i].is_nullable = !c->def->columns[i].is_not_null;
        cols[i].field_id = (int32_t)c->def->columns[i].field_id;
    }
    parquet_writer_options options = PARQUET_WRITER_OPTIONS_INIT;
    options.row_group_rows = c->options->max_rows;
    options.codec = CHUNK_CODEC;
    options.raw_if_incompressible = true;
    options.delta_int64 = true;
    arm_status s = parquet_writer_create_memory(&c->writer, cols, n, &options, err);
    if (cols != columns)
        free(cols);
    c->rows = 0;
    for (uint32_t i = 0; i < n; i++)
        zone_map_init(&c->zones[i], c->def->columns[i].type);
    return s;
}

/* Points a string bound at an owned copy, so it outlives the batch it came from. */
static bool own_bound(value *bound, char **copy)
{
    if (bound->u.str.data == *copy)
        return true;
    char *bytes = malloc(bound->u.str.length + 1);
    if (bytes == NULL)
        return false;
    memcpy(bytes, bound->u.str.data, bound->u.str.length);
    free(*copy);
    *copy = bytes;
    bound->u.str.data = bytes;
    return true;
}

/* Widens the open chunk's statistics by the batch's selected rows. */
static arm_status update_zones(chunk_cutter *c, const batch *b, arm_error *err)
{
    for (uint32_t k = 0; k < b->column_count; k++) {
        zone_map *z = &c->zones[k];
        const vector *v = &b->columns[k];
        for (uint32_t i = 0; i < b->count; i++) {
            uint32_t row = batch_row(b, i);
            zone_map_update(z, v, row, row + 1);
        }
        if (z->has_values && type_is_string(v->type.id) &&
            (!own_bound(&z->min, &c->zone_strings[2 * k]) ||
             !own_bound(&z->max, &c->zone_strings[2 * k + 1])))
            return error_out_of_memory(err);
    }
    return ARM_OK;
}

static arm_status finish_chunk(chunk_cutter *c, arm_error *err)
{
    if (c->writer == NULL)
        return ARM_OK;
    arm_status s = parquet_writer_close(c->writer, NULL, err);
    if (s == ARM_OK && c->chunk_count == c->chunk_capacity) {
        uint32_t capacity = c->chunk_capacity ? 2 * c->chunk_capacity : 16;
        catalog_chunk_ref *grown = realloc(c->chunks, capacity * sizeof *grown);
        if (grown != NULL)
            c->chunks = grown;
        catalog_chunk_stats *stats = grown ? realloc(c->stats, capacity * sizeof *stats) : NULL;
        if (stats == NULL)
            s = error_out_of_memory(err);
        else {
            c->stats = stats;
            c->chunk_capacity = capacity;
        }
    }
    if (s == ARM_OK) {
        size_t size;
        const uint8_t *bytes = parquet_writer_memory(c->writer, &size);
        catalog_chunk_ref *ref = &c->chunks[c->chunk_count];
        catalog_chunk_stats *stats = &c->stats[c->chunk_count];
        memset(ref, 0, sizeof *ref);
        memset(stats, 0, sizeof *stats);
        s = c->io->put(c->io->context, bytes, size, ref->object_id, err);
        ref->row_count = c->rows;
        ref->byte_size = size;
        if (s == ARM_OK)
            s = chunk_meta_encode(c->zones, c->def->column_count, bytes, size, &stats->data,
                                  &stats->length, err);
        c->chunk_count += s == ARM_OK;
    }
    parquet_writer_destroy(c->writer);
    c->writer = NULL;
    c->rows = 0; /* the next chunk starts empty, also within the batch that ended this one */
    return s;
}

/* Writes rows [from, to) of the batch's logical rows into the open chunk. */
static arm_status write_range(chunk_cutter *c, batch *b, uint32_t from, uint32_t to, arm_error *err)
{
    if (to <= from)
        return ARM_OK;
    if (c->writer == NULL && start_chunk(c, err) != ARM_OK)
        return err->status;
    uint32_t *saved_sel = b->sel, saved_count = b->count;
    for (uint32_t i = from; i < to; i++)
        c->sel[i - from] = batch_row(b, i);
    b->sel = c->sel;
    b->count = to - from;
    arm_status s = parquet_writer_write_batch(c->writer, b, err);
    if (s == ARM_OK)
        s = update_zones(c, b, err);
    b->sel = saved_sel;
    b->count = saved_count;
    c->rows += to - from;
    return s;
}

static arm_status cut_batch(chunk_cutter *c, batch *b, arm_error *err)
{
    if (c->skip_rows >= b->count) {
        c->skip_rows -= b->count;
        return ARM_OK;
    }
    if (c->skip_rows > 0) { /* drop the stored prefix of this batch */
        uint32_t skip = (uint32_t)c->skip_rows;
        for (uint32_t i = skip; i < b->count; i++)
            c->sel[i - skip] = batch_row(b, i);
        memcpy(b->sel_storage, c->sel, (b->count - skip) * sizeof *c->sel);
        b->sel = b->sel_storage;
        b->count -= skip;
        c->skip_rows = 0;
    }
    for (uint32_t k = 0; k < b->column_count; k++)
        if (vector_flatten(&b->columns[k], b->sel, b->count, err) != ARM_OK)
            return err->status;
    fingerprint_rows(c, b);
    const table_store_options *o = c->options;
    uint64_t mask = o->average_rows - 1;
    uint32_t start = 0;
    for (uint32_t i = 0; i < b->count; i++) {
        c->rolling = (c->rolling << 1) + c->fingerprints[i];
        uint64_t rows = c->rows + (i + 1 - start);
        if ((rows >= o->min_rows && (c->rolling & mask) == 0) || rows >= o->max_rows) {
            if (write_range(c, b, start, i + 1, err) != ARM_OK || finish_chunk(c, err) != ARM_OK)
                return err->status;
            start = i + 1;
        }
    }
    return write_range(c, b, start, b->count, err);
}

static arm_status cut_each(void *context, batch *b, arm_error *err)
{
    return cut_batch(context, b, err);
}

void table_store_output_dispose(table_store_output *out)
{
    for (uint32_t i = 0; i < out->chunk_count && out->stats != NULL; i++)
        free(out->stats[i].data);
    free(out->stats);
    free(out->chunks);
    memset(out, 0, sizeof *out);
}

static void cutter_destroy(chunk_cutter *c)
{
    parquet_writer_destroy(c->writer);
    for (uint32_t i = 0; c->zone_strings != NULL && i < 2 * c->def->column_count; i++)
        free(c->zone_strings[i]);
    free(c->zone_strings);
    free(c->zones);
    free(c);
}

table_store_options table_store_options_for(uint32_t chunk_rows)
{
    return (table_store_options){chunk_rows / 2, chunk_rows / 2, chunk_rows * 2};
}

arm_status table_store_cut(const table_chunk_io *io, const table_store_options *options,
                           table_provider *const *sources, uint32_t source_count,
                           const table_def *def, const catalog_chunk_ref *kept, uint32_t kept_count,
                           uint64_t skip_rows, table_store_output *out, arm_error *err)
{
    memset(out, 0, sizeof *out);
    chunk_cutter *c = calloc(1, sizeof *c);
    if (c == NULL)
        return error_out_of_memory(err);
    c->io = io;
    c->defaults = table_store_options_for(TABLE_STORE_DEFAULT_CHUNK_ROWS);
    c->options = options ? options : &c->defaults;
    c->def = def;
    c->skip_rows = skip_rows;
    c->zones = calloc(def->column_count + 1, sizeof *c->zones);
    c->zone_strings = calloc(2 * def->column_count + 1, sizeof *c->zone_strings);
    arm_status s = c->zones && c->zone_strings ? ARM_OK : error_out_of_memory(err);
    if (s == ARM_OK && kept_count > 0) {
        c->chunks = malloc(kept_count * sizeof *c->chunks);
        c->stats = calloc(kept_count, sizeof *c->stats);
        if (c->chunks == NULL || c->stats == NULL)
            s = error_out_of_memory(err);
        else {
            memcpy(c->chunks, kept, kept_count * sizeof *c->chunks);
            c->chunk_count = c->chunk_capacity = kept_count;
        }
    }
    for (uint32_t i = 0; i < source_count && s == ARM_OK; i++)
        s = table_scan_each(sources[i], cut_each, c, err);
    if (s == ARM_OK)
        s = finish_chunk(c, err);
    out->chunks = c->chunks;
    out->stats = c->stats;
    out->chunk_count = c->chunk_count;
    cutter_destroy(c);
    if (s != ARM_OK)
        table_store_output_dispose(out);
    return s;
}
