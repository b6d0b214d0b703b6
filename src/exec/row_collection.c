/*
 * row_collection.c: materialized rows as growing flat vectors.
 */
#include "exec/row_collection.h"

#include <stdlib.h>

#include "common/error.h"

arm_status row_collection_init(row_collection *c, uint32_t column_count, const logical_type *types,
                               arm_error *err)
{
    c->column_count = column_count;
    c->row_count = 0;
    c->dictionary_columns = 0;
    c->columns = calloc(column_count ? column_count : 1, sizeof *c->columns);
    if (c->columns == NULL)
        return error_out_of_memory(err);
    for (uint32_t i = 0; i < column_count; i++)
        vector_init(&c->columns[i], types[i]);
    return ARM_OK;
}

void row_collection_dispose(row_collection *c)
{
    if (c->columns != NULL)
        for (uint32_t i = 0; i < c->column_count; i++)
            vector_dispose(&c->columns[i]);
    free(c->columns);
    c->columns = NULL;
    c->row_count = 0;
}

/* Whether `src` can join column `dst` (holding `rows` rows) as entry numbers. */
static bool appends_entries(const vector *dst, const vector *src, uint64_t rows)
{
    if (src->kind != VECTOR_DICTIONARY || src->validity != NULL || !type_is_string(dst->type.id))
        return false;
    return rows == 0 ||
           (dst->kind == VECTOR_DICTIONARY && dst->dictionary->data == src->dictionary->data);
}

/* Appends the selected rows' entry numbers; the first rows adopt src's dictionary. */
static arm_status append_entries(vector *dst, uint32_t at, const vector *src, const uint32_t *sel,
                                 uint32_t count, arm_error *err)
{
    arm_status s = ARM_OK;
    if (at == 0 && (s = vector_attach_dictionary(dst, src->dictionary, err)) != ARM_OK)
        return s;
    if ((s = vector_reserve(dst, at + count, at, err)) != ARM_OK)
        return s;
    uint32_t *to = (uint32_t *)dst->data + at;
    const uint32_t *entry = src->data;
    for (uint32_t i = 0; i < count; i++)
        to[i] = entry[sel ? sel[i] : i];
    return ARM_OK;
}

arm_status row_collection_append(row_collection *c, const vector *columns, const uint32_t *sel,
                                 uint32_t count, arm_error *err)
{
    if (c->row_count + count > UINT32_MAX)
        return error_set(err, ARM_ERROR_NOT_SUPPORTED, NULL, -1,
                         "more than 4 billion rows in one operator");
    for (uint32_t i = 0; i < c->column_count; i++) {
        vector *dst = &c->columns[i];
        uint32_t at = (uint32_t)c->row_count;
        logical_type type = dst->type;
        arm_status s = ARM_OK;
        if (i < c->dictionary_columns && appends_entries(dst, &columns[i], at)) {
            s = append_entries(dst, at, &columns[i], sel, count, err);
            if (s != ARM_OK)
                return s;
            continue;
        }
        if (dst->kind == VECTOR_DICTIONARY && (s = vector_flatten(dst, NULL, at, err)) != ARM_OK)
            return s; /* another dictionary or plain values: the rows so far become values */
        s = vector_copy_rows(dst, at, &columns[i], sel, count, err);
        dst->type = type;
        if (s != ARM_OK)
            return s;
    }
    c->row_count += count;
    return ARM_OK;
}

arm_status row_collection_append_rows(row_collection *c, const row_collection *src,
                                      const uint32_t *rows, uint32_t count, arm_error *err)
{
    return row_collection_append(c, src->columns, rows, count, err);
}
