/*
 * Tests for src/vector: vectors and buffers (reuse, sharing, constants,
 * dictionaries, strings), casts with PostgreSQL's rules, value formatting,
 * date/time parsing and the calendar, value sets.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "harness.h"
#include "vector/cast.h"
#include "vector/value_set.h"
#include "vector/vector.h"

static void test_prepare_reuses_unique_buffers(void)
{
    arm_error err;
    vector v;
    vector_init(&v, type_make(TYPE_BIGINT));
    CHECK_OK(vector_prepare_flat(&v, VECTOR_SIZE, &err), &err);
    void *first = v.data;
    CHECK_OK(vector_prepare_flat(&v, VECTOR_SIZE, &err), &err);
    CHECK(v.data == first); /* unique: reused */
    vector shared;
    vector_init(&shared, v.type);
    CHECK_OK(vector_reference(&shared, &v, &err), &err);
    CHECK(shared.data == first);
    CHECK_OK(vector_prepare_flat(&v, VECTOR_SIZE, &err), &err);
    CHECK(v.data != first); /* shared: a fresh buffer, the reference keeps the old one */
    vector_dispose(&shared);
    vector_dispose(&v);
}

static void test_strings_constants_dictionaries(void)
{
    arm_error err;
    vector v;
    vector_init(&v, type_make(TYPE_VARCHAR));
    CHECK_OK(vector_prepare_flat(&v, 4, &err), &err);
    string_view *s = v.data;
    CHECK_OK(vector_add_string(&v, "short", 5, &s[0], &err), &err);
    CHECK_OK(vector_add_string(&v, "a string longer than twelve", 27, &s[1], &err), &err);
    CHECK_INT_EQ(s[1].length, 27);
    CHECK(memcmp(string_view_data(&s[1]), "a string longer than twelve", 27) == 0);
    CHECK(string_view_compare(&s[0], &s[1]) > 0);
    /* copies keep long strings alive after the source is gone */
    vector copy;
    vector_init(&copy, v.type);
    uint32_t rows[2] = {1, 0};
    CHECK_OK(vector_copy_rows(&copy, 0, &v, rows, 2, &err), &err);
    vector_dispose(&v);
    const string_view *c = copy.data;
    CHECK(memcmp(string_view_data(&c[0]), "a string longer than twelve", 27) == 0);
    vector_dispose(&copy);

    value seven = value_integer(7);
    vector k;
    vector_init(&k, type_make(TYPE_INTEGER));
    CHECK_OK(vector_set_constant(&k, &seven, &err), &err);
    CHECK(k.kind == VECTOR_CONSTANT);
    uint32_t sel[2] = {3, 9};
    CHECK_OK(vector_flatten(&k, sel, 2, &err), &err);
    CHECK(k.kind == VECTOR_FLAT && ((int32_t *)k.data)[9] == 7);
    vector_dispose(&k);

    vector *dict = malloc(sizeof *dict);
    vector_init(dict, type_make(TYPE_BIGINT));
    CHECK_OK(vector_prepare_flat(dict, 2, &err), &err);
    ((int64_t *)dict->data)[0] = 100;
    ((int64_t *)dict->data)[1] = 200;
    vector d;
    vector_init(&d, type_make(TYPE_BIGINT));
    CHECK_OK(vector_prepare_flat(&d, 3, &err), &err);
    d.kind = VECTOR_DICTIONARY;
    d.type = type_make(TYPE_INTEGER); /* indexes are uint32 */
    uint32_t *idx = d.data;
    idx[0] = 1, idx[1] = 0, idx[2] = 1;
    d.type = type_make(TYPE_BIGINT);
    d.dictionary = dict;
    value got;
    vector_get_value(&d, 0, &got);
    CHECK_INT_EQ(got.u.i64, 200);
    CHECK_OK(vector_flatten(&d, NULL, 3, &err), &err);
    CHECK(d.kind == VECTOR_FLAT && ((int64_t *)d.data)[1] == 100 && ((int64_t *)d.data)[2] == 200);
    vector_dispose(&d);
}

static void test_type_lattice(void)
{
    logical_type t;
    CHECK(type_common(type_make(TYPE_INTEGER), type_make(TYPE_BIGINT), &t) && t.id == TYPE_BIGINT);
    CHECK(type_common(type_make(TYPE_INTEGER), type_decimal(5, 2), &t) && t.id == TYPE_DECIMAL &&
          t.scale == 2 && t.precision == 12);
    CHECK(type_common(type_decimal(5, 2), type_make(TYPE_DOUBLE), &t) && t.id == TYPE_DOUBLE);
    CHECK(type_common(type_make(TYPE_DATE), type_make(TYPE_TIMESTAMP), &t) &&
          t.id == TYPE_TIMESTAMP);
    CHECK(!type_common(type_make(TYPE_INTEGER), type_make(TYPE_DATE), &t));
    CHECK(type_can_implicit_cast(type_make(TYPE_SMALLINT), type_make(TYPE_BIGINT)));
    CHECK(!type_can_implicit_cast(type_make(TYPE_BIGINT), type_make(TYPE_INTEGER)));
    CHECK(!type_can_implicit_cast(type_make(TYPE_VARCHAR), type_make(TYPE_INTEGER)));
    type_id id;
    CHECK(type_from_name("int8", 4, &id) && id == TYPE_BIGINT);
    CHECK(type_from_name("TEXT", 4, &id) && id == TYPE_VARCHAR);
    CHECK(!type_from_name("nosuch", 6, &id));
}

static const char *format(value v)
{
    static char buf[128];
    value_format(&v, buf, sizeof buf);
    return buf;
}

static void test_value_format(void)
{
    CHECK_STR_EQ(format(value_double(0.1)), "0.1");
    CHECK_STR_EQ(format(value_double(91.5)), "91.5");
    CHECK_STR_EQ(format(value_double(40)), "40");
    CHECK_STR_EQ(format(value_double(1e20)), "1e+20");
    CHECK_STR_EQ(format(value_double(1.5e-5)), "1.5e-05");
    CHECK_STR_EQ(format(value_double(-0.0)), "-0");
    CHECK_STR_EQ(format(value_double(NAN)), "NaN");
    CHECK_STR_EQ(format(value_double(-INFINITY)), "-Infinity");
    CHECK_STR_EQ(format(value_double(0.1 + 0.2)), "0.30000000000000004");
    value d = value_bigint(-5);
    d.type = type_decimal(4, 2);
    CHECK_STR_EQ(format(d), "-0.05");
    value day = value_integer(-719162); /* 0001-01-01 */
    day.type = type_make(TYPE_DATE);
    CHECK_STR_EQ(format(day), "0001-01-01");
    value ts = value_bigint(1500);
    ts.type = type_make(TYPE_TIMESTAMP);
    CHECK_STR_EQ(format(ts), "1970-01-01 00:00:00.0015");
    value iv;
    memset(&iv, 0, sizeof iv);
    iv.type = type_make(TYPE_INTERVAL);
    iv.u.interval.months = 14;
    iv.u.interval.days = 3;
    iv.u.interval.micros = 4LL * 3600000000LL + 500000;
    CHECK_STR_EQ(format(iv), "1 year 2 mons 3 days 04:00:00.5");
    iv.u.interval.months = 0, iv.u.interval.days = -1, iv.u.interval.micros = 0;
    CHECK_STR_EQ(format(iv), "-1 days");
    iv.u.interval.days = 0;
    CHECK_STR_EQ(format(iv), "00:00:00");
    CHECK_STR_EQ(format(value_null(type_make(TYPE_INTEGER))), "NULL");
}

static void test_casts(void)
{
    arm_error err;
    arena *a = arena_create(0, NULL);
    value out, in = value_varchar(" 42 ", 4);
    CHECK_OK(cast_value(&out, &in, type_make(TYPE_INTEGER), a, -1, &err), &err);
    CHECK_INT_EQ(out.u.i64, 42);
    in = value_varchar("abc", 3);
    CHECK(cast_value(&out, &in, type_make(TYPE_INTEGER), a, 3, &err) == ARM_ERROR_INVALID_INPUT);
    CHECK_STR_EQ(err.sqlstate, "22P02");
    CHECK_INT_EQ(err.position, 3);
    in = value_bigint(70000);
    CHECK(cast_value(&out, &in, type_make(TYPE_SMALLINT), a, -1, &err) == ARM_ERROR_OUT_OF_RANGE);
    CHECK_STR_EQ(err.message, "smallint out of range");
    in = value_double(2.5);
    CHECK_OK(cast_value(&out, &in, type_make(TYPE_INTEGER), a, -1, &err), &err);
    CHECK_INT_EQ(out.u.i64, 2); /* rint: half to even */
    in = value_varchar("12.345", 6);
    CHECK_OK(cast_value(&out, &in, type_decimal(5, 2), a, -1, &err), &err);
    CHECK_INT_EQ(out.u.i64, 1235); /* half away from zero */
    in = value_varchar("1234.5", 6);
    CHECK(cast_value(&out, &in, type_decimal(5, 2), a, -1, &err) == ARM_ERROR_OUT_OF_RANGE);
    in = value_varchar("2024-02-30", 10);
    CHECK(cast_value(&out, &in, type_make(TYPE_DATE), a, -1, &err) == ARM_ERROR_INVALID_INPUT);
    CHECK_STR_EQ(err.sqlstate, "22008");
    in = value_varchar("yes", 3);
    CHECK_OK(cast_value(&out, &in, type_make(TYPE_BOOLEAN), a, -1, &err), &err);
    CHECK(out.u.boolean);
    in = value_double(3.75);
    CHECK_OK(cast_value(&out, &in, type_make(TYPE_VARCHAR), a, -1, &err), &err);
    CHECK(out.u.str.length == 4 && memcmp(out.u.str.data, "3.75", 4) == 0);
    in = value_integer(1);
    in.type = type_make(TYPE_DATE);
    CHECK(cast_value(&out, &in, type_make(TYPE_INTEGER), a, -1, &err) == ARM_ERROR_TYPE);
    arena_destroy(a);
}

static void test_datetime_parsing(void)
{
    arm_error err;
    int64_t micros;
    CHECK_OK(parse_timestamp("2026-11-22T10:00:00.5Z", 22, &micros, -1, &err), &err);
    CHECK_INT_EQ(micros, (int64_t)date_from_civil(2026, 11, 22) * 86400000000LL + 36000500000LL);
    interval_value iv;
    CHECK_OK(parse_interval("1 year 2 months 3 days 04:05:06", 31, &iv, -1, &err), &err);
    CHECK_INT_EQ(iv.months, 14);
    CHECK_INT_EQ(iv.days, 3);
    CHECK_INT_EQ(iv.micros, (4 * 3600 + 5 * 60 + 6) * 1000000LL);
    CHECK_OK(parse_interval("2 hours 30 minutes ago", 22, &iv, -1, &err), &err);
    CHECK_INT_EQ(iv.micros, -9000000000LL);
    CHECK(parse_interval("3 fortnights", 12, &iv, -1, &err) == ARM_ERROR_INVALID_INPUT);
    for (int32_t days = -800000; days < 800000; days += 997) {
        int32_t y;
        uint32_t m, d;
        date_to_civil(days, &y, &m, &d);
        CHECK(date_from_civil(y, m, d) == days);
    }
    CHECK_INT_EQ(date_from_civil(2000, 3, 1) - date_from_civil(2000, 2, 28), 2); /* leap */
    CHECK_INT_EQ(date_from_civil(1900, 3, 1) - date_from_civil(1900, 2, 28), 1);
}

static void test_value_set(void)
{
    arm_error err;
    subquery_set *set;
    CHECK_OK(value_set_create(&set, type_make(TYPE_VARCHAR), &err), &err);
    char text[32];
    for (int i = 0; i < 100000; i++) {
        int n = snprintf(text, sizeof text, "value number %d", i % 50000);
        value v = value_varchar(text, (uint32_t)n);
        CHECK_OK(value_set_insert(set, &v, &err), &err);
    }
    CHECK_INT_EQ(value_set_count(set), 50000);
    value null = value_null(type_make(TYPE_VARCHAR));
    CHECK_OK(value_set_insert(set, &null, &err), &err);
    CHECK(value_set_has_null(set));
    vector probe;
    vector_init(&probe, type_make(TYPE_VARCHAR));
    CHECK_OK(vector_prepare_flat(&probe, 2, &err), &err);
    CHECK_OK(
        vector_add_string(&probe, "value number 49999", 18, &((string_view *)probe.data)[0], &err),
        &err);
    CHECK_OK(
        vector_add_string(&probe, "value number 50000", 18, &((string_view *)probe.data)[1], &err),
        &err);
    uint8_t hit[2];
    value_set_probe(set, &probe, NULL, 2, hit);
    CHECK(hit[0] == 1 && hit[1] == 0);
    vector_dispose(&probe);
    value_set_destroy(set);
}

/* What an integer value set should hold: every non-NULL value inserted, by brute force. */
typedef struct set_model {
    int64_t values[1 << 16];
    uint32_t count;
    bool has_null;
} set_model;

static int compare_int64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Sorts values[0..count) and drops duplicates; returns how many remain. */
static uint32_t sort_unique(int64_t *values, uint32_t count)
{
    qsort(values, count, sizeof *values, compare_int64);
    uint32_t kept = 0;
    for (uint32_t i = 0; i < count; i++)
        if (kept == 0 || values[kept - 1] != values[i])
            values[kept++] = values[i];
    return kept;
}

static void put_integer(vector *v, uint32_t row, int64_t x)
{
    if (type_physical_size(v->type) == 4)
        ((int32_t *)v->data)[row] = (int32_t)x;
    else
        ((int64_t *)v->data)[row] = x;
}

/*
 * Inserts values[0..n) as one flat vector of `type` into the set and the
 * model: through a selection of every `step`-th row when step > 1, and with
 * every row i where i % null_every == 1 NULL when null_every > 0.
 */
static void insert_batch(subquery_set *set, set_model *model, logical_type type,
                         const int64_t *values, uint32_t n, uint32_t step, uint32_t null_every)
{
    arm_error err;
    vector v;
    vector_init(&v, type);
    CHECK_OK(vector_prepare_flat(&v, n, &err), &err);
    if (null_every > 0)
        CHECK_OK(vector_ensure_validity(&v, &err), &err);
    static uint32_t sel[4096];
    uint32_t selected = 0;
    for (uint32_t i = 0; i < n; i++) {
        put_integer(&v, i, values[i]);
        bool is_null = null_every > 0 && i % null_every == 1;
        if (is_null)
            vector_set_null(&v, i);
        if (i % step != 0)
            continue;
        sel[selected++] = i;
        if (is_null)
            model->has_null = true;
        else
            model->values[model->count++] = values[i];
    }
    CHECK_OK(value_set_insert_vector(set, &v, step > 1 ? sel : NULL, step > 1 ? selected : n, &err),
             &err);
    model->count = sort_unique(model->values, model->count);
    vector_dispose(&v);
}

typedef struct collected_integers {
    int64_t values[1 << 16];
    uint32_t count;
} collected_integers;

static void collect_integer(void *context, const value *v)
{
    collected_integers *c = context;
    if (c->count < sizeof c->values / sizeof c->values[0])
        c->values[c->count] = v->u.i64;
    c->count++;
}

/* The set's count, values (for_each) and probes (each value and its neighbour x ^ 1). */
static void check_against_model(const subquery_set *set, const set_model *model, logical_type type)
{
    arm_error err;
    CHECK_INT_EQ(value_set_count(set), model->count);
    CHECK(value_set_has_null(set) == model->has_null);
    static collected_integers got;
    got.count = 0;
    value_set_for_each(set, collect_integer, &got);
    CHECK_INT_EQ(got.count, model->count);
    if (got.count == model->count) {
        qsort(got.values, got.count, sizeof got.values[0], compare_int64);
        CHECK(memcmp(got.values, model->values, got.count * sizeof got.values[0]) == 0);
    }
    vector probe;
    vector_init(&probe, type);
    uint32_t n = model->count * 2;
    CHECK_OK(vector_prepare_flat(&probe, n, &err), &err);
    for (uint32_t i = 0; i < model->count; i++) {
        put_integer(&probe, 2 * i, model->values[i]);
        put_integer(&probe, 2 * i + 1, model->values[i] ^ 1);
    }
    uint8_t *hit = malloc(n);
    value_set_probe(set, &probe, NULL, n, hit);
    uint32_t wrong = 0;
    for (uint32_t i = 0; i < model->count; i++) {
        int64_t neighbour = model->values[i] ^ 1;
        bool expected = bsearch(&neighbour, model->values, model->count, sizeof neighbour,
                                compare_int64) != NULL;
        wrong += hit[2 * i] != 1 || hit[2 * i + 1] != expected;
    }
    CHECK_INT_EQ(wrong, 0);
    free(hit);
    vector_dispose(&probe);
}

static uint64_t lcg_next(uint64_t *state)
{
    *state = *state * 6364136223846793005ull + 1442695040888963407ull;
    return *state >> 33;
}

/* n values from+0.., or uniform in [from, from + span) when span > 0. */
static void fill_values(int64_t *values, uint32_t n, int64_t from, uint64_t span, uint64_t *seed)
{
    for (uint32_t i = 0; i < n; i++)
        values[i] = (int64_t)((uint64_t)from + (span > 0 ? lcg_next(seed) % span : i));
}

/*
 * BIGINT batches into a set that has turned into a bitmap (over 512 values
 * within 65536): batches inside the window, with a selection, with
 * duplicates and NULLs; INT64_MIN (kept beside the bitmap); a value that
 * moves the window and one that turns the set back into hashing.
 */
static void test_value_set_bitmap_batches(void)
{
    arm_error err;
    logical_type type = type_make(TYPE_BIGINT);
    subquery_set *set;
    CHECK_OK(value_set_create(&set, type, &err), &err);
    static set_model model;
    memset(&model, 0, sizeof model);
    static int64_t values[2048];
    uint64_t seed = 42;
    const int64_t base = 1000000;
    fill_values(values, 1000, base, 0, &seed); /* turns into a bitmap half way */
    insert_batch(set, &model, type, values, 1000, 1, 0);
    check_against_model(set, &model, type);
    fill_values(values, 2048, base, 1500, &seed);
    insert_batch(set, &model, type, values, 2048, 2, 0);
    check_against_model(set, &model, type);
    fill_values(values, 2048, base - 30000, 60000, &seed);
    values[0] = base - 30000; /* the smallest value until the window moves down */
    insert_batch(set, &model, type, values, 2048, 1, 0);
    insert_batch(set, &model, type, values, 2048, 3, 0); /* duplicates of the last batch */
    check_against_model(set, &model, type);
    values[7] = INT64_MIN; /* not selected (step 2) */
    values[9] = base + 500000;
    insert_batch(set, &model, type, values, 2048, 2, 0);
    check_against_model(set, &model, type);
    values[10] = INT64_MIN; /* selected now */
    values[9] = base;
    insert_batch(set, &model, type, values, 2048, 2, 0);
    insert_batch(set, &model, type, values, 2048, 1, 0);
    check_against_model(set, &model, type);
    fill_values(values, 2048, base - 30000, 60000, &seed);
    insert_batch(set, &model, type, values, 2048, 1, 3);
    check_against_model(set, &model, type);
    fill_values(values, 2048, base - 20000, 50000, &seed);
    values[100] = base + 34000; /* the window moves up to [base - 30767, base + 34768] */
    insert_batch(set, &model, type, values, 2048, 1, 0);
    check_against_model(set, &model, type);
    fill_values(values, 2048, base + 30000, 4700, &seed);
    values[0] = base + 34699; /* the largest value, set by a whole batch */
    insert_batch(set, &model, type, values, 2048, 2, 0);
    check_against_model(set, &model, type);
    fill_values(values, 2048, base, 3000, &seed);
    values[1000] = base - 30800; /* below the window, still within 65536 of the largest */
    insert_batch(set, &model, type, values, 2048, 1, 0);
    check_against_model(set, &model, type);
    values[2000] = base + 200000; /* beyond any window: back to hashing */
    insert_batch(set, &model, type, values, 2048, 1, 0);
    check_against_model(set, &model, type);
    fill_values(values, 2048, base, 3000, &seed);
    insert_batch(set, &model, type, values, 2048, 1, 0);
    check_against_model(set, &model, type);
    value_set_destroy(set);
}

/* Bitmap windows at the ends of BIGINT: INT64_MIN has no bit; a window past INT64_MAX wraps. */
static void test_value_set_bitmap_extremes(void)
{
    arm_error err;
    logical_type type = type_make(TYPE_BIGINT);
    static set_model model;
    static int64_t values[2048];
    uint64_t seed = 7;
    subquery_set *set;
    CHECK_OK(value_set_create(&set, type, &err), &err);
    memset(&model, 0, sizeof model);
    fill_values(values, 1000, INT64_MIN + 1, 0, &seed);
    insert_batch(set, &model, type, values, 1000, 1, 0);
    fill_values(values, 2048, INT64_MIN + 1, 3000, &seed);
    insert_batch(set, &model, type, values, 2048, 1, 0);
    check_against_model(set, &model, type);
    values[5] = INT64_MIN;
    insert_batch(set, &model, type, values, 2048, 1, 0);
    insert_batch(set, &model, type, values, 2048, 1, 0);
    check_against_model(set, &model, type);
    value_set_destroy(set);

    CHECK_OK(value_set_create(&set, type, &err), &err);
    memset(&model, 0, sizeof model);
    fill_values(values, 1000, INT64_MAX - 999, 0, &seed);
    insert_batch(set, &model, type, values, 1000, 1, 0);
    fill_values(values, 2048, INT64_MAX - 2999, 3000, &seed);
    insert_batch(set, &model, type, values, 2048, 2, 0);
    check_against_model(set, &model, type);
    values[0] = INT64_MIN + 30000; /* inside the window [INT64_MAX - 33511, INT64_MIN + 32023] */
    insert_batch(set, &model, type, values, 2048, 2, 0);
    check_against_model(set, &model, type);
    fill_values(values, 2048, INT64_MAX - 2999, 3000, &seed);
    insert_batch(set, &model, type, values, 2048, 1, 0);
    check_against_model(set, &model, type);
    values[0] = INT64_MAX - 40000; /* below the window; with INT64_MIN + 30000: back to hashing */
    insert_batch(set, &model, type, values, 2048, 1, 0);
    check_against_model(set, &model, type);
    values[0] = 0;
    insert_batch(set, &model, type, values, 2048, 1, 0);
    check_against_model(set, &model, type);
    value_set_destroy(set);
}

/* INTEGER (4-byte) batches through the bitmap: selection, NULLs, a move, leaving it. */
static void test_value_set_bitmap_int32(void)
{
    arm_error err;
    logical_type type = type_make(TYPE_INTEGER);
    subquery_set *set;
    CHECK_OK(value_set_create(&set, type, &err), &err);
    static set_model model;
    memset(&model, 0, sizeof model);
    static int64_t values[2048];
    uint64_t seed = 3;
    fill_values(values, 1100, -500, 0, &seed);
    insert_batch(set, &model, type, values, 1100, 1, 0);
    fill_values(values, 2048, -20000, 40000, &seed);
    insert_batch(set, &model, type, values, 2048, 2, 5);
    check_against_model(set, &model, type);
    fill_values(values, 2048, -20000, 40000, &seed);
    values[1] = 44000; /* the window moves up */
    insert_batch(set, &model, type, values, 2048, 1, 0);
    check_against_model(set, &model, type);
    values[2] = INT32_MIN; /* back to hashing */
    insert_batch(set, &model, type, values, 2048, 1, 4);
    check_against_model(set, &model, type);
    value_set_destroy(set);
}

/* memcmp, then length: what string_view_compare must agree with. */
static int reference_compare(const char *a, uint32_t la, const char *b, uint32_t lb)
{
    uint32_t n = la < lb ? la : lb;
    int c = n ? memcmp(a, b, n) : 0;
    if (c != 0)
        return c < 0 ? -1 : 1;
    return (la > lb) - (la < lb);
}

/* A view of `data` whose unused inline bytes hold garbage, as some producers leave them. */
static string_view dirty_view(const char *data, uint32_t length, char garbage)
{
    string_view v;
    memset(&v, garbage, sizeof v);
    v.length = length;
    if (length <= STRING_VIEW_INLINE_MAX) {
        memcpy(v.u.inlined, data, length);
    } else {
        memcpy(v.u.ref.prefix, data, 4);
        v.u.ref.ptr = data;
    }
    return v;
}

/*
 * string_view_compare's word-wise fast paths order like memcmp for short and
 * long strings, shared prefixes, embedded zero and high bytes, any padding.
 */
static void test_string_compare_orders_bytes(void)
{
    static char pool[64][20];
    static uint32_t lengths[64];
    static const char alphabet[] = {'\0', '\x01', 'a', 'b', '\x7f', '\x80', '\xff'};
    uint64_t state = 7;
    for (int i = 0; i < 64; i++) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        lengths[i] = (uint32_t)(state >> 59) % 18;
        for (uint32_t k = 0; k < lengths[i]; k++) {
            state = state * 6364136223846793005ULL + 1442695040888963407ULL;
            /* mostly shared prefixes: "ab..." with rare other bytes */
            pool[i][k] = k < 5 && (state >> 60) < 12 ? "abab\x80"[k] : alphabet[(state >> 33) % 7];
        }
    }
    int mismatches = 0;
    for (int i = 0; i < 64; i++)
        for (int j = 0; j < 64; j++) {
            string_view a = dirty_view(pool[i], lengths[i], (char)0xA5);
            string_view b = dirty_view(pool[j], lengths[j], 0x11);
            int got = string_view_compare(&a, &b);
            got = (got > 0) - (got < 0);
            mismatches += got != reference_compare(pool[i], lengths[i], pool[j], lengths[j]);
            mismatches +=
                (string_view_compare_bytes(&a, &b) > 0) - (string_view_compare_bytes(&a, &b) < 0) !=
                got;
        }
    CHECK_INT_EQ(mismatches, 0);
}

/*
 * Large buffers go back to a pool when released and come out again: every
 * buffer still has its own memory of the size asked for, aligned, and
 * buffers of any size can be created and released in any order.
 */
static void test_large_buffers_reused(void)
{
    static const size_t sizes[] = {1, 4096, 65536, 70000, 1 << 20, (1 << 20) + 1, 3 << 20};
    enum { N = sizeof sizes / sizeof sizes[0], ROUNDS = 3, EACH = 10 };
    for (int round = 0; round < ROUNDS; round++) {
        buffer *held[N * EACH];
        for (int i = 0; i < N * EACH; i++) {
            size_t size = sizes[i % N];
            held[i] = buffer_create(size);
            CHECK(held[i] != NULL);
            if (held[i] == NULL)
                return;
            CHECK(held[i]->capacity_bytes == size);
            CHECK((uintptr_t)held[i]->data % 64 == 0);
            memset(held[i]->data, i & 0xff, size);
        }
        for (int i = 0; i < N * EACH; i++) { /* nobody wrote over another buffer */
            const uint8_t *d = held[i]->data;
            size_t size = sizes[i % N];
            CHECK(d[0] == (i & 0xff) && d[size - 1] == (i & 0xff));
        }
        for (int i = N * EACH - 1; i >= 0; i -= 2)
            buffer_release(held[i]);
        for (int i = N * EACH - 2; i >= 0; i -= 2)
            buffer_release(held[i]);
    }
}

/*
 * Released buffers stay pooled for reuse a while, then go back to the system: a decay
 * pass at a time 10 s on frees them all, and a fresh one is not freed by a pass now.
 */
static void test_pool_decays(void)
{
    buffer *b[8];
    for (int i = 0; i < 8; i++)
        b[i] = buffer_create(100000);
    for (int i = 0; i < 8; i++)
        buffer_release(b[i]);
    int64_t now = buffer_pool_now();
    size_t pooled = buffer_pool_decay(now);
    buffer *again = buffer_create(100000); /* taken from the pool where there is one */
    CHECK(again != NULL);
    buffer_release(again);
    CHECK_INT_EQ(buffer_pool_decay(now), pooled); /* nothing old enough yet */
    CHECK_INT_EQ(buffer_pool_decay(now + 3600), 0);
}

/*
 * Size classes step by a quarter of a power of two: a released buffer adds its class's
 * bytes to the pool, at most a fifth more than it holds (data rounds up to 64 bytes).
 */
static void test_pool_classes(void)
{
    static const size_t sizes[][2] = {
        {4096, 4096},
        {4097, 5120},
        {5000, 5120},
        {5120, 5120},
        {5121, 6144},
        {7168, 7168},
        {7169, 8192},
        {8192, 8192},
        {100000, 7 * 16384},
        {600000, 655360}, /* 5/4 of 512 KB */
        {(size_t)1 << 26, (size_t)1 << 26},
    };
    int64_t now = buffer_pool_now();
    buffer_pool_decay(now + 3600); /* an empty pool */
    buffer *probe = buffer_create(4096);
    buffer_release(probe);
    if (buffer_pool_decay(now) == 0) {
        printf("  no buffer pool in this build (sanitizers): classes not checked\n");
        return;
    }
    buffer_pool_decay(now + 3600);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        buffer *b = buffer_create(sizes[i][0]);
        CHECK(b != NULL);
        buffer_release(b);
        size_t pooled = buffer_pool_decay(now);
        if (pooled != sizes[i][1])
            printf("  %zu bytes took a block of %zu, expected %zu\n", sizes[i][0], pooled,
                   sizes[i][1]);
        CHECK(pooled == sizes[i][1]);
        buffer_pool_decay(now + 3600);
    }
}

/*
 * Buffers whose memory went back to the system (decayed, their slab regions given back)
 * are handed out again whole: many of several sizes, filled and checked, twice over.
 */
static void test_pool_reuses_returned_memory(void)
{
    enum { N = 300 };
    static const size_t sizes[] = {5000, 16384, 100000, 700000, 3000000};
    buffer *held[N];
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < N; i++) {
            size_t size = sizes[i % 5];
            held[i] = buffer_create(size);
            CHECK(held[i] != NULL && held[i]->capacity_bytes == size && held[i]->refcount == 1);
            if (held[i] == NULL)
                return;
            memset(held[i]->data, (i + round) & 0xff, size);
        }
        int wrong = 0;
        for (int i = 0; i < N; i++) {
            const uint8_t *d = held[i]->data;
            size_t size = sizes[i % 5];
            wrong += d[0] != ((i + round) & 0xff) || d[size - 1] != ((i + round) & 0xff);
        }
        CHECK_INT_EQ(wrong, 0);
        for (int i = 0; i < N; i++)
            buffer_release(held[i]);
        CHECK_INT_EQ(buffer_pool_decay(buffer_pool_now() + 3600), 0);
    }
}

typedef struct pool_worker {
    int seed;
    int wrong;
} pool_worker;

/* Takes and gives buffers of many sizes, checking each keeps what was written into it. */
static void *pool_worker_main(void *arg)
{
    pool_worker *w = arg;
    static const size_t sizes[] = {4096, 9000, 65536, 200000, 1 << 20};
    buffer *held[16] = {0};
    uint32_t state = (uint32_t)w->seed * 2654435761u + 1;
    for (int step = 0; step < 4000; step++) {
        state = state * 1103515245u + 12345u;
        int slot = (int)(state >> 16) % 16;
        if (held[slot] != NULL) {
            const uint8_t *d = held[slot]->data;
            size_t n = held[slot]->capacity_bytes;
            w->wrong +=
                d[0] != (uint8_t)slot || d[n / 2] != (uint8_t)slot || d[n - 1] != (uint8_t)slot;
            buffer_release(held[slot]);
        }
        size_t size = sizes[(state >> 8) % 5];
        held[slot] = buffer_create(size);
        if (held[slot] == NULL) {
            w->wrong++;
            break;
        }
        memset(held[slot]->data, slot, size);
        if (step % 500 == 0) /* another thread's decay pass, as if much time had gone by */
            buffer_pool_decay(buffer_pool_now() + 3600);
    }
    for (int slot = 0; slot < 16; slot++)
        buffer_release(held[slot]);
    return NULL;
}

/* Threads taking, giving and decaying the pool at once: no buffer is handed out twice. */
static void test_pool_threads(void)
{
    enum { THREADS = 4 };
    pthread_t threads[THREADS];
    pool_worker workers[THREADS];
    for (int i = 0; i < THREADS; i++) {
        workers[i] = (pool_worker){i, 0};
        CHECK_INT_EQ(pthread_create(&threads[i], NULL, pool_worker_main, &workers[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        CHECK_INT_EQ(workers[i].wrong, 0);
    }
}

TEST_MAIN(test_pool_decays, test_pool_classes, test_pool_reuses_returned_memory, test_pool_threads,
          test_large_buffers_reused, test_prepare_reuses_unique_buffers,
          test_strings_constants_dictionaries, test_string_compare_orders_bytes, test_type_lattice,
          test_value_format, test_casts, test_datetime_parsing, test_value_set,
          test_value_set_bitmap_batches, test_value_set_bitmap_extremes,
          test_value_set_bitmap_int32)
