/*
 * chunk_table.c: scans of stored tables straight from their chunks.
 *
 * Each thread takes the next chunk. A chunk whose statistics rule out a
 * filter, or whose rows are all deleted, is skipped unread. Otherwise every
 * requested column comes from the column cache or, on a miss, is decoded
 * from the chunk's object (read once per chunk for all missing columns) and
 * offered to the cache. Batches reference the cached vectors without
 * copying; deleted rows are left out through the selection vector. The
 * tail of appended rows is scanned last, through its own memory table.
 */
#include "table/chunk_table_internal.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "format/parquet_reader.h"
#include "format/roaring.h"
#include "store/object_store.h"
#include "table/memory_table.h"

static const table_provider_vtable chunk_table_vtable;
static const table_provider_vtable chunk_table_read_only_vtable;

bool chunk_table_is(const table_provider *t)
{
    return t != NULL &&
           (t->vtable == &chunk_table_vtable || t->vtable == &chunk_table_read_only_vtable);
}

static uint64_t live_rows(const chunk_table *t, uint32_t c)
{
    return t->chunks[c].row_count - t->deleted_counts[c];
}

/* ---- scans --------------------------------------------------------------------------------- */

typedef struct ct_scan {
    chunk_table *table;
    uint32_t *column_ids;
    uint32_t column_count;
    table_filter *filters;
    uint32_t filter_count;
    buffer **deletes; /* the deletion bitmaps when the scan began (retained) */
    uint64_t *deleted_counts;
    uint32_t chunk_count;
    _Atomic uint32_t next_chunk;
    table_scan *tail_scan; /* NULL: no tail rows to read */
    uint32_t row_id_slot;  /* index in column_ids of the row id column, or UINT32_MAX */
} ct_scan;

typedef struct ct_local {
    ct_scan *scan; /* to release what the local holds */
    bool open;
    bool in_tail;
    uint32_t chunk;
    cached_column **columns; /* per requested column; NULL for the row id */
    uint32_t *missing;       /* columns of the open chunk the cache did not have */
    uint32_t vector;
    uint32_t vector_count;
    uint64_t position; /* the current vector's first row in the chunk */
    parquet_reader *reader;
    table_scan_local *tail_local;
} ct_local;

static bool chunk_may_match(const ct_scan *scan, uint32_t c)
{
    const chunk_table *t = scan->table;
    if (scan->deletes[c] != NULL &&
        scan->deleted_counts[c] >= t->chunks[c].row_count) /* every row deleted */
        return false;
    if (!t->has_zones[c])
        return true;
    for (uint32_t f = 0; f < scan->filter_count; f++) {
        uint32_t column = scan->column_ids[scan->filters[f].column];
        if (column != TABLE_COLUMN_ROW_ID &&
            !zone_map_may_match(&t->zones[(size_t)c * t->base.column_count + column],
                                &scan->filters[f]))
            return false;
    }
    return true;
}

/* Releases what a scan holds (also a half-built one). */
static void ct_scan_free(ct_scan *scan)
{
    if (scan->tail_scan != NULL)
        scan->table->tail->vtable->scan_end(scan->tail_scan);
    for (uint32_t c = 0; scan->deletes != NULL && c < scan->chunk_count; c++)
        buffer_release(scan->deletes[c]);
    free(scan->deletes);
    free(scan->deleted_counts);
    free(scan->column_ids);
    free(scan->filters);
    free(scan);
}

/*
 * A scan of the working state (the writer's view: tail and new deletes), or
 * with options->committed_only of what the last commit holds. `locked`: the
 * caller holds t->lock (the writer's own helpers).
 */
static arm_status ct_scan_begin_common(chunk_table *t, const table_scan_options *options,
                                       bool locked, ct_scan **out, arm_error *err)
{
    *out = NULL;
    ct_scan *scan = calloc(1, sizeof *scan);
    if (scan == NULL)
        return error_out_of_memory(err);
    scan->table = t;
    scan->row_id_slot = UINT32_MAX;
    scan->column_count = options->column_count;
    scan->filter_count = options->filter_count;
    scan->column_ids = calloc(options->column_count + 1, sizeof *scan->column_ids);
    scan->filters = calloc(options->filter_count + 1, sizeof *scan->filters);
    scan->deletes = calloc(t->chunk_count + 1, sizeof *scan->deletes);
    scan->deleted_counts = calloc(t->chunk_count + 1, sizeof *scan->deleted_counts);
    arm_status s = scan->column_ids && scan->filters && scan->deletes && scan->deleted_counts
                       ? ARM_OK
                       : error_out_of_memory(err);
    for (uint32_t i = 0; s == ARM_OK && i < options->column_count; i++) {
        scan->column_ids[i] = options->column_ids[i];
        if (options->column_ids[i] == TABLE_COLUMN_ROW_ID) {
            if (!t->writable)
                s = error_set(err, ARM_ERROR_NOT_SUPPORTED, "0A000", -1,
                              "rows of another version of \"%s\" cannot be changed", t->name);
            scan->row_id_slot = i;
        } else if (options->column_ids[i] >= t->base.column_count) {
            s = error_internal(err, "scan of a column the table does not have");
        }
    }
    if (s == ARM_OK && options->filter_count > 0)
        memcpy(scan->filters, options->filters, options->filter_count * sizeof *scan->filters);
    bool committed = options->committed_only;
    if (!locked)
        pthread_mutex_lock(&t->lock);
    scan->chunk_count = t->chunk_count;
    for (uint32_t c = 0; s == ARM_OK && c < t->chunk_count; c++) {
        scan->deletes[c] = buffer_retain(committed ? t->committed_deletes[c] : t->deletes[c]);
        scan->deleted_counts[c] = committed ? t->committed_counts[c] : t->deleted_counts[c];
    }
    if (s == ARM_OK && !committed && t->tail != NULL)
        s = t->tail->vtable->scan_begin(t->tail, options, &scan->tail_scan, err);
    if (!locked)
        pthread_mutex_unlock(&t->lock);
    atomic_init(&scan->next_chunk, 0);
    if (s != ARM_OK) {
        ct_scan_free(scan);
        return s;
    }
    *out = scan;
    return ARM_OK;
}

static arm_status ct_scan_begin(table_provider *provider, const table_scan_options *options,
                                table_scan **out, arm_error *err)
{
    return ct_scan_begin_common((chunk_table *)provider, options, false, (ct_scan **)out, err);
}

static arm_status ct_local_create(table_scan *base, table_scan_local **out, arm_error *err)
{
    ct_scan *scan = (ct_scan *)base;
    ct_local *l = calloc(1, sizeof *l);
    if (l == NULL || (l->columns = calloc(scan->column_count + 1, sizeof *l->columns)) == NULL ||
        (l->missing = calloc(scan->column_count + 1, sizeof *l->missing)) == NULL) {
        if (l != NULL)
            free(l->columns);
        free(l);
        return error_out_of_memory(err);
    }
    l->scan = scan;
    if (scan->tail_scan != NULL) {
        table_provider *tail = scan->table->tail;
        if (tail->vtable->scan_local_create(scan->tail_scan, &l->tail_local, err) != ARM_OK) {
            free(l->columns);
            free(l->missing);
            free(l);
            return err->status;
        }
    }
    *out = (table_scan_local *)l;
    return ARM_OK;
}

static void close_chunk(ct_scan *scan, ct_local *l)
{
    for (uint32_t k = 0; k < scan->column_count; k++) {
        cached_column_release(l->columns[k]);
        l->columns[k] = NULL;
    }
    parquet_reader_close(l->reader);
    l->reader = NULL;
    l->open = false;
}

/* Says which table a missing or damaged object belongs to. */
static arm_status unreadable(const chunk_table *t, const arm_error *cause, arm_error *err)
{
    arm_error copy = *cause;
    error_set(err, copy.status, copy.sqlstate[0] ? copy.sqlstate : NULL, -1,
              "cannot read table \"%s\": %s", t->name, copy.message);
    if (copy.detail[0])
        error_detail(err, "%s", copy.detail);
    if (copy.hint[0])
        error_hint(err, "%s", copy.hint);
    return err->status;
}

/* A range of chunk `c` that does not match the digest recorded when it was written. */
static arm_status damaged_range(const chunk_table *t, uint32_t c, const char *what, arm_error *err)
{
    char hex[OBJECT_ID_HEX_SIZE];
    object_id_format(t->chunks[c].object_id, hex);
    error_set(err, ARM_ERROR_CORRUPT, "XX001", -1,
              "cannot read table \"%s\": object %s is damaged: %s does not match its digest",
              t->name, hex, what);
    return ARM_ERROR_CORRUPT;
}

/*
 * Reads each range into its own (pooled) buffer, from the 8-byte boundary at or before it
 * so that page values keep the alignment the writer gave them in the file: batches then
 * use them in place and keep only their own column's bytes alive.
 */
static arm_status read_segments(chunk_table *t, uint32_t c, const object_range *ranges,
                                uint32_t count, parquet_image_segment *segments, arm_error *err)
{
    object_range *reads = calloc(count + 1, sizeof *reads);
    if (reads == NULL)
        return error_out_of_memory(err);
    arm_status s = ARM_OK;
    for (uint32_t i = 0; i < count && s == ARM_OK; i++) {
        uint64_t start = ranges[i].offset & ~(uint64_t)7;
        size_t length = (size_t)(ranges[i].offset - start) + ranges[i].length;
        buffer *b = buffer_create(length ? length : 1);
        if (b == NULL) {
            s = error_out_of_memory(err);
            break;
        }
        b->size_bytes = length;
        segments[i] = (parquet_image_segment){start, b};
        reads[i] = (object_range){start, length, b->data};
    }
    if (s == ARM_OK && t->io->read_ranges(t->io->context, t->chunks[c].object_id,
                                          t->layouts[c].file_size, reads, count, err))
        s = unreadable(t, err, err);
    free(reads);
    return s;
}

/* Where range `r` is in `g`, the segment read for it. */
static const uint8_t *range_bytes(const parquet_image_segment *g, const object_range *r)
{
    return (const uint8_t *)g->bytes->data + (r->offset - g->offset);
}

/*
 * Whether every row group's chunk of `column`, as the footer places it,
 * lies inside the range [offset, offset + length) that was verified.
 */
static bool column_inside(const parquet_reader *r, uint32_t column, uint64_t offset,
                          uint64_t length)
{
    const parquet_file_meta *meta = parquet_reader_metadata(r);
    for (uint32_t g = 0; g < meta->row_group_count; g++) {
        const parquet_column_meta *m = &meta->row_groups[g].columns[column].meta;
        int64_t begin = m->data_page_offset;
        if (m->has_dictionary_page_offset && m->dictionary_page_offset > 0 &&
            m->dictionary_page_offset < begin)
            begin = m->dictionary_page_offset;
        if (begin < 0 || m->total_compressed_size < 0 || (uint64_t)begin < offset ||
            (uint64_t)m->total_compressed_size > length ||
            (uint64_t)begin - offset > length - (uint64_t)m->total_compressed_size)
            return false;
    }
    return true;
}

/* Checks the header, the footer and each column's range against their digests. */
static arm_status verify_ranges(const chunk_table *t, uint32_t c, const uint32_t *columns,
                                uint32_t count, const object_range *ranges,
                                const parquet_image_segment *segments, arm_error *err)
{
    const chunk_layout *layout = &t->layouts[c];
    if (memcmp(range_bytes(&segments[0], &ranges[0]), "PAR1", 4) != 0)
        return damaged_range(t, c, "its header", err);
    if (!chunk_layout_digest_matches(layout, layout->digests[0],
                                     range_bytes(&segments[1], &ranges[1]), ranges[1].length))
        return damaged_range(t, c, "its footer", err);
    for (uint32_t k = 0; k < count; k++)
        if (!chunk_layout_digest_matches(layout, layout->digests[1 + columns[k]],
                                         range_bytes(&segments[2 + k], &ranges[2 + k]),
                                         ranges[2 + k].length))
            return damaged_range(t, c, "a column's data", err);
    return ARM_OK;
}

/*
 * Brings in only the footer and the data of `columns` (count of them) and
 * checks each range against the digest recorded when the chunk was written.
 */
static arm_status open_ranges(chunk_table *t, uint32_t c, const uint32_t *columns, uint32_t count,
                              ct_local *l, arm_error *err)
{
    const chunk_layout *layout = &t->layouts[c];
    uint32_t n = count + 2;
    object_range *ranges = calloc(n, sizeof *ranges);
    parquet_image_segment *segments = calloc(n, sizeof *segments);
    arm_status s = ranges && segments ? ARM_OK : error_out_of_memory(err);
    if (s == ARM_OK) {
        ranges[0] = (object_range){0, 4, NULL};
        ranges[1] =
            (object_range){layout->footer_offset, layout->file_size - layout->footer_offset, NULL};
        for (uint32_t k = 0; k < count; k++)
            ranges[2 + k] =
                (object_range){layout->offsets[columns[k]], layout->lengths[columns[k]], NULL};
        s = read_segments(t, c, ranges, n, segments, err);
    }
    if (s == ARM_OK)
        s = verify_ranges(t, c, columns, count, ranges, segments, err);
    if (s == ARM_OK)
        s = parquet_reader_open_segments(&l->reader, segments, n, layout->file_size, t->name, err);
    for (uint32_t k = 0; k < count && s == ARM_OK; k++)
        if (columns[k] >= parquet_reader_column_count(l->reader) ||
            !column_inside(l->reader, columns[k], ranges[2 + k].offset, ranges[2 + k].length))
            s = damaged_range(t, c, "a column's place in its footer", err);
    for (uint32_t i = 0; segments != NULL && i < n; i++)
        buffer_release(segments[i].bytes);
    free(ranges);
    free(segments);
    return s;
}

/* Opens chunk `c` for decoding `columns`: just their ranges when the layout is known. */
static arm_status open_reader(chunk_table *t, uint32_t c, const uint32_t *columns, uint32_t count,
                              ct_local *l, arm_error *err)
{
    arm_status s;
    if (t->has_layout[c] && t->io->read_ranges != NULL) {
        s = open_ranges(t, c, columns, count, l, err);
    } else {
        uint8_t *bytes = NULL;
        size_t length = 0;
        if (t->io->get(t->io->context, t->chunks[c].object_id, &bytes, &length, err) != ARM_OK)
            return unreadable(t, err, err);
        s = parquet_reader_open_memory(&l->reader, bytes, length, t->name, err);
        free(bytes);
    }
    if (s == ARM_OK && parquet_reader_column_count(l->reader) != t->base.column_count)
        s = error_set(err, ARM_ERROR_CORRUPT, NULL, -1,
                      "a chunk of table \"%s\" has %u columns, the table %u", t->name,
                      parquet_reader_column_count(l->reader), t->base.column_count);
    if (s == ARM_OK && (uint64_t)parquet_reader_row_count(l->reader) != t->chunks[c].row_count)
        s = error_set(err, ARM_ERROR_CORRUPT, NULL, -1,
                      "a chunk of table \"%s\" holds %lld rows, the catalog says %llu", t->name,
                      (long long)parquet_reader_row_count(l->reader),
                      (unsigned long long)t->chunks[c].row_count);
    return s;
}

/* Decodes one column of chunk `c` into a new cache entry, split as every column is. */
static arm_status decode_column(chunk_table *t, uint32_t c, uint32_t column, ct_local *l,
                                cached_column **out, arm_error *err)
{
    *out = NULL;
    logical_type type = t->base.column_types[column];
    if (!type_equal(parquet_reader_column_type(l->reader, column), type))
        return error_set(err, ARM_ERROR_CORRUPT, NULL, -1,
                         "a chunk of table \"%s\" has the wrong type in column \"%s\"", t->name,
                         t->base.column_names[column]);
    uint32_t groups = parquet_reader_row_group_count(l->reader), vectors = 0;
    for (uint32_t g = 0; g < groups; g++)
        vectors += (uint32_t)((parquet_reader_row_group_rows(l->reader, g) + VECTOR_SIZE - 1) /
                              VECTOR_SIZE);
    cached_column *entry = NULL;
    if (cached_column_create(t->chunks[c].object_id, column, type, vectors, &entry, err) != ARM_OK)
        return err->status;
    arm_status s = ARM_OK;
    uint32_t j = 0;
    for (uint32_t g = 0; g < groups && s == ARM_OK; g++) {
        parquet_column_reader *reader = NULL;
        s = parquet_column_reader_open(&reader, l->reader, g, column, err);
        /* Strings stay dictionary-encoded where the chunk has them so: grouping and
         * functions then work once per distinct value. Other types are decoded flat,
         * so results share them without copying. */
        if (s == ARM_OK)
            parquet_column_reader_set_keep_dictionary(reader, type_is_string(type.id));
        int64_t left = s == ARM_OK ? parquet_reader_row_group_rows(l->reader, g) : 0;
        while (s == ARM_OK && left > 0) {
            uint32_t want = left > VECTOR_SIZE ? VECTOR_SIZE : (uint32_t)left, got = 0;
            if (j >= vectors)
                s = error_internal(err, "chunk column split");
            else if ((s = parquet_column_reader_next(reader, &entry->vectors[j], want, &got,
                                                     err)) == ARM_OK &&
                     got != want)
                s = error_set(err, ARM_ERROR_CORRUPT, NULL, -1,
                              "column \"%s\" of a chunk of \"%s\" ends early",
                              t->base.column_names[column], t->name);
            if (s == ARM_OK) {
                entry->row_counts[j++] = got;
                left -= got;
            }
        }
        parquet_column_reader_close(reader);
    }
    if (s != ARM_OK) {
        cached_column_release(entry);
        return s;
    }
    cached_column_finish(entry);
    *out = column_cache_put(t->cache, entry);
    return ARM_OK;
}

static arm_status open_chunk(ct_scan *scan, ct_local *l, uint32_t c, arm_error *err)
{
    chunk_table *t = scan->table;
    l->chunk = c;
    l->vector = 0;
    l->position = 0;
    l->open = true;
    l->vector_count = (uint32_t)((t->chunks[c].row_count + VECTOR_SIZE - 1) / VECTOR_SIZE);
    uint32_t missing = 0;
    for (uint32_t k = 0; k < scan->column_count; k++) {
        uint32_t column = scan->column_ids[k];
        if (column != TABLE_COLUMN_ROW_ID &&
            (l->columns[k] = column_cache_get(t->cache, t->chunks[c].object_id, column)) == NULL)
            l->missing[missing++] = column;
    }
    if (missing > 0 && open_reader(t, c, l->missing, missing, l, err) != ARM_OK)
        return err->status;
    bool first = true;
    for (uint32_t k = 0; k < scan->column_count; k++) {
        uint32_t column = scan->column_ids[k];
        if (column == TABLE_COLUMN_ROW_ID)
            continue;
        if (l->columns[k] == NULL && decode_column(t, c, column, l, &l->columns[k], err) != ARM_OK)
            return err->status;
        if (first)
            l->vector_count = l->columns[k]->vector_count;
        else if (l->columns[k]->vector_count != l->vector_count)
            return error_set(err, ARM_ERROR_CORRUPT, NULL, -1,
                             "the columns of a chunk of \"%s\" are split differently", t->name);
        first = false;
    }
    parquet_reader_close(l->reader); /* every column is decoded: the bytes can go */
    l->reader = NULL;
    return ARM_OK;
}

/* Rows in the current vector: from a cached column, else the chunk's row count. */
static uint32_t vector_rows(const ct_scan *scan, const ct_local *l)
{
    for (uint32_t k = 0; k < scan->column_count; k++)
        if (l->columns[k] != NULL)
            return l->columns[k]->row_counts[l->vector];
    uint64_t left = scan->table->chunks[l->chunk].row_count - l->position;
    return left > VECTOR_SIZE ? VECTOR_SIZE : (uint32_t)left;
}

static arm_status fill_row_ids(vector *v, int64_t first, uint32_t rows, arm_error *err)
{
    if (vector_prepare_flat(v, rows, err) != ARM_OK)
        return err->status;
    int64_t *ids = v->data;
    for (uint32_t i = 0; i < rows; i++)
        ids[i] = first + i;
    return ARM_OK;
}

/* The current vector of the open chunk as a batch; count 0 when all its rows are deleted. */
static arm_status emit_vector(ct_scan *scan, ct_local *l, batch *out, arm_error *err)
{
    uint32_t rows = vector_rows(scan, l);
    for (uint32_t k = 0; k < scan->column_count; k++) {
        arm_status s =
            l->columns[k] != NULL
                ? vector_reference(&out->columns[k], &l->columns[k]->vectors[l->vector], err)
                : fill_row_ids(&out->columns[k], (int64_t)((uint64_t)l->chunk << 20 | l->position),
                               rows, err);
        if (s != ARM_OK)
            return s;
    }
    out->count = rows;
    out->sel = NULL;
    out->sequence = (uint64_t)l->chunk << 32 | l->vector;
    buffer *deleted = scan->deletes[l->chunk];
    if (deleted != NULL) {
        const uint64_t *bits = deleted->data;
        uint32_t kept = 0;
        for (uint32_t i = 0; i < rows; i++)
            if (!bitmap_get(bits, (uint32_t)(l->position + i)))
                out->sel_storage[kept++] = i;
        if (kept < rows) {
            out->sel = out->sel_storage;
            out->count = kept;
        }
    }
    l->position += rows;
    l->vector++;
    return ARM_OK;
}

/* Tail batches: row ids get the tail mark. */
static arm_status tail_next(ct_scan *scan, ct_local *l, batch *out, arm_error *err)
{
    table_provider *tail = scan->table->tail;
    if (tail->vtable->scan_next(scan->tail_scan, l->tail_local, out, err) != ARM_OK)
        return err->status;
    out->sequence |= UINT64_C(1) << 63;
    if (scan->row_id_slot == UINT32_MAX || out->count == 0)
        return ARM_OK;
    vector *v = &out->columns[scan->row_id_slot];
    vector marked;
    vector_init(&marked, v->type);
    if (vector_prepare_flat(&marked, VECTOR_SIZE, err) != ARM_OK)
        return err->status;
    for (uint32_t i = 0; i < out->count; i++) {
        uint32_t r = batch_row(out, i);
        value id;
        vector_get_value(v, r, &id);
        ((int64_t *)marked.data)[r] = id.u.i64 | CHUNK_TABLE_TAIL_ROW;
    }
    vector_dispose(v);
    *v = marked;
    return ARM_OK;
}

static arm_status ct_scan_next(table_scan *base, table_scan_local *local, batch *out,
                               arm_error *err)
{
    ct_scan *scan = (ct_scan *)base;
    ct_local *l = (ct_local *)local;
    out->count = 0;
    out->sel = NULL;
    for (;;) {
        if (l->in_tail)
            return scan->tail_scan != NULL ? tail_next(scan, l, out, err) : ARM_OK;
        if (!l->open) {
            uint32_t c = atomic_fetch_add(&scan->next_chunk, 1);
            if (c >= scan->chunk_count) {
                l->in_tail = true;
                continue;
            }
            if (!chunk_may_match(scan, c))
                continue;
            if (open_chunk(scan, l, c, err) != ARM_OK) {
                close_chunk(scan, l);
                return err->status;
            }
        }
        if (l->vector >= l->vector_count) {
            close_chunk(scan, l);
            continue;
        }
        if (emit_vector(scan, l, out, err) != ARM_OK)
            return err->status;
        if (out->count > 0)
            return ARM_OK;
    }
}

static void ct_scan_end(table_scan *base)
{
    ct_scan_free((ct_scan *)base);
}

static void ct_local_destroy(table_scan_local *local)
{
    ct_local *l = (ct_local *)local;
    close_chunk(l->scan, l);
    if (l->tail_local != NULL)
        l->scan->table->tail->vtable->scan_local_destroy(l->tail_local);
    free(l->columns);
    free(l->missing);
    free(l);
}

arm_status chunk_table_scan_all(chunk_table *t, const uint32_t *column_ids, uint32_t column_count,
                                chunk_table_batch_fn fn, void *context, arm_error *err)
{
    table_scan_options options = {column_ids, column_count, NULL, 0, true};
    ct_scan *scan = NULL;
    table_scan_local *local = NULL;
    logical_type types[64];
    if (column_count > 64)
        return error_internal(err, "too many columns for a key scan");
    for (uint32_t i = 0; i < column_count; i++)
        types[i] = column_ids[i] == TABLE_COLUMN_ROW_ID ? type_make(TYPE_BIGINT)
                                                        : t->base.column_types[column_ids[i]];
    batch b;
    memset(&b, 0, sizeof b);
    arm_status s = ct_scan_begin_common(t, &options, true, &scan, err);
    if (s == ARM_OK)
        s = ct_local_create((table_scan *)scan, &local, err);
    if (s == ARM_OK)
        s = batch_init(&b, column_count, types, err);
    while (s == ARM_OK) {
        batch_reset(&b);
        if ((s = ct_scan_next((table_scan *)scan, local, &b, err)) != ARM_OK || b.count == 0)
            break;
        s = fn(context, &b, err);
    }
    batch_dispose(&b);
    if (local != NULL)
        ct_local_destroy(local);
    if (scan != NULL)
        ct_scan_end((table_scan *)scan);
    return s;
}

/* ---- the provider ---------------------------------------------------------------------------- */

static uint64_t ct_rows(table_provider *provider)
{
    chunk_table *t = (chunk_table *)provider;
    uint64_t rows = 0;
    for (uint32_t c = 0; c < t->chunk_count; c++)
        rows += live_rows(t, c);
    if (t->tail != NULL)
        rows += t->tail->vtable->estimated_row_count(t->tail);
    return rows;
}

/*
 * What a scan begun now would return (see ct_scan_begin_common): every
 * chunk's rows less its deletion bitmap's, the working or the committed
 * one, plus the tail's rows unless committed_only. Taken under the lock a
 * scan takes its snapshot under.
 */
static uint64_t ct_exact_rows(table_provider *provider, bool committed_only)
{
    chunk_table *t = (chunk_table *)provider;
    uint64_t rows = 0;
    pthread_mutex_lock(&t->lock);
    for (uint32_t c = 0; c < t->chunk_count; c++)
        rows += t->chunks[c].row_count -
                (committed_only ? t->committed_counts[c] : t->deleted_counts[c]);
    if (!committed_only && t->tail != NULL)
        rows += t->tail->vtable->exact_row_count(t->tail, false);
    pthread_mutex_unlock(&t->lock);
    return rows;
}

/* Statistics of a column over every chunk (deleted rows still counted: hints only widen). */
static bool ct_column_stats(table_provider *provider, uint32_t column, table_column_stats *out)
{
    chunk_table *t = (chunk_table *)provider;
    if (column >= t->base.column_count || t->chunk_count == 0 ||
        (t->tail != NULL && t->tail->vtable->estimated_row_count(t->tail) > 0))
        return false;
    zone_map all;
    zone_map_init(&all, t->base.column_types[column]);
    for (uint32_t c = 0; c < t->chunk_count; c++) {
        if (!t->has_zones[c])
            return false;
        zone_map_merge(&all, &t->zones[(size_t)c * t->base.column_count + column]);
    }
    memset(out, 0, sizeof *out);
    out->has_min_max = all.has_values && !all.is_unordered;
    out->min = all.min;
    out->max = all.max;
    out->null_count = all.null_count;
    return true;
}

static void ct_destroy(table_provider *provider)
{
    chunk_table *t = (chunk_table *)provider;
    for (uint32_t c = 0; c < t->chunk_count; c++) {
        if (t->deletes)
            buffer_release(t->deletes[c]);
        if (t->committed_deletes)
            buffer_release(t->committed_deletes[c]);
        if (t->zone_data)
            free(t->zone_data[c]);
        if (t->layouts)
            chunk_layout_dispose(&t->layouts[c]);
    }
    for (uint32_t i = 0; t->base.column_names && i < t->base.column_count; i++)
        free(t->base.column_names[i]);
    if (t->tail != NULL)
        t->tail->vtable->destroy(t->tail);
    chunk_key_set_dispose(&t->keys);
    table_def_release(t->def);
    pthread_mutex_destroy(&t->lock);
    free(t->base.column_names);
    free(t->base.column_types);
    free(t->deletes);
    free(t->deleted_counts);
    free(t->committed_deletes);
    free(t->committed_counts);
    free(t->changed);
    free(t->zones);
    free(t->has_zones);
    free(t->zone_data);
    free(t->layouts);
    free(t->has_layout);
    free(t->chunks);
    free(t->name);
    free(t);
}

static const table_provider_vtable chunk_table_vtable = {
    .scan_begin = ct_scan_begin,
    .scan_local_create = ct_local_create,
    .scan_next = ct_scan_next,
    .scan_local_destroy = ct_local_destroy,
    .scan_end = ct_scan_end,
    .append = chunk_table_append,
    .delete_rows = chunk_table_delete,
    .update_rows = chunk_table_update,
    .estimated_row_count = ct_rows,
    .exact_row_count = ct_exact_rows,
    .column_stats = ct_column_stats,
    .destroy = ct_destroy,
};

/* The read-only twin: same scans, no writes. */
static const table_provider_vtable chunk_table_read_only_vtable = {
    .scan_begin = ct_scan_begin,
    .scan_local_create = ct_local_create,
    .scan_next = ct_scan_next,
    .scan_local_destroy = ct_local_destroy,
    .scan_end = ct_scan_end,
    .estimated_row_count = ct_rows,
    .exact_row_count = ct_exact_rows,
    .column_stats = ct_column_stats,
    .destroy = ct_destroy,
};

static arm_status load_deletes(chunk_table *t, uint32_t c, arm_error *err)
{
    const catalog_chunk_ref *ref = &t->chunks[c];
    if (ref->deleted_count == 0)
        return ARM_OK;
    uint8_t *bytes = NULL;
    size_t length = 0;
    if (t->io->get(t->io->context, ref->deletes_id, &bytes, &length, err) != ARM_OK)
        return err->status;
    buffer *b = buffer_create((ref->row_count + 63) / 64 * 8 + 8);
    arm_status s = b != NULL ? ARM_OK : error_out_of_memory(err);
    uint64_t count = 0;
    if (s == ARM_OK) {
        memset(b->data, 0, b->capacity_bytes);
        s = roaring_deserialize(bytes, length, b->data, ref->row_count, &count, t->name, err);
    }
    if (s == ARM_OK && count != ref->deleted_count)
        s = error_set(err, ARM_ERROR_CORRUPT, NULL, -1,
                      "a deletion vector of \"%s\" holds %llu rows, the catalog says %llu", t->name,
                      (unsigned long long)count, (unsigned long long)ref->deleted_count);
    free(bytes);
    if (s != ARM_OK) {
        buffer_release(b);
        return s;
    }
    t->deletes[c] = b;
    t->deleted_counts[c] = count;
    t->committed_deletes[c] = buffer_retain(b); /* shared until a delete copies it */
    t->committed_counts[c] = count;
    return ARM_OK;
}

static arm_status ct_alloc(const table_def *def, const table_chunk_io *io, column_cache *cache,
                           const catalog_chunk_ref *chunks, uint32_t chunk_count, bool writable,
                           chunk_table **out, arm_error *err)
{
    uint32_t n = def->column_count;
    chunk_table *t = calloc(1, sizeof *t);
    if (t == NULL)
        return error_out_of_memory(err);
    pthread_mutex_init(&t->lock, NULL);
    t->base.vtable = writable ? &chunk_table_vtable : &chunk_table_read_only_vtable;
    t->base.column_count = n;
    t->io = io;
    t->cache = cache;
    t->writable = writable;
    t->chunk_count = chunk_count;
    t->name = strdup(def->name ? def->name : "table");
    t->def = table_def_copy(def);
    t->base.column_types = calloc(n + 1, sizeof(logical_type));
    t->base.column_names = calloc(n + 1, sizeof(char *));
    t->chunks = malloc((chunk_count + 1) * sizeof *t->chunks);
    t->zones = calloc((size_t)chunk_count * n + 1, sizeof *t->zones);
    t->has_zones = calloc(chunk_count + 1, sizeof *t->has_zones);
    t->zone_data = calloc(chunk_count + 1, sizeof *t->zone_data);
    t->layouts = calloc(chunk_count + 1, sizeof *t->layouts);
    t->has_layout = calloc(chunk_count + 1, sizeof *t->has_layout);
    t->deletes = calloc(chunk_count + 1, sizeof *t->deletes);
    t->deleted_counts = calloc(chunk_count + 1, sizeof *t->deleted_counts);
    t->committed_deletes = calloc(chunk_count + 1, sizeof *t->committed_deletes);
    t->committed_counts = calloc(chunk_count + 1, sizeof *t->committed_counts);
    t->changed = calloc(chunk_count + 1, sizeof *t->changed);
    bool ok = t->name && t->def && t->base.column_types && t->base.column_names && t->chunks &&
              t->zones && t->has_zones && t->zone_data && t->deletes && t->deleted_counts &&
              t->changed && t->layouts && t->has_layout && t->committed_deletes &&
              t->committed_counts;
    for (uint32_t i = 0; ok && i < n; i++) {
        t->base.column_types[i] = def->columns[i].type;
        ok = (t->base.column_names[i] = strdup(def->columns[i].name)) != NULL;
    }
    if (!ok) {
        ct_destroy(&t->base);
        return error_out_of_memory(err);
    }
    if (chunk_count > 0)
        memcpy(t->chunks, chunks, chunk_count * sizeof *t->chunks);
    *out = t;
    return ARM_OK;
}

arm_status chunk_table_create(table_provider **out, const table_chunk_io *io, column_cache *cache,
                              const catalog_table_version *version, bool writable, arm_error *err)
{
    *out = NULL;
    chunk_table *t = NULL;
    if (ct_alloc(&version->def, io, cache, version->chunks, version->chunk_count, writable, &t,
                 err) != ARM_OK)
        return err->status;
    uint32_t n = t->base.column_count;
    arm_status s = ARM_OK;
    for (uint32_t c = 0; c < t->chunk_count && s == ARM_OK; c++) {
        if (t->chunks[c].row_count > CHUNK_TABLE_MAX_CHUNK_ROWS)
            s = error_set(err, ARM_ERROR_CORRUPT, NULL, -1,
                          "a chunk of \"%s\" holds %llu rows, more than a chunk can", t->name,
                          (unsigned long long)t->chunks[c].row_count);
        if (s == ARM_OK)
            s = load_deletes(t, c, err);
        const catalog_chunk_stats *stats =
            version->chunk_stats != NULL ? &version->chunk_stats[c] : NULL;
        if (s != ARM_OK || stats == NULL || stats->length == 0)
            continue;
        if ((t->zone_data[c] = malloc(stats->length)) == NULL) {
            s = error_out_of_memory(err);
            break;
        }
        memcpy(t->zone_data[c], stats->data, stats->length);
        t->has_zones[c] =
            chunk_meta_decode(t->zone_data[c], stats->length, t->base.column_types, n,
                              &t->zones[(size_t)c * n], &t->has_layout[c], &t->layouts[c]);
    }
    if (s != ARM_OK) {
        ct_destroy(&t->base);
        return s;
    }
    *out = &t->base;
    return ARM_OK;
}

arm_status chunk_table_single_chunk(table_provider *provider, uint32_t chunk, table_provider **out,
                                    arm_error *err)
{
    chunk_table *t = (chunk_table *)provider;
    chunk_table *one = NULL;
    if (ct_alloc(t->def, t->io, t->cache, &t->chunks[chunk], 1, false, &one, err) != ARM_OK)
        return err->status;
    one->deletes[0] = buffer_retain(t->deletes[chunk]);
    one->deleted_counts[0] = t->deleted_counts[chunk];
    one->committed_deletes[0] = buffer_retain(t->deletes[chunk]); /* read as it is now */
    one->committed_counts[0] = t->deleted_counts[chunk];
    *out = &one->base;
    return ARM_OK;
}

uint64_t chunk_table_change_count(table_provider *provider)
{
    return ((chunk_table *)provider)->change_count;
}

bool chunk_table_has_deletes(table_provider *provider)
{
    return ((chunk_table *)provider)->has_new_deletes;
}

const catalog_chunk_ref *chunk_table_chunks(table_provider *provider, uint32_t *count)
{
    chunk_table *t = (chunk_table *)provider;
    *count = t->chunk_count;
    return t->chunks;
}

const uint64_t *chunk_table_deletes(table_provider *provider, uint32_t chunk,
                                    uint64_t *deleted_count)
{
    chunk_table *t = (chunk_table *)provider;
    *deleted_count = t->deleted_counts[chunk];
    return t->deletes[chunk] != NULL ? t->deletes[chunk]->data : NULL;
}

bool chunk_table_chunk_changed(table_provider *provider, uint32_t chunk)
{
    return ((chunk_table *)provider)->changed[chunk];
}

table_provider *chunk_table_tail(table_provider *provider)
{
    chunk_table *t = (chunk_table *)provider;
    return t->tail != NULL && t->tail->vtable->estimated_row_count(t->tail) > 0 ? t->tail : NULL;
}
