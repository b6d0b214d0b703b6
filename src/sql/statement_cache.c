/*
 * statement_cache.c: the column cache from SQL. CACHE TABLE t decodes every
 * column of t's chunks into the cache (a scan whose rows go nowhere),
 * UNCACHE TABLE t drops the entries of t's chunks, CLEAR CACHE drops them
 * all (the names Spark and Databricks users know), and arm_cache_stats()
 * shows the counters. The size is the setting cache_size.
 */
#include <stdlib.h>
#include <string.h>

#include "cache/column_cache.h"
#include "common/error.h"
#include "sql/binder.h"
#include "sql/statement_internal.h"
#include "table/chunk_table.h"
#include "table/memory_table.h"

/* Each batch of a CACHE TABLE scan: reading it was the point. */
static arm_status discard(void *context, batch *b, arm_error *err)
{
    (void)context;
    (void)b;
    (void)err;
    return ARM_OK;
}

static arm_status cache_table(sql_session *s, const ast_stmt *stmt, arm_error *err)
{
    binder b;
    table_def *def = NULL;
    if (statement_binder_init(&b, s, 0, NULL, err) != ARM_OK)
        return err->status;
    arm_status st = binder_lookup_table(&def, &b, &stmt->u.cache.table, err);
    if (st == ARM_OK && stmt->u.cache.op == AST_CACHE_TABLE) {
        st = table_scan_each(def->provider, discard, NULL, err); /* decodes into the cache */
    } else if (st == ARM_OK && chunk_table_is(def->provider)) {
        uint32_t count = 0;
        const catalog_chunk_ref *chunks = chunk_table_chunks(def->provider, &count);
        uint8_t(*ids)[32] = calloc(count + 1, sizeof *ids);
        if (ids == NULL)
            st = error_out_of_memory(err);
        for (uint32_t i = 0; ids != NULL && i < count; i++)
            memcpy(ids[i], chunks[i].object_id, 32);
        if (ids != NULL && count > 0)
            column_cache_clear(s->db->cache, (const uint8_t(*)[32])ids, count);
        free(ids);
    }
    binder_dispose(&b);
    return st;
}

arm_status statement_cache(result_set **out, sql_session *s, const ast_stmt *stmt, arm_error *err)
{
    if (stmt->u.cache.op == AST_CACHE_CLEAR)
        column_cache_clear(s->db->cache, NULL, 0);
    else if (cache_table(s, stmt, err) != ARM_OK)
        return err->status;
    return result_set_create_empty(out, RESULT_SET_NOTHING, 0, err);
}

arm_status statement_cache_stats_table(column_cache *cache, table_def **out, arm_error *err)
{
    static const char *const names[] = {"hits",    "misses", "evictions",
                                        "entries", "bytes",  "capacity_bytes"};
    enum { COLUMNS = sizeof names / sizeof names[0] };
    column_def columns[COLUMNS];
    for (uint32_t i = 0; i < COLUMNS; i++)
        columns[i] = (column_def){(char *)names[i], type_make(TYPE_BIGINT), true, NULL, i + 1};
    table_def def;
    memset(&def, 0, sizeof def);
    def.name = "arm_cache_stats";
    def.columns = columns;
    def.column_count = COLUMNS;
    column_cache_stats stats;
    column_cache_read_stats(cache, &stats);
    const uint64_t cells[COLUMNS] = {stats.hits,    stats.misses, stats.evictions,
                                     stats.entries, stats.bytes,  stats.capacity_bytes};
    table_provider *t = NULL;
    batch row;
    memset(&row, 0, sizeof row);
    arm_status st = memory_table_create(&t, &def, err);
    if (st == ARM_OK)
        st = batch_init(&row, COLUMNS, t->column_types, err);
    for (uint32_t i = 0; i < COLUMNS && st == ARM_OK; i++)
        if ((st = vector_prepare_flat(&row.columns[i], 1, err)) == ARM_OK)
            ((int64_t *)row.columns[i].data)[0] = (int64_t)cells[i];
    row.count = 1;
    if (st == ARM_OK)
        st = t->vtable->append(t, &row, err);
    batch_dispose(&row);
    def.provider = t;
    if (st == ARM_OK && (*out = table_def_copy(&def)) == NULL)
        st = error_out_of_memory(err);
    if (st != ARM_OK && t != NULL)
        t->vtable->destroy(t);
    return st;
}
