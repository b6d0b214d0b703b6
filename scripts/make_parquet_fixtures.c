/*
 * make_parquet_fixtures.c: writes the Parquet interop fixtures under
 * tests/data/parquet/ with DuckDB (libduckdb.so from the npm package
 * @duckdb/node-bindings-linux-x64, loaded with dlopen; never linked into the
 * product). Run through scripts/make_parquet_fixtures.sh. The values are
 * formulas of the row number that tests/unit/format/test_parquet_interop.c
 * recomputes.
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* The few DuckDB C API declarations we need (duckdb.h is not shipped in the package). */
typedef struct {
    void *internal_ptr;
} * duckdb_handle;
typedef struct {
    uint64_t deprecated[3];
    void *columns;
    char *error;
    void *internal_data;
} duckdb_result;

typedef int (*open_fn)(const char *, duckdb_handle *);
typedef int (*connect_fn)(duckdb_handle, duckdb_handle *);
typedef int (*query_fn)(duckdb_handle, const char *, duckdb_result *);
typedef const char *(*error_fn)(duckdb_result *);
typedef void (*destroy_fn)(duckdb_result *);

#define SELECT_ALL                                                                                 \
    "SELECT i::INTEGER AS i32, (i * 7919 - 1000000)::BIGINT AS i64, (i % 200 - 100)::TINYINT AS "  \
    "i8, "                                                                                         \
    "(i * 13 % 60000 - 30000)::SMALLINT AS i16, (i % 250)::UTINYINT AS u8, "                       \
    "(i * 3)::USMALLINT AS u16, (i * 1000003)::UINTEGER AS u32, "                                  \
    "(18446744073709551615 - i)::UBIGINT AS u64, "                                                 \
    "CASE WHEN i % 7 = 3 THEN NULL ELSE (i * 0.5)::DOUBLE END AS f64, "                            \
    "(i * 0.25)::FLOAT AS f32, (i % 3 = 1) AS flag, "                                              \
    "CASE WHEN i % 5 = 2 THEN NULL ELSE 'v' || (i % 37)::VARCHAR END AS s, "                       \
    "'row number ' || i::VARCHAR || ' of the fixture' AS long_s, "                                 \
    "('\\x' || lpad(to_hex(i % 256), 2, '0'))::BLOB AS bin, "                                      \
    "(DATE '2000-01-01' + (i - 1000)::INTEGER) AS day, "                                           \
    "(TIMESTAMP '2020-01-01 00:00:00' + to_microseconds(i::BIGINT * 1000001)) AS ts, "             \
    "(TIMESTAMP '2020-01-01 00:00:00' + to_microseconds(i::BIGINT * 1000001))::TIMESTAMP_MS AS "   \
    "ts_ms, "                                                                                      \
    "(TIMESTAMP '2020-01-01 00:00:00' + to_microseconds(i::BIGINT * 1000001))::TIMESTAMP_NS AS "   \
    "ts_ns, "                                                                                      \
    "((i - 600) * 1.25)::DECIMAL(7,2) AS d7, ((i - 600) * 1234567.125)::DECIMAL(18,3) AS d18, "    \
    "((i - 600) * 123456789012345.5)::DECIMAL(38,10) AS d38 "                                      \
    "FROM range(1200) t(i)"

static const char *const copies[][2] = {
    {"duckdb_uncompressed.parquet", "COMPRESSION uncompressed"},
    {"duckdb_snappy.parquet", "COMPRESSION snappy"},
    {"duckdb_gzip.parquet", "COMPRESSION gzip"},
    {"duckdb_zstd.parquet", "COMPRESSION zstd"},
    {"duckdb_lz4.parquet", "COMPRESSION lz4_raw"},
    {"duckdb_v2_zstd.parquet", "COMPRESSION zstd, PARQUET_VERSION v2"},
    {"duckdb_v2_snappy_small_groups.parquet",
     "COMPRESSION snappy, PARQUET_VERSION v2, ROW_GROUP_SIZE 500"},
};

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s LIBDUCKDB_SO OUT_DIR\n", argv[0]);
        return 2;
    }
    void *lib = dlopen(argv[1], RTLD_NOW);
    if (lib == NULL) {
        fprintf(stderr, "%s\n", dlerror());
        return 1;
    }
    open_fn db_open = (open_fn)dlsym(lib, "duckdb_open");
    connect_fn db_connect = (connect_fn)dlsym(lib, "duckdb_connect");
    query_fn db_query = (query_fn)dlsym(lib, "duckdb_query");
    error_fn db_error = (error_fn)dlsym(lib, "duckdb_result_error");
    destroy_fn db_destroy = (destroy_fn)dlsym(lib, "duckdb_destroy_result");
    duckdb_handle db, conn;
    if (db_open(NULL, &db) != 0 || db_connect(db, &conn) != 0) {
        fprintf(stderr, "cannot open duckdb\n");
        return 1;
    }
    static char sql[8192];
    for (size_t k = 0; k < sizeof copies / sizeof copies[0]; k++) {
        snprintf(sql, sizeof sql, "COPY (%s) TO '%s/%s' (FORMAT parquet, %s)", SELECT_ALL, argv[2],
                 copies[k][0], copies[k][1]);
        duckdb_result result;
        if (db_query(conn, sql, &result) != 0) {
            fprintf(stderr, "%s: %s\n", copies[k][0], db_error(&result));
            return 1;
        }
        db_destroy(&result);
        printf("wrote %s/%s\n", argv[2], copies[k][0]);
    }
    return 0;
}
