/*
 * Tests for table_store (src/table): a table written as content-defined
 * Parquet chunks reads back row for row through a chunk table; the same
 * rows give the same chunks; re-cutting from the last chunk after appends
 * gives the chunks a full write gives; and re-importing a 1M-row table with
 * a changed range, an insert and a delete stores few new bytes, where
 * fixed-size chunks would not.
 */
#include <stdlib.h>
#include <string.h>

#include "cache/column_cache.h"
#include "harness.h"
#include "memory_objects.h"
#include "store/object_store.h"
#include "table/chunk_table.h"
#include "table/memory_table.h"
#include "table/table_store.h"

static column_def columns[3];
static table_def def;

static void setup_def(void)
{
    columns[0] = (column_def){"id", type_make(TYPE_BIGINT), true, NULL, 1};
    columns[1] = (column_def){"name", type_make(TYPE_VARCHAR), false, NULL, 2};
    columns[2] = (column_def){"score", type_make(TYPE_DOUBLE), false, NULL, 3};
    memset(&def, 0, sizeof def);
    def.name = "events";
    def.columns = columns;
    def.column_count = 3;
}

/* Appends rows with ids from `ids` (n of them); `salt` changes the score of every row. */
static table_provider *make_table(const int64_t *ids, uint32_t n, int64_t changed_from,
                                  int64_t changed_to)
{
    table_provider *t = NULL;
    arm_error err;
    CHECK_OK(memory_table_create(&t, &def, &err), &err);
    batch b;
    CHECK_OK(batch_init(&b, 3, t->column_types, &err), &err);
    for (uint32_t at = 0; at < n; at += VECTOR_SIZE) {
        uint32_t m = n - at < VECTOR_SIZE ? n - at : VECTOR_SIZE;
        batch_reset(&b);
        for (uint32_t k = 0; k < 3; k++)
            CHECK_OK(vector_prepare_flat(&b.columns[k], m, &err), &err);
        CHECK_OK(vector_ensure_validity(&b.columns[1], &err), &err);
        for (uint32_t i = 0; i < m; i++) {
            int64_t id = ids[at + i];
            ((int64_t *)b.columns[0].data)[i] = id;
            char name[32];
            int len = snprintf(name, sizeof name, "user-%lld", (long long)(id % 5000));
            CHECK_OK(vector_add_string(&b.columns[1], name, (uint32_t)len,
                                       &((string_view *)b.columns[1].data)[i], &err),
                     &err);
            if (id % 97 == 0)
                vector_set_null(&b.columns[1], i);
            bool changed = id >= changed_from && id < changed_to;
            ((double *)b.columns[2].data)[i] = (double)(id % 1000) / 8 + (changed ? 0.5 : 0);
        }
        b.count = m;
        CHECK_OK(t->vtable->append(t, &b, &err), &err);
    }
    batch_dispose(&b);
    return t;
}

static int64_t *sequential_ids(uint32_t n)
{
    int64_t *ids = malloc(n * sizeof *ids);
    for (uint32_t i = 0; i < n; i++)
        ids[i] = i;
    return ids;
}

/* Sums the ids of `t` (any order and batching) and counts its rows; the scan's status. */
static arm_status scan_ids(table_provider *t, uint64_t *sum, uint64_t *rows)
{
    uint32_t column = 0;
    table_scan_options o = {&column, 1, NULL, 0, false};
    table_scan *scan;
    table_scan_local *local;
    arm_error err;
    CHECK_OK(t->vtable->scan_begin(t, &o, &scan, &err), &err);
    CHECK_OK(t->vtable->scan_local_create(scan, &local, &err), &err);
    batch b;
    logical_type type = type_make(TYPE_BIGINT);
    CHECK_OK(batch_init(&b, 1, &type, &err), &err);
    arm_status s = ARM_OK;
    *sum = 0;
    *rows = 0;
    while (s == ARM_OK) {
        batch_reset(&b);
        s = t->vtable->scan_next(scan, local, &b, &err);
        if (s != ARM_OK || b.count == 0)
            break;
        for (uint32_t i = 0; i < b.count; i++)
            *sum += (uint64_t)((int64_t *)b.columns[0].data)[batch_row(&b, i)] * 31 + 1;
        *rows += b.count;
    }
    batch_dispose(&b);
    t->vtable->scan_local_destroy(local);
    t->vtable->scan_end(scan);
    return s;
}

static uint64_t sum_ids(table_provider *t)
{
    uint64_t sum = 0, rows = 0;
    CHECK_INT_EQ(scan_ids(t, &sum, &rows), ARM_OK);
    return sum;
}

/*
 * Cuts `table` into chunks after `kept` (as they are; the first `skip_rows`
 * rows of the table are theirs) and returns every chunk (caller frees).
 */
static arm_status cut(table_chunk_io *io, const table_store_options *options, table_provider *table,
                      const catalog_chunk_ref *kept, uint32_t kept_count, uint64_t skip_rows,
                      catalog_chunk_ref **chunks, uint32_t *count, arm_error *err)
{
    table_store_output out;
    arm_status s =
        table_store_cut(io, options, &table, 1, &def, kept, kept_count, skip_rows, &out, err);
    if (s != ARM_OK)
        return s;
    *chunks = out.chunks;
    *count = out.chunk_count;
    out.chunks = NULL;
    table_store_output_dispose(&out);
    return ARM_OK;
}

/* The status of scanning the ids and rows of every chunk of `v` through a chunk table. */
static arm_status scan_version(table_chunk_io *io, catalog_table_version *v, uint64_t *sum,
                               uint64_t *rows)
{
    column_cache *cache = NULL;
    table_provider *t = NULL;
    arm_error err;
    CHECK_OK(column_cache_create(0, &cache, &err), &err);
    CHECK_OK(chunk_table_create(&t, io, cache, v, false, &err), &err);
    arm_status s = scan_ids(t, sum, rows);
    t->vtable->destroy(t);
    column_cache_destroy(cache);
    return s;
}

static void test_round_trip(void)
{
    setup_def();
    memory_objects m = {0};
    table_chunk_io io = {&m, put, get, read_ranges};
    int64_t *ids = sequential_ids(100000);
    table_provider *t = make_table(ids, 100000, 0, 0);
    table_store_options small = {2048, 8192, 32768};
    catalog_chunk_ref *chunks = NULL, *again = NULL;
    uint32_t count = 0, again_count = 0;
    arm_error err;
    CHECK_OK(cut(&io, &small, t, NULL, 0, 0, &chunks, &count, &err), &err);
    CHECK(count > 3);
    uint64_t rows = 0;
    for (uint32_t i = 0; i < count; i++) {
        rows += chunks[i].row_count;
        CHECK(chunks[i].row_count <= 32768);
        CHECK(i + 1 == count || chunks[i].row_count >= 2048); /* only the last may be short */
    }
    CHECK_INT_EQ(rows, 100000);
    /* with frequent boundaries, a chunk cut mid-batch still starts from zero rows */
    table_store_options dense = {1024, 1024, 65536};
    catalog_chunk_ref *many = NULL;
    uint32_t many_count = 0;
    CHECK_OK(cut(&io, &dense, t, NULL, 0, 0, &many, &many_count, &err), &err);
    for (uint32_t i = 0; i + 1 < many_count; i++)
        CHECK(many[i].row_count >= 1024);
    free(many);
    /* the same rows: the same chunks, nothing new stored */
    uint64_t stored = m.new_bytes;
    CHECK_OK(cut(&io, &small, t, NULL, 0, 0, &again, &again_count, &err), &err);
    CHECK_INT_EQ(again_count, count);
    CHECK(memcmp(again, chunks, count * sizeof *chunks) == 0);
    CHECK_INT_EQ(m.new_bytes, stored);
    /* and they read back */
    catalog_table_version v;
    memset(&v, 0, sizeof v);
    v.def = def;
    v.chunks = chunks;
    v.chunk_count = count;
    uint64_t sum = 0, read_rows = 0;
    CHECK_OK(scan_version(&io, &v, &sum, &read_rows), &err);
    CHECK_INT_EQ(read_rows, 100000);
    CHECK_INT_EQ(sum, sum_ids(t));
    /* a missing chunk is an error, not a crash */
    chunks[1].object_id[0] ^= 1;
    CHECK_INT_EQ(scan_version(&io, &v, &sum, &read_rows), ARM_ERROR_CORRUPT);
    t->vtable->destroy(t);
    free(chunks);
    free(again);
    free(ids);
    free_objects(&m);
}

/* Bytes of the second import that the first did not already store, as a fraction. */
static double reimport_new_fraction(const table_store_options *options)
{
    enum { ROWS = 1000000 };
    memory_objects m = {0};
    table_chunk_io io = {&m, put, get, read_ranges};
    int64_t *ids = sequential_ids(ROWS);
    table_provider *before = make_table(ids, ROWS, 0, 0);
    catalog_chunk_ref *chunks = NULL;
    uint32_t count = 0;
    arm_error err;
    CHECK_OK(cut(&io, options, before, NULL, 0, 0, &chunks, &count, &err), &err);
    free(chunks);
    before->vtable->destroy(before);
    /* 1% changed in one range, 1,000 rows inserted in the middle, 1,000 deleted elsewhere */
    int64_t *changed = malloc((ROWS + 1000) * sizeof *changed);
    uint32_t n = 0;
    for (int64_t id = 0; id < ROWS; id++) {
        if (id == ROWS / 2)
            for (int64_t k = 0; k < 1000; k++)
                changed[n++] = 5000000 + k;
        if (id >= 800000 && id < 801000)
            continue;
        changed[n++] = id;
    }
    table_provider *after = make_table(changed, n, 200000, 210000);
    uint64_t stored_before = m.new_bytes, total = 0;
    CHECK_OK(cut(&io, options, after, NULL, 0, 0, &chunks, &count, &err), &err);
    for (uint32_t i = 0; i < count; i++)
        total += chunks[i].byte_size;
    double fraction = (double)(m.new_bytes - stored_before) / (double)total;
    free(chunks);
    after->vtable->destroy(after);
    free(changed);
    free(ids);
    free_objects(&m);
    return fraction;
}

/* Content-defined cuts against fixed-size ones of the same average, for `chunk_rows`. */
static void reimport_compared(uint32_t chunk_rows, double *content_defined, double *fixed_size)
{
    table_store_options options = table_store_options_for(chunk_rows);
    *content_defined = reimport_new_fraction(&options);
    table_store_options fixed = {chunk_rows, chunk_rows, chunk_rows}; /* every cut at max_rows */
    *fixed_size = reimport_new_fraction(&fixed);
    printf("new bytes after re-import, chunks of %u rows: content-defined %.1f%%, fixed-size "
           "%.1f%%\n",
           chunk_rows, 100 * *content_defined, 100 * *fixed_size);
}

static void test_reimport_reuses_chunks(void)
{
    setup_def();
    double content_defined, fixed_size;
    reimport_compared(8192, &content_defined, &fixed_size);
    CHECK(content_defined < 0.15);
    CHECK(fixed_size > 0.25); /* the insert shifts every row up to the delete */
    /* the default's chunks are 8 times larger: each change rewrites more rows */
    reimport_compared(TABLE_STORE_DEFAULT_CHUNK_ROWS, &content_defined, &fixed_size);
    CHECK(content_defined < 0.3);
    CHECK(content_defined < fixed_size / 2);
}

/* Re-cutting only from the last chunk after appends gives the chunks a full write gives. */
static void test_appended_matches_full_write(void)
{
    setup_def();
    memory_objects m = {0};
    table_chunk_io io = {&m, put, get, read_ranges};
    int64_t *ids = sequential_ids(150000);
    table_provider *small = make_table(ids, 100000, 0, 0);
    table_provider *grown = make_table(ids, 150000, 0, 0);
    catalog_chunk_ref *before = NULL, *appended = NULL, *full = NULL;
    uint32_t before_count = 0, appended_count = 0, full_count = 0;
    arm_error err;
    CHECK_OK(cut(&io, NULL, small, NULL, 0, 0, &before, &before_count, &err), &err);
    uint64_t stored = m.new_bytes, kept_rows = 0;
    for (uint32_t i = 0; i + 1 < before_count; i++) /* every chunk but the last is kept */
        kept_rows += before[i].row_count;
    CHECK_OK(cut(&io, NULL, grown, before, before_count - 1, kept_rows, &appended, &appended_count,
                 &err),
             &err);
    uint64_t appended_bytes = m.new_bytes - stored;
    CHECK_OK(cut(&io, NULL, grown, NULL, 0, 0, &full, &full_count, &err), &err);
    CHECK_INT_EQ(appended_count, full_count);
    CHECK(memcmp(appended, full, full_count * sizeof *full) == 0);
    CHECK(memcmp(appended, before, (before_count - 1) * sizeof *before) == 0);
    CHECK(appended_bytes < stored); /* only the tail was written again */
    small->vtable->destroy(small);
    grown->vtable->destroy(grown);
    free(before);
    free(appended);
    free(full);
    free(ids);
    free_objects(&m);
}

TEST_MAIN(test_round_trip, test_reimport_reuses_chunks, test_appended_matches_full_write)
