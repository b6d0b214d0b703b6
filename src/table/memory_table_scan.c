/*
 * memory_table_scan.c: morsel-parallel, zero-copy scans of memory tables.
 * scan_begin snapshots the row groups (row counts and deletion maps); each
 * thread takes whole row groups and returns one 2048-row chunk per batch,
 * whose vectors reference the stored buffers. Zone maps skip row groups and
 * chunks that no row of can pass a filter.
 */
#include <string.h>

#include "common/error.h"
#include "table/memory_table_internal.h"

/* One row group as the scan saw it at scan_begin. */
typedef struct scan_morsel {
    const row_group *group;
    deletion_map *deleted; /* retained, or NULL */
    uint32_t row_count;
    uint32_t group_index;
} scan_morsel;

typedef struct memory_scan {
    memory_table *table;
    uint32_t *column_ids;
    uint32_t column_count;
    table_filter *filters; /* `column` rewritten to the table's column index */
    uint32_t filter_count;
    scan_morsel *morsels;
    uint32_t morsel_count;
    _Atomic uint32_t next_morsel;
} memory_scan;

/* What one thread is reading: a morsel and the next chunk in it. */
typedef struct memory_scan_local {
    int64_t morsel; /* -1: take a new one */
    uint32_t next_chunk;
} memory_scan_local;

static void scan_free(memory_scan *scan)
{
    for (uint32_t i = 0; scan->morsels != NULL && i < scan->morsel_count; i++)
        deletion_map_release(scan->morsels[i].deleted);
    free(scan->morsels);
    free(scan->filters);
    free(scan->column_ids);
    free(scan);
}

/* Keeps the filters that can prune: on a stored column, with a constant of its type. */
static arm_status copy_filters(memory_scan *scan, const table_scan_options *options, arm_error *err)
{
    scan->filters = malloc((options->filter_count + 1) * sizeof *scan->filters);
    if (scan->filters == NULL)
        return error_out_of_memory(err);
    for (uint32_t i = 0; i < options->filter_count; i++) {
        table_filter f = options->filters[i];
        if (f.column >= options->column_count)
            continue;
        uint32_t column = options->column_ids[f.column];
        if (column >= scan->table->base.column_count)
            continue;
        bool is_comparison = f.op != TABLE_FILTER_IS_NULL && f.op != TABLE_FILTER_IS_NOT_NULL;
        if (is_comparison && !type_equal(f.constant.type, scan->table->base.column_types[column]))
            continue;
        f.column = column;
        scan->filters[scan->filter_count++] = f;
    }
    return ARM_OK;
}

/* Snapshots row counts and deletion maps (holds the table lock shared). */
static arm_status snapshot_groups(memory_scan *scan, arm_error *err)
{
    memory_table *t = scan->table;
    scan->morsels = calloc(t->group_count ? t->group_count : 1, sizeof *scan->morsels);
    if (scan->morsels == NULL)
        return error_out_of_memory(err);
    for (uint32_t i = 0; i < t->group_count; i++) {
        row_group *g = t->groups[i];
        if (g->row_count == 0 || (g->deleted && g->deleted->deleted_count == g->row_count))
            continue;
        scan_morsel *m = &scan->morsels[scan->morsel_count++];
        m->group = g;
        m->row_count = g->row_count;
        m->group_index = i;
        m->deleted = g->deleted;
        if (m->deleted != NULL)
            atomic_fetch_add(&m->deleted->refcount, 1);
    }
    return ARM_OK;
}

arm_status memory_table_scan_begin(table_provider *provider, const table_scan_options *options,
                                   table_scan **out, arm_error *err)
{
    memory_table *t = (memory_table *)provider;
    memory_scan *scan = calloc(1, sizeof *scan);
    if (scan == NULL)
        return error_out_of_memory(err);
    scan->table = t;
    atomic_init(&scan->next_morsel, 0);
    scan->column_ids = malloc((options->column_count + 1) * sizeof *scan->column_ids);
    arm_status s = scan->column_ids ? ARM_OK : error_out_of_memory(err);
    for (uint32_t i = 0; s == ARM_OK && i < options->column_count; i++) {
        uint32_t id = options->column_ids[i];
        if (id != TABLE_COLUMN_ROW_ID && id >= t->base.column_count)
            s = error_internal(err, "scan of a column the table does not have");
        scan->column_ids[i] = id;
    }
    scan->column_count = options->column_count;
    if (s == ARM_OK)
        s = copy_filters(scan, options, err);
    if (s == ARM_OK) {
        pthread_rwlock_rdlock(&t->lock);
        s = snapshot_groups(scan, err);
        pthread_rwlock_unlock(&t->lock);
    }
    if (s != ARM_OK) {
        scan_free(scan);
        return s;
    }
    *out = (table_scan *)scan;
    return ARM_OK;
}

arm_status memory_table_scan_local_create(table_scan *scan, table_scan_local **out, arm_error *err)
{
    (void)scan;
    memory_scan_local *local = malloc(sizeof *local);
    if (local == NULL)
        return error_out_of_memory(err);
    local->morsel = -1;
    local->next_chunk = 0;
    *out = (table_scan_local *)local;
    return ARM_OK;
}

void memory_table_scan_local_destroy(table_scan_local *local)
{
    free(local);
}

void memory_table_scan_end(table_scan *table_scan_base)
{
    if (table_scan_base != NULL)
        scan_free((memory_scan *)table_scan_base);
}

/* False when a filter proves no row of chunk `k` (or of the group, k < 0) passes. */
static bool may_match(const memory_scan *scan, const row_group *g, int32_t k)
{
    for (uint32_t i = 0; i < scan->filter_count; i++) {
        const table_filter *f = &scan->filters[i];
        const column_chunks *cc = &g->columns[f->column];
        if (!zone_map_may_match(k < 0 ? &cc->zone : &cc->zones[k], f))
            return false;
    }
    return true;
}

/* Lists the live rows of chunk `k` in out->sel; returns how many. */
static uint32_t select_live_rows(const deletion_map *d, uint32_t k, uint32_t rows, batch *out)
{
    const uint64_t *words = d->bits + (size_t)k * (VECTOR_SIZE / 64);
    bool any = false;
    for (uint32_t w = 0; w < (rows + 63) / 64 && !any; w++)
        any = words[w] != 0;
    if (!any)
        return rows;
    uint32_t n = 0;
    for (uint32_t r = 0; r < rows; r++)
        if (!bitmap_get(words, r))
            out->sel_storage[n++] = r;
    out->sel = out->sel_storage;
    return n;
}

static arm_status fill_row_ids(vector *v, int64_t first_row_id, uint32_t rows, arm_error *err)
{
    v->type = type_make(TYPE_BIGINT);
    arm_status s = vector_prepare_flat(v, rows, err);
    if (s != ARM_OK)
        return s;
    int64_t *ids = v->data;
    for (uint32_t i = 0; i < rows; i++)
        ids[i] = first_row_id + i;
    return ARM_OK;
}

/* Points the batch's columns at chunk `k` (false when zone maps rule it out). */
static arm_status reference_chunk(memory_scan *scan, const scan_morsel *m, uint32_t k,
                                  uint32_t rows, batch *out, bool *skipped, arm_error *err)
{
    memory_table *t = scan->table;
    arm_status s = ARM_OK;
    pthread_rwlock_rdlock(&t->lock);
    *skipped = scan->filter_count > 0 && !may_match(scan, m->group, (int32_t)k);
    for (uint32_t c = 0; !*skipped && c < scan->column_count && s == ARM_OK; c++) {
        uint32_t id = scan->column_ids[c];
        if (id != TABLE_COLUMN_ROW_ID)
            s = vector_reference(&out->columns[c], &m->group->columns[id].chunks[k], err);
    }
    pthread_rwlock_unlock(&t->lock);
    int64_t first_row_id =
        (int64_t)m->group_index * MEMORY_TABLE_ROW_GROUP_ROWS + (int64_t)k * VECTOR_SIZE;
    for (uint32_t c = 0; !*skipped && c < scan->column_count && s == ARM_OK; c++)
        if (scan->column_ids[c] == TABLE_COLUMN_ROW_ID)
            s = fill_row_ids(&out->columns[c], first_row_id, rows, err);
    return s;
}

/* Takes the next morsel whose group zone maps allow a match; false when none is left. */
static bool take_morsel(memory_scan *scan, memory_scan_local *local)
{
    for (;;) {
        uint32_t index = atomic_fetch_add(&scan->next_morsel, 1);
        if (index >= scan->morsel_count)
            return false;
        bool keep = true;
        if (scan->filter_count > 0) {
            pthread_rwlock_rdlock(&scan->table->lock);
            keep = may_match(scan, scan->morsels[index].group, -1);
            pthread_rwlock_unlock(&scan->table->lock);
        }
        if (keep) {
            local->morsel = index;
            local->next_chunk = 0;
            return true;
        }
    }
}

arm_status memory_table_scan_next(table_scan *table_scan_base, table_scan_local *table_local,
                                  batch *out, arm_error *err)
{
    memory_scan *scan = (memory_scan *)table_scan_base;
    memory_scan_local *local = (memory_scan_local *)table_local;
    out->count = 0;
    out->sel = NULL;
    if (local == NULL)
        return error_internal(err, "memory table scan without a local state");
    for (;;) {
        if (local->morsel < 0 && !take_morsel(scan, local))
            return ARM_OK;
        const scan_morsel *m = &scan->morsels[local->morsel];
        uint32_t k = local->next_chunk++;
        if ((uint64_t)k * VECTOR_SIZE >= m->row_count) {
            local->morsel = -1;
            continue;
        }
        uint32_t rows = m->row_count - k * VECTOR_SIZE;
        rows = rows < VECTOR_SIZE ? rows : VECTOR_SIZE;
        out->sel = NULL;
        uint32_t live = m->deleted ? select_live_rows(m->deleted, k, rows, out) : rows;
        if (live == 0)
            continue;
        bool skipped;
        arm_status s = reference_chunk(scan, m, k, rows, out, &skipped, err);
        if (s != ARM_OK || skipped) {
            out->sel = NULL;
            if (s != ARM_OK)
                return s;
            continue;
        }
        out->count = live;
        out->sequence = (uint64_t)m->group_index << 16 | k;
        return ARM_OK;
    }
}

uint64_t memory_table_estimated_rows(table_provider *provider)
{
    return atomic_load(&((memory_table *)provider)->live_rows);
}

/*
 * live_rows moves under the write lock with the row counts and deletion maps
 * a scan snapshots (an UPDATE appends and deletes in one hold), so read under
 * the shared lock it is what a scan begun now would return. Memory tables
 * have no commits: committed_only changes nothing, as for scans.
 */
uint64_t memory_table_exact_rows(table_provider *provider, bool committed_only)
{
    (void)committed_only;
    memory_table *t = (memory_table *)provider;
    pthread_rwlock_rdlock(&t->lock);
    uint64_t rows = atomic_load(&t->live_rows);
    pthread_rwlock_unlock(&t->lock);
    return rows;
}

/* Min, max and NULL count over every stored row (deleted ones included). */
bool memory_table_column_stats(table_provider *provider, uint32_t column, table_column_stats *out)
{
    memory_table *t = (memory_table *)provider;
    memset(out, 0, sizeof *out);
    if (column >= t->base.column_count)
        return false;
    zone_map total;
    zone_map_init(&total, t->base.column_types[column]);
    pthread_rwlock_rdlock(&t->lock);
    for (uint32_t i = 0; i < t->group_count; i++)
        zone_map_merge(&total, &t->groups[i]->columns[column].zone);
    pthread_rwlock_unlock(&t->lock);
    out->has_min_max = total.has_values && !total.is_unordered;
    out->min = total.min;
    out->max = total.max;
    out->null_count = total.null_count;
    out->distinct_estimate = 0;
    return true;
}
