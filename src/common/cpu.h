/*
 * cpu.h: which optional instructions code may use. Loops written for AVX2
 * ask cpu_avx2() at run time and keep a scalar loop for other CPUs; tests
 * turn AVX2 off to check that both give the same results.
 */
#ifndef ARM_COMMON_CPU_H
#define ARM_COMMON_CPU_H

#include <stdbool.h>

/* Whether AVX2 loops may run: the CPU has AVX2 and it was not turned off. */
bool cpu_avx2(void);

/* Turns the AVX2 loops off (false) or back on; returns whether the CPU has AVX2. */
bool cpu_allow_avx2(bool allowed);

#endif
