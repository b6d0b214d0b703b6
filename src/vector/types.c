/*
 * types.c: logical type helpers, string views, value constructors and the
 * implicit-cast lattice (PostgreSQL's: integers widen, numbers go to DECIMAL,
 * REAL, DOUBLE; DATE goes to TIMESTAMP; NULL goes anywhere).
 */
#include "vector/types.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

string_view string_view_make(const char *data, uint32_t length)
{
    string_view s;
    memset(&s, 0, sizeof s);
    s.length = length;
    if (length <= STRING_VIEW_INLINE_MAX) {
        if (length > 0)
            memcpy(s.u.inlined, data, length);
    } else {
        memcpy(s.u.ref.prefix, data, 4);
        s.u.ref.ptr = data;
    }
    return s;
}

bool string_view_equal(const string_view *a, const string_view *b)
{
    if (a->length != b->length)
        return false;
    if (a->length <= STRING_VIEW_INLINE_MAX)
        return memcmp(a->u.inlined, b->u.inlined, a->length) == 0;
    if (memcmp(a->u.ref.prefix, b->u.ref.prefix, 4) != 0)
        return false;
    return memcmp(a->u.ref.ptr, b->u.ref.ptr, a->length) == 0;
}

int string_view_compare_bytes(const string_view *a, const string_view *b)
{
    uint32_t min = a->length < b->length ? a->length : b->length;
    int c = memcmp(string_view_data(a), string_view_data(b), min);
    if (c != 0)
        return c;
    return (a->length > b->length) - (a->length < b->length);
}

size_t type_physical_size(logical_type type)
{
    switch (type.id) {
    case TYPE_BOOLEAN:
    case TYPE_TINYINT: return 1;
    case TYPE_SMALLINT: return 2;
    case TYPE_INTEGER:
    case TYPE_DATE:
    case TYPE_REAL: return 4;
    case TYPE_BIGINT:
    case TYPE_DOUBLE:
    case TYPE_TIMESTAMP: return 8;
    case TYPE_DECIMAL: return type.precision <= DECIMAL_INT64_MAX_PRECISION ? 8 : 16;
    case TYPE_VARCHAR:
    case TYPE_BLOB: return sizeof(string_view);
    case TYPE_INTERVAL: return sizeof(interval_value);
    case TYPE_NULL: return 1;
    default: return 8;
    }
}

bool type_equal(logical_type a, logical_type b)
{
    if (a.id != b.id)
        return false;
    return a.id != TYPE_DECIMAL || (a.precision == b.precision && a.scale == b.scale);
}

bool type_is_integer(type_id id)
{
    return id >= TYPE_TINYINT && id <= TYPE_BIGINT;
}

bool type_is_numeric(type_id id)
{
    return (id >= TYPE_TINYINT && id <= TYPE_DOUBLE) || id == TYPE_DECIMAL;
}

bool type_is_string(type_id id)
{
    return id == TYPE_VARCHAR || id == TYPE_BLOB;
}

static const char *const type_names[TYPE_COUNT] = {
    [TYPE_INVALID] = "INVALID", [TYPE_NULL] = "NULL",           [TYPE_BOOLEAN] = "BOOLEAN",
    [TYPE_TINYINT] = "TINYINT", [TYPE_SMALLINT] = "SMALLINT",   [TYPE_INTEGER] = "INTEGER",
    [TYPE_BIGINT] = "BIGINT",   [TYPE_REAL] = "REAL",           [TYPE_DOUBLE] = "DOUBLE",
    [TYPE_DECIMAL] = "DECIMAL", [TYPE_VARCHAR] = "VARCHAR",     [TYPE_BLOB] = "BLOB",
    [TYPE_DATE] = "DATE",       [TYPE_TIMESTAMP] = "TIMESTAMP", [TYPE_INTERVAL] = "INTERVAL",
};

const char *type_format(logical_type type, char *buf, size_t capacity)
{
    if (type.id >= TYPE_COUNT)
        snprintf(buf, capacity, "UNKNOWN");
    else if (type.id == TYPE_DECIMAL)
        snprintf(buf, capacity, "DECIMAL(%u,%u)", type.precision, type.scale);
    else
        snprintf(buf, capacity, "%s", type_names[type.id]);
    return buf;
}

typedef struct type_alias {
    const char *name;
    type_id id;
} type_alias;

static const type_alias type_aliases[] = {
    {"boolean", TYPE_BOOLEAN},     {"bool", TYPE_BOOLEAN},       {"tinyint", TYPE_TINYINT},
    {"int1", TYPE_TINYINT},        {"smallint", TYPE_SMALLINT},  {"int2", TYPE_SMALLINT},
    {"integer", TYPE_INTEGER},     {"int", TYPE_INTEGER},        {"int4", TYPE_INTEGER},
    {"bigint", TYPE_BIGINT},       {"int8", TYPE_BIGINT},        {"real", TYPE_REAL},
    {"float4", TYPE_REAL},         {"double", TYPE_DOUBLE},      {"float8", TYPE_DOUBLE},
    {"float", TYPE_DOUBLE},        {"decimal", TYPE_DECIMAL},    {"numeric", TYPE_DECIMAL},
    {"varchar", TYPE_VARCHAR},     {"text", TYPE_VARCHAR},       {"string", TYPE_VARCHAR},
    {"char", TYPE_VARCHAR},        {"character", TYPE_VARCHAR},  {"bpchar", TYPE_VARCHAR},
    {"blob", TYPE_BLOB},           {"bytea", TYPE_BLOB},         {"date", TYPE_DATE},
    {"timestamp", TYPE_TIMESTAMP}, {"datetime", TYPE_TIMESTAMP}, {"interval", TYPE_INTERVAL},
};

bool type_from_name(const char *name, size_t length, type_id *out)
{
    for (size_t i = 0; i < sizeof type_aliases / sizeof type_aliases[0]; i++) {
        if (strlen(type_aliases[i].name) == length &&
            strncasecmp(type_aliases[i].name, name, length) == 0) {
            *out = type_aliases[i].id;
            return true;
        }
    }
    return false;
}

/* Decimal precision needed to hold every value of an integer type. */
static uint8_t integer_decimal_precision(type_id id)
{
    switch (id) {
    case TYPE_TINYINT: return 3;
    case TYPE_SMALLINT: return 5;
    case TYPE_INTEGER: return 10;
    default: return 19;
    }
}

/* Rank in the numeric promotion chain; DECIMAL sits between integers and REAL. */
static int numeric_rank(type_id id)
{
    switch (id) {
    case TYPE_TINYINT: return 1;
    case TYPE_SMALLINT: return 2;
    case TYPE_INTEGER: return 3;
    case TYPE_BIGINT: return 4;
    case TYPE_DECIMAL: return 5;
    case TYPE_REAL: return 6;
    case TYPE_DOUBLE: return 7;
    default: return 0;
    }
}

bool type_can_implicit_cast(logical_type from, logical_type to)
{
    if (type_equal(from, to) || from.id == TYPE_NULL)
        return true;
    if (type_is_numeric(from.id) && type_is_numeric(to.id)) {
        if (from.id == TYPE_DECIMAL && to.id == TYPE_DECIMAL)
            return to.scale >= from.scale && to.precision - to.scale >= from.precision - from.scale;
        if (to.id == TYPE_DECIMAL && type_is_integer(from.id))
            return to.precision - to.scale >= integer_decimal_precision(from.id);
        return numeric_rank(from.id) < numeric_rank(to.id) && !(to.id == TYPE_DECIMAL);
    }
    if (from.id == TYPE_DATE && to.id == TYPE_TIMESTAMP)
        return true;
    return false;
}

static logical_type common_decimal(logical_type a, logical_type b)
{
    uint8_t pa = a.id == TYPE_DECIMAL ? a.precision : integer_decimal_precision(a.id);
    uint8_t sa = a.id == TYPE_DECIMAL ? a.scale : 0;
    uint8_t pb = b.id == TYPE_DECIMAL ? b.precision : integer_decimal_precision(b.id);
    uint8_t sb = b.id == TYPE_DECIMAL ? b.scale : 0;
    unsigned scale = sa > sb ? sa : sb;
    unsigned whole =
        (unsigned)(pa - sa) > (unsigned)(pb - sb) ? (unsigned)(pa - sa) : (unsigned)(pb - sb);
    unsigned precision = whole + scale;
    if (precision > DECIMAL_MAX_PRECISION)
        precision = DECIMAL_MAX_PRECISION;
    if (scale > precision)
        scale = precision;
    return type_decimal((uint8_t)precision, (uint8_t)scale);
}

bool type_common(logical_type a, logical_type b, logical_type *out)
{
    if (type_equal(a, b)) {
        *out = a;
        return true;
    }
    if (a.id == TYPE_NULL) {
        *out = b;
        return true;
    }
    if (b.id == TYPE_NULL) {
        *out = a;
        return true;
    }
    if (type_is_numeric(a.id) && type_is_numeric(b.id)) {
        if (a.id == TYPE_DECIMAL || b.id == TYPE_DECIMAL) {
            if (a.id == TYPE_REAL || a.id == TYPE_DOUBLE || b.id == TYPE_REAL ||
                b.id == TYPE_DOUBLE)
                *out = type_make(TYPE_DOUBLE);
            else
                *out = common_decimal(a, b);
            return true;
        }
        *out = numeric_rank(a.id) > numeric_rank(b.id) ? a : b;
        return true;
    }
    if ((a.id == TYPE_DATE && b.id == TYPE_TIMESTAMP) ||
        (a.id == TYPE_TIMESTAMP && b.id == TYPE_DATE)) {
        *out = type_make(TYPE_TIMESTAMP);
        return true;
    }
    return false;
}

value value_null(logical_type type)
{
    value v;
    memset(&v, 0, sizeof v);
    v.type = type;
    v.is_null = true;
    return v;
}

value value_boolean(bool b)
{
    value v;
    memset(&v, 0, sizeof v);
    v.type = type_make(TYPE_BOOLEAN);
    v.u.boolean = b;
    return v;
}

value value_bigint(int64_t i)
{
    value v;
    memset(&v, 0, sizeof v);
    v.type = type_make(TYPE_BIGINT);
    v.u.i64 = i;
    return v;
}

value value_integer(int32_t i)
{
    value v = value_bigint(i);
    v.type = type_make(TYPE_INTEGER);
    return v;
}

value value_double(double d)
{
    value v;
    memset(&v, 0, sizeof v);
    v.type = type_make(TYPE_DOUBLE);
    v.u.f64 = d;
    return v;
}

value value_varchar(const char *data, uint32_t length)
{
    value v;
    memset(&v, 0, sizeof v);
    v.type = type_make(TYPE_VARCHAR);
    v.u.str.data = data;
    v.u.str.length = length;
    return v;
}

int value_compare(const value *a, const value *b)
{
    switch (a->type.id) {
    case TYPE_VARCHAR:
    case TYPE_BLOB: {
        uint32_t n = a->u.str.length < b->u.str.length ? a->u.str.length : b->u.str.length;
        int c = n ? memcmp(a->u.str.data, b->u.str.data, n) : 0;
        return c ? c : (a->u.str.length > b->u.str.length) - (a->u.str.length < b->u.str.length);
    }
    case TYPE_DOUBLE: return (a->u.f64 > b->u.f64) - (a->u.f64 < b->u.f64);
    case TYPE_REAL: return (a->u.f32 > b->u.f32) - (a->u.f32 < b->u.f32);
    case TYPE_BOOLEAN: return (int)a->u.boolean - (int)b->u.boolean;
    case TYPE_DECIMAL:
        if (a->type.precision > DECIMAL_INT64_MAX_PRECISION)
            return (a->u.i128 > b->u.i128) - (a->u.i128 < b->u.i128);
        return (a->u.i64 > b->u.i64) - (a->u.i64 < b->u.i64);
    case TYPE_INTERVAL: {
        int128 x = (int128)a->u.interval.months * 30 * 86400000000LL +
                   (int128)a->u.interval.days * 86400000000LL + a->u.interval.micros;
        int128 y = (int128)b->u.interval.months * 30 * 86400000000LL +
                   (int128)b->u.interval.days * 86400000000LL + b->u.interval.micros;
        return (x > y) - (x < y);
    }
    default: return (a->u.i64 > b->u.i64) - (a->u.i64 < b->u.i64);
    }
}
