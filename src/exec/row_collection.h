/*
 * row_collection.h: a growable set of rows kept as one flat vector per
 * column (or, where allowed, a dictionary vector), for operators that
 * materialize their input (sort, join build, nested loops). Strings are kept
 * alive by reference, not copied.
 */
#ifndef ARM_EXEC_ROW_COLLECTION_H
#define ARM_EXEC_ROW_COLLECTION_H

#include "vector/vector.h"

typedef struct row_collection {
    uint32_t column_count;
    vector *columns;
    uint64_t row_count;
    /* Columns below this index may stay DICTIONARY vectors: string columns whose
     * appended rows all share one dictionary keep entry numbers (a join's build
     * side passes them on without copying views). 0 (the default): all flat. */
    uint32_t dictionary_columns;
} row_collection;

arm_status row_collection_init(row_collection *c, uint32_t column_count, const logical_type *types,
                               arm_error *err);
void row_collection_dispose(row_collection *c);
/* Appends the selected rows of `columns` (one vector per collection column). */
arm_status row_collection_append(row_collection *c, const vector *columns, const uint32_t *sel,
                                 uint32_t count, arm_error *err);
/* Appends rows `rows[0..count)` of `src` (any order). */
arm_status row_collection_append_rows(row_collection *c, const row_collection *src,
                                      const uint32_t *rows, uint32_t count, arm_error *err);

#endif
