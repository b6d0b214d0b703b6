/*
 * api_internal.h: the structs behind the public handles of armillaria.h.
 */
#ifndef ARM_API_INTERNAL_H
#define ARM_API_INTERNAL_H

#include <stdatomic.h>

#include "armillaria.h"
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

/* Wraps a result set (ownership moves) into a new arm_result. */
arm_status api_result_wrap(arm_result **out, result_set *rows, arm_error *err);

#endif
