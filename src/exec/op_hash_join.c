/*
 * op_hash_join.c: hash joins (equality keys) and nested-loop joins (any
 * condition), every join type. The build side (input 1) is materialized and,
 * for hash joins, chained by key hash; probe batches stream through execute.
 * Candidate pairs are filtered by the extra condition in chunks, then the
 * join type decides what is emitted. RIGHT/FULL joins mark matched build rows
 * and emit the unmatched ones from source_next after the probe pipeline.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/hash.h"
#include "exec/key_hash.h"
#include "exec/operator.h"
#include "exec/row_collection.h"

#define NO_ROW UINT32_MAX

typedef struct op_join {
    op base;
    bool is_hash;
    join_type type;
    uint32_t key_count;
    uint32_t left_count;       /* probe columns */
    uint32_t right_count;      /* build columns */
    logical_type *build_types; /* right columns then key columns */
    row_collection build;
    uint64_t *row_hash;
    uint32_t *buckets; /* head row + 1 */
    uint32_t *next;    /* next row + 1 */
    uint64_t bucket_mask;
    /* One 4- or 8-byte key without NULLs: open addressing with the key inline (one random
     * read per probe); rows with the same key chain through `next` from the slot's row. */
    struct join_slot *slots;
    uint64_t slot_mask;
    /* One integer key without NULLs whose values span a range not much wider than the
     * build side: direct[key - direct_min] is the first row with that key + 1, so a
     * probe is a subtraction and one read, without hashing. */
    uint32_t *direct;
    int64_t direct_min;
    uint64_t direct_range;
    bool direct_unique; /* no key twice: a probe reads no chain */
    _Atomic uint8_t *matched;
    _Atomic uint64_t unmatched_cursor;
} op_join;

typedef struct join_slot {
    uint64_t key; /* the key's bits */
    uint32_t row; /* first build row with this key + 1; 0: empty */
    uint32_t unused;
} join_slot;

typedef struct join_pair {
    uint32_t probe; /* physical row in the probe batch */
    uint32_t build; /* build row, or NO_ROW */
} join_pair;

typedef struct join_local {
    expr_executor *build_keys;
    expr_executor *probe_keys;
    expr_executor *condition;
    vector *key_values;  /* build: right columns + keys; probe: keys */
    row_collection rows; /* thread-local build rows */
    join_pair *pairs;
    uint32_t pair_count;
    uint32_t pair_capacity;
    uint32_t emitted;
    batch scratch; /* left++right rows of candidate pairs for the condition */
    bool scratch_ready;
    uint8_t *probe_matched; /* per physical probe row */
} join_local;

/* ---- build side ------------------------------------------------------------------ */

static arm_status join_init(op *o, arm_error *err)
{
    op_join *j = (op_join *)o;
    arm_status s =
        row_collection_init(&j->build, j->right_count + j->key_count, j->build_types, err);
    j->build.dictionary_columns = j->right_count; /* not the keys: they are hashed flat */
    return s;
}

static arm_status join_local_create(op *o, void **out, arm_error *err)
{
    op_join *j = (op_join *)o;
    plan_node *n = o->plan;
    join_local *l = calloc(1, sizeof *l);
    if (l == NULL)
        return error_out_of_memory(err);
    *out = l;
    l->key_values = calloc(j->right_count + j->key_count + 1, sizeof *l->key_values);
    l->probe_matched = malloc(VECTOR_SIZE);
    if (l->key_values == NULL || l->probe_matched == NULL)
        return error_out_of_memory(err);
    for (uint32_t i = 0; i < j->right_count + j->key_count; i++)
        vector_init(&l->key_values[i], j->build_types[i]);
    arm_status s =
        row_collection_init(&l->rows, j->right_count + j->key_count, j->build_types, err);
    l->rows.dictionary_columns = j->right_count;
    if (s == ARM_OK && j->key_count > 0)
        s = expr_executor_create(&l->build_keys, n->u.join.right_keys, j->key_count, o->ctx, err);
    if (s == ARM_OK && j->key_count > 0)
        s = expr_executor_create(&l->probe_keys, n->u.join.left_keys, j->key_count, o->ctx, err);
    if (s == ARM_OK && n->u.join.condition != NULL)
        s = expr_executor_create(&l->condition, &n->u.join.condition, 1, o->ctx, err);
    return s;
}

static void join_local_destroy(op *o, void *local)
{
    op_join *j = (op_join *)o;
    join_local *l = local;
    for (uint32_t i = 0; l->key_values && i < j->right_count + j->key_count; i++)
        vector_dispose(&l->key_values[i]);
    free(l->key_values);
    row_collection_dispose(&l->rows);
    expr_executor_destroy(l->build_keys);
    expr_executor_destroy(l->probe_keys);
    expr_executor_destroy(l->condition);
    free(l->pairs);
    free(l->probe_matched);
    if (l->scratch_ready)
        batch_dispose(&l->scratch);
    free(l);
}

static arm_status join_sink(op *o, void *local, uint32_t input, const batch *in, arm_error *err)
{
    (void)input;
    op_join *j = (op_join *)o;
    join_local *l = local;
    arm_status s = ARM_OK;
    for (uint32_t c = 0; c < j->right_count && s == ARM_OK; c++)
        s = vector_reference(&l->key_values[c], &in->columns[c], err);
    for (uint32_t k = 0; k < j->key_count && s == ARM_OK; k++)
        s = expr_execute(l->build_keys, k, in, &l->key_values[j->right_count + k], err);
    if (s == ARM_OK)
        s = row_collection_append(&l->rows, l->key_values, in->sel, in->count, err);
    if (s == ARM_OK)
        s = memory_budget_reserve_or_error(
            o->ctx->budget, (int64_t)in->count * (int64_t)(j->right_count + j->key_count) * 16,
            "the join build side", err);
    return s;
}

static arm_status join_combine(op *o, void *local, uint32_t input, arm_error *err)
{
    (void)input;
    op_join *j = (op_join *)o;
    join_local *l = local;
    if (l->rows.row_count == 0)
        return ARM_OK;
    return row_collection_append(&j->build, l->rows.columns, NULL, (uint32_t)l->rows.row_count,
                                 err);
}

static bool key_has_null(const op_join *j, const vector *keys, uint32_t row)
{
    const bool *null_ok = j->base.plan->u.join.null_equals_null;
    for (uint32_t k = 0; k < j->key_count; k++)
        if (!vector_is_valid(&keys[k], row) && !(null_ok && null_ok[k]))
            return true;
    return false;
}

/* 4 or 8 when the single key can live inline in the slots (integers, dates...), else 0. */
static size_t inline_key_width(const op_join *j)
{
    if (j->key_count != 1)
        return 0;
    const vector *key = &j->build.columns[j->right_count];
    size_t width = type_physical_size(key->type);
    bool is_float = key->type.id == TYPE_REAL || key->type.id == TYPE_DOUBLE;
    if (key->kind != VECTOR_FLAT || is_float || type_is_string(key->type.id) ||
        (width != 4 && width != 8))
        return 0;
    return width;
}

static inline uint64_t key_bits(const vector *v, uint32_t row, size_t width)
{
    return width == 8 ? ((const uint64_t *)v->data)[row] : ((const uint32_t *)v->data)[row];
}

static arm_status build_slots(op_join *j, uint32_t n, arm_error *err)
{
    uint64_t capacity = 16;
    while (capacity < (uint64_t)n * 2)
        capacity *= 2;
    free(j->buckets);
    j->buckets = NULL;
    j->slots = calloc(capacity, sizeof *j->slots);
    if (j->slots == NULL)
        return error_out_of_memory(err);
    j->slot_mask = capacity - 1;
    const vector *key = &j->build.columns[j->right_count];
    size_t width = inline_key_width(j);
    for (uint32_t r = 0; r < n; r++) {
        uint64_t x = key_bits(key, r, width);
        uint64_t at = j->row_hash[r] & j->slot_mask;
        while (j->slots[at].row != 0 && j->slots[at].key != x)
            at = (at + 1) & j->slot_mask;
        j->next[r] = j->slots[at].row; /* 0, or the rows already holding this key */
        j->slots[at].key = x;
        j->slots[at].row = r + 1;
    }
    return ARM_OK;
}

static inline int64_t key_signed(const vector *v, uint32_t row, size_t width)
{
    return width == 8 ? ((const int64_t *)v->data)[row] : ((const int32_t *)v->data)[row];
}

/* Builds `direct` when the key's range allows it; false (nothing built) otherwise. */
static bool build_direct(op_join *j, uint32_t n, arm_error *err, arm_status *s)
{
    const vector *key = &j->build.columns[j->right_count];
    size_t width = inline_key_width(j);
    if (n == 0 || key->type.id == TYPE_BOOLEAN)
        return false;
    int64_t lo = key_signed(key, 0, width), hi = lo;
    for (uint32_t r = 1; r < n; r++) {
        int64_t x = key_signed(key, r, width);
        lo = x < lo ? x : lo;
        hi = x > hi ? x : hi;
    }
    uint64_t range = (uint64_t)hi - (uint64_t)lo + 1, limit = (uint64_t)n * 2;
    if (limit < 1024)
        limit = 1024;
    if (range == 0 || range > limit || range > (1u << 26))
        return false;
    *s = memory_budget_reserve_or_error(j->base.ctx->budget, (int64_t)(range * 4),
                                        "the hash join build side", err);
    if (*s != ARM_OK)
        return true;
    j->direct = calloc(range, sizeof *j->direct);
    if (j->direct == NULL) {
        *s = error_out_of_memory(err);
        return true;
    }
    j->direct_min = lo;
    j->direct_range = range;
    j->direct_unique = true;
    for (uint32_t r = 0; r < n; r++) {
        uint64_t at = (uint64_t)key_signed(key, r, width) - (uint64_t)lo;
        j->next[r] = j->direct[at]; /* 0, or the rows already holding this key */
        j->direct_unique &= j->direct[at] == 0;
        j->direct[at] = r + 1;
    }
    free(j->buckets);
    j->buckets = NULL;
    return true;
}

static arm_status join_finalize(op *o, uint32_t input, arm_error *err)
{
    (void)input;
    op_join *j = (op_join *)o;
    uint32_t n = (uint32_t)j->build.row_count;
    arm_status s = memory_budget_reserve_or_error(o->ctx->budget, (int64_t)n * 24,
                                                  "the hash join build side", err);
    if (s != ARM_OK)
        return s;
    if (j->type == JOIN_RIGHT || j->type == JOIN_FULL) {
        j->matched = calloc(n ? n : 1, 1);
        if (j->matched == NULL)
            return error_out_of_memory(err);
    }
    if (!j->is_hash || n == 0)
        return ARM_OK;
    uint64_t buckets = 16;
    while (buckets < (uint64_t)n * 2)
        buckets *= 2;
    j->bucket_mask = buckets - 1;
    j->buckets = calloc(buckets, sizeof *j->buckets);
    j->next = calloc(n, sizeof *j->next);
    j->row_hash = malloc(n * sizeof *j->row_hash);
    if (j->buckets == NULL || j->next == NULL || j->row_hash == NULL)
        return error_out_of_memory(err);
    const vector *keys = &j->build.columns[j->right_count];
    for (uint32_t k = 0; k < j->key_count; k++) /* column at a time, typed */
        key_hash_column(&keys[k], NULL, n, j->row_hash, k == 0);
    bool any_null = false;
    for (uint32_t k = 0; k < j->key_count; k++)
        any_null |= keys[k].validity != NULL;
    if (!any_null && inline_key_width(j) != 0)
        return build_direct(j, n, err, &s) ? s : build_slots(j, n, err);
    for (uint32_t r = 0; r < n; r++) {
        if (any_null && key_has_null(j, keys, r))
            continue; /* never matches */
        uint64_t b = j->row_hash[r] & j->bucket_mask;
        j->next[r] = j->buckets[b];
        j->buckets[b] = r + 1;
    }
    return ARM_OK;
}

/* ---- probing ----------------------------------------------------------------------- */

static arm_status reserve_pairs(join_local *l, uint32_t extra, arm_error *err);

static arm_status add_pair(join_local *l, uint32_t probe, uint32_t build, arm_error *err)
{
    if (l->pair_count == l->pair_capacity && reserve_pairs(l, 1, err) != ARM_OK)
        return err->status;
    l->pairs[l->pair_count].probe = probe;
    l->pairs[l->pair_count].build = build;
    l->pair_count++;
    return ARM_OK;
}

/* False for an output column no node above reads (planner_plan's output_used). */
static inline bool output_read(const op_join *j, uint32_t column)
{
    const bool *used = j->base.plan->u.join.output_used;
    return used == NULL || used[column];
}

/* An output column nobody reads: one NULL instead of a gather. */
static arm_status emit_unread(vector *v, logical_type type, arm_error *err)
{
    v->type = type;
    value null_value = value_null(type);
    return vector_set_constant(v, &null_value, err);
}

/*
 * Fills columns [0, left) from the probe batch and [left, ...) from build rows;
 * columns `read` marks false (NULL: none) become constant NULLs.
 */
static arm_status gather_pairs(op_join *j, const batch *in, const join_pair *pairs, uint32_t count,
                               batch *out, bool with_right, const bool *read, arm_error *err)
{
    uint32_t probe_rows[VECTOR_SIZE], build_rows[VECTOR_SIZE];
    arm_status s = ARM_OK;
    bool any_missing = false;
    for (uint32_t i = 0; i < count; i++) {
        probe_rows[i] = pairs[i].probe;
        build_rows[i] = pairs[i].build == NO_ROW ? 0 : pairs[i].build;
        any_missing |= pairs[i].build == NO_ROW || pairs[i].probe == NO_ROW;
    }
    for (uint32_t c = 0; c < j->left_count && s == ARM_OK; c++) {
        vector *v = &out->columns[c];
        v->type = j->base.plan->children[0]->types[c];
        if (read != NULL && !read[c])
            s = emit_unread(v, v->type, err);
        else if ((s = vector_prepare_flat(v, count, err)) == ARM_OK && in != NULL)
            s = vector_copy_rows(v, 0, &in->columns[c], probe_rows, count, err);
    }
    for (uint32_t c = 0; with_right && c < j->right_count && s == ARM_OK; c++) {
        vector *v = &out->columns[j->left_count + c];
        v->type = j->build_types[c];
        if (read != NULL && !read[j->left_count + c])
            s = emit_unread(v, v->type, err);
        else if ((s = vector_prepare_flat(v, count, err)) == ARM_OK && j->build.row_count > 0)
            s = vector_copy_rows(v, 0, &j->build.columns[c], build_rows, count, err);
    }
    for (uint32_t i = 0; any_missing && i < count && s == ARM_OK; i++) {
        if (pairs[i].build == NO_ROW)
            for (uint32_t c = 0; with_right && c < j->right_count && s == ARM_OK; c++) {
                vector *v = &out->columns[j->left_count + c];
                if (v->kind == VECTOR_FLAT && (s = vector_ensure_validity(v, err)) == ARM_OK)
                    vector_set_null(v, i);
            }
        if (pairs[i].probe == NO_ROW)
            for (uint32_t c = 0; c < j->left_count && s == ARM_OK; c++) {
                vector *v = &out->columns[c];
                if (v->kind == VECTOR_FLAT && (s = vector_ensure_validity(v, err)) == ARM_OK)
                    vector_set_null(v, i);
            }
    }
    out->sel = NULL;
    out->count = count;
    return s;
}

/* Keeps the candidate pairs that satisfy the extra condition. */
static arm_status filter_pairs(op_join *j, join_local *l, const batch *in, uint32_t from,
                               arm_error *err)
{
    if (l->condition == NULL)
        return ARM_OK;
    if (!l->scratch_ready) {
        logical_type *types = malloc((j->left_count + j->right_count + 1) * sizeof *types);
        if (types == NULL)
            return error_out_of_memory(err);
        for (uint32_t c = 0; c < j->left_count; c++)
            types[c] = j->base.plan->children[0]->types[c];
        for (uint32_t c = 0; c < j->right_count; c++)
            types[j->left_count + c] = j->build_types[c];
        arm_status s = batch_init(&l->scratch, j->left_count + j->right_count, types, err);
        free(types);
        if (s != ARM_OK)
            return s;
        l->scratch_ready = true;
    }
    uint32_t kept = from;
    for (uint32_t start = from; start < l->pair_count; start += VECTOR_SIZE) {
        uint32_t count = l->pair_count - start < VECTOR_SIZE ? l->pair_count - start : VECTOR_SIZE;
        arm_status s = gather_pairs(j, in, l->pairs + start, count, &l->scratch, true, NULL, err);
        uint32_t selected = 0;
        if (s == ARM_OK)
            s = expr_select(l->condition, 0, &l->scratch, l->scratch.sel_storage, &selected, err);
        if (s != ARM_OK)
            return s;
        for (uint32_t i = 0; i < selected; i++)
            l->pairs[kept++] = l->pairs[start + l->scratch.sel_storage[i]];
    }
    l->pair_count = kept;
    return ARM_OK;
}

/* Makes room for `extra` more pairs, so a probe loop can add them without checks. */
static arm_status reserve_pairs(join_local *l, uint32_t extra, arm_error *err)
{
    while (l->pair_count + extra > l->pair_capacity) {
        if (l->pair_capacity >= (1u << 30))
            return error_set(err, ARM_ERROR_MEMORY_LIMIT, NULL, -1,
                             "a join produced more than 2^30 rows from one input batch");
        uint32_t capacity = l->pair_capacity ? l->pair_capacity * 2 : 4096;
        join_pair *grown = realloc(l->pairs, capacity * sizeof *grown);
        if (grown == NULL)
            return error_out_of_memory(err);
        l->pairs = grown;
        l->pair_capacity = capacity;
    }
    return ARM_OK;
}

/* One key without NULLs on either side: hashes compared, then the typed cells. */
static arm_status probe_one_key(op_join *j, join_local *l, const batch *in, const vector *key,
                                const uint64_t *hashes, arm_error *err)
{
    const vector *build_key = &j->build.columns[j->right_count];
    arm_status s = ARM_OK;
    for (uint32_t i = 0; i < in->count && s == ARM_OK; i++) {
        uint32_t row = batch_row(in, i);
        uint64_t h = hashes[i];
        for (uint32_t r = j->buckets[h & j->bucket_mask]; r != 0; r = j->next[r - 1]) {
            uint32_t b = r - 1;
            if (j->row_hash[b] != h || !key_cells_equal(key, row, build_key, b))
                continue;
            if (l->pair_count == l->pair_capacity &&
                (s = reserve_pairs(l, VECTOR_SIZE, err)) != ARM_OK)
                break;
            l->pairs[l->pair_count].probe = row;
            l->pairs[l->pair_count++].build = b;
        }
    }
    return s == ARM_OK ? filter_pairs(j, l, in, 0, err) : s;
}

/*
 * The direct table's common case, as a typed loop: unique build keys and a
 * flat probe key without NULLs give each row one lookup and at most one pair
 * (room for one pair per row is reserved).
 */
static void probe_direct_unique(op_join *j, join_local *l, const batch *in, const vector *key,
                                size_t width)
{
    const uint32_t *direct = j->direct, *sel = in->sel;
    uint64_t lo = (uint64_t)j->direct_min, range = j->direct_range;
    join_pair *pairs = l->pairs;
    uint32_t n = l->pair_count;
#define PROBE_DIRECT(T)                                                                            \
    do {                                                                                           \
        const T *keys = key->data;                                                                 \
        for (uint32_t i = 0; i < in->count; i++) {                                                 \
            uint32_t row = sel ? sel[i] : i;                                                       \
            uint64_t d = (uint64_t)(int64_t)keys[row] - lo;                                        \
            uint32_t r = d < range ? direct[d] : 0;                                                \
            pairs[n].probe = row;                                                                  \
            pairs[n].build = r - 1;                                                                \
            n += r != 0;                                                                           \
        }                                                                                          \
    } while (0)
    if (width == 8)
        PROBE_DIRECT(int64_t);
    else
        PROBE_DIRECT(int32_t);
#undef PROBE_DIRECT
    l->pair_count = n;
}

/* Probes the direct table: the key's offset from the smallest build key is its slot. */
static arm_status probe_direct(op_join *j, join_local *l, const batch *in, const vector *key,
                               arm_error *err)
{
    size_t width = inline_key_width(j);
    arm_status s = ARM_OK;
    bool constant = key->kind == VECTOR_CONSTANT;
    if (l->pair_capacity - l->pair_count < in->count &&
        (s = reserve_pairs(l, in->count, err)) != ARM_OK)
        return s;
    if (j->direct_unique && !constant && key->validity == NULL) {
        probe_direct_unique(j, l, in, key, width);
        return filter_pairs(j, l, in, 0, err);
    }
    for (uint32_t i = 0; i < in->count && s == ARM_OK; i++) {
        uint32_t row = batch_row(in, i), at = constant ? 0 : row;
        if (!vector_is_valid(key, at))
            continue;
        uint64_t d = (uint64_t)key_signed(key, at, width) - (uint64_t)j->direct_min;
        if (d >= j->direct_range)
            continue;
        if (j->direct_unique) { /* room was reserved for one pair per row */
            uint32_t r = j->direct[d];
            l->pairs[l->pair_count].probe = row;
            l->pairs[l->pair_count].build = r - 1;
            l->pair_count += r != 0;
            continue;
        }
        for (uint32_t r = j->direct[d]; r != 0; r = j->next[r - 1]) {
            if (l->pair_count == l->pair_capacity &&
                (s = reserve_pairs(l, VECTOR_SIZE, err)) != ARM_OK)
                break;
            l->pairs[l->pair_count].probe = row;
            l->pairs[l->pair_count++].build = r - 1;
        }
    }
    return s == ARM_OK ? filter_pairs(j, l, in, 0, err) : s;
}

/* Probes the inline-key slots: one read finds the key or proves it absent. */
static arm_status probe_slots(op_join *j, join_local *l, const batch *in, const vector *key,
                              const uint64_t *hashes, arm_error *err)
{
    size_t width = inline_key_width(j);
    arm_status s = ARM_OK;
    bool constant = key->kind == VECTOR_CONSTANT;
    for (uint32_t i = 0; i < in->count && s == ARM_OK; i++) {
        uint32_t row = batch_row(in, i);
        if (!vector_is_valid(key, constant ? 0 : row))
            continue; /* NULL keys match nothing (IS NOT DISTINCT FROM keys never get slots) */
        uint64_t x = key_bits(key, constant ? 0 : row, width);
        uint64_t at = hashes[i] & j->slot_mask;
        while (j->slots[at].row != 0 && j->slots[at].key != x)
            at = (at + 1) & j->slot_mask;
        for (uint32_t r = j->slots[at].row; r != 0; r = j->next[r - 1]) {
            if (l->pair_count == l->pair_capacity &&
                (s = reserve_pairs(l, VECTOR_SIZE, err)) != ARM_OK)
                break;
            l->pairs[l->pair_count].probe = row;
            l->pairs[l->pair_count++].build = r - 1;
        }
    }
    return s == ARM_OK ? filter_pairs(j, l, in, 0, err) : s;
}

/* Candidate pairs for the probe batch: by hash chains, or all pairs (nested loops). */
static arm_status find_candidates(op_join *j, join_local *l, const batch *in, arm_error *err)
{
    arm_status s = ARM_OK;
    uint32_t n = (uint32_t)j->build.row_count;
    if (!j->is_hash) {
        for (uint32_t i = 0; i < in->count && s == ARM_OK; i++) {
            if ((s = op_check_interrupt(j->base.ctx, err)) != ARM_OK)
                return s;
            uint32_t from = l->pair_count;
            for (uint32_t r = 0; r < n && s == ARM_OK; r++)
                s = add_pair(l, batch_row(in, i), r, err);
            if (s == ARM_OK && l->pair_count - from >= VECTOR_SIZE)
                s = filter_pairs(j, l, in, from, err);
        }
        return s == ARM_OK ? filter_pairs(j, l, in, 0, err) : s;
    }
    vector *keys = l->key_values;
    for (uint32_t k = 0; k < j->key_count && s == ARM_OK; k++) {
        s = expr_execute(l->probe_keys, k, in, &keys[k], err);
        if (s == ARM_OK && keys[k].kind == VECTOR_DICTIONARY)
            s = vector_flatten(&keys[k], in->sel, in->count, err);
    }
    if (s != ARM_OK || n == 0)
        return s;
    if (j->direct != NULL)
        return probe_direct(j, l, in, &keys[0], err);
    const vector *build_keys = &j->build.columns[j->right_count];
    uint64_t hashes[VECTOR_SIZE];
    bool any_null = false;
    for (uint32_t k = 0; k < j->key_count; k++) {
        key_hash_column(&keys[k], in->sel, in->count, hashes, k == 0);
        any_null |= keys[k].validity != NULL || build_keys[k].validity != NULL;
    }
    if (j->slots != NULL) /* built only for one inline key without NULLs */
        return probe_slots(j, l, in, &keys[0], hashes, err);
    if (!any_null && j->key_count == 1) /* the common case: one key, no NULLs */
        return probe_one_key(j, l, in, &keys[0], hashes, err);
    for (uint32_t i = 0; i < in->count && s == ARM_OK; i++) {
        uint32_t row = batch_row(in, i);
        if (any_null && key_has_null(j, keys, row))
            continue;
        uint64_t h = hashes[i];
        for (uint32_t r = j->buckets[h & j->bucket_mask]; r != 0 && s == ARM_OK;
             r = j->next[r - 1]) {
            uint32_t b = r - 1;
            if (j->row_hash[b] != h)
                continue;
            bool equal = true;
            for (uint32_t k = 0; k < j->key_count && equal; k++) {
                bool a_valid = vector_is_valid(&keys[k], row);
                bool b_valid = vector_is_valid(&build_keys[k], b);
                equal = a_valid == b_valid &&
                        (!a_valid || key_cells_equal(&keys[k], row, &build_keys[k], b));
            }
            if (equal)
                s = add_pair(l, row, b, err);
        }
    }
    return s == ARM_OK ? filter_pairs(j, l, in, 0, err) : s;
}

/* Turns matches into what the join type emits (unmatched probe rows, semi/anti). */
static arm_status shape_pairs(op_join *j, join_local *l, const batch *in, arm_error *err)
{
    join_type t = j->type;
    if (j->matched != NULL)
        for (uint32_t i = 0; i < l->pair_count; i++)
            atomic_store_explicit(&j->matched[l->pairs[i].build], 1, memory_order_relaxed);
    if (t == JOIN_INNER || t == JOIN_RIGHT || t == JOIN_CROSS)
        return ARM_OK;
    memset(l->probe_matched, 0, VECTOR_SIZE);
    for (uint32_t i = 0; i < l->pair_count; i++)
        l->probe_matched[l->pairs[i].probe] = 1;
    if (t == JOIN_SEMI || t == JOIN_ANTI)
        l->pair_count = 0;
    arm_status s = ARM_OK;
    for (uint32_t i = 0; i < in->count && s == ARM_OK; i++) {
        uint32_t row = batch_row(in, i);
        bool matched = l->probe_matched[row];
        if ((t == JOIN_SEMI && matched) || (t != JOIN_SEMI && !matched))
            s = add_pair(l, row, NO_ROW, err);
    }
    return s;
}

/* True when no probe row appears in two pairs (pairs come in probe order). */
static bool pairs_unique(const join_local *l)
{
    for (uint32_t i = 1; i < l->pair_count; i++)
        if (l->pairs[i].probe == l->pairs[i - 1].probe)
            return false;
    return true;
}

/* Writes build rows' cells of `b` at the pairs' probe rows of `v` (same type, flat). */
static arm_status scatter_build_column(vector *v, const vector *b, const join_pair *pairs,
                                       uint32_t count, arm_error *err)
{
    size_t width = type_physical_size(b->type);
#define SCATTER(T)                                                                                 \
    do {                                                                                           \
        T *d = v->data;                                                                            \
        const T *from = b->data;                                                                   \
        for (uint32_t i = 0; i < count; i++)                                                       \
            d[pairs[i].probe] = from[pairs[i].build];                                              \
    } while (0)
    switch (width) {
    case 1: SCATTER(uint8_t); break;
    case 2: SCATTER(uint16_t); break;
    case 4: SCATTER(uint32_t); break;
    case 8: SCATTER(uint64_t); break;
    default:
        for (uint32_t i = 0; i < count; i++) /* 16 bytes: decimals, intervals, string views */
            memcpy((uint8_t *)v->data + (size_t)pairs[i].probe * width,
                   (const uint8_t *)b->data + (size_t)pairs[i].build * width, width);
    }
#undef SCATTER
    arm_status s = ARM_OK;
    if (b->validity != NULL && (s = vector_ensure_validity(v, err)) == ARM_OK)
        for (uint32_t i = 0; i < count; i++) {
            if (vector_is_valid(b, pairs[i].build))
                vector_set_valid(v, pairs[i].probe);
            else
                vector_set_null(v, pairs[i].probe);
        }
    if (s == ARM_OK && type_is_string(b->type.id)) { /* long strings point into b's buffers */
        for (uint32_t k = 0; k < b->keep_alive_count && s == ARM_OK; k++)
            s = vector_keep_alive(v, b->keep_alive[k], err);
        if (s == ARM_OK && b->data_buffer != NULL)
            s = vector_keep_alive(v, b->data_buffer, err);
    }
    return s;
}

/*
 * A build column as a dictionary over the build side: the matched build row
 * of each pair at its probe row (rows outside the pairs point at row 0, so
 * any reader stays in bounds). Values are not copied, and a GROUP BY on a
 * build column finds each build row's group once. A build column that kept
 * its rows' dictionary entries (a join or scan below it) passes those on, so
 * the GROUP BY sees that dictionary's few entries instead of every build row.
 */
static arm_status reference_build_column(vector *v, const vector *b, const join_pair *pairs,
                                         uint32_t count, uint32_t physical, arm_error *err)
{
    arm_status s = vector_prepare_flat(v, physical, err);
    if (s != ARM_OK)
        return s;
    uint32_t *index = v->data;
    memset(index, 0, physical * sizeof *index);
    if (b->kind == VECTOR_DICTIONARY) { /* build rows kept their entries: use those */
        const uint32_t *entry = b->data;
        for (uint32_t i = 0; i < count; i++)
            index[pairs[i].probe] = entry[pairs[i].build];
        return vector_attach_dictionary(v, b->dictionary, err);
    }
    for (uint32_t i = 0; i < count; i++)
        index[pairs[i].probe] = pairs[i].build;
    return vector_attach_dictionary(v, b, err);
}

/*
 * Inner-join output without copying the probe side: its columns are shared
 * with the input batch under a selection of the matched rows, and the build
 * columns are referenced (strings: no 16-byte view copied, no string hashed
 * twice) or written at those same physical rows. Returns false (nothing
 * done) when the build columns are not flat.
 */
static bool share_probe_columns(op_join *j, const batch *in, const join_pair *pairs, uint32_t count,
                                batch *out, arm_error *err, arm_status *s)
{
    for (uint32_t c = 0; c < j->right_count; c++) {
        const vector *b = &j->build.columns[c];
        bool entries = b->kind == VECTOR_DICTIONARY && type_is_string(b->type.id);
        if (b->kind != VECTOR_FLAT && !entries)
            return false;
    }
    uint32_t physical = pairs[count - 1].probe + 1; /* pairs ascend by probe row */
    *s = ARM_OK;
    for (uint32_t c = 0; c < j->left_count && *s == ARM_OK; c++)
        *s = vector_reference(&out->columns[c], &in->columns[c], err);
    for (uint32_t c = 0; c < j->right_count && *s == ARM_OK; c++) {
        vector *v = &out->columns[j->left_count + c];
        const vector *b = &j->build.columns[c];
        v->type = b->type;
        if (!output_read(j, j->left_count + c))
            *s = emit_unread(v, b->type, err);
        else if (type_is_string(b->type.id))
            *s = reference_build_column(v, b, pairs, count, physical, err);
        else if ((*s = vector_prepare_flat(v, physical, err)) == ARM_OK)
            *s = scatter_build_column(v, b, pairs, count, err);
    }
    for (uint32_t i = 0; i < count; i++)
        out->sel_storage[i] = pairs[i].probe;
    out->sel = out->sel_storage;
    out->count = count;
    return true;
}

static arm_status join_execute(op *o, void *local, const batch *in, batch *out, op_status *status,
                               arm_error *err)
{
    op_join *j = (op_join *)o;
    join_local *l = local;
    arm_status s;
    if (l->emitted == 0 && l->pair_count == 0) {
        if ((s = find_candidates(j, l, in, err)) != ARM_OK ||
            (s = shape_pairs(j, l, in, err)) != ARM_OK)
            return s;
        /* a direct table of unique keys gives each probe row one pair at most */
        if (j->type == JOIN_INNER && j->is_hash && l->pair_count > 0 &&
            ((j->direct != NULL && j->direct_unique) || pairs_unique(l)) &&
            share_probe_columns(j, in, l->pairs, l->pair_count, out, err, &s)) {
            l->pair_count = 0;
            *status = OP_NEED_INPUT;
            return s;
        }
    }
    uint32_t count = l->pair_count - l->emitted;
    if (count > VECTOR_SIZE)
        count = VECTOR_SIZE;
    bool with_right = j->type != JOIN_SEMI && j->type != JOIN_ANTI;
    s = count ? gather_pairs(j, in, l->pairs + l->emitted, count, out, with_right,
                             j->base.plan->u.join.output_used, err)
              : ARM_OK;
    if (count == 0)
        out->count = 0;
    l->emitted += count;
    if (l->emitted < l->pair_count) {
        *status = OP_HAVE_MORE_OUTPUT;
    } else {
        *status = OP_NEED_INPUT;
        l->emitted = 0;
        l->pair_count = 0;
    }
    return s;
}

/* RIGHT/FULL: build rows no probe row matched, with NULL probe columns. */
static arm_status join_source_next(op *o, void *local, batch *out, arm_error *err)
{
    (void)local;
    op_join *j = (op_join *)o;
    out->count = 0;
    uint32_t n = (uint32_t)j->build.row_count;
    join_pair pairs[VECTOR_SIZE];
    uint32_t count = 0;
    while (count == 0) {
        uint64_t start = atomic_fetch_add(&j->unmatched_cursor, VECTOR_SIZE);
        if (start >= n)
            return ARM_OK;
        for (uint64_t r = start; r < n && r < start + VECTOR_SIZE; r++)
            if (!atomic_load_explicit(&j->matched[r], memory_order_relaxed)) {
                pairs[count].probe = NO_ROW;
                pairs[count++].build = (uint32_t)r;
            }
        out->sequence = start / VECTOR_SIZE;
    }
    return gather_pairs(j, NULL, pairs, count, out, true, j->base.plan->u.join.output_used, err);
}

static void join_destroy(op *o)
{
    op_join *j = (op_join *)o;
    row_collection_dispose(&j->build);
    free(j->buckets);
    free(j->slots);
    free(j->direct);
    free(j->next);
    free(j->row_hash);
    free((void *)j->matched);
}

static const op_vtable join_vtable = {
    .name = "JOIN",
    .init = join_init,
    .local_create = join_local_create,
    .local_destroy = join_local_destroy,
    .sink = join_sink,
    .combine = join_combine,
    .finalize = join_finalize,
    .execute = join_execute,
    .source_next = join_source_next,
    .destroy = join_destroy,
};

static arm_status join_create(op **out, plan_node *plan, query_context *ctx, bool is_hash,
                              arm_error *err)
{
    op_join *j = arena_zalloc(ctx->arena, sizeof *j);
    if (j == NULL)
        return error_out_of_memory(err);
    j->base.vtable = &join_vtable;
    j->is_hash = is_hash && plan->u.join.key_count > 0;
    j->type = plan->u.join.type;
    j->key_count = j->is_hash ? plan->u.join.key_count : 0;
    j->left_count = plan->children[0]->column_count;
    j->right_count = plan->children[1]->column_count;
    j->build_types =
        arena_alloc(ctx->arena, (j->right_count + j->key_count + 1) * sizeof *j->build_types);
    if (j->build_types == NULL)
        return error_out_of_memory(err);
    for (uint32_t c = 0; c < j->right_count; c++)
        j->build_types[c] = plan->children[1]->types[c];
    for (uint32_t k = 0; k < j->key_count; k++)
        j->build_types[j->right_count + k] = plan->u.join.right_keys[k]->type;
    *out = &j->base;
    return ARM_OK;
}

arm_status op_hash_join_create(op **out, plan_node *plan, query_context *ctx, arm_error *err)
{
    return join_create(out, plan, ctx, true, err);
}

arm_status op_nested_loop_join_create(op **out, plan_node *plan, query_context *ctx, arm_error *err)
{
    return join_create(out, plan, ctx, false, err);
}
