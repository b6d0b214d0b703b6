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

TEST_MAIN(test_pool_decays, test_pool_reuses_returned_memory, test_pool_threads,
          test_large_buffers_reused, test_prepare_reuses_unique_buffers,
          test_strings_constants_dictionaries, test_string_compare_orders_bytes, test_type_lattice,
          test_value_format, test_casts, test_datetime_parsing, test_value_set)
