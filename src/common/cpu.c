/*
 * cpu.c: the CPU's optional instructions, asked once per call through the
 * compiler's cached CPU model (a load and a test), and the tests' switch.
 */
#include "common/cpu.h"

#include <stdatomic.h>

static _Atomic bool avx2_off;

static bool cpu_has_avx2(void)
{
#if defined(__x86_64__)
    return __builtin_cpu_supports("avx2");
#else
    return false;
#endif
}

bool cpu_avx2(void)
{
    return cpu_has_avx2() && !atomic_load_explicit(&avx2_off, memory_order_relaxed);
}

bool cpu_allow_avx2(bool allowed)
{
    atomic_store(&avx2_off, !allowed);
    return cpu_has_avx2();
}
