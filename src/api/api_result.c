/*
 * api_result.c: arm_result: metadata, typed getters that convert between
 * numeric types, and text formatting of any cell.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"
#include "common/error.h"
#include "vector/cast.h"

arm_status api_result_wrap(arm_result **out, result_set *rows, arm_error *err)
{
    arm_result *r = calloc(1, sizeof *r);
    if (r == NULL) {
        result_set_destroy(rows);
        return error_out_of_memory(err);
    }
    r->rows = rows;
    *out = r;
    return ARM_OK;
}

void arm_result_destroy(arm_result *result)
{
    if (result == NULL)
        return;
    result_set_destroy(result->rows);
    free(result);
}

arm_result_kind arm_result_kind_of(const arm_result *result)
{
    return result ? (arm_result_kind)result->rows->kind : ARM_RESULT_NOTHING;
}

size_t arm_result_column_count(const arm_result *result)
{
    return result ? result->rows->column_count : 0;
}

const char *arm_result_column_name(const arm_result *result, size_t column)
{
    if (result == NULL || column >= result->rows->column_count)
        return NULL;
    return result->rows->column_names[column];
}

arm_type arm_result_column_type(const arm_result *result, size_t column)
{
    arm_type t = {ARM_TYPE_INVALID, 0, 0};
    if (result == NULL || column >= result->rows->column_count)
        return t;
    logical_type lt = result->rows->column_types[column];
    t.id = (arm_type_id)lt.id;
    t.precision = lt.precision;
    t.scale = lt.scale;
    return t;
}

uint64_t arm_result_row_count(const arm_result *result)
{
    return result ? result->rows->row_count : 0;
}

uint64_t arm_result_rows_changed(const arm_result *result)
{
    return result ? result->rows->rows_changed : 0;
}

/* Reads one cell; false when out of range. */
static bool cell(const arm_result *result, size_t column, uint64_t row, value *out)
{
    uint32_t b, r;
    if (result == NULL || column >= result->rows->column_count ||
        !result_set_locate(result->rows, row, &b, &r))
        return false;
    vector_get_value(&result->rows->batches[b].columns[column], r, out);
    out->type = result->rows->column_types[column];
    return true;
}

bool arm_result_is_null(const arm_result *result, size_t column, uint64_t row)
{
    value v;
    return !cell(result, column, row, &v) || v.is_null;
}

static double decimal_to_double(const value *v)
{
    int128 x = v->type.precision <= DECIMAL_INT64_MAX_PRECISION ? v->u.i64 : v->u.i128;
    double scale = 1;
    for (unsigned i = 0; i < v->type.scale; i++)
        scale *= 10;
    return (double)x / scale;
}

double arm_result_get_double(const arm_result *result, size_t column, uint64_t row)
{
    value v;
    if (!cell(result, column, row, &v) || v.is_null)
        return 0;
    switch (v.type.id) {
    case TYPE_BOOLEAN: return v.u.boolean;
    case TYPE_REAL: return v.u.f32;
    case TYPE_DOUBLE: return v.u.f64;
    case TYPE_DECIMAL: return decimal_to_double(&v);
    case TYPE_VARCHAR:
    case TYPE_BLOB:
    case TYPE_INTERVAL: return 0;
    default: return (double)v.u.i64;
    }
}

int64_t arm_result_get_int64(const arm_result *result, size_t column, uint64_t row)
{
    value v;
    if (!cell(result, column, row, &v) || v.is_null)
        return 0;
    switch (v.type.id) {
    case TYPE_BOOLEAN: return v.u.boolean;
    case TYPE_REAL:
    case TYPE_DOUBLE:
    case TYPE_DECIMAL: {
        double d = arm_result_get_double(result, column, row);
        return isfinite(d) && fabs(d) < 9.2e18 ? (int64_t)llround(d) : 0;
    }
    case TYPE_VARCHAR:
    case TYPE_BLOB:
    case TYPE_INTERVAL: return 0;
    default: return v.u.i64;
    }
}

bool arm_result_get_bool(const arm_result *result, size_t column, uint64_t row)
{
    value v;
    if (!cell(result, column, row, &v) || v.is_null)
        return false;
    if (v.type.id == TYPE_BOOLEAN)
        return v.u.boolean;
    return arm_result_get_double(result, column, row) != 0;
}

int32_t arm_result_get_date(const arm_result *result, size_t column, uint64_t row)
{
    value v;
    if (!cell(result, column, row, &v) || v.is_null)
        return 0;
    if (v.type.id == TYPE_DATE)
        return (int32_t)v.u.i64;
    if (v.type.id == TYPE_TIMESTAMP)
        return (int32_t)(v.u.i64 / 86400000000LL - (v.u.i64 % 86400000000LL < 0));
    return 0;
}

int64_t arm_result_get_timestamp(const arm_result *result, size_t column, uint64_t row)
{
    value v;
    if (!cell(result, column, row, &v) || v.is_null)
        return 0;
    if (v.type.id == TYPE_TIMESTAMP)
        return v.u.i64;
    if (v.type.id == TYPE_DATE)
        return v.u.i64 * 86400000000LL;
    return 0;
}

arm_interval arm_result_get_interval(const arm_result *result, size_t column, uint64_t row)
{
    arm_interval out = {0, 0, 0};
    value v;
    if (cell(result, column, row, &v) && !v.is_null && v.type.id == TYPE_INTERVAL) {
        out.months = v.u.interval.months;
        out.days = v.u.interval.days;
        out.micros = v.u.interval.micros;
    }
    return out;
}

const char *arm_result_get_string(const arm_result *result, size_t column, uint64_t row,
                                  size_t *length)
{
    value v;
    if (length)
        *length = 0;
    if (!cell(result, column, row, &v) || v.is_null || !type_is_string(v.type.id))
        return NULL;
    if (length)
        *length = v.u.str.length;
    return v.u.str.data;
}

size_t arm_result_format(const arm_result *result, size_t column, uint64_t row, char *buf,
                         size_t capacity)
{
    value v;
    if (!cell(result, column, row, &v)) {
        if (capacity > 0)
            buf[0] = '\0';
        return 0;
    }
    return value_format(&v, buf, capacity);
}
