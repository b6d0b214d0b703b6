/*
 * api_db.c: arm_db and arm_conn: the public handles over sql_database and
 * sql_session. A database folder gets a marker file so that we recognize
 * our folders and refuse foreign ones.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "api/api_internal.h"
#include "common/error.h"

#define FORMAT_MARKER "ARMILLARIA_FORMAT"
#define FORMAT_VERSION 1

static arm_status misuse(arm_error *err, const char *what)
{
    return error_set(err, ARM_ERROR_MISUSE, NULL, -1, "%s", what);
}

static bool folder_is_empty(const char *path)
{
    DIR *dir = opendir(path);
    if (dir == NULL)
        return false;
    bool empty = true;
    struct dirent *entry;
    while (empty && (entry = readdir(dir)) != NULL)
        empty = strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0;
    closedir(dir);
    return empty;
}

/* Creates the folder (and its marker) or checks an existing one is ours. */
static arm_status prepare_folder(const char *path, arm_error *err)
{
    struct stat st;
    char marker[4096];
    snprintf(marker, sizeof marker, "%s/%s", path, FORMAT_MARKER);
    if (stat(path, &st) != 0) {
        if (mkdir(path, 0755) != 0)
            return error_set(err, ARM_ERROR_IO, NULL, -1,
                             "cannot create database folder \"%s\": %s", path, strerror(errno));
    } else if (!S_ISDIR(st.st_mode)) {
        error_set(err, ARM_ERROR_IO, NULL, -1, "\"%s\" is not a database folder", path);
        error_hint(err, "An Armillaria database is a folder; give a new or existing folder path.");
        return ARM_ERROR_IO;
    } else if (stat(marker, &st) != 0) {
        /* An existing folder: only an empty one may become a database. */
        if (!folder_is_empty(path)) {
            error_set(err, ARM_ERROR_CORRUPT, NULL, -1, "\"%s\" is not an Armillaria database",
                      path);
            error_detail(err, "The folder exists, is not empty and has no %s file.", FORMAT_MARKER);
            return ARM_ERROR_CORRUPT;
        }
    } else {
        FILE *f = fopen(marker, "r");
        int version = 0;
        if (f == NULL || fscanf(f, "armillaria %d", &version) != 1) {
            if (f)
                fclose(f);
            return error_set(err, ARM_ERROR_CORRUPT, NULL, -1,
                             "the format marker of \"%s\" is unreadable", path);
        }
        fclose(f);
        if (version > FORMAT_VERSION) {
            error_set(err, ARM_ERROR_NOT_SUPPORTED, NULL, -1,
                      "\"%s\" was written by a newer Armillaria (format %d; this one reads %d)",
                      path, version, FORMAT_VERSION);
            return ARM_ERROR_NOT_SUPPORTED;
        }
        return ARM_OK;
    }
    FILE *f = fopen(marker, "w");
    if (f == NULL)
        return error_set(err, ARM_ERROR_IO, NULL, -1, "cannot write \"%s\": %s", marker,
                         strerror(errno));
    fprintf(f, "armillaria %d\n", FORMAT_VERSION);
    fclose(f);
    return ARM_OK;
}

arm_status arm_db_open(arm_db **out, const char *path, arm_error *err)
{
    if (out == NULL)
        return misuse(err, "arm_db_open: out is NULL");
    *out = NULL;
    bool in_memory = path == NULL || strcmp(path, ":memory:") == 0;
    if (!in_memory) {
        arm_status s = prepare_folder(path, err);
        if (s != ARM_OK)
            return s;
    }
    arm_db *db = calloc(1, sizeof *db);
    if (db == NULL)
        return error_out_of_memory(err);
    arm_status s = sql_database_init(&db->sql, err);
    if (s != ARM_OK) {
        free(db);
        return s;
    }
    db->path = in_memory ? NULL : strdup(path);
    if (!in_memory &&
        (db->path == NULL || sql_database_open_storage(&db->sql, path, err) != ARM_OK)) {
        s = db->path == NULL ? error_out_of_memory(err) : err->status;
        arm_db_close(db);
        return s;
    }
    *out = db;
    return ARM_OK;
}

void arm_db_close(arm_db *db)
{
    if (db == NULL)
        return;
    sql_database_dispose(&db->sql);
    free(db->path);
    free(db);
}

arm_status arm_conn_open(arm_conn **out, arm_db *db, arm_error *err)
{
    if (out == NULL || db == NULL)
        return misuse(err, "arm_conn_open: NULL argument");
    arm_conn *conn = calloc(1, sizeof *conn);
    if (conn == NULL)
        return error_out_of_memory(err);
    conn->db = db;
    sql_session_init(&conn->session, &db->sql);
    atomic_fetch_add(&db->connection_count, 1);
    *out = conn;
    return ARM_OK;
}

void arm_conn_close(arm_conn *conn)
{
    if (conn == NULL)
        return;
    atomic_fetch_sub(&conn->db->connection_count, 1);
    sql_session_dispose(&conn->session);
    free(conn);
}

void arm_conn_interrupt(arm_conn *conn)
{
    if (conn != NULL)
        atomic_store(&conn->session.interrupt, true);
}

arm_status arm_conn_query(arm_result **out, arm_conn *conn, const char *sql, arm_error *err)
{
    if (out != NULL)
        *out = NULL;
    if (conn == NULL || sql == NULL)
        return misuse(err, "arm_conn_query: NULL argument");
    arm_error local;
    if (err == NULL)
        err = &local;
    arm_error_clear(err);
    result_set *rs = NULL;
    arm_status s = sql_run(&rs, &conn->session, sql, err);
    if (s != ARM_OK) {
        result_set_destroy(rs);
        return s;
    }
    if (out == NULL) {
        result_set_destroy(rs);
        return ARM_OK;
    }
    return api_result_wrap(out, rs, err);
}
