/*
 * lexer.h: splits SQL text into tokens (identifiers, quoted identifiers,
 * strings, numbers, parameters, symbols), all at once into an arena array,
 * so the parser can look ahead freely. Keywords are identifiers; the parser
 * matches them case-insensitively.
 */
#ifndef ARM_SQL_LEXER_H
#define ARM_SQL_LEXER_H

#include "common/arena.h"

typedef enum token_kind {
    TOKEN_END,
    TOKEN_IDENT,        /* name or keyword */
    TOKEN_QUOTED_IDENT, /* "Name" */
    TOKEN_STRING,       /* 'text' (text holds the unescaped value) */
    TOKEN_NUMBER,       /* 12, 1.5, 1e3, .5 */
    TOKEN_PARAMETER,    /* $1 (number in `number`) or ? (number 0) */
    TOKEN_SYMBOL,       /* ( ) , ; . :: + - * / % || = <> != < <= > >= @ [ ] => */
} token_kind;

typedef struct token {
    token_kind kind;
    int32_t position; /* byte offset of the first character */
    uint32_t length;  /* bytes in the source */
    const char *text; /* NUL-terminated: identifier as written, unescaped string, symbol */
    uint32_t text_length;
    int64_t number; /* TOKEN_PARAMETER: n of $n */
} token;

typedef struct token_list {
    token *tokens;
    uint32_t count; /* including the final TOKEN_END */
} token_list;

/* Tokenizes `sql`; ARM_ERROR_SYNTAX for an unterminated string, comment or bad character. */
arm_status lexer_tokenize(token_list *out, arena *a, const char *sql, arm_error *err);

#endif
