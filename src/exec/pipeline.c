/*
 * pipeline.c: runs one pipeline. The calling thread starts as task 0 and
 * processes the first batch itself; only when the source has a second batch
 * does the pipeline fan out to ctx->thread_count tasks on the pool (task 0
 * carries on with the caller's state), so tiny inputs never pay a thread
 * hand-off. Each task pulls batches, pushes them through the streaming
 * operators and sinks them, then combines its local state under the lock.
 */
#include "exec/pipeline.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/thread_pool.h"
#include "exec/op_internal.h"

/* ---- result collector -------------------------------------------------------------- */

/* Bytes a result batch holds, for the memory budget (strings: the views only). */
static int64_t batch_bytes(const batch *b)
{
    int64_t bytes = 0;
    for (uint32_t c = 0; c < b->column_count; c++)
        bytes += (int64_t)type_physical_size(b->columns[c].type) * b->count + b->count / 8 + 64;
    return bytes;
}

/* Adds a batch kept in result form, with its source sequence. */
static arm_status collector_add_kept(result_collector *c, batch *kept, uint64_t sequence,
                                     arm_error *err)
{
    uint32_t index = c->result->batch_count;
    if (index == c->sequence_capacity) {
        uint32_t capacity = c->sequence_capacity ? c->sequence_capacity * 2 : 16;
        uint64_t *grown = realloc(c->sequences, capacity * sizeof *grown);
        if (grown == NULL)
            return error_out_of_memory(err);
        c->sequences = grown;
        c->sequence_capacity = capacity;
    }
    arm_status s = result_set_append_kept(c->result, kept, err);
    if (s == ARM_OK)
        c->sequences[index] = sequence;
    return s;
}

arm_status result_collector_append(result_collector *c, const batch *b, arm_error *err)
{
    return result_collector_append_locked(c, NULL, b, err);
}

arm_status result_collector_append_locked(result_collector *c, pthread_mutex_t *lock,
                                          const batch *b, arm_error *err)
{
    arm_status s;
    if (b->count == 0)
        return ARM_OK;
    if (c->budget != NULL && (s = memory_budget_reserve_or_error(c->budget, batch_bytes(b),
                                                                 "query result", err)) != ARM_OK)
        return s;
    batch kept;
    if ((s = result_set_keep_batch(&kept, c->result, b, err)) != ARM_OK)
        return s;
    if (lock != NULL)
        pthread_mutex_lock(lock);
    s = collector_add_kept(c, &kept, b->sequence, err);
    if (lock != NULL)
        pthread_mutex_unlock(lock);
    if (s != ARM_OK)
        batch_dispose(&kept);
    return s;
}

typedef struct sequence_entry {
    uint64_t sequence;
    uint32_t index;
} sequence_entry;

static int compare_sequence_entries(const void *a, const void *b)
{
    const sequence_entry *x = a, *y = b;
    if (x->sequence != y->sequence)
        return x->sequence < y->sequence ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

arm_status result_collector_order(result_collector *c, uint32_t first_batch, arm_error *err)
{
    result_set *r = c->result;
    uint32_t n = r->batch_count - first_batch;
    bool sorted = true;
    for (uint32_t i = first_batch + 1; i < r->batch_count && sorted; i++)
        sorted = c->sequences[i - 1] <= c->sequences[i];
    if (sorted)
        return ARM_OK;
    sequence_entry *entries = malloc(n * sizeof *entries);
    batch *moved = malloc(n * sizeof *moved);
    if (entries == NULL || moved == NULL) {
        free(entries);
        free(moved);
        return error_out_of_memory(err);
    }
    for (uint32_t i = 0; i < n; i++)
        entries[i] = (sequence_entry){c->sequences[first_batch + i], first_batch + i};
    qsort(entries, n, sizeof *entries, compare_sequence_entries);
    for (uint32_t i = 0; i < n; i++)
        moved[i] = r->batches[entries[i].index];
    uint64_t row = first_batch < r->batch_count ? r->batch_first_row[first_batch] : 0;
    for (uint32_t i = 0; i < n; i++) {
        r->batches[first_batch + i] = moved[i];
        c->sequences[first_batch + i] = entries[i].sequence;
        r->batch_first_row[first_batch + i] = row;
        row += moved[i].count;
    }
    free(entries);
    free(moved);
    return ARM_OK;
}

void result_collector_dispose(result_collector *c)
{
    free(c->sequences);
    c->sequences = NULL;
    c->sequence_capacity = 0;
}

/* ---- building ------------------------------------------------------------------------ */

pipeline *pipeline_create(arena *a, op *sink, uint32_t sink_input)
{
    pipeline *p = arena_zalloc(a, sizeof *p);
    if (p != NULL) {
        p->sink = sink;
        p->sink_input = sink_input;
    }
    return p;
}

arm_status pipeline_prepend(arena *a, pipeline *p, op *o, arm_error *err)
{
    if (p->op_count == p->op_capacity) {
        uint32_t capacity = p->op_capacity ? p->op_capacity * 2 : 4;
        op **grown =
            arena_realloc(a, p->ops, p->op_capacity * sizeof *grown, capacity * sizeof *grown);
        if (grown == NULL)
            return error_out_of_memory(err);
        p->ops = grown;
        p->op_capacity = capacity;
    }
    memmove(p->ops + 1, p->ops, p->op_count * sizeof *p->ops);
    p->ops[0] = o;
    p->op_count++;
    if (o->plan->kind == PLAN_LIMIT)
        p->is_serial = true;
    return ARM_OK;
}

void pipeline_shared_init(pipeline_shared *s, query_context *ctx, result_collector *collector)
{
    memset(s, 0, sizeof *s); /* stream: NULL, materializing */
    s->ctx = ctx;
    s->collector = collector;
    pthread_mutex_init(&s->lock, NULL);
    arm_error_clear(&s->first_error);
}

void pipeline_shared_dispose(pipeline_shared *s)
{
    pthread_mutex_destroy(&s->lock);
}

/* ---- running ------------------------------------------------------------------------- */

/* One thread's state for one pipeline. */
typedef struct task_state {
    uint32_t index;
    void *source_local;
    void **op_locals; /* op_count */
    void *sink_local;
    batch *outputs;         /* op_count, one per streaming op */
    uint32_t outputs_ready; /* how many of `outputs` are initialized */
    batch input;            /* the source's batch */
    bool input_ready;       /* `input` initialized */
    bool has_pending;       /* `input` holds a batch not pushed yet */
    bool is_source_done;    /* the source returned an empty batch */
    batch gathered;         /* small result batches of consecutive sequences, in result form */
    uint64_t gathered_first, gathered_last; /* their first and last sequences */
} task_state;

typedef struct pipeline_run_state {
    pipeline *p;
    pipeline_shared *shared;
    query_context *ctx;
    task_state *tasks;
    _Atomic bool finished; /* an operator said OP_FINISHED */
    bool profile;
    result_stream *stream; /* this pipeline streams the query result; else NULL */
} pipeline_run_state;

static void record_error(pipeline_shared *shared, arm_status s, const arm_error *err)
{
    pthread_mutex_lock(&shared->lock);
    if (!atomic_load(&shared->failed)) {
        shared->first_status = s;
        shared->first_error = *err;
        atomic_store(&shared->failed, true);
    }
    pthread_mutex_unlock(&shared->lock);
    if (shared->stream != NULL)
        result_stream_wake(shared->stream);
}

static void profile_add(op *o, uint64_t rows, uint64_t start_ns)
{
    atomic_fetch_add_explicit(&o->profile.rows_out, rows, memory_order_relaxed);
    atomic_fetch_add_explicit(&o->profile.time_ns, op_clock_ns() - start_ns, memory_order_relaxed);
}

/*
 * Result batches with fewer rows than this (a selective filter leaves a few
 * rows of each) are gathered per task into fuller ones: each kept batch has
 * a buffer per column, and a 5% filter over 10M rows made 49,000 of them,
 * allocated by the workers and freed one by one when the result went.
 */
#define GATHER_BELOW_ROWS (VECTOR_SIZE / 2)

/* Hands the task's gathered rows to the collector, under its first sequence. */
static arm_status deliver_gathered(pipeline_run_state *run, task_state *t, arm_error *err)
{
    if (t->gathered.count == 0)
        return ARM_OK;
    pthread_mutex_lock(&run->shared->lock);
    arm_status s = collector_add_kept(run->shared->collector, &t->gathered, t->gathered_first, err);
    pthread_mutex_unlock(&run->shared->lock);
    if (s != ARM_OK)
        batch_dispose(&t->gathered);
    memset(&t->gathered, 0, sizeof t->gathered);
    return s;
}

/*
 * A batch for the collector. Small ones join the task's gathered rows when
 * their sequence follows the last one's: nothing another task delivers can
 * fall between them, so the gathered batch under its first sequence keeps
 * the order (sources number a morsel's batches consecutively).
 */
static arm_status collect(pipeline_run_state *run, task_state *t, const batch *b, arm_error *err)
{
    result_collector *c = run->shared->collector;
    if (b->count == 0)
        return ARM_OK;
    bool small = b->count < GATHER_BELOW_ROWS;
    bool follows = small && t->gathered.count > 0 && b->sequence == t->gathered_last + 1 &&
                   t->gathered.count + b->count <= VECTOR_SIZE;
    arm_status s = follows ? ARM_OK : deliver_gathered(run, t, err);
    if (s != ARM_OK)
        return s;
    if (!small)
        return result_collector_append_locked(c, &run->shared->lock, b, err);
    if (c->budget != NULL && (s = memory_budget_reserve_or_error(c->budget, batch_bytes(b),
                                                                 "query result", err)) != ARM_OK)
        return s;
    if (t->gathered.count == 0)
        t->gathered_first = b->sequence;
    t->gathered_last = b->sequence;
    return result_set_gather_rows(&t->gathered, c->result, b, err);
}

static arm_status sink_batch(pipeline_run_state *run, task_state *t, const batch *b, arm_error *err)
{
    pipeline *p = run->p;
    if (run->stream != NULL) /* the last pipeline, streaming the result */
        return result_stream_add(run->stream, t->index, b, err);
    if (p->sink == NULL)
        return collect(run, t, b, err);
    uint64_t start = run->profile ? op_clock_ns() : 0;
    arm_status s = p->sink->vtable->sink(p->sink, t->sink_local, p->sink_input, b, err);
    if (run->profile)
        profile_add(p->sink, 0, start);
    return s;
}

static bool should_stop(pipeline_run_state *run)
{
    return atomic_load_explicit(&run->finished, memory_order_relaxed) ||
           atomic_load_explicit(&run->shared->failed, memory_order_relaxed);
}

/* Pushes `in` through streaming operator k and everything after it. */
static arm_status push(pipeline_run_state *run, task_state *t, uint32_t k, const batch *in,
                       arm_error *err)
{
    pipeline *p = run->p;
    if (k == p->op_count)
        return sink_batch(run, t, in, err);
    op *o = p->ops[k];
    batch *out = &t->outputs[k];
    for (;;) {
        op_status status = OP_NEED_INPUT;
        batch_reset(out);
        uint64_t start = run->profile ? op_clock_ns() : 0;
        arm_status s = o->vtable->execute(o, t->op_locals[k], in, out, &status, err);
        if (s != ARM_OK)
            return s;
        if (run->profile)
            profile_add(o, out->count, start);
        out->sequence = in->sequence;
        if (out->count > 0 && (s = push(run, t, k + 1, out, err)) != ARM_OK)
            return s;
        if (status == OP_FINISHED) {
            atomic_store(&run->finished, true);
            return ARM_OK;
        }
        if (status != OP_HAVE_MORE_OUTPUT || should_stop(run))
            return ARM_OK;
    }
}

/* Pulls the next batch from the source into t->input. */
static arm_status pull(pipeline_run_state *run, task_state *t, arm_error *err)
{
    op *source = run->p->source;
    arm_status s = op_check_interrupt(run->ctx, err);
    if (s != ARM_OK)
        return s;
    batch_reset(&t->input);
    uint64_t start = run->profile ? op_clock_ns() : 0;
    s = source->vtable->source_next(source, t->source_local, &t->input, err);
    if (s != ARM_OK)
        return s;
    if (run->profile)
        profile_add(source, t->input.count, start);
    t->is_source_done = t->input.count == 0;
    if (run->stream == NULL)
        return ARM_OK;
    if (t->is_source_done) /* it delivers nothing more */
        return result_stream_leave(run->stream, t->index, err);
    result_stream_pulled(run->stream, t->index, t->input.sequence);
    return ARM_OK;
}

/*
 * Pushes t->input through the pipeline. When streaming the result, then
 * delivers what that batch unblocked and pulls the next batch before letting
 * the sink work outside the locks (so while this task works, its floor is
 * the batch it will push next, usually a new morsel, and the other tasks'
 * rows are not held up behind it). A task that ran too far ahead works and
 * waits by turns until the tasks behind it caught up.
 */
static arm_status push_input(pipeline_run_state *run, task_state *t, arm_error *err)
{
    uint64_t sequence = t->input.sequence;
    arm_status s = push(run, t, 0, &t->input, err);
    result_stream *stream = run->stream;
    if (s != ARM_OK || stream == NULL)
        return s;
    if ((s = result_stream_pushed(stream, t->index, sequence, err)) != ARM_OK)
        return s;
    if (!should_stop(run) && (s = pull(run, t, err)) != ARM_OK)
        return s;
    t->has_pending = !t->is_source_done && !should_stop(run);
    do {
        bool is_behind = result_stream_is_behind(stream, t->index);
        if (stream->sink->work != NULL &&
            (s = stream->sink->work(stream->sink->context, is_behind, err)) != ARM_OK)
            return s;
    } while (result_stream_pause(stream, t->index));
    return ARM_OK;
}

static arm_status task_init(pipeline_run_state *run, task_state *t, arm_error *err)
{
    pipeline *p = run->p;
    op *source = p->source;
    arm_status s = batch_init(&t->input, source->plan->column_count, source->plan->types, err);
    t->input_ready = s == ARM_OK;
    if (s == ARM_OK && source->vtable->local_create)
        s = source->vtable->local_create(source, &t->source_local, err);
    for (uint32_t k = 0; s == ARM_OK && k < p->op_count; k++) {
        op *o = p->ops[k];
        if (o->vtable->local_create)
            s = o->vtable->local_create(o, &t->op_locals[k], err);
        if (s == ARM_OK &&
            (s = batch_init(&t->outputs[k], o->plan->column_count, o->plan->types, err)) == ARM_OK)
            t->outputs_ready++;
    }
    if (s == ARM_OK && p->sink != NULL && p->sink->vtable->local_create)
        s = p->sink->vtable->local_create(p->sink, &t->sink_local, err);
    return s;
}

static void task_dispose(pipeline_run_state *run, task_state *t)
{
    pipeline *p = run->p;
    if (t->source_local && p->source->vtable->local_destroy)
        p->source->vtable->local_destroy(p->source, t->source_local);
    for (uint32_t k = 0; k < p->op_count; k++)
        if (t->op_locals[k] && p->ops[k]->vtable->local_destroy)
            p->ops[k]->vtable->local_destroy(p->ops[k], t->op_locals[k]);
    for (uint32_t k = 0; k < t->outputs_ready; k++)
        batch_dispose(&t->outputs[k]);
    if (t->sink_local && p->sink->vtable->local_destroy)
        p->sink->vtable->local_destroy(p->sink, t->sink_local);
    if (t->input_ready)
        batch_dispose(&t->input);
    if (t->gathered.columns != NULL) /* not delivered: the query failed */
        batch_dispose(&t->gathered);
}

/* Pushes the pending batch, if any, then pulls and pushes until the source is done. */
static arm_status task_drive(pipeline_run_state *run, task_state *t, arm_error *err)
{
    arm_status s = ARM_OK;
    while (!should_stop(run)) {
        if (!t->has_pending) {
            if (t->is_source_done) /* push_input pulled ahead */
                return s;
            if ((s = pull(run, t, err)) != ARM_OK || t->is_source_done)
                return s;
        }
        t->has_pending = false;
        if ((s = push_input(run, t, err)) != ARM_OK)
            return s;
    }
    return s;
}

/* Handles the first batch, then peeks at the second: pending when the source has more. */
static arm_status task_probe(pipeline_run_state *run, task_state *t, arm_error *err)
{
    arm_status s = pull(run, t, err);
    if (s != ARM_OK || t->is_source_done)
        return s;
    if ((s = push_input(run, t, err)) != ARM_OK || should_stop(run))
        return s;
    if (run->stream == NULL && (s = pull(run, t, err)) != ARM_OK)
        return s;
    t->has_pending = !t->is_source_done;
    return ARM_OK;
}

static arm_status task_combine(pipeline_run_state *run, task_state *t, arm_error *err)
{
    pipeline *p = run->p;
    if (p->sink == NULL) /* the collector's: what the task gathered (nothing when streaming) */
        return deliver_gathered(run, t, err);
    if (p->sink->vtable->combine == NULL)
        return ARM_OK;
    uint64_t start = run->profile ? op_clock_ns() : 0;
    pthread_mutex_lock(&run->shared->lock);
    arm_status s = p->sink->vtable->combine(p->sink, t->sink_local, p->sink_input, err);
    pthread_mutex_unlock(&run->shared->lock);
    if (run->profile)
        profile_add(p->sink, 0, start);
    return s;
}

/* Disposes the task and records its error; a streaming task delivers what its end allows. */
static void task_end(pipeline_run_state *run, task_state *t, arm_status s, arm_error *err)
{
    task_dispose(run, t);
    if (run->stream != NULL) {
        arm_error leave_err;
        arm_error_clear(&leave_err);
        arm_status left = result_stream_leave(run->stream, t->index, &leave_err);
        if (s == ARM_OK && left != ARM_OK) {
            s = left;
            *err = leave_err;
        }
    }
    if (s != ARM_OK)
        record_error(run->shared, s, err);
}

/* Thread pool entry: task 0 continues the caller's state, others start fresh. */
static void run_task(void *context, uint32_t index)
{
    pipeline_run_state *run = context;
    task_state *t = &run->tasks[index];
    arm_error err;
    arm_error_clear(&err);
    if (index != 0 && run->stream != NULL)
        result_stream_join(run->stream, index);
    arm_status s = index == 0 ? ARM_OK : task_init(run, t, &err);
    if (s == ARM_OK)
        s = task_drive(run, t, &err);
    if (s == ARM_OK && !atomic_load(&run->shared->failed))
        s = task_combine(run, t, &err);
    task_end(run, t, s, &err);
}

static uint32_t choose_task_count(const pipeline *p, const query_context *ctx)
{
    if (ctx->pool == NULL || ctx->thread_count <= 1 || p->is_serial ||
        p->source->vtable->source_is_ordered)
        return 1;
    return ctx->thread_count;
}

static arm_status allocate_tasks(pipeline_run_state *run, uint32_t count, arm_error *err)
{
    arena *a = run->ctx->arena;
    uint32_t ops = run->p->op_count ? run->p->op_count : 1;
    run->tasks = arena_zalloc(a, count * sizeof *run->tasks);
    void **locals = arena_zalloc(a, (size_t)count * ops * sizeof *locals);
    batch *outputs = arena_zalloc(a, (size_t)count * ops * sizeof *outputs);
    if (run->tasks == NULL || locals == NULL || outputs == NULL)
        return error_out_of_memory(err);
    for (uint32_t i = 0; i < count; i++) {
        run->tasks[i].index = i;
        run->tasks[i].op_locals = locals + (size_t)i * ops;
        run->tasks[i].outputs = outputs + (size_t)i * ops;
    }
    return ARM_OK;
}

/* Runs the tasks; returns how many ran (1 when the input fit in one batch). */
static uint32_t run_tasks(pipeline_run_state *run, uint32_t task_count)
{
    task_state *first = &run->tasks[0];
    arm_error err;
    arm_error_clear(&err);
    arm_status s = task_init(run, first, &err);
    if (s == ARM_OK)
        s = task_probe(run, first, &err);
    if (s == ARM_OK && first->has_pending && task_count > 1 && !should_stop(run)) {
        thread_pool_run(run->ctx->pool, task_count, run_task, run);
        return task_count;
    }
    if (s == ARM_OK)
        s = task_drive(run, first, &err);
    if (s == ARM_OK && !atomic_load(&run->shared->failed))
        s = task_combine(run, first, &err);
    task_end(run, first, s, &err);
    return 1;
}

static arm_status finish(pipeline_run_state *run, uint32_t first_batch, uint32_t tasks_run,
                         arm_error *err)
{
    pipeline *p = run->p;
    if (run->stream != NULL)
        return ARM_OK;
    if (p->sink == NULL)
        return tasks_run > 1 ? result_collector_order(run->shared->collector, first_batch, err)
                             : ARM_OK;
    if (p->defer_finalize || p->sink->vtable->finalize == NULL)
        return ARM_OK;
    uint64_t start = run->profile ? op_clock_ns() : 0;
    arm_status s = p->sink->vtable->finalize(p->sink, p->sink_input, err);
    if (run->profile)
        profile_add(p->sink, 0, start);
    return s;
}

arm_status pipeline_run(pipeline *p, pipeline_shared *shared, arm_error *err)
{
    query_context *ctx = shared->ctx;
    pipeline_run_state run = {.p = p, .shared = shared, .ctx = ctx, .profile = ctx->profile};
    atomic_init(&run.finished, false);
    uint32_t task_count = choose_task_count(p, ctx);
    arm_status s = allocate_tasks(&run, task_count, err);
    if (s == ARM_OK && p->sink == NULL && shared->stream != NULL) {
        run.stream = shared->stream;
        s = result_stream_begin(run.stream, task_count, err);
    }
    if (s != ARM_OK)
        return s;
    uint32_t first_batch = shared->collector->result->batch_count;
    uint32_t tasks_run = run_tasks(&run, task_count);
    if (atomic_load(&shared->failed)) {
        *err = shared->first_error;
        return shared->first_status;
    }
    return finish(&run, first_batch, tasks_run, err);
}
