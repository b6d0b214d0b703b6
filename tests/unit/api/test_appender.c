/*
 * Tests for arm_appender: every value type round trip, NULLs, conversions
 * and their errors (the bad row discarded, the appender usable), the
 * constraints and errors INSERT gives, transactions and autocommit on a
 * database folder, automatic writes of large loads, the writer lock, the
 * memory limit, and tables that are unknown, views or changed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "api/api_test_util.h"
#include "armillaria.h"
#include "harness.h"

/* The first cell of `sql` as the shell shows it, into buf. */
static const char *text_of(arm_conn *c, const char *sql, char *buf, size_t capacity)
{
    arm_result *r = NULL;
    arm_error err;
    snprintf(buf, capacity, "(query failed)");
    if (arm_conn_query(&r, c, sql, &err) != ARM_OK)
        printf("  query failed: %s: %s\n", sql, err.message);
    else if (arm_result_row_count(r) > 0)
        arm_result_format(r, 0, 0, buf, capacity);
    arm_result_destroy(r);
    return buf;
}

typedef struct session {
    arm_db *db;
    arm_conn *conn;
} session;

static session open_session(const char *path)
{
    session s = {NULL, NULL};
    arm_error err;
    CHECK_OK(arm_db_open(&s.db, path, &err), &err);
    if (s.db != NULL)
        CHECK_OK(arm_conn_open(&s.conn, s.db, &err), &err);
    return s;
}

static void close_session(session *s)
{
    arm_conn_close(s->conn);
    arm_db_close(s->db);
}

static arm_appender *open_appender(arm_conn *c, const char *table)
{
    arm_appender *a = NULL;
    arm_error err;
    CHECK_OK(arm_appender_open(&a, c, table, &err), &err);
    return a;
}

static void text(arm_appender *a, const char *value)
{
    arm_error err;
    CHECK_OK(arm_appender_append_text(a, value, strlen(value), &err), &err);
}

static void end_row(arm_appender *a)
{
    arm_error err;
    CHECK_OK(arm_appender_end_row(a, &err), &err);
}

static void close_appender(arm_appender *a)
{
    arm_error err;
    CHECK_OK(arm_appender_close(a, &err), &err);
}

#define ALL_TYPES                                                                                  \
    "CREATE TABLE t (b BOOLEAN, i1 TINYINT, i2 SMALLINT, i4 INTEGER, i8 BIGINT, f4 REAL, "         \
    "f8 DOUBLE, d DECIMAL(10,2), s VARCHAR, x BLOB, day DATE, ts TIMESTAMP, iv INTERVAL)"

static void test_every_type_round_trips(void)
{
    session s = open_session(NULL);
    ok(s.conn, ALL_TYPES);
    arm_appender *a = open_appender(s.conn, "t");
    arm_error err;
    CHECK_INT_EQ(arm_appender_column_count(a), 13);
    /* row 1: each column from its own C type */
    CHECK_OK(arm_appender_append_bool(a, true, &err), &err);
    CHECK_OK(arm_appender_append_int64(a, -7, &err), &err);
    CHECK_OK(arm_appender_append_int64(a, 30000, &err), &err);
    CHECK_OK(arm_appender_append_int64(a, -2000000000, &err), &err);
    CHECK_OK(arm_appender_append_int64(a, INT64_MAX, &err), &err);
    CHECK_OK(arm_appender_append_double(a, 1.5, &err), &err);
    CHECK_OK(arm_appender_append_double(a, 0.1, &err), &err);
    CHECK_OK(arm_appender_append_double(a, 12.345, &err), &err);
    CHECK_OK(arm_appender_append_text(a, "a string longer than twelve bytes", 33, &err), &err);
    CHECK_OK(arm_appender_append_blob(a, "\x00\x01\xff", 3, &err), &err);
    CHECK_OK(arm_appender_append_date(a, 19723, &err), &err); /* 2024-01-01 */
    CHECK_OK(arm_appender_append_timestamp(a, 1704103200123456, &err), &err);
    arm_interval iv = {14, 3, 3600000000};
    CHECK_OK(arm_appender_append_interval(a, iv, &err), &err);
    end_row(a);
    /* row 2: every column from text, parsed as a cast from text would */
    const char *texts[] = {"false",      "12",    "-300",       "42",
                           "9000000000", "2.25",  "-1e300",     "99.999",
                           "short",      "\\x41", "2000-02-29", "1999-12-31 23:59:59.5",
                           "1 day"};
    for (int c = 0; c < 13; c++)
        text(a, texts[c]);
    end_row(a);
    /* row 3: NULL everywhere */
    for (int c = 0; c < 13; c++)
        CHECK_OK(arm_appender_append_null(a, &err), &err);
    end_row(a);
    CHECK_INT_EQ(scalar(s.conn, "SELECT count(*) FROM t"), 0); /* still buffered */
    close_appender(a);

    arm_result *r = NULL;
    CHECK_OK(arm_conn_query(&r, s.conn, "SELECT * FROM t ORDER BY i4 NULLS LAST", &err), &err);
    CHECK_INT_EQ(arm_result_row_count(r), 3);
    const char *expected[3][13] = {
        {"true", "-7", "30000", "-2000000000", "9223372036854775807", "1.5", "0.1", "12.35",
         "a string longer than twelve bytes", "\\x0001ff", "2024-01-01",
         "2024-01-01 10:00:00.123456", "1 year 2 mons 3 days 01:00:00"},
        {"false", "12", "-300", "42", "9000000000", "2.25", "-1e+300", "100.00", "short", "\\x41",
         "2000-02-29", "1999-12-31 23:59:59.5", "1 day"},
        {"NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL",
         "NULL", "NULL"},
    };
    char buf[128];
    for (uint64_t row = 0; r != NULL && row < 3; row++)
        for (size_t c = 0; c < 13; c++) {
            arm_result_format(r, c, row, buf, sizeof buf);
            CHECK_STR_EQ(buf, expected[row][c]);
            CHECK(arm_result_is_null(r, c, row) == (row == 2));
        }
    if (r != NULL) {
        CHECK_INT_EQ(arm_result_get_date(r, 10, 0), 19723);
        CHECK_INT_EQ(arm_result_get_timestamp(r, 11, 0), 1704103200123456);
        size_t length = 0;
        const char *blob = arm_result_get_string(r, 9, 0, &length);
        CHECK_INT_EQ(length, 3);
        CHECK(blob != NULL && memcmp(blob, "\x00\x01\xff", 3) == 0);
    }
    arm_result_destroy(r);
    close_session(&s);
}

static void test_text_and_other_types_into_varchar(void)
{
    session s = open_session(NULL);
    ok(s.conn, "CREATE TABLE t (id INTEGER, label VARCHAR)");
    arm_appender *a = open_appender(s.conn, "t");
    arm_error err;
    CHECK_OK(arm_appender_append_double(a, 3.0, &err), &err); /* rounds, as INSERT does */
    CHECK_OK(arm_appender_append_int64(a, 15, &err), &err);   /* formatted as text */
    end_row(a);
    CHECK_OK(arm_appender_append_bool(a, true, &err), &err); /* boolean to integer exists */
    CHECK_OK(arm_appender_append_date(a, 0, &err), &err);
    end_row(a);
    CHECK_OK(arm_appender_append_int64(a, 3, &err), &err);
    CHECK_OK(arm_appender_append_text(a, NULL, 0, &err), &err); /* NULL text is NULL */
    end_row(a);
    close_appender(a);
    char buf[64];
    CHECK_STR_EQ(text_of(s.conn,
                         "SELECT string_agg(id || ':' || coalesce(label, 'null'), ' ' "
                         "ORDER BY label NULLS LAST) FROM t",
                         buf, sizeof buf),
                 "3:15 1:1970-01-01 3:null");
    close_session(&s);
}

static void test_conversion_errors_discard_the_row(void)
{
    session s = open_session(NULL);
    ok(s.conn, "CREATE TABLE t (n INTEGER, day DATE, amount DECIMAL(6,2))");
    arm_appender *a = open_appender(s.conn, "t");
    arm_error err;

    /* an int64 past INTEGER's range: 22003, naming the column and table */
    CHECK_INT_EQ(arm_appender_append_int64(a, 3000000000, &err), ARM_ERROR_OUT_OF_RANGE);
    CHECK_STR_EQ(err.sqlstate, "22003");
    CHECK_STR_EQ(err.message, "integer out of range (column \"n\" of table \"t\")");
    CHECK(strstr(err.detail, "Row 1 given to the appender was discarded.") != NULL);
    /* the row was discarded: the next value is the first column again */
    CHECK_OK(arm_appender_append_int64(a, 1, &err), &err);
    text(a, "2024-02-29");
    text(a, "12.5");
    end_row(a);

    /* text that is no date: 22007, as the cast */
    CHECK_OK(arm_appender_append_int64(a, 2, &err), &err);
    CHECK_INT_EQ(arm_appender_append_text(a, "notadate", 8, &err), ARM_ERROR_INVALID_INPUT);
    CHECK_STR_EQ(err.sqlstate, "22007");
    CHECK(strstr(err.message, "invalid input syntax for type date: \"notadate\"") != NULL);
    CHECK(strstr(err.message, "column \"day\" of table \"t\"") != NULL);
    CHECK(strstr(err.detail, "Row 3 ") != NULL);

    /* an int64 into a DATE column has no conversion at all: 42804 */
    CHECK_OK(arm_appender_append_int64(a, 3, &err), &err);
    CHECK_INT_EQ(arm_appender_append_int64(a, 5, &err), ARM_ERROR_TYPE);
    CHECK_STR_EQ(err.sqlstate, "42804");
    CHECK_STR_EQ(err.message, "column \"day\" of table \"t\" is of type date but the value is of "
                              "type bigint");

    /* DECIMAL overflow keeps the cast's detail and adds the row */
    CHECK_OK(arm_appender_append_int64(a, 4, &err), &err);
    CHECK_OK(arm_appender_append_null(a, &err), &err);
    CHECK_INT_EQ(arm_appender_append_double(a, 123456.0, &err), ARM_ERROR_OUT_OF_RANGE);
    CHECK(strstr(err.message, "numeric field overflow (column \"amount\"") != NULL);
    CHECK(strstr(err.detail, "precision 6, scale 2") != NULL);
    CHECK(strstr(err.detail, "discarded") != NULL);

    /* too few values: the table and how many columns it has */
    CHECK_OK(arm_appender_append_int64(a, 5, &err), &err);
    CHECK_INT_EQ(arm_appender_end_row(a, &err), ARM_ERROR_MISUSE);
    CHECK_STR_EQ(err.message, "the row has 1 value but table \"t\" has 3 columns");
    CHECK(strstr(err.hint, "(n, day, amount)") != NULL);
    /* too many values */
    for (int c = 0; c < 3; c++)
        CHECK_INT_EQ(arm_appender_append_null(a, c == 1 ? NULL : &err), ARM_OK);
    CHECK_INT_EQ(arm_appender_append_null(a, &err), ARM_ERROR_MISUSE);
    CHECK_STR_EQ(err.message, "the row has more values than table \"t\" has columns (3)");

    /* a failing value with a NULL error pointer still discards the row */
    CHECK_INT_EQ(arm_appender_append_int64(a, INT64_MIN, NULL), ARM_ERROR_OUT_OF_RANGE);

    /* still usable: a good row goes in */
    CHECK_OK(arm_appender_append_int64(a, 7, &err), &err);
    CHECK_OK(arm_appender_append_date(a, 1, &err), &err);
    CHECK_OK(arm_appender_append_int64(a, 9999, &err), &err);
    end_row(a);
    close_appender(a);
    char buf[128];
    CHECK_STR_EQ(text_of(s.conn,
                         "SELECT string_agg(n || ' ' || day || ' ' || amount, ', ' ORDER BY n) "
                         "FROM t",
                         buf, sizeof buf),
                 "1 2024-02-29 12.50, 7 1970-01-02 9999.00");
    close_session(&s);
}

/* The message of running `sql`, for comparing the appender's errors with INSERT's. */
static void message_of(arm_conn *c, const char *sql, arm_error *out)
{
    CHECK(run(c, sql, out) != ARM_OK);
}

static void test_constraints_as_insert(void)
{
    session s = open_session(NULL);
    ok(s.conn, "CREATE TABLE t (id BIGINT PRIMARY KEY, name VARCHAR NOT NULL)");
    ok(s.conn, "INSERT INTO t VALUES (1, 'one')");
    arm_error insert_err, err;
    arm_appender *a = open_appender(s.conn, "t");

    /* NOT NULL: the write fails as the INSERT does; the buffered rows are dropped */
    message_of(s.conn, "INSERT INTO t VALUES (2, NULL)", &insert_err);
    CHECK_OK(arm_appender_append_int64(a, 2, &err), &err);
    CHECK_OK(arm_appender_append_null(a, &err), &err);
    end_row(a);
    CHECK_INT_EQ(arm_appender_flush(a, &err), ARM_ERROR_CONSTRAINT);
    CHECK_STR_EQ(err.sqlstate, "23502");
    CHECK_STR_EQ(err.message, insert_err.message);
    CHECK_STR_EQ(err.detail, insert_err.detail);
    CHECK_OK(arm_appender_flush(a, &err), &err); /* nothing left to write */

    /* PRIMARY KEY against the table, then inside one write: all or nothing */
    message_of(s.conn, "INSERT INTO t VALUES (1, 'again')", &insert_err);
    CHECK_OK(arm_appender_append_int64(a, 3, &err), &err);
    text(a, "three");
    end_row(a);
    CHECK_OK(arm_appender_append_int64(a, 1, &err), &err);
    text(a, "again");
    end_row(a);
    CHECK_INT_EQ(arm_appender_flush(a, &err), ARM_ERROR_CONSTRAINT);
    CHECK_STR_EQ(err.sqlstate, "23505");
    CHECK_STR_EQ(err.message, insert_err.message);
    CHECK_STR_EQ(err.detail, insert_err.detail);
    CHECK_INT_EQ(scalar(s.conn, "SELECT count(*) FROM t"), 1); /* row 3 was not written */
    for (int i = 0; i < 2; i++) {
        CHECK_OK(arm_appender_append_int64(a, 4, &err), &err);
        text(a, "four");
        end_row(a);
    }
    CHECK_INT_EQ(arm_appender_close(a, &err), ARM_ERROR_CONSTRAINT);
    CHECK(strstr(err.detail, "Key (id)=(4) already exists.") != NULL);

    /* still usable after failed writes */
    a = open_appender(s.conn, "t");
    CHECK_OK(arm_appender_append_int64(a, 5, &err), &err);
    text(a, "five");
    end_row(a);
    close_appender(a);
    CHECK_INT_EQ(scalar(s.conn, "SELECT sum(id) FROM t"), 6);
    close_session(&s);
}

static void append_ids(arm_appender *a, int64_t first, int64_t count)
{
    arm_error err;
    for (int64_t i = first; i < first + count; i++) {
        if (arm_appender_append_int64(a, i, &err) != ARM_OK ||
            arm_appender_end_row(a, &err) != ARM_OK) {
            CHECK_OK(err.status, &err);
            return;
        }
    }
}

static void test_transactions_on_a_folder(void)
{
    char path[300];
    new_folder(path, sizeof path);
    session s = open_session(path);
    arm_error err;
    ok(s.conn, "CREATE TABLE t (id BIGINT PRIMARY KEY)");
    int64_t commits = scalar(s.conn, "SELECT count(*) FROM arm_log()");

    /* BEGIN ... ROLLBACK: the flushed rows are gone */
    ok(s.conn, "BEGIN");
    arm_appender *a = open_appender(s.conn, "t");
    append_ids(a, 1, 100);
    CHECK_OK(arm_appender_flush(a, &err), &err);
    CHECK_INT_EQ(scalar(s.conn, "SELECT count(*) FROM t"), 100); /* the transaction sees them */
    ok(s.conn, "ROLLBACK");
    CHECK_INT_EQ(scalar(s.conn, "SELECT count(*) FROM t"), 0);

    /* BEGIN ... COMMIT: two flushes, one commit */
    ok(s.conn, "BEGIN");
    append_ids(a, 1, 10);
    CHECK_OK(arm_appender_flush(a, &err), &err);
    append_ids(a, 11, 10);
    CHECK_OK(arm_appender_flush(a, &err), &err);
    ok(s.conn, "COMMIT");
    CHECK_INT_EQ(scalar(s.conn, "SELECT count(*) FROM arm_log()"), commits + 1);

    /* a failed write inside a transaction rolls it back, as a failed INSERT does */
    ok(s.conn, "BEGIN");
    ok(s.conn, "INSERT INTO t VALUES (1000)");
    append_ids(a, 5, 1); /* a duplicate */
    CHECK_INT_EQ(arm_appender_flush(a, &err), ARM_ERROR_CONSTRAINT);
    CHECK(strstr(err.hint, "rolled back") != NULL);
    CHECK_INT_EQ(run(s.conn, "COMMIT", &err), ARM_ERROR_MISUSE); /* no transaction any more */
    CHECK_INT_EQ(scalar(s.conn, "SELECT count(*) FROM t"), 20);

    /* autocommit: each flush commits; the rows survive closing and reopening */
    append_ids(a, 100, 50);
    CHECK_OK(arm_appender_flush(a, &err), &err);
    append_ids(a, 200, 50);
    close_appender(a);
    CHECK_INT_EQ(scalar(s.conn, "SELECT count(*) FROM arm_log()"), commits + 3);
    close_session(&s);

    s = open_session(path);
    CHECK_INT_EQ(scalar(s.conn, "SELECT count(*) FROM t"), 120);
    CHECK_INT_EQ(scalar(s.conn, "SELECT sum(id) FROM t"), 210 + 50 * 100 + 1225 + 50 * 200 + 1225);
    char buf[128];
    CHECK_STR_EQ(text_of(s.conn, "SELECT message FROM arm_log() LIMIT 1", buf, sizeof buf),
                 "appender: 50 rows into t");
    close_session(&s);
}

static void test_large_load_writes_as_it_goes(void)
{
    session s = open_session(NULL);
    ok(s.conn, "CREATE TABLE big (id BIGINT, k INTEGER, label VARCHAR, x DOUBLE)");
    arm_appender *a = open_appender(s.conn, "big");
    arm_error err;
    const int64_t rows = 300000;
    char label[32];
    for (int64_t i = 0; i < rows; i++) {
        int length = snprintf(label, sizeof label, "label number %" PRId64, i % 1000);
        if (arm_appender_append_int64(a, i, &err) != ARM_OK ||
            arm_appender_append_int64(a, i % 7, &err) != ARM_OK ||
            arm_appender_append_text(a, label, (size_t)length, &err) != ARM_OK ||
            (i % 10 == 0 ? arm_appender_append_null(a, &err)
                         : arm_appender_append_double(a, 0.5, &err)) != ARM_OK ||
            arm_appender_end_row(a, &err) != ARM_OK) {
            CHECK_OK(err.status, &err);
            break;
        }
    }
    /* two buffers' worth were written on the way; the rest waits for the close */
    CHECK_INT_EQ(scalar(s.conn, "SELECT count(*) FROM big"), 2 * 122880);
    close_appender(a);
    CHECK_INT_EQ(scalar(s.conn, "SELECT count(*) FROM big"), rows);
    CHECK_INT_EQ(scalar(s.conn, "SELECT sum(id) FROM big"), rows * (rows - 1) / 2);
    CHECK_INT_EQ(scalar(s.conn, "SELECT sum(k) FROM big"), 899997);
    CHECK_INT_EQ(scalar(s.conn, "SELECT count(x) FROM big"), rows - rows / 10);
    CHECK_INT_EQ(scalar(s.conn, "SELECT count(DISTINCT label) FROM big"), 1000);
    CHECK_INT_EQ(scalar(s.conn, "SELECT count(*) FROM big WHERE label = 'label number 999'"), 300);
    close_session(&s);
}

static void test_names_views_and_changed_tables(void)
{
    session s = open_session(NULL);
    arm_error err;
    arm_appender *a = NULL;
    ok(s.conn, "CREATE TABLE orders (id INTEGER)");
    ok(s.conn, "CREATE SCHEMA sales");
    ok(s.conn, "CREATE TABLE sales.items (sku VARCHAR)");
    ok(s.conn, "CREATE TABLE \"Mixed Case\" (v INTEGER)");
    ok(s.conn, "CREATE VIEW recent AS SELECT * FROM orders");

    CHECK_INT_EQ(arm_appender_open(&a, s.conn, "ordres", &err), ARM_ERROR_NOT_FOUND);
    CHECK(a == NULL);
    CHECK_STR_EQ(err.sqlstate, "42P01");
    CHECK_STR_EQ(err.message, "relation \"ordres\" does not exist");
    CHECK_STR_EQ(err.hint, "Perhaps you meant \"orders\".");
    CHECK_INT_EQ(arm_appender_open(&a, s.conn, "recent", &err), ARM_ERROR_NOT_SUPPORTED);
    CHECK_STR_EQ(err.message, "cannot append to view \"recent\"");
    CHECK_INT_EQ(arm_appender_open(&a, s.conn, "orders;", &err), ARM_ERROR_SYNTAX);
    CHECK_INT_EQ(arm_appender_open(&a, s.conn, "", &err), ARM_ERROR_SYNTAX);
    CHECK_INT_EQ(arm_appender_open(&a, s.conn, NULL, &err), ARM_ERROR_MISUSE);
    CHECK_INT_EQ(arm_appender_open(&a, s.conn, "arm_log", &err), ARM_ERROR_NOT_FOUND);

    a = open_appender(s.conn, "Sales.Items"); /* unquoted names fold to lower case */
    text(a, "x-1");
    end_row(a);
    close_appender(a);
    a = open_appender(s.conn, "\"Mixed Case\"");
    CHECK_OK(arm_appender_append_int64(a, 5, &err), &err);
    end_row(a);
    close_appender(a);
    CHECK_INT_EQ(scalar(s.conn, "SELECT count(*) FROM sales.items WHERE sku = 'x-1'"), 1);
    CHECK_INT_EQ(scalar(s.conn, "SELECT v FROM \"Mixed Case\""), 5);

    /* the table dropped, or recreated with other columns, while rows wait */
    a = open_appender(s.conn, "orders");
    CHECK_OK(arm_appender_append_int64(a, 1, &err), &err);
    end_row(a);
    ok(s.conn, "DROP TABLE orders CASCADE");
    CHECK_INT_EQ(arm_appender_flush(a, &err), ARM_ERROR_NOT_FOUND);
    CHECK(strstr(err.detail, "dropped after the appender was opened") != NULL);
    ok(s.conn, "CREATE TABLE orders (id VARCHAR)");
    CHECK_OK(arm_appender_append_int64(a, 1, &err), &err);
    end_row(a);
    CHECK_INT_EQ(arm_appender_close(a, &err), ARM_ERROR_NOT_SUPPORTED);
    CHECK(strstr(err.message, "changed after the appender was opened") != NULL);
    close_session(&s);
}

static void test_misuse_and_partial_rows(void)
{
    session s = open_session(NULL);
    arm_error err;
    ok(s.conn, "CREATE TABLE t (a INTEGER, b INTEGER)");
    CHECK_INT_EQ(arm_appender_close(NULL, &err), ARM_OK);
    CHECK_INT_EQ(arm_appender_append_int64(NULL, 1, &err), ARM_ERROR_MISUSE);
    CHECK_INT_EQ(arm_appender_end_row(NULL, NULL), ARM_ERROR_MISUSE);
    CHECK_INT_EQ(arm_appender_column_count(NULL), 0);

    arm_appender *a = open_appender(s.conn, "t");
    CHECK_OK(arm_appender_append_int64(a, 1, &err), &err);
    CHECK_OK(arm_appender_append_int64(a, 2, &err), &err);
    end_row(a);
    CHECK_OK(arm_appender_append_int64(a, 3, &err), &err);
    CHECK_INT_EQ(arm_appender_flush(a, &err), ARM_ERROR_MISUSE); /* a row in progress */
    CHECK(strstr(err.message, "1 of 2 values") != NULL);
    CHECK_INT_EQ(scalar(s.conn, "SELECT count(*) FROM t"), 0);
    CHECK_OK(arm_appender_append_int64(a, 4, &err), &err); /* the row continues */
    end_row(a);
    CHECK_OK(arm_appender_append_int64(a, 5, &err), &err);
    CHECK_INT_EQ(arm_appender_close(a, &err), ARM_ERROR_MISUSE);
    CHECK(strstr(err.message, "middle of a row") != NULL);
    CHECK_INT_EQ(scalar(s.conn, "SELECT sum(a + b) FROM t"), 10);
    close_session(&s);
}

static void test_memory_limit(void)
{
    session s = open_session(NULL);
    arm_error err;
    ok(s.conn, "CREATE TABLE t (id BIGINT, v DOUBLE)");
    ok(s.conn, "SET memory_limit = '256KB'");
    arm_appender *a = open_appender(s.conn, "t");
    for (int64_t i = 0; i < 20000; i++) {
        CHECK_OK(arm_appender_append_int64(a, i, &err), &err);
        CHECK_OK(arm_appender_append_double(a, 1, &err), &err);
        CHECK_OK(arm_appender_end_row(a, &err), &err);
    }
    CHECK_INT_EQ(arm_appender_flush(a, &err), ARM_ERROR_MEMORY_LIMIT);
    ok(s.conn, "RESET memory_limit");
    CHECK_OK(arm_appender_append_int64(a, 1, &err), &err);
    CHECK_OK(arm_appender_append_double(a, 1, &err), &err);
    end_row(a);
    close_appender(a);
    CHECK_INT_EQ(scalar(s.conn, "SELECT count(*) FROM t"), 1);
    close_session(&s);
}

/* Another connection's transaction holds the writer lock: a write waits, then 55P03. */
static void test_writer_lock(void)
{
    char path[300];
    new_folder(path, sizeof path);
    session s = open_session(path);
    arm_conn *other = NULL;
    arm_error err;
    CHECK_OK(arm_conn_open(&other, s.db, &err), &err);
    ok(s.conn, "CREATE TABLE t (id BIGINT)");
    arm_appender *a = open_appender(other, "t");
    ok(s.conn, "BEGIN");
    ok(s.conn, "INSERT INTO t VALUES (1)");
    append_ids(a, 2, 3);
    CHECK_INT_EQ(arm_appender_flush(a, &err), ARM_ERROR_CONFLICT);
    CHECK_STR_EQ(err.sqlstate, "55P03");
    ok(s.conn, "COMMIT");
    append_ids(a, 2, 3);
    close_appender(a);
    CHECK_INT_EQ(scalar(s.conn, "SELECT sum(id) FROM t"), 1 + 2 + 3 + 4);
    arm_conn_close(other);
    close_session(&s);
}

static void setup(void)
{
    make_root("appender");
}

static void teardown(void)
{
    remove_root();
}

TEST_MAIN(setup, test_every_type_round_trips, test_text_and_other_types_into_varchar,
          test_conversion_errors_discard_the_row, test_constraints_as_insert,
          test_transactions_on_a_folder, test_large_load_writes_as_it_goes,
          test_names_views_and_changed_tables, test_misuse_and_partial_rows, test_memory_limit,
          test_writer_lock, teardown)
