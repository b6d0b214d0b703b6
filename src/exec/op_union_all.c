/*
 * op_union_all.c: UNION ALL. Both inputs are collected (compacted, strings
 * by reference) with their source sequences, put back in source order when
 * each input is complete, and emitted input 0 first, then input 1; each
 * emitted batch carries its position as sequence, so order survives threads.
 */
#include <pthread.h>
#include <stdlib.h>

#include "common/error.h"
#include "exec/pipeline.h"

typedef struct op_union_all {
    op base;
    pthread_mutex_t lock;
    result_collector inputs[2];
    _Atomic uint32_t next; /* batch cursor over inputs[0] then inputs[1] */
} op_union_all;

static arm_status union_init(op *o, arm_error *err)
{
    op_union_all *u = (op_union_all *)o;
    pthread_mutex_init(&u->lock, NULL);
    arm_status s = ARM_OK;
    for (int i = 0; i < 2 && s == ARM_OK; i++) {
        u->inputs[i].budget = o->ctx->budget;
        s = result_set_create(&u->inputs[i].result, o->plan->column_count, o->plan->names,
                              o->plan->types, err);
    }
    return s;
}

static arm_status union_sink(op *o, void *local, uint32_t input, const batch *in, arm_error *err)
{
    (void)local;
    op_union_all *u = (op_union_all *)o;
    pthread_mutex_lock(&u->lock);
    arm_status s = result_collector_append(&u->inputs[input], in, err);
    pthread_mutex_unlock(&u->lock);
    return s;
}

static arm_status union_finalize(op *o, uint32_t input, arm_error *err)
{
    op_union_all *u = (op_union_all *)o;
    return result_collector_order(&u->inputs[input], 0, err);
}

static arm_status union_source_next(op *o, void *local, batch *out, arm_error *err)
{
    (void)local;
    op_union_all *u = (op_union_all *)o;
    uint32_t index = atomic_fetch_add(&u->next, 1);
    out->count = 0;
    uint64_t sequence = index;
    result_set *r = u->inputs[0].result;
    if (index >= r->batch_count) {
        index -= r->batch_count;
        r = u->inputs[1].result;
        if (index >= r->batch_count)
            return ARM_OK;
    }
    const batch *b = &r->batches[index];
    arm_status s = ARM_OK;
    for (uint32_t c = 0; c < b->column_count && s == ARM_OK; c++)
        s = vector_reference(&out->columns[c], &b->columns[c], err);
    out->count = b->count;
    out->sequence = sequence;
    return s;
}

static void union_destroy(op *o)
{
    op_union_all *u = (op_union_all *)o;
    for (int i = 0; i < 2; i++) {
        result_set_destroy(u->inputs[i].result);
        result_collector_dispose(&u->inputs[i]);
    }
    pthread_mutex_destroy(&u->lock);
}

static const op_vtable union_all_vtable = {
    .name = "UNION_ALL",
    .init = union_init,
    .sink = union_sink,
    .finalize = union_finalize,
    .source_next = union_source_next,
    .destroy = union_destroy,
};

arm_status op_union_all_create(op **out, plan_node *plan, query_context *ctx, arm_error *err)
{
    (void)plan;
    op_union_all *u = arena_zalloc(ctx->arena, sizeof *u);
    if (u == NULL)
        return error_out_of_memory(err);
    u->base.vtable = &union_all_vtable;
    *out = &u->base;
    return ARM_OK;
}
