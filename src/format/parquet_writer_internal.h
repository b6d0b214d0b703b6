/*
 * parquet_writer_internal.h: the per-column state of parquet_writer, shared
 * by parquet_writer.c (file, row groups, footer, page index) and
 * parquet_column_writer.c (buffering values, dictionary, pages, statistics).
 */
#ifndef ARM_FORMAT_PARQUET_WRITER_INTERNAL_H
#define ARM_FORMAT_PARQUET_WRITER_INTERNAL_H

#include <stdio.h>

#include "common/arena.h"
#include "format/parquet_encoding.h"
#include "format/parquet_writer.h"

/* One data page as recorded for the page index. */
typedef struct parquet_written_page {
    int64_t offset;
    int32_t size_bytes; /* header + compressed body */
    int64_t first_row;
    int64_t null_count;
    bool has_min_max;
    parquet_bytes min, max;
} parquet_written_page;

/*
 * One output column: its Parquet schema and the values of the row group
 * being built, already in physical form (PLAIN bytes of non-NULL values;
 * for byte arrays the bytes and end offsets), plus one definition level byte
 * per row when nullable.
 */
typedef struct parquet_column_writer {
    const char *name;
    logical_type type;
    bool is_nullable;
    int32_t field_id;
    parquet_physical_type physical;
    uint32_t physical_size; /* 0 for BYTE_ARRAY */
    parquet_byte_buffer values;
    parquet_byte_buffer ends;   /* uint64 end offset per byte-array value */
    parquet_byte_buffer levels; /* uint8 per row */
    uint64_t value_count;
    uint64_t row_count;
    /* pages of the chunk being written */
    parquet_written_page *pages;
    uint32_t page_count, page_capacity;
    void *flush_scratch; /* buffers of the flush, kept across row groups */
} parquet_column_writer;

/* Where the bytes go. */
typedef struct parquet_sink {
    FILE *file;
    parquet_byte_buffer memory;
    uint64_t offset;
} parquet_sink;

arm_status parquet_sink_write(parquet_sink *s, const void *data, size_t size, arm_error *err);

/* Sets up the schema side of a column (physical type, sizes). */
arm_status parquet_column_writer_init(parquet_column_writer *c, const parquet_writer_column *def,
                                      arena *a, arm_error *err);
void parquet_column_writer_dispose(parquet_column_writer *c);
/* Appends rows of a vector (rows `sel[0..count)` or [0, count)). */
arm_status parquet_column_writer_append(parquet_column_writer *c, const vector *v,
                                        const uint32_t *sel, uint32_t count, arm_error *err);
/* Fills the schema element for this column. */
void parquet_column_writer_schema(const parquet_column_writer *c, parquet_schema_element *e);
/*
 * Writes the buffered row group chunk (dictionary page, data pages) to the
 * sink, fills `chunk` (metadata, statistics) with arrays in `a`, records the
 * pages in c->pages and clears the buffered values.
 */
arm_status parquet_column_writer_flush(parquet_column_writer *c,
                                       const parquet_writer_options *options, parquet_sink *sink,
                                       arena *a, parquet_column_chunk *chunk, arm_error *err);

#endif
