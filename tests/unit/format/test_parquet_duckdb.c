/*
 * test_parquet_duckdb.c: DuckDB reads the files we write. Each generated
 * file is read by DuckDB (libduckdb.so from the npm package, dlopen'ed) and
 * copied to a new Parquet file, which our reader (checked against DuckDB's
 * own files in test_parquet_interop.c) must find value-for-value identical
 * to what we wrote. When libduckdb.so is absent the test installs the npm
 * package into /tmp/duckdb itself (ARM_DUCKDB_INSTALL=0 turns that off); it is
 * skipped, saying so, when neither works. ARM_DUCKDB_LIB names another copy.
 */
#include <dlfcn.h>
#include <unistd.h>

#include "parquet_test_util.h"

typedef struct {
    void *internal_ptr;
} * duckdb_handle;
typedef struct {
    uint64_t deprecated[3];
    void *columns;
    char *error;
    void *internal_data;
} duckdb_result;

static struct {
    void *lib;
    duckdb_handle db, conn;
    int (*query)(duckdb_handle, const char *, duckdb_result *);
    const char *(*error)(duckdb_result *);
    void (*destroy)(duckdb_result *);
} duck;

#define DUCKDB_SCRATCH "/tmp/duckdb"
#define DUCKDB_PACKAGE "@duckdb/node-bindings-linux-x64@1.5.6-r.1"

static bool duck_open(void)
{
    const char *path = getenv("ARM_DUCKDB_LIB");
    if (path == NULL)
        path = DUCKDB_SCRATCH "/node_modules/@duckdb/node-bindings-linux-x64/libduckdb.so";
    duck.lib = dlopen(path, RTLD_NOW);
    const char *install = getenv("ARM_DUCKDB_INSTALL");
    if (duck.lib == NULL && getenv("ARM_DUCKDB_LIB") == NULL &&
        (install == NULL || strcmp(install, "0") != 0)) {
        printf("installing %s into %s\n", DUCKDB_PACKAGE, DUCKDB_SCRATCH);
        fflush(stdout);
        if (system("command -v npm >/dev/null 2>&1 && mkdir -p " DUCKDB_SCRATCH
                   " && cd " DUCKDB_SCRATCH " && npm install --no-save " DUCKDB_PACKAGE
                   " >/dev/null 2>&1") == 0)
            duck.lib = dlopen(path, RTLD_NOW);
    }
    if (duck.lib == NULL)
        return false;
    int (*db_open)(const char *, duckdb_handle *) =
        (int (*)(const char *, duckdb_handle *))dlsym(duck.lib, "duckdb_open");
    int (*db_connect)(duckdb_handle, duckdb_handle *) =
        (int (*)(duckdb_handle, duckdb_handle *))dlsym(duck.lib, "duckdb_connect");
    duck.query =
        (int (*)(duckdb_handle, const char *, duckdb_result *))dlsym(duck.lib, "duckdb_query");
    duck.error = (const char *(*)(duckdb_result *))dlsym(duck.lib, "duckdb_result_error");
    duck.destroy = (void (*)(duckdb_result *))dlsym(duck.lib, "duckdb_destroy_result");
    return db_open && db_connect && duck.query && duck.error && duck.destroy &&
           db_open(NULL, &duck.db) == 0 && db_connect(duck.db, &duck.conn) == 0;
}

static bool duck_run(const char *sql)
{
    duckdb_result result;
    bool ok = duck.query(duck.conn, sql, &result) == 0;
    if (!ok)
        fprintf(stderr, "duckdb: %s\n", duck.error(&result));
    duck.destroy(&result);
    return ok;
}

static void check_duckdb_copy(parquet_codec_id codec, bool v2, bool dictionary, bool nullable)
{
    arm_error err;
    char ours[] = "/tmp/arm_ours_XXXXXX", back[] = "/tmp/arm_back_XXXXXX";
    int fd1 = mkstemp(ours), fd2 = mkstemp(back);
    close(fd1);
    close(fd2);
    parquet_writer_options options = PARQUET_WRITER_OPTIONS_INIT;
    options.codec = codec;
    options.data_page_v2 = v2;
    options.use_dictionary = dictionary;
    options.row_group_rows = 2500;
    options.page_size_bytes = 4096;
    size_t size;
    uint8_t *image = pt_write(6000, nullable, &options, &size);
    FILE *f = fopen(ours, "wb");
    fwrite(image, 1, size, f);
    fclose(f);
    free(image);
    char sql[512];
    snprintf(sql, sizeof sql,
             "COPY (SELECT * FROM read_parquet('%s')) TO '%s' (FORMAT parquet, COMPRESSION "
             "uncompressed, ROW_GROUP_SIZE 100000)",
             ours, back);
    CHECK(duck_run(sql));
    parquet_reader *r = NULL;
    CHECK_OK(parquet_reader_open(&r, back, &err), &err);
    if (r != NULL) {
        CHECK_INT_EQ(parquet_reader_column_count(r), PT_COLUMNS);
        for (int c = 0; c < PT_COLUMNS; c++)
            CHECK(type_equal(parquet_reader_column_type(r, (uint32_t)c), pt_type(c)));
        CHECK_INT_EQ(pt_verify(r, nullable, true), 6000);
    }
    parquet_reader_close(r);
    unlink(ours);
    unlink(back);
}

static void test_duckdb_reads_our_files(void)
{
    if (!duck_open()) {
        printf("skipped: libduckdb.so not found and could not be installed (set "
               "ARM_DUCKDB_LIB)\n");
        return;
    }
    pt_positive_intervals = true;
    static const parquet_codec_id codecs[] = {PARQUET_CODEC_ZSTD, PARQUET_CODEC_SNAPPY,
                                              PARQUET_CODEC_GZIP, PARQUET_CODEC_UNCOMPRESSED,
                                              PARQUET_CODEC_LZ4_RAW};
    for (int k = 0; k < 5; k++)
        for (int mask = 0; mask < 8; mask += 1 + (k > 0) * 2)
            check_duckdb_copy(codecs[k], mask & 1, mask & 2, mask & 4);
    void (*db_disconnect)(duckdb_handle *) =
        (void (*)(duckdb_handle *))dlsym(duck.lib, "duckdb_disconnect");
    void (*db_close)(duckdb_handle *) = (void (*)(duckdb_handle *))dlsym(duck.lib, "duckdb_close");
    if (db_disconnect && db_close) {
        db_disconnect(&duck.conn);
        db_close(&duck.db);
    }
}

TEST_MAIN(test_duckdb_reads_our_files)
