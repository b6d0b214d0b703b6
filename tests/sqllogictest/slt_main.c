/*
 * slt_main.c: entry point of arm_sqllogictest. Usage:
 *   arm_sqllogictest [--verbose] FILE.test...
 * Each file runs on a fresh :memory: database; the exit status is 1 when any
 * record failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "slt.h"

static bool read_script(slt_script *script, const char *path)
{
    memset(script, 0, sizeof(*script));
    script->path = path;
    FILE *in = fopen(path, "rb");
    if (in == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        return false;
    }
    size_t capacity = 1 << 16;
    size_t length = 0;
    char *text = malloc(capacity);
    size_t n;
    while (text != NULL && (n = fread(text + length, 1, capacity - length - 1, in)) > 0) {
        length += n;
        if (length + 1 == capacity) {
            capacity *= 2;
            char *grown = realloc(text, capacity);
            if (grown == NULL)
                free(text);
            text = grown;
        }
    }
    fclose(in);
    if (text == NULL)
        return false;
    text[length] = '\0';
    size_t line_count = 1;
    for (size_t i = 0; i < length; i++)
        line_count += text[i] == '\n';
    script->lines = calloc(line_count, sizeof(char *));
    if (script->lines == NULL) {
        free(text);
        return false;
    }
    char *p = text;
    while (p != NULL && *p != '\0') {
        char *newline = strchr(p, '\n');
        if (newline != NULL)
            *newline = '\0';
        size_t line_length = strlen(p);
        if (line_length > 0 && p[line_length - 1] == '\r')
            p[line_length - 1] = '\0';
        script->lines[script->line_count++] = p;
        p = newline ? newline + 1 : NULL;
    }
    script->text = text;
    return true;
}

static void print_usage(void)
{
    fputs("usage: arm_sqllogictest [--verbose] FILE.test...\n", stderr);
}

int main(int argc, char **argv)
{
    bool is_verbose = false;
    int file_count = 0;
    int failed_files = 0;
    slt_counts total = {0};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--verbose") == 0 || strcmp(argv[i], "-v") == 0) {
            is_verbose = true;
            continue;
        }
        if (strcmp(argv[i], "--help") == 0) {
            print_usage();
            return 0;
        }
        if (argv[i][0] == '-') {
            print_usage();
            return 2;
        }
        slt_script script;
        file_count++;
        if (!read_script(&script, argv[i])) {
            failed_files++;
            continue;
        }
        slt_counts counts = {0};
        slt_script_run(&script, is_verbose, &counts);
        printf("%s: %d passed, %d failed, %d skipped%s\n", argv[i], counts.passed, counts.failed,
               counts.skipped, counts.skipped_file ? " (file skipped by require)" : "");
        failed_files += counts.failed > 0;
        total.passed += counts.passed;
        total.failed += counts.failed;
        total.skipped += counts.skipped;
        free(script.lines);
        free(script.text);
    }
    if (file_count == 0) {
        print_usage();
        return 2;
    }
    if (file_count > 1)
        printf("total: %d files, %d records passed, %d failed, %d skipped\n", file_count,
               total.passed, total.failed, total.skipped);
    return failed_files > 0 ? 1 : 0;
}
