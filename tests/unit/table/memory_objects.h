/*
 * memory_objects.h: an object store in memory for table-layer tests: puts
 * name bytes by SHA-256 and keep them, gets return copies and are counted.
 */
#ifndef ARM_TESTS_MEMORY_OBJECTS_H
#define ARM_TESTS_MEMORY_OBJECTS_H

#include <stdlib.h>
#include <string.h>

#include "store/object_store.h"
#include "table/table_store.h"

typedef struct memory_objects {
    uint8_t (*ids)[32];
    uint8_t **bytes;
    size_t *sizes;
    uint32_t count;
    uint64_t new_bytes;  /* bytes of puts that were not already there */
    uint64_t gets;       /* objects read, whole or in ranges */
    uint64_t bytes_read; /* by either */
} memory_objects;

static int find_object(const memory_objects *m, const uint8_t id[32])
{
    for (uint32_t i = 0; i < m->count; i++)
        if (memcmp(m->ids[i], id, 32) == 0)
            return (int)i;
    return -1;
}

static arm_status put(void *context, const uint8_t *data, size_t length, uint8_t id[32],
                      arm_error *err)
{
    (void)err;
    memory_objects *m = context;
    object_id_of(data, length, id);
    if (find_object(m, id) >= 0)
        return ARM_OK;
    m->ids = realloc(m->ids, (m->count + 1) * sizeof *m->ids);
    m->bytes = realloc(m->bytes, (m->count + 1) * sizeof *m->bytes);
    m->sizes = realloc(m->sizes, (m->count + 1) * sizeof *m->sizes);
    memcpy(m->ids[m->count], id, 32);
    m->bytes[m->count] = malloc(length ? length : 1);
    memcpy(m->bytes[m->count], data, length);
    m->sizes[m->count++] = length;
    m->new_bytes += length;
    return ARM_OK;
}

static arm_status get(void *context, const uint8_t id[32], uint8_t **data, size_t *length,
                      arm_error *err)
{
    memory_objects *m = context;
    int i = find_object(m, id);
    m->gets++;
    if (i < 0)
        return error_set(err, ARM_ERROR_CORRUPT, NULL, -1, "missing object");
    *data = malloc(m->sizes[i] ? m->sizes[i] : 1);
    memcpy(*data, m->bytes[i], m->sizes[i]);
    *length = m->sizes[i];
    m->bytes_read += m->sizes[i];
    return ARM_OK;
}

static arm_status read_ranges(void *context, const uint8_t id[32], uint64_t size,
                              const object_range *ranges, uint32_t count, arm_error *err)
{
    memory_objects *m = context;
    int i = find_object(m, id);
    m->gets++;
    if (i < 0 || m->sizes[i] != size)
        return error_set(err, ARM_ERROR_CORRUPT, NULL, -1, "missing object");
    for (uint32_t r = 0; r < count; r++) {
        if (ranges[r].offset > size || ranges[r].length > size - ranges[r].offset)
            return error_set(err, ARM_ERROR_CORRUPT, NULL, -1, "range outside the object");
        memcpy(ranges[r].into, m->bytes[i] + ranges[r].offset, ranges[r].length);
        m->bytes_read += ranges[r].length;
    }
    return ARM_OK;
}

static void free_objects(memory_objects *m)
{
    for (uint32_t i = 0; i < m->count; i++)
        free(m->bytes[i]);
    free(m->ids);
    free(m->bytes);
    free(m->sizes);
}

#endif
