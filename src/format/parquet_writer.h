/*
 * parquet_writer.h: writing batches into a Parquet file or memory image.
 * Output is deterministic: the same rows and options give the same bytes
 * (no timestamps, fixed field order, dictionary order = first occurrence).
 */
#ifndef ARM_FORMAT_PARQUET_WRITER_H
#define ARM_FORMAT_PARQUET_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/thread_pool.h"
#include "format/parquet_metadata.h"
#include "vector/vector.h"

typedef struct parquet_writer parquet_writer;

/* One output column. `name` is copied. field_id < 0: none written. */
typedef struct parquet_writer_column {
    const char *name;
    logical_type type;
    bool is_nullable;
    int32_t field_id;
} parquet_writer_column;

#define PARQUET_WRITER_OPTIONS_VERSION 1

/*
 * Writer settings. Start from PARQUET_WRITER_OPTIONS_INIT.
 * INTERVAL columns are written as FIXED_LEN_BYTE_ARRAY(12) with the INTERVAL
 * converted type (months, days, milliseconds): sub-millisecond precision is
 * lost, as in every Parquet writer; other engines read them back. Negative
 * components are stored in two's complement (the spec says unsigned).
 */
typedef struct parquet_writer_options {
    unsigned version;
    parquet_codec_id codec;        /* ZSTD by default; SNAPPY, GZIP, LZ4_RAW, UNCOMPRESSED */
    int compression_level;         /* 0: codec default */
    uint64_t row_group_rows;       /* rows per row group (default 122880) */
    uint32_t page_size_bytes;      /* target uncompressed data page size (default 1 MiB) */
    bool use_dictionary;           /* dictionary-encode where it pays (default true) */
    uint32_t dictionary_max_bytes; /* give up on a dictionary beyond this (default 1 MiB) */
    bool write_page_index;         /* ColumnIndex/OffsetIndex (default true) */
    bool data_page_v2;             /* DATA_PAGE_V2 instead of v1 (default false) */
    /* Store a column chunk uncompressed when its first page compresses by less than 1/16
     * (random doubles, say): reading it then decompresses nothing (default false). */
    bool raw_if_incompressible;
    /* INT64 columns are DELTA_BINARY_PACKED when that takes at most a quarter of PLAIN's
     * bytes and fewer than a dictionary (sorted ids, sequences, regular timestamps, small
     * ranges; default false). */
    bool delta_int64;
} parquet_writer_options;

#define PARQUET_WRITER_OPTIONS_INIT                                                                \
    {                                                                                              \
        PARQUET_WRITER_OPTIONS_VERSION, PARQUET_CODEC_ZSTD, 0, 122880, 1u << 20, true, 1u << 20,   \
            true, false, false, false                                                              \
    }

/*
 * Creates a writer that writes to the file at `path` (created or truncated).
 * `options` may be NULL for the defaults. The caller owns *out: finish with
 * parquet_writer_close (or parquet_writer_destroy to abandon).
 */
arm_status parquet_writer_create(parquet_writer **out, const char *path,
                                 const parquet_writer_column *columns, uint32_t column_count,
                                 const parquet_writer_options *options, arm_error *err);
/* The same, writing to memory; fetch the bytes with parquet_writer_memory after close. */
arm_status parquet_writer_create_memory(parquet_writer **out, const parquet_writer_column *columns,
                                        uint32_t column_count,
                                        const parquet_writer_options *options, arm_error *err);
/*
 * Appends the logical rows of `b` (honouring b->sel); its columns must match
 * the writer's columns in count and type (any vector kind). A NULL in a
 * non-nullable column is ARM_ERROR_CONSTRAINT.
 */
arm_status parquet_writer_write_batch(parquet_writer *w, const batch *b, arm_error *err);
/*
 * Appends the rows of `batches` in order, as parquet_writer_write_batch on
 * each would, encoding whole row groups on `pool` (may be NULL) with up to
 * `thread_count` threads, the caller's included (one thread or no pool:
 * write_batch on each, straight to the file). Row groups are written in
 * order: the bytes are the same for any thread count. The batches are
 * borrowed for the call; rows after the last whole row group stay buffered
 * for the next call or close. An error leaves the writer failed.
 */
arm_status parquet_writer_write_batches(parquet_writer *w, const batch *batches,
                                        uint32_t batch_count, thread_pool *pool,
                                        uint32_t thread_count, arm_error *err);
/*
 * Streaming, for rows that arrive batch by batch from several threads (COPY
 * ... TO): begin, then stream_add the batches in row order, one caller at a
 * time; whenever row_group_rows rows are gathered that row group is queued,
 * and stream_work (any threads, concurrently, also while stream_add runs)
 * encodes queued groups, each into its own buffer, and writes them in order
 * (with only_backlog, only while more groups are queued than threads: for a
 * thread that had better keep producing rows).
 * stream_end encodes what is still queued and leaves the rows of the last,
 * partial group buffered for close. The bytes are those parquet_writer_write_batch
 * writes for the same rows, for any thread count. With thread_count <= 1,
 * stream_add is parquet_writer_write_batch and stream_work does nothing.
 * stream_begin needs a writer with no rows buffered (ARM_ERROR_MISUSE).
 * stream_add keeps the rows it needs (retains vectors, copies selected rows):
 * the batch is borrowed for the call. stream_work may wait while more groups
 * are queued than there are threads and none can be taken. After an error
 * the writer is failed; destroy it (pending rows are freed).
 */
arm_status parquet_writer_stream_begin(parquet_writer *w, uint32_t thread_count, arm_error *err);
arm_status parquet_writer_stream_add(parquet_writer *w, const batch *b, arm_error *err);
arm_status parquet_writer_stream_work(parquet_writer *w, bool only_backlog, arm_error *err);
arm_status parquet_writer_stream_end(parquet_writer *w, arm_error *err);
/*
 * Flushes the last row group, writes the page index and the footer and
 * closes the file. *total_bytes (may be NULL) receives the file size. The
 * writer stays allocated (memory output stays readable) until destroy.
 */
arm_status parquet_writer_close(parquet_writer *w, uint64_t *total_bytes, arm_error *err);
/* The memory image of a closed memory writer (borrowed; NULL otherwise). */
const uint8_t *parquet_writer_memory(const parquet_writer *w, size_t *size);
/* Frees the writer (accepts NULL); a file writer not closed leaves a partial file. */
void parquet_writer_destroy(parquet_writer *w);

#endif
