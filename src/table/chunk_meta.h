/*
 * chunk_meta.h: what the catalog records about each chunk besides its id:
 * per-column statistics (zone maps, for pruning) and the chunk's byte
 * layout, where its footer and each column's data lie with a digest of
 * each range. A scan then reads only the ranges it needs and checks each
 * against its digest, instead of reading and hashing the whole object.
 * Digests are 128-bit checksums (hash_checksum_wide); blobs written before
 * hold 64-bit ones (hash_checksum) or SHA-256, still checked as such.
 */
#ifndef ARM_TABLE_CHUNK_META_H
#define ARM_TABLE_CHUNK_META_H

#include "table/zone_map.h"

typedef struct chunk_layout {
    uint64_t file_size;
    uint64_t footer_offset; /* the footer runs from here to the end of the file */
    uint32_t column_count;
    uint64_t *offsets;      /* per column: the first byte of its data (all row groups) */
    uint64_t *lengths;      /* and how many bytes from there */
    uint8_t (*digests)[32]; /* [0] the footer, [1 + c] column c: first digest_size bytes */
    uint32_t digest_size;   /* 16: hash_checksum_wide; older blobs: 8 hash_checksum, 32 SHA-256 */
} chunk_layout;

/* Whether `length` bytes at `data` match the range digest `digest` of `layout`. */
bool chunk_layout_digest_matches(const chunk_layout *layout, const uint8_t *digest,
                                 const uint8_t *data, size_t length);

void chunk_layout_dispose(chunk_layout *layout);

/*
 * Encodes the statistics of a chunk's `column_count` columns and the layout
 * of `file` (the chunk's Parquet bytes, parsed here) into a malloc'd blob.
 */
arm_status chunk_meta_encode(const zone_map *zones, uint32_t column_count, const uint8_t *file,
                             size_t size, uint8_t **out, uint32_t *length, arm_error *err);

/*
 * Decodes a blob: `zones` (column_count of them; strings point into `data`)
 * and, when *has_layout comes back true, `layout` (dispose it). False when
 * the blob is malformed or written for other columns: then neither is set.
 */
bool chunk_meta_decode(const uint8_t *data, uint32_t length, const logical_type *types,
                       uint32_t column_count, zone_map *zones, bool *has_layout,
                       chunk_layout *layout);

#endif
