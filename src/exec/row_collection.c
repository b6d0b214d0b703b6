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

arm_status row_collection_append(row_collection *c, const vector *columns, const uint32_t *sel,
                                 uint32_t count, arm_error *err)
{
    if (c->row_count + count > UINT32_MAX)
        return error_set(err, ARM_ERROR_NOT_SUPPORTED, NULL, -1,
                         "more than 4 billion rows in one operator");
    for (uint32_t i = 0; i < c->column_count; i++) {
        logical_type type = c->columns[i].type;
        arm_status s =
            vector_copy_rows(&c->columns[i], (uint32_t)c->row_count, &columns[i], sel, count, err);
        c->columns[i].type = type;
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
