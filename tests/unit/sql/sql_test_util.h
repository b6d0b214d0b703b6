/*
 * sql_test_util.h: shared set-up for the SQL layer's unit tests: an
 * in-memory database and session, running SQL, planning a statement without
 * running it, and reading result cells as text.
 */
#ifndef ARM_TESTS_SQL_TEST_UTIL_H
#define ARM_TESTS_SQL_TEST_UTIL_H

#include <stdlib.h>

#include "common/arena.h"
#include "harness.h"
#include "sql/parser.h"
#include "sql/sql.h"
#include "sql/statement_internal.h"
#include "vector/cast.h"

static sql_database test_db;
static sql_session test_session;
static binder test_binder;
static bool test_binder_live;

static inline void test_open(void)
{
    arm_error err;
    arm_error_clear(&err);
    if (sql_database_init(&test_db, &err) != ARM_OK) {
        fprintf(stderr, "sql_database_init: %s\n", err.message);
        exit(1);
    }
    sql_session_init(&test_session, &test_db);
}

static inline void test_close(void)
{
    if (test_binder_live)
        binder_dispose(&test_binder);
    test_binder_live = false;
    sql_session_dispose(&test_session);
    sql_database_dispose(&test_db);
}

/* The planned statement's binder lives in the session arena, which running SQL resets. */
static inline void test_forget_plan(void)
{
    if (test_binder_live)
        binder_dispose(&test_binder);
    test_binder_live = false;
}

/* Runs SQL that must succeed; returns the result (caller destroys) or NULL. */
static inline result_set *test_run(const char *sql)
{
    test_forget_plan();
    arm_error err;
    arm_error_clear(&err);
    result_set *r = NULL;
    if (sql_run(&r, &test_session, sql, &err) != ARM_OK) {
        fprintf(stderr, "%s: sql_run(%s) failed: %s (%s)\n", harness_current, sql, err.message,
                err.hint);
        harness_failures++;
        return NULL;
    }
    return r;
}

static inline void test_exec(const char *sql)
{
    result_set_destroy(test_run(sql));
}

/* Runs SQL that must fail; returns the status and fills err. */
static inline arm_status test_fail(const char *sql, arm_error *err)
{
    test_forget_plan();
    arm_error_clear(err);
    result_set *r = NULL;
    arm_status status = sql_run(&r, &test_session, sql, err);
    result_set_destroy(r);
    if (status == ARM_OK) {
        fprintf(stderr, "%s: expected %s to fail\n", harness_current, sql);
        harness_failures++;
    }
    return status;
}

/* Binds and plans one statement without running it (valid until the next call). */
static inline plan_node *test_plan(const char *sql, arm_error *err)
{
    arm_error_clear(err);
    if (test_binder_live)
        binder_dispose(&test_binder);
    test_binder_live = false;
    arena_reset(test_session.arena);
    arena_reset(test_session.script_arena);
    ast_script script;
    if (parser_parse(&script, test_session.script_arena, sql, err) != ARM_OK)
        return NULL;
    if (statement_binder_init(&test_binder, &test_session, script.parameter_count, NULL, err))
        return NULL;
    test_binder_live = true;
    plan_node *plan = NULL;
    if (statement_plan(&plan, &test_binder, script.statements[0], err) != ARM_OK)
        return NULL;
    return plan;
}

/* The text of a result cell ("NULL" for NULL), in a static buffer. */
static inline const char *test_cell(const result_set *r, uint32_t column, uint64_t row)
{
    static char buf[256];
    uint32_t batch_index, in_batch;
    if (r == NULL || !result_set_locate(r, row, &batch_index, &in_batch) ||
        column >= r->column_count)
        return "(out of range)";
    value v;
    vector_get_value(&r->batches[batch_index].columns[column], in_batch, &v);
    value_format(&v, buf, sizeof buf);
    return buf;
}

/* Every row as "a|b|c" lines joined by '\n' (static buffer). */
static inline const char *test_rows(const result_set *r)
{
    static char text[8192];
    size_t used = 0;
    text[0] = '\0';
    for (uint64_t row = 0; r != NULL && row < r->row_count; row++) {
        for (uint32_t c = 0; c < r->column_count; c++)
            used += (size_t)snprintf(text + used, sizeof text - used, "%s%s", c ? "|" : "",
                                     test_cell(r, c, row));
        used += (size_t)snprintf(text + used, sizeof text - used, "\n");
        if (used >= sizeof text - 1)
            break;
    }
    return text;
}

/* Runs a query and compares all of its rows with `expected`. */
#define CHECK_QUERY(sql, expected)                                                                 \
    do {                                                                                           \
        result_set *r_ = test_run(sql);                                                            \
        CHECK_STR_EQ(test_rows(r_), expected);                                                     \
        result_set_destroy(r_);                                                                    \
    } while (0)

#endif
