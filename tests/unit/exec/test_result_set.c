/*
 * test_result_set.c: unit tests for src/exec/result_set.c: appends compact
 * selections and flatten constants, flat columns are shared not copied,
 * long strings outlive the batch they came from, locate finds rows by
 * binary search, empty and change-count results.
 */
#include <stdlib.h>
#include <string.h>

#include "exec/result_set.h"
#include "harness.h"

static const logical_type types[2] = {{.id = TYPE_BIGINT}, {.id = TYPE_VARCHAR}};
static const char *const test_names[2] = {"n", "s"};

/* rows rows: n = base + i, s = a long string naming i. */
static void fill(batch *b, uint32_t rows, int64_t base)
{
    arm_error err;
    CHECK_OK(batch_init(b, 2, types, &err), &err);
    CHECK_OK(vector_prepare_flat(&b->columns[0], rows, &err), &err);
    CHECK_OK(vector_prepare_flat(&b->columns[1], rows, &err), &err);
    for (uint32_t i = 0; i < rows; i++) {
        char text[64];
        int n = snprintf(text, sizeof text, "string number %lld, long", (long long)(base + i));
        ((int64_t *)b->columns[0].data)[i] = base + i;
        CHECK_OK(vector_add_string(&b->columns[1], text, (uint32_t)n,
                                   &((string_view *)b->columns[1].data)[i], &err),
                 &err);
    }
    b->count = rows;
}

static void cell(const result_set *r, uint64_t row, value out[2])
{
    uint32_t b = 0, i = 0;
    CHECK(result_set_locate(r, row, &b, &i));
    vector_get_value(&r->batches[b].columns[0], i, &out[0]);
    vector_get_value(&r->batches[b].columns[1], i, &out[1]);
}

static void test_append_compacts_and_shares(void)
{
    arm_error err;
    result_set *r = NULL;
    CHECK_OK(result_set_create(&r, 2, test_names, types, &err), &err);
    batch b;
    fill(&b, 100, 0);
    CHECK_OK(result_set_append(r, &b, &err), &err); /* dense: shared */
    CHECK(r->batches[0].columns[0].data == b.columns[0].data);
    for (uint32_t i = 0; i < 10; i++)
        b.sel_storage[i] = i * 10 + 5;
    b.sel = b.sel_storage;
    b.count = 10;
    CHECK_OK(result_set_append(r, &b, &err), &err); /* selected: compacted */
    b.count = 0;
    CHECK_OK(result_set_append(r, &b, &err), &err); /* empty: ignored */
    batch_dispose(&b);                              /* results keep their strings alive */
    CHECK_INT_EQ(r->batch_count, 2);
    CHECK_INT_EQ(r->row_count, 110);
    CHECK(r->batches[1].sel == NULL && r->batches[1].count == 10);
    value v[2];
    cell(r, 103, v);
    CHECK_INT_EQ(v[0].u.i64, 35);
    CHECK(v[1].u.str.length == 22 && memcmp(v[1].u.str.data, "string number 35, long", 22) == 0);
    cell(r, 99, v);
    CHECK_INT_EQ(v[0].u.i64, 99);
    CHECK(memcmp(v[1].u.str.data, "string number 99, long", 22) == 0);
    result_set_destroy(r);
}

static void test_constants_flattened(void)
{
    arm_error err;
    result_set *r = NULL;
    CHECK_OK(result_set_create(&r, 2, test_names, types, &err), &err);
    batch b;
    CHECK_OK(batch_init(&b, 2, types, &err), &err);
    value seven = value_bigint(7), null_text = value_null(types[1]);
    CHECK_OK(vector_set_constant(&b.columns[0], &seven, &err), &err);
    CHECK_OK(vector_set_constant(&b.columns[1], &null_text, &err), &err);
    b.count = 3;
    CHECK_OK(result_set_append(r, &b, &err), &err);
    batch_dispose(&b);
    CHECK_INT_EQ(r->batches[0].columns[0].kind, VECTOR_FLAT);
    CHECK_INT_EQ(r->batches[0].columns[1].kind, VECTOR_FLAT);
    value v[2];
    cell(r, 2, v);
    CHECK_INT_EQ(v[0].u.i64, 7);
    CHECK(v[1].is_null);
    result_set_destroy(r);
}

static void test_locate(void)
{
    arm_error err;
    result_set *r = NULL;
    CHECK_OK(result_set_create(&r, 2, test_names, types, &err), &err);
    uint64_t total = 0;
    for (uint32_t k = 0; k < 200; k++) {
        batch b;
        uint32_t rows = 1 + (k * 37) % 50;
        fill(&b, rows, (int64_t)total);
        CHECK_OK(result_set_append(r, &b, &err), &err);
        batch_dispose(&b);
        total += rows;
    }
    CHECK_INT_EQ(r->row_count, total);
    int wrong = 0;
    for (uint64_t row = 0; row < total; row++) {
        uint32_t b, i;
        if (!result_set_locate(r, row, &b, &i)) {
            wrong++;
            continue;
        }
        wrong += ((int64_t *)r->batches[b].columns[0].data)[i] != (int64_t)row;
    }
    CHECK_INT_EQ(wrong, 0);
    uint32_t b, i;
    CHECK(!result_set_locate(r, total, &b, &i));
    result_set_destroy(r);
}

static void test_empty_results(void)
{
    arm_error err;
    result_set *r = NULL;
    CHECK_OK(result_set_create_empty(&r, RESULT_SET_CHANGES, 42, &err), &err);
    CHECK_INT_EQ(r->kind, RESULT_SET_CHANGES);
    CHECK_INT_EQ(r->rows_changed, 42);
    CHECK_INT_EQ(r->column_count, 0);
    uint32_t b, i;
    CHECK(!result_set_locate(r, 0, &b, &i));
    result_set_destroy(r);
    result_set_destroy(NULL);

    logical_type odd[1] = {{.id = TYPE_NULL}};
    CHECK_OK(result_set_create(&r, 1, NULL, odd, &err), &err);
    CHECK_STR_EQ(r->column_names[0], "?column?");
    CHECK_INT_EQ(r->column_types[0].id, TYPE_VARCHAR); /* SELECT NULL reads as text */
    CHECK_INT_EQ(r->row_count, 0);
    result_set_destroy(r);
}

TEST_MAIN(test_append_compacts_and_shares, test_constants_flattened, test_locate,
          test_empty_results)
