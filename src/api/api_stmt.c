/*
 * api_stmt.c: prepared statements: bind values (copied), execute many times.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"
#include "common/error.h"

arm_status arm_stmt_prepare(arm_stmt **out, arm_conn *conn, const char *sql, arm_error *err)
{
    if (out == NULL || conn == NULL || sql == NULL)
        return error_set(err, ARM_ERROR_MISUSE, NULL, -1, "arm_stmt_prepare: NULL argument");
    *out = NULL;
    arm_stmt *stmt = calloc(1, sizeof *stmt);
    if (stmt == NULL)
        return error_out_of_memory(err);
    stmt->conn = conn;
    arm_status s = sql_prepare(&stmt->prepared, &conn->session, sql, err);
    if (s != ARM_OK) {
        free(stmt);
        return s;
    }
    stmt->param_count = sql_prepared_param_count(stmt->prepared);
    uint32_t n = stmt->param_count ? stmt->param_count : 1;
    stmt->params = calloc(n, sizeof *stmt->params);
    stmt->param_text = calloc(n, sizeof *stmt->param_text);
    if (stmt->params == NULL || stmt->param_text == NULL) {
        arm_stmt_destroy(stmt);
        return error_out_of_memory(err);
    }
    for (uint32_t i = 0; i < stmt->param_count; i++)
        stmt->params[i] = value_null(type_make(TYPE_NULL));
    *out = stmt;
    return ARM_OK;
}

size_t arm_stmt_param_count(const arm_stmt *stmt)
{
    return stmt ? stmt->param_count : 0;
}

static arm_status check_index(arm_stmt *stmt, size_t index, arm_error *err)
{
    if (stmt == NULL)
        return error_set(err, ARM_ERROR_MISUSE, NULL, -1, "statement is NULL");
    if (index < 1 || index > stmt->param_count)
        return error_set(err, ARM_ERROR_MISUSE, NULL, -1,
                         "parameter index %zu is out of range (the statement has %u)", index,
                         stmt->param_count);
    free(stmt->param_text[index - 1]);
    stmt->param_text[index - 1] = NULL;
    return ARM_OK;
}

arm_status arm_stmt_bind_null(arm_stmt *stmt, size_t index, arm_error *err)
{
    arm_status s = check_index(stmt, index, err);
    if (s == ARM_OK)
        stmt->params[index - 1] = value_null(type_make(TYPE_NULL));
    return s;
}

arm_status arm_stmt_bind_bool(arm_stmt *stmt, size_t index, bool v, arm_error *err)
{
    arm_status s = check_index(stmt, index, err);
    if (s == ARM_OK)
        stmt->params[index - 1] = value_boolean(v);
    return s;
}

arm_status arm_stmt_bind_int64(arm_stmt *stmt, size_t index, int64_t v, arm_error *err)
{
    arm_status s = check_index(stmt, index, err);
    if (s == ARM_OK)
        stmt->params[index - 1] = value_bigint(v);
    return s;
}

arm_status arm_stmt_bind_double(arm_stmt *stmt, size_t index, double v, arm_error *err)
{
    arm_status s = check_index(stmt, index, err);
    if (s == ARM_OK)
        stmt->params[index - 1] = value_double(v);
    return s;
}

arm_status arm_stmt_bind_text(arm_stmt *stmt, size_t index, const char *text, size_t length,
                              arm_error *err)
{
    arm_status s = check_index(stmt, index, err);
    if (s != ARM_OK)
        return s;
    if (text == NULL)
        return arm_stmt_bind_null(stmt, index, err);
    char *copy = malloc(length + 1);
    if (copy == NULL)
        return error_out_of_memory(err);
    memcpy(copy, text, length);
    copy[length] = '\0';
    stmt->param_text[index - 1] = copy;
    stmt->params[index - 1] = value_varchar(copy, (uint32_t)length);
    return ARM_OK;
}

arm_status arm_stmt_execute(arm_result **out, arm_stmt *stmt, arm_error *err)
{
    if (out != NULL)
        *out = NULL;
    if (stmt == NULL)
        return error_set(err, ARM_ERROR_MISUSE, NULL, -1, "statement is NULL");
    arm_error local;
    if (err == NULL)
        err = &local;
    result_set *rs = NULL;
    arm_status s = sql_prepared_execute(&rs, stmt->prepared, stmt->params, stmt->param_count, err);
    if (s != ARM_OK) {
        result_set_destroy(rs);
        return s;
    }
    if (out == NULL) {
        result_set_destroy(rs);
        return ARM_OK;
    }
    return api_result_wrap(out, rs, err);
}

void arm_stmt_destroy(arm_stmt *stmt)
{
    if (stmt == NULL)
        return;
    sql_prepared_destroy(stmt->prepared);
    if (stmt->param_text != NULL)
        for (uint32_t i = 0; i < stmt->param_count; i++)
            free(stmt->param_text[i]);
    free(stmt->param_text);
    free(stmt->params);
    free(stmt);
}
