/*
 * object_store.h: immutable objects named by the SHA-256 of their bytes
 * (DESIGN.md decision 5). Writing bytes that already exist writes nothing;
 * reading verifies the hash. The local implementation keeps objects in
 * FOLDER/objects/ab/cdef..., written durably (temp file, fsync, rename,
 * fsync of the folder) so a crash leaves either the whole object or none.
 * The handle is a struct of operations so that object storage (S3 and
 * friends) can be added behind the same calls.
 */
#ifndef ARM_STORE_OBJECT_STORE_H
#define ARM_STORE_OBJECT_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define OBJECT_ID_SIZE 32
#define OBJECT_ID_HEX_SIZE 65 /* 64 hex digits and a NUL */

typedef struct object_store object_store;

/* Called for each stored object by object_store_list: its id, size and age. */
typedef void (*object_store_list_fn)(void *context, const uint8_t id[OBJECT_ID_SIZE], uint64_t size,
                                     int64_t age_seconds);

/* A byte range of an object to read into `into`. */
typedef struct object_range {
    uint64_t offset;
    size_t length;
    uint8_t *into;
} object_range;

typedef struct object_store_ops {
    arm_status (*put)(object_store *s, const void *data, size_t length,
                      const uint8_t id[OBJECT_ID_SIZE], bool *was_new, arm_error *err);
    arm_status (*get)(object_store *s, const uint8_t id[OBJECT_ID_SIZE], uint8_t **data,
                      size_t *length, arm_error *err);
    arm_status (*read_ranges)(object_store *s, const uint8_t id[OBJECT_ID_SIZE], uint64_t size,
                              const object_range *ranges, uint32_t count, arm_error *err);
    arm_status (*list)(object_store *s, object_store_list_fn fn, void *context, arm_error *err);
    arm_status (*remove)(object_store *s, const uint8_t id[OBJECT_ID_SIZE], arm_error *err);
    void (*close)(object_store *s);
} object_store_ops;

struct object_store {
    const object_store_ops *ops;
};

/* SHA-256 of `length` bytes. */
void object_id_of(const void *data, size_t length, uint8_t id[OBJECT_ID_SIZE]);
/* Lower-case hex of an id into `out` (OBJECT_ID_HEX_SIZE bytes). */
void object_id_format(const uint8_t id[OBJECT_ID_SIZE], char out[OBJECT_ID_HEX_SIZE]);

/*
 * Opens the local store under `folder` (creating FOLDER/objects when
 * missing) and removes temp files that writers killed mid-write left.
 */
arm_status object_store_open_local(object_store **out, const char *folder, arm_error *err);

/* Stores the bytes and returns their id; *was_new (may be NULL) says whether they were written. */
arm_status object_store_put(object_store *s, const void *data, size_t length,
                            uint8_t id[OBJECT_ID_SIZE], bool *was_new, arm_error *err);
/*
 * Reads byte ranges of an object of `size` bytes, unverified: the caller
 * checks what it read against digests it recorded when the object was
 * written (reading a whole object to check its id would defeat reading
 * part of it). A missing object, or one of another size, is
 * ARM_ERROR_CORRUPT naming it.
 */
arm_status object_store_read_ranges(object_store *s, const uint8_t id[OBJECT_ID_SIZE],
                                    uint64_t size, const object_range *ranges, uint32_t count,
                                    arm_error *err);
/*
 * Reads an object into a malloc'd buffer the caller frees. A missing object
 * or one whose bytes no longer match its id is ARM_ERROR_CORRUPT naming it.
 */
arm_status object_store_get(object_store *s, const uint8_t id[OBJECT_ID_SIZE], uint8_t **data,
                            size_t *length, arm_error *err);
/* Every object, for garbage collection (order unspecified). */
arm_status object_store_list(object_store *s, object_store_list_fn fn, void *context,
                             arm_error *err);
/* Deletes an object (VACUUM, once nothing reachable refers to it). */
arm_status object_store_remove(object_store *s, const uint8_t id[OBJECT_ID_SIZE], arm_error *err);
void object_store_close(object_store *s); /* accepts NULL */

#endif
