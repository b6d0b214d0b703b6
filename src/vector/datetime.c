/*
 * datetime.c: the proleptic Gregorian calendar, and parsing of DATE,
 * TIMESTAMP and INTERVAL text the way PostgreSQL accepts it.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/error.h"
#include "vector/cast.h"

#define MICROS_PER_SECOND 1000000LL
#define MICROS_PER_DAY (86400LL * MICROS_PER_SECOND)

/* Days from 1970-01-01 to year/month/day (era-based: 400-year cycles of 146097 days). */
int32_t date_from_civil(int32_t year, uint32_t month, uint32_t day)
{
    int64_t y = (int64_t)year - (month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t year_of_era = y - era * 400;
    int64_t shifted_month = month > 2 ? month - 3 : month + 9;
    int64_t day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return (int32_t)(era * 146097 + day_of_era - 719468);
}

void date_to_civil(int32_t days, int32_t *year, uint32_t *month, uint32_t *day)
{
    int64_t z = (int64_t)days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t day_of_era = z - era * 146097;
    int64_t year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    int64_t mp = (5 * day_of_year + 2) / 153;
    *day = (uint32_t)(day_of_year - (153 * mp + 2) / 5 + 1);
    *month = (uint32_t)(mp < 10 ? mp + 3 : mp - 9);
    *year = (int32_t)(year_of_era + era * 400 + (*month <= 2));
}

static uint32_t days_in_month(int32_t year, uint32_t month)
{
    static const uint8_t days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

/* Years either side of 1970 whose days, in microseconds, fit an int64 with room to spare. */
#define TIMESTAMP_YEAR_SPAN 290000

bool timestamp_add_interval(int64_t *out, int64_t micros, interval_value iv)
{
    if (iv.months != 0) {
        int64_t days = micros / MICROS_PER_DAY - (micros % MICROS_PER_DAY < 0);
        int64_t rest = micros - days * MICROS_PER_DAY;
        int32_t year;
        uint32_t month, day;
        date_to_civil((int32_t)days, &year, &month, &day);
        int64_t total = (int64_t)year * 12 + (month - 1) + iv.months;
        int64_t new_year = total >= 0 ? total / 12 : (total - 11) / 12;
        if (new_year < 1970 - TIMESTAMP_YEAR_SPAN || new_year > 1970 + TIMESTAMP_YEAR_SPAN)
            return false;
        month = (uint32_t)(total - new_year * 12) + 1;
        uint32_t last = days_in_month((int32_t)new_year, month);
        micros = (int64_t)date_from_civil((int32_t)new_year, month, day < last ? day : last) *
                     MICROS_PER_DAY +
                 rest;
    }
    int128 sum = (int128)micros + (int128)iv.days * MICROS_PER_DAY + iv.micros;
    if (sum < INT64_MIN || sum > INT64_MAX)
        return false;
    *out = (int64_t)sum;
    return true;
}

typedef struct text_cursor {
    const char *p;
    const char *end;
} text_cursor;

static void skip_spaces(text_cursor *c)
{
    while (c->p < c->end && isspace((unsigned char)*c->p))
        c->p++;
}

/* Reads up to max_digits digits; false if none. */
static bool read_number(text_cursor *c, int64_t *out, int max_digits, int *digits_out)
{
    int64_t v = 0;
    int digits = 0;
    while (c->p < c->end && isdigit((unsigned char)*c->p) && digits < max_digits) {
        v = v * 10 + (*c->p - '0');
        c->p++;
        digits++;
    }
    if (digits_out)
        *digits_out = digits;
    *out = v;
    return digits > 0;
}

static arm_status bad_datetime(const char *type, const char *text, size_t length, int32_t position,
                               arm_error *err)
{
    return error_set(err, ARM_ERROR_INVALID_INPUT, "22007", position,
                     "invalid input syntax for type %s: \"%.*s\"", type, (int)length, text);
}

static bool parse_date_part(text_cursor *c, int32_t *days_out, bool *out_of_range)
{
    int64_t year, month, day;
    bool negative = false;
    if (c->p < c->end && *c->p == '-') {
        negative = true;
        c->p++;
    }
    if (!read_number(c, &year, 7, NULL) || c->p >= c->end || *c->p != '-')
        return false;
    c->p++;
    if (!read_number(c, &month, 2, NULL) || c->p >= c->end || *c->p != '-')
        return false;
    c->p++;
    if (!read_number(c, &day, 2, NULL))
        return false;
    if (negative)
        year = -year;
    if (month < 1 || month > 12 || day < 1 || day > days_in_month((int32_t)year, (uint32_t)month)) {
        *out_of_range = true;
        return false;
    }
    *days_out = date_from_civil((int32_t)year, (uint32_t)month, (uint32_t)day);
    return true;
}

arm_status parse_date(const char *text, size_t length, int32_t *days_out, int32_t position,
                      arm_error *err)
{
    text_cursor c = {text, text + length};
    bool out_of_range = false;
    skip_spaces(&c);
    if (!parse_date_part(&c, days_out, &out_of_range)) {
        if (out_of_range)
            return error_set(err, ARM_ERROR_INVALID_INPUT, "22008", position,
                             "date/time field value out of range: \"%.*s\"", (int)length, text);
        return bad_datetime("date", text, length, position, err);
    }
    skip_spaces(&c);
    if (c.p != c.end)
        return bad_datetime("date", text, length, position, err);
    return ARM_OK;
}

/* HH:MM[:SS[.ffffff]] into micros since midnight. */
static bool parse_time_part(text_cursor *c, int64_t *micros_out, bool *out_of_range)
{
    int64_t hour, minute, second = 0, fraction = 0;
    int fraction_digits = 0;
    if (!read_number(c, &hour, 2, NULL) || c->p >= c->end || *c->p != ':')
        return false;
    c->p++;
    if (!read_number(c, &minute, 2, NULL))
        return false;
    if (c->p < c->end && *c->p == ':') {
        c->p++;
        if (!read_number(c, &second, 2, NULL))
            return false;
        if (c->p < c->end && *c->p == '.') {
            c->p++;
            read_number(c, &fraction, 6, &fraction_digits);
            while (c->p < c->end && isdigit((unsigned char)*c->p))
                c->p++; /* digits beyond microseconds are dropped */
            for (int i = fraction_digits; i < 6; i++)
                fraction *= 10;
        }
    }
    if (hour > 24 || minute > 59 || second > 60 || (hour == 24 && (minute || second || fraction))) {
        *out_of_range = true;
        return false;
    }
    *micros_out = ((hour * 60 + minute) * 60 + second) * MICROS_PER_SECOND + fraction;
    return true;
}

arm_status parse_timestamp(const char *text, size_t length, int64_t *micros_out, int32_t position,
                           arm_error *err)
{
    text_cursor c = {text, text + length};
    bool out_of_range = false;
    int32_t days;
    int64_t time_micros = 0;
    skip_spaces(&c);
    if (!parse_date_part(&c, &days, &out_of_range))
        goto bad;
    if (c.p < c.end && (*c.p == 'T' || *c.p == ' ')) {
        c.p++;
        skip_spaces(&c);
        if (c.p < c.end && !parse_time_part(&c, &time_micros, &out_of_range))
            goto bad;
    }
    skip_spaces(&c);
    /* A UTC designator is accepted; timestamps have no time zone. */
    if (c.p < c.end && (*c.p == 'Z' || *c.p == 'z'))
        c.p++;
    else if (c.end - c.p >= 3 && c.p[0] == '+' && c.p[1] == '0' && c.p[2] == '0')
        c.p += 3;
    skip_spaces(&c);
    if (c.p != c.end)
        goto bad;
    *micros_out = (int64_t)days * MICROS_PER_DAY + time_micros;
    return ARM_OK;
bad:
    if (out_of_range)
        return error_set(err, ARM_ERROR_INVALID_INPUT, "22008", position,
                         "date/time field value out of range: \"%.*s\"", (int)length, text);
    return bad_datetime("timestamp", text, length, position, err);
}

typedef struct interval_unit {
    const char *name;
    int32_t months;
    int32_t days;
    int64_t micros;
} interval_unit;

static const interval_unit interval_units[] = {
    {"microsecond", 0, 0, 1},
    {"microseconds", 0, 0, 1},
    {"us", 0, 0, 1},
    {"millisecond", 0, 0, 1000},
    {"milliseconds", 0, 0, 1000},
    {"ms", 0, 0, 1000},
    {"second", 0, 0, MICROS_PER_SECOND},
    {"seconds", 0, 0, MICROS_PER_SECOND},
    {"sec", 0, 0, MICROS_PER_SECOND},
    {"secs", 0, 0, MICROS_PER_SECOND},
    {"s", 0, 0, MICROS_PER_SECOND},
    {"minute", 0, 0, 60 * MICROS_PER_SECOND},
    {"minutes", 0, 0, 60 * MICROS_PER_SECOND},
    {"min", 0, 0, 60 * MICROS_PER_SECOND},
    {"mins", 0, 0, 60 * MICROS_PER_SECOND},
    {"m", 0, 0, 60 * MICROS_PER_SECOND},
    {"hour", 0, 0, 3600 * MICROS_PER_SECOND},
    {"hours", 0, 0, 3600 * MICROS_PER_SECOND},
    {"hr", 0, 0, 3600 * MICROS_PER_SECOND},
    {"hrs", 0, 0, 3600 * MICROS_PER_SECOND},
    {"h", 0, 0, 3600 * MICROS_PER_SECOND},
    {"day", 0, 1, 0},
    {"days", 0, 1, 0},
    {"d", 0, 1, 0},
    {"week", 0, 7, 0},
    {"weeks", 0, 7, 0},
    {"w", 0, 7, 0},
    {"month", 1, 0, 0},
    {"months", 1, 0, 0},
    {"mon", 1, 0, 0},
    {"mons", 1, 0, 0},
    {"year", 12, 0, 0},
    {"years", 12, 0, 0},
    {"yr", 12, 0, 0},
    {"yrs", 12, 0, 0},
    {"y", 12, 0, 0},
    {"decade", 120, 0, 0},
    {"decades", 120, 0, 0},
    {"century", 1200, 0, 0},
    {"centuries", 1200, 0, 0},
    {"millennium", 12000, 0, 0},
    {"millennia", 12000, 0, 0},
};

static const interval_unit *find_interval_unit(const char *word, size_t length)
{
    for (size_t i = 0; i < sizeof interval_units / sizeof interval_units[0]; i++) {
        if (strlen(interval_units[i].name) == length &&
            strncasecmp(interval_units[i].name, word, length) == 0)
            return &interval_units[i];
    }
    return NULL;
}

/* Adds `amount` of `unit` (fractions of months/days spill into smaller units, as PostgreSQL). */
static bool add_interval_amount(interval_value *out, double amount, const interval_unit *unit)
{
    double months = amount * unit->months, days = amount * unit->days;
    double whole_months = trunc(months);
    days += (months - whole_months) * 30.0;
    double whole_days = trunc(days);
    double micros = amount * (double)unit->micros + (days - whole_days) * (double)MICROS_PER_DAY;
    double total_months = out->months + whole_months, total_days = out->days + whole_days;
    double total_micros = (double)out->micros + micros;
    if (fabs(total_months) > INT32_MAX || fabs(total_days) > INT32_MAX ||
        fabs(total_micros) > 9.2e18)
        return false;
    out->months = (int32_t)total_months;
    out->days = (int32_t)total_days;
    out->micros += (int64_t)llround(micros);
    return true;
}

/* [-]h:mm[:ss[.f]] or m:ss.f as PostgreSQL reads a time within an interval (hours unbounded). */
static bool parse_interval_time(text_cursor *c, int64_t *micros_out)
{
    int64_t fields[3] = {0, 0, 0};
    int field_count = 0;
    double fraction = 0;
    for (;;) {
        int digits;
        if (!read_number(c, &fields[field_count], field_count == 0 ? 12 : 2, &digits))
            return false;
        field_count++;
        if (field_count < 3 && c->p < c->end && *c->p == ':') {
            c->p++;
            continue;
        }
        break;
    }
    if (c->p < c->end && *c->p == '.') {
        const char *start = c->p;
        c->p++;
        while (c->p < c->end && isdigit((unsigned char)*c->p))
            c->p++;
        char tmp[32];
        size_t n = (size_t)(c->p - start);
        if (n >= sizeof tmp)
            n = sizeof tmp - 1;
        memcpy(tmp, start, n);
        tmp[n] = '\0';
        fraction = strtod(tmp, NULL);
    }
    if (field_count < 2)
        return false;
    int64_t hours = fields[0], minutes = fields[1], seconds = fields[2];
    if (field_count == 2 && fraction != 0) { /* "mm:ss.f" */
        hours = 0;
        minutes = fields[0];
        seconds = fields[1];
    }
    if (minutes > 59 || seconds > 59)
        return false;
    *micros_out = ((hours * 60 + minutes) * 60 + seconds) * MICROS_PER_SECOND +
                  llround(fraction * MICROS_PER_SECOND);
    return true;
}

/* ISO 8601 durations: P[nY][nM][nW][nD][T[nH][nM][nS]], numbers may have fractions. */
static bool parse_iso_interval(const char *p, const char *end, interval_value *out)
{
    static const interval_unit date_units[] = {
        {"Y", 12, 0, 0}, {"M", 1, 0, 0}, {"W", 0, 7, 0}, {"D", 0, 1, 0}};
    static const interval_unit time_units[] = {{"H", 0, 0, 3600 * MICROS_PER_SECOND},
                                               {"M", 0, 0, 60 * MICROS_PER_SECOND},
                                               {"S", 0, 0, MICROS_PER_SECOND}};
    bool in_time = false, any = false;
    p++; /* 'P' */
    while (p < end) {
        if (*p == 'T' && !in_time) {
            in_time = true;
            p++;
            continue;
        }
        char number[64];
        size_t n = 0;
        while (p < end && n + 1 < sizeof number &&
               (isdigit((unsigned char)*p) || *p == '.' || *p == '-' || *p == '+'))
            number[n++] = *p++;
        number[n] = '\0';
        if (n == 0 || p >= end)
            return false;
        const interval_unit *units = in_time ? time_units : date_units;
        size_t unit_count = in_time ? 3 : 4, u = 0;
        while (u < unit_count && units[u].name[0] != *p)
            u++;
        if (u == unit_count)
            return false;
        char *number_end;
        double amount = strtod(number, &number_end);
        if (*number_end != '\0' || !add_interval_amount(out, amount, &units[u]))
            return false;
        p++;
        any = true;
    }
    return any;
}

static void interval_negate(interval_value *v)
{
    v->months = -v->months;
    v->days = -v->days;
    v->micros = -v->micros;
}

/* One "<number> [unit]" or time-of-day item of a PostgreSQL interval; false if malformed. */
static bool parse_interval_item(text_cursor *c, interval_value *out, bool *out_of_range)
{
    bool negative = false;
    if (*c->p == '-' || *c->p == '+') {
        negative = *c->p == '-';
        c->p++;
    }
    const char *number_start = c->p;
    while (c->p < c->end && (isdigit((unsigned char)*c->p) || *c->p == '.'))
        c->p++;
    if (c->p == number_start)
        return false;
    if (c->p < c->end && *c->p == ':') {
        text_cursor t = {number_start, c->end};
        int64_t micros;
        if (!parse_interval_time(&t, &micros))
            return false;
        out->micros += negative ? -micros : micros;
        c->p = t.p;
        return true;
    }
    char number[64];
    size_t number_length = (size_t)(c->p - number_start);
    if (number_length >= sizeof number)
        return false;
    memcpy(number, number_start, number_length);
    number[number_length] = '\0';
    char *number_end;
    double amount = strtod(number, &number_end);
    if (*number_end != '\0')
        return false;
    skip_spaces(c);
    const char *word = c->p;
    while (c->p < c->end && isalpha((unsigned char)*c->p))
        c->p++;
    const interval_unit *unit =
        c->p > word ? find_interval_unit(word, (size_t)(c->p - word)) : &interval_units[6];
    if (unit == NULL) {
        /* "1 ago": the number is seconds and the word is handled by the caller. */
        if (c->p - word == 3 && strncasecmp(word, "ago", 3) == 0) {
            c->p = word;
            unit = &interval_units[6];
        } else {
            return false;
        }
    }
    if (!add_interval_amount(out, negative ? -amount : amount, unit)) {
        *out_of_range = true;
        return false;
    }
    return true;
}

arm_status parse_interval(const char *text, size_t length, interval_value *out, int32_t position,
                          arm_error *err)
{
    text_cursor c = {text, text + length};
    memset(out, 0, sizeof *out);
    bool any = false, out_of_range = false;
    skip_spaces(&c);
    if (c.p < c.end && *c.p == '@') /* PostgreSQL's verbose output style */
        c.p++;
    const char *trimmed_end = c.end;
    while (trimmed_end > c.p && isspace((unsigned char)trimmed_end[-1]))
        trimmed_end--;
    if (c.p < trimmed_end && *c.p == 'P') {
        if (!parse_iso_interval(c.p, trimmed_end, out))
            goto bad;
        return ARM_OK;
    }
    for (;;) {
        skip_spaces(&c);
        if (c.p >= c.end)
            break;
        if (c.end - c.p >= 3 && strncasecmp(c.p, "ago", 3) == 0 && any) {
            interval_negate(out); /* "ago" negates everything so far */
            c.p += 3;
            continue;
        }
        if (!parse_interval_item(&c, out, &out_of_range))
            goto bad;
        any = true;
    }
    if (!any)
        goto bad;
    return ARM_OK;
bad:
    if (out_of_range)
        return error_set(err, ARM_ERROR_OUT_OF_RANGE, "22015", position, "interval out of range");
    return error_set(err, ARM_ERROR_INVALID_INPUT, "22007", position,
                     "invalid input syntax for type interval: \"%.*s\"", (int)length, text);
}
