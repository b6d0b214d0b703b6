/*
 * Tests for the in-memory catalog (src/catalog) and memory tables
 * (src/table): appends over many segments, zero-copy scans, snapshots,
 * deletes and updates by row id, NOT NULL and PRIMARY KEY checks.
 */
#include <string.h>

#include "catalog/catalog.h"
#include "harness.h"
#include "table/memory_table.h"

static table_def make_def(column_def *columns, uint32_t *pk)
{
    columns[0] = (column_def){"id", type_make(TYPE_BIGINT), false, NULL, 0};
    columns[1] = (column_def){"name", type_make(TYPE_VARCHAR), true, NULL, 0};
    table_def def;
    memset(&def, 0, sizeof def);
    def.name = "people";
    def.columns = columns;
    def.column_count = 2;
    pk[0] = 0;
    def.primary_key = pk;
    def.primary_key_count = 1;
    return def;
}

/* Appends rows with ids [first, first + n) and names "n<id>" (NULL name when null_at == id). */
static arm_status append_rows(table_provider *t, int64_t first, uint32_t n, int64_t null_at,
                              arm_error *err)
{
    batch b;
    arm_status s = batch_init(&b, 2, t->column_types, err);
    s = s ? s : vector_prepare_flat(&b.columns[0], n, err);
    s = s ? s : vector_prepare_flat(&b.columns[1], n, err);
    for (uint32_t i = 0; s == ARM_OK && i < n; i++) {
        int64_t id = first + i;
        ((int64_t *)b.columns[0].data)[i] = id;
        char name[32];
        int len = snprintf(name, sizeof name, "n%lld", (long long)id);
        s = vector_add_string(&b.columns[1], name, (uint32_t)len,
                              &((string_view *)b.columns[1].data)[i], err);
        if (s == ARM_OK && id == null_at) {
            s = vector_ensure_validity(&b.columns[1], err);
            vector_set_null(&b.columns[1], i);
        }
    }
    b.count = n;
    if (s == ARM_OK)
        s = t->vtable->append(t, &b, err);
    batch_dispose(&b);
    return s;
}

/* Scans ids (and row ids) and returns the count and the sum of ids. */
static uint64_t scan_sum(table_provider *t, uint64_t *count)
{
    arm_error err;
    uint32_t ids[2] = {0, TABLE_COLUMN_ROW_ID};
    table_scan_options options = {ids, 2, NULL, 0};
    table_scan *scan = NULL;
    table_scan_local *local = NULL;
    CHECK_OK(t->vtable->scan_begin(t, &options, &scan, &err), &err);
    CHECK_OK(t->vtable->scan_local_create(scan, &local, &err), &err);
    logical_type types[2] = {type_make(TYPE_BIGINT), type_make(TYPE_BIGINT)};
    batch b;
    CHECK_OK(batch_init(&b, 2, types, &err), &err);
    uint64_t sum = 0;
    *count = 0;
    for (;;) {
        batch_reset(&b);
        CHECK_OK(t->vtable->scan_next(scan, local, &b, &err), &err);
        if (b.count == 0)
            break;
        for (uint32_t i = 0; i < b.count; i++)
            sum += (uint64_t)((int64_t *)b.columns[0].data)[batch_row(&b, i)];
        *count += b.count;
    }
    batch_dispose(&b);
    t->vtable->scan_local_destroy(local);
    t->vtable->scan_end(scan);
    return sum;
}

static void test_append_scan_constraints(void)
{
    arm_error err;
    column_def columns[2];
    uint32_t pk[1];
    table_def def = make_def(columns, pk);
    table_provider *t = NULL;
    CHECK_OK(memory_table_create(&t, &def, &err), &err);
    CHECK_OK(append_rows(t, 0, 5000, -1, &err), &err); /* three segments */
    CHECK_OK(append_rows(t, 5000, 10, -1, &err), &err);
    uint64_t count;
    CHECK_INT_EQ(scan_sum(t, &count), 5010LL * 5009 / 2);
    CHECK_INT_EQ(count, 5010);
    CHECK_INT_EQ(t->vtable->estimated_row_count(t), 5010);
    /* a duplicate inside the batch or against the table: nothing is written */
    CHECK(append_rows(t, 4999, 3, -1, &err) == ARM_ERROR_CONSTRAINT);
    CHECK_STR_EQ(err.sqlstate, "23505");
    CHECK(strstr(err.detail, "Key (id)=(4999) already exists.") != NULL);
    CHECK(append_rows(t, 6000, 3, 6001, &err) == ARM_ERROR_CONSTRAINT);
    CHECK_STR_EQ(err.sqlstate, "23502");
    scan_sum(t, &count);
    CHECK_INT_EQ(count, 5010);
    t->vtable->destroy(t);
}

static void test_snapshot_delete_update(void)
{
    arm_error err;
    column_def columns[2];
    uint32_t pk[1];
    table_def def = make_def(columns, pk);
    table_provider *t = NULL;
    CHECK_OK(memory_table_create(&t, &def, &err), &err);
    CHECK_OK(append_rows(t, 0, 3000, -1, &err), &err);
    /* a scan started before a write sees the table as it was */
    uint32_t ids[1] = {0};
    table_scan_options options = {ids, 1, NULL, 0};
    table_scan *scan = NULL;
    CHECK_OK(t->vtable->scan_begin(t, &options, &scan, &err), &err);
    int64_t gone[3] = {0, 2047, 2048};
    CHECK_OK(t->vtable->delete_rows(t, gone, 3, &err), &err);
    CHECK_OK(append_rows(t, 3000, 100, -1, &err), &err);
    table_scan_local *local = NULL;
    CHECK_OK(t->vtable->scan_local_create(scan, &local, &err), &err);
    logical_type type = type_make(TYPE_BIGINT);
    batch b;
    CHECK_OK(batch_init(&b, 1, &type, &err), &err);
    uint64_t old_count = 0;
    for (;;) {
        batch_reset(&b);
        CHECK_OK(t->vtable->scan_next(scan, local, &b, &err), &err);
        if (b.count == 0)
            break;
        old_count += b.count;
    }
    CHECK_INT_EQ(old_count, 3000);
    batch_dispose(&b);
    t->vtable->scan_local_destroy(local);
    t->vtable->scan_end(scan);
    uint64_t count;
    uint64_t sum = scan_sum(t, &count);
    CHECK_INT_EQ(count, 3097);
    CHECK_INT_EQ(sum, 3100LL * 3099 / 2 - 2047 - 2048);
    /* the deleted key can be inserted again */
    CHECK_OK(append_rows(t, 2047, 1, -1, &err), &err);
    t->vtable->destroy(t);
}

static void test_catalog(void)
{
    arm_error err;
    catalog *cat = NULL;
    CHECK_OK(catalog_create(&cat, &err), &err);
    column_def columns[2];
    uint32_t pk[1];
    table_def def = make_def(columns, pk);
    CHECK_OK(memory_table_create(&def.provider, &def, &err), &err);
    uint64_t version = catalog_version(cat);
    CHECK_OK(catalog_create_table(cat, &def, &err), &err);
    CHECK(catalog_version(cat) > version);
    CHECK(catalog_create_table(cat, &def, &err) == ARM_ERROR_ALREADY_EXISTS);
    CHECK_STR_EQ(err.sqlstate, "42P07");
    view_def view = {0, NULL, "v", "SELECT 1", NULL, 0};
    CHECK_OK(catalog_create_view(cat, &view, false, &err), &err);
    view.name = "people";
    CHECK(catalog_create_view(cat, &view, true, &err) == ARM_ERROR_ALREADY_EXISTS);
    table_def *held = catalog_lookup_table(cat, NULL, "people");
    CHECK(held != NULL && held->columns[0].field_id == 1);
    CHECK_OK(catalog_drop_table(cat, "main", "people", false, &err), &err);
    CHECK(catalog_lookup_table(cat, NULL, "people") == NULL);
    CHECK(held->provider->vtable->estimated_row_count(held->provider) == 0); /* still valid */
    table_def_release(held);
    CHECK(catalog_drop_table(cat, NULL, "people", false, &err) == ARM_ERROR_NOT_FOUND);
    CHECK_STR_EQ(err.sqlstate, "42P01");
    CHECK_OK(catalog_drop_table(cat, NULL, "people", true, &err), &err);
    view_def *v = catalog_lookup_view(cat, NULL, "v");
    CHECK(v != NULL && strcmp(v->sql, "SELECT 1") == 0);
    view_def_release(v);
    catalog_destroy(cat);
}

TEST_MAIN(test_append_scan_constraints, test_snapshot_delete_update, test_catalog)
