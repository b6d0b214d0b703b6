/*
 * table_store.h: moving a table's rows between a table provider and
 * content-addressed Parquet chunks. Writing cuts the rows at content-defined
 * boundaries (a gear hash rolled over per-row fingerprints), so the same
 * rows always give the same chunks and a table that changed in a few places
 * re-uses the chunks around the changes: the object store then writes only
 * the chunks it does not have. Reading loads a table version's chunks back.
 */
#ifndef ARM_TABLE_TABLE_STORE_H
#define ARM_TABLE_TABLE_STORE_H

#include "catalog/catalog_db.h"
#include "store/object_store.h"
#include "table/table_provider.h"

/* Where chunks go: a put that names bytes by their SHA-256, a get that checks it. */
typedef struct table_chunk_io {
    void *context;
    /* Stores the bytes (nothing is written when the object exists); fills id. */
    arm_status (*put)(void *context, const uint8_t *data, size_t length, uint8_t id[32],
                      arm_error *err);
    /* Reads an object (malloc'd into *data); ARM_ERROR_CORRUPT when missing or damaged. */
    arm_status (*get)(void *context, const uint8_t id[32], uint8_t **data, size_t *length,
                      arm_error *err);
    /* Optional (NULL): reads byte ranges of an object of `size` bytes, unverified. */
    arm_status (*read_ranges)(void *context, const uint8_t id[32], uint64_t size,
                              const object_range *ranges, uint32_t count, arm_error *err);
} table_chunk_io;

/* Chunk size bounds in rows; boundaries fall where the rolling hash says between them. */
typedef struct table_store_options {
    uint32_t min_rows;
    uint32_t average_rows; /* a power of two: the boundary mask */
    uint32_t max_rows;
} table_store_options;

/* SET chunk_rows: the rows a chunk holds on average (a power of two), and its bounds. */
#define TABLE_STORE_DEFAULT_CHUNK_ROWS 65536u
#define TABLE_STORE_MIN_CHUNK_ROWS 1024u
#define TABLE_STORE_MAX_CHUNK_ROWS 262144u

/*
 * The bounds for chunks of `chunk_rows` rows on average: a boundary may
 * fall once a chunk holds half of them (then one row in chunk_rows / 2 is
 * one), and one falls at twice as many.
 */
table_store_options table_store_options_for(uint32_t chunk_rows);

/* Chunks written by table_store_cut, with their statistics (owned; dispose). */
typedef struct table_store_output {
    catalog_chunk_ref *chunks;
    catalog_chunk_stats *stats; /* one per chunk: chunk_meta_encode's blob; none for kept chunks */
    uint32_t chunk_count;
} table_store_output;

void table_store_output_dispose(table_store_output *out);

/*
 * The general writer: `kept` chunks first, as they are, then the rows of
 * `sources` in order (the first `skip_rows` of them skipped) cut into new
 * chunks, each with its column statistics.
 */
arm_status table_store_cut(const table_chunk_io *io, const table_store_options *options,
                           table_provider *const *sources, uint32_t source_count,
                           const table_def *def, const catalog_chunk_ref *kept, uint32_t kept_count,
                           uint64_t skip_rows, table_store_output *out, arm_error *err);

#endif
