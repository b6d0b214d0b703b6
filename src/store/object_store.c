/*
 * object_store.c: the local-folder object store. Objects live in
 * FOLDER/objects/<2 hex>/<62 hex>; writers first write FOLDER/objects/tmp/
 * <pid>-<counter>, fsync it, rename it into place and fsync the folder, so a
 * reader sees a whole object or none. Temp files name their writer's pid:
 * opening the store removes those whose process is gone.
 */
#include "store/object_store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PATH_SIZE 4096

typedef struct local_store {
    object_store base;
    char root[PATH_SIZE - 256]; /* FOLDER/objects (room left for the object names) */
} local_store;

static _Atomic uint64_t temp_counter;

void object_id_of(const void *data, size_t length, uint8_t id[OBJECT_ID_SIZE])
{
    unsigned int size = OBJECT_ID_SIZE;
    EVP_Digest(data, length, id, &size, EVP_sha256(), NULL);
}

void object_id_format(const uint8_t id[OBJECT_ID_SIZE], char out[OBJECT_ID_HEX_SIZE])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < OBJECT_ID_SIZE; i++) {
        out[2 * i] = digits[id[i] >> 4];
        out[2 * i + 1] = digits[id[i] & 15];
    }
    out[2 * OBJECT_ID_SIZE] = '\0';
}

static arm_status io_error(arm_error *err, const char *what, const char *path)
{
    return error_set(err, ARM_ERROR_IO, NULL, -1, "cannot %s \"%s\": %s", what, path,
                     strerror(errno));
}

static void object_path(const local_store *s, const uint8_t id[OBJECT_ID_SIZE], char *dir,
                        char *file)
{
    char hex[OBJECT_ID_HEX_SIZE];
    object_id_format(id, hex);
    snprintf(dir, PATH_SIZE, "%s/%.2s", s->root, hex);
    snprintf(file, PATH_SIZE, "%s/%.2s/%s", s->root, hex, hex + 2);
}

static int fsync_path(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

static arm_status write_all(int fd, const void *data, size_t length, const char *path,
                            arm_error *err)
{
    const uint8_t *p = data;
    while (length > 0) {
        ssize_t n = write(fd, p, length);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return io_error(err, "write", path);
        p += n;
        length -= (size_t)n;
    }
    return ARM_OK;
}

/* Writes `data` to a temp file, syncs it and renames it to `file`. */
static arm_status write_durably(local_store *s, const void *data, size_t length, const char *dir,
                                const char *file, arm_error *err)
{
    char temp[PATH_SIZE];
    snprintf(temp, sizeof temp, "%s/tmp/%ld-%llu", s->root, (long)getpid(),
             (unsigned long long)atomic_fetch_add(&temp_counter, 1));
    int fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return io_error(err, "create", temp);
    arm_status st = write_all(fd, data, length, temp, err);
    if (st == ARM_OK && fsync(fd) != 0)
        st = io_error(err, "sync", temp);
    close(fd);
    if (st == ARM_OK && mkdir(dir, 0755) != 0 && errno != EEXIST)
        st = io_error(err, "create folder", dir);
    if (st == ARM_OK && rename(temp, file) != 0)
        st = io_error(err, "rename into", file);
    if (st == ARM_OK && (fsync_path(dir) != 0 || fsync_path(s->root) != 0))
        st = io_error(err, "sync folder", dir);
    if (st != ARM_OK)
        unlink(temp);
    return st;
}

static arm_status local_put(object_store *base, const void *data, size_t length,
                            const uint8_t id[OBJECT_ID_SIZE], bool *was_new, arm_error *err)
{
    local_store *s = (local_store *)base;
    char dir[PATH_SIZE], file[PATH_SIZE];
    object_path(s, id, dir, file);
    struct stat st;
    if (stat(file, &st) == 0 && (size_t)st.st_size == length) {
        if (was_new)
            *was_new = false;
        return ARM_OK;
    }
    if (was_new)
        *was_new = true;
    return write_durably(s, data, length, dir, file, err);
}

static arm_status corrupt_object(arm_error *err, const uint8_t id[OBJECT_ID_SIZE], const char *why)
{
    char hex[OBJECT_ID_HEX_SIZE];
    object_id_format(id, hex);
    error_set(err, ARM_ERROR_CORRUPT, NULL, -1, "object %s %s", hex, why);
    error_hint(err, "The database's objects/ folder lost or damaged a chunk; restore it from a "
                    "backup. Queries that do not read it still work.");
    return ARM_ERROR_CORRUPT;
}

static arm_status read_file(const char *file, uint8_t **data, size_t *length, arm_error *err)
{
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ARM_ERROR_NOT_FOUND;
    struct stat st;
    arm_status s = ARM_OK;
    uint8_t *buffer = NULL;
    if (fstat(fd, &st) != 0)
        s = io_error(err, "read", file);
    else if ((buffer = malloc(st.st_size ? (size_t)st.st_size : 1)) == NULL)
        s = error_out_of_memory(err);
    size_t done = 0;
    while (s == ARM_OK && done < (size_t)st.st_size) {
        ssize_t n = pread(fd, buffer + done, (size_t)st.st_size - done, (off_t)done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            s = io_error(err, "read", file);
        else
            done += (size_t)n;
    }
    close(fd);
    if (s != ARM_OK) {
        free(buffer);
        return s;
    }
    *data = buffer;
    *length = done;
    return ARM_OK;
}

static arm_status local_get(object_store *base, const uint8_t id[OBJECT_ID_SIZE], uint8_t **data,
                            size_t *length, arm_error *err)
{
    local_store *s = (local_store *)base;
    char dir[PATH_SIZE], file[PATH_SIZE];
    object_path(s, id, dir, file);
    *data = NULL;
    *length = 0;
    arm_status st = read_file(file, data, length, err);
    if (st == ARM_ERROR_NOT_FOUND)
        return corrupt_object(err, id, "is missing");
    if (st != ARM_OK)
        return st;
    uint8_t actual[OBJECT_ID_SIZE];
    object_id_of(*data, *length, actual);
    if (memcmp(actual, id, OBJECT_ID_SIZE) != 0) {
        free(*data);
        *data = NULL;
        return corrupt_object(err, id, "is damaged: its bytes no longer match its hash");
    }
    return ARM_OK;
}

/*
 * Opens the object's file for reading and checks it still has `size` bytes;
 * `file` receives its path (for messages). On failure nothing stays open.
 */
static arm_status open_sized(local_store *s, const uint8_t id[OBJECT_ID_SIZE], uint64_t size,
                             char file[PATH_SIZE], int *fd, arm_error *err)
{
    char dir[PATH_SIZE];
    object_path(s, id, dir, file);
    *fd = open(file, O_RDONLY | O_CLOEXEC);
    if (*fd < 0)
        return errno == ENOENT ? corrupt_object(err, id, "is missing")
                               : error_set(err, ARM_ERROR_IO, "58030", -1,
                                           "could not read \"%s\": %s", file, strerror(errno));
    struct stat st;
    if (fstat(*fd, &st) == 0 && (uint64_t)st.st_size == size)
        return ARM_OK;
    close(*fd);
    *fd = -1;
    return corrupt_object(err, id, "is damaged: its size changed");
}

/* Whether every range lies within an object of `size` bytes. */
static bool ranges_inside(const object_range *ranges, uint32_t count, uint64_t size)
{
    for (uint32_t i = 0; i < count; i++)
        if (ranges[i].offset > size || ranges[i].length > size - ranges[i].offset)
            return false;
    return true;
}

static arm_status local_read_ranges(object_store *base, const uint8_t id[OBJECT_ID_SIZE],
                                    uint64_t size, const object_range *ranges, uint32_t count,
                                    arm_error *err)
{
    char file[PATH_SIZE];
    int fd;
    arm_status result = open_sized((local_store *)base, id, size, file, &fd, err);
    if (result != ARM_OK)
        return result;
    if (!ranges_inside(ranges, count, size))
        result = corrupt_object(err, id, "is damaged: a range lies outside it");
    for (uint32_t i = 0; i < count && result == ARM_OK; i++) {
        const object_range *r = &ranges[i];
        for (size_t done = 0; done < r->length;) {
            ssize_t n = pread(fd, r->into + done, r->length - done, (off_t)(r->offset + done));
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                result = n < 0 ? error_set(err, ARM_ERROR_IO, "58030", -1,
                                           "could not read \"%s\": %s", file, strerror(errno))
                               : corrupt_object(err, id, "is damaged: it ends early");
                break;
            }
            done += (size_t)n;
        }
    }
    close(fd);
    return result;
}

static void local_close(object_store *base)
{
    free(base);
}

static int hex_value(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The id of FOLDER/objects/<dir>/<file>, or false when the names are not an object's. */
static bool parse_object_name(const char *dir, const char *file, uint8_t id[OBJECT_ID_SIZE])
{
    char hex[2 * OBJECT_ID_SIZE];
    if (strlen(dir) != 2 || strlen(file) != 2 * OBJECT_ID_SIZE - 2)
        return false;
    memcpy(hex, dir, 2);
    memcpy(hex + 2, file, 2 * OBJECT_ID_SIZE - 2);
    for (int i = 0; i < OBJECT_ID_SIZE; i++) {
        int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        id[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

static void list_folder(const local_store *s, const char *name, object_store_list_fn fn,
                        void *context, time_t now)
{
    char path[PATH_SIZE];
    snprintf(path, sizeof path, "%s/%s", s->root, name);
    DIR *d = opendir(path);
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        uint8_t id[OBJECT_ID_SIZE];
        char file[PATH_SIZE + 256];
        struct stat st;
        snprintf(file, sizeof file, "%s/%s", path, e->d_name);
        if (parse_object_name(name, e->d_name, id) && stat(file, &st) == 0)
            fn(context, id, (uint64_t)st.st_size, (int64_t)(now - st.st_mtime));
    }
    if (d != NULL)
        closedir(d);
}

static arm_status local_list(object_store *base, object_store_list_fn fn, void *context,
                             arm_error *err)
{
    local_store *s = (local_store *)base;
    DIR *d = opendir(s->root);
    if (d == NULL)
        return io_error(err, "list", s->root);
    time_t now = time(NULL);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strlen(e->d_name) == 2 && hex_value(e->d_name[0]) >= 0 && hex_value(e->d_name[1]) >= 0)
            list_folder(s, e->d_name, fn, context, now);
    closedir(d);
    return ARM_OK;
}

static arm_status local_remove(object_store *base, const uint8_t id[OBJECT_ID_SIZE], arm_error *err)
{
    local_store *s = (local_store *)base;
    char dir[PATH_SIZE], file[PATH_SIZE];
    object_path(s, id, dir, file);
    if (unlink(file) != 0 && errno != ENOENT)
        return io_error(err, "remove", file);
    return ARM_OK;
}

static const object_store_ops local_ops = {local_put,  local_get,    local_read_ranges,
                                           local_list, local_remove, local_close};

/* Removes FOLDER/objects/tmp/<pid>-* of processes that no longer run. */
static void remove_stray_temps(const local_store *s)
{
    char tmp[PATH_SIZE];
    snprintf(tmp, sizeof tmp, "%s/tmp", s->root);
    DIR *dir = opendir(tmp);
    if (dir == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (end == e->d_name || *end != '-')
            continue;
        if (pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM))
            continue; /* its writer still runs */
        char path[PATH_SIZE + 256];
        snprintf(path, sizeof path, "%s/%s", tmp, e->d_name);
        unlink(path);
    }
    closedir(dir);
}

arm_status object_store_open_local(object_store **out, const char *folder, arm_error *err)
{
    *out = NULL;
    local_store *s = calloc(1, sizeof *s);
    if (s == NULL)
        return error_out_of_memory(err);
    s->base.ops = &local_ops;
    snprintf(s->root, sizeof s->root, "%s/objects", folder);
    char tmp[PATH_SIZE + 8];
    snprintf(tmp, sizeof tmp, "%s/tmp", s->root);
    if ((mkdir(s->root, 0755) != 0 && errno != EEXIST) ||
        (mkdir(tmp, 0755) != 0 && errno != EEXIST)) {
        arm_status st = io_error(err, "create folder", s->root);
        free(s);
        return st;
    }
    remove_stray_temps(s);
    *out = &s->base;
    return ARM_OK;
}

arm_status object_store_put(object_store *s, const void *data, size_t length,
                            uint8_t id[OBJECT_ID_SIZE], bool *was_new, arm_error *err)
{
    object_id_of(data, length, id);
    return s->ops->put(s, data, length, id, was_new, err);
}

arm_status object_store_get(object_store *s, const uint8_t id[OBJECT_ID_SIZE], uint8_t **data,
                            size_t *length, arm_error *err)
{
    return s->ops->get(s, id, data, length, err);
}

arm_status object_store_read_ranges(object_store *s, const uint8_t id[OBJECT_ID_SIZE],
                                    uint64_t size, const object_range *ranges, uint32_t count,
                                    arm_error *err)
{
    return s->ops->read_ranges(s, id, size, ranges, count, err);
}

arm_status object_store_list(object_store *s, object_store_list_fn fn, void *context,
                             arm_error *err)
{
    return s->ops->list(s, fn, context, err);
}

arm_status object_store_remove(object_store *s, const uint8_t id[OBJECT_ID_SIZE], arm_error *err)
{
    return s->ops->remove(s, id, err);
}

void object_store_close(object_store *s)
{
    if (s != NULL)
        s->ops->close(s);
}
