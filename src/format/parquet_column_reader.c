/*
 * parquet_column_reader.c: decodes one column chunk into vectors, batch by
 * batch: page headers, decompression, definition levels into the validity
 * bitmap, and values (PLAIN, dictionary, RLE, delta, byte stream split)
 * straight into vector memory. Strings are views into page buffers that the
 * output vector keeps alive; dictionary pages stay dictionaries when they can.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "format/parquet_codec.h"
#include "format/parquet_encoding.h"
#include "format/parquet_reader_internal.h"

/*
 * Page buffers a reader keeps for reuse. Batches hold the last page or two
 * (zero-copy slices, strings), so a finished buffer becomes free a page
 * later; a few slots let the next pages reuse memory already touched
 * instead of faulting in fresh pages.
 */
#define PAGE_POOL_SIZE 2

/* Bytes of one page section being decoded, and what owns them. */
typedef struct value_cursor {
    const uint8_t *data;
    size_t size;
    size_t pos;
    uint64_t bit; /* PLAIN booleans */
    buffer *owner;
} value_cursor;

struct parquet_column_reader {
    parquet_reader *r;
    const parquet_leaf *leaf;
    const parquet_column_meta *meta;
    uint32_t out_width;
    bool keep_dictionary;
    buffer *chunk;
    const uint8_t *chunk_data;
    size_t chunk_size;
    uint64_t chunk_offset;
    size_t pos; /* next page header within the chunk */
    /* dictionary */
    bool has_dictionary;
    vector dictionary;
    uint32_t dictionary_count;
    buffer *dictionary_owner;
    /* current data page */
    bool page_active;
    uint64_t page_offset;
    uint32_t page_values_left;
    parquet_encoding encoding;
    bool page_is_dictionary;
    value_cursor cur;
    buffer *levels_owner; /* keeps the levels alive when cur moves to another buffer */
    /* finished page buffers, reused for the next pages once batches let go of them */
    buffer *pool[PAGE_POOL_SIZE];
    uint32_t pool_next; /* the slot the next finished page buffer replaces */
    parquet_rle_decoder levels_decoder;
    parquet_rle_decoder rle;
    parquet_delta_decoder delta;  /* values, lengths or prefix lengths */
    parquet_delta_decoder delta2; /* DELTA_BYTE_ARRAY suffix lengths */
    const uint8_t *bytes_pos;
    const uint8_t *bytes_end;
    uint8_t *previous; /* DELTA_BYTE_ARRAY: the previous value */
    size_t previous_length, previous_capacity;
    /* per batch */
    buffer *kept; /* last buffer handed to vector_keep_alive in this batch */
    vector skip_vector;
    /* scratch */
    uint32_t levels[VECTOR_SIZE];
    uint32_t indexes[VECTOR_SIZE];
    int64_t i64s[VECTOR_SIZE];
    string_view views[VECTOR_SIZE];
    uint32_t lengths[VECTOR_SIZE];
    uint8_t scratch[VECTOR_SIZE * 16];
};

static arm_status corrupt(parquet_column_reader *cr, uint64_t offset, arm_error *err,
                          const char *what)
{
    return parquet_reader_corrupt(cr->r, cr->leaf->name, offset, err, "%s", what);
}

static arm_status keep_alive(parquet_column_reader *cr, vector *out, buffer *b, arm_error *err)
{
    if (b == NULL || b == cr->kept)
        return ARM_OK;
    cr->kept = b;
    return vector_keep_alive(out, b, err);
}

static inline string_view make_view(const uint8_t *data, uint32_t length)
{
    string_view v;
    v.length = length;
    if (length <= STRING_VIEW_INLINE_MAX) {
        memset(v.u.inlined, 0, sizeof v.u.inlined);
        memcpy(v.u.inlined, data, length);
    } else {
        memcpy(v.u.ref.prefix, data, 4);
        v.u.ref.ptr = (const char *)data;
    }
    return v;
}

/*
 * make_view when at least 12 bytes are readable from `data`: short strings
 * are copied with fixed-size loads and masked, avoiding a variable memcpy.
 */
static inline string_view make_view_padded(const uint8_t *data, uint32_t length)
{
    string_view v;
    v.length = length;
    if (length <= STRING_VIEW_INLINE_MAX) {
        uint64_t low;
        uint32_t high;
        memcpy(&low, data, 8);
        memcpy(&high, data + 8, 4);
        if (length < 8) {
            low &= (1ULL << (length * 8)) - 1;
            high = 0;
        } else {
            high &= (uint32_t)((1ULL << ((length - 8) * 8)) - 1);
        }
        memcpy(v.u.inlined, &low, 8);
        memcpy(v.u.inlined + 8, &high, 4);
    } else {
        memcpy(v.u.ref.prefix, data, 4);
        v.u.ref.ptr = (const char *)data;
    }
    return v;
}

/* ---- conversion of fixed-width physical values ---- */

static int64_t floor_div_1000(int64_t v)
{
    return v >= 0 ? v / 1000 : -((-(v + 1)) / 1000) - 1;
}

static void convert_fixed(const parquet_leaf *leaf, const uint8_t *src, uint32_t count, void *dst)
{
    uint32_t psize = leaf->physical_size;
    switch (leaf->convert) {
    case PARQUET_CONVERT_NONE: memcpy(dst, src, (size_t)count * psize); return;
    case PARQUET_CONVERT_I32_TO_I8:
    case PARQUET_CONVERT_I32_TO_I16:
    case PARQUET_CONVERT_I32_TO_I64:
    case PARQUET_CONVERT_U32_TO_I64:
        for (uint32_t i = 0; i < count; i++) {
            int32_t v;
            memcpy(&v, src + 4 * (size_t)i, 4);
            if (leaf->convert == PARQUET_CONVERT_I32_TO_I8)
                ((int8_t *)dst)[i] = (int8_t)v;
            else if (leaf->convert == PARQUET_CONVERT_I32_TO_I16)
                ((int16_t *)dst)[i] = (int16_t)v;
            else if (leaf->convert == PARQUET_CONVERT_I32_TO_I64)
                ((int64_t *)dst)[i] = v;
            else
                ((int64_t *)dst)[i] = (uint32_t)v;
        }
        return;
    case PARQUET_CONVERT_I64_TO_I128:
    case PARQUET_CONVERT_U64_TO_I128:
    case PARQUET_CONVERT_MILLIS:
    case PARQUET_CONVERT_NANOS:
        for (uint32_t i = 0; i < count; i++) {
            int64_t v;
            memcpy(&v, src + 8 * (size_t)i, 8);
            if (leaf->convert == PARQUET_CONVERT_I64_TO_I128)
                ((int128 *)dst)[i] = v;
            else if (leaf->convert == PARQUET_CONVERT_U64_TO_I128)
                ((int128 *)dst)[i] = (uint64_t)v;
            else if (leaf->convert == PARQUET_CONVERT_MILLIS)
                ((int64_t *)dst)[i] = (int64_t)((uint64_t)v * 1000);
            else
                ((int64_t *)dst)[i] = floor_div_1000(v);
        }
        return;
    case PARQUET_CONVERT_INT96:
        for (uint32_t i = 0; i < count; i++) {
            int64_t nanos;
            int32_t day;
            memcpy(&nanos, src + 12 * (size_t)i, 8);
            memcpy(&day, src + 12 * (size_t)i + 8, 4);
            ((int64_t *)dst)[i] = (int64_t)(((uint64_t)(int64_t)day - 2440588u) * 86400000000u +
                                            (uint64_t)floor_div_1000(nanos));
        }
        return;
    case PARQUET_CONVERT_DECIMAL_BYTES:
        for (uint32_t i = 0; i < count; i++) {
            int128 v = parquet_decimal_from_bytes(src + (size_t)psize * i, psize);
            if (leaf->type.precision > DECIMAL_INT64_MAX_PRECISION)
                ((int128 *)dst)[i] = v;
            else
                ((int64_t *)dst)[i] = (int64_t)v;
        }
        return;
    case PARQUET_CONVERT_INTERVAL:
        for (uint32_t i = 0; i < count; i++) {
            uint32_t parts[3];
            memcpy(parts, src + 12 * (size_t)i, 12);
            interval_value *o = &((interval_value *)dst)[i];
            o->months = (int32_t)parts[0];
            o->days = (int32_t)parts[1];
            o->micros = (int64_t)(int32_t)parts[2] * 1000;
        }
        return;
    default: return;
    }
}

/* Byte-array decimals: views -> int64/int128. */
static arm_status convert_decimal_views(parquet_column_reader *cr, const string_view *views,
                                        uint32_t count, void *dst, arm_error *err)
{
    bool wide = cr->leaf->type.precision > DECIMAL_INT64_MAX_PRECISION;
    for (uint32_t i = 0; i < count; i++) {
        if (views[i].length > 16)
            return corrupt(cr, cr->page_offset, err, "decimal value wider than 16 bytes");
        int128 v = parquet_decimal_from_bytes((const uint8_t *)string_view_data(&views[i]),
                                              views[i].length);
        if (wide)
            ((int128 *)dst)[i] = v;
        else
            ((int64_t *)dst)[i] = (int64_t)v;
    }
    return ARM_OK;
}

/* ---- PLAIN ---- */

static arm_status plain_byte_arrays(parquet_column_reader *cr, value_cursor *c, uint32_t count,
                                    string_view *dst, arm_error *err)
{
    const uint8_t *data = c->data;
    size_t pos = c->pos, size = c->size;
    if (cr->leaf->physical == PARQUET_FIXED_LEN_BYTE_ARRAY) {
        uint32_t width = cr->leaf->physical_size;
        if ((size - pos) / width < count)
            return corrupt(cr, cr->page_offset, err, "page has fewer values than declared");
        for (uint32_t i = 0; i < count; i++, pos += width)
            dst[i] = make_view(data + pos, width);
        c->pos = pos;
        return ARM_OK;
    }
    for (uint32_t i = 0; i < count; i++) {
        uint32_t length;
        if (size - pos < 4)
            return corrupt(cr, cr->page_offset, err, "page has fewer values than declared");
        memcpy(&length, data + pos, 4);
        pos += 4;
        if (length > size - pos)
            return corrupt(cr, cr->page_offset, err, "string length exceeds the page");
        dst[i] =
            size - pos >= 12 ? make_view_padded(data + pos, length) : make_view(data + pos, length);
        pos += length;
    }
    c->pos = pos;
    return ARM_OK;
}

static arm_status plain_decode(parquet_column_reader *cr, value_cursor *c, uint32_t count,
                               void *dst, arm_error *err)
{
    const parquet_leaf *leaf = cr->leaf;
    if (leaf->physical == PARQUET_BOOLEAN) {
        if ((c->size - c->pos) * 8 - c->bit < count)
            return corrupt(cr, cr->page_offset, err, "page has fewer values than declared");
        const uint8_t *base = c->data + c->pos;
        uint64_t bit = c->bit;
        for (uint32_t i = 0; i < count; i++, bit++)
            ((uint8_t *)dst)[i] = (base[bit >> 3] >> (bit & 7)) & 1;
        c->pos += (size_t)(bit >> 3);
        c->bit = bit & 7;
        return ARM_OK;
    }
    if (leaf->convert == PARQUET_CONVERT_STRING)
        return plain_byte_arrays(cr, c, count, dst, err);
    if (leaf->physical == PARQUET_BYTE_ARRAY) {
        arm_status status = ARM_OK;
        for (uint32_t done = 0; done < count && status == ARM_OK; done += VECTOR_SIZE) {
            uint32_t n = count - done < VECTOR_SIZE ? count - done : VECTOR_SIZE;
            status = plain_byte_arrays(cr, c, n, cr->views, err);
            if (status == ARM_OK)
                status = convert_decimal_views(cr, cr->views, n,
                                               (uint8_t *)dst + (size_t)done * cr->out_width, err);
        }
        return status;
    }
    size_t need = (size_t)count * leaf->physical_size;
    if (c->size - c->pos < need)
        return corrupt(cr, cr->page_offset, err, "page has fewer values than declared");
    convert_fixed(leaf, c->data + c->pos, count, dst);
    c->pos += need;
    return ARM_OK;
}

/* ---- dictionary page ---- */

static arm_status read_dictionary(parquet_column_reader *cr, const parquet_page_header *h,
                                  const uint8_t *data, size_t size, buffer *owner, arm_error *err)
{
    if (cr->has_dictionary)
        return corrupt(cr, cr->page_offset, err, "second dictionary page in a column chunk");
    if (!h->has_dictionary_page)
        return corrupt(cr, cr->page_offset, err, "dictionary page without its header");
    int32_t count = h->dictionary_page.num_values;
    parquet_encoding e = h->dictionary_page.encoding;
    if (e != PARQUET_ENC_PLAIN && e != PARQUET_ENC_PLAIN_DICTIONARY)
        return corrupt(cr, cr->page_offset, err, "dictionary page is not PLAIN-encoded");
    size_t min_size = cr->leaf->physical == PARQUET_BYTE_ARRAY ? 4 : cr->leaf->physical_size;
    if (count < 0 || (cr->leaf->physical != PARQUET_BOOLEAN && (size_t)count > size / min_size) ||
        (cr->leaf->physical == PARQUET_BOOLEAN && (size_t)count > size * 8))
        return corrupt(cr, cr->page_offset, err, "dictionary size exceeds its page");
    vector_init(&cr->dictionary, cr->leaf->type);
    value_cursor c = {data, size, 0, 0, owner};
    arm_status status = vector_prepare_flat(&cr->dictionary, count > 0 ? (uint32_t)count : 1, err);
    if (status == ARM_OK)
        status = plain_decode(cr, &c, (uint32_t)count, cr->dictionary.data, err);
    if (status == ARM_OK && cr->leaf->convert == PARQUET_CONVERT_STRING)
        status = vector_keep_alive(&cr->dictionary, owner, err);
    if (status != ARM_OK) {
        vector_dispose(&cr->dictionary);
        return status;
    }
    cr->has_dictionary = true;
    cr->dictionary_count = (uint32_t)count;
    cr->dictionary_owner = buffer_retain(owner);
    return ARM_OK;
}

/* ---- pages ---- */

/* A pooled page buffer nothing else holds with room for `size` bytes, or NULL. */
static buffer *take_pooled(parquet_column_reader *cr, size_t size)
{
    for (uint32_t i = 0; i < PAGE_POOL_SIZE; i++) {
        buffer *b = cr->pool[i];
        if (b != NULL && buffer_is_unique(b) && b->capacity_bytes >= size) {
            cr->pool[i] = NULL;
            return b;
        }
    }
    return NULL;
}

/* Decompresses `size` bytes at `src` into a new buffer of exactly `out_size` bytes. */
static arm_status decompress(parquet_column_reader *cr, const uint8_t *src, size_t size,
                             size_t out_size, buffer **out, arm_error *err)
{
    *out = NULL;
    parquet_codec_id codec = cr->meta->codec;
    if (!parquet_codec_is_supported(codec)) {
        error_set(err, ARM_ERROR_NOT_SUPPORTED, NULL, -1,
                  "parquet compression codec %s is not supported", parquet_codec_name(codec));
        error_detail(err, "file \"%s\", column \"%s\"", cr->r->name, cr->leaf->name);
        return ARM_ERROR_NOT_SUPPORTED;
    }
    if (!parquet_codec_size_is_plausible(codec, src, size, out_size))
        return corrupt(cr, cr->page_offset, err, "page declares an implausible uncompressed size");
    buffer *b = take_pooled(cr, out_size);
    if (b == NULL)
        b = buffer_create(out_size ? out_size : 1);
    if (b == NULL)
        return error_out_of_memory(err);
    arm_status status = parquet_codec_decompress(codec, src, size, b->data, out_size, err);
    if (status != ARM_OK) {
        buffer_release(b);
        if (status == ARM_ERROR_CORRUPT) {
            char message[ARM_ERROR_MESSAGE_SIZE];
            snprintf(message, sizeof message, "%s", err ? err->message : "bad page data");
            return corrupt(cr, cr->page_offset, err, message);
        }
        return status;
    }
    b->size_bytes = out_size;
    *out = b;
    return ARM_OK;
}

static uint32_t read_u32_le(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* DELTA_LENGTH_BYTE_ARRAY / DELTA_BYTE_ARRAY: length streams, then the bytes. */
static arm_status setup_delta_strings(parquet_column_reader *cr, const uint8_t *data, size_t size,
                                      arm_error *err)
{
    parquet_delta_decoder walk;
    parquet_delta_decoder *first = &cr->delta;
    if (!parquet_delta_decoder_init(first, data, size))
        return corrupt(cr, cr->page_offset, err, first->failure);
    walk = *first;
    const uint8_t *next = parquet_delta_decoder_find_end(&walk);
    if (next != NULL && cr->encoding == PARQUET_ENC_DELTA_BYTE_ARRAY) {
        if (!parquet_delta_decoder_init(&cr->delta2, next, (size_t)(data + size - next)))
            return corrupt(cr, cr->page_offset, err, cr->delta2.failure);
        walk = cr->delta2;
        next = parquet_delta_decoder_find_end(&walk);
    }
    if (next == NULL)
        return corrupt(cr, cr->page_offset, err, "malformed delta lengths");
    cr->bytes_pos = next;
    cr->bytes_end = data + size;
    cr->previous_length = 0;
    return ARM_OK;
}

/* BYTE_STREAM_SPLIT: reassembles the page's values into a new buffer, then reads it as PLAIN. */
static arm_status setup_byte_stream_split(parquet_column_reader *cr, const uint8_t *data,
                                          size_t size, arm_error *err)
{
    uint32_t width = cr->leaf->physical_size;
    if (size % width != 0)
        return corrupt(cr, cr->page_offset, err, "BYTE_STREAM_SPLIT size is not a multiple");
    buffer *b = buffer_create(size ? size : 1);
    if (b == NULL)
        return error_out_of_memory(err);
    size_t n = size / width;
    uint8_t *o = b->data;
    for (uint32_t k = 0; k < width; k++)
        for (size_t i = 0; i < n; i++)
            o[i * width + k] = data[k * n + i];
    b->size_bytes = size;
    buffer_release(cr->levels_owner);
    cr->levels_owner = cr->cur.owner;
    cr->cur = (value_cursor){o, size, 0, 0, b};
    cr->encoding = PARQUET_ENC_PLAIN;
    return ARM_OK;
}

/* Sets up the value decoder for the page's encoding over cr->cur. */
static arm_status setup_values(parquet_column_reader *cr, arm_error *err)
{
    value_cursor *c = &cr->cur;
    const uint8_t *data = c->data + c->pos;
    size_t size = c->size - c->pos;
    parquet_physical_type p = cr->leaf->physical;
    switch (cr->encoding) {
    case PARQUET_ENC_PLAIN: return ARM_OK;
    case PARQUET_ENC_PLAIN_DICTIONARY:
    case PARQUET_ENC_RLE_DICTIONARY:
        if (!cr->has_dictionary)
            return corrupt(cr, cr->page_offset, err, "dictionary-encoded page without dictionary");
        if (size < 1 || data[0] > 32)
            return corrupt(cr, cr->page_offset, err, "bad dictionary index bit width");
        parquet_rle_decoder_init(&cr->rle, data + 1, size - 1, data[0]);
        cr->page_is_dictionary = true;
        return ARM_OK;
    case PARQUET_ENC_RLE:
        if (p != PARQUET_BOOLEAN || size < 4 || read_u32_le(data) > size - 4)
            return corrupt(cr, cr->page_offset, err, "bad RLE value section");
        parquet_rle_decoder_init(&cr->rle, data + 4, read_u32_le(data), 1);
        return ARM_OK;
    case PARQUET_ENC_DELTA_BINARY_PACKED:
        if (p != PARQUET_INT32 && p != PARQUET_INT64)
            break;
        if (!parquet_delta_decoder_init(&cr->delta, data, size))
            return corrupt(cr, cr->page_offset, err, cr->delta.failure);
        return ARM_OK;
    case PARQUET_ENC_DELTA_LENGTH_BYTE_ARRAY:
    case PARQUET_ENC_DELTA_BYTE_ARRAY:
        if (p != PARQUET_BYTE_ARRAY && p != PARQUET_FIXED_LEN_BYTE_ARRAY)
            break;
        return setup_delta_strings(cr, data, size, err);
    case PARQUET_ENC_BYTE_STREAM_SPLIT:
        if (cr->leaf->physical_size == 0 || p == PARQUET_INT96)
            break;
        return setup_byte_stream_split(cr, data, size, err);
    default: break;
    }
    error_set(err, ARM_ERROR_NOT_SUPPORTED, NULL, -1,
              "parquet encoding %d is not supported for column \"%s\"", (int)cr->encoding,
              cr->leaf->name);
    error_detail(err, "file \"%s\", byte offset %llu", cr->r->name,
                 (unsigned long long)cr->page_offset);
    return ARM_ERROR_NOT_SUPPORTED;
}

static arm_status setup_levels_v1(parquet_column_reader *cr, parquet_encoding encoding,
                                  arm_error *err)
{
    value_cursor *c = &cr->cur;
    if (cr->leaf->max_definition == 0)
        return ARM_OK;
    if (encoding != PARQUET_ENC_RLE)
        return corrupt(cr, cr->page_offset, err, "definition levels are not RLE-encoded");
    if (c->size - c->pos < 4)
        return corrupt(cr, cr->page_offset, err, "truncated definition levels");
    uint32_t length = read_u32_le(c->data + c->pos);
    if (length > c->size - c->pos - 4)
        return corrupt(cr, cr->page_offset, err, "definition levels exceed the page");
    parquet_rle_decoder_init(&cr->levels_decoder, c->data + c->pos + 4, length,
                             parquet_bit_width(cr->leaf->max_definition));
    c->pos += 4 + (size_t)length;
    return ARM_OK;
}

static arm_status start_data_page_v1(parquet_column_reader *cr, const parquet_page_header *h,
                                     const uint8_t *data, arm_error *err)
{
    buffer *owner = cr->chunk;
    const uint8_t *bytes = data;
    size_t size = (size_t)h->uncompressed_page_size;
    if (!h->has_data_page)
        return corrupt(cr, cr->page_offset, err, "data page without its header");
    if (cr->meta->codec != PARQUET_CODEC_UNCOMPRESSED) {
        arm_status status =
            decompress(cr, data, (size_t)h->compressed_page_size, size, &owner, err);
        if (status != ARM_OK)
            return status;
        bytes = owner->data;
    } else if (h->compressed_page_size != h->uncompressed_page_size) {
        return corrupt(cr, cr->page_offset, err, "uncompressed page sizes differ");
    } else {
        buffer_retain(owner);
    }
    cr->cur = (value_cursor){bytes, size, 0, 0, owner};
    if (h->data_page.num_values < 0)
        return corrupt(cr, cr->page_offset, err, "negative value count");
    cr->page_values_left = (uint32_t)h->data_page.num_values;
    cr->encoding = h->data_page.encoding;
    arm_status status = setup_levels_v1(cr, h->data_page.definition_level_encoding, err);
    return status != ARM_OK ? status : setup_values(cr, err);
}

static arm_status start_data_page_v2(parquet_column_reader *cr, const parquet_page_header *h,
                                     const uint8_t *data, arm_error *err)
{
    const parquet_data_page_header_v2 *v2 = &h->data_page_v2;
    if (!h->has_data_page_v2)
        return corrupt(cr, cr->page_offset, err, "data page v2 without its header");
    size_t comp = (size_t)h->compressed_page_size, full = (size_t)h->uncompressed_page_size;
    int32_t def_len = v2->definition_levels_byte_length,
            rep_len = v2->repetition_levels_byte_length;
    if (def_len < 0 || rep_len < 0 || (size_t)def_len + (size_t)rep_len > comp ||
        (size_t)def_len + (size_t)rep_len > full || v2->num_values < 0)
        return corrupt(cr, cr->page_offset, err, "data page v2 level sizes exceed the page");
    size_t levels = (size_t)def_len + (size_t)rep_len;
    if (cr->leaf->max_definition > 0)
        parquet_rle_decoder_init(&cr->levels_decoder, data + rep_len, (size_t)def_len,
                                 parquet_bit_width(cr->leaf->max_definition));
    buffer *owner = cr->chunk;
    const uint8_t *bytes = data + levels;
    size_t size = comp - levels;
    if (v2->is_compressed && cr->meta->codec != PARQUET_CODEC_UNCOMPRESSED) {
        arm_status status = decompress(cr, bytes, size, full - levels, &owner, err);
        if (status != ARM_OK)
            return status;
        bytes = owner->data;
        size = full - levels;
    } else {
        buffer_retain(owner);
    }
    cr->cur = (value_cursor){bytes, size, 0, 0, owner};
    cr->page_values_left = (uint32_t)v2->num_values;
    cr->encoding = v2->encoding;
    return setup_values(cr, err);
}

/* Gives up the page's reference to a page buffer, keeping it in the pool for reuse. */
static void release_page_buffer(parquet_column_reader *cr, buffer *b)
{
    if (b == NULL || b == cr->chunk) {
        buffer_release(b);
        return;
    }
    uint32_t slot = cr->pool_next++ % PAGE_POOL_SIZE;
    for (uint32_t i = 0; i < PAGE_POOL_SIZE; i++)
        if (cr->pool[i] == NULL) {
            slot = i;
            break;
        }
    buffer_release(cr->pool[slot]);
    cr->pool[slot] = b;
}

static void end_page(parquet_column_reader *cr)
{
    release_page_buffer(cr, cr->levels_owner);
    cr->levels_owner = NULL;
    release_page_buffer(cr, cr->cur.owner);
    memset(&cr->cur, 0, sizeof cr->cur);
    cr->page_active = false;
    cr->page_is_dictionary = false;
    cr->page_values_left = 0;
}

/* Reads the header at cr->pos; sets *header_end and checks the body fits the chunk. */
static arm_status read_page_header(parquet_column_reader *cr, parquet_page_header *h, size_t *body,
                                   arm_error *err)
{
    thrift_reader tr;
    cr->page_offset = cr->chunk_offset + cr->pos;
    thrift_reader_init(&tr, cr->chunk_data + cr->pos, cr->chunk_size - cr->pos);
    if (!parquet_page_header_decode(h, &tr))
        return parquet_reader_corrupt(cr->r, cr->leaf->name, cr->page_offset + tr.failure_offset,
                                      err, "malformed page header (%s)", tr.failure);
    *body = cr->pos + tr.pos;
    if ((size_t)h->compressed_page_size > cr->chunk_size - *body)
        return corrupt(cr, cr->page_offset, err, "page extends past its column chunk");
    return ARM_OK;
}

/* Makes the next data page current; *has_page false at the end of the chunk. */
static arm_status next_page(parquet_column_reader *cr, bool *has_page, arm_error *err)
{
    *has_page = false;
    while (cr->pos < cr->chunk_size) {
        parquet_page_header h;
        end_page(cr);
        size_t body = 0;
        arm_status status = read_page_header(cr, &h, &body, err);
        if (status != ARM_OK)
            return status;
        const uint8_t *data = cr->chunk_data + body;
        cr->pos = body + (size_t)h.compressed_page_size;
        if (h.type == PARQUET_PAGE_DICTIONARY) {
            buffer *owner = cr->chunk;
            if (cr->meta->codec == PARQUET_CODEC_UNCOMPRESSED)
                buffer_retain(owner);
            else if ((status = decompress(cr, data, (size_t)h.compressed_page_size,
                                          (size_t)h.uncompressed_page_size, &owner, err)))
                return status;
            const uint8_t *bytes = owner == cr->chunk ? data : owner->data;
            size_t size = owner == cr->chunk ? (size_t)h.compressed_page_size
                                             : (size_t)h.uncompressed_page_size;
            status = read_dictionary(cr, &h, bytes, size, owner, err);
            buffer_release(owner);
            if (status != ARM_OK)
                return status;
            continue;
        }
        if (h.type == PARQUET_PAGE_DATA)
            status = start_data_page_v1(cr, &h, data, err);
        else if (h.type == PARQUET_PAGE_DATA_V2)
            status = start_data_page_v2(cr, &h, data, err);
        else
            continue;
        if (status != ARM_OK)
            return status;
        cr->page_active = true;
        if (cr->page_values_left == 0)
            continue;
        *has_page = true;
        return ARM_OK;
    }
    end_page(cr);
    return ARM_OK;
}

/* ---- values into vectors ---- */

static void gather(const parquet_column_reader *cr, const uint32_t *idx, uint32_t count, void *dst)
{
    const void *src = cr->dictionary.data;
    switch (cr->out_width) {
    case 1:
        for (uint32_t i = 0; i < count; i++)
            ((uint8_t *)dst)[i] = ((const uint8_t *)src)[idx[i]];
        return;
    case 2:
        for (uint32_t i = 0; i < count; i++)
            ((uint16_t *)dst)[i] = ((const uint16_t *)src)[idx[i]];
        return;
    case 4:
        for (uint32_t i = 0; i < count; i++)
            ((uint32_t *)dst)[i] = ((const uint32_t *)src)[idx[i]];
        return;
    case 8:
        for (uint32_t i = 0; i < count; i++)
            ((uint64_t *)dst)[i] = ((const uint64_t *)src)[idx[i]];
        return;
    default:
        for (uint32_t i = 0; i < count; i++)
            memcpy((uint8_t *)dst + (size_t)i * cr->out_width,
                   (const uint8_t *)src + (size_t)idx[i] * cr->out_width, cr->out_width);
        return;
    }
}

static arm_status decode_dictionary_indexes(parquet_column_reader *cr, uint32_t count, void *dst,
                                            bool dict_mode, vector *out, arm_error *err)
{
    uint32_t *idx = dict_mode ? dst : cr->indexes;
    if (parquet_rle_decoder_get(&cr->rle, idx, count) != count)
        return corrupt(cr, cr->page_offset, err, "page has fewer dictionary indexes than values");
    uint32_t limit = cr->dictionary_count, bad = 0;
    for (uint32_t i = 0; i < count; i++)
        bad |= idx[i] >= limit;
    if (bad)
        return corrupt(cr, cr->page_offset, err, "dictionary index out of range");
    if (dict_mode)
        return ARM_OK;
    gather(cr, idx, count, dst);
    if (cr->leaf->convert == PARQUET_CONVERT_STRING)
        return keep_alive(cr, out, cr->dictionary_owner, err);
    return ARM_OK;
}

static arm_status decode_delta_ints(parquet_column_reader *cr, uint32_t count, void *dst,
                                    arm_error *err)
{
    /* INT64 values that need no conversion go straight into the vector (a copy less) */
    bool direct = cr->leaf->physical == PARQUET_INT64 &&
                  cr->leaf->convert == PARQUET_CONVERT_NONE &&
                  (uintptr_t)dst % _Alignof(int64_t) == 0;
    int64_t *values = direct ? dst : cr->i64s;
    if (parquet_delta_decoder_get(&cr->delta, values, count) != count)
        return corrupt(cr, cr->page_offset, err,
                       cr->delta.failed ? cr->delta.failure
                                        : "page has fewer values than declared");
    if (cr->leaf->physical == PARQUET_INT32) {
        int32_t *narrow = (int32_t *)cr->scratch;
        for (uint32_t i = 0; i < count; i++)
            narrow[i] = (int32_t)cr->i64s[i];
        convert_fixed(cr->leaf, cr->scratch, count, dst);
    } else if (!direct) {
        convert_fixed(cr->leaf, (const uint8_t *)cr->i64s, count, dst);
    }
    return ARM_OK;
}

/* DELTA_LENGTH_BYTE_ARRAY: lengths from the delta stream, bytes contiguous after it. */
static arm_status decode_delta_lengths(parquet_column_reader *cr, uint32_t count,
                                       string_view *views, vector *out, arm_error *err)
{
    if (parquet_delta_decoder_get(&cr->delta, cr->i64s, count) != count)
        return corrupt(cr, cr->page_offset, err, "page has fewer lengths than values");
    const uint8_t *p = cr->bytes_pos;
    for (uint32_t i = 0; i < count; i++) {
        int64_t length = cr->i64s[i];
        if (length < 0 || length > cr->bytes_end - p)
            return corrupt(cr, cr->page_offset, err, "string length exceeds the page");
        views[i] = make_view(p, (uint32_t)length);
        p += length;
    }
    cr->bytes_pos = p;
    return keep_alive(cr, out, cr->cur.owner, err);
}

/* Checks DELTA_BYTE_ARRAY prefix/suffix lengths and returns the bytes the values need. */
static arm_status delta_byte_array_sizes(parquet_column_reader *cr, uint32_t count,
                                         const int64_t *prefix, const int64_t *suffix,
                                         size_t *total, arm_error *err)
{
    uint64_t previous = cr->previous_length, sum = 0;
    uint64_t available = (uint64_t)(cr->bytes_end - cr->bytes_pos), suffix_sum = 0;
    for (uint32_t i = 0; i < count; i++) {
        if (prefix[i] < 0 || suffix[i] < 0 || (uint64_t)prefix[i] > previous ||
            (uint64_t)suffix[i] > available - suffix_sum)
            return corrupt(cr, cr->page_offset, err, "bad DELTA_BYTE_ARRAY lengths");
        suffix_sum += (uint64_t)suffix[i];
        previous = (uint64_t)prefix[i] + (uint64_t)suffix[i];
        sum += previous;
        if (sum > ((uint64_t)1 << 30))
            return corrupt(cr, cr->page_offset, err, "DELTA_BYTE_ARRAY values too large");
    }
    *total = (size_t)sum;
    return ARM_OK;
}

static arm_status save_previous(parquet_column_reader *cr, const uint8_t *data, size_t length,
                                arm_error *err)
{
    if (length > cr->previous_capacity) {
        uint8_t *grown = realloc(cr->previous, length);
        if (grown == NULL)
            return error_out_of_memory(err);
        cr->previous = grown;
        cr->previous_capacity = length;
    }
    if (length > 0)
        memcpy(cr->previous, data, length);
    cr->previous_length = length;
    return ARM_OK;
}

static arm_status decode_delta_byte_array(parquet_column_reader *cr, uint32_t count,
                                          string_view *views, vector *out, arm_error *err)
{
    int64_t *prefix = cr->i64s, *suffix = (int64_t *)cr->scratch;
    size_t total = 0;
    if (parquet_delta_decoder_get(&cr->delta, prefix, count) != count ||
        parquet_delta_decoder_get(&cr->delta2, suffix, count) != count)
        return corrupt(cr, cr->page_offset, err, "page has fewer lengths than values");
    arm_status status = delta_byte_array_sizes(cr, count, prefix, suffix, &total, err);
    if (status != ARM_OK)
        return status;
    buffer *b = buffer_create(total ? total : 1);
    if (b == NULL)
        return error_out_of_memory(err);
    uint8_t *o = b->data;
    const uint8_t *previous = cr->previous;
    for (uint32_t i = 0; i < count; i++) {
        if (prefix[i] > 0)
            memcpy(o, previous, (size_t)prefix[i]);
        if (suffix[i] > 0)
            memcpy(o + prefix[i], cr->bytes_pos, (size_t)suffix[i]);
        cr->bytes_pos += suffix[i];
        uint32_t length = (uint32_t)(prefix[i] + suffix[i]);
        views[i] = make_view(o, length);
        previous = o;
        o += length;
    }
    b->size_bytes = total;
    if (count > 0)
        status = save_previous(cr, previous, (size_t)(prefix[count - 1] + suffix[count - 1]), err);
    if (status == ARM_OK)
        status = vector_keep_alive(out, b, err);
    buffer_release(b);
    return status;
}

static arm_status decode_values(parquet_column_reader *cr, uint32_t count, void *dst,
                                bool dict_mode, vector *out, arm_error *err)
{
    const parquet_leaf *leaf = cr->leaf;
    bool is_string = leaf->convert == PARQUET_CONVERT_STRING;
    string_view *views = is_string ? dst : cr->views;
    arm_status status;
    switch (cr->encoding) {
    case PARQUET_ENC_PLAIN_DICTIONARY:
    case PARQUET_ENC_RLE_DICTIONARY:
        return decode_dictionary_indexes(cr, count, dst, dict_mode, out, err);
    case PARQUET_ENC_PLAIN:
        status = plain_decode(cr, &cr->cur, count, dst, err);
        if (status == ARM_OK && is_string)
            status = keep_alive(cr, out, cr->cur.owner, err);
        return status;
    case PARQUET_ENC_RLE:
        if (parquet_rle_decoder_get(&cr->rle, cr->indexes, count) != count)
            return corrupt(cr, cr->page_offset, err, "page has fewer values than declared");
        for (uint32_t i = 0; i < count; i++)
            ((uint8_t *)dst)[i] = cr->indexes[i] != 0;
        return ARM_OK;
    case PARQUET_ENC_DELTA_BINARY_PACKED: return decode_delta_ints(cr, count, dst, err);
    case PARQUET_ENC_DELTA_LENGTH_BYTE_ARRAY:
    case PARQUET_ENC_DELTA_BYTE_ARRAY:
        status = cr->encoding == PARQUET_ENC_DELTA_BYTE_ARRAY
                     ? decode_delta_byte_array(cr, count, views, out, err)
                     : decode_delta_lengths(cr, count, views, out, err);
        if (status == ARM_OK && leaf->convert == PARQUET_CONVERT_DECIMAL_BYTES)
            status = convert_decimal_views(cr, views, count, dst, err);
        return status;
    default: return corrupt(cr, cr->page_offset, err, "unexpected page encoding");
    }
}

/* Reads `count` definition levels, clears validity bits of NULL rows, counts valid ones. */
static arm_status decode_levels(parquet_column_reader *cr, uint32_t count, vector *out,
                                uint32_t offset, uint32_t *valid, arm_error *err)
{
    uint32_t max = cr->leaf->max_definition, n = 0, above = 0;
    *valid = count;
    if (max == 0)
        return ARM_OK;
    parquet_rle_decoder *d = &cr->levels_decoder;
    if (parquet_rle_decoder_fill(d) && !d->run_is_literal && d->run_remaining >= count &&
        d->run_value == max) {
        /* Fast path: one RLE run of "present" covers the rows (no NULLs, levels unused). */
        d->run_remaining -= count;
        return ARM_OK;
    }
    if (parquet_rle_decoder_get(&cr->levels_decoder, cr->levels, count) != count)
        return corrupt(cr, cr->page_offset, err, "page has fewer definition levels than values");
    for (uint32_t i = 0; i < count; i++) {
        n += cr->levels[i] == max;
        above |= cr->levels[i] > max;
    }
    if (above)
        return corrupt(cr, cr->page_offset, err, "definition level above the maximum");
    *valid = n;
    if (n == count)
        return ARM_OK;
    arm_status status = vector_ensure_validity(out, err);
    if (status != ARM_OK)
        return status;
    for (uint32_t i = 0; i < count; i++)
        if (cr->levels[i] != max)
            vector_set_null(out, offset + i);
    return ARM_OK;
}

/* Moves `valid` dense values at `base` to the positions of the valid rows; zeroes NULL slots. */
static void spread(const parquet_column_reader *cr, uint8_t *base, uint32_t width, uint32_t count,
                   uint32_t valid)
{
    uint32_t max = cr->leaf->max_definition, j = valid;
    for (uint32_t i = count; i-- > 0;) {
        if (cr->levels[i] == max) {
            j--;
            if (j != i)
                memcpy(base + (size_t)i * width, base + (size_t)j * width, width);
        } else {
            memset(base + (size_t)i * width, 0, width);
        }
        if (j == i)
            break;
    }
}

static arm_status flatten_indexes(parquet_column_reader *cr, vector *out, uint32_t filled,
                                  arm_error *err)
{
    memcpy(cr->indexes, out->data, (size_t)filled * sizeof(uint32_t));
    size_t wide = (size_t)VECTOR_SIZE * cr->out_width;
    if (out->data_buffer->capacity_bytes < wide) { /* it was sized for entry numbers */
        buffer *values = buffer_create(wide);
        if (values == NULL)
            return error_out_of_memory(err);
        buffer_release(out->data_buffer);
        out->data_buffer = values;
        out->data = values->data;
    }
    gather(cr, cr->indexes, filled, out->data);
    if (cr->leaf->convert == PARQUET_CONVERT_STRING)
        return keep_alive(cr, out, cr->dictionary_owner, err);
    return ARM_OK;
}

/* Whether the next `count` definition levels all say "present" (nothing consumed). */
static bool levels_all_present(parquet_column_reader *cr, uint32_t count)
{
    uint32_t max = cr->leaf->max_definition;
    if (max == 0)
        return true;
    parquet_rle_decoder *d = &cr->levels_decoder;
    return parquet_rle_decoder_fill(d) && !d->run_is_literal && d->run_remaining >= count &&
           d->run_value == max;
}

/*
 * Whether values may be used in place from `owner`. Not from the whole image of a file that
 * was copied into memory when this column is a small part of it: keeping the batch would
 * keep the whole image. A page buffer, a column chunk's bytes or a segment is fine.
 */
static bool may_view(const parquet_column_reader *cr, const buffer *owner)
{
    return owner != NULL && (owner != cr->r->image || owner->capacity_bytes / 2 <= cr->chunk_size);
}

/*
 * Zero-copy: when a whole batch is PLAIN fixed-width values with no NULLs and
 * the same bytes as our type, the vector points into the page (kept alive)
 * instead of copying, and gets no buffer of its own. Only for aligned data, so
 * typed loads are valid (our writer aligns such values: value_alignment).
 */
static bool try_view_page(parquet_column_reader *cr, vector *out, uint32_t count)
{
    const parquet_leaf *leaf = cr->leaf;
    value_cursor *c = &cr->cur;
    size_t bytes = (size_t)count * cr->out_width;
    if (cr->page_is_dictionary || cr->encoding != PARQUET_ENC_PLAIN ||
        leaf->convert != PARQUET_CONVERT_NONE || leaf->physical_size != cr->out_width ||
        c->size - c->pos < bytes || !may_view(cr, c->owner))
        return false;
    const uint8_t *data = c->data + c->pos;
    if ((uintptr_t)data % cr->out_width != 0 || !levels_all_present(cr, count) ||
        vector_view(out, data, count, c->owner, NULL) != ARM_OK)
        return false;
    if (leaf->max_definition > 0)
        cr->levels_decoder.run_remaining -= count;
    c->pos += bytes;
    cr->page_values_left -= count;
    return true;
}

/* Whether the batch keeps the page's dictionary entry numbers (the page is active). */
static bool keeps_entries(const parquet_column_reader *cr)
{
    return cr->page_is_dictionary && cr->keep_dictionary && cr->out_width >= 4 &&
           cr->dictionary_count > 0;
}

/*
 * A batch's own buffer: room for VECTOR_SIZE values, or only for their
 * entry numbers when it keeps them (4 bytes a row: a string's 16 would
 * leave three quarters of each cached batch of a dictionary column unused;
 * flatten_indexes widens it when a page without the dictionary follows).
 */
static arm_status prepare_batch(vector *out, bool entries, arm_error *err)
{
    logical_type type = out->type;
    if (entries)
        out->type = type_make(TYPE_INTEGER); /* entry numbers are 4 bytes */
    arm_status status = vector_prepare_flat(out, VECTOR_SIZE, err);
    out->type = type;
    if (status == ARM_OK)
        out->capacity = VECTOR_SIZE; /* rows, whatever the buffer's width */
    return status;
}

static arm_status decode_run(parquet_column_reader *cr, vector *out, uint32_t filled,
                             uint32_t count, bool *entries, arm_error *err)
{
    bool dict_page = cr->page_is_dictionary;
    arm_status status = ARM_OK;
    if (*entries && !dict_page) { /* chosen when the batch was prepared */
        *entries = false;
        status = flatten_indexes(cr, out, filled, err);
    }
    uint32_t valid;
    if (status == ARM_OK)
        status = decode_levels(cr, count, out, filled, &valid, err);
    if (status != ARM_OK)
        return status;
    uint32_t width = *entries ? 4 : cr->out_width;
    uint8_t *dst = (uint8_t *)out->data + (size_t)filled * width;
    if ((status = decode_values(cr, valid, dst, *entries, out, err)) != ARM_OK)
        return status;
    if (valid < count)
        spread(cr, dst, width, count, valid);
    cr->page_values_left -= count;
    return ARM_OK;
}

arm_status parquet_column_reader_next(parquet_column_reader *cr, vector *out, uint32_t max_rows,
                                      uint32_t *rows_out, arm_error *err)
{
    *rows_out = 0;
    if (cr->leaf == NULL) /* a failed reopen */
        return ARM_OK;
    if (max_rows > VECTOR_SIZE)
        max_rows = VECTOR_SIZE;
    out->type = cr->leaf->type;
    arm_status status = ARM_OK;
    bool prepared = false;
    cr->kept = NULL;
    bool entries = false; /* the batch holds dictionary entry numbers */
    uint32_t filled = 0;
    while (filled < max_rows) {
        if (!cr->page_active || cr->page_values_left == 0) {
            bool has_page;
            if ((status = next_page(cr, &has_page, err)) != ARM_OK)
                return status;
            if (!has_page)
                break;
        }
        uint32_t n = max_rows - filled;
        if (n > cr->page_values_left)
            n = cr->page_values_left;
        if (filled == 0 && n == max_rows && try_view_page(cr, out, n)) {
            filled = n;
            break;
        }
        if (!prepared) {                 /* the batch is decoded into the vector's own buffer */
            entries = keeps_entries(cr); /* decode_run may switch to values */
            if ((status = prepare_batch(out, entries, err)) != ARM_OK)
                return status;
            prepared = true;
        }
        if ((status = decode_run(cr, out, filled, n, &entries, err)) != ARM_OK)
            return status;
        filled += n;
    }
    if (filled == 0 && !prepared && (status = vector_prepare_flat(out, VECTOR_SIZE, err)))
        return status;
    if (entries && (status = vector_attach_dictionary(out, &cr->dictionary, err)) != ARM_OK)
        return status;
    *rows_out = filled;
    return ARM_OK;
}

/* Skips whole data pages while they fit in `*rows`, without decompressing them. */
static arm_status skip_pages(parquet_column_reader *cr, uint64_t *rows, arm_error *err)
{
    end_page(cr);
    while (cr->pos<cr->chunk_size && * rows> 0) {
        parquet_page_header h;
        size_t body = 0;
        arm_status status = read_page_header(cr, &h, &body, err);
        if (status != ARM_OK)
            return status;
        int64_t values = h.type == PARQUET_PAGE_DATA && h.has_data_page ? h.data_page.num_values
                         : h.type == PARQUET_PAGE_DATA_V2 && h.has_data_page_v2
                             ? h.data_page_v2.num_values
                             : -1;
        if (values < 0 || (uint64_t)values > *rows)
            break;
        cr->pos = body + (size_t)h.compressed_page_size;
        *rows -= (uint64_t)values;
    }
    return ARM_OK;
}

arm_status parquet_column_reader_skip(parquet_column_reader *cr, uint64_t rows, arm_error *err)
{
    while (rows > 0) {
        arm_status status;
        if (!cr->page_active || cr->page_values_left == 0) {
            if ((status = skip_pages(cr, &rows, err)) != ARM_OK)
                return status;
            if (rows == 0)
                break;
        }
        uint32_t got, n = rows < VECTOR_SIZE ? (uint32_t)rows : VECTOR_SIZE;
        if ((status = parquet_column_reader_next(cr, &cr->skip_vector, n, &got, err)) != ARM_OK)
            return status;
        if (got == 0)
            break;
        rows -= got;
    }
    return ARM_OK;
}

static arm_status chunk_range(parquet_reader *r, const parquet_leaf *leaf,
                              const parquet_column_meta *m, uint64_t *start, uint64_t *size,
                              arm_error *err)
{
    int64_t begin = m->data_page_offset;
    if (m->has_dictionary_page_offset && m->dictionary_page_offset > 0 &&
        m->dictionary_page_offset < begin)
        begin = m->dictionary_page_offset;
    int64_t length = m->total_compressed_size;
    uint64_t limit = r->file_size >= 8 ? r->file_size - 8 : 0;
    if (begin < 4 || length < 0 || (uint64_t)begin > limit ||
        (uint64_t)length > limit - (uint64_t)begin)
        return parquet_reader_corrupt(r, leaf->name, begin < 0 ? 0 : (uint64_t)begin, err,
                                      "column chunk of %lld bytes lies outside the file",
                                      (long long)length);
    *start = (uint64_t)begin;
    *size = (uint64_t)length;
    return ARM_OK;
}

/*
 * Points `cr` (fields before the scratch arrays zeroed, except the buffers
 * it may reuse: `chunk`, `pool`, `previous`) at a column chunk and reads it.
 */
static arm_status start_chunk(parquet_column_reader *cr, parquet_reader *r, uint32_t row_group,
                              uint32_t column, arm_error *err)
{
    buffer *reuse = cr->chunk;
    cr->chunk = NULL;
    if (row_group >= r->meta.row_group_count || column >= r->leaf_count) {
        buffer_release(reuse);
        return error_set(err, ARM_ERROR_MISUSE, NULL, -1,
                         "parquet row group or column out of range");
    }
    const parquet_leaf *leaf = &r->leaves[column];
    const parquet_column_meta *m = &r->meta.row_groups[row_group].columns[column].meta;
    uint64_t start = 0, size = 0;
    arm_status status = parquet_reader_column_check(r, column, err);
    if (status == ARM_OK)
        status = chunk_range(r, leaf, m, &start, &size, err);
    if (status != ARM_OK) {
        buffer_release(reuse);
        return status;
    }
    cr->r = r;
    cr->leaf = leaf;
    cr->meta = m;
    cr->out_width = (uint32_t)type_physical_size(leaf->type);
    cr->chunk_offset = start;
    cr->chunk_size = (size_t)size;
    if (!type_equal(cr->skip_vector.type, leaf->type)) {
        vector_dispose(&cr->skip_vector);
        vector_init(&cr->skip_vector, leaf->type);
    }
    status = parquet_reader_read_range_into(r, start, (size_t)size, reuse, &cr->chunk,
                                            &cr->chunk_data, err);
    if (status != ARM_OK)
        cr->chunk_size = 0; /* next finds no pages */
    return status;
}

arm_status parquet_column_reader_open(parquet_column_reader **out, parquet_reader *r,
                                      uint32_t row_group, uint32_t column, arm_error *err)
{
    *out = NULL;
    /* The scratch arrays at the end stay uninitialized: opening must be cheap. */
    parquet_column_reader *cr = malloc(sizeof *cr);
    if (cr == NULL)
        return error_out_of_memory(err);
    memset(cr, 0, offsetof(parquet_column_reader, levels));
    cr->keep_dictionary = true;
    vector_init(&cr->skip_vector, type_make(TYPE_INVALID));
    arm_status status = start_chunk(cr, r, row_group, column, err);
    if (status != ARM_OK) {
        parquet_column_reader_close(cr);
        return status;
    }
    *out = cr;
    return ARM_OK;
}

arm_status parquet_column_reader_reopen(parquet_column_reader *cr, parquet_reader *r,
                                        uint32_t row_group, uint32_t column, arm_error *err)
{
    end_page(cr);
    if (cr->has_dictionary)
        vector_dispose(&cr->dictionary);
    buffer_release(cr->dictionary_owner);
    buffer *chunk = cr->chunk, *pool[PAGE_POOL_SIZE];
    memcpy(pool, cr->pool, sizeof pool);
    uint8_t *previous = cr->previous;
    size_t previous_capacity = cr->previous_capacity;
    vector skip_vector = cr->skip_vector;
    bool keep_dictionary = cr->keep_dictionary;
    memset(cr, 0, offsetof(parquet_column_reader, levels));
    cr->chunk = chunk;
    memcpy(cr->pool, pool, sizeof pool);
    cr->previous = previous;
    cr->previous_capacity = previous_capacity;
    cr->skip_vector = skip_vector;
    cr->keep_dictionary = keep_dictionary;
    return start_chunk(cr, r, row_group, column, err);
}

void parquet_column_reader_set_keep_dictionary(parquet_column_reader *cr, bool keep)
{
    cr->keep_dictionary = keep;
}

void parquet_column_reader_close(parquet_column_reader *cr)
{
    if (cr == NULL)
        return;
    end_page(cr);
    if (cr->has_dictionary)
        vector_dispose(&cr->dictionary);
    buffer_release(cr->dictionary_owner);
    for (uint32_t i = 0; i < PAGE_POOL_SIZE; i++)
        buffer_release(cr->pool[i]);
    buffer_release(cr->chunk);
    vector_dispose(&cr->skip_vector);
    free(cr->previous);
    free(cr);
}
