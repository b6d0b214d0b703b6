/*
 * Tests for the column cache (src/cache): entry sizes, hit and miss counts,
 * LRU eviction order, entries too big to keep, duplicate puts, entries that
 * readers retain outliving eviction, clear and destroy, clearing one chunk,
 * shrinking the capacity, and four threads sharing one cache.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "cache/column_cache.h"
#include "harness.h"

#define TEST_ROWS 256

static void make_id(uint8_t id[32], uint32_t chunk)
{
    memset(id, 0xa5, 32);
    memcpy(id + 28, &chunk, sizeof chunk);
}

/* The value row `row` of (chunk, column) holds, so readers can check what they got. */
static int64_t value_at(uint32_t chunk, uint32_t column, uint32_t vector_index, uint32_t row)
{
    return (int64_t)chunk * 1000000 + (int64_t)column * 10000 + vector_index * 1000 + row;
}

/* A finished entry of `vector_count` flat BIGINT vectors of `rows` rows each. */
static cached_column *make_column(uint32_t chunk, uint32_t column, uint32_t vector_count,
                                  uint32_t rows)
{
    arm_error err;
    uint8_t id[32];
    make_id(id, chunk);
    cached_column *c = NULL;
    CHECK_OK(cached_column_create(id, column, type_make(TYPE_BIGINT), vector_count, &c, &err),
             &err);
    if (c == NULL)
        return NULL;
    for (uint32_t i = 0; i < vector_count; i++) {
        CHECK_OK(vector_prepare_flat(&c->vectors[i], rows, &err), &err);
        int64_t *values = c->vectors[i].data;
        for (uint32_t row = 0; row < rows; row++)
            values[row] = value_at(chunk, column, i, row);
        c->row_counts[i] = rows;
    }
    cached_column_finish(c);
    return c;
}

/* Whether `c` holds what make_column wrote for (chunk, column). */
static bool holds_values(const cached_column *c, uint32_t chunk, uint32_t column)
{
    if (c == NULL || c->column != column)
        return false;
    uint8_t id[32];
    make_id(id, chunk);
    if (memcmp(c->chunk_id, id, 32) != 0)
        return false;
    for (uint32_t i = 0; i < c->vector_count; i++) {
        const int64_t *values = c->vectors[i].data;
        for (uint32_t row = 0; row < c->row_counts[i]; row++) {
            if (values[row] != value_at(chunk, column, i, row))
                return false;
        }
    }
    return true;
}

static column_cache *create_cache(size_t capacity_bytes)
{
    arm_error err;
    column_cache *cache = NULL;
    CHECK_OK(column_cache_create(capacity_bytes, &cache, &err), &err);
    return cache;
}

/* Looks up (chunk, column) and reports whether it was a hit, releasing the entry. */
static bool is_cached(column_cache *cache, uint32_t chunk, uint32_t column)
{
    uint8_t id[32];
    make_id(id, chunk);
    cached_column *c = column_cache_get(cache, id, column);
    bool found = c != NULL;
    if (found)
        CHECK(holds_values(c, chunk, column));
    cached_column_release(c);
    return found;
}

/* Puts a fresh entry and drops the caller's reference. */
static void put_column(column_cache *cache, uint32_t chunk, uint32_t column)
{
    cached_column_release(column_cache_put(cache, make_column(chunk, column, 1, TEST_ROWS)));
}

static size_t entry_bytes(void)
{
    cached_column *c = make_column(0, 0, 1, TEST_ROWS);
    size_t bytes = c->bytes;
    cached_column_release(c);
    return bytes;
}

static void test_finish_counts_buffers(void)
{
    cached_column *c = make_column(1, 2, 3, VECTOR_SIZE);
    CHECK(c->bytes >= 3 * VECTOR_SIZE * sizeof(int64_t));
    CHECK(c->bytes < 4 * VECTOR_SIZE * sizeof(int64_t) + 4096);
    CHECK_INT_EQ(atomic_load(&c->refcount), 1);
    CHECK(holds_values(c, 1, 2));
    cached_column_release(c);
    cached_column_release(NULL);

    cached_column *empty = make_column(1, 0, 0, 0);
    CHECK(empty->bytes > 0);
    cached_column_release(empty);
}

static void test_finish_counts_dictionary(void)
{
    arm_error err;
    cached_column *c = make_column(1, 0, 1, 4);
    size_t flat_bytes = c->bytes;
    vector *dictionary = malloc(sizeof *dictionary);
    vector_init(dictionary, type_make(TYPE_BIGINT));
    CHECK_OK(vector_prepare_flat(dictionary, VECTOR_SIZE, &err), &err);
    c->vectors[0].kind = VECTOR_DICTIONARY;
    c->vectors[0].dictionary = dictionary;
    cached_column_finish(c);
    CHECK(c->bytes >= flat_bytes + VECTOR_SIZE * sizeof(int64_t));
    cached_column_release(c);
}

static void test_hit_miss(void)
{
    column_cache *cache = create_cache((size_t)1 << 20);
    CHECK(!is_cached(cache, 1, 0));
    put_column(cache, 1, 0);
    CHECK(is_cached(cache, 1, 0));
    CHECK(is_cached(cache, 1, 0));
    CHECK(!is_cached(cache, 1, 1)); /* same chunk, other column */
    CHECK(!is_cached(cache, 2, 0));
    column_cache_stats stats;
    column_cache_read_stats(cache, &stats);
    CHECK_INT_EQ(stats.hits, 2);
    CHECK_INT_EQ(stats.misses, 3);
    CHECK_INT_EQ(stats.evictions, 0);
    CHECK_INT_EQ(stats.entries, 1);
    CHECK_INT_EQ(stats.bytes, entry_bytes());
    CHECK_INT_EQ(stats.capacity_bytes, (size_t)1 << 20);
    column_cache_destroy(cache);
    column_cache_destroy(NULL);
}

static void test_lru_eviction_order(void)
{
    size_t bytes = entry_bytes();
    column_cache *cache = create_cache(3 * bytes);
    put_column(cache, 1, 0);
    put_column(cache, 2, 0);
    put_column(cache, 3, 0);
    CHECK(is_cached(cache, 1, 0)); /* 1 becomes the most recent: 2 is now the oldest */
    put_column(cache, 4, 0);
    column_cache_stats stats;
    column_cache_read_stats(cache, &stats);
    CHECK_INT_EQ(stats.evictions, 1);
    CHECK_INT_EQ(stats.entries, 3);
    CHECK_INT_EQ(stats.bytes, 3 * bytes);
    CHECK(!is_cached(cache, 2, 0));
    /* order now, oldest first: 3, 1, 4 */
    put_column(cache, 5, 0);
    CHECK(!is_cached(cache, 3, 0));
    CHECK(is_cached(cache, 1, 0));
    CHECK(is_cached(cache, 4, 0));
    CHECK(is_cached(cache, 5, 0));
    column_cache_read_stats(cache, &stats);
    CHECK_INT_EQ(stats.evictions, 2);
    CHECK_INT_EQ(stats.entries, 3);
    column_cache_destroy(cache);
}

static void test_too_big_not_kept(void)
{
    column_cache *cache = create_cache(entry_bytes() / 2);
    cached_column *c = make_column(1, 0, 1, TEST_ROWS);
    cached_column *got = column_cache_put(cache, c);
    CHECK(got == c);
    CHECK_INT_EQ(atomic_load(&got->refcount), 1);
    CHECK(holds_values(got, 1, 0));
    column_cache_stats stats;
    column_cache_read_stats(cache, &stats);
    CHECK_INT_EQ(stats.entries, 0);
    CHECK_INT_EQ(stats.bytes, 0);
    CHECK_INT_EQ(stats.evictions, 0);
    CHECK(!is_cached(cache, 1, 0));
    cached_column_release(got);

    column_cache *none = create_cache(0); /* capacity 0 keeps nothing */
    put_column(none, 1, 0);
    CHECK(!is_cached(none, 1, 0));
    column_cache_destroy(none);
    column_cache_destroy(cache);
}

static void test_duplicate_put_returns_first(void)
{
    column_cache *cache = create_cache((size_t)1 << 20);
    cached_column *first = column_cache_put(cache, make_column(1, 0, 1, TEST_ROWS));
    CHECK_INT_EQ(atomic_load(&first->refcount), 2); /* caller and cache */
    cached_column *second = column_cache_put(cache, make_column(1, 0, 1, TEST_ROWS));
    CHECK(second == first); /* the offered one was freed (ASan checks) */
    CHECK_INT_EQ(atomic_load(&first->refcount), 3);
    cached_column_retain(first);
    cached_column *again = column_cache_put(cache, first); /* the same pointer offered again */
    CHECK(again == first);
    CHECK_INT_EQ(atomic_load(&first->refcount), 4); /* the retain for `again` was consumed */
    column_cache_stats stats;
    column_cache_read_stats(cache, &stats);
    CHECK_INT_EQ(stats.entries, 1);
    CHECK_INT_EQ(stats.bytes, first->bytes);
    cached_column_release(again);
    cached_column_release(second);
    cached_column_release(first);
    column_cache_destroy(cache);
}

static void test_retained_entry_outlives_cache(void)
{
    size_t bytes = entry_bytes();
    column_cache *cache = create_cache(2 * bytes);
    put_column(cache, 1, 0);
    uint8_t id[32];
    make_id(id, 1);
    cached_column *evicted = column_cache_get(cache, id, 0);
    put_column(cache, 2, 0);
    put_column(cache, 3, 0); /* evicts chunk 1 */
    CHECK(!is_cached(cache, 1, 0));
    CHECK(holds_values(evicted, 1, 0));
    CHECK_INT_EQ(atomic_load(&evicted->refcount), 1);

    make_id(id, 2);
    cached_column *cleared = column_cache_get(cache, id, 0);
    column_cache_clear(cache, NULL, 0);
    CHECK(holds_values(cleared, 2, 0));

    put_column(cache, 4, 0);
    make_id(id, 4);
    cached_column *destroyed = column_cache_get(cache, id, 0);
    column_cache_destroy(cache);
    CHECK(holds_values(destroyed, 4, 0));
    CHECK(holds_values(evicted, 1, 0));
    CHECK(holds_values(cleared, 2, 0));
    cached_column_release(evicted);
    cached_column_release(cleared);
    cached_column_release(destroyed);
}

static void test_clear_chunks(void)
{
    column_cache *cache = create_cache((size_t)1 << 20);
    for (uint32_t chunk = 1; chunk <= 4; chunk++) {
        put_column(cache, chunk, 0);
        put_column(cache, chunk, 1);
    }
    uint8_t one[1][32];
    make_id(one[0], 2);
    column_cache_clear(cache, (const uint8_t(*)[32])one, 1);
    column_cache_stats stats;
    column_cache_read_stats(cache, &stats);
    CHECK_INT_EQ(stats.entries, 6);
    CHECK_INT_EQ(stats.bytes, 6 * entry_bytes());
    CHECK_INT_EQ(stats.evictions, 0);
    CHECK(!is_cached(cache, 2, 0));
    CHECK(!is_cached(cache, 2, 1));
    CHECK(is_cached(cache, 1, 0));
    CHECK(is_cached(cache, 3, 1));

    uint8_t several[3][32];
    make_id(several[0], 4);
    make_id(several[1], 9); /* not cached: ignored */
    make_id(several[2], 1);
    column_cache_clear(cache, (const uint8_t(*)[32])several, 3);
    column_cache_read_stats(cache, &stats);
    CHECK_INT_EQ(stats.entries, 2);
    CHECK(is_cached(cache, 3, 0));
    CHECK(is_cached(cache, 3, 1));
    CHECK(!is_cached(cache, 1, 1));
    CHECK(!is_cached(cache, 4, 0));

    column_cache_clear(cache, NULL, 0);
    column_cache_read_stats(cache, &stats);
    CHECK_INT_EQ(stats.entries, 0);
    CHECK_INT_EQ(stats.bytes, 0);
    column_cache_destroy(cache);
}

static void test_set_capacity_shrinks(void)
{
    size_t bytes = entry_bytes();
    column_cache *cache = create_cache(10 * bytes);
    for (uint32_t chunk = 1; chunk <= 10; chunk++)
        put_column(cache, chunk, 0);
    CHECK(is_cached(cache, 1, 0)); /* oldest now: 2, 3, ... */
    column_cache_set_capacity(cache, 4 * bytes + bytes / 2);
    column_cache_stats stats;
    column_cache_read_stats(cache, &stats);
    CHECK_INT_EQ(stats.entries, 4);
    CHECK_INT_EQ(stats.evictions, 6);
    CHECK_INT_EQ(stats.bytes, 4 * bytes);
    CHECK_INT_EQ(stats.capacity_bytes, 4 * bytes + bytes / 2);
    for (uint32_t chunk = 2; chunk <= 7; chunk++)
        CHECK(!is_cached(cache, chunk, 0));
    CHECK(is_cached(cache, 1, 0));
    for (uint32_t chunk = 8; chunk <= 10; chunk++)
        CHECK(is_cached(cache, chunk, 0));
    column_cache_set_capacity(cache, 0);
    column_cache_read_stats(cache, &stats);
    CHECK_INT_EQ(stats.entries, 0);
    CHECK_INT_EQ(stats.bytes, 0);
    column_cache_destroy(cache);
}

static void test_many_entries(void)
{
    column_cache *cache = create_cache((size_t)1 << 30);
    for (uint32_t chunk = 0; chunk < 500; chunk++) {
        for (uint32_t column = 0; column < 3; column++)
            cached_column_release(column_cache_put(cache, make_column(chunk, column, 1, 8)));
    }
    bool all_found = true;
    for (uint32_t chunk = 0; chunk < 500; chunk++) {
        for (uint32_t column = 0; column < 3; column++)
            all_found = all_found && is_cached(cache, chunk, column);
    }
    CHECK(all_found);
    column_cache_stats stats;
    column_cache_read_stats(cache, &stats);
    CHECK_INT_EQ(stats.entries, 1500);
    CHECK_INT_EQ(stats.hits, 1500);
    column_cache_destroy(cache);
}

static void test_default_capacity(void)
{
    CHECK(column_cache_default_capacity() >= (size_t)64 << 20);
}

#define THREAD_COUNT 4
#define THREAD_GETS 20000
#define THREAD_CHUNKS 24

typedef struct worker {
    column_cache *cache;
    uint64_t seed;
    uint64_t gets;
    uint64_t wrong;
} worker;

static void *run_worker(void *arg)
{
    worker *w = arg;
    uint64_t state = w->seed;
    for (int i = 0; i < THREAD_GETS; i++) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        uint32_t chunk = (uint32_t)(state >> 33) % THREAD_CHUNKS;
        uint32_t column = (uint32_t)(state >> 40) % 2;
        uint8_t id[32];
        make_id(id, chunk);
        cached_column *c = column_cache_get(w->cache, id, column);
        w->gets++;
        if (c == NULL)
            c = column_cache_put(w->cache, make_column(chunk, column, 1, 64));
        if (!holds_values(c, chunk, column))
            w->wrong++;
        cached_column_release(c);
    }
    return NULL;
}

static void test_threads(void)
{
    cached_column *sample = make_column(0, 0, 1, 64);
    size_t bytes = sample->bytes;
    cached_column_release(sample);
    column_cache *cache = create_cache(16 * bytes); /* fewer than the 48 keys: evictions */
    worker workers[THREAD_COUNT];
    pthread_t threads[THREAD_COUNT];
    for (int i = 0; i < THREAD_COUNT; i++) {
        workers[i] = (worker){.cache = cache, .seed = 0x9e3779b97f4a7c15ULL * (i + 1)};
        CHECK_INT_EQ(pthread_create(&threads[i], NULL, run_worker, &workers[i]), 0);
    }
    uint64_t gets = 0, wrong = 0;
    for (int i = 0; i < THREAD_COUNT; i++) {
        pthread_join(threads[i], NULL);
        gets += workers[i].gets;
        wrong += workers[i].wrong;
    }
    CHECK_INT_EQ(gets, THREAD_COUNT * THREAD_GETS);
    CHECK_INT_EQ(wrong, 0);
    column_cache_stats stats;
    column_cache_read_stats(cache, &stats);
    CHECK_INT_EQ(stats.hits + stats.misses, gets);
    CHECK(stats.hits > 0);
    CHECK(stats.evictions > 0);
    CHECK_INT_EQ(stats.entries, 16);
    CHECK_INT_EQ(stats.bytes, stats.entries * bytes);
    CHECK(stats.bytes <= stats.capacity_bytes);
    column_cache_destroy(cache);
}

TEST_MAIN(test_finish_counts_buffers, test_finish_counts_dictionary, test_hit_miss,
          test_lru_eviction_order, test_too_big_not_kept, test_duplicate_put_returns_first,
          test_retained_entry_outlives_cache, test_clear_chunks, test_set_capacity_shrinks,
          test_many_entries, test_default_capacity, test_threads)
