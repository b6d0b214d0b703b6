/*
 * thread_pool.h: a fixed set of worker threads that run tasks; the executor
 * runs one pipeline task per thread. One pool per database.
 */
#ifndef ARM_COMMON_THREAD_POOL_H
#define ARM_COMMON_THREAD_POOL_H

#include <stdint.h>

#include "armillaria.h"

typedef struct thread_pool thread_pool;

/* Starts `thread_count` workers (0: none; callers then run tasks inline). */
arm_status thread_pool_create(thread_pool **out, uint32_t thread_count, arm_error *err);
void thread_pool_destroy(thread_pool *pool); /* joins workers; accepts NULL */
uint32_t thread_pool_size(const thread_pool *pool);
/* Number of online CPU cores (the default for SET threads). */
uint32_t thread_pool_default_threads(void);

/*
 * Runs fn(context, i) for i in [0, task_count) on the pool and the calling
 * thread, and returns when all are done. Safe to call from several threads.
 */
void thread_pool_run(thread_pool *pool, uint32_t task_count, void (*fn)(void *context, uint32_t i),
                     void *context);

#endif
