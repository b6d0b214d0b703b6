/*
 * duckdb_api.c: resolves the DuckDB C API with dlopen/dlsym so the benchmark
 * can run DuckDB as the peer in the same process without linking it.
 */
#include "duckdb_api.h"

#include <dlfcn.h>
#include <stdio.h>

#define LOAD(field, symbol)                                                                        \
    do {                                                                                           \
        *(void **)(&api->field) = dlsym(api->handle, symbol);                                      \
        if (api->field == NULL) {                                                                  \
            fprintf(stderr, "bench: %s lacks %s\n", path, symbol);                                 \
            return false;                                                                          \
        }                                                                                          \
    } while (0)

bool duckdb_api_load(duckdb_api *api, const char *path)
{
    api->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (api->handle == NULL) {
        fprintf(stderr, "bench: cannot load DuckDB from %s: %s\n", path, dlerror());
        return false;
    }
    LOAD(open, "duckdb_open");
    LOAD(close, "duckdb_close");
    LOAD(connect, "duckdb_connect");
    LOAD(disconnect, "duckdb_disconnect");
    LOAD(query, "duckdb_query");
    LOAD(destroy_result, "duckdb_destroy_result");
    LOAD(result_error, "duckdb_result_error");
    LOAD(column_count, "duckdb_column_count");
    LOAD(column_type, "duckdb_column_type");
    LOAD(result_chunk_count, "duckdb_result_chunk_count");
    LOAD(result_get_chunk, "duckdb_result_get_chunk");
    LOAD(destroy_data_chunk, "duckdb_destroy_data_chunk");
    LOAD(data_chunk_get_size, "duckdb_data_chunk_get_size");
    LOAD(data_chunk_get_vector, "duckdb_data_chunk_get_vector");
    LOAD(vector_get_data, "duckdb_vector_get_data");
    LOAD(vector_get_validity, "duckdb_vector_get_validity");
    LOAD(appender_create, "duckdb_appender_create");
    LOAD(appender_destroy, "duckdb_appender_destroy");
    LOAD(appender_end_row, "duckdb_appender_end_row");
    LOAD(append_bool, "duckdb_append_bool");
    LOAD(append_int32, "duckdb_append_int32");
    LOAD(append_int64, "duckdb_append_int64");
    LOAD(append_double, "duckdb_append_double");
    LOAD(append_varchar_length, "duckdb_append_varchar_length");
    LOAD(append_timestamp, "duckdb_append_timestamp");
    LOAD(decimal_width, "duckdb_decimal_width");
    LOAD(decimal_scale, "duckdb_decimal_scale");
    LOAD(column_logical_type, "duckdb_column_logical_type");
    LOAD(destroy_logical_type, "duckdb_destroy_logical_type");
    LOAD(value_double, "duckdb_value_double");
    LOAD(value_is_null, "duckdb_value_is_null");
    return true;
}
