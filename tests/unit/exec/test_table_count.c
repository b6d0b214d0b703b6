/*
 * Tests for the TABLE_COUNT operator (op_table_count.c) through its vtable:
 * it asks the provider once, when the query starts, with the query's
 * committed_only; every output column is the count; one row in all, however
 * many threads' locals ask; a count of 0 is a row with 0.
 */
#include "op_driver.h"

/* A provider that only knows its row count, and records how it was asked. */
typedef struct counted_table {
    table_provider base;
    uint64_t working_rows;
    uint64_t committed_rows;
    int calls;
    bool last_committed_only;
} counted_table;

static uint64_t counted_rows(table_provider *t, bool committed_only)
{
    counted_table *c = (counted_table *)t;
    c->calls++;
    c->last_committed_only = committed_only;
    return committed_only ? c->committed_rows : c->working_rows;
}

static const table_provider_vtable counted_vtable = {.exact_row_count = counted_rows};

/* Runs a TABLE_COUNT of `columns` BIGINT columns over `t`; returns its rows as text. */
static driver_rows run_count(op_driver *d, counted_table *t, uint32_t columns, arm_error *err)
{
    logical_type types[3] = {type_make(TYPE_BIGINT), type_make(TYPE_BIGINT),
                             type_make(TYPE_BIGINT)};
    plan_node *plan = driver_plan(d, PLAN_TABLE_COUNT, types, columns, NULL, NULL);
    plan->u.table_count.table = &t->base;
    plan->u.table_count.table_name = "t";
    op *o = NULL;
    driver_rows rows = {0};
    CHECK_OK(driver_create(d, &o, op_table_count_create, plan, err), err);
    CHECK_INT_EQ(t->calls, 1); /* asked at init, before any row is read */
    CHECK_OK(driver_drain(d, o, &rows, err), err);
    CHECK_OK(driver_drain(d, o, &rows, err), err); /* a second thread's local: nothing more */
    CHECK_INT_EQ(t->calls, 1);
    driver_destroy_op(o);
    return rows;
}

static void test_counts_what_the_query_sees(void)
{
    arm_error err;
    op_driver d;
    driver_init(&d, 0);
    counted_table t = {{&counted_vtable, 0, NULL, NULL}, 100000, 99000, 0, false};
    driver_rows rows = run_count(&d, &t, 2, &err);
    CHECK_INT_EQ(rows.count, 1);
    if (rows.count == 1)
        CHECK_STR_EQ(rows.rows[0], "100000|100000");
    CHECK(!t.last_committed_only);
    t.calls = 0;
    d.ctx.committed_only = true; /* a reader of another connection: the last commit */
    rows = run_count(&d, &t, 1, &err);
    CHECK(t.last_committed_only);
    CHECK_INT_EQ(rows.count, 1);
    if (rows.count == 1)
        CHECK_STR_EQ(rows.rows[0], "99000");
    driver_dispose(&d);
}

static void test_empty_table_is_one_zero_row(void)
{
    arm_error err;
    op_driver d;
    driver_init(&d, 0);
    counted_table t = {{&counted_vtable, 0, NULL, NULL}, 0, 0, 0, false};
    driver_rows rows = run_count(&d, &t, 3, &err);
    CHECK_INT_EQ(rows.count, 1);
    if (rows.count == 1)
        CHECK_STR_EQ(rows.rows[0], "0|0|0");
    driver_dispose(&d);
}

TEST_MAIN(test_counts_what_the_query_sees, test_empty_table_is_one_zero_row)
