/*
 * error.c: filling arm_error objects. No allocation: fixed-size fields,
 * truncated when a message is too long.
 */
#include "common/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void arm_error_clear(arm_error *err)
{
    if (err == NULL)
        return;
    err->status = ARM_OK;
    memcpy(err->sqlstate, "00000", 6);
    err->position = -1;
    err->message[0] = '\0';
    err->detail[0] = '\0';
    err->hint[0] = '\0';
}

const char *arm_status_name(arm_status status)
{
    switch (status) {
    case ARM_OK: return "ok";
    case ARM_ERROR: return "error";
    case ARM_ERROR_SYNTAX: return "syntax error";
    case ARM_ERROR_NOT_FOUND: return "not found";
    case ARM_ERROR_ALREADY_EXISTS: return "already exists";
    case ARM_ERROR_TYPE: return "type error";
    case ARM_ERROR_INVALID_INPUT: return "invalid input";
    case ARM_ERROR_OUT_OF_RANGE: return "out of range";
    case ARM_ERROR_DIVISION_BY_ZERO: return "division by zero";
    case ARM_ERROR_CONSTRAINT: return "constraint violation";
    case ARM_ERROR_NOT_SUPPORTED: return "not supported";
    case ARM_ERROR_OUT_OF_MEMORY: return "out of memory";
    case ARM_ERROR_MEMORY_LIMIT: return "memory limit exceeded";
    case ARM_ERROR_IO: return "I/O error";
    case ARM_ERROR_CORRUPT: return "corrupt data";
    case ARM_ERROR_CONFLICT: return "conflict";
    case ARM_ERROR_INTERRUPTED: return "interrupted";
    case ARM_ERROR_MISUSE: return "misuse";
    case ARM_ERROR_INTERNAL: return "internal error";
    }
    return "unknown status";
}

const char *error_default_sqlstate(arm_status status)
{
    switch (status) {
    case ARM_OK: return "00000";
    case ARM_ERROR: return "XX000";
    case ARM_ERROR_SYNTAX: return "42601";
    case ARM_ERROR_NOT_FOUND: return "42704";
    case ARM_ERROR_ALREADY_EXISTS: return "42P07";
    case ARM_ERROR_TYPE: return "42804";
    case ARM_ERROR_INVALID_INPUT: return "22P02";
    case ARM_ERROR_OUT_OF_RANGE: return "22003";
    case ARM_ERROR_DIVISION_BY_ZERO: return "22012";
    case ARM_ERROR_CONSTRAINT: return "23000";
    case ARM_ERROR_NOT_SUPPORTED: return "0A000";
    case ARM_ERROR_OUT_OF_MEMORY: return "53200";
    case ARM_ERROR_MEMORY_LIMIT: return "53200";
    case ARM_ERROR_IO: return "58030";
    case ARM_ERROR_CORRUPT: return "XX001";
    case ARM_ERROR_CONFLICT: return "40001";
    case ARM_ERROR_INTERRUPTED: return "57014";
    case ARM_ERROR_MISUSE: return "HY000";
    case ARM_ERROR_INTERNAL: return "XX000";
    }
    return "XX000";
}

arm_status error_set(arm_error *err, arm_status status, const char *sqlstate, int32_t position,
                     const char *fmt, ...)
{
    if (err == NULL)
        return status;
    err->status = status;
    if (sqlstate == NULL || strlen(sqlstate) != 5)
        sqlstate = error_default_sqlstate(status);
    memcpy(err->sqlstate, sqlstate, 6);
    err->position = position;
    va_list args;
    va_start(args, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, args);
    va_end(args);
    err->detail[0] = '\0';
    err->hint[0] = '\0';
    return status;
}

void error_detail(arm_error *err, const char *fmt, ...)
{
    if (err == NULL)
        return;
    va_list args;
    va_start(args, fmt);
    vsnprintf(err->detail, sizeof err->detail, fmt, args);
    va_end(args);
}

void error_hint(arm_error *err, const char *fmt, ...)
{
    if (err == NULL)
        return;
    va_list args;
    va_start(args, fmt);
    vsnprintf(err->hint, sizeof err->hint, fmt, args);
    va_end(args);
}

void error_set_position(arm_error *err, int32_t position)
{
    if (err != NULL && err->position < 0)
        err->position = position;
}

arm_status error_out_of_memory(arm_error *err)
{
    return error_set(err, ARM_ERROR_OUT_OF_MEMORY, NULL, -1, "out of memory");
}

arm_status error_internal(arm_error *err, const char *what)
{
    return error_set(err, ARM_ERROR_INTERNAL, NULL, -1, "internal error: %s", what);
}
