/*
 * parquet_metadata.h: the Parquet footer and page structures (FileMetaData,
 * SchemaElement, RowGroup, ColumnChunk, PageHeader, ColumnIndex, OffsetIndex)
 * as plain C structs, with decoders from and encoders to the Thrift compact
 * protocol. Only the fields Armillaria uses are kept; others are skipped.
 */
#ifndef ARM_FORMAT_PARQUET_METADATA_H
#define ARM_FORMAT_PARQUET_METADATA_H

#include <stdbool.h>
#include <stdint.h>

#include "common/arena.h"
#include "format/thrift_compact.h"

typedef enum parquet_physical_type {
    PARQUET_BOOLEAN = 0,
    PARQUET_INT32 = 1,
    PARQUET_INT64 = 2,
    PARQUET_INT96 = 3,
    PARQUET_FLOAT = 4,
    PARQUET_DOUBLE = 5,
    PARQUET_BYTE_ARRAY = 6,
    PARQUET_FIXED_LEN_BYTE_ARRAY = 7,
} parquet_physical_type;

typedef enum parquet_converted_type {
    PARQUET_CT_NONE = -1,
    PARQUET_CT_UTF8 = 0,
    PARQUET_CT_MAP = 1,
    PARQUET_CT_MAP_KEY_VALUE = 2,
    PARQUET_CT_LIST = 3,
    PARQUET_CT_ENUM = 4,
    PARQUET_CT_DECIMAL = 5,
    PARQUET_CT_DATE = 6,
    PARQUET_CT_TIME_MILLIS = 7,
    PARQUET_CT_TIME_MICROS = 8,
    PARQUET_CT_TIMESTAMP_MILLIS = 9,
    PARQUET_CT_TIMESTAMP_MICROS = 10,
    PARQUET_CT_UINT_8 = 11,
    PARQUET_CT_UINT_16 = 12,
    PARQUET_CT_UINT_32 = 13,
    PARQUET_CT_UINT_64 = 14,
    PARQUET_CT_INT_8 = 15,
    PARQUET_CT_INT_16 = 16,
    PARQUET_CT_INT_32 = 17,
    PARQUET_CT_INT_64 = 18,
    PARQUET_CT_JSON = 19,
    PARQUET_CT_BSON = 20,
    PARQUET_CT_INTERVAL = 21,
} parquet_converted_type;

typedef enum parquet_repetition {
    PARQUET_REQUIRED = 0,
    PARQUET_OPTIONAL = 1,
    PARQUET_REPEATED = 2,
} parquet_repetition;

/* The LogicalType union member that is set (the thrift field id), 0 for none. */
typedef enum parquet_logical_kind {
    PARQUET_LT_NONE = 0,
    PARQUET_LT_STRING = 1,
    PARQUET_LT_MAP = 2,
    PARQUET_LT_LIST = 3,
    PARQUET_LT_ENUM = 4,
    PARQUET_LT_DECIMAL = 5,
    PARQUET_LT_DATE = 6,
    PARQUET_LT_TIME = 7,
    PARQUET_LT_TIMESTAMP = 8,
    PARQUET_LT_INTEGER = 10,
    PARQUET_LT_UNKNOWN = 11,
    PARQUET_LT_JSON = 12,
    PARQUET_LT_BSON = 13,
    PARQUET_LT_UUID = 14,
    PARQUET_LT_FLOAT16 = 15,
} parquet_logical_kind;

typedef enum parquet_time_unit {
    PARQUET_MILLIS = 1,
    PARQUET_MICROS = 2,
    PARQUET_NANOS = 3,
} parquet_time_unit;

typedef struct parquet_logical_type {
    parquet_logical_kind kind;
    int32_t decimal_scale, decimal_precision; /* DECIMAL */
    bool is_adjusted_to_utc;                  /* TIME, TIMESTAMP */
    parquet_time_unit unit;                   /* TIME, TIMESTAMP */
    int8_t bit_width;                         /* INTEGER */
    bool is_signed;                           /* INTEGER */
} parquet_logical_type;

typedef enum parquet_encoding {
    PARQUET_ENC_PLAIN = 0,
    PARQUET_ENC_PLAIN_DICTIONARY = 2,
    PARQUET_ENC_RLE = 3,
    PARQUET_ENC_BIT_PACKED = 4,
    PARQUET_ENC_DELTA_BINARY_PACKED = 5,
    PARQUET_ENC_DELTA_LENGTH_BYTE_ARRAY = 6,
    PARQUET_ENC_DELTA_BYTE_ARRAY = 7,
    PARQUET_ENC_RLE_DICTIONARY = 8,
    PARQUET_ENC_BYTE_STREAM_SPLIT = 9,
} parquet_encoding;

typedef enum parquet_codec_id {
    PARQUET_CODEC_UNCOMPRESSED = 0,
    PARQUET_CODEC_SNAPPY = 1,
    PARQUET_CODEC_GZIP = 2,
    PARQUET_CODEC_LZO = 3,
    PARQUET_CODEC_BROTLI = 4,
    PARQUET_CODEC_LZ4 = 5,
    PARQUET_CODEC_ZSTD = 6,
    PARQUET_CODEC_LZ4_RAW = 7,
} parquet_codec_id;

typedef enum parquet_page_type {
    PARQUET_PAGE_DATA = 0,
    PARQUET_PAGE_INDEX = 1,
    PARQUET_PAGE_DICTIONARY = 2,
    PARQUET_PAGE_DATA_V2 = 3,
} parquet_page_type;

/* Borrowed bytes (into the footer buffer when decoded). */
typedef struct parquet_bytes {
    const uint8_t *data;
    uint32_t length;
} parquet_bytes;

typedef struct parquet_statistics {
    bool has_min, has_max, has_null_count, has_distinct_count;
    parquet_bytes min, max; /* min_value/max_value, or legacy min/max when those are absent */
    bool min_max_is_legacy; /* came from the deprecated signed-order fields */
    int64_t null_count;
    int64_t distinct_count;
} parquet_statistics;

typedef struct parquet_schema_element {
    const char *name; /* NUL-terminated, arena */
    bool has_type;
    parquet_physical_type type;
    int32_t type_length;
    bool has_repetition;
    parquet_repetition repetition;
    int32_t num_children;
    parquet_converted_type converted_type;
    int32_t scale, precision;
    bool has_field_id;
    int32_t field_id;
    parquet_logical_type logical;
} parquet_schema_element;

typedef struct parquet_column_meta {
    parquet_physical_type type;
    uint32_t encoding_count;
    parquet_encoding *encodings;
    uint32_t path_count;
    const char **path;
    parquet_codec_id codec;
    int64_t num_values;
    int64_t total_uncompressed_size;
    int64_t total_compressed_size;
    int64_t data_page_offset;
    bool has_dictionary_page_offset;
    int64_t dictionary_page_offset;
    bool has_statistics;
    parquet_statistics statistics;
    /* Data pages by encoding (from encoding_stats), when present. */
    bool has_encoding_stats;
    uint32_t data_pages_dictionary, data_pages_other;
} parquet_column_meta;

typedef struct parquet_column_chunk {
    int64_t file_offset;
    bool has_meta;
    parquet_column_meta meta;
    bool has_offset_index;
    int64_t offset_index_offset;
    int32_t offset_index_length;
    bool has_column_index;
    int64_t column_index_offset;
    int32_t column_index_length;
} parquet_column_chunk;

typedef struct parquet_row_group {
    uint32_t column_count;
    parquet_column_chunk *columns;
    int64_t total_byte_size;
    int64_t num_rows;
    bool has_file_offset;
    int64_t file_offset;
    bool has_total_compressed_size;
    int64_t total_compressed_size;
    bool has_ordinal;
    int16_t ordinal;
} parquet_row_group;

typedef struct parquet_key_value {
    const char *key;
    const char *value; /* NULL when absent */
} parquet_key_value;

typedef struct parquet_file_meta {
    int32_t version;
    uint32_t schema_count;
    parquet_schema_element *schema;
    int64_t num_rows;
    uint32_t row_group_count;
    parquet_row_group *row_groups;
    uint32_t key_value_count;
    parquet_key_value *key_values;
    const char *created_by;      /* NULL when absent */
    uint32_t column_order_count; /* written as TYPE_ORDER for each leaf */
} parquet_file_meta;

typedef struct parquet_data_page_header {
    int32_t num_values;
    parquet_encoding encoding;
    parquet_encoding definition_level_encoding;
    parquet_encoding repetition_level_encoding;
    bool has_statistics;
    parquet_statistics statistics;
} parquet_data_page_header;

typedef struct parquet_dictionary_page_header {
    int32_t num_values;
    parquet_encoding encoding;
    bool is_sorted;
} parquet_dictionary_page_header;

typedef struct parquet_data_page_header_v2 {
    int32_t num_values;
    int32_t num_nulls;
    int32_t num_rows;
    parquet_encoding encoding;
    int32_t definition_levels_byte_length;
    int32_t repetition_levels_byte_length;
    bool is_compressed;
    bool has_statistics;
    parquet_statistics statistics;
} parquet_data_page_header_v2;

typedef struct parquet_page_header {
    parquet_page_type type;
    int32_t uncompressed_page_size;
    int32_t compressed_page_size;
    bool has_crc;
    int32_t crc;
    bool has_data_page;
    parquet_data_page_header data_page;
    bool has_dictionary_page;
    parquet_dictionary_page_header dictionary_page;
    bool has_data_page_v2;
    parquet_data_page_header_v2 data_page_v2;
} parquet_page_header;

typedef enum parquet_boundary_order {
    PARQUET_UNORDERED = 0,
    PARQUET_ASCENDING = 1,
    PARQUET_DESCENDING = 2,
} parquet_boundary_order;

typedef struct parquet_column_index {
    uint32_t page_count;
    bool *null_pages;
    parquet_bytes *min_values;
    parquet_bytes *max_values;
    parquet_boundary_order boundary_order;
    bool has_null_counts;
    int64_t *null_counts;
} parquet_column_index;

typedef struct parquet_page_location {
    int64_t offset;
    int32_t compressed_page_size;
    int64_t first_row_index;
} parquet_page_location;

typedef struct parquet_offset_index {
    uint32_t page_count;
    parquet_page_location *pages;
} parquet_offset_index;

/*
 * Decoders: read one struct from `r`, allocating arrays and names in `a`.
 * Return false when the input is malformed (r->failure says why, at
 * r->failure_offset) or a required field is missing; allocation failure
 * also returns false with failure "out of memory".
 */
bool parquet_file_meta_decode(parquet_file_meta *out, thrift_reader *r, arena *a);
bool parquet_page_header_decode(parquet_page_header *out, thrift_reader *r);
bool parquet_column_index_decode(parquet_column_index *out, thrift_reader *r, arena *a);
bool parquet_offset_index_decode(parquet_offset_index *out, thrift_reader *r, arena *a);

/* Encoders: append one struct to `w` with fields in increasing id order. */
void parquet_file_meta_encode(thrift_writer *w, const parquet_file_meta *meta);
void parquet_page_header_encode(thrift_writer *w, const parquet_page_header *header);
void parquet_column_index_encode(thrift_writer *w, const parquet_column_index *index);
void parquet_offset_index_encode(thrift_writer *w, const parquet_offset_index *index);

#endif
