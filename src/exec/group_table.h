/*
 * group_table.h: the hash table of the hash aggregate. Groups are fixed-size
 * rows (hash, key NULL flags, key values, aggregate states) in blocks that
 * never move; a linear-probing slot array holds a 16-bit salt of the hash and
 * the group number, so most mismatches are rejected without touching a row.
 * Long string keys are copied into arenas the table owns.
 */
#ifndef ARM_EXEC_GROUP_TABLE_H
#define ARM_EXEC_GROUP_TABLE_H

#include "common/arena.h"
#include "vector/vector.h"

#define GROUP_BLOCK_SHIFT 10
#define GROUP_BLOCK_ROWS (1u << GROUP_BLOCK_SHIFT)

/* Where each part of a group row lives; shared by every table of one operator. */
typedef struct group_layout {
    uint32_t key_count;
    const logical_type *key_types;
    uint32_t *key_offsets; /* key values (strings as string_view) */
    uint8_t *key_widths;
    uint32_t null_offset;    /* one byte per key: 1 = NULL */
    uint32_t row_width;      /* multiple of 16 */
    uint32_t payload_offset; /* first byte after the keys (16-aligned): states go here */
} group_layout;

typedef struct group_table {
    const group_layout *layout;
    uint64_t *slots; /* salt << 48 | (group + 1); 0 = empty */
    uint64_t slot_mask;
    uint8_t **blocks;
    uint32_t block_count;
    uint32_t block_capacity;
    uint32_t group_count;
    arena **arenas; /* long string keys: [0] is this table's, others adopted in merges */
    uint32_t arena_count;
    uint32_t arena_capacity;
    memory_budget *budget;
    int64_t reserved_bytes;
    uint32_t first_block_rows; /* rows block 0 holds now: one for ungrouped aggregates */
} group_table;

/*
 * Computes the layout for keys of `types` followed by `payload_bytes` of
 * 16-aligned payload (aggregate states). Arrays are allocated in `a`.
 */
arm_status group_layout_init(group_layout *layout, arena *a, const logical_type *types,
                             uint32_t key_count, uint32_t payload_bytes, arm_error *err);

arm_status group_table_init(group_table *t, const group_layout *layout, memory_budget *budget,
                            arm_error *err);
/* Frees the table's memory (not what its payloads own) and releases its budget. */
void group_table_dispose(group_table *t);

static inline uint8_t *group_table_row(const group_table *t, uint32_t group)
{
    return t->blocks[group >> GROUP_BLOCK_SHIFT] +
           (size_t)(group & (GROUP_BLOCK_ROWS - 1)) * t->layout->row_width;
}

static inline uint64_t group_row_hash(const uint8_t *row)
{
    return *(const uint64_t *)row;
}

/*
 * For rows sel[i] (or i) of the key vectors, with their hashes, finds or
 * creates each group and writes its row to rows_out[i]. New rows have their
 * payload zeroed; `created` (may be NULL) receives how many were made.
 */
arm_status group_table_find_or_create(group_table *t, const vector *keys, const uint32_t *sel,
                                      uint32_t count, const uint64_t *hashes, uint8_t **rows_out,
                                      uint32_t *created, arm_error *err);

/*
 * Finds the group equal to `row` of another table with the same layout, or
 * appends a copy of it (payload included) and sets *created.
 */
arm_status group_table_find_or_copy_row(group_table *t, const uint8_t *row, uint8_t **row_out,
                                        bool *created, arm_error *err);

/* Takes over `from`'s string arenas (after its rows were copied in); `from` keeps none. */
arm_status group_table_adopt_arenas(group_table *t, group_table *from, arm_error *err);

/* Writes key `k` of `row` into row `out_row` of writable flat `out` (strings copied). */
arm_status group_table_read_key(const group_layout *layout, const uint8_t *row, uint32_t k,
                                vector *out, uint32_t out_row, arm_error *err);

#endif
