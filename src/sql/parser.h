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

/*
 * Parses `text` as one possibly qualified name and nothing else ("t", "s.t",
 * "\"My Table\""), allocating in `a`: how the C API names a table outside
 * SQL text. ARM_ERROR_SYNTAX with the position of the bad token otherwise.
 */
arm_status parser_parse_name(ast_name *out, arena *a, const char *text, arm_error *err);

#endif
