/*
 * Tests for the aggregate functions (src/exec/aggregate*.c) driven directly
 * with vectors: resolution and result types, update / update_single /
 * combine / finalize agreeing with each other, NULLs, empty input, overflow,
 * and AVG split into parts (aggregate_avg_split) merging to AVG's result.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "exec/aggregate.h"
#include "harness.h"
#include "vector/cast.h"

static const aggregate_function *resolve(const char *name, logical_type arg)
{
    arm_error err;
    const aggregate_function *fn = NULL;
    logical_type cast_to[2];
    logical_type args[2] = {arg, type_make(TYPE_VARCHAR)};
    uint32_t count = strcmp(name, "string_agg") == 0 ? 2 : 1;
    CHECK_OK(aggregate_resolve(&fn, cast_to, name, args, count, false, -1, &err), &err);
    return fn;
}

/* A flat vector of `n` values (NULL where is_null). */
static void make_vector(vector *v, logical_type type, const value *values, uint32_t n)
{
    arm_error err;
    vector_init(v, type);
    CHECK_OK(vector_prepare_flat(v, n ? n : 1, &err), &err);
    for (uint32_t i = 0; i < n; i++) {
        value x = values[i];
        x.type = type;
        CHECK_OK(vector_set_value(v, i, &x, &err), &err);
    }
}

/*
 * Aggregates `values` three ways and checks they agree: update_single over
 * all rows; update_single over the first half plus update (per-row state
 * pointers) over the rest, then combine. Returns the finalized text.
 */
static const char *aggregate_text(const aggregate_function *fn, const value *values, uint32_t n,
                                  const char *separator)
{
    static char text[2][512];
    arm_error err;
    vector arg, sep;
    make_vector(&arg, fn->arg_type, values, n);
    vector_init(&sep, type_make(TYPE_VARCHAR));
    value s = separator ? value_varchar(separator, (uint32_t)strlen(separator))
                        : value_null(type_make(TYPE_VARCHAR));
    CHECK_OK(vector_set_constant(&sep, &s, &err), &err);
    vector *args[2] = {&arg, &sep};
    _Alignas(16) uint8_t whole[256], first[256], second[256];
    CHECK(fn->state_size <= sizeof whole);
    fn->init(fn, whole);
    fn->init(fn, first);
    fn->init(fn, second);
    CHECK_OK(fn->update_single(fn, whole, args, NULL, n, &err), &err);
    uint32_t half = n / 2;
    CHECK_OK(fn->update_single(fn, first, args, NULL, half, &err), &err);
    uint8_t **rows = malloc((n + 1) * sizeof *rows);
    uint32_t *sel = malloc((n + 1) * sizeof *sel);
    for (uint32_t i = half; i < n; i++) {
        rows[i - half] = second; /* grouped aggregates test other offsets */
        sel[i - half] = i;
    }
    CHECK_OK(fn->update(fn, rows, 0, args, sel, n - half, &err), &err);
    CHECK_OK(fn->combine(fn, first, second, &err), &err);
    vector result;
    vector_init(&result, fn->return_type);
    CHECK_OK(vector_prepare_flat(&result, 2, &err), &err);
    CHECK_OK(fn->finalize(fn, whole, &result, 0, &err), &err);
    CHECK_OK(fn->finalize(fn, first, &result, 1, &err), &err);
    for (int k = 0; k < 2; k++) {
        value v;
        vector_get_value(&result, (uint32_t)k, &v);
        v.type = fn->return_type;
        value_format(&v, text[k], sizeof text[k]);
    }
    if (strcmp(text[0], text[1]) != 0)
        fprintf(stderr, "%s: single %s, split %s\n", fn->name, text[0], text[1]);
    CHECK_STR_EQ(text[1], text[0]);
    if (fn->destroy) {
        fn->destroy(fn, whole);
        fn->destroy(fn, first);
        fn->destroy(fn, second);
    }
    free(rows);
    free(sel);
    vector_dispose(&arg);
    vector_dispose(&sep);
    vector_dispose(&result);
    return text[0];
}

static value null_of(type_id id)
{
    return value_null(type_make(id));
}

static void test_result_types(void)
{
    CHECK(resolve("sum", type_make(TYPE_INTEGER))->return_type.id == TYPE_BIGINT);
    CHECK(resolve("sum", type_make(TYPE_SMALLINT))->return_type.id == TYPE_BIGINT);
    const aggregate_function *f = resolve("sum", type_make(TYPE_BIGINT));
    CHECK(f->return_type.id == TYPE_DECIMAL && f->return_type.precision == 38 &&
          f->return_type.scale == 0);
    f = resolve("sum", type_decimal(10, 2));
    CHECK(f->return_type.id == TYPE_DECIMAL && f->return_type.precision == 38 &&
          f->return_type.scale == 2);
    CHECK(resolve("sum", type_make(TYPE_REAL))->return_type.id == TYPE_DOUBLE);
    CHECK(resolve("avg", type_make(TYPE_INTEGER))->return_type.id == TYPE_DOUBLE);
    CHECK(resolve("min", type_make(TYPE_VARCHAR))->return_type.id == TYPE_VARCHAR);
    CHECK(resolve("max", type_make(TYPE_DATE))->return_type.id == TYPE_DATE);
    CHECK(resolve("count", type_make(TYPE_VARCHAR))->return_type.id == TYPE_BIGINT);
    CHECK(resolve("stddev", type_make(TYPE_INTEGER))->return_type.id == TYPE_DOUBLE);
    CHECK(resolve("string_agg", type_make(TYPE_VARCHAR))->return_type.id == TYPE_VARCHAR);
    CHECK(resolve("every", type_make(TYPE_BOOLEAN))->return_type.id == TYPE_BOOLEAN);
    CHECK(aggregate_exists("var_pop") && aggregate_exists("bool_or") && !aggregate_exists("abs"));
}

static void test_resolve_errors(void)
{
    arm_error err;
    const aggregate_function *fn;
    logical_type cast_to[2], arg = type_make(TYPE_VARCHAR);
    CHECK(aggregate_resolve(&fn, cast_to, "sum", &arg, 1, false, 12, &err) == ARM_ERROR_TYPE);
    CHECK_STR_EQ(err.message, "function sum(varchar) does not exist");
    CHECK_STR_EQ(err.sqlstate, "42883");
    CHECK_INT_EQ(err.position, 12);
    CHECK(strstr(err.hint, "explicit type casts") != NULL);
    arg = type_make(TYPE_INTEGER);
    CHECK(aggregate_resolve(&fn, cast_to, "bool_and", &arg, 1, false, -1, &err) != ARM_OK);
    CHECK(aggregate_resolve(&fn, cast_to, "sum", NULL, 0, true, -1, &err) != ARM_OK);
    CHECK_OK(aggregate_resolve(&fn, cast_to, "count", NULL, 0, true, -1, &err), &err);
    CHECK(fn->return_type.id == TYPE_BIGINT);
}

static void test_count_and_empty_input(void)
{
    value v[4] = {value_integer(1), null_of(TYPE_INTEGER), value_integer(3), value_integer(4)};
    CHECK_STR_EQ(aggregate_text(resolve("count", type_make(TYPE_INTEGER)), v, 4, NULL), "3");
    CHECK_STR_EQ(aggregate_text(resolve("count", type_make(TYPE_INTEGER)), v, 0, NULL), "0");
    CHECK_STR_EQ(aggregate_text(resolve("sum", type_make(TYPE_INTEGER)), v, 0, NULL), "NULL");
    CHECK_STR_EQ(aggregate_text(resolve("avg", type_make(TYPE_INTEGER)), v, 0, NULL), "NULL");
    CHECK_STR_EQ(aggregate_text(resolve("min", type_make(TYPE_INTEGER)), v, 0, NULL), "NULL");
    CHECK_STR_EQ(aggregate_text(resolve("string_agg", type_make(TYPE_VARCHAR)), v, 0, ","), "NULL");
    value nulls[2] = {null_of(TYPE_INTEGER), null_of(TYPE_INTEGER)};
    CHECK_STR_EQ(aggregate_text(resolve("sum", type_make(TYPE_INTEGER)), nulls, 2, NULL), "NULL");
    CHECK_STR_EQ(aggregate_text(resolve("max", type_make(TYPE_INTEGER)), nulls, 2, NULL), "NULL");
    CHECK_STR_EQ(aggregate_text(resolve("count", type_make(TYPE_INTEGER)), nulls, 2, NULL), "0");

    arm_error err;
    const aggregate_function *star;
    logical_type cast_to[1];
    CHECK_OK(aggregate_resolve(&star, cast_to, "count", NULL, 0, true, -1, &err), &err);
    _Alignas(16) uint8_t state[256];
    star->init(star, state);
    CHECK_OK(star->update_single(star, state, NULL, NULL, 2048, &err), &err);
    uint32_t sel[3] = {1, 5, 9};
    CHECK_OK(star->update_single(star, state, NULL, sel, 3, &err), &err);
    vector out;
    vector_init(&out, type_make(TYPE_BIGINT));
    CHECK_OK(vector_prepare_flat(&out, 1, &err), &err);
    CHECK_OK(star->finalize(star, state, &out, 0, &err), &err);
    CHECK_INT_EQ(((int64_t *)out.data)[0], 2051);
    vector_dispose(&out);
}

static void test_sum_and_avg(void)
{
    value ints[5] = {value_integer(1), value_integer(2), null_of(TYPE_INTEGER), value_integer(3),
                     value_integer(-10)};
    CHECK_STR_EQ(aggregate_text(resolve("sum", type_make(TYPE_INTEGER)), ints, 5, NULL), "-4");
    CHECK_STR_EQ(aggregate_text(resolve("avg", type_make(TYPE_INTEGER)), ints, 5, NULL), "-1");
    value doubles[4] = {value_double(0.5), value_double(1.25), value_double(2), value_double(-1)};
    CHECK_STR_EQ(aggregate_text(resolve("sum", type_make(TYPE_DOUBLE)), doubles, 4, NULL), "2.75");
    CHECK_STR_EQ(aggregate_text(resolve("avg", type_make(TYPE_DOUBLE)), doubles, 4, NULL),
                 "0.6875");
    /* SUM(BIGINT) is DECIMAL(38,0): no overflow past int64 */
    value big[3] = {value_bigint(INT64_MAX), value_bigint(INT64_MAX), value_bigint(2)};
    CHECK_STR_EQ(aggregate_text(resolve("sum", type_make(TYPE_BIGINT)), big, 3, NULL),
                 "18446744073709551616");
    /* DECIMAL(10,2) sums keep their scale */
    value dec[3];
    for (int i = 0; i < 3; i++) {
        dec[i] = value_bigint(150 + i); /* 1.50, 1.51, 1.52 */
        dec[i].type = type_decimal(10, 2);
    }
    CHECK_STR_EQ(aggregate_text(resolve("sum", type_decimal(10, 2)), dec, 3, NULL), "4.53");
}

static void test_sum_overflow(void)
{
    /* SUM(INTEGER) is BIGINT: 2^32 rows would be needed to overflow, so test via combine */
    const aggregate_function *fn = resolve("sum", type_make(TYPE_INTEGER));
    arm_error err;
    value v[1] = {value_integer(INT32_MAX)};
    vector arg;
    make_vector(&arg, fn->arg_type, v, 1);
    vector *args[1] = {&arg};
    _Alignas(16) uint8_t a[256], b[256];
    fn->init(fn, a);
    fn->init(fn, b);
    CHECK_OK(fn->update_single(fn, a, args, NULL, 1, &err), &err);
    CHECK_OK(fn->update_single(fn, b, args, NULL, 1, &err), &err);
    arm_status s = ARM_OK;
    for (int i = 0; i < 80 && s == ARM_OK; i++) /* Fibonacci growth: past 2^63 quickly */
        if ((s = fn->combine(fn, a, b, &err)) == ARM_OK)
            s = fn->combine(fn, b, a, &err);
    CHECK(s == ARM_ERROR_OUT_OF_RANGE);
    CHECK_STR_EQ(err.message, "bigint out of range");
    CHECK_STR_EQ(err.sqlstate, "22003");
    vector_dispose(&arg);
}

static void test_min_max_every_type(void)
{
    value ints[4] = {value_integer(5), null_of(TYPE_INTEGER), value_integer(-7), value_integer(3)};
    CHECK_STR_EQ(aggregate_text(resolve("min", type_make(TYPE_INTEGER)), ints, 4, NULL), "-7");
    CHECK_STR_EQ(aggregate_text(resolve("max", type_make(TYPE_INTEGER)), ints, 4, NULL), "5");
    value d[3] = {value_double(1.5), value_double(-2.5), value_double(0)};
    CHECK_STR_EQ(aggregate_text(resolve("min", type_make(TYPE_DOUBLE)), d, 3, NULL), "-2.5");
    value dates[3];
    for (int i = 0; i < 3; i++) {
        dates[i] = value_bigint(i == 1 ? 0 : 365 * i);
        dates[i].type = type_make(TYPE_DATE);
    }
    CHECK_STR_EQ(aggregate_text(resolve("max", type_make(TYPE_DATE)), dates, 3, NULL),
                 "1972-01-01");
    value b[3] = {value_boolean(false), value_boolean(true), null_of(TYPE_BOOLEAN)};
    CHECK_STR_EQ(aggregate_text(resolve("max", type_make(TYPE_BOOLEAN)), b, 3, NULL), "true");
    /* strings: long values are copied into the state, not referenced */
    char long1[40], long2[40];
    memset(long1, 'm', sizeof long1);
    memset(long2, 'a', sizeof long2);
    value s[4] = {value_varchar(long1, 40), value_varchar("zz", 2), value_varchar(long2, 40),
                  null_of(TYPE_VARCHAR)};
    const aggregate_function *mn = resolve("min", type_make(TYPE_VARCHAR));
    arm_error err;
    vector arg;
    make_vector(&arg, mn->arg_type, s, 4);
    vector *args[1] = {&arg};
    _Alignas(16) uint8_t state[256];
    mn->init(mn, state);
    CHECK_OK(mn->update_single(mn, state, args, NULL, 4, &err), &err);
    vector_dispose(&arg); /* the state must not point into the vector */
    vector out;
    vector_init(&out, mn->return_type);
    CHECK_OK(vector_prepare_flat(&out, 1, &err), &err);
    CHECK_OK(mn->finalize(mn, state, &out, 0, &err), &err);
    const string_view *sv = out.data;
    CHECK(sv[0].length == 40 && memcmp(string_view_data(&sv[0]), long2, 40) == 0);
    mn->destroy(mn, state);
    vector_dispose(&out);
    CHECK_STR_EQ(aggregate_text(resolve("max", type_make(TYPE_VARCHAR)), s, 4, NULL), "zz");
}

static void test_variance_family(void)
{
    value v[4] = {value_integer(2), value_integer(4), value_integer(4), value_integer(6)};
    CHECK_STR_EQ(aggregate_text(resolve("var_pop", type_make(TYPE_INTEGER)), v, 4, NULL), "2");
    CHECK_STR_EQ(aggregate_text(resolve("var_samp", type_make(TYPE_INTEGER)), v, 4, NULL),
                 "2.6666666666666665");
    CHECK_STR_EQ(aggregate_text(resolve("variance", type_make(TYPE_INTEGER)), v, 4, NULL),
                 "2.6666666666666665");
    CHECK_STR_EQ(aggregate_text(resolve("stddev_pop", type_make(TYPE_INTEGER)), v, 4, NULL),
                 "1.4142135623730951");
    CHECK_STR_EQ(aggregate_text(resolve("stddev", type_make(TYPE_INTEGER)), v, 4, NULL),
                 "1.632993161855452");
    CHECK_STR_EQ(aggregate_text(resolve("stddev_samp", type_make(TYPE_INTEGER)), v, 1, NULL),
                 "NULL");
    CHECK_STR_EQ(aggregate_text(resolve("var_pop", type_make(TYPE_INTEGER)), v, 1, NULL), "0");
    /* large offsets stay exact (no catastrophic cancellation) */
    value big[3] = {value_double(1e9 + 1), value_double(1e9 + 2), value_double(1e9 + 3)};
    CHECK_STR_EQ(aggregate_text(resolve("var_samp", type_make(TYPE_DOUBLE)), big, 3, NULL), "1");
}

static void test_string_agg_and_bools(void)
{
    value s[5] = {value_varchar("a", 1), value_varchar("bb", 2), null_of(TYPE_VARCHAR),
                  value_varchar("a long string here", 18), value_varchar("c", 1)};
    CHECK_STR_EQ(aggregate_text(resolve("string_agg", type_make(TYPE_VARCHAR)), s, 5, ", "),
                 "a, bb, a long string here, c");
    CHECK_STR_EQ(aggregate_text(resolve("string_agg", type_make(TYPE_VARCHAR)), s + 2, 1, ","),
                 "NULL");
    value b[4] = {value_boolean(true), null_of(TYPE_BOOLEAN), value_boolean(false),
                  value_boolean(true)};
    CHECK_STR_EQ(aggregate_text(resolve("bool_and", type_make(TYPE_BOOLEAN)), b, 4, NULL), "false");
    CHECK_STR_EQ(aggregate_text(resolve("every", type_make(TYPE_BOOLEAN)), b, 2, NULL), "true");
    CHECK_STR_EQ(aggregate_text(resolve("bool_or", type_make(TYPE_BOOLEAN)), b, 4, NULL), "true");
    value f[2] = {value_boolean(false), value_boolean(false)};
    CHECK_STR_EQ(aggregate_text(resolve("bool_or", type_make(TYPE_BOOLEAN)), f, 2, NULL), "false");
}

/*
 * AVG of `values` as aggregate_avg_split computes it: the parts' sums and
 * counts over three slices of the rows (any may have no values), merged
 * through update_single, and through update over two rows plus combine.
 * Checks both agree with AVG itself (aggregate_text) and returns the text.
 */
static const char *split_avg_text(logical_type arg, const value *values, uint32_t n)
{
    static char text[512];
    arm_error err;
    const aggregate_function *avg = resolve("avg", arg), *parts[2], *merge;
    CHECK(aggregate_is_avg(avg));
    CHECK_OK(aggregate_avg_split(parts, &merge, avg, &err), &err);
    CHECK(parts[1]->return_type.id == TYPE_BIGINT);
    CHECK(type_equal(merge->arg_type, parts[0]->return_type));
    CHECK(type_equal(merge->return_type, avg->return_type));
    snprintf(text, sizeof text, "%s", aggregate_text(avg, values, n, NULL));
    vector columns[2];
    _Alignas(16) uint8_t state[256];
    for (int k = 0; k < 2; k++) {
        vector_init(&columns[k], parts[k]->return_type);
        CHECK_OK(vector_prepare_flat(&columns[k], 3, &err), &err);
        for (uint32_t p = 0; p < 3; p++) {
            vector slice;
            make_vector(&slice, arg, values + p * n / 3, (p + 1) * n / 3 - p * n / 3);
            vector *args[1] = {&slice};
            parts[k]->init(parts[k], state);
            CHECK_OK(parts[k]->update_single(parts[k], state, args, NULL,
                                             (p + 1) * n / 3 - p * n / 3, &err),
                     &err);
            CHECK_OK(parts[k]->finalize(parts[k], state, &columns[k], p, &err), &err);
            vector_dispose(&slice);
        }
    }
    vector *args[2] = {&columns[0], &columns[1]};
    _Alignas(16) uint8_t whole[256], first[256], second[256];
    uint8_t *rows[2] = {second, second};
    uint32_t sel[2] = {1, 2};
    merge->init(merge, whole);
    merge->init(merge, first);
    merge->init(merge, second);
    CHECK_OK(merge->update_single(merge, whole, args, NULL, 3, &err), &err);
    CHECK_OK(merge->update_single(merge, first, args, NULL, 1, &err), &err);
    CHECK_OK(merge->update(merge, rows, 0, args, sel, 2, &err), &err);
    CHECK_OK(merge->combine(merge, first, second, &err), &err);
    vector result;
    vector_init(&result, merge->return_type);
    CHECK_OK(vector_prepare_flat(&result, 2, &err), &err);
    CHECK_OK(merge->finalize(merge, whole, &result, 0, &err), &err);
    CHECK_OK(merge->finalize(merge, first, &result, 1, &err), &err);
    for (uint32_t k = 0; k < 2; k++) {
        char merged[512];
        value v;
        vector_get_value(&result, k, &v);
        v.type = merge->return_type;
        value_format(&v, merged, sizeof merged);
        CHECK_STR_EQ(merged, text);
    }
    vector_dispose(&columns[0]);
    vector_dispose(&columns[1]);
    vector_dispose(&result);
    return text;
}

static value decimal_of(int64_t unscaled, logical_type type)
{
    value v = value_bigint(unscaled);
    v.type = type;
    return v;
}

static void test_avg_split(void)
{
    value ints[6] = {value_integer(1),         value_integer(2),   null_of(TYPE_INTEGER),
                     value_integer(INT32_MAX), value_integer(-10), value_integer(7)};
    CHECK_STR_EQ(split_avg_text(type_make(TYPE_INTEGER), ints, 6), "429496729.4");
    /* the middle slice has only NULLs: its sum is NULL, its count 0 */
    value gaps[6] = {value_integer(-3),     value_integer(4),  null_of(TYPE_INTEGER),
                     null_of(TYPE_INTEGER), value_integer(-8), null_of(TYPE_INTEGER)};
    CHECK_STR_EQ(split_avg_text(type_make(TYPE_INTEGER), gaps, 6), "-2.3333333333333335");
    CHECK_STR_EQ(split_avg_text(type_make(TYPE_INTEGER), gaps + 2, 2), "NULL");
    CHECK_STR_EQ(split_avg_text(type_make(TYPE_INTEGER), ints, 0), "NULL");
    /* BIGINT sums past int64 in every slice */
    value big[6];
    for (int i = 0; i < 6; i++)
        big[i] = value_bigint(i % 3 == 2 ? INT64_MIN + i : INT64_MAX - i);
    CHECK_STR_EQ(split_avg_text(type_make(TYPE_BIGINT), big, 6), "3.0744573456182584e+18");
    value small[3] = {value_bigint(-5), value_bigint(0), value_bigint(6)};
    for (int i = 0; i < 3; i++)
        small[i].type = type_make(TYPE_SMALLINT);
    CHECK_STR_EQ(split_avg_text(type_make(TYPE_SMALLINT), small, 3), "0.3333333333333333");
    /* decimals divide by their scale after the division, int64 and int128 alike */
    logical_type d18 = type_decimal(18, 2), d30 = type_decimal(30, 4);
    value dec[5] = {decimal_of(999999999999999999, d18), decimal_of(999999999999999999, d18),
                    null_of(TYPE_DECIMAL), decimal_of(-1, d18), decimal_of(12345, d18)};
    dec[2].type = d18;
    CHECK_STR_EQ(split_avg_text(d18, dec, 5), "5.00000000000003e+15");
    value wide[4];
    for (int i = 0; i < 4; i++) {
        wide[i].type = d30;
        wide[i].is_null = false;
        wide[i].u.i128 = (int128)(i == 2 ? -7 : 3) * 1000000000000000000 * 1000000000;
    }
    CHECK_STR_EQ(split_avg_text(d30, wide, 4), "5.0000000000000004e+22");
    value doubles[4] = {value_double(0.5), value_double(1.25), value_double(2),
                        null_of(TYPE_DOUBLE)};
    CHECK_STR_EQ(split_avg_text(type_make(TYPE_DOUBLE), doubles, 4), "1.25");
}

static void test_avg_merge_overflow(void)
{
    /* two parts' sums that fit int128 alone overflow it together, as AVG's own sum */
    arm_error err;
    const aggregate_function *avg = resolve("avg", type_decimal(38, 0)), *parts[2], *merge;
    CHECK_OK(aggregate_avg_split(parts, &merge, avg, &err), &err);
    vector sums, counts;
    vector_init(&sums, parts[0]->return_type);
    vector_init(&counts, parts[1]->return_type);
    CHECK_OK(vector_prepare_flat(&sums, 2, &err), &err);
    CHECK_OK(vector_prepare_flat(&counts, 2, &err), &err);
    for (int i = 0; i < 2; i++) {
        ((int128 *)sums.data)[i] = ((int128)1 << 126) + 1;
        ((int64_t *)counts.data)[i] = 1;
    }
    vector *args[2] = {&sums, &counts};
    _Alignas(16) uint8_t state[256];
    merge->init(merge, state);
    CHECK(merge->update_single(merge, state, args, NULL, 2, &err) == ARM_ERROR_OUT_OF_RANGE);
    CHECK_STR_EQ(err.message, "numeric out of range");
    vector_dispose(&sums);
    vector_dispose(&counts);
}

static void test_fast_path_with_selection(void)
{
    /* SUM over a flat DOUBLE vector, NULL-free, with and without a selection */
    enum { N = 3000 };
    value *v = malloc(N * sizeof *v);
    for (int i = 0; i < N; i++)
        v[i] = value_double(i);
    const aggregate_function *fn = resolve("sum", type_make(TYPE_DOUBLE));
    CHECK_STR_EQ(aggregate_text(fn, v, N, NULL), "4498500");
    arm_error err;
    vector arg;
    make_vector(&arg, fn->arg_type, v, N);
    vector *args[1] = {&arg};
    uint32_t sel[3] = {10, 20, 2999};
    _Alignas(16) uint8_t state[256];
    fn->init(fn, state);
    CHECK_OK(fn->update_single(fn, state, args, sel, 3, &err), &err);
    vector out;
    vector_init(&out, fn->return_type);
    CHECK_OK(vector_prepare_flat(&out, 1, &err), &err);
    CHECK_OK(fn->finalize(fn, state, &out, 0, &err), &err);
    CHECK(((double *)out.data)[0] == 3029.0);
    vector_dispose(&out);
    vector_dispose(&arg);
    free(v);
}

TEST_MAIN(test_result_types, test_resolve_errors, test_count_and_empty_input, test_sum_and_avg,
          test_sum_overflow, test_min_max_every_type, test_variance_family,
          test_string_agg_and_bools, test_avg_split, test_avg_merge_overflow,
          test_fast_path_with_selection)
