/*
 * lexer.h: splits SQL text into tokens (identifiers, quoted identifiers,
 * strings, numbers, parameters, symbols), all at once into an arena array,
 * so the parser can look ahead freely. Identifiers that are keywords carry a
 * keyword id found by hashing, so the parser compares small integers.
 */
#ifndef ARM_SQL_LEXER_H
#define ARM_SQL_LEXER_H

#include <stdbool.h>

#include "common/arena.h"
#include "common/error.h"

/*
 * Every word the parser matches: X(ID, "spelling", reserved). Reserved words
 * cannot be column names, table names or implicit aliases unless quoted.
 */
#define KEYWORD_LIST(X)                                                                            \
    X(ABORT, "abort", false)                                                                       \
    X(ALL, "all", true)                                                                            \
    X(ANALYZE, "analyze", false)                                                                   \
    X(AND, "and", true)                                                                            \
    X(ANY, "any", true)                                                                            \
    X(AS, "as", true)                                                                              \
    X(ASC, "asc", true)                                                                            \
    X(ASYMMETRIC, "asymmetric", false)                                                             \
    X(AT, "at", false)                                                                             \
    X(BEGIN, "begin", false)                                                                       \
    X(BETWEEN, "between", true)                                                                    \
    X(BOTH, "both", true)                                                                          \
    X(BRANCH, "branch", false)                                                                     \
    X(BY, "by", true)                                                                              \
    X(CASCADE, "cascade", false)                                                                   \
    X(CASE, "case", true)                                                                          \
    X(CAST, "cast", true)                                                                          \
    X(CHAR, "char", false)                                                                         \
    X(CHARACTER, "character", false)                                                               \
    X(CHECK, "check", true)                                                                        \
    X(CHECKPOINT, "checkpoint", false)                                                             \
    X(COLLATE, "collate", true)                                                                    \
    X(COLUMN, "column", true)                                                                      \
    X(COMMIT, "commit", false)                                                                     \
    X(CONSTRAINT, "constraint", true)                                                              \
    X(COPY, "copy", false)                                                                         \
    X(CREATE, "create", true)                                                                      \
    X(CROSS, "cross", true)                                                                        \
    X(CURRENT_DATE, "current_date", true)                                                          \
    X(CURRENT_TIMESTAMP, "current_timestamp", true)                                                \
    X(DAY, "day", false)                                                                           \
    X(DEFAULT, "default", true)                                                                    \
    X(DELETE, "delete", true)                                                                      \
    X(DESC, "desc", true)                                                                          \
    X(DISTINCT, "distinct", true)                                                                  \
    X(DO, "do", true)                                                                              \
    X(DOUBLE, "double", false)                                                                     \
    X(DROP, "drop", true)                                                                          \
    X(ELSE, "else", true)                                                                          \
    X(END, "end", true)                                                                            \
    X(ESCAPE, "escape", false)                                                                     \
    X(EXCEPT, "except", true)                                                                      \
    X(EXISTS, "exists", true)                                                                      \
    X(EXPLAIN, "explain", false)                                                                   \
    X(EXTRACT, "extract", false)                                                                   \
    X(FALSE, "false", true)                                                                        \
    X(FETCH, "fetch", true)                                                                        \
    X(FILTER, "filter", false)                                                                     \
    X(FIRST, "first", false)                                                                       \
    X(FLOAT, "float", false)                                                                       \
    X(FOR, "for", true)                                                                            \
    X(FOREIGN, "foreign", true)                                                                    \
    X(FORM, "form", false)                                                                         \
    X(FROM, "from", true)                                                                          \
    X(FULL, "full", true)                                                                          \
    X(GRANT, "grant", true)                                                                        \
    X(GROUP, "group", true)                                                                        \
    X(HAVING, "having", true)                                                                      \
    X(HOUR, "hour", false)                                                                         \
    X(IF, "if", false)                                                                             \
    X(ILIKE, "ilike", true)                                                                        \
    X(IN, "in", true)                                                                              \
    X(INNER, "inner", true)                                                                        \
    X(INSERT, "insert", true)                                                                      \
    X(INTERSECT, "intersect", true)                                                                \
    X(INTO, "into", true)                                                                          \
    X(IS, "is", true)                                                                              \
    X(ISNULL, "isnull", false)                                                                     \
    X(JOIN, "join", true)                                                                          \
    X(KEY, "key", false)                                                                           \
    X(LAST, "last", false)                                                                         \
    X(LEADING, "leading", true)                                                                    \
    X(LEFT, "left", true)                                                                          \
    X(LIKE, "like", true)                                                                          \
    X(LIMIT, "limit", true)                                                                        \
    X(LOCALTIMESTAMP, "localtimestamp", false)                                                     \
    X(MATERIALIZED, "materialized", false)                                                         \
    X(MESSAGE, "message", false)                                                                   \
    X(MINUTE, "minute", false)                                                                     \
    X(MONTH, "month", false)                                                                       \
    X(NATURAL, "natural", true)                                                                    \
    X(NEXT, "next", false)                                                                         \
    X(NOT, "not", true)                                                                            \
    X(NOTNULL, "notnull", false)                                                                   \
    X(NULL, "null", true)                                                                          \
    X(NULLS, "nulls", false)                                                                       \
    X(OF, "of", false)                                                                             \
    X(OFFSET, "offset", true)                                                                      \
    X(ON, "on", true)                                                                              \
    X(ONLY, "only", false)                                                                         \
    X(OR, "or", true)                                                                              \
    X(ORDER, "order", true)                                                                        \
    X(OUTER, "outer", true)                                                                        \
    X(OVER, "over", false)                                                                         \
    X(POSITION, "position", false)                                                                 \
    X(PRECISION, "precision", false)                                                               \
    X(PRIMARY, "primary", true)                                                                    \
    X(RECURSIVE, "recursive", false)                                                               \
    X(REFERENCES, "references", true)                                                              \
    X(REPLACE, "replace", false)                                                                   \
    X(RESET, "reset", false)                                                                       \
    X(RESTRICT, "restrict", false)                                                                 \
    X(RETURNING, "returning", true)                                                                \
    X(RIGHT, "right", true)                                                                        \
    X(ROLLBACK, "rollback", false)                                                                 \
    X(ROW, "row", false)                                                                           \
    X(ROWS, "rows", false)                                                                         \
    X(SECOND, "second", false)                                                                     \
    X(SELECT, "select", true)                                                                      \
    X(SESSION, "session", false)                                                                   \
    X(SET, "set", true)                                                                            \
    X(SHOW, "show", false)                                                                         \
    X(SOME, "some", true)                                                                          \
    X(START, "start", false)                                                                       \
    X(SUBSTRING, "substring", false)                                                               \
    X(SYMMETRIC, "symmetric", false)                                                               \
    X(TABLE, "table", true)                                                                        \
    X(TABLES, "tables", false)                                                                     \
    X(TAG, "tag", false)                                                                           \
    X(THEN, "then", true)                                                                          \
    X(TIME, "time", false)                                                                         \
    X(TIMESTAMP, "timestamp", false)                                                               \
    X(TO, "to", true)                                                                              \
    X(TRAILING, "trailing", true)                                                                  \
    X(TRANSACTION, "transaction", false)                                                           \
    X(TRIM, "trim", false)                                                                         \
    X(TRUE, "true", true)                                                                          \
    X(TRY_CAST, "try_cast", false)                                                                 \
    X(UNION, "union", true)                                                                        \
    X(UNIQUE, "unique", true)                                                                      \
    X(UNKNOWN, "unknown", false)                                                                   \
    X(UPDATE, "update", true)                                                                      \
    X(USE, "use", false)                                                                           \
    X(USING, "using", true)                                                                        \
    X(VACUUM, "vacuum", false)                                                                     \
    X(VALUES, "values", true)                                                                      \
    X(VARYING, "varying", false)                                                                   \
    X(VERSION, "version", false)                                                                   \
    X(VIEW, "view", false)                                                                         \
    X(WHEN, "when", true)                                                                          \
    X(WHERE, "where", true)                                                                        \
    X(WINDOW, "window", true)                                                                      \
    X(WITH, "with", true)                                                                          \
    X(WITHOUT, "without", false)                                                                   \
    X(WORK, "work", false)                                                                         \
    X(YEAR, "year", false)                                                                         \
    X(ZONE, "zone", false)

typedef enum keyword_id {
    KW_NONE = 0,
#define KEYWORD_ENUM(id, spelling, reserved) KW_##id,
    KEYWORD_LIST(KEYWORD_ENUM)
#undef KEYWORD_ENUM
        KW_COUNT
} keyword_id;

typedef enum token_kind {
    TOKEN_END,
    TOKEN_IDENT,        /* name or keyword (keyword != KW_NONE) */
    TOKEN_QUOTED_IDENT, /* "Name" */
    TOKEN_STRING,       /* 'text', E'text' (text holds the unescaped value) */
    TOKEN_NUMBER,       /* 12, 1.5, 1e3, .5 */
    TOKEN_PARAMETER,    /* $1 (number in `number`) or ? (number 0) */
    TOKEN_SYMBOL,       /* ( ) , ; . :: + - * / % || = <> != < <= > >= @ [ ] => == ... */
} token_kind;

/* The code of a one- or two-character symbol: its bytes, first in the low byte. */
#define SYMBOL_CODE2(a, b) ((uint16_t)((unsigned char)(a) | (unsigned char)(b) << 8))
#define SYMBOL_CODE(s)                                                                             \
    ((uint16_t)((unsigned char)(s)[0] | ((s)[0] ? (unsigned char)(s)[1] << 8 : 0)))

typedef struct token {
    token_kind kind;
    int32_t position; /* byte offset of the first character */
    uint32_t length;  /* bytes in the source */
    /* NUL-terminated: identifier as written, unescaped string, number, symbol */
    const char *text;
    uint32_t text_length;
    uint16_t keyword; /* TOKEN_IDENT: keyword_id, KW_NONE for plain names */
    uint16_t symbol;  /* TOKEN_SYMBOL: SYMBOL_CODE of the text */
    int64_t number;   /* TOKEN_PARAMETER: n of $n, 0 for ? */
} token;

typedef struct token_list {
    token *tokens;
    uint32_t count; /* including the final TOKEN_END */
} token_list;

/*
 * Tokenizes `sql` (NUL-terminated) into `out`, allocating in `a`.
 * ARM_ERROR_SYNTAX (42601) with the position for an unterminated string,
 * quoted identifier or comment, a bad parameter number or a stray character.
 */
arm_status lexer_tokenize(token_list *out, arena *a, const char *sql, arm_error *err);

/* The keyword id of a word of `length` bytes (any case), KW_NONE if it is none. */
keyword_id keyword_lookup(const char *word, size_t length);
/* The lower-case spelling of a keyword ("" for KW_NONE). */
const char *keyword_name(keyword_id id);
bool keyword_is_reserved(keyword_id id);

#endif
