/*
 * Tests for INTERSECT [ALL] and EXCEPT [ALL] (src/exec/op_set_op.c) driven
 * through the vtable: random rows over a small domain with NULLs (which
 * compare equal in set operations) and strings, against counted references.
 */
#include <stdlib.h>
#include <string.h>

#include "op_driver.h"

static op_driver d;

static const logical_type types[2] = {{TYPE_INTEGER, 0, 0}, {TYPE_VARCHAR, 0, 0}};
static const char *value_names[3] = {"x", "a string longer than twelve bytes", ""};

enum { DOMAIN = 4 * 4 }; /* a in 0..2 or NULL, s in names */

static int row_code(unsigned *seed)
{
    return (int)(rand_r(seed) % DOMAIN);
}

static void code_text(char *out, size_t cap, int code)
{
    int a = code / 4, s = code % 4;
    char at[8];
    snprintf(at, sizeof at, a == 3 ? "NULL" : "%d", a);
    snprintf(out, cap, "%s|%s", at, s == 3 ? "NULL" : value_names[s]);
}

static batch *make_batches(const int *codes, uint32_t n, uint32_t per_batch, uint32_t *count)
{
    *count = (n + per_batch - 1) / per_batch;
    batch *b = calloc(*count + 1, sizeof *b);
    value *cells = malloc((size_t)per_batch * 2 * sizeof *cells);
    for (uint32_t k = 0; k < *count; k++) {
        uint32_t m = 0;
        for (uint32_t i = k * per_batch; i < n && m < per_batch; i++, m++) {
            int a = codes[i] / 4, s = codes[i] % 4;
            cells[2 * m] = a == 3 ? value_null(types[0]) : value_integer(a);
            cells[2 * m + 1] =
                s == 3 ? value_null(types[1])
                       : value_varchar(value_names[s], (uint32_t)strlen(value_names[s]));
        }
        driver_batch(&b[k], types, 2, cells, m);
    }
    free(cells);
    return b;
}

static void free_batches(batch *b, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++)
        batch_dispose(&b[i]);
    free(b);
}

static void run_set_op(set_op_kind kind, bool all, const int *left, uint32_t nl, const int *right,
                       uint32_t nr, uint32_t threads)
{
    plan_node *l = driver_plan(&d, PLAN_VALUES, types, 2, NULL, NULL);
    plan_node *r = driver_plan(&d, PLAN_VALUES, types, 2, NULL, NULL);
    plan_node *plan = driver_plan(&d, PLAN_SET_OP, types, 2, l, r);
    plan->u.set_op.kind = kind;
    plan->u.set_op.all = all;
    uint32_t lc, rc;
    batch *lb = make_batches(left, nl, 300, &lc);
    batch *rb = make_batches(right, nr, 300, &rc);
    op *o = NULL;
    arm_error err;
    driver_rows actual = {0}, expected = {0};
    CHECK_OK(driver_create(&d, &o, op_set_op_create, plan, &err), &err);
    CHECK_OK(driver_sink(o, 0, lb, lc, threads, &err), &err);
    CHECK_OK(driver_sink(o, 1, rb, rc, threads, &err), &err);
    CHECK_OK(driver_drain(&d, o, &actual, &err), &err);
    driver_destroy_op(o);
    uint32_t lcount[DOMAIN] = {0}, rcount[DOMAIN] = {0};
    for (uint32_t i = 0; i < nl; i++)
        lcount[left[i]]++;
    for (uint32_t i = 0; i < nr; i++)
        rcount[right[i]]++;
    for (int c = 0; c < DOMAIN; c++) {
        uint32_t keep = kind == SET_OP_INTERSECT
                            ? (lcount[c] < rcount[c] ? lcount[c] : rcount[c])
                            : (lcount[c] > rcount[c] ? lcount[c] - rcount[c] : 0);
        if (!all)
            keep = kind == SET_OP_INTERSECT ? keep > 0 : (lcount[c] > 0 && rcount[c] == 0);
        char text[64];
        code_text(text, sizeof text, c);
        for (uint32_t k = 0; k < keep; k++)
            driver_rows_add(&d, &expected, text);
    }
    if (!driver_rows_same(&actual, &expected)) {
        fprintf(stderr, "kind %d all %d rows %u x %u\n", kind, all, nl, nr);
        CHECK(false);
    }
    free_batches(lb, lc);
    free_batches(rb, rc);
}

static void test_set_ops_random(void)
{
    unsigned seed = 11;
    int left[2000], right[1500];
    for (int i = 0; i < 2000; i++)
        left[i] = row_code(&seed);
    for (int i = 0; i < 1500; i++)
        right[i] = row_code(&seed) % 12; /* right never has a = NULL */
    for (int kind = 0; kind < 2; kind++)
        for (int all = 0; all < 2; all++) {
            run_set_op((set_op_kind)kind, all, left, 2000, right, 1500, 1);
            run_set_op((set_op_kind)kind, all, left, 2000, right, 1500, 3);
            run_set_op((set_op_kind)kind, all, left, 2000, right, 0, 2);
            run_set_op((set_op_kind)kind, all, left, 0, right, 1500, 2);
            run_set_op((set_op_kind)kind, all, right, 40, left, 7, 2);
        }
}

static void setup(void)
{
    driver_init(&d, 0);
}

static void teardown(void)
{
    driver_dispose(&d);
}

TEST_MAIN(setup, test_set_ops_random, teardown)
