/*
 * function_date.c: date/time functions: date_part (EXTRACT), date_trunc and
 * make_date, with PostgreSQL's fields, BC years and errors. A constant unit
 * is parsed once at bind time, so the kernels are plain loops.
 */
#include <math.h>
#include <string.h>
#include <strings.h>

#include "exec/function_internal.h"

#define MICROS_PER_DAY 86400000000LL

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
    {"mil", FIELD_MILLENNIUM},
    {"century", FIELD_CENTURY},
    {"centuries", FIELD_CENTURY},
    {"c", FIELD_CENTURY},
    {"decade", FIELD_DECADE},
    {"decades", FIELD_DECADE},
    {"year", FIELD_YEAR},
    {"years", FIELD_YEAR},
    {"y", FIELD_YEAR},
    {"quarter", FIELD_QUARTER},
    {"month", FIELD_MONTH},
    {"months", FIELD_MONTH},
    {"mon", FIELD_MONTH},
    {"week", FIELD_WEEK},
    {"weeks", FIELD_WEEK},
    {"day", FIELD_DAY},
    {"days", FIELD_DAY},
    {"d", FIELD_DAY},
    {"hour", FIELD_HOUR},
    {"hours", FIELD_HOUR},
    {"h", FIELD_HOUR},
    {"minute", FIELD_MINUTE},
    {"minutes", FIELD_MINUTE},
    {"m", FIELD_MINUTE},
    {"second", FIELD_SECOND},
    {"seconds", FIELD_SECOND},
    {"s", FIELD_SECOND},
    {"millisecond", FIELD_MILLISECOND},
    {"milliseconds", FIELD_MILLISECOND},
    {"ms", FIELD_MILLISECOND},
    {"microsecond", FIELD_MICROSECOND},
    {"microseconds", FIELD_MICROSECOND},
    {"us", FIELD_MICROSECOND},
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

static arm_status unsupported_field(const expr *call, const char *text, uint32_t length,
                                    const char *type_name, arm_error *err)
{
    return error_set(err, ARM_ERROR_NOT_SUPPORTED, "0A000", call->position,
                     "unit \"%.*s\" not supported for type %s", (int)length, text, type_name);
}

static bool field_is_fractional(date_field f)
{
    return f == FIELD_SECOND || f == FIELD_EPOCH || f == FIELD_MILLISECOND;
}

static bool field_is_time_of_day(date_field f)
{
    return f == FIELD_HOUR || f == FIELD_MINUTE || f == FIELD_SECOND || f == FIELD_MILLISECOND ||
           f == FIELD_MICROSECOND;
}

static bool field_truncates(date_field f)
{
    return f != FIELD_UNKNOWN && f != FIELD_DOW && f != FIELD_ISODOW && f != FIELD_DOY &&
           f != FIELD_EPOCH && f != FIELD_ISOYEAR;
}

/* Checks a field against the source type; `type_name` is what the error names. */
static arm_status check_field(const expr *call, date_field f, type_id source, bool is_trunc,
                              const char *text, uint32_t length, arm_error *err)
{
    if (f == FIELD_UNKNOWN || (is_trunc && !field_truncates(f)))
        return unknown_field(call, text, length, err);
    if (source == TYPE_DATE && field_is_time_of_day(f) && !is_trunc)
        return unsupported_field(call, text, length, "date", err);
    if (source == TYPE_INTERVAL && (f == FIELD_WEEK || f == FIELD_DOW || f == FIELD_ISODOW ||
                                    f == FIELD_DOY || f == FIELD_ISOYEAR))
        return unsupported_field(call, text, length, "interval", err);
    return ARM_OK;
}

/* A constant unit: parsed and checked once; the kernel reads bind_data. */
static arm_status bind_unit(expr *call, bool is_trunc, arena *a, date_field *out, arm_error *err)
{
    expr *unit = call->u.function.args[0];
    *out = FIELD_UNKNOWN;
    if (unit->kind != EXPR_CONSTANT || unit->u.constant.is_null)
        return ARM_OK;
    const char *text = unit->u.constant.u.str.data;
    uint32_t length = unit->u.constant.u.str.length;
    date_field f = parse_field(text, length);
    arm_status s =
        check_field(call, f, call->u.function.args[1]->type.id, is_trunc, text, length, err);
    if (s != ARM_OK)
        return s;
    date_field *saved = arena_alloc(a, sizeof *saved);
    if (saved == NULL)
        return error_out_of_memory(err);
    *saved = f;
    call->u.function.bind_data = saved;
    *out = f;
    return ARM_OK;
}

static arm_status bind_date_part(const scalar_function *fn, expr *call, arena *a, arm_error *err)
{
    (void)fn;
    date_field f;
    arm_status s = bind_unit(call, false, a, &f, err);
    if (s == ARM_OK)
        call->type = f == FIELD_UNKNOWN || field_is_fractional(f) ? T_F64 : T_I64;
    return s;
}

static arm_status bind_date_trunc(const scalar_function *fn, expr *call, arena *a, arm_error *err)
{
    (void)fn;
    date_field f;
    return bind_unit(call, true, a, &f, err);
}

/* The unit of a row: bound once, or read and checked per row when not constant. */
static arm_status row_field(const expr *call, vector *const *args, uint32_t row, bool is_trunc,
                            date_field *out, arm_error *err)
{
    if (call->u.function.bind_data != NULL) {
        *out = *(const date_field *)call->u.function.bind_data;
        return ARM_OK;
    }
    string_view unit = ((const string_view *)args[0]->data)[row & arg_mask(args[0])];
    *out = parse_field(string_view_data(&unit), unit.length);
    return check_field(call, *out, args[1]->type.id, is_trunc, string_view_data(&unit), unit.length,
                       err);
}

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

/* PostgreSQL's year fields: `year` is astronomical (0 = 1 BC); there is no year 0. */
static double year_field(date_field f, int32_t year)
{
    switch (f) {
    case FIELD_MILLENNIUM: return year > 0 ? (year + 999) / 1000 : -((999 - (year - 1)) / 1000);
    case FIELD_CENTURY: return year > 0 ? (year + 99) / 100 : -((99 - (year - 1)) / 100);
    case FIELD_DECADE: return year >= 0 ? year / 10 : -((8 - (year - 1)) / 10);
    default: return year > 0 ? year : year - 1;
    }
}

static double extract_timestamp(date_field f, int64_t micros)
{
    int64_t days = micros / MICROS_PER_DAY - (micros % MICROS_PER_DAY < 0);
    int64_t rest = micros - days * MICROS_PER_DAY;
    int32_t year, iso_year, week;
    uint32_t month, day;
    switch (f) { /* fields that need no calendar */
    case FIELD_HOUR: return (double)(rest / 3600000000LL);
    case FIELD_MINUTE: return (double)(rest / 60000000 % 60);
    case FIELD_SECOND: return (double)(rest % 60000000) / 1e6;
    case FIELD_MILLISECOND: return (double)(rest % 60000000) / 1e3;
    case FIELD_MICROSECOND: return (double)(rest % 60000000);
    case FIELD_DOW: return (double)((days % 7 + 7 + 4) % 7);
    case FIELD_ISODOW: return (double)((days % 7 + 7 + 3) % 7 + 1);
    case FIELD_EPOCH: return (double)micros / 1e6;
    case FIELD_WEEK: iso_week((int32_t)days, &iso_year, &week); return week;
    case FIELD_ISOYEAR: iso_week((int32_t)days, &iso_year, &week); return year_field(f, iso_year);
    default: break;
    }
    date_to_civil((int32_t)days, &year, &month, &day);
    switch (f) {
    case FIELD_QUARTER: return (month - 1) / 3 + 1;
    case FIELD_MONTH: return month;
    case FIELD_DAY: return day;
    case FIELD_DOY: return (double)(days - date_from_civil(year, 1, 1) + 1);
    default: return year_field(f, year);
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
    default: return 0;
    }
}

static inline void store_part(vector *result, uint32_t row, double x)
{
    if (result->type.id == TYPE_DOUBLE)
        ((double *)result->data)[row] = x;
    else
        ((int64_t *)result->data)[row] = (int64_t)x;
}

static arm_status fn_date_part(KERNEL_ARGS)
{
    arm_status s = prepare_result(result, call->type, sel, count, err);
    type_id source = args[1]->type.id;
    const void *data = args[1]->data;
    uint32_t mask = arg_mask(args[1]);
    for (uint32_t i = 0; s == ARM_OK && i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        date_field f;
        if ((s = row_field(call, args, row, false, &f, err)) != ARM_OK)
            return s;
        uint32_t at = row & mask;
        double x;
        if (source == TYPE_INTERVAL)
            x = extract_interval(f, ((const interval_value *)data)[at]);
        else if (source == TYPE_DATE)
            x = extract_timestamp(f, (int64_t)((const int32_t *)data)[at] * MICROS_PER_DAY);
        else
            x = extract_timestamp(f, ((const int64_t *)data)[at]);
        store_part(result, row, x);
    }
    return s;
}

/* First year of the millennium/century/decade holding `year`, as PostgreSQL's date_trunc. */
static int32_t truncate_year(date_field f, int32_t year)
{
    switch (f) {
    case FIELD_MILLENNIUM:
        return year > 0 ? ((year + 999) / 1000) * 1000 - 999
                        : -((999 - (year - 1)) / 1000) * 1000 + 1;
    case FIELD_CENTURY:
        return year > 0 ? ((year + 99) / 100) * 100 - 99 : -((99 - (year - 1)) / 100) * 100 + 1;
    case FIELD_DECADE: return year > 0 ? (year / 10) * 10 : -((8 - (year - 1)) / 10) * 10;
    default: return year;
    }
}

static int64_t truncate_timestamp(date_field f, int64_t micros)
{
    int64_t days = micros / MICROS_PER_DAY - (micros % MICROS_PER_DAY < 0);
    int64_t rest = micros - days * MICROS_PER_DAY;
    switch (f) {
    case FIELD_WEEK: return (days - (days % 7 + 7 + 3) % 7) * MICROS_PER_DAY;
    case FIELD_DAY: return days * MICROS_PER_DAY;
    case FIELD_HOUR: return days * MICROS_PER_DAY + rest / 3600000000LL * 3600000000LL;
    case FIELD_MINUTE: return days * MICROS_PER_DAY + rest / 60000000 * 60000000;
    case FIELD_SECOND: return days * MICROS_PER_DAY + rest / 1000000 * 1000000;
    case FIELD_MILLISECOND: return days * MICROS_PER_DAY + rest / 1000 * 1000;
    case FIELD_MICROSECOND: return micros;
    default: break;
    }
    int32_t year;
    uint32_t month, day;
    date_to_civil((int32_t)days, &year, &month, &day);
    if (f == FIELD_QUARTER)
        month = (month - 1) / 3 * 3 + 1;
    else if (f != FIELD_MONTH)
        month = 1;
    return (int64_t)date_from_civil(truncate_year(f, year), month, 1) * MICROS_PER_DAY;
}

static arm_status fn_date_trunc(KERNEL_ARGS)
{
    arm_status s = prepare_result(result, T_TS, sel, count, err);
    bool is_date = args[1]->type.id == TYPE_DATE;
    uint32_t mask = arg_mask(args[1]);
    for (uint32_t i = 0; s == ARM_OK && i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        date_field f;
        if ((s = row_field(call, args, row, true, &f, err)) != ARM_OK)
            return s;
        uint32_t at = row & mask;
        int64_t micros = is_date ? (int64_t)((const int32_t *)args[1]->data)[at] * MICROS_PER_DAY
                                 : ((const int64_t *)args[1]->data)[at];
        ((int64_t *)result->data)[row] = truncate_timestamp(f, micros);
    }
    return s;
}

/* make_date(year, month, day); negative years are BC (there is no year 0). */
static arm_status fn_make_date(KERNEL_ARGS)
{
    arm_status s = prepare_result(result, T_DATE, sel, count, err);
    for (uint32_t i = 0; s == ARM_OK && i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        int32_t y = ((const int32_t *)args[0]->data)[row & arg_mask(args[0])];
        int32_t m = ((const int32_t *)args[1]->data)[row & arg_mask(args[1])];
        int32_t d = ((const int32_t *)args[2]->data)[row & arg_mask(args[2])];
        int32_t year = y < 0 ? y + 1 : y;
        bool valid = y != 0 && y > -5000000 && y < 5000000 && m >= 1 && m <= 12 && d >= 1;
        int32_t days = valid ? date_from_civil(year, (uint32_t)m, (uint32_t)d) : 0;
        int32_t cy;
        uint32_t cm, cd;
        date_to_civil(days, &cy, &cm, &cd);
        if (!valid || cy != year || (int32_t)cm != m || (int32_t)cd != d)
            return error_set(err, ARM_ERROR_OUT_OF_RANGE, "22008", call->position,
                             "date field value out of range: %d-%02d-%02d", y, m, d);
        ((int32_t *)result->data)[row] = days;
    }
    return s;
}

const scalar_function function_date_table[] = {
    {"date_part", 2, false, {T_STR, T_TS}, T_F64, 0, fn_date_part, bind_date_part},
    {"date_part", 2, false, {T_STR, T_DATE}, T_F64, 0, fn_date_part, bind_date_part},
    {"date_part", 2, false, {T_STR, T_IV}, T_F64, 0, fn_date_part, bind_date_part},
    {"date_trunc", 2, false, {T_STR, T_TS}, T_TS, 0, fn_date_trunc, bind_date_trunc},
    {"date_trunc", 2, false, {T_STR, T_DATE}, T_TS, 0, fn_date_trunc, bind_date_trunc},
    {"make_date", 3, false, {T_I32, T_I32, T_I32}, T_DATE, 0, fn_make_date, NULL},
};
const uint32_t function_date_count = sizeof function_date_table / sizeof function_date_table[0];
