/*
 * test_optimizer.c: the plans the optimizer and physical planner produce:
 * filters pushed into scans and through joins, scans reading only the
 * columns used, constant folding, join order by estimated cardinality
 * (small relations on the build side, chained dimensions joined first),
 * hash joins from WHERE equalities, COUNT(*) from a table's row count,
 * projections that change nothing left out.
 */
#include <string.h>

#include "sql_test_util.h"

static void insert_rows(const char *table, uint32_t rows, uint32_t modulo)
{
    size_t capacity = 64 + (size_t)rows * 48;
    char *sql = malloc(capacity);
    size_t used = (size_t)snprintf(sql, capacity, "INSERT INTO %s VALUES ", table);
    for (uint32_t i = 0; i < rows; i++)
        used += (size_t)snprintf(sql + used, capacity - used, "%s(%u, %u, %u)", i ? ", " : "", i,
                                 i % modulo, i * 7 % 100);
    test_exec(sql);
    free(sql);
}

static void setup(void)
{
    static bool done;
    if (done)
        return;
    done = true;
    test_open();
    test_exec("CREATE TABLE big (id INTEGER, sid INTEGER, y INTEGER)");
    test_exec("CREATE TABLE mid (id INTEGER, sid INTEGER, y INTEGER)");
    test_exec("CREATE TABLE small (id INTEGER, x INTEGER, z INTEGER)");
    insert_rows("big", 1000, 10);
    insert_rows("mid", 100, 10);
    insert_rows("small", 10, 10);
}

static const plan_node *find_kind(const plan_node *node, plan_kind kind)
{
    if (node == NULL)
        return NULL;
    if (node->kind == kind)
        return node;
    for (uint32_t i = 0; i < node->child_count; i++) {
        const plan_node *found = find_kind(node->children[i], kind);
        if (found != NULL)
            return found;
    }
    return NULL;
}

static void test_filter_pushed_into_scan(void)
{
    setup();
    arm_error err;
    plan_node *plan = test_plan("SELECT id FROM big WHERE y > 90 AND sid = 3", &err);
    CHECK(plan != NULL);
    if (plan == NULL)
        return;
    CHECK(find_kind(plan, PLAN_FILTER) == NULL);
    const plan_node *scan = find_kind(plan, PLAN_TABLE_SCAN);
    CHECK(scan != NULL);
    if (scan == NULL)
        return;
    CHECK(scan->u.scan.predicate != NULL);
    CHECK_INT_EQ(scan->u.scan.filter_count, 2);
    CHECK_INT_EQ(scan->column_count, 3);
    CHECK_INT_EQ(scan->u.scan.filters[0].op, TABLE_FILTER_GT);
    CHECK_INT_EQ(scan->u.scan.filters[0].constant.u.i64, 90);
    CHECK(scan->estimated_rows < 1000);
}

static void test_projection_pushdown(void)
{
    setup();
    arm_error err;
    plan_node *plan = test_plan("SELECT y FROM big", &err);
    const plan_node *scan = find_kind(plan, PLAN_TABLE_SCAN);
    CHECK(scan != NULL);
    if (scan != NULL) {
        CHECK_INT_EQ(scan->column_count, 1);
        CHECK_INT_EQ(scan->u.scan.column_ids[0], 2);
    }
    plan = test_plan("SELECT 1 FROM big", &err);
    scan = find_kind(plan, PLAN_TABLE_SCAN);
    CHECK(scan != NULL && scan->column_count == 0);
}

/* COUNT(*) straight on a table is read from its row count; any other shape scans. */
static void test_count_star_from_row_count(void)
{
    setup();
    arm_error err;
    static const char *const counted[] = {
        "SELECT count(*) FROM big",
        "SELECT count(*), count(*) + 1 FROM big",
        "SELECT count(*) FROM big HAVING count(*) > 1",
        "SELECT count(*) FROM big WHERE true",
    };
    for (size_t i = 0; i < sizeof counted / sizeof counted[0]; i++) {
        plan_node *plan = test_plan(counted[i], &err);
        const plan_node *count = find_kind(plan, PLAN_TABLE_COUNT);
        CHECK(count != NULL && count->child_count == 0 && count->u.table_count.table != NULL);
        CHECK(find_kind(plan, PLAN_TABLE_SCAN) == NULL);
        CHECK(find_kind(plan, PLAN_HASH_AGGREGATE) == NULL);
    }
    static const char *const scanned[] = {
        "SELECT count(*) FROM big WHERE y > 10",
        "SELECT count(*) FILTER (WHERE y > 10) FROM big",
        "SELECT count(*), count(y) FROM big",
        "SELECT count(DISTINCT y) FROM big",
        "SELECT count(*) FROM big GROUP BY sid",
        "SELECT count(*) FROM (SELECT y + 1 FROM big) s",
        "SELECT count(*) FROM big JOIN small ON big.sid = small.x",
        "SELECT count(*) FROM generate_series(1, 10)",
    };
    for (size_t i = 0; i < sizeof scanned / sizeof scanned[0]; i++) {
        plan_node *plan = test_plan(scanned[i], &err);
        CHECK(plan != NULL);
        CHECK(find_kind(plan, PLAN_TABLE_COUNT) == NULL);
        CHECK(find_kind(plan, PLAN_TABLE_SCAN) != NULL);
    }
}

/* A projection that hands its input on unchanged is left out; a rename or reorder is not. */
static void test_identity_projection_dropped(void)
{
    setup();
    arm_error err;
    plan_node *plan = test_plan("SELECT sid, y FROM big WHERE y > 3", &err);
    CHECK(plan != NULL && plan->kind == PLAN_TABLE_SCAN);
    plan = test_plan("SELECT count(*) FROM big", &err);
    CHECK(plan != NULL && plan->kind == PLAN_TABLE_COUNT);
    static const char *const kept[] = {
        "SELECT y AS w FROM big",
        "SELECT y, sid FROM big",
        "SELECT count(*) AS n FROM big",
        "SELECT y + 1 FROM big",
    };
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
        plan = test_plan(kept[i], &err);
        CHECK(plan != NULL && plan->kind == PLAN_PROJECT);
    }
    result_set *r = test_run("SELECT count(*) AS n FROM big");
    CHECK(r != NULL && r->column_count == 1 && strcmp(r->column_names[0], "n") == 0);
    result_set_destroy(r);
}

static void test_constant_folding(void)
{
    setup();
    arm_error err;
    plan_node *plan = test_plan("SELECT 1 + 2 * 3, upper('ab') || 'c'", &err);
    CHECK(plan != NULL);
    if (plan != NULL && plan->kind == PLAN_PROJECT) {
        CHECK_INT_EQ(plan->u.project.exprs[0]->kind, EXPR_CONSTANT);
        CHECK_INT_EQ(plan->u.project.exprs[0]->u.constant.u.i64, 7);
        CHECK_INT_EQ(plan->u.project.exprs[1]->kind, EXPR_CONSTANT);
    }
    plan = test_plan("SELECT id FROM big WHERE 1 = 0", &err);
    CHECK(plan != NULL && find_kind(plan, PLAN_EMPTY) != NULL);
    CHECK(find_kind(plan, PLAN_TABLE_SCAN) == NULL);
    plan = test_plan("SELECT id FROM big WHERE y > 2 + 3", &err);
    const plan_node *scan = find_kind(plan, PLAN_TABLE_SCAN);
    CHECK(scan != NULL && scan->u.scan.filter_count == 1);
    plan = test_plan("SELECT 1 / 0", &err);
    CHECK(plan == NULL);
    CHECK_INT_EQ(err.status, ARM_ERROR_DIVISION_BY_ZERO);
}

static const char *scan_name(const plan_node *node)
{
    return node && node->kind == PLAN_TABLE_SCAN ? node->u.scan.table_name : "(not a scan)";
}

static void test_join_order_small_on_build_side(void)
{
    setup();
    arm_error err;
    plan_node *plan = test_plan("SELECT s.x, b.y FROM small s JOIN big b ON s.id = b.sid", &err);
    const plan_node *join = find_kind(plan, PLAN_HASH_JOIN);
    CHECK(join != NULL);
    if (join == NULL)
        return;
    CHECK_STR_EQ(scan_name(join->children[0]), "big");
    CHECK_STR_EQ(scan_name(join->children[1]), "small");
    CHECK_INT_EQ(join->u.join.key_count, 1);
    /* a chain of three: big probes, then mid and small are built */
    plan = test_plan("SELECT count(*) FROM small s, big b, mid m WHERE s.id = b.sid AND "
                     "m.sid = b.sid AND s.x > 1",
                     &err);
    join = find_kind(plan, PLAN_HASH_JOIN);
    CHECK(join != NULL);
    if (join == NULL)
        return;
    const plan_node *inner = join->children[0];
    CHECK(inner != NULL && inner->kind == PLAN_HASH_JOIN);
    if (inner != NULL && inner->kind == PLAN_HASH_JOIN) {
        CHECK_STR_EQ(scan_name(inner->children[0]), "big");
        CHECK_STR_EQ(scan_name(inner->children[1]), "small");
    }
    CHECK_STR_EQ(scan_name(join->children[1]), "mid");
}

/* A chain big - mid - small: mid and small are joined first, then probed once by big. */
static void test_join_order_builds_dimension_chain(void)
{
    setup();
    arm_error err;
    plan_node *plan =
        test_plan("SELECT count(*) FROM big b JOIN mid m ON b.sid = m.id JOIN small s "
                  "ON m.sid = s.id",
                  &err);
    const plan_node *join = find_kind(plan, PLAN_HASH_JOIN);
    CHECK(join != NULL);
    if (join == NULL)
        return;
    CHECK_STR_EQ(scan_name(join->children[0]), "big");
    const plan_node *built = join->children[1];
    CHECK(built != NULL && built->kind == PLAN_HASH_JOIN);
    if (built != NULL && built->kind == PLAN_HASH_JOIN) {
        CHECK_STR_EQ(scan_name(built->children[0]), "mid");
        CHECK_STR_EQ(scan_name(built->children[1]), "small");
    }
    /* big.sid is 0..9, each matching one mid row whose sid (id % 10) matches one small row */
    result_set *r = test_run("SELECT count(*) FROM big b JOIN mid m ON b.sid = m.id JOIN small s "
                             "ON m.sid = s.id");
    CHECK_STR_EQ(test_cell(r, 0, 0), "1000");
    result_set_destroy(r);
}

static void test_where_equality_makes_hash_join(void)
{
    setup();
    arm_error err;
    plan_node *plan = test_plan("SELECT b.id FROM big b, small s WHERE b.sid = s.id AND s.z < 50 "
                                "AND b.y + s.z > 3",
                                &err);
    const plan_node *join = find_kind(plan, PLAN_HASH_JOIN);
    CHECK(join != NULL);
    if (join == NULL)
        return;
    CHECK_INT_EQ(join->u.join.key_count, 1);
    CHECK(join->u.join.condition != NULL); /* b.y + s.z > 3 stays on the join */
    const plan_node *small = join->children[1];
    CHECK(small->kind == PLAN_TABLE_SCAN && small->u.scan.predicate != NULL);
    plan = test_plan("SELECT * FROM big b, small s WHERE b.y < s.z", &err);
    CHECK(find_kind(plan, PLAN_NESTED_LOOP_JOIN) != NULL);
}

static void test_outer_join_pushdown(void)
{
    setup();
    arm_error err;
    plan_node *plan = test_plan("SELECT * FROM big b LEFT JOIN small s ON b.sid = s.id AND s.z > 5 "
                                "WHERE b.y > 10 AND s.x IS NULL",
                                &err);
    CHECK(plan != NULL);
    const plan_node *filter = find_kind(plan, PLAN_FILTER);
    CHECK(filter != NULL); /* s.x IS NULL must stay above the left join */
    const plan_node *join = find_kind(plan, PLAN_HASH_JOIN);
    CHECK(join != NULL);
    if (join == NULL)
        return;
    CHECK_INT_EQ(join->u.join.type, JOIN_LEFT);
    CHECK_STR_EQ(scan_name(join->children[0]), "big");
    CHECK(join->children[0]->u.scan.predicate != NULL);
    CHECK(join->children[1]->u.scan.predicate != NULL);
}

static void test_order_limit_is_top_n(void)
{
    setup();
    arm_error err;
    plan_node *plan = test_plan("SELECT id FROM big ORDER BY y DESC LIMIT 5 OFFSET 2", &err);
    const plan_node *top = find_kind(plan, PLAN_TOP_N);
    CHECK(top != NULL);
    if (top != NULL) {
        CHECK_INT_EQ(top->u.sort.limit, 5);
        CHECK_INT_EQ(top->u.sort.offset, 2);
    }
    CHECK(find_kind(plan, PLAN_LIMIT) == NULL);
}

static void test_teardown(void)
{
    test_close();
}

TEST_MAIN(test_filter_pushed_into_scan, test_projection_pushdown, test_count_star_from_row_count,
          test_identity_projection_dropped, test_constant_folding,
          test_join_order_small_on_build_side, test_join_order_builds_dimension_chain,
          test_where_equality_makes_hash_join, test_outer_join_pushdown, test_order_limit_is_top_n,
          test_teardown)
