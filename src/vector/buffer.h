/*
 * buffer.h: refcounted byte buffers, the storage under every vector.
 * A buffer is writable only while its refcount is 1; once shared (by the
 * cache, a batch, an Arrow export) it is immutable. Thread-safe refcounts.
 */
#ifndef ARM_VECTOR_BUFFER_H
#define ARM_VECTOR_BUFFER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct buffer buffer;

/* One allocation: the header, then the data, 64-byte aligned. */
struct buffer {
    _Atomic unsigned refcount;
    size_t size_bytes;     /* bytes in use, set by the writer */
    size_t capacity_bytes; /* bytes allocated */
    void *data;
    buffer *pool_next;      /* the next buffer on its free list while pooled (buffer.c) */
    unsigned pool_class;    /* 0, or 1 + the size class it goes back to (buffer.c) */
    struct slab *pool_slab; /* the slab a pooled block was carved from (buffer.c), or NULL */
};

/* A new buffer with refcount 1; NULL on out-of-memory. Contents uninitialized. */
buffer *buffer_create(size_t capacity_bytes);
/* The pool's clock: seconds, monotonic. */
int64_t buffer_pool_now(void);
/*
 * Frees the pooled buffers released POOL_DECAY_SECONDS (buffer.c) or more
 * before `now`; the pool does this itself about once a second as buffers
 * come and go. Returns the bytes still pooled (0 where the pool is off, as
 * under the sanitizers).
 */
size_t buffer_pool_decay(int64_t now);
buffer *buffer_retain(buffer *b); /* returns b; accepts NULL */
void buffer_release(buffer *b);   /* accepts NULL */
static inline bool buffer_is_unique(const buffer *b)
{
    return atomic_load_explicit(&((buffer *)b)->refcount, memory_order_acquire) == 1;
}

#endif
