/*
 * Tests for SORT and TOP_N (src/exec/op_sort.c) driven through the vtable:
 * mixed ASC/DESC and NULLS FIRST/LAST keys over integers, doubles and
 * strings (shared prefixes, long values), several threads' locals, top-N
 * with an offset, and empty input. Results compare with qsort on the same
 * rows.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "op_driver.h"

static op_driver d;

typedef struct sort_row {
    int32_t a;
    bool a_null;
    char s[48];
    bool s_null;
    double x;
    int32_t id;
} sort_row;

static const logical_type row_types[4] = {
    {TYPE_INTEGER, 0, 0}, {TYPE_VARCHAR, 0, 0}, {TYPE_DOUBLE, 0, 0}, {TYPE_INTEGER, 0, 0}};

typedef struct key_spec {
    uint32_t column;
    bool descending;
    bool nulls_first;
} key_spec;

static key_spec keys_in_use[4];
static uint32_t key_count_in_use;

static void random_rows(sort_row *rows, uint32_t n, unsigned *seed)
{
    static const char *stems[5] = {"", "abc", "abcdefghijklmnop", "abcdefghijklmnoq", "zz"};
    for (uint32_t i = 0; i < n; i++) {
        sort_row *r = &rows[i];
        r->a = (int32_t)(rand_r(seed) % 50) - 25;
        r->a_null = rand_r(seed) % 9 == 0;
        snprintf(r->s, sizeof r->s, "%s%u", stems[rand_r(seed) % 5], rand_r(seed) % 4);
        if (rand_r(seed) % 3 == 0)
            r->s[strlen(r->s) - 1] = '\0'; /* a prefix of a sibling */
        r->s_null = rand_r(seed) % 11 == 0;
        r->x = (double)((int)(rand_r(seed) % 200) - 100) / 4.0;
        r->id = (int32_t)i;
    }
}

static int compare_column(const sort_row *p, const sort_row *q, const key_spec *k)
{
    bool pn = k->column == 0 ? p->a_null : k->column == 1 ? p->s_null : false;
    bool qn = k->column == 0 ? q->a_null : k->column == 1 ? q->s_null : false;
    if (pn || qn) {
        if (pn && qn)
            return 0;
        return (pn ? 1 : -1) * (k->nulls_first ? -1 : 1);
    }
    int c;
    switch (k->column) {
    case 0: c = (p->a > q->a) - (p->a < q->a); break;
    case 1:
        c = strcmp(p->s, q->s);
        c = (c > 0) - (c < 0);
        break;
    case 2: c = (p->x > q->x) - (p->x < q->x); break;
    default: c = (p->id > q->id) - (p->id < q->id); break;
    }
    return k->descending ? -c : c;
}

static int compare_rows(const void *a, const void *b)
{
    for (uint32_t k = 0; k < key_count_in_use; k++) {
        int c = compare_column(a, b, &keys_in_use[k]);
        if (c != 0)
            return c;
    }
    return 0;
}

static void row_text(char *out, size_t cap, const sort_row *r)
{
    char a[16], s[64], x[32];
    snprintf(a, sizeof a, r->a_null ? "NULL" : "%d", r->a);
    snprintf(s, sizeof s, "%s", r->s_null ? "NULL" : r->s);
    value v = value_double(r->x);
    value_format(&v, x, sizeof x);
    snprintf(out, cap, "%s|%s|%s|%d", a, s, x, r->id);
}

static batch *make_batches(const sort_row *rows, uint32_t n, uint32_t per_batch, uint32_t *count)
{
    *count = (n + per_batch - 1) / per_batch;
    batch *b = calloc(*count + 1, sizeof *b);
    value *cells = malloc((size_t)per_batch * 4 * sizeof *cells);
    for (uint32_t k = 0; k < *count; k++) {
        uint32_t m = 0;
        for (uint32_t i = k * per_batch; i < n && m < per_batch; i++, m++) {
            const sort_row *r = &rows[i];
            value *c = &cells[(size_t)m * 4];
            c[0] = r->a_null ? value_null(row_types[0]) : value_integer(r->a);
            c[1] =
                r->s_null ? value_null(row_types[1]) : value_varchar(r->s, (uint32_t)strlen(r->s));
            c[2] = value_double(r->x);
            c[3] = value_integer(r->id);
        }
        driver_batch(&b[k], row_types, 4, cells, m);
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

/* Sorts `rows` by the keys in use through the operator; checks order against qsort. */
static void run_sort(const sort_row *rows, uint32_t n, bool top_n, uint64_t limit, uint64_t offset,
                     uint32_t threads)
{
    plan_node *input = driver_plan(&d, PLAN_VALUES, row_types, 4, NULL, NULL);
    plan_node *plan = driver_plan(&d, top_n ? PLAN_TOP_N : PLAN_SORT, row_types, 4, input, NULL);
    plan->u.sort.keys = arena_zalloc(d.arena, (key_count_in_use + 1) * sizeof(plan_sort_key));
    plan->u.sort.key_count = key_count_in_use;
    for (uint32_t k = 0; k < key_count_in_use; k++) {
        uint32_t c = keys_in_use[k].column;
        plan->u.sort.keys[k].key = expr_column(d.arena, row_types[c], c);
        plan->u.sort.keys[k].descending = keys_in_use[k].descending;
        plan->u.sort.keys[k].nulls_first = keys_in_use[k].nulls_first;
    }
    plan->u.sort.limit = limit;
    plan->u.sort.offset = offset;
    uint32_t count;
    batch *b = make_batches(rows, n, 1000, &count);
    op *o = NULL;
    arm_error err;
    driver_rows actual = {0};
    CHECK_OK(driver_create(&d, &o, op_sort_create, plan, &err), &err);
    CHECK(o->vtable->source_is_ordered);
    CHECK_OK(driver_sink(o, 0, b, count, threads, &err), &err);
    CHECK_OK(driver_drain(&d, o, &actual, &err), &err);
    driver_destroy_op(o);
    free_batches(b, count);

    sort_row *sorted = malloc((n + 1) * sizeof *sorted);
    memcpy(sorted, rows, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, compare_rows);
    uint64_t from = top_n ? offset : 0, to = n;
    if (top_n && limit < to - (from < to ? from : to))
        to = from + limit;
    if (from > n)
        from = n;
    CHECK_INT_EQ(actual.count, to - from);
    /* rows equal under the keys may come in any order: compare key text per position */
    char want[160];
    for (uint64_t i = from; i < to && i - from < actual.count; i++) {
        row_text(want, sizeof want, &sorted[i]);
        if (strcmp(actual.rows[i - from], want) == 0)
            continue;
        /* a different row is fine only when it ties with the expected one (ties are adjacent) */
        bool tie = false;
        for (uint64_t lo = i; !tie && compare_rows(&sorted[lo], &sorted[i]) == 0; lo--) {
            row_text(want, sizeof want, &sorted[lo]);
            tie = strcmp(want, actual.rows[i - from]) == 0;
            if (lo == 0)
                break;
        }
        for (uint64_t hi = i + 1; !tie && hi < n && compare_rows(&sorted[hi], &sorted[i]) == 0;
             hi++) {
            row_text(want, sizeof want, &sorted[hi]);
            tie = strcmp(want, actual.rows[i - from]) == 0;
        }
        if (!tie) {
            row_text(want, sizeof want, &sorted[i]);
            fprintf(stderr, "position %llu: got %s, expected %s\n", (unsigned long long)i,
                    actual.rows[i - from], want);
            CHECK(false);
            break;
        }
    }
    free(sorted);
}

static void use_keys(uint32_t count, ...)
{
    va_list ap;
    va_start(ap, count);
    for (uint32_t k = 0; k < count; k++) {
        keys_in_use[k].column = va_arg(ap, uint32_t);
        keys_in_use[k].descending = va_arg(ap, int);
        keys_in_use[k].nulls_first = va_arg(ap, int);
    }
    va_end(ap);
    key_count_in_use = count;
}

static void test_sort_mixed_keys(void)
{
    unsigned seed = 1;
    enum { N = 7000 };
    sort_row *rows = malloc(N * sizeof *rows);
    random_rows(rows, N, &seed);
    /* a ASC NULLS LAST, s DESC NULLS FIRST, id ASC: a total order */
    use_keys(3, 0u, 0, 0, 1u, 1, 1, 3u, 0, 0);
    run_sort(rows, N, false, 0, 0, 1);
    run_sort(rows, N, false, 0, 0, 3);
    /* s ASC NULLS FIRST, x DESC, a DESC NULLS LAST: ties allowed */
    use_keys(3, 1u, 0, 1, 2u, 1, 0, 0u, 1, 0);
    run_sort(rows, N, false, 0, 0, 2);
    /* one double key descending */
    use_keys(1, 2u, 1, 1);
    run_sort(rows, N, false, 0, 0, 4);
    free(rows);
}

static void test_top_n_with_offset(void)
{
    unsigned seed = 5;
    enum { N = 20000 };
    sort_row *rows = malloc(N * sizeof *rows);
    random_rows(rows, N, &seed);
    use_keys(3, 2u, 1, 1, 1u, 0, 0, 3u, 1, 0);
    run_sort(rows, N, true, 100, 0, 1);
    run_sort(rows, N, true, 100, 37, 3);
    run_sort(rows, N, true, 5000, 2500, 2); /* more than one output batch */
    run_sort(rows, N, true, 10, N - 5, 2);  /* the offset leaves 5 rows */
    run_sort(rows, N, true, 10, N + 5, 2);  /* nothing left */
    run_sort(rows, N, true, 0, 0, 2);
    use_keys(1, 0u, 0, 1); /* many ties on a small domain */
    run_sort(rows, N, true, 300, 10, 2);
    free(rows);
}

static void test_empty_and_tiny(void)
{
    sort_row rows[3];
    unsigned seed = 9;
    random_rows(rows, 3, &seed);
    use_keys(2, 0u, 0, 0, 3u, 0, 0);
    run_sort(rows, 0, false, 0, 0, 2);
    run_sort(rows, 0, true, 10, 0, 2);
    run_sort(rows, 3, false, 0, 0, 2);
    run_sort(rows, 3, true, 2, 1, 2);
}

static void setup(void)
{
    driver_init(&d, 0);
}

static void teardown(void)
{
    driver_dispose(&d);
}

TEST_MAIN(setup, test_sort_mixed_keys, test_top_n_with_offset, test_empty_and_tiny, teardown)
