/* Tests for the arena allocator, the memory budget and error filling. */
#include "common/arena.h"
#include "common/error.h"
#include "harness.h"

#include <stdint.h>

static void test_arena_alignment_and_growth(void)
{
    arena *a = arena_create(64, NULL);
    CHECK(a != NULL);
    for (int i = 0; i < 1000; i++) {
        void *p = arena_alloc(a, (size_t)(i % 37) + 1);
        CHECK(p != NULL);
        CHECK(((uintptr_t)p & 15) == 0);
    }
    char *s = arena_printf(a, "%s-%d", "x", 42);
    CHECK_STR_EQ(s, "x-42");
    arena_reset(a);
    CHECK_INT_EQ(arena_bytes_used(a), 0);
    arena_destroy(a);
}

static void test_budget_limits_arena(void)
{
    memory_budget budget;
    memory_budget_init(&budget, 100000, NULL);
    arena *a = arena_create(1024, &budget);
    CHECK(a != NULL);
    CHECK(arena_alloc(a, 50000) != NULL);
    CHECK(arena_alloc(a, 80000) == NULL);
    arena_destroy(a);
    CHECK_INT_EQ(atomic_load(&budget.used_bytes), 0);
    arm_error err;
    arm_error_clear(&err);
    CHECK(memory_budget_reserve_or_error(&budget, 200000, "test", &err) == ARM_ERROR_MEMORY_LIMIT);
    CHECK_STR_EQ(err.sqlstate, "53200");
}

static void test_error_fields(void)
{
    arm_error err;
    arm_error_clear(&err);
    CHECK(error_set(&err, ARM_ERROR_NOT_FOUND, "42P01", 7, "table \"%s\" does not exist", "t") ==
          ARM_ERROR_NOT_FOUND);
    CHECK_STR_EQ(err.message, "table \"t\" does not exist");
    CHECK_STR_EQ(err.sqlstate, "42P01");
    CHECK_INT_EQ(err.position, 7);
    error_hint(&err, "did you mean \"%s\"?", "u");
    CHECK_STR_EQ(err.hint, "did you mean \"u\"?");
    CHECK(error_set(NULL, ARM_ERROR_IO, NULL, -1, "ignored") == ARM_ERROR_IO);
}

TEST_MAIN(test_arena_alignment_and_growth, test_budget_limits_arena, test_error_fields)
