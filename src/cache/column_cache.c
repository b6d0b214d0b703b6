/*
 * column_cache.c: the byte-bounded LRU of decoded column chunks. A chained
 * hash table on (chunk id, column) finds an entry; a doubly linked list orders
 * entries from most to least recently used. One mutex guards both: get and put
 * only touch a few pointers under it, and entries dropped by eviction are
 * released after it is unlocked, so freeing vectors never blocks other scans.
 */
#include "cache/column_cache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/error.h"
#include "common/hash.h"

#define INITIAL_BUCKET_COUNT 64
#define MINIMUM_DEFAULT_CAPACITY_BYTES ((size_t)64 << 20)

/*
 * One kept entry: the cache's reference to a cached_column plus its links in
 * a hash chain and in the LRU list (`newer` towards the most recently used
 * end). Entries leaving the cache are chained through `chain_next` into a
 * list released once the mutex is unlocked.
 */
typedef struct cache_entry {
    cached_column *column;
    uint64_t hash;
    struct cache_entry *chain_next;
    struct cache_entry *newer;
    struct cache_entry *older;
} cache_entry;

/*
 * The cache. `buckets` has a power-of-two count and grows when entries
 * outnumber buckets. `bytes` is the sum of the kept entries' bytes, at most
 * `capacity_bytes` whenever the mutex is free. `evictions` counts entries
 * dropped to make room (put, set_capacity), not those dropped by clear.
 */
struct column_cache {
    pthread_mutex_t lock;
    cache_entry **buckets;
    size_t bucket_count;
    cache_entry *newest;
    cache_entry *oldest;
    size_t capacity_bytes;
    uint64_t entry_count;
    uint64_t bytes;
    uint64_t hits;
    uint64_t misses;
    uint64_t evictions;
};

arm_status cached_column_create(const uint8_t chunk_id[32], uint32_t column, logical_type type,
                                uint32_t vector_count, cached_column **out, arm_error *err)
{
    *out = NULL;
    cached_column *c = calloc(1, sizeof *c);
    if (c == NULL)
        return error_out_of_memory(err);
    size_t slots = vector_count ? vector_count : 1;
    c->vectors = calloc(slots, sizeof *c->vectors);
    c->row_counts = calloc(slots, sizeof *c->row_counts);
    if (c->vectors == NULL || c->row_counts == NULL) {
        free(c->vectors);
        free(c->row_counts);
        free(c);
        return error_out_of_memory(err);
    }
    atomic_init(&c->refcount, 1);
    memcpy(c->chunk_id, chunk_id, sizeof c->chunk_id);
    c->column = column;
    c->vector_count = vector_count;
    for (uint32_t i = 0; i < vector_count; i++)
        vector_init(&c->vectors[i], type);
    *out = c;
    return ARM_OK;
}

static size_t buffer_bytes(const buffer *b)
{
    return b ? b->capacity_bytes : 0;
}

/* Whether `b` is among what `v` keeps alive. */
static bool keeps(const vector *v, const buffer *b)
{
    for (uint32_t i = 0; v != NULL && i < v->keep_alive_count; i++)
        if (v->keep_alive[i] == b)
            return true;
    return false;
}

/*
 * The bytes one vector holds. A buffer it shares with `previous` (the vector before it in
 * the column: batches decoded from, or viewing, one page buffer) was counted there.
 */
static size_t vector_bytes(const vector *v, const vector *previous)
{
    size_t bytes = 0;
    if (previous == NULL || v->data_buffer != previous->data_buffer)
        bytes += buffer_bytes(v->data_buffer); /* a chunk's dictionary serves all its batches */
    if (previous == NULL || v->validity_buffer != previous->validity_buffer)
        bytes += buffer_bytes(v->validity_buffer);
    for (uint32_t i = 0; i < v->keep_alive_count; i++)
        if (!keeps(previous, v->keep_alive[i]))
            bytes += buffer_bytes(v->keep_alive[i]);
    bytes += (size_t)v->keep_alive_capacity * sizeof *v->keep_alive;
    return bytes;
}

void cached_column_finish(cached_column *c)
{
    size_t bytes = sizeof *c + (size_t)c->vector_count * (sizeof *c->vectors + sizeof(uint32_t));
    for (uint32_t i = 0; i < c->vector_count; i++) {
        const vector *v = &c->vectors[i];
        bytes += vector_bytes(v, i > 0 ? &c->vectors[i - 1] : NULL);
        if (v->kind == VECTOR_DICTIONARY && v->dictionary != NULL)
            bytes += sizeof *v->dictionary +
                     vector_bytes(v->dictionary, i > 0 ? c->vectors[i - 1].dictionary : NULL);
    }
    c->bytes = bytes;
}

void cached_column_retain(cached_column *c)
{
    atomic_fetch_add_explicit(&c->refcount, 1, memory_order_relaxed);
}

void cached_column_release(cached_column *c)
{
    if (c == NULL)
        return;
    if (atomic_fetch_sub_explicit(&c->refcount, 1, memory_order_acq_rel) != 1)
        return;
    for (uint32_t i = 0; i < c->vector_count; i++)
        vector_dispose(&c->vectors[i]);
    free(c->vectors);
    free(c->row_counts);
    free(c);
}

static uint64_t hash_key(const uint8_t chunk_id[32], uint32_t column)
{
    return hash_combine(hash_bytes(chunk_id, 32), column);
}

static bool entry_matches(const cache_entry *e, uint64_t hash, const uint8_t chunk_id[32],
                          uint32_t column)
{
    return e->hash == hash && e->column->column == column &&
           memcmp(e->column->chunk_id, chunk_id, 32) == 0;
}

static cache_entry *find_entry(const column_cache *cache, uint64_t hash, const uint8_t chunk_id[32],
                               uint32_t column)
{
    cache_entry *e = cache->buckets[hash & (cache->bucket_count - 1)];
    while (e != NULL && !entry_matches(e, hash, chunk_id, column))
        e = e->chain_next;
    return e;
}

static void link_newest(column_cache *cache, cache_entry *e)
{
    e->older = cache->newest;
    e->newer = NULL;
    if (cache->newest != NULL)
        cache->newest->newer = e;
    else
        cache->oldest = e;
    cache->newest = e;
}

static void unlink_lru(column_cache *cache, cache_entry *e)
{
    if (e->newer != NULL)
        e->newer->older = e->older;
    else
        cache->newest = e->older;
    if (e->older != NULL)
        e->older->newer = e->newer;
    else
        cache->oldest = e->newer;
    e->newer = e->older = NULL;
}

static void touch(column_cache *cache, cache_entry *e)
{
    if (cache->newest == e)
        return;
    unlink_lru(cache, e);
    link_newest(cache, e);
}

/* Doubles the bucket array; on out-of-memory the chains just grow longer. */
static void grow_buckets(column_cache *cache)
{
    size_t count = cache->bucket_count * 2;
    cache_entry **buckets = calloc(count, sizeof *buckets);
    if (buckets == NULL)
        return;
    for (size_t i = 0; i < cache->bucket_count; i++) {
        cache_entry *e = cache->buckets[i];
        while (e != NULL) {
            cache_entry *next = e->chain_next;
            cache_entry **slot = &buckets[e->hash & (count - 1)];
            e->chain_next = *slot;
            *slot = e;
            e = next;
        }
    }
    free(cache->buckets);
    cache->buckets = buckets;
    cache->bucket_count = count;
}

static void insert_entry(column_cache *cache, cache_entry *e)
{
    if (cache->entry_count >= cache->bucket_count)
        grow_buckets(cache);
    cache_entry **slot = &cache->buckets[e->hash & (cache->bucket_count - 1)];
    e->chain_next = *slot;
    *slot = e;
    link_newest(cache, e);
    cache->entry_count++;
    cache->bytes += e->column->bytes;
}

/* Takes `e` out of the table and the list and pushes it on `*dropped`. */
static void remove_entry(column_cache *cache, cache_entry *e, cache_entry **dropped)
{
    cache_entry **slot = &cache->buckets[e->hash & (cache->bucket_count - 1)];
    while (*slot != e)
        slot = &(*slot)->chain_next;
    *slot = e->chain_next;
    unlink_lru(cache, e);
    cache->entry_count--;
    cache->bytes -= e->column->bytes;
    e->chain_next = *dropped;
    *dropped = e;
}

/* Drops least recently used entries until the bytes fit the capacity. */
static void evict_to_capacity(column_cache *cache, cache_entry **dropped)
{
    while (cache->bytes > cache->capacity_bytes && cache->oldest != NULL) {
        remove_entry(cache, cache->oldest, dropped);
        cache->evictions++;
    }
}

/* Releases the cache's references to dropped entries; call without the mutex. */
static void release_dropped(cache_entry *dropped)
{
    while (dropped != NULL) {
        cache_entry *next = dropped->chain_next;
        cached_column_release(dropped->column);
        free(dropped);
        dropped = next;
    }
}

arm_status column_cache_create(size_t capacity_bytes, column_cache **out, arm_error *err)
{
    *out = NULL;
    column_cache *cache = calloc(1, sizeof *cache);
    if (cache == NULL)
        return error_out_of_memory(err);
    cache->bucket_count = INITIAL_BUCKET_COUNT;
    cache->buckets = calloc(cache->bucket_count, sizeof *cache->buckets);
    if (cache->buckets == NULL) {
        free(cache);
        return error_out_of_memory(err);
    }
    if (pthread_mutex_init(&cache->lock, NULL) != 0) {
        free(cache->buckets);
        free(cache);
        return error_internal(err, "column cache mutex could not be initialized");
    }
    cache->capacity_bytes = capacity_bytes;
    *out = cache;
    return ARM_OK;
}

void column_cache_destroy(column_cache *cache)
{
    if (cache == NULL)
        return;
    cache_entry *dropped = NULL;
    while (cache->oldest != NULL)
        remove_entry(cache, cache->oldest, &dropped);
    release_dropped(dropped);
    pthread_mutex_destroy(&cache->lock);
    free(cache->buckets);
    free(cache);
}

cached_column *column_cache_get(column_cache *cache, const uint8_t chunk_id[32], uint32_t column)
{
    uint64_t hash = hash_key(chunk_id, column);
    pthread_mutex_lock(&cache->lock);
    cache_entry *e = find_entry(cache, hash, chunk_id, column);
    cached_column *found = NULL;
    if (e != NULL) {
        touch(cache, e);
        found = e->column;
        cached_column_retain(found);
        cache->hits++;
    } else {
        cache->misses++;
    }
    pthread_mutex_unlock(&cache->lock);
    return found;
}

/*
 * The node is allocated before locking so the critical section never calls
 * malloc; it is freed unused when the key is already present or the entry
 * does not fit. If it cannot be allocated the entry is simply not kept. A
 * duplicate (even `c` itself put twice) costs the caller's reference to `c`.
 */
cached_column *column_cache_put(column_cache *cache, cached_column *c)
{
    if (c->bytes == 0)
        cached_column_finish(c);
    uint64_t hash = hash_key(c->chunk_id, c->column);
    cache_entry *node = malloc(sizeof *node);
    cache_entry *dropped = NULL;
    cached_column *result = c;
    pthread_mutex_lock(&cache->lock);
    cache_entry *existing = find_entry(cache, hash, c->chunk_id, c->column);
    bool is_duplicate = existing != NULL;
    if (is_duplicate) {
        touch(cache, existing);
        result = existing->column;
        cached_column_retain(result);
    } else if (node != NULL && c->bytes <= cache->capacity_bytes) {
        node->column = c;
        node->hash = hash;
        cached_column_retain(c);
        insert_entry(cache, node);
        node = NULL;
        evict_to_capacity(cache, &dropped);
    }
    pthread_mutex_unlock(&cache->lock);
    free(node);
    if (is_duplicate)
        cached_column_release(c);
    release_dropped(dropped);
    return result;
}

void column_cache_set_capacity(column_cache *cache, size_t capacity_bytes)
{
    cache_entry *dropped = NULL;
    pthread_mutex_lock(&cache->lock);
    cache->capacity_bytes = capacity_bytes;
    evict_to_capacity(cache, &dropped);
    pthread_mutex_unlock(&cache->lock);
    release_dropped(dropped);
}

static int compare_chunk_ids(const void *a, const void *b)
{
    return memcmp(a, b, 32);
}

/*
 * Entries are hashed by (chunk, column), so finding a chunk's columns means
 * walking every entry: against a sorted copy of the ids (binary search), or
 * the caller's list when that copy cannot be allocated.
 */
static bool is_listed(const uint8_t (*sorted)[32], const uint8_t (*chunk_ids)[32],
                      uint32_t chunk_count, const uint8_t chunk_id[32])
{
    if (sorted != NULL)
        return bsearch(chunk_id, sorted, chunk_count, 32, compare_chunk_ids) != NULL;
    for (uint32_t i = 0; i < chunk_count; i++) {
        if (memcmp(chunk_ids[i], chunk_id, 32) == 0)
            return true;
    }
    return false;
}

void column_cache_clear(column_cache *cache, const uint8_t (*chunk_ids)[32], uint32_t chunk_count)
{
    uint8_t(*sorted)[32] = NULL;
    if (chunk_ids != NULL && chunk_count > 1) {
        sorted = malloc((size_t)chunk_count * sizeof *sorted);
        if (sorted != NULL) {
            memcpy(sorted, chunk_ids, (size_t)chunk_count * sizeof *sorted);
            qsort(sorted, chunk_count, sizeof *sorted, compare_chunk_ids);
        }
    }
    cache_entry *dropped = NULL;
    pthread_mutex_lock(&cache->lock);
    cache_entry *e = cache->oldest;
    while (e != NULL) {
        cache_entry *next = e->newer;
        if (chunk_ids == NULL ||
            is_listed((const uint8_t(*)[32])sorted, chunk_ids, chunk_count, e->column->chunk_id))
            remove_entry(cache, e, &dropped);
        e = next;
    }
    pthread_mutex_unlock(&cache->lock);
    free(sorted);
    release_dropped(dropped);
}

void column_cache_read_stats(column_cache *cache, column_cache_stats *out)
{
    pthread_mutex_lock(&cache->lock);
    out->hits = cache->hits;
    out->misses = cache->misses;
    out->evictions = cache->evictions;
    out->entries = cache->entry_count;
    out->bytes = cache->bytes;
    out->capacity_bytes = cache->capacity_bytes;
    pthread_mutex_unlock(&cache->lock);
}

size_t column_cache_default_capacity(void)
{
    long pages = sysconf(_SC_PHYS_PAGES);
    long page_bytes = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page_bytes <= 0)
        return MINIMUM_DEFAULT_CAPACITY_BYTES;
    size_t quarter = (size_t)pages / 4 * (size_t)page_bytes;
    return quarter > MINIMUM_DEFAULT_CAPACITY_BYTES ? quarter : MINIMUM_DEFAULT_CAPACITY_BYTES;
}
