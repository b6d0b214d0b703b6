/*
 * key_index.h: an open-addressing hash index from key hashes to row ids,
 * used by memory tables to enforce PRIMARY KEY uniqueness. The index does
 * not store keys: callers compare the key of a candidate row themselves.
 */
#ifndef ARM_TABLE_KEY_INDEX_H
#define ARM_TABLE_KEY_INDEX_H

#include <stdbool.h>
#include <stdint.h>

#include "armillaria.h"

#define KEY_INDEX_EMPTY (-1)
#define KEY_INDEX_TOMBSTONE (-2)
#define KEY_INDEX_NO_SLOT UINT64_MAX

typedef struct key_slot {
    uint64_t hash;
    int64_t row_id; /* KEY_INDEX_EMPTY, KEY_INDEX_TOMBSTONE or a row id >= 0 */
} key_slot;

/* One index; a struct in caller memory (key_index_init / key_index_dispose). */
typedef struct key_index {
    key_slot *slots;
    uint64_t mask; /* capacity - 1 (capacity a power of two), or 0 when empty */
    uint64_t used; /* live entries and tombstones */
    uint64_t live; /* live entries */
} key_index;

/* True when the row `row_id` has the key the caller is looking for. */
typedef bool (*key_index_equal_fn)(void *context, int64_t row_id);

void key_index_init(key_index *index);
void key_index_dispose(key_index *index);
/* Drops every entry, keeping the allocation (for scratch indexes reused per write). */
void key_index_clear(key_index *index);
/* Makes room for `extra` more inserts, so that key_index_insert cannot fail. */
arm_status key_index_reserve(key_index *index, uint64_t extra, arm_error *err);
/* The row id of a live entry with `hash` for which `equal` holds, or -1. */
int64_t key_index_find(const key_index *index, uint64_t hash, key_index_equal_fn equal,
                       void *context);
/* Adds an entry; room must have been reserved. */
void key_index_insert(key_index *index, uint64_t hash, int64_t row_id);
/* The slot of the live entry (hash, row_id), or KEY_INDEX_NO_SLOT. */
uint64_t key_index_slot_of(const key_index *index, uint64_t hash, int64_t row_id);
/* Turns a live slot into a tombstone, or a tombstone back into `row_id` (undo). */
void key_index_remove_slot(key_index *index, uint64_t slot);
void key_index_restore_slot(key_index *index, uint64_t slot, int64_t row_id);

#endif
