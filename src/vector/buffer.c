/*
 * buffer.c: refcounted, 64-byte aligned byte buffers (see buffer.h). The
 * header and the data are one allocation so creating a buffer is one malloc.
 */
#include "vector/buffer.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

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

/* Large zeroed buffers come from mmap: the kernel hands out zero pages as they are touched. */
#define ZEROED_MMAP_MIN_BYTES (1u << 20)

static void unmap_data(buffer *b)
{
    munmap(b->data, b->capacity_bytes);
}

buffer *buffer_create_zeroed(size_t capacity_bytes)
{
    if (capacity_bytes < ZEROED_MMAP_MIN_BYTES) {
        buffer *b = buffer_create(capacity_bytes);
        if (b != NULL)
            memset(b->data, 0, capacity_bytes);
        return b;
    }
    buffer *b = buffer_create(0);
    if (b == NULL)
        return NULL;
    void *data =
        mmap(NULL, capacity_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (data == MAP_FAILED) {
        free(b);
        return NULL;
    }
    b->data = data;
    b->capacity_bytes = capacity_bytes;
    b->release_fn = unmap_data;
    return b;
}
