/*
 * fuzz_parser.c: libFuzzer target for the SQL lexer and parser. Any input
 * must give a syntax tree or an error, never a crash or a leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "sql/parser.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *sql = malloc(size + 1);
    if (sql == NULL)
        return 0;
    memcpy(sql, data, size);
    sql[size] = '\0';
    arena *a = arena_create(0, NULL);
    if (a != NULL) {
        ast_script script;
        arm_error err;
        arm_error_clear(&err);
        parser_parse(&script, a, sql, &err);
        arena_destroy(a);
    }
    free(sql);
    return 0;
}
