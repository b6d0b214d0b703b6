/*
 * catalog_db.c: the SQLite catalog of a database folder. Statements are
 * prepared per call (the catalog is not on the hot path of a query: the
 * engine keeps the loaded state in the in-memory catalog). Commits run in
 * BEGIN IMMEDIATE transactions so writers from several processes serialize
 * there and only there; readers never block (WAL).
 */
#include "catalog/catalog_db.h"
#include "catalog/catalog_db_internal.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "common/error.h"

static const char *const schema_sql =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE commits(commit_id INTEGER PRIMARY KEY AUTOINCREMENT, parent_id INTEGER,"
    " merge_parent_id INTEGER, branch TEXT NOT NULL, created_us INTEGER NOT NULL,"
    " author TEXT NOT NULL, message TEXT);"
    "CREATE TABLE branches(name TEXT PRIMARY KEY, head_commit_id INTEGER NOT NULL,"
    " created_us INTEGER NOT NULL);"
    "CREATE TABLE tags(name TEXT PRIMARY KEY, commit_id INTEGER NOT NULL,"
    " created_us INTEGER NOT NULL);"
    "CREATE TABLE tables(table_id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " created_commit_id INTEGER NOT NULL);"
    "CREATE TABLE table_versions(table_version_id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " table_id INTEGER NOT NULL, version INTEGER NOT NULL, commit_id INTEGER NOT NULL,"
    " schema_name TEXT NOT NULL, name TEXT NOT NULL, schema_version INTEGER NOT NULL,"
    " primary_key TEXT, row_count INTEGER NOT NULL);"
    "CREATE INDEX table_versions_by_table ON table_versions(table_id, version);"
    "CREATE TABLE table_columns(table_version_id INTEGER NOT NULL, ordinal INTEGER NOT NULL,"
    " name TEXT NOT NULL, type TEXT NOT NULL, not_null INTEGER NOT NULL, default_sql TEXT,"
    " field_id INTEGER NOT NULL, PRIMARY KEY(table_version_id, ordinal)) WITHOUT ROWID;"
    "CREATE TABLE table_chunks(table_version_id INTEGER NOT NULL, ordinal INTEGER NOT NULL,"
    " object_id BLOB NOT NULL, row_count INTEGER NOT NULL, byte_size INTEGER NOT NULL,"
    " deleted_count INTEGER NOT NULL DEFAULT 0, deletes_id BLOB,"
    " PRIMARY KEY(table_version_id, ordinal)) WITHOUT ROWID;"
    "CREATE TABLE commit_tables(commit_id INTEGER NOT NULL, table_id INTEGER NOT NULL,"
    " table_version_id INTEGER NOT NULL, changed INTEGER NOT NULL,"
    " PRIMARY KEY(commit_id, table_id)) WITHOUT ROWID;";

/* Added after format 1 first shipped: created when missing, so older catalogs open. */
static const char *const views_sql =
    "CREATE TABLE IF NOT EXISTS commit_views(commit_id INTEGER NOT NULL,"
    " schema_name TEXT NOT NULL, name TEXT NOT NULL, sql TEXT NOT NULL, column_names TEXT,"
    " PRIMARY KEY(commit_id, schema_name, name)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS chunk_stats(object_id BLOB PRIMARY KEY, stats BLOB NOT NULL)"
    " WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS manifest_segments(digest BLOB PRIMARY KEY,"
    " chunk_count INTEGER NOT NULL, entries BLOB NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS table_segments(table_version_id INTEGER NOT NULL,"
    " ordinal INTEGER NOT NULL, digest BLOB NOT NULL, PRIMARY KEY(table_version_id, ordinal))"
    " WITHOUT ROWID;";

/*
 * Format 3 keeps chunk lists as manifest segments (catalog_manifest.c);
 * versions written before keep theirs in table_chunks, which is still read.
 * The mark keeps older readers from seeing new versions as empty.
 */
static const char *const upgrade_2_to_3_sql =
    "UPDATE meta SET value = '3' WHERE key = 'format_version';";

/*
 * Format 2 added deletion vectors to table_chunks. A format 1 catalog gains
 * the columns (no chunk of it has deletes) and is marked format 2, in one
 * transaction, so older readers refuse it rather than show deleted rows.
 */
static const char *const upgrade_1_to_2_sql =
    "BEGIN IMMEDIATE;"
    "ALTER TABLE table_chunks ADD COLUMN deleted_count INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE table_chunks ADD COLUMN deletes_id BLOB;"
    "UPDATE meta SET value = '2' WHERE key = 'format_version';"
    "COMMIT;";

static int64_t now_micros(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

arm_status cdb_sqlite_error(catalog_db *db, arm_error *err, const char *what)
{
    int code = sqlite3_errcode(db->sql);
    arm_status status = code == SQLITE_CORRUPT || code == SQLITE_NOTADB ? ARM_ERROR_CORRUPT
                        : code == SQLITE_BUSY || code == SQLITE_LOCKED  ? ARM_ERROR_CONFLICT
                                                                        : ARM_ERROR_IO;
    error_set(err, status, NULL, -1, "catalog %s: %s", what, sqlite3_errmsg(db->sql));
    error_detail(err, "catalog file \"%s\"", db->path);
    return status;
}

/* Runs SQL without results (several statements allowed). */
arm_status cdb_exec(catalog_db *db, const char *sql, arm_error *err)
{
    if (sqlite3_exec(db->sql, sql, NULL, NULL, NULL) != SQLITE_OK)
        return cdb_sqlite_error(db, err, "statement failed");
    return ARM_OK;
}

arm_status cdb_prepare(catalog_db *db, const char *sql, sqlite3_stmt **out, arm_error *err)
{
    if (sqlite3_prepare_v2(db->sql, sql, -1, out, NULL) != SQLITE_OK)
        return cdb_sqlite_error(db, err, "query failed");
    return ARM_OK;
}

/* Steps a statement expected to finish (INSERT/UPDATE/DELETE), then finalizes it. */
arm_status cdb_step_done(catalog_db *db, sqlite3_stmt *st, arm_error *err)
{
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return cdb_sqlite_error(db, err, "write failed");
    return ARM_OK;
}

static arm_status check_format(catalog_db *db, int *out_version, arm_error *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db->sql, "SELECT value FROM meta WHERE key = 'format_version'", -1, &st,
                           NULL) != SQLITE_OK) {
        error_set(err, ARM_ERROR_CORRUPT, NULL, -1, "\"%s\" is not an Armillaria catalog",
                  db->path);
        error_detail(err, "%s", sqlite3_errmsg(db->sql));
        return ARM_ERROR_CORRUPT;
    }
    int version = -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (version < 1)
        return error_set(err, ARM_ERROR_CORRUPT, NULL, -1,
                         "the catalog \"%s\" has no format version", db->path);
    if (version > CATALOG_DB_FORMAT_VERSION) {
        error_set(err, ARM_ERROR_NOT_SUPPORTED, NULL, -1,
                  "\"%s\" was written by a newer Armillaria (catalog format %d; this one reads %d)",
                  db->path, version, CATALOG_DB_FORMAT_VERSION);
        error_hint(err, "Open it with a newer version of Armillaria.");
        return ARM_ERROR_NOT_SUPPORTED;
    }
    *out_version = version;
    return ARM_OK;
}

static arm_status initialize(catalog_db *db, arm_error *err)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "BEGIN IMMEDIATE;"
             "INSERT INTO meta VALUES('format_version', '%d');"
             "INSERT INTO commits(parent_id, branch, created_us, author, message)"
             " VALUES(NULL, 'main', %lld, 'armillaria', 'initial commit');"
             "INSERT INTO branches VALUES('main', last_insert_rowid(), %lld);"
             "COMMIT;",
             CATALOG_DB_FORMAT_VERSION, (long long)now_micros(), (long long)now_micros());
    arm_status s = cdb_exec(db, schema_sql, err);
    if (s == ARM_OK)
        s = cdb_exec(db, sql, err);
    return s;
}

static bool catalog_is_empty(catalog_db *db)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db->sql, "SELECT count(*) FROM sqlite_master", -1, &st, NULL) !=
        SQLITE_OK)
        return false;
    bool empty = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 0;
    sqlite3_finalize(st);
    return empty;
}

arm_status catalog_db_open(catalog_db **out, const char *folder, bool create, arm_error *err)
{
    *out = NULL;
    catalog_db *db = calloc(1, sizeof *db);
    size_t length = strlen(folder) + sizeof(CATALOG_DB_FILE) + 2;
    if (db == NULL || (db->path = malloc(length)) == NULL ||
        (db->wal_path = malloc(length + 4)) == NULL) {
        if (db != NULL)
            free(db->path);
        free(db);
        return error_out_of_memory(err);
    }
    snprintf(db->path, length, "%s/%s", folder, CATALOG_DB_FILE);
    snprintf(db->wal_path, length + 4, "%s-wal", db->path);
    db->stamp_fds[0] = db->stamp_fds[1] = -1;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    arm_status s = ARM_OK;
    if (sqlite3_open_v2(db->path, &db->sql, flags, NULL) != SQLITE_OK) {
        s = error_set(err, ARM_ERROR_IO, NULL, -1, "cannot open the catalog \"%s\": %s", db->path,
                      db->sql ? sqlite3_errmsg(db->sql) : "out of memory");
        catalog_db_close(db);
        return s;
    }
    sqlite3_busy_timeout(db->sql, 30000);
    sqlite3_extended_result_codes(db->sql, 0);
    /* WAL: readers never block the writer; NORMAL sync is durable at checkpoints in WAL,
     * FULL makes every commit durable on return, which a database owes its users. */
    s = cdb_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", err);
    if (s == ARM_OK && catalog_is_empty(db))
        s = create ? initialize(db, err)
                   : error_set(err, ARM_ERROR_CORRUPT, NULL, -1, "the catalog \"%s\" is empty",
                               db->path);
    int version = 0;
    if (s == ARM_OK)
        s = check_format(db, &version, err);
    if (s == ARM_OK && version == 1 && (s = cdb_exec(db, upgrade_1_to_2_sql, err)) != ARM_OK)
        cdb_exec(db, "ROLLBACK;", NULL);
    if (s == ARM_OK)
        s = cdb_exec(db, views_sql, err);
    if (s == ARM_OK && version < 3)
        s = cdb_exec(db, upgrade_2_to_3_sql, err);
    if (s != ARM_OK) {
        catalog_db_close(db);
        return s;
    }
    *out = db;
    return ARM_OK;
}

void catalog_db_close(catalog_db *db)
{
    if (db == NULL)
        return;
    sqlite3_close(db->sql);
    for (int i = 0; i < 2; i++) /* after SQLite's: closing drops this process's file locks */
        if (db->stamp_fds[i] >= 0)
            close(db->stamp_fds[i]);
    free(db->path);
    free(db->wal_path);
    free(db);
}

/*
 * The status of catalog file `i`. The file stays open after the first look,
 * and fstat on it costs no path lookup (a third of a statement's time on a
 * folder went to looking up the two paths). While that file is still linked
 * it is the one at the path: SQLite never replaces catalog.db, and the WAL
 * is only removed when the last connection closes, never while ours is
 * open. Should either be removed or replaced anyway, the file is read by
 * path from then on; the descriptor stays open until catalog_db_close,
 * since closing any descriptor of the database file would drop SQLite's
 * POSIX locks on it.
 */
static bool stamp_file(catalog_db *db, int i, struct stat *st)
{
    const char *path = i == 0 ? db->path : db->wal_path;
    if (db->stamp_by_path[i])
        return stat(path, st) == 0;
    if (db->stamp_fds[i] < 0 && (db->stamp_fds[i] = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return false; /* not there (yet): looked for again next time */
    if (fstat(db->stamp_fds[i], st) == 0 && st->st_nlink > 0)
        return true;
    db->stamp_by_path[i] = true;
    return stat(path, st) == 0;
}

void catalog_db_read_stamp(catalog_db *db, catalog_db_stamp *out)
{
    memset(out, 0, sizeof *out);
    for (int i = 0; i < 2; i++) {
        struct stat st;
        if (!stamp_file(db, i, &st))
            continue;
        out->values[3 * i] = (int64_t)st.st_size;
        out->values[3 * i + 1] = (int64_t)st.st_mtim.tv_sec;
        out->values[3 * i + 2] = (int64_t)st.st_mtim.tv_nsec;
    }
}

arm_status catalog_db_branch_head(catalog_db *db, const char *branch, int64_t *out, arm_error *err)
{
    sqlite3_stmt *st;
    if (cdb_prepare(db, "SELECT head_commit_id FROM branches WHERE name = ?", &st, err) != ARM_OK)
        return err->status;
    sqlite3_bind_text(st, 1, branch, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return ARM_OK;
    if (rc != SQLITE_DONE)
        return cdb_sqlite_error(db, err, "branch lookup failed");
    error_set(err, ARM_ERROR_NOT_FOUND, "42704", -1, "branch \"%s\" does not exist", branch);
    error_hint(err, "SELECT * FROM arm_branches() lists the branches.");
    return ARM_ERROR_NOT_FOUND;
}

/* ---- reading table versions ---------------------------------------------------------- */

void catalog_table_version_dispose(catalog_table_version *v)
{
    table_def *d = &v->def;
    for (uint32_t i = 0; i < d->column_count; i++) {
        free(d->columns[i].name);
        free(d->columns[i].default_sql);
    }
    free(d->columns);
    free(d->primary_key);
    free(d->schema_name);
    free(d->name);
    for (uint32_t i = 0; i < v->chunk_count && v->chunk_stats != NULL; i++)
        free(v->chunk_stats[i].data);
    free(v->chunk_stats);
    free(v->chunks);
    memset(v, 0, sizeof *v);
}

void catalog_db_free_tables(catalog_table_version *tables, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++)
        catalog_table_version_dispose(&tables[i]);
    free(tables);
}

static char *column_text(sqlite3_stmt *st, int column)
{
    const unsigned char *text = sqlite3_column_text(st, column);
    return text ? strdup((const char *)text) : NULL;
}

/* "DECIMAL(10,2)" and friends back to a logical type. */
static bool parse_type(const char *text, logical_type *out)
{
    const char *paren = strchr(text, '(');
    size_t length = paren ? (size_t)(paren - text) : strlen(text);
    type_id id;
    if (!type_from_name(text, length, &id))
        return false;
    *out = type_make(id);
    int precision = 0, scale = 0;
    if (id == TYPE_DECIMAL && paren != NULL && sscanf(paren, "(%d,%d)", &precision, &scale) == 2)
        *out = type_decimal((uint8_t)precision, (uint8_t)scale);
    return true;
}

static arm_status load_columns(catalog_db *db, catalog_table_version *v, arm_error *err)
{
    sqlite3_stmt *st;
    if (cdb_prepare(db,
                    "SELECT name, type, not_null, default_sql, field_id FROM table_columns"
                    " WHERE table_version_id = ? ORDER BY ordinal",
                    &st, err) != ARM_OK)
        return err->status;
    sqlite3_bind_int64(st, 1, v->table_version_id);
    uint32_t capacity = 0;
    arm_status s = ARM_OK;
    while (s == ARM_OK && sqlite3_step(st) == SQLITE_ROW) {
        if (v->def.column_count == capacity) {
            capacity = capacity ? capacity * 2 : 8;
            column_def *grown = realloc(v->def.columns, capacity * sizeof *grown);
            if (grown == NULL) {
                s = error_out_of_memory(err);
                break;
            }
            v->def.columns = grown;
        }
        column_def *c = &v->def.columns[v->def.column_count++];
        memset(c, 0, sizeof *c);
        c->name = column_text(st, 0);
        c->is_not_null = sqlite3_column_int(st, 2) != 0;
        c->default_sql = column_text(st, 3);
        c->field_id = (uint32_t)sqlite3_column_int64(st, 4);
        const char *type = (const char *)sqlite3_column_text(st, 1);
        if (type == NULL || !parse_type(type, &c->type))
            s = error_set(err, ARM_ERROR_CORRUPT, NULL, -1,
                          "the catalog has an unknown column type \"%s\"", type ? type : "");
    }
    sqlite3_finalize(st);
    return s;
}

static arm_status load_chunks(catalog_db *db, catalog_table_version *v, arm_error *err)
{
    sqlite3_stmt *st;
    if (cdb_prepare(db,
                    "SELECT c.object_id, c.row_count, c.byte_size, c.deleted_count, c.deletes_id,"
                    " s.stats FROM table_chunks c LEFT JOIN chunk_stats s USING (object_id)"
                    " WHERE c.table_version_id = ? ORDER BY c.ordinal",
                    &st, err) != ARM_OK)
        return err->status;
    sqlite3_bind_int64(st, 1, v->table_version_id);
    uint32_t capacity = 0;
    arm_status s = ARM_OK;
    while (s == ARM_OK && sqlite3_step(st) == SQLITE_ROW) {
        if (v->chunk_count == capacity) {
            capacity = capacity ? capacity * 2 : 8;
            catalog_chunk_ref *grown = realloc(v->chunks, capacity * sizeof *grown);
            if (grown != NULL)
                v->chunks = grown;
            catalog_chunk_stats *stats =
                grown ? realloc(v->chunk_stats, capacity * sizeof *stats) : NULL;
            if (stats == NULL) {
                s = error_out_of_memory(err);
                break;
            }
            v->chunk_stats = stats;
        }
        catalog_chunk_stats *stats = &v->chunk_stats[v->chunk_count];
        memset(stats, 0, sizeof *stats);
        catalog_chunk_ref *c = &v->chunks[v->chunk_count++];
        if (sqlite3_column_bytes(st, 0) != 32) {
            s = error_set(err, ARM_ERROR_CORRUPT, NULL, -1, "a chunk id in the catalog is damaged");
            break;
        }
        memcpy(c->object_id, sqlite3_column_blob(st, 0), 32);
        c->row_count = (uint64_t)sqlite3_column_int64(st, 1);
        c->byte_size = (uint64_t)sqlite3_column_int64(st, 2);
        c->deleted_count = (uint64_t)sqlite3_column_int64(st, 3);
        memset(c->deletes_id, 0, sizeof c->deletes_id);
        if (c->deleted_count > 0) {
            if (sqlite3_column_bytes(st, 4) != 32 || c->deleted_count > c->row_count) {
                s = error_set(err, ARM_ERROR_CORRUPT, NULL, -1,
                              "a deletion vector reference in the catalog is damaged");
                break;
            }
            memcpy(c->deletes_id, sqlite3_column_blob(st, 4), 32);
        }
        int stats_length = sqlite3_column_bytes(st, 5);
        if (stats_length > 0) {
            if ((stats->data = malloc((size_t)stats_length)) == NULL) {
                s = error_out_of_memory(err);
                break;
            }
            memcpy(stats->data, sqlite3_column_blob(st, 5), (size_t)stats_length);
            stats->length = (uint32_t)stats_length;
        }
    }
    sqlite3_finalize(st);
    return s;
}

static arm_status parse_primary_key(catalog_table_version *v, const char *text, arm_error *err)
{
    if (text == NULL || *text == '\0')
        return ARM_OK;
    v->def.primary_key = calloc(v->def.column_count + 1, sizeof *v->def.primary_key);
    if (v->def.primary_key == NULL)
        return error_out_of_memory(err);
    for (const char *p = text; *p != '\0';) {
        char *end;
        unsigned long column = strtoul(p, &end, 10);
        if (end == p || column >= v->def.column_count ||
            v->def.primary_key_count >= v->def.column_count)
            return error_set(err, ARM_ERROR_CORRUPT, NULL, -1,
                             "the catalog's primary key of \"%s\" is damaged", v->def.name);
        v->def.primary_key[v->def.primary_key_count++] = (uint32_t)column;
        p = *end == ',' ? end + 1 : end;
    }
    return ARM_OK;
}

#define VERSION_COLUMNS                                                                            \
    "tv.table_version_id, tv.table_id, tv.version, tv.commit_id, tv.schema_name, tv.name,"         \
    " tv.schema_version, tv.primary_key, tv.row_count"

/* Reads one row of VERSION_COLUMNS, then (unless `bare`) the version's columns and chunks. */
static arm_status load_version(catalog_db *db, sqlite3_stmt *st, catalog_table_version *v,
                               bool bare, arm_error *err)
{
    memset(v, 0, sizeof *v);
    v->table_version_id = sqlite3_column_int64(st, 0);
    v->table_id = sqlite3_column_int64(st, 1);
    v->version = sqlite3_column_int64(st, 2);
    v->commit_id = sqlite3_column_int64(st, 3);
    v->def.schema_name = column_text(st, 4);
    v->def.name = column_text(st, 5);
    v->def.schema_version = (uint64_t)sqlite3_column_int64(st, 6);
    v->row_count = (uint64_t)sqlite3_column_int64(st, 8);
    if (v->def.schema_name == NULL || v->def.name == NULL)
        return error_out_of_memory(err);
    if (bare)
        return ARM_OK;
    arm_status s = load_columns(db, v, err);
    if (s == ARM_OK)
        s = parse_primary_key(v, (const char *)sqlite3_column_text(st, 7), err);
    if (s == ARM_OK)
        s = manifest_read(db, v, err);
    if (s == ARM_OK && v->chunk_count == 0) /* written before format 3 */
        s = load_chunks(db, v, err);
    return s;
}

arm_status catalog_db_tables_at(catalog_db *db, int64_t commit_id, catalog_table_version **out,
                                uint32_t *count, arm_error *err)
{
    return catalog_db_tables_at_known(db, commit_id, NULL, NULL, out, count, err);
}

arm_status catalog_db_tables_at_known(catalog_db *db, int64_t commit_id,
                                      bool (*known)(void *context, int64_t table_version_id),
                                      void *context, catalog_table_version **out, uint32_t *count,
                                      arm_error *err)
{
    *out = NULL;
    *count = 0;
    sqlite3_stmt *st;
    if (cdb_prepare(db,
                    "SELECT " VERSION_COLUMNS " FROM commit_tables ct JOIN table_versions tv"
                    " ON tv.table_version_id = ct.table_version_id WHERE ct.commit_id = ?"
                    " ORDER BY tv.schema_name, tv.name",
                    &st, err) != ARM_OK)
        return err->status;
    sqlite3_bind_int64(st, 1, commit_id);
    uint32_t capacity = 0;
    arm_status s = ARM_OK;
    int rc;
    while (s == ARM_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*count == capacity) {
            capacity = capacity ? capacity * 2 : 8;
            catalog_table_version *grown = realloc(*out, capacity * sizeof *grown);
            if (grown == NULL) {
                s = error_out_of_memory(err);
                break;
            }
            *out = grown;
        }
        bool bare = known != NULL && known(context, sqlite3_column_int64(st, 0));
        s = load_version(db, st, &(*out)[(*count)++], bare, err);
    }
    if (s == ARM_OK && rc != SQLITE_DONE)
        s = cdb_sqlite_error(db, err, "reading tables failed");
    sqlite3_finalize(st);
    if (s != ARM_OK) {
        catalog_db_free_tables(*out, *count);
        *out = NULL;
        *count = 0;
    }
    return s;
}

/* The commit's ancestors (itself included), as a CTE named `line`. */
#define LINE_CTE                                                                                   \
    "WITH RECURSIVE line(id) AS (SELECT ?1 UNION SELECT c.parent_id FROM commits c"                \
    " JOIN line ON c.commit_id = line.id WHERE c.parent_id IS NOT NULL) "

static arm_status table_id_at(catalog_db *db, int64_t commit_id, const char *schema_name,
                              const char *name, int64_t *out, arm_error *err)
{
    sqlite3_stmt *st;
    if (cdb_prepare(db,
                    "SELECT tv.table_id FROM commit_tables ct JOIN table_versions tv"
                    " ON tv.table_version_id = ct.table_version_id"
                    " WHERE ct.commit_id = ?1 AND tv.schema_name = ?2 AND tv.name = ?3",
                    &st, err) != ARM_OK)
        return err->status;
    sqlite3_bind_int64(st, 1, commit_id);
    sqlite3_bind_text(st, 2, schema_name ? schema_name : "main", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return ARM_OK;
    return error_set(err, ARM_ERROR_NOT_FOUND, "42P01", -1, "table \"%s\" does not exist", name);
}

arm_status catalog_db_table_version(catalog_db *db, int64_t commit_id, const char *schema_name,
                                    const char *name, int64_t version, int64_t as_of_micros,
                                    catalog_table_version *out, arm_error *err)
{
    memset(out, 0, sizeof *out);
    int64_t table_id;
    if (table_id_at(db, commit_id, schema_name, name, &table_id, err) != ARM_OK)
        return err->status;
    const char *sql = as_of_micros >= 0 ? LINE_CTE
                          "SELECT " VERSION_COLUMNS " FROM table_versions tv JOIN commits c"
                          " ON c.commit_id = tv.commit_id WHERE tv.table_id = ?2"
                          " AND tv.commit_id IN (SELECT id FROM line) AND c.created_us <= ?3"
                          " ORDER BY tv.version DESC LIMIT 1"
                      : version >= 0 ? LINE_CTE "SELECT " VERSION_COLUMNS " FROM table_versions tv"
                                                " WHERE tv.table_id = ?2 AND tv.version = ?3"
                                                " AND tv.commit_id IN (SELECT id FROM line)"
                                     : LINE_CTE
                          "SELECT " VERSION_COLUMNS " FROM table_versions tv"
                          " WHERE tv.table_id = ?2 AND tv.commit_id IN (SELECT id FROM line)"
                          " AND ?3 = ?3 ORDER BY tv.version DESC LIMIT 1";
    sqlite3_stmt *st;
    if (cdb_prepare(db, sql, &st, err) != ARM_OK)
        return err->status;
    sqlite3_bind_int64(st, 1, commit_id);
    sqlite3_bind_int64(st, 2, table_id);
    sqlite3_bind_int64(st, 3, as_of_micros >= 0 ? as_of_micros : version);
    int rc = sqlite3_step(st);
    arm_status s = ARM_OK;
    if (rc == SQLITE_ROW)
        s = load_version(db, st, out, false, err);
    else if (rc != SQLITE_DONE)
        s = cdb_sqlite_error(db, err, "version lookup failed");
    else if (as_of_micros >= 0)
        s = error_set(err, ARM_ERROR_NOT_FOUND, "22023", -1,
                      "table \"%s\" did not exist at the requested time", name);
    else {
        s = error_set(err, ARM_ERROR_NOT_FOUND, "22023", -1, "table \"%s\" has no version %lld",
                      name, (long long)version);
        error_hint(err, "SELECT * FROM arm_log() lists the commits; versions start at 0.");
    }
    sqlite3_finalize(st);
    if (s != ARM_OK)
        catalog_table_version_dispose(out);
    return s;
}

/* ---- committing ---------------------------------------------------------------------- */

static arm_status insert_columns(catalog_db *db, int64_t version_id, const table_def *def,
                                 arm_error *err)
{
    for (uint32_t i = 0; i < def->column_count; i++) {
        sqlite3_stmt *st;
        if (cdb_prepare(db, "INSERT INTO table_columns VALUES(?, ?, ?, ?, ?, ?, ?)", &st, err) !=
            ARM_OK)
            return err->status;
        const column_def *c = &def->columns[i];
        char type[64];
        type_format(c->type, type, sizeof type);
        sqlite3_bind_int64(st, 1, version_id);
        sqlite3_bind_int(st, 2, (int)i);
        sqlite3_bind_text(st, 3, c->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, type, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 5, c->is_not_null);
        if (c->default_sql)
            sqlite3_bind_text(st, 6, c->default_sql, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 7, c->field_id);
        if (cdb_step_done(db, st, err) != ARM_OK)
            return err->status;
    }
    return ARM_OK;
}

/* Writes the new version of one changed table; returns its table_id and version id. */
static arm_status write_version(catalog_db *db, int64_t commit_id, int64_t head_id,
                                const catalog_table_change *change, int64_t *table_id,
                                int64_t *version_id, arm_error *err)
{
    sqlite3_stmt *st;
    *table_id = change->table_id;
    int64_t version = 0;
    if (*table_id == 0) {
        if (cdb_prepare(db, "INSERT INTO tables(created_commit_id) VALUES(?)", &st, err) != ARM_OK)
            return err->status;
        sqlite3_bind_int64(st, 1, commit_id);
        if (cdb_step_done(db, st, err) != ARM_OK)
            return err->status;
        *table_id = sqlite3_last_insert_rowid(db->sql);
    } else {
        if (cdb_prepare(db,
                        "SELECT tv.version FROM commit_tables ct JOIN table_versions tv"
                        " ON tv.table_version_id = ct.table_version_id"
                        " WHERE ct.commit_id = ? AND ct.table_id = ?",
                        &st, err) != ARM_OK)
            return err->status;
        sqlite3_bind_int64(st, 1, head_id);
        sqlite3_bind_int64(st, 2, *table_id);
        if (sqlite3_step(st) == SQLITE_ROW)
            version = sqlite3_column_int64(st, 0) + 1;
        sqlite3_finalize(st);
    }
    const table_def *def = change->def;
    char pk[256] = "";
    for (uint32_t i = 0, at = 0; i < def->primary_key_count && at < sizeof pk - 12; i++)
        at += (uint32_t)snprintf(pk + at, sizeof pk - at, i ? ",%u" : "%u", def->primary_key[i]);
    if (cdb_prepare(db,
                    "INSERT INTO table_versions(table_id, version, commit_id, schema_name, name,"
                    " schema_version, primary_key, row_count) VALUES(?, ?, ?, ?, ?, ?, ?, 0)",
                    &st, err) != ARM_OK)
        return err->status;
    sqlite3_bind_int64(st, 1, *table_id);
    sqlite3_bind_int64(st, 2, version);
    sqlite3_bind_int64(st, 3, commit_id);
    sqlite3_bind_text(st, 4, def->schema_name ? def->schema_name : "main", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, def->name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)def->schema_version);
    sqlite3_bind_text(st, 7, pk, -1, SQLITE_TRANSIENT);
    if (cdb_step_done(db, st, err) != ARM_OK)
        return err->status;
    *version_id = sqlite3_last_insert_rowid(db->sql);
    uint64_t rows;
    if (insert_columns(db, *version_id, def, err) != ARM_OK ||
        manifest_write(db, *version_id, change, &rows, err) != ARM_OK)
        return err->status;
    if (cdb_prepare(db, "UPDATE table_versions SET row_count = ? WHERE table_version_id = ?", &st,
                    err) != ARM_OK)
        return err->status;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)rows);
    sqlite3_bind_int64(st, 2, *version_id);
    return cdb_step_done(db, st, err);
}

/*
 * A conflict: a table this commit changes was changed (or dropped, or a
 * table of the same name created) between the base and the head.
 */
static arm_status check_conflicts(catalog_db *db, const catalog_commit_request *r, int64_t head_id,
                                  arm_error *err)
{
    for (uint32_t i = 0; i < r->change_count; i++) {
        const catalog_table_change *c = &r->changes[i];
        sqlite3_stmt *st;
        const char *name = c->def ? c->def->name : "";
        if (cdb_prepare(db,
                        "SELECT 1 FROM (SELECT table_id, table_version_id FROM commit_tables"
                        " WHERE commit_id = ?2 EXCEPT SELECT table_id, table_version_id"
                        " FROM commit_tables WHERE commit_id = ?1) moved"
                        " JOIN table_versions tv ON tv.table_version_id = moved.table_version_id"
                        " WHERE moved.table_id = ?3 OR tv.name = ?4"
                        " UNION ALL SELECT 1 FROM commit_tables ct WHERE ct.commit_id = ?1"
                        " AND ct.table_id = ?3 AND NOT EXISTS (SELECT 1 FROM commit_tables h"
                        " WHERE h.commit_id = ?2 AND h.table_id = ?3)",
                        &st, err) != ARM_OK)
            return err->status;
        sqlite3_bind_int64(st, 1, r->base_commit_id);
        sqlite3_bind_int64(st, 2, head_id);
        sqlite3_bind_int64(st, 3, c->table_id);
        sqlite3_bind_text(st, 4, name, -1, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc == SQLITE_ROW) {
            error_set(err, ARM_ERROR_CONFLICT, "40001", -1,
                      "could not commit: table \"%s\" was changed by a concurrent commit",
                      c->def ? c->def->name : "(dropped table)");
            error_hint(err, "Run the transaction again: it will see the other commit.");
            return ARM_ERROR_CONFLICT;
        }
    }
    return ARM_OK;
}

static arm_status insert_commit(catalog_db *db, const catalog_commit_request *r, int64_t parent,
                                int64_t *out, arm_error *err)
{
    sqlite3_stmt *st;
    if (cdb_prepare(db,
                    "INSERT INTO commits(parent_id, branch, created_us, author, message)"
                    " VALUES(?, ?, max(?, (SELECT max(created_us) + 1 FROM commits)), ?, ?)",
                    &st, err) != ARM_OK)
        return err->status;
    sqlite3_bind_int64(st, 1, parent);
    sqlite3_bind_text(st, 2, r->branch, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now_micros());
    sqlite3_bind_text(st, 4, r->author ? r->author : "", -1, SQLITE_STATIC);
    if (r->message)
        sqlite3_bind_text(st, 5, r->message, -1, SQLITE_STATIC);
    if (cdb_step_done(db, st, err) != ARM_OK)
        return err->status;
    *out = sqlite3_last_insert_rowid(db->sql);
    return ARM_OK;
}

/* The new commit's table map: the head's, minus changed tables, plus their new versions. */
static arm_status write_table_map(catalog_db *db, const catalog_commit_request *r, int64_t head_id,
                                  int64_t commit_id, arm_error *err)
{
    sqlite3_stmt *st;
    if (cdb_prepare(db,
                    "INSERT INTO commit_tables SELECT ?2, table_id, table_version_id, 0"
                    " FROM commit_tables WHERE commit_id = ?1",
                    &st, err) != ARM_OK)
        return err->status;
    sqlite3_bind_int64(st, 1, head_id);
    sqlite3_bind_int64(st, 2, commit_id);
    if (cdb_step_done(db, st, err) != ARM_OK)
        return err->status;
    for (uint32_t i = 0; i < r->change_count; i++) {
        const catalog_table_change *c = &r->changes[i];
        int64_t table_id = c->table_id, version_id = 0;
        if (table_id != 0) {
            if (cdb_prepare(db, "DELETE FROM commit_tables WHERE commit_id = ? AND table_id = ?",
                            &st, err) != ARM_OK)
                return err->status;
            sqlite3_bind_int64(st, 1, commit_id);
            sqlite3_bind_int64(st, 2, table_id);
            if (cdb_step_done(db, st, err) != ARM_OK)
                return err->status;
        }
        if (c->def == NULL)
            continue; /* dropped: no longer mapped */
        if (write_version(db, commit_id, head_id, c, &table_id, &version_id, err) != ARM_OK)
            return err->status;
        if (cdb_prepare(db, "INSERT INTO commit_tables VALUES(?, ?, ?, 1)", &st, err) != ARM_OK)
            return err->status;
        sqlite3_bind_int64(st, 1, commit_id);
        sqlite3_bind_int64(st, 2, table_id);
        sqlite3_bind_int64(st, 3, version_id);
        if (cdb_step_done(db, st, err) != ARM_OK)
            return err->status;
    }
    return ARM_OK;
}

/* Column names of a view travel as one text, separated by the unit separator. */
#define VIEW_NAME_SEPARATOR '\x1f'

static arm_status insert_views(catalog_db *db, const catalog_commit_request *r, int64_t head_id,
                               int64_t commit_id, arm_error *err)
{
    sqlite3_stmt *st;
    if (!r->views_changed) {
        if (cdb_prepare(db,
                        "INSERT INTO commit_views SELECT ?2, schema_name, name, sql, column_names"
                        " FROM commit_views WHERE commit_id = ?1",
                        &st, err) != ARM_OK)
            return err->status;
        sqlite3_bind_int64(st, 1, head_id);
        sqlite3_bind_int64(st, 2, commit_id);
        return cdb_step_done(db, st, err);
    }
    for (uint32_t i = 0; i < r->view_count; i++) {
        const view_def *v = &r->views[i];
        char names[4096] = "";
        size_t at = 0;
        for (uint32_t k = 0; k < v->column_name_count && at + 1 < sizeof names; k++) {
            if (k > 0)
                names[at++] = VIEW_NAME_SEPARATOR;
            at += (size_t)snprintf(names + at, sizeof names - at, "%s", v->column_names[k]);
        }
        if (cdb_prepare(db, "INSERT INTO commit_views VALUES(?, ?, ?, ?, ?)", &st, err) != ARM_OK)
            return err->status;
        sqlite3_bind_int64(st, 1, commit_id);
        sqlite3_bind_text(st, 2, v->schema_name ? v->schema_name : "main", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, v->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, v->sql, -1, SQLITE_STATIC);
        if (v->column_name_count > 0)
            sqlite3_bind_text(st, 5, names, -1, SQLITE_TRANSIENT);
        if (cdb_step_done(db, st, err) != ARM_OK)
            return err->status;
    }
    return ARM_OK;
}

/* Views changed here and, since the base, on the branch too: a conflict. */
static arm_status check_view_conflict(catalog_db *db, const catalog_commit_request *r,
                                      int64_t head_id, arm_error *err)
{
    if (!r->views_changed || head_id == r->base_commit_id)
        return ARM_OK;
    sqlite3_stmt *st;
    if (cdb_prepare(
            db,
            "SELECT 1 FROM (SELECT schema_name, name, sql, column_names FROM commit_views"
            " WHERE commit_id = ?1 EXCEPT SELECT schema_name, name, sql, column_names FROM"
            " commit_views WHERE commit_id = ?2 UNION ALL SELECT schema_name, name, sql,"
            " column_names FROM commit_views WHERE commit_id = ?2 EXCEPT SELECT schema_name,"
            " name, sql, column_names FROM commit_views WHERE commit_id = ?1)",
            &st, err) != ARM_OK)
        return err->status;
    sqlite3_bind_int64(st, 1, r->base_commit_id);
    sqlite3_bind_int64(st, 2, head_id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return ARM_OK;
    error_set(err, ARM_ERROR_CONFLICT, "40001", -1,
              "could not commit: views were changed by a concurrent commit");
    error_hint(err, "Run the transaction again: it will see the other commit.");
    return ARM_ERROR_CONFLICT;
}

arm_status catalog_db_views_at(catalog_db *db, int64_t commit_id, view_def **out, uint32_t *count,
                               arm_error *err)
{
    *out = NULL;
    *count = 0;
    sqlite3_stmt *st;
    if (cdb_prepare(db,
                    "SELECT schema_name, name, sql, column_names FROM commit_views"
                    " WHERE commit_id = ? ORDER BY schema_name, name",
                    &st, err) != ARM_OK)
        return err->status;
    sqlite3_bind_int64(st, 1, commit_id);
    uint32_t capacity = 0;
    arm_status s = ARM_OK;
    while (s == ARM_OK && sqlite3_step(st) == SQLITE_ROW) {
        if (*count == capacity) {
            capacity = capacity ? 2 * capacity : 8;
            view_def *grown = realloc(*out, capacity * sizeof *grown);
            if (grown == NULL) {
                s = error_out_of_memory(err);
                break;
            }
            *out = grown;
        }
        view_def *v = &(*out)[(*count)++];
        memset(v, 0, sizeof *v);
        v->schema_name = column_text(st, 0);
        v->name = column_text(st, 1);
        v->sql = column_text(st, 2);
        const char *names = (const char *)sqlite3_column_text(st, 3);
        for (const char *p = names; p != NULL && s == ARM_OK;) {
            const char *end = strchr(p, VIEW_NAME_SEPARATOR);
            size_t length = end ? (size_t)(end - p) : strlen(p);
            char **grown = realloc(v->column_names, (v->column_name_count + 1) * sizeof *grown);
            if (grown == NULL || (grown[v->column_name_count] = strndup(p, length)) == NULL) {
                if (grown)
                    v->column_names = grown;
                s = error_out_of_memory(err);
                break;
            }
            v->column_names = grown;
            v->column_name_count++;
            p = end ? end + 1 : NULL;
        }
        if (v->schema_name == NULL || v->name == NULL || v->sql == NULL)
            s = error_out_of_memory(err);
    }
    sqlite3_finalize(st);
    if (s != ARM_OK) {
        catalog_db_free_views(*out, *count);
        *out = NULL;
        *count = 0;
    }
    return s;
}

void catalog_db_free_views(view_def *views, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++) {
        free(views[i].schema_name);
        free(views[i].name);
        free(views[i].sql);
        for (uint32_t k = 0; k < views[i].column_name_count; k++)
            free(views[i].column_names[k]);
        free(views[i].column_names);
    }
    free(views);
}

arm_status catalog_db_commit(catalog_db *db, catalog_commit_request *r, int64_t *out_commit_id,
                             arm_error *err)
{
    if (sqlite3_get_autocommit(db->sql) && cdb_exec(db, "BEGIN IMMEDIATE", err) != ARM_OK)
        return err->status; /* (inside catalog_db_begin_commit the lock is already held) */
    int64_t head_id = 0, commit_id = 0;
    arm_status s = catalog_db_branch_head(db, r->branch, &head_id, err);
    if (s == ARM_OK && head_id != r->base_commit_id)
        s = check_conflicts(db, r, head_id, err);
    if (s == ARM_OK)
        s = check_view_conflict(db, r, head_id, err);
    if (s == ARM_OK)
        s = insert_commit(db, r, head_id, &commit_id, err);
    if (s == ARM_OK)
        s = write_table_map(db, r, head_id, commit_id, err);
    if (s == ARM_OK)
        s = insert_views(db, r, head_id, commit_id, err);
    if (s == ARM_OK) {
        sqlite3_stmt *st;
        s = cdb_prepare(db, "UPDATE branches SET head_commit_id = ? WHERE name = ?", &st, err);
        if (s == ARM_OK) {
            sqlite3_bind_int64(st, 1, commit_id);
            sqlite3_bind_text(st, 2, r->branch, -1, SQLITE_STATIC);
            s = cdb_step_done(db, st, err);
        }
    }
    if (s == ARM_OK && cdb_exec(db, "COMMIT", err) == ARM_OK) {
        *out_commit_id = commit_id;
        r->parent_commit_id = head_id;
        return ARM_OK;
    }
    sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
    return err->status;
}

/* ---- branches and tags --------------------------------------------------------------- */

static arm_status named_write(catalog_db *db, const char *sql, const char *name, int64_t commit_id,
                              const char *kind, arm_error *err)
{
    sqlite3_stmt *st;
    if (cdb_prepare(db, sql, &st, err) != ARM_OK)
        return err->status;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, commit_id);
    sqlite3_bind_int64(st, 3, now_micros());
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_CONSTRAINT) {
        return error_set(err, ARM_ERROR_ALREADY_EXISTS, "42710", -1, "%s \"%s\" already exists",
                         kind, name);
    }
    if (rc != SQLITE_DONE)
        return cdb_sqlite_error(db, err, "write failed");
    if (sqlite3_changes(db->sql) == 0)
        return error_set(err, ARM_ERROR_NOT_FOUND, "42704", -1, "%s \"%s\" does not exist", kind,
                         name);
    return ARM_OK;
}

arm_status catalog_db_create_branch(catalog_db *db, const char *name, int64_t from_commit_id,
                                    arm_error *err)
{
    return named_write(db, "INSERT INTO branches VALUES(?1, ?2, ?3)", name, from_commit_id,
                       "branch", err);
}

arm_status catalog_db_drop_branch(catalog_db *db, const char *name, arm_error *err)
{
    if (strcmp(name, CATALOG_DB_MAIN_BRANCH) == 0)
        return error_set(err, ARM_ERROR_MISUSE, "42809", -1, "the main branch cannot be dropped");
    return named_write(db, "DELETE FROM branches WHERE name = ?1 AND ?2 = ?2 AND ?3 = ?3", name, 0,
                       "branch", err);
}

arm_status catalog_db_create_tag(catalog_db *db, const char *name, int64_t commit_id,
                                 arm_error *err)
{
    return named_write(db, "INSERT INTO tags VALUES(?1, ?2, ?3)", name, commit_id, "tag", err);
}

arm_status catalog_db_drop_tag(catalog_db *db, const char *name, arm_error *err)
{
    return named_write(db, "DELETE FROM tags WHERE name = ?1 AND ?2 = ?2 AND ?3 = ?3", name, 0,
                       "tag", err);
}

arm_status catalog_db_tag_commit(catalog_db *db, const char *name, int64_t *out, arm_error *err)
{
    sqlite3_stmt *st;
    if (cdb_prepare(db, "SELECT commit_id FROM tags WHERE name = ?", &st, err) != ARM_OK)
        return err->status;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return ARM_OK;
    return error_set(err, ARM_ERROR_NOT_FOUND, "42704", -1, "no branch or tag is named \"%s\"",
                     name);
}

/* ---- queries for the history views ---------------------------------------------------- */

arm_status catalog_db_query(catalog_db *db, const char *sql, catalog_db_row_fn row, void *context,
                            arm_error *err)
{
    sqlite3_stmt *st;
    if (cdb_prepare(db, sql, &st, err) != ARM_OK)
        return err->status;
    int columns = sqlite3_column_count(st);
    const char *cells[64];
    if (columns > 64)
        columns = 64;
    arm_status s = ARM_OK;
    int rc;
    while (s == ARM_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int i = 0; i < columns; i++)
            cells[i] = (const char *)sqlite3_column_text(st, i);
        s = row(context, columns, cells, err);
    }
    if (s == ARM_OK && rc != SQLITE_DONE)
        s = cdb_sqlite_error(db, err, "query failed");
    sqlite3_finalize(st);
    return s;
}

/* The table versions a branch or tag can still reach, as a CTE named `used`. */
#define USED_VERSIONS_CTE                                                                          \
    "WITH RECURSIVE live(id) AS (SELECT head_commit_id FROM branches UNION"                        \
    " SELECT commit_id FROM tags UNION SELECT c.parent_id FROM commits c JOIN live"                \
    " ON c.commit_id = live.id WHERE c.parent_id IS NOT NULL UNION"                                \
    " SELECT c.merge_parent_id FROM commits c JOIN live ON c.commit_id = live.id"                  \
    " WHERE c.merge_parent_id IS NOT NULL)"                                                        \
    ", used(version_id) AS (SELECT DISTINCT ct.table_version_id FROM live"                         \
    " JOIN commit_tables ct ON ct.commit_id = live.id)"

static int compare_ids(const void *a, const void *b)
{
    return memcmp(a, b, 32);
}

arm_status catalog_db_reachable_chunks(catalog_db *db, uint8_t (**ids)[32], uint64_t *count,
                                       arm_error *err)
{
    *ids = NULL;
    *count = 0;
    sqlite3_stmt *st;
    if (cdb_prepare(db,
                    USED_VERSIONS_CTE " SELECT tc.object_id FROM used JOIN table_chunks tc"
                                      " ON tc.table_version_id = used.version_id UNION"
                                      " SELECT tc.deletes_id FROM used JOIN table_chunks tc"
                                      " ON tc.table_version_id = used.version_id"
                                      " WHERE tc.deletes_id IS NOT NULL",
                    &st, err) != ARM_OK)
        return err->status;
    uint64_t capacity = 0;
    arm_status s = ARM_OK;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_bytes(st, 0) != 32)
            continue;
        if (*count == capacity) {
            capacity = capacity ? 2 * capacity : 256;
            uint8_t(*grown)[32] = realloc(*ids, capacity * sizeof *grown);
            if (grown == NULL) {
                s = error_out_of_memory(err);
                break;
            }
            *ids = grown;
        }
        memcpy((*ids)[(*count)++], sqlite3_column_blob(st, 0), 32);
    }
    if (s == ARM_OK && rc != SQLITE_DONE)
        s = cdb_sqlite_error(db, err, "reading chunk references failed");
    sqlite3_finalize(st);
    if (s == ARM_OK)
        s = manifest_reachable(db, USED_VERSIONS_CTE, ids, count, &capacity, err);
    if (s != ARM_OK) {
        free(*ids);
        *ids = NULL;
        *count = 0;
        return s;
    }
    qsort(*ids, *count, 32, compare_ids); /* sorted, each once */
    uint64_t kept = 0;
    for (uint64_t i = 0; i < *count; i++)
        if (kept == 0 || memcmp((*ids)[kept - 1], (*ids)[i], 32) != 0)
            memmove((*ids)[kept++], (*ids)[i], 32);
    *count = kept;
    return ARM_OK;
}

arm_status catalog_db_is_ancestor(catalog_db *db, int64_t ancestor, int64_t descendant, bool *out,
                                  arm_error *err)
{
    *out = false;
    sqlite3_stmt *st;
    if (cdb_prepare(db,
                    "WITH RECURSIVE line(id) AS (SELECT ?1 UNION SELECT c.parent_id FROM commits c"
                    " JOIN line ON c.commit_id = line.id WHERE c.parent_id IS NOT NULL UNION"
                    " SELECT c.merge_parent_id FROM commits c JOIN line ON c.commit_id = line.id"
                    " WHERE c.merge_parent_id IS NOT NULL) SELECT 1 FROM line WHERE id = ?2",
                    &st, err) != ARM_OK)
        return err->status;
    sqlite3_bind_int64(st, 1, descendant);
    sqlite3_bind_int64(st, 2, ancestor);
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE
               ? ARM_OK
               : cdb_sqlite_error(db, err, "reading history failed");
}

arm_status catalog_db_begin_commit(catalog_db *db, arm_error *err)
{
    return cdb_exec(db, "BEGIN IMMEDIATE", err);
}

void catalog_db_abort_commit(catalog_db *db)
{
    if (!sqlite3_get_autocommit(db->sql))
        sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
}

arm_status catalog_db_checkpoint(catalog_db *db, arm_error *err)
{
    int log = 0, done = 0;
    if (sqlite3_wal_checkpoint_v2(db->sql, NULL, SQLITE_CHECKPOINT_TRUNCATE, &log, &done) !=
        SQLITE_OK) {
        if (sqlite3_errcode(db->sql) == SQLITE_BUSY)
            return error_set(err, ARM_ERROR_CONFLICT, "55P03", -1,
                             "CHECKPOINT could not finish: another process is reading or writing "
                             "the catalog; try again");
        return cdb_sqlite_error(db, err, "checkpoint failed");
    }
    return ARM_OK;
}
