/*
 * Tests for versioned storage through the public API: a database folder
 * keeps tables across opens; versions, time travel, branches, tags and the
 * history functions; transactions; concurrent writers (rebase or 40001);
 * a writer killed with SIGKILL mid-commit, many times; damaged objects;
 * folders that are not databases or come from a newer format.
 */
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "api/api_test_util.h"
#include "armillaria.h"
#include "harness.h"

/* 0..9 as a FROM item: cross joins of it count without generate_series. */
#define DIGITS "(VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9))"

static void test_persists_across_opens(void)
{
    char path[300];
    new_folder(path, sizeof path);
    arm_db *db = open_db(path);
    arm_conn *c = open_conn(db);
    arm_error err;
    ok(c, "CREATE TABLE t(id BIGINT PRIMARY KEY, name VARCHAR NOT NULL, score DOUBLE)");
    ok(c, "INSERT INTO t SELECT i, 'n' || i, i / 4.0 FROM (SELECT a.x * 1000 + b.x * 100 + c.x * "
          "10 + d.x + 1 AS i FROM " DIGITS " a(x), " DIGITS " b(x), " DIGITS " c(x), " DIGITS
          " d(x) WHERE a.x < 5) g");
    ok(c, "DELETE FROM t WHERE id % 10 = 0");
    ok(c, "UPDATE t SET score = -1 WHERE id <= 3");
    ok(c, "CREATE TABLE gone(x INTEGER)");
    ok(c, "DROP TABLE gone");
    ok(c, "CREATE VIEW top(ident, label) AS SELECT id, name FROM t WHERE score = -1");
    ok(c, "CREATE VIEW dropped AS SELECT 1");
    ok(c, "DROP VIEW dropped");
    arm_conn_close(c);
    arm_db_close(db);

    db = open_db(path);

    c = open_conn(db);
    CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM t"), 4500);
    CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM t WHERE score = -1"), 3);
    CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM t VERSION 0"), 0);
    CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM t VERSION 1"), 5000);
    CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM t VERSION AS OF 2"), 4500);
    CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM t AT (VERSION => 3) WHERE score = -1"), 3);
    CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM t AS OF TIMESTAMP '2999-01-01'"), 4500);
    CHECK_INT_EQ(run(c, "SELECT * FROM t VERSION 9", &err), ARM_ERROR_NOT_FOUND);
    CHECK(strstr(err.message, "no version 9") != NULL);
    CHECK_INT_EQ(run(c, "SELECT * FROM t AS OF TIMESTAMP '2001-01-01'", &err), ARM_ERROR_NOT_FOUND);
    CHECK_INT_EQ(run(c, "SELECT * FROM gone", &err), ARM_ERROR_NOT_FOUND);
    /* constraints survive: the primary key is still enforced */
    CHECK_INT_EQ(run(c, "INSERT INTO t VALUES (1, 'again', 0)", &err), ARM_ERROR_CONSTRAINT);
    CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM arm_log()"), 10); /* root + 9 statements */
    /* views are kept, with their column names */
    CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM top WHERE ident <= 3 AND label LIKE 'n%'"), 3);
    CHECK_INT_EQ(run(c, "SELECT * FROM dropped", &err), ARM_ERROR_NOT_FOUND);
    CHECK_INT_EQ(run(c, "SELECT * FROM top VERSION 1", &err), ARM_ERROR_NOT_SUPPORTED);
    CHECK(strstr(err.message, "views cannot be read at another version") != NULL);
    arm_conn_close(c);
    arm_db_close(db);
}

/* Bytes of the files under FOLDER/objects (not of the folders, 4 KB each: du counted those). */
static long long object_bytes(const char *path)
{
    char command[400];
    snprintf(command, sizeof command,
             "find '%s/objects' -type f -printf '%%s\\n' | awk '{s += $1} END {print s + 0}'",
             path);
    FILE *p = popen(command, "r");
    long long bytes = -1;
    if (p == NULL || fscanf(p, "%lld", &bytes) != 1)
        bytes = -1;
    if (p)
        pclose(p);
    return bytes;
}

/* 100,000 rows in chunks of about 8,192 (SET chunk_rows), so that the table has several. */
static void fill_big(arm_conn *c, const char *table)
{
    char sql[1024];
    ok(c, "SET chunk_rows = 8192");
    snprintf(sql, sizeof sql,
             "INSERT INTO %s SELECT a.x * 10000 + b.x * 1000 + c.x * 100 + d.x * 10 + e.x, 'row '"
             " || (b.x * 7 + e.x) FROM " DIGITS " a(x), " DIGITS " b(x), " DIGITS " c(x), " DIGITS
             " d(x), " DIGITS " e(x)",
             table);
    ok(c, sql);
}

/* A one-row INSERT into a big table re-writes only its last chunk, not the table. */
static void test_small_insert_writes_little(void)
{
    char path[300];
    new_folder(path, sizeof path);
    arm_db *db = open_db(path);
    arm_conn *c = open_conn(db);
    ok(c, "CREATE TABLE big(id BIGINT, label VARCHAR)");
    fill_big(c, "big");
    long long before = object_bytes(path);
    ok(c, "INSERT INTO big VALUES (-1, 'one more')");
    long long after = object_bytes(path);
    printf("  100,000 rows: %lld bytes of chunks; one more row added %lld bytes\n", before,
           after - before);
    CHECK(before > 0);
    CHECK(after - before < before / 4);
    CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM big"), 100001);
    CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM big VERSION 1"), 100000);
    arm_conn_close(c);
    arm_db_close(db);
    db = open_db(path);
    c = open_conn(db);
    CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM big WHERE id = -1"), 1);
    CHECK_INT_EQ(scalar(c, "SELECT sum(id) FROM big"), 4999950000LL - 1);
    arm_conn_close(c);
    arm_db_close(db);
}

static void test_branches_tags_history(void)
{
    char path[300];
    new_folder(path, sizeof path);
    arm_db *db = open_db(path);
    arm_conn *c = open_conn(db);
    arm_error err;
    ok(c, "CREATE TABLE users(id INTEGER PRIMARY KEY, name VARCHAR)");
    ok(c, "INSERT INTO users VALUES (1, 'ann'), (2, 'bob')");
    ok(c, "CREATE TAG v1");
    ok(c, "CREATE BRANCH feature/x");
    ok(c, "USE BRANCH feature/x");
    ok(c, "INSERT INTO users VALUES (3, 'cid')");
    ok(c, "UPDATE users SET name = 'BOB' WHERE id = 2");
    CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM users"), 3);
    ok(c, "USE BRANCH main");
    CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM users"), 2);
    CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM users@main m JOIN users@feature/x f"
                           " ON m.id = f.id WHERE m.name <> f.name"),
                 1);
    CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM users@feature/x"), 3);
    CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM users@v1"), 2);
    CHECK_INT_EQ(run(c, "SELECT * FROM users@nope", &err), ARM_ERROR_NOT_FOUND);
    CHECK_INT_EQ(run(c, "CREATE BRANCH v1", &err), ARM_ERROR_ALREADY_EXISTS);
    CHECK_INT_EQ(run(c, "CREATE TAG v1", &err), ARM_ERROR_ALREADY_EXISTS);
    CHECK_INT_EQ(run(c, "DROP BRANCH main", &err), ARM_ERROR_MISUSE);
    CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM arm_branches()"), 2);
    CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM arm_branches() WHERE is_current"), 1);
    CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM arm_tags()"), 1);
    /* the log follows the current branch: main has root, create, insert */
    CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM arm_log()"), 3);
    ok(c, "DROP BRANCH feature/x");
    CHECK_INT_EQ(run(c, "USE BRANCH feature/x", &err), ARM_ERROR_NOT_FOUND);
    ok(c, "DROP TAG v1");
    CHECK_INT_EQ(run(c, "DROP TAG v1", &err), ARM_ERROR_NOT_FOUND);
    ok(c, "DROP TAG IF EXISTS v1");
    /* a branch from an older commit of a line: commit 2 made the table, empty */
    ok(c, "CREATE BRANCH early FROM main VERSION 2");
    CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM users@early"), 0);
    CHECK_INT_EQ(run(c, "CREATE BRANCH late FROM main VERSION 999", &err), ARM_ERROR_NOT_FOUND);
    CHECK(strstr(err.message, "not in the history") != NULL);
    arm_conn_close(c);
    arm_db_close(db);

    /* in memory: a clear error, not a crash */
    db = open_db(":memory:");
    CHECK_OK(arm_conn_open(&c, db, &err), &err);
    CHECK_INT_EQ(run(c, "CREATE BRANCH b", &err), ARM_ERROR_NOT_SUPPORTED);
    CHECK_INT_EQ(run(c, "SELECT * FROM arm_log()", &err), ARM_ERROR_NOT_SUPPORTED);
    arm_conn_close(c);
    arm_db_close(db);
}

static void test_transactions(void)
{
    char path[300];
    new_folder(path, sizeof path);
    arm_db *db = open_db(path);
    arm_conn *c = open_conn(db);
    arm_error err;
    ok(c, "CREATE TABLE a(x INTEGER PRIMARY KEY)");
    ok(c, "BEGIN");
    ok(c, "INSERT INTO a VALUES (1), (2)");
    ok(c, "CREATE TABLE b(y VARCHAR)");
    ok(c, "INSERT INTO b VALUES ('one')");
    ok(c, "COMMIT 'two tables, one commit'");
    CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM arm_log() WHERE message = "
                           "'two tables, one commit' AND tables_changed = 'a, b'"),
                 1);
    ok(c, "BEGIN");
    ok(c, "DELETE FROM a");
    ok(c, "DROP TABLE b");
    CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM a"), 0);
    ok(c, "ROLLBACK");
    CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM a"), 2);
    CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM b"), 1);
    /* a failing statement ends the transaction: nothing of it is kept */
    ok(c, "BEGIN");
    ok(c, "INSERT INTO a VALUES (3)");
    CHECK_INT_EQ(run(c, "INSERT INTO a VALUES (1)", &err), ARM_ERROR_CONSTRAINT);
    CHECK_INT_EQ(run(c, "COMMIT", &err), ARM_ERROR_MISUSE);
    CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM a"), 2);
    CHECK_INT_EQ(run(c, "ROLLBACK", &err), ARM_ERROR_MISUSE);
    arm_conn_close(c);
    arm_db_close(db);
}

static void test_concurrent_writers(void)
{
    char path[300];
    new_folder(path, sizeof path);
    arm_db *db1 = open_db(path), *db2 = NULL;
    arm_conn *c1 = NULL, *c2 = NULL;
    arm_error err;
    CHECK_OK(arm_conn_open(&c1, db1, &err), &err);
    ok(c1, "CREATE TABLE t(x INTEGER)");
    ok(c1, "CREATE TABLE u(x INTEGER)");
    db2 = open_db(path); /* a second opener, as another process would be */
    CHECK_OK(arm_conn_open(&c2, db2, &err), &err);
    /* autocommit writers see each other's commits */
    ok(c1, "INSERT INTO t VALUES (1)");
    ok(c2, "INSERT INTO t VALUES (2)");
    CHECK_INT_EQ(scalar(c1, "SELECT count(*) FROM t"), 2);
    /* different tables commute: the second commit rebases */
    ok(c2, "BEGIN");
    ok(c2, "INSERT INTO u VALUES (1)");
    ok(c1, "INSERT INTO t VALUES (3)");
    ok(c2, "COMMIT");
    CHECK_INT_EQ(scalar(c1, "SELECT count(*) FROM t"), 3);
    CHECK_INT_EQ(scalar(c1, "SELECT count(*) FROM u"), 1);
    CHECK_INT_EQ(scalar(c2, "SELECT count(*) FROM t"), 3);
    /* appends to the same table commute: the later commit appends on top of the other */
    ok(c2, "BEGIN");
    ok(c2, "INSERT INTO t VALUES (4), (5)");
    ok(c1, "INSERT INTO t VALUES (6)");
    ok(c1, "DELETE FROM t WHERE x = 1");
    ok(c2, "COMMIT");
    CHECK_INT_EQ(scalar(c2, "SELECT sum(x) FROM t"), 2 + 3 + 4 + 5 + 6);
    CHECK_INT_EQ(scalar(c1, "SELECT sum(x) FROM t"), 2 + 3 + 4 + 5 + 6);
    /* rewrites of the same table on both sides: a conflict naming it */
    ok(c2, "BEGIN");
    ok(c2, "DELETE FROM t WHERE x = 2");
    ok(c1, "UPDATE t SET x = 30 WHERE x = 3");
    CHECK_INT_EQ(run(c2, "COMMIT", &err), ARM_ERROR_CONFLICT);
    CHECK_STR_EQ(err.sqlstate, "40001");
    CHECK(strstr(err.message, "\"t\"") != NULL);
    CHECK_INT_EQ(scalar(c2, "SELECT count(*) FROM t WHERE x = 2"), 1); /* back to the head */
    CHECK_INT_EQ(scalar(c2, "SELECT count(*) FROM t WHERE x = 30"), 1);
    /* appended keys that another writer committed first: the constraint says so */
    ok(c1, "CREATE TABLE k(id INTEGER PRIMARY KEY)");
    ok(c2, "BEGIN");
    ok(c2, "INSERT INTO k VALUES (1)");
    ok(c1, "INSERT INTO k VALUES (1)");
    CHECK_INT_EQ(run(c2, "COMMIT", &err), ARM_ERROR_CONSTRAINT);
    CHECK_INT_EQ(scalar(c2, "SELECT count(*) FROM k"), 1);
    arm_conn_close(c1);
    arm_conn_close(c2);
    arm_db_close(db1);
    arm_db_close(db2);
}

/* The child: commits 50 rows per statement until killed. */
static void crash_writer(const char *path)
{
    arm_db *db = NULL;
    arm_conn *c = NULL;
    arm_error err;
    if (arm_db_open(&db, path, &err) != ARM_OK || arm_conn_open(&c, db, &err) != ARM_OK)
        _exit(2);
    for (long i = (long)getpid() * 100000;; i++) { /* batch numbers unique across writers */
        char sql[400];
        snprintf(sql, sizeof sql,
                 "INSERT INTO log SELECT %ld, a.x * 10 + b.x FROM " DIGITS " a(x), " DIGITS
                 " b(x) WHERE a.x < 5",
                 i);
        if (run(c, sql, &err) != ARM_OK)
            _exit(3);
    }
}

/* A writer process: 25 single-row INSERTs; exits 0 when every one committed. */
static void appender(const char *path, int id)
{
    arm_db *db = NULL;
    arm_conn *c = NULL;
    arm_error err;
    if (arm_db_open(&db, path, &err) != ARM_OK || arm_conn_open(&c, db, &err) != ARM_OK)
        _exit(2);
    for (int i = 0; i < 25; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "INSERT INTO shared VALUES (%d, %d)", id, i);
        if (run(c, sql, &err) != ARM_OK) {
            fprintf(stderr, "writer %d: %s\n", id, err.message);
            _exit(3);
        }
    }
    arm_conn_close(c);
    arm_db_close(db);
    _exit(0);
}

/* Several processes appending to one table at once: no commit is lost. */
static void test_concurrent_processes(void)
{
    char path[300];
    new_folder(path, sizeof path);
    arm_db *db = open_db(path);
    arm_conn *c = open_conn(db);
    ok(c, "CREATE TABLE shared(writer INTEGER, n INTEGER)");
    arm_conn_close(c);
    arm_db_close(db);
    pid_t pids[4];
    for (int w = 0; w < 4; w++)
        if ((pids[w] = fork()) == 0)
            appender(path, w);
    for (int w = 0; w < 4; w++) {
        int status = -1;
        waitpid(pids[w], &status, 0);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    db = open_db(path);
    c = open_conn(db);
    CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM shared"), 100);
    CHECK_INT_EQ(scalar(c, "SELECT count(DISTINCT writer * 100 + n) FROM shared"), 100);
    CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM arm_log() WHERE tables_changed = 'shared'"),
                 101); /* CREATE and every INSERT */
    arm_conn_close(c);
    arm_db_close(db);
}

static int count_temp_files(const char *path)
{
    char tmp[400];
    snprintf(tmp, sizeof tmp, "%s/objects/tmp", path);
    DIR *d = opendir(tmp);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

static void test_killed_writer(void)
{
    char path[300];
    new_folder(path, sizeof path);
    arm_db *db = open_db(path);
    arm_conn *c = open_conn(db);
    ok(c, "CREATE TABLE log(batch BIGINT, i INTEGER)");
    arm_conn_close(c);
    arm_db_close(db);
    srand(7);
    for (int round = 0; round < 12; round++) {
        pid_t pid = fork();
        if (pid == 0)
            crash_writer(path);
        struct timespec pause = {0, (long)(20 + rand() % 120) * 1000000L};
        nanosleep(&pause, NULL);
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        CHECK(WIFSIGNALED(status));
        /* after each kill: the database opens, every committed version is whole */
        db = open_db(path);
        c = open_conn(db);
        CHECK_INT_EQ(count_temp_files(path), 0);
        int64_t versions = scalar(c, "SELECT max(v) FROM (SELECT count(*) - 1 AS v FROM arm_log()"
                                     " WHERE tables_changed = 'log') x");
        int64_t rows = scalar(c, "SELECT count(*) FROM log");
        CHECK_INT_EQ(rows, versions * 50);
        CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM (SELECT batch FROM log GROUP BY batch"
                               " HAVING count(*) <> 50) x"),
                     0);
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM log VERSION %lld",
                 (long long)(versions > 0 ? versions - 1 : 0));
        CHECK_INT_EQ(scalar(c, sql), versions > 0 ? (versions - 1) * 50 : 0);
        arm_conn_close(c);
        arm_db_close(db);
    }
}

/* The first row's first column as text. */
static void text_of(arm_conn *c, const char *sql, char *out, size_t capacity)
{
    arm_result *r = NULL;
    arm_error err;
    out[0] = '\0';
    if (arm_conn_query(&r, c, sql, &err) == ARM_OK && arm_result_row_count(r) > 0)
        arm_result_format(r, 0, 0, out, capacity);
    arm_result_destroy(r);
}

static void test_vacuum(void)
{
    char path[300], removed[32];
    new_folder(path, sizeof path);
    arm_db *db = open_db(path);
    arm_conn *c = open_conn(db);
    ok(c, "CREATE TABLE a(x INTEGER)");
    ok(c, "INSERT INTO a VALUES (1), (2)");
    ok(c, "CREATE TAG before_delete");
    ok(c, "DELETE FROM a WHERE x = 1");
    ok(c, "CREATE BRANCH scratch");
    ok(c, "USE BRANCH scratch");
    ok(c, "INSERT INTO a VALUES (30), (40)");
    ok(c, "USE BRANCH main");
    /* everything is reachable: nothing goes */
    text_of(c, "VACUUM RETAIN 0 SECONDS", removed, sizeof removed);
    CHECK_STR_EQ(removed, "0");
    /* a chunk a killed commit left behind, which no catalog row names */
    char stray[800];
    snprintf(stray, sizeof stray,
             "mkdir -p '%s/objects/ff' && printf 'orphan' > '%s/objects/ff/%062d'", path, path, 0);
    CHECK_INT_EQ(system(stray), 0);
    text_of(c, "VACUUM", removed, sizeof removed); /* too young for the default retention */
    CHECK_STR_EQ(removed, "0");
    ok(c, "DROP BRANCH scratch");
    text_of(c, "VACUUM RETAIN 0 SECONDS", removed, sizeof removed);
    CHECK_STR_EQ(removed, "2"); /* the orphan and the scratch branch's chunk */
    /* what main and the tag reach still reads back */
    CHECK_INT_EQ(scalar(c, "SELECT sum(x) FROM a"), 2);
    CHECK_INT_EQ(scalar(c, "SELECT sum(x) FROM a@before_delete"), 3);
    CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM a VERSION 1"), 2);
    /* CHECKPOINT folds the catalog's write-ahead log into catalog.db */
    char wal[400];
    snprintf(wal, sizeof wal, "%s/catalog.db-wal", path);
    struct stat st;
    CHECK(stat(wal, &st) == 0 && st.st_size > 0);
    ok(c, "CHECKPOINT");
    CHECK(stat(wal, &st) == 0 && st.st_size == 0);
    CHECK_INT_EQ(scalar(c, "SELECT sum(x) FROM a"), 2);
    arm_conn_close(c);
    arm_db_close(db);
}

static void test_bad_folders(void)
{
    char path[300], file[400];
    arm_db *db = NULL;
    arm_error err;
    /* a folder of someone else's files */
    new_folder(path, sizeof path);
    mkdir(path, 0755);
    snprintf(file, sizeof file, "%s/notes.txt", path);
    FILE *f = fopen(file, "w");
    fputs("hello", f);
    fclose(f);
    CHECK_INT_EQ(arm_db_open(&db, path, &err), ARM_ERROR_CORRUPT);
    CHECK(strstr(err.message, "not an Armillaria database") != NULL);
    /* a catalog from a newer format */
    new_folder(path, sizeof path);
    db = open_db(path);
    arm_db_close(db);
    char command[700];
    snprintf(command, sizeof command,
             "sqlite3 '%s/catalog.db' \"UPDATE meta SET value = '99' WHERE key = "
             "'format_version'\" 2>/dev/null",
             path);
    if (system(command) == 0) {
        CHECK_INT_EQ(arm_db_open(&db, path, &err), ARM_ERROR_NOT_SUPPORTED);
        CHECK(strstr(err.message, "newer") != NULL);
    }
    /* a catalog file that is not SQLite */
    new_folder(path, sizeof path);
    db = open_db(path);
    arm_db_close(db);
    snprintf(file, sizeof file, "%s/catalog.db", path);
    f = fopen(file, "w");
    fputs("this is not a database file, it is just text that goes on for a while......", f);
    fclose(f);
    snprintf(file, sizeof file, "%s/catalog.db-wal", path);
    unlink(file);
    CHECK(arm_db_open(&db, path, &err) != ARM_OK);
}

static void test_damaged_object(void)
{
    char path[300];
    new_folder(path, sizeof path);
    arm_db *db = open_db(path);
    arm_conn *c = open_conn(db);
    arm_error err;
    ok(c, "CREATE TABLE t(x INTEGER)");
    ok(c, "INSERT INTO t VALUES (1), (2), (3)");
    ok(c, "INSERT INTO t VALUES (4)");
    arm_conn_close(c);
    arm_db_close(db);
    /* flip a byte of every object (t's chunks), then add a healthy table */
    char command[600];
    snprintf(command, sizeof command,
             "for f in '%s'/objects/[0-9a-f][0-9a-f]/*; do printf 'X' | dd of=\"$f\" bs=1 seek=10 "
             "conv=notrunc 2>/dev/null; done",
             path);
    CHECK_INT_EQ(system(command), 0);
    db = open_db(path);
    c = open_conn(db);
    CHECK_INT_EQ(run(c, "SELECT * FROM t", &err), ARM_ERROR_CORRUPT);
    CHECK(strstr(err.message, "cannot read table \"t\"") != NULL);
    CHECK(strstr(err.message, "object ") != NULL);
    CHECK_INT_EQ(run(c, "INSERT INTO t VALUES (5)", &err), ARM_ERROR_CORRUPT);
    ok(c, "CREATE TABLE healthy(y INTEGER)");
    ok(c, "INSERT INTO healthy VALUES (7)");
    CHECK_INT_EQ(scalar(c, "SELECT y FROM healthy"), 7);
    arm_conn_close(c);
    arm_db_close(db);
    db = open_db(path);
    c = open_conn(db);
    CHECK_INT_EQ(scalar(c, "SELECT y FROM healthy"), 7);
    CHECK_INT_EQ(run(c, "SELECT * FROM t", &err), ARM_ERROR_CORRUPT);
    arm_conn_close(c);
    arm_db_close(db);
}

/* Bytes of the object files (object_bytes counts folders too). */
static long long object_file_bytes(const char *path)
{
    char command[400];
    snprintf(command, sizeof command,
             "find '%s/objects' -type f -printf '%%s\\n' | awk '{s += $1} END {print s + 0}'",
             path);
    FILE *p = popen(command, "r");
    long long bytes = -1;
    if (p == NULL || fscanf(p, "%lld", &bytes) != 1)
        bytes = -1;
    if (p)
        pclose(p);
    return bytes;
}

static int count_objects(const char *path)
{
    char command[400];
    snprintf(command, sizeof command, "find '%s/objects' -type f | wc -l", path);
    FILE *p = popen(command, "r");
    int n = -1;
    if (p == NULL || fscanf(p, "%d", &n) != 1)
        n = -1;
    if (p)
        pclose(p);
    return n;
}

/* SET chunk_rows sizes the chunks written after it; the rows read back the same either way. */
static void test_chunk_rows_setting(void)
{
    char path[300];
    new_folder(path, sizeof path);
    arm_db *db = open_db(path);
    arm_conn *c = open_conn(db);
    arm_error err;
    ok(c, "CREATE TABLE small_chunks(id BIGINT, label VARCHAR)");
    ok(c, "CREATE TABLE default_chunks(id BIGINT, label VARCHAR)");
    int before = count_objects(path);
    fill_big(c, "small_chunks"); /* chunks of about 8,192 rows */
    int small = count_objects(path) - before;
    ok(c, "RESET chunk_rows");
    char text[64];
    text_of(c, "SHOW chunk_rows", text, sizeof text);
    CHECK_STR_EQ(text, "65536");
    before = count_objects(path);
    ok(c, "INSERT INTO default_chunks SELECT * FROM small_chunks");
    int large = count_objects(path) - before;
    printf("  100,000 rows: %d chunks of ~8,192 rows, %d of ~65,536\n", small, large);
    CHECK(small >= 8 && small <= 24);
    CHECK(large >= 1 && large <= 3);
    CHECK_INT_EQ(scalar(c, "SELECT sum(id) FROM default_chunks"), 4999950000LL);
    CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM default_chunks d JOIN small_chunks s"
                           " ON d.id = s.id AND d.label = s.label"),
                 100000);
    CHECK_INT_EQ(run(c, "SET chunk_rows = 1000", &err), ARM_ERROR_OUT_OF_RANGE);
    CHECK(strstr(err.message, "power of two") != NULL);
    CHECK_INT_EQ(run(c, "SET chunk_rows = 512", &err), ARM_ERROR_OUT_OF_RANGE);
    CHECK_INT_EQ(run(c, "SET chunk_rows = 'huge'", &err), ARM_ERROR_OUT_OF_RANGE);
    arm_conn_close(c);
    arm_db_close(db);
}

/* Deletes commute with appends and with deletes in other chunks; the same chunk conflicts. */
static void test_deletes_rebase(void)
{
    char path[300];
    new_folder(path, sizeof path);
    arm_db *db1 = open_db(path), *db2 = NULL;
    arm_conn *c1 = NULL, *c2 = NULL;
    arm_error err;
    CHECK_OK(arm_conn_open(&c1, db1, &err), &err);
    ok(c1, "CREATE TABLE big(id BIGINT, label VARCHAR)");
    fill_big(c1, "big");
    db2 = open_db(path);
    c2 = open_conn(db2);
    ok(c2, "BEGIN");
    ok(c2, "DELETE FROM big WHERE id < 100"); /* the first chunk */
    ok(c2, "UPDATE big SET id = -id WHERE id BETWEEN 200 AND 209");
    ok(c1, "INSERT INTO big VALUES (1000000, 'appended')");
    ok(c1, "DELETE FROM big WHERE id BETWEEN 50000 AND 50009"); /* a chunk in the middle */
    ok(c2, "COMMIT");
    CHECK_INT_EQ(scalar(c1, "SELECT count(*) FROM big"), 100000 - 100 + 1 - 10);
    CHECK_INT_EQ(scalar(c2, "SELECT count(*) FROM big WHERE id < 0"), 10);
    CHECK_INT_EQ(scalar(c2, "SELECT count(*) FROM big WHERE id = 1000000"), 1);
    CHECK_INT_EQ(scalar(c2, "SELECT count(*) FROM big WHERE id BETWEEN 50000 AND 50009"), 0);
    /* both sides delete in the same chunk: the later commit conflicts, naming the table */
    ok(c2, "BEGIN");
    ok(c2, "DELETE FROM big WHERE id = 300");
    ok(c1, "DELETE FROM big WHERE id = 301");
    CHECK_INT_EQ(run(c2, "COMMIT", &err), ARM_ERROR_CONFLICT);
    CHECK(strstr(err.message, "\"big\"") != NULL);
    CHECK_INT_EQ(scalar(c2, "SELECT count(*) FROM big WHERE id = 300"), 1);
    arm_conn_close(c1);
    arm_conn_close(c2);
    arm_db_close(db1);
    arm_db_close(db2);
}

/* CHECKPOINT rewrites chunks that deletes left sparse; every version still reads back. */
static void test_checkpoint_compacts(void)
{
    char path[300];
    new_folder(path, sizeof path);
    arm_db *db = open_db(path);
    arm_conn *c = open_conn(db);
    arm_error err;
    ok(c, "CREATE TABLE big(id BIGINT, label VARCHAR)");
    fill_big(c, "big");
    char text[64];
    text_of(c, "CHECKPOINT", text, sizeof text);
    CHECK_STR_EQ(text, "0"); /* nothing sparse yet */
    ok(c, "DELETE FROM big WHERE id % 10 <> 0");
    int64_t sum = scalar(c, "SELECT sum(id) FROM big");
    text_of(c, "CHECKPOINT", text, sizeof text);
    CHECK(atoi(text) >= 2);
    CHECK_INT_EQ(scalar(c, "SELECT sum(id) FROM big"), sum);
    CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM big"), 10000);
    text_of(c, "CHECKPOINT", text, sizeof text);
    CHECK_STR_EQ(text, "0"); /* compacted chunks are full again */
    CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM big VERSION 1"), 100000);
    char log[256];
    text_of(c, "SELECT message FROM arm_log() LIMIT 1", log, sizeof log);
    CHECK_STR_EQ(log, "CHECKPOINT");
    ok(c, "BEGIN");
    CHECK_INT_EQ(run(c, "CHECKPOINT", &err), ARM_ERROR_MISUSE);
    arm_conn_close(c);
    arm_db_close(db);
    db = open_db(path);
    c = open_conn(db);
    CHECK_INT_EQ(scalar(c, "SELECT sum(id) FROM big"), sum);
    arm_conn_close(c);
    arm_db_close(db);
}

/*
 * A commit reloads only what it changed: a table nothing touched keeps its
 * loaded state, shown by removing its deletion vector's object after it was
 * loaded: reading it still works after another table's commit.
 */
static void test_reload_keeps_untouched(void)
{
    char path[300];
    new_folder(path, sizeof path);
    arm_db *db = open_db(path);
    arm_conn *c = open_conn(db);
    arm_error err;
    ok(c, "CREATE TABLE a(x INTEGER)");
    ok(c, "INSERT INTO a VALUES (1), (2), (3)");
    ok(c, "DELETE FROM a WHERE x = 2");
    ok(c, "CREATE TABLE b(y INTEGER)");
    CHECK_INT_EQ(scalar(c, "SELECT sum(x) FROM a"), 4);
    /* the deletion vector is the one object in Roaring format (cookie 3a 30 00 00) */
    char command[600], object[600] = "";
    snprintf(command, sizeof command,
             "for f in '%s'/objects/[0-9a-f][0-9a-f]/*; do [ \"$(head -c 4 \"$f\" | od -An -tx1 | "
             "tr -d ' ')\""
             " = 3a300000 ] && echo \"$f\"; done",
             path);
    FILE *found = popen(command, "r");
    CHECK(found != NULL && fgets(object, sizeof object, found) != NULL);
    if (found != NULL)
        pclose(found);
    object[strcspn(object, "\n")] = '\0';
    CHECK_INT_EQ(unlink(object), 0);
    ok(c, "INSERT INTO b VALUES (7)");
    CHECK_INT_EQ(scalar(c, "SELECT sum(x) FROM a"), 4);
    CHECK_INT_EQ(scalar(c, "SELECT sum(y) FROM b"), 7);
    arm_conn_close(c);
    arm_db_close(db);
    db = open_db(path); /* opened afresh, the missing object shows, for that table only */
    CHECK_OK(arm_conn_open(&c, db, &err), &err);
    CHECK_INT_EQ(run(c, "SELECT sum(x) FROM a", &err), ARM_ERROR_CORRUPT);
    CHECK_INT_EQ(scalar(c, "SELECT sum(y) FROM b"), 7);
    arm_conn_close(c);
    arm_db_close(db);
}

/* A prepared statement keeps giving current rows across commits (its own connection's and
 * another's), branch switches and time travel, whether or not its plan was kept. */
static void test_prepared_across_commits(void)
{
    char path[300];
    new_folder(path, sizeof path);
    arm_db *db = open_db(path);
    arm_conn *c = NULL, *other = NULL;
    arm_stmt *count_b = NULL, *old_b = NULL;
    arm_error err;
    CHECK_OK(arm_conn_open(&c, db, &err), &err);
    CHECK_OK(arm_conn_open(&other, db, &err), &err);
    ok(c, "CREATE TABLE a(x INTEGER)");
    ok(c, "CREATE TABLE b(y INTEGER)");
    ok(c, "INSERT INTO b VALUES (1), (2)");
    CHECK_OK(arm_stmt_prepare(&count_b, c, "SELECT count(*) FROM b", &err), &err);
    CHECK_OK(arm_stmt_prepare(&old_b, c, "SELECT count(*) FROM b VERSION 1", &err), &err);
    CHECK_INT_EQ(stmt_scalar(count_b), 2);
    ok(c, "INSERT INTO a VALUES (1)");
    CHECK_INT_EQ(stmt_scalar(count_b), 2);
    ok(other, "INSERT INTO a VALUES (2)");
    CHECK_INT_EQ(stmt_scalar(count_b), 2);
    ok(other, "INSERT INTO b VALUES (3)");
    CHECK_INT_EQ(stmt_scalar(count_b), 3);
    ok(c, "INSERT INTO b VALUES (4)");
    CHECK_INT_EQ(stmt_scalar(count_b), 4);
    CHECK_INT_EQ(stmt_scalar(old_b), 2);
    ok(c, "CREATE BRANCH side");
    ok(c, "USE BRANCH side");
    ok(c, "DELETE FROM b WHERE y > 1");
    CHECK_INT_EQ(stmt_scalar(count_b), 1);
    ok(c, "USE BRANCH main");
    CHECK_INT_EQ(stmt_scalar(count_b), 4);
    CHECK_INT_EQ(stmt_scalar(old_b), 2);
    arm_stmt_destroy(count_b);
    arm_stmt_destroy(old_b);
    arm_conn_close(other);
    arm_conn_close(c);
    arm_db_close(db);
}

/* The column cache from SQL: counters, CACHE TABLE, UNCACHE TABLE, CLEAR CACHE, cache_size. */
static void test_cache_statements(void)
{
    char path[300];
    new_folder(path, sizeof path);
    arm_db *db = open_db(path);
    arm_conn *c = open_conn(db);
    arm_error err;
    ok(c, "CREATE TABLE big(id BIGINT, label VARCHAR)");
    fill_big(c, "big");
    ok(c, "CREATE TABLE other(x INTEGER)");
    ok(c, "INSERT INTO other VALUES (1)");
    ok(c, "CLEAR CACHE");
    CHECK_INT_EQ(scalar(c, "SELECT entries FROM arm_cache_stats()"), 0);
    int64_t misses = scalar(c, "SELECT misses FROM arm_cache_stats()");
    CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM big WHERE id >= 0"), 100000);
    int64_t entries = scalar(c, "SELECT entries FROM arm_cache_stats()");
    CHECK(entries > 1); /* one per chunk of the id column */
    CHECK_INT_EQ(scalar(c, "SELECT misses FROM arm_cache_stats()") - misses, entries);
    int64_t hits = scalar(c, "SELECT hits FROM arm_cache_stats()");
    CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM big WHERE id >= 0"), 100000);
    CHECK_INT_EQ(scalar(c, "SELECT hits FROM arm_cache_stats()") - hits, entries);
    ok(c, "CACHE TABLE big"); /* the label column too */
    CHECK_INT_EQ(scalar(c, "SELECT entries FROM arm_cache_stats()"), 2 * entries);
    CHECK_INT_EQ(scalar(c, "SELECT sum(x) FROM other"), 1);
    ok(c, "UNCACHE TABLE big");
    CHECK_INT_EQ(scalar(c, "SELECT entries FROM arm_cache_stats()"), 1); /* other's column */
    ok(c, "CACHE TABLE big");
    ok(c, "SET cache_size = '64KB'");
    CHECK(scalar(c, "SELECT bytes FROM arm_cache_stats()") <= 64000);
    CHECK(scalar(c, "SELECT evictions FROM arm_cache_stats()") > 0);
    CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM big"), 100000); /* still right, just decoded */
    CHECK_INT_EQ(run(c, "SET cache_size = 'plenty'", &err), ARM_ERROR_INVALID_INPUT);
    ok(c, "RESET cache_size");
    ok(c, "CLEAR CACHE");
    CHECK_INT_EQ(scalar(c, "SELECT entries FROM arm_cache_stats()"), 0);
    CHECK_INT_EQ(run(c, "CACHE TABLE missing", &err), ARM_ERROR_NOT_FOUND);
    arm_conn_close(c);
    arm_db_close(db);
}

/* Schemas are versioned with the tables: they persist, and branches have their own. */
static void test_schemas_persist(void)
{
    char path[300];
    new_folder(path, sizeof path);
    arm_db *db = open_db(path);
    arm_conn *c = open_conn(db);
    arm_error err;
    ok(c, "CREATE SCHEMA sales");
    ok(c, "CREATE SCHEMA empty");
    ok(c, "CREATE TABLE sales.orders(id INTEGER, amount DOUBLE)");
    ok(c, "INSERT INTO sales.orders VALUES (1, 9.5), (2, 0.5)");
    ok(c, "CREATE VIEW sales.big AS SELECT id FROM sales.orders WHERE amount > 5");
    arm_conn_close(c);
    arm_db_close(db);
    db = open_db(path);
    c = open_conn(db);
    CHECK_INT_EQ(scalar(c, "SELECT sum(id) FROM sales.big"), 1);
    CHECK_INT_EQ(run(c, "CREATE SCHEMA empty", &err), ARM_ERROR_ALREADY_EXISTS);
    ok(c, "CREATE BRANCH dev");
    ok(c, "USE BRANCH dev");
    ok(c, "DROP SCHEMA sales CASCADE");
    CHECK_INT_EQ(run(c, "SELECT * FROM sales.orders", &err), ARM_ERROR_NOT_FOUND);
    ok(c, "USE BRANCH main");
    CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM sales.orders"), 2);
    ok(c, "DROP SCHEMA empty");
    arm_conn_close(c);
    arm_db_close(db);
    db = open_db(path);
    c = open_conn(db);
    ok(c, "CREATE SCHEMA empty"); /* dropped for good */
    CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM sales.orders"), 2);
    arm_conn_close(c);
    arm_db_close(db);
}

typedef struct other_writer {
    arm_conn *conn;
    arm_status status;
} other_writer;

static void *write_other_table(void *context)
{
    other_writer *w = context;
    arm_error err;
    w->status = arm_conn_query(NULL, w->conn, "INSERT INTO u VALUES (7)", &err);
    return NULL;
}

/*
 * Connections of one database write one at a time: a statement of another
 * connection waits for an open transaction instead of committing its rows
 * with its own, so the transaction's ROLLBACK still undoes them; and their
 * readers see only what is committed, rows and DDL.
 */
static void test_connections_write_in_turn(void)
{
    char path[300];
    new_folder(path, sizeof path);
    arm_db *db = open_db(path);
    arm_conn *c1 = open_conn(db), *c2 = open_conn(db);
    arm_error err;
    ok(c1, "CREATE TABLE t(x INTEGER)");
    ok(c1, "CREATE TABLE u(y INTEGER)");
    ok(c1, "BEGIN");
    ok(c1, "INSERT INTO t VALUES (1)");
    other_writer w = {c2, ARM_ERROR_INTERNAL};
    pthread_t thread;
    CHECK_INT_EQ(pthread_create(&thread, NULL, write_other_table, &w), 0);
    struct timespec pause = {0, 200 * 1000000L};
    nanosleep(&pause, NULL);
    ok(c1, "ROLLBACK");
    pthread_join(thread, NULL);
    CHECK_INT_EQ(w.status, ARM_OK);
    CHECK_INT_EQ(scalar(c1, "SELECT count(*) FROM t"), 0); /* rolled back, not committed by c2 */
    CHECK_INT_EQ(scalar(c1, "SELECT count(*) FROM u"), 1);
    /* readers on other connections see what is committed, not a transaction's changes */
    ok(c1, "INSERT INTO t VALUES (1), (2), (3)");
    ok(c1, "BEGIN");
    ok(c1, "INSERT INTO t VALUES (4)");
    ok(c1, "DELETE FROM t WHERE x = 1");
    ok(c1, "UPDATE u SET y = 8");
    CHECK_INT_EQ(scalar(c1, "SELECT sum(x) FROM t"), 2 + 3 + 4);
    CHECK_INT_EQ(scalar(c2, "SELECT sum(x) FROM t"), 1 + 2 + 3);
    CHECK_INT_EQ(scalar(c2, "SELECT sum(y) FROM u"), 7);
    ok(c1, "COMMIT");
    CHECK_INT_EQ(scalar(c2, "SELECT sum(x) FROM t"), 2 + 3 + 4);
    CHECK_INT_EQ(scalar(c2, "SELECT sum(y) FROM u"), 8);
    /* nor its uncommitted DDL: a table it created is absent, one it dropped still there */
    ok(c1, "BEGIN");
    ok(c1, "CREATE TABLE fresh(z INTEGER)");
    ok(c1, "INSERT INTO fresh VALUES (5)");
    ok(c1, "DROP TABLE u");
    CHECK_INT_EQ(run(c2, "SELECT * FROM fresh", &err), ARM_ERROR_NOT_FOUND);
    CHECK_INT_EQ(scalar(c2, "SELECT sum(y) FROM u"), 8);
    CHECK_INT_EQ(run(c1, "SELECT * FROM u", &err), ARM_ERROR_NOT_FOUND);
    ok(c1, "COMMIT");
    CHECK_INT_EQ(scalar(c2, "SELECT sum(z) FROM fresh"), 5);
    CHECK_INT_EQ(run(c2, "SELECT * FROM u", &err), ARM_ERROR_NOT_FOUND);
    arm_conn_close(c1);
    arm_conn_close(c2);
    arm_db_close(db);
    db = open_db(path);
    c1 = open_conn(db);
    CHECK_INT_EQ(scalar(c1, "SELECT sum(x) FROM t"), 2 + 3 + 4);
    arm_conn_close(c1);
    arm_db_close(db);
}

/*
 * DELETE and UPDATE leave committed chunks alone: a delete adds deletion
 * vectors only (small objects), every version still reads back exactly,
 * and the state survives reopening.
 */
static void test_deletes_keep_chunks(void)
{
    char path[300];
    new_folder(path, sizeof path);
    arm_db *db = open_db(path);
    arm_conn *c = open_conn(db);
    ok(c, "CREATE TABLE big(id BIGINT, label VARCHAR)");
    fill_big(c, "big");
    long long bytes = object_file_bytes(path);
    int objects = count_objects(path);
    ok(c, "DELETE FROM big WHERE id % 10 = 3");
    long long delete_bytes = object_file_bytes(path) - bytes;
    int delete_objects = count_objects(path) - objects;
    printf("  DELETE of 10%% of 100,000 rows: %d new objects, %lld bytes (chunks: %lld bytes)\n",
           delete_objects, delete_bytes, bytes);
    CHECK(delete_objects > 0);
    /* deletion vectors (2 bytes a deleted row), not rewritten chunks */
    CHECK(delete_bytes < 3 * 10000 + 64 * delete_objects);
    CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM big"), 90000);
    ok(c, "UPDATE big SET id = id + 1000000 WHERE id < 50");
    CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM big WHERE id >= 1000000"), 45);
    int64_t sum = scalar(c, "SELECT sum(id) FROM big");
    CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM big VERSION 1"), 100000);
    CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM big VERSION 2"), 90000);
    ok(c, "DELETE FROM big WHERE id < 20000"); /* whole chunks go */
    int64_t rest = scalar(c, "SELECT count(*) FROM big");
    arm_conn_close(c);
    arm_db_close(db);
    db = open_db(path);
    c = open_conn(db);
    CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM big"), rest);
    CHECK_INT_EQ(scalar(c, "SELECT sum(id) FROM big VERSION 3"), sum);
    CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM big WHERE id % 10 = 3"), 0);
    ok(c, "INSERT INTO big VALUES (3, 'back')");
    CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM big WHERE id % 10 = 3"), 1);
    arm_conn_close(c);
    arm_db_close(db);
}

/* PRIMARY KEY holds across committed chunks, new rows and reopening. */
static void test_primary_key_stored(void)
{
    char path[300];
    new_folder(path, sizeof path);
    arm_db *db = open_db(path);
    arm_conn *c = open_conn(db);
    arm_error err;
    ok(c, "CREATE TABLE k(id BIGINT PRIMARY KEY, label VARCHAR)");
    fill_big(c, "k");
    arm_conn_close(c);
    arm_db_close(db);
    db = open_db(path);
    c = open_conn(db);
    CHECK_INT_EQ(run(c, "INSERT INTO k VALUES (77777, 'again')", &err), ARM_ERROR_CONSTRAINT);
    CHECK_STR_EQ(err.sqlstate, "23505");
    CHECK_INT_EQ(run(c, "UPDATE k SET id = 5 WHERE id = 6", &err), ARM_ERROR_CONSTRAINT);
    ok(c, "UPDATE k SET id = id + 1 WHERE id >= 99990"); /* shifts onto keys it frees */
    CHECK_INT_EQ(scalar(c, "SELECT max(id) FROM k"), 100000);
    ok(c, "DELETE FROM k WHERE id = 42");
    ok(c, "INSERT INTO k VALUES (42, 'new 42')");
    CHECK_INT_EQ(scalar(c, "SELECT count(*) FROM k"), 100000);
    arm_conn_close(c);
    arm_db_close(db);
}

/*
 * A catalog of format 1 (chunk lists as rows, no deletion vectors) is
 * upgraded in place when opened; its versions still read back.
 */
static void test_format_1_upgrade(void)
{
    char path[300];
    new_folder(path, sizeof path);
    arm_db *db = open_db(path);
    arm_conn *c = open_conn(db);
    ok(c, "CREATE TABLE old(x INTEGER)");
    ok(c, "INSERT INTO old VALUES (1), (2), (3)");
    arm_conn_close(c);
    arm_db_close(db);
    char file[400];
    snprintf(file, sizeof file, "%s/catalog.db", path);
    sqlite3 *sql = NULL;
    CHECK_INT_EQ(sqlite3_open(file, &sql), SQLITE_OK);
    /* back to format 1: chunk lists as rows of table_chunks, no deletion vectors */
    CHECK_INT_EQ(sqlite3_exec(sql,
                              "INSERT INTO table_chunks SELECT t.table_version_id, t.ordinal,"
                              " substr(s.entries, 1, 32), 3, 0, 0, NULL FROM table_segments t"
                              " JOIN manifest_segments s ON s.digest = t.digest;"
                              "DROP TABLE table_segments; DROP TABLE manifest_segments;"
                              "ALTER TABLE table_chunks DROP COLUMN deletes_id;"
                              "ALTER TABLE table_chunks DROP COLUMN deleted_count;"
                              "DROP TABLE chunk_stats;"
                              "UPDATE meta SET value = '1' WHERE key = 'format_version';",
                              NULL, NULL, NULL),
                 SQLITE_OK);
    sqlite3_close(sql);
    db = open_db(path);
    c = open_conn(db);
    CHECK_INT_EQ(scalar(c, "SELECT sum(x) FROM old"), 6);
    ok(c, "DELETE FROM old WHERE x = 2");
    CHECK_INT_EQ(scalar(c, "SELECT sum(x) FROM old"), 4);
    arm_conn_close(c);
    arm_db_close(db);
    db = open_db(path);
    c = open_conn(db);
    CHECK_INT_EQ(scalar(c, "SELECT sum(x) FROM old"), 4);
    CHECK_INT_EQ(scalar(c, "SELECT sum(x) FROM old VERSION 1"), 6);
    arm_conn_close(c);
    arm_db_close(db);
    CHECK_INT_EQ(sqlite3_open(file, &sql), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    CHECK_INT_EQ(sqlite3_prepare_v2(sql, "SELECT value FROM meta WHERE key = 'format_version'", -1,
                                    &st, NULL),
                 SQLITE_OK);
    CHECK_INT_EQ(sqlite3_step(st), SQLITE_ROW);
    CHECK_INT_EQ(sqlite3_column_int(st, 0), 3);
    sqlite3_finalize(st);
    sqlite3_close(sql);
}

static void setup(void)
{
    make_root("storage");
}

static void teardown(void)
{
    remove_root();
}

TEST_MAIN(setup, test_persists_across_opens, test_small_insert_writes_little,
          test_branches_tags_history, test_transactions, test_concurrent_writers,
          test_concurrent_processes, test_killed_writer, test_vacuum, test_bad_folders,
          test_damaged_object, test_deletes_keep_chunks, test_deletes_rebase,
          test_checkpoint_compacts, test_chunk_rows_setting, test_reload_keeps_untouched,
          test_prepared_across_commits, test_cache_statements, test_schemas_persist,
          test_connections_write_in_turn, test_primary_key_stored, test_format_1_upgrade, teardown)
