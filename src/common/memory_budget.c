/*
 * memory_budget.c: byte accounting with limits, lock-free (compare-and-swap
 * on the counter) so that threads of one query charge it concurrently.
 */
#include "common/memory_budget.h"

#include "common/error.h"

void memory_budget_init(memory_budget *budget, int64_t limit_bytes, memory_budget *parent)
{
    atomic_store(&budget->used_bytes, 0);
    atomic_store(&budget->peak_bytes, 0);
    budget->limit_bytes = limit_bytes;
    budget->parent = parent;
}

static bool reserve_one(memory_budget *budget, int64_t bytes)
{
    int64_t used = atomic_load_explicit(&budget->used_bytes, memory_order_relaxed);
    for (;;) {
        int64_t next = used + bytes;
        if (budget->limit_bytes > 0 && bytes > 0 && next > budget->limit_bytes)
            return false;
        if (atomic_compare_exchange_weak(&budget->used_bytes, &used, next))
            break;
    }
    int64_t now = used + bytes;
    int64_t peak = atomic_load_explicit(&budget->peak_bytes, memory_order_relaxed);
    while (now > peak && !atomic_compare_exchange_weak(&budget->peak_bytes, &peak, now)) {
    }
    return true;
}

bool memory_budget_reserve(memory_budget *budget, int64_t bytes)
{
    if (budget == NULL)
        return true;
    if (!reserve_one(budget, bytes))
        return false;
    if (!memory_budget_reserve(budget->parent, bytes)) {
        atomic_fetch_sub(&budget->used_bytes, bytes);
        return false;
    }
    return true;
}

void memory_budget_release(memory_budget *budget, int64_t bytes)
{
    for (; budget != NULL; budget = budget->parent)
        atomic_fetch_sub(&budget->used_bytes, bytes);
}

static const memory_budget *find_exhausted(const memory_budget *budget, int64_t bytes)
{
    for (; budget != NULL; budget = budget->parent) {
        if (budget->limit_bytes > 0 &&
            atomic_load(&budget->used_bytes) + bytes > budget->limit_bytes)
            return budget;
    }
    return NULL;
}

arm_status memory_budget_reserve_or_error(memory_budget *budget, int64_t bytes, const char *what,
                                          arm_error *err)
{
    if (memory_budget_reserve(budget, bytes))
        return ARM_OK;
    const memory_budget *full = find_exhausted(budget, bytes);
    int64_t limit = full ? full->limit_bytes : 0;
    error_set(err, ARM_ERROR_MEMORY_LIMIT, NULL, -1,
              "query needs more memory than memory_limit (%.1f MiB) allows", limit / 1048576.0);
    error_detail(err, "%s asked for %lld more bytes", what, (long long)bytes);
    error_hint(err, "Raise the limit with SET memory_limit = '4GB', or reduce what the query keeps "
                    "in memory (fewer groups, a smaller join build side).");
    return ARM_ERROR_MEMORY_LIMIT;
}
