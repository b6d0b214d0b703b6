/*
 * shell_commands.c: the shell's dot commands (.mode, .headers, .tables,
 * .schema, .read, .output, .once, .timer, .bail, .echo, .nullvalue, .quit...).
 * .tables runs `SHOW TABLES`; .schema rebuilds CREATE TABLE statements from the
 * column names and types of `SELECT * FROM t LIMIT 0`.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "shell.h"

#define MAX_ARGS 8
#define MAX_READ_DEPTH 16
#define TABLES_LINE_WIDTH 80

/* A dot command split into words; quotes group words. */
typedef struct command_args {
    char buffer[4096];
    char *argv[MAX_ARGS];
    int argc;
} command_args;

static void split_args(command_args *args, const char *line)
{
    snprintf(args->buffer, sizeof(args->buffer), "%s", line);
    args->argc = 0;
    char *p = args->buffer;
    while (*p && args->argc < MAX_ARGS) {
        while (isspace((unsigned char)*p))
            p++;
        if (*p == '\0')
            break;
        char quote = (*p == '\'' || *p == '"') ? *p++ : '\0';
        args->argv[args->argc++] = p;
        while (*p && (quote ? *p != quote : !isspace((unsigned char)*p)))
            p++;
        if (*p)
            *p++ = '\0';
    }
}

/* Parses on/off/yes/no/true/false/1/0. */
static bool parse_switch(const char *text, bool *out)
{
    if (strcasecmp(text, "on") == 0 || strcasecmp(text, "yes") == 0 ||
        strcasecmp(text, "true") == 0 || strcmp(text, "1") == 0) {
        *out = true;
        return true;
    }
    if (strcasecmp(text, "off") == 0 || strcasecmp(text, "no") == 0 ||
        strcasecmp(text, "false") == 0 || strcmp(text, "0") == 0) {
        *out = false;
        return true;
    }
    fprintf(stderr, "Error: expected on or off, got \"%s\"\n", text);
    return false;
}

static bool set_switch(const command_args *args, bool *setting)
{
    if (args->argc != 2) {
        fprintf(stderr, "Error: usage: %s on|off\n", args->argv[0]);
        return false;
    }
    return parse_switch(args->argv[1], setting);
}

static void print_help(FILE *out)
{
    fputs(".bail on|off           stop at the first error\n"
          ".echo on|off           print each statement before running it\n"
          ".exit, .quit           leave the shell\n"
          ".headers on|off        column names in list and csv modes\n"
          ".help                  this text\n"
          ".mode MODE             box, table, csv, json, line, markdown or list\n"
          ".nullvalue TEXT        text for NULL values\n"
          ".once FILE             send the next result to FILE\n"
          ".output [FILE]         send results to FILE, or back to stdout\n"
          ".read FILE             run the statements in FILE\n"
          ".schema [PATTERN]      CREATE statements of tables (rebuilt from their columns)\n"
          ".separator SEP         column separator in list mode\n"
          ".show                  current settings\n"
          ".tables [PATTERN]      names of tables matching a LIKE pattern\n"
          ".timer on|off          time each statement\n",
          out);
}

/* Case-insensitive LIKE matching with % and _. */
static bool like_match(const char *pattern, const char *text)
{
    if (*pattern == '\0')
        return *text == '\0';
    if (*pattern == '%') {
        for (const char *t = text;; t++) {
            if (like_match(pattern + 1, t))
                return true;
            if (*t == '\0')
                return false;
        }
    }
    if (*text == '\0')
        return false;
    if (*pattern == '_' || tolower((unsigned char)*pattern) == tolower((unsigned char)*text))
        return like_match(pattern + 1, text + 1);
    return false;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The column of SHOW TABLES that holds names: "name" or "table_name", else the first. */
static size_t name_column(const arm_result *result)
{
    for (size_t c = 0; c < arm_result_column_count(result); c++) {
        const char *name = arm_result_column_name(result, c);
        if (name && (strcasecmp(name, "name") == 0 || strcasecmp(name, "table_name") == 0))
            return c;
    }
    return 0;
}

/* Fills a sorted array of table names matching `pattern` (NULL: all). */
static bool list_tables(shell *sh, const char *pattern, char ***out, size_t *count)
{
    arm_result *result = NULL;
    arm_error err;
    arm_error_clear(&err);
    if (arm_conn_query(&result, sh->conn, "SHOW TABLES", &err) != ARM_OK) {
        shell_print_error(sh, NULL, &err);
        return false;
    }
    uint64_t row_count = arm_result_row_count(result);
    size_t column = name_column(result);
    char **names = calloc(row_count + 1, sizeof(char *));
    size_t n = 0;
    for (uint64_t r = 0; names != NULL && r < row_count; r++) {
        char buf[512];
        arm_result_format(result, column, r, buf, sizeof(buf));
        if (pattern == NULL || like_match(pattern, buf))
            names[n++] = strdup(buf);
    }
    arm_result_destroy(result);
    if (names == NULL)
        return false;
    qsort(names, n, sizeof(char *), compare_names);
    *out = names;
    *count = n;
    return true;
}

static void free_names(char **names, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
}

static bool run_tables(shell *sh, const command_args *args)
{
    char **names;
    size_t count;
    if (!list_tables(sh, args->argc > 1 ? args->argv[1] : NULL, &names, &count))
        return false;
    size_t width = 1;
    for (size_t i = 0; i < count; i++) {
        if (strlen(names[i]) > width)
            width = strlen(names[i]);
    }
    size_t per_line = TABLES_LINE_WIDTH / (width + 2);
    per_line = per_line ? per_line : 1;
    size_t line_count = (count + per_line - 1) / per_line;
    for (size_t line = 0; line < line_count; line++) {
        for (size_t i = line; i < count; i += line_count) {
            if (i + line_count >= count)
                fputs(names[i], sh->out);
            else
                fprintf(sh->out, "%-*s", (int)(width + 2), names[i]);
        }
        fputc('\n', sh->out);
    }
    fflush(sh->out);
    free_names(names, count);
    return true;
}

/* Writes an identifier, quoted unless it is a plain lower-case name. */
static void put_identifier(FILE *out, const char *name)
{
    bool is_plain = *name != '\0' && !isdigit((unsigned char)*name);
    for (const char *p = name; *p; p++) {
        if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_'))
            is_plain = false;
    }
    if (is_plain) {
        fputs(name, out);
        return;
    }
    fputc('"', out);
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            fputc('"', out);
        fputc(*p, out);
    }
    fputc('"', out);
}

static bool print_table_schema(shell *sh, const char *table)
{
    char sql[1200];
    char quoted[1100];
    size_t q = 0;
    quoted[q++] = '"';
    for (const char *p = table; *p && q + 3 < sizeof(quoted); p++) {
        if (*p == '"')
            quoted[q++] = '"';
        quoted[q++] = *p;
    }
    quoted[q++] = '"';
    quoted[q] = '\0';
    snprintf(sql, sizeof(sql), "SELECT * FROM %s LIMIT 0", quoted);
    arm_result *result = NULL;
    arm_error err;
    arm_error_clear(&err);
    if (arm_conn_query(&result, sh->conn, sql, &err) != ARM_OK) {
        shell_print_error(sh, NULL, &err);
        return false;
    }
    fputs("CREATE TABLE ", sh->out);
    put_identifier(sh->out, table);
    fputs("(", sh->out);
    for (size_t c = 0; c < arm_result_column_count(result); c++) {
        char type[64];
        shell_type_name(arm_result_column_type(result, c), type, sizeof(type));
        fputs(c > 0 ? ", " : "", sh->out);
        put_identifier(sh->out, arm_result_column_name(result, c));
        fprintf(sh->out, " %s", type);
    }
    fputs(");\n", sh->out);
    arm_result_destroy(result);
    return true;
}

static bool run_schema(shell *sh, const command_args *args)
{
    char **names;
    size_t count;
    if (!list_tables(sh, args->argc > 1 ? args->argv[1] : NULL, &names, &count))
        return false;
    bool is_ok = true;
    for (size_t i = 0; i < count; i++)
        is_ok = print_table_schema(sh, names[i]) && is_ok;
    fflush(sh->out);
    free_names(names, count);
    return is_ok;
}

static bool run_read(shell *sh, const command_args *args)
{
    if (args->argc != 2) {
        fprintf(stderr, "Error: usage: .read FILE\n");
        return false;
    }
    if (sh->read_depth >= MAX_READ_DEPTH) {
        fprintf(stderr, "Error: .read nested too deeply\n");
        return false;
    }
    FILE *in = fopen(args->argv[1], "r");
    if (in == NULL) {
        fprintf(stderr, "Error: cannot open \"%s\"\n", args->argv[1]);
        return false;
    }
    bool was_interactive = sh->is_interactive;
    sh->is_interactive = false;
    sh->read_depth++;
    int errors_before = sh->error_count;
    bool is_ok = shell_input_run_stream(sh, in);
    sh->read_depth--;
    sh->is_interactive = was_interactive;
    fclose(in);
    /* the statements already counted their own errors */
    if (!is_ok || sh->error_count > errors_before) {
        sh->error_count--;
        return false;
    }
    return true;
}

static bool run_output(shell *sh, const command_args *args, bool is_once)
{
    if (sh->out != stdout)
        fclose(sh->out);
    sh->out = stdout;
    sh->output_once = false;
    if (args->argc < 2 || strcmp(args->argv[1], "stdout") == 0) {
        if (is_once) {
            fprintf(stderr, "Error: usage: .once FILE\n");
            return false;
        }
        return true;
    }
    FILE *file = fopen(args->argv[1], "w");
    if (file == NULL) {
        fprintf(stderr, "Error: cannot open \"%s\"\n", args->argv[1]);
        return false;
    }
    sh->out = file;
    sh->output_once = is_once;
    return true;
}

static bool run_mode(shell *sh, const command_args *args)
{
    if (args->argc < 2) {
        fprintf(sh->out, "current output mode: %s\n", shell_mode_name(sh->mode));
        return true;
    }
    if (!shell_mode_parse(args->argv[1], &sh->mode)) {
        fprintf(stderr,
                "Error: unknown mode \"%s\"; use box, table, csv, json, line, markdown or list\n",
                args->argv[1]);
        return false;
    }
    return true;
}

static bool run_show(shell *sh)
{
    fprintf(sh->out,
            "     mode: %s\n  headers: %s\nnullvalue: \"%s\"\nseparator: \"%s\"\n"
            "    timer: %s\n     bail: %s\n     echo: %s\n",
            shell_mode_name(sh->mode), sh->show_header ? "on" : "off",
            sh->has_nullvalue ? sh->nullvalue : "", sh->separator, sh->timer ? "on" : "off",
            sh->bail ? "on" : "off", sh->echo ? "on" : "off");
    return true;
}

static bool set_text(const command_args *args, char *setting, size_t capacity)
{
    if (args->argc != 2) {
        fprintf(stderr, "Error: usage: %s TEXT\n", args->argv[0]);
        return false;
    }
    snprintf(setting, capacity, "%s", args->argv[1]);
    return true;
}

bool shell_command_run(shell *sh, const char *line)
{
    command_args args;
    split_args(&args, line);
    if (args.argc == 0)
        return true;
    const char *name = args.argv[0] + 1;
    if (strcmp(name, "quit") == 0 || strcmp(name, "exit") == 0 || strcmp(name, "q") == 0) {
        sh->quit_requested = true;
        return true;
    }
    if (strcmp(name, "help") == 0) {
        print_help(sh->out);
        return true;
    }
    if (strcmp(name, "mode") == 0)
        return run_mode(sh, &args);
    if (strcmp(name, "headers") == 0 || strcmp(name, "header") == 0)
        return set_switch(&args, &sh->show_header);
    if (strcmp(name, "nullvalue") == 0) {
        sh->has_nullvalue = set_text(&args, sh->nullvalue, sizeof(sh->nullvalue));
        return sh->has_nullvalue;
    }
    if (strcmp(name, "separator") == 0)
        return set_text(&args, sh->separator, sizeof(sh->separator));
    if (strcmp(name, "timer") == 0)
        return set_switch(&args, &sh->timer);
    if (strcmp(name, "bail") == 0)
        return set_switch(&args, &sh->bail);
    if (strcmp(name, "echo") == 0)
        return set_switch(&args, &sh->echo);
    if (strcmp(name, "tables") == 0)
        return run_tables(sh, &args);
    if (strcmp(name, "schema") == 0)
        return run_schema(sh, &args);
    if (strcmp(name, "read") == 0)
        return run_read(sh, &args);
    if (strcmp(name, "output") == 0 || strcmp(name, "once") == 0)
        return run_output(sh, &args, strcmp(name, "once") == 0);
    if (strcmp(name, "show") == 0)
        return run_show(sh);
    fprintf(stderr,
            "Error: unknown command or invalid arguments: \"%s\". Enter \".help\" for help\n",
            name);
    return false;
}
