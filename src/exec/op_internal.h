/*
 * op_internal.h: helpers shared by operator implementations and the
 * executor: profiling clock, the modify operator's change count.
 */
#ifndef ARM_EXEC_OP_INTERNAL_H
#define ARM_EXEC_OP_INTERNAL_H

#include <time.h>

#include "exec/operator.h"

static inline uint64_t op_clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Rows inserted, updated or deleted by a PLAN_INSERT/UPDATE/DELETE operator. */
uint64_t op_modify_rows_changed(const op *o);

/* Calls fn on every expression held by `node` (not its children). */
void plan_node_for_each_expr(plan_node *node, void (*fn)(expr *e, void *context), void *context);

#endif
