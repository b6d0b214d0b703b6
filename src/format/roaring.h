/*
 * roaring.h: deletion vectors in the Roaring bitmap portable serialization
 * (the format CRoaring writes and Delta Lake and Iceberg embed), written from
 * the format's description. A set of 32-bit positions is split by the high
 * 16 bits into containers: arrays of sorted low halves (up to 4,096 of
 * them), 8 KB bitmaps, or runs. We write arrays and bitmaps and read all
 * three.
 */
#ifndef ARM_FORMAT_ROARING_H
#define ARM_FORMAT_ROARING_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/*
 * Serializes the set bits [0, limit) of `bits` (a bitmap of limit bits) into
 * a malloc'd buffer. Deterministic: the same set gives the same bytes.
 */
arm_status roaring_serialize(const uint64_t *bits, uint64_t limit, uint8_t **out, size_t *length,
                             arm_error *err);

/*
 * Sets in `bits` (limit bits, not cleared first) every position the
 * serialized bitmap holds, and returns how many it holds in *count.
 * Malformed bytes, or a position >= limit, are ARM_ERROR_CORRUPT naming
 * `what` and the byte offset; nothing is read past `length`.
 */
arm_status roaring_deserialize(const uint8_t *data, size_t length, uint64_t *bits, uint64_t limit,
                               uint64_t *count, const char *what, arm_error *err);

#endif
