/*
 * parquet_reader_internal.h: what parquet_reader.c (file, footer, schema,
 * statistics) shares with parquet_column_reader.c (page decoding): the
 * reader struct, the per-leaf decoding plan and error helpers.
 */
#ifndef ARM_FORMAT_PARQUET_READER_INTERNAL_H
#define ARM_FORMAT_PARQUET_READER_INTERNAL_H

#include "common/arena.h"
#include "format/parquet_reader.h"

/* How physical values become values of our logical type. */
typedef enum parquet_convert {
    PARQUET_CONVERT_NONE,    /* same bytes (INT32->INTEGER/DATE, INT64, FLOAT, DOUBLE) */
    PARQUET_CONVERT_BOOLEAN, /* bit or RLE booleans -> uint8 */
    PARQUET_CONVERT_I32_TO_I8,
    PARQUET_CONVERT_I32_TO_I16,
    PARQUET_CONVERT_I32_TO_I64,    /* signed widening (DECIMAL in INT32) */
    PARQUET_CONVERT_U32_TO_I64,    /* UINT32 -> BIGINT */
    PARQUET_CONVERT_I64_TO_I128,   /* DECIMAL(p > 18) in INT64 */
    PARQUET_CONVERT_U64_TO_I128,   /* UINT64 -> DECIMAL(20,0) */
    PARQUET_CONVERT_MILLIS,        /* INT64 ms -> us */
    PARQUET_CONVERT_NANOS,         /* INT64 ns -> us (floor) */
    PARQUET_CONVERT_INT96,         /* legacy (nanos of day, julian day) -> us */
    PARQUET_CONVERT_STRING,        /* BYTE_ARRAY / FIXED_LEN_BYTE_ARRAY -> string_view */
    PARQUET_CONVERT_DECIMAL_BYTES, /* big-endian two's complement -> int64/int128 */
    PARQUET_CONVERT_INTERVAL,      /* FIXED(12) months, days, millis -> interval_value */
} parquet_convert;

/* One leaf column: where it sits in the schema and how to decode it. */
typedef struct parquet_leaf {
    const char *name; /* dotted path */
    const parquet_schema_element *element;
    parquet_physical_type physical;
    uint32_t physical_size; /* bytes per PLAIN value, 0 for BYTE_ARRAY and BOOLEAN */
    logical_type type;
    parquet_convert convert;
    uint32_t max_definition;
    uint32_t max_repetition;
    bool is_nested;
    arm_status unsupported; /* ARM_OK when readable */
    const char *unsupported_reason;
} parquet_leaf;

struct parquet_reader {
    char *name; /* path or "<memory>", for errors */
    int fd;     /* -1 for memory images */
    buffer *image;
    parquet_image_segment *segments; /* instead of an image: the parts that were read */
    uint32_t segment_count;
    uint64_t file_size;
    arena *arena;
    buffer *footer; /* metadata bytes point into it */
    parquet_file_meta meta;
    uint32_t leaf_count;
    parquet_leaf *leaves;
    buffer **held; /* page index buffers kept for borrowed stats */
    uint32_t held_count, held_capacity;
};

/* Reads [offset, offset+size) of the file (bounds already checked). */
arm_status parquet_reader_read_range(parquet_reader *r, uint64_t offset, size_t size, buffer **out,
                                     const uint8_t **data, arm_error *err);
/*
 * The same, reading into `reuse` (taken over; may be NULL) when nothing else
 * holds it and it is large enough, so scans do not fault in fresh memory for
 * every column chunk; otherwise `reuse` is released.
 */
arm_status parquet_reader_read_range_into(parquet_reader *r, uint64_t offset, size_t size,
                                          buffer *reuse, buffer **out, const uint8_t **data,
                                          arm_error *err);
/* Sets ARM_ERROR_CORRUPT with a detail naming the file, column (may be NULL) and offset. */
arm_status parquet_reader_corrupt(const parquet_reader *r, const char *column, uint64_t offset,
                                  arm_error *err, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Converts PLAIN statistics bytes into a value of the leaf's type; false when unusable. */
bool parquet_leaf_stat_value(const parquet_leaf *leaf, const uint8_t *data, uint32_t length,
                             value *out);
/* Big-endian two's complement bytes (<= 16) to int128. */
int128 parquet_decimal_from_bytes(const uint8_t *data, uint32_t length);

#endif
