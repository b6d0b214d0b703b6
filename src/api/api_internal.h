/*
 * api_internal.h: the structs behind the public handles of armillaria.h.
 */
#ifndef ARM_API_INTERNAL_H
#define ARM_API_INTERNAL_H

#include <stdatomic.h>

#include "armillaria.h"
#include "common/arena.h"
#include "sql/sql.h"

struct arm_db {
    sql_database sql;
    char *path; /* NULL for :memory: */
    _Atomic int connection_count;
};

struct arm_conn {
    arm_db *db;
    sql_session session;
};

struct arm_result {
    result_set *rows; /* owned */
};

struct arm_stmt {
    arm_conn *conn;
    sql_prepared *prepared;
    value *params;
    char **param_text; /* copies of bound text, owned */
    uint32_t param_count;
};

/*
 * An appender: complete rows buffered column-wise in `rows` (rows.count of
 * them) and the row being built at index rows.count, `column` values in.
 * Written through sql_append when full, flushed or closed.
 */
struct arm_appender {
    arm_conn *conn;
    sql_append_target target;
    batch rows;
    uint32_t capacity;  /* rows every column vector holds now */
    uint32_t column;    /* the next value's column in the row being built */
    uint64_t row_count; /* rows ended or discarded so far, for error messages */
    arena *scratch;     /* strings of converted values; reset after each */
};

/* Wraps a result set (ownership moves) into a new arm_result. */
arm_status api_result_wrap(arm_result **out, result_set *rows, arm_error *err);

#endif
