/*
 * buffer.c: refcounted, 64-byte aligned byte buffers (see buffer.h). The
 * header and the data are one allocation so creating a buffer is one malloc.
 */
#include "vector/buffer.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define BUFFER_ALIGN 64

/*
 * Released buffers of 4 KB to 64 MB of data go to a pool, one free list per
 * power-of-two size class of their data, and are handed out again: a fresh
 * allocation comes from new pages (malloc gives freed memory back to the
 * system when a database closes), and the page faults and kernel zeroing
 * cost more than the work a cold scan does on them (a vector of 2048
 * BIGINTs is 16 KB; on the 2-vCPU VMs a fresh 4 KB page costs 8-17 us). A
 * class holds data of up to its size exactly, the header comes on top, so a
 * 16 KB vector does not take a 32 KB block. The pool keeps up to a quarter of
 * physical memory (at least POOL_MIN_BYTES), so a database opened again, or
 * columns decoded again after eviction, reuse pages already mapped; what
 * stays unused for POOL_DECAY_SECONDS is freed, checked at most once a second
 * as buffers come and go (jemalloc's decay works the same way). Sanitizer
 * builds skip the pool, so a use after release is still caught.
 */
#define POOL_MIN_SHIFT 12
#define POOL_MAX_SHIFT 26
#define POOL_CLASSES (POOL_MAX_SHIFT - POOL_MIN_SHIFT + 1)
#define POOL_MIN_BYTES ((size_t)256 << 20)
#define POOL_DECAY_SECONDS 10

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define POOL_ENABLED 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define POOL_ENABLED 0
#endif
#endif
#ifndef POOL_ENABLED
#define POOL_ENABLED 1
#endif

/*
 * The pool is striped so that threads decoding at once do not all meet on
 * one lock: a thread takes from and gives to its own stripe first (stripes
 * are handed out round-robin as threads first use the pool), and on a miss
 * looks through the others, since buffers are often released by another
 * thread than the one that takes them next (a database's cache is freed by
 * the thread closing it). Free lists are chained through release_context,
 * unused while a buffer is pooled; `pool_bytes` bounds all stripes together.
 */
#define POOL_STRIPES 8

typedef struct pool_stripe {
    _Alignas(64) pthread_mutex_t lock; /* each stripe on its own cache lines */
    buffer *free[POOL_CLASSES];
    buffer *purged[POOL_CLASSES]; /* slab blocks whose pages went back to the system */
} pool_stripe;

#define STRIPE_INIT                                                                                \
    {                                                                                              \
        .lock = PTHREAD_MUTEX_INITIALIZER                                                          \
    }
static pool_stripe pool[POOL_STRIPES] = {STRIPE_INIT, STRIPE_INIT, STRIPE_INIT, STRIPE_INIT,
                                         STRIPE_INIT, STRIPE_INIT, STRIPE_INIT, STRIPE_INIT};
static _Atomic size_t pool_bytes;
static _Atomic size_t pool_max_bytes;  /* 0: not yet computed */
static _Atomic int64_t pool_last_trim; /* second of the last decay check */
static _Atomic unsigned pool_next_stripe;
static _Thread_local unsigned pool_stripe_plus_one; /* 0: not yet chosen */

static unsigned own_stripe(void)
{
    if (pool_stripe_plus_one == 0)
        pool_stripe_plus_one =
            1 +
            atomic_fetch_add_explicit(&pool_next_stripe, 1, memory_order_relaxed) % POOL_STRIPES;
    return pool_stripe_plus_one - 1;
}

static size_t data_bytes_of(size_t capacity_bytes)
{
    return (capacity_bytes + BUFFER_ALIGN - 1) & ~(size_t)(BUFFER_ALIGN - 1);
}

/* The size class of `data_bytes` of data, or -1 when it is not pooled. */
static int pool_class_of(size_t data_bytes)
{
    if (!POOL_ENABLED || data_bytes < ((size_t)1 << POOL_MIN_SHIFT) ||
        data_bytes > ((size_t)1 << POOL_MAX_SHIFT))
        return -1;
    int shift = 64 - __builtin_clzll((unsigned long long)(data_bytes - 1));
    return shift - POOL_MIN_SHIFT;
}

/*
 * Pooled buffers are carved from slabs: SLAB_BYTES of address space on 2 MB
 * boundaries, marked for transparent huge pages. On these VMs first touching
 * memory costs ~17 us a 4 KB page but ~3 us a 4 KB share of a huge page, and
 * huge pages also spare the TLB when cached columns are scanned (cold 10M
 * runs, 1 thread: Q1 0.83-1.07 s -> 0.54 s, Q11 first run 292 -> 55 ms).
 * Where THP is off the madvise does nothing and pages are 4 KB, as before.
 * Slab blocks are never freed: a block the pool cannot keep, or that decays,
 * gives its pages back (MADV_DONTNEED) and waits on its class's purged list
 * to be handed out again, when its pages come back zeroed on first touch.
 * Classes above SLAB_MAX_BLOCK come from malloc.
 */
#define SLAB_BYTES ((size_t)64 << 20)
#define SLAB_ALIGN ((size_t)2 << 20)
#define SLAB_MAX_BLOCK (SLAB_BYTES / 8)
#define POOL_FROM_SLAB 0x100u /* in pool_class: the block is a slab's */

static pthread_mutex_t slab_lock = PTHREAD_MUTEX_INITIALIZER;
static uint8_t *slab_next, *slab_end;

/* A new block of `bytes` (a multiple of BUFFER_ALIGN) from the current slab; NULL when none. */
static buffer *slab_carve(size_t bytes)
{
    if (bytes > SLAB_MAX_BLOCK)
        return NULL;
    pthread_mutex_lock(&slab_lock);
    if (slab_next == NULL || (size_t)(slab_end - slab_next) < bytes) {
        uint8_t *map = mmap(NULL, SLAB_BYTES + SLAB_ALIGN, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (map == MAP_FAILED) {
            pthread_mutex_unlock(&slab_lock);
            return NULL;
        }
        uint8_t *start = (uint8_t *)(((uintptr_t)map + SLAB_ALIGN - 1) & ~(SLAB_ALIGN - 1));
        if (start > map)
            munmap(map, (size_t)(start - map));
        munmap(start + SLAB_BYTES, (size_t)(map + SLAB_ALIGN - start));
#ifdef MADV_HUGEPAGE
        madvise(start, SLAB_BYTES, MADV_HUGEPAGE);
#endif
        slab_next = start;
        slab_end = start + SLAB_BYTES;
    }
    buffer *b = (buffer *)slab_next;
    slab_next += bytes;
    pthread_mutex_unlock(&slab_lock);
    return b;
}

/* Gives the whole pages of a slab block's data back to the system (the header stays). */
static void slab_purge(buffer *b, int c)
{
    uintptr_t page = 4096;
    uintptr_t start = ((uintptr_t)b->data + page - 1) & ~(page - 1);
    uintptr_t end = ((uintptr_t)b->data + ((size_t)1 << (c + POOL_MIN_SHIFT))) & ~(page - 1);
    if (end > start)
        madvise((void *)start, end - start, MADV_DONTNEED);
}

/* Pushes a purged slab block on its class's purged list (this thread's stripe). */
static void pool_keep_purged(buffer *b, int c)
{
    pool_stripe *p = &pool[own_stripe()];
    pthread_mutex_lock(&p->lock);
    b->release_context = p->purged[c];
    p->purged[c] = b;
    pthread_mutex_unlock(&p->lock);
}

/* A pooled block of class `c`: one whose memory is still ours first, then a purged one. */
static buffer *pool_take(int c)
{
    unsigned first = own_stripe();
    for (int purged = 0; purged < 2; purged++) {
        for (unsigned i = 0; i < POOL_STRIPES; i++) {
            pool_stripe *p = &pool[(first + i) % POOL_STRIPES];
            buffer **list = purged ? &p->purged[c] : &p->free[c];
            pthread_mutex_lock(&p->lock);
            buffer *b = *list;
            if (b != NULL)
                *list = b->release_context;
            pthread_mutex_unlock(&p->lock);
            if (b != NULL) {
                if (!purged)
                    atomic_fetch_sub_explicit(&pool_bytes, (size_t)1 << (c + POOL_MIN_SHIFT),
                                              memory_order_relaxed);
                return b;
            }
        }
    }
    return NULL;
}

static size_t pool_limit(void)
{
    size_t max = atomic_load_explicit(&pool_max_bytes, memory_order_relaxed);
    if (max == 0) {
        long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
        max = pages > 0 && page > 0 ? (size_t)pages * (size_t)page / 4 : 0;
        if (max < POOL_MIN_BYTES)
            max = POOL_MIN_BYTES;
        atomic_store_explicit(&pool_max_bytes, max, memory_order_relaxed);
    }
    return max;
}

/*
 * Each free list is pushed and popped at its head, so it runs from newest to
 * oldest and the old ones are its tail (a pooled buffer's size_bytes holds
 * the second it was released).
 */
size_t buffer_pool_decay(int64_t now)
{
    for (unsigned i = 0; i < POOL_STRIPES; i++) {
        pool_stripe *p = &pool[i];
        for (int c = 0; c < POOL_CLASSES; c++) {
            pthread_mutex_lock(&p->lock);
            buffer **link = &p->free[c];
            while (*link != NULL && (int64_t)(*link)->size_bytes + POOL_DECAY_SECONDS > now)
                link = (buffer **)&(*link)->release_context;
            buffer *old = *link;
            *link = NULL;
            pthread_mutex_unlock(&p->lock);
            while (old != NULL) {
                buffer *next = old->release_context;
                atomic_fetch_sub_explicit(&pool_bytes, (size_t)1 << (c + POOL_MIN_SHIFT),
                                          memory_order_relaxed);
                if (old->pool_class & POOL_FROM_SLAB) {
                    slab_purge(old, c);
                    pool_keep_purged(old, c);
                } else {
                    free(old);
                }
                old = next;
            }
        }
    }
    return atomic_load_explicit(&pool_bytes, memory_order_relaxed);
}

int64_t buffer_pool_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &t);
    return (int64_t)t.tv_sec;
}

/* The decay pass, at most once a second (whichever thread first sees a new second). */
static void pool_decay(int64_t now)
{
    int64_t last = atomic_load_explicit(&pool_last_trim, memory_order_relaxed);
    if (now != last && atomic_compare_exchange_strong_explicit(
                           &pool_last_trim, &last, now, memory_order_relaxed, memory_order_relaxed))
        buffer_pool_decay(now);
}

/* Keeps `b` for reuse when there is room; false when the caller must free it. */
static bool pool_give(buffer *b)
{
    int c = (int)(b->pool_class & ~POOL_FROM_SLAB) - 1;
    size_t size = (size_t)1 << (c + POOL_MIN_SHIFT);
    int64_t now = buffer_pool_now();
    pool_decay(now);
    if (atomic_fetch_add_explicit(&pool_bytes, size, memory_order_relaxed) + size > pool_limit()) {
        atomic_fetch_sub_explicit(&pool_bytes, size, memory_order_relaxed);
        return false;
    }
    pool_stripe *p = &pool[own_stripe()];
    b->size_bytes = (size_t)now;
    pthread_mutex_lock(&p->lock);
    b->release_context = p->free[c];
    p->free[c] = b;
    pthread_mutex_unlock(&p->lock);
    return true;
}

buffer *buffer_create(size_t capacity_bytes)
{
    size_t header = (sizeof(buffer) + BUFFER_ALIGN - 1) & ~(size_t)(BUFFER_ALIGN - 1);
    size_t data_bytes = data_bytes_of(capacity_bytes);
    if (data_bytes < capacity_bytes || header + data_bytes < data_bytes)
        return NULL;
    int c = pool_class_of(data_bytes);
    buffer *b = c >= 0 ? pool_take(c) : NULL;
    unsigned from_slab = b != NULL ? b->pool_class & POOL_FROM_SLAB : 0;
    if (b == NULL && c >= 0 && (b = slab_carve(header + ((size_t)1 << (c + POOL_MIN_SHIFT)))))
        from_slab = POOL_FROM_SLAB;
    if (b == NULL)
        b = aligned_alloc(BUFFER_ALIGN,
                          header + (c >= 0 ? (size_t)1 << (c + POOL_MIN_SHIFT)
                                           : (data_bytes ? data_bytes : BUFFER_ALIGN)));
    if (b == NULL)
        return NULL;
    atomic_init(&b->refcount, 1);
    b->size_bytes = 0;
    b->capacity_bytes = capacity_bytes;
    b->data = (unsigned char *)b + header;
    b->release_fn = NULL;
    b->release_context = NULL;
    b->pool_class = c >= 0 ? ((unsigned)c + 1) | from_slab : 0;
    return b;
}

buffer *buffer_wrap(void *data, size_t size_bytes, void (*release_fn)(buffer *b),
                    void *release_context)
{
    buffer *b = buffer_create(0);
    if (b == NULL)
        return NULL;
    b->data = data;
    b->size_bytes = size_bytes;
    b->capacity_bytes = size_bytes;
    b->release_fn = release_fn;
    b->release_context = release_context;
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
    if (b->release_fn != NULL) {
        b->release_fn(b);
    } else if (b->pool_class != 0 && pool_give(b)) {
        return;
    } else if (b->pool_class & POOL_FROM_SLAB) { /* a full pool: the pages go, the block stays */
        int c = (int)(b->pool_class & ~POOL_FROM_SLAB) - 1;
        slab_purge(b, c);
        pool_keep_purged(b, c);
        return;
    }
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
    void *data =
        mmap(NULL, capacity_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (data == MAP_FAILED)
        return NULL;
    buffer *b = buffer_wrap(data, capacity_bytes, unmap_data, NULL);
    if (b == NULL) {
        munmap(data, capacity_bytes);
        return NULL;
    }
    b->size_bytes = 0;
    return b;
}
