/*
 * parser_stmt.c: statements: CREATE/DROP TABLE and VIEW, INSERT, UPDATE,
 * DELETE, EXPLAIN, SET/RESET/SHOW and transactions. View bodies and DEFAULT
 * expressions also keep their source text, which the catalog stores.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sql/parser_internal.h"

/* The source text of tokens [from, p->at), copied. */
static const char *text_since(parser *p, uint32_t from_token)
{
    int32_t start = p->tokens[from_token].position;
    const token *last = &p->tokens[p->at > from_token ? p->at - 1 : from_token];
    int32_t end = last->position + (int32_t)last->length;
    return arena_strndup(p->a, p->sql + start, (size_t)(end > start ? end - start : 0));
}

static bool accept_if_not_exists(parser *p)
{
    if (token_is_keyword(peek(p), KW_IF) && token_is_keyword(peek_at(p, 1), KW_NOT) &&
        token_is_keyword(peek_at(p, 2), KW_EXISTS)) {
        p->at += 3;
        return true;
    }
    return false;
}

static arm_status parse_column_default(parser *p, ast_column_def *col)
{
    uint32_t from = p->at;
    arm_status s = parse_expr(p, &col->default_expr);
    if (s != ARM_OK)
        return s;
    col->default_sql = text_since(p, from);
    return col->default_sql ? ARM_OK : error_out_of_memory(p->err);
}

static arm_status parse_column_def(parser *p, ast_column_def *col)
{
    arm_status s = parse_ident(p, &col->name);
    if (s != ARM_OK || (s = parse_type(p, &col->type)) != ARM_OK)
        return s;
    for (;;) {
        const token *t = peek(p);
        if (accept_keyword(p, KW_NOT)) {
            if ((s = expect_keyword(p, KW_NULL)) != ARM_OK)
                return s;
            col->not_null = true;
        } else if (accept_keyword(p, KW_NULL)) {
            col->not_null = false;
        } else if (accept_keyword(p, KW_PRIMARY)) {
            if ((s = expect_keyword(p, KW_KEY)) != ARM_OK)
                return s;
            col->primary_key = true;
        } else if (accept_keyword(p, KW_UNIQUE)) {
            col->unique = true;
        } else if (accept_keyword(p, KW_DEFAULT)) {
            if ((s = parse_column_default(p, col)) != ARM_OK)
                return s;
        } else if (token_is_keyword(t, KW_REFERENCES) || token_is_keyword(t, KW_CHECK) ||
                   token_is_keyword(t, KW_CONSTRAINT) || token_is_keyword(t, KW_COLLATE)) {
            return error_set(p->err, ARM_ERROR_NOT_SUPPORTED, "0A000", t->position,
                             "%s in a column definition is not supported yet", t->text);
        } else {
            return ARM_OK;
        }
    }
}

/* One item of CREATE TABLE t (...): a column or a table-level PRIMARY KEY (a, b). */
static arm_status parse_table_element(parser *p, ast_stmt *st, uint32_t *capacity)
{
    const token *t = peek(p);
    if (accept_keyword(p, KW_PRIMARY)) {
        arm_status s = expect_keyword(p, KW_KEY);
        if (s != ARM_OK)
            return s;
        if (st->u.create_table.primary_key_count > 0)
            return error_set(p->err, ARM_ERROR_SYNTAX, "42P16", t->position,
                             "multiple primary keys for table \"%s\" are not allowed",
                             st->u.create_table.name.parts[st->u.create_table.name.count - 1].name);
        return parse_paren_ident_list(p, &st->u.create_table.primary_key,
                                      &st->u.create_table.primary_key_count);
    }
    if (token_is_keyword(t, KW_UNIQUE) || token_is_keyword(t, KW_CHECK) ||
        token_is_keyword(t, KW_CONSTRAINT) || token_is_keyword(t, KW_FOREIGN))
        return error_set(p->err, ARM_ERROR_NOT_SUPPORTED, "0A000", t->position,
                         "table constraint %s is not supported yet", t->text);
    st->u.create_table.columns =
        parser_push(p, st->u.create_table.columns, &st->u.create_table.column_count, capacity,
                    sizeof(ast_column_def));
    if (st->u.create_table.columns == NULL)
        return ARM_ERROR_OUT_OF_MEMORY;
    return parse_column_def(p, &st->u.create_table.columns[st->u.create_table.column_count - 1]);
}

static arm_status parse_create_table(parser *p, ast_stmt *st, bool or_replace)
{
    st->kind = AST_STMT_CREATE_TABLE;
    st->u.create_table.or_replace = or_replace;
    st->u.create_table.if_not_exists = accept_if_not_exists(p);
    arm_status s = parse_name(p, &st->u.create_table.name);
    if (s != ARM_OK)
        return s;
    if (accept_keyword(p, KW_AS))
        return parse_query(p, &st->u.create_table.as_query);
    if ((s = expect_symbol(p, "(")) != ARM_OK)
        return s;
    uint32_t capacity = 0;
    do {
        if (token_is_symbol(peek(p), ")") && st->u.create_table.column_count > 0)
            return parser_error(p, "Remove the comma before the closing parenthesis.");
        if ((s = parse_table_element(p, st, &capacity)) != ARM_OK)
            return s;
    } while (accept_symbol(p, ","));
    if ((s = expect_symbol(p, ")")) != ARM_OK)
        return s;
    if (accept_keyword(p, KW_AS))
        return parser_error(p, "CREATE TABLE ... AS takes no column list: CREATE TABLE t AS "
                               "SELECT ...");
    return ARM_OK;
}

static arm_status parse_create_view(parser *p, ast_stmt *st, bool or_replace)
{
    st->kind = AST_STMT_CREATE_VIEW;
    st->u.create_view.or_replace = or_replace;
    st->u.create_view.if_not_exists = accept_if_not_exists(p);
    arm_status s = parse_name(p, &st->u.create_view.name);
    if (s != ARM_OK)
        return s;
    if (token_is_symbol(peek(p), "(") &&
        (s = parse_paren_ident_list(p, &st->u.create_view.column_names,
                                    &st->u.create_view.column_name_count)) != ARM_OK)
        return s;
    if ((s = expect_keyword(p, KW_AS)) != ARM_OK)
        return s;
    uint32_t from = p->at;
    if ((s = parse_query(p, &st->u.create_view.query)) != ARM_OK)
        return s;
    st->u.create_view.query_sql = text_since(p, from);
    return st->u.create_view.query_sql ? ARM_OK : error_out_of_memory(p->err);
}

/*
 * CREATE BRANCH b [FROM ref [VERSION n]] | CREATE TAG t [FROM ref [VERSION n]] |
 * DROP BRANCH/TAG [IF EXISTS] x (the verb is consumed; the parser is at BRANCH or TAG).
 * VERSION n names commit n (arm_log's commit_id) on ref's line of history.
 */
static arm_status parse_ref_statement(parser *p, ast_stmt *st, bool create)
{
    st->kind = AST_STMT_REF;
    bool branch = advance(p)->keyword == KW_BRANCH;
    st->u.ref.op = create ? (branch ? AST_REF_CREATE_BRANCH : AST_REF_CREATE_TAG)
                          : (branch ? AST_REF_DROP_BRANCH : AST_REF_DROP_TAG);
    if (!create && token_is_keyword(peek(p), KW_IF) && token_is_keyword(peek_at(p, 1), KW_EXISTS)) {
        p->at += 2;
        st->u.ref.if_exists = true;
    }
    st->u.ref.from_commit = -1;
    arm_status s = parse_ref_name(p, &st->u.ref.name);
    if (s == ARM_OK && create && accept_keyword(p, KW_FROM))
        s = parse_ref_name(p, &st->u.ref.from);
    if (s == ARM_OK && create && st->u.ref.from.name != NULL && accept_keyword(p, KW_VERSION)) {
        const token *n = peek(p);
        if (n->kind != TOKEN_NUMBER || strchr(n->text, '.') || strchr(n->text, 'e'))
            return parser_error(p, "Expected a commit number: FROM main VERSION 12.");
        st->u.ref.from_commit = strtoll(advance(p)->text, NULL, 10);
    }
    return s;
}

/* ( name [value], ... ) after COPY's file name; values are words, strings or numbers. */
static arm_status parse_copy_options(parser *p, ast_stmt *st)
{
    uint32_t capacity = 0;
    do {
        const token *name = peek(p);
        if (name->kind != TOKEN_IDENT)
            return parser_error(p, "Expected a COPY option such as FORMAT, HEADER or DELIMITER.");
        advance(p);
        if (st->u.copy.option_count == capacity) {
            uint32_t grown = capacity ? 2 * capacity : 4;
            ast_copy_option *options = arena_realloc(
                p->a, st->u.copy.options, capacity * sizeof *options, grown * sizeof *options);
            if (options == NULL)
                return error_out_of_memory(p->err);
            st->u.copy.options = options;
            capacity = grown;
        }
        ast_copy_option *o = &st->u.copy.options[st->u.copy.option_count++];
        char *lower = arena_strdup(p->a, name->text);
        if (lower == NULL)
            return error_out_of_memory(p->err);
        for (char *c = lower; *c; c++)
            *c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
        o->name = lower;
        o->value = NULL;
        o->position = name->position;
        const token *v = peek(p);
        if (v->kind == TOKEN_STRING || v->kind == TOKEN_NUMBER || v->kind == TOKEN_IDENT)
            o->value = advance(p)->text;
    } while (accept_symbol(p, ","));
    return expect_symbol(p, ")");
}

/* COPY t [TO|FROM] 'file' [[WITH] (options)] | COPY (query) TO 'file' [(options)] */
static arm_status parse_copy(parser *p, ast_stmt *st)
{
    st->kind = AST_STMT_COPY;
    arm_status s;
    if (accept_symbol(p, "(")) {
        if ((s = parse_query(p, &st->u.copy.query)) != ARM_OK ||
            (s = expect_symbol(p, ")")) != ARM_OK)
            return s;
    } else if ((s = parse_name(p, &st->u.copy.table)) != ARM_OK)
        return s;
    if (st->u.copy.query == NULL && accept_keyword(p, KW_FROM))
        st->u.copy.is_from = true;
    else if ((s = expect_keyword(p, KW_TO)) != ARM_OK)
        return s;
    if (peek(p)->kind != TOKEN_STRING)
        return parser_error(p, "Expected the file name as a string: COPY t TO 'file.parquet'.");
    st->u.copy.path_position = peek(p)->position;
    st->u.copy.path = advance(p)->text;
    accept_keyword(p, KW_WITH);
    if (accept_symbol(p, "("))
        return parse_copy_options(p, st);
    return ARM_OK;
}

/* The next token is the word `word` (not a keyword of ours): consumes it. */
static bool accept_word(parser *p, const char *word)
{
    const token *t = peek(p);
    if (t->kind != TOKEN_IDENT || strcasecmp(t->text, word) != 0)
        return false;
    advance(p);
    return true;
}

/* CACHE TABLE t | UNCACHE TABLE t | CLEAR CACHE, as Spark and Databricks spell them. */
static arm_status parse_cache(parser *p, ast_stmt *st, const char *first)
{
    st->kind = AST_STMT_CACHE;
    if (strcasecmp(first, "clear") == 0) {
        st->u.cache.op = AST_CACHE_CLEAR;
        return accept_word(p, "cache") ? ARM_OK : parser_error(p, "Expected CLEAR CACHE.");
    }
    st->u.cache.op = strcasecmp(first, "cache") == 0 ? AST_CACHE_TABLE : AST_CACHE_UNCACHE;
    if (!accept_keyword(p, KW_TABLE))
        return parser_error(p, "Expected TABLE: CACHE TABLE name or UNCACHE TABLE name.");
    return parse_name(p, &st->u.cache.table);
}

/* VACUUM [RETAIN n SECONDS|MINUTES|HOURS|DAYS] */
static arm_status parse_vacuum(parser *p, ast_stmt *st)
{
    st->kind = AST_STMT_VACUUM;
    st->u.vacuum.retain_seconds = -1;
    const token *word = peek(p);
    if (word->kind != TOKEN_IDENT || strcasecmp(word->text, "retain") != 0)
        return ARM_OK;
    advance(p);
    const token *n = peek(p);
    if (n->kind != TOKEN_NUMBER || strchr(n->text, '.') || strchr(n->text, 'e'))
        return parser_error(p, "Expected a whole number: VACUUM RETAIN 24 HOURS.");
    int64_t amount = strtoll(advance(p)->text, NULL, 10);
    const token *unit = peek(p);
    static const struct {
        const char *name;
        int64_t seconds;
    } units[] = {{"second", 1},  {"seconds", 1},  {"minute", 60}, {"minutes", 60},
                 {"hour", 3600}, {"hours", 3600}, {"day", 86400}, {"days", 86400}};
    for (size_t i = 0; unit->kind == TOKEN_IDENT && i < sizeof units / sizeof units[0]; i++)
        if (strcasecmp(unit->text, units[i].name) == 0) {
            advance(p);
            st->u.vacuum.retain_seconds = amount * units[i].seconds;
            return ARM_OK;
        }
    return parser_error(p, "Expected SECONDS, MINUTES, HOURS or DAYS.");
}

static arm_status parse_create(parser *p, ast_stmt *st)
{
    bool or_replace = false;
    if (accept_keyword(p, KW_OR)) {
        arm_status s = expect_keyword(p, KW_REPLACE);
        if (s != ARM_OK)
            return s;
        or_replace = true;
    }
    if (accept_keyword(p, KW_TABLE))
        return parse_create_table(p, st, or_replace);
    if (accept_keyword(p, KW_VIEW))
        return parse_create_view(p, st, or_replace);
    if (!or_replace && (token_is_keyword(peek(p), KW_BRANCH) || token_is_keyword(peek(p), KW_TAG)))
        return parse_ref_statement(p, st, true);
    if (!or_replace && accept_word(p, "schema")) {
        st->kind = AST_STMT_CREATE_SCHEMA;
        st->u.create_schema.if_not_exists = accept_if_not_exists(p);
        return parse_ident(p, &st->u.create_schema.name);
    }
    return parser_error(p, "Expected TABLE, VIEW, SCHEMA, BRANCH or TAG after CREATE.");
}

static arm_status parse_drop(parser *p, ast_stmt *st)
{
    if (token_is_keyword(peek(p), KW_BRANCH) || token_is_keyword(peek(p), KW_TAG))
        return parse_ref_statement(p, st, false);
    st->kind = AST_STMT_DROP;
    if (accept_keyword(p, KW_TABLE))
        st->u.drop.object = AST_OBJECT_TABLE;
    else if (accept_keyword(p, KW_VIEW))
        st->u.drop.object = AST_OBJECT_VIEW;
    else if (accept_word(p, "schema"))
        st->u.drop.object = AST_OBJECT_SCHEMA;
    else
        return parser_error(p, "Expected TABLE, VIEW, SCHEMA, BRANCH or TAG after DROP.");
    if (token_is_keyword(peek(p), KW_IF) && token_is_keyword(peek_at(p, 1), KW_EXISTS)) {
        p->at += 2;
        st->u.drop.if_exists = true;
    }
    arm_status s = parse_name(p, &st->u.drop.name);
    if (s != ARM_OK)
        return s;
    if (accept_keyword(p, KW_CASCADE))
        st->u.drop.cascade = true;
    else
        accept_keyword(p, KW_RESTRICT);
    return ARM_OK;
}

static arm_status parse_insert(parser *p, ast_stmt *st)
{
    st->kind = AST_STMT_INSERT;
    arm_status s = expect_keyword(p, KW_INTO);
    if (s != ARM_OK || (s = parse_name(p, &st->u.insert.table)) != ARM_OK)
        return s;
    /* (a, b) is a column list; (SELECT ...) is the source query */
    if (token_is_symbol(peek(p), "(") && !token_is_symbol(peek_at(p, 1), "(") &&
        !token_is_keyword(peek_at(p, 1), KW_SELECT) && !token_is_keyword(peek_at(p, 1), KW_WITH) &&
        !token_is_keyword(peek_at(p, 1), KW_VALUES) &&
        (s = parse_paren_ident_list(p, &st->u.insert.columns, &st->u.insert.column_count)) !=
            ARM_OK)
        return s;
    if (accept_keyword(p, KW_DEFAULT)) {
        st->u.insert.default_values = true;
        return expect_keyword(p, KW_VALUES);
    }
    if (!parser_at_query(p) && !token_is_symbol(peek(p), "("))
        return parser_error(p, "Expected VALUES, SELECT or DEFAULT VALUES.");
    return parse_query(p, &st->u.insert.query);
}

/* [AS] alias before SET / WHERE of UPDATE and DELETE. */
static arm_status parse_target_alias(parser *p, ast_ident *alias)
{
    if (accept_keyword(p, KW_AS))
        return parse_ident(p, alias);
    const token *t = peek(p);
    if (t->kind == TOKEN_QUOTED_IDENT || (t->kind == TOKEN_IDENT && !token_is_reserved(t)))
        return parse_ident(p, alias);
    return ARM_OK;
}

static arm_status parse_update(parser *p, ast_stmt *st)
{
    st->kind = AST_STMT_UPDATE;
    arm_status s = parse_name(p, &st->u.update.table);
    if (s != ARM_OK || (s = parse_target_alias(p, &st->u.update.alias)) != ARM_OK ||
        (s = expect_keyword(p, KW_SET)) != ARM_OK)
        return s;
    uint32_t capacity_columns = 0, capacity_values = 0, value_count = 0;
    do {
        st->u.update.columns = parser_push(p, st->u.update.columns, &st->u.update.set_count,
                                           &capacity_columns, sizeof(ast_ident));
        st->u.update.values =
            parser_push(p, st->u.update.values, &value_count, &capacity_values, sizeof(ast_expr *));
        if (st->u.update.columns == NULL || st->u.update.values == NULL)
            return ARM_ERROR_OUT_OF_MEMORY;
        if ((s = parse_ident(p, &st->u.update.columns[st->u.update.set_count - 1])) != ARM_OK ||
            (s = expect_symbol(p, "=")) != ARM_OK ||
            (s = parse_expr(p, &st->u.update.values[value_count - 1])) != ARM_OK)
            return s;
    } while (accept_symbol(p, ","));
    if (accept_keyword(p, KW_FROM) && (s = parse_table_ref_list(p, &st->u.update.from)) != ARM_OK)
        return s;
    if (accept_keyword(p, KW_WHERE))
        return parse_expr(p, &st->u.update.where);
    return ARM_OK;
}

static arm_status parse_delete(parser *p, ast_stmt *st)
{
    st->kind = AST_STMT_DELETE;
    arm_status s = expect_keyword(p, KW_FROM);
    if (s != ARM_OK || (s = parse_name(p, &st->u.delete_.table)) != ARM_OK ||
        (s = parse_target_alias(p, &st->u.delete_.alias)) != ARM_OK)
        return s;
    if (accept_keyword(p, KW_WHERE))
        return parse_expr(p, &st->u.delete_.where);
    return ARM_OK;
}

/* A setting name, lower-cased unless quoted (the ast promises lower case). */
static arm_status parse_setting_name(parser *p, ast_ident *name)
{
    arm_status s = parse_ident(p, name);
    if (s != ARM_OK || name->quoted)
        return s;
    char *lower = arena_strdup(p->a, name->name);
    if (lower == NULL)
        return error_out_of_memory(p->err);
    for (char *c = lower; *c; c++)
        *c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
    name->name = lower;
    return ARM_OK;
}

/* SET [SESSION] name = value | SET name TO value | SET name TO DEFAULT | RESET name */
static arm_status parse_set(parser *p, ast_stmt *st, bool is_reset)
{
    st->kind = AST_STMT_SET;
    if (!is_reset)
        accept_keyword(p, KW_SESSION);
    arm_status s = parse_setting_name(p, &st->u.set.name);
    if (s != ARM_OK || is_reset)
        return s;
    if (!accept_symbol(p, "=") && !accept_keyword(p, KW_TO))
        return parser_error(p, "Expected = or TO: SET name = value.");
    if (accept_keyword(p, KW_DEFAULT))
        return ARM_OK;
    return parse_expr(p, &st->u.set.value);
}

/* SHOW name | SHOW ALL (name NULL) | SHOW TABLES (name "tables") */
static arm_status parse_show(parser *p, ast_stmt *st)
{
    st->kind = AST_STMT_SHOW;
    if (accept_keyword(p, KW_ALL))
        return ARM_OK;
    if (token_is_keyword(peek(p), KW_TABLES)) {
        st->u.show.name.name = "tables";
        st->u.show.name.position = advance(p)->position;
        return ARM_OK;
    }
    return parse_setting_name(p, &st->u.show.name);
}

/* BEGIN [TRANSACTION|WORK], START TRANSACTION, COMMIT/END [...] [MESSAGE 'text'], ROLLBACK/ABORT.
 */
static arm_status parse_transaction(parser *p, ast_stmt *st, const token *verb)
{
    arm_status s = ARM_OK;
    if (verb->keyword == KW_START && (s = expect_keyword(p, KW_TRANSACTION)) != ARM_OK)
        return s;
    if (!accept_keyword(p, KW_TRANSACTION))
        accept_keyword(p, KW_WORK);
    if (verb->keyword == KW_BEGIN || verb->keyword == KW_START) {
        st->kind = AST_STMT_BEGIN;
    } else if (verb->keyword == KW_ROLLBACK || verb->keyword == KW_ABORT) {
        st->kind = AST_STMT_ROLLBACK;
    } else {
        st->kind = AST_STMT_COMMIT;
        if (accept_keyword(p, KW_MESSAGE) || peek(p)->kind == TOKEN_STRING) {
            if (peek(p)->kind != TOKEN_STRING)
                return parser_error(p, "Expected the commit message as a string.");
            st->u.commit.message = advance(p)->text;
        }
    }
    return ARM_OK;
}

static arm_status parse_statement_body(parser *p, ast_stmt *st)
{
    const token *t = peek(p);
    if (parser_at_query(p) || token_is_symbol(t, "("))
        return parse_query(p, &st->u.query);
    if (t->kind != TOKEN_IDENT)
        return parser_error(p, NULL);
    advance(p);
    switch (t->keyword) {
    case KW_CREATE: return parse_create(p, st);
    case KW_DROP: return parse_drop(p, st);
    case KW_INSERT: return parse_insert(p, st);
    case KW_UPDATE: return parse_update(p, st);
    case KW_DELETE: return parse_delete(p, st);
    case KW_EXPLAIN:
        st->kind = AST_STMT_EXPLAIN;
        st->u.explain.analyze = accept_keyword(p, KW_ANALYZE);
        return parse_statement(p, &st->u.explain.statement);
    case KW_SET: return parse_set(p, st, false);
    case KW_COPY: return parse_copy(p, st);
    case KW_VACUUM: return parse_vacuum(p, st);
    case KW_CHECKPOINT: st->kind = AST_STMT_CHECKPOINT; return ARM_OK;
    case KW_USE:
        st->kind = AST_STMT_REF;
        st->u.ref.op = AST_REF_USE_BRANCH;
        accept_keyword(p, KW_BRANCH);
        return parse_ref_name(p, &st->u.ref.name);
    case KW_RESET: return parse_set(p, st, true);
    case KW_SHOW: return parse_show(p, st);
    case KW_BEGIN:
    case KW_START:
    case KW_COMMIT:
    case KW_END:
    case KW_ROLLBACK:
    case KW_ABORT: return parse_transaction(p, st, t);
    default:
        if (t->keyword == KW_NONE &&
            (strcasecmp(t->text, "cache") == 0 || strcasecmp(t->text, "uncache") == 0 ||
             strcasecmp(t->text, "clear") == 0))
            return parse_cache(p, st, t->text);
        p->at--;
        return parser_error(p, NULL);
    }
}

arm_status parse_statement(parser *p, ast_stmt **out)
{
    ast_stmt *st = parser_alloc(p, sizeof *st);
    if (st == NULL)
        return ARM_ERROR_OUT_OF_MEMORY;
    st->kind = AST_STMT_SELECT;
    st->position = peek(p)->position;
    arm_status s = parser_enter(p);
    if (s == ARM_OK)
        s = parse_statement_body(p, st);
    parser_leave(p);
    if (s != ARM_OK)
        return s;
    const token *last = &p->tokens[p->at > 0 ? p->at - 1 : 0];
    st->end_position = last->position + (int32_t)last->length;
    *out = st;
    return ARM_OK;
}
