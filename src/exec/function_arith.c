/*
 * function_arith.c: arithmetic and comparison operators on every type, with
 * PostgreSQL's checks: integer overflow and division by zero are errors.
 * Kernels are generated per type by the loop macros of function_internal.h.
 */
#include <math.h>
#include <string.h>

#include "exec/function_internal.h"

/* ---- integer and float arithmetic --------------------------------------- */

#define INT_ARITH(SUFFIX, T, TYPE, NAME_TEXT)                                                      \
    DEFINE_BINARY_KERNEL(add_##SUFFIX, T, T, T, TYPE, {                                            \
        if (__builtin_add_overflow(x, y, &r[row]))                                                 \
            return function_overflow(call, NAME_TEXT, err);                                        \
    })                                                                                             \
    DEFINE_BINARY_KERNEL(sub_##SUFFIX, T, T, T, TYPE, {                                            \
        if (__builtin_sub_overflow(x, y, &r[row]))                                                 \
            return function_overflow(call, NAME_TEXT, err);                                        \
    })                                                                                             \
    DEFINE_BINARY_KERNEL(mul_##SUFFIX, T, T, T, TYPE, {                                            \
        if (__builtin_mul_overflow(x, y, &r[row]))                                                 \
            return function_overflow(call, NAME_TEXT, err);                                        \
    })                                                                                             \
    DEFINE_BINARY_KERNEL(div_##SUFFIX, T, T, T, TYPE, {                                            \
        if (y == 0)                                                                                \
            return function_division_by_zero(call, err);                                           \
        if (y == -1) {                                                                             \
            if (__builtin_sub_overflow((T)0, x, &r[row]))                                          \
                return function_overflow(call, NAME_TEXT, err);                                    \
        } else {                                                                                   \
            r[row] = (T)(x / y);                                                                   \
        }                                                                                          \
    })                                                                                             \
    DEFINE_BINARY_KERNEL(mod_##SUFFIX, T, T, T, TYPE, {                                            \
        if (y == 0)                                                                                \
            return function_division_by_zero(call, err);                                           \
        r[row] = y == -1 ? 0 : (T)(x % y);                                                         \
    })                                                                                             \
    DEFINE_UNARY_KERNEL(neg_##SUFFIX, T, T, TYPE, {                                                \
        if (__builtin_sub_overflow((T)0, x, &r[row]))                                              \
            return function_overflow(call, NAME_TEXT, err);                                        \
    })

INT_ARITH(i8, int8_t, T_I8, "tinyint")
INT_ARITH(i16, int16_t, T_I16, "smallint")
INT_ARITH(i32, int32_t, T_I32, "integer")
INT_ARITH(i64, int64_t, T_I64, "bigint")

static arm_status float_out_of_range(const expr *call, bool is_overflow, arm_error *err)
{
    return error_set(err, ARM_ERROR_OUT_OF_RANGE, "22003", call ? call->position : -1,
                     "value out of range: %s", is_overflow ? "overflow" : "underflow");
}

/* PostgreSQL's float checks: an infinite result from finite inputs overflows. */
#define FLOAT_CHECK_OVERFLOW(RESULT, X, Y)                                                         \
    if (__builtin_expect(isinf(RESULT), 0) && !isinf(X) && !isinf(Y))                              \
        return float_out_of_range(call, true, err);

#define FLOAT_ARITH(SUFFIX, T, TYPE)                                                               \
    DEFINE_BINARY_KERNEL(add_##SUFFIX, T, T, T, TYPE, {                                            \
        r[row] = x + y;                                                                            \
        FLOAT_CHECK_OVERFLOW(r[row], x, y)                                                         \
    })                                                                                             \
    DEFINE_BINARY_KERNEL(sub_##SUFFIX, T, T, T, TYPE, {                                            \
        r[row] = x - y;                                                                            \
        FLOAT_CHECK_OVERFLOW(r[row], x, y)                                                         \
    })                                                                                             \
    DEFINE_BINARY_KERNEL(mul_##SUFFIX, T, T, T, TYPE, {                                            \
        r[row] = x * y;                                                                            \
        FLOAT_CHECK_OVERFLOW(r[row], x, y)                                                         \
        if (__builtin_expect(r[row] == 0, 0) && x != 0 && y != 0)                                  \
            return float_out_of_range(call, false, err);                                           \
    })                                                                                             \
    DEFINE_BINARY_KERNEL(div_##SUFFIX, T, T, T, TYPE, {                                            \
        if (y == 0)                                                                                \
            return function_division_by_zero(call, err);                                           \
        r[row] = x / y;                                                                            \
        FLOAT_CHECK_OVERFLOW(r[row], x, y)                                                         \
        if (__builtin_expect(r[row] == 0, 0) && x != 0 && !isinf(y))                               \
            return float_out_of_range(call, false, err);                                           \
    })                                                                                             \
    DEFINE_BINARY_KERNEL(mod_##SUFFIX, T, T, T, TYPE, {                                            \
        if (y == 0)                                                                                \
            return function_division_by_zero(call, err);                                           \
        r[row] = (T)fmod(x, y);                                                                    \
    })                                                                                             \
    DEFINE_UNARY_KERNEL(neg_##SUFFIX, T, T, TYPE, { r[row] = -x; })

FLOAT_ARITH(f32, float, T_F32)
FLOAT_ARITH(f64, double, T_F64)

/* ---- decimal arithmetic (int128 internally) -------------------------------- */

static arm_status decimal_overflow(const expr *call, arm_error *err)
{
    return error_set(err, ARM_ERROR_OUT_OF_RANGE, "22003", call->position,
                     "numeric field overflow");
}

static arm_status bind_decimal_add(const scalar_function *fn, expr *call, arena *a, arm_error *err)
{
    (void)fn, (void)a, (void)err;
    logical_type x = call->u.function.args[0]->type, y = call->u.function.args[1]->type;
    unsigned scale = x.scale > y.scale ? x.scale : y.scale;
    unsigned whole = (unsigned)(x.precision - x.scale) > (unsigned)(y.precision - y.scale)
                         ? (unsigned)(x.precision - x.scale)
                         : (unsigned)(y.precision - y.scale);
    unsigned precision = whole + scale + 1;
    call->type = type_decimal((uint8_t)(precision > 38 ? 38 : precision), (uint8_t)scale);
    return ARM_OK;
}

static arm_status bind_decimal_mul(const scalar_function *fn, expr *call, arena *a, arm_error *err)
{
    (void)fn, (void)a;
    logical_type x = call->u.function.args[0]->type, y = call->u.function.args[1]->type;
    unsigned scale = x.scale + y.scale, precision = x.precision + y.precision;
    if (scale > 38)
        return error_set(err, ARM_ERROR_OUT_OF_RANGE, "22003", call->position,
                         "numeric result scale too large");
    call->type = type_decimal((uint8_t)(precision > 38 ? 38 : precision), (uint8_t)scale);
    return ARM_OK;
}

static arm_status bind_decimal_div(const scalar_function *fn, expr *call, arena *a, arm_error *err)
{
    (void)fn, (void)a, (void)err;
    logical_type x = call->u.function.args[0]->type, y = call->u.function.args[1]->type;
    unsigned scale = x.scale > y.scale ? x.scale : y.scale;
    if (scale < 6)
        scale = 6;
    call->type = type_decimal(38, (uint8_t)scale);
    return ARM_OK;
}

static arm_status bind_decimal_same(const scalar_function *fn, expr *call, arena *a, arm_error *err)
{
    (void)fn, (void)a, (void)err;
    call->type = call->u.function.args[0]->type;
    return ARM_OK;
}

static arm_status decimal_binary(KERNEL_ARGS, char op)
{
    logical_type rt = call->type;
    arm_status s = prepare_result(result, rt, sel, count, err);
    if (s != ARM_OK)
        return s;
    const vector *va = args[0], *vb = args[1];
    int sa = va->type.scale, sb = vb->type.scale;
    int128 limit = function_power10(rt.precision);
    for (uint32_t i = 0; i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        int128 x = decimal_at(va, row), y = decimal_at(vb, row), r;
        switch (op) {
        case '+':
        case '-':
            x *= function_power10((unsigned)(rt.scale - sa));
            y *= function_power10((unsigned)(rt.scale - sb));
            if (op == '+' ? __builtin_add_overflow(x, y, &r) : __builtin_sub_overflow(x, y, &r))
                return decimal_overflow(call, err);
            break;
        case '*':
            if (__builtin_mul_overflow(x, y, &r))
                return decimal_overflow(call, err);
            break;
        default: { /* '/': x / y at result scale, rounded half away from zero */
            if (y == 0)
                return function_division_by_zero(call, err);
            int shift = rt.scale + sb - sa;
            int128 num;
            if (shift < 0 || shift > 38 ||
                __builtin_mul_overflow(x, function_power10((unsigned)shift) * 10, &num))
                return decimal_overflow(call, err);
            int128 q = num / y;
            r = (q + (q >= 0 ? 5 : -5)) / 10;
            break;
        }
        }
        if (r >= limit || r <= -limit)
            return decimal_overflow(call, err);
        decimal_store(result, row, r);
    }
    return ARM_OK;
}

static arm_status add_dec(KERNEL_ARGS)
{
    return decimal_binary(call, args, sel, count, result, err, '+');
}
static arm_status sub_dec(KERNEL_ARGS)
{
    return decimal_binary(call, args, sel, count, result, err, '-');
}
static arm_status mul_dec(KERNEL_ARGS)
{
    return decimal_binary(call, args, sel, count, result, err, '*');
}
static arm_status div_dec(KERNEL_ARGS)
{
    return decimal_binary(call, args, sel, count, result, err, '/');
}

/* x % y at the larger scale (both operands rescaled), sign of x, as PostgreSQL. */
static arm_status mod_dec(KERNEL_ARGS)
{
    arm_status s = prepare_result(result, call->type, sel, count, err);
    if (s != ARM_OK)
        return s;
    int scale = call->type.scale, sa = args[0]->type.scale, sb = args[1]->type.scale;
    int128 fa = function_power10((unsigned)(scale - sa)),
           fb = function_power10((unsigned)(scale - sb));
    for (uint32_t i = 0; i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        int128 x = decimal_at(args[0], row), y = decimal_at(args[1], row);
        if (y == 0)
            return function_division_by_zero(call, err);
        if (__builtin_mul_overflow(x, fa, &x) || __builtin_mul_overflow(y, fb, &y))
            return decimal_overflow(call, err);
        decimal_store(result, row, x % y);
    }
    return ARM_OK;
}

static arm_status neg_dec(KERNEL_ARGS)
{
    arm_status s = prepare_result(result, call->type, sel, count, err);
    if (s != ARM_OK)
        return s;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        decimal_store(result, row, -decimal_at(args[0], row));
    }
    return ARM_OK;
}

/* ---- date and time arithmetic ------------------------------------------- */

#define MICROS_PER_DAY 86400000000LL

/* Out of the TIMESTAMP range the kernels have no way to report, so they give the epoch. */
static int64_t timestamp_plus_interval(int64_t ts, interval_value iv, int sign)
{
    interval_value signed_iv = {sign * iv.months, sign * iv.days, sign * iv.micros};
    int64_t result = 0;
    (void)timestamp_add_interval(&result, ts, signed_iv);
    return result;
}

/* interval * factor the way PostgreSQL's interval_mul spills fractions downward. */
static interval_value interval_scale(interval_value x, double factor)
{
    interval_value r;
    double months = x.months * factor;
    r.months = (int32_t)months;
    double days = x.days * factor + (months - r.months) * 30;
    r.days = (int32_t)days;
    r.micros =
        (int64_t)llround((double)x.micros * factor + (days - r.days) * (double)MICROS_PER_DAY);
    return r;
}

DEFINE_BINARY_KERNEL(date_plus_int, int32_t, int32_t, int32_t, T_DATE, { r[row] = x + y; })
DEFINE_BINARY_KERNEL(int_plus_date, int32_t, int32_t, int32_t, T_DATE, { r[row] = x + y; })
DEFINE_BINARY_KERNEL(date_minus_int, int32_t, int32_t, int32_t, T_DATE, { r[row] = x - y; })
DEFINE_BINARY_KERNEL(date_minus_date, int32_t, int32_t, int32_t, T_I32, { r[row] = x - y; })
DEFINE_BINARY_KERNEL(ts_plus_iv, int64_t, interval_value, int64_t, T_TS,
                     { r[row] = timestamp_plus_interval(x, y, 1); })
DEFINE_BINARY_KERNEL(ts_minus_iv, int64_t, interval_value, int64_t, T_TS,
                     { r[row] = timestamp_plus_interval(x, y, -1); })
DEFINE_BINARY_KERNEL(iv_plus_ts, interval_value, int64_t, int64_t, T_TS,
                     { r[row] = timestamp_plus_interval(y, x, 1); })
DEFINE_BINARY_KERNEL(date_plus_iv, int32_t, interval_value, int64_t, T_TS,
                     { r[row] = timestamp_plus_interval((int64_t)x * MICROS_PER_DAY, y, 1); })
DEFINE_BINARY_KERNEL(date_minus_iv, int32_t, interval_value, int64_t, T_TS,
                     { r[row] = timestamp_plus_interval((int64_t)x * MICROS_PER_DAY, y, -1); })
DEFINE_BINARY_KERNEL(ts_minus_ts, int64_t, int64_t, interval_value, T_IV, {
    int64_t diff = x - y;
    r[row].months = 0;
    r[row].days = (int32_t)(diff / MICROS_PER_DAY);
    r[row].micros = diff % MICROS_PER_DAY;
})
DEFINE_BINARY_KERNEL(iv_plus_iv, interval_value, interval_value, interval_value, T_IV, {
    r[row].months = x.months + y.months;
    r[row].days = x.days + y.days;
    r[row].micros = x.micros + y.micros;
})
DEFINE_BINARY_KERNEL(iv_minus_iv, interval_value, interval_value, interval_value, T_IV, {
    r[row].months = x.months - y.months;
    r[row].days = x.days - y.days;
    r[row].micros = x.micros - y.micros;
})
DEFINE_BINARY_KERNEL(iv_times_f64, interval_value, double, interval_value, T_IV,
                     { r[row] = interval_scale(x, y); })
DEFINE_BINARY_KERNEL(f64_times_iv, double, interval_value, interval_value, T_IV,
                     { r[row] = interval_scale(y, x); })
DEFINE_BINARY_KERNEL(iv_div_f64, interval_value, double, interval_value, T_IV, {
    if (y == 0)
        return function_division_by_zero(call, err);
    r[row] = interval_scale(x, 1.0 / y);
})
DEFINE_UNARY_KERNEL(neg_iv, interval_value, interval_value, T_IV, {
    r[row].months = -x.months;
    r[row].days = -x.days;
    r[row].micros = -x.micros;
})

/* ---- comparisons --------------------------------------------------------- */

#define COMPARISONS(SUFFIX, T)                                                                     \
    DEFINE_BINARY_KERNEL(eq_##SUFFIX, T, T, uint8_t, T_BOOL, { r[row] = x == y; })                 \
    DEFINE_BINARY_KERNEL(ne_##SUFFIX, T, T, uint8_t, T_BOOL, { r[row] = x != y; })                 \
    DEFINE_BINARY_KERNEL(lt_##SUFFIX, T, T, uint8_t, T_BOOL, { r[row] = x < y; })                  \
    DEFINE_BINARY_KERNEL(le_##SUFFIX, T, T, uint8_t, T_BOOL, { r[row] = x <= y; })                 \
    DEFINE_BINARY_KERNEL(gt_##SUFFIX, T, T, uint8_t, T_BOOL, { r[row] = x > y; })                  \
    DEFINE_BINARY_KERNEL(ge_##SUFFIX, T, T, uint8_t, T_BOOL, { r[row] = x >= y; })

COMPARISONS(u8, uint8_t)
COMPARISONS(i8, int8_t)
COMPARISONS(i16, int16_t)
COMPARISONS(i32, int32_t)
COMPARISONS(i64, int64_t)
COMPARISONS(f32, float)
COMPARISONS(f64, double)

static inline int compare_strings(const string_view *a, const string_view *b)
{
    /* Prefixes decide most comparisons without following pointers. */
    uint32_t pa, pb;
    memcpy(&pa, a->u.inlined, 4);
    memcpy(&pb, b->u.inlined, 4);
    if (pa != pb) {
        pa = __builtin_bswap32(pa);
        pb = __builtin_bswap32(pb);
        uint32_t min_length = a->length < b->length ? a->length : b->length;
        if (min_length >= 4)
            return pa < pb ? -1 : 1;
    }
    return string_view_compare(a, b);
}

DEFINE_BINARY_KERNEL(eq_str, string_view, string_view, uint8_t, T_BOOL,
                     { r[row] = string_view_equal(&x, &y); })
DEFINE_BINARY_KERNEL(ne_str, string_view, string_view, uint8_t, T_BOOL,
                     { r[row] = !string_view_equal(&x, &y); })
DEFINE_BINARY_KERNEL(lt_str, string_view, string_view, uint8_t, T_BOOL,
                     { r[row] = compare_strings(&x, &y) < 0; })
DEFINE_BINARY_KERNEL(le_str, string_view, string_view, uint8_t, T_BOOL,
                     { r[row] = compare_strings(&x, &y) <= 0; })
DEFINE_BINARY_KERNEL(gt_str, string_view, string_view, uint8_t, T_BOOL,
                     { r[row] = compare_strings(&x, &y) > 0; })
DEFINE_BINARY_KERNEL(ge_str, string_view, string_view, uint8_t, T_BOOL,
                     { r[row] = compare_strings(&x, &y) >= 0; })

static inline int128 interval_span(interval_value v)
{
    return (int128)v.months * 30 * MICROS_PER_DAY + (int128)v.days * MICROS_PER_DAY + v.micros;
}

#define IV_CMP(NAME, OP)                                                                           \
    DEFINE_BINARY_KERNEL(NAME, interval_value, interval_value, uint8_t, T_BOOL,                    \
                         { r[row] = interval_span(x) OP interval_span(y); })
IV_CMP(eq_iv, ==)
IV_CMP(ne_iv, !=)
IV_CMP(lt_iv, <)
IV_CMP(le_iv, <=)
IV_CMP(gt_iv, >)
IV_CMP(ge_iv, >=)

static arm_status decimal_compare(KERNEL_ARGS, int op)
{
    arm_status s = prepare_result(result, T_BOOL, sel, count, err);
    if (s != ARM_OK)
        return s;
    (void)call;
    uint8_t *r = result->data;
    int sa = args[0]->type.scale, sb = args[1]->type.scale;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        int128 x = decimal_at(args[0], row), y = decimal_at(args[1], row);
        if (sa < sb)
            x *= function_power10((unsigned)(sb - sa));
        else if (sb < sa)
            y *= function_power10((unsigned)(sa - sb));
        int c = (x > y) - (x < y);
        switch (op) {
        case 0: r[row] = c == 0; break;
        case 1: r[row] = c != 0; break;
        case 2: r[row] = c < 0; break;
        case 3: r[row] = c <= 0; break;
        case 4: r[row] = c > 0; break;
        default: r[row] = c >= 0; break;
        }
    }
    return ARM_OK;
}

#define DEC_CMP(NAME, OP)                                                                          \
    static arm_status NAME(KERNEL_ARGS)                                                            \
    {                                                                                              \
        return decimal_compare(call, args, sel, count, result, err, OP);                           \
    }
DEC_CMP(eq_dec, 0)
DEC_CMP(ne_dec, 1)
DEC_CMP(lt_dec, 2)
DEC_CMP(le_dec, 3)
DEC_CMP(gt_dec, 4)
DEC_CMP(ge_dec, 5)

/* ---- the table ------------------------------------------------------------ */

#define F2(NAME, A, B, R, KERNEL)                                                                  \
    {                                                                                              \
        NAME, 2, false, {A, B}, R, 0, KERNEL, NULL                                                 \
    }
#define F2B(NAME, A, B, R, KERNEL, BIND)                                                           \
    {                                                                                              \
        NAME, 2, false, {A, B}, R, 0, KERNEL, BIND                                                 \
    }
#define F1(NAME, A, R, KERNEL)                                                                     \
    {                                                                                              \
        NAME, 1, false, {A}, R, 0, KERNEL, NULL                                                    \
    }

#define ARITH_ROW(SUFFIX, T)                                                                       \
    F2("+", T, T, T, add_##SUFFIX), F2("-", T, T, T, sub_##SUFFIX),                                \
        F2("*", T, T, T, mul_##SUFFIX), F2("/", T, T, T, div_##SUFFIX),                            \
        F2("%", T, T, T, mod_##SUFFIX), F1("negate", T, T, neg_##SUFFIX)

#define CMP_ROW(SUFFIX, T)                                                                         \
    F2("=", T, T, T_BOOL, eq_##SUFFIX), F2("<>", T, T, T_BOOL, ne_##SUFFIX),                       \
        F2("<", T, T, T_BOOL, lt_##SUFFIX), F2("<=", T, T, T_BOOL, le_##SUFFIX),                   \
        F2(">", T, T, T_BOOL, gt_##SUFFIX), F2(">=", T, T, T_BOOL, ge_##SUFFIX)

const scalar_function function_arith_table[] = {
    ARITH_ROW(i8, T_I8),
    ARITH_ROW(i16, T_I16),
    ARITH_ROW(i32, T_I32),
    ARITH_ROW(i64, T_I64),
    ARITH_ROW(f32, T_F32),
    ARITH_ROW(f64, T_F64),
    F2B("+", T_DEC, T_DEC, T_DEC, add_dec, bind_decimal_add),
    F2B("-", T_DEC, T_DEC, T_DEC, sub_dec, bind_decimal_add),
    F2B("*", T_DEC, T_DEC, T_DEC, mul_dec, bind_decimal_mul),
    F2B("/", T_DEC, T_DEC, T_DEC, div_dec, bind_decimal_div),
    F2B("%", T_DEC, T_DEC, T_DEC, mod_dec, bind_decimal_add),
    {"negate", 1, false, {T_DEC}, T_DEC, 0, neg_dec, bind_decimal_same},
    F2("+", T_DATE, T_I32, T_DATE, date_plus_int),
    F2("+", T_I32, T_DATE, T_DATE, int_plus_date),
    F2("-", T_DATE, T_I32, T_DATE, date_minus_int),
    F2("-", T_DATE, T_DATE, T_I32, date_minus_date),
    F2("+", T_DATE, T_IV, T_TS, date_plus_iv),
    F2("-", T_DATE, T_IV, T_TS, date_minus_iv),
    F2("+", T_TS, T_IV, T_TS, ts_plus_iv),
    F2("+", T_IV, T_TS, T_TS, iv_plus_ts),
    F2("-", T_TS, T_IV, T_TS, ts_minus_iv),
    F2("-", T_TS, T_TS, T_IV, ts_minus_ts),
    F2("+", T_IV, T_IV, T_IV, iv_plus_iv),
    F2("-", T_IV, T_IV, T_IV, iv_minus_iv),
    F2("*", T_IV, T_F64, T_IV, iv_times_f64),
    F2("*", T_F64, T_IV, T_IV, f64_times_iv),
    F2("/", T_IV, T_F64, T_IV, iv_div_f64),
    F1("negate", T_IV, T_IV, neg_iv),
    CMP_ROW(u8, T_BOOL),
    CMP_ROW(i8, T_I8),
    CMP_ROW(i16, T_I16),
    CMP_ROW(i32, T_I32),
    CMP_ROW(i64, T_I64),
    CMP_ROW(f32, T_F32),
    CMP_ROW(f64, T_F64),
    CMP_ROW(i32, T_DATE),
    CMP_ROW(i64, T_TS),
    CMP_ROW(str, T_STR),
    CMP_ROW(str, T_BLOB),
    CMP_ROW(iv, T_IV),
    CMP_ROW(dec, T_DEC),
};
const uint32_t function_arith_count = sizeof function_arith_table / sizeof function_arith_table[0];
