/*
 * parquet_scan.c: read_parquet as a table provider. The files stay open
 * for the provider's life; a scan's morsels are (file, row group) pairs
 * handed out by an atomic counter, each read column by column into the
 * batch with one column reader per requested column; a thread's readers
 * move on from morsel to morsel, keeping their buffers.
 */
#include "table/parquet_scan.h"

#include <glob.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "format/parquet_reader.h"

typedef struct parquet_scan_table {
    table_provider base;
    parquet_reader **files;
    char **paths;
    uint32_t file_count;
    uint64_t row_count;
    pthread_mutex_t open_lock; /* page indexes are read one at a time */
} parquet_scan_table;

typedef struct morsel {
    uint32_t file;
    uint32_t row_group;
} morsel;

typedef struct parquet_scan {
    parquet_scan_table *table;
    uint32_t *column_ids;
    uint32_t column_count;
    table_filter *filters;
    uint32_t filter_count;
    morsel *morsels;
    uint32_t morsel_count;
    _Atomic uint32_t next_morsel;
} parquet_scan;

/* Rows [start, end) of a row group that no pushed filter can match (from the page index). */
typedef struct row_range {
    uint64_t start;
    uint64_t end;
} row_range;

typedef struct parquet_scan_local {
    parquet_column_reader **readers; /* one per scanned column, for the current morsel */
    uint32_t morsel;                 /* index of the current morsel; UINT32_MAX: none */
    uint32_t batch_in_morsel;
    uint64_t position; /* rows of the row group read or skipped */
    row_range *skips;  /* sorted, disjoint */
    uint32_t skip_count;
    uint32_t skip_capacity;
    uint32_t next_skip;
} parquet_scan_local;

/* ---- statistics ---------------------------------------------------------------------- */

/* False only when `stats` (of a row group or a page) prove no row can pass `f`. */
static bool stats_may_match(const parquet_column_stats *stats_in, const table_filter *f)
{
    parquet_column_stats stats = *stats_in;
    if (f->op == TABLE_FILTER_IS_NULL)
        return !stats.has_null_count || stats.null_count > 0;
    if (f->op == TABLE_FILTER_IS_NOT_NULL)
        return !stats.has_null_count || stats.null_count < stats.row_count;
    if (!stats.has_min_max || f->constant.is_null || !type_equal(stats.min.type, f->constant.type))
        return true;
    int lo = value_compare(&f->constant, &stats.min), hi = value_compare(&f->constant, &stats.max);
    switch (f->op) {
    case TABLE_FILTER_EQ: return lo >= 0 && hi <= 0;
    case TABLE_FILTER_LT: return lo > 0; /* some value < c needs min < c */
    case TABLE_FILTER_LE: return lo >= 0;
    case TABLE_FILTER_GT: return hi < 0; /* max > c */
    case TABLE_FILTER_GE: return hi <= 0;
    default: return true;
    }
}

static bool row_group_may_match(parquet_reader *r, uint32_t row_group, uint32_t column,
                                const table_filter *f)
{
    parquet_column_stats stats;
    arm_error ignored;
    if (parquet_reader_column_stats(r, row_group, column, &stats, &ignored) != ARM_OK)
        return true;
    return stats_may_match(&stats, f);
}

/* ---- scanning ------------------------------------------------------------------------ */

static arm_status parquet_scan_begin(table_provider *provider, const table_scan_options *options,
                                     table_scan **out, arm_error *err)
{
    parquet_scan_table *t = (parquet_scan_table *)provider;
    *out = NULL;
    for (uint32_t i = 0; i < options->column_count; i++)
        if (options->column_ids[i] >= t->base.column_count)
            return error_set(err, ARM_ERROR_NOT_SUPPORTED, "0A000", -1,
                             "read_parquet() rows have no row ids: they cannot be changed");
    parquet_scan *scan = calloc(1, sizeof *scan);
    uint32_t groups = 0;
    for (uint32_t f = 0; f < t->file_count; f++)
        groups += parquet_reader_row_group_count(t->files[f]);
    if (scan == NULL ||
        (scan->column_ids = calloc(options->column_count + 1, sizeof(uint32_t))) == NULL ||
        (scan->filters = calloc(options->filter_count + 1, sizeof(table_filter))) == NULL ||
        (scan->morsels = calloc(groups + 1, sizeof(morsel))) == NULL) {
        if (scan) {
            free(scan->column_ids);
            free(scan->filters);
        }
        free(scan);
        return error_out_of_memory(err);
    }
    scan->table = t;
    scan->column_count = options->column_count;
    if (options->column_count > 0)
        memcpy(scan->column_ids, options->column_ids, options->column_count * sizeof(uint32_t));
    scan->filter_count = options->filter_count;
    if (options->filter_count > 0)
        memcpy(scan->filters, options->filters, options->filter_count * sizeof(table_filter));
    for (uint32_t f = 0; f < t->file_count; f++)
        for (uint32_t g = 0; g < parquet_reader_row_group_count(t->files[f]); g++) {
            bool keep = true;
            for (uint32_t i = 0; i < scan->filter_count && keep; i++)
                keep = row_group_may_match(
                    t->files[f], g, scan->column_ids[scan->filters[i].column], &scan->filters[i]);
            if (keep)
                scan->morsels[scan->morsel_count++] = (morsel){f, g};
        }
    atomic_init(&scan->next_morsel, 0);
    *out = (table_scan *)scan;
    return ARM_OK;
}

static arm_status parquet_scan_local_create(table_scan *base, table_scan_local **out,
                                            arm_error *err)
{
    parquet_scan *scan = (parquet_scan *)base;
    parquet_scan_local *l = calloc(1, sizeof *l);
    if (l == NULL || (l->readers = calloc(scan->column_count + 1, sizeof *l->readers)) == NULL) {
        free(l);
        return error_out_of_memory(err);
    }
    l->morsel = UINT32_MAX;
    *out = (table_scan_local *)l;
    return ARM_OK;
}

static int compare_ranges(const void *a, const void *b)
{
    const row_range *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

static bool add_skip(parquet_scan_local *l, uint64_t start, uint64_t end)
{
    if (l->skip_count == l->skip_capacity) {
        uint32_t capacity = l->skip_capacity ? 2 * l->skip_capacity : 16;
        row_range *grown = realloc(l->skips, capacity * sizeof *grown);
        if (grown == NULL)
            return false;
        l->skips = grown;
        l->skip_capacity = capacity;
    }
    l->skips[l->skip_count++] = (row_range){start, end};
    return true;
}

/*
 * The pages of the filtered columns whose ColumnIndex statistics prove that
 * no row passes become row ranges every column skips (filters are ANDed, so
 * one filter's proof suffices). Files without a page index skip nothing.
 * Holds the open lock: the page index is read into the reader.
 */
static void plan_page_skips(parquet_scan *scan, parquet_scan_local *l, parquet_reader *r,
                            uint32_t row_group)
{
    l->skip_count = 0;
    l->next_skip = 0;
    for (uint32_t i = 0; i < scan->filter_count; i++) {
        const table_filter *f = &scan->filters[i];
        parquet_page_info *pages = NULL;
        uint32_t page_count = 0;
        arm_error ignored;
        if (parquet_reader_page_index(r, row_group, scan->column_ids[f->column], &pages,
                                      &page_count, &ignored) != ARM_OK)
            continue;
        for (uint32_t p = 0; p < page_count; p++)
            if (!stats_may_match(&pages[p].stats, f) &&
                !add_skip(l, (uint64_t)pages[p].first_row,
                          (uint64_t)(pages[p].first_row + pages[p].row_count))) {
                l->skip_count = 0; /* out of memory: read everything, which is still right */
                return;
            }
    }
    if (l->skip_count < 2)
        return;
    qsort(l->skips, l->skip_count, sizeof *l->skips, compare_ranges);
    uint32_t merged = 0;
    for (uint32_t i = 1; i < l->skip_count; i++) {
        if (l->skips[i].start <= l->skips[merged].end) {
            if (l->skips[i].end > l->skips[merged].end)
                l->skips[merged].end = l->skips[i].end;
        } else {
            l->skips[++merged] = l->skips[i];
        }
    }
    l->skip_count = merged + 1;
}

/*
 * Points the thread's column readers at the morsel's chunks. Readers stay
 * open from morsel to morsel so their chunk and page buffers are reused
 * (fresh memory costs a page fault per 4 KiB). Column readers of one file
 * may read at once; only the page index needs the lock.
 */
static arm_status open_morsel(parquet_scan *scan, parquet_scan_local *l, uint32_t index,
                              arm_error *err)
{
    parquet_scan_table *t = scan->table;
    const morsel *m = &scan->morsels[index];
    parquet_reader *r = t->files[m->file];
    arm_status s = ARM_OK;
    for (uint32_t k = 0; k < scan->column_count && s == ARM_OK; k++)
        s = l->readers[k] != NULL ? parquet_column_reader_reopen(l->readers[k], r, m->row_group,
                                                                 scan->column_ids[k], err)
                                  : parquet_column_reader_open(&l->readers[k], r, m->row_group,
                                                               scan->column_ids[k], err);
    l->skip_count = 0;
    l->next_skip = 0;
    if (s == ARM_OK && scan->filter_count > 0 && scan->column_count > 0) {
        pthread_mutex_lock(&t->open_lock);
        plan_page_skips(scan, l, r, m->row_group);
        pthread_mutex_unlock(&t->open_lock);
    }
    l->morsel = index;
    l->batch_in_morsel = 0;
    l->position = 0;
    return s;
}

/* Skips the rows of a skip range that starts here; returns the rows the next batch may read. */
static arm_status before_batch(parquet_scan *scan, parquet_scan_local *l, uint32_t *limit,
                               arm_error *err)
{
    *limit = VECTOR_SIZE;
    while (l->next_skip < l->skip_count && l->skips[l->next_skip].end <= l->position)
        l->next_skip++;
    if (l->next_skip == l->skip_count)
        return ARM_OK;
    const row_range *skip = &l->skips[l->next_skip];
    if (skip->start <= l->position) {
        uint64_t rows = skip->end - l->position;
        for (uint32_t k = 0; k < scan->column_count; k++)
            if (parquet_column_reader_skip(l->readers[k], rows, err) != ARM_OK)
                return err->status;
        l->position = skip->end;
        l->next_skip++;
        return before_batch(scan, l, limit, err);
    }
    if (skip->start - l->position < VECTOR_SIZE)
        *limit = (uint32_t)(skip->start - l->position);
    return ARM_OK;
}

static arm_status parquet_scan_next(table_scan *base, table_scan_local *local, batch *out,
                                    arm_error *err)
{
    parquet_scan *scan = (parquet_scan *)base;
    parquet_scan_local *l = (parquet_scan_local *)local;
    out->count = 0;
    out->sel = NULL;
    for (;;) {
        if (l->morsel == UINT32_MAX) {
            uint32_t next = atomic_fetch_add(&scan->next_morsel, 1);
            if (next >= scan->morsel_count)
                return ARM_OK;
            if (open_morsel(scan, l, next, err) != ARM_OK)
                return err->status;
        }
        uint32_t rows = 0, limit = VECTOR_SIZE;
        if (l->skip_count > 0 && before_batch(scan, l, &limit, err) != ARM_OK)
            return err->status;
        for (uint32_t k = 0; k < scan->column_count; k++) {
            uint32_t got = 0;
            if (parquet_column_reader_next(l->readers[k], &out->columns[k], limit, &got, err) !=
                ARM_OK)
                return err->status;
            if (k > 0 && got != rows)
                return error_set(err, ARM_ERROR_CORRUPT, NULL, -1,
                                 "parquet file \"%s\": columns of a row group differ in length",
                                 scan->table->paths[scan->morsels[l->morsel].file]);
            rows = got;
        }
        if (scan->column_count == 0) { /* COUNT(*): rows without columns */
            int64_t total =
                parquet_reader_row_group_rows(scan->table->files[scan->morsels[l->morsel].file],
                                              scan->morsels[l->morsel].row_group);
            int64_t left = total - (int64_t)l->batch_in_morsel * VECTOR_SIZE;
            rows = left <= 0 ? 0 : left > VECTOR_SIZE ? VECTOR_SIZE : (uint32_t)left;
        }
        if (rows > 0) {
            l->position += rows;
            out->count = rows;
            out->sequence = (uint64_t)l->morsel << 32 | l->batch_in_morsel++;
            return ARM_OK;
        }
        l->morsel = UINT32_MAX; /* the readers stay open for the next morsel */
    }
}

static void parquet_scan_local_destroy(table_scan_local *local)
{
    parquet_scan_local *l = (parquet_scan_local *)local;
    for (uint32_t k = 0; l->readers && l->readers[k]; k++)
        parquet_column_reader_close(l->readers[k]);
    free(l->readers);
    free(l->skips);
    free(l);
}

static void parquet_scan_end(table_scan *base)
{
    parquet_scan *scan = (parquet_scan *)base;
    free(scan->column_ids);
    free(scan->filters);
    free(scan->morsels);
    free(scan);
}

static uint64_t parquet_scan_rows(table_provider *provider)
{
    return ((parquet_scan_table *)provider)->row_count;
}

static void parquet_scan_destroy(table_provider *provider)
{
    parquet_scan_table *t = (parquet_scan_table *)provider;
    for (uint32_t f = 0; f < t->file_count; f++) {
        parquet_reader_close(t->files[f]);
        free(t->paths[f]);
    }
    free(t->files);
    free(t->paths);
    for (uint32_t c = 0; c < t->base.column_count; c++)
        free(t->base.column_names[c]);
    free(t->base.column_names);
    free(t->base.column_types);
    pthread_mutex_destroy(&t->open_lock);
    free(t);
}

static const table_provider_vtable parquet_scan_vtable = {
    .scan_begin = parquet_scan_begin,
    .scan_local_create = parquet_scan_local_create,
    .scan_next = parquet_scan_next,
    .scan_local_destroy = parquet_scan_local_destroy,
    .scan_end = parquet_scan_end,
    .estimated_row_count = parquet_scan_rows,
    .destroy = parquet_scan_destroy,
};

/* ---- opening ------------------------------------------------------------------------- */

static arm_status take_schema(parquet_scan_table *t, arm_error *err)
{
    parquet_reader *r = t->files[0];
    uint32_t n = parquet_reader_column_count(r);
    t->base.column_count = n;
    t->base.column_types = calloc(n + 1, sizeof(logical_type));
    t->base.column_names = calloc(n + 1, sizeof(char *));
    if (t->base.column_types == NULL || t->base.column_names == NULL)
        return error_out_of_memory(err);
    for (uint32_t c = 0; c < n; c++) {
        if (parquet_reader_column_check(r, c, err) != ARM_OK)
            return err->status;
        t->base.column_types[c] = parquet_reader_column_type(r, c);
        if ((t->base.column_names[c] = strdup(parquet_reader_column_name(r, c))) == NULL)
            return error_out_of_memory(err);
    }
    return ARM_OK;
}

/* Every file must have the first file's columns. */
static arm_status check_same_schema(parquet_scan_table *t, uint32_t f, arm_error *err)
{
    parquet_reader *r = t->files[f];
    bool same = parquet_reader_column_count(r) == t->base.column_count;
    for (uint32_t c = 0; same && c < t->base.column_count; c++)
        same = strcmp(parquet_reader_column_name(r, c), t->base.column_names[c]) == 0 &&
               type_equal(parquet_reader_column_type(r, c), t->base.column_types[c]);
    if (same)
        return ARM_OK;
    error_set(err, ARM_ERROR_TYPE, "42804", -1,
              "parquet file \"%s\" does not have the columns of \"%s\"", t->paths[f], t->paths[0]);
    error_hint(err, "read_parquet() reads files with one schema; read the others separately.");
    return ARM_ERROR_TYPE;
}

/* Room for `more` files after the ones already open. */
static arm_status grow_files(parquet_scan_table *t, size_t more, arm_error *err)
{
    size_t capacity = t->file_count + more;
    parquet_reader **files = realloc(t->files, capacity * sizeof *files);
    if (files != NULL)
        t->files = files;
    char **paths = files ? realloc(t->paths, capacity * sizeof *paths) : NULL;
    if (paths != NULL)
        t->paths = paths;
    return files && paths ? ARM_OK : error_out_of_memory(err);
}

/* Opens the files `pattern` matches, in sorted order, after those already open. */
static arm_status open_pattern(parquet_scan_table *t, const char *pattern, arm_error *err)
{
    glob_t g;
    memset(&g, 0, sizeof g);
    int rc = glob(pattern, 0, NULL, &g);
    if (rc != 0 || g.gl_pathc == 0) {
        globfree(&g);
        error_set(err, ARM_ERROR_IO, "58P01", -1, "no file matches \"%s\"", pattern);
        return ARM_ERROR_IO;
    }
    arm_status s = grow_files(t, g.gl_pathc, err);
    for (size_t i = 0; i < g.gl_pathc && s == ARM_OK; i++) {
        uint32_t f = t->file_count;
        if ((t->paths[f] = strdup(g.gl_pathv[i])) == NULL) {
            s = error_out_of_memory(err);
            break;
        }
        if ((s = parquet_reader_open(&t->files[f], g.gl_pathv[i], err)) != ARM_OK) {
            free(t->paths[f]); /* the path whose file did not open */
            break;
        }
        t->file_count++;
        t->row_count += (uint64_t)parquet_reader_row_count(t->files[f]);
        s = f == 0 ? take_schema(t, err) : check_same_schema(t, f, err);
    }
    globfree(&g);
    return s;
}

arm_status parquet_scan_create(table_provider **out, const char *const *patterns,
                               uint32_t pattern_count, arm_error *err)
{
    *out = NULL;
    parquet_scan_table *t = calloc(1, sizeof *t);
    if (t == NULL)
        return error_out_of_memory(err);
    t->base.vtable = &parquet_scan_vtable;
    pthread_mutex_init(&t->open_lock, NULL);
    arm_status s = ARM_OK;
    for (uint32_t i = 0; i < pattern_count && s == ARM_OK; i++)
        s = open_pattern(t, patterns[i], err);
    if (s == ARM_OK && t->file_count == 0)
        s = error_set(err, ARM_ERROR_INVALID_INPUT, "22023", -1,
                      "read_parquet() needs at least one file");
    if (s != ARM_OK) {
        parquet_scan_destroy(&t->base);
        return s;
    }
    *out = &t->base;
    return ARM_OK;
}
