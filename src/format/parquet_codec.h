/*
 * parquet_codec.h: page compression for Parquet (UNCOMPRESSED, SNAPPY, GZIP,
 * ZSTD, LZ4_RAW; the deprecated LZ4 read only) over the system libraries.
 * Decompression must produce exactly the size the page header declares, or
 * the page is corrupt.
 */
#ifndef ARM_FORMAT_PARQUET_CODEC_H
#define ARM_FORMAT_PARQUET_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "armillaria.h"
#include "format/parquet_metadata.h"

/* True when this build can decode the codec. */
bool parquet_codec_is_supported(parquet_codec_id codec);
/* True when this build can encode the codec. */
bool parquet_codec_is_writable(parquet_codec_id codec);
/* "ZSTD", "SNAPPY"...; "UNKNOWN" for others. */
const char *parquet_codec_name(parquet_codec_id codec);

/*
 * Decompresses `src` into exactly `dst_size` bytes at `dst`. ARM_ERROR_CORRUPT
 * when the data is malformed or its size differs from dst_size (message says
 * which; callers add file/column/offset detail), ARM_ERROR_NOT_SUPPORTED for
 * codecs we do not decode.
 */
arm_status parquet_codec_decompress(parquet_codec_id codec, const uint8_t *src, size_t src_size,
                                    uint8_t *dst, size_t dst_size, arm_error *err);

/*
 * False when a page of `src_size` compressed bytes cannot plausibly
 * decompress to `dst_size` bytes (checked before allocating dst_size).
 */
bool parquet_codec_size_is_plausible(parquet_codec_id codec, const uint8_t *src, size_t src_size,
                                     size_t dst_size);

/* An upper bound of the compressed size of `src_size` bytes. */
size_t parquet_codec_max_compressed_size(parquet_codec_id codec, size_t src_size);

/*
 * Compresses `src` into `dst` (capacity from parquet_codec_max_compressed_size)
 * and sets *dst_size. `level` applies to ZSTD and GZIP (0: the codec default).
 */
arm_status parquet_codec_compress(parquet_codec_id codec, int level, const uint8_t *src,
                                  size_t src_size, uint8_t *dst, size_t *dst_size, arm_error *err);

#endif
