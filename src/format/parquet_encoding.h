/*
 * parquet_encoding.h: Parquet value and level encodings on raw bytes: bit
 * (un)packing, the RLE/bit-packed hybrid, DELTA_BINARY_PACKED and the byte
 * stream cursors the column reader builds on. Decoders are streaming (no
 * allocation proportional to declared counts) and bounds-checked.
 */
#ifndef ARM_FORMAT_PARQUET_ENCODING_H
#define ARM_FORMAT_PARQUET_ENCODING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bits needed to represent `max_value` (0 for 0). */
uint32_t parquet_bit_width(uint64_t max_value);

/*
 * Unpacks `count` values of `bit_width` (<= 32) bits, LSB first, starting at
 * bit `bit_offset` of `src` (which has `src_size` bytes; the caller checks
 * that (bit_offset + count * bit_width) / 8 fits).
 */
void parquet_unpack_u32(const uint8_t *src, size_t src_size, uint64_t bit_offset,
                        uint32_t bit_width, uint32_t count, uint32_t *out);
/* The same for widths up to 64 bits. */
void parquet_unpack_u64(const uint8_t *src, size_t src_size, uint64_t bit_offset,
                        uint32_t bit_width, uint32_t count, uint64_t *out);

/*
 * RLE/bit-packed hybrid decoder (definition levels, dictionary indexes,
 * booleans). get() returns how many values it produced; fewer than asked
 * means the data ended (`failed` is set when the data was malformed).
 */
typedef struct parquet_rle_decoder {
    const uint8_t *pos;
    const uint8_t *end;
    uint32_t bit_width;
    uint64_t run_remaining;
    bool run_is_literal;
    uint32_t run_value;
    const uint8_t *literal_data; /* start of the current bit-packed run */
    size_t literal_size;
    uint64_t literal_bit; /* next bit to read in the literal run */
    bool failed;
} parquet_rle_decoder;

void parquet_rle_decoder_init(parquet_rle_decoder *d, const uint8_t *data, size_t size,
                              uint32_t bit_width);
uint32_t parquet_rle_decoder_get(parquet_rle_decoder *d, uint32_t *out, uint32_t count);
/*
 * Makes sure a run is loaded (reading the next run header when the current
 * one is used up), so callers can look at run_is_literal / run_value /
 * run_remaining for fast paths. False at the end of the data.
 */
bool parquet_rle_decoder_fill(parquet_rle_decoder *d);

/*
 * DELTA_BINARY_PACKED decoder (INT32/INT64 values and the lengths of the
 * delta byte-array encodings). Values wrap modulo 2^64 as the spec says.
 */
typedef struct parquet_delta_decoder {
    const uint8_t *pos;
    const uint8_t *end;
    uint64_t values_per_block;
    uint64_t miniblocks_per_block;
    uint64_t values_per_miniblock;
    uint64_t remaining; /* values not yet returned */
    uint64_t last_value;
    bool first_pending;
    uint64_t min_delta;
    uint8_t bit_widths[512];
    uint32_t miniblock_index;    /* within the block; == miniblocks_per_block: need a new block */
    uint64_t miniblock_consumed; /* values read from the current miniblock */
    const uint8_t *miniblock_data;
    bool failed;
    const char *failure;
} parquet_delta_decoder;

/* Parses the header. False (and failure set) when malformed or unsupported. */
bool parquet_delta_decoder_init(parquet_delta_decoder *d, const uint8_t *data, size_t size);
uint32_t parquet_delta_decoder_get(parquet_delta_decoder *d, int64_t *out, uint32_t count);
/* Total number of values the header declares (including those returned). */
uint64_t parquet_delta_decoder_total(const parquet_delta_decoder *d);
/*
 * Walks the remaining blocks without decoding and returns where the encoded
 * data ends (the start of what follows, e.g. DELTA_LENGTH_BYTE_ARRAY bytes).
 * Leaves `d` unusable for get(). NULL when malformed.
 */
const uint8_t *parquet_delta_decoder_find_end(parquet_delta_decoder *d);

/* A growable byte buffer for encoders; `failed` is set on out-of-memory. */
typedef struct parquet_byte_buffer {
    uint8_t *data;
    size_t size;
    size_t capacity;
    bool failed;
} parquet_byte_buffer;

void parquet_byte_buffer_dispose(parquet_byte_buffer *b);
bool parquet_byte_buffer_reserve(parquet_byte_buffer *b, size_t extra);
void parquet_byte_buffer_append(parquet_byte_buffer *b, const void *data, size_t size);

/* RLE/bit-packed hybrid encoding of `count` values of `bit_width` bits (no length prefix). */
void parquet_rle_encode(parquet_byte_buffer *b, const uint32_t *values, uint32_t count,
                        uint32_t bit_width);
/* Appends a ULEB128 varint. */
void parquet_varint_encode(parquet_byte_buffer *b, uint64_t value);
/* Bit-packs values LSB first (PLAIN booleans, bit-packed runs). */
void parquet_pack_bits(parquet_byte_buffer *b, const uint32_t *values, uint32_t count,
                       uint32_t bit_width);
/* DELTA_BINARY_PACKED encoding (block 128, 4 miniblocks of 32). */
void parquet_delta_encode(parquet_byte_buffer *b, const int64_t *values, uint32_t count);

#endif
