/*
 * snappy_decode.c: the Snappy block format, decoded. A block is the
 * uncompressed length as a little-endian base-128 varint, then elements
 * whose tag byte's low two bits say what follows:
 *   00 literal: length - 1 in the upper six bits, or, when those read 60..63,
 *      in the next 1..4 bytes (little-endian); then the bytes themselves;
 *   01 copy: length 4..11 in bits 2-4, an 11-bit offset (bits 5-7 above the
 *      next byte);
 *   10 copy: length 1..64 in the upper six bits, a 2-byte offset;
 *   11 copy: the same with a 4-byte offset.
 * A copy repeats `length` bytes starting `offset` bytes back in the output,
 * which may overlap what it writes (offset < length repeats a pattern).
 *
 * Speed comes from copying in fixed 16- or 8-byte pieces while both ends
 * are far enough from the buffers' ends that a piece may overshoot; the last
 * bytes of a block go through an exact, checked loop.
 */
#include "format/snappy_decode.h"

#include <string.h>

/* Input bytes one element may read in the fast loop: tag, 4 offset bytes, 16 literal bytes. */
#define INPUT_MARGIN 21
/* Output bytes one element may write in the fast loop: a 64-byte copy as 16-byte pieces. */
#define OUTPUT_MARGIN 80

static inline void copy16(uint8_t *to, const uint8_t *from)
{
    memcpy(to, from, 16);
}

static inline void copy8(uint8_t *to, const uint8_t *from)
{
    memcpy(to, from, 8);
}

static inline uint32_t load_le32(const uint8_t *p)
{
    uint32_t x;
    memcpy(&x, p, 4);
    return x;
}

static inline uint32_t load_le(const uint8_t *p, size_t bytes)
{
    uint32_t x = 0;
    for (size_t i = 0; i < bytes; i++)
        x |= (uint32_t)p[i] << (8 * i);
    return x;
}

/* The preamble's length and how many bytes it took (0: malformed). */
static size_t read_preamble(const uint8_t *src, size_t src_size, size_t *length)
{
    uint64_t v = 0;
    for (size_t i = 0; i < 5 && i < src_size; i++) {
        v |= (uint64_t)(src[i] & 0x7f) << (7 * i);
        if ((src[i] & 0x80) == 0) {
            if (v > UINT32_MAX)
                return 0;
            *length = (size_t)v;
            return i + 1;
        }
    }
    return 0;
}

bool snappy_decoded_length(const uint8_t *src, size_t src_size, size_t *length)
{
    return read_preamble(src, src_size, length) != 0;
}

/* A copy's bytes, each piece written after the one it may read (offset >= 8). */
static inline void copy_far(uint8_t *op, const uint8_t *from, size_t offset, size_t length)
{
    if (offset >= 16) {
        copy16(op, from);
        copy16(op + 16, from + 16);
        if (length > 32) {
            copy16(op + 32, from + 32);
            copy16(op + 48, from + 48);
        }
        return;
    }
    for (size_t i = 0; i < length; i += 8)
        copy8(op + i, from + i);
}

/* A copy whose offset is under 8 repeats a short pattern: byte by byte (it is rare). */
static inline void copy_near(uint8_t *op, const uint8_t *from, size_t length)
{
    for (size_t i = 0; i < length; i++)
        op[i] = from[i];
}

/*
 * A literal whose tag gave `n` (1..64): 61..64 mean the length - 1 follows in
 * n - 60 bytes. Copies it exactly, after checking both ends.
 */
static inline bool copy_literal(const uint8_t **ip, uint8_t **op, size_t n, const uint8_t *iend,
                                uint8_t *oend)
{
    if (n > 60) {
        size_t bytes = n - 60;
        if ((size_t)(iend - *ip) < bytes)
            return false;
        n = (size_t)load_le(*ip, bytes) + 1;
        *ip += bytes;
    }
    if (n > (size_t)(iend - *ip) || n > (size_t)(oend - *op))
        return false;
    memcpy(*op, *ip, n);
    *op += n;
    *ip += n;
    return true;
}

/*
 * Decodes one copy element's length and offset after its tag (tag & 3 != 0);
 * the caller has checked that 4 input bytes may be read.
 */
static inline const uint8_t *read_copy(const uint8_t *ip, uint32_t tag, size_t *length,
                                       size_t *offset)
{
    switch (tag & 3) {
    case 1:
        *length = ((tag >> 2) & 7) + 4;
        *offset = (size_t)(tag >> 5) << 8 | ip[0];
        return ip + 1;
    case 2:
        *length = (tag >> 2) + 1;
        *offset = (size_t)ip[0] | (size_t)ip[1] << 8;
        return ip + 2;
    default:
        *length = (tag >> 2) + 1;
        *offset = load_le32(ip);
        return ip + 4;
    }
}

bool snappy_decode(const uint8_t *src, size_t src_size, uint8_t *dst, size_t dst_size)
{
    size_t length = 0;
    size_t used = read_preamble(src, src_size, &length);
    if (used == 0 || length != dst_size)
        return false;
    const uint8_t *ip = src + used, *iend = src + src_size;
    uint8_t *op = dst, *oend = dst + dst_size;
    /* the fast loop runs while ip < ip_limit and op < op_limit (empty when a buffer is small) */
    const uint8_t *ip_limit = iend - ip >= INPUT_MARGIN ? iend - INPUT_MARGIN + 1 : ip;
    const uint8_t *op_limit = dst_size >= OUTPUT_MARGIN ? oend - OUTPUT_MARGIN + 1 : dst;
    while (ip < ip_limit && op < op_limit) {
        uint32_t tag = *ip++;
        size_t n, offset;
        if ((tag & 3) == 0) {
            n = (tag >> 2) + 1;
            if (n <= 16) {
                copy16(op, ip);
                op += n;
                ip += n;
                continue;
            }
            if (!copy_literal(&ip, &op, n, iend, oend))
                return false;
            continue;
        }
        ip = read_copy(ip, tag, &n, &offset);
        if (offset - 1 >= (size_t)(op - dst)) /* offset 0 wraps around */
            return false;
        if (offset >= 8)
            copy_far(op, op - offset, offset, n);
        else
            copy_near(op, op - offset, n);
        op += n;
    }
    while (ip < iend) { /* the tail: every length checked, nothing overshoots */
        uint32_t tag = *ip++;
        size_t n, offset;
        if ((tag & 3) == 0) {
            if (!copy_literal(&ip, &op, (tag >> 2) + 1, iend, oend))
                return false;
            continue;
        }
        size_t need = (tag & 3) == 1 ? 1 : (tag & 3) == 2 ? 2 : 4;
        if ((size_t)(iend - ip) < need)
            return false;
        ip = read_copy(ip, tag, &n, &offset);
        if (offset - 1 >= (size_t)(op - dst) || n > (size_t)(oend - op))
            return false;
        copy_near(op, op - offset, n);
        op += n;
    }
    return op == oend;
}
