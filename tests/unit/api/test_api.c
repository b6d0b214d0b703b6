/*
 * Tests for the public C API (src/api) and, through it, the engine paths a
 * user reaches: results, typed getters, prepared statements, errors,
 * interrupts, and operator results that must not depend on the thread count.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "armillaria.h"
#include "harness.h"

static arm_db *db;
static arm_conn *conn;

static void open_memory(void)
{
    arm_error err;
    CHECK_OK(arm_db_open(&db, ":memory:", &err), &err);
    CHECK_OK(arm_conn_open(&conn, db, &err), &err);
}

static void close_memory(void)
{
    arm_conn_close(conn);
    arm_db_close(db);
    conn = NULL;
    db = NULL;
}

static void exec(const char *sql)
{
    arm_error err;
    arm_status s = arm_conn_query(NULL, conn, sql, &err);
    if (s != ARM_OK)
        fprintf(stderr, "exec failed: %s\n  %s\n", err.message, sql);
    CHECK(s == ARM_OK);
}

static arm_result *query(const char *sql)
{
    arm_error err;
    arm_result *r = NULL;
    arm_status s = arm_conn_query(&r, conn, sql, &err);
    if (s != ARM_OK)
        fprintf(stderr, "query failed: %s\n  %s\n", err.message, sql);
    CHECK(s == ARM_OK);
    return r;
}

/* The cell formatted as text (static buffer). */
static const char *cell(arm_result *r, size_t column, uint64_t row)
{
    static char buf[256];
    arm_result_format(r, column, row, buf, sizeof buf);
    return buf;
}

static void test_open_and_metadata(void)
{
    open_memory();
    arm_result *r = query("SELECT 1 AS one, 'two' AS two, 3.5::DOUBLE AS three, NULL AS four");
    CHECK_INT_EQ(arm_result_kind_of(r), ARM_RESULT_ROWS);
    CHECK_INT_EQ(arm_result_column_count(r), 4);
    CHECK_INT_EQ(arm_result_row_count(r), 1);
    CHECK_STR_EQ(arm_result_column_name(r, 0), "one");
    CHECK_STR_EQ(arm_result_column_name(r, 2), "three");
    CHECK(arm_result_column_name(r, 9) == NULL);
    CHECK_INT_EQ(arm_result_column_type(r, 1).id, ARM_TYPE_VARCHAR);
    CHECK_INT_EQ(arm_result_column_type(r, 2).id, ARM_TYPE_DOUBLE);
    CHECK_INT_EQ(arm_result_get_int64(r, 0, 0), 1);
    CHECK(arm_result_get_double(r, 2, 0) == 3.5);
    CHECK_INT_EQ(arm_result_get_int64(r, 2, 0), 4); /* rounds like a cast */
    size_t length = 0;
    const char *text = arm_result_get_string(r, 1, 0, &length);
    CHECK(text != NULL && length == 3 && memcmp(text, "two", 3) == 0);
    CHECK(arm_result_is_null(r, 3, 0));
    CHECK(!arm_result_is_null(r, 0, 0));
    CHECK(arm_result_is_null(r, 0, 5)); /* out of range reads as NULL, no crash */
    CHECK_STR_EQ(cell(r, 3, 0), "NULL");
    arm_result_destroy(r);
    close_memory();
}

static void test_typed_values(void)
{
    open_memory();
    arm_result *r = query("SELECT DATE '2024-02-29', TIMESTAMP '2024-02-29 10:30:00.25', "
                          "INTERVAL '1 day 2 hours', 12.50::DECIMAL(5,2), true");
    CHECK_INT_EQ(arm_result_get_date(r, 0, 0), 19782);
    CHECK_INT_EQ(arm_result_get_timestamp(r, 1, 0), 1709202600250000LL);
    arm_interval iv = arm_result_get_interval(r, 2, 0);
    CHECK_INT_EQ(iv.days, 1);
    CHECK_INT_EQ(iv.micros, 7200000000LL);
    CHECK_STR_EQ(cell(r, 0, 0), "2024-02-29");
    CHECK_STR_EQ(cell(r, 1, 0), "2024-02-29 10:30:00.25");
    CHECK_STR_EQ(cell(r, 2, 0), "1 day 02:00:00");
    CHECK_STR_EQ(cell(r, 3, 0), "12.50");
    CHECK(arm_result_get_double(r, 3, 0) == 12.5);
    CHECK(arm_result_get_bool(r, 4, 0));
    arm_result_destroy(r);
    close_memory();
}

static void test_errors(void)
{
    open_memory();
    exec("CREATE TABLE users (id BIGINT PRIMARY KEY, name VARCHAR NOT NULL)");
    arm_error err;
    arm_result *r = NULL;
    CHECK(arm_conn_query(&r, conn, "SELECT nme FROM users", &err) == ARM_ERROR_NOT_FOUND);
    CHECK(r == NULL);
    CHECK_STR_EQ(err.sqlstate, "42703");
    CHECK_INT_EQ(err.position, 7);
    CHECK(strstr(err.hint, "name") != NULL);
    CHECK(arm_conn_query(NULL, conn, "SELEC 1", &err) == ARM_ERROR_SYNTAX);
    CHECK_STR_EQ(err.sqlstate, "42601");
    CHECK(arm_conn_query(NULL, conn, "SELECT 1/0", &err) == ARM_ERROR_DIVISION_BY_ZERO);
    CHECK(arm_conn_query(NULL, conn, "SELECT 2147483647::INTEGER + 1", &err) ==
          ARM_ERROR_OUT_OF_RANGE);
    CHECK(arm_conn_query(NULL, conn, "SELECT 'abc'::INTEGER", &err) == ARM_ERROR_INVALID_INPUT);
    exec("INSERT INTO users VALUES (1, 'ann')");
    CHECK(arm_conn_query(NULL, conn, "INSERT INTO users VALUES (2, 'bob'), (1, 'dup')", &err) ==
          ARM_ERROR_CONSTRAINT);
    CHECK_STR_EQ(err.sqlstate, "23505");
    CHECK(arm_conn_query(NULL, conn, "INSERT INTO users VALUES (3, NULL)", &err) ==
          ARM_ERROR_CONSTRAINT);
    CHECK_STR_EQ(err.sqlstate, "23502");
    /* statements are all or nothing: bob was not inserted with the duplicate */
    r = query("SELECT count(*) FROM users");
    CHECK_INT_EQ(arm_result_get_int64(r, 0, 0), 1);
    arm_result_destroy(r);
    /* misuse never crashes */
    CHECK(arm_conn_query(NULL, NULL, "SELECT 1", &err) == ARM_ERROR_MISUSE);
    CHECK(arm_conn_query(NULL, conn, NULL, &err) == ARM_ERROR_MISUSE);
    arm_result_destroy(NULL);
    arm_conn_close(NULL);
    arm_db_close(NULL);
    close_memory();
}

static void test_dml_counts_and_script(void)
{
    open_memory();
    arm_result *r = query("CREATE TABLE t (a INTEGER, b VARCHAR DEFAULT 'x'); "
                          "INSERT INTO t (a) VALUES (1), (2), (3); "
                          "UPDATE t SET b = 'y' WHERE a >= 2");
    CHECK_INT_EQ(arm_result_kind_of(r), ARM_RESULT_CHANGES);
    CHECK_INT_EQ(arm_result_rows_changed(r), 2);
    arm_result_destroy(r);
    r = query("DELETE FROM t WHERE a = 1");
    CHECK_INT_EQ(arm_result_rows_changed(r), 1);
    arm_result_destroy(r);
    r = query("SELECT a, b FROM t ORDER BY a");
    CHECK_INT_EQ(arm_result_row_count(r), 2);
    CHECK_STR_EQ(cell(r, 1, 0), "y");
    arm_result_destroy(r);
    close_memory();
}

static void test_prepared_statements(void)
{
    open_memory();
    exec("CREATE TABLE kv (k BIGINT, v VARCHAR)");
    arm_error err;
    arm_stmt *ins = NULL;
    CHECK_OK(arm_stmt_prepare(&ins, conn, "INSERT INTO kv VALUES ($1, $2)", &err), &err);
    CHECK_INT_EQ(arm_stmt_param_count(ins), 2);
    for (int i = 0; i < 5; i++) {
        char text[16];
        snprintf(text, sizeof text, "v%d", i);
        CHECK_OK(arm_stmt_bind_int64(ins, 1, i, &err), &err);
        CHECK_OK(arm_stmt_bind_text(ins, 2, text, strlen(text), &err), &err);
        CHECK_OK(arm_stmt_execute(NULL, ins, &err), &err);
    }
    CHECK(arm_stmt_bind_int64(ins, 3, 0, &err) == ARM_ERROR_MISUSE);
    CHECK(arm_stmt_bind_int64(ins, 0, 0, &err) == ARM_ERROR_MISUSE);
    arm_stmt_destroy(ins);
    arm_stmt *sel = NULL;
    CHECK_OK(arm_stmt_prepare(&sel, conn, "SELECT v FROM kv WHERE k = ?", &err), &err);
    for (int i = 0; i < 5; i++) {
        arm_result *r = NULL;
        CHECK_OK(arm_stmt_bind_int64(sel, 1, i, &err), &err);
        CHECK_OK(arm_stmt_execute(&r, sel, &err), &err);
        char expected[16];
        snprintf(expected, sizeof expected, "v%d", i);
        CHECK_INT_EQ(arm_result_row_count(r), 1);
        CHECK_STR_EQ(cell(r, 0, 0), expected);
        arm_result_destroy(r);
    }
    arm_stmt_destroy(sel);
    CHECK(arm_stmt_prepare(&sel, conn, "SELECT 1; SELECT 2", &err) != ARM_OK);
    close_memory();
}

/* Builds a table of `rows` rows with a few shapes of keys. */
static void fill_numbers(int rows)
{
    exec("CREATE TABLE nums (id BIGINT, g INTEGER, s VARCHAR, x DOUBLE)");
    char *sql = malloc(64 * 1024);
    for (int start = 0; start < rows; start += 500) {
        size_t used = (size_t)snprintf(sql, 64 * 1024, "INSERT INTO nums VALUES ");
        for (int i = start; i < start + 500 && i < rows; i++)
            used += (size_t)snprintf(
                sql + used, 64 * 1024 - used, "%s(%d, %s, 'k%03d', %d.5)", i == start ? "" : ",", i,
                i % 11 == 0 ? "NULL" : (i % 7 == 0 ? "7" : "3"), i % 97, i % 13);
        exec(sql);
    }
    free(sql);
}

/* Every query gives the same text with 1 and 2 threads, over many morsels. */
static void test_results_independent_of_threads(void)
{
    static const char *const queries[] = {
        "SELECT count(*), sum(x), min(s), max(id) FROM nums",
        "SELECT g, count(*), sum(x) FROM nums GROUP BY g ORDER BY g NULLS FIRST",
        "SELECT s, count(DISTINCT g) FROM nums GROUP BY s ORDER BY s LIMIT 5",
        "SELECT id FROM nums WHERE x > 11 ORDER BY id DESC LIMIT 7 OFFSET 3",
        "SELECT a.id FROM nums a JOIN nums b ON a.id = b.id + 1 WHERE a.id % 1000 = 0 ORDER BY 1",
        "SELECT count(*) FROM nums a LEFT JOIN nums b ON a.g = b.id",
        "SELECT count(*) FROM (SELECT s FROM nums INTERSECT SELECT s FROM nums WHERE id < 50) t",
        "SELECT id FROM nums LIMIT 3",
    };
    open_memory();
    fill_numbers(12000);
    char first[8][512];
    for (int pass = 0; pass < 2; pass++) {
        exec(pass == 0 ? "SET threads = 1" : "SET threads = 2");
        for (size_t q = 0; q < sizeof queries / sizeof queries[0]; q++) {
            arm_result *r = query(queries[q]);
            char text[512] = "";
            size_t used = 0;
            for (uint64_t row = 0; row < arm_result_row_count(r) && used < 400; row++)
                for (size_t c = 0; c < arm_result_column_count(r); c++)
                    used +=
                        (size_t)snprintf(text + used, sizeof text - used, "%s|", cell(r, c, row));
            if (pass == 0)
                strcpy(first[q], text);
            else if (strcmp(first[q], text) != 0)
                fprintf(stderr, "differs with threads: %s\n  %s\n  %s\n", queries[q], first[q],
                        text);
            CHECK(pass == 0 || strcmp(first[q], text) == 0);
            arm_result_destroy(r);
        }
    }
    /* plain scans keep insertion order */
    arm_result *r = query("SELECT id FROM nums");
    bool ordered = arm_result_row_count(r) == 12000;
    for (uint64_t i = 0; ordered && i < 12000; i++)
        ordered = arm_result_get_int64(r, 0, i) == (int64_t)i;
    CHECK(ordered);
    arm_result_destroy(r);
    close_memory();
}

static void test_join_types(void)
{
    open_memory();
    exec("CREATE TABLE l (id INTEGER, lv VARCHAR); CREATE TABLE r (id INTEGER, rv VARCHAR)");
    exec("INSERT INTO l VALUES (1,'a'),(2,'b'),(2,'b2'),(NULL,'n')");
    exec("INSERT INTO r VALUES (2,'x'),(3,'y'),(NULL,'z')");
    static const struct {
        const char *sql;
        int rows;
    } cases[] = {
        {"SELECT * FROM l JOIN r ON l.id = r.id", 2},
        {"SELECT * FROM l LEFT JOIN r ON l.id = r.id", 4},
        {"SELECT * FROM l RIGHT JOIN r ON l.id = r.id", 4},
        {"SELECT * FROM l FULL JOIN r ON l.id = r.id", 6},
        {"SELECT * FROM l CROSS JOIN r", 12},
        {"SELECT * FROM l WHERE id IN (SELECT id FROM r)", 2},
        {"SELECT * FROM l WHERE id NOT IN (SELECT id FROM r)", 0}, /* NULL in the list */
        {"SELECT * FROM l JOIN r ON l.id < r.id", 4},
        {"SELECT * FROM l JOIN r ON l.id = r.id AND r.rv <> 'x'", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        arm_result *res = query(cases[i].sql);
        if ((int)arm_result_row_count(res) != cases[i].rows)
            fprintf(stderr, "%s: %llu rows\n", cases[i].sql,
                    (unsigned long long)arm_result_row_count(res));
        CHECK_INT_EQ(arm_result_row_count(res), cases[i].rows);
        arm_result_destroy(res);
    }
    close_memory();
}

static void *interrupt_later(void *arg)
{
    usleep(50000);
    arm_conn_interrupt(arg);
    return NULL;
}

static void test_interrupt_and_memory_limit(void)
{
    open_memory();
    fill_numbers(3000);
    pthread_t thread;
    pthread_create(&thread, NULL, interrupt_later, conn);
    arm_error err;
    arm_status s = arm_conn_query(
        NULL, conn, "SELECT count(*) FROM nums a, nums b, nums c WHERE a.x + b.x > c.x", &err);
    pthread_join(thread, NULL);
    CHECK(s == ARM_ERROR_INTERRUPTED);
    CHECK_STR_EQ(err.sqlstate, "57014");
    /* the connection stays usable */
    arm_result *r = query("SELECT count(*) FROM nums");
    CHECK_INT_EQ(arm_result_get_int64(r, 0, 0), 3000);
    arm_result_destroy(r);
    exec("SET memory_limit = '1MB'");
    s = arm_conn_query(NULL, conn, "SELECT a.id, b.id FROM nums a, nums b ORDER BY 1, 2", &err);
    CHECK(s == ARM_ERROR_MEMORY_LIMIT || s == ARM_ERROR_OUT_OF_MEMORY);
    exec("RESET memory_limit");
    close_memory();
}

static void test_folders(void)
{
    char dir[] = "/tmp/arm_api_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[256];
    snprintf(path, sizeof path, "%s/db", dir);
    arm_error err;
    arm_db *d = NULL;
    CHECK_OK(arm_db_open(&d, path, &err), &err); /* created */
    arm_db_close(d);
    CHECK_OK(arm_db_open(&d, path, &err), &err); /* recognized */
    arm_db_close(d);
    snprintf(path, sizeof path, "%s/foreign", dir);
    CHECK(mkdir(path, 0755) == 0);
    char file[300];
    snprintf(file, sizeof file, "%s/data.txt", path);
    FILE *f = fopen(file, "w");
    fputs("not ours", f);
    fclose(f);
    CHECK(arm_db_open(&d, path, &err) == ARM_ERROR_CORRUPT);
    CHECK(arm_db_open(&d, file, &err) == ARM_ERROR_IO);
    remove(file);
    rmdir(path);
    snprintf(path, sizeof path, "%s/db/ARMILLARIA_FORMAT", dir);
    remove(path);
    snprintf(path, sizeof path, "%s/db", dir);
    rmdir(path);
    rmdir(dir);
}

/* Repeated statement texts run from the text cache: they still see every change. */
static void test_repeated_texts(void)
{
    open_memory();
    exec("CREATE TABLE r(x INTEGER)");
    const char *sum = "SELECT count(*), sum(x) FROM r";
    arm_result *res = query(sum);
    CHECK_STR_EQ(cell(res, 0, 0), "0");
    arm_result_destroy(res);
    exec("INSERT INTO r VALUES (1), (2)");
    res = query(sum); /* cached text, new rows */
    CHECK_STR_EQ(cell(res, 1, 0), "3");
    arm_result_destroy(res);
    exec("DROP TABLE r");
    arm_error err;
    CHECK_INT_EQ(arm_conn_query(NULL, conn, sum, &err), ARM_ERROR_NOT_FOUND);
    exec("CREATE TABLE r(x DOUBLE, y VARCHAR)"); /* the same name, other columns */
    exec("INSERT INTO r VALUES (1.5, 'a')");
    res = query(sum);
    CHECK_STR_EQ(cell(res, 1, 0), "1.5");
    arm_result_destroy(res);
    for (int i = 0; i < 40; i++) { /* more texts than the cache holds */
        char text[64];
        snprintf(text, sizeof text, "SELECT %d + count(*) FROM r", i);
        res = query(text);
        char expected[16];
        snprintf(expected, sizeof expected, "%d", i + 1);
        CHECK_STR_EQ(cell(res, 0, 0), expected);
        arm_result_destroy(res);
    }
    res = query(sum);
    CHECK_STR_EQ(cell(res, 0, 0), "1");
    arm_result_destroy(res);
    CHECK_INT_EQ(arm_conn_query(NULL, conn, "SELECT nope FROM r", &err), ARM_ERROR_NOT_FOUND);
    CHECK_INT_EQ(arm_conn_query(NULL, conn, "SELECT nope FROM r", &err), ARM_ERROR_NOT_FOUND);
    close_memory();
}

TEST_MAIN(test_open_and_metadata, test_typed_values, test_errors, test_dml_counts_and_script,
          test_prepared_statements, test_results_independent_of_threads, test_join_types,
          test_interrupt_and_memory_limit, test_folders, test_repeated_texts)
