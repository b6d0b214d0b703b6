/*
 * memory_table.h: a table provider that keeps rows in memory, in column
 * segments of refcounted buffers that scans share without copying. Enforces
 * NOT NULL and PRIMARY KEY on writes. Used for ":memory:" databases and until
 * versioned storage lands.
 */
#ifndef ARM_TABLE_MEMORY_TABLE_H
#define ARM_TABLE_MEMORY_TABLE_H

#include "catalog/catalog.h"
#include "table/table_provider.h"

/*
 * Rows are kept in row groups of this many rows (60 vectors of 2048): the
 * morsel a scan hands to one thread. A row id is the row's position:
 * group * MEMORY_TABLE_ROW_GROUP_ROWS + row within the group.
 */
#define MEMORY_TABLE_ROW_GROUP_ROWS (60 * VECTOR_SIZE)

/*
 * Creates an empty table with the columns, NOT NULL flags and primary key
 * of `def` (copied). The caller owns the provider (normally it moves into
 * the catalog's table_def).
 */
arm_status memory_table_create(table_provider **out, const table_def *def, arm_error *err);

/* How many writes changed the table so far: storage compares it to know what to commit. */
uint64_t memory_table_change_count(table_provider *provider);
/* How many deletes and updates: when it did not move, the table only grew by appends. */
uint64_t memory_table_rewrite_count(table_provider *provider);

#endif
