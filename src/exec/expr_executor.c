/*
 * expr_executor.c: vectorized evaluation of bound expressions. Each node of
 * an expression tree gets a state with a reusable result vector, so once
 * warm a batch is evaluated without allocating. Results are written at the
 * input's physical row positions; the selection decides which rows count.
 */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "exec/expr.h"
#include "exec/plan.h"
#include "vector/cast.h"
#include "vector/value_set.h"

typedef struct expr_state expr_state;

struct expr_state {
    const expr *e;
    vector result;
    expr_state **children;
    uint32_t child_count;
    vector **child_results;
    uint32_t *sel_a; /* scratch selections, VECTOR_SIZE each */
    uint32_t *sel_b;
    uint32_t *sel_c;
    vector constant; /* EXPR_CONSTANT / PARAMETER / scalar subquery: built once */
    bool has_constant;
    subquery_set *in_set; /* constant IN list */
};

struct expr_executor {
    expr_state **roots;
    uint32_t count;
    query_context *ctx;
};

static arm_status eval(expr_executor *ex, expr_state *st, const batch *in, const uint32_t *sel,
                       uint32_t count, vector *out, arm_error *err);

static void state_destroy(expr_state *st)
{
    if (st == NULL)
        return;
    for (uint32_t i = 0; i < st->child_count; i++)
        state_destroy(st->children[i]);
    free(st->children);
    free(st->child_results);
    free(st->sel_a);
    vector_dispose(&st->result);
    vector_dispose(&st->constant);
    value_set_destroy(st->in_set);
    free(st);
}

/* Children of a node, in evaluation order. */
static uint32_t node_children(const expr *e, const expr **out, uint32_t max)
{
    uint32_t n = 0;
#define ADD(x)                                                                                     \
    do {                                                                                           \
        if ((x) != NULL && n < max)                                                                \
            out[n++] = (x);                                                                        \
    } while (0)
    switch (e->kind) {
    case EXPR_CAST: ADD(e->u.cast.child); break;
    case EXPR_FUNCTION:
        for (uint32_t i = 0; i < e->u.function.arg_count; i++)
            ADD(e->u.function.args[i]);
        break;
    case EXPR_AND:
    case EXPR_OR:
    case EXPR_COALESCE:
    case EXPR_IS_DISTINCT:
    case EXPR_IS_NOT_DISTINCT:
        for (uint32_t i = 0; i < e->u.list.count; i++)
            ADD(e->u.list.args[i]);
        break;
    case EXPR_NOT:
    case EXPR_IS_NULL:
    case EXPR_IS_NOT_NULL: ADD(e->u.unary.child); break;
    case EXPR_CASE:
        for (uint32_t i = 0; i < e->u.case_.count; i++) {
            ADD(e->u.case_.when[i]);
            ADD(e->u.case_.then[i]);
        }
        ADD(e->u.case_.otherwise);
        break;
    case EXPR_IN_LIST:
        ADD(e->u.in_list.child);
        for (uint32_t i = 0; i < e->u.in_list.count; i++)
            ADD(e->u.in_list.list[i]);
        break;
    case EXPR_SUBQUERY: ADD(e->u.subquery.child); break;
    default: break;
    }
#undef ADD
    return n;
}

static uint32_t count_children(const expr *e)
{
    switch (e->kind) {
    case EXPR_FUNCTION: return e->u.function.arg_count;
    case EXPR_AND:
    case EXPR_OR:
    case EXPR_COALESCE:
    case EXPR_IS_DISTINCT:
    case EXPR_IS_NOT_DISTINCT: return e->u.list.count;
    case EXPR_CASE: return e->u.case_.count * 2 + 1;
    case EXPR_IN_LIST: return e->u.in_list.count + 1;
    default: return 1;
    }
}

static arm_status build_constant_in_set(expr_state *st, arm_error *err)
{
    const expr *e = st->e;
    for (uint32_t i = 0; i < e->u.in_list.count; i++) {
        if (!expr_is_constant(e->u.in_list.list[i]))
            return ARM_OK;
    }
    arena *scratch = arena_create(1024, NULL);
    if (scratch == NULL)
        return error_out_of_memory(err);
    arm_status s = value_set_create(&st->in_set, e->u.in_list.child->type, err);
    for (uint32_t i = 0; s == ARM_OK && i < e->u.in_list.count; i++) {
        value v;
        s = expr_evaluate_constant(e->u.in_list.list[i], scratch, &v, err);
        if (s == ARM_OK)
            s = value_set_insert(st->in_set, &v, err);
    }
    arena_destroy(scratch);
    return s;
}

static arm_status state_create(expr_state **out, const expr *e, query_context *ctx, arm_error *err)
{
    expr_state *st = calloc(1, sizeof *st);
    if (st == NULL)
        return error_out_of_memory(err);
    st->e = e;
    vector_init(&st->result, e->type);
    vector_init(&st->constant, e->type);
    arm_status s = ARM_OK;
    uint32_t max = count_children(e);
    const expr **kids = calloc(max ? max : 1, sizeof *kids);
    st->children = calloc(max ? max : 1, sizeof *st->children);
    st->child_results = calloc(max ? max : 1, sizeof *st->child_results);
    if (kids == NULL || st->children == NULL || st->child_results == NULL) {
        s = error_out_of_memory(err);
        goto done;
    }
    st->child_count = node_children(e, kids, max);
    for (uint32_t i = 0; i < st->child_count && s == ARM_OK; i++) {
        s = state_create(&st->children[i], kids[i], ctx, err);
        if (s == ARM_OK)
            st->child_results[i] = &st->children[i]->result;
    }
    if (s != ARM_OK)
        goto done;
    if (e->kind == EXPR_CONSTANT) {
        s = vector_set_constant(&st->constant, &e->u.constant, err);
        st->has_constant = true;
    } else if (e->kind == EXPR_PARAMETER) {
        value v = value_null(e->type);
        if (ctx && e->u.parameter.index < ctx->param_count)
            v = ctx->params[e->u.parameter.index];
        s = vector_set_constant(&st->constant, &v, err);
        st->constant.type = e->type;
        st->has_constant = true;
    } else if (e->kind == EXPR_IN_LIST) {
        s = build_constant_in_set(st, err);
    }
done:
    free(kids);
    if (s != ARM_OK) {
        state_destroy(st);
        return s;
    }
    *out = st;
    return ARM_OK;
}

arm_status expr_executor_create(expr_executor **out, expr *const *exprs, uint32_t count,
                                struct query_context *ctx, arm_error *err)
{
    expr_executor *ex = calloc(1, sizeof *ex);
    if (ex == NULL)
        return error_out_of_memory(err);
    ex->ctx = ctx;
    ex->count = count;
    ex->roots = calloc(count ? count : 1, sizeof *ex->roots);
    if (ex->roots == NULL) {
        free(ex);
        return error_out_of_memory(err);
    }
    for (uint32_t i = 0; i < count; i++) {
        if (exprs[i] == NULL)
            continue;
        arm_status s = state_create(&ex->roots[i], exprs[i], ctx, err);
        if (s != ARM_OK) {
            expr_executor_destroy(ex);
            return s;
        }
    }
    *out = ex;
    return ARM_OK;
}

void expr_executor_destroy(expr_executor *ex)
{
    if (ex == NULL)
        return;
    for (uint32_t i = 0; i < ex->count; i++)
        state_destroy(ex->roots[i]);
    free(ex->roots);
    free(ex);
}

/* ---- helpers ------------------------------------------------------------ */

/* Scratch selections, allocated on first use: most nodes (constants, columns) never need them. */
static arm_status ensure_scratch(expr_state *st, arm_error *err)
{
    if (st->sel_a != NULL)
        return ARM_OK;
    st->sel_a = malloc(3 * VECTOR_SIZE * sizeof(uint32_t));
    if (st->sel_a == NULL)
        return error_out_of_memory(err);
    st->sel_b = st->sel_a + VECTOR_SIZE;
    st->sel_c = st->sel_b + VECTOR_SIZE;
    return ARM_OK;
}

static inline uint32_t rows_needed(const uint32_t *sel, uint32_t count)
{
    return sel && count ? sel[count - 1] + 1 : count;
}

/* Prepares `out` as a flat boolean vector with a validity bitmap. */
static arm_status prepare_bool(vector *out, const uint32_t *sel, uint32_t count, arm_error *err)
{
    out->type = type_make(TYPE_BOOLEAN);
    arm_status s = vector_prepare_flat(out, rows_needed(sel, count), err);
    if (s == ARM_OK)
        s = vector_ensure_validity(out, err);
    return s;
}

/* Reads a boolean cell: 1 true, 0 false, -1 NULL. */
static inline int read_bool(const vector *v, uint32_t row)
{
    if (!vector_is_valid(v, row))
        return -1;
    uint32_t at = v->kind == VECTOR_CONSTANT ? 0 : row;
    if (v->kind == VECTOR_DICTIONARY) {
        at = ((const uint32_t *)v->data)[row];
        if (!vector_is_valid(v->dictionary, at))
            return -1;
        return ((const uint8_t *)v->dictionary->data)[at] != 0;
    }
    return ((const uint8_t *)v->data)[at] != 0;
}

static inline void write_bool(vector *out, uint32_t row, int b)
{
    if (b < 0) {
        vector_set_null(out, row);
    } else {
        vector_set_valid(out, row);
        ((uint8_t *)out->data)[row] = (uint8_t)b;
    }
}

#define COPY_CELLS(T)                                                                              \
    do {                                                                                           \
        T *to = dst->data;                                                                         \
        const T *from = src->data;                                                                 \
        if (src->kind == VECTOR_CONSTANT) {                                                        \
            T v = from[0];                                                                         \
            for (uint32_t i = 0; i < count; i++)                                                   \
                to[sel ? sel[i] : i] = v;                                                          \
        } else {                                                                                   \
            for (uint32_t i = 0; i < count; i++) {                                                 \
                uint32_t row = sel ? sel[i] : i;                                                   \
                to[row] = from[row];                                                               \
            }                                                                                      \
        }                                                                                          \
    } while (0)

/*
 * copy_rows_in_place for a FLAT or CONSTANT source without NULLs and a
 * width with a machine type (CASE's THEN and ELSE values): typed stores
 * instead of a memcpy per row. False when it does not apply.
 */
static bool copy_cells(vector *dst, const vector *src, const uint32_t *sel, uint32_t count)
{
    switch (type_physical_size(dst->type)) {
    case 1: COPY_CELLS(uint8_t); break;
    case 2: COPY_CELLS(uint16_t); break;
    case 4: COPY_CELLS(uint32_t); break;
    case 8: COPY_CELLS(uint64_t); break;
    default: return false;
    }
    if (dst->validity != NULL)
        for (uint32_t i = 0; i < count; i++)
            vector_set_valid(dst, sel ? sel[i] : i);
    return true;
}

/* Copies rows `sel` of `src` into the same rows of writable flat `dst`. */
static arm_status copy_rows_in_place(vector *dst, const vector *src, const uint32_t *sel,
                                     uint32_t count, arm_error *err)
{
    arm_status s;
    const vector *values = src->kind == VECTOR_DICTIONARY ? src->dictionary : src;
    for (uint32_t i = 0; i < values->keep_alive_count; i++)
        if ((s = vector_keep_alive(dst, values->keep_alive[i], err)) != ARM_OK)
            return s;
    if (type_is_string(dst->type.id) && values->data_buffer &&
        (s = vector_keep_alive(dst, values->data_buffer, err)) != ARM_OK)
        return s;
    size_t width = type_physical_size(dst->type);
    if (src->kind != VECTOR_DICTIONARY && src->validity == NULL && copy_cells(dst, src, sel, count))
        return ARM_OK;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        uint32_t from = src->kind == VECTOR_CONSTANT ? 0 : row;
        if (src->kind == VECTOR_DICTIONARY)
            from = ((const uint32_t *)src->data)[row];
        if (!vector_is_valid(src, row) || !vector_is_valid(values, from)) {
            if ((s = vector_ensure_validity(dst, err)) != ARM_OK)
                return s;
            vector_set_null(dst, row);
            continue;
        }
        if (dst->validity)
            vector_set_valid(dst, row);
        memcpy((char *)dst->data + (size_t)row * width, (const char *)values->data + from * width,
               width);
    }
    return ARM_OK;
}

/* ---- node evaluation ---------------------------------------------------- */

/* Evaluates a function's arguments into st->child_results, dictionaries flattened. */
static arm_status eval_function_args(expr_executor *ex, expr_state *st, const batch *in,
                                     const uint32_t *sel, uint32_t count, bool *any_nullable,
                                     arm_error *err)
{
    arm_status s;
    *any_nullable = false;
    for (uint32_t i = 0; i < st->child_count; i++) {
        vector *r = st->child_results[i];
        if ((s = eval(ex, st->children[i], in, sel, count, r, err)) != ARM_OK)
            return s;
        if (r->kind == VECTOR_DICTIONARY && (s = vector_flatten(r, sel, count, err)) != ARM_OK)
            return s;
        *any_nullable |= r->validity != NULL;
    }
    return ARM_OK;
}

/* Runs a function's kernel over the arguments eval_function_args left in st->child_results. */
static arm_status apply_function(expr_state *st, const uint32_t *sel, uint32_t count,
                                 bool any_nullable, vector *out, arm_error *err)
{
    const expr *e = st->e;
    arm_status s;
    out->type = e->type;
    if (!any_nullable || (e->u.function.fn->flags & FUNCTION_SPECIAL_NULLS))
        return e->u.function.fn->kernel(e, st->child_results, sel, count, out, err);
    /* NULL in, NULL out: run the kernel on rows where every argument is valid. */
    if (ensure_scratch(st, err) != ARM_OK)
        return ARM_ERROR_OUT_OF_MEMORY;
    uint32_t valid_count = 0;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        bool valid = true;
        for (uint32_t k = 0; k < st->child_count && valid; k++)
            valid = vector_is_valid(st->child_results[k], row);
        if (valid)
            st->sel_c[valid_count++] = row;
    }
    if (valid_count == 0) {
        value null = value_null(e->type);
        return vector_set_constant(out, &null, err);
    }
    s = e->u.function.fn->kernel(e, st->child_results, st->sel_c, valid_count, out, err);
    if (s != ARM_OK || valid_count == count)
        return s;
    if (out->kind != VECTOR_FLAT &&
        (s = vector_flatten(out, st->sel_c, valid_count, err)) != ARM_OK)
        return s;
    if ((s = vector_ensure_validity(out, err)) != ARM_OK)
        return s;
    uint32_t k = 0;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        if (k < valid_count && st->sel_c[k] == row)
            k++;
        else
            vector_set_null(out, row);
    }
    return ARM_OK;
}

static arm_status eval_function(expr_executor *ex, expr_state *st, const batch *in,
                                const uint32_t *sel, uint32_t count, vector *out, arm_error *err)
{
    bool any_nullable;
    arm_status s = eval_function_args(ex, st, in, sel, count, &any_nullable, err);
    return s != ARM_OK ? s : apply_function(st, sel, count, any_nullable, out, err);
}

/* AND / OR with three-valued logic; later operands only see undecided rows. */
static arm_status eval_and_or(expr_executor *ex, expr_state *st, const batch *in,
                              const uint32_t *sel, uint32_t count, vector *out, arm_error *err)
{
    if (ensure_scratch(st, err) != ARM_OK)
        return ARM_ERROR_OUT_OF_MEMORY;
    bool is_and = st->e->kind == EXPR_AND;
    arm_status s = prepare_bool(out, sel, count, err);
    if (s != ARM_OK)
        return s;
    uint8_t *data = out->data;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        data[row] = is_and ? 1 : 0;
        vector_set_valid(out, row);
    }
    /* Undecided rows: those not yet FALSE (AND) / TRUE (OR). */
    uint32_t *pending = st->sel_a;
    uint32_t pending_count = count;
    for (uint32_t i = 0; i < count; i++)
        pending[i] = sel ? sel[i] : i;
    for (uint32_t k = 0; k < st->child_count && pending_count > 0; k++) {
        vector *r = st->child_results[k];
        if ((s = eval(ex, st->children[k], in, pending, pending_count, r, err)) != ARM_OK)
            return s;
        uint32_t next = 0;
        for (uint32_t i = 0; i < pending_count; i++) {
            uint32_t row = pending[i];
            int b = read_bool(r, row);
            if (b == (is_and ? 0 : 1)) {
                write_bool(out, row, b);
                continue; /* decided */
            }
            if (b < 0)
                vector_set_null(out, row);
            pending[next++] = row;
        }
        pending_count = next;
    }
    return ARM_OK;
}

static arm_status eval_case(expr_executor *ex, expr_state *st, const batch *in, const uint32_t *sel,
                            uint32_t count, vector *out, arm_error *err)
{
    if (ensure_scratch(st, err) != ARM_OK)
        return ARM_ERROR_OUT_OF_MEMORY;
    const expr *e = st->e;
    out->type = e->type;
    arm_status s = vector_prepare_flat(out, rows_needed(sel, count), err);
    if (s != ARM_OK)
        return s;
    uint32_t *remaining = st->sel_a, *taken = st->sel_b;
    uint32_t remaining_count = count;
    for (uint32_t i = 0; i < count; i++)
        remaining[i] = sel ? sel[i] : i;
    uint32_t child = 0;
    for (uint32_t w = 0; w < e->u.case_.count && remaining_count > 0; w++, child += 2) {
        vector *cond = st->child_results[child];
        if ((s = eval(ex, st->children[child], in, remaining, remaining_count, cond, err)) !=
            ARM_OK)
            return s;
        uint32_t taken_count = 0, left = 0;
        for (uint32_t i = 0; i < remaining_count; i++) {
            uint32_t row = remaining[i];
            if (read_bool(cond, row) == 1)
                taken[taken_count++] = row;
            else
                remaining[left++] = row;
        }
        remaining_count = left;
        if (taken_count == 0)
            continue;
        vector *then = st->child_results[child + 1];
        if ((s = eval(ex, st->children[child + 1], in, taken, taken_count, then, err)) != ARM_OK ||
            (s = copy_rows_in_place(out, then, taken, taken_count, err)) != ARM_OK)
            return s;
    }
    if (remaining_count == 0)
        return ARM_OK;
    if (e->u.case_.otherwise != NULL) {
        vector *other = st->child_results[child];
        if ((s = eval(ex, st->children[child], in, remaining, remaining_count, other, err)) !=
            ARM_OK)
            return s;
        return copy_rows_in_place(out, other, remaining, remaining_count, err);
    }
    if ((s = vector_ensure_validity(out, err)) != ARM_OK)
        return s;
    for (uint32_t i = 0; i < remaining_count; i++)
        vector_set_null(out, remaining[i]);
    return ARM_OK;
}

static arm_status eval_coalesce(expr_executor *ex, expr_state *st, const batch *in,
                                const uint32_t *sel, uint32_t count, vector *out, arm_error *err)
{
    if (ensure_scratch(st, err) != ARM_OK)
        return ARM_ERROR_OUT_OF_MEMORY;
    out->type = st->e->type;
    arm_status s = vector_prepare_flat(out, rows_needed(sel, count), err);
    if (s != ARM_OK)
        return s;
    uint32_t *pending = st->sel_a, *found = st->sel_b;
    uint32_t pending_count = count;
    for (uint32_t i = 0; i < count; i++)
        pending[i] = sel ? sel[i] : i;
    for (uint32_t k = 0; k < st->child_count && pending_count > 0; k++) {
        vector *r = st->child_results[k];
        if ((s = eval(ex, st->children[k], in, pending, pending_count, r, err)) != ARM_OK)
            return s;
        uint32_t found_count = 0, left = 0;
        for (uint32_t i = 0; i < pending_count; i++) {
            if (vector_is_valid(r, pending[i]) &&
                (r->kind != VECTOR_DICTIONARY ||
                 vector_is_valid(r->dictionary, ((uint32_t *)r->data)[pending[i]])))
                found[found_count++] = pending[i];
            else
                pending[left++] = pending[i];
        }
        pending_count = left;
        if (found_count && (s = copy_rows_in_place(out, r, found, found_count, err)) != ARM_OK)
            return s;
    }
    if (pending_count == 0)
        return ARM_OK;
    if ((s = vector_ensure_validity(out, err)) != ARM_OK)
        return s;
    for (uint32_t i = 0; i < pending_count; i++)
        vector_set_null(out, pending[i]);
    return ARM_OK;
}

/* Writes membership results with SQL NULL semantics (no match + NULL in list = NULL). */
static arm_status finish_membership(vector *out, const vector *probe, const uint32_t *sel,
                                    uint32_t count, bool list_has_null)
{
    uint8_t *data = out->data;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        if (!vector_is_valid(probe, row))
            write_bool(out, row, -1);
        else if (data[row])
            write_bool(out, row, 1);
        else
            write_bool(out, row, list_has_null ? -1 : 0);
    }
    return ARM_OK;
}

static arm_status eval_in_list(expr_executor *ex, expr_state *st, const batch *in,
                               const uint32_t *sel, uint32_t count, vector *out, arm_error *err)
{
    vector *probe = st->child_results[0];
    arm_status s = eval(ex, st->children[0], in, sel, count, probe, err);
    if (s != ARM_OK || (s = prepare_bool(out, sel, count, err)) != ARM_OK)
        return s;
    if (st->in_set != NULL) {
        value_set_probe(st->in_set, probe, sel, count, out->data);
        return finish_membership(out, probe, sel, count, value_set_has_null(st->in_set));
    }
    /* Non-constant list: compare item by item (rare; values are compared generically). */
    uint8_t *data = out->data;
    uint8_t *saw_null = calloc(rows_needed(sel, count) + 1, 1);
    if (saw_null == NULL)
        return error_out_of_memory(err);
    for (uint32_t i = 0; i < count; i++)
        data[sel ? sel[i] : i] = 0;
    for (uint32_t k = 1; k < st->child_count && s == ARM_OK; k++) {
        vector *item = st->child_results[k];
        if ((s = eval(ex, st->children[k], in, sel, count, item, err)) != ARM_OK)
            break;
        for (uint32_t i = 0; i < count; i++) {
            uint32_t row = sel ? sel[i] : i;
            value a, b;
            vector_get_value(probe, row, &a);
            vector_get_value(item, row, &b);
            if (b.is_null)
                saw_null[row] = 1;
            else if (!a.is_null && value_compare(&a, &b) == 0)
                data[row] = 1;
        }
    }
    for (uint32_t i = 0; s == ARM_OK && i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        int b = !vector_is_valid(probe, row) ? -1 : data[row] ? 1 : saw_null[row] ? -1 : 0;
        write_bool(out, row, b);
    }
    free(saw_null);
    return s;
}

static arm_status eval_subquery(expr_executor *ex, expr_state *st, const batch *in,
                                const uint32_t *sel, uint32_t count, vector *out, arm_error *err)
{
    const expr *e = st->e;
    query_context *ctx = ex->ctx;
    uint32_t id = e->u.subquery.id;
    if (ctx == NULL || id >= ctx->subquery_count)
        return error_internal(err, "subquery result missing");
    if (e->u.subquery.kind != SUBQUERY_IN) {
        if (!st->has_constant) {
            arm_status s = vector_set_constant(&st->constant, &ctx->subquery_results[id], err);
            if (s != ARM_OK)
                return s;
            st->has_constant = true;
        }
        return vector_reference(out, &st->constant, err);
    }
    subquery_set *set = ctx->subquery_sets[id];
    vector *probe = st->child_results[0];
    arm_status s = eval(ex, st->children[0], in, sel, count, probe, err);
    if (s != ARM_OK || (s = prepare_bool(out, sel, count, err)) != ARM_OK)
        return s;
    value_set_probe(set, probe, sel, count, out->data);
    return finish_membership(out, probe, sel, count, value_set_has_null(set));
}

static arm_status eval_distinct(expr_executor *ex, expr_state *st, const batch *in,
                                const uint32_t *sel, uint32_t count, vector *out, arm_error *err)
{
    arm_status s;
    for (uint32_t k = 0; k < 2; k++)
        if ((s = eval(ex, st->children[k], in, sel, count, st->child_results[k], err)) != ARM_OK)
            return s;
    if ((s = prepare_bool(out, sel, count, err)) != ARM_OK)
        return s;
    bool want_distinct = st->e->kind == EXPR_IS_DISTINCT;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        value a, b;
        vector_get_value(st->child_results[0], row, &a);
        vector_get_value(st->child_results[1], row, &b);
        bool same = a.is_null || b.is_null ? a.is_null == b.is_null : value_compare(&a, &b) == 0;
        write_bool(out, row, same != want_distinct);
    }
    return ARM_OK;
}

static arm_status eval_unary_bool(expr_executor *ex, expr_state *st, const batch *in,
                                  const uint32_t *sel, uint32_t count, vector *out, arm_error *err)
{
    vector *r = st->child_results[0];
    arm_status s = eval(ex, st->children[0], in, sel, count, r, err);
    if (s != ARM_OK || (s = prepare_bool(out, sel, count, err)) != ARM_OK)
        return s;
    expr_kind kind = st->e->kind;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        if (kind == EXPR_NOT) {
            int b = read_bool(r, row);
            write_bool(out, row, b < 0 ? -1 : !b);
        } else {
            bool is_null = !vector_is_valid(r, row) ||
                           (r->kind == VECTOR_DICTIONARY &&
                            !vector_is_valid(r->dictionary, ((uint32_t *)r->data)[row]));
            write_bool(out, row, kind == EXPR_IS_NULL ? is_null : !is_null);
        }
    }
    return ARM_OK;
}

static arm_status eval(expr_executor *ex, expr_state *st, const batch *in, const uint32_t *sel,
                       uint32_t count, vector *out, arm_error *err)
{
    const expr *e = st->e;
    switch (e->kind) {
    case EXPR_CONSTANT:
    case EXPR_PARAMETER: return vector_reference(out, &st->constant, err);
    case EXPR_COLUMN:
        if (in == NULL || e->u.column.index >= in->column_count)
            return error_internal(err, "column reference out of range");
        return vector_reference(out, &in->columns[e->u.column.index], err);
    case EXPR_CAST: {
        vector *r = st->child_results[0];
        arm_status s = eval(ex, st->children[0], in, sel, count, r, err);
        if (s != ARM_OK)
            return s;
        if (type_equal(r->type, e->type))
            return vector_reference(out, r, err);
        return cast_vector(r, out, e->type, sel, count, false, e->position, err);
    }
    case EXPR_FUNCTION: return eval_function(ex, st, in, sel, count, out, err);
    case EXPR_AND:
    case EXPR_OR: return eval_and_or(ex, st, in, sel, count, out, err);
    case EXPR_NOT:
    case EXPR_IS_NULL:
    case EXPR_IS_NOT_NULL: return eval_unary_bool(ex, st, in, sel, count, out, err);
    case EXPR_CASE: return eval_case(ex, st, in, sel, count, out, err);
    case EXPR_COALESCE: return eval_coalesce(ex, st, in, sel, count, out, err);
    case EXPR_IN_LIST: return eval_in_list(ex, st, in, sel, count, out, err);
    case EXPR_SUBQUERY: return eval_subquery(ex, st, in, sel, count, out, err);
    case EXPR_IS_DISTINCT:
    case EXPR_IS_NOT_DISTINCT: return eval_distinct(ex, st, in, sel, count, out, err);
    }
    return error_internal(err, "unknown expression kind");
}

arm_status expr_execute(expr_executor *ex, uint32_t index, const batch *input, vector *result,
                        arm_error *err)
{
    if (index >= ex->count || ex->roots[index] == NULL)
        return error_internal(err, "expression index out of range");
    return eval(ex, ex->roots[index], input, input ? input->sel : NULL, input ? input->count : 1,
                result, err);
}

/* The comparison `name` stands for: 0 none, else one of "= <> < <= > >=" (1..6). */
static int comparison_of(const char *name)
{
    static const char *const names[] = {"=", "<>", "<", "<=", ">", ">="};
    for (int k = 0; k < 6; k++)
        if (strcmp(name, names[k]) == 0)
            return k + 1;
    return 0;
}

#define SELECT_WHERE(T, OP)                                                                        \
    do {                                                                                           \
        const T *d = x->data, c = *(const T *)y->data;                                             \
        for (uint32_t i = 0; i < count; i++) {                                                     \
            uint32_t row = sel ? sel[i] : i;                                                       \
            sel_out[n] = row;                                                                      \
            n += d[row] OP c;                                                                      \
        }                                                                                          \
    } while (0)

#define SELECT_BY_OP(T)                                                                            \
    do {                                                                                           \
        switch (op) {                                                                              \
        case 1: SELECT_WHERE(T, ==); break;                                                        \
        case 2: SELECT_WHERE(T, !=); break;                                                        \
        case 3: SELECT_WHERE(T, <); break;                                                         \
        case 4: SELECT_WHERE(T, <=); break;                                                        \
        case 5: SELECT_WHERE(T, >); break;                                                         \
        default: SELECT_WHERE(T, >=); break;                                                       \
        }                                                                                          \
    } while (0)

/* The comparison `column <op> constant` that `st` is (1..6, comparison_of), or 0. */
static int constant_comparison(const expr_state *st)
{
    const expr *e = st->e;
    if (e->kind != EXPR_FUNCTION || st->child_count != 2 ||
        st->children[1]->e->kind != EXPR_CONSTANT)
        return 0;
    return comparison_of(e->u.function.fn->name);
}

/*
 * Comparison `op` over the arguments in st->child_results, when they are
 * numbers without NULLs against a constant: writes the selection directly,
 * as the kernel plus select_rows would, without the boolean vector in
 * between. False (nothing written) when they are of another shape.
 */
static bool select_compared(expr_state *st, int op, const uint32_t *sel, uint32_t count,
                            uint32_t *sel_out, uint32_t *count_out)
{
    const vector *x = st->child_results[0], *y = st->child_results[1];
    if (x->kind != VECTOR_FLAT || x->validity != NULL || y->kind != VECTOR_CONSTANT ||
        y->validity != NULL || x->type.id != y->type.id)
        return false;
    uint32_t n = 0;
    switch (x->type.id) {
    case TYPE_INTEGER:
    case TYPE_DATE: SELECT_BY_OP(int32_t); break;
    case TYPE_BIGINT:
    case TYPE_TIMESTAMP: SELECT_BY_OP(int64_t); break;
    case TYPE_SMALLINT: SELECT_BY_OP(int16_t); break;
    case TYPE_DOUBLE: SELECT_BY_OP(double); break;
    case TYPE_REAL: SELECT_BY_OP(float); break;
    default: return false;
    }
    *count_out = n;
    return true;
}

#undef SELECT_BY_OP
#undef SELECT_WHERE

/* Selects the TRUE rows of `st` among `sel`; conjunctions filter step by step. */
static arm_status select_rows(expr_executor *ex, expr_state *st, const batch *in,
                              const uint32_t *sel, uint32_t count, uint32_t *sel_out,
                              uint32_t *count_out, arm_error *err)
{
    if (st->e->kind == EXPR_AND) {
        const uint32_t *current = sel;
        uint32_t current_count = count;
        for (uint32_t k = 0; k < st->child_count; k++) {
            arm_status s = select_rows(ex, st->children[k], in, current, current_count, sel_out,
                                       &current_count, err);
            if (s != ARM_OK)
                return s;
            current = sel_out;
            if (current_count == 0)
                break;
        }
        if (current != sel_out) {
            for (uint32_t i = 0; i < current_count; i++)
                sel_out[i] = current ? current[i] : i;
        }
        *count_out = current_count;
        return ARM_OK;
    }
    vector *r = &st->result;
    arm_status s;
    int op = constant_comparison(st);
    if (op != 0) { /* the arguments once: selected directly, or through the kernel */
        bool any_nullable;
        if ((s = eval_function_args(ex, st, in, sel, count, &any_nullable, err)) != ARM_OK)
            return s;
        if (select_compared(st, op, sel, count, sel_out, count_out))
            return ARM_OK;
        s = apply_function(st, sel, count, any_nullable, r, err);
    } else {
        s = eval(ex, st, in, sel, count, r, err);
    }
    if (s != ARM_OK)
        return s;
    uint32_t n = 0;
    if (r->kind == VECTOR_FLAT && r->validity == NULL) {
        const uint8_t *data = r->data;
        for (uint32_t i = 0; i < count; i++) {
            uint32_t row = sel ? sel[i] : i;
            sel_out[n] = row;
            n += data[row] != 0;
        }
    } else {
        for (uint32_t i = 0; i < count; i++) {
            uint32_t row = sel ? sel[i] : i;
            if (read_bool(r, row) == 1)
                sel_out[n++] = row;
        }
    }
    *count_out = n;
    return ARM_OK;
}

arm_status expr_select(expr_executor *ex, uint32_t index, const batch *input, uint32_t *sel_out,
                       uint32_t *count_out, arm_error *err)
{
    if (index >= ex->count || ex->roots[index] == NULL)
        return error_internal(err, "expression index out of range");
    return select_rows(ex, ex->roots[index], input, input->sel, input->count, sel_out, count_out,
                       err);
}

arm_status expr_evaluate_constant(const expr *e, arena *a, value *out, arm_error *err)
{
    if (e->kind == EXPR_CONSTANT) { /* already folded: no executor needed */
        *out = e->u.constant;
        out->type = e->type;
        if (!out->is_null && type_is_string(out->type.id)) {
            char *copy = arena_strndup(a, out->u.str.data, out->u.str.length);
            if (copy == NULL)
                return error_out_of_memory(err);
            out->u.str.data = copy;
        }
        return ARM_OK;
    }
    expr_executor *ex = NULL;
    expr *root = (expr *)e;
    arm_status s = expr_executor_create(&ex, &root, 1, NULL, err);
    if (s != ARM_OK)
        return s;
    vector result;
    vector_init(&result, e->type);
    s = eval(ex, ex->roots[0], NULL, NULL, 1, &result, err);
    if (s == ARM_OK) {
        value v;
        vector_get_value(&result, 0, &v);
        v.type = e->type;
        if (!v.is_null && type_is_string(v.type.id)) {
            char *copy = arena_strndup(a, v.u.str.data, v.u.str.length);
            if (copy == NULL)
                s = error_out_of_memory(err);
            v.u.str.data = copy;
        }
        *out = v;
    }
    vector_dispose(&result);
    expr_executor_destroy(ex);
    return s;
}
