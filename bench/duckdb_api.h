/*
 * duckdb_api.h: the few DuckDB C API entry points the benchmark uses,
 * declared here and resolved with dlsym from libduckdb.so (the npm package
 * @duckdb/node-bindings-linux-x64). The product never links DuckDB.
 */
#ifndef ARM_BENCH_DUCKDB_API_H
#define ARM_BENCH_DUCKDB_API_H

#include <stdbool.h>
#include <stdint.h>

typedef uint64_t duckdb_idx;
typedef struct {
    void *internal_ptr;
} * duckdb_database_h;
typedef struct {
    void *internal_ptr;
} * duckdb_connection_h;
typedef struct {
    void *internal_ptr;
} * duckdb_appender_h;
typedef struct {
    void *internal_ptr;
} * duckdb_data_chunk_h;
typedef struct {
    void *internal_ptr;
} * duckdb_vector_h;
typedef struct {
    void *internal_ptr;
} * duckdb_logical_type_h;

/* Layout of duckdb_result in DuckDB's C API (only passed by pointer). */
typedef struct {
    duckdb_idx deprecated_column_count;
    duckdb_idx deprecated_row_count;
    duckdb_idx deprecated_rows_changed;
    void *deprecated_columns;
    char *deprecated_error_message;
    void *internal_data;
} duckdb_result_s;

/* duckdb_type values used here. */
enum {
    DUCKDB_T_BOOLEAN = 1,
    DUCKDB_T_TINYINT = 2,
    DUCKDB_T_SMALLINT = 3,
    DUCKDB_T_INTEGER = 4,
    DUCKDB_T_BIGINT = 5,
    DUCKDB_T_UTINYINT = 6,
    DUCKDB_T_USMALLINT = 7,
    DUCKDB_T_UINTEGER = 8,
    DUCKDB_T_UBIGINT = 9,
    DUCKDB_T_FLOAT = 10,
    DUCKDB_T_DOUBLE = 11,
    DUCKDB_T_TIMESTAMP = 12,
    DUCKDB_T_DATE = 13,
    DUCKDB_T_VARCHAR = 17,
    DUCKDB_T_HUGEINT = 16,
    DUCKDB_T_DECIMAL = 19,
};

typedef struct duckdb_api {
    void *handle;
    int (*open)(const char *path, duckdb_database_h *out);
    void (*close)(duckdb_database_h *db);
    int (*connect)(duckdb_database_h db, duckdb_connection_h *out);
    void (*disconnect)(duckdb_connection_h *conn);
    int (*query)(duckdb_connection_h conn, const char *sql, duckdb_result_s *out);
    void (*destroy_result)(duckdb_result_s *result);
    const char *(*result_error)(duckdb_result_s *result);
    duckdb_idx (*column_count)(duckdb_result_s *result);
    int (*column_type)(duckdb_result_s *result, duckdb_idx col);
    duckdb_idx (*result_chunk_count)(duckdb_result_s result);
    duckdb_data_chunk_h (*result_get_chunk)(duckdb_result_s result, duckdb_idx index);
    void (*destroy_data_chunk)(duckdb_data_chunk_h *chunk);
    duckdb_idx (*data_chunk_get_size)(duckdb_data_chunk_h chunk);
    duckdb_vector_h (*data_chunk_get_vector)(duckdb_data_chunk_h chunk, duckdb_idx col);
    void *(*vector_get_data)(duckdb_vector_h v);
    uint64_t *(*vector_get_validity)(duckdb_vector_h v);
    int (*appender_create)(duckdb_connection_h conn, const char *schema, const char *table,
                           duckdb_appender_h *out);
    int (*appender_destroy)(duckdb_appender_h *appender);
    int (*appender_end_row)(duckdb_appender_h appender);
    int (*append_bool)(duckdb_appender_h appender, bool value);
    int (*append_int32)(duckdb_appender_h appender, int32_t value);
    int (*append_int64)(duckdb_appender_h appender, int64_t value);
    int (*append_double)(duckdb_appender_h appender, double value);
    int (*append_varchar_length)(duckdb_appender_h appender, const char *text, duckdb_idx length);
    int (*append_timestamp)(duckdb_appender_h appender, int64_t micros);
    uint8_t (*decimal_width)(duckdb_logical_type_h type);
    uint8_t (*decimal_scale)(duckdb_logical_type_h type);
    duckdb_logical_type_h (*column_logical_type)(duckdb_result_s *result, duckdb_idx col);
    void (*destroy_logical_type)(duckdb_logical_type_h *type);
    double (*value_double)(duckdb_result_s *result, duckdb_idx col, duckdb_idx row);
    bool (*value_is_null)(duckdb_result_s *result, duckdb_idx col, duckdb_idx row);
} duckdb_api;

/* Loads libduckdb.so from `path`; false with a message on stderr when it cannot. */
bool duckdb_api_load(duckdb_api *api, const char *path);

#endif
