/*
 * fuzz_thrift.c: libFuzzer target for the Thrift compact decoder: the input
 * is decoded as each Parquet structure in turn (footer, page header, column
 * index, offset index) and skipped as a generic struct.
 */
#include <stddef.h>
#include <stdint.h>

#include "format/parquet_metadata.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    thrift_reader r;
    arena *a = arena_create(0, NULL);
    if (a == NULL)
        return 0;
    parquet_file_meta meta;
    parquet_page_header header;
    parquet_column_index column_index;
    parquet_offset_index offset_index;
    thrift_reader_init(&r, data, size);
    parquet_file_meta_decode(&meta, &r, a);
    thrift_reader_init(&r, data, size);
    parquet_page_header_decode(&header, &r);
    thrift_reader_init(&r, data, size);
    parquet_column_index_decode(&column_index, &r, a);
    thrift_reader_init(&r, data, size);
    parquet_offset_index_decode(&offset_index, &r, a);
    thrift_reader_init(&r, data, size);
    thrift_skip(&r, THRIFT_STRUCT);
    arena_destroy(a);
    return 0;
}
