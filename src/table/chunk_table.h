/*
 * chunk_table.h: a stored table version as a table provider. Its rows stay
 * in their chunks: a scan hands out chunks as morsels, skips those whose
 * statistics rule out a filter, reads the columns it needs through the
 * column cache (a chunk's column is decoded once for every version and
 * branch that shares the chunk) and leaves out the rows the chunk's
 * deletion vector removes.
 *
 * The head of the current branch is writable, without touching a chunk:
 * appended rows go to an in-memory tail table, deletes set bits in a
 * copy-on-write deletion bitmap per chunk, updates do both. At commit,
 * sql_storage asks what changed and writes new chunks for the tail and new
 * deletion vectors for the chunks that lost rows.
 *
 * Row ids: a chunk's row is (chunk index << 20 | position in the chunk);
 * a tail row is CHUNK_TABLE_TAIL_ROW | its id in the tail.
 */
#ifndef ARM_TABLE_CHUNK_TABLE_H
#define ARM_TABLE_CHUNK_TABLE_H

#include "cache/column_cache.h"
#include "table/table_store.h"

#define CHUNK_TABLE_TAIL_ROW (INT64_C(1) << 62)
#define CHUNK_TABLE_MAX_CHUNK_ROWS (UINT64_C(1) << 20)

/*
 * A provider over `version` (its chunk list, statistics and deletion
 * vectors are read now; chunk contents when scanned). `io` and `cache` must
 * outlive it. Read-only unless `writable`. ARM_ERROR_CORRUPT when a deletion
 * vector cannot be read. The caller owns *out (destroy through its vtable).
 */
arm_status chunk_table_create(table_provider **out, const table_chunk_io *io, column_cache *cache,
                              const catalog_table_version *version, bool writable, arm_error *err);

bool chunk_table_is(const table_provider *t);

/* Counts every write; storage compares it with the value at load to know what to commit. */
uint64_t chunk_table_change_count(table_provider *t);
/* True when rows of the committed chunks were deleted or updated since creation. */
bool chunk_table_has_deletes(table_provider *t);

/* The committed chunks the table was created from. */
const catalog_chunk_ref *chunk_table_chunks(table_provider *t, uint32_t *count);

/*
 * Chunk `chunk`'s deletion bitmap (row_count bits) and how many rows it
 * removes, as of now; NULL (and 0) when the chunk has no deleted rows.
 * Valid until the next write.
 */
const uint64_t *chunk_table_deletes(table_provider *t, uint32_t chunk, uint64_t *deleted_count);

/* True when chunk `chunk` lost rows since creation. */
bool chunk_table_chunk_changed(table_provider *t, uint32_t chunk);

/*
 * Deletes every row set in `bits` (chunk `chunk`'s row_count bits) that is
 * not deleted yet: replays a rebased transaction's deletes.
 */
arm_status chunk_table_apply_deletes(table_provider *t, uint32_t chunk, const uint64_t *bits,
                                     arm_error *err);

/* The rows appended since creation (a memory table of the same columns), or NULL when none. */
table_provider *chunk_table_tail(table_provider *t);

/*
 * A read-only provider over only chunk `chunk` of `t`, deletes applied:
 * the commit re-cuts a small last chunk together with the tail through it.
 */
arm_status chunk_table_single_chunk(table_provider *t, uint32_t chunk, table_provider **out,
                                    arm_error *err);

#endif
