/*
 * parquet_scan.h: a read-only table provider over Parquet files, behind
 * `FROM read_parquet('f.parquet')` (or a glob of files with one schema).
 * Scans read only the requested columns, hand out row groups as morsels to
 * the threads of a query, and skip row groups whose statistics prove that
 * a pushed filter matches nothing.
 */
#ifndef ARM_TABLE_PARQUET_SCAN_H
#define ARM_TABLE_PARQUET_SCAN_H

#include "table/table_provider.h"

/*
 * Opens `pattern` (a path, or a glob pattern such as data/STAR.parquet, expanded in
 * sorted order). Every file must have the first file's column names and
 * types. Missing files are ARM_ERROR_IO naming the pattern. The caller owns
 * *out (destroy through its vtable).
 */
arm_status parquet_scan_create(table_provider **out, const char *pattern, arm_error *err);

#endif
