/*
 * test_plan_cache.c: cached plans (prepared statements and the per-session
 * text cache) are kept when the catalog changes elsewhere and re-planned when
 * a table or view they used changed, in memory and on a database folder
 * (commits, branch switches, time travel). Counts plans with
 * sql_session.plans_made.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sql_test_util.h"

static char folder[256];

/* Runs `p` and compares its rows with `expected`. */
static void check_prepared(sql_prepared *p, const char *expected)
{
    arm_error err;
    arm_error_clear(&err);
    result_set *r = NULL;
    CHECK_OK(sql_prepared_execute(&r, p, NULL, 0, &err), &err);
    CHECK_STR_EQ(test_rows(r), expected);
    result_set_destroy(r);
}

static sql_prepared *prepare(const char *sql)
{
    arm_error err;
    arm_error_clear(&err);
    sql_prepared *p = NULL;
    CHECK_OK(sql_prepare(&p, &test_session, sql, &err), &err);
    return p;
}

static uint64_t plans(void)
{
    return test_session.plans_made;
}

static void test_tables(void)
{
    test_open();
    test_exec("CREATE TABLE a (x INTEGER); CREATE TABLE b (y INTEGER)");
    test_exec("INSERT INTO a VALUES (1), (2); INSERT INTO b VALUES (10), (20), (30)");
    sql_prepared *count_b = prepare("SELECT count(*) FROM b");
    sql_prepared *all_b = prepare("SELECT * FROM b ORDER BY 1");
    check_prepared(count_b, "3\n");
    check_prepared(all_b, "10\n20\n30\n");
    uint64_t made = plans();
    test_exec("INSERT INTO a VALUES (3)");
    test_exec("CREATE TABLE c (z INTEGER)"); /* the catalog's version moves */
    test_exec("DROP TABLE c");
    check_prepared(count_b, "3\n");
    check_prepared(all_b, "10\n20\n30\n");
    CHECK_INT_EQ(plans(), made); /* b did not change: both plans kept */
    test_exec("INSERT INTO b VALUES (40)");
    check_prepared(count_b, "4\n"); /* plans hold no rows: the provider gives current ones */
    test_exec("DROP TABLE b; CREATE TABLE b (name VARCHAR, y INTEGER)");
    test_exec("INSERT INTO b VALUES ('q', 7)");
    made = plans();
    check_prepared(count_b, "1\n");
    check_prepared(all_b, "q|7\n");
    CHECK_INT_EQ(plans(), made + 2);
    arm_error err;
    test_exec("DROP TABLE b");
    result_set *r = NULL;
    CHECK(sql_prepared_execute(&r, count_b, NULL, 0, &err) == ARM_ERROR_NOT_FOUND);
    sql_prepared_destroy(count_b);
    sql_prepared_destroy(all_b);
    test_exec("CREATE TABLE b (y INTEGER)");
}

static void test_views(void)
{
    test_exec("CREATE VIEW v AS SELECT x FROM a");
    sql_prepared *on_view = prepare("SELECT count(*), sum(x) FROM v");
    check_prepared(on_view, "3|6\n");
    uint64_t made = plans();
    test_exec("CREATE TABLE c (z INTEGER); INSERT INTO b VALUES (1)");
    check_prepared(on_view, "3|6\n");
    CHECK_INT_EQ(plans(), made);
    test_exec("INSERT INTO a VALUES (4)");
    check_prepared(on_view, "4|10\n");
    test_exec("CREATE OR REPLACE VIEW v AS SELECT x FROM a WHERE x > 2");
    check_prepared(on_view, "2|7\n");
    CHECK_INT_EQ(plans(), made + 1);
    test_exec("DROP VIEW v");
    arm_error err;
    result_set *r = NULL;
    CHECK(sql_prepared_execute(&r, on_view, NULL, 0, &err) == ARM_ERROR_NOT_FOUND);
    test_exec(
        "CREATE TABLE v (x INTEGER); INSERT INTO v VALUES (100)"); /* a table takes the name */
    check_prepared(on_view, "1|100\n");
    test_exec("DROP TABLE v; CREATE VIEW v AS SELECT y AS x FROM b");
    check_prepared(on_view, "1|1\n");
    sql_prepared_destroy(on_view);
    test_exec("DROP VIEW v; DROP TABLE c");
}

static void test_text_cache_and_schemas(void)
{
    uint64_t made = plans();
    CHECK_QUERY("SELECT count(*) FROM a", "4\n");
    CHECK_QUERY("SELECT count(*) FROM a", "4\n");
    CHECK_INT_EQ(plans(), made + 1);
    test_exec("INSERT INTO b VALUES (2); CREATE SCHEMA s; CREATE TABLE s.t (k INTEGER)");
    CHECK_QUERY("SELECT count(*) FROM a", "4\n");
    CHECK_INT_EQ(plans(), made + 1);
    test_exec("INSERT INTO s.t VALUES (1)");
    sql_prepared *on_schema = prepare("SELECT count(*) FROM s.t");
    check_prepared(on_schema, "1\n");
    test_exec("DROP SCHEMA s CASCADE");
    arm_error err;
    result_set *r = NULL;
    CHECK(sql_prepared_execute(&r, on_schema, NULL, 0, &err) == ARM_ERROR_NOT_FOUND);
    test_exec("CREATE SCHEMA s; CREATE TABLE s.t (k INTEGER); INSERT INTO s.t VALUES (1), (2)");
    check_prepared(on_schema, "2\n");
    sql_prepared_destroy(on_schema);
    /* table functions are not catalog tables: re-planned once the catalog moved */
    sql_prepared *series = prepare("SELECT count(*) FROM generate_series(1, 5)");
    check_prepared(series, "5\n");
    made = plans();
    test_exec("CREATE TABLE c (z INTEGER)");
    check_prepared(series, "5\n");
    CHECK_INT_EQ(plans(), made + 1);
    sql_prepared_destroy(series);
    test_close();
}

static void test_folder(void)
{
    arm_error err;
    arm_error_clear(&err);
    CHECK_OK(sql_database_init(&test_db, &err), &err);
    CHECK_OK(sql_database_open_storage(&test_db, folder, &err), &err);
    sql_session_init(&test_session, &test_db);
    test_exec("CREATE TABLE a (x INTEGER); CREATE TABLE b (y INTEGER)");
    test_exec("INSERT INTO a VALUES (1); INSERT INTO b VALUES (10), (20)");
    sql_prepared *count_b = prepare("SELECT count(*) FROM b");
    sql_prepared *old_b = prepare("SELECT count(*) FROM b VERSION 1");
    check_prepared(count_b, "2\n");
    check_prepared(old_b, "2\n");
    uint64_t made = plans();
    test_exec("INSERT INTO a VALUES (2)"); /* a commit to another table */
    check_prepared(count_b, "2\n");
    CHECK_INT_EQ(plans(), made);
    CHECK_QUERY("SELECT count(*) FROM a", "2\n");
    test_exec("INSERT INTO b VALUES (30)");
    check_prepared(count_b, "3\n");
    check_prepared(old_b, "2\n");
    test_exec("BEGIN; INSERT INTO b VALUES (40)");
    check_prepared(count_b, "4\n"); /* the writer sees its own rows */
    test_exec("ROLLBACK");
    check_prepared(count_b, "3\n");
    test_exec("CREATE BRANCH f; USE BRANCH f; INSERT INTO b VALUES (50), (60)");
    check_prepared(count_b, "5\n");
    test_exec("INSERT INTO a VALUES (3)");
    check_prepared(count_b, "5\n");
    test_exec("USE BRANCH main");
    check_prepared(count_b, "3\n");
    CHECK_QUERY("SELECT count(*) FROM a", "2\n");
    test_exec("USE BRANCH f");
    check_prepared(count_b, "5\n");
    CHECK_QUERY("SELECT count(*) FROM a", "3\n");
    check_prepared(old_b, "2\n");
    test_exec("USE BRANCH main");
    test_exec("CREATE VIEW v AS SELECT x FROM a");
    sql_prepared *on_view = prepare("SELECT sum(x) FROM v");
    check_prepared(on_view, "3\n");
    made = plans();
    test_exec("INSERT INTO b VALUES (70)"); /* a reload re-creates views: same text, kept */
    check_prepared(on_view, "3\n");
    CHECK_INT_EQ(plans(), made);
    test_exec("INSERT INTO a VALUES (5)");
    check_prepared(on_view, "8\n");
    sql_prepared_destroy(on_view);
    test_exec("DROP TABLE b; CREATE TABLE b (name VARCHAR)");
    check_prepared(count_b, "0\n");
    sql_prepared_destroy(count_b);
    sql_prepared_destroy(old_b);
    test_close();
}

static void setup(void)
{
    snprintf(folder, sizeof folder, "/tmp/arm_test_plan_cache_XXXXXX");
    CHECK(mkdtemp(folder) != NULL);
}

static void teardown(void)
{
    char command[300];
    snprintf(command, sizeof command, "rm -rf '%s'", folder);
    CHECK_INT_EQ(system(command), 0);
}

TEST_MAIN(setup, test_tables, test_views, test_text_cache_and_schemas, test_folder, teardown)
