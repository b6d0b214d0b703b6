/*
 * op.c: helpers every operator uses: the interrupt check.
 */
#include "common/error.h"
#include "exec/operator.h"

arm_status op_check_interrupt(const query_context *ctx, arm_error *err)
{
    if (ctx->interrupt != NULL && atomic_load_explicit(ctx->interrupt, memory_order_relaxed))
        return error_set(err, ARM_ERROR_INTERRUPTED, "57014", -1,
                         "canceling statement due to user request");
    return ARM_OK;
}
