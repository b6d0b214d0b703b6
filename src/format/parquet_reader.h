/*
 * parquet_reader.h: reading Parquet files into vectors. A parquet_reader
 * opens a file (or a memory image), validates the footer and exposes the
 * flat schema as our logical types, row groups and statistics; a
 * parquet_column_reader decodes one column chunk batch by batch.
 *
 * Threads: after open, the accessors and parquet_reader_column_stats are
 * read-only, and column readers of one reader may run on different threads
 * at once (the file is read with pread). parquet_reader_page_index allocates
 * in the reader: call it from one thread at a time.
 *
 * Skipping: a scan prunes row groups itself with parquet_reader_column_stats
 * (it simply does not open their chunks), and pages with
 * parquet_reader_page_index + parquet_column_reader_skip, which passes over
 * whole pages without decompressing them.
 */
#ifndef ARM_FORMAT_PARQUET_READER_H
#define ARM_FORMAT_PARQUET_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "format/parquet_metadata.h"
#include "vector/vector.h"

typedef struct parquet_reader parquet_reader;
typedef struct parquet_column_reader parquet_column_reader;

/*
 * Opens the file at `path` and reads its footer. Errors: ARM_ERROR_IO when
 * the file cannot be read, ARM_ERROR_CORRUPT when it is not a valid Parquet
 * file (detail names the file and byte offset). The caller owns *out
 * (parquet_reader_close). Columns whose types we cannot read do not fail
 * open; reading them does.
 */
arm_status parquet_reader_open(parquet_reader **out, const char *path, arm_error *err);
/*
 * The same over `size` bytes at `data`, which are copied (the reader and the
 * vectors it fills do not depend on `data` afterwards). `name` (may be NULL)
 * is used in error details.
 */
arm_status parquet_reader_open_memory(parquet_reader **out, const void *data, size_t size,
                                      const char *name, arm_error *err);
/* `bytes->size_bytes` bytes of a file, from `offset` on. */
typedef struct parquet_image_segment {
    uint64_t offset;
    buffer *bytes;
} parquet_image_segment;
/*
 * The same over parts of a file of `size` bytes, each in its own buffer (retained): the
 * first 4 bytes, the footer and the columns to be read. Pages then keep only their own
 * column's bytes alive when batches use them in place. Reading outside the segments fails.
 */
arm_status parquet_reader_open_segments(parquet_reader **out, const parquet_image_segment *segments,
                                        uint32_t count, uint64_t size, const char *name,
                                        arm_error *err);
/* Accepts NULL. Column readers of this reader must be closed first. */
void parquet_reader_close(parquet_reader *r);

/* Leaf columns (in file order). */
uint32_t parquet_reader_column_count(const parquet_reader *r);
/* The column name (dotted path for nested columns); borrowed, lives as long as r. */
const char *parquet_reader_column_name(const parquet_reader *r, uint32_t column);
/* Our logical type (TYPE_INVALID when the column cannot be read). */
logical_type parquet_reader_column_type(const parquet_reader *r, uint32_t column);
bool parquet_reader_column_is_nullable(const parquet_reader *r, uint32_t column);
/* False with *field_id untouched when the schema has no field id. */
bool parquet_reader_column_field_id(const parquet_reader *r, uint32_t column, int32_t *field_id);
/*
 * ARM_OK when the column can be read; otherwise the error reading would
 * give (ARM_ERROR_NOT_SUPPORTED naming the column, e.g. nested or UINT64).
 */
arm_status parquet_reader_column_check(const parquet_reader *r, uint32_t column, arm_error *err);
/* Finds a column by exact name; false when absent. */
bool parquet_reader_find_column(const parquet_reader *r, const char *name, uint32_t *column);

int64_t parquet_reader_row_count(const parquet_reader *r);
uint32_t parquet_reader_row_group_count(const parquet_reader *r);
int64_t parquet_reader_row_group_rows(const parquet_reader *r, uint32_t row_group);
/* The decoded footer (borrowed). */
const parquet_file_meta *parquet_reader_metadata(const parquet_reader *r);
/* Total file size in bytes. */
uint64_t parquet_reader_file_size(const parquet_reader *r);

/*
 * Statistics of one column chunk or page, as values of the column's logical
 * type. Strings in min/max point into the reader's footer (or page index)
 * memory and live as long as the reader.
 */
typedef struct parquet_column_stats {
    bool has_min_max;
    value min;
    value max;
    bool has_null_count;
    int64_t null_count;
    int64_t row_count;
} parquet_column_stats;

/* Column chunk statistics; has_* false when the file carries none (or we cannot use them). */
arm_status parquet_reader_column_stats(const parquet_reader *r, uint32_t row_group, uint32_t column,
                                       parquet_column_stats *out, arm_error *err);

/*
 * The page index of one column chunk: per data page, its location, first row
 * and statistics. *page_count is 0 when the file has no page index for the
 * chunk. Arrays are allocated in the reader and live as long as it.
 */
typedef struct parquet_page_info {
    int64_t offset;
    int32_t size_bytes;
    int64_t first_row;
    int64_t row_count;
    parquet_column_stats stats;
} parquet_page_info;

arm_status parquet_reader_page_index(parquet_reader *r, uint32_t row_group, uint32_t column,
                                     parquet_page_info **pages, uint32_t *page_count,
                                     arm_error *err);

/*
 * Opens a cursor over one column chunk. Fails with ARM_ERROR_NOT_SUPPORTED for
 * columns parquet_reader_column_check rejects, ARM_ERROR_CORRUPT when the
 * chunk's location lies outside the file. The caller owns *out.
 */
arm_status parquet_column_reader_open(parquet_column_reader **out, parquet_reader *r,
                                      uint32_t row_group, uint32_t column, arm_error *err);
/*
 * Points an open cursor at another column chunk (of any reader) as if it
 * were closed and opened again, but reusing its chunk and page buffers when
 * nothing else holds them: a scan moving from row group to row group then
 * reads into memory it has already touched. The keep_dictionary setting
 * stays. After a failure, only next (which returns no rows), reopen and
 * close may be called.
 */
arm_status parquet_column_reader_reopen(parquet_column_reader *cr, parquet_reader *r,
                                        uint32_t row_group, uint32_t column, arm_error *err);
/*
 * When true (the default), batches whose values all come from
 * dictionary-encoded pages are returned as VECTOR_DICTIONARY vectors (uint32
 * indexes into a dictionary shared by every batch of the chunk); otherwise
 * values are always flat. Types narrower than 4 bytes are always flat.
 */
void parquet_column_reader_set_keep_dictionary(parquet_column_reader *cr, bool keep);
/*
 * Decodes up to `max_rows` (<= VECTOR_SIZE) next rows into `out` (a vector
 * of the column's type, reused across calls). *rows_out is 0 at the end of
 * the chunk. Strings point into page buffers that `out` keeps alive.
 * ARM_ERROR_CORRUPT on malformed data (detail: file, column, byte offset).
 */
arm_status parquet_column_reader_next(parquet_column_reader *cr, vector *out, uint32_t max_rows,
                                      uint32_t *rows_out, arm_error *err);
/* Skips `rows` rows (decoding what it must; pages wholly skipped are not decompressed). */
arm_status parquet_column_reader_skip(parquet_column_reader *cr, uint64_t rows, arm_error *err);
/* Accepts NULL. */
void parquet_column_reader_close(parquet_column_reader *cr);

#endif
