/*
 * shell.h: private interface of the `arm` shell. One `shell` holds the open
 * database, the connection and the display settings; the files split it into
 * input (statement splitting, libedit), output (renderers), dot commands and main.
 * The shell only uses the public API (include/armillaria.h).
 */
#ifndef ARM_CLI_SHELL_H
#define ARM_CLI_SHELL_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "armillaria.h"

/* How results are printed. */
typedef enum shell_mode {
    SHELL_MODE_BOX,
    SHELL_MODE_TABLE,
    SHELL_MODE_CSV,
    SHELL_MODE_JSON,
    SHELL_MODE_LINE,
    SHELL_MODE_MARKDOWN,
    SHELL_MODE_LIST,
} shell_mode;

#define SHELL_NULLVALUE_SIZE 64
#define SHELL_SEPARATOR_SIZE 16

/* One running shell: the database, its connection and the display settings. */
typedef struct shell {
    arm_db *db;
    arm_conn *conn;
    shell_mode mode;
    bool show_header;   /* list and csv only; the other modes always name columns */
    bool has_nullvalue; /* false: the mode's default ("NULL" in box/table, "" otherwise) */
    char nullvalue[SHELL_NULLVALUE_SIZE];
    char separator[SHELL_SEPARATOR_SIZE]; /* list mode */
    bool timer;
    bool bail;
    bool echo;
    bool is_interactive;
    bool quit_requested;
    bool output_once; /* .once: go back to stdout after the next statement */
    FILE *out;        /* stdout, or a file from .output/.once */
    int error_count;
    int read_depth; /* nesting of .read, to refuse endless recursion */
} shell;

/* Set by the SIGINT handler; the handler also interrupts the running statement. */
extern volatile sig_atomic_t shell_sigint_seen;

/* ---- shell_main.c ---- */

/* Runs one complete SQL statement (text ends after its ';' or at end of input). */
bool shell_run_sql(shell *sh, const char *sql);

/* Runs a dot command line or a statement; returns false when it failed. */
bool shell_run_line(shell *sh, const char *text);

/* Prints an error with LINE/caret/DETAIL/HINT to stderr, as psql does. */
void shell_print_error(const shell *sh, const char *sql, const arm_error *err);

/* ---- shell_output.c ---- */

/* Prints a result in the shell's mode to sh->out and flushes. */
void shell_output_result(shell *sh, const arm_result *result);

/* Name of an output mode, and the mode for a name (returns false if unknown). */
const char *shell_mode_name(shell_mode mode);
bool shell_mode_parse(const char *name, shell_mode *out);

/* Writes the SQL name of a type ("INTEGER", "DECIMAL(10,2)") into buf. */
void shell_type_name(arm_type type, char *buf, size_t capacity);

/* ---- shell_commands.c ---- */

/* Runs a dot command (the line starts with '.'); returns false when it failed. */
bool shell_command_run(shell *sh, const char *line);

/* ---- shell_input.c ---- */

/*
 * Statement splitter state: tracks quotes and comments across lines so that a
 * ';' inside a string or comment does not end a statement.
 */
typedef struct shell_splitter {
    int state;       /* private: normal, quote, identifier, comment kinds, dollar quote */
    int block_depth; /* nested block comments */
    char dollar_tag[64];
} shell_splitter;

void shell_splitter_init(shell_splitter *sp);

/*
 * Scans text[from, length) and returns the offset just after the first ';'
 * that ends a statement, or -1 if the text holds no complete statement.
 * The state carries over to the next call (pass the continuation offset).
 */
long shell_splitter_scan(shell_splitter *sp, const char *text, size_t from, size_t length);

/* True when `text` holds nothing but whitespace, comments and ';'. */
bool shell_sql_is_blank(const char *text);

/* Processes statements and dot commands from a stream until EOF or .quit. */
bool shell_input_run_stream(shell *sh, FILE *in);

/* The interactive loop with libedit and history. */
void shell_input_run_interactive(shell *sh);

#endif
