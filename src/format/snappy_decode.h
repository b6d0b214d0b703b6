/*
 * snappy_decode.h: a Snappy block decoder (the raw format of Parquet's
 * SNAPPY codec, no framing). Our own because Debian's libsnappy cannot use
 * SSSE3 and loses most of its time on the short copies that PLAIN integer
 * pages are made of; writing still goes through libsnappy.
 */
#ifndef ARM_FORMAT_SNAPPY_DECODE_H
#define ARM_FORMAT_SNAPPY_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Reads the uncompressed length from the block's preamble. False when the
 * preamble is malformed or longer than 32 bits.
 */
bool snappy_decoded_length(const uint8_t *src, size_t src_size, size_t *length);

/*
 * Decodes the block `src` into exactly `dst_size` bytes at `dst`. False when
 * the block is malformed: a length that differs from dst_size, an element
 * running past either end, or a copy reaching before the output's start.
 * Never reads or writes outside [src, src + src_size) and [dst, dst + dst_size).
 */
bool snappy_decode(const uint8_t *src, size_t src_size, uint8_t *dst, size_t dst_size);

#endif
