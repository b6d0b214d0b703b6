/*
 * series_table.c: generate_series() and range() as a table provider. A series
 * with a fixed step (integers; timestamps stepped by days and microseconds)
 * knows its row count up front and computes row k as start + k * step, so
 * morsels of rows go to the threads through an atomic counter. A series
 * stepped by months (calendar arithmetic) is one morsel walked step by step.
 */
#include "table/series_table.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "vector/cast.h"

#define MICROS_PER_DAY 86400000000LL
#define SERIES_MORSEL_ROWS (32 * VECTOR_SIZE)

/*
 * One series. Linear: row k is start + k * step for k < row_count, computed
 * in wrapping unsigned arithmetic, which gives the true value for every row
 * the series has. Calendar: the values from start, one interval after
 * another, while they have not passed stop.
 */
typedef struct series_table {
    table_provider base;
    int64_t start;
    uint64_t step;      /* linear: two's complement; unused when row_count < 2 */
    uint64_t row_count; /* linear; saturates at UINT64_MAX */
    bool is_calendar;
    int64_t stop;            /* calendar */
    interval_value interval; /* calendar */
    bool is_ascending;       /* calendar: the interval's span is positive */
    bool is_inclusive;       /* calendar */
    uint64_t row_estimate;   /* calendar */
} series_table;

typedef struct series_scan {
    series_table *table;
    uint32_t column_count;
    uint64_t morsel_count;
    _Atomic uint64_t next_morsel;
} series_scan;

/* A thread's place: rows [next_row, end_row) of its morsel are still to come. */
typedef struct series_scan_local {
    uint64_t next_row;
    uint64_t end_row;
    int64_t next_value; /* calendar */
} series_scan_local;

/* ---- counting -------------------------------------------------------------------------- */

/* Rows of start, start + step, ... up to stop (included or not), saturating at UINT64_MAX. */
static uint64_t linear_row_count(int64_t start, int64_t stop, int128 step, bool is_inclusive)
{
    if (step > 0 ? start > stop : start < stop)
        return 0;
    unsigned __int128 distance =
        (unsigned __int128)(step > 0 ? (int128)stop - start : (int128)start - stop);
    unsigned __int128 magnitude = (unsigned __int128)(step > 0 ? step : -step);
    if (!is_inclusive) {
        if (distance == 0)
            return 0;
        distance--; /* start + k * step < stop  <=>  k * |step| <= distance - 1 */
    }
    unsigned __int128 count = distance / magnitude + 1;
    return count > UINT64_MAX ? UINT64_MAX : (uint64_t)count;
}

/* An interval's length as PostgreSQL compares intervals: a month is 30 days. */
static int128 interval_span_micros(interval_value iv)
{
    return ((int128)iv.months * 30 + iv.days) * MICROS_PER_DAY + iv.micros;
}

/* Whether a calendar series goes on to `value`. */
static bool calendar_includes(const series_table *t, int64_t micros)
{
    if (t->is_ascending)
        return t->is_inclusive ? micros <= t->stop : micros < t->stop;
    return t->is_inclusive ? micros >= t->stop : micros > t->stop;
}

/* ---- scanning -------------------------------------------------------------------------- */

static arm_status series_scan_begin(table_provider *provider, const table_scan_options *options,
                                    table_scan **out, arm_error *err)
{
    series_table *t = (series_table *)provider;
    *out = NULL;
    for (uint32_t i = 0; i < options->column_count; i++)
        if (options->column_ids[i] >= t->base.column_count)
            return error_set(err, ARM_ERROR_NOT_SUPPORTED, "0A000", -1,
                             "%s() rows have no row ids: they cannot be changed",
                             t->base.column_names[0]);
    series_scan *scan = calloc(1, sizeof *scan);
    if (scan == NULL)
        return error_out_of_memory(err);
    scan->table = t;
    scan->column_count = options->column_count;
    if (t->is_calendar)
        scan->morsel_count = 1;
    else
        scan->morsel_count =
            t->row_count / SERIES_MORSEL_ROWS + (t->row_count % SERIES_MORSEL_ROWS != 0);
    atomic_init(&scan->next_morsel, 0);
    *out = (table_scan *)scan;
    return ARM_OK;
}

static arm_status series_scan_local_create(table_scan *base, table_scan_local **out, arm_error *err)
{
    (void)base;
    series_scan_local *l = calloc(1, sizeof *l);
    if (l == NULL)
        return error_out_of_memory(err);
    *out = (table_scan_local *)l;
    return ARM_OK;
}

/* Takes the next morsel for this thread; false when none is left. */
static bool claim_morsel(series_scan *scan, series_scan_local *l)
{
    const series_table *t = scan->table;
    uint64_t morsel = atomic_fetch_add(&scan->next_morsel, 1);
    if (morsel >= scan->morsel_count)
        return false;
    if (t->is_calendar) {
        l->next_row = 0;
        l->end_row = calendar_includes(t, t->start) ? UINT64_MAX : 0;
        l->next_value = t->start;
        return true;
    }
    l->next_row = morsel * SERIES_MORSEL_ROWS; /* < row_count: no overflow */
    l->end_row = t->row_count - l->next_row < SERIES_MORSEL_ROWS ? t->row_count
                                                                 : l->next_row + SERIES_MORSEL_ROWS;
    return true;
}

/* Rows [first, first + count) of a linear series; a loop the compiler vectorizes. */
static void fill_linear(const series_table *t, uint64_t first, uint32_t count, int64_t *out)
{
    uint64_t base = (uint64_t)t->start + first * t->step, step = t->step;
    for (uint32_t i = 0; i < count; i++)
        out[i] = (int64_t)(base + i * step);
}

/*
 * The next values of a calendar series, one interval after the other, into
 * `out` (NULL: only counted). A value past the TIMESTAMP range ends the
 * series; a step that does not move toward stop (a month minus 30 days from
 * February) is an error rather than a series without end.
 */
static arm_status fill_calendar(const series_table *t, series_scan_local *l, int64_t *out,
                                uint32_t *count, arm_error *err)
{
    uint32_t n = 0;
    while (n < VECTOR_SIZE && l->next_row < l->end_row) {
        int64_t micros = l->next_value, next;
        if (out != NULL)
            out[n] = micros;
        n++;
        l->next_row++;
        if (!timestamp_add_interval(&next, micros, t->interval) || !calendar_includes(t, next)) {
            l->end_row = l->next_row;
            break;
        }
        if (t->is_ascending ? next <= micros : next >= micros) {
            char text[64];
            value shown = {.type = type_make(TYPE_TIMESTAMP), .u.i64 = micros};
            value_format(&shown, text, sizeof text);
            return error_set(err, ARM_ERROR_INVALID_INPUT, "22023", -1,
                             "the step of %s() does not move the series toward its stop after %s",
                             t->base.column_names[0], text);
        }
        l->next_value = next;
    }
    *count = n;
    return ARM_OK;
}

static arm_status series_scan_next(table_scan *base, table_scan_local *local, batch *out,
                                   arm_error *err)
{
    series_scan *scan = (series_scan *)base;
    series_scan_local *l = (series_scan_local *)local;
    const series_table *t = scan->table;
    out->count = 0;
    out->sel = NULL;
    if (l->next_row == l->end_row && !claim_morsel(scan, l))
        return ARM_OK;
    for (uint32_t k = 0; k < scan->column_count; k++)
        if (vector_prepare_flat(&out->columns[k], VECTOR_SIZE, err) != ARM_OK)
            return err->status;
    int64_t *values = scan->column_count > 0 ? out->columns[0].data : NULL;
    uint64_t first = l->next_row;
    uint32_t count;
    if (t->is_calendar) {
        if (fill_calendar(t, l, values, &count, err) != ARM_OK)
            return err->status;
    } else {
        count = l->end_row - first < VECTOR_SIZE ? (uint32_t)(l->end_row - first) : VECTOR_SIZE;
        if (values != NULL)
            fill_linear(t, first, count, values);
        l->next_row += count;
    }
    for (uint32_t k = 1; k < scan->column_count; k++) /* the column asked for again */
        memcpy(out->columns[k].data, values, count * sizeof *values);
    out->count = count;
    out->sequence = first / VECTOR_SIZE;
    return ARM_OK;
}

static void series_scan_local_destroy(table_scan_local *local)
{
    free(local);
}

static void series_scan_end(table_scan *base)
{
    free(base);
}

static uint64_t series_row_count(table_provider *provider)
{
    series_table *t = (series_table *)provider;
    return t->is_calendar ? t->row_estimate : t->row_count;
}

static bool series_column_stats(table_provider *provider, uint32_t column, table_column_stats *out)
{
    series_table *t = (series_table *)provider;
    if (t->is_calendar || t->row_count == 0 || column != 0)
        return false;
    int64_t last;
    fill_linear(t, t->row_count - 1, 1, &last);
    bool is_ascending = t->row_count == 1 || (int64_t)t->step > 0;
    memset(out, 0, sizeof *out);
    out->has_min_max = true;
    out->min.type = out->max.type = t->base.column_types[0];
    out->min.u.i64 = is_ascending ? t->start : last;
    out->max.u.i64 = is_ascending ? last : t->start;
    out->distinct_estimate = t->row_count;
    return true;
}

static void series_destroy(table_provider *provider)
{
    series_table *t = (series_table *)provider;
    if (t == NULL)
        return;
    if (t->base.column_names != NULL)
        free(t->base.column_names[0]);
    free(t->base.column_names);
    free(t->base.column_types);
    free(t);
}

static const table_provider_vtable series_vtable = {
    .scan_begin = series_scan_begin,
    .scan_local_create = series_scan_local_create,
    .scan_next = series_scan_next,
    .scan_local_destroy = series_scan_local_destroy,
    .scan_end = series_scan_end,
    .estimated_row_count = series_row_count,
    .column_stats = series_column_stats,
    .destroy = series_destroy,
};

/* ---- creating -------------------------------------------------------------------------- */

static arm_status zero_step(const char *column_name, arm_error *err)
{
    error_set(err, ARM_ERROR_INVALID_INPUT, "22023", -1, "step size cannot equal zero");
    error_hint(err, "%s() counts down with a negative step.", column_name);
    return ARM_ERROR_INVALID_INPUT;
}

/*
 * A timestamp series: stepped by days and microseconds it is linear in
 * microseconds; with months in the step it is walked by calendar arithmetic.
 */
static arm_status set_timestamp_series(series_table *t, int64_t stop, interval_value step,
                                       bool is_inclusive, arm_error *err)
{
    int128 span = interval_span_micros(step);
    if (span == 0)
        return zero_step(t->base.column_names[0], err);
    if (step.months == 0) {
        int128 micros = (int128)step.days * MICROS_PER_DAY + step.micros;
        t->row_count = linear_row_count(t->start, stop, micros, is_inclusive);
        t->step = (uint64_t)micros; /* truncated only when |micros| > |stop - start|: one row */
        return ARM_OK;
    }
    t->is_calendar = true;
    t->stop = stop;
    t->interval = step;
    t->is_ascending = span > 0;
    t->is_inclusive = is_inclusive;
    t->row_estimate = linear_row_count(t->start, stop, span, is_inclusive);
    return ARM_OK;
}

arm_status series_table_create(table_provider **out, const char *column_name, const value *start,
                               const value *stop, const value *step, bool is_inclusive,
                               arm_error *err)
{
    *out = NULL;
    bool is_timestamp = start->type.id == TYPE_TIMESTAMP;
    if (start->type.id != stop->type.id ||
        step->type.id != (is_timestamp ? TYPE_INTERVAL : TYPE_BIGINT) ||
        (!is_timestamp && start->type.id != TYPE_BIGINT))
        return error_internal(err, "series_table_create: arguments of unexpected types");
    series_table *t = calloc(1, sizeof *t);
    if (t == NULL || (t->base.column_types = calloc(1, sizeof(logical_type))) == NULL ||
        (t->base.column_names = calloc(1, sizeof(char *))) == NULL ||
        (t->base.column_names[0] = strdup(column_name)) == NULL) {
        series_destroy((table_provider *)t);
        return error_out_of_memory(err);
    }
    t->base.vtable = &series_vtable;
    t->base.column_count = 1;
    t->base.column_types[0] = start->type;
    t->start = start->u.i64;
    arm_status s = ARM_OK;
    if (start->is_null || stop->is_null || step->is_null)
        t->row_count = 0;
    else if (is_timestamp)
        s = set_timestamp_series(t, stop->u.i64, step->u.interval, is_inclusive, err);
    else if (step->u.i64 == 0)
        s = zero_step(column_name, err);
    else {
        t->row_count = linear_row_count(t->start, stop->u.i64, step->u.i64, is_inclusive);
        t->step = (uint64_t)step->u.i64;
    }
    if (s != ARM_OK) {
        series_destroy(&t->base);
        return s;
    }
    *out = &t->base;
    return ARM_OK;
}
