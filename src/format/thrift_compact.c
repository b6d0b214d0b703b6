/*
 * thrift_compact.c: Thrift compact protocol decoder and encoder, written from
 * the protocol description (zigzag varints, field-id deltas, short list
 * headers). The decoder trusts nothing: lengths and counts are bounded by the
 * remaining input and nesting by THRIFT_MAX_DEPTH.
 */
#include "format/thrift_compact.h"

#include <stdlib.h>
#include <string.h>

void thrift_reader_init(thrift_reader *r, const void *data, size_t size)
{
    memset(r, 0, sizeof *r);
    r->data = data;
    r->size = size;
}

bool thrift_reader_fail(thrift_reader *r, const char *reason)
{
    if (!r->failed) {
        r->failed = true;
        r->failure = reason;
        r->failure_offset = r->pos;
    }
    return false;
}

int64_t thrift_read_varint(thrift_reader *r)
{
    uint64_t result = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        if (r->failed)
            return 0;
        if (r->pos >= r->size) {
            thrift_reader_fail(r, "truncated varint");
            return 0;
        }
        uint8_t byte = r->data[r->pos++];
        if (shift == 63 && (byte & 0x7e) != 0) {
            thrift_reader_fail(r, "varint overflows 64 bits");
            return 0;
        }
        result |= (uint64_t)(byte & 0x7f) << shift;
        if ((byte & 0x80) == 0)
            return (int64_t)result;
    }
    thrift_reader_fail(r, "varint too long");
    return 0;
}

static int64_t unzigzag(uint64_t v)
{
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

int64_t thrift_read_i64(thrift_reader *r)
{
    return unzigzag((uint64_t)thrift_read_varint(r));
}

int32_t thrift_read_i32(thrift_reader *r)
{
    int64_t v = thrift_read_i64(r);
    if (v < INT32_MIN || v > INT32_MAX) {
        thrift_reader_fail(r, "i32 out of range");
        return 0;
    }
    return (int32_t)v;
}

int8_t thrift_read_byte(thrift_reader *r)
{
    if (r->failed)
        return 0;
    if (r->pos >= r->size) {
        thrift_reader_fail(r, "truncated byte");
        return 0;
    }
    return (int8_t)r->data[r->pos++];
}

double thrift_read_double(thrift_reader *r)
{
    double d = 0;
    if (r->failed)
        return 0;
    if (r->size - r->pos < 8) {
        thrift_reader_fail(r, "truncated double");
        return 0;
    }
    memcpy(&d, r->data + r->pos, 8);
    r->pos += 8;
    return d;
}

const uint8_t *thrift_read_binary(thrift_reader *r, uint32_t *length)
{
    *length = 0;
    uint64_t n = (uint64_t)thrift_read_varint(r);
    if (r->failed)
        return NULL;
    if (n > r->size - r->pos || n > UINT32_MAX) {
        thrift_reader_fail(r, "binary length exceeds the input");
        return NULL;
    }
    const uint8_t *p = r->data + r->pos;
    r->pos += (size_t)n;
    *length = (uint32_t)n;
    return p;
}

bool thrift_read_struct_begin(thrift_reader *r)
{
    if (r->failed)
        return false;
    if (r->depth >= THRIFT_MAX_DEPTH)
        return thrift_reader_fail(r, "nesting too deep");
    r->depth++;
    r->last_field_id[r->depth] = 0;
    return true;
}

void thrift_read_struct_end(thrift_reader *r)
{
    if (r->depth > 0)
        r->depth--;
}

bool thrift_read_field(thrift_reader *r, thrift_type *type, int16_t *id)
{
    if (r->failed)
        return false;
    uint8_t header = (uint8_t)thrift_read_byte(r);
    if (r->failed)
        return false;
    *type = (thrift_type)(header & 0x0f);
    if (*type == THRIFT_STOP)
        return false;
    if (*type > THRIFT_STRUCT)
        return thrift_reader_fail(r, "unknown field type");
    int delta = header >> 4;
    if (delta != 0) {
        *id = (int16_t)(r->last_field_id[r->depth] + delta);
    } else {
        int64_t v = thrift_read_i64(r);
        if (v < INT16_MIN || v > INT16_MAX)
            return thrift_reader_fail(r, "field id out of range");
        *id = (int16_t)v;
    }
    r->last_field_id[r->depth] = *id;
    return !r->failed;
}

bool thrift_read_field_bool(thrift_type type)
{
    return type == THRIFT_BOOL_TRUE;
}

bool thrift_read_list(thrift_reader *r, thrift_type *elem_type, uint32_t *count)
{
    *count = 0;
    uint8_t header = (uint8_t)thrift_read_byte(r);
    if (r->failed)
        return false;
    *elem_type = (thrift_type)(header & 0x0f);
    uint64_t n = header >> 4;
    if (n == 15)
        n = (uint64_t)thrift_read_varint(r);
    if (r->failed)
        return false;
    if (*elem_type == THRIFT_STOP || *elem_type > THRIFT_STRUCT)
        return thrift_reader_fail(r, "unknown list element type");
    /* Every element takes at least one byte, except none do for empty structs; bound anyway. */
    if (n > r->size - r->pos)
        return thrift_reader_fail(r, "list count exceeds the input");
    *count = (uint32_t)n;
    return true;
}

bool thrift_read_list_bool(thrift_reader *r)
{
    return thrift_read_byte(r) == THRIFT_BOOL_TRUE;
}

static bool skip_struct(thrift_reader *r)
{
    if (!thrift_read_struct_begin(r))
        return false;
    thrift_type type;
    int16_t id;
    while (thrift_read_field(r, &type, &id)) {
        if (!thrift_skip(r, type))
            break;
    }
    thrift_read_struct_end(r);
    return !r->failed;
}

static bool skip_list(thrift_reader *r)
{
    thrift_type elem;
    uint32_t count;
    if (!thrift_read_list(r, &elem, &count))
        return false;
    if (r->depth >= THRIFT_MAX_DEPTH)
        return thrift_reader_fail(r, "nesting too deep");
    r->depth++;
    for (uint32_t i = 0; i < count && !r->failed; i++) {
        if (elem == THRIFT_BOOL_TRUE || elem == THRIFT_BOOL_FALSE)
            thrift_read_byte(r);
        else
            thrift_skip(r, elem);
    }
    r->depth--;
    return !r->failed;
}

static bool skip_map(thrift_reader *r)
{
    uint64_t n = (uint64_t)thrift_read_varint(r);
    if (r->failed || n == 0)
        return !r->failed;
    uint8_t kinds = (uint8_t)thrift_read_byte(r);
    thrift_type key = (thrift_type)(kinds >> 4), val = (thrift_type)(kinds & 0x0f);
    if (key == THRIFT_STOP || key > THRIFT_STRUCT || val == THRIFT_STOP || val > THRIFT_STRUCT)
        return thrift_reader_fail(r, "unknown map element type");
    if (n > r->size - r->pos)
        return thrift_reader_fail(r, "map count exceeds the input");
    if (r->depth >= THRIFT_MAX_DEPTH)
        return thrift_reader_fail(r, "nesting too deep");
    r->depth++;
    for (uint64_t i = 0; i < n && !r->failed; i++) {
        thrift_type kinds2[2] = {key, val};
        for (int k = 0; k < 2; k++) {
            if (kinds2[k] == THRIFT_BOOL_TRUE || kinds2[k] == THRIFT_BOOL_FALSE)
                thrift_read_byte(r);
            else
                thrift_skip(r, kinds2[k]);
        }
    }
    r->depth--;
    return !r->failed;
}

bool thrift_skip(thrift_reader *r, thrift_type type)
{
    uint32_t length;
    switch (type) {
    case THRIFT_BOOL_TRUE:
    case THRIFT_BOOL_FALSE: return !r->failed;
    case THRIFT_BYTE: thrift_read_byte(r); break;
    case THRIFT_I16:
    case THRIFT_I32:
    case THRIFT_I64: thrift_read_varint(r); break;
    case THRIFT_DOUBLE: thrift_read_double(r); break;
    case THRIFT_BINARY: thrift_read_binary(r, &length); break;
    case THRIFT_LIST:
    case THRIFT_SET: return skip_list(r);
    case THRIFT_MAP: return skip_map(r);
    case THRIFT_STRUCT: return skip_struct(r);
    default: return thrift_reader_fail(r, "unknown field type");
    }
    return !r->failed;
}

/* ---- writer ---- */

void thrift_writer_init(thrift_writer *w)
{
    memset(w, 0, sizeof *w);
}

void thrift_writer_dispose(thrift_writer *w)
{
    free(w->data);
    memset(w, 0, sizeof *w);
}

void thrift_writer_reset(thrift_writer *w)
{
    w->size = 0;
    w->failed = false;
    w->depth = 0;
    w->last_field_id[0] = 0;
    w->long_form_fields = 0;
}

void thrift_write_bytes(thrift_writer *w, const void *data, size_t length)
{
    if (w->failed)
        return;
    if (w->capacity - w->size < length) {
        size_t capacity = w->capacity ? w->capacity : 256;
        while (capacity - w->size < length)
            capacity *= 2;
        uint8_t *grown = realloc(w->data, capacity);
        if (grown == NULL) {
            w->failed = true;
            return;
        }
        w->data = grown;
        w->capacity = capacity;
    }
    if (length > 0)
        memcpy(w->data + w->size, data, length);
    w->size += length;
}

void thrift_write_varint(thrift_writer *w, uint64_t value)
{
    uint8_t bytes[10];
    size_t n = 0;
    while (value >= 0x80) {
        bytes[n++] = (uint8_t)(value | 0x80);
        value >>= 7;
    }
    bytes[n++] = (uint8_t)value;
    thrift_write_bytes(w, bytes, n);
}

void thrift_write_i64(thrift_writer *w, int64_t value)
{
    thrift_write_varint(w, ((uint64_t)value << 1) ^ (uint64_t)(value >> 63));
}

void thrift_write_i32(thrift_writer *w, int32_t value)
{
    thrift_write_i64(w, value);
}

void thrift_write_binary(thrift_writer *w, const void *data, size_t length)
{
    thrift_write_varint(w, length);
    thrift_write_bytes(w, data, length);
}

void thrift_write_struct_begin(thrift_writer *w)
{
    if (w->depth >= THRIFT_MAX_DEPTH) {
        w->failed = true;
        return;
    }
    w->depth++;
    w->last_field_id[w->depth] = 0;
}

void thrift_write_struct_end(thrift_writer *w)
{
    uint8_t stop = 0;
    thrift_write_bytes(w, &stop, 1);
    if (w->depth > 0)
        w->depth--;
}

void thrift_write_field_begin(thrift_writer *w, thrift_type type, int16_t id)
{
    int delta = id - w->last_field_id[w->depth];
    bool pad = delta > 0 && delta <= 15 && id <= 63 && w->long_form_fields > 0;
    if (pad)
        w->long_form_fields--;
    if (delta > 0 && delta <= 15 && !pad) {
        uint8_t header = (uint8_t)((delta << 4) | type);
        thrift_write_bytes(w, &header, 1);
    } else {
        uint8_t header = (uint8_t)type;
        thrift_write_bytes(w, &header, 1);
        thrift_write_i64(w, id);
    }
    w->last_field_id[w->depth] = id;
}

void thrift_write_field_bool(thrift_writer *w, int16_t id, bool value)
{
    thrift_write_field_begin(w, value ? THRIFT_BOOL_TRUE : THRIFT_BOOL_FALSE, id);
}

void thrift_write_field_i32(thrift_writer *w, int16_t id, int32_t value)
{
    thrift_write_field_begin(w, THRIFT_I32, id);
    thrift_write_i32(w, value);
}

void thrift_write_field_i64(thrift_writer *w, int16_t id, int64_t value)
{
    thrift_write_field_begin(w, THRIFT_I64, id);
    thrift_write_i64(w, value);
}

void thrift_write_field_binary(thrift_writer *w, int16_t id, const void *data, size_t length)
{
    thrift_write_field_begin(w, THRIFT_BINARY, id);
    thrift_write_binary(w, data, length);
}

void thrift_write_field_struct(thrift_writer *w, int16_t id)
{
    thrift_write_field_begin(w, THRIFT_STRUCT, id);
    thrift_write_struct_begin(w);
}

void thrift_write_list_begin(thrift_writer *w, thrift_type elem_type, uint32_t count)
{
    if (count < 15) {
        uint8_t header = (uint8_t)((count << 4) | elem_type);
        thrift_write_bytes(w, &header, 1);
    } else {
        uint8_t header = (uint8_t)(0xf0 | elem_type);
        thrift_write_bytes(w, &header, 1);
        thrift_write_varint(w, count);
    }
}

void thrift_write_list_bool(thrift_writer *w, bool value)
{
    uint8_t b = value ? THRIFT_BOOL_TRUE : THRIFT_BOOL_FALSE;
    thrift_write_bytes(w, &b, 1);
}
