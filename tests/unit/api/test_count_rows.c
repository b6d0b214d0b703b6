/*
 * Tests for COUNT(*) answered from a table's exact row count (TABLE_COUNT)
 * on database folders: every answer is checked against a count that scans
 * the rows, and the plan is checked to take the row count, through deletes
 * and updates of committed chunks, a transaction's uncommitted rows (seen by
 * its own connection, not by another one), rollback, other versions, other
 * branches, kept plans across commits, and reopening.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_test_util.h"
#include "armillaria.h"
#include "harness.h"

/* 0..9 as a FROM item: cross joins of it count without generate_series. */
#define DIGITS "(VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9))"

/* True when the EXPLAIN of `sql` names `node` on some line. */
static bool plan_names(arm_conn *c, const char *sql, const char *node)
{
    char explain[600];
    snprintf(explain, sizeof explain, "EXPLAIN %s", sql);
    arm_result *r = NULL;
    arm_error err;
    if (arm_conn_query(&r, c, explain, &err) != ARM_OK) {
        printf("  explain failed: %s: %s\n", sql, err.message);
        return false;
    }
    bool found = false;
    for (uint64_t row = 0; row < arm_result_row_count(r) && !found; row++) {
        char line[512];
        arm_result_format(r, 0, row, line, sizeof line);
        found = strstr(line, node) != NULL;
    }
    arm_result_destroy(r);
    return found;
}

/*
 * SELECT count(*) FROM `from` is `expected`, comes from the row count (the
 * plan has a TABLE_COUNT and no scan), and agrees with a count that scans.
 */
#define CHECK_COUNT(c, from, expected) check_count(c, from, expected, __LINE__)

static void check_count(arm_conn *c, const char *from, int64_t expected, int line)
{
    char counted[300], scanned[300];
    snprintf(counted, sizeof counted, "SELECT count(*) FROM %s", from);
    snprintf(scanned, sizeof scanned, "SELECT coalesce(sum(1), 0) FROM %s", from);
    int64_t fast = scalar(c, counted), slow = scalar(c, scanned);
    if (fast != expected || slow != expected || !plan_names(c, counted, "TABLE_COUNT") ||
        plan_names(c, counted, "TABLE_SCAN")) {
        printf("  line %d: %s gave %lld, a scan %lld, expected %lld\n", line, counted,
               (long long)fast, (long long)slow, (long long)expected);
        CHECK(false);
    }
}

/* A table of `rows` rows x = 0..rows-1 (rows a power of ten, at most 10^5). */
static void make_table(arm_conn *c, const char *name, int rows)
{
    char sql[600];
    snprintf(sql, sizeof sql, "CREATE TABLE %s(x INTEGER, y VARCHAR)", name);
    ok(c, sql);
    const char *from = rows >= 100000 ? DIGITS " a, " DIGITS " b, " DIGITS " c, " DIGITS
                                               " d, " DIGITS " e"
                       : rows >= 1000 ? DIGITS " a, " DIGITS " b, " DIGITS " c"
                       : rows >= 10   ? DIGITS " a"
                                      : NULL;
    const char *value = rows >= 100000 ? "a.column1 + 10 * b.column1 + 100 * c.column1 + 1000 * "
                                         "d.column1 + 10000 * e.column1"
                        : rows >= 1000 ? "a.column1 + 10 * b.column1 + 100 * c.column1"
                                       : "a.column1";
    if (from == NULL)
        return;
    snprintf(sql, sizeof sql, "INSERT INTO %s SELECT %s, 'r' FROM %s", name, value, from);
    ok(c, sql);
}

static void test_empty_and_plain(void)
{
    char path[300];
    new_folder(path, sizeof path);
    arm_db *db = open_db(path);
    arm_conn *c = open_conn(db);
    arm_error err;
    make_table(c, "e", 0);
    CHECK_COUNT(c, "e", 0);
    make_table(c, "t", 100000);
    CHECK_COUNT(c, "t", 100000);
    /* several COUNT(*)s, and expressions over them, are all the one count */
    arm_result *r = NULL;
    CHECK_OK(arm_conn_query(&r, c, "SELECT count(*), count(*) * 2 FROM t", &err), &err);
    CHECK_INT_EQ(arm_result_get_int64(r, 0, 0), 100000);
    CHECK_INT_EQ(arm_result_get_int64(r, 1, 0), 200000);
    arm_result_destroy(r);
    CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM e HAVING count(*) > 0"), -1); /* no row */
    arm_conn_close(c);
    arm_db_close(db);
}

static void test_deletes_updates_and_reopen(void)
{
    char path[300];
    new_folder(path, sizeof path);
    arm_db *db = open_db(path);
    arm_conn *c = open_conn(db);
    make_table(c, "t", 100000);
    ok(c, "DELETE FROM t WHERE x % 10 = 3");
    CHECK_COUNT(c, "t", 90000);
    ok(c, "UPDATE t SET y = 'u' WHERE x < 500"); /* a delete and an append of 450 rows */
    CHECK_COUNT(c, "t", 90000);
    ok(c, "INSERT INTO t VALUES (1, 'new'), (2, 'new')");
    ok(c, "DELETE FROM t WHERE y = 'u' AND x < 100"); /* rows now in newer chunks */
    CHECK_COUNT(c, "t", 90000 + 2 - 90);
    ok(c, "DELETE FROM t");
    CHECK_COUNT(c, "t", 0);
    ok(c, "INSERT INTO t VALUES (7, 'back')");
    CHECK_COUNT(c, "t", 1);
    arm_conn_close(c);
    arm_db_close(db);
    db = open_db(path);
    c = open_conn(db);
    CHECK_COUNT(c, "t", 1);
    arm_conn_close(c);
    arm_db_close(db);
}

/*
 * Inside a transaction its own connection counts its uncommitted rows (the
 * tail and new deletes); another connection counts only the last commit,
 * until COMMIT. ROLLBACK brings the committed count back.
 */
static void test_transactions(void)
{
    char path[300];
    new_folder(path, sizeof path);
    arm_db *db = open_db(path);
    arm_conn *c1 = open_conn(db), *c2 = open_conn(db);
    arm_error err;
    make_table(c1, "t", 1000);
    ok(c1, "BEGIN");
    ok(c1, "INSERT INTO t VALUES (-1, 'a'), (-2, 'b'), (-3, 'c')");
    ok(c1, "DELETE FROM t WHERE x < 10");
    CHECK_COUNT(c1, "t", 1000 + 3 - 10 - 3);
    ok(c1, "INSERT INTO t VALUES (-4, 'd')");
    CHECK_COUNT(c1, "t", 991);
    CHECK_COUNT(c2, "t", 1000); /* another connection: the last commit */
    ok(c1, "ROLLBACK");
    CHECK_COUNT(c1, "t", 1000);
    CHECK_COUNT(c2, "t", 1000);
    ok(c1, "BEGIN");
    ok(c1, "INSERT INTO t VALUES (-1, 'a'), (-2, 'b')");
    ok(c1, "DELETE FROM t WHERE x >= 900");
    CHECK_COUNT(c1, "t", 902);
    CHECK_COUNT(c2, "t", 1000);
    ok(c1, "COMMIT");
    CHECK_COUNT(c1, "t", 902);
    CHECK_COUNT(c2, "t", 902);
    /* a second process (another open of the folder) sees each commit */
    arm_db *db2 = open_db(path);
    arm_conn *c3 = NULL;
    CHECK_OK(arm_conn_open(&c3, db2, &err), &err);
    CHECK_COUNT(c3, "t", 902);
    ok(c1, "INSERT INTO t VALUES (5, 'e')");
    CHECK_COUNT(c3, "t", 903);
    ok(c3, "DELETE FROM t WHERE x < 0");
    CHECK_COUNT(c1, "t", 901);
    CHECK_COUNT(c2, "t", 901);
    arm_conn_close(c3);
    arm_db_close(db2);
    arm_conn_close(c1);
    arm_conn_close(c2);
    arm_db_close(db);
}

/* Other versions and branches count their own rows, deletes included. */
static void test_versions_and_branches(void)
{
    char path[300];
    new_folder(path, sizeof path);
    arm_db *db = open_db(path);
    arm_conn *c = open_conn(db);
    make_table(c, "t", 1000);             /* version 0: created, version 1: 1000 rows */
    ok(c, "DELETE FROM t WHERE x < 100"); /* version 2 */
    ok(c, "CREATE TAG cut");
    ok(c, "CREATE BRANCH side");
    ok(c, "INSERT INTO t VALUES (1, 'main')");
    ok(c, "USE BRANCH side");
    ok(c, "DELETE FROM t WHERE x >= 800");
    CHECK_COUNT(c, "t", 700);
    ok(c, "USE BRANCH main");
    CHECK_COUNT(c, "t", 901);
    CHECK_COUNT(c, "t VERSION 0", 0);
    CHECK_COUNT(c, "t VERSION 1", 1000);
    CHECK_COUNT(c, "t VERSION 2", 900);
    CHECK_COUNT(c, "t@cut", 900);
    CHECK_COUNT(c, "t@side", 700);
    CHECK_COUNT(c, "t@main", 901);
    /* inside a transaction, another version is still that version's rows */
    ok(c, "BEGIN");
    ok(c, "DELETE FROM t");
    CHECK_COUNT(c, "t", 0);
    CHECK_COUNT(c, "t VERSION 2", 900);
    CHECK_COUNT(c, "t@side", 700);
    ok(c, "ROLLBACK");
    CHECK_COUNT(c, "t", 901);
    arm_conn_close(c);
    arm_db_close(db);
}

/* A prepared COUNT(*) keeps its plan and still counts the rows of each execution. */
static void test_prepared_counts_each_time(void)
{
    char path[300];
    new_folder(path, sizeof path);
    arm_db *db = open_db(path);
    arm_conn *c = open_conn(db);
    arm_error err;
    make_table(c, "t", 10);
    arm_stmt *count = NULL;
    CHECK_OK(arm_stmt_prepare(&count, c, "SELECT count(*) FROM t", &err), &err);
    int64_t expected[] = {10, 12, 11};
    const char *between[] = {"INSERT INTO t VALUES (1, 'a'), (2, 'b')",
                             "DELETE FROM t WHERE y = 'a'"};
    for (int i = 0; i < 3; i++) {
        if (i > 0)
            ok(c, between[i - 1]);
        CHECK_INT_EQ(stmt_scalar(count), expected[i]);
        CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM t"), expected[i]); /* the text cache */
    }
    arm_stmt_destroy(count);
    arm_conn_close(c);
    arm_db_close(db);
}

/*
 * A statement prepared while its connection held the writer keeps the
 * writer's tables in its plan; run while another connection's transaction
 * is open, it must count only what is committed (committed_only), as its
 * scan would.
 */
static void test_kept_plan_counts_committed_rows(void)
{
    char path[300];
    new_folder(path, sizeof path);
    arm_db *db = open_db(path);
    arm_conn *c1 = open_conn(db), *c2 = open_conn(db);
    arm_error err;
    make_table(c1, "t", 1000);
    ok(c1, "BEGIN");
    arm_stmt *count = NULL, *scan = NULL;
    CHECK_OK(arm_stmt_prepare(&count, c1, "SELECT count(*) FROM t", &err), &err);
    CHECK_OK(arm_stmt_prepare(&scan, c1, "SELECT coalesce(sum(1), 0) FROM t", &err), &err);
    ok(c1, "COMMIT");
    ok(c2, "BEGIN");
    ok(c2, "INSERT INTO t VALUES (-1, 'a'), (-2, 'b'), (-3, 'c')");
    ok(c2, "DELETE FROM t WHERE x BETWEEN 0 AND 99");
    CHECK_COUNT(c2, "t", 903);
    arm_stmt *both[2] = {count, scan};
    for (int i = 0; i < 2; i++)
        CHECK_INT_EQ(stmt_scalar(both[i]), 1000);
    ok(c2, "COMMIT");
    for (int i = 0; i < 2; i++)
        CHECK_INT_EQ(stmt_scalar(both[i]), 903);
    arm_stmt_destroy(count);
    arm_stmt_destroy(scan);
    arm_conn_close(c1);
    arm_conn_close(c2);
    arm_db_close(db);
}

/* Shapes that must scan: a WHERE, and sources that do not know their count. */
static void test_still_scans(void)
{
    char path[300], file[400];
    new_folder(path, sizeof path);
    arm_db *db = open_db(path);
    arm_conn *c = open_conn(db);
    make_table(c, "t", 1000);
    const char *where = "SELECT count(*) FROM t WHERE x >= 250";
    CHECK_INT_EQ(scalar(c, where), 750);
    CHECK(plan_names(c, where, "TABLE_SCAN") && !plan_names(c, where, "TABLE_COUNT"));
    snprintf(file, sizeof file, "%s.parquet", path);
    char sql[600];
    snprintf(sql, sizeof sql, "COPY (SELECT * FROM t WHERE x < 400) TO '%s'", file);
    ok(c, sql);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM read_parquet('%s')", file);
    CHECK_INT_EQ(scalar(c, sql), 400);
    CHECK(plan_names(c, sql, "TABLE_SCAN") && !plan_names(c, sql, "TABLE_COUNT"));
    const char *series = "SELECT count(*) FROM generate_series(1, 5000)";
    CHECK_INT_EQ(scalar(c, series), 5000);
    CHECK(plan_names(c, series, "TABLE_SCAN") && !plan_names(c, series, "TABLE_COUNT"));
    remove(file);
    arm_conn_close(c);
    arm_db_close(db);
}

static void setup(void)
{
    make_root("count_rows");
}

static void teardown(void)
{
    remove_root();
}

TEST_MAIN(setup, test_empty_and_plain, test_deletes_updates_and_reopen, test_transactions,
          test_versions_and_branches, test_prepared_counts_each_time,
          test_kept_plan_counts_committed_rows, test_still_scans, teardown)
