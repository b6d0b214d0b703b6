/*
 * catalog_manifest.c: a table version's chunk list as content-addressed
 * segments (format 3). The list is cut into segments at content-defined
 * boundaries (where a chunk's id says so, between 64 and 2,048 chunks), each
 * segment is stored once under the SHA-256 of its entries, and a version
 * records only its segment digests. A commit that appends, or deletes rows
 * in a few chunks, writes the one or two segments that changed and reuses
 * the rest, so its cost follows what changed rather than the table's size
 * (Iceberg's manifest list over manifests, in SQLite).
 *
 * An entry is 88 bytes: object id, row count, byte size, deleted count
 * (u64, native byte order) and deletion vector id.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog_db_internal.h"
#include "common/error.h"
#include "store/object_store.h"

#define ENTRY_BYTES 88
#define SEGMENT_MIN_CHUNKS 64
#define SEGMENT_MAX_CHUNKS 2048
#define SEGMENT_BOUNDARY_MASK 511 /* one chunk id in 512 ends a segment */

static void pack_entry(const catalog_chunk_ref *c, uint8_t *out)
{
    memcpy(out, c->object_id, 32);
    memcpy(out + 32, &c->row_count, 8);
    memcpy(out + 40, &c->byte_size, 8);
    memcpy(out + 48, &c->deleted_count, 8);
    memcpy(out + 56, c->deletes_id, 32);
}

static bool unpack_entry(const uint8_t *in, catalog_chunk_ref *c)
{
    memcpy(c->object_id, in, 32);
    memcpy(&c->row_count, in + 32, 8);
    memcpy(&c->byte_size, in + 40, 8);
    memcpy(&c->deleted_count, in + 48, 8);
    memcpy(c->deletes_id, in + 56, 32);
    return c->deleted_count <= c->row_count;
}

/* Where the segment that starts at `start` ends (exclusive). */
static uint32_t segment_end(const catalog_chunk_ref *chunks, uint32_t count, uint32_t start)
{
    uint32_t i = start;
    while (i < count) {
        uint64_t h;
        memcpy(&h, chunks[i].object_id, 8);
        i++;
        uint32_t length = i - start;
        if (length >= SEGMENT_MAX_CHUNKS ||
            (length >= SEGMENT_MIN_CHUNKS && (h & SEGMENT_BOUNDARY_MASK) == 0))
            break;
    }
    return i;
}

static arm_status write_segment(catalog_db *db, int64_t version_id, uint32_t ordinal,
                                const uint8_t *entries, uint32_t chunk_count, arm_error *err)
{
    uint8_t digest[32];
    object_id_of(entries, (size_t)chunk_count * ENTRY_BYTES, digest);
    sqlite3_stmt *st;
    if (cdb_prepare(db, "INSERT OR IGNORE INTO manifest_segments VALUES(?, ?, ?)", &st, err) !=
        ARM_OK)
        return err->status;
    sqlite3_bind_blob(st, 1, digest, 32, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, (int)chunk_count);
    sqlite3_bind_blob(st, 3, entries, (int)(chunk_count * ENTRY_BYTES), SQLITE_STATIC);
    if (cdb_step_done(db, st, err) != ARM_OK)
        return err->status;
    if (cdb_prepare(db, "INSERT INTO table_segments VALUES(?, ?, ?)", &st, err) != ARM_OK)
        return err->status;
    sqlite3_bind_int64(st, 1, version_id);
    sqlite3_bind_int(st, 2, (int)ordinal);
    sqlite3_bind_blob(st, 3, digest, 32, SQLITE_STATIC);
    return cdb_step_done(db, st, err);
}

/* Records the statistics of chunks the catalog has not seen (kept chunks have theirs). */
static arm_status write_stats(catalog_db *db, const catalog_table_change *change, arm_error *err)
{
    if (change->chunk_stats == NULL)
        return ARM_OK;
    sqlite3_stmt *st = NULL;
    if (cdb_prepare(db, "INSERT OR IGNORE INTO chunk_stats VALUES(?, ?)", &st, err) != ARM_OK)
        return err->status;
    arm_status s = ARM_OK;
    for (uint32_t i = 0; i < change->chunk_count && s == ARM_OK; i++) {
        const catalog_chunk_stats *stats = &change->chunk_stats[i];
        if (stats->length == 0)
            continue;
        sqlite3_reset(st);
        sqlite3_bind_blob(st, 1, change->chunks[i].object_id, 32, SQLITE_STATIC);
        sqlite3_bind_blob(st, 2, stats->data, (int)stats->length, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            s = cdb_sqlite_error(db, err, "write failed");
    }
    sqlite3_finalize(st);
    return s;
}

arm_status manifest_write(catalog_db *db, int64_t version_id, const catalog_table_change *change,
                          uint64_t *rows, arm_error *err)
{
    *rows = 0;
    for (uint32_t i = 0; i < change->chunk_count; i++)
        *rows += change->chunks[i].row_count - change->chunks[i].deleted_count;
    uint8_t *entries = malloc((size_t)SEGMENT_MAX_CHUNKS * ENTRY_BYTES);
    if (entries == NULL)
        return error_out_of_memory(err);
    arm_status s = ARM_OK;
    uint32_t ordinal = 0;
    for (uint32_t start = 0; start < change->chunk_count && s == ARM_OK; ordinal++) {
        uint32_t end = segment_end(change->chunks, change->chunk_count, start);
        for (uint32_t i = start; i < end; i++)
            pack_entry(&change->chunks[i], entries + (size_t)(i - start) * ENTRY_BYTES);
        s = write_segment(db, version_id, ordinal, entries, end - start, err);
        start = end;
    }
    free(entries);
    if (s == ARM_OK)
        s = write_stats(db, change, err);
    return s;
}

static arm_status grow_chunks(catalog_table_version *v, uint32_t more, uint32_t *capacity,
                              arm_error *err)
{
    if (v->chunk_count + more <= *capacity)
        return ARM_OK;
    uint32_t grown = *capacity ? *capacity : 64;
    while (grown < v->chunk_count + more)
        grown *= 2;
    catalog_chunk_ref *chunks = realloc(v->chunks, grown * sizeof *chunks);
    if (chunks != NULL)
        v->chunks = chunks;
    catalog_chunk_stats *stats = chunks ? realloc(v->chunk_stats, grown * sizeof *stats) : NULL;
    if (stats == NULL)
        return error_out_of_memory(err);
    v->chunk_stats = stats;
    *capacity = grown;
    return ARM_OK;
}

/* Fills each chunk's statistics blob (one indexed lookup per chunk, by its id). */
static arm_status read_stats(catalog_db *db, catalog_table_version *v, arm_error *err)
{
    sqlite3_stmt *st = NULL;
    if (cdb_prepare(db, "SELECT stats FROM chunk_stats WHERE object_id = ?", &st, err) != ARM_OK)
        return err->status;
    arm_status s = ARM_OK;
    for (uint32_t i = 0; i < v->chunk_count && s == ARM_OK; i++) {
        sqlite3_reset(st);
        sqlite3_bind_blob(st, 1, v->chunks[i].object_id, 32, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_ROW)
            continue;
        int length = sqlite3_column_bytes(st, 0);
        catalog_chunk_stats *stats = &v->chunk_stats[i];
        if (length > 0 && (stats->data = malloc((size_t)length)) == NULL)
            s = error_out_of_memory(err);
        else if (length > 0) {
            memcpy(stats->data, sqlite3_column_blob(st, 0), (size_t)length);
            stats->length = (uint32_t)length;
        }
    }
    sqlite3_finalize(st);
    return s;
}

arm_status manifest_read(catalog_db *db, catalog_table_version *v, arm_error *err)
{
    sqlite3_stmt *st;
    if (cdb_prepare(db,
                    "SELECT s.chunk_count, s.entries FROM table_segments t JOIN manifest_segments s"
                    " ON s.digest = t.digest WHERE t.table_version_id = ? ORDER BY t.ordinal",
                    &st, err) != ARM_OK)
        return err->status;
    sqlite3_bind_int64(st, 1, v->table_version_id);
    uint32_t capacity = 0;
    arm_status s = ARM_OK;
    int rc;
    while (s == ARM_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int count = sqlite3_column_int(st, 0);
        const uint8_t *entries = sqlite3_column_blob(st, 1);
        if (count <= 0 || count > SEGMENT_MAX_CHUNKS ||
            sqlite3_column_bytes(st, 1) != count * ENTRY_BYTES) {
            s = error_set(err, ARM_ERROR_CORRUPT, NULL, -1,
                          "a manifest segment of \"%s\" in the catalog is damaged", v->def.name);
            break;
        }
        if ((s = grow_chunks(v, (uint32_t)count, &capacity, err)) != ARM_OK)
            break;
        for (int i = 0; i < count && s == ARM_OK; i++) {
            memset(&v->chunk_stats[v->chunk_count], 0, sizeof *v->chunk_stats);
            if (!unpack_entry(entries + (size_t)i * ENTRY_BYTES, &v->chunks[v->chunk_count++]))
                s = error_set(err, ARM_ERROR_CORRUPT, NULL, -1,
                              "a chunk entry of \"%s\" in the catalog is damaged", v->def.name);
        }
    }
    if (s == ARM_OK && rc != SQLITE_DONE)
        s = cdb_sqlite_error(db, err, "reading a manifest failed");
    sqlite3_finalize(st);
    if (s == ARM_OK)
        s = read_stats(db, v, err);
    return s;
}

static arm_status add_id(uint8_t (**ids)[32], uint64_t *count, uint64_t *capacity,
                         const uint8_t id[32], arm_error *err)
{
    if (*count == *capacity) {
        uint64_t grown = *capacity ? 2 * *capacity : 256;
        uint8_t(*bigger)[32] = realloc(*ids, grown * sizeof *bigger);
        if (bigger == NULL)
            return error_out_of_memory(err);
        *ids = bigger;
        *capacity = grown;
    }
    memcpy((*ids)[(*count)++], id, 32);
    return ARM_OK;
}

arm_status manifest_reachable(catalog_db *db, const char *versions_sql, uint8_t (**ids)[32],
                              uint64_t *count, uint64_t *capacity, arm_error *err)
{
    char sql[2048];
    snprintf(sql, sizeof sql,
             "%s SELECT s.chunk_count, s.entries FROM manifest_segments s WHERE s.digest IN"
             " (SELECT t.digest FROM used JOIN table_segments t"
             " ON t.table_version_id = used.version_id)",
             versions_sql);
    sqlite3_stmt *st;
    if (cdb_prepare(db, sql, &st, err) != ARM_OK)
        return err->status;
    arm_status s = ARM_OK;
    int rc;
    while (s == ARM_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int n = sqlite3_column_int(st, 0);
        const uint8_t *entries = sqlite3_column_blob(st, 1);
        if (n <= 0 || sqlite3_column_bytes(st, 1) != n * ENTRY_BYTES) {
            /* not knowing what it references, nothing may be removed */
            s = error_set(err, ARM_ERROR_CORRUPT, NULL, -1,
                          "a manifest segment in the catalog is damaged");
            break;
        }
        for (int i = 0; i < n && s == ARM_OK; i++) {
            catalog_chunk_ref c;
            unpack_entry(entries + (size_t)i * ENTRY_BYTES, &c);
            s = add_id(ids, count, capacity, c.object_id, err);
            if (s == ARM_OK && c.deleted_count > 0)
                s = add_id(ids, count, capacity, c.deletes_id, err);
        }
    }
    if (s == ARM_OK && rc != SQLITE_DONE)
        s = cdb_sqlite_error(db, err, "reading manifests failed");
    sqlite3_finalize(st);
    return s;
}
