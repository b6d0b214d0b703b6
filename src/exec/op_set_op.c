/*
 * op_set_op.c: INTERSECT [ALL] and EXCEPT [ALL]. Both inputs are collected;
 * rows are counted per distinct value (NULLs compare equal here, as SQL set
 * operations require), and the output follows the left input's order:
 * INTERSECT keeps min(left, right) copies (1 without ALL), EXCEPT keeps
 * left - right copies (1 when positive without ALL).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/hash.h"
#include "exec/operator.h"
#include "exec/row_collection.h"
#include "exec/row_key.h"

typedef struct set_entry {
    uint64_t hash;
    uint8_t *key;
    uint32_t key_length;
    uint32_t first_row; /* in the left input */
    uint64_t counts[2];
} set_entry;

typedef struct op_set_op {
    op base;
    pthread_mutex_t lock;
    row_collection inputs[2];
    arena *keys;
    set_entry *entries;
    uint32_t entry_count;
    uint32_t entry_capacity;
    uint32_t *slots;
    uint64_t slot_capacity;
    uint32_t *output; /* left rows to emit, in order */
    uint64_t output_count;
    _Atomic uint64_t cursor;
} op_set_op;

static arm_status set_init(op *o, arm_error *err)
{
    op_set_op *s = (op_set_op *)o;
    pthread_mutex_init(&s->lock, NULL);
    arm_status st = ARM_OK;
    for (int i = 0; i < 2 && st == ARM_OK; i++)
        st = row_collection_init(&s->inputs[i], o->plan->column_count, o->plan->types, err);
    s->keys = arena_create(65536, NULL);
    return st == ARM_OK && s->keys == NULL ? error_out_of_memory(err) : st;
}

static arm_status set_sink(op *o, void *local, uint32_t input, const batch *in, arm_error *err)
{
    (void)local;
    op_set_op *s = (op_set_op *)o;
    pthread_mutex_lock(&s->lock);
    arm_status st = row_collection_append(&s->inputs[input], in->columns, in->sel, in->count, err);
    pthread_mutex_unlock(&s->lock);
    return st;
}

static arm_status grow_slots(op_set_op *s, arm_error *err)
{
    uint64_t capacity = s->slot_capacity ? s->slot_capacity * 2 : 64;
    uint32_t *slots = calloc(capacity, sizeof *slots);
    if (slots == NULL)
        return error_out_of_memory(err);
    for (uint32_t e = 0; e < s->entry_count; e++) {
        uint64_t at = s->entries[e].hash & (capacity - 1);
        while (slots[at])
            at = (at + 1) & (capacity - 1);
        slots[at] = e + 1;
    }
    free(s->slots);
    s->slots = slots;
    s->slot_capacity = capacity;
    return ARM_OK;
}

/* Counts row `row` of input `input`, creating its entry when new. */
static arm_status count_row(op_set_op *s, uint32_t input, uint32_t row, arm_error *err)
{
    const row_collection *c = &s->inputs[input];
    uint8_t small[512];
    size_t need = 0;
    for (uint32_t k = 0; k < c->column_count; k++)
        need += row_key_width(&c->columns[k], row);
    uint8_t *key = need <= sizeof small ? small : malloc(need);
    if (key == NULL)
        return error_out_of_memory(err);
    size_t length = 0;
    for (uint32_t k = 0; k < c->column_count; k++)
        length += row_key_encode(&c->columns[k], row, key + length);
    uint64_t hash = hash_bytes(key, length);
    arm_status st = ARM_OK;
    if ((s->entry_count + 1) * 2 > s->slot_capacity)
        st = grow_slots(s, err);
    uint64_t at = st == ARM_OK ? hash & (s->slot_capacity - 1) : 0;
    while (st == ARM_OK && s->slots[at]) {
        set_entry *e = &s->entries[s->slots[at] - 1];
        if (e->hash == hash && e->key_length == length && memcmp(e->key, key, length) == 0) {
            e->counts[input]++;
            goto done;
        }
        at = (at + 1) & (s->slot_capacity - 1);
    }
    if (st == ARM_OK && input == 1)
        goto done; /* right-only rows never appear in the output */
    if (st == ARM_OK && s->entry_count == s->entry_capacity) {
        uint32_t capacity = s->entry_capacity ? s->entry_capacity * 2 : 64;
        set_entry *grown = realloc(s->entries, capacity * sizeof *grown);
        if (grown == NULL)
            st = error_out_of_memory(err);
        else {
            s->entries = grown;
            s->entry_capacity = capacity;
        }
    }
    if (st == ARM_OK) {
        set_entry *e = &s->entries[s->entry_count];
        memset(e, 0, sizeof *e);
        e->hash = hash;
        e->key_length = (uint32_t)length;
        e->key = arena_alloc(s->keys, length ? length : 1);
        e->first_row = row;
        e->counts[0] = 1;
        if (e->key == NULL)
            st = error_out_of_memory(err);
        else
            memcpy(e->key, key, length);
        s->slots[at] = ++s->entry_count;
    }
done:
    if (key != small)
        free(key);
    return st;
}

static arm_status set_finalize(op *o, uint32_t input, arm_error *err)
{
    op_set_op *s = (op_set_op *)o;
    if (input == 0)
        return ARM_OK; /* wait for both inputs */
    arm_status st = ARM_OK;
    for (int side = 0; side < 2 && st == ARM_OK; side++)
        for (uint32_t r = 0; r < s->inputs[side].row_count && st == ARM_OK; r++)
            st = count_row(s, (uint32_t)side, r, err);
    if (st != ARM_OK)
        return st;
    bool all = o->plan->u.set_op.all, intersect = o->plan->u.set_op.kind == SET_OP_INTERSECT;
    uint64_t total = 0;
    for (uint32_t e = 0; e < s->entry_count; e++) {
        uint64_t l = s->entries[e].counts[0], r = s->entries[e].counts[1];
        uint64_t keep = intersect ? (l < r ? l : r) : (l > r ? l - r : 0);
        if (!all)
            keep = intersect ? keep > 0 : r == 0; /* distinct: present in both / only left */
        s->entries[e].counts[0] = keep;
        total += keep;
    }
    s->output = malloc((total ? total : 1) * sizeof *s->output);
    if (s->output == NULL)
        return error_out_of_memory(err);
    for (uint32_t e = 0; e < s->entry_count; e++)
        for (uint64_t k = 0; k < s->entries[e].counts[0]; k++)
            s->output[s->output_count++] = s->entries[e].first_row;
    return ARM_OK;
}

static arm_status set_source_next(op *o, void *local, batch *out, arm_error *err)
{
    (void)local;
    op_set_op *s = (op_set_op *)o;
    out->count = 0;
    uint64_t start = atomic_fetch_add(&s->cursor, VECTOR_SIZE);
    if (start >= s->output_count)
        return ARM_OK;
    uint32_t count =
        (uint32_t)(s->output_count - start < VECTOR_SIZE ? s->output_count - start : VECTOR_SIZE);
    arm_status st = ARM_OK;
    for (uint32_t c = 0; c < o->plan->column_count && st == ARM_OK; c++) {
        out->columns[c].type = o->plan->types[c];
        st = vector_prepare_flat(&out->columns[c], count, err);
        if (st == ARM_OK)
            st = vector_copy_rows(&out->columns[c], 0, &s->inputs[0].columns[c], s->output + start,
                                  count, err);
    }
    out->count = count;
    out->sequence = start / VECTOR_SIZE;
    return st;
}

static void set_destroy(op *o)
{
    op_set_op *s = (op_set_op *)o;
    row_collection_dispose(&s->inputs[0]);
    row_collection_dispose(&s->inputs[1]);
    arena_destroy(s->keys);
    free(s->entries);
    free(s->slots);
    free(s->output);
    pthread_mutex_destroy(&s->lock);
}

static const op_vtable set_op_vtable = {
    .name = "SET_OP",
    .init = set_init,
    .sink = set_sink,
    .finalize = set_finalize,
    .source_next = set_source_next,
    .source_is_ordered = true,
    .destroy = set_destroy,
};

arm_status op_set_op_create(op **out, plan_node *plan, query_context *ctx, arm_error *err)
{
    (void)plan;
    op_set_op *s = arena_zalloc(ctx->arena, sizeof *s);
    if (s == NULL)
        return error_out_of_memory(err);
    s->base.vtable = &set_op_vtable;
    *out = &s->base;
    return ARM_OK;
}
