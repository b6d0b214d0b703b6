/*
 * Tests for series tables (src/table/series_table.c): row counts at the
 * limits of BIGINT, threads sharing one scan in morsels, scans without
 * columns (COUNT(*)), calendar series and zero steps.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "table/series_table.h"
#include "vector/cast.h"

static table_provider *make_series(int64_t start, int64_t stop, int64_t step, bool is_inclusive)
{
    value a = value_bigint(start), b = value_bigint(stop), c = value_bigint(step);
    table_provider *t = NULL;
    arm_error err;
    CHECK_OK(series_table_create(&t, "generate_series", &a, &b, &c, is_inclusive, &err), &err);
    return t;
}

static uint64_t rows_of(int64_t start, int64_t stop, int64_t step, bool is_inclusive)
{
    table_provider *t = make_series(start, stop, step, is_inclusive);
    uint64_t rows = t ? t->vtable->estimated_row_count(t) : 0;
    if (t)
        t->vtable->destroy(t);
    return rows;
}

static void test_row_counts_at_limits(void)
{
    CHECK(rows_of(INT64_MIN, INT64_MAX, 1, true) == UINT64_MAX); /* 2^64 saturates */
    CHECK(rows_of(INT64_MIN, INT64_MAX, 1, false) == UINT64_MAX);
    CHECK(rows_of(INT64_MAX, INT64_MIN, -1, false) == UINT64_MAX);
    CHECK(rows_of(INT64_MIN, INT64_MAX, INT64_MAX, true) == 3);
    CHECK(rows_of(INT64_MAX, INT64_MIN, INT64_MIN, true) == 2);
    CHECK(rows_of(INT64_MAX, INT64_MAX, INT64_MIN, false) == 0);
    CHECK(rows_of(0, 10, 3, true) == 4);
    CHECK(rows_of(0, 9, 3, false) == 3);
    CHECK(rows_of(5, 1, 1, true) == 0);
}

typedef struct shared_scan {
    table_provider *table;
    table_scan *scan;
    uint64_t row_count;
    int64_t sum;
    bool is_ordered; /* values rise by one within each batch */
} shared_scan;

static void *scan_thread(void *context)
{
    shared_scan *s = context;
    table_scan_local *local = NULL;
    batch b;
    arm_error err;
    CHECK_OK(s->table->vtable->scan_local_create(s->scan, &local, &err), &err);
    CHECK_OK(batch_init(&b, 1, s->table->column_types, &err), &err);
    s->is_ordered = true;
    for (;;) {
        CHECK_OK(s->table->vtable->scan_next(s->scan, local, &b, &err), &err);
        if (b.count == 0)
            break;
        const int64_t *values = b.columns[0].data;
        s->is_ordered &= values[0] == (int64_t)b.sequence * VECTOR_SIZE + 1;
        for (uint32_t i = 0; i < b.count; i++) {
            s->is_ordered &= values[i] == values[0] + i;
            s->sum += values[i];
        }
        s->row_count += b.count;
    }
    batch_dispose(&b);
    s->table->vtable->scan_local_destroy(local);
    return NULL;
}

static void test_threads_share_the_scan(void)
{
    table_provider *t = make_series(1, 1000000, 1, true);
    uint32_t column = 0;
    table_scan_options options = {&column, 1, NULL, 0, false};
    table_scan *scan = NULL;
    arm_error err;
    CHECK_OK(t->vtable->scan_begin(t, &options, &scan, &err), &err);
    shared_scan parts[4];
    pthread_t threads[4];
    for (int i = 0; i < 4; i++) {
        parts[i] = (shared_scan){t, scan, 0, 0, false};
        pthread_create(&threads[i], NULL, scan_thread, &parts[i]);
    }
    uint64_t rows = 0;
    int64_t sum = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
        rows += parts[i].row_count;
        sum += parts[i].sum;
        CHECK(parts[i].is_ordered);
    }
    CHECK_INT_EQ(rows, 1000000);
    CHECK_INT_EQ(sum, 500000500000LL);
    t->vtable->scan_end(scan);
    t->vtable->destroy(t);
}

/* Rows a scan of no columns (COUNT(*)) returns. */
static uint64_t count_rows(table_provider *t)
{
    table_scan_options options = {NULL, 0, NULL, 0, false};
    table_scan *scan = NULL;
    table_scan_local *local = NULL;
    batch b;
    arm_error err;
    uint64_t rows = 0;
    CHECK_OK(t->vtable->scan_begin(t, &options, &scan, &err), &err);
    CHECK_OK(t->vtable->scan_local_create(scan, &local, &err), &err);
    CHECK_OK(batch_init(&b, 0, NULL, &err), &err);
    do {
        CHECK_OK(t->vtable->scan_next(scan, local, &b, &err), &err);
        rows += b.count;
    } while (b.count > 0);
    batch_dispose(&b);
    t->vtable->scan_local_destroy(local);
    t->vtable->scan_end(scan);
    return rows;
}

static void test_counting_without_columns(void)
{
    table_provider *t = make_series(-3, 100000, 2, false);
    CHECK_INT_EQ(count_rows(t), 50002);
    t->vtable->destroy(t);
}

/*
 * A timestamp series of month steps from 2024-01-31: 2024-02-29, then the
 * 29th until February 2025 clamps it to the 28th for good.
 */
static void test_calendar_series(void)
{
    value start = {.type = type_make(TYPE_TIMESTAMP)}, stop = start;
    start.u.i64 = (int64_t)date_from_civil(2024, 1, 31) * 86400000000LL;
    stop.u.i64 = (int64_t)date_from_civil(2032, 4, 29) * 86400000000LL;
    value step = {.type = type_make(TYPE_INTERVAL), .u.interval = {1, 0, 0}};
    table_provider *t = NULL;
    arm_error err;
    CHECK_OK(series_table_create(&t, "range", &start, &stop, &step, false, &err), &err);
    CHECK_INT_EQ(count_rows(t), 100); /* ... 2032-04-28, before the stop 2032-04-29 */
    t->vtable->destroy(t);
}

static void test_zero_step(void)
{
    value a = value_bigint(1), b = value_bigint(5), c = value_bigint(0);
    table_provider *t = NULL;
    arm_error err;
    CHECK_INT_EQ(series_table_create(&t, "generate_series", &a, &b, &c, true, &err),
                 ARM_ERROR_INVALID_INPUT);
    CHECK_STR_EQ(err.sqlstate, "22023");
    CHECK(t == NULL);
    value null_step = value_null(type_make(TYPE_BIGINT));
    CHECK_OK(series_table_create(&t, "generate_series", &a, &b, &null_step, true, &err), &err);
    CHECK_INT_EQ(t->vtable->estimated_row_count(t), 0);
    t->vtable->destroy(t);
}

TEST_MAIN(test_row_counts_at_limits, test_threads_share_the_scan, test_counting_without_columns,
          test_calendar_series, test_zero_step)
