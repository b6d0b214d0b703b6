/*
 * key_index.c: linear-probing hash index of (hash, row id) pairs with
 * tombstones, kept at most half full. Deletes leave tombstones so that an
 * undo (a failed UPDATE) can put an entry back in the very same slot.
 */
#include "table/key_index.h"

#include <stdlib.h>

#include "common/error.h"

void key_index_init(key_index *index)
{
    index->slots = NULL;
    index->mask = 0;
    index->used = 0;
    index->live = 0;
}

void key_index_dispose(key_index *index)
{
    free(index->slots);
    key_index_init(index);
}

void key_index_clear(key_index *index)
{
    for (uint64_t i = 0; index->slots != NULL && i <= index->mask; i++)
        index->slots[i].row_id = KEY_INDEX_EMPTY;
    index->used = 0;
    index->live = 0;
}

static void place(key_slot *slots, uint64_t mask, uint64_t hash, int64_t row_id)
{
    uint64_t i = hash & mask;
    while (slots[i].row_id != KEY_INDEX_EMPTY)
        i = (i + 1) & mask;
    slots[i].hash = hash;
    slots[i].row_id = row_id;
}

arm_status key_index_reserve(key_index *index, uint64_t extra, arm_error *err)
{
    uint64_t capacity = index->slots ? index->mask + 1 : 0;
    if ((index->used + extra) * 2 <= capacity)
        return ARM_OK;
    uint64_t want = 16;
    while (want < (index->live + extra) * 2)
        want *= 2;
    key_slot *slots = malloc(want * sizeof *slots);
    if (slots == NULL)
        return error_out_of_memory(err);
    for (uint64_t i = 0; i < want; i++)
        slots[i].row_id = KEY_INDEX_EMPTY;
    for (uint64_t i = 0; i < capacity; i++)
        if (index->slots[i].row_id >= 0)
            place(slots, want - 1, index->slots[i].hash, index->slots[i].row_id);
    free(index->slots);
    index->slots = slots;
    index->mask = want - 1;
    index->used = index->live;
    return ARM_OK;
}

int64_t key_index_find(const key_index *index, uint64_t hash, key_index_equal_fn equal,
                       void *context)
{
    if (index->slots == NULL)
        return -1;
    for (uint64_t i = hash & index->mask;; i = (i + 1) & index->mask) {
        const key_slot *slot = &index->slots[i];
        if (slot->row_id == KEY_INDEX_EMPTY)
            return -1;
        if (slot->row_id >= 0 && slot->hash == hash && equal(context, slot->row_id))
            return slot->row_id;
    }
}

void key_index_insert(key_index *index, uint64_t hash, int64_t row_id)
{
    place(index->slots, index->mask, hash, row_id);
    index->used++;
    index->live++;
}

uint64_t key_index_slot_of(const key_index *index, uint64_t hash, int64_t row_id)
{
    if (index->slots == NULL)
        return KEY_INDEX_NO_SLOT;
    for (uint64_t i = hash & index->mask;; i = (i + 1) & index->mask) {
        const key_slot *slot = &index->slots[i];
        if (slot->row_id == KEY_INDEX_EMPTY)
            return KEY_INDEX_NO_SLOT;
        if (slot->row_id == row_id && slot->hash == hash)
            return i;
    }
}

void key_index_remove_slot(key_index *index, uint64_t slot)
{
    index->slots[slot].row_id = KEY_INDEX_TOMBSTONE;
    index->live--;
}

void key_index_restore_slot(key_index *index, uint64_t slot, int64_t row_id)
{
    index->slots[slot].row_id = row_id;
    index->live++;
}
