/*
 * Tests for the hash join and nested-loop join operators
 * (src/exec/op_hash_join.c, op_nested_loop_join.c) driven through their
 * vtables: every join type against a naive nested-loop reference on random
 * data with NULL keys, multi-column and string keys, NULL-equals-NULL keys,
 * extra conditions, probe batches with more than VECTOR_SIZE results, and
 * unmatched build rows of RIGHT/FULL joins from the source.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "op_driver.h"

static op_driver d;

static expr *col(logical_type type, uint32_t index)
{
    return expr_column(d.arena, type, index);
}

static expr *call(const char *name, expr *x, expr *y)
{
    arm_error err;
    logical_type types[2] = {x->type, y->type}, cast_to[2];
    bool untyped[2] = {false, false};
    const scalar_function *fn = NULL;
    CHECK_OK(function_resolve(&fn, cast_to, name, types, untyped, 2, -1, &err), &err);
    expr *e = arena_zalloc(d.arena, sizeof *e);
    e->kind = EXPR_FUNCTION;
    e->type = fn->return_type;
    e->u.function.fn = fn;
    e->u.function.args = arena_alloc(d.arena, 2 * sizeof(expr *));
    e->u.function.args[0] =
        type_equal(x->type, cast_to[0]) ? x : expr_cast(d.arena, x, cast_to[0], -1);
    e->u.function.args[1] =
        type_equal(y->type, cast_to[1]) ? y : expr_cast(d.arena, y, cast_to[1], -1);
    e->u.function.arg_count = 2;
    return e;
}

/* Rows of one side: a INTEGER key (NULL when a_null), s VARCHAR key, p INTEGER payload. */
typedef struct side_row {
    int32_t a;
    bool a_null;
    int32_t s; /* index into key_names */
    int32_t p;
} side_row;

static const char *key_names[4] = {"k0", "k1", "a key longer than the inline twelve", "k3"};
static const logical_type side_types[3] = {
    {TYPE_INTEGER, 0, 0}, {TYPE_VARCHAR, 0, 0}, {TYPE_INTEGER, 0, 0}};

static void random_rows(side_row *rows, uint32_t n, uint32_t key_domain, unsigned *seed)
{
    for (uint32_t i = 0; i < n; i++) {
        rows[i].a = (int32_t)(rand_r(seed) % key_domain);
        rows[i].a_null = rand_r(seed) % 10 == 0;
        rows[i].s = (int32_t)(rand_r(seed) % 2);
        rows[i].p = (int32_t)i;
    }
}

/* Batches of `per_batch` rows (the last shorter); every other batch gets a selection. */
static batch *side_batches(const side_row *rows, uint32_t n, uint32_t per_batch, uint32_t *count)
{
    *count = (n + per_batch - 1) / per_batch;
    batch *b = calloc(*count + 1, sizeof *b);
    value *cells = malloc((size_t)per_batch * 2 * 3 * sizeof *cells);
    for (uint32_t k = 0; k < *count; k++) {
        uint32_t from = k * per_batch, m = n - from < per_batch ? n - from : per_batch;
        bool with_sel = k % 2 == 1;
        /* with a selection, physical rows interleave junk rows that must be ignored */
        uint32_t physical = with_sel ? 2 * m : m;
        for (uint32_t r = 0; r < physical; r++) {
            const side_row *x = &rows[from + (with_sel ? r / 2 : r)];
            value *c = &cells[(size_t)r * 3];
            bool junk = with_sel && r % 2 == 0;
            c[0] = x->a_null && !junk ? value_null(side_types[0]) : value_integer(junk ? 1 : x->a);
            const char *name = key_names[junk ? 0 : x->s];
            c[1] = value_varchar(name, (uint32_t)strlen(name));
            c[2] = value_integer(junk ? -1 : x->p);
        }
        driver_batch(&b[k], side_types, 3, cells, physical);
        if (with_sel) {
            for (uint32_t r = 0; r < m; r++)
                b[k].sel_storage[r] = 2 * r + 1;
            b[k].sel = b[k].sel_storage;
            b[k].count = m;
        }
    }
    free(cells);
    return b;
}

static void free_batches(batch *b, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++)
        batch_dispose(&b[i]);
    free(b);
}

static void row_text(char *out, size_t cap, const side_row *r)
{
    if (r == NULL) {
        snprintf(out, cap, "NULL|NULL|NULL");
        return;
    }
    char a[16];
    snprintf(a, sizeof a, r->a_null ? "NULL" : "%d", r->a);
    snprintf(out, cap, "%s|%s|%d", a, key_names[r->s], r->p);
}

typedef struct join_case {
    join_type type;
    uint32_t key_count; /* 0: nested loops on the condition */
    bool null_equals_null;
    bool with_condition; /* l.p < r.p + 50 (or l.a < r.a for key_count 0) */
} join_case;

static bool keys_match(const join_case *c, const side_row *l, const side_row *r)
{
    if (c->key_count == 0)
        return !l->a_null && !r->a_null && l->a < r->a;
    if (l->a_null || r->a_null) {
        if (!(c->null_equals_null && l->a_null && r->a_null))
            return false;
    } else if (l->a != r->a) {
        return false;
    }
    if (c->key_count > 1 && l->s != r->s)
        return false;
    return !c->with_condition || l->p < r->p + 50;
}

static void reference(const join_case *c, const side_row *left, uint32_t nl, const side_row *right,
                      uint32_t nr, driver_rows *out)
{
    bool *right_matched = calloc(nr + 1, 1);
    char lt[96], rt[96], line[256];
    for (uint32_t i = 0; i < nl; i++) {
        bool matched = false;
        row_text(lt, sizeof lt, &left[i]);
        for (uint32_t j = 0; j < nr; j++) {
            if (c->type != JOIN_CROSS && !keys_match(c, &left[i], &right[j]))
                continue;
            matched = true;
            right_matched[j] = true;
            if (c->type == JOIN_SEMI || c->type == JOIN_ANTI)
                continue;
            row_text(rt, sizeof rt, &right[j]);
            snprintf(line, sizeof line, "%s|%s", lt, rt);
            driver_rows_add(&d, out, line);
        }
        if ((c->type == JOIN_SEMI && matched) || (c->type == JOIN_ANTI && !matched))
            driver_rows_add(&d, out, lt);
        if ((c->type == JOIN_LEFT || c->type == JOIN_FULL) && !matched) {
            snprintf(line, sizeof line, "%s|NULL|NULL|NULL", lt);
            driver_rows_add(&d, out, line);
        }
    }
    if (c->type == JOIN_RIGHT || c->type == JOIN_FULL)
        for (uint32_t j = 0; j < nr; j++)
            if (!right_matched[j]) {
                row_text(rt, sizeof rt, &right[j]);
                snprintf(line, sizeof line, "NULL|NULL|NULL|%s", rt);
                driver_rows_add(&d, out, line);
            }
    free(right_matched);
}

static expr *int_constant(int32_t v)
{
    value x = value_integer(v);
    return expr_constant(d.arena, &x, -1);
}

static plan_node *join_plan(const join_case *c)
{
    plan_node *left = driver_plan(&d, PLAN_VALUES, side_types, 3, NULL, NULL);
    plan_node *right = driver_plan(&d, PLAN_VALUES, side_types, 3, NULL, NULL);
    logical_type types[6];
    for (int i = 0; i < 6; i++)
        types[i] = side_types[i % 3];
    bool left_only = c->type == JOIN_SEMI || c->type == JOIN_ANTI;
    plan_node *n = driver_plan(&d, c->key_count ? PLAN_HASH_JOIN : PLAN_NESTED_LOOP_JOIN, types,
                               left_only ? 3 : 6, left, right);
    n->u.join.type = c->type;
    n->u.join.key_count = c->key_count;
    n->u.join.left_keys = arena_alloc(d.arena, 2 * sizeof(expr *));
    n->u.join.right_keys = arena_alloc(d.arena, 2 * sizeof(expr *));
    for (uint32_t k = 0; k < c->key_count; k++) {
        n->u.join.left_keys[k] = col(side_types[k], k);
        n->u.join.right_keys[k] = col(side_types[k], k);
    }
    if (c->null_equals_null) {
        n->u.join.null_equals_null = arena_zalloc(d.arena, 2 * sizeof(bool));
        n->u.join.null_equals_null[0] = true;
    }
    if (c->key_count == 0 && c->type != JOIN_CROSS)
        n->u.join.condition = call("<", col(side_types[0], 0), col(side_types[0], 3));
    else if (c->with_condition)
        n->u.join.condition =
            call("<", col(side_types[2], 2), call("+", col(side_types[2], 5), int_constant(50)));
    return n;
}

/* Runs one case: build from `right`, probe with `left`, unmatched build rows from the source. */
static void run_case(const join_case *c, const side_row *left, uint32_t nl, const side_row *right,
                     uint32_t nr, uint32_t per_batch, uint32_t threads)
{
    plan_node *plan = join_plan(c);
    uint32_t lb_count, rb_count;
    batch *lb = side_batches(left, nl, per_batch, &lb_count);
    batch *rb = side_batches(right, nr, per_batch, &rb_count);
    op_create_fn create = c->key_count ? op_hash_join_create : op_nested_loop_join_create;
    op *o = NULL;
    arm_error err;
    driver_rows actual = {0}, expected = {0};
    CHECK_OK(driver_create(&d, &o, create, plan, &err), &err);
    CHECK_OK(driver_sink(o, 1, rb, rb_count, threads, &err), &err);
    CHECK_OK(driver_probe(&d, o, lb, lb_count, threads, &actual, &err), &err);
    if (c->type == JOIN_RIGHT || c->type == JOIN_FULL)
        CHECK_OK(driver_drain(&d, o, &actual, &err), &err);
    driver_destroy_op(o);
    reference(c, left, nl, right, nr, &expected);
    if (!driver_rows_same(&actual, &expected)) {
        fprintf(stderr, "case: type %d keys %u null_eq %d cond %d rows %u x %u\n", c->type,
                c->key_count, c->null_equals_null, c->with_condition, nl, nr);
        CHECK(false);
    }
    free_batches(lb, lb_count);
    free_batches(rb, rb_count);
}

static const join_type all_types[6] = {JOIN_INNER, JOIN_LEFT, JOIN_RIGHT,
                                       JOIN_FULL,  JOIN_SEMI, JOIN_ANTI};

static void test_hash_join_types_random(void)
{
    unsigned seed = 42;
    side_row left[1500], right[900];
    random_rows(left, 1500, 300, &seed);
    random_rows(right, 900, 400, &seed);
    for (int t = 0; t < 6; t++)
        for (uint32_t keys = 1; keys <= 2; keys++)
            for (int variant = 0; variant < 3; variant++) {
                join_case c = {all_types[t], keys, variant == 1, variant == 2};
                run_case(&c, left, 1500, right, 900, 500, 1 + (uint32_t)variant);
            }
}

static void test_empty_sides(void)
{
    unsigned seed = 7;
    side_row rows[100];
    random_rows(rows, 100, 10, &seed);
    for (int t = 0; t < 6; t++) {
        join_case c = {all_types[t], 1, false, false};
        run_case(&c, rows, 100, rows, 0, 64, 2); /* empty build */
        run_case(&c, rows, 0, rows, 100, 64, 2); /* empty probe */
    }
}

/* One probe batch fanning out past VECTOR_SIZE rows: OP_HAVE_MORE_OUTPUT. */
static void test_large_fanout(void)
{
    side_row left[100], right[200];
    for (uint32_t i = 0; i < 100; i++)
        left[i] = (side_row){(int32_t)(i % 2), false, 0, (int32_t)i};
    for (uint32_t i = 0; i < 200; i++)
        right[i] = (side_row){0, false, 0, (int32_t)i};
    join_case inner = {JOIN_INNER, 1, false, false}; /* 50 * 200 = 10,000 rows from one batch */
    run_case(&inner, left, 100, right, 200, 100, 1);
    join_case full = {JOIN_FULL, 2, false, false};
    run_case(&full, left, 100, right, 200, 100, 2);
}

static void test_nested_loop_types(void)
{
    unsigned seed = 99;
    side_row left[300], right[250];
    random_rows(left, 300, 100, &seed);
    random_rows(right, 250, 100, &seed);
    for (int t = 0; t < 6; t++) {
        join_case c = {all_types[t], 0, false, false};
        run_case(&c, left, 300, right, 250, 128, 1 + (uint32_t)t % 3);
    }
    join_case cross = {JOIN_CROSS, 0, false, false};
    run_case(&cross, left, 40, right, 70, 16, 2);
    run_case(&cross, left, 40, right, 0, 16, 2);
}

static void test_build_memory_limit(void)
{
    op_driver saved = d;
    driver_init(&d, 64 * 1024);
    unsigned seed = 3;
    enum { N = 20000 };
    side_row *rows = malloc(N * sizeof *rows);
    random_rows(rows, N, 1000, &seed);
    join_case c = {JOIN_INNER, 1, false, false};
    plan_node *plan = join_plan(&c);
    uint32_t count;
    batch *b = side_batches(rows, N, 2048, &count);
    op *o = NULL;
    arm_error err;
    CHECK_OK(driver_create(&d, &o, op_hash_join_create, plan, &err), &err);
    CHECK(driver_sink(o, 1, b, count, 2, &err) == ARM_ERROR_MEMORY_LIMIT);
    driver_destroy_op(o);
    free_batches(b, count);
    free(rows);
    driver_dispose(&d);
    d = saved;
}

static void setup(void)
{
    driver_init(&d, 0);
}

static void teardown(void)
{
    driver_dispose(&d);
}

TEST_MAIN(setup, test_hash_join_types_random, test_empty_sides, test_large_fanout,
          test_nested_loop_types, test_build_memory_limit, teardown)
