/*
 * ast.h: the syntax tree the parser produces and the binder consumes.
 * Every node is allocated in the statement arena and carries the byte
 * offset of its first token (`position`) so errors can point into the SQL.
 * Identifiers are stored as written, with `quoted` telling the binder whether
 * to fold them to lower case (unquoted names are case-insensitive).
 */
#ifndef ARM_SQL_AST_H
#define ARM_SQL_AST_H

#include <stdbool.h>
#include <stdint.h>

#include "vector/types.h"

typedef struct ast_ident {
    const char *name; /* NUL-terminated, as written (quotes removed, "" unescaped) */
    bool quoted;
    int32_t position;
} ast_ident;

/* A possibly qualified name: [schema.]name, or for columns [table.]column. */
typedef struct ast_name {
    ast_ident parts[3];
    uint32_t count;
    int32_t position;
} ast_name;

typedef struct ast_type {
    logical_type type; /* DECIMAL precision/scale filled in (default DECIMAL(18,3)) */
    int32_t position;
} ast_type;

typedef struct ast_expr ast_expr;
typedef struct ast_select ast_select;
typedef struct ast_query ast_query;

typedef enum ast_expr_kind {
    AST_LITERAL,     /* literal */
    AST_COLUMN_REF,  /* column: a.b.c */
    AST_STAR,        /* star: * or t.* (qualifier.count 0 for bare *) */
    AST_PARAMETER,   /* parameter: $n or ? (numbered from 1 in order) */
    AST_UNARY,       /* unary: op in {"-", "+", "NOT"} */
    AST_BINARY,      /* binary: op is "+", "-", "*", "/", "%", "||", "=", "<>", "<",
                        "<=", ">", ">=", "AND", "OR" ("!=" is given as "<>") */
    AST_FUNCTION,    /* function: name(args), aggregates, COUNT(*), DISTINCT, FILTER */
    AST_CAST,        /* cast: CAST(x AS t), x::t, and typed literals DATE '...' */
    AST_CASE,        /* case_: operand NULL for searched CASE */
    AST_BETWEEN,     /* between: x [NOT] BETWEEN lo AND hi */
    AST_IN_LIST,     /* in_list: x [NOT] IN (a, b) */
    AST_IN_SUBQUERY, /* in_subquery: x [NOT] IN (SELECT ...) */
    AST_EXISTS,      /* subquery: [NOT] EXISTS (SELECT ...) */
    AST_SUBQUERY,    /* subquery: scalar (SELECT ...) */
    AST_LIKE,        /* like: x [NOT] LIKE/ILIKE pattern [ESCAPE e] */
    AST_IS_NULL,     /* is: x IS [NOT] NULL */
    AST_IS_DISTINCT, /* is: x IS [NOT] DISTINCT FROM y */
    AST_IS_BOOL,     /* is: x IS [NOT] TRUE/FALSE (bool_value) */
    AST_EXTRACT,     /* extract: EXTRACT(field FROM x) */
    AST_INTERVAL,    /* literal with type INTERVAL: INTERVAL '1 day', INTERVAL '3' DAY */
    AST_DEFAULT,     /* (no fields) DEFAULT in INSERT ... VALUES rows and UPDATE ... SET */
    AST_LIST,        /* list: [a, b] (only table functions take one: read_parquet([...])) */
} ast_expr_kind;

typedef struct ast_order_item {
    ast_expr *expr;
    bool descending;
    int nulls_first; /* -1: default, 0: NULLS LAST, 1: NULLS FIRST */
} ast_order_item;

struct ast_expr {
    ast_expr_kind kind;
    int32_t position;
    union {
        struct {
            /* type NULL for NULL, BOOLEAN, BIGINT (fits int64), DECIMAL (with a
             * dot; precision/scale as written), DOUBLE (exponent), VARCHAR
             * (string literal: its type is "unknown" until context decides,
             * see is_string), INTERVAL (INTERVAL literal, value parsed). */
            value val;
            bool is_string;   /* a '...' literal: implicitly castable to anything */
            const char *text; /* the literal as written (numbers: digits) */
        } literal;
        ast_name column;
        struct {
            ast_name qualifier;
        } star;
        struct {
            uint32_t index; /* 1-based */
        } parameter;
        struct {
            const char *op;
            ast_expr *operand;
        } unary;
        struct {
            const char *op;
            ast_expr *left;
            ast_expr *right;
        } binary;
        struct {
            ast_name name;
            ast_expr **args;
            uint32_t arg_count;
            bool is_star;             /* COUNT(*) */
            bool is_distinct;         /* COUNT(DISTINCT x) */
            ast_order_item *order_by; /* STRING_AGG(x, ',' ORDER BY y) */
            uint32_t order_by_count;
            ast_expr *filter; /* FILTER (WHERE ...) */
        } function;
        struct {
            ast_expr *operand;
            ast_type type;
            bool is_try; /* TRY_CAST */
        } cast;
        struct {
            ast_expr *operand; /* simple CASE x WHEN ..., or NULL */
            ast_expr **when;
            ast_expr **then;
            uint32_t count;
            ast_expr *otherwise;
        } case_;
        struct {
            ast_expr *operand;
            ast_expr *low;
            ast_expr *high;
            bool negated;
            bool symmetric; /* BETWEEN SYMMETRIC: the bounds in either order */
        } between;
        struct {
            ast_expr *operand;
            ast_expr **list;
            uint32_t count;
            bool negated;
        } in_list;
        struct {
            ast_expr *operand;
            ast_query *query;
            bool negated;
        } in_subquery;
        struct {
            ast_query *query;
            bool negated; /* NOT EXISTS */
        } subquery;
        struct {
            ast_expr *operand;
            ast_expr *pattern;
            ast_expr *escape; /* or NULL */
            bool negated;
            bool case_insensitive; /* ILIKE */
        } like;
        struct {
            ast_expr *operand;
            ast_expr *other; /* IS [NOT] DISTINCT FROM */
            bool negated;
            bool bool_value; /* IS [NOT] TRUE / FALSE */
        } is;
        struct {
            const char *field; /* lower case: year, month, day, hour, minute, second,
                                  epoch, dow, doy, quarter, week, millisecond... */
            ast_expr *operand;
        } extract;
        struct {
            ast_expr **items;
            uint32_t count; /* 0 for [] */
        } list;
    } u;
};

typedef enum ast_table_ref_kind {
    AST_TABLE_NAME,     /* table */
    AST_TABLE_SUBQUERY, /* subquery */
    AST_TABLE_JOIN,     /* join */
    AST_TABLE_FUNCTION, /* function: read_parquet('f') and friends */
} ast_table_ref_kind;

typedef enum ast_join_kind {
    AST_JOIN_INNER,
    AST_JOIN_LEFT,
    AST_JOIN_RIGHT,
    AST_JOIN_FULL,
    AST_JOIN_CROSS,
} ast_join_kind;

typedef struct ast_table_ref ast_table_ref;

/* Versioned reads, parsed now so the storage issue only has to bind them. */
typedef struct ast_time_travel {
    bool has_version; /* VERSION 5, VERSION AS OF 5, AT (VERSION => 5) */
    int64_t version;
    ast_expr *as_of_timestamp; /* AS OF TIMESTAMP '...', or NULL */
    ast_ident branch;          /* t@branch (name NULL when absent) */
} ast_time_travel;

struct ast_table_ref {
    ast_table_ref_kind kind;
    int32_t position;
    ast_ident alias;           /* name NULL when absent */
    ast_ident *column_aliases; /* t AS x(a, b) */
    uint32_t column_alias_count;
    union {
        struct {
            ast_name name;
            ast_time_travel travel;
        } table;
        struct {
            ast_query *query;
        } subquery;
        struct {
            ast_join_kind kind;
            ast_table_ref *left;
            ast_table_ref *right;
            ast_expr *on; /* or NULL */
            ast_ident *using_columns;
            uint32_t using_count;
            bool natural;
        } join;
        struct {
            ast_name name;
            ast_expr **args;
            uint32_t arg_count;
        } function;
    } u;
};

typedef struct ast_select_item {
    ast_expr *expr; /* may be AST_STAR */
    ast_ident alias;
} ast_select_item;

/* One SELECT block (or VALUES list, with values_rows set). */
struct ast_select {
    int32_t position;
    bool distinct;
    ast_select_item *items;
    uint32_t item_count;
    ast_table_ref *from; /* joins nest; several comma items become CROSS joins; NULL: none */
    ast_expr *where;
    ast_expr **group_by;
    uint32_t group_by_count;
    ast_expr *having;
    /* VALUES (..), (..) as a query: */
    ast_expr ***values_rows;
    uint32_t values_row_count;
    uint32_t values_column_count;
};

typedef enum ast_set_op {
    AST_SET_NONE,
    AST_SET_UNION,
    AST_SET_INTERSECT,
    AST_SET_EXCEPT,
} ast_set_op;

typedef struct ast_cte {
    ast_ident name;
    ast_ident *column_names;
    uint32_t column_name_count;
    ast_query *query;
} ast_cte;

/*
 * A full query expression: WITH, then either one SELECT or a set operation
 * of two queries, then ORDER BY / LIMIT / OFFSET applying to the whole.
 */
struct ast_query {
    int32_t position;
    ast_cte *ctes;
    uint32_t cte_count;
    ast_set_op set_op;
    bool set_all;       /* UNION ALL */
    ast_select *select; /* when set_op == AST_SET_NONE */
    ast_query *left;    /* otherwise */
    ast_query *right;
    ast_order_item *order_by;
    uint32_t order_by_count;
    ast_expr *limit;  /* or NULL */
    ast_expr *offset; /* or NULL */
};

typedef struct ast_column_def {
    ast_ident name;
    ast_type type;
    bool not_null;
    bool primary_key; /* column-level PRIMARY KEY */
    bool unique;
    ast_expr *default_expr;
    const char *default_sql; /* the DEFAULT expression's text, copied */
} ast_column_def;

/* One COPY option: (FORMAT parquet, HEADER, DELIMITER ';'); value NULL when only named. */
typedef struct ast_copy_option {
    const char *name; /* lower case */
    const char *value;
    int32_t position;
} ast_copy_option;

/* Statements on branches and tags. */
typedef enum ast_ref_op {
    AST_REF_CREATE_BRANCH,
    AST_REF_DROP_BRANCH,
    AST_REF_USE_BRANCH,
    AST_REF_CREATE_TAG,
    AST_REF_DROP_TAG,
} ast_ref_op;

typedef enum ast_stmt_kind {
    AST_STMT_SELECT,       /* query */
    AST_STMT_CREATE_TABLE, /* create_table */
    AST_STMT_DROP,         /* drop */
    AST_STMT_CREATE_VIEW,  /* create_view */
    AST_STMT_INSERT,       /* insert */
    AST_STMT_UPDATE,       /* update */
    AST_STMT_DELETE,       /* delete_ */
    AST_STMT_EXPLAIN,      /* explain */
    AST_STMT_SET,          /* set */
    AST_STMT_SHOW,         /* show */
    AST_STMT_BEGIN,        /* transactions: parsed now, bound by the storage issue */
    AST_STMT_COMMIT,       /* commit (message optional) */
    AST_STMT_ROLLBACK,
    AST_STMT_REF,           /* ref: CREATE/DROP BRANCH or TAG, USE BRANCH */
    AST_STMT_COPY,          /* copy: COPY t|(query) TO 'file', COPY t FROM 'file' */
    AST_STMT_VACUUM,        /* vacuum: VACUUM [RETAIN n SECONDS|MINUTES|HOURS|DAYS] */
    AST_STMT_CHECKPOINT,    /* CHECKPOINT */
    AST_STMT_CACHE,         /* cache: CACHE TABLE t, UNCACHE TABLE t, CLEAR CACHE */
    AST_STMT_CREATE_SCHEMA, /* create_schema: CREATE SCHEMA [IF NOT EXISTS] s */
} ast_stmt_kind;

typedef enum ast_cache_op {
    AST_CACHE_TABLE,   /* decode every column of t into the column cache */
    AST_CACHE_UNCACHE, /* drop t's entries */
    AST_CACHE_CLEAR,   /* drop every entry */
} ast_cache_op;

typedef enum ast_object_kind {
    AST_OBJECT_TABLE,
    AST_OBJECT_VIEW,
    AST_OBJECT_SCHEMA,
} ast_object_kind;

typedef struct ast_stmt ast_stmt;

struct ast_stmt {
    ast_stmt_kind kind;
    int32_t position;     /* first byte of the statement */
    int32_t end_position; /* byte after its last token (before ';') */
    union {
        ast_query *query;
        struct {
            ast_name name;
            bool if_not_exists;
            bool or_replace;
            ast_column_def *columns;
            uint32_t column_count;
            ast_ident *primary_key; /* table-level PRIMARY KEY (a, b) */
            uint32_t primary_key_count;
            ast_query *as_query; /* CREATE TABLE t AS SELECT ... */
        } create_table;
        struct {
            ast_object_kind object;
            ast_name name;
            bool if_exists;
            bool cascade;
        } drop;
        struct {
            ast_ident name;
            bool if_not_exists;
        } create_schema;
        struct {
            ast_name name;
            bool or_replace;
            bool if_not_exists;
            ast_ident *column_names;
            uint32_t column_name_count;
            ast_query *query;
            const char *query_sql; /* the SELECT's text, copied (stored in the catalog) */
        } create_view;
        struct {
            ast_name table;
            ast_ident *columns; /* explicit column list, or NULL */
            uint32_t column_count;
            ast_query *query; /* VALUES or SELECT; NULL with default_values */
            bool default_values;
        } insert;
        struct {
            ast_name table;
            ast_ident alias;
            ast_ident *columns; /* SET columns[i] = values[i] */
            ast_expr **values;
            uint32_t set_count;
            ast_table_ref *from; /* UPDATE ... FROM, or NULL */
            ast_expr *where;
        } update;
        struct {
            ast_name table;
            ast_ident alias;
            ast_expr *where;
        } delete_;
        struct {
            ast_stmt *statement;
            bool analyze;
        } explain;
        struct {
            ast_ident name;  /* lower-cased setting name */
            ast_expr *value; /* or NULL for SET x TO DEFAULT / RESET x */
        } set;
        struct {
            ast_ident name; /* SHOW x; name NULL for SHOW ALL; "tables" for SHOW TABLES */
        } show;
        struct {
            const char *message; /* COMMIT 'message' or NULL */
        } commit;
        struct {
            ast_name table;   /* name.count 0 when copying a query */
            ast_query *query; /* COPY (query) TO, or NULL */
            bool is_from;
            const char *path;
            int32_t path_position;
            ast_copy_option *options;
            uint32_t option_count;
        } copy;
        struct {
            int64_t retain_seconds; /* -1: the default */
        } vacuum;
        struct {
            ast_cache_op op;
            ast_name table; /* count 0 for CLEAR CACHE */
        } cache;
        struct {
            ast_ref_op op;
            ast_ident name;
            ast_ident from;      /* CREATE BRANCH/TAG ... FROM ref; name NULL when absent */
            int64_t from_commit; /* ... FROM ref VERSION n: commit n; -1 when absent */
            bool if_exists;      /* DROP ... IF EXISTS */
        } ref;
    } u;
};

/* The statements of one SQL text. */
typedef struct ast_script {
    ast_stmt **statements;
    uint32_t count;
    uint32_t parameter_count; /* highest $n / number of ? */
} ast_script;

#endif
