/*
 * cast.h: conversions between logical types, for single values and whole
 * vectors, and text formatting of values. PostgreSQL's rules: numeric
 * narrowing checks range (22003), text parsing reports the bad value
 * (22P02 / 22007 / 22008), float to integer rounds to nearest.
 */
#ifndef ARM_VECTOR_CAST_H
#define ARM_VECTOR_CAST_H

#include "common/arena.h"
#include "vector/vector.h"

/* True when an explicit CAST from -> to exists at all (e.g. DATE -> INTEGER does not). */
bool cast_exists(logical_type from, logical_type to);

/*
 * Converts `in` to type `to`. Strings of the result are allocated in `a`.
 * `position` is the SQL byte offset reported on error (-1 if none).
 */
arm_status cast_value(value *out, const value *in, logical_type to, arena *a, int32_t position,
                      arm_error *err);

/*
 * Casts the selected physical rows (sel, or [0, count)) of `src` into `dst`
 * (prepared by the callee as a flat vector of type `to`, values at the same
 * physical positions). With `is_try`, bad values become NULL instead of errors.
 */
arm_status cast_vector(const vector *src, vector *dst, logical_type to, const uint32_t *sel,
                       uint32_t count, bool is_try, int32_t position, arm_error *err);

/*
 * Formats a value as text, as the shell and text casts show it: integers,
 * shortest round-trip doubles ("0.1", "1e+20"), decimals with their scale,
 * "2026-11-22", "2026-11-22 10:00:00[.123456]", PostgreSQL-style intervals,
 * true/false, blobs as \x hex. NULL formats as "NULL". Returns the length
 * needed (excluding the NUL), as snprintf; `buf` is always NUL-terminated.
 */
size_t value_format(const value *v, char *buf, size_t capacity);

/* Text parsers used by casts and literals; false with a message in err on bad input. */
arm_status parse_date(const char *text, size_t length, int32_t *days_out, int32_t position,
                      arm_error *err);
arm_status parse_timestamp(const char *text, size_t length, int64_t *micros_out, int32_t position,
                           arm_error *err);
arm_status parse_interval(const char *text, size_t length, interval_value *out, int32_t position,
                          arm_error *err);

/* Calendar helpers: days since epoch <-> civil date. */
int32_t date_from_civil(int32_t year, uint32_t month, uint32_t day);
void date_to_civil(int32_t days, int32_t *year, uint32_t *month, uint32_t *day);
/*
 * TIMESTAMP `micros` + `iv` as PostgreSQL adds them: months first (a day past
 * the new month's end becomes its last day), then days and microseconds.
 * False when the result is outside the TIMESTAMP range; *out is then not written.
 */
bool timestamp_add_interval(int64_t *out, int64_t micros, interval_value iv);

#endif
