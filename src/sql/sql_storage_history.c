/*
 * sql_storage_history.c: a database folder's history as tables (arm_log,
 * arm_branches, arm_tags, read from the catalog) and VACUUM (mark the
 * objects any branch or tag can reach, sweep the rest past the retention).
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "sql/sql_storage_internal.h"
#include "table/memory_table.h"

/* ---- history as tables ---------------------------------------------------------------- */

/* Rows of a catalog query appended to a memory table, cell text converted per column type. */
typedef struct history_rows {
    table_provider *table;
    batch rows;
    arm_status status;
} history_rows;

static arm_status flush_rows(history_rows *h, arm_error *err)
{
    if (h->rows.count == 0)
        return ARM_OK;
    arm_status st = h->table->vtable->append(h->table, &h->rows, err);
    batch_reset(&h->rows);
    return st;
}

static arm_status add_history_row(void *context, int column_count, const char *const *cells,
                                  arm_error *err)
{
    history_rows *h = context;
    batch *b = &h->rows;
    if (b->count == 0)
        for (uint32_t k = 0; k < b->column_count; k++)
            if (vector_prepare_flat(&b->columns[k], VECTOR_SIZE, err) != ARM_OK ||
                vector_ensure_validity(&b->columns[k], err) != ARM_OK)
                return err->status;
    uint32_t row = b->count;
    for (uint32_t k = 0; k < b->column_count && (int)k < column_count; k++) {
        vector *v = &b->columns[k];
        const char *cell = cells[k];
        vector_set_valid(v, row);
        if (cell == NULL) {
            vector_set_null(v, row);
        } else if (v->type.id == TYPE_VARCHAR) {
            string_view *sv = &((string_view *)v->data)[row];
            if (vector_add_string(v, cell, (uint32_t)strlen(cell), sv, err) != ARM_OK)
                return err->status;
        } else if (v->type.id == TYPE_BOOLEAN) {
            ((bool *)v->data)[row] = strcmp(cell, "1") == 0;
        } else { /* BIGINT and TIMESTAMP (microseconds) */
            ((int64_t *)v->data)[row] = strtoll(cell, NULL, 10);
        }
    }
    b->count++;
    return b->count == VECTOR_SIZE ? flush_rows(h, err) : ARM_OK;
}

static arm_status history_table(sql_storage *s, const char *name, const char *sql,
                                const column_def *columns, uint32_t column_count, table_def **out,
                                arm_error *err)
{
    table_def def;
    memset(&def, 0, sizeof def);
    def.name = (char *)name;
    def.columns = (column_def *)columns;
    def.column_count = column_count;
    history_rows h;
    memset(&h, 0, sizeof h);
    arm_status st = memory_table_create(&h.table, &def, err);
    if (st != ARM_OK)
        return st;
    st = batch_init(&h.rows, column_count, h.table->column_types, err);
    if (st == ARM_OK)
        st = catalog_db_query(s->cdb, sql, add_history_row, &h, err);
    if (st == ARM_OK)
        st = flush_rows(&h, err);
    batch_dispose(&h.rows);
    def.provider = h.table;
    if (st == ARM_OK && (*out = table_def_copy(&def)) == NULL)
        st = error_out_of_memory(err);
    if (st != ARM_OK)
        h.table->vtable->destroy(h.table);
    return st;
}

#define HISTORY_COLUMN(name, type)                                                                 \
    {                                                                                              \
        (char *)(name), {type, 0, 0}, false, NULL, 0                                               \
    }

arm_status sql_storage_history(sql_storage *s, const char *function, table_def **out,
                               arm_error *err)
{
    *out = NULL;
    char sql[1024];
    pthread_mutex_lock(&s->lock);
    arm_status st;
    if (strcmp(function, "arm_log") == 0) {
        static const column_def columns[] = {HISTORY_COLUMN("commit_id", TYPE_BIGINT),
                                             HISTORY_COLUMN("parent_id", TYPE_BIGINT),
                                             HISTORY_COLUMN("branch", TYPE_VARCHAR),
                                             HISTORY_COLUMN("committed_at", TYPE_TIMESTAMP),
                                             HISTORY_COLUMN("author", TYPE_VARCHAR),
                                             HISTORY_COLUMN("message", TYPE_VARCHAR),
                                             HISTORY_COLUMN("tables_changed", TYPE_VARCHAR)};
        snprintf(sql, sizeof sql,
                 "WITH RECURSIVE line(id) AS (SELECT %lld UNION SELECT c.parent_id FROM commits c"
                 " JOIN line ON c.commit_id = line.id WHERE c.parent_id IS NOT NULL)"
                 " SELECT c.commit_id, c.parent_id, c.branch, c.created_us, c.author, c.message,"
                 " (SELECT group_concat(tv.name, ', ') FROM commit_tables ct JOIN table_versions tv"
                 " ON tv.table_version_id = ct.table_version_id WHERE ct.commit_id = c.commit_id"
                 " AND ct.changed = 1) FROM commits c WHERE c.commit_id IN (SELECT id FROM line)"
                 " ORDER BY c.commit_id DESC",
                 (long long)s->head_commit_id);
        st = history_table(s, function, sql, columns, 7, out, err);
    } else if (strcmp(function, "arm_branches") == 0) {
        static const column_def columns[] = {HISTORY_COLUMN("name", TYPE_VARCHAR),
                                             HISTORY_COLUMN("head_commit_id", TYPE_BIGINT),
                                             HISTORY_COLUMN("created_at", TYPE_TIMESTAMP),
                                             HISTORY_COLUMN("is_current", TYPE_BOOLEAN)};
        char *quoted = sqlite3_mprintf("%Q", s->branch);
        snprintf(sql, sizeof sql,
                 "SELECT name, head_commit_id, created_us, name = %s FROM branches ORDER BY name",
                 quoted ? quoted : "''");
        sqlite3_free(quoted);
        st = history_table(s, function, sql, columns, 4, out, err);
    } else {
        static const column_def columns[] = {HISTORY_COLUMN("name", TYPE_VARCHAR),
                                             HISTORY_COLUMN("commit_id", TYPE_BIGINT),
                                             HISTORY_COLUMN("created_at", TYPE_TIMESTAMP)};
        st =
            history_table(s, function, "SELECT name, commit_id, created_us FROM tags ORDER BY name",
                          columns, 3, out, err);
    }
    pthread_mutex_unlock(&s->lock);
    return st;
}

/* ---- VACUUM ------------------------------------------------------------------------------ */

typedef struct sweep {
    uint8_t (*live)[32];
    uint64_t live_count;
    int64_t retain_seconds;
    uint8_t (*doomed)[32];
    uint64_t doomed_count;
    uint64_t doomed_capacity;
    uint64_t bytes;
    bool failed;
} sweep;

static int compare_ids(const void *a, const void *b)
{
    return memcmp(a, b, 32);
}

/* Objects no branch or tag reaches, old enough that no commit in flight can still want them. */
static void consider_object(void *context, const uint8_t id[OBJECT_ID_SIZE], uint64_t size,
                            int64_t age_seconds)
{
    sweep *w = context;
    if (w->failed || age_seconds < w->retain_seconds ||
        bsearch(id, w->live, w->live_count, 32, compare_ids) != NULL)
        return;
    if (w->doomed_count == w->doomed_capacity) {
        uint64_t capacity = w->doomed_capacity ? 2 * w->doomed_capacity : 64;
        uint8_t(*grown)[32] = realloc(w->doomed, capacity * sizeof *grown);
        if (grown == NULL) {
            w->failed = true;
            return;
        }
        w->doomed = grown;
        w->doomed_capacity = capacity;
    }
    memcpy(w->doomed[w->doomed_count++], id, 32);
    w->bytes += size;
}

arm_status sql_storage_vacuum(sql_storage *s, int64_t retain_seconds, uint64_t *objects,
                              uint64_t *bytes, arm_error *err)
{
    *objects = 0;
    *bytes = 0;
    sweep w;
    memset(&w, 0, sizeof w);
    w.retain_seconds = retain_seconds;
    pthread_mutex_lock(&s->lock);
    arm_status st = catalog_db_reachable_chunks(s->cdb, &w.live, &w.live_count, err);
    if (st == ARM_OK)
        st = object_store_list(s->objects, consider_object, &w, err);
    if (st == ARM_OK && w.failed)
        st = error_out_of_memory(err);
    for (uint64_t i = 0; st == ARM_OK && i < w.doomed_count; i++)
        st = object_store_remove(s->objects, w.doomed[i], err);
    pthread_mutex_unlock(&s->lock);
    if (st == ARM_OK) {
        *objects = w.doomed_count;
        *bytes = w.bytes;
    }
    free(w.live);
    free(w.doomed);
    return st;
}
