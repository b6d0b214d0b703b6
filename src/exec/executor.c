/*
 * executor.c: runs a physical plan. The plan is split into pipelines
 * (source -> streaming operators -> sink) in dependency order; each pipeline
 * runs as one task per thread on the pool, every task pulling morsels from
 * the shared source with its own operator state, then the sink combines and
 * finalizes. The last pipeline's sink collects the result, ordered by the
 * batches' source sequence so results keep insertion order.
 */
#include "exec/executor.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/thread_pool.h"
#include "exec/op_internal.h"
#include "vector/value_set.h"

typedef struct pipeline pipeline;

struct pipeline {
    op *source;
    op **ops; /* streaming operators, in order */
    uint32_t op_count;
    uint32_t op_capacity;
    op *sink; /* NULL: the result collector */
    uint32_t sink_input;
    pipeline **followers; /* run right after this one (RIGHT/FULL join tails) */
    uint32_t follower_count;
    bool defer_finalize; /* a follower feeds the same sink and finalizes it */
};

typedef struct collected_batch {
    uint64_t sequence;
    uint32_t index; /* position in the result */
} collected_batch;

typedef struct executor {
    query_context *ctx;
    plan_node *root;
    op **ops_by_node;
    uint32_t node_count;
    pipeline **order;
    uint32_t pipeline_count;
    uint32_t pipeline_capacity;
    result_set *result;
    uint64_t *result_sequences;
    pthread_mutex_t lock;
    _Atomic bool failed;
    arm_error first_error;
    arm_status first_status;
} executor;

/* ---- plan walking ---------------------------------------------------------- */

static void number_nodes(plan_node *node, uint32_t *next)
{
    node->id = (*next)++;
    for (uint32_t i = 0; i < node->child_count; i++)
        number_nodes(node->children[i], next);
}

void plan_node_for_each_expr(plan_node *node, void (*fn)(expr *e, void *context), void *context)
{
#define VISIT(x)                                                                                   \
    do {                                                                                           \
        if ((x) != NULL)                                                                           \
            fn((x), context);                                                                      \
    } while (0)
    switch (node->kind) {
    case PLAN_TABLE_SCAN: VISIT(node->u.scan.predicate); break;
    case PLAN_VALUES:
        for (uint32_t i = 0; i < node->u.values.row_count * node->column_count; i++)
            VISIT(node->u.values.rows[i]);
        break;
    case PLAN_FILTER: VISIT(node->u.filter.predicate); break;
    case PLAN_PROJECT:
        for (uint32_t i = 0; i < node->column_count; i++)
            VISIT(node->u.project.exprs[i]);
        break;
    case PLAN_HASH_AGGREGATE:
        for (uint32_t i = 0; i < node->u.aggregate.group_count; i++)
            VISIT(node->u.aggregate.groups[i]);
        for (uint32_t i = 0; i < node->u.aggregate.aggregate_count; i++) {
            for (uint32_t k = 0; k < node->u.aggregate.aggregates[i].arg_count; k++)
                VISIT(node->u.aggregate.aggregates[i].args[k]);
            VISIT(node->u.aggregate.aggregates[i].filter);
        }
        break;
    case PLAN_HASH_JOIN:
    case PLAN_NESTED_LOOP_JOIN:
        for (uint32_t i = 0; i < node->u.join.key_count; i++) {
            VISIT(node->u.join.left_keys[i]);
            VISIT(node->u.join.right_keys[i]);
        }
        VISIT(node->u.join.condition);
        break;
    case PLAN_SORT:
    case PLAN_TOP_N:
        for (uint32_t i = 0; i < node->u.sort.key_count; i++)
            VISIT(node->u.sort.keys[i].key);
        break;
    default: break;
    }
#undef VISIT
}

/* ---- uncorrelated subqueries ------------------------------------------------- */

typedef struct subquery_walk {
    query_context *ctx;
    arm_error *err;
    arm_status status;
} subquery_walk;

static void find_subqueries(expr *e, void *context);
static arm_status executor_run_inner(result_set **out, plan_node *plan, query_context *ctx,
                                     plan_profile *profile_out, arm_error *err);

static arm_status run_subquery(subquery_walk *w, expr *e)
{
    query_context *ctx = w->ctx;
    uint32_t id = e->u.subquery.id;
    if (id >= ctx->subquery_count)
        return error_internal(w->err, "subquery id out of range");
    if (ctx->subquery_results[id].type.id != TYPE_INVALID || ctx->subquery_sets[id] != NULL)
        return ARM_OK; /* already computed */
    result_set *rs = NULL;
    query_context sub = *ctx;
    sub.profile = false;
    arm_status s = executor_run(&rs, e->u.subquery.plan, &sub, NULL, w->err);
    if (s != ARM_OK)
        return s;
    value *out = &ctx->subquery_results[id];
    switch (e->u.subquery.kind) {
    case SUBQUERY_EXISTS: *out = value_boolean(rs->row_count > 0); break;
    case SUBQUERY_SCALAR:
        if (rs->row_count > 1) {
            s = error_set(w->err, ARM_ERROR_INVALID_INPUT, "21000", e->position,
                          "more than one row returned by a subquery used as an expression");
        } else if (rs->row_count == 0) {
            *out = value_null(e->type);
        } else {
            value v;
            vector_get_value(&rs->batches[0].columns[0], 0, &v);
            if (!v.is_null && type_is_string(v.type.id)) {
                char *copy = arena_strndup(ctx->arena, v.u.str.data, v.u.str.length);
                if (copy == NULL)
                    s = error_out_of_memory(w->err);
                v.u.str.data = copy;
            }
            v.type = e->type;
            *out = v;
        }
        break;
    case SUBQUERY_IN: {
        subquery_set *set = NULL;
        s = value_set_create(&set, rs->column_types[0], w->err);
        for (uint32_t b = 0; s == ARM_OK && b < rs->batch_count; b++)
            s = value_set_insert_vector(set, &rs->batches[b].columns[0], NULL, rs->batches[b].count,
                                        w->err);
        if (s == ARM_OK) {
            ctx->subquery_sets[id] = set;
            *out = value_boolean(true); /* marks it computed */
        } else {
            value_set_destroy(set);
        }
        break;
    }
    }
    result_set_destroy(rs);
    return s;
}

static void walk_expr_for_subqueries(expr *e, subquery_walk *w)
{
    if (w->status != ARM_OK || e == NULL)
        return;
    if (e->kind == EXPR_SUBQUERY) {
        walk_expr_for_subqueries(e->u.subquery.child, w);
        if (w->status == ARM_OK)
            w->status = run_subquery(w, e);
        return;
    }
    switch (e->kind) {
    case EXPR_CAST: walk_expr_for_subqueries(e->u.cast.child, w); break;
    case EXPR_FUNCTION:
        for (uint32_t i = 0; i < e->u.function.arg_count; i++)
            walk_expr_for_subqueries(e->u.function.args[i], w);
        break;
    case EXPR_AND:
    case EXPR_OR:
    case EXPR_COALESCE:
    case EXPR_IS_DISTINCT:
    case EXPR_IS_NOT_DISTINCT:
        for (uint32_t i = 0; i < e->u.list.count; i++)
            walk_expr_for_subqueries(e->u.list.args[i], w);
        break;
    case EXPR_NOT:
    case EXPR_IS_NULL:
    case EXPR_IS_NOT_NULL: walk_expr_for_subqueries(e->u.unary.child, w); break;
    case EXPR_CASE:
        for (uint32_t i = 0; i < e->u.case_.count; i++) {
            walk_expr_for_subqueries(e->u.case_.when[i], w);
            walk_expr_for_subqueries(e->u.case_.then[i], w);
        }
        walk_expr_for_subqueries(e->u.case_.otherwise, w);
        break;
    case EXPR_IN_LIST:
        walk_expr_for_subqueries(e->u.in_list.child, w);
        for (uint32_t i = 0; i < e->u.in_list.count; i++)
            walk_expr_for_subqueries(e->u.in_list.list[i], w);
        break;
    default: break;
    }
}

static void find_subqueries(expr *e, void *context)
{
    walk_expr_for_subqueries(e, context);
}

static arm_status run_subqueries(plan_node *node, subquery_walk *w)
{
    plan_node_for_each_expr(node, find_subqueries, w);
    for (uint32_t i = 0; w->status == ARM_OK && i < node->child_count; i++)
        run_subqueries(node->children[i], w);
    return w->status;
}

/* ---- building pipelines -------------------------------------------------------- */

static pipeline *pipeline_new(executor *ex, op *sink, uint32_t sink_input, arm_error *err)
{
    pipeline *p = arena_zalloc(ex->ctx->arena, sizeof *p);
    if (p == NULL) {
        error_out_of_memory(err);
        return NULL;
    }
    p->sink = sink;
    p->sink_input = sink_input;
    return p;
}

static arm_status pipeline_prepend(executor *ex, pipeline *p, op *o, arm_error *err)
{
    if (p->op_count == p->op_capacity) {
        uint32_t capacity = p->op_capacity ? p->op_capacity * 2 : 4;
        op **grown = arena_realloc(ex->ctx->arena, p->ops, p->op_capacity * sizeof *grown,
                                   capacity * sizeof *grown);
        if (grown == NULL)
            return error_out_of_memory(err);
        p->ops = grown;
        p->op_capacity = capacity;
    }
    memmove(p->ops + 1, p->ops, p->op_count * sizeof *p->ops);
    p->ops[0] = o;
    p->op_count++;
    return ARM_OK;
}

static arm_status schedule(executor *ex, pipeline *p, arm_error *err)
{
    if (ex->pipeline_count == ex->pipeline_capacity) {
        uint32_t capacity = ex->pipeline_capacity ? ex->pipeline_capacity * 2 : 8;
        pipeline **grown =
            arena_realloc(ex->ctx->arena, ex->order, ex->pipeline_capacity * sizeof *grown,
                          capacity * sizeof *grown);
        if (grown == NULL)
            return error_out_of_memory(err);
        ex->order = grown;
        ex->pipeline_capacity = capacity;
    }
    ex->order[ex->pipeline_count++] = p;
    for (uint32_t i = 0; i < p->follower_count; i++) {
        arm_status s = schedule(ex, p->followers[i], err);
        if (s != ARM_OK)
            return s;
    }
    return ARM_OK;
}

static arm_status create_op(executor *ex, plan_node *node, op **out, arm_error *err)
{
    query_context *ctx = ex->ctx;
    arm_status s;
    switch (node->kind) {
    case PLAN_TABLE_SCAN: s = op_table_scan_create(out, node, ctx, err); break;
    case PLAN_VALUES:
    case PLAN_EMPTY: s = op_values_create(out, node, ctx, err); break;
    case PLAN_FILTER: s = op_filter_create(out, node, ctx, err); break;
    case PLAN_PROJECT: s = op_project_create(out, node, ctx, err); break;
    case PLAN_LIMIT: s = op_limit_create(out, node, ctx, err); break;
    case PLAN_UNION_ALL: s = op_union_all_create(out, node, ctx, err); break;
    case PLAN_INSERT:
    case PLAN_DELETE:
    case PLAN_UPDATE: s = op_modify_create(out, node, ctx, err); break;
    case PLAN_HASH_AGGREGATE:
    case PLAN_DISTINCT: s = op_hash_aggregate_create(out, node, ctx, err); break;
    case PLAN_HASH_JOIN: s = op_hash_join_create(out, node, ctx, err); break;
    case PLAN_NESTED_LOOP_JOIN: s = op_nested_loop_join_create(out, node, ctx, err); break;
    case PLAN_SORT:
    case PLAN_TOP_N: s = op_sort_create(out, node, ctx, err); break;
    case PLAN_SET_OP: s = op_set_op_create(out, node, ctx, err); break;
    default: return error_internal(err, "unknown plan node");
    }
    if (s == ARM_OK) {
        (*out)->plan = node;
        (*out)->ctx = ctx;
        ex->ops_by_node[node->id] = *out;
    }
    return s;
}

static arm_status build(executor *ex, plan_node *node, pipeline *p, arm_error *err);

static arm_status build_join(executor *ex, plan_node *node, op *o, pipeline *p, arm_error *err)
{
    pipeline *build_side = pipeline_new(ex, o, 1, err);
    if (build_side == NULL)
        return ARM_ERROR_OUT_OF_MEMORY;
    arm_status s = build(ex, node->children[1], build_side, err);
    if (s != ARM_OK)
        return s;
    join_type type = node->u.join.type;
    if (type == JOIN_RIGHT || type == JOIN_FULL) {
        /* Unmatched build rows flow through the same downstream operators afterwards. */
        pipeline *tail = pipeline_new(ex, p->sink, p->sink_input, err);
        if (tail == NULL)
            return ARM_ERROR_OUT_OF_MEMORY;
        tail->source = o;
        for (uint32_t i = p->op_count; i > 0; i--)
            if ((s = pipeline_prepend(ex, tail, p->ops[i - 1], err)) != ARM_OK)
                return s;
        p->followers = arena_alloc(ex->ctx->arena, sizeof *p->followers);
        if (p->followers == NULL)
            return error_out_of_memory(err);
        p->followers[0] = tail;
        p->follower_count = 1;
        p->defer_finalize = true;
    }
    if ((s = pipeline_prepend(ex, p, o, err)) != ARM_OK)
        return s;
    return build(ex, node->children[0], p, err);
}

static arm_status build(executor *ex, plan_node *node, pipeline *p, arm_error *err)
{
    op *o;
    arm_status s = create_op(ex, node, &o, err);
    if (s != ARM_OK)
        return s;
    switch (node->kind) {
    case PLAN_TABLE_SCAN:
    case PLAN_VALUES:
    case PLAN_EMPTY: p->source = o; return schedule(ex, p, err);
    case PLAN_FILTER:
    case PLAN_PROJECT:
    case PLAN_LIMIT:
        if ((s = pipeline_prepend(ex, p, o, err)) != ARM_OK)
            return s;
        return build(ex, node->children[0], p, err);
    case PLAN_HASH_JOIN:
    case PLAN_NESTED_LOOP_JOIN: return build_join(ex, node, o, p, err);
    default: /* sink then source */
        for (uint32_t i = 0; i < node->child_count; i++) {
            pipeline *child = pipeline_new(ex, o, i, err);
            if (child == NULL)
                return ARM_ERROR_OUT_OF_MEMORY;
            if ((s = build(ex, node->children[i], child, err)) != ARM_OK)
                return s;
        }
        p->source = o;
        return schedule(ex, p, err);
    }
}

/* ---- running ------------------------------------------------------------------------ */

typedef struct task_state {
    void *source_local;
    void **op_locals;
    void *sink_local;
    batch *outputs; /* one per streaming op */
    bool *outputs_ready;
} task_state;

typedef struct pipeline_run {
    executor *ex;
    pipeline *p;
    _Atomic bool finished; /* a LIMIT saw enough rows */
} pipeline_run;

static void record_error(executor *ex, arm_status s, const arm_error *err)
{
    pthread_mutex_lock(&ex->lock);
    if (!ex->failed) {
        ex->first_status = s;
        if (err != NULL)
            ex->first_error = *err;
        atomic_store(&ex->failed, true);
    }
    pthread_mutex_unlock(&ex->lock);
}

static arm_status collect(executor *ex, const batch *b, arm_error *err)
{
    pthread_mutex_lock(&ex->lock);
    arm_status s = result_set_append(ex->result, b, err);
    if (s == ARM_OK && b->count > 0) {
        uint32_t index = ex->result->batch_count - 1;
        uint64_t *grown = realloc(ex->result_sequences, (index + 1) * sizeof *grown);
        if (grown == NULL) {
            s = error_out_of_memory(err);
        } else {
            ex->result_sequences = grown;
            grown[index] = b->sequence;
        }
    }
    pthread_mutex_unlock(&ex->lock);
    return s;
}

static arm_status sink_batch(pipeline_run *run, task_state *t, const batch *b, arm_error *err)
{
    if (b->count == 0)
        return ARM_OK;
    pipeline *p = run->p;
    if (p->sink == NULL)
        return collect(run->ex, b, err);
    return p->sink->vtable->sink(p->sink, t->sink_local, p->sink_input, b, err);
}

static void profile_rows(op *o, const batch *b, uint64_t start_ns)
{
    atomic_fetch_add(&o->profile.rows_out, b->count);
    atomic_fetch_add(&o->profile.time_ns, op_clock_ns() - start_ns);
}

/* Pushes `in` through streaming operator k and everything after it. */
static arm_status push(pipeline_run *run, task_state *t, uint32_t k, const batch *in,
                       arm_error *err)
{
    pipeline *p = run->p;
    if (k == p->op_count)
        return sink_batch(run, t, in, err);
    op *o = p->ops[k];
    batch *out = &t->outputs[k];
    bool profile = o->ctx->profile;
    for (;;) {
        op_status status = OP_NEED_INPUT;
        batch_reset(out);
        uint64_t start = profile ? op_clock_ns() : 0;
        arm_status s = o->vtable->execute(o, t->op_locals[k], in, out, &status, err);
        if (s != ARM_OK)
            return s;
        if (profile)
            profile_rows(o, out, start);
        out->sequence = in->sequence;
        if (out->count > 0 && (s = push(run, t, k + 1, out, err)) != ARM_OK)
            return s;
        if (status == OP_FINISHED) {
            atomic_store(&run->finished, true);
            return ARM_OK;
        }
        if (status != OP_HAVE_MORE_OUTPUT)
            return ARM_OK;
    }
}

static arm_status task_init(pipeline_run *run, task_state *t, arm_error *err)
{
    pipeline *p = run->p;
    memset(t, 0, sizeof *t);
    t->op_locals = calloc(p->op_count + 1, sizeof *t->op_locals);
    t->outputs = calloc(p->op_count + 1, sizeof *t->outputs);
    t->outputs_ready = calloc(p->op_count + 1, sizeof *t->outputs_ready);
    if (t->op_locals == NULL || t->outputs == NULL || t->outputs_ready == NULL)
        return error_out_of_memory(err);
    arm_status s = ARM_OK;
    if (p->source->vtable->local_create)
        s = p->source->vtable->local_create(p->source, &t->source_local, err);
    for (uint32_t k = 0; s == ARM_OK && k < p->op_count; k++) {
        op *o = p->ops[k];
        if (o->vtable->local_create)
            s = o->vtable->local_create(o, &t->op_locals[k], err);
        if (s == ARM_OK)
            s = batch_init(&t->outputs[k], o->plan->column_count, o->plan->types, err);
        t->outputs_ready[k] = s == ARM_OK;
    }
    if (s == ARM_OK && p->sink != NULL && p->sink->vtable->local_create)
        s = p->sink->vtable->local_create(p->sink, &t->sink_local, err);
    return s;
}

static void task_dispose(pipeline_run *run, task_state *t)
{
    pipeline *p = run->p;
    if (t->source_local && p->source->vtable->local_destroy)
        p->source->vtable->local_destroy(p->source, t->source_local);
    for (uint32_t k = 0; k < p->op_count; k++) {
        if (t->op_locals && t->op_locals[k] && p->ops[k]->vtable->local_destroy)
            p->ops[k]->vtable->local_destroy(p->ops[k], t->op_locals[k]);
        if (t->outputs_ready && t->outputs_ready[k])
            batch_dispose(&t->outputs[k]);
    }
    if (t->sink_local && p->sink->vtable->local_destroy)
        p->sink->vtable->local_destroy(p->sink, t->sink_local);
    free(t->op_locals);
    free(t->outputs);
    free(t->outputs_ready);
}

static arm_status task_loop(pipeline_run *run, task_state *t, arm_error *err)
{
    pipeline *p = run->p;
    op *source = p->source;
    batch in;
    arm_status s = batch_init(&in, source->plan->column_count, source->plan->types, err);
    if (s != ARM_OK)
        return s;
    bool profile = source->ctx->profile;
    while (!atomic_load(&run->finished) && !atomic_load(&run->ex->failed)) {
        if ((s = op_check_interrupt(source->ctx, err)) != ARM_OK)
            break;
        batch_reset(&in);
        uint64_t start = profile ? op_clock_ns() : 0;
        if ((s = source->vtable->source_next(source, t->source_local, &in, err)) != ARM_OK)
            break;
        if (in.count == 0)
            break;
        if (profile)
            profile_rows(source, &in, start);
        if ((s = push(run, t, 0, &in, err)) != ARM_OK)
            break;
    }
    batch_dispose(&in);
    if (s == ARM_OK && p->sink != NULL && p->sink->vtable->combine) {
        pthread_mutex_lock(&run->ex->lock);
        s = p->sink->vtable->combine(p->sink, t->sink_local, p->sink_input, err);
        pthread_mutex_unlock(&run->ex->lock);
    }
    return s;
}

static void run_task(void *context, uint32_t index)
{
    (void)index;
    pipeline_run *run = context;
    arm_error err;
    arm_error_clear(&err);
    task_state t;
    arm_status s = task_init(run, &t, &err);
    if (s == ARM_OK)
        s = task_loop(run, &t, &err);
    task_dispose(run, &t);
    if (s != ARM_OK)
        record_error(run->ex, s, &err);
}

static arm_status run_pipeline(executor *ex, pipeline *p, arm_error *err)
{
    query_context *ctx = ex->ctx;
    pipeline_run run = {ex, p, false};
    uint32_t threads = ctx->thread_count ? ctx->thread_count : 1;
    if (p->source->vtable->source_is_ordered || ctx->pool == NULL)
        threads = 1;
    uint32_t first_result_batch = ex->result ? ex->result->batch_count : 0;
    thread_pool_run(ctx->pool, threads, run_task, &run);
    if (ex->failed) {
        *err = ex->first_error;
        return ex->first_status;
    }
    if (p->sink != NULL && p->sink->vtable->finalize && !p->defer_finalize) {
        arm_status s = p->sink->vtable->finalize(p->sink, p->sink_input, err);
        if (s != ARM_OK)
            return s;
    }
    (void)first_result_batch;
    return ARM_OK;
}

/* Puts collected batches in source order (threads append them in any order). */
static void order_result(executor *ex)
{
    result_set *r = ex->result;
    if (r->batch_count < 2)
        return;
    bool sorted = true;
    for (uint32_t i = 1; i < r->batch_count && sorted; i++)
        sorted = ex->result_sequences[i - 1] <= ex->result_sequences[i];
    if (sorted)
        return;
    /* insertion sort on (sequence, batch): batch counts are small */
    for (uint32_t i = 1; i < r->batch_count; i++) {
        batch b = r->batches[i];
        uint64_t seq = ex->result_sequences[i];
        uint32_t j = i;
        while (j > 0 && ex->result_sequences[j - 1] > seq) {
            r->batches[j] = r->batches[j - 1];
            ex->result_sequences[j] = ex->result_sequences[j - 1];
            j--;
        }
        r->batches[j] = b;
        ex->result_sequences[j] = seq;
    }
    uint64_t row = 0;
    for (uint32_t i = 0; i < r->batch_count; i++) {
        r->batch_first_row[i] = row;
        row += r->batches[i].count;
    }
}

static void destroy_ops(executor *ex)
{
    for (uint32_t i = 0; i < ex->node_count; i++) {
        op *o = ex->ops_by_node[i];
        if (o != NULL && o->vtable->destroy)
            o->vtable->destroy(o);
    }
}

static arm_status init_ops(executor *ex, arm_error *err)
{
    for (uint32_t i = 0; i < ex->node_count; i++) {
        op *o = ex->ops_by_node[i];
        if (o != NULL && o->vtable->init) {
            arm_status s = o->vtable->init(o, err);
            if (s != ARM_OK)
                return s;
        }
    }
    return ARM_OK;
}

static void fill_profile(executor *ex, plan_profile *profile, uint64_t start_ns)
{
    profile->node_count = ex->node_count;
    profile->rows_out = arena_zalloc(ex->ctx->arena, ex->node_count * sizeof(uint64_t));
    profile->time_ns = arena_zalloc(ex->ctx->arena, ex->node_count * sizeof(uint64_t));
    profile->total_time_ns = op_clock_ns() - start_ns;
    if (profile->rows_out == NULL || profile->time_ns == NULL) {
        profile->node_count = 0;
        return;
    }
    for (uint32_t i = 0; i < ex->node_count; i++) {
        op *o = ex->ops_by_node[i];
        if (o != NULL) {
            profile->rows_out[i] = atomic_load(&o->profile.rows_out);
            profile->time_ns[i] = atomic_load(&o->profile.time_ns);
        }
    }
}

static arm_status execute_plan(executor *ex, plan_node *plan, plan_profile *profile_out,
                               arm_error *err)
{
    uint64_t start = op_clock_ns();
    pipeline *root = pipeline_new(ex, NULL, 0, err);
    if (root == NULL)
        return ARM_ERROR_OUT_OF_MEMORY;
    arm_status s = build(ex, plan, root, err);
    if (s == ARM_OK)
        s = init_ops(ex, err);
    for (uint32_t i = 0; s == ARM_OK && i < ex->pipeline_count; i++)
        s = run_pipeline(ex, ex->order[i], err);
    if (s == ARM_OK)
        order_result(ex);
    if (s == ARM_OK &&
        (plan->kind == PLAN_INSERT || plan->kind == PLAN_UPDATE || plan->kind == PLAN_DELETE)) {
        ex->result->kind = RESULT_SET_CHANGES;
        ex->result->rows_changed = op_modify_rows_changed(ex->ops_by_node[plan->id]);
    }
    if (s == ARM_OK && profile_out != NULL && ex->ctx->profile)
        fill_profile(ex, profile_out, start);
    return s;
}

/* Depth of nested executor_run calls (subqueries) on this thread. */
static _Thread_local int executor_depth;

static void release_subquery_sets(query_context *ctx)
{
    for (uint32_t i = 0; ctx->subquery_sets != NULL && i < ctx->subquery_count; i++) {
        value_set_destroy(ctx->subquery_sets[i]);
        ctx->subquery_sets[i] = NULL;
    }
}

arm_status executor_run(result_set **out, plan_node *plan, query_context *ctx,
                        plan_profile *profile_out, arm_error *err)
{
    executor_depth++;
    arm_status s = executor_run_inner(out, plan, ctx, profile_out, err);
    if (--executor_depth == 0)
        release_subquery_sets(ctx);
    return s;
}

static arm_status executor_run_inner(result_set **out, plan_node *plan, query_context *ctx,
                                     plan_profile *profile_out, arm_error *err)
{
    *out = NULL;
    executor ex;
    memset(&ex, 0, sizeof ex);
    ex.ctx = ctx;
    ex.root = plan;
    pthread_mutex_init(&ex.lock, NULL);
    uint32_t count = 0;
    number_nodes(plan, &count);
    ex.node_count = count;
    arm_status s;
    subquery_walk walk = {ctx, err, ARM_OK};
    if ((s = run_subqueries(plan, &walk)) != ARM_OK)
        goto done;
    ex.ops_by_node = arena_zalloc(ctx->arena, count * sizeof *ex.ops_by_node);
    if (ex.ops_by_node == NULL) {
        s = error_out_of_memory(err);
        goto done;
    }
    if ((s = result_set_create(&ex.result, plan->column_count, plan->names, plan->types, err)) !=
        ARM_OK)
        goto done;
    s = execute_plan(&ex, plan, profile_out, err);
    destroy_ops(&ex);
done:
    free(ex.result_sequences);
    pthread_mutex_destroy(&ex.lock);
    if (s != ARM_OK) {
        result_set_destroy(ex.result);
        return s;
    }
    *out = ex.result;
    return ARM_OK;
}
