/*
 * error.h: filling arm_error objects where a failure is found.
 * The function that detects a failure writes the message; callers pass the
 * status up unchanged and may add detail or hint. Nothing here allocates.
 */
#ifndef ARM_COMMON_ERROR_H
#define ARM_COMMON_ERROR_H

#include "armillaria.h"

#define ARM_PRINTF(fmt_index, first_arg) __attribute__((format(printf, fmt_index, first_arg)))

/*
 * Sets status, SQLSTATE (5 chars, or NULL for the status's default), SQL byte
 * position (-1 for none) and message; clears detail and hint. Returns
 * `status` so callers can write `return error_set(...)`. `err` may be NULL.
 */
arm_status error_set(arm_error *err, arm_status status, const char *sqlstate, int32_t position,
                     const char *fmt, ...) ARM_PRINTF(5, 6);

/* Replaces the detail (facts: which table, value, file) / hint (what to do). */
void error_detail(arm_error *err, const char *fmt, ...) ARM_PRINTF(2, 3);
void error_hint(arm_error *err, const char *fmt, ...) ARM_PRINTF(2, 3);

/* Sets the SQL position if none is set yet (callers that know where add it). */
void error_set_position(arm_error *err, int32_t position);

/* The default SQLSTATE for a status. */
const char *error_default_sqlstate(arm_status status);

/* Shorthands for the two most common failures. */
arm_status error_out_of_memory(arm_error *err);
arm_status error_internal(arm_error *err, const char *what);

/*
 * ALWAYS(x)/NEVER(x): defensive checks of programmer invariants. In debug
 * builds a failure aborts; in release builds they evaluate to x so the code
 * can take a safe path (as SQLite's macros of the same names).
 */
#ifdef NDEBUG
#define ALWAYS(x) (x)
#define NEVER(x) (x)
#else
#include <assert.h>
#define ALWAYS(x) ((x) ? 1 : (assert(0 && #x), 0))
#define NEVER(x) ((x) ? (assert(0 && "NEVER: " #x), 1) : 0)
#endif

#endif
