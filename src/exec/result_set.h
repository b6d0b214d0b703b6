/*
 * result_set.h: a materialized query result, the engine's side of
 * arm_result: column names and types plus dense batches (no selection) in
 * output order. Vectors are flat, except strings that came dictionary-encoded
 * (read them with vector_get_value, or flatten). Shares buffers with the
 * engine and cache.
 */
#ifndef ARM_EXEC_RESULT_SET_H
#define ARM_EXEC_RESULT_SET_H

#include "vector/vector.h"

typedef enum result_set_kind {
    RESULT_SET_ROWS = ARM_RESULT_ROWS,
    RESULT_SET_CHANGES = ARM_RESULT_CHANGES,
    RESULT_SET_NOTHING = ARM_RESULT_NOTHING,
} result_set_kind;

typedef struct result_set {
    result_set_kind kind;
    uint32_t column_count;
    char **column_names;        /* heap, owned */
    logical_type *column_types; /* heap, owned */
    batch *batches;             /* heap array, owned; every batch dense */
    uint32_t batch_count;
    uint32_t batch_capacity;
    uint64_t *batch_first_row; /* row number of each batch's first row */
    uint64_t row_count;
    uint64_t rows_changed;
} result_set;

arm_status result_set_create(result_set **out, uint32_t column_count, const char *const *names,
                             const logical_type *types, arm_error *err);
/* A result with no columns (DDL, SET) or only a change count. */
arm_status result_set_create_empty(result_set **out, result_set_kind kind, uint64_t rows_changed,
                                   arm_error *err);
/* Appends the selected rows of `b` (compacted; strings kept alive by reference). */
arm_status result_set_append(result_set *r, const batch *b, arm_error *err);
/*
 * Fills `dst` (uninitialized) with the selected rows of `b` as
 * result_set_append keeps them: dense, typed as r's columns, sharing b's
 * buffers where it can. The caller owns it (batch_dispose).
 */
arm_status result_set_keep_batch(batch *dst, const result_set *r, const batch *b, arm_error *err);
/*
 * Appends `b`'s rows to `dst`, a batch in result form made flat for rows to
 * be added (zeroed: made here on first use), copying the selected rows.
 */
arm_status result_set_gather_rows(batch *dst, const result_set *r, const batch *b, arm_error *err);
/* Appends a batch made by result_set_keep_batch (count > 0), taking it over (*kept zeroed). */
arm_status result_set_append_kept(result_set *r, batch *kept, arm_error *err);
/* Finds the batch and row within it for `row`; false when out of range. */
bool result_set_locate(const result_set *r, uint64_t row, uint32_t *batch_index,
                       uint32_t *row_in_batch);
void result_set_destroy(result_set *r);

#endif
