/*
 * Tests for the local object store (src/store): SHA-256 ids, put/get,
 * writing existing bytes writes nothing, damaged and missing objects are
 * ARM_ERROR_CORRUPT naming the object, listing and removing, and temp files
 * of dead writers removed at open while a live writer's stay.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "store/object_store.h"

static char root[64];

static void setup(void)
{
    snprintf(root, sizeof root, "/tmp/arm_test_store_XXXXXX");
    CHECK(mkdtemp(root) != NULL);
}

static void teardown(void)
{
    char command[128];
    snprintf(command, sizeof command, "rm -rf '%s'", root);
    CHECK_INT_EQ(system(command), 0);
}

static void test_sha256(void)
{
    uint8_t id[OBJECT_ID_SIZE];
    char hex[OBJECT_ID_HEX_SIZE];
    object_id_of("", 0, id);
    object_id_format(id, hex);
    CHECK_STR_EQ(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    object_id_of("abc", 3, id);
    object_id_format(id, hex);
    CHECK_STR_EQ(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_put_get(void)
{
    object_store *s = NULL;
    arm_error err;
    CHECK_OK(object_store_open_local(&s, root, &err), &err);
    uint8_t id[OBJECT_ID_SIZE], again[OBJECT_ID_SIZE];
    bool was_new = false;
    CHECK_OK(object_store_put(s, "hello chunk", 11, id, &was_new, &err), &err);
    CHECK(was_new);
    CHECK_OK(object_store_put(s, "hello chunk", 11, again, &was_new, &err), &err);
    CHECK(!was_new);
    CHECK(memcmp(id, again, OBJECT_ID_SIZE) == 0);
    uint8_t *data = NULL;
    size_t length = 0;
    CHECK_OK(object_store_get(s, id, &data, &length, &err), &err);
    CHECK_INT_EQ(length, 11);
    CHECK(memcmp(data, "hello chunk", 11) == 0);
    free(data);
    /* damage it on disk: the read names the object */
    char hex[OBJECT_ID_HEX_SIZE], path[256];
    object_id_format(id, hex);
    snprintf(path, sizeof path, "%s/objects/%.2s/%s", root, hex, hex + 2);
    FILE *f = fopen(path, "r+b");
    fputc('J', f);
    fclose(f);
    CHECK_INT_EQ(object_store_get(s, id, &data, &length, &err), ARM_ERROR_CORRUPT);
    CHECK(strstr(err.message, hex) != NULL);
    CHECK(strstr(err.message, "damaged") != NULL);
    /* and remove it: missing is corrupt too */
    CHECK_OK(object_store_remove(s, id, &err), &err);
    CHECK_INT_EQ(object_store_get(s, id, &data, &length, &err), ARM_ERROR_CORRUPT);
    CHECK(strstr(err.message, "missing") != NULL);
    object_store_close(s);
}

/* A mapped object: its bytes, valid after the store closes and the object goes; checked sizes. */
static void count_object(void *context, const uint8_t id[OBJECT_ID_SIZE], uint64_t size,
                         int64_t age_seconds)
{
    (void)id;
    (void)age_seconds;
    uint64_t *totals = context;
    totals[0]++;
    totals[1] += size;
}

static void test_list(void)
{
    object_store *s = NULL;
    arm_error err;
    CHECK_OK(object_store_open_local(&s, root, &err), &err);
    uint8_t id[OBJECT_ID_SIZE];
    CHECK_OK(object_store_put(s, "one", 3, id, NULL, &err), &err);
    CHECK_OK(object_store_put(s, "two!", 4, id, NULL, &err), &err);
    uint64_t totals[2] = {0, 0};
    CHECK_OK(object_store_list(s, count_object, totals, &err), &err);
    CHECK_INT_EQ(totals[0], 2);
    CHECK_INT_EQ(totals[1], 7);
    object_store_close(s);
}

static void test_stray_temp_files(void)
{
    char dead[256], alive[256];
    /* pid 0x7ffffffe is not running; this process is */
    snprintf(dead, sizeof dead, "%s/objects/tmp/2147483646-7", root);
    snprintf(alive, sizeof alive, "%s/objects/tmp/%ld-9", root, (long)getpid());
    object_store *s = NULL;
    arm_error err;
    CHECK_OK(object_store_open_local(&s, root, &err), &err);
    object_store_close(s);
    FILE *f = fopen(dead, "w");
    fclose(f);
    f = fopen(alive, "w");
    fclose(f);
    CHECK_OK(object_store_open_local(&s, root, &err), &err);
    struct stat st;
    CHECK(stat(dead, &st) != 0);
    CHECK(stat(alive, &st) == 0);
    object_store_close(s);
    unlink(alive);
    CHECK_INT_EQ(object_store_open_local(&s, "/proc/no/such/place", &err), ARM_ERROR_IO);
    CHECK(strstr(err.message, "/proc/no/such/place") != NULL);
}

TEST_MAIN(setup, test_sha256, test_put_get, test_list, test_stray_temp_files, teardown)
