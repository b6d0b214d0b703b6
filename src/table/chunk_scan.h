/*
 * chunk_scan.h: a read-only table provider over a table version's chunks
 * in the object store, for reads of other versions (t VERSION n, t@branch,
 * AS OF): nothing is loaded up front; a scan hands out chunks as morsels,
 * reads each from the store (its hash verified) and decodes only the
 * requested columns.
 */
#ifndef ARM_TABLE_CHUNK_SCAN_H
#define ARM_TABLE_CHUNK_SCAN_H

#include "table/table_store.h"

/*
 * A provider over `version`'s chunks (copied) with its columns; `io` must
 * outlive it. The caller owns *out (destroy through its vtable).
 */
arm_status chunk_scan_create(table_provider **out, const table_chunk_io *io,
                             const catalog_table_version *version, arm_error *err);

#endif
