/*
 * test_copy_stream.c: COPY ... TO streams the query into the file. The file
 * must hold the bytes the materializing path wrote (the query's result set
 * through parquet_writer_write_batches) for any row group size and thread
 * count, and a failing COPY must leave nothing under the target name.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "format/parquet_writer.h"
#include "sql_test_util.h"

/* The file's bytes (caller frees), or NULL when it does not exist. */
static uint8_t *read_file(const char *path, size_t *size)
{
    *size = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long length = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *bytes = malloc(length > 0 ? (size_t)length : 1);
    if (bytes != NULL && fread(bytes, 1, (size_t)length, f) == (size_t)length)
        *size = (size_t)length;
    fclose(f);
    return bytes;
}

/* What COPY wrote before it streamed: the materialized result through write_batches. */
static uint8_t *materialized_bytes(const char *query, uint64_t row_group_rows, size_t *size)
{
    arm_error err;
    *size = 0;
    result_set *r = test_run(query);
    if (r == NULL)
        return NULL;
    parquet_writer_column columns[8];
    for (uint32_t i = 0; i < r->column_count && i < 8; i++)
        columns[i] = (parquet_writer_column){r->column_names[i], r->column_types[i], true, -1};
    parquet_writer_options options = PARQUET_WRITER_OPTIONS_INIT;
    options.row_group_rows = row_group_rows;
    parquet_writer *w = NULL;
    CHECK_OK(parquet_writer_create_memory(&w, columns, r->column_count, &options, &err), &err);
    CHECK_OK(parquet_writer_write_batches(w, r->batches, r->batch_count, test_db.pool,
                                          statement_thread_count(&test_session), &err),
             &err);
    CHECK_OK(parquet_writer_close(w, NULL, &err), &err);
    const uint8_t *image = parquet_writer_memory(w, size);
    uint8_t *copy = malloc(*size ? *size : 1);
    if (image != NULL)
        memcpy(copy, image, *size);
    parquet_writer_destroy(w);
    result_set_destroy(r);
    return copy;
}

static void check_copy(const char *query, uint64_t row_group_rows)
{
    size_t expected_size, size;
    uint8_t *expected = materialized_bytes(query, row_group_rows, &expected_size);
    char sql[512];
    snprintf(sql, sizeof sql, "COPY (%s) TO 'copy_stream.parquet' (ROW_GROUP_SIZE %llu)", query,
             (unsigned long long)row_group_rows);
    test_exec(sql);
    uint8_t *got = read_file("copy_stream.parquet", &size);
    CHECK_INT_EQ(size, expected_size);
    if (!(got && expected && size == expected_size && memcmp(got, expected, size) == 0))
        fprintf(stderr, "  query %s, row groups of %llu\n", query,
                (unsigned long long)row_group_rows);
    CHECK(got && expected && size == expected_size && memcmp(got, expected, size) == 0);
    free(got);
    free(expected);
    remove("copy_stream.parquet");
}

static void create_table(void)
{
    test_exec("CREATE TABLE t AS SELECT i AS id, i * 0.25 AS score, 'name ' || (i % 1000) AS name "
              "FROM generate_series(1, 300000) g(i)");
}

static void test_same_bytes_as_materialized(void)
{
    test_open();
    create_table();
    static const char *queries[] = {
        "SELECT * FROM t",
        "SELECT id, score * 2 AS s, name FROM t WHERE id % 7 <> 3",
        "SELECT * FROM t WHERE id % 100000 < 20000", /* drops whole batches */
        "SELECT * FROM t ORDER BY name DESC, id",
        "SELECT a.id, b.name FROM t a JOIN t b ON a.id = b.id + 1",
        "SELECT * FROM t WHERE id < 0", /* empty */
    };
    static const uint64_t group_rows[] = {5000, 122880};
    for (uint32_t threads = 1; threads <= 2; threads++) {
        test_exec(threads == 1 ? "SET threads = 1" : "SET threads = 2");
        for (uint32_t q = 0; q < sizeof queries / sizeof queries[0]; q++)
            for (uint32_t g = 0; g < sizeof group_rows / sizeof group_rows[0]; g++)
                check_copy(queries[q], group_rows[g]);
    }
    test_close();
}

/* Rows keep the query's order on any thread count (read back on one thread, in file order). */
static void test_order_kept(void)
{
    test_open();
    create_table();
    test_exec("SET threads = 2");
    test_exec("COPY (SELECT id, name FROM t ORDER BY id DESC) TO 'copy_stream_order.parquet' "
              "(ROW_GROUP_SIZE 7000)");
    test_exec("SET threads = 1");
    result_set *r = test_run("SELECT id FROM read_parquet('copy_stream_order.parquet')");
    CHECK(r != NULL && r->row_count == 300000);
    bool descending = true;
    for (uint64_t row = 0; r != NULL && row < r->row_count && descending; row++)
        descending = strtoll(test_cell(r, 0, row), NULL, 10) == (long long)(300000 - row);
    CHECK(descending);
    result_set_destroy(r);
    remove("copy_stream_order.parquet");
    test_close();
}

/* Whether any file in the working directory starts with `prefix`. */
static bool any_file_starting(const char *prefix)
{
    DIR *dir = opendir(".");
    bool found = false;
    struct dirent *e;
    while (dir != NULL && !found && (e = readdir(dir)) != NULL)
        found = strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    if (dir != NULL)
        closedir(dir);
    return found;
}

/*
 * A division by zero in a late row fails COPY after rows were written: the
 * error comes back, no file (or temporary file) is left, and a file that was
 * already under the target name keeps its bytes.
 */
static void test_error_midway_leaves_no_file(void)
{
    test_open();
    create_table();
    arm_error err;
    for (uint32_t threads = 1; threads <= 2; threads++) {
        test_exec(threads == 1 ? "SET threads = 1" : "SET threads = 2");
        remove("copy_stream_err.parquet");
        remove("copy_stream_err.csv");
        test_fail("COPY (SELECT id, 10 / (id - 290000) AS x FROM t) TO "
                  "'copy_stream_err.parquet' (ROW_GROUP_SIZE 1000)",
                  &err);
        CHECK(strstr(err.message, "division by zero") != NULL);
        CHECK(!any_file_starting("copy_stream_err"));
        test_fail("COPY (SELECT id, 10 / (id - 290000) AS x FROM t) TO 'copy_stream_err.csv'",
                  &err);
        CHECK(strstr(err.message, "division by zero") != NULL);
        CHECK(!any_file_starting("copy_stream_err"));
        FILE *f = fopen("copy_stream_err.parquet", "wb");
        fputs("old", f);
        fclose(f);
        test_fail("COPY (SELECT id, 10 / (id - 290000) AS x FROM t) TO 'copy_stream_err.parquet'",
                  &err);
        size_t size;
        uint8_t *bytes = read_file("copy_stream_err.parquet", &size);
        CHECK(bytes != NULL && size == 3 && memcmp(bytes, "old", 3) == 0);
        free(bytes);
        remove("copy_stream_err.parquet");
        CHECK(!any_file_starting("copy_stream_err"));
    }
    test_close();
}

/* An unwritable target fails cleanly, naming the target. */
static void test_write_error(void)
{
    test_open();
    create_table();
    arm_error err;
    CHECK_INT_EQ(test_fail("COPY t TO 'no_such_folder/x.parquet'", &err), ARM_ERROR_IO);
    CHECK(strstr(err.message, "no_such_folder/x.parquet") != NULL);
    CHECK_INT_EQ(test_fail("COPY t TO 'no_such_folder/x.csv'", &err), ARM_ERROR_IO);
    CHECK(strstr(err.message, "\"no_such_folder/x.csv\"") != NULL);
    test_close();
}

TEST_MAIN(test_same_bytes_as_materialized, test_order_kept, test_error_midway_leaves_no_file,
          test_write_error)
