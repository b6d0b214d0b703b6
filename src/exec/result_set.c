/*
 * result_set.c: materialized results as dense, flat batches. Appending
 * compacts the selection and references string bytes (no copy), so a
 * result shares buffers with the engine and the cache.
 */
#include "exec/result_set.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"

arm_status result_set_create(result_set **out, uint32_t column_count, const char *const *names,
                             const logical_type *types, arm_error *err)
{
    result_set *r = calloc(1, sizeof *r);
    if (r == NULL)
        return error_out_of_memory(err);
    r->kind = RESULT_SET_ROWS;
    r->column_count = column_count;
    r->column_names = calloc(column_count ? column_count : 1, sizeof *r->column_names);
    r->column_types = calloc(column_count ? column_count : 1, sizeof *r->column_types);
    if (r->column_names == NULL || r->column_types == NULL) {
        result_set_destroy(r);
        return error_out_of_memory(err);
    }
    for (uint32_t i = 0; i < column_count; i++) {
        r->column_names[i] = strdup(names && names[i] ? names[i] : "?column?");
        r->column_types[i] = types[i].id == TYPE_NULL ? type_make(TYPE_VARCHAR) : types[i];
        if (r->column_names[i] == NULL) {
            result_set_destroy(r);
            return error_out_of_memory(err);
        }
    }
    *out = r;
    return ARM_OK;
}

arm_status result_set_create_empty(result_set **out, result_set_kind kind, uint64_t rows_changed,
                                   arm_error *err)
{
    arm_status s = result_set_create(out, 0, NULL, NULL, err);
    if (s == ARM_OK) {
        (*out)->kind = kind;
        (*out)->rows_changed = rows_changed;
    }
    return s;
}

static arm_status grow_batches(result_set *r, arm_error *err)
{
    uint32_t capacity = r->batch_capacity ? r->batch_capacity * 2 : 8;
    batch *batches = realloc(r->batches, capacity * sizeof *batches);
    if (batches == NULL)
        return error_out_of_memory(err);
    r->batches = batches;
    uint64_t *first = realloc(r->batch_first_row, capacity * sizeof *first);
    if (first == NULL)
        return error_out_of_memory(err);
    r->batch_first_row = first;
    r->batch_capacity = capacity;
    return ARM_OK;
}

/* A batch without selection storage: result batches never carry a selection. */
static arm_status init_result_batch(batch *dst, const result_set *r, arm_error *err)
{
    memset(dst, 0, sizeof *dst);
    dst->columns = calloc(r->column_count ? r->column_count : 1, sizeof *dst->columns);
    if (dst->columns == NULL)
        return error_out_of_memory(err);
    dst->column_count = r->column_count;
    for (uint32_t c = 0; c < r->column_count; c++)
        vector_init(&dst->columns[c], r->column_types[c]);
    return ARM_OK;
}

/*
 * Dictionary-encoded strings (stored chunks keep them so) stay encoded in
 * results: the rows' entry numbers are kept (selected ones gathered) and the
 * dictionary is shared, instead of writing a 16-byte view per row.
 */
static arm_status keep_dictionary(vector *dst, const vector *src, const uint32_t *sel,
                                  uint32_t count, arm_error *err)
{
    if (sel == NULL)
        return vector_reference(dst, src, err);
    arm_status s = vector_prepare_flat(dst, count, err);
    if (s != ARM_OK)
        return s;
    const uint32_t *from = src->data;
    uint32_t *to = dst->data;
    for (uint32_t i = 0; i < count; i++)
        to[i] = from[sel[i]];
    return vector_attach_dictionary(dst, src->dictionary, err);
}

arm_status result_set_keep_batch(batch *dst, const result_set *r, const batch *b, arm_error *err)
{
    if (b->column_count < r->column_count)
        return error_internal(err, "result batch has fewer columns than the result");
    arm_status s = init_result_batch(dst, r, err);
    if (s != ARM_OK)
        return s;
    for (uint32_t c = 0; c < r->column_count && s == ARM_OK; c++) {
        const vector *src = &b->columns[c];
        bool same_type = type_equal(src->type, r->column_types[c]);
        if (b->sel == NULL && src->kind == VECTOR_FLAT && same_type)
            s = vector_reference(&dst->columns[c], src, err);
        else if (src->kind == VECTOR_DICTIONARY && src->validity == NULL && same_type &&
                 type_is_string(src->type.id))
            s = keep_dictionary(&dst->columns[c], src, b->sel, b->count, err);
        else
            s = vector_copy_rows(&dst->columns[c], 0, src, b->sel, b->count, err);
        dst->columns[c].type = r->column_types[c];
    }
    if (s != ARM_OK) {
        batch_dispose(dst);
        return s;
    }
    dst->count = b->count;
    return ARM_OK;
}

arm_status result_set_gather_rows(batch *dst, const result_set *r, const batch *b, arm_error *err)
{
    if (b->column_count < r->column_count)
        return error_internal(err, "result batch has fewer columns than the result");
    arm_status s = ARM_OK;
    if (dst->columns == NULL) { /* room for a whole batch at once: growing copied it 2-3 times */
        s = init_result_batch(dst, r, err);
        for (uint32_t c = 0; c < r->column_count && s == ARM_OK; c++)
            s = vector_prepare_flat(&dst->columns[c], VECTOR_SIZE, err);
    }
    for (uint32_t c = 0; c < r->column_count && s == ARM_OK; c++) {
        s = vector_copy_rows(&dst->columns[c], dst->count, &b->columns[c], b->sel, b->count, err);
        dst->columns[c].type = r->column_types[c];
    }
    if (s == ARM_OK)
        dst->count += b->count;
    return s;
}

arm_status result_set_append(result_set *r, const batch *b, arm_error *err)
{
    if (b->count == 0)
        return ARM_OK;
    batch kept;
    arm_status s = result_set_keep_batch(&kept, r, b, err);
    if (s == ARM_OK && (s = result_set_append_kept(r, &kept, err)) != ARM_OK)
        batch_dispose(&kept);
    return s;
}

arm_status result_set_append_kept(result_set *r, batch *kept, arm_error *err)
{
    arm_status s;
    if (r->batch_count == r->batch_capacity && (s = grow_batches(r, err)) != ARM_OK)
        return s;
    r->batches[r->batch_count] = *kept;
    memset(kept, 0, sizeof *kept);
    r->batch_first_row[r->batch_count] = r->row_count;
    r->row_count += r->batches[r->batch_count].count;
    r->batch_count++;
    return ARM_OK;
}

bool result_set_locate(const result_set *r, uint64_t row, uint32_t *batch_index,
                       uint32_t *row_in_batch)
{
    if (row >= r->row_count || r->batch_count == 0)
        return false;
    uint32_t lo = 0, hi = r->batch_count - 1;
    while (lo < hi) {
        uint32_t mid = (lo + hi + 1) / 2;
        if (r->batch_first_row[mid] <= row)
            lo = mid;
        else
            hi = mid - 1;
    }
    *batch_index = lo;
    *row_in_batch = (uint32_t)(row - r->batch_first_row[lo]);
    return true;
}

void result_set_destroy(result_set *r)
{
    if (r == NULL)
        return;
    for (uint32_t i = 0; i < r->batch_count; i++)
        batch_dispose(&r->batches[i]);
    free(r->batches);
    free(r->batch_first_row);
    if (r->column_names != NULL)
        for (uint32_t i = 0; i < r->column_count; i++)
            free(r->column_names[i]);
    free(r->column_names);
    free(r->column_types);
    free(r);
}
