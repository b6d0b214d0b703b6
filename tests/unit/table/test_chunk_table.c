/*
 * Tests for chunk_table (src/table): a stored version read from its chunks
 * returns every row; a filtered scan reads only the chunks whose statistics
 * allow a match; a second scan is served by the column cache without
 * reading objects; deletes and updates change what scans see (and what a
 * scan already running sees does not change); the tail holds appends; and
 * PRIMARY KEY holds across chunks and tail; the exact row count is what a
 * scan of the working or the committed rows returns.
 */
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "harness.h"
#include "memory_objects.h"
#include "table/chunk_meta.h"
#include "table/chunk_table_internal.h"
#include "table/memory_table.h"

#define ROWS 40000

static column_def columns[2];
static table_def def;
static uint32_t key_column = 0;

static void setup_def(bool with_key)
{
    columns[0] = (column_def){"id", type_make(TYPE_BIGINT), true, NULL, 1};
    columns[1] = (column_def){"label", type_make(TYPE_VARCHAR), false, NULL, 2};
    memset(&def, 0, sizeof def);
    def.name = "t";
    def.columns = columns;
    def.column_count = 2;
    def.primary_key = with_key ? &key_column : NULL;
    def.primary_key_count = with_key ? 1 : 0;
}

/* A batch of rows id = first .. first + n - 1, label "row <id>". */
static void fill(batch *b, int64_t first, uint32_t n)
{
    arm_error err;
    batch_reset(b);
    CHECK_OK(vector_prepare_flat(&b->columns[0], n, &err), &err);
    CHECK_OK(vector_prepare_flat(&b->columns[1], n, &err), &err);
    for (uint32_t i = 0; i < n; i++) {
        ((int64_t *)b->columns[0].data)[i] = first + i;
        char text[32];
        int len = snprintf(text, sizeof text, "row %lld", (long long)(first + i));
        CHECK_OK(vector_add_string(&b->columns[1], text, (uint32_t)len,
                                   &((string_view *)b->columns[1].data)[i], &err),
                 &err);
    }
    b->count = n;
}

/* Sorted ids 0..ROWS-1 written as chunks of 2,048..8,192 rows; the version describes them. */
static void write_version(memory_objects *m, table_chunk_io *io, catalog_table_version *v,
                          table_store_output *out)
{
    table_provider *source = NULL;
    arm_error err;
    CHECK_OK(memory_table_create(&source, &def, &err), &err);
    batch b;
    CHECK_OK(batch_init(&b, 2, source->column_types, &err), &err);
    for (int64_t at = 0; at < ROWS; at += VECTOR_SIZE) {
        fill(&b, at, ROWS - at < VECTOR_SIZE ? (uint32_t)(ROWS - at) : VECTOR_SIZE);
        CHECK_OK(source->vtable->append(source, &b, &err), &err);
    }
    batch_dispose(&b);
    table_store_options options = {2048, 4096, 8192};
    io->context = m;
    io->put = put;
    io->get = get;
    io->read_ranges = read_ranges;
    CHECK_OK(table_store_cut(io, &options, &source, 1, &def, NULL, 0, 0, out, &err), &err);
    source->vtable->destroy(source);
    memset(v, 0, sizeof *v);
    v->def = def;
    v->chunks = out->chunks;
    v->chunk_stats = out->stats;
    v->chunk_count = out->chunk_count;
    v->row_count = ROWS;
}

typedef struct scan_result {
    uint64_t rows;
    int64_t sum;
    int64_t *row_ids; /* when asked for */
} scan_result;

static scan_result scan(table_provider *t, const table_filter *filter, bool row_ids)
{
    uint32_t ids[2] = {0, TABLE_COLUMN_ROW_ID};
    table_scan_options o = {ids, row_ids ? 2 : 1, filter, filter ? 1 : 0, false};
    table_scan *s;
    table_scan_local *local;
    arm_error err;
    scan_result r = {0, 0, row_ids ? malloc(2 * ROWS * sizeof(int64_t)) : NULL};
    CHECK_OK(t->vtable->scan_begin(t, &o, &s, &err), &err);
    CHECK_OK(t->vtable->scan_local_create(s, &local, &err), &err);
    logical_type types[2] = {type_make(TYPE_BIGINT), type_make(TYPE_BIGINT)};
    batch b;
    CHECK_OK(batch_init(&b, 2, types, &err), &err);
    for (;;) {
        batch_reset(&b);
        CHECK_OK(t->vtable->scan_next(s, local, &b, &err), &err);
        if (b.count == 0)
            break;
        for (uint32_t i = 0; i < b.count; i++) {
            int64_t id = ((const int64_t *)b.columns[0].data)[batch_row(&b, i)];
            if (filter != NULL && id != filter->constant.u.i64)
                continue; /* filters are hints: the engine checks rows */
            if (row_ids && r.rows < 2 * ROWS)
                r.row_ids[r.rows] = ((const int64_t *)b.columns[1].data)[batch_row(&b, i)];
            r.rows++;
            r.sum += id;
        }
    }
    batch_dispose(&b);
    t->vtable->scan_local_destroy(local);
    t->vtable->scan_end(s);
    return r;
}

/*
 * Counts the rows a scan of no columns returns (as COUNT(*)'s scan reads
 * them), checks that exact_row_count gives the same for that view, and
 * returns the count.
 */
static uint64_t check_exact_count(table_provider *t, bool committed_only)
{
    table_scan_options o = {NULL, 0, NULL, 0, committed_only};
    table_scan *s;
    table_scan_local *local;
    arm_error err;
    CHECK_OK(t->vtable->scan_begin(t, &o, &s, &err), &err);
    CHECK_OK(t->vtable->scan_local_create(s, &local, &err), &err);
    batch b;
    CHECK_OK(batch_init(&b, 0, NULL, &err), &err);
    uint64_t rows = 0;
    for (;;) {
        batch_reset(&b);
        CHECK_OK(t->vtable->scan_next(s, local, &b, &err), &err);
        if (b.count == 0)
            break;
        rows += b.count;
    }
    batch_dispose(&b);
    t->vtable->scan_local_destroy(local);
    t->vtable->scan_end(s);
    CHECK_INT_EQ(t->vtable->exact_row_count(t, committed_only), rows);
    return rows;
}

/*
 * Scans table column `column` to the end; the status the scan ended with (err says why).
 * With `sum` (a DOUBLE column), adds up its values in row order and counts them in *rows.
 */
static arm_status scan_column_to_end(table_provider *t, uint32_t column, double *sum,
                                     uint64_t *rows, arm_error *err)
{
    table_scan_options o = {&column, 1, NULL, 0, false};
    table_scan *s;
    table_scan_local *local;
    CHECK_OK(t->vtable->scan_begin(t, &o, &s, err), err);
    CHECK_OK(t->vtable->scan_local_create(s, &local, err), err);
    batch b;
    CHECK_OK(batch_init(&b, 1, &t->column_types[column], err), err);
    arm_status status = ARM_OK;
    while (status == ARM_OK) {
        batch_reset(&b);
        status = t->vtable->scan_next(s, local, &b, err);
        if (status == ARM_OK && b.count == 0)
            break;
        for (uint32_t i = 0; status == ARM_OK && sum != NULL && i < b.count; i++, ++*rows)
            *sum += ((const double *)b.columns[0].data)[batch_row(&b, i)];
    }
    batch_dispose(&b);
    t->vtable->scan_local_destroy(local);
    t->vtable->scan_end(s);
    return status;
}

static void test_scans_prune_and_cache(void)
{
    setup_def(false);
    memory_objects m = {0};
    table_chunk_io io;
    catalog_table_version v;
    table_store_output out;
    write_version(&m, &io, &v, &out);
    CHECK(out.chunk_count >= 5);
    column_cache *cache = NULL;
    arm_error err;
    CHECK_OK(column_cache_create(64 << 20, &cache, &err), &err);
    table_provider *t = NULL;
    CHECK_OK(chunk_table_create(&t, &io, cache, &v, false, &err), &err);
    CHECK_INT_EQ(t->vtable->estimated_row_count(t), ROWS);

    table_filter eq = {0, TABLE_FILTER_EQ, value_bigint(12345)};
    m.gets = 0;
    scan_result r = scan(t, &eq, false);
    CHECK_INT_EQ(r.rows, 1);
    CHECK_INT_EQ(m.gets, 1); /* one chunk's statistics allow 12345: only it is read */

    m.gets = 0;
    r = scan(t, NULL, false);
    CHECK_INT_EQ(r.rows, ROWS);
    CHECK_INT_EQ(r.sum, (int64_t)ROWS * (ROWS - 1) / 2);
    CHECK_INT_EQ(m.gets, out.chunk_count - 1); /* the chunk read before is cached */
    m.gets = 0;
    r = scan(t, NULL, false);
    CHECK_INT_EQ(r.rows, ROWS);
    CHECK_INT_EQ(m.gets, 0); /* all from the cache */
    column_cache_stats stats;
    column_cache_read_stats(cache, &stats);
    CHECK_INT_EQ(stats.entries, out.chunk_count);
    CHECK(stats.hits >= out.chunk_count);

    t->vtable->destroy(t);
    column_cache_destroy(cache);
    table_store_output_dispose(&out);
    free_objects(&m);
}

/* A scan of one column reads that column's bytes and the footer, checked against their digests. */
static void test_reads_only_needed_ranges(void)
{
    setup_def(false);
    memory_objects m = {0};
    table_chunk_io io;
    catalog_table_version v;
    table_store_output out;
    write_version(&m, &io, &v, &out);
    uint64_t chunk_bytes = 0;
    for (uint32_t c = 0; c < out.chunk_count; c++)
        chunk_bytes += out.chunks[c].byte_size;
    column_cache *cache = NULL;
    arm_error err;
    CHECK_OK(column_cache_create(0, &cache, &err), &err);
    table_provider *t = NULL;
    CHECK_OK(chunk_table_create(&t, &io, cache, &v, false, &err), &err);
    m.bytes_read = 0;
    scan_result r = scan(t, NULL, false); /* id only: the label column is most of the bytes */
    CHECK_INT_EQ(r.rows, ROWS);
    CHECK(m.bytes_read < chunk_bytes * 2 / 3);
    /* flip a byte in the middle of chunk 0 (label data): the id scan still works, a label
     * scan says which object is damaged */
    int obj = find_object(&m, out.chunks[0].object_id);
    zone_map zones[2];
    chunk_layout layout;
    bool has_layout = false;
    CHECK(chunk_meta_decode(out.stats[0].data, out.stats[0].length, t->column_types, 2, zones,
                            &has_layout, &layout));
    CHECK(has_layout);
    m.bytes[obj][layout.offsets[1] + layout.lengths[1] / 2] ^= 0x55;
    chunk_layout_dispose(&layout);
    r = scan(t, NULL, false);
    CHECK_INT_EQ(r.rows, ROWS);
    CHECK_INT_EQ(scan_column_to_end(t, 1, NULL, NULL, &err), ARM_ERROR_CORRUPT);
    CHECK(strstr(err.message, "does not match its digest") != NULL);
    t->vtable->destroy(t);
    column_cache_destroy(cache);
    table_store_output_dispose(&out);
    free_objects(&m);
}

/*
 * A chunk is read into a buffer whose unread parts are not cleared, so the
 * columns the footer places must lie inside the ranges verified: a layout
 * that records one byte less of column 0 (with that range's digest) than
 * the footer says is refused, not decoded from unverified bytes.
 */
static void test_column_outside_verified_range(void)
{
    setup_def(false);
    memory_objects m = {0};
    table_chunk_io io;
    catalog_table_version v;
    table_store_output out;
    write_version(&m, &io, &v, &out);
    column_cache *cache = NULL;
    arm_error err;
    CHECK_OK(column_cache_create(0, &cache, &err), &err);
    table_provider *t = NULL;
    CHECK_OK(chunk_table_create(&t, &io, cache, &v, false, &err), &err);
    chunk_layout *layout = &((chunk_table *)t)->layouts[0];
    CHECK(((chunk_table *)t)->has_layout[0] && layout->digest_size == HASH_CHECKSUM_WIDE_SIZE);
    int obj = find_object(&m, out.chunks[0].object_id);
    layout->lengths[0]--;
    hash_checksum_wide(m.bytes[obj] + layout->offsets[0], layout->lengths[0], layout->digests[1]);
    CHECK_INT_EQ(scan_column_to_end(t, 0, NULL, NULL, &err), ARM_ERROR_CORRUPT);
    CHECK(strstr(err.message, "place in its footer") != NULL);
    t->vtable->destroy(t);
    column_cache_destroy(cache);
    table_store_output_dispose(&out);
    free_objects(&m);
}

/* The blob of `layout`'s ranges as an earlier version wrote it, with `size`-byte digests. */
static uint8_t *older_blob(const table_store_output *out, const chunk_layout *layout,
                           const uint8_t *file, uint32_t size, uint32_t *length)
{
    uint32_t head = out->stats[0].length - HASH_CHECKSUM_WIDE_SIZE * 3;
    uint8_t *old = malloc(head + size * 3);
    memcpy(old, out->stats[0].data, head);
    const uint64_t offsets[3] = {layout->footer_offset, layout->offsets[0], layout->offsets[1]};
    const uint64_t lengths[3] = {layout->file_size - layout->footer_offset, layout->lengths[0],
                                 layout->lengths[1]};
    for (int r = 0; r < 3; r++) {
        uint8_t *digest = old + head + (size_t)size * r;
        if (size == 32) {
            object_id_of(file + offsets[r], lengths[r], digest);
        } else {
            uint64_t sum = hash_checksum(file + offsets[r], lengths[r]);
            memcpy(digest, &sum, 8);
        }
    }
    *length = head + size * 3;
    return old;
}

/*
 * Range digests are 128-bit checksums; blobs of earlier versions hold 64-bit
 * checksums or SHA-256 digests instead (told apart by the blob's length),
 * still checked as such.
 */
static void test_old_sha256_digests_still_checked(void)
{
    setup_def(false);
    memory_objects m = {0};
    table_chunk_io io;
    catalog_table_version v;
    table_store_output out;
    write_version(&m, &io, &v, &out);
    int obj = find_object(&m, out.chunks[0].object_id);
    const uint8_t *file = m.bytes[obj];
    const logical_type types[2] = {columns[0].type, columns[1].type};
    zone_map zones[2];
    chunk_layout layout;
    bool has_layout = false;
    CHECK(chunk_meta_decode(out.stats[0].data, out.stats[0].length, types, 2, zones, &has_layout,
                            &layout));
    CHECK(has_layout && layout.digest_size == HASH_CHECKSUM_WIDE_SIZE);
    uint64_t off = layout.offsets[1], len = layout.lengths[1];
    CHECK(chunk_layout_digest_matches(&layout, layout.digests[2], file + off, len));
    uint8_t *copy = malloc(len);
    memcpy(copy, file + off, len);
    copy[len / 2] ^= 1;
    CHECK(!chunk_layout_digest_matches(&layout, layout.digests[2], copy, len));
    const uint32_t sizes[2] = {8, 32}; /* hash_checksum, then SHA-256 */
    for (int k = 0; k < 2; k++) {
        uint32_t old_length = 0;
        uint8_t *old = older_blob(&out, &layout, file, sizes[k], &old_length);
        chunk_layout old_layout;
        CHECK(chunk_meta_decode(old, old_length, types, 2, zones, &has_layout, &old_layout));
        CHECK(has_layout && old_layout.digest_size == sizes[k]);
        CHECK(chunk_layout_digest_matches(&old_layout, old_layout.digests[2], file + off, len));
        CHECK(!chunk_layout_digest_matches(&old_layout, old_layout.digests[2], copy, len));
        CHECK(chunk_layout_digest_matches(&old_layout, old_layout.digests[0],
                                          file + layout.footer_offset,
                                          layout.file_size - layout.footer_offset));
        chunk_layout_dispose(&old_layout);
        free(old);
    }
    chunk_layout_dispose(&layout);
    free(copy);
    table_store_output_dispose(&out);
    free_objects(&m);
}

static void test_deletes_updates_and_tail(void)
{
    setup_def(false);
    memory_objects m = {0};
    table_chunk_io io;
    catalog_table_version v;
    table_store_output out;
    write_version(&m, &io, &v, &out);
    column_cache *cache = NULL;
    arm_error err;
    CHECK_OK(column_cache_create(0, &cache, &err), &err); /* nothing kept: decode every time */
    table_provider *t = NULL;
    CHECK_OK(chunk_table_create(&t, &io, cache, &v, true, &err), &err);
    scan_result all = scan(t, NULL, true);
    CHECK_INT_EQ(all.rows, ROWS);
    CHECK_INT_EQ(check_exact_count(t, false), ROWS);
    CHECK_INT_EQ(check_exact_count(t, true), ROWS);

    /* a scan that began before the delete keeps seeing the rows it began with */
    uint32_t ids[1] = {0};
    table_scan_options o = {ids, 1, NULL, 0, false};
    table_scan *early;
    CHECK_OK(t->vtable->scan_begin(t, &o, &early, &err), &err);

    int64_t *even = malloc(ROWS / 2 * sizeof *even); /* ids 0, 2, 4, ... (row ids in id order) */
    for (uint32_t i = 0; i < ROWS / 2; i++)
        even[i] = all.row_ids[2 * i];
    CHECK_OK(t->vtable->delete_rows(t, even, ROWS / 2, &err), &err);
    CHECK(chunk_table_has_deletes(t));
    scan_result odd = scan(t, NULL, false);
    CHECK_INT_EQ(odd.rows, ROWS / 2);
    CHECK_INT_EQ(odd.sum, (int64_t)ROWS * (ROWS - 1) / 2 - (int64_t)(ROWS / 2) * (ROWS / 2 - 1));
    CHECK_INT_EQ(check_exact_count(t, false), ROWS / 2);
    CHECK_INT_EQ(check_exact_count(t, true), ROWS); /* the committed rows: no delete yet */

    table_scan_local *local;
    CHECK_OK(t->vtable->scan_local_create(early, &local, &err), &err);
    batch b;
    logical_type type = type_make(TYPE_BIGINT);
    CHECK_OK(batch_init(&b, 1, &type, &err), &err);
    uint64_t seen = 0;
    for (;;) {
        batch_reset(&b);
        CHECK_OK(t->vtable->scan_next(early, local, &b, &err), &err);
        if (b.count == 0)
            break;
        seen += b.count;
    }
    CHECK_INT_EQ(seen, ROWS);
    t->vtable->scan_local_destroy(local);
    t->vtable->scan_end(early);

    /* append to the tail, then update a chunk row (1) and a tail row */
    batch_dispose(&b);
    CHECK_OK(batch_init(&b, 2, t->column_types, &err), &err);
    fill(&b, 100000, 10);
    CHECK_OK(t->vtable->append(t, &b, &err), &err);
    CHECK(chunk_table_tail(t) != NULL);
    scan_result with_tail = scan(t, NULL, true);
    CHECK_INT_EQ(with_tail.rows, ROWS / 2 + 10);
    int64_t targets[2] = {all.row_ids[1], with_tail.row_ids[with_tail.rows - 1]};
    CHECK(targets[1] & CHUNK_TABLE_TAIL_ROW);
    fill(&b, 500000, 2);
    CHECK_OK(t->vtable->update_rows(t, targets, &b, &err), &err);
    scan_result after = scan(t, NULL, false);
    CHECK_INT_EQ(after.rows, ROWS / 2 + 10);
    CHECK_INT_EQ(after.sum, with_tail.sum - 1 - 100009 + 500000 + 500001);
    CHECK_INT_EQ(check_exact_count(t, false), ROWS / 2 + 10);
    CHECK_INT_EQ(check_exact_count(t, true), ROWS); /* nor the tail */

    uint64_t deleted = 0;
    CHECK(chunk_table_deletes(t, 0, &deleted) != NULL);
    CHECK(deleted > 0);
    CHECK(chunk_table_chunk_changed(t, 0));
    batch_dispose(&b);
    free(even);
    free(all.row_ids);
    free(with_tail.row_ids);
    t->vtable->destroy(t);
    column_cache_destroy(cache);
    table_store_output_dispose(&out);
    free_objects(&m);
}

static void test_primary_key_across_chunks(void)
{
    setup_def(true);
    memory_objects m = {0};
    table_chunk_io io;
    catalog_table_version v;
    table_store_output out;
    write_version(&m, &io, &v, &out);
    column_cache *cache = NULL;
    arm_error err;
    CHECK_OK(column_cache_create(16 << 20, &cache, &err), &err);
    table_provider *t = NULL;
    CHECK_OK(chunk_table_create(&t, &io, cache, &v, true, &err), &err);
    batch b;
    CHECK_OK(batch_init(&b, 2, t->column_types, &err), &err);
    fill(&b, 30000, 1); /* in a chunk */
    CHECK_INT_EQ(t->vtable->append(t, &b, &err), ARM_ERROR_CONSTRAINT);
    CHECK(strstr(err.detail, "(id)=(30000)") != NULL);
    fill(&b, ROWS, 2); /* new keys */
    CHECK_OK(t->vtable->append(t, &b, &err), &err);
    fill(&b, ROWS + 1, 1); /* in the tail */
    CHECK_INT_EQ(t->vtable->append(t, &b, &err), ARM_ERROR_CONSTRAINT);

    scan_result all = scan(t, NULL, true);
    int64_t row_of_7 = all.row_ids[7]; /* chunk rows come first, in id order */
    CHECK_OK(t->vtable->delete_rows(t, &row_of_7, 1, &err), &err);
    fill(&b, 7, 1); /* its key is free again */
    CHECK_OK(t->vtable->append(t, &b, &err), &err);
    /* updating row 8 to key 9 collides; updating 8 and 9 to 9 and 10 shifts... into 10: collides */
    int64_t row_of_8 = all.row_ids[8];
    fill(&b, 9, 1);
    CHECK_INT_EQ(t->vtable->update_rows(t, &row_of_8, &b, &err), ARM_ERROR_CONSTRAINT);
    batch_dispose(&b);
    free(all.row_ids);
    t->vtable->destroy(t);
    column_cache_destroy(cache);
    table_store_output_dispose(&out);
    free_objects(&m);
}

/* The double row `i` of test_cold_doubles_are_views holds: random bits, finite. */
static double double_of(uint64_t i)
{
    uint64_t bits = hash_u64(i) & ~((uint64_t)0x40 << 56);
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

/* Cell `row` of the one-column tables below, written into row i of `v`. */
typedef void (*cell_fn)(vector *v, uint32_t i, uint64_t row);

/* A one-column table written as chunks, and `t` reading it through its own cache. */
typedef struct one_column {
    memory_objects m;
    table_chunk_io io;
    table_store_output out;
    catalog_table_version v;
    column_cache *cache;
    table_provider *t;
} one_column;

/* ROWS rows of column `x` (cells from `cell`) cut into chunks of 2,048..8,192 rows. */
static void one_column_write(one_column *o, column_def *x, cell_fn cell)
{
    memset(o, 0, sizeof *o);
    table_def xdef = {0};
    xdef.name = "x";
    xdef.columns = x;
    xdef.column_count = 1;
    arm_error err;
    table_provider *source = NULL;
    CHECK_OK(memory_table_create(&source, &xdef, &err), &err);
    batch b;
    CHECK_OK(batch_init(&b, 1, source->column_types, &err), &err);
    for (uint64_t at = 0; at < ROWS; at += VECTOR_SIZE) {
        uint32_t n = ROWS - at < VECTOR_SIZE ? (uint32_t)(ROWS - at) : VECTOR_SIZE;
        batch_reset(&b);
        CHECK_OK(vector_prepare_flat(&b.columns[0], n, &err), &err);
        for (uint32_t i = 0; i < n; i++)
            cell(&b.columns[0], i, at + i);
        b.count = n;
        CHECK_OK(source->vtable->append(source, &b, &err), &err);
    }
    batch_dispose(&b);
    o->io = (table_chunk_io){&o->m, put, get, read_ranges};
    table_store_options options = {2048, 4096, 8192};
    CHECK_OK(table_store_cut(&o->io, &options, &source, 1, &xdef, NULL, 0, 0, &o->out, &err), &err);
    source->vtable->destroy(source);
    o->v.def = xdef;
    o->v.chunks = o->out.chunks;
    o->v.chunk_stats = o->out.stats;
    o->v.chunk_count = o->out.chunk_count;
    o->v.row_count = ROWS;
    CHECK_OK(column_cache_create(64 << 20, &o->cache, &err), &err);
    CHECK_OK(chunk_table_create(&o->t, &o->io, o->cache, &o->v, false, &err), &err);
}

static void one_column_dispose(one_column *o)
{
    o->t->vtable->destroy(o->t);
    column_cache_destroy(o->cache);
    table_store_output_dispose(&o->out);
    free_objects(&o->m);
}

static void double_cell(vector *v, uint32_t i, uint64_t row)
{
    ((double *)v->data)[i] = double_of(row);
}

/*
 * A nullable DOUBLE column of random values (stored raw: it does not compress) read cold
 * from ranges is used in place: the cached vectors are views of the column's own bytes
 * (nothing decoded into fresh memory), the values are right, and the cache counts about
 * the column's bytes (not the buffer once per vector).
 */
static void test_cold_doubles_are_views(void)
{
    column_def x = {"x", type_make(TYPE_DOUBLE), false, NULL, 1};
    one_column o;
    one_column_write(&o, &x, double_cell);
    double sum = 0, expected = 0;
    for (uint64_t row = 0; row < ROWS; row++)
        expected += double_of(row);
    uint64_t rows = 0;
    arm_error err;
    CHECK_OK(scan_column_to_end(o.t, 0, &sum, &rows, &err), &err);
    CHECK_INT_EQ(rows, ROWS);
    CHECK(sum == expected); /* same values, same order of addition */
    uint32_t views = 0, whole = 0;
    size_t bytes = 0;
    for (uint32_t c = 0; c < o.out.chunk_count; c++) {
        cached_column *entry = column_cache_get(o.cache, o.out.chunks[c].object_id, 0);
        CHECK(entry != NULL);
        for (uint32_t k = 0; entry != NULL && k < entry->vector_count; k++) {
            whole += entry->row_counts[k] == VECTOR_SIZE;
            views += entry->vectors[k].data_buffer == NULL;
            CHECK((uintptr_t)entry->vectors[k].data % sizeof(double) == 0);
        }
        bytes += entry != NULL ? entry->bytes : 0;
        cached_column_release(entry);
    }
    CHECK(whole >= ROWS / VECTOR_SIZE - 2 * o.out.chunk_count);
    CHECK(views >= whole);
    CHECK(bytes < (size_t)ROWS * sizeof(double) * 3 / 2);
    CHECK(bytes > (size_t)ROWS * sizeof(double));
    one_column_dispose(&o);
}

/* Row `row`'s string of the dictionary test: one of 20. */
static uint32_t category_text(uint64_t row, char text[16])
{
    return (uint32_t)snprintf(text, 16, "cat_%02d", (int)(row * 7 % 20));
}

static void category_cell(vector *v, uint32_t i, uint64_t row)
{
    char text[16];
    uint32_t length = category_text(row, text);
    arm_error err;
    CHECK_OK(vector_add_string(v, text, length, &((string_view *)v->data)[i], &err), &err);
}

/*
 * A low-cardinality VARCHAR column stays dictionary-encoded in the cache: each batch
 * holds 4-byte entry numbers (not a string's 16 bytes), the chunk's dictionary is
 * counted once, not once per batch, and every entry names the right string.
 */
static void test_cold_dictionary_batches_are_small(void)
{
    column_def x = {"x", type_make(TYPE_VARCHAR), false, NULL, 1};
    one_column o;
    one_column_write(&o, &x, category_cell);
    uint64_t rows = 0;
    arm_error err;
    CHECK_OK(scan_column_to_end(o.t, 0, NULL, &rows, &err), &err);
    size_t bytes = 0;
    uint64_t row = 0, wrong = 0, dictionary = 0, wide = 0;
    for (uint32_t c = 0; c < o.out.chunk_count; c++) {
        cached_column *entry = column_cache_get(o.cache, o.out.chunks[c].object_id, 0);
        CHECK(entry != NULL);
        for (uint32_t k = 0; entry != NULL && k < entry->vector_count; k++) {
            const vector *b = &entry->vectors[k];
            dictionary += b->kind == VECTOR_DICTIONARY;
            wide += b->data_buffer != NULL &&
                    b->data_buffer->capacity_bytes > VECTOR_SIZE * sizeof(uint32_t);
            for (uint32_t i = 0; b->kind == VECTOR_DICTIONARY && i < entry->row_counts[k];
                 i++, row++) {
                const string_view *s =
                    &((const string_view *)b->dictionary->data)[((const uint32_t *)b->data)[i]];
                char text[16];
                uint32_t length = category_text(row, text);
                wrong += s->length != length || memcmp(string_view_data(s), text, length) != 0;
            }
        }
        bytes += entry != NULL ? entry->bytes : 0;
        cached_column_release(entry);
    }
    CHECK_INT_EQ(row, ROWS);
    CHECK_INT_EQ(wrong, 0);
    CHECK_INT_EQ(wide, 0);
    CHECK(dictionary > 0);
    printf("  %d rows of 20 strings: %zu bytes cached\n", ROWS, bytes);
    /* entry numbers, plus each chunk's dictionary (room for a batch of strings) once;
     * 16-byte batches and the dictionary counted per batch made it 1.3 MB */
    CHECK(bytes < (size_t)ROWS * sizeof(uint32_t) * 5 / 2);
    one_column_dispose(&o);
}

TEST_MAIN(test_cold_doubles_are_views, test_cold_dictionary_batches_are_small,
          test_scans_prune_and_cache, test_reads_only_needed_ranges,
          test_column_outside_verified_range, test_old_sha256_digests_still_checked,
          test_deletes_updates_and_tail, test_primary_key_across_chunks)
