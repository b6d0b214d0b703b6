/*
 * op_sort.c: ORDER BY (SORT) and ORDER BY ... LIMIT (TOP_N). Each thread
 * collects rows plus their evaluated sort keys; TOP_N threads keep only the
 * best limit+offset rows, pruning as they go. Combine gathers everything,
 * finalize sorts a permutation, and the ordered source emits it.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "exec/operator.h"
#include "exec/row_collection.h"

typedef struct op_sort {
    op base;
    uint32_t payload_count; /* input columns */
    uint32_t key_count;
    plan_sort_key *keys;
    uint64_t keep;       /* TOP_N: limit + offset; SORT: UINT64_MAX */
    row_collection rows; /* payload columns then key columns */
    uint32_t *order;
    uint64_t emit_from;
    uint64_t emit_to;
    _Atomic uint64_t cursor;
    logical_type *collection_types;
} op_sort;

typedef struct sort_local {
    expr_executor *keys;
    vector *key_values;
    vector *columns; /* payload vectors + key vectors for one batch */
    row_collection rows;
    uint32_t passing[VECTOR_SIZE]; /* TOP_N: rows better than the current boundary */
    bool pruned;                   /* rows are sorted and cut to `keep` (until new rows come) */
} sort_local;

typedef struct sort_context {
    const op_sort *sort;
    const row_collection *rows;
} sort_context;

/* PostgreSQL's order for floats: NaN after every number, and equal to itself. */
static inline int compare_double(double x, double y)
{
    if (x != x || y != y)
        return (x != x) - (y != y);
    return (x > y) - (x < y);
}

static int compare_cell2(const vector *v, uint32_t a, const vector *w, uint32_t b)
{
    const void *d = v->data, *e = w->data;
    switch (v->type.id) {
    case TYPE_BOOLEAN:
    case TYPE_TINYINT: {
        int x = v->type.id == TYPE_BOOLEAN ? ((const uint8_t *)d)[a] : ((const int8_t *)d)[a];
        int y = v->type.id == TYPE_BOOLEAN ? ((const uint8_t *)e)[b] : ((const int8_t *)e)[b];
        return (x > y) - (x < y);
    }
    case TYPE_SMALLINT: {
        int16_t x = ((const int16_t *)d)[a], y = ((const int16_t *)e)[b];
        return (x > y) - (x < y);
    }
    case TYPE_INTEGER:
    case TYPE_DATE: {
        int32_t x = ((const int32_t *)d)[a], y = ((const int32_t *)e)[b];
        return (x > y) - (x < y);
    }
    case TYPE_BIGINT:
    case TYPE_TIMESTAMP: {
        int64_t x = ((const int64_t *)d)[a], y = ((const int64_t *)e)[b];
        return (x > y) - (x < y);
    }
    case TYPE_REAL: return compare_double(((const float *)d)[a], ((const float *)e)[b]);
    case TYPE_DOUBLE: return compare_double(((const double *)d)[a], ((const double *)e)[b]);
    case TYPE_VARCHAR:
    case TYPE_BLOB:
        return string_view_compare(&((const string_view *)d)[a], &((const string_view *)e)[b]);
    default: {
        value x, y;
        vector_get_value(v, a, &x);
        vector_get_value(w, b, &y);
        if (v->type.id == TYPE_DECIMAL) {
            int128 p = v->type.precision <= DECIMAL_INT64_MAX_PRECISION ? x.u.i64 : x.u.i128;
            int128 q = v->type.precision <= DECIMAL_INT64_MAX_PRECISION ? y.u.i64 : y.u.i128;
            return (p > q) - (p < q);
        }
        int128 p = (int128)x.u.interval.months * 30 * 86400000000LL +
                   (int128)x.u.interval.days * 86400000000LL + x.u.interval.micros;
        int128 q = (int128)y.u.interval.months * 30 * 86400000000LL +
                   (int128)y.u.interval.days * 86400000000LL + y.u.interval.micros;
        return (p > q) - (p < q);
    }
    }
}

static int compare_cell(const vector *v, uint32_t a, uint32_t b)
{
    return compare_cell2(v, a, v, b);
}

static int compare_rows(const void *left, const void *right, void *context)
{
    const sort_context *c = context;
    uint32_t a = *(const uint32_t *)left, b = *(const uint32_t *)right;
    for (uint32_t k = 0; k < c->sort->key_count; k++) {
        const vector *v = &c->rows->columns[c->sort->payload_count + k];
        const plan_sort_key *key = &c->sort->keys[k];
        bool a_null = !vector_is_valid(v, a), b_null = !vector_is_valid(v, b);
        int r;
        if (a_null || b_null) {
            if (a_null && b_null)
                continue;
            r = a_null ? 1 : -1; /* NULLs sort high... */
            if (key->nulls_first)
                r = -r; /* ...unless asked first, regardless of direction */
            return r;
        }
        r = compare_cell(v, a, b);
        if (r != 0)
            return key->descending ? -r : r;
    }
    return (a > b) - (a < b); /* stable: input order breaks ties */
}

/* Orders batch row `a` (key vectors `keys`) against row `b` of collection `rows`. */
static int compare_to_row(const op_sort *s, const vector *keys, uint32_t a,
                          const row_collection *rows, uint32_t b)
{
    for (uint32_t k = 0; k < s->key_count; k++) {
        const vector *v = &keys[k], *w = &rows->columns[s->payload_count + k];
        bool a_null = !vector_is_valid(v, a), b_null = !vector_is_valid(w, b);
        if (a_null || b_null) {
            if (a_null && b_null)
                continue;
            int r = a_null ? 1 : -1;
            return s->keys[k].nulls_first ? -r : r;
        }
        if (v->kind != VECTOR_FLAT)
            return -1; /* not comparable cheaply: keep the row */
        int r = compare_cell2(v, a, w, b);
        if (r != 0)
            return s->keys[k].descending ? -r : r;
    }
    return 0;
}

/* Sorts `n` row numbers of `rows` in place. */
static void sort_order(const op_sort *s, const row_collection *rows, uint32_t *order, uint32_t n)
{
    sort_context c = {s, rows};
    qsort_r(order, n, sizeof *order, compare_rows, &c);
}

/* Sorts a permutation of `rows`; returns it (caller frees) or NULL on OOM. */
static uint32_t *sort_rows(const op_sort *s, const row_collection *rows)
{
    uint32_t n = (uint32_t)rows->row_count;
    uint32_t *order = malloc((n ? n : 1) * sizeof *order);
    if (order == NULL)
        return NULL;
    for (uint32_t i = 0; i < n; i++)
        order[i] = i;
    sort_order(s, rows, order, n);
    return order;
}

/*
 * The first key of every row as an unsigned rank: smaller ranks sort first
 * (direction applied; floats in PostgreSQL's order, NaN last, -0 = 0). False
 * when the key has NULLs or a type without a rank.
 */
static bool first_key_ranks(const op_sort *s, const row_collection *rows, uint64_t *ranks)
{
    const vector *v = &rows->columns[s->payload_count];
    uint32_t n = (uint32_t)rows->row_count;
    if (v->validity != NULL || v->kind != VECTOR_FLAT)
        return false;
    uint64_t flip = s->keys[0].descending ? UINT64_MAX : 0;
    switch (v->type.id) {
    case TYPE_DOUBLE:
        for (uint32_t i = 0; i < n; i++) {
            double x = ((const double *)v->data)[i];
            uint64_t u;
            x = x == 0 ? 0 : x;
            memcpy(&u, &x, 8);
            u = x != x ? UINT64_MAX : (u >> 63 ? ~u : u | 1ull << 63);
            ranks[i] = u ^ flip;
        }
        return true;
    case TYPE_BIGINT:
    case TYPE_TIMESTAMP:
        for (uint32_t i = 0; i < n; i++)
            ranks[i] = ((uint64_t)((const int64_t *)v->data)[i] ^ 1ull << 63) ^ flip;
        return true;
    case TYPE_INTEGER:
    case TYPE_DATE:
        for (uint32_t i = 0; i < n; i++)
            ranks[i] = ((uint64_t)(uint32_t)((const int32_t *)v->data)[i] ^ 1ull << 31) ^ flip;
        return true;
    default: return false;
    }
}

/* The k-th smallest (from 0) of ranks[0..n), reordering them (Hoare's selection). */
static uint64_t select_rank(uint64_t *ranks, uint32_t n, uint32_t k)
{
    uint32_t lo = 0, hi = n - 1;
    while (lo < hi) {
        uint64_t pivot = ranks[lo + (hi - lo) / 2];
        uint32_t i = lo, j = hi;
        while (i <= j) {
            while (ranks[i] < pivot)
                i++;
            while (ranks[j] > pivot)
                j--;
            if (i <= j) {
                uint64_t t = ranks[i];
                ranks[i++] = ranks[j];
                ranks[j] = t;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return ranks[k];
    }
    return ranks[k];
}

/*
 * TOP_N's candidates, sorted: when the first key has a rank, only rows whose
 * rank is at most the keep-th smallest can be kept, so only they are sorted
 * (a few hundred of thousands of rows); otherwise every row. Returns the
 * order (caller frees) with its length in *count, or NULL on OOM.
 */
static uint32_t *best_rows(const op_sort *s, const row_collection *rows, uint32_t *count)
{
    uint32_t n = (uint32_t)rows->row_count;
    *count = n;
    if (n <= s->keep)
        return sort_rows(s, rows);
    uint64_t *ranks = malloc(2 * (size_t)n * sizeof *ranks);
    uint32_t *order = malloc(n * sizeof *order);
    if (ranks == NULL || order == NULL) {
        free(ranks);
        free(order);
        return NULL;
    }
    if (!first_key_ranks(s, rows, ranks)) {
        free(ranks);
        free(order);
        return sort_rows(s, rows);
    }
    memcpy(ranks + n, ranks, n * sizeof *ranks);
    uint64_t threshold = select_rank(ranks + n, n, (uint32_t)s->keep - 1);
    uint32_t m = 0;
    for (uint32_t i = 0; i < n; i++)
        if (ranks[i] <= threshold)
            order[m++] = i;
    free(ranks);
    sort_order(s, rows, order, m);
    *count = m;
    return order;
}

/* TOP_N: keeps only the best `keep` rows of a collection. */
static arm_status prune(const op_sort *s, row_collection *rows, arm_error *err)
{
    uint32_t count;
    uint32_t *order = best_rows(s, rows, &count);
    if (order == NULL)
        return error_out_of_memory(err);
    row_collection kept;
    arm_status st =
        row_collection_init(&kept, s->payload_count + s->key_count, s->collection_types, err);
    if (st == ARM_OK)
        st = row_collection_append_rows(&kept, rows, order,
                                        count < s->keep ? count : (uint32_t)s->keep, err);
    free(order);
    if (st != ARM_OK) {
        row_collection_dispose(&kept);
        return st;
    }
    row_collection_dispose(rows);
    *rows = kept;
    return ARM_OK;
}

static arm_status sort_init(op *o, arm_error *err)
{
    op_sort *s = (op_sort *)o;
    return row_collection_init(&s->rows, s->payload_count + s->key_count, s->collection_types, err);
}

static arm_status sort_local_create(op *o, void **out, arm_error *err)
{
    op_sort *s = (op_sort *)o;
    sort_local *l = calloc(1, sizeof *l);
    if (l == NULL)
        return error_out_of_memory(err);
    *out = l;
    l->columns = calloc(s->payload_count + s->key_count, sizeof *l->columns);
    expr **keys = calloc(s->key_count ? s->key_count : 1, sizeof *keys);
    if (l->columns == NULL || keys == NULL) {
        free(keys);
        return error_out_of_memory(err);
    }
    for (uint32_t k = 0; k < s->key_count; k++)
        keys[k] = s->keys[k].key;
    for (uint32_t i = 0; i < s->payload_count + s->key_count; i++)
        vector_init(&l->columns[i], s->collection_types[i]);
    arm_status st = expr_executor_create(&l->keys, keys, s->key_count, o->ctx, err);
    free(keys);
    if (st == ARM_OK)
        st = row_collection_init(&l->rows, s->payload_count + s->key_count, s->collection_types,
                                 err);
    return st;
}

static void sort_local_destroy(op *o, void *local)
{
    op_sort *s = (op_sort *)o;
    sort_local *l = local;
    for (uint32_t i = 0; l->columns && i < s->payload_count + s->key_count; i++)
        vector_dispose(&l->columns[i]);
    free(l->columns);
    expr_executor_destroy(l->keys);
    row_collection_dispose(&l->rows);
    free(l);
}

/*
 * The typed loop of keep_better_rows: the first key is a flat column of T
 * without NULLs. A row strictly better than the boundary on the first key
 * passes; a tie is decided by compare_to_row on every key.
 */
#define KEEP_BETTER_LOOP(T, COMPARE)                                                               \
    do {                                                                                           \
        const T *x = v->data;                                                                      \
        T bound = ((const T *)w->data)[boundary];                                                  \
        for (uint32_t i = 0; i < in->count; i++) {                                                 \
            uint32_t row = batch_row(in, i);                                                       \
            int r = COMPARE(x[row], bound);                                                        \
            if ((descending ? r > 0 : r < 0) ||                                                    \
                (r == 0 && s->key_count > 1 &&                                                     \
                 compare_to_row(s, keys, row, &l->rows, boundary) < 0))                            \
                l->passing[n++] = row;                                                             \
        }                                                                                          \
    } while (0)
#define COMPARE_INTEGERS(x, y) (((x) > (y)) - ((x) < (y)))

/*
 * TOP_N after a prune: the rows of `in` that sort before the last kept row
 * (the boundary) go to l->passing; returns how many. Most rows of a large
 * input lose against the boundary, so the common key types get a typed loop.
 */
static uint32_t keep_better_rows(const op_sort *s, sort_local *l, const batch *in)
{
    const vector *keys = &l->columns[s->payload_count];
    const vector *v = &keys[0], *w = &l->rows.columns[s->payload_count];
    uint32_t boundary = (uint32_t)s->keep - 1, n = 0;
    bool descending = s->keys[0].descending;
    bool plain = v->kind == VECTOR_FLAT && v->validity == NULL && w->validity == NULL;
    if (plain && v->type.id == TYPE_DOUBLE) {
        KEEP_BETTER_LOOP(double, compare_double);
    } else if (plain && (v->type.id == TYPE_BIGINT || v->type.id == TYPE_TIMESTAMP)) {
        KEEP_BETTER_LOOP(int64_t, COMPARE_INTEGERS);
    } else if (plain && (v->type.id == TYPE_INTEGER || v->type.id == TYPE_DATE)) {
        KEEP_BETTER_LOOP(int32_t, COMPARE_INTEGERS);
    } else {
        for (uint32_t i = 0; i < in->count; i++) {
            uint32_t row = batch_row(in, i);
            if (compare_to_row(s, keys, row, &l->rows, boundary) < 0)
                l->passing[n++] = row;
        }
    }
    return n;
}

static arm_status sort_sink(op *o, void *local, uint32_t input, const batch *in, arm_error *err)
{
    (void)input;
    op_sort *s = (op_sort *)o;
    sort_local *l = local;
    arm_status st = ARM_OK;
    for (uint32_t c = 0; c < s->payload_count && st == ARM_OK; c++)
        st = vector_reference(&l->columns[c], &in->columns[c], err);
    for (uint32_t k = 0; k < s->key_count && st == ARM_OK; k++)
        st = expr_execute(l->keys, k, in, &l->columns[s->payload_count + k], err);
    const uint32_t *sel = in->sel;
    uint32_t count = s->keep == 0 ? 0 : in->count; /* LIMIT 0 keeps nothing */
    if (st == ARM_OK && l->pruned && count > 0) {
        /* TOP_N: the kept rows are sorted, so a row not better than the last kept one can go. */
        count = keep_better_rows(s, l, in);
        sel = l->passing;
    }
    if (st == ARM_OK && count > 0)
        st = row_collection_append(&l->rows, l->columns, sel, count, err);
    if (st == ARM_OK && s->keep != UINT64_MAX &&
        (l->rows.row_count > 2 * s->keep + VECTOR_SIZE ||
         (!l->pruned && l->rows.row_count >= s->keep))) {
        st = prune(s, &l->rows, err);
        l->pruned = true;
    }
    if (st == ARM_OK && count > 0)
        st = memory_budget_reserve_or_error(
            o->ctx->budget, (int64_t)count * (int64_t)(s->payload_count + s->key_count) * 16,
            "the sort", err);
    return st;
}

static arm_status sort_combine(op *o, void *local, uint32_t input, arm_error *err)
{
    (void)input;
    op_sort *s = (op_sort *)o;
    sort_local *l = local;
    if (l->rows.row_count == 0)
        return ARM_OK;
    return row_collection_append(&s->rows, l->rows.columns, NULL, (uint32_t)l->rows.row_count, err);
}

static arm_status sort_finalize(op *o, uint32_t input, arm_error *err)
{
    (void)input;
    op_sort *s = (op_sort *)o;
    uint32_t count = (uint32_t)s->rows.row_count;
    s->order =
        o->plan->kind == PLAN_TOP_N ? best_rows(s, &s->rows, &count) : sort_rows(s, &s->rows);
    if (s->order == NULL)
        return error_out_of_memory(err);
    s->emit_to = count;
    if (o->plan->kind == PLAN_TOP_N) {
        s->emit_from = o->plan->u.sort.offset;
        if (s->keep < s->emit_to)
            s->emit_to = s->keep;
    }
    atomic_store(&s->cursor, s->emit_from);
    return ARM_OK;
}

static arm_status sort_source_next(op *o, void *local, batch *out, arm_error *err)
{
    (void)local;
    op_sort *s = (op_sort *)o;
    out->count = 0;
    uint64_t start = atomic_fetch_add(&s->cursor, VECTOR_SIZE);
    if (start >= s->emit_to)
        return ARM_OK;
    uint32_t count =
        (uint32_t)(s->emit_to - start < VECTOR_SIZE ? s->emit_to - start : VECTOR_SIZE);
    arm_status st = ARM_OK;
    for (uint32_t c = 0; c < s->payload_count && st == ARM_OK; c++) {
        out->columns[c].type = s->collection_types[c];
        st = vector_prepare_flat(&out->columns[c], count, err);
        if (st == ARM_OK)
            st = vector_copy_rows(&out->columns[c], 0, &s->rows.columns[c], s->order + start, count,
                                  err);
    }
    out->count = count;
    out->sequence = start / VECTOR_SIZE;
    return st;
}

static void sort_destroy(op *o)
{
    op_sort *s = (op_sort *)o;
    row_collection_dispose(&s->rows);
    free(s->order);
}

static const op_vtable sort_vtable = {
    .name = "SORT",
    .init = sort_init,
    .local_create = sort_local_create,
    .local_destroy = sort_local_destroy,
    .sink = sort_sink,
    .combine = sort_combine,
    .finalize = sort_finalize,
    .source_next = sort_source_next,
    .source_is_ordered = true,
    .destroy = sort_destroy,
};

arm_status op_sort_create(op **out, plan_node *plan, query_context *ctx, arm_error *err)
{
    op_sort *s = arena_zalloc(ctx->arena, sizeof *s);
    if (s == NULL)
        return error_out_of_memory(err);
    s->base.vtable = &sort_vtable;
    s->payload_count = plan->children[0]->column_count;
    s->key_count = plan->u.sort.key_count;
    s->keys = plan->u.sort.keys;
    s->keep = UINT64_MAX;
    if (plan->kind == PLAN_TOP_N) {
        uint64_t limit = plan->u.sort.limit, offset = plan->u.sort.offset;
        s->keep = limit > UINT64_MAX - offset ? UINT64_MAX : limit + offset;
    }
    s->collection_types =
        arena_alloc(ctx->arena, (s->payload_count + s->key_count + 1) * sizeof(logical_type));
    if (s->collection_types == NULL)
        return error_out_of_memory(err);
    for (uint32_t c = 0; c < s->payload_count; c++)
        s->collection_types[c] = plan->children[0]->types[c];
    for (uint32_t k = 0; k < s->key_count; k++)
        s->collection_types[s->payload_count + k] = s->keys[k].key->type;
    *out = &s->base;
    return ARM_OK;
}
