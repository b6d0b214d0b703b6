/*
 * test_pipeline.c: unit tests for src/exec/pipeline.c with hand-made
 * operators: OP_HAVE_MORE_OUTPUT and OP_FINISHED handling, sink locals,
 * combine and finalize counts, ordered sources on one thread, tiny inputs
 * without a thread hand-off, result ordering by sequence, concurrent queries.
 */
#include "exec/pipeline.h"
#include "exec_test_table.h"

static thread_pool *pool;

/* ---- hand-made operators over one BIGINT column ----------------------------------------- */

typedef struct counting_source {
    op base;
    _Atomic uint32_t next;
    uint32_t batch_count;
    uint32_t rows_per_batch;
    uint32_t big_every; /* when set, batches k % big_every == 0 hold VECTOR_SIZE rows */
    _Atomic uint32_t locals;
} counting_source;

static arm_status counting_local_create(op *o, void **local, arm_error *err)
{
    (void)err;
    atomic_fetch_add(&((counting_source *)o)->locals, 1);
    *local = NULL;
    return ARM_OK;
}

/* Batch k holds the values k*1000 .. k*1000 + rows_per_batch - 1, sequence k. */
static arm_status counting_next(op *o, void *local, batch *out, arm_error *err)
{
    (void)local;
    counting_source *c = (counting_source *)o;
    uint32_t k = atomic_fetch_add(&c->next, 1);
    out->count = 0;
    if (k >= c->batch_count)
        return ARM_OK;
    uint32_t rows = c->big_every && k % c->big_every == 0 ? VECTOR_SIZE : c->rows_per_batch;
    arm_status s = vector_prepare_flat(&out->columns[0], rows, err);
    for (uint32_t i = 0; s == ARM_OK && i < rows; i++)
        ((int64_t *)out->columns[0].data)[i] = (int64_t)k * 1000 + i;
    out->count = rows;
    out->sequence = k;
    if (k % 3 == 0)
        usleep(200); /* uneven batches: threads finish out of order */
    return s;
}

static const op_vtable counting_vtable = {
    .name = "COUNTING",
    .local_create = counting_local_create,
    .source_next = counting_next,
};

static const op_vtable ordered_counting_vtable = {
    .name = "COUNTING_ORDERED",
    .local_create = counting_local_create,
    .source_next = counting_next,
    .source_is_ordered = true,
};

/* Emits each input twice (OP_HAVE_MORE_OUTPUT), the second time with values negated. */
typedef struct twice_local {
    bool second;
} twice_local;

static arm_status twice_local_create(op *o, void **local, arm_error *err)
{
    (void)o;
    *local = calloc(1, sizeof(twice_local));
    return *local ? ARM_OK : error_out_of_memory(err);
}

static void twice_local_destroy(op *o, void *local)
{
    (void)o;
    free(local);
}

static arm_status twice_execute(op *o, void *local, const batch *in, batch *out, op_status *status,
                                arm_error *err)
{
    (void)o;
    twice_local *t = local;
    arm_status s = vector_prepare_flat(&out->columns[0], VECTOR_SIZE, err);
    for (uint32_t i = 0; s == ARM_OK && i < in->count; i++) {
        value v;
        vector_get_value(&in->columns[0], batch_row(in, i), &v);
        ((int64_t *)out->columns[0].data)[i] = t->second ? -v.u.i64 : v.u.i64;
    }
    out->count = in->count;
    *status = t->second ? OP_NEED_INPUT : OP_HAVE_MORE_OUTPUT;
    t->second = !t->second;
    return s;
}

static const op_vtable twice_vtable = {
    .name = "TWICE",
    .local_create = twice_local_create,
    .local_destroy = twice_local_destroy,
    .execute = twice_execute,
};

/* Passes batches through and says OP_FINISHED after `limit` batches (one thread). */
typedef struct stop_op {
    op base;
    uint32_t seen;
    uint32_t limit;
} stop_op;

static arm_status stop_execute(op *o, void *local, const batch *in, batch *out, op_status *status,
                               arm_error *err)
{
    (void)local;
    stop_op *s = (stop_op *)o;
    arm_status st = vector_reference(&out->columns[0], &in->columns[0], err);
    out->count = in->count;
    *status = ++s->seen >= s->limit ? OP_FINISHED : OP_NEED_INPUT;
    return st;
}

static const op_vtable stop_vtable = {.name = "STOP", .execute = stop_execute};

/* Sums values per thread, combines under the lock, checks finalize runs once. */
typedef struct sum_sink {
    op base;
    int64_t total;
    uint64_t rows;
    uint32_t combines;
    uint32_t finalizes;
    _Atomic uint32_t locals;
    int64_t fail_at; /* a value that makes sink() fail, or -1 */
} sum_sink;

typedef struct sum_local {
    int64_t total;
    uint64_t rows;
} sum_local;

static arm_status sum_local_create(op *o, void **local, arm_error *err)
{
    atomic_fetch_add(&((sum_sink *)o)->locals, 1);
    *local = calloc(1, sizeof(sum_local));
    return *local ? ARM_OK : error_out_of_memory(err);
}

static void sum_local_destroy(op *o, void *local)
{
    (void)o;
    free(local);
}

static arm_status sum_sink_batch(op *o, void *local, uint32_t input, const batch *in,
                                 arm_error *err)
{
    (void)input;
    sum_sink *s = (sum_sink *)o;
    sum_local *l = local;
    for (uint32_t i = 0; i < in->count; i++) {
        value v;
        vector_get_value(&in->columns[0], batch_row(in, i), &v);
        if (v.u.i64 == s->fail_at)
            return error_set(err, ARM_ERROR_INVALID_INPUT, "22000", -1, "bad value %lld",
                             (long long)v.u.i64);
        l->total += v.u.i64;
        l->rows++;
    }
    return ARM_OK;
}

static arm_status sum_combine(op *o, void *local, uint32_t input, arm_error *err)
{
    (void)input, (void)err;
    sum_sink *s = (sum_sink *)o;
    sum_local *l = local;
    s->total += l->total;
    s->rows += l->rows;
    s->combines++;
    return ARM_OK;
}

static arm_status sum_finalize(op *o, uint32_t input, arm_error *err)
{
    (void)input, (void)err;
    ((sum_sink *)o)->finalizes++;
    return ARM_OK;
}

static const op_vtable sum_vtable = {
    .name = "SUM_SINK",
    .local_create = sum_local_create,
    .local_destroy = sum_local_destroy,
    .sink = sum_sink_batch,
    .combine = sum_combine,
    .finalize = sum_finalize,
};

/* ---- harness ------------------------------------------------------------------------------ */

typedef struct rig {
    test_query q;
    plan_node *node; /* one BIGINT column, shared by every op */
    result_collector collector;
    pipeline_shared shared;
} rig;

static void rig_init(rig *r, uint32_t threads)
{
    test_query_init(&r->q, pool, threads);
    r->node = plan_node_create(r->q.arena, PLAN_VALUES, 1);
    r->node->types[0] = type_make(TYPE_BIGINT);
    r->node->names[0] = "v";
    memset(&r->collector, 0, sizeof r->collector);
    arm_error err;
    CHECK_OK(result_set_create(&r->collector.result, 1, r->node->names, r->node->types, &err),
             &err);
    pipeline_shared_init(&r->shared, &r->q.ctx, &r->collector);
}

static void rig_dispose(rig *r)
{
    pipeline_shared_dispose(&r->shared);
    result_set_destroy(r->collector.result);
    result_collector_dispose(&r->collector);
    test_query_dispose(&r->q);
}

static void *rig_op(rig *r, size_t size, const op_vtable *vtable)
{
    op *o = arena_zalloc(r->q.arena, size);
    o->vtable = vtable;
    o->plan = r->node;
    o->ctx = &r->q.ctx;
    return o;
}

static counting_source *rig_source(rig *r, uint32_t batches, uint32_t rows, bool ordered)
{
    counting_source *c =
        rig_op(r, sizeof *c, ordered ? &ordered_counting_vtable : &counting_vtable);
    c->batch_count = batches;
    c->rows_per_batch = rows;
    return c;
}

/* ---- tests --------------------------------------------------------------------------------- */

static void test_more_output_and_ordering(void)
{
    for (uint32_t threads = 1; threads <= 4; threads += 3) {
        rig r;
        rig_init(&r, threads);
        pipeline *p = pipeline_create(r.q.arena, NULL, 0);
        p->source = &rig_source(&r, 40, 10, false)->base;
        arm_error err;
        CHECK_OK(pipeline_prepend(r.q.arena, p, rig_op(&r, sizeof(op), &twice_vtable), &err), &err);
        CHECK_OK(pipeline_run(p, &r.shared, &err), &err);
        result_set *rs = r.collector.result;
        CHECK_INT_EQ(rs->row_count, 800);
        int64_t *v = tr_ints(rs, 0);
        int wrong = 0;
        for (uint32_t k = 0; k < 40; k++)
            for (uint32_t i = 0; i < 10; i++) {
                int64_t x = (int64_t)k * 1000 + i;
                wrong += v[k * 20 + i] != x || v[k * 20 + 10 + i] != -x;
            }
        CHECK_INT_EQ(wrong, 0);
        uint32_t b, i;
        CHECK(result_set_locate(rs, 799, &b, &i) && b == rs->batch_count - 1 && i == 9);
        free(v);
        rig_dispose(&r);
    }
}

/*
 * Small result batches are gathered per task into fuller ones (one buffer per
 * column each, not per source batch), in order, with large batches between
 * them delivered as they are: one task and four.
 */
static void test_small_batches_gathered_in_order(void)
{
    for (uint32_t threads = 1; threads <= 4; threads += 3)
        for (uint32_t big_every = 0; big_every <= 7; big_every += 7) {
            rig r;
            rig_init(&r, threads);
            pipeline *p = pipeline_create(r.q.arena, NULL, 0);
            counting_source *source = rig_source(&r, 300, 50, false);
            source->big_every = big_every;
            p->source = &source->base;
            arm_error err;
            CHECK_OK(pipeline_run(p, &r.shared, &err), &err);
            result_set *rs = r.collector.result;
            uint64_t expected_rows = 0;
            for (uint32_t k = 0; k < 300; k++)
                expected_rows += big_every && k % big_every == 0 ? VECTOR_SIZE : 50;
            CHECK_INT_EQ(rs->row_count, expected_rows);
            int64_t *v = tr_ints(rs, 0);
            uint64_t at = 0, wrong = 0;
            for (uint32_t k = 0; k < 300; k++) {
                uint32_t rows = big_every && k % big_every == 0 ? VECTOR_SIZE : 50;
                for (uint32_t i = 0; i < rows; i++)
                    wrong += v[at++] != (int64_t)k * 1000 + i;
            }
            CHECK_INT_EQ(wrong, 0);
            uint32_t big = big_every ? (300 + big_every - 1) / big_every : 0;
            /* one task: 40 small batches fill a gathered one, and a large one ends it; more
             * tasks take batches in turn here (scans hand out runs of them), so fewer join */
            printf("  %u task(s), a large batch every %u: %u result batches\n", threads, big_every,
                   rs->batch_count);
            CHECK(rs->batch_count <= (threads == 1 ? 300 / 40 + 2 * big + 2 : 300));
            free(v);
            rig_dispose(&r);
        }
}

static void test_finished_stops_pipeline(void)
{
    rig r;
    rig_init(&r, 4);
    pipeline *p = pipeline_create(r.q.arena, NULL, 0);
    counting_source *source = rig_source(&r, 1000, 5, true);
    p->source = &source->base;
    stop_op *stop = rig_op(&r, sizeof *stop, &stop_vtable);
    stop->limit = 3;
    arm_error err;
    CHECK_OK(pipeline_prepend(r.q.arena, p, &stop->base, &err), &err);
    CHECK_OK(pipeline_run(p, &r.shared, &err), &err);
    CHECK_INT_EQ(r.collector.result->row_count, 15);
    CHECK_INT_EQ(atomic_load(&source->next), 3);
    CHECK_INT_EQ(atomic_load(&source->locals), 1); /* ordered source: one task */
    rig_dispose(&r);
}

static void test_sink_combine_finalize(void)
{
    for (uint32_t threads = 1; threads <= 4; threads++) {
        rig r;
        rig_init(&r, threads);
        sum_sink *sink = rig_op(&r, sizeof *sink, &sum_vtable);
        sink->fail_at = -1;
        pipeline *p = pipeline_create(r.q.arena, &sink->base, 0);
        p->source = &rig_source(&r, 64, 100, false)->base;
        arm_error err;
        CHECK_OK(pipeline_run(p, &r.shared, &err), &err);
        int64_t expected = 0;
        for (int64_t k = 0; k < 64; k++)
            for (int64_t i = 0; i < 100; i++)
                expected += k * 1000 + i;
        CHECK_INT_EQ(sink->total, expected);
        CHECK_INT_EQ(sink->rows, 6400);
        CHECK_INT_EQ(sink->combines, atomic_load(&sink->locals));
        CHECK(sink->combines >= 1 && sink->combines <= threads);
        CHECK_INT_EQ(sink->finalizes, 1);
        CHECK_INT_EQ(r.collector.result->row_count, 0);
        rig_dispose(&r);
    }
}

static void test_sink_error_stops_everything(void)
{
    for (uint32_t threads = 1; threads <= 4; threads += 3) {
        rig r;
        rig_init(&r, threads);
        sum_sink *sink = rig_op(&r, sizeof *sink, &sum_vtable);
        sink->fail_at = 5003; /* in batch 5 */
        pipeline *p = pipeline_create(r.q.arena, &sink->base, 0);
        counting_source *source = rig_source(&r, 10000, 10, false);
        p->source = &source->base;
        arm_error err;
        CHECK_INT_EQ(pipeline_run(p, &r.shared, &err), ARM_ERROR_INVALID_INPUT);
        CHECK_STR_EQ(err.message, "bad value 5003");
        CHECK_STR_EQ(err.sqlstate, "22000");
        CHECK(atomic_load(&source->next) < 10000);
        CHECK_INT_EQ(sink->finalizes, 0);
        rig_dispose(&r);
    }
}

static void test_tiny_input_stays_on_caller(void)
{
    test_table *small = test_table_create(1500, 2048);
    test_table *big = test_table_create(40 * 500, 500);
    big->delay_us = 2000;
    uint32_t cols[] = {TT_ID};
    test_query q;
    test_query_init(&q, pool, 4);
    arm_error err;
    result_set *rs = NULL;
    CHECK_OK(executor_run(&rs, tp_scan(q.arena, small, cols, 1, NULL), &q.ctx, NULL, &err), &err);
    CHECK_INT_EQ(rs->row_count, 1500);
    CHECK_INT_EQ(atomic_load(&small->threads_seen_mask), 1);
    result_set_destroy(rs);
    CHECK_OK(executor_run(&rs, tp_scan(q.arena, big, cols, 1, NULL), &q.ctx, NULL, &err), &err);
    CHECK_INT_EQ(rs->row_count, 20000);
    CHECK(atomic_load(&big->threads_seen_mask) & 2); /* workers joined in */
    int64_t *ids = tr_ints(rs, 0);
    int wrong = 0;
    for (int64_t i = 0; i < 20000; i++)
        wrong += ids[i] != i;
    CHECK_INT_EQ(wrong, 0);
    free(ids);
    result_set_destroy(rs);
    test_query_dispose(&q);
    tt_destroy(&small->base);
    tt_destroy(&big->base);
}

static void test_collector_order(void)
{
    rig r;
    rig_init(&r, 1);
    arm_error err;
    uint64_t sequences[] = {4, 1, 3, 1, 0};
    batch b;
    logical_type bigint = type_make(TYPE_BIGINT);
    CHECK_OK(batch_init(&b, 1, &bigint, &err), &err);
    for (int k = 0; k < 5; k++) {
        CHECK_OK(vector_prepare_flat(&b.columns[0], k + 1, &err), &err);
        for (int i = 0; i <= k; i++)
            ((int64_t *)b.columns[0].data)[i] = k * 10 + i;
        b.count = (uint32_t)k + 1;
        b.sequence = sequences[k];
        CHECK_OK(result_collector_append(&r.collector, &b, &err), &err);
    }
    batch_dispose(&b);
    CHECK_OK(result_collector_order(&r.collector, 0, &err), &err);
    char *text = tr_text(r.collector.result);
    /* sequence 0: batch 4; 1: batches 1 then 3 (stable); 3: batch 2; 4: batch 0 */
    CHECK_STR_EQ(text, "40\n41\n42\n43\n44\n10\n11\n30\n31\n32\n33\n20\n21\n22\n0\n");
    free(text);
    CHECK_INT_EQ(r.collector.result->batch_first_row[2], 7);
    rig_dispose(&r);
}

typedef struct appender_arg {
    rig *r;
    pthread_mutex_t *lock;
    int first; /* this thread's batches have sequences first, first + 4, ... */
    int failed;
} appender_arg;

static void *append_main(void *p)
{
    appender_arg *a = p;
    arm_error err;
    batch b;
    logical_type bigint = type_make(TYPE_BIGINT);
    a->failed += batch_init(&b, 1, &bigint, &err) != ARM_OK;
    for (int k = a->first; k < 200; k += 4) {
        a->failed += vector_prepare_flat(&b.columns[0], 3, &err) != ARM_OK;
        for (int i = 0; i < 3; i++)
            ((int64_t *)b.columns[0].data)[i] = k * 3 + i;
        b.count = 3;
        b.sequence = (uint64_t)k;
        a->failed += result_collector_append_locked(&a->r->collector, a->lock, &b, &err) != ARM_OK;
    }
    batch_dispose(&b);
    return NULL;
}

/* Threads append through one lock (rows copied outside it): nothing lost, order restored. */
static void test_collector_append_locked(void)
{
    rig r;
    rig_init(&r, 1);
    pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    pthread_t threads[4];
    appender_arg args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (appender_arg){&r, &lock, i, 0};
        CHECK_INT_EQ(pthread_create(&threads[i], NULL, append_main, &args[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
        CHECK_INT_EQ(args[i].failed, 0);
    }
    arm_error err;
    CHECK_OK(result_collector_order(&r.collector, 0, &err), &err);
    result_set *rs = r.collector.result;
    CHECK_INT_EQ(rs->row_count, 600);
    int64_t *v = tr_ints(rs, 0);
    int wrong = 0;
    for (int i = 0; i < 600; i++)
        wrong += v[i] != i;
    CHECK_INT_EQ(wrong, 0);
    CHECK_INT_EQ(rs->batch_first_row[199], 597);
    free(v);
    rig_dispose(&r);
}

typedef struct concurrent_arg {
    test_table *t;
    int wrong;
} concurrent_arg;

static void *concurrent_main(void *p)
{
    concurrent_arg *c = p;
    for (int round = 0; round < 10; round++) {
        test_query q;
        test_query_init(&q, pool, 4);
        uint32_t cols[] = {TT_ID, TT_GRP};
        expr *pred = tx_call(q.arena, "=", tx_column(q.arena, type_make(TYPE_INTEGER), 1),
                             tx_int(q.arena, round % 7));
        arm_error err;
        result_set *rs = NULL;
        if (executor_run(&rs, tp_scan(q.arena, c->t, cols, 2, pred), &q.ctx, NULL, &err) !=
            ARM_OK) {
            c->wrong++;
        } else {
            int64_t *ids = tr_ints(rs, 0);
            uint64_t n = 0;
            for (int64_t id = round % 7; id < 30000; id += 7)
                c->wrong += n >= rs->row_count || ids[n++] != id;
            c->wrong += n != rs->row_count;
            free(ids);
        }
        result_set_destroy(rs);
        test_query_dispose(&q);
    }
    return NULL;
}

static void test_concurrent_queries(void)
{
    enum { CLIENTS = 4 };
    test_table *t = test_table_create(30000, 1000);
    pthread_t threads[CLIENTS];
    concurrent_arg args[CLIENTS];
    for (int i = 0; i < CLIENTS; i++) {
        args[i] = (concurrent_arg){t, 0};
        CHECK_INT_EQ(pthread_create(&threads[i], NULL, concurrent_main, &args[i]), 0);
    }
    for (int i = 0; i < CLIENTS; i++) {
        pthread_join(threads[i], NULL);
        CHECK_INT_EQ(args[i].wrong, 0);
    }
    tt_destroy(&t->base);
}

static void setup(void)
{
    arm_error err;
    CHECK_OK(thread_pool_create(&pool, 3, &err), &err);
}

static void teardown(void)
{
    thread_pool_destroy(pool);
}

TEST_MAIN(setup, test_collector_append_locked, test_more_output_and_ordering,
          test_small_batches_gathered_in_order, test_finished_stops_pipeline,
          test_sink_combine_finalize, test_sink_error_stops_everything,
          test_tiny_input_stays_on_caller, test_collector_order, test_concurrent_queries, teardown)
