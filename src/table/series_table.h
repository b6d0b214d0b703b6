/*
 * series_table.h: the rows of generate_series() and range() as a read-only
 * table provider of one BIGINT or TIMESTAMP column. Values are computed batch
 * by batch and never stored, so a billion rows stream in constant memory, and
 * the threads of a query share the scan in morsels.
 */
#ifndef ARM_TABLE_SERIES_TABLE_H
#define ARM_TABLE_SERIES_TABLE_H

#include "table/table_provider.h"

/*
 * The series start, start + step, ... up to `stop`, which is included when
 * `is_inclusive` (generate_series) and excluded otherwise (range); a negative
 * step counts down. `start` and `stop` are both BIGINT with a BIGINT step, or
 * both TIMESTAMP with an INTERVAL step (added as timestamp + interval does,
 * one step after the other). A NULL among them gives no rows, as in
 * PostgreSQL. Values never overflow: the series ends before one would. The
 * row count saturates at UINT64_MAX.
 *
 * Errors: a zero step (an interval whose span is zero) is
 * ARM_ERROR_INVALID_INPUT, 22023. The column is named `column_name`
 * (copied). The caller owns *out (destroy through its vtable).
 */
arm_status series_table_create(table_provider **out, const char *column_name, const value *start,
                               const value *stop, const value *step, bool is_inclusive,
                               arm_error *err);

#endif
