/*
 * op_hash_aggregate.c: GROUP BY and DISTINCT. Each thread hashes its batches'
 * keys column by column, finds or creates groups in its own group_table
 * (salted linear probing, rows holding keys and aggregate states) and
 * scatters the aggregates' updates into the groups' states; combine merges
 * thread tables into the global one (the first is adopted whole) and the
 * source emits groups from any number of threads. Ungrouped aggregates skip
 * hashing and update their one state straight from each batch. One key
 * with a small dictionary aggregates into partial states per dictionary
 * entry instead (entry_partials). DISTINCT aggregates collect values per
 * group in value sets, folded in at finalize.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "exec/aggregate.h"
#include "exec/entry_groups.h"
#include "exec/group_table.h"
#include "exec/key_hash.h"
#include "exec/operator.h"
#include "vector/value_set.h"

typedef struct op_hash_aggregate {
    op base;
    uint32_t key_count;
    expr **key_exprs; /* DISTINCT: column refs made here */
    logical_type *key_types;
    uint32_t aggregate_count;
    plan_aggregate *aggregates;
    uint32_t *state_offsets;    /* per aggregate, from the row start */
    uint32_t *distinct_offsets; /* per aggregate: its value set pointer, or 0 */
    uint32_t arg_total;         /* every aggregate's args then its filter slot */
    expr **arg_exprs;
    bool has_distinct;
    bool has_destroy;
    bool is_distinct_plan;
    bool by_entry_states; /* every aggregate can update dense per-entry states */
    group_layout layout;
    group_table global;
    _Atomic uint32_t output_cursor;
} op_hash_aggregate;

/*
 * GROUP BY one dictionary-encoded key whose dictionary is small: the
 * aggregates update partial states in an array indexed by entry number, with
 * no group pointer per row, and the rows of each entry are counted (COUNT(*)
 * needs nothing more). The partials fold into their groups when the
 * dictionary changes and before the thread's table is merged.
 */
typedef struct entry_partials {
    buffer *owner;          /* the dictionary's data, retained: its address stays unique */
    const void *dictionary; /* data of the dictionary the entries index; NULL: none yet */
    uint32_t capacity;      /* entries the arrays hold */
    uint8_t *states;        /* capacity partial payloads (every aggregate's state) */
    uint64_t *row_counts;   /* rows of each entry since the last fold; 0: untouched */
    uint8_t **groups;       /* the group of each touched entry */
    uint32_t *touched;      /* entries touched since the last fold */
    uint32_t touched_count;
} entry_partials;

/* Dictionaries up to this capacity group into entry_partials. */
#define ENTRY_PARTIALS_MAX 4096

typedef struct agg_local {
    group_table table;
    bool table_ready;
    expr_executor *keys;
    expr_executor *args;
    vector *key_values;
    vector *arg_values;
    entry_groups by_entry; /* GROUP BY dictionary-encoded keys */
    uint8_t *
        *small_groups;    /* GROUP BY one integer key: the group of each value below small_count */
    uint32_t small_count; /* grows with the values seen, up to SMALL_KEYS */
    uint64_t hashes[VECTOR_SIZE];
    uint8_t *rows[VECTOR_SIZE];
    uint32_t filter_sel[VECTOR_SIZE];
    uint8_t *filter_rows[VECTOR_SIZE];
    uint32_t dictionary_sel[VECTOR_SIZE]; /* dictionary entry of each valid selected row */
    /* After the scratch arrays (so zeroed apart): the integer-key loop was measurably
     * sensitive to where its rows array falls, so fields are not added before it. */
    entry_partials partials;
} agg_local;

/* ---- group states ------------------------------------------------------------------ */

static void init_states(const op_hash_aggregate *a, uint8_t *row)
{
    for (uint32_t k = 0; k < a->aggregate_count; k++)
        a->aggregates[k].fn->init(a->aggregates[k].fn, row + a->state_offsets[k]);
}

static void destroy_states(const op_hash_aggregate *a, group_table *t)
{
    if (!a->has_destroy && !a->has_distinct)
        return;
    for (uint32_t g = 0; g < t->group_count; g++) {
        uint8_t *row = group_table_row(t, g);
        for (uint32_t k = 0; k < a->aggregate_count; k++) {
            const aggregate_function *fn = a->aggregates[k].fn;
            if (fn->destroy)
                fn->destroy(fn, row + a->state_offsets[k]);
            if (a->distinct_offsets[k]) {
                subquery_set **set = (subquery_set **)(row + a->distinct_offsets[k]);
                value_set_destroy(*set);
                *set = NULL;
            }
        }
    }
}

/* The one group of an ungrouped aggregate (made on first use). */
static arm_status single_row(const op_hash_aggregate *a, group_table *t, uint8_t **row,
                             arm_error *err)
{
    if (t->group_count > 0) {
        *row = group_table_row(t, 0);
        return ARM_OK;
    }
    uint64_t hash = 0;
    arm_status s = group_table_find_or_create(t, NULL, NULL, 1, &hash, row, NULL, err);
    if (s == ARM_OK)
        init_states(a, *row);
    return s;
}

/* ---- per-thread state ---------------------------------------------------------------- */

static void entry_partials_dispose(entry_partials *p)
{
    buffer_release(p->owner);
    free(p->states);
    free(p->row_counts);
    free(p->groups);
    free(p->touched);
    memset(p, 0, sizeof *p);
}

static arm_status agg_local_create(op *o, void **out, arm_error *err)
{
    op_hash_aggregate *a = (op_hash_aggregate *)o;
    /* The per-batch scratch arrays (72 KB) are written before they are read: zeroing
     * them cost more than the rest of a small COUNT(*) together. */
    agg_local *l = malloc(sizeof *l);
    if (l == NULL)
        return error_out_of_memory(err);
    memset(l, 0, offsetof(agg_local, hashes));
    memset(&l->partials, 0, sizeof l->partials);
    *out = l;
    l->key_values = calloc(a->key_count + 1, sizeof *l->key_values);
    l->arg_values = calloc(a->arg_total + 1, sizeof *l->arg_values);
    if (l->key_values == NULL || l->arg_values == NULL)
        return error_out_of_memory(err);
    for (uint32_t i = 0; i < a->key_count; i++)
        vector_init(&l->key_values[i], a->key_types[i]);
    for (uint32_t i = 0; i < a->arg_total; i++)
        vector_init(&l->arg_values[i],
                    a->arg_exprs[i] ? a->arg_exprs[i]->type : type_make(TYPE_INVALID));
    entry_groups_init(&l->by_entry, a->key_count, a->key_types);
    arm_status s = group_table_init(&l->table, &a->layout, o->ctx->budget, err);
    l->table_ready = s == ARM_OK;
    if (s == ARM_OK)
        s = expr_executor_create(&l->keys, a->key_exprs, a->key_count, o->ctx, err);
    if (s == ARM_OK)
        s = expr_executor_create(&l->args, a->arg_exprs, a->arg_total, o->ctx, err);
    return s;
}

static void agg_local_destroy(op *o, void *local)
{
    op_hash_aggregate *a = (op_hash_aggregate *)o;
    agg_local *l = local;
    if (l->table_ready) {
        destroy_states(a, &l->table);
        group_table_dispose(&l->table);
    }
    entry_groups_dispose(&l->by_entry);
    entry_partials_dispose(&l->partials);
    free(l->small_groups);
    for (uint32_t i = 0; l->key_values && i < a->key_count; i++)
        vector_dispose(&l->key_values[i]);
    for (uint32_t i = 0; l->arg_values && i < a->arg_total; i++)
        vector_dispose(&l->arg_values[i]);
    free(l->key_values);
    free(l->arg_values);
    expr_executor_destroy(l->keys);
    expr_executor_destroy(l->args);
    free(l);
}

/* ---- sinking ------------------------------------------------------------------------- */

/*
 * An ungrouped aggregate of one argument without FILTER or DISTINCT reads a
 * dictionary-encoded argument (read_parquet's dictionary pages) through the
 * rows' entry indexes instead of flattening it first: update_single sees the
 * same values in the same order, without the copy.
 */
static bool reads_through_dictionary(const op_hash_aggregate *a, uint32_t k)
{
    const plan_aggregate *agg = &a->aggregates[k];
    return a->key_count == 0 && agg->arg_count == 1 && agg->filter == NULL && !agg->is_distinct;
}

static arm_status evaluate_inputs(op_hash_aggregate *a, agg_local *l, const batch *in,
                                  arm_error *err)
{
    arm_status s = ARM_OK;
    for (uint32_t k = 0; k < a->key_count && s == ARM_OK; k++)
        s = expr_execute(l->keys, k, in, &l->key_values[k], err);
    /* Dictionary-encoded keys are grouped by entry when they allow it, else by value. */
    bool by_entry = s == ARM_OK && entry_groups_apply(&l->by_entry, l->key_values, in);
    for (uint32_t k = 0; k < a->key_count && s == ARM_OK && !by_entry; k++)
        if (l->key_values[k].kind == VECTOR_DICTIONARY)
            s = vector_flatten(&l->key_values[k], in->sel, in->count, err);
    uint32_t first_arg = 0;
    for (uint32_t k = 0; k < a->aggregate_count && s == ARM_OK; k++) {
        bool through_dictionary = reads_through_dictionary(a, k);
        for (uint32_t j = 0; j <= a->aggregates[k].arg_count && s == ARM_OK; j++) {
            uint32_t i = first_arg + j;
            if (a->arg_exprs[i] == NULL)
                continue;
            s = expr_execute(l->args, i, in, &l->arg_values[i], err);
            bool keep = through_dictionary && j == 0;
            if (s == ARM_OK && l->arg_values[i].kind == VECTOR_DICTIONARY && !keep)
                s = vector_flatten(&l->arg_values[i], in->sel, in->count, err);
        }
        first_arg += a->aggregates[k].arg_count + 1;
    }
    return s;
}

/* The dictionary entry of each selected row that is not NULL, in row order. */
static uint32_t dictionary_entries(const vector *v, const uint32_t *sel, uint32_t count,
                                   uint32_t *out)
{
    const uint32_t *index = v->data;
    uint32_t n = 0;
    if (v->validity == NULL) {
        for (uint32_t i = 0; i < count; i++)
            out[i] = index[sel ? sel[i] : i];
        return count;
    }
    for (uint32_t i = 0; i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        if (vector_is_valid(v, row))
            out[n++] = index[row];
    }
    return n;
}

/* Rows of the batch that pass aggregate k's FILTER: physical rows and their groups. */
static uint32_t apply_filter(agg_local *l, const vector *f, const batch *in)
{
    uint32_t n = 0, mask = f->kind == VECTOR_CONSTANT ? 0 : UINT32_MAX;
    const uint8_t *d = f->data;
    for (uint32_t i = 0; i < in->count; i++) {
        uint32_t row = batch_row(in, i);
        uint32_t at = row & mask;
        if (vector_is_valid(f, at) && d[at]) {
            l->filter_sel[n] = row;
            l->filter_rows[n++] = l->rows[i];
        }
    }
    return n;
}

static arm_status add_distinct(op_hash_aggregate *a, uint32_t k, const vector *arg,
                               const uint32_t *sel, uint8_t *const *rows, uint32_t count,
                               bool one_group, arm_error *err)
{
    arm_status s = ARM_OK;
    for (uint32_t i = 0; i < count && s == ARM_OK; i++) {
        subquery_set **set = (subquery_set **)(rows[i] + a->distinct_offsets[k]);
        if (*set == NULL && (s = value_set_create(set, arg->type, err)) != ARM_OK)
            return s;
        if (one_group) /* every row into the one set, vectorized */
            return value_set_insert_vector(*set, arg, sel, count, err);
        value v;
        vector_get_value(arg, sel ? sel[i] : i, &v);
        if (!v.is_null)
            s = value_set_insert(*set, &v, err);
    }
    return s;
}

static arm_status update_aggregate(op_hash_aggregate *a, agg_local *l, uint32_t k,
                                   uint32_t first_arg, const batch *in, arm_error *err)
{
    const plan_aggregate *agg = &a->aggregates[k];
    vector *args[4] = {NULL, NULL, NULL, NULL};
    for (uint32_t i = 0; i < agg->arg_count && i < 4; i++)
        args[i] = &l->arg_values[first_arg + i];
    const uint32_t *sel = in->sel;
    uint8_t *const *rows = l->rows;
    uint32_t count = in->count;
    if (agg->filter != NULL) {
        count = apply_filter(l, &l->arg_values[first_arg + agg->arg_count], in);
        sel = l->filter_sel;
        rows = l->filter_rows;
    }
    if (count == 0)
        return ARM_OK;
    if (agg->is_distinct)
        return add_distinct(a, k, args[0], sel, rows, count, a->key_count == 0, err);
    if (a->key_count == 0 && args[0] != NULL && args[0]->kind == VECTOR_DICTIONARY) {
        /* reads_through_dictionary: the dictionary's rows, selected by entry */
        uint32_t n = dictionary_entries(args[0], sel, count, l->dictionary_sel);
        vector *dictionary = args[0]->dictionary;
        return n == 0 ? ARM_OK
                      : agg->fn->update_single(agg->fn, rows[0] + a->state_offsets[k], &dictionary,
                                               l->dictionary_sel, n, err);
    }
    if (a->key_count == 0) /* one state: the tight loop */
        return agg->fn->update_single(agg->fn, rows[0] + a->state_offsets[k], args, sel, count,
                                      err);
    return agg->fn->update(agg->fn, rows, a->state_offsets[k], args, sel, count, err);
}

static void init_group(const void *context, uint8_t *row)
{
    init_states(context, row);
}

/* Integer values below this find their group in an array (tiers, codes, user ids...). */
#define SMALL_KEYS 65536

/* One flat INTEGER or BIGINT key without NULLs. */
static bool small_integer_key(const op_hash_aggregate *a, const vector *key)
{
    return a->key_count == 1 && key->kind == VECTOR_FLAT && key->validity == NULL &&
           (key->type.id == TYPE_INTEGER || key->type.id == TYPE_BIGINT);
}

/*
 * GROUP BY one integer key: rows whose value is in [0, SMALL_KEYS) and seen
 * before take their group from an array, without hashing; the others (new
 * values, values out of range) go through the group table, and in-range
 * values are remembered for the next rows. The array grows with the largest
 * value seen, so small inputs never pay for 64K slots.
 */
/* Makes the array cover value x (< SMALL_KEYS): powers of two from 1024, new slots empty. */
static arm_status cover_small_key(agg_local *l, uint64_t x, arm_error *err)
{
    uint32_t count = l->small_count ? l->small_count : 1024;
    while (count <= x)
        count *= 2;
    if (count == l->small_count)
        return ARM_OK;
    uint8_t **grown = realloc(l->small_groups, count * sizeof *grown);
    if (grown == NULL)
        return error_out_of_memory(err);
    memset(grown + l->small_count, 0, (count - l->small_count) * sizeof *grown);
    l->small_groups = grown;
    l->small_count = count;
    return ARM_OK;
}

static arm_status assign_small_groups(op_hash_aggregate *a, agg_local *l, const batch *in,
                                      arm_error *err)
{
    if (l->small_groups == NULL && cover_small_key(l, 0, err) != ARM_OK)
        return err->status;
    const vector *key = &l->key_values[0];
    bool wide = key->type.id == TYPE_BIGINT;
    uint32_t misses = 0; /* filter_sel: their rows; dictionary_sel: their logical positions */
    const uint32_t *sel = in->sel;
    uint8_t **small = l->small_groups;
    uint64_t covered = l->small_count;
#define FIND_SMALL(T)                                                                              \
    do {                                                                                           \
        const T *keys = key->data;                                                                 \
        for (uint32_t i = 0; i < in->count; i++) {                                                 \
            uint32_t row = sel ? sel[i] : i;                                                       \
            uint64_t x = (uint64_t)(int64_t)keys[row];                                             \
            uint8_t *group = x < covered ? small[x] : NULL;                                        \
            l->rows[i] = group;                                                                    \
            if (group == NULL) {                                                                   \
                l->filter_sel[misses] = row;                                                       \
                l->dictionary_sel[misses++] = i;                                                   \
            }                                                                                      \
        }                                                                                          \
    } while (0)
    if (wide)
        FIND_SMALL(int64_t);
    else
        FIND_SMALL(int32_t);
#undef FIND_SMALL
    if (misses == 0)
        return ARM_OK;
    key_hash_column(key, l->filter_sel, misses, l->hashes, true);
    uint32_t before = l->table.group_count, created = 0;
    arm_status s = group_table_find_or_create(&l->table, l->key_values, l->filter_sel, misses,
                                              l->hashes, l->filter_rows, &created, err);
    if (s != ARM_OK)
        return s;
    for (uint32_t g = before; g < l->table.group_count && a->aggregate_count > 0; g++)
        init_states(a, group_table_row(&l->table, g));
    for (uint32_t m = 0; m < misses; m++) {
        uint32_t row = l->filter_sel[m];
        int64_t x = wide ? ((const int64_t *)key->data)[row] : ((const int32_t *)key->data)[row];
        l->rows[l->dictionary_sel[m]] = l->filter_rows[m];
        if ((uint64_t)x >= SMALL_KEYS)
            continue;
        if ((uint64_t)x >= l->small_count && (s = cover_small_key(l, (uint64_t)x, err)) != ARM_OK)
            return s;
        l->small_groups[x] = l->filter_rows[m];
    }
    return ARM_OK;
}

/* Points l->rows[i] at the group of each logical row, creating groups. */
static arm_status assign_groups(op_hash_aggregate *a, agg_local *l, const batch *in, arm_error *err)
{
    if (a->key_count == 0) {
        uint8_t *row;
        arm_status s = single_row(a, &l->table, &row, err);
        /* Only FILTER reads rows past the first: skip the fill (COUNT(*) is per-batch work). */
        bool needs_rows = false;
        for (uint32_t k = 0; k < a->aggregate_count; k++)
            needs_rows |= a->aggregates[k].filter != NULL;
        uint32_t fill = needs_rows ? in->count : (in->count > 0);
        for (uint32_t i = 0; i < fill && s == ARM_OK; i++)
            l->rows[i] = row;
        return s;
    }
    if (l->key_values[0].kind == VECTOR_DICTIONARY) /* left so by evaluate_inputs */
        return entry_groups_assign(&l->by_entry, &l->table, l->key_values, in, l->rows,
                                   a->aggregate_count > 0 ? init_group : NULL, a, err);
    if (small_integer_key(a, &l->key_values[0]))
        return assign_small_groups(a, l, in, err);
    for (uint32_t k = 0; k < a->key_count; k++)
        key_hash_column(&l->key_values[k], in->sel, in->count, l->hashes, k == 0);
    uint32_t before = l->table.group_count, created = 0;
    arm_status s = group_table_find_or_create(&l->table, l->key_values, in->sel, in->count,
                                              l->hashes, l->rows, &created, err);
    if (s == ARM_OK && created > 0 && a->aggregate_count > 0)
        for (uint32_t g = before; g < l->table.group_count; g++)
            init_states(a, group_table_row(&l->table, g));
    return s;
}

/* ---- grouping by entry into partial states -------------------------------------------- */

static uint32_t partial_stride(const op_hash_aggregate *a)
{
    return a->layout.row_width - a->layout.payload_offset;
}

/* Adds `rows` rows to a COUNT(*) state. */
static arm_status count_rows(const aggregate_function *fn, void *state, uint64_t rows,
                             arm_error *err)
{
    arm_status s = ARM_OK;
    while (rows > 0 && s == ARM_OK) {
        uint32_t n = rows > UINT32_MAX ? UINT32_MAX : (uint32_t)rows;
        s = fn->update_single(fn, state, NULL, NULL, n, err);
        rows -= n;
    }
    return s;
}

/* Folds every touched entry's partial states into its group and resets them. */
static arm_status fold_partials(const op_hash_aggregate *a, entry_partials *p, arm_error *err)
{
    uint32_t stride = partial_stride(a), base = a->layout.payload_offset;
    arm_status s = ARM_OK;
    for (uint32_t t = 0; t < p->touched_count && s == ARM_OK; t++) {
        uint32_t e = p->touched[t];
        uint8_t *group = p->groups[e], *partial = p->states + (size_t)e * stride;
        for (uint32_t k = 0; k < a->aggregate_count && s == ARM_OK; k++) {
            const aggregate_function *fn = a->aggregates[k].fn;
            uint32_t at = a->state_offsets[k];
            if (aggregate_is_count_star(fn)) {
                s = count_rows(fn, group + at, p->row_counts[e], err);
                continue;
            }
            s = fn->combine(fn, group + at, partial + (at - base), err);
            fn->init(fn, partial + (at - base));
        }
        p->row_counts[e] = 0;
    }
    p->touched_count = 0;
    return s;
}

/* Grows the arrays to `capacity` entries, new states initialized (after a fold: none touched). */
static arm_status grow_partials(const op_hash_aggregate *a, entry_partials *p, uint32_t capacity,
                                arm_error *err)
{
    uint32_t stride = partial_stride(a), base = a->layout.payload_offset;
    size_t bytes = ((size_t)capacity * stride + 15) & ~(size_t)15; /* as aligned_alloc asks */
    uint8_t *states = aligned_alloc(16, bytes);
    uint64_t *row_counts = calloc(capacity, sizeof *row_counts);
    uint8_t **groups = malloc(capacity * sizeof *groups);
    uint32_t *touched = malloc(capacity * sizeof *touched);
    if (states == NULL || row_counts == NULL || groups == NULL || touched == NULL) {
        free(states), free(row_counts), free(groups), free(touched);
        return error_out_of_memory(err);
    }
    for (uint32_t e = 0; e < capacity; e++)
        for (uint32_t k = 0; k < a->aggregate_count; k++)
            a->aggregates[k].fn->init(a->aggregates[k].fn,
                                      states + (size_t)e * stride + (a->state_offsets[k] - base));
    free(p->states), free(p->row_counts), free(p->groups), free(p->touched);
    p->states = states;
    p->row_counts = row_counts;
    p->groups = groups;
    p->touched = touched;
    p->capacity = capacity;
    return ARM_OK;
}

/* Makes the partials index `key`'s dictionary, folding those of the one before. */
static arm_status follow_dictionary(const op_hash_aggregate *a, entry_partials *p,
                                    const vector *key, arm_error *err)
{
    const vector *dictionary = key->dictionary;
    if (dictionary->data == p->dictionary && dictionary->capacity <= p->capacity)
        return ARM_OK;
    arm_status s = fold_partials(a, p, err);
    if (s == ARM_OK && dictionary->capacity > p->capacity)
        s = grow_partials(a, p, dictionary->capacity, err);
    if (s != ARM_OK)
        return s;
    buffer_release(p->owner);
    p->owner = buffer_retain(dictionary->data_buffer);
    p->dictionary = dictionary->data;
    return ARM_OK;
}

/* Whether this batch groups into entry_partials: one small dictionary key without NULLs. */
static bool groups_into_partials(const op_hash_aggregate *a, const agg_local *l, const batch *in)
{
    const vector *key = &l->key_values[0];
    return a->by_entry_states && a->key_count == 1 && in->count > 0 &&
           key->kind == VECTOR_DICTIONARY && key->validity == NULL &&
           key->dictionary->capacity <= ENTRY_PARTIALS_MAX;
}

/* Counts each entry's rows; entries new since the last fold go to fresh[] (returns how many). */
static uint32_t count_entries(entry_partials *p, const uint32_t *entry, const batch *in,
                              uint32_t *fresh)
{
    uint64_t *row_counts = p->row_counts;
    const uint32_t *sel = in->sel;
    uint32_t n = 0, count = in->count;
    if (sel == NULL) {
        for (uint32_t i = 0; i < count; i++) {
            if ((i & 15) == 0) /* the entries stream from memory: see AGG_PREFETCH */
                __builtin_prefetch(&entry[i + 512]);
            if (row_counts[entry[i]]++ == 0)
                fresh[n++] = entry[i];
        }
    } else {
        for (uint32_t i = 0; i < count; i++)
            if (row_counts[entry[sel[i]]]++ == 0)
                fresh[n++] = entry[sel[i]];
    }
    return n;
}

/* Finds the groups of the entries first met in this batch and marks them touched. */
static arm_status touch_entries(op_hash_aggregate *a, agg_local *l, const uint32_t *fresh,
                                uint32_t n, arm_error *err)
{
    entry_partials *p = &l->partials;
    arm_status s = entry_groups_find(&l->by_entry, &l->table, l->key_values, fresh, n,
                                     l->filter_rows, init_group, a, err);
    for (uint32_t m = 0; m < n; m++) {
        if (s != ARM_OK) { /* forget the rows counted: nothing will fold them */
            p->row_counts[fresh[m]] = 0;
            continue;
        }
        p->groups[fresh[m]] = l->filter_rows[m];
        p->touched[p->touched_count++] = fresh[m];
    }
    return s;
}

static arm_status accumulate_partials(op_hash_aggregate *a, agg_local *l, const batch *in,
                                      arm_error *err)
{
    entry_partials *p = &l->partials;
    const vector *key = &l->key_values[0];
    arm_status s = follow_dictionary(a, p, key, err);
    if (s != ARM_OK)
        return s;
    const uint32_t *entry = key->data;
    uint32_t n = count_entries(p, entry, in, l->filter_sel);
    if (n > 0 && (s = touch_entries(a, l, l->filter_sel, n, err)) != ARM_OK)
        return s;
    uint32_t stride = partial_stride(a), base = a->layout.payload_offset, first_arg = 0;
    for (uint32_t k = 0; k < a->aggregate_count && s == ARM_OK; k++) {
        const plan_aggregate *agg = &a->aggregates[k];
        vector *args[4] = {NULL, NULL, NULL, NULL};
        for (uint32_t i = 0; i < agg->arg_count && i < 4; i++)
            args[i] = &l->arg_values[first_arg + i];
        first_arg += agg->arg_count + 1;
        if (!aggregate_is_count_star(agg->fn)) /* COUNT(*) is row_counts */
            s = agg->fn->update_dense(agg->fn, p->states + (a->state_offsets[k] - base), stride,
                                      entry, args, in->sel, in->count, err);
    }
    return s;
}

static arm_status agg_sink(op *o, void *local, uint32_t input, const batch *in, arm_error *err)
{
    (void)input;
    op_hash_aggregate *a = (op_hash_aggregate *)o;
    agg_local *l = local;
    arm_status s = op_check_interrupt(o->ctx, err);
    if (s == ARM_OK)
        s = evaluate_inputs(a, l, in, err);
    if (s == ARM_OK && groups_into_partials(a, l, in))
        return accumulate_partials(a, l, in, err);
    if (s == ARM_OK)
        s = assign_groups(a, l, in, err);
    uint32_t first_arg = 0;
    for (uint32_t k = 0; k < a->aggregate_count && s == ARM_OK; k++) {
        s = update_aggregate(a, l, k, first_arg, in, err);
        first_arg += a->aggregates[k].arg_count + 1;
    }
    return s;
}

/* ---- merging -------------------------------------------------------------------------- */

typedef struct set_merge {
    subquery_set *target;
    arm_status status;
    arm_error *err;
} set_merge;

static void merge_value(void *context, const value *v)
{
    set_merge *m = context;
    if (m->status == ARM_OK)
        m->status = value_set_insert(m->target, v, m->err);
}

/* Folds source's states into target's (an existing group of the global table). */
static arm_status merge_states(op_hash_aggregate *a, uint8_t *target, uint8_t *source,
                               arm_error *err)
{
    for (uint32_t k = 0; k < a->aggregate_count; k++) {
        const aggregate_function *fn = a->aggregates[k].fn;
        arm_status s =
            fn->combine(fn, target + a->state_offsets[k], source + a->state_offsets[k], err);
        if (s != ARM_OK)
            return s;
        if (!a->distinct_offsets[k])
            continue;
        subquery_set **from = (subquery_set **)(source + a->distinct_offsets[k]);
        subquery_set **to = (subquery_set **)(target + a->distinct_offsets[k]);
        if (*from == NULL)
            continue;
        if (*to == NULL) {
            *to = *from;
            *from = NULL;
            continue;
        }
        set_merge m = {*to, ARM_OK, err};
        value_set_for_each(*from, merge_value, &m);
        if (m.status != ARM_OK)
            return m.status;
    }
    return ARM_OK;
}

static arm_status agg_combine(op *o, void *local, uint32_t input, arm_error *err)
{
    (void)input;
    op_hash_aggregate *a = (op_hash_aggregate *)o;
    agg_local *l = local;
    arm_status folded = fold_partials(a, &l->partials, err);
    if (folded != ARM_OK)
        return folded;
    if (!l->table_ready || l->table.group_count == 0)
        return ARM_OK;
    if (a->global.group_count == 0) {
        /* The first thread's table becomes the global one: no copying. */
        group_table_dispose(&a->global);
        a->global = l->table;
        l->table_ready = false;
        return ARM_OK;
    }
    const group_layout *layout = &a->layout;
    for (uint32_t g = 0; g < l->table.group_count; g++) {
        uint8_t *source = group_table_row(&l->table, g), *target;
        bool created;
        arm_status s = group_table_find_or_copy_row(&a->global, source, &target, &created, err);
        if (s == ARM_OK && created) /* states moved: the local copy must own nothing */
            memset(source + layout->payload_offset, 0, layout->row_width - layout->payload_offset);
        else if (s == ARM_OK)
            s = merge_states(a, target, source, err);
        if (s != ARM_OK)
            return s;
    }
    return group_table_adopt_arenas(&a->global, &l->table, err);
}

/* A group's distinct values, fed to its aggregate a batch at a time. */
typedef struct distinct_fold {
    const aggregate_function *fn;
    void *state;
    vector values; /* flat, up to VECTOR_SIZE gathered values */
    uint32_t count;
    arm_status status;
    arm_error *err;
} distinct_fold;

static void fold_flush(distinct_fold *f)
{
    vector *args[1] = {&f->values};
    if (f->status == ARM_OK && f->count > 0)
        f->status = f->fn->update_single(f->fn, f->state, args, NULL, f->count, f->err);
    f->count = 0;
}

static void fold_value(void *context, const value *v)
{
    distinct_fold *f = context;
    if (f->status != ARM_OK)
        return;
    if (f->count == 0)
        f->status = vector_prepare_flat(&f->values, VECTOR_SIZE, f->err);
    if (f->status == ARM_OK)
        f->status = vector_set_value(&f->values, f->count++, v, f->err);
    if (f->count == VECTOR_SIZE)
        fold_flush(f);
}

static arm_status agg_finalize(op *o, uint32_t input, arm_error *err)
{
    (void)input;
    op_hash_aggregate *a = (op_hash_aggregate *)o;
    for (uint32_t g = 0; a->has_distinct && g < a->global.group_count; g++) {
        uint8_t *row = group_table_row(&a->global, g);
        for (uint32_t k = 0; k < a->aggregate_count; k++) {
            subquery_set *set =
                a->distinct_offsets[k] ? *(subquery_set **)(row + a->distinct_offsets[k]) : NULL;
            if (set == NULL)
                continue;
            distinct_fold f;
            memset(&f, 0, sizeof f);
            f.fn = a->aggregates[k].fn;
            f.state = row + a->state_offsets[k];
            f.err = err;
            vector_init(&f.values, a->aggregates[k].args[0]->type);
            value_set_for_each(set, fold_value, &f);
            fold_flush(&f);
            vector_dispose(&f.values);
            if (f.status != ARM_OK)
                return f.status;
        }
    }
    return ARM_OK;
}

/* ---- output ---------------------------------------------------------------------------- */

static arm_status emit_groups(op_hash_aggregate *a, uint32_t start, uint32_t count, batch *out,
                              arm_error *err)
{
    arm_status s = ARM_OK;
    for (uint32_t c = 0; c < a->key_count + a->aggregate_count && s == ARM_OK; c++) {
        out->columns[c].type = a->base.plan->types[c];
        s = vector_prepare_flat(&out->columns[c], count, err);
    }
    for (uint32_t i = 0; i < count && s == ARM_OK; i++) {
        uint8_t *row = group_table_row(&a->global, start + i);
        for (uint32_t k = 0; k < a->key_count && s == ARM_OK; k++)
            s = group_table_read_key(&a->layout, row, k, &out->columns[k], i, err);
        for (uint32_t k = 0; k < a->aggregate_count && s == ARM_OK; k++) {
            const aggregate_function *fn = a->aggregates[k].fn;
            s = fn->finalize(fn, row + a->state_offsets[k], &out->columns[a->key_count + k], i,
                             err);
        }
    }
    return s;
}

static arm_status agg_source_next(op *o, void *local, batch *out, arm_error *err)
{
    (void)local;
    op_hash_aggregate *a = (op_hash_aggregate *)o;
    out->count = 0;
    uint32_t total = a->global.group_count;
    uint32_t start = atomic_fetch_add(&a->output_cursor, VECTOR_SIZE);
    if (start >= total)
        return ARM_OK;
    uint32_t count = total - start < VECTOR_SIZE ? total - start : VECTOR_SIZE;
    arm_status s = emit_groups(a, start, count, out, err);
    out->count = count;
    out->sel = NULL;
    out->sequence = start / VECTOR_SIZE;
    return s;
}

static arm_status agg_init(op *o, arm_error *err)
{
    op_hash_aggregate *a = (op_hash_aggregate *)o;
    arm_status s = group_table_init(&a->global, &a->layout, o->ctx->budget, err);
    if (s != ARM_OK)
        return s;
    if (a->key_count == 0 && !a->is_distinct_plan) {
        /* An ungrouped aggregate over no rows still yields one row (COUNT = 0, SUM = NULL). */
        uint8_t *row;
        s = single_row(a, &a->global, &row, err);
    }
    return s;
}

static void agg_destroy(op *o)
{
    op_hash_aggregate *a = (op_hash_aggregate *)o;
    destroy_states(a, &a->global);
    group_table_dispose(&a->global);
}

static const op_vtable hash_aggregate_vtable = {
    .name = "HASH_AGGREGATE",
    .init = agg_init,
    .local_create = agg_local_create,
    .local_destroy = agg_local_destroy,
    .sink = agg_sink,
    .combine = agg_combine,
    .finalize = agg_finalize,
    .source_next = agg_source_next,
    .destroy = agg_destroy,
};

/* ---- construction ---------------------------------------------------------------------- */

static arm_status take_keys(op_hash_aggregate *a, plan_node *plan, query_context *ctx,
                            arm_error *err)
{
    if (plan->kind == PLAN_DISTINCT) {
        plan_node *child = plan->children[0];
        a->key_count = child->column_count;
        a->key_exprs = arena_alloc(ctx->arena, (a->key_count + 1) * sizeof *a->key_exprs);
        if (a->key_exprs == NULL)
            return error_out_of_memory(err);
        for (uint32_t i = 0; i < a->key_count; i++)
            if ((a->key_exprs[i] = expr_column(ctx->arena, child->types[i], i)) == NULL)
                return error_out_of_memory(err);
    } else {
        a->key_count = plan->u.aggregate.group_count;
        a->key_exprs = plan->u.aggregate.groups;
        a->aggregate_count = plan->u.aggregate.aggregate_count;
        a->aggregates = plan->u.aggregate.aggregates;
    }
    a->key_types = arena_alloc(ctx->arena, (a->key_count + 1) * sizeof *a->key_types);
    if (a->key_types == NULL)
        return error_out_of_memory(err);
    for (uint32_t i = 0; i < a->key_count; i++)
        a->key_types[i] = a->key_exprs[i]->type;
    return ARM_OK;
}

/* Lays out the states (and DISTINCT value set pointers) after the keys. */
static arm_status lay_out(op_hash_aggregate *a, query_context *ctx, arm_error *err)
{
    uint32_t n = a->aggregate_count + 1;
    a->state_offsets = arena_zalloc(ctx->arena, n * sizeof *a->state_offsets);
    a->distinct_offsets = arena_zalloc(ctx->arena, n * sizeof *a->distinct_offsets);
    if (a->state_offsets == NULL || a->distinct_offsets == NULL)
        return error_out_of_memory(err);
    uint32_t payload = 0;
    a->by_entry_states = a->aggregate_count > 0;
    for (uint32_t k = 0; k < a->aggregate_count; k++) {
        const plan_aggregate *agg = &a->aggregates[k];
        a->state_offsets[k] = payload;
        payload += (agg->fn->state_size + 15) & ~15u;
        if (agg->is_distinct) {
            a->distinct_offsets[k] = payload;
            payload += 16;
        }
        a->has_distinct |= agg->is_distinct;
        a->by_entry_states &= !agg->is_distinct && agg->filter == NULL &&
                              (aggregate_is_count_star(agg->fn) || agg->fn->update_dense != NULL);
        a->has_destroy |= agg->fn->destroy != NULL;
        a->arg_total += agg->arg_count + 1;
    }
    arm_status s =
        group_layout_init(&a->layout, ctx->arena, a->key_types, a->key_count, payload, err);
    for (uint32_t k = 0; k < a->aggregate_count && s == ARM_OK; k++) {
        a->state_offsets[k] += a->layout.payload_offset;
        if (a->aggregates[k].is_distinct)
            a->distinct_offsets[k] += a->layout.payload_offset;
    }
    return s;
}

/* Every aggregate's argument expressions then its FILTER (NULL when none), flattened. */
static arm_status collect_args(op_hash_aggregate *a, query_context *ctx, arm_error *err)
{
    a->arg_exprs = arena_zalloc(ctx->arena, (a->arg_total + 1) * sizeof *a->arg_exprs);
    if (a->arg_exprs == NULL)
        return error_out_of_memory(err);
    uint32_t n = 0;
    for (uint32_t k = 0; k < a->aggregate_count; k++) {
        for (uint32_t i = 0; i < a->aggregates[k].arg_count; i++)
            a->arg_exprs[n++] = a->aggregates[k].args[i];
        a->arg_exprs[n++] = a->aggregates[k].filter;
    }
    return ARM_OK;
}

arm_status op_hash_aggregate_create(op **out, plan_node *plan, query_context *ctx, arm_error *err)
{
    op_hash_aggregate *a = arena_zalloc(ctx->arena, sizeof *a);
    if (a == NULL)
        return error_out_of_memory(err);
    a->base.vtable = &hash_aggregate_vtable;
    a->base.plan = plan;
    a->base.ctx = ctx;
    a->is_distinct_plan = plan->kind == PLAN_DISTINCT;
    arm_status s = take_keys(a, plan, ctx, err);
    if (s == ARM_OK)
        s = lay_out(a, ctx, err);
    if (s == ARM_OK)
        s = collect_args(a, ctx, err);
    if (s == ARM_OK)
        *out = &a->base;
    return s;
}
