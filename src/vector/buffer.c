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
#define POOL_STEPS 4 /* classes per power of two: 4/4, 5/4, 6/4 and 7/4 of it */
#define POOL_CLASSES ((POOL_MAX_SHIFT - POOL_MIN_SHIFT) * POOL_STEPS + 1)
#define POOL_MIN_BYTES ((size_t)256 << 20)
#define POOL_DECAY_SECONDS 10
#define POOL_FROM_SLAB 0x100u /* in pool_class: the block is a slab's (below) */

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
 * the thread closing it). Free lists are chained through pool_next;
 * `pool_bytes` bounds all stripes together.
 */
#define POOL_STRIPES 8

typedef struct pool_stripe {
    _Alignas(64) pthread_mutex_t lock; /* each stripe on its own cache lines */
    buffer *free[POOL_CLASSES];
    buffer *oldest[POOL_CLASSES]; /* each list's last (longest released) buffer, or NULL */
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

/* The header's bytes: the data starts this far into the allocation, aligned. */
#define HEADER_BYTES ((sizeof(buffer) + BUFFER_ALIGN - 1) & ~(size_t)(BUFFER_ALIGN - 1))

/*
 * Bytes of data a buffer of size class `c` holds: classes step by a quarter
 * of a power of two, so a block wastes at most a fifth of itself. Blocks
 * sit side by side in huge pages, so a block's unused tail is zeroed and
 * resident all the same: with one class per power of two, columns of
 * content-defined chunks (any length) took up to twice their bytes, and a
 * cold SELECT * of 10M rows peaked at 1.65 GB.
 */
static size_t class_bytes(int c)
{
    return (size_t)(POOL_STEPS + c % POOL_STEPS) << (c / POOL_STEPS + POOL_MIN_SHIFT - 2);
}

/* The size class of a pooled buffer. */
static int class_of(const buffer *b)
{
    return (int)(b->pool_class & ~POOL_FROM_SLAB) - 1;
}

/* The smallest size class of `data_bytes` of data or more, or -1 when it is not pooled. */
static int pool_class_of(size_t data_bytes)
{
    if (!POOL_ENABLED || data_bytes < ((size_t)1 << POOL_MIN_SHIFT) ||
        data_bytes > ((size_t)1 << POOL_MAX_SHIFT))
        return -1;
    int power = 63 - __builtin_clzll((unsigned long long)data_bytes); /* 2^power <= data_bytes */
    size_t quarter = (size_t)1 << (power - 2);
    int steps = (int)((data_bytes + quarter - 1) / quarter); /* 4 to 8 quarters */
    return (power - POOL_MIN_SHIFT) * POOL_STEPS + steps - POOL_STEPS;
}

/*
 * Pooled buffers are carved from slabs: SLAB_BYTES of address space on a
 * SLAB_BYTES boundary, marked for transparent huge pages. On these VMs first
 * touching memory costs ~17 us a 4 KB page but ~3 us a 4 KB share of a huge
 * page, and huge pages also spare the TLB when cached columns are scanned
 * (cold 10M runs, 1 thread: Q1 0.83-1.07 s -> 0.54 s, Q11 first run 292 ->
 * 55 ms). Where THP is off the madvise does nothing and pages are 4 KB.
 * Slab blocks are never freed: a block the pool cannot keep, or that decays,
 * is retired to its class's retired list, and a 2 MB region of a slab goes
 * back to the system (MADV_DONTNEED) once every block overlapping it is
 * retired. Giving back whole regions keeps the huge pages whole: giving back
 * a block's own pages split them, and the blocks then came back 4 KB at a
 * time (the full 10M cold suite ran at 1.12x instead of 2.11x). Classes above
 * SLAB_MAX_BLOCK come from malloc.
 */
#define SLAB_BYTES ((size_t)64 << 20)
#define SLAB_REGION ((size_t)2 << 20)
#define SLAB_REGIONS (SLAB_BYTES / SLAB_REGION)
#define SLAB_MAX_BLOCK (SLAB_BYTES / 8)

typedef struct slab {
    uint8_t *base;
    uint32_t live[SLAB_REGIONS]; /* blocks overlapping each region that are not retired */
} slab;

typedef struct retired_block {
    buffer *block; /* its header may be gone with its region's pages */
    slab *slab;
} retired_block;

/* All under slab_lock: the slab being carved, and per class the retired blocks. */
static pthread_mutex_t slab_lock = PTHREAD_MUTEX_INITIALIZER;
static slab *slab_current;
static uint8_t *slab_next;
static retired_block *retired[POOL_CLASSES];
static uint32_t retired_count[POOL_CLASSES], retired_capacity[POOL_CLASSES];

static size_t block_bytes(int c)
{
    return HEADER_BYTES + class_bytes(c);
}

/* Counts a block in (+1) or out (-1) of the regions it overlaps; gives back regions left empty. */
static void slab_count(slab *s, const buffer *b, int c, int delta)
{
    size_t first = (size_t)((const uint8_t *)b - s->base) / SLAB_REGION;
    size_t last = (size_t)((const uint8_t *)b + block_bytes(c) - 1 - s->base) / SLAB_REGION;
    for (size_t r = first; r <= last; r++) {
        s->live[r] = (uint32_t)((int64_t)s->live[r] + delta);
        if (s->live[r] == 0)
            madvise(s->base + r * SLAB_REGION, SLAB_REGION, MADV_DONTNEED);
    }
}

static slab *slab_create(void)
{
    slab *s = calloc(1, sizeof *s);
    uint8_t *map = s == NULL ? MAP_FAILED
                             : mmap(NULL, 2 * SLAB_BYTES, PROT_READ | PROT_WRITE,
                                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (map == MAP_FAILED) {
        free(s);
        return NULL;
    }
    uint8_t *base = (uint8_t *)(((uintptr_t)map + SLAB_BYTES - 1) & ~(SLAB_BYTES - 1));
    if (base > map)
        munmap(map, (size_t)(base - map));
    munmap(base + SLAB_BYTES, (size_t)(map + SLAB_BYTES - base));
#ifdef MADV_HUGEPAGE
    madvise(base, SLAB_BYTES, MADV_HUGEPAGE);
#endif
    s->base = base;
    return s;
}

/*
 * A block of class `c` with no header yet: a retired one (its regions counted
 * in again) or a new one from the current slab. NULL when the class is too
 * big for slabs or no address space is left.
 */
static buffer *slab_take(int c, slab **out)
{
    size_t bytes = block_bytes(c);
    if (bytes > SLAB_MAX_BLOCK)
        return NULL;
    pthread_mutex_lock(&slab_lock);
    buffer *b = NULL;
    if (retired_count[c] > 0) {
        retired_block r = retired[c][--retired_count[c]];
        b = r.block;
        *out = r.slab;
    } else {
        if (slab_current == NULL || (size_t)(slab_current->base + SLAB_BYTES - slab_next) < bytes) {
            slab *s = slab_create(); /* the old slab's tail stays unused */
            if (s != NULL) {
                slab_current = s;
                slab_next = s->base;
            }
        }
        if (slab_current != NULL &&
            (size_t)(slab_current->base + SLAB_BYTES - slab_next) >= bytes) {
            b = (buffer *)slab_next;
            slab_next += bytes;
            *out = slab_current;
        }
    }
    if (b != NULL)
        slab_count(*out, b, c, +1);
    pthread_mutex_unlock(&slab_lock);
    return b;
}

/* Retires a slab block of class `c` the pool does not keep. */
static void slab_retire(buffer *b, int c)
{
    slab *s = b->pool_slab;
    pthread_mutex_lock(&slab_lock);
    if (retired_count[c] == retired_capacity[c]) {
        uint32_t capacity = retired_capacity[c] ? retired_capacity[c] * 2 : 64;
        retired_block *grown = realloc(retired[c], capacity * sizeof *grown);
        if (grown == NULL) { /* the block stays counted in and unused */
            pthread_mutex_unlock(&slab_lock);
            return;
        }
        retired[c] = grown;
        retired_capacity[c] = capacity;
    }
    retired[c][retired_count[c]++] = (retired_block){b, s};
    slab_count(s, b, c, -1);
    pthread_mutex_unlock(&slab_lock);
}

/* A pooled block of class `c` whose memory is still ours, or NULL. */
static buffer *pool_take(int c)
{
    unsigned first = own_stripe();
    for (unsigned i = 0; i < POOL_STRIPES; i++) {
        pool_stripe *p = &pool[(first + i) % POOL_STRIPES];
        pthread_mutex_lock(&p->lock);
        buffer *b = p->free[c];
        if (b != NULL && (p->free[c] = b->pool_next) == NULL)
            p->oldest[c] = NULL;
        pthread_mutex_unlock(&p->lock);
        if (b != NULL) {
            atomic_fetch_sub_explicit(&pool_bytes, class_bytes(c), memory_order_relaxed);
            return b;
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
 * the second it was released); a list whose last buffer is young is not
 * walked.
 */
size_t buffer_pool_decay(int64_t now)
{
    for (unsigned i = 0; i < POOL_STRIPES; i++) {
        pool_stripe *p = &pool[i];
        for (int c = 0; c < POOL_CLASSES; c++) {
            pthread_mutex_lock(&p->lock);
            const buffer *last = p->oldest[c];
            buffer *old = NULL;
            if (last != NULL && (int64_t)last->size_bytes + POOL_DECAY_SECONDS <= now) {
                buffer **link = &p->free[c], *kept = NULL;
                while (*link != NULL && (int64_t)(*link)->size_bytes + POOL_DECAY_SECONDS > now) {
                    kept = *link;
                    link = &(*link)->pool_next;
                }
                old = *link;
                *link = NULL;
                p->oldest[c] = kept;
            }
            pthread_mutex_unlock(&p->lock);
            while (old != NULL) {
                buffer *next = old->pool_next;
                atomic_fetch_sub_explicit(&pool_bytes, class_bytes(c), memory_order_relaxed);
                if (old->pool_class & POOL_FROM_SLAB)
                    slab_retire(old, c);
                else
                    free(old);
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
    int c = class_of(b);
    size_t size = class_bytes(c);
    int64_t now = buffer_pool_now();
    pool_decay(now);
    if (atomic_fetch_add_explicit(&pool_bytes, size, memory_order_relaxed) + size > pool_limit()) {
        atomic_fetch_sub_explicit(&pool_bytes, size, memory_order_relaxed);
        return false;
    }
    pool_stripe *p = &pool[own_stripe()];
    b->size_bytes = (size_t)now;
    pthread_mutex_lock(&p->lock);
    b->pool_next = p->free[c];
    p->free[c] = b;
    if (b->pool_next == NULL)
        p->oldest[c] = b;
    pthread_mutex_unlock(&p->lock);
    return true;
}

buffer *buffer_create(size_t capacity_bytes)
{
    size_t data_bytes = data_bytes_of(capacity_bytes);
    if (data_bytes < capacity_bytes || HEADER_BYTES + data_bytes < data_bytes)
        return NULL;
    int c = pool_class_of(data_bytes);
    buffer *b = c >= 0 ? pool_take(c) : NULL;
    unsigned from_slab = b != NULL ? b->pool_class & POOL_FROM_SLAB : 0;
    slab *s = b != NULL ? b->pool_slab : NULL;
    if (b == NULL && c >= 0 && (b = slab_take(c, &s)) != NULL)
        from_slab = POOL_FROM_SLAB;
    if (b == NULL) {
        size_t bytes = c >= 0 ? class_bytes(c) : data_bytes ? data_bytes : BUFFER_ALIGN;
        b = aligned_alloc(BUFFER_ALIGN, HEADER_BYTES + bytes);
    }
    if (b == NULL)
        return NULL;
    atomic_init(&b->refcount, 1);
    b->size_bytes = 0;
    b->capacity_bytes = capacity_bytes;
    b->data = (unsigned char *)b + HEADER_BYTES;
    b->pool_next = NULL;
    b->pool_class = c >= 0 ? ((unsigned)c + 1) | from_slab : 0;
    b->pool_slab = from_slab ? s : NULL;
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
    if (b->pool_class != 0 && pool_give(b))
        return;
    if (b->pool_class & POOL_FROM_SLAB) /* a full pool: retired, not freed */
        slab_retire(b, class_of(b));
    else
        free(b);
}
