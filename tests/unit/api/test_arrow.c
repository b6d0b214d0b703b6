/*
 * Tests for the Arrow C stream export (src/api/api_arrow.c): schema formats,
 * array lengths and null counts, values read back through the C structs,
 * and lifetime after the database is closed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "armillaria.h"
#include "harness.h"

static int bit(const void *bits, int64_t i)
{
    return (((const uint8_t *)bits)[i / 8] >> (i % 8)) & 1;
}

static void test_export_every_type(void)
{
    arm_error err;
    arm_db *db = NULL;
    arm_conn *conn = NULL;
    arm_result *r = NULL;
    CHECK_OK(arm_db_open(&db, NULL, &err), &err);
    CHECK_OK(arm_conn_open(&conn, db, &err), &err);
    CHECK_OK(
        arm_conn_query(&r, conn,
                       "SELECT * FROM (VALUES (true, 1::SMALLINT, 2::INTEGER, 3::BIGINT, "
                       "1.5::REAL, 2.5::DOUBLE, 12.34::DECIMAL(6,2), 'hello world, long', "
                       "DATE '1970-01-02', TIMESTAMP '1970-01-01 00:00:01', INTERVAL '1 day'), "
                       "(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL), "
                       "(false, -1::SMALLINT, -2, -3, -1.5::REAL, -2.5, -0.01, 'x', "
                       "DATE '1969-12-31', TIMESTAMP '1969-12-31 23:59:59', INTERVAL '-2 "
                       "hours')) t(b, s, i, l, f, g, d, u, dt, ts, iv)",
                       &err),
        &err);
    struct ArrowArrayStream stream;
    CHECK_OK(arm_result_to_arrow(r, &stream, &err), &err);
    arm_conn_close(conn);
    arm_db_close(db); /* the stream must outlive the database */

    struct ArrowSchema schema;
    CHECK(stream.get_schema(&stream, &schema) == 0);
    CHECK_STR_EQ(schema.format, "+s");
    CHECK_INT_EQ(schema.n_children, 11);
    static const char *const formats[] = {"b",     "s", "i",   "l",    "f",  "g",
                                          "d:6,2", "u", "tdD", "tsu:", "tin"};
    for (int c = 0; c < 11; c++)
        CHECK_STR_EQ(schema.children[c]->format, formats[c]);
    CHECK_STR_EQ(schema.children[7]->name, "u");
    schema.release(&schema);
    CHECK(schema.release == NULL);

    struct ArrowArray array;
    CHECK(stream.get_next(&stream, &array) == 0);
    CHECK(array.release != NULL);
    CHECK_INT_EQ(array.length, 3);
    CHECK_INT_EQ(array.n_children, 11);
    struct ArrowArray **col = array.children;
    for (int c = 0; c < 11; c++) {
        CHECK_INT_EQ(col[c]->length, 3);
        CHECK_INT_EQ(col[c]->null_count, 1);
        CHECK(!bit(col[c]->buffers[0], 1) && bit(col[c]->buffers[0], 0));
    }
    CHECK(bit(col[0]->buffers[1], 0) == 1 && bit(col[0]->buffers[1], 2) == 0);
    CHECK_INT_EQ(((const int16_t *)col[1]->buffers[1])[2], -1);
    CHECK_INT_EQ(((const int32_t *)col[2]->buffers[1])[0], 2);
    CHECK_INT_EQ(((const int64_t *)col[3]->buffers[1])[2], -3);
    CHECK(((const float *)col[4]->buffers[1])[0] == 1.5f);
    CHECK(((const double *)col[5]->buffers[1])[2] == -2.5);
    CHECK_INT_EQ((int64_t)((const __int128 *)col[6]->buffers[1])[0], 1234);
    CHECK_INT_EQ((int64_t)((const __int128 *)col[6]->buffers[1])[2], -1);
    const int32_t *offsets = col[7]->buffers[1];
    const char *bytes = col[7]->buffers[2];
    CHECK_INT_EQ(offsets[1] - offsets[0], 17);
    CHECK(memcmp(bytes + offsets[0], "hello world, long", 17) == 0);
    CHECK_INT_EQ(offsets[3] - offsets[2], 1);
    CHECK_INT_EQ(((const int32_t *)col[8]->buffers[1])[2], -1);
    CHECK_INT_EQ(((const int64_t *)col[9]->buffers[1])[0], 1000000);
    struct mdn {
        int32_t months, days;
        int64_t nanos;
    };
    const struct mdn *iv = col[10]->buffers[1];
    CHECK_INT_EQ(iv[0].days, 1);
    CHECK_INT_EQ(iv[2].nanos, -7200LL * 1000000000LL);
    array.release(&array);
    CHECK(array.release == NULL);

    CHECK(stream.get_next(&stream, &array) == 0);
    CHECK(array.release == NULL); /* end of stream */
    stream.release(&stream);
    CHECK(stream.release == NULL);
}

/*
 * Stored chunks keep low-cardinality strings dictionary-encoded, and results
 * keep them so (filtered rows gather entry numbers): Arrow must still get
 * plain utf8 arrays with the right values and NULLs.
 */
static void test_export_dictionary_strings(void)
{
    char dir[] = "/tmp/arm_arrow_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[300];
    snprintf(path, sizeof path, "%s/db", dir);
    arm_error err;
    arm_db *db = NULL;
    arm_conn *conn = NULL;
    arm_result *r = NULL;
    CHECK_OK(arm_db_open(&db, path, &err), &err);
    CHECK_OK(arm_conn_open(&conn, db, &err), &err);
    CHECK_OK(arm_conn_query(NULL, conn,
                            "CREATE TABLE t AS SELECT i AS id, 'category ' || (i % 5) AS s, "
                            "CASE WHEN i % 7 = 0 THEN NULL ELSE 'r' || (i % 3) END AS u "
                            "FROM generate_series(0, 9999) g(i)",
                            &err),
             &err);
    arm_conn_close(conn);
    arm_db_close(db); /* reopened: the table is read from its chunks */
    CHECK_OK(arm_db_open(&db, path, &err), &err);
    CHECK_OK(arm_conn_open(&conn, db, &err), &err);
    CHECK_OK(arm_conn_query(&r, conn, "SELECT id, s, u FROM t WHERE id % 3 = 0", &err), &err);
    struct ArrowArrayStream stream;
    CHECK_OK(arm_result_to_arrow(r, &stream, &err), &err); /* the stream owns r */
    arm_conn_close(conn);
    arm_db_close(db);
    struct ArrowArray array;
    int64_t seen = 0;
    while (stream.get_next(&stream, &array) == 0 && array.release != NULL) {
        const int64_t *ids = array.children[0]->buffers[1];
        for (int c = 1; c <= 2; c++)
            CHECK_INT_EQ(array.children[c]->n_buffers, 3);
        const int32_t *s_offsets = array.children[1]->buffers[1];
        const char *s_bytes = array.children[1]->buffers[2];
        const void *u_valid = array.children[2]->buffers[0];
        const int32_t *u_offsets = array.children[2]->buffers[1];
        const char *u_bytes = array.children[2]->buffers[2];
        for (int64_t i = 0; i < array.length; i++) {
            int64_t id = ids[i];
            CHECK_INT_EQ(id % 3, 0);
            char want[32];
            snprintf(want, sizeof want, "category %d", (int)(id % 5));
            CHECK_INT_EQ(s_offsets[i + 1] - s_offsets[i], (int64_t)strlen(want));
            CHECK(memcmp(s_bytes + s_offsets[i], want, strlen(want)) == 0);
            bool u_null = id % 7 == 0;
            CHECK_INT_EQ(u_valid != NULL && !bit(u_valid, i), u_null);
            if (!u_null) {
                snprintf(want, sizeof want, "r%d", (int)(id % 3));
                CHECK_INT_EQ(u_offsets[i + 1] - u_offsets[i], (int64_t)strlen(want));
                CHECK(memcmp(u_bytes + u_offsets[i], want, strlen(want)) == 0);
            }
        }
        seen += array.length;
        array.release(&array);
    }
    CHECK_INT_EQ(seen, 3334);
    stream.release(&stream);
    char command[400];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    CHECK(system(command) == 0);
}

static void test_misuse(void)
{
    arm_error err;
    struct ArrowArrayStream stream;
    CHECK(arm_result_to_arrow(NULL, &stream, &err) == ARM_ERROR_MISUSE);
}

TEST_MAIN(test_export_every_type, test_export_dictionary_strings, test_misuse)
