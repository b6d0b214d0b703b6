/*
 * Tests for csv_reader (src/format): quoting with doubled quotes, embedded
 * delimiters and newlines (line numbers keep counting), CRLF, blank lines,
 * a byte order mark, empty and quoted-empty fields, an unterminated quote.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "format/csv_reader.h"
#include "harness.h"

static char path[64];

static csv_reader *open_text(const char *text, char delimiter)
{
    snprintf(path, sizeof path, "/tmp/arm_csv_test_%d.csv", (int)getpid());
    FILE *f = fopen(path, "wb");
    fwrite(text, 1, strlen(text), f);
    fclose(f);
    csv_reader *r = NULL;
    arm_error err;
    CHECK_OK(csv_reader_open(&r, path, delimiter, '"', &err), &err);
    return r;
}

static void expect_record(csv_reader *r, uint64_t line, uint32_t n, const char *const *texts)
{
    const csv_field *fields;
    uint32_t count;
    uint64_t at;
    arm_error err;
    CHECK_OK(csv_reader_next(r, &fields, &count, &at, &err), &err);
    CHECK_INT_EQ(count, n);
    CHECK_INT_EQ(at, line);
    for (uint32_t i = 0; i < n && i < count; i++) {
        char text[128];
        snprintf(text, sizeof text, "%.*s", (int)fields[i].length, fields[i].text);
        CHECK_STR_EQ(text, texts[i]);
    }
}

static void expect_end(csv_reader *r)
{
    const csv_field *fields;
    uint32_t count = 9;
    uint64_t at;
    arm_error err;
    CHECK_OK(csv_reader_next(r, &fields, &count, &at, &err), &err);
    CHECK_INT_EQ(count, 0);
}

static void test_quoting(void)
{
    csv_reader *r = open_text("\xEF\xBB\xBF"
                              "a,b,c\r\n"
                              "1,\"x, \"\"y\"\"\",\r\n"
                              "\n"
                              "2,\"multi\nline\",\"\"\n"
                              "3,last,z",
                              ',');
    expect_record(r, 1, 3, (const char *[]){"a", "b", "c"});
    expect_record(r, 2, 3, (const char *[]){"1", "x, \"y\"", ""});
    expect_record(r, 4, 3, (const char *[]){"2", "multi\nline", ""});
    expect_record(r, 6, 3, (const char *[]){"3", "last", "z"});
    expect_end(r);
    csv_reader_close(r);
}

static void test_quoted_empty_is_marked(void)
{
    csv_reader *r = open_text(",\"\"\n", ',');
    const csv_field *fields;
    uint32_t count;
    uint64_t line;
    arm_error err;
    CHECK_OK(csv_reader_next(r, &fields, &count, &line, &err), &err);
    CHECK_INT_EQ(count, 2);
    CHECK(!fields[0].quoted && fields[0].length == 0);
    CHECK(fields[1].quoted && fields[1].length == 0);
    csv_reader_close(r);
}

static void test_other_delimiter(void)
{
    csv_reader *r = open_text("a;b\tc;d\n", ';');
    expect_record(r, 1, 3, (const char *[]){"a", "b\tc", "d"});
    csv_reader_close(r);
}

static void test_unterminated_quote(void)
{
    csv_reader *r = open_text("1,ok\n2,\"never closed\n3,x\n", ',');
    expect_record(r, 1, 2, (const char *[]){"1", "ok"});
    const csv_field *fields;
    uint32_t count;
    uint64_t line;
    arm_error err;
    CHECK_INT_EQ(csv_reader_next(r, &fields, &count, &line, &err), ARM_ERROR_INVALID_INPUT);
    CHECK(strstr(err.message, "line 2") != NULL);
    csv_reader_close(r);
}

static void test_missing_file(void)
{
    csv_reader *r = NULL;
    arm_error err;
    CHECK_INT_EQ(csv_reader_open(&r, "/nonexistent/x.csv", ',', '"', &err), ARM_ERROR_IO);
    CHECK(strstr(err.message, "/nonexistent/x.csv") != NULL);
    unlink(path);
}

TEST_MAIN(test_quoting, test_quoted_empty_is_marked, test_other_delimiter, test_unterminated_quote,
          test_missing_file)
