/*
 * buffer.c: refcounted, 64-byte aligned byte buffers (see buffer.h). The
 * header and the data are one allocation so creating a buffer is one malloc.
 */
#include "vector/buffer.h"

#include <stdlib.h>

#define BUFFER_ALIGN 64

buffer *buffer_create(size_t capacity_bytes)
{
    size_t header = (sizeof(buffer) + BUFFER_ALIGN - 1) & ~(size_t)(BUFFER_ALIGN - 1);
    size_t data_bytes = (capacity_bytes + BUFFER_ALIGN - 1) & ~(size_t)(BUFFER_ALIGN - 1);
    if (data_bytes < capacity_bytes || header + data_bytes < data_bytes)
        return NULL;
    buffer *b = aligned_alloc(BUFFER_ALIGN, header + (data_bytes ? data_bytes : BUFFER_ALIGN));
    if (b == NULL)
        return NULL;
    atomic_init(&b->refcount, 1);
    b->size_bytes = 0;
    b->capacity_bytes = capacity_bytes;
    b->data = (unsigned char *)b + header;
    b->release_fn = NULL;
    b->release_context = NULL;
    return b;
}

buffer *buffer_retain(buffer *b)
{
    if (b != NULL)
        atomic_fetch_add_explicit(&b->refcount, 1, memory_order_relaxed);
    return b;
}

void buffer_release(buffer *b)
{
    if (b == NULL)
        return;
    if (atomic_fetch_sub_explicit(&b->refcount, 1, memory_order_acq_rel) != 1)
        return;
    if (b->release_fn != NULL)
        b->release_fn(b);
    free(b);
}
