/*
 * op_hash_aggregate.c: GROUP BY and DISTINCT. Each thread aggregates into
 * its own hash table (keys encoded as bytes, states in an arena); combine
 * merges them into the global table; the source then emits one row per
 * group. DISTINCT aggregates collect their values per group in value sets
 * and fold them into the state at finalize, so parallel partials are exact.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/hash.h"
#include "exec/aggregate.h"
#include "exec/operator.h"
#include "exec/row_key.h"
#include "vector/value_set.h"

typedef struct group {
    uint64_t hash;
    uint8_t *key;
    uint32_t key_length;
    uint8_t *states;         /* aggregate_count states of state_size each */
    subquery_set **distinct; /* per aggregate, for DISTINCT ones; else NULL */
} group;

typedef struct group_table {
    arena *memory;
    uint32_t *slots; /* group index + 1; 0 = empty */
    uint64_t slot_capacity;
    group *groups;
    uint32_t group_count;
    uint32_t group_capacity;
} group_table;

typedef struct op_hash_aggregate {
    op base;
    uint32_t group_count; /* key columns */
    expr **group_exprs;   /* DISTINCT: column refs made here */
    uint32_t aggregate_count;
    plan_aggregate *aggregates;
    size_t state_size;
    bool has_distinct;
    group_table global;
    _Atomic uint32_t output_cursor;
    bool is_distinct_plan;
} op_hash_aggregate;

typedef struct agg_local {
    group_table table;
    expr_executor *keys;
    expr_executor *args; /* every aggregate's args then filters, flattened */
    vector *key_values;
    vector *arg_values;
    uint32_t arg_total;
    uint8_t *key_buffer;
    size_t key_capacity;
    void **state_ptrs;
    uint32_t *filter_sel;
    void **filter_states;
} agg_local;

/* Short keys (most group keys: a number, a short string) hash and compare as two words. */
static inline uint64_t key_hash(const uint8_t *key, size_t length)
{
    if (length > 16)
        return hash_bytes(key, length);
    uint64_t w[2] = {0, 0};
    memcpy(w, key, length);
    return hash_combine(hash_u64(w[0] ^ length), w[1]);
}

static inline bool keys_equal(const uint8_t *a, const uint8_t *b, size_t length)
{
    if (length > 16)
        return memcmp(a, b, length) == 0;
    uint64_t x[2] = {0, 0}, y[2] = {0, 0};
    memcpy(x, a, length);
    memcpy(y, b, length);
    return x[0] == y[0] && x[1] == y[1];
}

/* ---- group tables ----------------------------------------------------------------- */

static arm_status table_init(group_table *t, arm_error *err)
{
    memset(t, 0, sizeof *t);
    t->memory = arena_create(65536, NULL);
    t->slot_capacity = 64;
    t->slots = calloc(t->slot_capacity, sizeof *t->slots);
    if (t->memory == NULL || t->slots == NULL)
        return error_out_of_memory(err);
    return ARM_OK;
}

static void table_dispose(group_table *t)
{
    arena_destroy(t->memory);
    free(t->slots);
    free(t->groups);
    memset(t, 0, sizeof *t);
}

static arm_status table_grow(group_table *t, arm_error *err)
{
    uint64_t capacity = t->slot_capacity * 2;
    uint32_t *slots = calloc(capacity, sizeof *slots);
    if (slots == NULL)
        return error_out_of_memory(err);
    for (uint32_t g = 0; g < t->group_count; g++) {
        uint64_t at = t->groups[g].hash & (capacity - 1);
        while (slots[at])
            at = (at + 1) & (capacity - 1);
        slots[at] = g + 1;
    }
    free(t->slots);
    t->slots = slots;
    t->slot_capacity = capacity;
    return ARM_OK;
}

/* Finds or creates the group for `key`; *created says which. */
static arm_status table_find(op_hash_aggregate *a, group_table *t, const uint8_t *key,
                             uint32_t length, uint64_t hash, group **out, bool *created,
                             arm_error *err)
{
    uint64_t at = hash & (t->slot_capacity - 1);
    for (;;) {
        uint32_t g = t->slots[at];
        if (g == 0)
            break;
        group *candidate = &t->groups[g - 1];
        if (candidate->hash == hash && candidate->key_length == length &&
            keys_equal(candidate->key, key, length)) {
            *out = candidate;
            *created = false;
            return ARM_OK;
        }
        at = (at + 1) & (t->slot_capacity - 1);
    }
    arm_status s;
    if (t->group_count == t->group_capacity) {
        uint32_t capacity = t->group_capacity ? t->group_capacity * 2 : 64;
        group *grown = realloc(t->groups, capacity * sizeof *grown);
        if (grown == NULL)
            return error_out_of_memory(err);
        t->groups = grown;
        t->group_capacity = capacity;
    }
    size_t bytes = length + a->state_size * a->aggregate_count + 64;
    if ((s = memory_budget_reserve_or_error(a->base.ctx->budget, (int64_t)bytes,
                                            "the hash aggregate", err)) != ARM_OK)
        return s;
    group *g = &t->groups[t->group_count];
    memset(g, 0, sizeof *g);
    g->hash = hash;
    g->key_length = length;
    g->key = arena_alloc(t->memory, length ? length : 1);
    g->states = arena_alloc(t->memory, a->state_size * a->aggregate_count + 1);
    if (g->key == NULL || g->states == NULL)
        return error_out_of_memory(err);
    if (length > 0)
        memcpy(g->key, key, length);
    for (uint32_t k = 0; k < a->aggregate_count; k++)
        a->aggregates[k].fn->init(a->aggregates[k].fn, g->states + k * a->state_size);
    if (a->has_distinct) {
        g->distinct = arena_zalloc(t->memory, a->aggregate_count * sizeof *g->distinct);
        if (g->distinct == NULL)
            return error_out_of_memory(err);
    }
    t->group_count++;
    t->slots[at] = t->group_count;
    if (t->group_count * 2 > t->slot_capacity && (s = table_grow(t, err)) != ARM_OK)
        return s;
    *out = &t->groups[t->group_count - 1];
    *created = true;
    return ARM_OK;
}

/* ---- per-thread aggregation ---------------------------------------------------------- */

static arm_status agg_local_create(op *o, void **out, arm_error *err)
{
    op_hash_aggregate *a = (op_hash_aggregate *)o;
    agg_local *l = calloc(1, sizeof *l);
    if (l == NULL)
        return error_out_of_memory(err);
    *out = l;
    arm_status s = table_init(&l->table, err);
    if (s != ARM_OK)
        return s;
    l->key_values = calloc(a->group_count + 1, sizeof *l->key_values);
    for (uint32_t k = 0; k < a->aggregate_count; k++)
        l->arg_total += a->aggregates[k].arg_count + 1;
    l->arg_values = calloc(l->arg_total + 1, sizeof *l->arg_values);
    l->state_ptrs = malloc(VECTOR_SIZE * sizeof *l->state_ptrs);
    l->filter_states = malloc(VECTOR_SIZE * sizeof *l->filter_states);
    l->filter_sel = malloc(VECTOR_SIZE * sizeof *l->filter_sel);
    expr **args = calloc(l->arg_total + 1, sizeof *args);
    if (!l->key_values || !l->arg_values || !l->state_ptrs || !l->filter_states || !l->filter_sel ||
        !args) {
        free(args);
        return error_out_of_memory(err);
    }
    uint32_t n = 0;
    for (uint32_t k = 0; k < a->aggregate_count; k++) {
        for (uint32_t i = 0; i < a->aggregates[k].arg_count; i++)
            args[n++] = a->aggregates[k].args[i];
        args[n++] = a->aggregates[k].filter; /* may be NULL */
    }
    for (uint32_t i = 0; i < a->group_count; i++)
        vector_init(&l->key_values[i], a->group_exprs[i]->type);
    for (uint32_t i = 0; i < l->arg_total; i++)
        vector_init(&l->arg_values[i], args[i] ? args[i]->type : type_make(TYPE_INVALID));
    s = expr_executor_create(&l->keys, a->group_exprs, a->group_count, o->ctx, err);
    if (s == ARM_OK)
        s = expr_executor_create(&l->args, args, l->arg_total, o->ctx, err);
    free(args);
    return s;
}

static void destroy_group_states(op_hash_aggregate *a, group_table *t)
{
    for (uint32_t g = 0; g < t->group_count; g++) {
        for (uint32_t k = 0; k < a->aggregate_count; k++) {
            const aggregate_function *fn = a->aggregates[k].fn;
            if (fn->destroy)
                fn->destroy(fn, t->groups[g].states + k * a->state_size);
            if (t->groups[g].distinct)
                value_set_destroy(t->groups[g].distinct[k]);
        }
    }
}

static void agg_local_destroy(op *o, void *local)
{
    op_hash_aggregate *a = (op_hash_aggregate *)o;
    agg_local *l = local;
    destroy_group_states(a, &l->table);
    table_dispose(&l->table);
    for (uint32_t i = 0; l->key_values && i < a->group_count; i++)
        vector_dispose(&l->key_values[i]);
    for (uint32_t i = 0; l->arg_values && i < l->arg_total; i++)
        vector_dispose(&l->arg_values[i]);
    free(l->key_values);
    free(l->arg_values);
    free(l->key_buffer);
    free(l->state_ptrs);
    free(l->filter_states);
    free(l->filter_sel);
    expr_executor_destroy(l->keys);
    expr_executor_destroy(l->args);
    free(l);
}

/* Points state_ptrs[i] at the group of each selected row, creating groups. */
static arm_status assign_groups(op_hash_aggregate *a, agg_local *l, const batch *in, arm_error *err)
{
    arm_status s;
    if (a->group_count == 0) {
        /* Ungrouped: every row belongs to the one group; no keys to encode or hash. */
        group *g;
        bool created;
        if ((s = table_find(a, &l->table, (const uint8_t *)"", 0, 0, &g, &created, err)) != ARM_OK)
            return s;
        bool needs_rows = false; /* only FILTER and DISTINCT aggregates read state_ptrs */
        for (uint32_t k = 0; k < a->aggregate_count; k++)
            needs_rows |= a->aggregates[k].filter != NULL || a->aggregates[k].is_distinct;
        for (uint32_t i = 0; needs_rows && i < in->count; i++)
            l->state_ptrs[i] = g;
        return ARM_OK;
    }
    for (uint32_t i = 0; i < in->count; i++) {
        uint32_t row = batch_row(in, i);
        size_t need = 0;
        for (uint32_t k = 0; k < a->group_count; k++)
            need += row_key_width(&l->key_values[k], row);
        if (need > l->key_capacity) {
            uint8_t *grown = realloc(l->key_buffer, need * 2);
            if (grown == NULL)
                return error_out_of_memory(err);
            l->key_buffer = grown;
            l->key_capacity = need * 2;
        }
        size_t length = 0;
        for (uint32_t k = 0; k < a->group_count; k++)
            length += row_key_encode(&l->key_values[k], row, l->key_buffer + length);
        uint64_t hash = key_hash(l->key_buffer, length);
        group *g;
        bool created;
        if ((s = table_find(a, &l->table, l->key_buffer, (uint32_t)length, hash, &g, &created,
                            err)) != ARM_OK)
            return s;
        /* An index for now: the groups array may move while later rows add groups. */
        l->state_ptrs[i] = (void *)(uintptr_t)(g - l->table.groups);
    }
    for (uint32_t i = 0; i < in->count; i++)
        l->state_ptrs[i] = &l->table.groups[(uintptr_t)l->state_ptrs[i]];
    return ARM_OK;
}

static arm_status add_distinct_values(op_hash_aggregate *a, agg_local *l, uint32_t k,
                                      const vector *arg, const uint32_t *rows, void *const *groups,
                                      uint32_t count, arm_error *err)
{
    for (uint32_t i = 0; i < count; i++) {
        group *g = groups[i];
        if (g->distinct[k] == NULL) {
            arm_status s = value_set_create(&g->distinct[k], arg->type, err);
            if (s != ARM_OK)
                return s;
        }
        value v;
        vector_get_value(arg, rows[i], &v);
        if (!v.is_null) {
            arm_status s = value_set_insert(g->distinct[k], &v, err);
            if (s != ARM_OK)
                return s;
        }
    }
    (void)a, (void)l;
    return ARM_OK;
}

static arm_status update_aggregate(op_hash_aggregate *a, agg_local *l, uint32_t k,
                                   uint32_t first_arg, const batch *in, arm_error *err)
{
    const plan_aggregate *agg = &a->aggregates[k];
    vector *args = &l->arg_values[first_arg];
    vector *arg_ptrs[4] = {NULL, NULL, NULL, NULL};
    for (uint32_t i = 0; i < agg->arg_count && i < 4; i++)
        arg_ptrs[i] = &args[i];
    if (a->group_count == 0 && agg->filter == NULL && !agg->is_distinct) {
        /* Ungrouped fast path: the batch's rows straight into the one state. */
        if (in->count == 0)
            return ARM_OK;
        return agg->fn->update_single(agg->fn, l->table.groups[0].states + k * a->state_size,
                                      arg_ptrs, in->sel, in->count, err);
    }
    /* Rows to update: the batch's, narrowed by FILTER. */
    uint32_t count = 0;
    const uint32_t *rows;
    void **groups;
    if (agg->filter != NULL) {
        const vector *f = &args[agg->arg_count];
        for (uint32_t i = 0; i < in->count; i++) {
            uint32_t row = batch_row(in, i);
            uint32_t at = f->kind == VECTOR_CONSTANT ? 0 : row;
            if (vector_is_valid(f, row) && ((const uint8_t *)f->data)[at]) {
                l->filter_sel[count] = row;
                l->filter_states[count++] = l->state_ptrs[i];
            }
        }
        rows = l->filter_sel;
        groups = l->filter_states;
    } else {
        count = in->count;
        if (in->sel == NULL) {
            for (uint32_t i = 0; i < count; i++)
                l->filter_sel[i] = i;
            rows = l->filter_sel;
        } else {
            rows = in->sel;
        }
        groups = l->state_ptrs;
    }
    if (agg->is_distinct)
        return add_distinct_values(a, l, k, arg_ptrs[0], rows, groups, count, err);
    if (a->group_count == 0 && count > 0)
        return agg->fn->update_single(agg->fn, ((group *)groups[0])->states + k * a->state_size,
                                      arg_ptrs, rows, count, err);
    void **states = l->filter_states; /* may alias groups: each slot is read, then written */
    for (uint32_t i = 0; i < count; i++)
        states[i] = ((group *)groups[i])->states + k * a->state_size;
    return agg->fn->update(agg->fn, states, arg_ptrs, rows, count, err);
}

static arm_status agg_sink(op *o, void *local, uint32_t input, const batch *in, arm_error *err)
{
    (void)input;
    op_hash_aggregate *a = (op_hash_aggregate *)o;
    agg_local *l = local;
    arm_status s = ARM_OK;
    for (uint32_t k = 0; k < a->group_count && s == ARM_OK; k++) {
        s = expr_execute(l->keys, k, in, &l->key_values[k], err);
        if (s == ARM_OK && l->key_values[k].kind == VECTOR_DICTIONARY)
            s = vector_flatten(&l->key_values[k], in->sel, in->count, err);
    }
    for (uint32_t i = 0; i < l->arg_total && s == ARM_OK; i++) {
        if (l->arg_values[i].type.id == TYPE_INVALID)
            continue;
        s = expr_execute(l->args, i, in, &l->arg_values[i], err);
        if (s == ARM_OK && l->arg_values[i].kind == VECTOR_DICTIONARY)
            s = vector_flatten(&l->arg_values[i], in->sel, in->count, err);
    }
    if (s == ARM_OK)
        s = assign_groups(a, l, in, err);
    uint32_t first_arg = 0;
    for (uint32_t k = 0; k < a->aggregate_count && s == ARM_OK; k++) {
        s = update_aggregate(a, l, k, first_arg, in, err);
        first_arg += a->aggregates[k].arg_count + 1;
    }
    return s;
}

/* ---- merging and output ----------------------------------------------------------------- */

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

static arm_status merge_group(op_hash_aggregate *a, group *target, group *source, bool created,
                              arm_error *err)
{
    for (uint32_t k = 0; k < a->aggregate_count; k++) {
        const aggregate_function *fn = a->aggregates[k].fn;
        uint8_t *ts = target->states + k * a->state_size, *ss = source->states + k * a->state_size;
        arm_status s;
        if (created) {
            memcpy(ts, ss, a->state_size); /* ownership moves */
            fn->init(fn, ss);
        } else if ((s = fn->combine(fn, ts, ss, err)) != ARM_OK) {
            return s;
        }
        if (a->has_distinct && source->distinct && source->distinct[k]) {
            if (target->distinct[k] == NULL) {
                target->distinct[k] = source->distinct[k];
                source->distinct[k] = NULL;
            } else {
                set_merge m = {target->distinct[k], ARM_OK, err};
                value_set_for_each(source->distinct[k], merge_value, &m);
                if (m.status != ARM_OK)
                    return m.status;
            }
        }
    }
    return ARM_OK;
}

static arm_status agg_combine(op *o, void *local, uint32_t input, arm_error *err)
{
    (void)input;
    op_hash_aggregate *a = (op_hash_aggregate *)o;
    agg_local *l = local;
    for (uint32_t g = 0; g < l->table.group_count; g++) {
        group *source = &l->table.groups[g];
        group *target;
        bool created;
        arm_status s = table_find(a, &a->global, source->key, source->key_length, source->hash,
                                  &target, &created, err);
        if (s == ARM_OK)
            s = merge_group(a, target, source, created, err);
        if (s != ARM_OK)
            return s;
    }
    return ARM_OK;
}

typedef struct distinct_fold {
    const aggregate_function *fn;
    void *state;
    vector one;
    arm_status status;
    arm_error *err;
} distinct_fold;

static void fold_value(void *context, const value *v)
{
    distinct_fold *f = context;
    if (f->status != ARM_OK)
        return;
    f->status = vector_set_constant(&f->one, v, f->err);
    vector *args[1] = {&f->one};
    if (f->status == ARM_OK)
        f->status = f->fn->update_single(f->fn, f->state, args, NULL, 1, f->err);
}

static arm_status agg_finalize(op *o, uint32_t input, arm_error *err)
{
    (void)input;
    op_hash_aggregate *a = (op_hash_aggregate *)o;
    if (!a->has_distinct)
        return ARM_OK;
    for (uint32_t g = 0; g < a->global.group_count; g++) {
        group *grp = &a->global.groups[g];
        for (uint32_t k = 0; k < a->aggregate_count; k++) {
            if (!a->aggregates[k].is_distinct || grp->distinct[k] == NULL)
                continue;
            distinct_fold f;
            memset(&f, 0, sizeof f);
            f.fn = a->aggregates[k].fn;
            f.state = grp->states + k * a->state_size;
            f.err = err;
            vector_init(&f.one, a->aggregates[k].args[0]->type);
            value_set_for_each(grp->distinct[k], fold_value, &f);
            vector_dispose(&f.one);
            if (f.status != ARM_OK)
                return f.status;
        }
    }
    return ARM_OK;
}

static arm_status emit_group(op_hash_aggregate *a, const group *g, batch *out, uint32_t row,
                             arm_error *err)
{
    const uint8_t *key = g->key;
    arm_status s = ARM_OK;
    for (uint32_t k = 0; k < a->group_count && s == ARM_OK; k++) {
        value v;
        key += row_key_decode(key, a->group_exprs[k]->type, &v);
        s = vector_set_value(&out->columns[k], row, &v, err);
    }
    for (uint32_t k = 0; k < a->aggregate_count && s == ARM_OK; k++) {
        const aggregate_function *fn = a->aggregates[k].fn;
        s = fn->finalize(fn, g->states + k * a->state_size, &out->columns[a->group_count + k], row,
                         err);
    }
    return s;
}

static arm_status agg_source_next(op *o, void *local, batch *out, arm_error *err)
{
    (void)local;
    op_hash_aggregate *a = (op_hash_aggregate *)o;
    out->count = 0;
    uint32_t start = atomic_fetch_add(&a->output_cursor, VECTOR_SIZE);
    if (start >= a->global.group_count)
        return ARM_OK;
    uint32_t end =
        start + VECTOR_SIZE < a->global.group_count ? start + VECTOR_SIZE : a->global.group_count;
    arm_status s = ARM_OK;
    for (uint32_t c = 0; c < o->plan->column_count && s == ARM_OK; c++) {
        out->columns[c].type = o->plan->types[c];
        s = vector_prepare_flat(&out->columns[c], end - start, err);
    }
    for (uint32_t g = start; g < end && s == ARM_OK; g++)
        s = emit_group(a, &a->global.groups[g], out, g - start, err);
    out->count = end - start;
    out->sequence = start / VECTOR_SIZE;
    return s;
}

/* An ungrouped aggregate over no rows still yields one row (COUNT = 0, SUM = NULL). */
static arm_status ensure_single_group(op_hash_aggregate *a, arm_error *err)
{
    if (a->group_count > 0 || a->global.group_count > 0 || a->is_distinct_plan)
        return ARM_OK;
    group *g;
    bool created;
    return table_find(a, &a->global, (const uint8_t *)"", 0, 0, &g, &created, err);
}

static arm_status agg_init(op *o, arm_error *err)
{
    op_hash_aggregate *a = (op_hash_aggregate *)o;
    arm_status s = table_init(&a->global, err);
    if (s == ARM_OK)
        s = ensure_single_group(a, err);
    return s;
}

static void agg_destroy(op *o)
{
    op_hash_aggregate *a = (op_hash_aggregate *)o;
    destroy_group_states(a, &a->global);
    table_dispose(&a->global);
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

arm_status op_hash_aggregate_create(op **out, plan_node *plan, query_context *ctx, arm_error *err)
{
    op_hash_aggregate *a = arena_zalloc(ctx->arena, sizeof *a);
    if (a == NULL)
        return error_out_of_memory(err);
    a->base.vtable = &hash_aggregate_vtable;
    a->base.ctx = ctx;
    a->state_size = 64;
    if (plan->kind == PLAN_DISTINCT) {
        plan_node *child = plan->children[0];
        a->group_count = child->column_count;
        a->group_exprs = arena_alloc(ctx->arena, (a->group_count + 1) * sizeof *a->group_exprs);
        if (a->group_exprs == NULL)
            return error_out_of_memory(err);
        for (uint32_t i = 0; i < a->group_count; i++)
            if ((a->group_exprs[i] = expr_column(ctx->arena, child->types[i], i)) == NULL)
                return error_out_of_memory(err);
    } else {
        a->group_count = plan->u.aggregate.group_count;
        a->group_exprs = plan->u.aggregate.groups;
        a->aggregate_count = plan->u.aggregate.aggregate_count;
        a->aggregates = plan->u.aggregate.aggregates;
    }
    for (uint32_t k = 0; k < a->aggregate_count; k++) {
        if (a->aggregates[k].fn->state_size > a->state_size)
            a->state_size = (a->aggregates[k].fn->state_size + 15) & ~(size_t)15;
        a->has_distinct |= a->aggregates[k].is_distinct;
    }
    a->is_distinct_plan = plan->kind == PLAN_DISTINCT;
    *out = &a->base;
    return ARM_OK;
}
