/*
 * function_internal.h: helpers shared by the scalar function families:
 * argument access (CONSTANT operands read row 0), result preparation, the
 * loop macros that generate typed kernels, and each family's registry.
 */
#ifndef ARM_EXEC_FUNCTION_INTERNAL_H
#define ARM_EXEC_FUNCTION_INTERNAL_H

#include "common/error.h"
#include "exec/expr.h"
#include "vector/cast.h"

/* Bit mask that maps a physical row to the operand's row: 0 for constants. */
static inline uint32_t arg_mask(const vector *v)
{
    return v->kind == VECTOR_CONSTANT ? 0 : ~0u;
}

static inline uint32_t rows_for(const uint32_t *sel, uint32_t count)
{
    return sel && count ? sel[count - 1] + 1 : count;
}

static inline arm_status prepare_result(vector *result, logical_type type, const uint32_t *sel,
                                        uint32_t count, arm_error *err)
{
    result->type = type;
    return vector_prepare_flat(result, rows_for(sel, count), err);
}

#define KERNEL_ARGS                                                                                \
    const expr *call, vector *const *args, const uint32_t *sel, uint32_t count, vector *result,    \
        arm_error *err

/*
 * A binary kernel: BODY reads x (TA) and y (TB) and writes r[row] (TR); it
 * may `return` an error. Runs a straight loop when there is no selection and
 * neither operand is constant.
 */
#define DEFINE_BINARY_KERNEL(NAME, TA, TB, TR, RESULT_TYPE, ...)                                   \
    static arm_status NAME(KERNEL_ARGS)                                                            \
    {                                                                                              \
        (void)call;                                                                                \
        arm_status s_ = prepare_result(result, RESULT_TYPE, sel, count, err);                      \
        if (s_ != ARM_OK)                                                                          \
            return s_;                                                                             \
        const TA *a_ = args[0]->data;                                                              \
        const TB *b_ = args[1]->data;                                                              \
        TR *r = result->data;                                                                      \
        uint32_t am_ = arg_mask(args[0]), bm_ = arg_mask(args[1]);                                 \
        if (sel == NULL && am_ && bm_) {                                                           \
            for (uint32_t row = 0; row < count; row++) {                                           \
                TA x = a_[row];                                                                    \
                TB y = b_[row];                                                                    \
                __VA_ARGS__                                                                        \
            }                                                                                      \
        } else {                                                                                   \
            for (uint32_t i_ = 0; i_ < count; i_++) {                                              \
                uint32_t row = sel ? sel[i_] : i_;                                                 \
                TA x = a_[row & am_];                                                              \
                TB y = b_[row & bm_];                                                              \
                __VA_ARGS__                                                                        \
            }                                                                                      \
        }                                                                                          \
        return ARM_OK;                                                                             \
    }

#define DEFINE_UNARY_KERNEL(NAME, TA, TR, RESULT_TYPE, ...)                                        \
    static arm_status NAME(KERNEL_ARGS)                                                            \
    {                                                                                              \
        (void)call;                                                                                \
        arm_status s_ = prepare_result(result, RESULT_TYPE, sel, count, err);                      \
        if (s_ != ARM_OK)                                                                          \
            return s_;                                                                             \
        const TA *a_ = args[0]->data;                                                              \
        TR *r = result->data;                                                                      \
        uint32_t am_ = arg_mask(args[0]);                                                          \
        for (uint32_t i_ = 0; i_ < count; i_++) {                                                  \
            uint32_t row = sel ? sel[i_] : i_;                                                     \
            TA x = a_[row & am_];                                                                  \
            __VA_ARGS__                                                                            \
        }                                                                                          \
        return ARM_OK;                                                                             \
    }

#define T_BOOL ((logical_type){TYPE_BOOLEAN, 0, 0})
#define T_I8 ((logical_type){TYPE_TINYINT, 0, 0})
#define T_I16 ((logical_type){TYPE_SMALLINT, 0, 0})
#define T_I32 ((logical_type){TYPE_INTEGER, 0, 0})
#define T_I64 ((logical_type){TYPE_BIGINT, 0, 0})
#define T_F32 ((logical_type){TYPE_REAL, 0, 0})
#define T_F64 ((logical_type){TYPE_DOUBLE, 0, 0})
#define T_STR ((logical_type){TYPE_VARCHAR, 0, 0})
#define T_BLOB ((logical_type){TYPE_BLOB, 0, 0})
#define T_DATE ((logical_type){TYPE_DATE, 0, 0})
#define T_TS ((logical_type){TYPE_TIMESTAMP, 0, 0})
#define T_IV ((logical_type){TYPE_INTERVAL, 0, 0})
#define T_DEC                                                                                      \
    ((logical_type){TYPE_DECIMAL, 0,                                                               \
                    0}) /* any DECIMAL: the argument keeps its own precision/scale */

/* Reads a DECIMAL cell as int128 whatever its storage width. */
static inline int128 decimal_at(const vector *v, uint32_t row)
{
    row &= arg_mask(v);
    return v->type.precision <= DECIMAL_INT64_MAX_PRECISION
               ? (int128)((const int64_t *)v->data)[row]
               : ((const int128 *)v->data)[row];
}

static inline void decimal_store(vector *v, uint32_t row, int128 x)
{
    if (v->type.precision <= DECIMAL_INT64_MAX_PRECISION)
        ((int64_t *)v->data)[row] = (int64_t)x;
    else
        ((int128 *)v->data)[row] = x;
}

int128 function_power10(unsigned n);

/* The families' overload tables. */
extern const scalar_function function_arith_table[];
extern const uint32_t function_arith_count;
extern const scalar_function function_string_table[];
extern const uint32_t function_string_count;
extern const scalar_function function_math_table[];
extern const uint32_t function_math_count;
extern const scalar_function function_date_table[];
extern const uint32_t function_date_count;

arm_status function_overflow(const expr *call, const char *type_name, arm_error *err);
arm_status function_division_by_zero(const expr *call, arm_error *err);

#endif
