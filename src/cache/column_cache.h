/*
 * column_cache.h: decoded column chunks shared by every scan of a database
 * (DESIGN.md, issue 5). An entry is one column of one stored chunk, keyed by
 * the chunk's content hash and the column's position in it, so versions and
 * branches that share a chunk share its entries, and a new version can only
 * miss: nothing cached is ever stale. The cache is a byte-bounded LRU;
 * entries are refcounted, so an entry evicted while a scan reads it stays
 * alive until that scan releases it.
 */
#ifndef ARM_CACHE_COLUMN_CACHE_H
#define ARM_CACHE_COLUMN_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "vector/vector.h"

typedef struct column_cache column_cache;

/*
 * One decoded column of a chunk: `vector_count` flat (or dictionary)
 * vectors of at most VECTOR_SIZE rows each, `row_counts[i]` rows in vector
 * i. Immutable once in the cache; read it only between get/put and release.
 */
typedef struct cached_column {
    _Atomic uint32_t refcount;
    uint8_t chunk_id[32];
    uint32_t column;
    uint32_t vector_count;
    vector *vectors;
    uint32_t *row_counts;
    size_t bytes; /* what it holds, for the cache's bound (set by cached_column_create's caller via
                     cached_column_finish) */
} cached_column;

/* An empty column to fill (refcount 1): `vector_count` vectors initialized to `type`. */
arm_status cached_column_create(const uint8_t chunk_id[32], uint32_t column, logical_type type,
                                uint32_t vector_count, cached_column **out, arm_error *err);
/* Computes `bytes` from the buffers the vectors hold; call once they are filled. */
void cached_column_finish(cached_column *c);
void cached_column_retain(cached_column *c);
void cached_column_release(cached_column *c); /* accepts NULL; frees at refcount 0 */

typedef struct column_cache_stats {
    uint64_t hits;
    uint64_t misses;
    uint64_t evictions;
    uint64_t entries;
    uint64_t bytes;
    uint64_t capacity_bytes;
} column_cache_stats;

/* A cache holding at most `capacity_bytes` (0: nothing is kept). */
arm_status column_cache_create(size_t capacity_bytes, column_cache **out, arm_error *err);
void column_cache_destroy(column_cache *cache); /* accepts NULL; entries in use stay alive */

/* The entry for (chunk, column), retained, or NULL (a miss). Thread-safe. */
cached_column *column_cache_get(column_cache *cache, const uint8_t chunk_id[32], uint32_t column);

/*
 * Offers `c` to the cache and returns the entry to use, retained: `c` itself
 * (the cache keeps its own reference while it has room), or the entry another
 * thread put first for the same key. The caller's reference to `c` is
 * consumed. Evicts least recently used entries past the capacity; an entry
 * larger than the whole capacity is returned without being kept.
 */
cached_column *column_cache_put(column_cache *cache, cached_column *c);

/* Changes the bound, evicting down to it. */
void column_cache_set_capacity(column_cache *cache, size_t capacity_bytes);
/* Drops every entry (chunk_id NULL) or those of the listed chunks. */
void column_cache_clear(column_cache *cache, const uint8_t (*chunk_ids)[32], uint32_t chunk_count);
void column_cache_read_stats(column_cache *cache, column_cache_stats *out);

/* A default bound from the machine's memory: a quarter of physical RAM. */
size_t column_cache_default_capacity(void);

#endif
