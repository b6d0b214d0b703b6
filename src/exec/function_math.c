/*
 * function_math.c: math functions and the date/time functions date_part
 * (EXTRACT) and date_trunc, with PostgreSQL's domain errors.
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

/* ---- date_part / date_trunc -------------------------------------------------- */

typedef enum date_field {
    FIELD_UNKNOWN,
    FIELD_MILLENNIUM,
    FIELD_CENTURY,
    FIELD_DECADE,
    FIELD_YEAR,
    FIELD_QUARTER,
    FIELD_MONTH,
    FIELD_WEEK,
    FIELD_DAY,
    FIELD_HOUR,
    FIELD_MINUTE,
    FIELD_SECOND,
    FIELD_MILLISECOND,
    FIELD_MICROSECOND,
    FIELD_DOW,
    FIELD_ISODOW,
    FIELD_DOY,
    FIELD_EPOCH,
    FIELD_ISOYEAR,
} date_field;

static const struct {
    const char *name;
    date_field field;
} field_names[] = {
    {"millennium", FIELD_MILLENNIUM},
    {"millennia", FIELD_MILLENNIUM},
    {"century", FIELD_CENTURY},
    {"centuries", FIELD_CENTURY},
    {"decade", FIELD_DECADE},
    {"decades", FIELD_DECADE},
    {"year", FIELD_YEAR},
    {"years", FIELD_YEAR},
    {"quarter", FIELD_QUARTER},
    {"month", FIELD_MONTH},
    {"months", FIELD_MONTH},
    {"week", FIELD_WEEK},
    {"weeks", FIELD_WEEK},
    {"day", FIELD_DAY},
    {"days", FIELD_DAY},
    {"hour", FIELD_HOUR},
    {"hours", FIELD_HOUR},
    {"minute", FIELD_MINUTE},
    {"minutes", FIELD_MINUTE},
    {"second", FIELD_SECOND},
    {"seconds", FIELD_SECOND},
    {"millisecond", FIELD_MILLISECOND},
    {"milliseconds", FIELD_MILLISECOND},
    {"microsecond", FIELD_MICROSECOND},
    {"microseconds", FIELD_MICROSECOND},
    {"dow", FIELD_DOW},
    {"isodow", FIELD_ISODOW},
    {"doy", FIELD_DOY},
    {"epoch", FIELD_EPOCH},
    {"isoyear", FIELD_ISOYEAR},
};

static date_field parse_field(const char *text, uint32_t length)
{
    for (size_t i = 0; i < sizeof field_names / sizeof field_names[0]; i++) {
        if (strlen(field_names[i].name) == length &&
            strncasecmp(field_names[i].name, text, length) == 0)
            return field_names[i].field;
    }
    return FIELD_UNKNOWN;
}

static arm_status unknown_field(const expr *call, const char *text, uint32_t length, arm_error *err)
{
    return error_set(err, ARM_ERROR_INVALID_INPUT, "22023", call->position,
                     "unit \"%.*s\" not recognized", (int)length, text);
}

static bool field_is_fractional(date_field f)
{
    return f == FIELD_SECOND || f == FIELD_EPOCH || f == FIELD_MILLISECOND;
}

static arm_status bind_date_part(const scalar_function *fn, expr *call, arena *a, arm_error *err)
{
    (void)fn, (void)a;
    expr *unit = call->u.function.args[0];
    if (unit->kind != EXPR_CONSTANT || unit->u.constant.is_null) {
        call->type = T_F64;
        return ARM_OK;
    }
    date_field f = parse_field(unit->u.constant.u.str.data, unit->u.constant.u.str.length);
    if (f == FIELD_UNKNOWN)
        return unknown_field(call, unit->u.constant.u.str.data, unit->u.constant.u.str.length, err);
    call->type = field_is_fractional(f) ? T_F64 : T_I64;
    return ARM_OK;
}

#define MICROS_PER_DAY 86400000000LL

/* ISO 8601 week number and year of a date. */
static void iso_week(int32_t days, int32_t *iso_year, int32_t *week)
{
    int32_t weekday = (int32_t)(((int64_t)days % 7 + 7 + 3) % 7); /* Monday = 0 */
    int32_t thursday = days - weekday + 3;
    int32_t year;
    uint32_t month, day;
    date_to_civil(thursday, &year, &month, &day);
    *iso_year = year;
    *week = (thursday - date_from_civil(year, 1, 1)) / 7 + 1;
}

static double extract_timestamp(date_field f, int64_t micros)
{
    int64_t days = micros / MICROS_PER_DAY - (micros % MICROS_PER_DAY < 0);
    int64_t rest = micros - days * MICROS_PER_DAY;
    int32_t year, iso_year, week;
    uint32_t month, day;
    date_to_civil((int32_t)days, &year, &month, &day);
    switch (f) {
    case FIELD_MILLENNIUM: return year > 0 ? (year + 999) / 1000 : -((999 - year) / 1000);
    case FIELD_CENTURY: return year > 0 ? (year + 99) / 100 : -((99 - year) / 100);
    case FIELD_DECADE: return year >= 0 ? year / 10 : -((9 - year) / 10);
    case FIELD_YEAR: return year;
    case FIELD_QUARTER: return (month - 1) / 3 + 1;
    case FIELD_MONTH: return month;
    case FIELD_WEEK: iso_week((int32_t)days, &iso_year, &week); return week;
    case FIELD_ISOYEAR: iso_week((int32_t)days, &iso_year, &week); return iso_year;
    case FIELD_DAY: return day;
    case FIELD_HOUR: return (double)(rest / 3600000000LL);
    case FIELD_MINUTE: return (double)(rest / 60000000 % 60);
    case FIELD_SECOND: return (double)(rest % 60000000) / 1e6;
    case FIELD_MILLISECOND: return (double)(rest % 60000000) / 1e3;
    case FIELD_MICROSECOND: return (double)(rest % 60000000);
    case FIELD_DOW: return (double)((days % 7 + 7 + 4) % 7);
    case FIELD_ISODOW: return (double)((days % 7 + 7 + 3) % 7 + 1);
    case FIELD_DOY: return (double)(days - date_from_civil(year, 1, 1) + 1);
    case FIELD_EPOCH: return (double)micros / 1e6;
    default: return 0;
    }
}

static double extract_interval(date_field f, interval_value v)
{
    switch (f) {
    case FIELD_MILLENNIUM: return v.months / 12000;
    case FIELD_CENTURY: return v.months / 1200;
    case FIELD_DECADE: return v.months / 120;
    case FIELD_YEAR: return v.months / 12;
    case FIELD_QUARTER: return (v.months % 12) / 3 + 1;
    case FIELD_MONTH: return v.months % 12;
    case FIELD_DAY: return v.days;
    case FIELD_HOUR: return (double)(v.micros / 3600000000LL);
    case FIELD_MINUTE: return (double)(v.micros / 60000000 % 60);
    case FIELD_SECOND: return (double)(v.micros % 60000000) / 1e6;
    case FIELD_MILLISECOND: return (double)(v.micros % 60000000) / 1e3;
    case FIELD_MICROSECOND: return (double)(v.micros % 60000000);
    case FIELD_EPOCH:
        return (double)v.micros / 1e6 + v.days * 86400.0 + v.months / 12 * 365.25 * 86400.0 +
               (v.months % 12) * 30.0 * 86400.0;
    default: return NAN;
    }
}

static arm_status fn_date_part(KERNEL_ARGS)
{
    arm_status s = prepare_result(result, call->type, sel, count, err);
    type_id source = args[1]->type.id;
    bool as_double = call->type.id == TYPE_DOUBLE;
    for (uint32_t i = 0; s == ARM_OK && i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        string_view unit = ((const string_view *)args[0]->data)[row & arg_mask(args[0])];
        date_field f = parse_field(string_view_data(&unit), unit.length);
        if (f == FIELD_UNKNOWN)
            return unknown_field(call, string_view_data(&unit), unit.length, err);
        uint32_t at = row & arg_mask(args[1]);
        double x;
        if (source == TYPE_INTERVAL) {
            x = extract_interval(f, ((const interval_value *)args[1]->data)[at]);
            if (isnan(x))
                return error_set(err, ARM_ERROR_INVALID_INPUT, "22023", call->position,
                                 "unit \"%.*s\" not supported for type interval", (int)unit.length,
                                 string_view_data(&unit));
        } else if (source == TYPE_DATE) {
            if (f == FIELD_HOUR || f == FIELD_MINUTE || f == FIELD_SECOND ||
                f == FIELD_MILLISECOND || f == FIELD_MICROSECOND)
                return error_set(err, ARM_ERROR_INVALID_INPUT, "22023", call->position,
                                 "unit \"%.*s\" not supported for type date", (int)unit.length,
                                 string_view_data(&unit));
            x = extract_timestamp(f,
                                  (int64_t)((const int32_t *)args[1]->data)[at] * MICROS_PER_DAY);
        } else {
            x = extract_timestamp(f, ((const int64_t *)args[1]->data)[at]);
        }
        if (as_double)
            ((double *)result->data)[row] = x;
        else
            ((int64_t *)result->data)[row] = (int64_t)x;
    }
    return s;
}

static int64_t truncate_timestamp(date_field f, int64_t micros)
{
    int64_t days = micros / MICROS_PER_DAY - (micros % MICROS_PER_DAY < 0);
    int64_t rest = micros - days * MICROS_PER_DAY;
    int32_t year;
    uint32_t month, day;
    date_to_civil((int32_t)days, &year, &month, &day);
    switch (f) {
    case FIELD_MILLENNIUM:
        return (int64_t)date_from_civil(((year - 1) / 1000) * 1000 + 1, 1, 1) * MICROS_PER_DAY;
    case FIELD_CENTURY:
        return (int64_t)date_from_civil(((year - 1) / 100) * 100 + 1, 1, 1) * MICROS_PER_DAY;
    case FIELD_DECADE: return (int64_t)date_from_civil(year / 10 * 10, 1, 1) * MICROS_PER_DAY;
    case FIELD_YEAR: return (int64_t)date_from_civil(year, 1, 1) * MICROS_PER_DAY;
    case FIELD_QUARTER:
        return (int64_t)date_from_civil(year, (month - 1) / 3 * 3 + 1, 1) * MICROS_PER_DAY;
    case FIELD_MONTH: return (int64_t)date_from_civil(year, month, 1) * MICROS_PER_DAY;
    case FIELD_WEEK: return (days - (days % 7 + 7 + 3) % 7) * MICROS_PER_DAY;
    case FIELD_DAY: return days * MICROS_PER_DAY;
    case FIELD_HOUR: return days * MICROS_PER_DAY + rest / 3600000000LL * 3600000000LL;
    case FIELD_MINUTE: return days * MICROS_PER_DAY + rest / 60000000 * 60000000;
    case FIELD_SECOND: return days * MICROS_PER_DAY + rest / 1000000 * 1000000;
    case FIELD_MILLISECOND: return days * MICROS_PER_DAY + rest / 1000 * 1000;
    default: return micros;
    }
}

static arm_status fn_date_trunc(KERNEL_ARGS)
{
    arm_status s = prepare_result(result, T_TS, sel, count, err);
    bool is_date = args[1]->type.id == TYPE_DATE;
    for (uint32_t i = 0; s == ARM_OK && i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        string_view unit = ((const string_view *)args[0]->data)[row & arg_mask(args[0])];
        date_field f = parse_field(string_view_data(&unit), unit.length);
        if (f == FIELD_UNKNOWN || f == FIELD_DOW || f == FIELD_ISODOW || f == FIELD_DOY ||
            f == FIELD_EPOCH || f == FIELD_ISOYEAR)
            return unknown_field(call, string_view_data(&unit), unit.length, err);
        uint32_t at = row & arg_mask(args[1]);
        int64_t micros = is_date ? (int64_t)((const int32_t *)args[1]->data)[at] * MICROS_PER_DAY
                                 : ((const int64_t *)args[1]->data)[at];
        ((int64_t *)result->data)[row] = truncate_timestamp(f, micros);
    }
    return s;
}

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

static arm_status fn_make_date(KERNEL_ARGS)
{
    arm_status s = prepare_result(result, T_DATE, sel, count, err);
    for (uint32_t i = 0; s == ARM_OK && i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        int32_t y = ((const int32_t *)args[0]->data)[row & arg_mask(args[0])];
        int32_t m = ((const int32_t *)args[1]->data)[row & arg_mask(args[1])];
        int32_t d = ((const int32_t *)args[2]->data)[row & arg_mask(args[2])];
        int32_t days = date_from_civil(y, (uint32_t)m, (uint32_t)d);
        int32_t cy;
        uint32_t cm, cd;
        date_to_civil(days, &cy, &cm, &cd);
        if (m < 1 || m > 12 || d < 1 || cy != y || (int32_t)cm != m || (int32_t)cd != d)
            return error_set(err, ARM_ERROR_INVALID_INPUT, "22008", call->position,
                             "date field value out of range: %d-%02d-%02d", y, m, d);
        ((int32_t *)result->data)[row] = days;
    }
    return s;
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
    {"date_part", 2, false, {T_STR, T_TS}, T_F64, 0, fn_date_part, bind_date_part},
    {"date_part", 2, false, {T_STR, T_DATE}, T_F64, 0, fn_date_part, bind_date_part},
    {"date_part", 2, false, {T_STR, T_IV}, T_F64, 0, fn_date_part, bind_date_part},
    M2("date_trunc", T_STR, T_TS, T_TS, fn_date_trunc),
    {"make_date", 3, false, {T_I32, T_I32, T_I32}, T_DATE, 0, fn_make_date, NULL},
    EXTREMES("greatest", fn_greatest),
    EXTREMES("least", fn_least),
    M2("date_trunc", T_STR, T_DATE, T_TS, fn_date_trunc),
};
const uint32_t function_math_count = sizeof function_math_table / sizeof function_math_table[0];
