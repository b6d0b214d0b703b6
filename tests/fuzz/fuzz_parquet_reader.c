/*
 * fuzz_parquet_reader.c: libFuzzer target for the Parquet reader: opens the
 * input as a file image, then reads statistics, the page index and every
 * column chunk. Any input must give a status, never a crash or a leak.
 */
#include <stddef.h>
#include <stdint.h>

#include "format/parquet_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_chunk(parquet_reader *r, uint32_t g, uint32_t c, vector *v, bool keep)
{
    arm_error err;
    parquet_column_stats stats;
    parquet_page_info *pages;
    uint32_t count, got;
    parquet_reader_column_stats(r, g, c, &stats, &err);
    parquet_reader_page_index(r, g, c, &pages, &count, &err);
    parquet_column_reader *cr = NULL;
    if (parquet_column_reader_open(&cr, r, g, c, &err) != ARM_OK)
        return;
    parquet_column_reader_set_keep_dictionary(cr, keep);
    if (parquet_column_reader_skip(cr, 3, &err) == ARM_OK) {
        int batches = 0;
        while (parquet_column_reader_next(cr, v, VECTOR_SIZE, &got, &err) == ARM_OK && got > 0 &&
               ++batches < 64)
            ;
    }
    parquet_column_reader_close(cr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arm_error err;
    parquet_reader *r = NULL;
    if (parquet_reader_open_memory(&r, data, size, "fuzz.parquet", &err) != ARM_OK)
        return 0;
    uint32_t columns = parquet_reader_column_count(r);
    uint32_t groups = parquet_reader_row_group_count(r);
    for (uint32_t c = 0; c < columns && c < 64; c++) {
        vector v;
        vector_init(&v, parquet_reader_column_type(r, c));
        for (uint32_t g = 0; g < groups && g < 16; g++)
            read_chunk(r, g, c, &v, (g & 1) == 0);
        vector_dispose(&v);
    }
    parquet_reader_close(r);
    return 0;
}
