/*
 * parquet_codec.c: Parquet page codecs over libzstd, libsnappy (C API), zlib
 * and liblz4. GZIP pages are gzip streams (zlib auto-detects either header on
 * input); LZ4_RAW is a bare LZ4 block; the deprecated LZ4 codec (Hadoop
 * framing) is read, never written.
 */
#include "format/parquet_codec.h"

#include <limits.h>
#include <lz4.h>
#include <pthread.h>
#include <snappy-c.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "common/error.h"
#include "format/snappy_decode.h"

/*
 * ZSTD contexts are costly to create (tens of microseconds), so each thread
 * keeps one of each for its lifetime instead of creating one per page. A
 * thread-specific key frees them when the thread ends (pool workers that
 * encode or decode pages come and go with their database).
 */
typedef struct zstd_contexts {
    ZSTD_DCtx *decompression;
    ZSTD_CCtx *compression;
} zstd_contexts;

static _Thread_local zstd_contexts zstd_local;
static pthread_key_t zstd_key;
static pthread_once_t zstd_key_once = PTHREAD_ONCE_INIT;
static bool zstd_key_ready;

static void free_zstd_contexts(void *contexts)
{
    zstd_contexts *z = contexts;
    ZSTD_freeDCtx(z->decompression);
    ZSTD_freeCCtx(z->compression);
    z->decompression = NULL;
    z->compression = NULL;
}

static void create_zstd_key(void)
{
    zstd_key_ready = pthread_key_create(&zstd_key, free_zstd_contexts) == 0;
}

/* Makes the thread's contexts freed at its exit (once per thread, before the first). */
static void register_zstd_contexts(void)
{
    if (zstd_local.decompression != NULL || zstd_local.compression != NULL)
        return;
    pthread_once(&zstd_key_once, create_zstd_key);
    if (zstd_key_ready)
        pthread_setspecific(zstd_key, &zstd_local);
}

static ZSTD_DCtx *zstd_decompression_context(void)
{
    if (zstd_local.decompression == NULL) {
        register_zstd_contexts();
        zstd_local.decompression = ZSTD_createDCtx();
    }
    return zstd_local.decompression;
}

static ZSTD_CCtx *zstd_compression_context(void)
{
    if (zstd_local.compression == NULL) {
        register_zstd_contexts();
        zstd_local.compression = ZSTD_createCCtx();
    }
    return zstd_local.compression;
}

bool parquet_codec_is_supported(parquet_codec_id codec)
{
    switch (codec) {
    case PARQUET_CODEC_UNCOMPRESSED:
    case PARQUET_CODEC_SNAPPY:
    case PARQUET_CODEC_GZIP:
    case PARQUET_CODEC_ZSTD:
    case PARQUET_CODEC_LZ4:
    case PARQUET_CODEC_LZ4_RAW: return true;
    default: return false;
    }
}

bool parquet_codec_is_writable(parquet_codec_id codec)
{
    return codec != PARQUET_CODEC_LZ4 && parquet_codec_is_supported(codec);
}

const char *parquet_codec_name(parquet_codec_id codec)
{
    static const char *const names[] = {"UNCOMPRESSED", "SNAPPY", "GZIP", "LZO",
                                        "BROTLI",       "LZ4",    "ZSTD", "LZ4_RAW"};
    if ((unsigned)codec < sizeof names / sizeof names[0])
        return names[codec];
    return "UNKNOWN";
}

static arm_status size_mismatch(arm_error *err, const char *codec, size_t got, size_t want)
{
    return error_set(err, ARM_ERROR_CORRUPT, NULL, -1,
                     "%s page decompresses to %zu bytes, header says %zu", codec, got, want);
}

static arm_status gzip_decompress(const uint8_t *src, size_t src_size, uint8_t *dst,
                                  size_t dst_size, arm_error *err)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (src_size > UINT_MAX || dst_size > UINT_MAX)
        return error_set(err, ARM_ERROR_CORRUPT, NULL, -1, "gzip page too large");
    if (inflateInit2(&z, 15 + 32) != Z_OK)
        return error_out_of_memory(err);
    z.next_in = (Bytef *)src;
    z.avail_in = (uInt)src_size;
    z.next_out = dst;
    z.avail_out = (uInt)dst_size;
    int rc = inflate(&z, Z_FINISH);
    size_t produced = dst_size - z.avail_out;
    inflateEnd(&z);
    if (rc == Z_STREAM_END && produced == dst_size)
        return ARM_OK;
    if (rc == Z_STREAM_END || rc == Z_BUF_ERROR)
        return size_mismatch(err, "GZIP", rc == Z_STREAM_END ? produced : dst_size + 1, dst_size);
    return error_set(err, ARM_ERROR_CORRUPT, NULL, -1, "malformed GZIP page data");
}

static uint32_t load_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * The deprecated LZ4 codec: Hadoop framing (blocks of big-endian decompressed
 * and compressed sizes, then an LZ4 block); some writers used a bare block.
 */
static bool lz4_hadoop_decompress(const uint8_t *src, size_t src_size, uint8_t *dst,
                                  size_t dst_size)
{
    size_t in = 0, out = 0;
    while (in < src_size) {
        if (src_size - in < 8)
            return false;
        uint32_t raw = load_be32(src + in), packed = load_be32(src + in + 4);
        in += 8;
        if (packed > src_size - in || raw > dst_size - out || packed > INT_MAX || raw > INT_MAX)
            return false;
        int n =
            LZ4_decompress_safe((const char *)src + in, (char *)dst + out, (int)packed, (int)raw);
        if (n < 0 || (uint32_t)n != raw)
            return false;
        in += packed;
        out += raw;
    }
    return out == dst_size;
}

arm_status parquet_codec_decompress(parquet_codec_id codec, const uint8_t *src, size_t src_size,
                                    uint8_t *dst, size_t dst_size, arm_error *err)
{
    switch (codec) {
    case PARQUET_CODEC_UNCOMPRESSED:
        if (src_size != dst_size)
            return size_mismatch(err, "UNCOMPRESSED", src_size, dst_size);
        if (dst_size > 0)
            memcpy(dst, src, dst_size);
        return ARM_OK;
    case PARQUET_CODEC_SNAPPY: {
        size_t length = 0;
        if (!snappy_decoded_length(src, src_size, &length))
            return error_set(err, ARM_ERROR_CORRUPT, NULL, -1, "malformed SNAPPY page data");
        if (length != dst_size)
            return size_mismatch(err, "SNAPPY", length, dst_size);
        if (!snappy_decode(src, src_size, dst, dst_size))
            return error_set(err, ARM_ERROR_CORRUPT, NULL, -1, "malformed SNAPPY page data");
        return ARM_OK;
    }
    case PARQUET_CODEC_GZIP: return gzip_decompress(src, src_size, dst, dst_size, err);
    case PARQUET_CODEC_ZSTD: {
        ZSTD_DCtx *context = zstd_decompression_context();
        if (context == NULL)
            return error_out_of_memory(err);
        size_t n = ZSTD_decompressDCtx(context, dst, dst_size, src, src_size);
        if (ZSTD_isError(n)) {
            if (ZSTD_getErrorCode(n) == ZSTD_error_dstSize_tooSmall)
                return size_mismatch(err, "ZSTD", dst_size + 1, dst_size);
            return error_set(err, ARM_ERROR_CORRUPT, NULL, -1, "malformed ZSTD page data: %s",
                             ZSTD_getErrorName(n));
        }
        if (n != dst_size)
            return size_mismatch(err, "ZSTD", n, dst_size);
        return ARM_OK;
    }
    case PARQUET_CODEC_LZ4:
        if (lz4_hadoop_decompress(src, src_size, dst, dst_size))
            return ARM_OK;
        __attribute__((fallthrough)); /* a bare LZ4 block */
    case PARQUET_CODEC_LZ4_RAW: {
        if (src_size > INT_MAX || dst_size > INT_MAX)
            return error_set(err, ARM_ERROR_CORRUPT, NULL, -1, "LZ4_RAW page too large");
        int n = LZ4_decompress_safe((const char *)src, (char *)dst, (int)src_size, (int)dst_size);
        if (n < 0)
            return error_set(err, ARM_ERROR_CORRUPT, NULL, -1, "malformed LZ4_RAW page data");
        if ((size_t)n != dst_size)
            return size_mismatch(err, "LZ4_RAW", (size_t)n, dst_size);
        return ARM_OK;
    }
    default:
        return error_set(err, ARM_ERROR_NOT_SUPPORTED, NULL, -1,
                         "parquet compression codec %s is not supported",
                         parquet_codec_name(codec));
    }
}

#define PAGE_MAX_BYTES ((size_t)1 << 30)

bool parquet_codec_size_is_plausible(parquet_codec_id codec, const uint8_t *src, size_t src_size,
                                     size_t dst_size)
{
    if (dst_size > PAGE_MAX_BYTES)
        return false;
    switch (codec) {
    case PARQUET_CODEC_UNCOMPRESSED: return dst_size == src_size;
    case PARQUET_CODEC_SNAPPY: {
        size_t length = 0;
        return snappy_decoded_length(src, src_size, &length) && length == dst_size;
    }
    case PARQUET_CODEC_ZSTD: {
        unsigned long long declared = ZSTD_getFrameContentSize(src, src_size);
        if (declared == ZSTD_CONTENTSIZE_ERROR)
            return false;
        if (declared != ZSTD_CONTENTSIZE_UNKNOWN)
            return declared == dst_size;
        return dst_size / 32768 <= src_size;
    }
    case PARQUET_CODEC_GZIP: return dst_size / 1032 <= src_size + 1;
    case PARQUET_CODEC_LZ4:
    case PARQUET_CODEC_LZ4_RAW: return dst_size / 255 <= src_size + 1;
    default: return true;
    }
}

size_t parquet_codec_max_compressed_size(parquet_codec_id codec, size_t src_size)
{
    switch (codec) {
    case PARQUET_CODEC_SNAPPY: return snappy_max_compressed_length(src_size);
    case PARQUET_CODEC_GZIP: return compressBound((uLong)src_size) + 32;
    case PARQUET_CODEC_ZSTD: return ZSTD_compressBound(src_size);
    case PARQUET_CODEC_LZ4_RAW: return (size_t)LZ4_compressBound((int)src_size);
    default: return src_size;
    }
}

static arm_status gzip_compress(int level, const uint8_t *src, size_t src_size, uint8_t *dst,
                                size_t *dst_size, arm_error *err)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, level > 0 ? level : Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK)
        return error_out_of_memory(err);
    z.next_in = (Bytef *)src;
    z.avail_in = (uInt)src_size;
    z.next_out = dst;
    z.avail_out = (uInt)*dst_size;
    int rc = deflate(&z, Z_FINISH);
    *dst_size = *dst_size - z.avail_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END)
        return error_internal(err, "gzip compression did not finish");
    return ARM_OK;
}

arm_status parquet_codec_compress(parquet_codec_id codec, int level, const uint8_t *src,
                                  size_t src_size, uint8_t *dst, size_t *dst_size, arm_error *err)
{
    size_t capacity = parquet_codec_max_compressed_size(codec, src_size);
    switch (codec) {
    case PARQUET_CODEC_UNCOMPRESSED:
        if (src_size > 0)
            memcpy(dst, src, src_size);
        *dst_size = src_size;
        return ARM_OK;
    case PARQUET_CODEC_SNAPPY:
        *dst_size = capacity;
        if (snappy_compress((const char *)src, src_size, (char *)dst, dst_size) != SNAPPY_OK)
            return error_internal(err, "snappy compression failed");
        return ARM_OK;
    case PARQUET_CODEC_GZIP:
        *dst_size = capacity;
        return gzip_compress(level, src, src_size, dst, dst_size, err);
    case PARQUET_CODEC_ZSTD: {
        ZSTD_CCtx *context = zstd_compression_context();
        if (context == NULL)
            return error_out_of_memory(err);
        size_t n = ZSTD_compressCCtx(context, dst, capacity, src, src_size, level != 0 ? level : 3);
        if (ZSTD_isError(n))
            return error_internal(err, "zstd compression failed");
        *dst_size = n;
        return ARM_OK;
    }
    case PARQUET_CODEC_LZ4_RAW: {
        int n = LZ4_compress_default((const char *)src, (char *)dst, (int)src_size, (int)capacity);
        if (n <= 0)
            return error_internal(err, "lz4 compression failed");
        *dst_size = (size_t)n;
        return ARM_OK;
    }
    default:
        return error_set(err, ARM_ERROR_NOT_SUPPORTED, NULL, -1,
                         "writing parquet compression codec %s is not supported",
                         parquet_codec_name(codec));
    }
}
