/*
 * test_sql.c: statements end to end through sql_run on an in-memory
 * database: DDL, INSERT/UPDATE/DELETE, queries with joins, grouping,
 * ordering, set operations and subqueries, SET/SHOW, EXPLAIN, prepared
 * statements, and errors from the middle of a script.
 */
#include <string.h>

#include "sql_test_util.h"

static void setup(void)
{
    static bool done;
    if (done)
        return;
    done = true;
    test_open();
    test_exec("CREATE TABLE users (id BIGINT PRIMARY KEY, name VARCHAR NOT NULL, "
              "score DOUBLE DEFAULT 50, born DATE)");
    test_exec("INSERT INTO users VALUES (1, 'ann', 91.5, '1990-05-01'), (2, 'bob', 40, NULL), "
              "(3, 'cid', 77, '2001-12-31')");
    test_exec("INSERT INTO users (id, name) VALUES (4, 'dan')");
    test_exec("CREATE TABLE orders (id INTEGER, user_id BIGINT, amount DECIMAL(10,2))");
    test_exec("INSERT INTO orders VALUES (10, 1, 5.50), (11, 1, 4.50), (12, 3, 100), "
              "(13, 9, 1)");
}

static void test_select_basics(void)
{
    setup();
    CHECK_QUERY("SELECT id, name, score FROM users ORDER BY id",
                "1|ann|91.5\n2|bob|40\n3|cid|77\n4|dan|50\n");
    CHECK_QUERY("SELECT name FROM users WHERE score > 60 ORDER BY name DESC", "cid\nann\n");
    CHECK_QUERY("SELECT name FROM users WHERE born IS NULL ORDER BY 1", "bob\ndan\n");
    CHECK_QUERY("SELECT 1 + 2, 'a' || 'b', 7 / 2", "3|ab|3\n");
    CHECK_QUERY("SELECT id FROM users ORDER BY id LIMIT 2 OFFSET 1", "2\n3\n");
    CHECK_QUERY("SELECT count(*) FROM users", "4\n");
    CHECK_QUERY("SELECT DISTINCT score > 60 FROM users ORDER BY 1", "false\ntrue\n");
}

static void test_joins(void)
{
    setup();
    CHECK_QUERY("SELECT u.name, o.amount FROM users u JOIN orders o ON u.id = o.user_id "
                "ORDER BY o.id",
                "ann|5.50\nann|4.50\ncid|100.00\n");
    CHECK_QUERY("SELECT u.name, count(o.id) FROM users u LEFT JOIN orders o ON u.id = o.user_id "
                "GROUP BY u.name ORDER BY u.name",
                "ann|2\nbob|0\ncid|1\ndan|0\n");
    CHECK_QUERY("SELECT o.id, u.name FROM users u RIGHT JOIN orders o ON u.id = o.user_id "
                "ORDER BY o.id",
                "10|ann\n11|ann\n12|cid\n13|NULL\n");
    CHECK_QUERY("SELECT count(*) FROM users u FULL JOIN orders o ON u.id = o.user_id", "6\n");
    CHECK_QUERY("SELECT count(*) FROM users, orders", "16\n");
}

static void test_group_order_limit(void)
{
    setup();
    CHECK_QUERY("SELECT u.name, sum(o.amount) AS total FROM users u JOIN orders o "
                "ON u.id = o.user_id GROUP BY u.name ORDER BY total DESC LIMIT 1",
                "cid|100.00\n");
    CHECK_QUERY("SELECT score > 60 AS good, count(*) FROM users GROUP BY good ORDER BY good",
                "false|2\ntrue|2\n");
    CHECK_QUERY("SELECT user_id, count(*) FROM orders GROUP BY 1 HAVING count(*) > 1", "1|2\n");
    CHECK_QUERY("SELECT min(name), max(score), count(born) FROM users", "ann|91.5|2\n");
}

static void test_set_operations(void)
{
    setup();
    CHECK_QUERY("SELECT id FROM users UNION SELECT user_id FROM orders ORDER BY 1",
                "1\n2\n3\n4\n9\n");
    CHECK_QUERY("SELECT user_id FROM orders UNION ALL SELECT id FROM users WHERE id > 3 "
                "ORDER BY 1",
                "1\n1\n3\n4\n9\n");
    CHECK_QUERY("SELECT id FROM users INTERSECT SELECT user_id FROM orders ORDER BY id", "1\n3\n");
    CHECK_QUERY("SELECT id FROM users EXCEPT SELECT user_id FROM orders ORDER BY id", "2\n4\n");
}

static void test_subqueries(void)
{
    setup();
    CHECK_QUERY("SELECT name FROM users WHERE id IN (SELECT user_id FROM orders) ORDER BY 1",
                "ann\ncid\n");
    CHECK_QUERY("SELECT name FROM users WHERE id NOT IN (SELECT user_id FROM orders) ORDER BY 1",
                "bob\ndan\n");
    CHECK_QUERY("SELECT (SELECT max(amount) FROM orders)", "100.00\n");
    CHECK_QUERY("SELECT count(*) FROM users WHERE EXISTS (SELECT 1 FROM orders WHERE id > 12)",
                "4\n");
    CHECK_QUERY("SELECT t.n FROM (SELECT name AS n, score FROM users) t WHERE t.score < 60 "
                "ORDER BY 1",
                "bob\ndan\n");
    CHECK_QUERY("WITH big AS (SELECT * FROM orders WHERE amount > 5) "
                "SELECT count(*) FROM big",
                "2\n");
}

static void test_expressions(void)
{
    setup();
    CHECK_QUERY("SELECT CASE WHEN score > 80 THEN 'high' WHEN score > 45 THEN 'mid' "
                "ELSE 'low' END FROM users ORDER BY id",
                "high\nlow\nmid\nmid\n");
    CHECK_QUERY("SELECT coalesce(born, '2000-01-01') FROM users WHERE id = 2", "2000-01-01\n");
    CHECK_QUERY("SELECT nullif(id, 2) FROM users ORDER BY id", "1\nNULL\n3\n4\n");
    CHECK_QUERY("SELECT name FROM users WHERE score BETWEEN 45 AND 80 ORDER BY 1", "cid\ndan\n");
    CHECK_QUERY("SELECT name FROM users WHERE name LIKE '%n' ORDER BY 1", "ann\ndan\n");
    CHECK_QUERY("SELECT name FROM users WHERE id IN (1, 3) ORDER BY 1", "ann\ncid\n");
    CHECK_QUERY("SELECT extract(year FROM born) FROM users WHERE id = 1", "1990\n");
}

static void test_dml(void)
{
    setup();
    test_exec("CREATE TABLE t (a INTEGER, b VARCHAR)");
    result_set *r = test_run("INSERT INTO t VALUES (1, 'one'), (2, 'two'), (3, 'three')");
    CHECK(r != NULL && r->kind == RESULT_SET_CHANGES && r->rows_changed == 3);
    result_set_destroy(r);
    test_exec("INSERT INTO t (a) SELECT a + 10 FROM t WHERE a < 3");
    test_exec("INSERT INTO t DEFAULT VALUES");
    test_exec("INSERT INTO t VALUES ('7')"); /* fewer values: the rest get defaults */
    CHECK_QUERY("SELECT a, b FROM t ORDER BY a NULLS FIRST",
                "NULL|NULL\n1|one\n2|two\n3|three\n7|NULL\n11|NULL\n12|NULL\n");
    r = test_run("UPDATE t SET b = upper(b), a = a * 2 WHERE a < 10");
    CHECK(r != NULL && r->rows_changed == 4);
    result_set_destroy(r);
    r = test_run("DELETE FROM t WHERE b IS NULL");
    CHECK(r != NULL && r->rows_changed == 4);
    result_set_destroy(r);
    CHECK_QUERY("SELECT a, b FROM t ORDER BY a", "2|ONE\n4|TWO\n6|THREE\n");
    test_exec("CREATE TABLE t2 AS SELECT a, b FROM t WHERE a > 2");
    CHECK_QUERY("SELECT count(*) FROM t2", "2\n");
    test_exec("DROP TABLE t2");
    test_exec("DROP TABLE IF EXISTS t2");
}

static void test_defaults(void)
{
    setup();
    test_exec("CREATE TABLE d (a INTEGER, b VARCHAR DEFAULT 'x', c INTEGER DEFAULT 1 + 2)");
    test_exec("INSERT INTO d (a) VALUES (1)");
    test_exec("INSERT INTO d VALUES (2, DEFAULT, DEFAULT)");
    test_exec("INSERT INTO d DEFAULT VALUES");
    test_exec("INSERT INTO d (a) SELECT 4");
    CHECK_QUERY("SELECT a, b, c FROM d ORDER BY a NULLS FIRST", "NULL|x|3\n1|x|3\n2|x|3\n4|x|3\n");
}

static void test_errors_in_scripts(void)
{
    setup();
    arm_error err;
    test_exec("CREATE TABLE s (a INTEGER)");
    const char *script = "INSERT INTO s VALUES (1); SELECT nope FROM s";
    CHECK_INT_EQ(test_fail(script, &err), ARM_ERROR_NOT_FOUND);
    CHECK_INT_EQ(err.position, (int32_t)(strstr(script, "nope") - script));
    CHECK_QUERY("SELECT a FROM s", "1\n"); /* the first statement stayed done */
    CHECK_INT_EQ(test_fail("INSERT INTO s VALUES ('abc')", &err), ARM_ERROR_INVALID_INPUT);
    CHECK_INT_EQ(test_fail("INSERT INTO users (id) VALUES (7)", &err), ARM_ERROR_CONSTRAINT);
    CHECK_INT_EQ(test_fail("CREATE TABLE s (b INTEGER)", &err), ARM_ERROR_ALREADY_EXISTS);
    CHECK_STR_EQ(err.message, "relation \"s\" already exists");
    CHECK_INT_EQ(test_fail("DROP TABLE nosuch", &err), ARM_ERROR_NOT_FOUND);
    CHECK_INT_EQ(test_fail("BEGIN", &err), ARM_ERROR_NOT_SUPPORTED);
    CHECK_INT_EQ(test_fail("SELECT 1/0", &err), ARM_ERROR_DIVISION_BY_ZERO);
}

static void test_settings(void)
{
    setup();
    arm_error err;
    test_exec("SET threads = 2");
    CHECK_QUERY("SHOW threads", "2\n");
    test_exec("SET memory_limit = '2GB'");
    CHECK_INT_EQ(test_db.memory_limit_bytes, 2000000000LL);
    test_exec("SET memory_limit = '1GiB'");
    CHECK_QUERY("SHOW memory_limit", "1.0 GiB\n");
    test_exec("RESET memory_limit");
    CHECK_INT_EQ(test_db.memory_limit_bytes, test_db.default_memory_limit_bytes);
    CHECK_INT_EQ(test_fail("SET threads = 0", &err), ARM_ERROR_OUT_OF_RANGE);
    CHECK_INT_EQ(test_fail("SET thread = 4", &err), ARM_ERROR_NOT_FOUND);
    CHECK_STR_EQ(err.sqlstate, "42704");
    CHECK_STR_EQ(err.message, "unrecognized configuration parameter \"thread\"");
    CHECK_STR_EQ(err.hint, "Perhaps you meant \"threads\".");
    result_set *r = test_run("SHOW TABLES");
    CHECK(r != NULL && r->column_count == 1 && strcmp(r->column_names[0], "name") == 0);
    CHECK(r != NULL && r->row_count >= 2);
    result_set_destroy(r);
    test_exec("RESET threads");
}

static void test_explain(void)
{
    setup();
    result_set *r = test_run("EXPLAIN SELECT name FROM users WHERE id = 1");
    CHECK(r != NULL && r->column_count == 1);
    if (r != NULL) {
        CHECK_STR_EQ(r->column_names[0], "QUERY PLAN");
        CHECK(r->row_count >= 1);
    }
    result_set_destroy(r);
    r = test_run("EXPLAIN ANALYZE SELECT count(*) FROM users");
    CHECK(r != NULL && r->row_count >= 1);
    result_set_destroy(r);
}

static void test_prepared(void)
{
    setup();
    arm_error err;
    sql_prepared *p = NULL;
    CHECK_OK(sql_prepare(&p, &test_session, "SELECT name FROM users WHERE id = $1", &err), &err);
    if (p == NULL)
        return;
    CHECK_INT_EQ(sql_prepared_param_count(p), 1);
    value param = value_varchar("3", 1);
    result_set *r = NULL;
    CHECK_OK(sql_prepared_execute(&r, p, &param, 1, &err), &err);
    CHECK_STR_EQ(test_rows(r), "cid\n");
    result_set_destroy(r);
    param = value_bigint(1);
    CHECK_OK(sql_prepared_execute(&r, p, &param, 1, &err), &err);
    CHECK_STR_EQ(test_rows(r), "ann\n");
    result_set_destroy(r);
    param = value_varchar("x", 1);
    CHECK(sql_prepared_execute(&r, p, &param, 1, &err) == ARM_ERROR_INVALID_INPUT);
    sql_prepared_destroy(p);
    CHECK(sql_prepare(&p, &test_session, "SELECT 1; SELECT 2", &err) == ARM_ERROR_SYNTAX);
}

static void test_views(void)
{
    setup();
    test_exec("CREATE VIEW spenders AS SELECT u.name, sum(o.amount) AS total FROM users u "
              "JOIN orders o ON u.id = o.user_id GROUP BY u.name");
    CHECK_QUERY("SELECT name FROM spenders WHERE total > 50", "cid\n");
    test_exec("CREATE OR REPLACE VIEW spenders AS SELECT 1 AS one");
    CHECK_QUERY("SELECT one FROM spenders", "1\n");
    test_exec("DROP VIEW spenders");
}

static void test_teardown(void)
{
    test_close();
}

TEST_MAIN(test_select_basics, test_joins, test_group_order_limit, test_set_operations,
          test_subqueries, test_expressions, test_dml, test_defaults, test_errors_in_scripts,
          test_settings, test_explain, test_prepared, test_views, test_teardown)
