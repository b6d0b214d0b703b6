/*
 * memory_budget.h: a byte counter with a limit, shared by everything a query
 * allocates (arenas, hash tables, sort runs). Reserving past the limit fails,
 * which the caller turns into ARM_ERROR_MEMORY_LIMIT. Thread-safe.
 */
#ifndef ARM_COMMON_MEMORY_BUDGET_H
#define ARM_COMMON_MEMORY_BUDGET_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "armillaria.h"

typedef struct memory_budget {
    _Atomic int64_t used_bytes;
    _Atomic int64_t peak_bytes;
    int64_t limit_bytes;          /* <= 0: unlimited */
    struct memory_budget *parent; /* charged too (query -> database); may be NULL */
} memory_budget;

void memory_budget_init(memory_budget *budget, int64_t limit_bytes, memory_budget *parent);
/* False (nothing reserved) when this budget or a parent would go past its limit. */
bool memory_budget_reserve(memory_budget *budget, int64_t bytes);
void memory_budget_release(memory_budget *budget, int64_t bytes);
/* Reserves or fills `err` with ARM_ERROR_MEMORY_LIMIT naming the limit and what asked. */
arm_status memory_budget_reserve_or_error(memory_budget *budget, int64_t bytes, const char *what,
                                          arm_error *err);

#endif
