/*
 * Tests for the SQLite catalog's manifests (src/catalog): a version's chunk
 * list reads back exactly, and a commit that appends one chunk or changes
 * one chunk's deletion vector writes one or two manifest segments, not the
 * whole list: the cost of a commit follows what it changed. The stamp a
 * reader checks before each statement sees other handles' commits.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalog/catalog_db.h"
#include "harness.h"
#include "store/object_store.h"

#define CHUNKS 20000

static char root[64];

static int64_t count_rows(const char *table)
{
    char file[128], sql[128];
    snprintf(file, sizeof file, "%s/catalog.db", root);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int64_t n = -1;
    if (sqlite3_open(file, &db) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

static void fake_chunk(catalog_chunk_ref *c, uint32_t i)
{
    memset(c, 0, sizeof *c);
    object_id_of(&i, sizeof i, c->object_id); /* ids are SHA-256 digests, as chunks' are */
    c->row_count = 1000 + i % 7;
    c->byte_size = 5000;
}

static void commit(catalog_db *db, int64_t *head, int64_t table_id, const table_def *def,
                   const catalog_chunk_ref *chunks, uint32_t count)
{
    catalog_table_change change = {table_id, def, chunks, NULL, count};
    catalog_commit_request r = {
        CATALOG_DB_MAIN_BRANCH, *head, &change, 1, "test", NULL, false, NULL, 0, 0};
    arm_error err;
    CHECK_OK(catalog_db_commit(db, &r, head, &err), &err);
}

static void check_reads_back(catalog_db *db, int64_t head, const catalog_chunk_ref *chunks,
                             uint32_t count)
{
    catalog_table_version *tables = NULL;
    uint32_t n = 0;
    arm_error err;
    CHECK_OK(catalog_db_tables_at(db, head, &tables, &n, &err), &err);
    CHECK_INT_EQ(n, 1);
    if (n == 1) {
        CHECK_INT_EQ(tables[0].chunk_count, count);
        CHECK(tables[0].chunk_count == count &&
              memcmp(tables[0].chunks, chunks, count * sizeof *chunks) == 0);
    }
    catalog_db_free_tables(tables, n);
}

/* Table main.t of the one column `column`. */
static table_def table_of(column_def *column)
{
    table_def def;
    memset(&def, 0, sizeof def);
    def.schema_name = "main";
    def.name = "t";
    def.columns = column;
    def.column_count = 1;
    return def;
}

static void test_commit_writes_what_changed(void)
{
    snprintf(root, sizeof root, "/tmp/arm_test_catalog_XXXXXX");
    CHECK(mkdtemp(root) != NULL);
    catalog_db *db = NULL;
    arm_error err;
    CHECK_OK(catalog_db_open(&db, root, true, &err), &err);
    column_def column = {"x", type_make(TYPE_BIGINT), false, NULL, 1};
    table_def def = table_of(&column);
    catalog_chunk_ref *chunks = malloc((CHUNKS + 1) * sizeof *chunks);
    for (uint32_t i = 0; i < CHUNKS; i++)
        fake_chunk(&chunks[i], i);
    int64_t head = 0;
    CHECK_OK(catalog_db_branch_head(db, CATALOG_DB_MAIN_BRANCH, &head, &err), &err);
    commit(db, &head, 0, &def, chunks, CHUNKS);
    check_reads_back(db, head, chunks, CHUNKS);
    int64_t segments = count_rows("manifest_segments");
    printf("  %d chunks: %lld segments\n", CHUNKS, (long long)segments);
    CHECK(segments >= CHUNKS / 2048 && segments <= CHUNKS / 64);
    catalog_table_version v;
    CHECK_OK(catalog_db_table_version(db, head, "main", "t", -1, -1, &v, &err), &err);
    int64_t table_id = v.table_id;
    catalog_table_version_dispose(&v);

    fake_chunk(&chunks[CHUNKS], CHUNKS); /* an append */
    commit(db, &head, table_id, &def, chunks, CHUNKS + 1);
    check_reads_back(db, head, chunks, CHUNKS + 1);
    int64_t after_append = count_rows("manifest_segments");
    CHECK(after_append - segments <= 1);

    chunks[CHUNKS / 2].deleted_count = 3; /* a delete in the middle */
    memset(chunks[CHUNKS / 2].deletes_id, 0xab, 32);
    commit(db, &head, table_id, &def, chunks, CHUNKS + 1);
    check_reads_back(db, head, chunks, CHUNKS + 1);
    CHECK(count_rows("manifest_segments") - after_append <= 1);

    memmove(&chunks[100], &chunks[101], (CHUNKS - 100) * sizeof *chunks); /* a chunk goes */
    commit(db, &head, table_id, &def, chunks, CHUNKS);
    check_reads_back(db, head, chunks, CHUNKS);
    CHECK(count_rows("manifest_segments") - after_append <= 3); /* boundaries hold after it */

    uint8_t(*ids)[32] = NULL;
    uint64_t id_count = 0;
    CHECK_OK(catalog_db_reachable_chunks(db, &ids, &id_count, &err), &err);
    CHECK_INT_EQ(id_count, CHUNKS + 1 + 1); /* every chunk any version had, and the DV */
    for (uint64_t i = 1; i < id_count; i++)
        CHECK(memcmp(ids[i - 1], ids[i], 32) < 0);
    free(ids);
    free(chunks);
    catalog_db_close(db);
    char command[128];
    snprintf(command, sizeof command, "rm -rf '%s'", root);
    CHECK_INT_EQ(system(command), 0);
}

static bool same_stamp(const catalog_db_stamp *a, const catalog_db_stamp *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

/* Copies `from` to a new file and renames it over `from`: the same bytes, another file. */
static void replace_with_copy(const char *from)
{
    char to[160];
    snprintf(to, sizeof to, "%s.copy", from);
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    CHECK(in != NULL && out != NULL);
    char buf[4096];
    size_t n;
    while (in != NULL && out != NULL && (n = fread(buf, 1, sizeof buf, in)) > 0)
        CHECK_INT_EQ(fwrite(buf, 1, n, out), n);
    if (in != NULL)
        fclose(in);
    if (out != NULL)
        fclose(out);
    CHECK_INT_EQ(rename(to, from), 0);
}

/*
 * The stamp a reader compares before each statement: the same while nothing
 * happens, different after another handle's commit (before and after a
 * checkpoint empties the WAL), and still right once catalog.db is replaced
 * under the descriptor it keeps (then read by path).
 */
static void test_stamp_sees_other_handles(void)
{
    snprintf(root, sizeof root, "/tmp/arm_test_catalog_XXXXXX");
    CHECK(mkdtemp(root) != NULL);
    catalog_db *db = NULL, *other = NULL;
    arm_error err;
    CHECK_OK(catalog_db_open(&db, root, true, &err), &err);
    CHECK_OK(catalog_db_open(&other, root, false, &err), &err);
    column_def column = {"x", type_make(TYPE_BIGINT), false, NULL, 1};
    table_def def = table_of(&column);
    catalog_chunk_ref chunk;
    fake_chunk(&chunk, 1);
    int64_t head = 0;
    CHECK_OK(catalog_db_branch_head(other, CATALOG_DB_MAIN_BRANCH, &head, &err), &err);
    catalog_db_stamp before, after, again;
    catalog_db_read_stamp(db, &before);
    catalog_db_read_stamp(db, &again);
    CHECK(same_stamp(&before, &again));
    commit(other, &head, 0, &def, &chunk, 1);
    catalog_db_read_stamp(db, &after);
    CHECK(!same_stamp(&before, &after));
    catalog_db_read_stamp(db, &again);
    CHECK(same_stamp(&after, &again));
    CHECK_OK(catalog_db_checkpoint(other, &err), &err); /* the WAL is emptied, not removed */
    catalog_db_read_stamp(db, &before);
    catalog_chunk_ref two[2] = {chunk, chunk};
    fake_chunk(&two[1], 2);
    catalog_table_version v;
    CHECK_OK(catalog_db_table_version(other, head, "main", "t", -1, -1, &v, &err), &err);
    commit(other, &head, v.table_id, &def, two, 2);
    catalog_table_version_dispose(&v);
    catalog_db_read_stamp(db, &after);
    CHECK(!same_stamp(&before, &after));
    catalog_db_close(other);
    char file[128];
    snprintf(file, sizeof file, "%s/catalog.db", root);
    catalog_db_read_stamp(db, &before);
    struct timespec pause = {0, 20 * 1000000L}; /* a later modification time */
    nanosleep(&pause, NULL);
    replace_with_copy(file);
    catalog_db_read_stamp(db, &after);
    CHECK(!same_stamp(&before, &after));
    catalog_db_read_stamp(db, &again);
    CHECK(same_stamp(&after, &again));
    catalog_db_close(db);
    char command[128];
    snprintf(command, sizeof command, "rm -rf '%s'", root);
    CHECK_INT_EQ(system(command), 0);
}

TEST_MAIN(test_commit_writes_what_changed, test_stamp_sees_other_handles)
