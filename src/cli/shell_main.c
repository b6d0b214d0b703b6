/*
 * shell_main.c: the `arm` command-line shell: options, opening the database,
 * running statements one by one (results flushed after each), and error
 * reports with LINE/caret/DETAIL/HINT on stderr in the style of psql.
 */
#include <ctype.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "shell.h"

volatile sig_atomic_t shell_sigint_seen = 0;

/* The connection a statement is running on, for the SIGINT handler. */
static arm_conn *volatile running_conn = NULL;

/* Options that only matter while starting up. */
typedef struct shell_options {
    const char *database;
    const char **sql_args; /* SQL or dot commands to run and exit */
    int sql_arg_count;
    const char **commands; /* -cmd: run before the input */
    int command_count;
    bool has_mode;
} shell_options;

/* Ctrl-C presses while one statement runs; the third one leaves the shell. */
static volatile sig_atomic_t interrupt_count = 0;

#define INTERRUPTS_TO_EXIT 3

static void handle_sigint(int signal_number)
{
    (void)signal_number;
    shell_sigint_seen = 1;
    arm_conn *conn = running_conn;
    if (conn == NULL)
        return;
    arm_conn_interrupt(conn);
    if (++interrupt_count >= INTERRUPTS_TO_EXIT) {
        static const char message[] = "\nError: the statement does not stop; exiting\n";
        ssize_t written = write(STDERR_FILENO, message, sizeof(message) - 1);
        (void)written;
        _exit(130);
    }
}

static void install_sigint_handler(void)
{
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = handle_sigint;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0; /* no SA_RESTART: a read at the prompt returns EINTR */
    sigaction(SIGINT, &action, NULL);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Writes the line of `sql` holding byte `position` and a caret under it. */
static void print_error_position(const char *sql, int32_t position)
{
    size_t length = strlen(sql);
    if (position < 0 || (size_t)position > length)
        return;
    size_t line_start = 0;
    int line_number = 1;
    for (size_t i = 0; i < (size_t)position; i++) {
        if (sql[i] == '\n') {
            line_number++;
            line_start = i + 1;
        }
    }
    size_t line_end = line_start;
    while (line_end < length && sql[line_end] != '\n' && sql[line_end] != '\r')
        line_end++;
    int prefix_length = fprintf(stderr, "LINE %d: ", line_number);
    fwrite(sql + line_start, 1, line_end - line_start, stderr);
    fputc('\n', stderr);
    for (int i = 0; i < prefix_length; i++)
        fputc(' ', stderr);
    for (size_t i = line_start; i < (size_t)position && i < line_end; i++) {
        unsigned char c = (unsigned char)sql[i];
        if (c == '\t')
            fputc('\t', stderr);
        else if ((c & 0xC0) != 0x80)
            fputc(' ', stderr);
    }
    fputs("^\n", stderr);
}

void shell_print_error(const shell *sh, const char *sql, const arm_error *err)
{
    fflush(sh->out);
    fprintf(stderr, "Error: %s\n", err->message[0] ? err->message : arm_status_name(err->status));
    if (sql != NULL)
        print_error_position(sql, err->position);
    if (err->detail[0])
        fprintf(stderr, "DETAIL: %s\n", err->detail);
    if (err->hint[0])
        fprintf(stderr, "HINT: %s\n", err->hint);
    fflush(stderr);
}

static void finish_once(shell *sh)
{
    if (sh->output_once) {
        if (sh->out != stdout)
            fclose(sh->out);
        sh->out = stdout;
        sh->output_once = false;
    }
}

bool shell_run_sql(shell *sh, const char *sql)
{
    if (sh->echo) {
        fprintf(sh->out, "%s\n", sql);
        fflush(sh->out);
    }
    arm_result *result = NULL;
    arm_error err;
    arm_error_clear(&err);
    double start = now_seconds();
    shell_sigint_seen = 0;
    interrupt_count = 0;
    running_conn = sh->conn;
    arm_status status = arm_conn_query(&result, sh->conn, sql, &err);
    running_conn = NULL;
    double elapsed = now_seconds() - start;
    bool is_ok = status == ARM_OK;
    if (is_ok) {
        shell_output_result(sh, result);
    } else {
        sh->error_count++;
        shell_print_error(sh, sql, &err);
    }
    arm_result_destroy(result);
    if (sh->timer) {
        fprintf(sh->out, "Run Time: real %.3f s\n", elapsed);
        fflush(sh->out);
    }
    finish_once(sh);
    return is_ok;
}

/* Runs every statement of `text`, stopping at the first failure. */
static bool run_sql_text(shell *sh, const char *text)
{
    size_t length = strlen(text);
    char *copy = strdup(text);
    if (copy == NULL)
        return false;
    size_t start = 0;
    bool is_ok = true;
    while (is_ok && start < length && !sh->quit_requested) {
        shell_splitter sp;
        shell_splitter_init(&sp);
        long end = shell_splitter_scan(&sp, copy, start, length);
        size_t stop = end < 0 ? length : (size_t)end;
        char saved = copy[stop];
        copy[stop] = '\0';
        const char *statement = copy + start;
        while (isspace((unsigned char)*statement))
            statement++;
        if (!shell_sql_is_blank(statement))
            is_ok = shell_run_sql(sh, statement);
        copy[stop] = saved;
        start = stop;
    }
    free(copy);
    return is_ok;
}

bool shell_run_line(shell *sh, const char *text)
{
    const char *p = text;
    while (isspace((unsigned char)*p))
        p++;
    if (*p == '.') {
        bool is_ok = shell_command_run(sh, p);
        if (!is_ok)
            sh->error_count++;
        return is_ok;
    }
    return run_sql_text(sh, text);
}

static void print_usage(FILE *out)
{
    fputs("Usage: arm [OPTIONS] [DATABASE] [SQL]\n"
          "DATABASE is a folder (created when missing) or :memory: (the default).\n"
          "With SQL, runs it and exits; with input that is not a terminal, reads SQL from it.\n"
          "OPTIONS:\n"
          "  -box -table -csv -json -line -markdown -list   output mode\n"
          "  -header / -noheader     column names in list and csv modes\n"
          "  -nullvalue TEXT         text for NULL values\n"
          "  -separator SEP          column separator in list mode (default |)\n"
          "  -bail                   stop at the first error\n"
          "  -echo                   print each statement before running it\n"
          "  -c SQL                  run SQL and exit\n"
          "  -cmd COMMAND            run COMMAND before reading input (repeatable)\n"
          "  -version                print the version and exit\n"
          "  -help                   print this help and exit\n",
          out);
}

/* Returns the argument after option `name`, or exits with an error. */
static const char *option_value(int argc, char **argv, int *i, const char *name)
{
    if (*i + 1 >= argc) {
        fprintf(stderr, "Error: missing argument to -%s\n", name);
        exit(1);
    }
    return argv[++*i];
}

/* Handles one option (without its leading dashes); returns false if unknown. */
static bool parse_option(shell *sh, shell_options *opt, int argc, char **argv, int *i,
                         const char *name)
{
    shell_mode mode;
    if (shell_mode_parse(name, &mode)) {
        sh->mode = mode;
        opt->has_mode = true;
    } else if (strcmp(name, "header") == 0 || strcmp(name, "noheader") == 0) {
        sh->show_header = name[0] == 'h';
    } else if (strcmp(name, "nullvalue") == 0) {
        snprintf(sh->nullvalue, sizeof(sh->nullvalue), "%s", option_value(argc, argv, i, name));
        sh->has_nullvalue = true;
    } else if (strcmp(name, "separator") == 0) {
        snprintf(sh->separator, sizeof(sh->separator), "%s", option_value(argc, argv, i, name));
    } else if (strcmp(name, "bail") == 0) {
        sh->bail = true;
    } else if (strcmp(name, "echo") == 0) {
        sh->echo = true;
    } else if (strcmp(name, "c") == 0) {
        opt->sql_args[opt->sql_arg_count++] = option_value(argc, argv, i, name);
    } else if (strcmp(name, "cmd") == 0) {
        opt->commands[opt->command_count++] = option_value(argc, argv, i, name);
    } else if (strcmp(name, "version") == 0) {
        printf("arm %s\n", ARM_VERSION_STRING);
        exit(0);
    } else if (strcmp(name, "help") == 0 || strcmp(name, "h") == 0) {
        print_usage(stdout);
        exit(0);
    } else {
        return false;
    }
    return true;
}

static void parse_arguments(shell *sh, shell_options *opt, int argc, char **argv)
{
    opt->sql_args = calloc((size_t)argc + 1, sizeof(char *));
    opt->commands = calloc((size_t)argc + 1, sizeof(char *));
    if (opt->sql_args == NULL || opt->commands == NULL)
        exit(1);
    bool has_database = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] == '-' && arg[1] != '\0') {
            const char *name = arg + (arg[1] == '-' ? 2 : 1);
            if (!parse_option(sh, opt, argc, argv, &i, name)) {
                fprintf(stderr, "Error: unknown option: %s\nUse -help for a list of options.\n",
                        arg);
                exit(1);
            }
        } else if (!has_database) {
            opt->database = arg;
            has_database = true;
        } else {
            opt->sql_args[opt->sql_arg_count++] = arg;
        }
    }
}

static void open_database(shell *sh, const char *path)
{
    arm_error err;
    arm_error_clear(&err);
    bool is_memory = path == NULL || strcmp(path, ":memory:") == 0;
    if (arm_db_open(&sh->db, is_memory ? NULL : path, &err) != ARM_OK ||
        arm_conn_open(&sh->conn, sh->db, &err) != ARM_OK) {
        fprintf(stderr, "Error: cannot open database \"%s\": %s\n", is_memory ? ":memory:" : path,
                err.message);
        arm_db_close(sh->db);
        exit(1);
    }
}

static void close_shell(shell *sh)
{
    if (sh->out != stdout && sh->out != NULL)
        fclose(sh->out);
    arm_conn_close(sh->conn);
    arm_db_close(sh->db);
}

/* Runs the SQL arguments; exit status 1 when one fails. */
static int run_arguments(shell *sh, const shell_options *opt)
{
    for (int i = 0; i < opt->sql_arg_count && !sh->quit_requested; i++) {
        if (!shell_run_line(sh, opt->sql_args[i]))
            return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    shell sh;
    memset(&sh, 0, sizeof(sh));
    sh.out = stdout;
    snprintf(sh.separator, sizeof(sh.separator), "|");
    shell_options opt;
    memset(&opt, 0, sizeof(opt));
    parse_arguments(&sh, &opt, argc, argv);
    sh.is_interactive = opt.sql_arg_count == 0 && isatty(STDIN_FILENO);
    if (!opt.has_mode)
        sh.mode = sh.is_interactive ? SHELL_MODE_BOX : SHELL_MODE_LIST;
    open_database(&sh, opt.database);
    int exit_code = 0;
    for (int i = 0; i < opt.command_count; i++) {
        if (!shell_run_line(&sh, opt.commands[i]) && sh.bail) {
            exit_code = 1;
            goto cleanup;
        }
    }
    if (opt.sql_arg_count > 0) {
        exit_code = run_arguments(&sh, &opt);
    } else if (!sh.is_interactive) {
        bool is_ok = shell_input_run_stream(&sh, stdin);
        exit_code = !is_ok || sh.error_count > 0 ? 1 : 0;
    } else {
        printf("arm %s (Armillaria), connected to %s\n"
               "Enter \".help\" for usage hints.\n",
               ARM_VERSION_STRING, opt.database ? opt.database : "a transient in-memory database");
        install_sigint_handler();
        shell_input_run_interactive(&sh);
    }
cleanup:
    close_shell(&sh);
    free(opt.sql_args);
    free(opt.commands);
    return exit_code;
}
