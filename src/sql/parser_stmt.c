/*
 * parser_stmt.c: statements (DDL, DML, EXPLAIN, SET/SHOW, transactions) and
 * parser_parse, the entry point that splits a script on ';'.
 */
#include <string.h>

#include "sql/parser_internal.h"

static ast_stmt *new_stmt(parser *p, ast_stmt_kind kind, int32_t position)
{
    ast_stmt *st = parser_alloc(p, sizeof *st);
    if (st != NULL) {
        st->kind = kind;
        st->position = position;
    }
    return st;
}

/* The source text of tokens [from, p->at), copied. */
static const char *text_since(parser *p, uint32_t from_token)
{
    int32_t start = p->tokens[from_token].position;
    const token *last = &p->tokens[p->at > from_token ? p->at - 1 : from_token];
    int32_t end = last->position + (int32_t)last->length;
    return arena_strndup(p->a, p->sql + start, (size_t)(end > start ? end - start : 0));
}

static bool if_not_exists(parser *p)
{
    if (token_is_keyword(peek(p), "if") && token_is_keyword(peek_at(p, 1), "not") &&
        token_is_keyword(peek_at(p, 2), "exists")) {
        p->at += 3;
        return true;
    }
    return false;
}

static arm_status parse_column_def(parser *p, ast_column_def *col)
{
    arm_status s = parse_ident(p, &col->name);
    if (s != ARM_OK || (s = parse_type(p, &col->type)) != ARM_OK)
        return s;
    for (;;) {
        if (accept_keyword(p, "not")) {
            if ((s = expect_keyword(p, "null")) != ARM_OK)
                return s;
            col->not_null = true;
        } else if (accept_keyword(p, "null")) {
        } else if (accept_keyword(p, "primary")) {
            if ((s = expect_keyword(p, "key")) != ARM_OK)
                return s;
            col->primary_key = true;
        } else if (accept_keyword(p, "unique")) {
            col->unique = true;
        } else if (accept_keyword(p, "default")) {
            uint32_t from = p->at;
            if ((s = parse_expr(p, &col->default_expr)) != ARM_OK)
                return s;
            if ((col->default_sql = text_since(p, from)) == NULL)
                return error_out_of_memory(p->err);
        } else if (token_is_keyword(peek(p), "references") || token_is_keyword(peek(p), "check")) {
            error_set(p->err, ARM_ERROR_NOT_SUPPORTED, "0A000", peek(p)->position,
                      "%s constraints are not supported yet", peek(p)->text);
            return ARM_ERROR_NOT_SUPPORTED;
        } else {
            return ARM_OK;
        }
    }
}

static arm_status parse_create_table(parser *p, ast_stmt *st, bool or_replace)
{
    st->kind = AST_STMT_CREATE_TABLE;
    st->u.create_table.or_replace = or_replace;
    st->u.create_table.if_not_exists = if_not_exists(p);
    arm_status s = parse_name(p, &st->u.create_table.name);
    if (s != ARM_OK)
        return s;
    if (accept_keyword(p, "as"))
        return parse_query(p, &st->u.create_table.as_query);
    if ((s = expect_symbol(p, "(")) != ARM_OK)
        return s;
    uint32_t capacity = 0;
    do {
        if (accept_keyword(p, "primary")) {
            if ((s = expect_keyword(p, "key")) != ARM_OK || (s = expect_symbol(p, "(")) != ARM_OK)
                return s;
            uint32_t key_capacity = 0;
            do {
                st->u.create_table.primary_key = parser_push(p, st->u.create_table.primary_key,
                                                             &st->u.create_table.primary_key_count,
                                                             &key_capacity, sizeof(ast_ident));
                if (st->u.create_table.primary_key == NULL)
                    return ARM_ERROR_OUT_OF_MEMORY;
                if ((s = parse_ident(
                         p, &st->u.create_table
                                 .primary_key[st->u.create_table.primary_key_count - 1])) != ARM_OK)
                    return s;
            } while (accept_symbol(p, ","));
            if ((s = expect_symbol(p, ")")) != ARM_OK)
                return s;
            continue;
        }
        st->u.create_table.columns =
            parser_push(p, st->u.create_table.columns, &st->u.create_table.column_count, &capacity,
                        sizeof(ast_column_def));
        if (st->u.create_table.columns == NULL)
            return ARM_ERROR_OUT_OF_MEMORY;
        if ((s = parse_column_def(
                 p, &st->u.create_table.columns[st->u.create_table.column_count - 1])) != ARM_OK)
            return s;
    } while (accept_symbol(p, ","));
    return expect_symbol(p, ")");
}

static arm_status parse_create(parser *p, ast_stmt *st)
{
    bool or_replace = false;
    if (accept_keyword(p, "or")) {
        arm_status s = expect_keyword(p, "replace");
        if (s != ARM_OK)
            return s;
        or_replace = true;
    }
    if (accept_keyword(p, "table"))
        return parse_create_table(p, st, or_replace);
    if (!accept_keyword(p, "view"))
        return parser_error(p, "Expected TABLE or VIEW after CREATE.");
    st->kind = AST_STMT_CREATE_VIEW;
    st->u.create_view.or_replace = or_replace;
    st->u.create_view.if_not_exists = if_not_exists(p);
    arm_status s = parse_name(p, &st->u.create_view.name);
    if (s != ARM_OK)
        return s;
    if (accept_symbol(p, "(")) {
        uint32_t capacity = 0;
        do {
            st->u.create_view.column_names =
                parser_push(p, st->u.create_view.column_names, &st->u.create_view.column_name_count,
                            &capacity, sizeof(ast_ident));
            if (st->u.create_view.column_names == NULL)
                return ARM_ERROR_OUT_OF_MEMORY;
            if ((s = parse_ident(
                     p,
                     &st->u.create_view.column_names[st->u.create_view.column_name_count - 1])) !=
                ARM_OK)
                return s;
        } while (accept_symbol(p, ","));
        if ((s = expect_symbol(p, ")")) != ARM_OK)
            return s;
    }
    if ((s = expect_keyword(p, "as")) != ARM_OK)
        return s;
    uint32_t from = p->at;
    if ((s = parse_query(p, &st->u.create_view.query)) != ARM_OK)
        return s;
    st->u.create_view.query_sql = text_since(p, from);
    return st->u.create_view.query_sql ? ARM_OK : error_out_of_memory(p->err);
}

static arm_status parse_drop(parser *p, ast_stmt *st)
{
    st->kind = AST_STMT_DROP;
    if (accept_keyword(p, "table"))
        st->u.drop.object = AST_OBJECT_TABLE;
    else if (accept_keyword(p, "view"))
        st->u.drop.object = AST_OBJECT_VIEW;
    else
        return parser_error(p, "Expected TABLE or VIEW after DROP.");
    if (token_is_keyword(peek(p), "if") && token_is_keyword(peek_at(p, 1), "exists")) {
        p->at += 2;
        st->u.drop.if_exists = true;
    }
    arm_status s = parse_name(p, &st->u.drop.name);
    if (s == ARM_OK && !accept_keyword(p, "cascade"))
        accept_keyword(p, "restrict");
    else if (s == ARM_OK)
        st->u.drop.cascade = true;
    return s;
}

static arm_status parse_insert(parser *p, ast_stmt *st)
{
    st->kind = AST_STMT_INSERT;
    arm_status s = expect_keyword(p, "into");
    if (s != ARM_OK || (s = parse_name(p, &st->u.insert.table)) != ARM_OK)
        return s;
    if (token_is_symbol(peek(p), "(") &&
        !(token_is_keyword(peek_at(p, 1), "select") || token_is_keyword(peek_at(p, 1), "with") ||
          token_is_keyword(peek_at(p, 1), "values"))) {
        advance(p);
        uint32_t capacity = 0;
        do {
            st->u.insert.columns = parser_push(p, st->u.insert.columns, &st->u.insert.column_count,
                                               &capacity, sizeof(ast_ident));
            if (st->u.insert.columns == NULL)
                return ARM_ERROR_OUT_OF_MEMORY;
            if ((s = parse_ident(p, &st->u.insert.columns[st->u.insert.column_count - 1])) !=
                ARM_OK)
                return s;
        } while (accept_symbol(p, ","));
        if ((s = expect_symbol(p, ")")) != ARM_OK)
            return s;
    }
    if (accept_keyword(p, "default")) {
        st->u.insert.default_values = true;
        return expect_keyword(p, "values");
    }
    return parse_query(p, &st->u.insert.query);
}

static arm_status parse_update(parser *p, ast_stmt *st)
{
    st->kind = AST_STMT_UPDATE;
    arm_status s = parse_name(p, &st->u.update.table);
    if (s != ARM_OK)
        return s;
    if (accept_keyword(p, "as") ||
        (peek(p)->kind == TOKEN_IDENT && !token_is_keyword(peek(p), "set")))
        if ((s = parse_ident(p, &st->u.update.alias)) != ARM_OK)
            return s;
    if ((s = expect_keyword(p, "set")) != ARM_OK)
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
    if (accept_keyword(p, "from")) {
        error_set(p->err, ARM_ERROR_NOT_SUPPORTED, "0A000", p->tokens[p->at - 1].position,
                  "UPDATE ... FROM is not supported yet");
        return ARM_ERROR_NOT_SUPPORTED;
    }
    if (accept_keyword(p, "where"))
        return parse_expr(p, &st->u.update.where);
    return ARM_OK;
}

static arm_status parse_delete(parser *p, ast_stmt *st)
{
    st->kind = AST_STMT_DELETE;
    arm_status s = expect_keyword(p, "from");
    if (s != ARM_OK || (s = parse_name(p, &st->u.delete_.table)) != ARM_OK)
        return s;
    if (accept_keyword(p, "as") ||
        (peek(p)->kind == TOKEN_IDENT && !token_is_keyword(peek(p), "where")))
        if ((s = parse_ident(p, &st->u.delete_.alias)) != ARM_OK)
            return s;
    if (accept_keyword(p, "where"))
        return parse_expr(p, &st->u.delete_.where);
    return ARM_OK;
}

static arm_status parse_set(parser *p, ast_stmt *st, bool is_reset)
{
    st->kind = AST_STMT_SET;
    accept_keyword(p, "session");
    arm_status s = parse_ident(p, &st->u.set.name);
    if (s != ARM_OK || is_reset)
        return s;
    if (!accept_symbol(p, "=") && (s = expect_keyword(p, "to")) != ARM_OK)
        return s;
    if (accept_keyword(p, "default"))
        return ARM_OK;
    return parse_expr(p, &st->u.set.value);
}

static arm_status parse_show(parser *p, ast_stmt *st)
{
    st->kind = AST_STMT_SHOW;
    if (accept_keyword(p, "all"))
        return ARM_OK;
    if (peek(p)->kind == TOKEN_IDENT && strcasecmp(peek(p)->text, "tables") == 0) {
        st->u.show.name.name = "tables";
        st->u.show.name.position = advance(p)->position;
        return ARM_OK;
    }
    return parse_ident(p, &st->u.show.name);
}

arm_status parse_statement(parser *p, ast_stmt **out)
{
    const token *t = peek(p);
    ast_stmt *st = new_stmt(p, AST_STMT_SELECT, t->position);
    if (st == NULL)
        return ARM_ERROR_OUT_OF_MEMORY;
    arm_status s;
    if (token_is_keyword(t, "select") || token_is_keyword(t, "with") ||
        token_is_keyword(t, "values") || token_is_symbol(t, "(")) {
        s = parse_query(p, &st->u.query);
    } else if (accept_keyword(p, "create")) {
        s = parse_create(p, st);
    } else if (accept_keyword(p, "drop")) {
        s = parse_drop(p, st);
    } else if (accept_keyword(p, "insert")) {
        s = parse_insert(p, st);
    } else if (accept_keyword(p, "update")) {
        s = parse_update(p, st);
    } else if (accept_keyword(p, "delete")) {
        s = parse_delete(p, st);
    } else if (accept_keyword(p, "explain")) {
        st->kind = AST_STMT_EXPLAIN;
        st->u.explain.analyze = accept_keyword(p, "analyze");
        s = parse_statement(p, &st->u.explain.statement);
    } else if (accept_keyword(p, "set")) {
        s = parse_set(p, st, false);
    } else if (accept_keyword(p, "reset")) {
        s = parse_set(p, st, true);
    } else if (accept_keyword(p, "show")) {
        s = parse_show(p, st);
    } else if (accept_keyword(p, "begin") || accept_keyword(p, "start")) {
        st->kind = AST_STMT_BEGIN;
        if (!accept_keyword(p, "transaction"))
            accept_keyword(p, "work");
        s = ARM_OK;
    } else if (accept_keyword(p, "commit") || accept_keyword(p, "end")) {
        st->kind = AST_STMT_COMMIT;
        if (!accept_keyword(p, "transaction"))
            accept_keyword(p, "work");
        if (accept_keyword(p, "message") || peek(p)->kind == TOKEN_STRING) {
            if (peek(p)->kind != TOKEN_STRING)
                return parser_error(p, "Expected the commit message as a string.");
            st->u.commit.message = advance(p)->text;
        }
        s = ARM_OK;
    } else if (accept_keyword(p, "rollback") || accept_keyword(p, "abort")) {
        st->kind = AST_STMT_ROLLBACK;
        if (!accept_keyword(p, "transaction"))
            accept_keyword(p, "work");
        s = ARM_OK;
    } else {
        return parser_error(p, NULL);
    }
    if (s != ARM_OK)
        return s;
    const token *last = &p->tokens[p->at > 0 ? p->at - 1 : 0];
    st->end_position = last->position + (int32_t)last->length;
    *out = st;
    return ARM_OK;
}

arm_status parser_parse(ast_script *out, arena *a, const char *sql, arm_error *err)
{
    memset(out, 0, sizeof *out);
    token_list tokens;
    arm_status s = lexer_tokenize(&tokens, a, sql, err);
    if (s != ARM_OK)
        return s;
    parser p = {a, sql, tokens.tokens, tokens.count, 0, 0, 0, 0, err};
    uint32_t capacity = 0;
    for (;;) {
        while (accept_symbol(&p, ";")) {
        }
        if (peek(&p)->kind == TOKEN_END)
            break;
        out->statements =
            parser_push(&p, out->statements, &out->count, &capacity, sizeof *out->statements);
        if (out->statements == NULL)
            return ARM_ERROR_OUT_OF_MEMORY;
        if ((s = parse_statement(&p, &out->statements[out->count - 1])) != ARM_OK)
            return s;
        if (!token_is_symbol(peek(&p), ";") && peek(&p)->kind != TOKEN_END) {
            const token *t = peek(&p);
            if (t->kind == TOKEN_SYMBOL && strcmp(t->text, ",") == 0)
                return parser_error(&p, NULL);
            return parser_error(&p, token_is_keyword(t, "form") ? "Did you mean FROM?" : NULL);
        }
    }
    out->parameter_count = p.max_parameter;
    return ARM_OK;
}
