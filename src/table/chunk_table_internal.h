/*
 * chunk_table_internal.h: what chunk_table.c (reads) and
 * chunk_table_write.c (writes and the primary key) share.
 */
#ifndef ARM_TABLE_CHUNK_TABLE_INTERNAL_H
#define ARM_TABLE_CHUNK_TABLE_INTERNAL_H

#include <pthread.h>

#include "table/chunk_meta.h"
#include "table/chunk_table.h"

/* The keys of the committed rows, for PRIMARY KEY checks (built on the first write). */
typedef struct chunk_key_entry {
    uint64_t hash;
    int64_t row_id;  /* -1: free slot; -2: removed (a tombstone) */
    uint32_t offset; /* of the encoded key in `keys` */
    uint32_t length;
} chunk_key_entry;

typedef struct chunk_key_set {
    bool built;
    chunk_key_entry *slots;
    uint64_t capacity; /* a power of two */
    uint64_t used;     /* live entries and tombstones */
    uint8_t *keys;
    size_t keys_length;
    size_t keys_capacity;
} chunk_key_set;

typedef struct chunk_table {
    table_provider base;
    const table_chunk_io *io;
    column_cache *cache;
    char *name;
    table_def *def; /* a copy: columns, NOT NULL, primary key */
    bool writable;
    catalog_chunk_ref *chunks;
    uint32_t chunk_count;
    zone_map *zones; /* chunk_count x column_count, when has_zones[chunk] */
    bool *has_zones;
    uint8_t **zone_data;   /* the encoded statistics the zones' strings point into */
    chunk_layout *layouts; /* per chunk, when has_layout: read only the ranges needed */
    bool *has_layout;
    buffer **deletes; /* per chunk: bitmap of row_count bits, or NULL (copy-on-write) */
    uint64_t *deleted_counts;
    buffer **committed_deletes; /* the bitmaps as committed, for other connections' readers */
    uint64_t *committed_counts;
    bool *changed;        /* per chunk: lost rows since creation */
    table_provider *tail; /* appended rows, or NULL */
    uint64_t change_count;
    bool has_new_deletes;
    chunk_key_set keys;
    pthread_mutex_t lock; /* writes, and scans taking their snapshot */
} chunk_table;

/*
 * Scans the committed rows of `t` with the given columns from one thread,
 * for the writer's helpers, which hold t->lock.
 */
typedef arm_status (*chunk_table_batch_fn)(void *context, const batch *b, arm_error *err);
arm_status chunk_table_scan_all(chunk_table *t, const uint32_t *column_ids, uint32_t column_count,
                                chunk_table_batch_fn fn, void *context, arm_error *err);

void chunk_key_set_dispose(chunk_key_set *k);
arm_status chunk_table_append(table_provider *provider, const batch *rows, arm_error *err);
arm_status chunk_table_delete(table_provider *provider, const int64_t *row_ids, uint64_t count,
                              arm_error *err);
arm_status chunk_table_update(table_provider *provider, const int64_t *row_ids,
                              const batch *new_rows, arm_error *err);

#endif
