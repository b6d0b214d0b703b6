/*
 * chunk_meta.c: the catalog's blob per chunk. Layout, native byte order:
 * u32 length of the zone maps, the zone maps (zone_map_encode), then the
 * byte layout: u64 file size, u64 footer offset, u32 columns, per column
 * u64 offset and u64 length, then the digests (footer first): 16 bytes each
 * (hash_checksum_wide); blobs of earlier versions hold 8 (hash_checksum) or
 * 32 (SHA-256), told apart by the blob's length.
 */
#include "table/chunk_meta.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/hash.h"
#include "format/parquet_reader.h"
#include "store/object_store.h"

#define DIGEST_SIZE HASH_CHECKSUM_WIDE_SIZE /* what new blobs hold */
#define CHECKSUM_SIZE 8                     /* a hash_checksum, in blobs of 2026-11 */
#define SHA256_SIZE 32                      /* SHA-256, in the first blobs */

void chunk_layout_dispose(chunk_layout *layout)
{
    free(layout->offsets);
    free(layout->lengths);
    free(layout->digests);
    memset(layout, 0, sizeof *layout);
}

/* Where each column's data lies in every row group: first byte to last. */
static arm_status column_ranges(const parquet_file_meta *meta, uint32_t column_count,
                                uint64_t *offsets, uint64_t *lengths, arm_error *err)
{
    for (uint32_t c = 0; c < column_count; c++) {
        uint64_t first = UINT64_MAX, end = 0;
        for (uint32_t g = 0; g < meta->row_group_count; g++) {
            const parquet_row_group *rg = &meta->row_groups[g];
            if (c >= rg->column_count || !rg->columns[c].has_meta)
                return error_internal(err, "a chunk was written without column metadata");
            const parquet_column_meta *m = &rg->columns[c].meta;
            int64_t start = m->has_dictionary_page_offset && m->dictionary_page_offset > 0 &&
                                    m->dictionary_page_offset < m->data_page_offset
                                ? m->dictionary_page_offset
                                : m->data_page_offset;
            if (start < 0 || m->total_compressed_size < 0)
                return error_internal(err, "a chunk was written with a negative offset");
            first = (uint64_t)start < first ? (uint64_t)start : first;
            uint64_t stop = (uint64_t)start + (uint64_t)m->total_compressed_size;
            end = stop > end ? stop : end;
        }
        offsets[c] = first == UINT64_MAX ? 0 : first;
        lengths[c] = end > offsets[c] ? end - offsets[c] : 0;
    }
    return ARM_OK;
}

arm_status chunk_meta_encode(const zone_map *zones, uint32_t column_count, const uint8_t *file,
                             size_t size, uint8_t **out, uint32_t *length, arm_error *err)
{
    *out = NULL;
    uint8_t *zone_bytes = NULL;
    uint32_t zone_length = 0;
    parquet_reader *r = NULL;
    uint64_t *offsets = calloc(column_count + 1, sizeof *offsets);
    uint64_t *lengths = calloc(column_count + 1, sizeof *lengths);
    arm_status s = offsets && lengths ? ARM_OK : error_out_of_memory(err);
    if (s == ARM_OK)
        s = zone_map_encode(zones, column_count, &zone_bytes, &zone_length, err);
    if (s == ARM_OK)
        s = parquet_reader_open_memory(&r, file, size, "chunk", err);
    if (s == ARM_OK && size < 12)
        s = error_internal(err, "a chunk is shorter than a Parquet file");
    if (s == ARM_OK)
        s = column_ranges(parquet_reader_metadata(r), column_count, offsets, lengths, err);
    uint32_t footer_size = 0;
    if (s == ARM_OK)
        memcpy(&footer_size, file + size - 8, 4); /* little-endian, as Parquet writes it */
    uint64_t footer_offset = size - 8 - footer_size;
    size_t total = 4 + (size_t)zone_length + 20 + 16 * (size_t)column_count +
                   DIGEST_SIZE * ((size_t)column_count + 1);
    uint8_t *blob = s == ARM_OK ? malloc(total) : NULL;
    if (s == ARM_OK && blob == NULL)
        s = error_out_of_memory(err);
    if (s == ARM_OK) {
        uint8_t *p = blob;
        uint64_t file_size = size;
        memcpy(p, &zone_length, 4), p += 4;
        memcpy(p, zone_bytes, zone_length), p += zone_length;
        memcpy(p, &file_size, 8), p += 8;
        memcpy(p, &footer_offset, 8), p += 8;
        memcpy(p, &column_count, 4), p += 4;
        for (uint32_t c = 0; c < column_count; c++) {
            memcpy(p, &offsets[c], 8), p += 8;
            memcpy(p, &lengths[c], 8), p += 8;
        }
        hash_checksum_wide(file + footer_offset, size - footer_offset, p);
        p += DIGEST_SIZE;
        for (uint32_t c = 0; c < column_count; c++, p += DIGEST_SIZE)
            hash_checksum_wide(file + offsets[c], lengths[c], p);
        *out = blob;
        *length = (uint32_t)total;
    }
    parquet_reader_close(r);
    free(zone_bytes);
    free(offsets);
    free(lengths);
    return s;
}

bool chunk_meta_decode(const uint8_t *data, uint32_t length, const logical_type *types,
                       uint32_t column_count, zone_map *zones, bool *has_layout,
                       chunk_layout *layout)
{
    *has_layout = false;
    memset(layout, 0, sizeof *layout);
    uint32_t zone_length = 0;
    if (length < 4)
        return false;
    memcpy(&zone_length, data, 4);
    if (zone_length > length - 4 ||
        !zone_map_decode(data + 4, zone_length, zones, types, column_count))
        return false;
    const uint8_t *p = data + 4 + zone_length;
    size_t left = length - 4 - zone_length;
    uint32_t columns = 0;
    if (left < 20)
        return true; /* statistics only */
    memcpy(&layout->file_size, p, 8);
    memcpy(&layout->footer_offset, p + 8, 8);
    memcpy(&columns, p + 16, 4);
    p += 20, left -= 20;
    size_t digests = left - 16 * (size_t)columns, ranges = (size_t)columns + 1;
    if (columns != column_count || left < 16 * (size_t)columns ||
        (digests != DIGEST_SIZE * ranges && digests != CHECKSUM_SIZE * ranges &&
         digests != SHA256_SIZE * ranges) ||
        layout->footer_offset >= layout->file_size)
        return true;
    layout->digest_size = (uint32_t)(digests / ((size_t)columns + 1));
    layout->column_count = columns;
    layout->offsets = malloc((columns + 1) * sizeof *layout->offsets);
    layout->lengths = malloc((columns + 1) * sizeof *layout->lengths);
    layout->digests = malloc((columns + 1) * sizeof *layout->digests);
    if (layout->offsets == NULL || layout->lengths == NULL || layout->digests == NULL) {
        chunk_layout_dispose(layout);
        return true;
    }
    for (uint32_t c = 0; c < columns; c++, p += 16) {
        memcpy(&layout->offsets[c], p, 8);
        memcpy(&layout->lengths[c], p + 8, 8);
        if (layout->offsets[c] > layout->file_size ||
            layout->lengths[c] > layout->file_size - layout->offsets[c]) {
            chunk_layout_dispose(layout);
            return true;
        }
    }
    memset(layout->digests, 0, (columns + 1) * sizeof *layout->digests);
    for (uint32_t c = 0; c <= columns; c++, p += layout->digest_size)
        memcpy(layout->digests[c], p, layout->digest_size);
    *has_layout = true;
    return true;
}

bool chunk_layout_digest_matches(const chunk_layout *layout, const uint8_t *digest,
                                 const uint8_t *data, size_t length)
{
    uint8_t sum[SHA256_SIZE];
    if (layout->digest_size == DIGEST_SIZE) {
        hash_checksum_wide(data, length, sum);
    } else if (layout->digest_size == CHECKSUM_SIZE) {
        uint64_t checksum = hash_checksum(data, length);
        memcpy(sum, &checksum, CHECKSUM_SIZE);
    } else {
        object_id_of(data, length, sum);
    }
    return memcmp(sum, digest, layout->digest_size) == 0;
}
