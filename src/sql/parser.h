/*
 * parser.h: SQL text to syntax tree (ast.h). A hand-written lexer and
 * recursive-descent parser with precedence climbing: fast (no allocation but
 * the arena) and with errors that point at the offending token.
 */
#ifndef ARM_SQL_PARSER_H
#define ARM_SQL_PARSER_H

#include "common/arena.h"
#include "sql/ast.h"

/*
 * Parses every statement of `sql` (NUL-terminated) into `out`, allocating
 * in `a`. Empty statements (";;") are skipped. On error, ARM_ERROR_SYNTAX
 * with the position of the bad token and a message such as
 * `syntax error at or near "FORM"` (with a hint when a likely fix is known).
 */
arm_status parser_parse(ast_script *out, arena *a, const char *sql, arm_error *err);

#endif
