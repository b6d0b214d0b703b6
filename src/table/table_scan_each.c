/*
 * table_scan_each.c: every row of a provider, batch by batch, on the
 * calling thread: what writers, savers and preloaders share.
 */
#include "table/table_provider.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"

arm_status table_scan_each(table_provider *t, table_batch_fn fn, void *context, arm_error *err)
{
    uint32_t n = t->column_count;
    uint32_t *ids = calloc(n + 1, sizeof *ids);
    if (ids == NULL)
        return error_out_of_memory(err);
    for (uint32_t i = 0; i < n; i++)
        ids[i] = i;
    table_scan_options options = {ids, n, NULL, 0, false};
    table_scan *scan = NULL;
    table_scan_local *local = NULL;
    batch b;
    memset(&b, 0, sizeof b);
    arm_status s = t->vtable->scan_begin(t, &options, &scan, err);
    if (s == ARM_OK)
        s = t->vtable->scan_local_create(scan, &local, err);
    if (s == ARM_OK)
        s = batch_init(&b, n, t->column_types, err);
    while (s == ARM_OK) {
        batch_reset(&b);
        if ((s = t->vtable->scan_next(scan, local, &b, err)) != ARM_OK || b.count == 0)
            break;
        s = fn(context, &b, err);
    }
    batch_dispose(&b);
    if (local != NULL)
        t->vtable->scan_local_destroy(local);
    if (scan != NULL)
        t->vtable->scan_end(scan);
    free(ids);
    return s;
}
