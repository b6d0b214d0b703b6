/*
 * entry_groups.h: GROUP BY on dictionary-encoded keys (stored strings, or a
 * join's build-side strings). The group of each combination of dictionary
 * entries is found once in the group table and remembered, so each row
 * costs an array read instead of hashing and comparing its key values. One
 * per aggregate thread; it follows the dictionaries batches bring and
 * forgets its table when they change.
 */
#ifndef ARM_EXEC_ENTRY_GROUPS_H
#define ARM_EXEC_ENTRY_GROUPS_H

#include "exec/group_table.h"

/* Up to this many keys, whose entry numbers together take at most ENTRY_GROUPS_BITS bits. */
#define ENTRY_GROUPS_KEYS 4
#define ENTRY_GROUPS_BITS 16

typedef struct entry_groups {
    uint32_t key_count;
    buffer *owners[ENTRY_GROUPS_KEYS]; /* retained: the addresses below stay unique */
    const void *dictionaries[ENTRY_GROUPS_KEYS];
    uint8_t bits[ENTRY_GROUPS_KEYS];       /* bits of each key's entry number in a code */
    uint8_t batch_bits[ENTRY_GROUPS_KEYS]; /* what entry_groups_apply found for the batch */
    uint8_t **groups;                      /* by code; NULL: not looked up yet */
    uint32_t capacity;
    uint8_t *null_group;             /* one key: the group of NULL rows */
    vector cells[ENTRY_GROUPS_KEYS]; /* one-row key values for a lookup */
} entry_groups;

/* Called with each group the table creates (to initialize aggregate states). */
typedef void (*entry_group_init)(const void *context, uint8_t *row);

void entry_groups_init(entry_groups *g, uint32_t key_count, const logical_type *types);
void entry_groups_dispose(entry_groups *g);

/*
 * Whether the rows of `in` can be grouped by entry: every key dictionary-
 * encoded, entry numbers within the bit budget, and (more than one key) no
 * NULL rows. When false the caller flattens the keys and groups by value.
 */
bool entry_groups_apply(entry_groups *g, const vector *keys, const batch *in);

/*
 * Points rows[i] at the group of logical row i of `in`, creating groups in
 * `t`. Call only after entry_groups_apply said true for the same batch.
 */
arm_status entry_groups_assign(entry_groups *g, group_table *t, const vector *keys, const batch *in,
                               uint8_t **rows, entry_group_init init, const void *context,
                               arm_error *err);

/*
 * One key without NULLs: points groups_out[i] at the group of dictionary
 * entry entries[i] (count <= VECTOR_SIZE, no entry twice) of keys[0]'s
 * dictionary, creating groups in `t`. Call only after entry_groups_apply
 * said true for the batch that brought that dictionary.
 */
arm_status entry_groups_find(entry_groups *g, group_table *t, const vector *keys,
                             const uint32_t *entries, uint32_t count, uint8_t **groups_out,
                             entry_group_init init, const void *context, arm_error *err);

#endif
