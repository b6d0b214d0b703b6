/*
 * Tests for the hash aggregate operator (src/exec/op_hash_aggregate.c)
 * driven through its vtable: NULL keys, string and multi-column keys, many
 * groups over several threads' locals, ungrouped and empty inputs, DISTINCT
 * and FILTER aggregates, PLAN_DISTINCT, dictionary-encoded keys (partial
 * states per entry), and the memory limit.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "exec/aggregate.h"
#include "op_driver.h"
#include "vector/cast.h"

static op_driver d;

static expr *col(logical_type type, uint32_t index)
{
    return expr_column(d.arena, type, index);
}

static expr *call(const char *name, expr *x, expr *y)
{
    arm_error err;
    logical_type types[2] = {x->type, y->type}, cast_to[2];
    bool untyped[2] = {false, false};
    const scalar_function *fn = NULL;
    CHECK_OK(function_resolve(&fn, cast_to, name, types, untyped, 2, -1, &err), &err);
    expr *e = arena_zalloc(d.arena, sizeof *e);
    e->kind = EXPR_FUNCTION;
    e->type = fn->return_type;
    e->u.function.fn = fn;
    e->u.function.args = arena_alloc(d.arena, 2 * sizeof(expr *));
    e->u.function.args[0] =
        type_equal(x->type, cast_to[0]) ? x : expr_cast(d.arena, x, cast_to[0], -1);
    e->u.function.args[1] =
        type_equal(y->type, cast_to[1]) ? y : expr_cast(d.arena, y, cast_to[1], -1);
    e->u.function.arg_count = 2;
    return e;
}

static expr *int_constant(int32_t v)
{
    value x = value_integer(v);
    return expr_constant(d.arena, &x, -1);
}

/* An aggregate over argument `arg` (NULL: COUNT(*)). */
static plan_aggregate agg(const char *name, expr *arg, bool is_distinct, expr *filter)
{
    arm_error err;
    plan_aggregate a;
    memset(&a, 0, sizeof a);
    logical_type cast_to[1];
    logical_type t = arg ? arg->type : type_make(TYPE_NULL);
    CHECK_OK(aggregate_resolve(&a.fn, cast_to, name, arg ? &t : NULL, arg ? 1 : 0, arg == NULL, -1,
                               &err),
             &err);
    if (arg) {
        a.args = arena_alloc(d.arena, sizeof(expr *));
        a.args[0] = cast_to[0].id != TYPE_INVALID ? expr_cast(d.arena, arg, cast_to[0], -1) : arg;
        a.arg_count = 1;
    }
    a.is_distinct = is_distinct;
    a.filter = filter;
    return a;
}

/* HASH_AGGREGATE over `input` grouping by `groups`, computing `aggs`. */
static plan_node *aggregate_plan(plan_node *input, expr **groups, uint32_t group_count,
                                 plan_aggregate *aggs, uint32_t agg_count)
{
    logical_type types[16];
    for (uint32_t i = 0; i < group_count; i++)
        types[i] = groups[i]->type;
    for (uint32_t i = 0; i < agg_count; i++)
        types[group_count + i] = aggs[i].fn->return_type;
    plan_node *n =
        driver_plan(&d, PLAN_HASH_AGGREGATE, types, group_count + agg_count, input, NULL);
    n->u.aggregate.groups = arena_alloc(d.arena, (group_count + 1) * sizeof(expr *));
    if (group_count > 0)
        memcpy(n->u.aggregate.groups, groups, group_count * sizeof(expr *));
    n->u.aggregate.group_count = group_count;
    n->u.aggregate.aggregates = arena_alloc(d.arena, (agg_count + 1) * sizeof(plan_aggregate));
    if (agg_count > 0)
        memcpy(n->u.aggregate.aggregates, aggs, agg_count * sizeof(plan_aggregate));
    n->u.aggregate.aggregate_count = agg_count;
    return n;
}

/* Runs an aggregate plan over batches with `threads` locals; renders the output. */
static arm_status run_plan(plan_node *plan, batch *batches, uint32_t count, uint32_t threads,
                           driver_rows *out, arm_error *err)
{
    op *o = NULL;
    arm_status s = driver_create(&d, &o, op_hash_aggregate_create, plan, err);
    if (s == ARM_OK)
        s = driver_sink(o, 0, batches, count, threads, err);
    if (s == ARM_OK)
        s = driver_drain(&d, o, out, err);
    driver_destroy_op(o);
    return s;
}

/* Input: k INTEGER (NULL every 7th), name VARCHAR, v BIGINT (NULL every 5th). */
static const logical_type input_types[3] = {
    {TYPE_INTEGER, 0, 0}, {TYPE_VARCHAR, 0, 0}, {TYPE_BIGINT, 0, 0}};

static void make_input(batch *batches, uint32_t batch_count, uint32_t rows_per_batch,
                       uint32_t key_domain)
{
    value *cells = malloc((size_t)rows_per_batch * 3 * sizeof *cells);
    char names[8][32] = {"a", "bb", "a string longer than twelve", "", "x", "yy", "zzz", "w"};
    for (uint32_t b = 0; b < batch_count; b++) {
        for (uint32_t r = 0; r < rows_per_batch; r++) {
            uint32_t i = b * rows_per_batch + r;
            value *row = &cells[(size_t)r * 3];
            row[0] =
                i % 7 == 3 ? value_null(input_types[0]) : value_integer((int32_t)(i % key_domain));
            row[1] = value_varchar(names[i % 8], (uint32_t)strlen(names[i % 8]));
            row[2] = i % 5 == 0 ? value_null(input_types[2]) : value_bigint((int64_t)i);
        }
        driver_batch(&batches[b], input_types, 3, cells, rows_per_batch);
    }
    free(cells);
}

static void dispose_batches(batch *batches, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++)
        batch_dispose(&batches[i]);
}

static void add_expected(driver_rows *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void add_expected(driver_rows *r, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    driver_rows_add(&d, r, line);
}

static void test_group_by_with_null_keys(void)
{
    enum { BATCHES = 6, ROWS = 1000, DOMAIN = 10 };
    batch in[BATCHES];
    make_input(in, BATCHES, ROWS, DOMAIN);
    plan_node *input = driver_plan(&d, PLAN_VALUES, input_types, 3, NULL, NULL);
    expr *key = col(input_types[0], 0);
    expr *v = col(input_types[2], 2);
    plan_aggregate aggs[5] = {agg("count", NULL, false, NULL), agg("count", v, false, NULL),
                              agg("sum", v, false, NULL), agg("min", v, false, NULL),
                              agg("max", v, false, NULL)};
    plan_node *plan = aggregate_plan(input, &key, 1, aggs, 5);
    /* reference: group k (NULL included) */
    int64_t count[DOMAIN + 1] = {0}, count_v[DOMAIN + 1] = {0}, sum[DOMAIN + 1] = {0};
    int64_t min[DOMAIN + 1], max[DOMAIN + 1];
    for (int g = 0; g <= DOMAIN; g++)
        min[g] = INT64_MAX, max[g] = INT64_MIN;
    for (uint32_t i = 0; i < BATCHES * ROWS; i++) {
        int g = i % 7 == 3 ? DOMAIN : (int)(i % DOMAIN);
        count[g]++;
        if (i % 5 == 0)
            continue;
        count_v[g]++;
        sum[g] += i;
        min[g] = (int64_t)i < min[g] ? (int64_t)i : min[g];
        max[g] = (int64_t)i > max[g] ? (int64_t)i : max[g];
    }
    driver_rows expected = {0};
    for (int g = 0; g <= DOMAIN; g++) {
        char k[16];
        snprintf(k, sizeof k, g == DOMAIN ? "NULL" : "%d", g);
        if (count_v[g] == 0)
            add_expected(&expected, "%s|%lld|0|NULL|NULL|NULL", k, (long long)count[g]);
        else
            add_expected(&expected, "%s|%lld|%lld|%lld|%lld|%lld", k, (long long)count[g],
                         (long long)count_v[g], (long long)sum[g], (long long)min[g],
                         (long long)max[g]);
    }
    for (uint32_t threads = 1; threads <= 3; threads++) {
        driver_rows actual = {0};
        arm_error err;
        CHECK_OK(run_plan(plan, in, BATCHES, threads, &actual, &err), &err);
        CHECK(driver_rows_same(&actual, &expected));
    }
    dispose_batches(in, BATCHES);
}

static void test_string_and_multi_column_keys(void)
{
    enum { BATCHES = 3, ROWS = 2048 };
    batch in[BATCHES];
    make_input(in, BATCHES, ROWS, 3);
    /* a selection on the second batch: only even rows */
    uint32_t n = 0;
    for (uint32_t r = 0; r < ROWS; r += 2)
        in[1].sel_storage[n++] = r;
    in[1].sel = in[1].sel_storage;
    in[1].count = n;
    plan_node *input = driver_plan(&d, PLAN_VALUES, input_types, 3, NULL, NULL);
    expr *keys[2] = {col(input_types[1], 1), col(input_types[0], 0)};
    plan_aggregate aggs[2] = {agg("count", NULL, false, NULL),
                              agg("count", col(input_types[2], 2), false, NULL)};
    plan_node *plan = aggregate_plan(input, keys, 2, aggs, 2);
    char names[8][32] = {"a", "bb", "a string longer than twelve", "", "x", "yy", "zzz", "w"};
    int64_t count[8][4] = {{0}}, count_v[8][4] = {{0}};
    for (uint32_t i = 0; i < BATCHES * ROWS; i++) {
        if (i / ROWS == 1 && (i % ROWS) % 2 == 1)
            continue;
        int k = i % 7 == 3 ? 3 : (int)(i % 3);
        count[i % 8][k]++;
        count_v[i % 8][k] += i % 5 != 0;
    }
    driver_rows expected = {0};
    for (int s = 0; s < 8; s++)
        for (int k = 0; k < 4; k++)
            if (count[s][k] > 0) {
                char key[16];
                snprintf(key, sizeof key, k == 3 ? "NULL" : "%d", k);
                add_expected(&expected, "%s|%s|%lld|%lld", names[s], key, (long long)count[s][k],
                             (long long)count_v[s][k]);
            }
    driver_rows actual = {0};
    arm_error err;
    CHECK_OK(run_plan(plan, in, BATCHES, 2, &actual, &err), &err);
    CHECK(driver_rows_same(&actual, &expected));
    dispose_batches(in, BATCHES);
}

/* 150,000 distinct keys (each twice, in different threads' locals): resizing and merging. */
static void test_many_groups(void)
{
    enum { GROUPS = 150000, PER_BATCH = 2048 };
    uint32_t rows = 2 * GROUPS, batch_count = (rows + PER_BATCH - 1) / PER_BATCH;
    batch *in = calloc(batch_count, sizeof *in);
    logical_type types[2] = {type_make(TYPE_BIGINT), type_make(TYPE_DOUBLE)};
    value *cells = malloc(PER_BATCH * 2 * sizeof *cells);
    for (uint32_t b = 0; b < batch_count; b++) {
        uint32_t n = 0;
        for (uint32_t i = b * PER_BATCH; i < rows && n < PER_BATCH; i++, n++) {
            uint32_t key = (i * 7919u) % GROUPS; /* each key exactly twice, scattered */
            cells[2 * n] = value_bigint((int64_t)key * 1000003);
            cells[2 * n + 1] = value_double((double)(i % 100));
        }
        driver_batch(&in[b], types, 2, cells, n);
    }
    free(cells);
    plan_node *input = driver_plan(&d, PLAN_VALUES, types, 2, NULL, NULL);
    expr *key = col(types[0], 0);
    plan_aggregate aggs[2] = {agg("count", NULL, false, NULL),
                              agg("sum", col(types[1], 1), false, NULL)};
    plan_node *plan = aggregate_plan(input, &key, 1, aggs, 2);
    double *sum = calloc(GROUPS, sizeof *sum);
    for (uint32_t i = 0; i < rows; i++)
        sum[(i * 7919u) % GROUPS] += (double)(i % 100);
    driver_rows expected = {0};
    for (uint32_t k = 0; k < GROUPS; k++)
        add_expected(&expected, "%lld|2|%g", (long long)k * 1000003, sum[k]);
    driver_rows actual = {0};
    arm_error err;
    CHECK_OK(run_plan(plan, in, batch_count, 4, &actual, &err), &err);
    CHECK(driver_rows_same(&actual, &expected));
    free(sum);
    dispose_batches(in, batch_count);
    free(in);
}

static void test_ungrouped_and_empty(void)
{
    plan_node *input = driver_plan(&d, PLAN_VALUES, input_types, 3, NULL, NULL);
    expr *v = col(input_types[2], 2);
    plan_aggregate aggs[4] = {agg("count", NULL, false, NULL), agg("sum", v, false, NULL),
                              agg("avg", v, false, NULL), agg("count", v, true, NULL)};
    arm_error err;
    /* ungrouped over no rows: exactly one row */
    plan_node *plan = aggregate_plan(input, NULL, 0, aggs, 4);
    driver_rows actual = {0}, expected = {0};
    CHECK_OK(run_plan(plan, NULL, 0, 2, &actual, &err), &err);
    add_expected(&expected, "0|NULL|NULL|0");
    CHECK(driver_rows_same(&actual, &expected));
    /* grouped over no rows: nothing */
    expr *key = col(input_types[0], 0);
    plan = aggregate_plan(input, &key, 1, aggs, 4);
    driver_rows none = {0}, empty = {0};
    CHECK_OK(run_plan(plan, NULL, 0, 2, &none, &err), &err);
    CHECK(driver_rows_same(&none, &empty));
    /* ungrouped over rows, several threads */
    batch in[4];
    make_input(in, 4, 500, 10);
    plan = aggregate_plan(input, NULL, 0, aggs, 4);
    int64_t count_v = 0, sum = 0;
    for (uint32_t i = 0; i < 2000; i++)
        if (i % 5 != 0)
            count_v++, sum += i;
    driver_rows got = {0}, want = {0};
    CHECK_OK(run_plan(plan, in, 4, 3, &got, &err), &err);
    add_expected(&want, "2000|%lld|%.17g|%lld", (long long)sum, (double)sum / (double)count_v,
                 (long long)count_v);
    if (got.count == 1 && want.count == 1 && strcmp(got.rows[0], want.rows[0]) != 0) {
        /* the average may print with fewer digits; compare numerically */
        long long c, s, cd;
        double avg;
        CHECK(sscanf(got.rows[0], "%lld|%lld|%lf|%lld", &c, &s, &avg, &cd) == 4);
        CHECK(c == 2000 && s == sum && cd == count_v);
        CHECK(avg > (double)sum / (double)count_v - 1e-9 &&
              avg < (double)sum / (double)count_v + 1e-9);
    } else {
        CHECK(got.count == 1);
    }
    dispose_batches(in, 4);
}

static void test_distinct_and_filter(void)
{
    enum { BATCHES = 5, ROWS = 1000 };
    batch in[BATCHES];
    make_input(in, BATCHES, ROWS, 4);
    plan_node *input = driver_plan(&d, PLAN_VALUES, input_types, 3, NULL, NULL);
    expr *key = col(input_types[0], 0);
    expr *v = col(input_types[2], 2);
    expr *name = col(input_types[1], 1);
    /* v % 10 as the distinct argument: few distinct values per group */
    expr *mod = call("%", v, expr_cast(d.arena, int_constant(10), input_types[2], -1));
    expr *big = call(">", v, expr_cast(d.arena, int_constant(2500), input_types[2], -1));
    plan_aggregate aggs[5] = {agg("count", mod, true, NULL), agg("sum", mod, true, NULL),
                              agg("count", name, true, NULL), agg("count", NULL, false, big),
                              agg("sum", mod, true, big)};
    plan_node *plan = aggregate_plan(input, &key, 1, aggs, 5);
    driver_rows expected = {0};
    for (int g = 0; g <= 4; g++) {
        bool seen[10] = {false}, seen_f[10] = {false}, names[8] = {false};
        int64_t filtered = 0;
        for (uint32_t i = 0; i < BATCHES * ROWS; i++) {
            int k = i % 7 == 3 ? 4 : (int)(i % 4);
            if (k != g)
                continue;
            names[i % 8] = true;
            if (i % 5 == 0)
                continue;
            seen[i % 10] = true;
            if (i > 2500) {
                filtered++;
                seen_f[i % 10] = true;
            }
        }
        int64_t count = 0, sum = 0, count_names = 0, sum_f = 0;
        bool any_f = false;
        for (int x = 0; x < 10; x++) {
            count += seen[x];
            sum += seen[x] ? x : 0;
            sum_f += seen_f[x] ? x : 0;
            any_f |= seen_f[x];
        }
        for (int x = 0; x < 8; x++)
            count_names += names[x];
        char k[16], sf[32];
        snprintf(k, sizeof k, g == 4 ? "NULL" : "%d", g);
        snprintf(sf, sizeof sf, any_f ? "%lld" : "NULL", (long long)sum_f);
        add_expected(&expected, "%s|%lld|%lld|%lld|%lld|%s", k, (long long)count, (long long)sum,
                     (long long)count_names, (long long)filtered, sf);
    }
    driver_rows actual = {0};
    arm_error err;
    CHECK_OK(run_plan(plan, in, BATCHES, 3, &actual, &err), &err);
    CHECK(driver_rows_same(&actual, &expected));
    /* ungrouped DISTINCT */
    plan = aggregate_plan(input, NULL, 0, aggs, 3);
    driver_rows one = {0}, one_expected = {0};
    CHECK_OK(run_plan(plan, in, BATCHES, 2, &one, &err), &err);
    add_expected(&one_expected, "8|40|8"); /* v % 10 is never 0 or 5: those v are NULL */
    CHECK(driver_rows_same(&one, &one_expected));
    dispose_batches(in, BATCHES);
}

static void test_distinct_plan(void)
{
    enum { BATCHES = 4, ROWS = 700 };
    batch in[BATCHES];
    make_input(in, BATCHES, ROWS, 5);
    logical_type types[2] = {input_types[0], input_types[1]};
    /* DISTINCT over the first two columns: project them by keeping the batch columns */
    plan_node *input = driver_plan(&d, PLAN_VALUES, types, 2, NULL, NULL);
    plan_node *plan = driver_plan(&d, PLAN_DISTINCT, types, 2, input, NULL);
    char names[8][32] = {"a", "bb", "a string longer than twelve", "", "x", "yy", "zzz", "w"};
    bool seen[6][8] = {{false}};
    for (uint32_t i = 0; i < BATCHES * ROWS; i++)
        seen[i % 7 == 3 ? 5 : i % 5][i % 8] = true;
    driver_rows expected = {0};
    for (int k = 0; k < 6; k++)
        for (int s = 0; s < 8; s++)
            if (seen[k][s]) {
                char key[8];
                snprintf(key, sizeof key, k == 5 ? "NULL" : "%d", k);
                add_expected(&expected, "%s|%s", key, names[s]);
            }
    for (uint32_t b = 0; b < BATCHES; b++)
        in[b].column_count = 2; /* only the first two columns */
    driver_rows actual = {0};
    arm_error err;
    CHECK_OK(run_plan(plan, in, BATCHES, 2, &actual, &err), &err);
    CHECK(driver_rows_same(&actual, &expected));
    for (uint32_t b = 0; b < BATCHES; b++)
        in[b].column_count = 3;
    dispose_batches(in, BATCHES);
}

/* ---- dictionary-encoded keys ------------------------------------------------------------ */

/* Input: k VARCHAR (dictionary-encoded), x DOUBLE, y INTEGER, j VARCHAR (dictionary-encoded). */
static const logical_type dict_types[4] = {
    {TYPE_VARCHAR, 0, 0}, {TYPE_DOUBLE, 0, 0}, {TYPE_INTEGER, 0, 0}, {TYPE_VARCHAR, 0, 0}};

static const char *const key_names[10] = {
    "k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "a key value longer than twelve bytes", ""};
static const char *const minor_names[3] = {"p", "q", "r"};

/* A flat VARCHAR vector of `count` values: names[of[i]], or "pad<i>" where of[i] < 0. */
static void make_dictionary(vector *v, const char *const *names, const int *of, uint32_t count)
{
    arm_error err;
    vector_init(v, dict_types[0]);
    CHECK_OK(vector_prepare_flat(v, count, &err), &err);
    for (uint32_t i = 0; i < count; i++) {
        char pad[32];
        snprintf(pad, sizeof pad, "pad%u", i);
        const char *text = of[i] >= 0 ? names[of[i]] : pad;
        value x = value_varchar(text, (uint32_t)strlen(text));
        CHECK_OK(vector_set_value(v, i, &x, &err), &err);
    }
}

/* Makes column `c` of `b` a DICTIONARY vector over `dictionary`; NULL where is_null[r]. */
static void set_entries(batch *b, uint32_t c, const vector *dictionary, const uint32_t *entries,
                        const bool *is_null, uint32_t rows)
{
    arm_error err;
    vector *v = &b->columns[c];
    CHECK_OK(vector_prepare_flat(v, rows, &err), &err);
    memcpy(v->data, entries, rows * sizeof *entries);
    for (uint32_t r = 0; r < rows; r++)
        if (is_null != NULL && is_null[r]) {
            CHECK_OK(vector_ensure_validity(v, &err), &err);
            vector_set_null(v, r);
        }
    CHECK_OK(vector_attach_dictionary(v, dictionary, &err), &err);
}

/* One batch's plan: its key dictionary, which of its entries hold names, and its shape. */
typedef struct dict_batch_spec {
    uint32_t dictionary; /* index into the test's dictionaries */
    bool has_null_keys;
    bool has_sel;
} dict_batch_spec;

/* Per key (10 names + NULL) and minor key (3): what the brute force computes. */
typedef struct dict_expected {
    int64_t rows, count_x, sum_y, min_y, positive_y;
    double sum_x, min_x, max_x;
} dict_expected;

static void format_double(char *out, size_t size, double x)
{
    value v = value_double(x);
    value_format(&v, out, size);
}

/* The expected row of group `g` (10 = NULL) for the single-key plan's first `aggregates`. */
static void add_key_row(driver_rows *r, int g, const dict_expected *e, uint32_t aggregates)
{
    char sum_x[64], avg_x[64], min_x[64], max_x[64], avg_y[64], line[512];
    format_double(sum_x, sizeof sum_x, e->sum_x);
    format_double(avg_x, sizeof avg_x, e->sum_x / (double)e->count_x);
    format_double(min_x, sizeof min_x, e->min_x);
    format_double(max_x, sizeof max_x, e->max_x);
    format_double(avg_y, sizeof avg_y, (double)e->sum_y / (double)e->rows);
    if (e->count_x == 0)
        strcpy(sum_x, "NULL"), strcpy(avg_x, "NULL"), strcpy(min_x, "NULL"), strcpy(max_x, "NULL");
    int n = snprintf(line, sizeof line, "%s|%lld|%lld|%s|%s|%lld|%s",
                     g == 10 ? "NULL" : key_names[g], (long long)e->rows, (long long)e->count_x,
                     sum_x, avg_x, (long long)e->sum_y, avg_y);
    if (aggregates > 6)
        n += snprintf(line + n, sizeof line - (size_t)n, "|%s|%s|%lld", min_x, max_x,
                      (long long)e->min_y);
    if (aggregates > 9)
        snprintf(line + n, sizeof line - (size_t)n, "|%lld", (long long)e->positive_y);
    add_expected(r, "%s", line);
}

/*
 * GROUP BY a dictionary-encoded key: small dictionaries (per-entry partial
 * states), one changing between batches and one met again at a new address,
 * a dictionary too large for partial states, NULL keys and NULL arguments,
 * selections; aggregates that group into partial states, then with MIN
 * and MAX and with a FILTER aggregate (which take group pointers per row),
 * and by two dictionary keys; each against a
 * brute-force computation, over 1 to 3 threads.
 */
static void test_dictionary_keys(void)
{
    enum { BATCHES = 9, ROWS = 1000, DICTIONARIES = 5, BIG = 5000 };
    /* 0: names 0-7; 1: some names, reordered; 2: a copy of 0 at another address;
     * 3: BIG entries, names at a few of them; 4: the minor key's dictionary. */
    static const int first[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    static const int second[6] = {5, 3, 9, 8, 0, -1};
    static const int minor[3] = {0, 1, 2};
    int *big = malloc(BIG * sizeof *big);
    for (uint32_t i = 0; i < BIG; i++)
        big[i] = i == 7 ? 2 : i == 4000 ? 8 : i == BIG - 1 ? 6 : -1;
    vector dictionaries[DICTIONARIES];
    make_dictionary(&dictionaries[0], key_names, first, 8);
    make_dictionary(&dictionaries[1], key_names, second, 6);
    make_dictionary(&dictionaries[2], key_names, first, 8);
    make_dictionary(&dictionaries[3], key_names, big, BIG);
    make_dictionary(&dictionaries[4], minor_names, minor, 3);
    static const dict_batch_spec specs[BATCHES] = {
        {0, false, false}, {0, false, true},  {1, false, false}, {0, true, false}, {3, false, true},
        {1, false, true},  {2, false, false}, {0, true, true},   {0, false, false}};
    static const uint32_t used_big[3] = {7, 4000, BIG - 1};
    dict_expected by_key[11], by_pair[11][3];
    memset(by_key, 0, sizeof by_key);
    memset(by_pair, 0, sizeof by_pair);
    for (int g = 0; g < 11; g++)
        by_key[g].min_y = INT64_MAX, by_key[g].min_x = 1e300, by_key[g].max_x = -1e300;
    batch in[BATCHES];
    value *cells = malloc(ROWS * 4 * sizeof *cells);
    uint32_t entries[ROWS], minor_entries[ROWS], seed = 12345;
    bool is_null[ROWS];
    for (uint32_t b = 0; b < BATCHES; b++) {
        const dict_batch_spec *spec = &specs[b];
        const int *of = spec->dictionary == 0 || spec->dictionary == 2 ? first
                        : spec->dictionary == 1                        ? second
                                                                       : big;
        uint32_t size = spec->dictionary == 1 ? 5 : 8; /* never the padding */
        for (uint32_t r = 0; r < ROWS; r++) {
            uint32_t i = b * ROWS + r;
            seed = seed * 1103515245u + 12345u;
            entries[r] = spec->dictionary == 3 ? used_big[(seed >> 16) % 3] : (seed >> 16) % size;
            minor_entries[r] = (seed >> 8) % 3;
            is_null[r] = spec->has_null_keys && (seed >> 4) % 5 == 0;
            value *row = &cells[(size_t)r * 4];
            row[0] = value_null(dict_types[0]);
            row[1] = i % 11 == 0 ? value_null(dict_types[1])
                                 : value_double((double)((i * 37) % 101) * 0.25 - 10);
            row[2] = value_integer((int32_t)((i * 7) % 1000) - 500);
            row[3] = value_null(dict_types[3]);
            bool selected = !spec->has_sel || r % 3 != 1;
            if (!selected)
                continue;
            int g = is_null[r] ? 10 : of[entries[r]];
            dict_expected *e = &by_key[g], *pair = &by_pair[g][minor_entries[r]];
            int64_t y = row[2].u.i64;
            e->rows++, pair->rows++;
            e->sum_y += y;
            e->min_y = y < e->min_y ? y : e->min_y;
            e->positive_y += y > 0;
            if (row[1].is_null)
                continue;
            double x = row[1].u.f64;
            e->count_x++, pair->count_x++;
            e->sum_x += x, pair->sum_x += x;
            e->min_x = x < e->min_x ? x : e->min_x;
            e->max_x = x > e->max_x ? x : e->max_x;
        }
        driver_batch(&in[b], dict_types, 4, cells, ROWS);
        set_entries(&in[b], 0, &dictionaries[spec->dictionary], entries, is_null, ROWS);
        set_entries(&in[b], 3, &dictionaries[4], minor_entries, NULL, ROWS);
        if (spec->has_sel) {
            uint32_t n = 0;
            for (uint32_t r = 0; r < ROWS; r++)
                if (r % 3 != 1)
                    in[b].sel_storage[n++] = r;
            in[b].sel = in[b].sel_storage;
            in[b].count = n;
        }
    }
    free(cells);
    plan_node *input = driver_plan(&d, PLAN_VALUES, dict_types, 4, NULL, NULL);
    expr *k = col(dict_types[0], 0), *x = col(dict_types[1], 1), *y = col(dict_types[2], 2);
    expr *positive = call(">", y, int_constant(0));
    /* the first 6 group into per-entry partial states; MIN, MAX and FILTER use group pointers */
    plan_aggregate aggs[10] = {
        agg("count", NULL, false, NULL), agg("count", x, false, NULL),
        agg("sum", x, false, NULL),      agg("avg", x, false, NULL),
        agg("sum", y, false, NULL),      agg("avg", y, false, NULL),
        agg("min", x, false, NULL),      agg("max", x, false, NULL),
        agg("min", y, false, NULL),      agg("count", NULL, false, positive)};
    static const uint32_t plans[3] = {6, 9, 10};
    driver_rows expected[3] = {{0}}, expected_pairs = {0};
    for (int g = 0; g < 11; g++) {
        if (by_key[g].rows == 0)
            continue;
        for (uint32_t p = 0; p < 3; p++)
            add_key_row(&expected[p], g, &by_key[g], plans[p]);
        for (int m = 0; m < 3; m++) {
            const dict_expected *e = &by_pair[g][m];
            char sum_x[64] = "NULL";
            if (e->count_x > 0)
                format_double(sum_x, sizeof sum_x, e->sum_x);
            if (e->rows > 0)
                add_expected(&expected_pairs, "%s|%s|%lld|%s", g == 10 ? "NULL" : key_names[g],
                             minor_names[m], (long long)e->rows, sum_x);
        }
    }
    expr *pair[2] = {k, col(dict_types[3], 3)};
    plan_aggregate pair_aggs[2] = {agg("count", NULL, false, NULL), agg("sum", x, false, NULL)};
    for (uint32_t threads = 1; threads <= 3; threads++) {
        arm_error err;
        for (uint32_t p = 0; p < 3; p++) {
            driver_rows actual = {0};
            CHECK_OK(run_plan(aggregate_plan(input, &k, 1, aggs, plans[p]), in, BATCHES, threads,
                              &actual, &err),
                     &err);
            CHECK(driver_rows_same(&actual, &expected[p]));
        }
        driver_rows pairs = {0};
        CHECK_OK(run_plan(aggregate_plan(input, pair, 2, pair_aggs, 2), in, BATCHES, threads,
                          &pairs, &err),
                 &err);
        CHECK(driver_rows_same(&pairs, &expected_pairs));
    }
    dispose_batches(in, BATCHES);
    for (uint32_t i = 0; i < DICTIONARIES; i++)
        vector_dispose(&dictionaries[i]);
    free(big);
}

static void test_memory_limit(void)
{
    op_driver saved = d;
    driver_init(&d, 256 * 1024);
    enum { ROWS = 2048, BATCHES = 50 };
    batch in[BATCHES];
    logical_type t = type_make(TYPE_BIGINT);
    value *cells = malloc(ROWS * sizeof *cells);
    for (uint32_t b = 0; b < BATCHES; b++) {
        for (uint32_t r = 0; r < ROWS; r++)
            cells[r] = value_bigint((int64_t)(b * ROWS + r));
        driver_batch(&in[b], &t, 1, cells, ROWS);
    }
    free(cells);
    plan_node *input = driver_plan(&d, PLAN_VALUES, &t, 1, NULL, NULL);
    expr *key = col(t, 0);
    plan_aggregate a = agg("count", NULL, false, NULL);
    plan_node *plan = aggregate_plan(input, &key, 1, &a, 1);
    driver_rows actual = {0};
    arm_error err;
    CHECK(run_plan(plan, in, BATCHES, 2, &actual, &err) == ARM_ERROR_MEMORY_LIMIT);
    CHECK(strstr(err.message, "memory") != NULL);
    dispose_batches(in, BATCHES);
    driver_dispose(&d);
    d = saved;
}

static void setup(void)
{
    driver_init(&d, 0);
}

static void teardown(void)
{
    driver_dispose(&d);
}

TEST_MAIN(setup, test_group_by_with_null_keys, test_string_and_multi_column_keys, test_many_groups,
          test_ungrouped_and_empty, test_distinct_and_filter, test_distinct_plan,
          test_dictionary_keys, test_memory_limit, teardown)
