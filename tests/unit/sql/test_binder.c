/*
 * test_binder.c: the binder's name resolution, typing and SQL rules, seen
 * through the plans it produces and the errors it reports (message,
 * SQLSTATE, position, hint).
 */
#include <string.h>

#include "sql/suggest.h"
#include "sql_test_util.h"

/* Opens the database on first use (every test calls it). */
static void setup(void)
{
    static bool done;
    if (done)
        return;
    done = true;
    test_open();
    test_exec("CREATE TABLE users (id BIGINT PRIMARY KEY, name VARCHAR, score DOUBLE, born DATE)");
    test_exec("CREATE TABLE orders (id BIGINT, user_id BIGINT, amount DECIMAL(10,2))");
}

static void check_error(const char *sql, arm_status status, const char *sqlstate,
                        const char *message, int32_t position, const char *hint)
{
    arm_error err;
    setup();
    plan_node *plan = test_plan(sql, &err);
    CHECK(plan == NULL);
    CHECK_INT_EQ(err.status, status);
    CHECK_STR_EQ(err.sqlstate, sqlstate);
    CHECK_STR_EQ(err.message, message);
    if (position >= 0)
        CHECK_INT_EQ(err.position, position);
    if (hint != NULL)
        CHECK_STR_EQ(err.hint, hint);
}

static void test_unknown_column_suggests(void)
{
    setup();
    check_error("SELECT nme FROM users", ARM_ERROR_NOT_FOUND, "42703",
                "column \"nme\" does not exist", 7, "Perhaps you meant \"name\".");
    check_error("SELECT u.nme FROM users u", ARM_ERROR_NOT_FOUND, "42703",
                "column u.nme does not exist", 7, "Perhaps you meant \"name\".");
    check_error("SELECT x.id FROM users", ARM_ERROR_NOT_FOUND, "42P01",
                "missing FROM-clause entry for table \"x\"", 7, NULL);
}

static void test_unknown_table_suggests(void)
{
    setup();
    check_error("SELECT * FROM userz", ARM_ERROR_NOT_FOUND, "42P01",
                "relation \"userz\" does not exist", 14, "Perhaps you meant \"users\".");
}

static void test_ambiguous_column(void)
{
    setup();
    check_error("SELECT id FROM users, orders", ARM_ERROR_NOT_FOUND, "42702",
                "column reference \"id\" is ambiguous", 7, NULL);
}

static void test_group_by_rules(void)
{
    setup();
    check_error("SELECT name, count(*) FROM users", ARM_ERROR_SYNTAX, "42803",
                "column \"users.name\" must appear in the GROUP BY clause or be used in an "
                "aggregate function",
                7, NULL);
    check_error("SELECT id FROM users WHERE count(*) > 1", ARM_ERROR_SYNTAX, "42803",
                "aggregate functions are not allowed in WHERE", 27, NULL);
    arm_error err;
    CHECK(test_plan("SELECT name, count(*) FROM users GROUP BY name", &err) != NULL);
    CHECK(test_plan("SELECT name AS n, count(*) FROM users GROUP BY n", &err) != NULL);
    CHECK(test_plan("SELECT name, sum(score) FROM users GROUP BY 1 HAVING sum(score) > 1", &err) !=
          NULL);
    CHECK(test_plan("SELECT upper(name), count(*) FROM users GROUP BY upper(name)", &err));
}

static void test_types(void)
{
    setup();
    check_error("SELECT * FROM users WHERE id = born", ARM_ERROR_TYPE, "42883",
                "operator does not exist: bigint = date", -1, NULL);
    check_error("SELECT * FROM users WHERE 1 AND true", ARM_ERROR_TYPE, "42804",
                "argument of AND must be type boolean, not type integer", -1, NULL);
    check_error("SELECT CASE WHEN true THEN 1 ELSE born END FROM users", ARM_ERROR_TYPE, "42804",
                "CASE types integer and date cannot be matched", -1, NULL);
    arm_error err;
    plan_node *plan = test_plan("SELECT 1 + 'a'", &err);
    CHECK(plan == NULL);
    CHECK_INT_EQ(err.status, ARM_ERROR_INVALID_INPUT);
    CHECK_INT_EQ(err.position, 11);
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

static void test_string_literal_adopts_column_type(void)
{
    setup();
    arm_error err;
    plan_node *plan = test_plan("SELECT id FROM users WHERE born > '2020-01-02'", &err);
    CHECK(plan != NULL);
    const plan_node *scan = find_kind(plan, PLAN_TABLE_SCAN);
    CHECK(scan != NULL && scan->u.scan.predicate != NULL);
    if (scan == NULL || scan->u.scan.predicate == NULL)
        return;
    const expr *predicate = scan->u.scan.predicate;
    CHECK_INT_EQ(predicate->kind, EXPR_FUNCTION);
    CHECK_INT_EQ(predicate->u.function.args[1]->kind, EXPR_CONSTANT);
    CHECK_INT_EQ(predicate->u.function.args[1]->type.id, TYPE_DATE);
    CHECK_INT_EQ(predicate->u.function.args[1]->u.constant.u.i64, 18263);
    check_error("SELECT id FROM users WHERE born > 'soon'", ARM_ERROR_INVALID_INPUT, "22007",
                "invalid input syntax for type date: \"soon\"", 34, NULL);
}

static void test_result_names(void)
{
    setup();
    arm_error err;
    plan_node *plan = test_plan(
        "SELECT id, count(*), 1 + 1, name AS n, upper(name) FROM users GROUP BY id, name", &err);
    CHECK(plan != NULL);
    if (plan == NULL)
        return;
    CHECK_INT_EQ(plan->column_count, 5);
    CHECK_STR_EQ(plan->names[0], "id");
    CHECK_STR_EQ(plan->names[1], "count");
    CHECK_STR_EQ(plan->names[2], "?column?");
    CHECK_STR_EQ(plan->names[3], "n");
    CHECK_STR_EQ(plan->names[4], "upper");
    CHECK_INT_EQ(plan->types[1].id, TYPE_BIGINT);
    CHECK_INT_EQ(plan->types[2].id, TYPE_INTEGER);
}

static void test_star_and_using(void)
{
    setup();
    arm_error err;
    plan_node *plan = test_plan("SELECT * FROM users", &err);
    CHECK(plan != NULL && plan->column_count == 4);
    plan = test_plan("SELECT * FROM users u JOIN orders o USING (id)", &err);
    CHECK(plan != NULL);
    if (plan != NULL) {
        CHECK_INT_EQ(plan->column_count, 6); /* id once, then the rest of each side */
        CHECK_STR_EQ(plan->names[0], "id");
        CHECK_STR_EQ(plan->names[1], "name");
        CHECK_STR_EQ(plan->names[4], "user_id");
    }
    plan = test_plan("SELECT o.*, u.name FROM users u JOIN orders o ON u.id = o.user_id", &err);
    CHECK(plan != NULL && plan->column_count == 4);
}

static void test_query_rules(void)
{
    setup();
    check_error("SELECT id FROM users UNION SELECT id, name FROM users", ARM_ERROR_SYNTAX, "42601",
                "each UNION query must have the same number of columns", -1, NULL);
    check_error("SELECT DISTINCT name FROM users ORDER BY score", ARM_ERROR_SYNTAX, "42P10",
                "for SELECT DISTINCT, ORDER BY expressions must appear in select list", -1, NULL);
    check_error("SELECT id FROM users ORDER BY 3", ARM_ERROR_SYNTAX, "42P10",
                "ORDER BY position 3 is not in select list", 30, NULL);
    check_error("SELECT id FROM users LIMIT -1", ARM_ERROR_INVALID_INPUT, "2201W",
                "LIMIT must not be negative", -1, NULL);
    check_error("SELECT * FROM users u WHERE EXISTS (SELECT 1 FROM orders o WHERE "
                "o.user_id = u.id)",
                ARM_ERROR_NOT_SUPPORTED, "0A000", "correlated subqueries are not supported yet", -1,
                NULL);
    check_error("INSERT INTO users VALUES (1, 'a', 1.0, '2020-01-01', 5)", ARM_ERROR_SYNTAX,
                "42601", "INSERT has more expressions than target columns", -1, NULL);
    check_error("INSERT INTO users (id, nam) VALUES (1, 'a')", ARM_ERROR_NOT_FOUND, "42703",
                "column \"nam\" of relation \"users\" does not exist", -1,
                "Perhaps you meant \"name\".");
}

static void test_order_by_hidden_column(void)
{
    setup();
    arm_error err;
    plan_node *plan = test_plan("SELECT name FROM users ORDER BY score DESC", &err);
    CHECK(plan != NULL);
    if (plan == NULL)
        return;
    CHECK_INT_EQ(plan->kind, PLAN_PROJECT); /* drops the hidden sort column */
    CHECK_INT_EQ(plan->column_count, 1);
    const plan_node *sort = find_kind(plan, PLAN_SORT);
    CHECK(sort != NULL);
    if (sort != NULL) {
        CHECK(sort->u.sort.keys[0].descending);
        CHECK(sort->u.sort.keys[0].nulls_first);
        CHECK_INT_EQ(sort->column_count, 2);
    }
}

static void test_parameters_typed_by_context(void)
{
    setup();
    arm_error err;
    plan_node *plan = test_plan("SELECT name FROM users WHERE id = $1 AND name = $2", &err);
    CHECK(plan != NULL);
    CHECK_INT_EQ(test_binder.param_count, 2);
    CHECK_INT_EQ(test_binder.param_types[0].id, TYPE_BIGINT);
    CHECK_INT_EQ(test_binder.param_types[1].id, TYPE_VARCHAR);
}

static void test_cte_and_view(void)
{
    setup();
    arm_error err;
    CHECK(test_plan("WITH top AS (SELECT id, score FROM users WHERE score > 1) "
                    "SELECT t.id FROM top t JOIN top u ON t.id = u.id",
                    &err) != NULL);
    test_exec("CREATE VIEW rich AS SELECT id, name FROM users WHERE score > 90");
    plan_node *plan = test_plan("SELECT name FROM rich WHERE id > 3", &err);
    CHECK(plan != NULL);
    const plan_node *scan = find_kind(plan, PLAN_TABLE_SCAN);
    CHECK(scan != NULL && scan->u.scan.predicate != NULL);
    CHECK(scan != NULL && scan->u.scan.filter_count == 2);
}

static void test_suggestions(void)
{
    CHECK_INT_EQ(suggest_edit_distance("nme", "name"), 1);
    CHECK_INT_EQ(suggest_edit_distance("USERZ", "users"), 1);
    CHECK_INT_EQ(suggest_edit_distance("", "abc"), 3);
    suggester s;
    suggester_init(&s, "scroe");
    suggester_consider(&s, "id");
    suggester_consider(&s, "score");
    suggester_consider(&s, "scare");
    CHECK_STR_EQ(s.best, "score");
    suggester_init(&s, "zzz");
    suggester_consider(&s, "name");
    CHECK(s.best == NULL);
}

static void test_teardown(void)
{
    test_close();
}

TEST_MAIN(test_unknown_column_suggests, test_unknown_table_suggests, test_ambiguous_column,
          test_group_by_rules, test_types, test_string_literal_adopts_column_type,
          test_result_names, test_star_and_using, test_query_rules, test_order_by_hidden_column,
          test_parameters_typed_by_context, test_cte_and_view, test_suggestions, test_teardown)
