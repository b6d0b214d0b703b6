/*
 * function_math.c: math functions (abs, round, sqrt, ln, power, ...) on
 * doubles and decimals, greatest/least, with PostgreSQL's domain errors.
 */
#include <math.h>
#include <string.h>
#include <strings.h>

#include "exec/function_internal.h"

static arm_status domain_error(const expr *call, const char *sqlstate, const char *message,
                               arm_error *err)
{
    return error_set(err, ARM_ERROR_INVALID_INPUT, sqlstate, call->position, "%s", message);
}

DEFINE_UNARY_KERNEL(abs_i32, int32_t, int32_t, T_I32, {
    if (x == INT32_MIN)
        return function_overflow(call, "integer", err);
    r[row] = x < 0 ? -x : x;
})
DEFINE_UNARY_KERNEL(abs_i64, int64_t, int64_t, T_I64, {
    if (x == INT64_MIN)
        return function_overflow(call, "bigint", err);
    r[row] = x < 0 ? -x : x;
})
DEFINE_UNARY_KERNEL(abs_f64, double, double, T_F64, { r[row] = fabs(x); })
DEFINE_UNARY_KERNEL(sqrt_f64, double, double, T_F64, {
    if (x < 0)
        return domain_error(call, "2201F", "cannot take square root of a negative number", err);
    r[row] = sqrt(x);
})
DEFINE_UNARY_KERNEL(cbrt_f64, double, double, T_F64, { r[row] = cbrt(x); })
DEFINE_UNARY_KERNEL(ln_f64, double, double, T_F64, {
    if (x == 0)
        return domain_error(call, "2201E", "cannot take logarithm of zero", err);
    if (x < 0)
        return domain_error(call, "2201E", "cannot take logarithm of a negative number", err);
    r[row] = log(x);
})
DEFINE_UNARY_KERNEL(log10_f64, double, double, T_F64, {
    if (x == 0)
        return domain_error(call, "2201E", "cannot take logarithm of zero", err);
    if (x < 0)
        return domain_error(call, "2201E", "cannot take logarithm of a negative number", err);
    r[row] = log10(x);
})
DEFINE_UNARY_KERNEL(exp_f64, double, double, T_F64, {
    r[row] = exp(x);
    if (isinf(r[row]) && !isinf(x))
        return function_overflow(call, "value", err);
})
DEFINE_UNARY_KERNEL(floor_f64, double, double, T_F64, { r[row] = floor(x); })
DEFINE_UNARY_KERNEL(ceil_f64, double, double, T_F64, { r[row] = ceil(x); })
DEFINE_UNARY_KERNEL(trunc_f64, double, double, T_F64, { r[row] = trunc(x); })
DEFINE_UNARY_KERNEL(round_f64, double, double, T_F64, { r[row] = rint(x); })
DEFINE_UNARY_KERNEL(sign_f64, double, double, T_F64, { r[row] = (x > 0) - (x < 0); })
DEFINE_BINARY_KERNEL(round_f64_n, double, int32_t, double, T_F64, {
    double scale = pow(10.0, y);
    r[row] = isfinite(scale) && scale != 0 ? round(x * scale) / scale : x;
})
DEFINE_BINARY_KERNEL(power_f64, double, double, double, T_F64, {
    if (x == 0 && y < 0)
        return domain_error(call, "2201F", "zero raised to a negative power is undefined", err);
    if (x < 0 && floor(y) != y)
        return domain_error(call, "2201F",
                            "a negative number raised to a non-integer power yields a complex "
                            "result",
                            err);
    r[row] = pow(x, y);
})
DEFINE_BINARY_KERNEL(log_base_f64, double, double, double, T_F64, {
    if (x <= 0 || y <= 0)
        return domain_error(call, "2201E", "cannot take logarithm of a non-positive number", err);
    r[row] = log(y) / log(x);
})
DEFINE_BINARY_KERNEL(mod_i32, int32_t, int32_t, int32_t, T_I32, {
    if (y == 0)
        return function_division_by_zero(call, err);
    r[row] = y == -1 ? 0 : x % y;
})
DEFINE_BINARY_KERNEL(mod_i64, int64_t, int64_t, int64_t, T_I64, {
    if (y == 0)
        return function_division_by_zero(call, err);
    r[row] = y == -1 ? 0 : x % y;
})
DEFINE_BINARY_KERNEL(mod_f64, double, double, double, T_F64, {
    if (y == 0)
        return function_division_by_zero(call, err);
    r[row] = fmod(x, y);
})

static arm_status fn_pi(KERNEL_ARGS)
{
    (void)call, (void)args;
    value v = value_double(M_PI);
    (void)sel, (void)count;
    return vector_set_constant(result, &v, err);
}

/* ---- decimals: abs, round, floor, ceil keep the type --------------------- */

static arm_status bind_same_decimal(const scalar_function *fn, expr *call, arena *a, arm_error *err)
{
    (void)fn, (void)a, (void)err;
    call->type = call->u.function.args[0]->type;
    return ARM_OK;
}

/* round/trunc/floor/ceil give the scale they round to (PostgreSQL's numeric). */
static arm_status bind_rounded_decimal(const scalar_function *fn, expr *call, arena *a,
                                       arm_error *err)
{
    (void)fn, (void)a, (void)err;
    logical_type t = call->u.function.args[0]->type;
    int scale = 0;
    if (call->u.function.arg_count == 2) {
        const expr *digits = call->u.function.args[1];
        if (digits->kind != EXPR_CONSTANT || digits->u.constant.is_null) {
            call->type = t;
            return ARM_OK;
        }
        scale = (int)digits->u.constant.u.i64;
    }
    if (scale < 0)
        scale = 0;
    if (scale > t.scale)
        scale = t.scale;
    call->type = type_decimal(t.precision, (uint8_t)scale);
    return ARM_OK;
}

/* mode: 0 abs, 1 round half away, 2 floor, 3 ceil, 4 trunc; `digits` kept after the point. */
static arm_status decimal_round(KERNEL_ARGS, int mode)
{
    arm_status s = prepare_result(result, call->type, sel, count, err);
    int scale = args[0]->type.scale;
    bool has_digits = call->u.function.arg_count == 2;
    for (uint32_t i = 0; s == ARM_OK && i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        int128 x = decimal_at(args[0], row);
        if (mode == 0) {
            decimal_store(result, row, x < 0 ? -x : x);
            continue;
        }
        int digits = has_digits ? ((const int32_t *)args[1]->data)[row & arg_mask(args[1])] : 0;
        if (digits >= scale) {
            decimal_store(result, row, x / function_power10((unsigned)(scale - call->type.scale)));
            continue;
        }
        int drop = scale - digits;
        if (drop > 38) {
            decimal_store(result, row, 0);
            continue;
        }
        int128 unit = function_power10((unsigned)drop);
        int128 q = x / unit, rem = x % unit;
        if (mode == 1 && (rem * 2 >= unit || rem * 2 <= -unit))
            q += x < 0 ? -1 : 1;
        else if (mode == 2 && rem < 0)
            q -= 1;
        else if (mode == 3 && rem > 0)
            q += 1;
        int128 out = q * unit / function_power10((unsigned)(scale - call->type.scale));
        if (out >= function_power10(call->type.precision) ||
            out <= -function_power10(call->type.precision))
            return error_set(err, ARM_ERROR_OUT_OF_RANGE, "22003", call->position,
                             "numeric field overflow");
        decimal_store(result, row, out);
    }
    return s;
}

#define DEC_ROUND(NAME, MODE)                                                                      \
    static arm_status NAME(KERNEL_ARGS)                                                            \
    {                                                                                              \
        return decimal_round(call, args, sel, count, result, err, MODE);                           \
    }
DEC_ROUND(abs_dec, 0)
DEC_ROUND(round_dec, 1)
DEC_ROUND(floor_dec, 2)
DEC_ROUND(ceil_dec, 3)
DEC_ROUND(trunc_dec, 4)

/* greatest/least: NULL arguments are ignored; NULL only when all are NULL. */

static arm_status extreme_kernel(KERNEL_ARGS, int direction)
{
    arm_status s = prepare_result(result, call->type, sel, count, err);
    uint32_t n = call->u.function.arg_count;
    for (uint32_t i = 0; s == ARM_OK && i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        value best = value_null(call->type), v;
        for (uint32_t k = 0; k < n; k++) {
            vector_get_value(args[k], row, &v);
            if (!v.is_null && (best.is_null || value_compare(&v, &best) * direction > 0))
                best = v;
        }
        best.type = call->type;
        s = vector_set_value(result, row, &best, err);
    }
    return s;
}

static arm_status fn_greatest(KERNEL_ARGS)
{
    return extreme_kernel(call, args, sel, count, result, err, 1);
}

static arm_status fn_least(KERNEL_ARGS)
{
    return extreme_kernel(call, args, sel, count, result, err, -1);
}

static arm_status bind_extreme(const scalar_function *fn, expr *call, arena *a, arm_error *err)
{
    (void)fn, (void)a, (void)err;
    call->type = call->u.function.args[0]->type;
    return ARM_OK;
}

#define EXTREMES(NAME, K)                                                                          \
    {NAME, 1, true, {T_I64}, T_I64, FUNCTION_SPECIAL_NULLS, K, bind_extreme},                      \
        {NAME, 1, true, {T_F64}, T_F64, FUNCTION_SPECIAL_NULLS, K, bind_extreme},                  \
        {NAME, 1, true, {T_DEC}, T_DEC, FUNCTION_SPECIAL_NULLS, K, bind_extreme},                  \
        {NAME, 1, true, {T_STR}, T_STR, FUNCTION_SPECIAL_NULLS, K, bind_extreme},                  \
        {NAME, 1, true, {T_DATE}, T_DATE, FUNCTION_SPECIAL_NULLS, K, bind_extreme},                \
    {                                                                                              \
        NAME, 1, true, {T_TS}, T_TS, FUNCTION_SPECIAL_NULLS, K, bind_extreme                       \
    }

#define M1(NAME, A, R, K)                                                                          \
    {                                                                                              \
        NAME, 1, false, {A}, R, 0, K, NULL                                                         \
    }
#define M2(NAME, A, B, R, K)                                                                       \
    {                                                                                              \
        NAME, 2, false, {A, B}, R, 0, K, NULL                                                      \
    }
#define D1(NAME, K)                                                                                \
    {                                                                                              \
        NAME, 1, false, {T_DEC}, T_DEC, 0, K, bind_rounded_decimal                                 \
    }

const scalar_function function_math_table[] = {
    M1("abs", T_I32, T_I32, abs_i32),
    M1("abs", T_I64, T_I64, abs_i64),
    M1("abs", T_F64, T_F64, abs_f64),
    {"abs", 1, false, {T_DEC}, T_DEC, 0, abs_dec, bind_same_decimal},
    M1("sqrt", T_F64, T_F64, sqrt_f64),
    M1("cbrt", T_F64, T_F64, cbrt_f64),
    M1("ln", T_F64, T_F64, ln_f64),
    M1("log10", T_F64, T_F64, log10_f64),
    M1("log", T_F64, T_F64, log10_f64),
    M2("log", T_F64, T_F64, T_F64, log_base_f64),
    M1("exp", T_F64, T_F64, exp_f64),
    M1("floor", T_F64, T_F64, floor_f64),
    D1("floor", floor_dec),
    M1("ceil", T_F64, T_F64, ceil_f64),
    M1("ceiling", T_F64, T_F64, ceil_f64),
    D1("ceil", ceil_dec),
    D1("ceiling", ceil_dec),
    M1("trunc", T_F64, T_F64, trunc_f64),
    D1("trunc", trunc_dec),
    M1("round", T_F64, T_F64, round_f64),
    M2("round", T_F64, T_I32, T_F64, round_f64_n),
    D1("round", round_dec),
    {"round", 2, false, {T_DEC, T_I32}, T_DEC, 0, round_dec, bind_rounded_decimal},
    M1("sign", T_F64, T_F64, sign_f64),
    M2("power", T_F64, T_F64, T_F64, power_f64),
    M2("pow", T_F64, T_F64, T_F64, power_f64),
    M2("mod", T_I32, T_I32, T_I32, mod_i32),
    M2("mod", T_I64, T_I64, T_I64, mod_i64),
    M2("mod", T_F64, T_F64, T_F64, mod_f64),
    {"pi", 0, false, {T_F64}, T_F64, 0, fn_pi, NULL},
    EXTREMES("greatest", fn_greatest),
    EXTREMES("least", fn_least),
};
const uint32_t function_math_count = sizeof function_math_table / sizeof function_math_table[0];
