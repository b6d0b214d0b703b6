/*
 * statement_versioning.c: BEGIN / COMMIT / ROLLBACK and the statements on
 * branches and tags (CREATE/DROP BRANCH, CREATE/DROP TAG, USE BRANCH).
 * Outside a transaction every statement commits on its own (sql.c); BEGIN
 * turns that off until COMMIT, which records one commit with its message.
 */
#include <ctype.h>
#include <string.h>

#include "common/error.h"
#include "sql/sql_storage.h"
#include "sql/statement_internal.h"

static arm_status nothing(result_set **out, arm_error *err)
{
    return result_set_create_empty(out, RESULT_SET_NOTHING, 0, err);
}

static arm_status need_storage(sql_session *s, const ast_stmt *stmt, const char *what,
                               arm_error *err)
{
    if (s->db->storage != NULL)
        return ARM_OK;
    error_set(err, ARM_ERROR_NOT_SUPPORTED, "0A000", stmt->position,
              "%s need a database folder: this database is in memory", what);
    error_hint(err, "Open a folder (arm PATH) to keep commits, branches and tags.");
    return ARM_ERROR_NOT_SUPPORTED;
}

arm_status statement_transaction(result_set **out, sql_session *s, const ast_stmt *stmt,
                                 arm_error *err)
{
    if (need_storage(s, stmt, "transactions", err) != ARM_OK)
        return err->status;
    switch (stmt->kind) {
    case AST_STMT_BEGIN:
        if (s->in_transaction)
            return error_set(err, ARM_ERROR_MISUSE, "25001", stmt->position,
                             "a transaction is already in progress");
        s->in_transaction = true;
        return nothing(out, err);
    case AST_STMT_COMMIT:
        if (!s->in_transaction)
            return error_set(err, ARM_ERROR_MISUSE, "25P01", stmt->position,
                             "there is no transaction in progress");
        s->in_transaction = false;
        if (sql_storage_commit(s->db->storage, s->db->catalog, stmt->u.commit.message, err) !=
            ARM_OK)
            return err->status;
        return nothing(out, err);
    default:
        if (!s->in_transaction)
            return error_set(err, ARM_ERROR_MISUSE, "25P01", stmt->position,
                             "there is no transaction in progress");
        s->in_transaction = false;
        if (sql_storage_rollback(s->db->storage, s->db->catalog, err) != ARM_OK)
            return err->status;
        return nothing(out, err);
    }
}

/* Branch and tag names fold to lower case unless quoted, like other names. */
static const char *ref_name(sql_session *s, const ast_ident *ident)
{
    if (ident->name == NULL || ident->quoted)
        return ident->name;
    char *copy = arena_strdup(s->arena, ident->name);
    for (char *c = copy; c && *c; c++)
        *c = (char)tolower((unsigned char)*c);
    return copy;
}

arm_status statement_ref(result_set **out, sql_session *s, const ast_stmt *stmt, arm_error *err)
{
    if (need_storage(s, stmt, "branches and tags", err) != ARM_OK)
        return err->status;
    const char *name = ref_name(s, &stmt->u.ref.name);
    const char *from = ref_name(s, &stmt->u.ref.from);
    if (name == NULL)
        return error_out_of_memory(err);
    sql_storage *storage = s->db->storage;
    arm_status st;
    switch (stmt->u.ref.op) {
    case AST_REF_CREATE_BRANCH:
    case AST_REF_CREATE_TAG:
        st = sql_storage_create_ref(storage, stmt->u.ref.op == AST_REF_CREATE_BRANCH, name, from,
                                    stmt->u.ref.from_commit, err);
        break;
    case AST_REF_DROP_BRANCH:
    case AST_REF_DROP_TAG:
        st = sql_storage_drop_ref(storage, stmt->u.ref.op == AST_REF_DROP_BRANCH, name,
                                  stmt->u.ref.if_exists, err);
        break;
    default:
        if (s->in_transaction)
            return error_set(err, ARM_ERROR_MISUSE, "25001", stmt->position,
                             "cannot change branch inside a transaction");
        st = sql_storage_use_branch(storage, s->db->catalog, name, err);
        break;
    }
    if (st != ARM_OK) {
        error_set_position(err, stmt->u.ref.name.position);
        return st;
    }
    return nothing(out, err);
}

#define VACUUM_DEFAULT_RETAIN_SECONDS 3600 /* longer than any commit takes */

arm_status statement_vacuum(result_set **out, sql_session *s, const ast_stmt *stmt, arm_error *err)
{
    if (need_storage(s, stmt, "VACUUM", err) != ARM_OK)
        return err->status;
    int64_t retain = stmt->u.vacuum.retain_seconds >= 0 ? stmt->u.vacuum.retain_seconds
                                                        : VACUUM_DEFAULT_RETAIN_SECONDS;
    uint64_t objects = 0, bytes = 0;
    if (sql_storage_vacuum(s->db->storage, retain, &objects, &bytes, err) != ARM_OK)
        return err->status;
    char *cells[2] = {arena_printf(s->arena, "%llu", (unsigned long long)objects),
                      arena_printf(s->arena, "%llu", (unsigned long long)bytes)};
    if (cells[0] == NULL || cells[1] == NULL)
        return error_out_of_memory(err);
    static const char *const names[] = {"objects_removed", "bytes_freed"};
    return statement_text_result(out, names, 2, (const char **)cells, 1, err);
}

arm_status statement_checkpoint(result_set **out, sql_session *s, const ast_stmt *stmt,
                                arm_error *err)
{
    if (s->in_transaction)
        return error_set(err, ARM_ERROR_MISUSE, "25001", stmt->position,
                         "CHECKPOINT cannot run inside a transaction");
    uint64_t compacted = 0; /* an in-memory database has nothing to compact or fold */
    if (s->db->storage != NULL &&
        sql_storage_checkpoint(s->db->storage, s->db->catalog, &compacted, err) != ARM_OK)
        return err->status;
    const char *cell = arena_printf(s->arena, "%llu", (unsigned long long)compacted);
    if (cell == NULL)
        return error_out_of_memory(err);
    static const char *const names[] = {"chunks_compacted"};
    return statement_text_result(out, names, 1, &cell, 1, err);
}
