/*
 * value_format.c: values as text, the way PostgreSQL prints them: shortest
 * round-trip doubles, decimals with their scale, ISO dates and timestamps,
 * PostgreSQL-style intervals, \x hex for blobs.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vector/cast.h"

/* snprintf-like append that keeps counting past the capacity. */
typedef struct text_out {
    char *buf;
    size_t capacity;
    size_t length;
} text_out;

static void out_bytes(text_out *o, const char *s, size_t n)
{
    if (o->length < o->capacity) {
        size_t room = o->capacity - o->length;
        memcpy(o->buf + o->length, s, n < room ? n : room);
    }
    o->length += n;
}

static void out_text(text_out *o, const char *s)
{
    out_bytes(o, s, strlen(s));
}

static size_t out_finish(text_out *o)
{
    if (o->capacity > 0)
        o->buf[o->length < o->capacity ? o->length : o->capacity - 1] = '\0';
    return o->length;
}

/* Shortest decimal digits that read back as `x`, in PostgreSQL's notation. */
static void format_double(double x, int max_precision, char *buf, size_t capacity)
{
    if (isnan(x)) {
        snprintf(buf, capacity, "NaN");
        return;
    }
    if (isinf(x)) {
        snprintf(buf, capacity, x > 0 ? "Infinity" : "-Infinity");
        return;
    }
    if (x == 0) {
        snprintf(buf, capacity, signbit(x) ? "-0" : "0");
        return;
    }
    char scientific[48];
    int precision = 1;
    for (; precision <= max_precision; precision++) {
        snprintf(scientific, sizeof scientific, "%.*e", precision - 1, x);
        double back = strtod(scientific, NULL);
        if (max_precision <= 9 ? (float)back == (float)x : back == x)
            break;
    }
    /* scientific is [-]d[.ddd]e[+-]XX: split into digits and exponent. */
    char digits[32];
    size_t digit_count = 0;
    const char *p = scientific;
    bool negative = *p == '-';
    if (negative)
        p++;
    for (; *p && *p != 'e'; p++) {
        if (*p != '.')
            digits[digit_count++] = *p;
    }
    int exponent = atoi(p + 1);
    while (digit_count > 1 && digits[digit_count - 1] == '0')
        digit_count--;
    text_out o = {buf, capacity, 0};
    if (negative)
        out_text(&o, "-");
    if (exponent < -4 || exponent >= (max_precision <= 9 ? 6 : 15)) {
        out_bytes(&o, digits, 1);
        if (digit_count > 1) {
            out_text(&o, ".");
            out_bytes(&o, digits + 1, digit_count - 1);
        }
        char e[16];
        snprintf(e, sizeof e, "e%c%02d", exponent < 0 ? '-' : '+', abs(exponent));
        out_text(&o, e);
    } else if (exponent < 0) {
        out_text(&o, "0.");
        for (int i = -1; i > exponent; i--)
            out_text(&o, "0");
        out_bytes(&o, digits, digit_count);
    } else {
        size_t whole = (size_t)exponent + 1;
        for (size_t i = 0; i < whole; i++)
            out_bytes(&o, i < digit_count ? &digits[i] : "0", 1);
        if (digit_count > whole) {
            out_text(&o, ".");
            out_bytes(&o, digits + whole, digit_count - whole);
        }
    }
    out_finish(&o);
}

static void format_int128(int128 v, char *buf, size_t capacity)
{
    char tmp[48];
    size_t n = 0;
    bool negative = v < 0;
    unsigned __int128 u = negative ? -(unsigned __int128)v : (unsigned __int128)v;
    do {
        tmp[n++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u != 0);
    text_out o = {buf, capacity, 0};
    if (negative)
        out_text(&o, "-");
    while (n > 0)
        out_bytes(&o, &tmp[--n], 1);
    out_finish(&o);
}

static void format_decimal(int128 v, uint8_t scale, char *buf, size_t capacity)
{
    char digits[48];
    bool negative = v < 0;
    format_int128(negative ? -v : v, digits, sizeof digits);
    size_t n = strlen(digits);
    text_out o = {buf, capacity, 0};
    if (negative)
        out_text(&o, "-");
    if (scale == 0) {
        out_bytes(&o, digits, n);
    } else if (n <= scale) {
        out_text(&o, "0.");
        for (size_t i = n; i < scale; i++)
            out_text(&o, "0");
        out_bytes(&o, digits, n);
    } else {
        out_bytes(&o, digits, n - scale);
        out_text(&o, ".");
        out_bytes(&o, digits + n - scale, scale);
    }
    out_finish(&o);
}

static void format_time_of_day(text_out *o, uint64_t micros)
{
    char tmp[48];
    uint64_t seconds = micros / 1000000;
    uint64_t fraction = micros % 1000000;
    snprintf(tmp, sizeof tmp, "%02llu:%02llu:%02llu", (unsigned long long)(seconds / 3600),
             (unsigned long long)(seconds / 60 % 60), (unsigned long long)(seconds % 60));
    out_text(o, tmp);
    if (fraction != 0) {
        snprintf(tmp, sizeof tmp, ".%06llu", (unsigned long long)fraction);
        size_t n = strlen(tmp);
        while (tmp[n - 1] == '0')
            n--;
        out_bytes(o, tmp, n);
    }
}

static void format_date(text_out *o, int32_t days)
{
    int32_t year;
    uint32_t month, day;
    date_to_civil(days, &year, &month, &day);
    char tmp[32];
    if (year <= 0)
        snprintf(tmp, sizeof tmp, "%04d-%02u-%02u BC", 1 - year, month, day);
    else
        snprintf(tmp, sizeof tmp, "%04d-%02u-%02u", year, month, day);
    out_text(o, tmp);
}

static void format_timestamp(text_out *o, int64_t micros)
{
    int64_t day_micros = 86400LL * 1000000;
    int64_t days = micros / day_micros;
    int64_t rest = micros % day_micros;
    if (rest < 0) {
        rest += day_micros;
        days--;
    }
    int32_t year;
    uint32_t month, day;
    date_to_civil((int32_t)days, &year, &month, &day);
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%04d-%02u-%02u ", year <= 0 ? 1 - year : year, month, day);
    out_text(o, tmp);
    format_time_of_day(o, (uint64_t)rest);
    if (year <= 0)
        out_text(o, " BC");
}

/* One "N unit[s]" field; a '+' follows a negative field, as PostgreSQL's output does. */
static void format_interval_field(text_out *o, int64_t amount, const char *unit, bool *any,
                                  bool *previous_negative)
{
    if (amount == 0)
        return;
    char tmp[48];
    snprintf(tmp, sizeof tmp, "%s%s%lld %s%s", *any ? " " : "",
             *previous_negative && amount > 0 ? "+" : "", (long long)amount, unit,
             amount == 1 ? "" : "s");
    out_text(o, tmp);
    *any = true;
    *previous_negative = amount < 0;
}

static void format_interval(text_out *o, const interval_value *v)
{
    bool any = false, previous_negative = false;
    format_interval_field(o, v->months / 12, "year", &any, &previous_negative);
    format_interval_field(o, v->months % 12, "mon", &any, &previous_negative);
    format_interval_field(o, v->days, "day", &any, &previous_negative);
    if (v->micros != 0 || !any) {
        if (any)
            out_text(o, " ");
        if (v->micros < 0)
            out_text(o, "-");
        else if (previous_negative)
            out_text(o, "+");
        /* -INT64_MIN overflows: format the magnitude unsigned. */
        uint64_t magnitude = v->micros < 0 ? 0 - (uint64_t)v->micros : (uint64_t)v->micros;
        format_time_of_day(o, magnitude);
    }
}

size_t value_format(const value *v, char *buf, size_t capacity)
{
    text_out o = {buf, capacity, 0};
    char tmp[64];
    if (v->is_null || v->type.id == TYPE_NULL) {
        out_text(&o, "NULL");
        return out_finish(&o);
    }
    switch (v->type.id) {
    case TYPE_BOOLEAN: out_text(&o, v->u.boolean ? "true" : "false"); break;
    case TYPE_TINYINT:
    case TYPE_SMALLINT:
    case TYPE_INTEGER:
    case TYPE_BIGINT:
        snprintf(tmp, sizeof tmp, "%lld", (long long)v->u.i64);
        out_text(&o, tmp);
        break;
    case TYPE_REAL:
        format_double(v->u.f32, 9, tmp, sizeof tmp);
        out_text(&o, tmp);
        break;
    case TYPE_DOUBLE:
        format_double(v->u.f64, 17, tmp, sizeof tmp);
        out_text(&o, tmp);
        break;
    case TYPE_DECIMAL:
        format_decimal(v->type.precision <= DECIMAL_INT64_MAX_PRECISION ? (int128)v->u.i64
                                                                        : v->u.i128,
                       v->type.scale, tmp, sizeof tmp);
        out_text(&o, tmp);
        break;
    case TYPE_VARCHAR: out_bytes(&o, v->u.str.data, v->u.str.length); break;
    case TYPE_BLOB: {
        static const char hex[] = "0123456789abcdef";
        out_text(&o, "\\x");
        for (uint32_t i = 0; i < v->u.str.length; i++) {
            unsigned char c = (unsigned char)v->u.str.data[i];
            char pair[2] = {hex[c >> 4], hex[c & 15]};
            out_bytes(&o, pair, 2);
        }
        break;
    }
    case TYPE_DATE: format_date(&o, (int32_t)v->u.i64); break;
    case TYPE_TIMESTAMP: format_timestamp(&o, v->u.i64); break;
    case TYPE_INTERVAL: format_interval(&o, &v->u.interval); break;
    default: out_text(&o, "?"); break;
    }
    return out_finish(&o);
}
