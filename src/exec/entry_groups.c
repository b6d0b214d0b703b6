/*
 * entry_groups.c: groups by dictionary entry numbers. A row's code packs its
 * keys' entry numbers (key 0 in the low bits); the code indexes a table of
 * group pointers filled on first sight through the group table, which keeps
 * the groups themselves, so groups met by value and by entry are the same.
 */
#include "exec/entry_groups.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "exec/key_hash.h"

void entry_groups_init(entry_groups *g, uint32_t key_count, const logical_type *types)
{
    memset(g, 0, sizeof *g);
    g->key_count = key_count;
    for (uint32_t k = 0; k < key_count && k < ENTRY_GROUPS_KEYS; k++)
        vector_init(&g->cells[k], types[k]);
}

void entry_groups_dispose(entry_groups *g)
{
    for (uint32_t k = 0; k < ENTRY_GROUPS_KEYS; k++) {
        buffer_release(g->owners[k]);
        vector_dispose(&g->cells[k]);
    }
    free(g->groups);
    memset(g, 0, sizeof *g);
}

static uint8_t bits_for(uint32_t max_entry)
{
    return max_entry == 0 ? 1 : (uint8_t)(32 - __builtin_clz(max_entry));
}

/* The largest entry number of `key`'s valid rows in `in` (a plain max loop when no NULLs). */
static uint32_t max_entry(const vector *key, const batch *in)
{
    const uint32_t *entry = key->data, *sel = in->sel;
    uint32_t count = in->count, max = 0;
    if (key->validity == NULL && sel == NULL) {
        for (uint32_t i = 0; i < count; i++)
            max = entry[i] > max ? entry[i] : max;
    } else if (key->validity == NULL) {
        for (uint32_t i = 0; i < count; i++)
            max = entry[sel[i]] > max ? entry[sel[i]] : max;
    } else {
        for (uint32_t i = 0; i < count; i++) {
            uint32_t row = sel ? sel[i] : i;
            if (entry[row] > max && vector_is_valid(key, row))
                max = entry[row];
        }
    }
    return max;
}

/*
 * Dictionaries whose capacities together take at most this many bits size
 * the table of groups themselves: 4096 slots stay in the cache. Wider ones
 * would spread a few groups over a table of up to 64K slots, slower to read
 * than a scan of the batch for the entries in use.
 */
#define UNSCANNED_BITS 12

/*
 * The bits each key's entry numbers need in `in` (NULL rows skipped). Small
 * dictionaries bound their entry numbers themselves (a capacity is at least
 * the row count), so the batch is not read; otherwise (several keys, a
 * join's build rows) it is scanned for the largest entry in use.
 */
static void needed_bits(const vector *keys, uint32_t key_count, const batch *in, uint8_t *bits)
{
    uint32_t total = 0;
    for (uint32_t k = 0; k < key_count; k++) {
        uint32_t capacity = keys[k].dictionary->capacity;
        bits[k] = capacity > 0 ? bits_for(capacity - 1) : 1;
        total += bits[k];
    }
    if (total <= UNSCANNED_BITS)
        return;
    for (uint32_t k = 0; k < key_count; k++)
        bits[k] = bits_for(max_entry(&keys[k], in));
}

/* The bits key k takes in codes: what `in` needs, or more if the table already uses more. */
static uint8_t key_bits(const entry_groups *g, const vector *key, uint32_t k, uint8_t needed)
{
    bool same = key->dictionary->data == g->dictionaries[k];
    return same && g->bits[k] > needed ? g->bits[k] : needed;
}

bool entry_groups_apply(entry_groups *g, const vector *keys, const batch *in)
{
    if (g->key_count == 0 || g->key_count > ENTRY_GROUPS_KEYS)
        return false;
    for (uint32_t k = 0; k < g->key_count; k++) {
        const vector *key = &keys[k];
        if (key->kind != VECTOR_DICTIONARY || key->dictionary->data_buffer == NULL ||
            (g->key_count > 1 && key->validity != NULL))
            return false;
    }
    needed_bits(keys, g->key_count, in, g->batch_bits);
    uint32_t total = 0;
    for (uint32_t k = 0; k < g->key_count; k++)
        total += g->batch_bits[k] = key_bits(g, &keys[k], k, g->batch_bits[k]);
    return total <= ENTRY_GROUPS_BITS;
}

/* Follows the batch's dictionaries and bit widths (from apply); a change empties the table. */
static arm_status follow(entry_groups *g, const vector *keys, arm_error *err)
{
    bool changed = g->groups == NULL;
    uint32_t total = 0;
    for (uint32_t k = 0; k < g->key_count; k++) {
        changed |= keys[k].dictionary->data != g->dictionaries[k] || g->batch_bits[k] != g->bits[k];
        total += g->batch_bits[k];
    }
    if (!changed)
        return ARM_OK;
    for (uint32_t k = 0; k < g->key_count; k++) {
        buffer_release(g->owners[k]);
        g->owners[k] = buffer_retain(keys[k].dictionary->data_buffer);
        g->dictionaries[k] = keys[k].dictionary->data;
        g->bits[k] = g->batch_bits[k];
    }
    uint32_t capacity = 1u << total;
    if (capacity > g->capacity) {
        uint8_t **grown = realloc(g->groups, capacity * sizeof *grown);
        if (grown == NULL)
            return error_out_of_memory(err);
        g->groups = grown;
        g->capacity = capacity;
    }
    memset(g->groups, 0, g->capacity * sizeof *g->groups);
    return ARM_OK;
}

/* Finds or creates the group of row `row` of the key vectors `cells` (flat or constant). */
static arm_status find_group(const entry_groups *g, group_table *t, const vector *cells,
                             uint32_t row, uint8_t **group, entry_group_init init,
                             const void *context, arm_error *err)
{
    uint64_t hash;
    for (uint32_t k = 0; k < g->key_count; k++)
        key_hash_column(&cells[k], &row, 1, &hash, k == 0);
    uint32_t before = t->group_count, created = 0;
    arm_status s = group_table_find_or_create(t, cells, &row, 1, &hash, group, &created, err);
    if (s == ARM_OK && created > 0 && init != NULL)
        init(context, group_table_row(t, before));
    return s;
}

/* Finds or creates the group of the keys' values at entries[k] (row 0 of each cell). */
static arm_status lookup(entry_groups *g, group_table *t, const vector *keys,
                         const uint32_t *entries, uint8_t **group, entry_group_init init,
                         const void *context, arm_error *err)
{
    const vector *cells = keys[0].dictionary;
    uint32_t row = entries[0];
    if (g->key_count > 1) {
        for (uint32_t k = 0; k < g->key_count; k++) {
            arm_status s = vector_prepare_flat(&g->cells[k], 1, err);
            if (s == ARM_OK)
                s = vector_copy_rows(&g->cells[k], 0, keys[k].dictionary, &entries[k], 1, err);
            if (s != ARM_OK)
                return s;
        }
        cells = g->cells;
        row = 0;
    }
    return find_group(g, t, cells, row, group, init, context, err);
}

/* One key: the group of NULL rows. */
static arm_status null_group(entry_groups *g, group_table *t, const vector *key, uint8_t **group,
                             entry_group_init init, const void *context, arm_error *err)
{
    if (g->null_group == NULL) {
        value null = value_null(key->type);
        arm_status s = vector_set_constant(&g->cells[0], &null, err);
        if (s == ARM_OK)
            s = find_group(g, t, g->cells, 0, &g->null_group, init, context, err);
        if (s != ARM_OK)
            return s;
    }
    *group = g->null_group;
    return ARM_OK;
}

/* Marks an entry slot whose group is being looked up (never a real group's address). */
static uint8_t pending_lookup;

/*
 * One key: looks up the `n` entries in `missing`, whose slots are marked
 * pending, together (one hashing pass, one table probe), which matters when
 * the dictionary is a join's build rows: thousands of entries, most of them
 * new in the first batches.
 */
static arm_status look_up_missing(entry_groups *g, group_table *t, const vector *keys,
                                  const uint32_t *missing, uint32_t n, entry_group_init init,
                                  const void *context, arm_error *err)
{
    uint64_t hashes[VECTOR_SIZE];
    uint8_t *found[VECTOR_SIZE];
    uint8_t **groups = g->groups;
    key_hash_column(keys[0].dictionary, missing, n, hashes, true);
    uint32_t before = t->group_count, created = 0;
    arm_status s =
        group_table_find_or_create(t, keys[0].dictionary, missing, n, hashes, found, &created, err);
    for (uint32_t m = 0; m < n; m++)
        groups[missing[m]] = s == ARM_OK ? found[m] : NULL;
    if (s != ARM_OK)
        return s;
    for (uint32_t k = before; init != NULL && k < t->group_count; k++)
        init(context, group_table_row(t, k));
    return ARM_OK;
}

/* One key without NULLs: each row's group is one read of its entry's slot. */
static arm_status assign_one_key(entry_groups *g, group_table *t, const vector *keys,
                                 const batch *in, uint8_t **rows, entry_group_init init,
                                 const void *context, arm_error *err)
{
    const uint32_t *entry = keys[0].data, *sel = in->sel;
    uint8_t **groups = g->groups;
    uint32_t missing[VECTOR_SIZE], n = 0;
    for (uint32_t i = 0; i < in->count; i++) {
        uint32_t e = entry[sel ? sel[i] : i];
        if (__builtin_expect(groups[e] == NULL, 0)) {
            groups[e] = &pending_lookup;
            missing[n++] = e;
        }
    }
    arm_status s = n > 0 ? look_up_missing(g, t, keys, missing, n, init, context, err) : ARM_OK;
    if (s != ARM_OK)
        return s;
    if (sel == NULL)
        for (uint32_t i = 0; i < in->count; i++)
            rows[i] = groups[entry[i]];
    else
        for (uint32_t i = 0; i < in->count; i++)
            rows[i] = groups[entry[sel[i]]];
    return ARM_OK;
}

arm_status entry_groups_find(entry_groups *g, group_table *t, const vector *keys,
                             const uint32_t *entries, uint32_t count, uint8_t **groups_out,
                             entry_group_init init, const void *context, arm_error *err)
{
    arm_status s = follow(g, keys, err);
    if (s != ARM_OK)
        return s;
    uint8_t **groups = g->groups;
    uint32_t missing[VECTOR_SIZE], n = 0;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t e = entries[i];
        if (groups[e] == NULL) {
            groups[e] = &pending_lookup;
            missing[n++] = e;
        }
    }
    s = n > 0 ? look_up_missing(g, t, keys, missing, n, init, context, err) : ARM_OK;
    for (uint32_t i = 0; i < count && s == ARM_OK; i++)
        groups_out[i] = groups[entries[i]];
    return s;
}

arm_status entry_groups_assign(entry_groups *g, group_table *t, const vector *keys, const batch *in,
                               uint8_t **rows, entry_group_init init, const void *context,
                               arm_error *err)
{
    arm_status s = follow(g, keys, err);
    if (s == ARM_OK && g->key_count == 1 && keys[0].validity == NULL)
        return assign_one_key(g, t, keys, in, rows, init, context, err);
    for (uint32_t i = 0; i < in->count && s == ARM_OK; i++) {
        uint32_t row = batch_row(in, i), code = 0, shift = 0, entries[ENTRY_GROUPS_KEYS];
        if (g->key_count == 1 && !vector_is_valid(&keys[0], row)) {
            s = null_group(g, t, &keys[0], &rows[i], init, context, err);
            continue;
        }
        for (uint32_t k = 0; k < g->key_count; k++) {
            entries[k] = ((const uint32_t *)keys[k].data)[row];
            code |= entries[k] << shift;
            shift += g->bits[k];
        }
        if (g->groups[code] == NULL)
            s = lookup(g, t, keys, entries, &g->groups[code], init, context, err);
        rows[i] = g->groups[code];
    }
    return s;
}
