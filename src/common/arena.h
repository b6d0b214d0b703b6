/*
 * arena.h: bump allocators with lifetimes (statement, query, batch scratch).
 * Allocation is a pointer bump; everything is freed at once by reset/destroy.
 * An arena may be tied to a memory_budget so that a query's memory is bounded.
 */
#ifndef ARM_COMMON_ARENA_H
#define ARM_COMMON_ARENA_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "common/memory_budget.h"

typedef struct arena arena;

/*
 * Creates an arena whose blocks are at least `block_size_bytes` (0: 16 KiB).
 * `budget` may be NULL; when set, every block is charged to it and an
 * allocation that would exceed it fails (returns NULL). NULL on OOM.
 */
arena *arena_create(size_t block_size_bytes, memory_budget *budget);
void arena_destroy(arena *a); /* accepts NULL */

/* 16-byte aligned; NULL on out-of-memory or budget exhausted. Size 0 is allowed. */
void *arena_alloc(arena *a, size_t size_bytes);
void *arena_zalloc(arena *a, size_t size_bytes);
/* Copies `length` bytes and appends a NUL. */
char *arena_strndup(arena *a, const char *text, size_t length);
char *arena_strdup(arena *a, const char *text);
char *arena_printf(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Grows an array allocated in this arena (old contents copied; old block left in the arena). */
void *arena_realloc(arena *a, void *old, size_t old_size_bytes, size_t new_size_bytes);

/* Frees everything but keeps the first block for reuse. */
void arena_reset(arena *a);
/* Bytes handed out since creation or the last reset. */
size_t arena_bytes_used(const arena *a);

#endif
