/*
 * arena.c: a chunked bump allocator. Blocks grow geometrically; reset keeps
 * the first block so a per-batch or per-statement arena stops calling malloc
 * once warm (fresh pages cost ~10 us each on our machines).
 */
#include "common/arena.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct arena_block {
    struct arena_block *next;
    size_t capacity_bytes;
    size_t used_bytes;
    _Alignas(16) unsigned char data[];
} arena_block;

struct arena {
    arena_block *head; /* current block; older blocks follow */
    arena_block *first;
    size_t block_size_bytes;
    size_t total_used_bytes;
    memory_budget *budget;
};

#define ARENA_ALIGN 16

static arena_block *new_block(arena *a, size_t min_bytes)
{
    size_t capacity = a->block_size_bytes;
    if (a->head != NULL && a->head->capacity_bytes * 2 > capacity)
        capacity = a->head->capacity_bytes * 2;
    if (capacity > (size_t)64 << 20)
        capacity = (size_t)64 << 20;
    if (capacity < min_bytes)
        capacity = min_bytes;
    size_t total = sizeof(arena_block) + capacity;
    if (!memory_budget_reserve(a->budget, (int64_t)total))
        return NULL;
    arena_block *block = malloc(total);
    if (block == NULL) {
        memory_budget_release(a->budget, (int64_t)total);
        return NULL;
    }
    block->capacity_bytes = capacity;
    block->used_bytes = 0;
    block->next = a->head;
    a->head = block;
    return block;
}

arena *arena_create(size_t block_size_bytes, memory_budget *budget)
{
    arena *a = calloc(1, sizeof *a);
    if (a == NULL)
        return NULL;
    a->block_size_bytes = block_size_bytes ? block_size_bytes : 16384;
    a->budget = budget;
    a->first = new_block(a, 0);
    if (a->first == NULL) {
        free(a);
        return NULL;
    }
    return a;
}

void arena_destroy(arena *a)
{
    if (a == NULL)
        return;
    arena_block *block = a->head;
    while (block != NULL) {
        arena_block *next = block->next;
        memory_budget_release(a->budget, (int64_t)(sizeof(arena_block) + block->capacity_bytes));
        free(block);
        block = next;
    }
    free(a);
}

void *arena_alloc(arena *a, size_t size_bytes)
{
    size_t rounded = (size_bytes + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (rounded < size_bytes)
        return NULL;
    arena_block *block = a->head;
    if (block->capacity_bytes - block->used_bytes < rounded) {
        block = new_block(a, rounded);
        if (block == NULL)
            return NULL;
    }
    void *p = block->data + block->used_bytes;
    block->used_bytes += rounded;
    a->total_used_bytes += rounded;
    return p;
}

void *arena_zalloc(arena *a, size_t size_bytes)
{
    void *p = arena_alloc(a, size_bytes);
    if (p != NULL)
        memset(p, 0, size_bytes);
    return p;
}

char *arena_strndup(arena *a, const char *text, size_t length)
{
    char *p = arena_alloc(a, length + 1);
    if (p == NULL)
        return NULL;
    memcpy(p, text, length);
    p[length] = '\0';
    return p;
}

char *arena_strdup(arena *a, const char *text)
{
    return arena_strndup(a, text, strlen(text));
}

char *arena_printf(arena *a, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    int length = vsnprintf(NULL, 0, fmt, args);
    va_end(args);
    if (length < 0)
        return NULL;
    char *p = arena_alloc(a, (size_t)length + 1);
    if (p == NULL)
        return NULL;
    va_start(args, fmt);
    vsnprintf(p, (size_t)length + 1, fmt, args);
    va_end(args);
    return p;
}

void *arena_realloc(arena *a, void *old, size_t old_size_bytes, size_t new_size_bytes)
{
    if (new_size_bytes <= old_size_bytes)
        return old;
    void *p = arena_alloc(a, new_size_bytes);
    if (p != NULL && old != NULL)
        memcpy(p, old, old_size_bytes);
    return p;
}

void arena_reset(arena *a)
{
    arena_block *block = a->head;
    while (block != a->first) {
        arena_block *next = block->next;
        memory_budget_release(a->budget, (int64_t)(sizeof(arena_block) + block->capacity_bytes));
        free(block);
        block = next;
    }
    a->head = a->first;
    a->first->used_bytes = 0;
    a->first->next = NULL;
    a->total_used_bytes = 0;
}

size_t arena_bytes_used(const arena *a)
{
    return a->total_used_bytes;
}
