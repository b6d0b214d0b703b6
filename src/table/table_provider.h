/*
 * table_provider.h: the one interface the engine scans and writes tables
 * through (user tables in memory or in versioned storage, system tables,
 * table functions). Implementations embed `table_provider` first.
 */
#ifndef ARM_TABLE_TABLE_PROVIDER_H
#define ARM_TABLE_TABLE_PROVIDER_H

#include "vector/vector.h"

typedef struct table_provider table_provider;
typedef struct table_scan table_scan;
typedef struct table_scan_local table_scan_local;

typedef enum table_filter_op {
    TABLE_FILTER_EQ,
    TABLE_FILTER_NE,
    TABLE_FILTER_LT,
    TABLE_FILTER_LE,
    TABLE_FILTER_GT,
    TABLE_FILTER_GE,
    TABLE_FILTER_IS_NULL,
    TABLE_FILTER_IS_NOT_NULL,
} table_filter_op;

/*
 * `column <op> constant` on a scanned column (index into the scan's
 * column_ids). Filters are hints: a provider may use them to skip chunks or
 * rows, but the engine still evaluates the full predicate on what comes back.
 */
typedef struct table_filter {
    uint32_t column;
    table_filter_op op;
    value constant; /* same type as the column */
} table_filter;

#define TABLE_COLUMN_ROW_ID UINT32_MAX /* in column_ids: a BIGINT row id column */

typedef struct table_scan_options {
    const uint32_t *column_ids; /* table column indexes (or TABLE_COLUMN_ROW_ID) to produce */
    uint32_t column_count;
    const table_filter *filters;
    uint32_t filter_count;
    /*
     * Only what the table's last commit holds: a reader on another connection
     * must not see a writer's uncommitted rows. Tables without commits ignore it.
     */
    bool committed_only;
} table_scan_options;

typedef struct table_column_stats {
    bool has_min_max;
    value min; /* strings borrowed from the provider, valid while it lives */
    value max;
    uint64_t null_count;
    uint64_t distinct_estimate; /* 0: unknown */
} table_column_stats;

typedef struct table_provider_vtable {
    /*
     * Starts a scan of a consistent snapshot of the table. The scan is shared
     * by all threads of a query; each thread makes a local and calls next()
     * until it returns a batch with count 0. Morsels are handed out inside.
     */
    arm_status (*scan_begin)(table_provider *t, const table_scan_options *options, table_scan **out,
                             arm_error *err);
    arm_status (*scan_local_create)(table_scan *scan, table_scan_local **out, arm_error *err);
    /* Fills `out` (initialized with the scan's column types) with the next rows. */
    arm_status (*scan_next)(table_scan *scan, table_scan_local *local, batch *out, arm_error *err);
    void (*scan_local_destroy)(table_scan_local *local);
    void (*scan_end)(table_scan *scan);

    /* Writes: rows have the table's columns in order and types. NULL when read-only. */
    arm_status (*append)(table_provider *t, const batch *rows, arm_error *err);
    arm_status (*delete_rows)(table_provider *t, const int64_t *row_ids, uint64_t count,
                              arm_error *err);
    /* Replaces whole rows: new_rows has the table's columns; row i replaces row_ids[i]. */
    arm_status (*update_rows)(table_provider *t, const int64_t *row_ids, const batch *new_rows,
                              arm_error *err);

    uint64_t (*estimated_row_count)(table_provider *t);
    /*
     * Optional (NULL: not known without a scan): exactly how many rows a scan
     * begun now with `committed_only` (table_scan_options) would return, from
     * the same snapshot, reading no row. COUNT(*) straight on a table is
     * answered by it. A provider that can answer only sometimes leaves it NULL.
     */
    uint64_t (*exact_row_count)(table_provider *t, bool committed_only);
    /* Optional (NULL): statistics of column `column`; false if unknown. */
    bool (*column_stats)(table_provider *t, uint32_t column, table_column_stats *out);
    void (*destroy)(table_provider *t);
} table_provider_vtable;

struct table_provider {
    const table_provider_vtable *vtable;
    uint32_t column_count;
    logical_type *column_types;
    char **column_names;
};

/* Called with each batch of table_scan_each (its columns are the table's, in order). */
typedef arm_status (*table_batch_fn)(void *context, batch *b, arm_error *err);

/* Scans every column of every row of `t` on the calling thread, handing each batch to `fn`. */
arm_status table_scan_each(table_provider *t, table_batch_fn fn, void *context, arm_error *err);

#endif
