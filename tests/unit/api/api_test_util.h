/*
 * api_test_util.h: what the API tests on database folders share: fresh
 * folder names below `root` (the test's temporary directory, set by its
 * main), and running SQL for its status, for success or for one integer.
 */
#ifndef ARM_TESTS_API_TEST_UTIL_H
#define ARM_TESTS_API_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>

#include "armillaria.h"
#include "harness.h"

static char root[256];
static int folder_counter;

static inline void new_folder(char *out, size_t capacity)
{
    snprintf(out, capacity, "%s/db%d", root, folder_counter++);
}

/* The test's temporary directory /tmp/arm_test_<name>_XXXXXX becomes `root`. */
static inline void make_root(const char *name)
{
    snprintf(root, sizeof root, "/tmp/arm_test_%s_XXXXXX", name);
    CHECK(mkdtemp(root) != NULL);
}

/* Removes `root` and everything below it. */
static inline void remove_root(void)
{
    char command[300];
    snprintf(command, sizeof command, "rm -rf '%s'", root);
    CHECK_INT_EQ(system(command), 0);
}

static inline arm_db *open_db(const char *path)
{
    arm_db *db = NULL;
    arm_error err;
    CHECK_OK(arm_db_open(&db, path, &err), &err);
    return db;
}

/* A new connection to `db`. */
static inline arm_conn *open_conn(arm_db *db)
{
    arm_conn *c = NULL;
    arm_error err;
    CHECK_OK(arm_conn_open(&c, db, &err), &err);
    return c;
}

/* Runs SQL and returns its status (err filled). */
static inline arm_status run(arm_conn *c, const char *sql, arm_error *err)
{
    arm_result *r = NULL;
    arm_status s = arm_conn_query(&r, c, sql, err);
    arm_result_destroy(r);
    return s;
}

static inline void ok(arm_conn *c, const char *sql)
{
    arm_error err;
    CHECK_OK(run(c, sql, &err), &err);
}

/* The first column of the first row as int64 (-1 when empty or NULL); destroys r. */
static inline int64_t result_scalar(arm_result *r)
{
    int64_t v = arm_result_row_count(r) > 0 && !arm_result_is_null(r, 0, 0)
                    ? arm_result_get_int64(r, 0, 0)
                    : -1;
    arm_result_destroy(r);
    return v;
}

/* The first column of the first row as int64 (-1 when the query fails, is empty or NULL). */
static inline int64_t scalar(arm_conn *c, const char *sql)
{
    arm_result *r = NULL;
    arm_error err;
    if (arm_conn_query(&r, c, sql, &err) != ARM_OK) {
        printf("  query failed: %s: %s\n", sql, err.message);
        return -1;
    }
    return result_scalar(r);
}

/* The same for a prepared statement. */
static inline int64_t stmt_scalar(arm_stmt *stmt)
{
    arm_result *r = NULL;
    arm_error err;
    if (arm_stmt_execute(&r, stmt, &err) != ARM_OK) {
        printf("  prepared statement failed: %s\n", err.message);
        return -1;
    }
    return result_scalar(r);
}

#endif
