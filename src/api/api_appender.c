/*
 * api_appender.c: arm_appender, bulk loading from C. Each value is converted
 * to its column's type as it arrives (INSERT's assignment rules) and stored
 * straight into the column vectors of one batch, so a write hands the table
 * its rows with no SQL text to build, parse or plan; sql_append makes each
 * write behave as one INSERT.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"
#include "common/error.h"
#include "vector/cast.h"

/* Rows buffered before a write: one row group of a memory table (60 vectors). */
#define APPENDER_FLUSH_ROWS (60u * VECTOR_SIZE)
#define APPENDER_SCRATCH_BYTES 4096

static arm_status misuse(arm_error *err, const char *what)
{
    return error_set(err, ARM_ERROR_MISUSE, NULL, -1, "%s", what);
}

/* ---- the buffer ---------------------------------------------------------------- */

/* Empties the buffer, keeping the vectors' memory for the next rows. */
static arm_status restart_buffer(arm_appender *a, arm_error *err)
{
    a->rows.count = 0;
    a->rows.sel = NULL;
    a->capacity = APPENDER_FLUSH_ROWS;
    for (uint32_t c = 0; c < a->rows.column_count; c++) {
        vector *v = &a->rows.columns[c];
        if (vector_prepare_flat(v, VECTOR_SIZE, err) != ARM_OK) {
            a->capacity = 0;
            return err->status;
        }
        if (v->capacity < a->capacity)
            a->capacity = v->capacity;
    }
    return ARM_OK;
}

/* Doubles the rows every column holds (up to a write's worth), keeping the buffered ones. */
static arm_status grow_buffer(arm_appender *a, arm_error *err)
{
    uint32_t want = a->capacity < VECTOR_SIZE ? VECTOR_SIZE : 2 * a->capacity;
    if (want > APPENDER_FLUSH_ROWS)
        want = APPENDER_FLUSH_ROWS;
    uint32_t capacity = APPENDER_FLUSH_ROWS;
    for (uint32_t c = 0; c < a->rows.column_count; c++) {
        vector *v = &a->rows.columns[c];
        if (vector_reserve(v, want, a->rows.count, err) != ARM_OK)
            return err->status;
        if (v->capacity < capacity)
            capacity = v->capacity;
    }
    a->capacity = capacity;
    return ARM_OK;
}

/* Writes the buffered rows as one INSERT; they leave the buffer either way. */
static arm_status write_buffer(arm_appender *a, arm_error *err)
{
    arm_status s = sql_append(&a->conn->session, &a->target, &a->rows, err);
    a->rows.count = 0;
    return s;
}

static arm_status write_and_restart(arm_appender *a, arm_error *err)
{
    arm_status s = write_buffer(a, err);
    if (s != ARM_OK) {
        arm_error ignored;
        restart_buffer(a, &ignored);
        return s;
    }
    return restart_buffer(a, err);
}

/* ---- errors -------------------------------------------------------------------- */

static void append_format(char *buf, size_t capacity, const char *fmt, ...) ARM_PRINTF(3, 4);

static void append_format(char *buf, size_t capacity, const char *fmt, ...)
{
    size_t used = strlen(buf);
    if (used + 1 >= capacity)
        return;
    va_list args;
    va_start(args, fmt);
    vsnprintf(buf + used, capacity - used, fmt, args);
    va_end(args);
}

/* Drops the row being built: its values stay in the vectors, to be overwritten. */
static void discard_row(arm_appender *a)
{
    a->column = 0;
    a->row_count++;
}

/* Says which row was discarded (after the detail already there) and discards it. */
static arm_status row_failed(arm_appender *a, arm_error *err)
{
    append_format(err->detail, sizeof err->detail,
                  "%sRow %llu given to the appender was discarded.", err->detail[0] ? " " : "",
                  (unsigned long long)a->row_count + 1);
    err->position = -1;
    discard_row(a);
    return err->status;
}

/* A value of the current column failed to convert: name the column in the message. */
static arm_status value_failed(arm_appender *a, arm_error *err)
{
    if (a->column < a->target.column_count)
        append_format(err->message, sizeof err->message, " (column \"%s\" of table \"%s\")",
                      a->target.column_names[a->column], a->target.name);
    return row_failed(a, err);
}

/* "integer", "decimal(10,2)": type names as the binder's messages spell them. */
static const char *type_name(logical_type type, char *buf, size_t capacity)
{
    type_format(type, buf, capacity);
    for (char *p = buf; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return buf;
}

static arm_status type_mismatch(arm_appender *a, logical_type column, logical_type given,
                                arm_error *err)
{
    char want[64], have[64];
    error_set(err, ARM_ERROR_TYPE, "42804", -1,
              "column \"%s\" of table \"%s\" is of type %s but the value is of type %s",
              a->target.column_names[a->column], a->target.name,
              type_name(column, want, sizeof want), type_name(given, have, sizeof have));
    error_hint(err, "Append a value of the column's type, or text to convert as a cast would.");
    return row_failed(a, err);
}

/* "a, b, c" (truncated to fit) for the hint of a row with the wrong count of values. */
static void column_list(const arm_appender *a, char *buf, size_t capacity)
{
    buf[0] = '\0';
    for (uint32_t c = 0; c < a->target.column_count; c++)
        append_format(buf, capacity, "%s%s", c ? ", " : "", a->target.column_names[c]);
}

static arm_status wrong_value_count(arm_appender *a, bool too_many, arm_error *err)
{
    uint32_t columns = a->target.column_count;
    if (too_many)
        error_set(err, ARM_ERROR_MISUSE, NULL, -1,
                  "the row has more values than table \"%s\" has columns (%u)", a->target.name,
                  columns);
    else
        error_set(err, ARM_ERROR_MISUSE, NULL, -1,
                  "the row has %u value%s but table \"%s\" has %u column%s", a->column,
                  a->column == 1 ? "" : "s", a->target.name, columns, columns == 1 ? "" : "s");
    char names[ARM_ERROR_HINT_SIZE - 64];
    column_list(a, names, sizeof names);
    error_hint(err, "Append one value per column, in table order (%s), then end the row.", names);
    return row_failed(a, err);
}

/* ---- values -------------------------------------------------------------------- */

/* The vector the next value goes to, at row a->rows.count; grows the buffer at a row's start. */
static arm_status next_cell(arm_appender *a, vector **out, arm_error *err)
{
    if (a->column == a->target.column_count)
        return wrong_value_count(a, true, err);
    if (a->rows.count == a->capacity && grow_buffer(a, err) != ARM_OK)
        return row_failed(a, err);
    *out = &a->rows.columns[a->column];
    return ARM_OK;
}

/* Stores `in` without conversion when the column has its type (or a wider integer type). */
static bool store_directly(vector *v, uint32_t row, const value *in)
{
    void *data = v->data;
    type_id have = in->type.id;
    switch (v->type.id) {
    case TYPE_BOOLEAN:
        if (have != TYPE_BOOLEAN)
            return false;
        ((uint8_t *)data)[row] = in->u.boolean ? 1 : 0;
        break;
    case TYPE_BIGINT:
    case TYPE_TIMESTAMP:
        if (have != v->type.id)
            return false;
        ((int64_t *)data)[row] = in->u.i64;
        break;
    case TYPE_INTEGER:
        if (have != TYPE_BIGINT || in->u.i64 < INT32_MIN || in->u.i64 > INT32_MAX)
            return false;
        ((int32_t *)data)[row] = (int32_t)in->u.i64;
        break;
    case TYPE_DATE:
        if (have != TYPE_DATE)
            return false;
        ((int32_t *)data)[row] = (int32_t)in->u.i64;
        break;
    case TYPE_DOUBLE:
        if (have != TYPE_DOUBLE)
            return false;
        ((double *)data)[row] = in->u.f64;
        break;
    default: return false;
    }
    if (v->validity != NULL)
        vector_set_valid(v, row);
    return true;
}

/* Converts `in` to the column's type as INSERT would, then stores it. */
static arm_status store_converted(arm_appender *a, vector *v, const value *in, arm_error *err)
{
    uint32_t row = a->rows.count;
    arm_status s;
    if (type_equal(in->type, v->type)) {
        s = vector_set_value(v, row, in, err);
    } else {
        if (!cast_exists(in->type, v->type))
            return type_mismatch(a, v->type, in->type, err);
        value out;
        s = cast_value(&out, in, v->type, a->scratch, -1, err);
        if (s == ARM_OK)
            s = vector_set_value(v, row, &out, err);
        arena_reset(a->scratch);
    }
    return s == ARM_OK ? ARM_OK : value_failed(a, err);
}

static arm_status append_value(arm_appender *a, const value *in, arm_error *err)
{
    arm_error local;
    if (err == NULL)
        err = &local;
    if (a == NULL)
        return misuse(err, "appender is NULL");
    vector *v;
    if (next_cell(a, &v, err) != ARM_OK)
        return err->status;
    if (!store_directly(v, a->rows.count, in) && store_converted(a, v, in, err) != ARM_OK)
        return err->status;
    a->column++;
    return ARM_OK;
}

static value typed_value(type_id id)
{
    value v = value_null(type_make(id));
    v.is_null = false;
    return v;
}

arm_status arm_appender_append_null(arm_appender *a, arm_error *err)
{
    arm_error local;
    if (err == NULL)
        err = &local;
    if (a == NULL)
        return misuse(err, "appender is NULL");
    vector *v;
    if (next_cell(a, &v, err) != ARM_OK)
        return err->status;
    if (vector_ensure_validity(v, err) != ARM_OK)
        return row_failed(a, err);
    vector_set_null(v, a->rows.count);
    a->column++;
    return ARM_OK;
}

arm_status arm_appender_append_bool(arm_appender *a, bool v, arm_error *err)
{
    value in = value_boolean(v);
    return append_value(a, &in, err);
}

arm_status arm_appender_append_int64(arm_appender *a, int64_t v, arm_error *err)
{
    value in = value_bigint(v);
    return append_value(a, &in, err);
}

arm_status arm_appender_append_double(arm_appender *a, double v, arm_error *err)
{
    value in = value_double(v);
    return append_value(a, &in, err);
}

static arm_status append_bytes(arm_appender *a, type_id id, const char *data, size_t length,
                               arm_error *err)
{
    if (data == NULL)
        return arm_appender_append_null(a, err);
    if (length > UINT32_MAX) {
        arm_error local;
        if (err == NULL)
            err = &local;
        if (a == NULL)
            return misuse(err, "appender is NULL");
        error_set(err, ARM_ERROR_INVALID_INPUT, "54000", -1,
                  "a value of %zu bytes is too long (at most 4 GiB - 1)", length);
        return value_failed(a, err);
    }
    value in = typed_value(id);
    in.u.str.data = data;
    in.u.str.length = (uint32_t)length;
    return append_value(a, &in, err);
}

arm_status arm_appender_append_text(arm_appender *a, const char *text, size_t length,
                                    arm_error *err)
{
    return append_bytes(a, TYPE_VARCHAR, text, length, err);
}

arm_status arm_appender_append_blob(arm_appender *a, const void *data, size_t length,
                                    arm_error *err)
{
    return append_bytes(a, TYPE_BLOB, data, length, err);
}

arm_status arm_appender_append_date(arm_appender *a, int32_t days, arm_error *err)
{
    value in = typed_value(TYPE_DATE);
    in.u.i64 = days;
    return append_value(a, &in, err);
}

arm_status arm_appender_append_timestamp(arm_appender *a, int64_t micros, arm_error *err)
{
    value in = typed_value(TYPE_TIMESTAMP);
    in.u.i64 = micros;
    return append_value(a, &in, err);
}

arm_status arm_appender_append_interval(arm_appender *a, arm_interval v, arm_error *err)
{
    value in = typed_value(TYPE_INTERVAL);
    in.u.interval.months = v.months;
    in.u.interval.days = v.days;
    in.u.interval.micros = v.micros;
    return append_value(a, &in, err);
}

/* ---- rows and lifetime ----------------------------------------------------------- */

arm_status arm_appender_end_row(arm_appender *a, arm_error *err)
{
    arm_error local;
    if (err == NULL)
        err = &local;
    if (a == NULL)
        return misuse(err, "appender is NULL");
    if (a->column != a->target.column_count)
        return wrong_value_count(a, false, err);
    a->rows.count++;
    a->column = 0;
    a->row_count++;
    return a->rows.count < APPENDER_FLUSH_ROWS ? ARM_OK : write_and_restart(a, err);
}

arm_status arm_appender_flush(arm_appender *a, arm_error *err)
{
    arm_error local;
    if (err == NULL)
        err = &local;
    if (a == NULL)
        return misuse(err, "appender is NULL");
    if (a->column > 0)
        return error_set(err, ARM_ERROR_MISUSE, NULL, -1,
                         "a row is in progress (%u of %u values): end it before flushing",
                         a->column, a->target.column_count);
    return a->rows.count == 0 ? ARM_OK : write_and_restart(a, err);
}

static void appender_free(arm_appender *a)
{
    sql_append_target_dispose(&a->target);
    batch_dispose(&a->rows);
    arena_destroy(a->scratch);
    free(a);
}

arm_status arm_appender_open(arm_appender **out, arm_conn *conn, const char *table, arm_error *err)
{
    arm_error local;
    if (err == NULL)
        err = &local;
    if (out == NULL || conn == NULL || table == NULL)
        return misuse(err, "arm_appender_open: NULL argument");
    *out = NULL;
    arm_appender *a = calloc(1, sizeof *a);
    if (a == NULL)
        return error_out_of_memory(err);
    a->conn = conn;
    arm_status s = sql_append_target_init(&a->target, &conn->session, table, err);
    if (s == ARM_OK)
        s = batch_init(&a->rows, a->target.column_count, a->target.column_types, err);
    if (s == ARM_OK && (a->scratch = arena_create(APPENDER_SCRATCH_BYTES, NULL)) == NULL)
        s = error_out_of_memory(err);
    if (s == ARM_OK)
        s = restart_buffer(a, err);
    if (s != ARM_OK) {
        appender_free(a);
        return s;
    }
    *out = a;
    return ARM_OK;
}

size_t arm_appender_column_count(const arm_appender *a)
{
    return a ? a->target.column_count : 0;
}

arm_status arm_appender_close(arm_appender *a, arm_error *err)
{
    if (a == NULL)
        return ARM_OK;
    arm_error local;
    if (err == NULL)
        err = &local;
    uint32_t partial = a->column;
    arm_status s = a->rows.count > 0 ? write_buffer(a, err) : ARM_OK;
    if (s == ARM_OK && partial > 0)
        s = error_set(err, ARM_ERROR_MISUSE, NULL, -1,
                      "the appender was closed in the middle of a row (%u of %u values); that "
                      "row was discarded, the complete rows were written",
                      partial, a->target.column_count);
    appender_free(a);
    return s;
}
