/*
 * Tests for the SQL lexer and parser (src/sql/lexer.c, parser_*.c): tree
 * shapes and precedence, literal typing, parameters, time travel syntax,
 * and errors with their byte positions.
 */
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "harness.h"
#include "sql/parser.h"

static arena *a;
static ast_script script;
static arm_error err;

static arm_status parse(const char *sql)
{
    arena_reset(a);
    arm_error_clear(&err);
    return parser_parse(&script, a, sql, &err);
}

/* The select list's first expression of the only statement. */
static const ast_expr *first_item(const char *sql)
{
    if (parse(sql) != ARM_OK) {
        fprintf(stderr, "parse failed: %s: %s\n", sql, err.message);
        return NULL;
    }
    return script.statements[0]->u.query->select->items[0].expr;
}

static void test_precedence(void)
{
    const ast_expr *e = first_item("SELECT a OR b AND c");
    CHECK(e && e->kind == AST_BINARY && strcmp(e->u.binary.op, "OR") == 0);
    CHECK(e && strcmp(e->u.binary.right->u.binary.op, "AND") == 0);
    e = first_item("SELECT NOT a = b");
    CHECK(e && e->kind == AST_UNARY && strcmp(e->u.unary.op, "NOT") == 0 &&
          e->u.unary.operand->kind == AST_BINARY);
    e = first_item("SELECT 1 + 2 * 3");
    CHECK(e && strcmp(e->u.binary.op, "+") == 0 &&
          strcmp(e->u.binary.right->u.binary.op, "*") == 0);
    e = first_item("SELECT a || b = c");
    CHECK(e && strcmp(e->u.binary.op, "=") == 0 &&
          strcmp(e->u.binary.left->u.binary.op, "||") == 0);
    e = first_item("SELECT -x::int");
    CHECK(e && e->kind == AST_UNARY && e->u.unary.operand->kind == AST_CAST);
    e = first_item("SELECT x NOT BETWEEN 1 AND 2 AND y");
    CHECK(e && strcmp(e->u.binary.op, "AND") == 0 && e->u.binary.left->kind == AST_BETWEEN &&
          e->u.binary.left->u.between.negated);
    e = first_item("SELECT a = b IS NULL");
    CHECK(e && e->kind == AST_IS_NULL && e->u.is.operand->kind == AST_BINARY);
}

static void test_literals_and_parameters(void)
{
    const ast_expr *e = first_item("SELECT 42");
    CHECK(e && e->u.literal.val.type.id == TYPE_BIGINT && e->u.literal.val.u.i64 == 42);
    e = first_item("SELECT 91.5");
    CHECK(e && e->u.literal.val.type.id == TYPE_DECIMAL && e->u.literal.val.type.precision == 3 &&
          e->u.literal.val.type.scale == 1 && e->u.literal.val.u.i64 == 915);
    e = first_item("SELECT 1e3");
    CHECK(e && e->u.literal.val.type.id == TYPE_DOUBLE && e->u.literal.val.u.f64 == 1000);
    e = first_item("SELECT 'it''s'");
    CHECK(e && e->u.literal.is_string && strcmp(e->u.literal.val.u.str.data, "it's") == 0);
    e = first_item("SELECT DATE '2026-11-22'");
    CHECK(e && e->kind == AST_CAST && e->u.cast.type.type.id == TYPE_DATE);
    e = first_item("SELECT INTERVAL '3' DAY");
    CHECK(e && e->kind == AST_CAST &&
          strcmp(e->u.cast.operand->u.literal.val.u.str.data, "3 day") == 0);
    CHECK_OK(parse("SELECT ?, ?, $7"), &err);
    CHECK_INT_EQ(script.parameter_count, 7);
    const ast_select *sel = script.statements[0]->u.query->select;
    CHECK_INT_EQ(sel->items[0].expr->u.parameter.index, 1);
    CHECK_INT_EQ(sel->items[1].expr->u.parameter.index, 2);
}

static void test_statements_and_time_travel(void)
{
    CHECK_OK(parse("CREATE TABLE t (id BIGINT PRIMARY KEY, n VARCHAR NOT NULL DEFAULT 'x'); "
                   "INSERT INTO t VALUES (1, DEFAULT); UPDATE t SET n = 'y'; DELETE FROM t; "
                   "EXPLAIN ANALYZE SELECT 1; SET threads = 2; SHOW threads; BEGIN; COMMIT"),
             &err);
    CHECK_INT_EQ(script.count, 9);
    CHECK_INT_EQ(script.statements[0]->kind, AST_STMT_CREATE_TABLE);
    CHECK(script.statements[0]->u.create_table.columns[0].primary_key);
    CHECK_STR_EQ(script.statements[0]->u.create_table.columns[1].default_sql, "'x'");
    CHECK_INT_EQ(script.statements[4]->kind, AST_STMT_EXPLAIN);
    CHECK(script.statements[4]->u.explain.analyze);
    CHECK_INT_EQ(script.statements[8]->kind, AST_STMT_COMMIT);
    CHECK_OK(parse("SELECT * FROM t VERSION 5 JOIN u AT (VERSION => 3) ON TRUE"), &err);
    const ast_table_ref *join = script.statements[0]->u.query->select->from;
    CHECK(join->kind == AST_TABLE_JOIN && join->u.join.left->u.table.travel.has_version &&
          join->u.join.left->u.table.travel.version == 5 &&
          join->u.join.right->u.table.travel.version == 3);
    CHECK_OK(parse("SELECT * FROM users@feature/x f"), &err);
    const ast_table_ref *t = script.statements[0]->u.query->select->from;
    CHECK_STR_EQ(t->u.table.travel.branch.name, "feature/x");
    CHECK_STR_EQ(t->alias.name, "f");
    CHECK_OK(parse("SELECT * FROM t AS OF TIMESTAMP '2026-11-20 10:00:00'"), &err);
    CHECK(script.statements[0]->u.query->select->from->u.table.travel.as_of_timestamp != NULL);
}

static void test_errors(void)
{
    CHECK(parse("SELECT * FORM t") == ARM_ERROR_SYNTAX);
    CHECK_STR_EQ(err.sqlstate, "42601");
    CHECK(strstr(err.message, "syntax error at or near") != NULL);
    CHECK(parse("SELECT 'abc") == ARM_ERROR_SYNTAX);
    CHECK_STR_EQ(err.message, "unterminated quoted string");
    CHECK_INT_EQ(err.position, 7);
    CHECK(parse("SELECT (1") == ARM_ERROR_SYNTAX);
    CHECK_STR_EQ(err.message, "syntax error at end of input");
    CHECK(parse("SELECT a, FROM t") == ARM_ERROR_SYNTAX);
    CHECK_INT_EQ(err.position, 10);
    CHECK(strstr(err.hint, "comma") != NULL);
    CHECK(parse("SELECT 1 == 1") == ARM_ERROR_SYNTAX);
    CHECK(parse("CREATE TABLE t (a NOSUCHTYPE)") == ARM_ERROR_NOT_FOUND);
    CHECK_STR_EQ(err.message, "type \"nosuchtype\" does not exist");
    CHECK(parse("CREATE TABLE t (a DECIMAL(50,2))") == ARM_ERROR_INVALID_INPUT);
    CHECK(parse("SELECT 1 /* open") == ARM_ERROR_SYNTAX);
    size_t depth = 10000;
    char *deep = malloc(depth * 2 + 16);
    strcpy(deep, "SELECT ");
    memset(deep + 7, '(', depth);
    strcpy(deep + 7 + depth, "1");
    memset(deep + 8 + depth, ')', depth);
    deep[8 + 2 * depth] = '\0';
    CHECK(parse(deep) == ARM_ERROR_SYNTAX);
    CHECK(strstr(err.message, "nested too deeply") != NULL);
    free(deep);
    CHECK_OK(parse(";;  -- only a comment\n"), &err);
    CHECK_INT_EQ(script.count, 0);
}

static void setup(void)
{
    a = arena_create(0, NULL);
}

static void teardown(void)
{
    arena_destroy(a);
}

TEST_MAIN(setup, test_precedence, test_literals_and_parameters, test_statements_and_time_travel,
          test_errors, teardown)
