/*
 * thrift_compact.h: the Thrift compact protocol, the encoding of every Parquet
 * footer and page header. thrift_reader decodes with strict bounds and depth
 * checks (input is untrusted); thrift_writer encodes into a growable buffer.
 */
#ifndef ARM_FORMAT_THRIFT_COMPACT_H
#define ARM_FORMAT_THRIFT_COMPACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Compact protocol type codes (as they appear in field headers). */
typedef enum thrift_type {
    THRIFT_STOP = 0,
    THRIFT_BOOL_TRUE = 1,
    THRIFT_BOOL_FALSE = 2,
    THRIFT_BYTE = 3,
    THRIFT_I16 = 4,
    THRIFT_I32 = 5,
    THRIFT_I64 = 6,
    THRIFT_DOUBLE = 7,
    THRIFT_BINARY = 8,
    THRIFT_LIST = 9,
    THRIFT_SET = 10,
    THRIFT_MAP = 11,
    THRIFT_STRUCT = 12,
} thrift_type;

#define THRIFT_MAX_DEPTH 32

/*
 * A decoder over borrowed bytes. Every read checks bounds; the first failure
 * sets `failed` with a static reason and the offset, after which all reads
 * return zeroes, so callers may check once at the end of a struct.
 */
typedef struct thrift_reader {
    const uint8_t *data;
    size_t size;
    size_t pos;
    int depth;
    bool failed;
    const char *failure;   /* static text, set with `failed` */
    size_t failure_offset; /* byte offset of the failure */
    /* Field-id stack of the struct being read (compact deltas are relative). */
    int16_t last_field_id[THRIFT_MAX_DEPTH + 1];
} thrift_reader;

void thrift_reader_init(thrift_reader *r, const void *data, size_t size);
/* Marks the reader failed (first failure wins); returns false. */
bool thrift_reader_fail(thrift_reader *r, const char *reason);

/* Struct framing: begin pushes a field-id scope (fails past THRIFT_MAX_DEPTH). */
bool thrift_read_struct_begin(thrift_reader *r);
void thrift_read_struct_end(thrift_reader *r);
/*
 * Reads a field header. Returns false at STOP or failure. For booleans the
 * value is carried in the type (THRIFT_BOOL_TRUE/FALSE); read it with
 * thrift_read_field_bool.
 */
bool thrift_read_field(thrift_reader *r, thrift_type *type, int16_t *id);
bool thrift_read_field_bool(thrift_type type);

int64_t thrift_read_varint(thrift_reader *r); /* raw unsigned varint (as int64 bits) */
int32_t thrift_read_i32(thrift_reader *r);    /* zigzag */
int64_t thrift_read_i64(thrift_reader *r);    /* zigzag */
int8_t thrift_read_byte(thrift_reader *r);
double thrift_read_double(thrift_reader *r);
/* A binary/string: pointer into the input, length bounded by the input. */
const uint8_t *thrift_read_binary(thrift_reader *r, uint32_t *length);
/* A list/set header; count bounded by the remaining bytes. */
bool thrift_read_list(thrift_reader *r, thrift_type *elem_type, uint32_t *count);
/* A bool element inside a list. */
bool thrift_read_list_bool(thrift_reader *r);
/* Skips one value of the given type (depth-limited). */
bool thrift_skip(thrift_reader *r, thrift_type type);

/*
 * An encoder appending to a growable heap buffer. Out-of-memory sets
 * `failed`; check it once when done. Fields must be written in increasing id
 * order inside a struct, which also makes output deterministic.
 */
typedef struct thrift_writer {
    uint8_t *data;
    size_t size;
    size_t capacity;
    bool failed;
    int depth;
    int16_t last_field_id[THRIFT_MAX_DEPTH + 1];
    /* The next this many field headers that could be short take the long form, one byte more
     * each (ids up to 63): padding a writer uses to place what follows (Parquet page values). */
    unsigned long_form_fields;
} thrift_writer;

void thrift_writer_init(thrift_writer *w);
void thrift_writer_dispose(thrift_writer *w);
/* Empties the buffer, keeping its memory. */
void thrift_writer_reset(thrift_writer *w);

void thrift_write_struct_begin(thrift_writer *w);
void thrift_write_struct_end(thrift_writer *w); /* writes STOP */
void thrift_write_field_begin(thrift_writer *w, thrift_type type, int16_t id);
void thrift_write_field_bool(thrift_writer *w, int16_t id, bool value);
void thrift_write_field_i32(thrift_writer *w, int16_t id, int32_t value);
void thrift_write_field_i64(thrift_writer *w, int16_t id, int64_t value);
void thrift_write_field_binary(thrift_writer *w, int16_t id, const void *data, size_t length);
/* Starts a struct-valued field (follow with the struct's fields and _struct_end). */
void thrift_write_field_struct(thrift_writer *w, int16_t id);
void thrift_write_list_begin(thrift_writer *w, thrift_type elem_type, uint32_t count);
void thrift_write_i32(thrift_writer *w, int32_t value);
void thrift_write_i64(thrift_writer *w, int64_t value);
void thrift_write_binary(thrift_writer *w, const void *data, size_t length);
void thrift_write_list_bool(thrift_writer *w, bool value);
void thrift_write_varint(thrift_writer *w, uint64_t value);
void thrift_write_bytes(thrift_writer *w, const void *data, size_t length);

#endif
