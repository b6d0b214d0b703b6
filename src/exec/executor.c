/*
 * executor.c: runs a physical plan. Uncorrelated subqueries run first; the
 * plan is then split into pipelines (pipeline.h) in dependency order (build
 * sides before probes, sinks before the pipelines they are the source of),
 * every operator is initialized once, and the pipelines run one after
 * another, the last one delivering into the result collector.
 */
#include "exec/executor.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "exec/op_internal.h"
#include "exec/pipeline.h"
#include "vector/value_set.h"

/* One run of one plan: its operators by plan node id and its pipelines in run order. */
typedef struct executor {
    query_context *ctx;
    op **ops_by_node;
    uint32_t node_count;
    pipeline **order;
    uint32_t pipeline_count;
    uint32_t pipeline_capacity;
    result_collector collector;
    pipeline_shared shared;
} executor;

static void number_nodes(plan_node *node, uint32_t *next)
{
    node->id = (*next)++;
    for (uint32_t i = 0; i < node->child_count; i++)
        number_nodes(node->children[i], next);
}

/* ---- uncorrelated subqueries ------------------------------------------------- */

typedef struct subquery_walk {
    query_context *ctx;
    arm_error *err;
    arm_status status;
} subquery_walk;

static void find_subqueries(expr *e, void *context);
static arm_status executor_run_inner(result_set **out, plan_node *plan, query_context *ctx,
                                     plan_profile *profile_out, result_stream *stream,
                                     arm_error *err);

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

static pipeline *new_pipeline(executor *ex, op *sink, uint32_t sink_input, arm_error *err)
{
    pipeline *p = pipeline_create(ex->ctx->arena, sink, sink_input);
    if (p == NULL)
        error_out_of_memory(err);
    return p;
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
    case PLAN_TABLE_COUNT: s = op_table_count_create(out, node, ctx, err); break;
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
    default: return error_internal(err, "unknown plan node kind");
    }
    if (s == ARM_OK) {
        (*out)->plan = node;
        (*out)->ctx = ctx;
        ex->ops_by_node[node->id] = *out;
    }
    return s;
}

static arm_status build(executor *ex, plan_node *node, pipeline *p, arm_error *err);

/*
 * The build side (child 1) sinks into the join in its own pipeline, which
 * runs first; the join streams in the probe pipeline `p`. RIGHT/FULL joins
 * add a tail pipeline (the join as the source of unmatched build rows, then
 * p's downstream operators) that runs right after p and finalizes p's sink.
 */
static arm_status build_join(executor *ex, plan_node *node, op *o, pipeline *p, arm_error *err)
{
    pipeline *build_side = new_pipeline(ex, o, 1, err);
    if (build_side == NULL)
        return ARM_ERROR_OUT_OF_MEMORY;
    arm_status s = build(ex, node->children[1], build_side, err);
    if (s != ARM_OK)
        return s;
    join_type type = node->u.join.type;
    if (type == JOIN_RIGHT || type == JOIN_FULL) {
        pipeline *tail = new_pipeline(ex, p->sink, p->sink_input, err);
        if (tail == NULL)
            return ARM_ERROR_OUT_OF_MEMORY;
        tail->source = o;
        for (uint32_t i = p->op_count; i > 0; i--)
            if ((s = pipeline_prepend(ex->ctx->arena, tail, p->ops[i - 1], err)) != ARM_OK)
                return s;
        p->followers = arena_alloc(ex->ctx->arena, sizeof *p->followers);
        if (p->followers == NULL)
            return error_out_of_memory(err);
        p->followers[0] = tail;
        p->follower_count = 1;
        p->defer_finalize = true;
    }
    if ((s = pipeline_prepend(ex->ctx->arena, p, o, err)) != ARM_OK)
        return s;
    return build(ex, node->children[0], p, err);
}

/* Adds `node` to pipeline `p` (whose downstream part is already built), top-down. */
static arm_status build(executor *ex, plan_node *node, pipeline *p, arm_error *err)
{
    op *o;
    arm_status s = create_op(ex, node, &o, err);
    if (s != ARM_OK)
        return s;
    switch (node->kind) {
    case PLAN_TABLE_SCAN:
    case PLAN_TABLE_COUNT:
    case PLAN_VALUES:
    case PLAN_EMPTY: p->source = o; return schedule(ex, p, err);
    case PLAN_FILTER:
    case PLAN_PROJECT:
    case PLAN_LIMIT:
        if ((s = pipeline_prepend(ex->ctx->arena, p, o, err)) != ARM_OK)
            return s;
        return build(ex, node->children[0], p, err);
    case PLAN_HASH_JOIN:
    case PLAN_NESTED_LOOP_JOIN: return build_join(ex, node, o, p, err);
    default: /* sink then source: its inputs' pipelines run before p */
        for (uint32_t i = 0; i < node->child_count; i++) {
            pipeline *child = new_pipeline(ex, o, i, err);
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

static void destroy_ops(executor *ex)
{
    for (uint32_t i = 0; ex->ops_by_node != NULL && i < ex->node_count; i++) {
        op *o = ex->ops_by_node[i];
        if (o != NULL && o->vtable->destroy)
            o->vtable->destroy(o);
    }
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

static bool is_modify(const plan_node *plan)
{
    return plan->kind == PLAN_INSERT || plan->kind == PLAN_UPDATE || plan->kind == PLAN_DELETE;
}

static arm_status execute_plan(executor *ex, plan_node *plan, plan_profile *profile_out,
                               arm_error *err)
{
    uint64_t start = op_clock_ns();
    pipeline *root = new_pipeline(ex, NULL, 0, err);
    if (root == NULL)
        return ARM_ERROR_OUT_OF_MEMORY;
    arm_status s = build(ex, plan, root, err);
    if (s == ARM_OK)
        s = init_ops(ex, err);
    for (uint32_t i = 0; s == ARM_OK && i < ex->pipeline_count; i++)
        s = pipeline_run(ex->order[i], &ex->shared, err);
    if (s == ARM_OK && is_modify(plan)) {
        ex->collector.result->kind = RESULT_SET_CHANGES;
        ex->collector.result->rows_changed = op_modify_rows_changed(ex->ops_by_node[plan->id]);
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
    arm_status s = executor_run_inner(out, plan, ctx, profile_out, NULL, err);
    if (--executor_depth == 0)
        release_subquery_sets(ctx);
    return s;
}

/*
 * The same run, with the root pipeline (and its RIGHT/FULL join tail)
 * delivering through a result_stream; the result set stays empty and only
 * gives the stream its column types.
 */
arm_status executor_run_streaming(plan_node *plan, query_context *ctx, const result_sink *sink,
                                  uint64_t *row_count, arm_error *err)
{
    if (row_count != NULL)
        *row_count = 0;
    if (is_modify(plan))
        return error_internal(err, "INSERT, UPDATE and DELETE plans cannot stream");
    result_stream stream;
    result_stream_init(&stream, sink, NULL, NULL);
    result_set *shape = NULL;
    executor_depth++;
    arm_status s = executor_run_inner(&shape, plan, ctx, NULL, &stream, err);
    if (--executor_depth == 0)
        release_subquery_sets(ctx);
    if (row_count != NULL)
        *row_count = stream.delivered_rows;
    result_stream_dispose(&stream);
    result_set_destroy(shape);
    return s;
}

/* `stream` (may be NULL) is initialized; it gets the result's shape and the failure flag. */
static arm_status executor_run_inner(result_set **out, plan_node *plan, query_context *ctx,
                                     plan_profile *profile_out, result_stream *stream,
                                     arm_error *err)
{
    *out = NULL;
    executor ex;
    memset(&ex, 0, sizeof ex);
    ex.ctx = ctx;
    ex.collector.budget = ctx->budget;
    uint32_t count = 0;
    number_nodes(plan, &count);
    ex.node_count = count;
    subquery_walk walk = {ctx, err, ARM_OK};
    arm_status s = run_subqueries(plan, &walk);
    if (s != ARM_OK)
        return s;
    ex.ops_by_node = arena_zalloc(ctx->arena, count * sizeof *ex.ops_by_node);
    if (ex.ops_by_node == NULL)
        return error_out_of_memory(err);
    s = result_set_create(&ex.collector.result, plan->column_count, plan->names, plan->types, err);
    if (s != ARM_OK)
        return s;
    pipeline_shared_init(&ex.shared, ctx, &ex.collector);
    if (stream != NULL) {
        stream->shape = ex.collector.result;
        stream->failed = &ex.shared.failed;
        ex.shared.stream = stream;
    }
    s = execute_plan(&ex, plan, profile_out, err);
    destroy_ops(&ex);
    pipeline_shared_dispose(&ex.shared);
    result_collector_dispose(&ex.collector);
    if (s != ARM_OK) {
        result_set_destroy(ex.collector.result);
        return s;
    }
    *out = ex.collector.result;
    return ARM_OK;
}
