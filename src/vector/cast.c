/*
 * cast.c: conversions between logical types with PostgreSQL's rules:
 * narrowing checks range (22003), text parsing names the bad value (22P02),
 * float to integer rounds to nearest even, decimal rounds half away from zero.
 */
#include "vector/cast.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/error.h"

static const int128 power10_table[39] = {
    (int128)1LL,
    (int128)10LL,
    (int128)100LL,
    (int128)1000LL,
    (int128)10000LL,
    (int128)100000LL,
    (int128)1000000LL,
    (int128)10000000LL,
    (int128)100000000LL,
    (int128)1000000000LL,
    (int128)10000000000LL,
    (int128)100000000000LL,
    (int128)1000000000000LL,
    (int128)10000000000000LL,
    (int128)100000000000000LL,
    (int128)1000000000000000LL,
    (int128)10000000000000000LL,
    (int128)100000000000000000LL,
    (int128)1000000000000000000LL,
    (int128)1000000000000000000LL * 10,
    (int128)1000000000000000000LL * 100,
    (int128)1000000000000000000LL * 1000,
    (int128)1000000000000000000LL * 10000,
    (int128)1000000000000000000LL * 100000,
    (int128)1000000000000000000LL * 1000000,
    (int128)1000000000000000000LL * 10000000,
    (int128)1000000000000000000LL * 100000000,
    (int128)1000000000000000000LL * 1000000000,
    (int128)1000000000000000000LL * 10000000000LL,
    (int128)1000000000000000000LL * 100000000000LL,
    (int128)1000000000000000000LL * 1000000000000LL,
    (int128)1000000000000000000LL * 10000000000000LL,
    (int128)1000000000000000000LL * 100000000000000LL,
    (int128)1000000000000000000LL * 1000000000000000LL,
    (int128)1000000000000000000LL * 10000000000000000LL,
    (int128)1000000000000000000LL * 100000000000000000LL,
    (int128)1000000000000000000LL * 1000000000000000000LL,
    (int128)1000000000000000000LL * 1000000000000000000LL * 10,
    (int128)1000000000000000000LL * 1000000000000000000LL * 100,
};

static inline int128 power10(unsigned n)
{
    return power10_table[n > 38 ? 38 : n];
}

static const char *integer_type_name(type_id id)
{
    switch (id) {
    case TYPE_TINYINT: return "tinyint";
    case TYPE_SMALLINT: return "smallint";
    case TYPE_INTEGER: return "integer";
    default: return "bigint";
    }
}

static void integer_range(type_id id, int64_t *min, int64_t *max)
{
    switch (id) {
    case TYPE_TINYINT: *min = INT8_MIN, *max = INT8_MAX; break;
    case TYPE_SMALLINT: *min = INT16_MIN, *max = INT16_MAX; break;
    case TYPE_INTEGER: *min = INT32_MIN, *max = INT32_MAX; break;
    default: *min = INT64_MIN, *max = INT64_MAX; break;
    }
}

static arm_status integer_out_of_range(type_id id, int32_t position, arm_error *err)
{
    return error_set(err, ARM_ERROR_OUT_OF_RANGE, "22003", position, "%s out of range",
                     integer_type_name(id));
}

static arm_status numeric_overflow(logical_type to, int32_t position, arm_error *err)
{
    error_set(err, ARM_ERROR_OUT_OF_RANGE, "22003", position, "numeric field overflow");
    error_detail(err,
                 "A field with precision %u, scale %u must round to an absolute value less "
                 "than 10^%u.",
                 to.precision, to.scale, (unsigned)(to.precision - to.scale));
    return ARM_ERROR_OUT_OF_RANGE;
}

bool cast_exists(logical_type from, logical_type to)
{
    if (from.id == TYPE_NULL || type_equal(from, to))
        return true;
    if (type_is_string(from.id) || to.id == TYPE_VARCHAR)
        return true;
    if (type_is_numeric(from.id) && type_is_numeric(to.id))
        return true;
    if ((from.id == TYPE_BOOLEAN && type_is_integer(to.id)) ||
        (type_is_integer(from.id) && to.id == TYPE_BOOLEAN))
        return true;
    if ((from.id == TYPE_DATE && to.id == TYPE_TIMESTAMP) ||
        (from.id == TYPE_TIMESTAMP && to.id == TYPE_DATE))
        return true;
    return false;
}

/* Reads a value's number as int128 scaled to `scale` (exact for ints and decimals). */
static int128 decimal_value(const value *v)
{
    return v->type.precision <= DECIMAL_INT64_MAX_PRECISION ? (int128)v->u.i64 : v->u.i128;
}

static void set_decimal(value *out, logical_type to, int128 x)
{
    out->type = to;
    if (to.precision <= DECIMAL_INT64_MAX_PRECISION)
        out->u.i64 = (int64_t)x;
    else
        out->u.i128 = x;
}

/* Rescales with rounding half away from zero. */
static int128 rescale(int128 x, int from_scale, int to_scale)
{
    if (to_scale >= from_scale)
        return x * power10((unsigned)(to_scale - from_scale));
    int128 divisor = power10((unsigned)(from_scale - to_scale));
    int128 q = x / divisor, r = x % divisor;
    if (r * 2 >= divisor)
        q++;
    else if (r * 2 <= -divisor)
        q--;
    return q;
}

static double numeric_as_double(const value *v)
{
    switch (v->type.id) {
    case TYPE_REAL: return v->u.f32;
    case TYPE_DOUBLE: return v->u.f64;
    case TYPE_DECIMAL: return (double)decimal_value(v) / (double)power10(v->type.scale);
    default: return (double)v->u.i64;
    }
}

static arm_status to_integer(value *out, const value *in, logical_type to, int32_t position,
                             arm_error *err)
{
    int64_t min, max;
    integer_range(to.id, &min, &max);
    int128 x;
    if (in->type.id == TYPE_REAL || in->type.id == TYPE_DOUBLE) {
        double d = rint(numeric_as_double(in));
        if (isnan(d) || d < (double)min || d >= -(double)min)
            return integer_out_of_range(to.id, position, err);
        x = (int128)d;
    } else if (in->type.id == TYPE_DECIMAL) {
        x = rescale(decimal_value(in), in->type.scale, 0);
    } else if (in->type.id == TYPE_BOOLEAN) {
        x = in->u.boolean;
    } else {
        x = in->u.i64;
    }
    if (x < min || x > max)
        return integer_out_of_range(to.id, position, err);
    out->type = to;
    out->u.i64 = (int64_t)x;
    return ARM_OK;
}

static arm_status to_decimal(value *out, const value *in, logical_type to, int32_t position,
                             arm_error *err)
{
    int128 x;
    if (in->type.id == TYPE_REAL || in->type.id == TYPE_DOUBLE) {
        double d = numeric_as_double(in);
        double scaled = d * (double)power10(to.scale);
        if (isnan(d) || fabs(scaled) >= (double)power10(to.precision))
            return numeric_overflow(to, position, err);
        x = (int128)(scaled + (scaled >= 0 ? 0.5 : -0.5));
    } else if (in->type.id == TYPE_DECIMAL) {
        x = rescale(decimal_value(in), in->type.scale, to.scale);
    } else {
        x = (int128)in->u.i64 * power10(to.scale);
    }
    if (x >= power10(to.precision) || x <= -power10(to.precision))
        return numeric_overflow(to, position, err);
    set_decimal(out, to, x);
    return ARM_OK;
}

static arm_status bad_text(const char *type_name, const char *text, size_t length, int32_t position,
                           arm_error *err)
{
    return error_set(err, ARM_ERROR_INVALID_INPUT, "22P02", position,
                     "invalid input syntax for type %s: \"%.*s\"", type_name, (int)length, text);
}

/* Trims ASCII spaces; the result may be empty. */
static void trim(const char **text, size_t *length)
{
    while (*length > 0 && isspace((unsigned char)**text))
        (*text)++, (*length)--;
    while (*length > 0 && isspace((unsigned char)(*text)[*length - 1]))
        (*length)--;
}

static arm_status parse_integer_text(value *out, const char *text, size_t length, logical_type to,
                                     int32_t position, arm_error *err)
{
    const char *original = text;
    size_t original_length = length;
    trim(&text, &length);
    size_t i = 0;
    bool negative = false;
    if (i < length && (text[i] == '-' || text[i] == '+'))
        negative = text[i++] == '-';
    if (i == length)
        return bad_text(integer_type_name(to.id), original, original_length, position, err);
    unsigned __int128 magnitude = 0;
    for (; i < length; i++) {
        if (!isdigit((unsigned char)text[i]) && text[i] != '_')
            return bad_text(integer_type_name(to.id), original, original_length, position, err);
        if (text[i] == '_')
            continue;
        magnitude = magnitude * 10 + (unsigned)(text[i] - '0');
        if (magnitude > ((unsigned __int128)1 << 64)) {
            return error_set(err, ARM_ERROR_OUT_OF_RANGE, "22003", position,
                             "value \"%.*s\" is out of range for type %s", (int)original_length,
                             original, integer_type_name(to.id));
        }
    }
    int128 x = negative ? -(int128)magnitude : (int128)magnitude;
    int64_t min, max;
    integer_range(to.id, &min, &max);
    if (x < min || x > max)
        return error_set(err, ARM_ERROR_OUT_OF_RANGE, "22003", position,
                         "value \"%.*s\" is out of range for type %s", (int)original_length,
                         original, integer_type_name(to.id));
    out->type = to;
    out->u.i64 = (int64_t)x;
    return ARM_OK;
}

static arm_status parse_double_text(value *out, const char *text, size_t length, logical_type to,
                                    int32_t position, arm_error *err)
{
    const char *original = text;
    size_t original_length = length;
    const char *name = to.id == TYPE_REAL ? "real" : "double precision";
    trim(&text, &length);
    char tmp[128];
    if (length == 0 || length >= sizeof tmp)
        return bad_text(name, original, original_length, position, err);
    memcpy(tmp, text, length);
    tmp[length] = '\0';
    double d;
    if (strcasecmp(tmp, "infinity") == 0 || strcasecmp(tmp, "inf") == 0 ||
        strcasecmp(tmp, "+infinity") == 0)
        d = INFINITY;
    else if (strcasecmp(tmp, "-infinity") == 0 || strcasecmp(tmp, "-inf") == 0)
        d = -INFINITY;
    else if (strcasecmp(tmp, "nan") == 0)
        d = NAN;
    else {
        char *end;
        errno = 0;
        d = strtod(tmp, &end);
        if (*end != '\0' || end == tmp || isnan(d) || isinf(d))
            return bad_text(name, original, original_length, position, err);
        if (errno == ERANGE && d != 0)
            return error_set(err, ARM_ERROR_OUT_OF_RANGE, "22003", position,
                             "\"%.*s\" is out of range for type %s", (int)original_length, original,
                             name);
    }
    out->type = to;
    if (to.id == TYPE_REAL)
        out->u.f32 = (float)d;
    else
        out->u.f64 = d;
    return ARM_OK;
}

static arm_status parse_decimal_text(value *out, const char *text, size_t length, logical_type to,
                                     int32_t position, arm_error *err)
{
    const char *original = text;
    size_t original_length = length;
    trim(&text, &length);
    size_t i = 0;
    bool negative = false, any_digit = false, seen_dot = false;
    if (i < length && (text[i] == '-' || text[i] == '+'))
        negative = text[i++] == '-';
    int128 x = 0;
    int scale = 0, dropped = 0;
    int round_digit = -1;
    for (; i < length; i++) {
        char c = text[i];
        if (c == '.' && !seen_dot) {
            seen_dot = true;
            continue;
        }
        if (c == 'e' || c == 'E')
            break;
        if (!isdigit((unsigned char)c))
            return bad_text("numeric", original, original_length, position, err);
        any_digit = true;
        if (seen_dot && scale >= to.scale) {
            if (round_digit < 0)
                round_digit = c - '0';
            dropped++;
            continue;
        }
        if (x > power10(38))
            return numeric_overflow(to, position, err);
        x = x * 10 + (c - '0');
        if (seen_dot)
            scale++;
    }
    int exponent = 0;
    if (i < length) {
        char *end;
        char tmp[32];
        size_t n = length - i - 1;
        if (n == 0 || n >= sizeof tmp)
            return bad_text("numeric", original, original_length, position, err);
        memcpy(tmp, text + i + 1, n);
        tmp[n] = '\0';
        exponent = (int)strtol(tmp, &end, 10);
        if (*end != '\0' || exponent > 40 || exponent < -40)
            return bad_text("numeric", original, original_length, position, err);
    }
    if (!any_digit)
        return bad_text("numeric", original, original_length, position, err);
    if (round_digit >= 5)
        x++;
    /* x * 10^(exponent - scale) at target scale to.scale */
    int shift = to.scale - scale + exponent;
    x = rescale(x, shift < 0 ? -shift : 0, 0);
    if (shift > 0) {
        if (shift > 38 || x > power10(38 - (unsigned)shift))
            return numeric_overflow(to, position, err);
        x *= power10((unsigned)shift);
    }
    (void)dropped;
    if (x >= power10(to.precision))
        return numeric_overflow(to, position, err);
    set_decimal(out, to, negative ? -x : x);
    return ARM_OK;
}

static arm_status parse_boolean_text(value *out, const char *text, size_t length, int32_t position,
                                     arm_error *err)
{
    const char *original = text;
    size_t original_length = length;
    trim(&text, &length);
    static const char *const trues[] = {"t", "true", "y", "yes", "on", "1"};
    static const char *const falses[] = {"f", "false", "n", "no", "off", "0"};
    for (size_t i = 0; i < 6; i++) {
        if (strlen(trues[i]) == length && strncasecmp(trues[i], text, length) == 0) {
            *out = value_boolean(true);
            return ARM_OK;
        }
        if (strlen(falses[i]) == length && strncasecmp(falses[i], text, length) == 0) {
            *out = value_boolean(false);
            return ARM_OK;
        }
    }
    return bad_text("boolean", original, original_length, position, err);
}

static int hex_digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* PostgreSQL's hex input: "\x" then pairs of hex digits, spaces allowed between pairs. */
static arm_status decode_bytea_hex(const char *text, size_t length, char *out, size_t *out_length,
                                   int32_t position, arm_error *err)
{
    size_t n = 0;
    for (size_t i = 2; i < length; i++) {
        if (isspace((unsigned char)text[i]))
            continue;
        int high = hex_digit_value(text[i]);
        if (high < 0)
            return error_set(err, ARM_ERROR_INVALID_INPUT, "22023", position,
                             "invalid hexadecimal digit: \"%c\"", text[i]);
        if (i + 1 >= length)
            return error_set(err, ARM_ERROR_INVALID_INPUT, "22023", position,
                             "invalid hexadecimal data: odd number of digits");
        int low = hex_digit_value(text[++i]);
        if (low < 0)
            return error_set(err, ARM_ERROR_INVALID_INPUT, "22023", position,
                             "invalid hexadecimal digit: \"%c\"", text[i]);
        out[n++] = (char)(high * 16 + low);
    }
    *out_length = n;
    return ARM_OK;
}

/*
 * Text to bytes as PostgreSQL's bytea input reads it: hex format ("\x0a0b")
 * or escape format (bytes as-is, "\\" for a backslash, "\nnn" octal).
 * `out` needs `length` bytes; the decoded length goes to *out_length.
 */
static arm_status decode_bytea(const char *text, size_t length, char *out, size_t *out_length,
                               int32_t position, arm_error *err)
{
    if (length >= 2 && text[0] == '\\' && text[1] == 'x')
        return decode_bytea_hex(text, length, out, out_length, position, err);
    size_t n = 0;
    for (size_t i = 0; i < length; i++) {
        if (text[i] != '\\') {
            out[n++] = text[i];
        } else if (i + 1 < length && text[i + 1] == '\\') {
            out[n++] = '\\';
            i++;
        } else if (i + 3 < length + 0 && text[i + 1] >= '0' && text[i + 1] <= '3' &&
                   text[i + 2] >= '0' && text[i + 2] <= '7' && text[i + 3] >= '0' &&
                   text[i + 3] <= '7') {
            out[n++] =
                (char)((text[i + 1] - '0') * 64 + (text[i + 2] - '0') * 8 + (text[i + 3] - '0'));
            i += 3;
        } else {
            return error_set(err, ARM_ERROR_INVALID_INPUT, "22P02", position,
                             "invalid input syntax for type bytea");
        }
    }
    *out_length = n;
    return ARM_OK;
}

static arm_status from_text(value *out, const char *text, size_t length, logical_type to,
                            int32_t position, arm_error *err)
{
    out->type = to;
    switch (to.id) {
    case TYPE_BOOLEAN: return parse_boolean_text(out, text, length, position, err);
    case TYPE_TINYINT:
    case TYPE_SMALLINT:
    case TYPE_INTEGER:
    case TYPE_BIGINT: return parse_integer_text(out, text, length, to, position, err);
    case TYPE_REAL:
    case TYPE_DOUBLE: return parse_double_text(out, text, length, to, position, err);
    case TYPE_DECIMAL: return parse_decimal_text(out, text, length, to, position, err);
    case TYPE_DATE: {
        int32_t days;
        arm_status s = parse_date(text, length, &days, position, err);
        out->u.i64 = days;
        return s;
    }
    case TYPE_TIMESTAMP: return parse_timestamp(text, length, &out->u.i64, position, err);
    case TYPE_INTERVAL: return parse_interval(text, length, &out->u.interval, position, err);
    case TYPE_VARCHAR:
    case TYPE_BLOB:
        out->u.str.data = text;
        out->u.str.length = (uint32_t)length;
        return ARM_OK;
    default: break;
    }
    return error_internal(err, "cast from text to an unknown type");
}

static arm_status cannot_cast(logical_type from, logical_type to, int32_t position, arm_error *err)
{
    char a[32], b[32];
    return error_set(err, ARM_ERROR_TYPE, "42846", position, "cannot cast type %s to %s",
                     type_format(from, a, sizeof a), type_format(to, b, sizeof b));
}

/* Converts to any non-VARCHAR target (VARCHAR targets need memory for the text). */
static arm_status cast_to_non_text(value *out, const value *in, logical_type to, int32_t position,
                                   arm_error *err)
{
    type_id from = in->type.id;
    memset(out, 0, sizeof *out);
    if (type_is_string(from))
        return from_text(out, in->u.str.data, in->u.str.length, to, position, err);
    out->type = to;
    switch (to.id) {
    case TYPE_BOOLEAN:
        if (type_is_integer(from)) {
            out->u.boolean = in->u.i64 != 0;
            return ARM_OK;
        }
        break;
    case TYPE_TINYINT:
    case TYPE_SMALLINT:
    case TYPE_INTEGER:
    case TYPE_BIGINT:
        if (type_is_numeric(from) || from == TYPE_BOOLEAN)
            return to_integer(out, in, to, position, err);
        break;
    case TYPE_REAL:
    case TYPE_DOUBLE:
        if (type_is_numeric(from)) {
            double d = numeric_as_double(in);
            if (to.id == TYPE_REAL) {
                if (isfinite(d) && fabs(d) > 3.4028234663852886e38)
                    return error_set(err, ARM_ERROR_OUT_OF_RANGE, "22003", position,
                                     "value out of range: overflow");
                out->u.f32 = (float)d;
            } else {
                out->u.f64 = d;
            }
            return ARM_OK;
        }
        break;
    case TYPE_DECIMAL:
        if (type_is_numeric(from))
            return to_decimal(out, in, to, position, err);
        break;
    case TYPE_DATE:
        if (from == TYPE_TIMESTAMP) {
            int64_t day = 86400LL * 1000000;
            int64_t days = in->u.i64 / day - (in->u.i64 % day < 0);
            out->u.i64 = days;
            return ARM_OK;
        }
        break;
    case TYPE_TIMESTAMP:
        if (from == TYPE_DATE) {
            out->u.i64 = in->u.i64 * 86400LL * 1000000;
            return ARM_OK;
        }
        break;
    default: break;
    }
    return cannot_cast(in->type, to, position, err);
}

arm_status cast_value(value *out, const value *in, logical_type to, arena *a, int32_t position,
                      arm_error *err)
{
    if (in->is_null || in->type.id == TYPE_NULL) {
        *out = value_null(to);
        return ARM_OK;
    }
    if (type_equal(in->type, to)) {
        *out = *in;
        return ARM_OK;
    }
    memset(out, 0, sizeof *out);
    if (to.id == TYPE_VARCHAR) {
        char small[128];
        size_t length = value_format(in, small, sizeof small);
        char *text = a ? arena_alloc(a, length + 1) : NULL;
        if (text == NULL)
            return error_out_of_memory(err);
        if (length < sizeof small)
            memcpy(text, small, length + 1);
        else
            value_format(in, text, length + 1);
        *out = value_varchar(text, (uint32_t)length);
        return ARM_OK;
    }
    if (to.id == TYPE_BLOB) {
        if (!type_is_string(in->type.id))
            return cannot_cast(in->type, to, position, err);
        char *bytes = a ? arena_alloc(a, in->u.str.length + 1) : NULL;
        if (bytes == NULL)
            return error_out_of_memory(err);
        size_t length;
        arm_status s =
            decode_bytea(in->u.str.data, in->u.str.length, bytes, &length, position, err);
        if (s != ARM_OK)
            return s;
        *out = value_varchar(bytes, (uint32_t)length);
        out->type = to;
        return ARM_OK;
    }
    return cast_to_non_text(out, in, to, position, err);
}

/* Fast path: integer/float widening with a plain loop. */
#define WIDEN_LOOP(SRC_T, DST_T)                                                                   \
    do {                                                                                           \
        const SRC_T *s_ = src->data;                                                               \
        DST_T *d_ = dst->data;                                                                     \
        if (sel == NULL)                                                                           \
            for (uint32_t i_ = 0; i_ < count; i_++)                                                \
                d_[i_] = (DST_T)s_[i_];                                                            \
        else                                                                                       \
            for (uint32_t i_ = 0; i_ < count; i_++)                                                \
                d_[sel[i_]] = (DST_T)s_[sel[i_]];                                                  \
    } while (0)

static bool try_fast_widen(const vector *src, vector *dst, const uint32_t *sel, uint32_t count)
{
    type_id f = src->type.id, t = dst->type.id;
    if (f == TYPE_INTEGER && t == TYPE_BIGINT)
        WIDEN_LOOP(int32_t, int64_t);
    else if (f == TYPE_INTEGER && t == TYPE_DOUBLE)
        WIDEN_LOOP(int32_t, double);
    else if (f == TYPE_BIGINT && t == TYPE_DOUBLE)
        WIDEN_LOOP(int64_t, double);
    else if (f == TYPE_SMALLINT && t == TYPE_INTEGER)
        WIDEN_LOOP(int16_t, int32_t);
    else if (f == TYPE_SMALLINT && t == TYPE_BIGINT)
        WIDEN_LOOP(int16_t, int64_t);
    else if (f == TYPE_TINYINT && t == TYPE_INTEGER)
        WIDEN_LOOP(int8_t, int32_t);
    else if (f == TYPE_TINYINT && t == TYPE_BIGINT)
        WIDEN_LOOP(int8_t, int64_t);
    else if (f == TYPE_REAL && t == TYPE_DOUBLE)
        WIDEN_LOOP(float, double);
    else if (f == TYPE_DATE && t == TYPE_TIMESTAMP) {
        const int32_t *s = src->data;
        int64_t *d = dst->data;
        for (uint32_t i = 0; i < count; i++) {
            uint32_t r = sel ? sel[i] : i;
            d[r] = (int64_t)s[r] * 86400LL * 1000000;
        }
    } else
        return false;
    return true;
}

static arm_status cast_row_to_text(vector *dst, uint32_t row, const value *in, arm_error *err)
{
    char small[256];
    size_t length = value_format(in, small, sizeof small);
    if (length < sizeof small)
        return vector_add_string(dst, small, (uint32_t)length, &((string_view *)dst->data)[row],
                                 err);
    char *big = malloc(length + 1);
    if (big == NULL)
        return error_out_of_memory(err);
    value_format(in, big, length + 1);
    arm_status s =
        vector_add_string(dst, big, (uint32_t)length, &((string_view *)dst->data)[row], err);
    free(big);
    return s;
}

/* Decodes text into bytes (bytea input rules) stored in dst's string heap. */
static arm_status cast_row_to_blob(vector *dst, uint32_t row, const value *in, int32_t position,
                                   arm_error *err)
{
    string_view *out = &((string_view *)dst->data)[row];
    if (in->type.id == TYPE_BLOB)
        return vector_add_string(dst, in->u.str.data, in->u.str.length, out, err);
    char small[256];
    char *bytes = in->u.str.length <= sizeof small ? small : malloc(in->u.str.length);
    if (bytes == NULL)
        return error_out_of_memory(err);
    size_t length = 0;
    arm_status s = decode_bytea(in->u.str.data, in->u.str.length, bytes, &length, position, err);
    if (s == ARM_OK)
        s = vector_add_string(dst, bytes, (uint32_t)length, out, err);
    if (bytes != small)
        free(bytes);
    return s;
}

/* Produces the error (or NULL for TRY casts) of a row a fast path could not convert. */
static arm_status convert_row_slowly(const vector *src, vector *dst, uint32_t row, bool is_try,
                                     int32_t position, arm_error *err)
{
    value in, out;
    vector_get_value(src, row, &in);
    arm_status s = cast_to_non_text(&out, &in, dst->type, position, err);
    if (s == ARM_OK)
        return vector_set_value(dst, row, &out, err);
    if (!is_try || (s = vector_ensure_validity(dst, err)) != ARM_OK)
        return s;
    vector_set_null(dst, row);
    return ARM_OK;
}

/* Copies the validity bits of a flat source (whole words: other rows are don't-care). */
static arm_status copy_validity(vector *dst, const vector *src, uint32_t rows, arm_error *err)
{
    if (src->validity == NULL)
        return ARM_OK;
    arm_status s = vector_ensure_validity(dst, err);
    if (s == ARM_OK)
        memcpy(dst->validity, src->validity, ((size_t)rows + 63) / 64 * sizeof(uint64_t));
    return s;
}

static inline int128 load_decimal(const vector *v, uint32_t row)
{
    return v->type.precision <= DECIMAL_INT64_MAX_PRECISION
               ? (int128)((const int64_t *)v->data)[row]
               : ((const int128 *)v->data)[row];
}

static inline void store_decimal(vector *v, uint32_t row, int128 x)
{
    if (v->type.precision <= DECIMAL_INT64_MAX_PRECISION)
        ((int64_t *)v->data)[row] = (int64_t)x;
    else
        ((int128 *)v->data)[row] = x;
}

/*
 * Loops over the valid selected rows; BODY reads `row` and sets `ok`
 * (false hands the row to convert_row_slowly for its error message).
 */
#define FALLIBLE_LOOP(BODY)                                                                        \
    do {                                                                                           \
        for (uint32_t i_ = 0; i_ < count; i_++) {                                                  \
            uint32_t row = sel ? sel[i_] : i_;                                                     \
            if (src->validity && !bitmap_get(src->validity, row))                                  \
                continue;                                                                          \
            bool ok = true;                                                                        \
            BODY;                                                                                  \
            if (!ok && (s = convert_row_slowly(src, dst, row, is_try, position, err)) != ARM_OK)   \
                return s;                                                                          \
        }                                                                                          \
    } while (0)

static int64_t load_integer(const vector *v, uint32_t row)
{
    switch (v->type.id) {
    case TYPE_TINYINT: return ((const int8_t *)v->data)[row];
    case TYPE_SMALLINT: return ((const int16_t *)v->data)[row];
    case TYPE_INTEGER: return ((const int32_t *)v->data)[row];
    default: return ((const int64_t *)v->data)[row];
    }
}

static void store_integer(vector *v, uint32_t row, int64_t x)
{
    switch (v->type.id) {
    case TYPE_TINYINT: ((int8_t *)v->data)[row] = (int8_t)x; break;
    case TYPE_SMALLINT: ((int16_t *)v->data)[row] = (int16_t)x; break;
    case TYPE_INTEGER: ((int32_t *)v->data)[row] = (int32_t)x; break;
    default: ((int64_t *)v->data)[row] = x; break;
    }
}

/* Numeric casts without per-row values: integers, decimals and doubles. */
static arm_status cast_fast_numeric(const vector *src, vector *dst, const uint32_t *sel,
                                    uint32_t count, bool is_try, int32_t position, bool *handled,
                                    arm_error *err)
{
    type_id f = src->type.id, t = dst->type.id;
    arm_status s = ARM_OK;
    *handled = true;
    if (type_is_integer(f) && t == TYPE_DECIMAL) {
        int128 factor = power10(dst->type.scale), limit = power10(dst->type.precision);
        FALLIBLE_LOOP({
            int128 x = (int128)load_integer(src, row) * factor;
            ok = x < limit && x > -limit;
            if (ok)
                store_decimal(dst, row, x);
        });
    } else if (f == TYPE_DECIMAL && t == TYPE_DECIMAL) {
        int128 limit = power10(dst->type.precision);
        int from_scale = src->type.scale, to_scale = dst->type.scale;
        FALLIBLE_LOOP({
            int128 x = load_decimal(src, row);
            ok = to_scale <= from_scale || (x < power10(38 - (unsigned)(to_scale - from_scale)) &&
                                            x > -power10(38 - (unsigned)(to_scale - from_scale)));
            x = ok ? rescale(x, from_scale, to_scale) : 0;
            ok = ok && x < limit && x > -limit;
            if (ok)
                store_decimal(dst, row, x);
        });
    } else if (f == TYPE_DECIMAL && t == TYPE_DOUBLE) {
        double divisor = (double)power10(src->type.scale);
        double *d = dst->data;
        FALLIBLE_LOOP(d[row] = (double)load_decimal(src, row) / divisor);
    } else if (type_is_integer(f) && type_is_integer(t)) {
        int64_t min, max;
        integer_range(t, &min, &max);
        FALLIBLE_LOOP({
            int64_t x = load_integer(src, row);
            ok = x >= min && x <= max;
            store_integer(dst, row, x);
        });
    } else if (f == TYPE_DOUBLE && type_is_integer(t)) {
        int64_t min, max;
        integer_range(t, &min, &max);
        const double *v = src->data;
        FALLIBLE_LOOP({
            double x = rint(v[row]);
            ok = x >= (double)min && x < -(double)min;
            if (ok)
                store_integer(dst, row, (int64_t)x);
        });
    } else {
        *handled = false;
    }
    return ARM_OK;
}

/* Casts the single value of a CONSTANT vector and makes `dst` CONSTANT. */
static arm_status cast_constant(const vector *src, vector *dst, logical_type to, bool is_try,
                                int32_t position, arm_error *err)
{
    vector one;
    vector_init(&one, src->type);
    arm_status s = vector_reference(&one, src, err);
    if (s == ARM_OK) {
        one.kind = VECTOR_FLAT; /* row 0 of a constant is its value */
        s = cast_vector(&one, dst, to, NULL, 1, is_try, position, err);
    }
    vector_dispose(&one);
    if (s == ARM_OK)
        dst->kind = VECTOR_CONSTANT;
    return s;
}

/* The generic path: one value at a time. */
static arm_status cast_rows(const vector *src, vector *dst, logical_type to, const uint32_t *sel,
                            uint32_t count, bool is_try, int32_t position, arm_error *err)
{
    arm_status s;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        value in, out;
        vector_get_value(src, row, &in);
        if (in.is_null) {
            if ((s = vector_ensure_validity(dst, err)) != ARM_OK)
                return s;
            vector_set_null(dst, row);
            continue;
        }
        if (to.id == TYPE_VARCHAR) {
            if ((s = cast_row_to_text(dst, row, &in, err)) != ARM_OK)
                return s;
            continue;
        }
        if (to.id == TYPE_BLOB) {
            s = cast_row_to_blob(dst, row, &in, position, err);
        } else {
            s = cast_to_non_text(&out, &in, to, position, err);
            if (s == ARM_OK)
                s = vector_set_value(dst, row, &out, err);
        }
        if (s != ARM_OK) {
            if (!is_try || s == ARM_ERROR_OUT_OF_MEMORY)
                return s;
            if ((s = vector_ensure_validity(dst, err)) != ARM_OK)
                return s;
            vector_set_null(dst, row);
        }
    }
    return ARM_OK;
}

arm_status cast_vector(const vector *src, vector *dst, logical_type to, const uint32_t *sel,
                       uint32_t count, bool is_try, int32_t position, arm_error *err)
{
    if (src->kind == VECTOR_CONSTANT)
        return cast_constant(src, dst, to, is_try, position, err);
    if (src->kind != VECTOR_FLAT) {
        /* Work on a flat reference so that rows index directly. */
        vector flat;
        vector_init(&flat, src->type);
        arm_status s = vector_reference(&flat, src, err);
        if (s == ARM_OK)
            s = vector_flatten(&flat, sel, count, err);
        if (s == ARM_OK)
            s = cast_vector(&flat, dst, to, sel, count, is_try, position, err);
        vector_dispose(&flat);
        return s;
    }
    dst->type = to;
    uint32_t rows = sel && count ? sel[count - 1] + 1 : count;
    arm_status s = vector_prepare_flat(dst, rows, err);
    if (s != ARM_OK)
        return s;
    if ((s = copy_validity(dst, src, rows, err)) != ARM_OK)
        return s;
    if (try_fast_widen(src, dst, sel, count))
        return ARM_OK;
    bool handled;
    s = cast_fast_numeric(src, dst, sel, count, is_try, position, &handled, err);
    if (s != ARM_OK || handled)
        return s;
    return cast_rows(src, dst, to, sel, count, is_try, position, err);
}
