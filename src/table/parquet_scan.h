/*
 * parquet_scan.h: a read-only table provider over Parquet files, behind
 * `FROM read_parquet('f.parquet')` (or globs or a list of files with one schema).
 * Scans read only the requested columns, hand out row groups as morsels to
 * the threads of a query, and skip row groups whose statistics prove that
 * a pushed filter matches nothing.
 */
#ifndef ARM_TABLE_PARQUET_SCAN_H
#define ARM_TABLE_PARQUET_SCAN_H

#include "table/table_provider.h"

/*
 * Opens the files of `patterns` in order: each a path, or a glob pattern
 * such as data/STAR.parquet, expanded in sorted order. Every file must have
 * the first file's column names and types. A pattern matching no file is
 * ARM_ERROR_IO naming it; no pattern at all is ARM_ERROR_INVALID_INPUT. The
 * patterns are borrowed for the call. The caller owns *out (destroy through
 * its vtable).
 */
arm_status parquet_scan_create(table_provider **out, const char *const *patterns,
                               uint32_t pattern_count, arm_error *err);

#endif
