/*
 * memory_table_internal.h: the layout of a memory table, shared by
 * memory_table.c (writes) and memory_table_scan.c (scans, statistics).
 */
#ifndef ARM_TABLE_MEMORY_TABLE_INTERNAL_H
#define ARM_TABLE_MEMORY_TABLE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "table/key_index.h"
#include "table/memory_table.h"
#include "table/zone_map.h"

#define ROW_GROUP_CHUNKS (MEMORY_TABLE_ROW_GROUP_ROWS / VECTOR_SIZE)
#define DELETION_WORDS (MEMORY_TABLE_ROW_GROUP_ROWS / 64)

/*
 * Which rows of one row group are deleted. Shared by the table and the scans
 * that snapshot it; a writer changes it in place only while it is unique and
 * otherwise installs a modified copy.
 */
typedef struct deletion_map {
    _Atomic unsigned refcount;
    uint32_t deleted_count;
    uint64_t bits[DELETION_WORDS];
} deletion_map;

/*
 * One column of a row group: a flat vector of capacity VECTOR_SIZE per 2048
 * rows (allocated whole, never reallocated, so scans reference it and zone
 * maps point into it), and zone maps per chunk and for the whole group.
 */
typedef struct column_chunks {
    vector chunks[ROW_GROUP_CHUNKS];
    zone_map zones[ROW_GROUP_CHUNKS];
    zone_map zone;
} column_chunks;

/*
 * Up to MEMORY_TABLE_ROW_GROUP_ROWS rows: the unit of a morsel. Rows are
 * only ever appended past `row_count`; a scan snapshots `row_count` and
 * reads below it, so appends never touch what a scan reads (validity
 * bitmaps, the one place a write could share a word with older rows, are
 * copied first when a scan holds them).
 */
typedef struct row_group {
    uint32_t row_count;     /* rows published to scans */
    column_chunks *columns; /* one per table column */
    deletion_map *deleted;  /* NULL while no row is deleted */
} row_group;

/*
 * The table. `write_lock` serializes writers for a whole write (checks,
 * index, data); `lock` guards what scans read (the group array, row counts,
 * deletion maps, chunk vectors, zone maps): scans hold it shared briefly,
 * writers exclusively only while they change those.
 */
typedef struct memory_table {
    table_provider base;
    char *name;
    bool *not_null;
    uint32_t *primary_key;
    uint32_t primary_key_count;
    pthread_mutex_t write_lock;
    pthread_rwlock_t lock;
    row_group **groups;
    uint32_t group_count;
    uint32_t group_capacity;
    _Atomic uint64_t live_rows;
    _Atomic uint64_t change_count;  /* successful writes (memory_table_change_count) */
    _Atomic uint64_t rewrite_count; /* successful deletes and updates */
    key_index index;                /* primary key hashes -> row ids (write_lock) */
    key_index scratch;              /* keys of the batch being written (write_lock) */
    value *key; /* primary_key_count values: the key being probed (write_lock) */
} memory_table;

static inline void deletion_map_release(deletion_map *d)
{
    if (d != NULL && atomic_fetch_sub(&d->refcount, 1) == 1)
        free(d);
}

/* memory_table_scan.c */
arm_status memory_table_scan_begin(table_provider *provider, const table_scan_options *options,
                                   table_scan **out, arm_error *err);
arm_status memory_table_scan_local_create(table_scan *scan, table_scan_local **out, arm_error *err);
arm_status memory_table_scan_next(table_scan *scan, table_scan_local *local, batch *out,
                                  arm_error *err);
void memory_table_scan_local_destroy(table_scan_local *local);
void memory_table_scan_end(table_scan *scan);
uint64_t memory_table_estimated_rows(table_provider *provider);
uint64_t memory_table_exact_rows(table_provider *provider, bool committed_only);
bool memory_table_column_stats(table_provider *provider, uint32_t column, table_column_stats *out);

#endif
