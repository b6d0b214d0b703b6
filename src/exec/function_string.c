/*
 * function_string.c: string functions and LIKE/ILIKE. A constant LIKE
 * pattern is compiled once at bind time into a fast form (exact, prefix,
 * suffix, contains via memmem) or kept for the general matcher.
 */
#define _GNU_SOURCE
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "exec/function_internal.h"

static inline string_view str_at(const vector *v, uint32_t row)
{
    return ((const string_view *)v->data)[row & arg_mask(v)];
}

static inline int64_t i64_at(const vector *v, uint32_t row)
{
    row &= arg_mask(v);
    switch (v->type.id) {
    case TYPE_INTEGER: return ((const int32_t *)v->data)[row];
    case TYPE_SMALLINT: return ((const int16_t *)v->data)[row];
    case TYPE_TINYINT: return ((const int8_t *)v->data)[row];
    default: return ((const int64_t *)v->data)[row];
    }
}

static inline arm_status emit(vector *result, uint32_t row, const char *data, size_t length,
                              arm_error *err)
{
    return vector_add_string(result, data, (uint32_t)length, &((string_view *)result->data)[row],
                             err);
}

/* Number of UTF-8 characters. */
static int64_t utf8_length(const char *s, uint32_t n)
{
    int64_t count = 0;
    for (uint32_t i = 0; i < n; i++)
        count += ((unsigned char)s[i] & 0xC0) != 0x80;
    return count;
}

/* Byte offset of character `index` (0-based), clamped to n. */
static uint32_t utf8_offset(const char *s, uint32_t n, int64_t index)
{
    uint32_t i = 0;
    while (i < n && index > 0) {
        i++;
        while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
        index--;
    }
    return i;
}

static arm_status fn_length(KERNEL_ARGS)
{
    (void)call;
    arm_status s = prepare_result(result, T_I64, sel, count, err);
    int64_t *r = result->data;
    for (uint32_t i = 0; s == ARM_OK && i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        string_view v = str_at(args[0], row);
        r[row] = utf8_length(string_view_data(&v), v.length);
    }
    return s;
}

static arm_status fn_octet_length(KERNEL_ARGS)
{
    (void)call;
    arm_status s = prepare_result(result, T_I64, sel, count, err);
    int64_t *r = result->data;
    for (uint32_t i = 0; s == ARM_OK && i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        r[row] = str_at(args[0], row).length;
    }
    return s;
}

/*
 * Case mapping of two-byte UTF-8 letters whose other case is also two bytes:
 * Latin-1, Latin Extended-A, Greek and Cyrillic (what towupper/towlower do
 * there). Other characters are kept as they are.
 */
static uint32_t map_case_codepoint(uint32_t c, bool to_upper)
{
    bool is_upper;
    uint32_t other;
    if ((c >= 0xC0 && c <= 0xDE && c != 0xD7) || (c >= 0xE0 && c <= 0xFE && c != 0xF7)) {
        is_upper = c < 0xE0;
        other = is_upper ? c + 0x20 : c - 0x20;
    } else if (c == 0xFF || c == 0x178) {
        is_upper = c == 0x178;
        other = is_upper ? 0xFF : 0x178;
    } else if ((c >= 0x100 && c <= 0x137 && c != 0x130 && c != 0x131) ||
               (c >= 0x14A && c <= 0x177) || (c >= 0x460 && c <= 0x481) ||
               (c >= 0x48A && c <= 0x4BF)) {
        is_upper = (c & 1) == 0;
        other = c ^ 1;
    } else if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) {
        is_upper = (c & 1) == 1;
        other = is_upper ? c + 1 : c - 1;
    } else if ((c >= 0x391 && c <= 0x3A9 && c != 0x3A2) || (c >= 0x410 && c <= 0x42F)) {
        is_upper = true;
        other = c + 0x20;
    } else if ((c >= 0x3B1 && c <= 0x3C9 && c != 0x3C2) || (c >= 0x430 && c <= 0x44F)) {
        is_upper = false;
        other = c - 0x20;
    } else if (c == 0x3C2) {
        is_upper = false;
        other = 0x3A3;
    } else if (c >= 0x400 && c <= 0x40F) {
        is_upper = true;
        other = c + 0x50;
    } else if (c >= 0x450 && c <= 0x45F) {
        is_upper = false;
        other = c - 0x50;
    } else {
        return c;
    }
    return is_upper != to_upper ? other : c;
}

/* Copies `n` bytes of `src` to `dst` with letters mapped to one case; same length. */
static void map_case(const char *src, uint32_t n, char *dst, bool to_upper)
{
    for (uint32_t k = 0; k < n; k++) {
        unsigned char c = (unsigned char)src[k];
        if (c < 0x80) {
            bool flip = to_upper ? (c >= 'a' && c <= 'z') : (c >= 'A' && c <= 'Z');
            dst[k] = (char)(flip ? c ^ 0x20 : c);
        } else if ((c & 0xE0) == 0xC0 && k + 1 < n && ((unsigned char)src[k + 1] & 0xC0) == 0x80) {
            uint32_t cp = ((uint32_t)(c & 0x1F) << 6) | ((unsigned char)src[k + 1] & 0x3F);
            uint32_t mapped = map_case_codepoint(cp, to_upper);
            dst[k] = (char)(0xC0 | (mapped >> 6));
            dst[k + 1] = (char)(0x80 | (mapped & 0x3F));
            k++;
        } else {
            dst[k] = (char)c;
        }
    }
}

static arm_status map_strings_case(vector *const *args, const uint32_t *sel, uint32_t count,
                                   vector *result, arm_error *err, bool to_upper)
{
    arm_status s = prepare_result(result, args[0]->type, sel, count, err);
    char small[256];
    for (uint32_t i = 0; s == ARM_OK && i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        string_view v = str_at(args[0], row);
        char *buf = v.length <= sizeof small ? small : malloc(v.length);
        if (buf == NULL)
            return error_out_of_memory(err);
        map_case(string_view_data(&v), v.length, buf, to_upper);
        s = emit(result, row, buf, v.length, err);
        if (buf != small)
            free(buf);
    }
    return s;
}

static arm_status fn_lower(KERNEL_ARGS)
{
    (void)call;
    return map_strings_case(args, sel, count, result, err, false);
}

static arm_status fn_upper(KERNEL_ARGS)
{
    (void)call;
    return map_strings_case(args, sel, count, result, err, true);
}

static arm_status fn_reverse(KERNEL_ARGS)
{
    (void)call;
    arm_status s = prepare_result(result, T_STR, sel, count, err);
    for (uint32_t i = 0; s == ARM_OK && i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        string_view v = str_at(args[0], row);
        const char *src = string_view_data(&v);
        char *buf = malloc(v.length + 1);
        if (buf == NULL)
            return error_out_of_memory(err);
        /* Reverse characters, keeping each UTF-8 sequence intact. */
        uint32_t out = v.length;
        for (uint32_t k = 0; k < v.length;) {
            uint32_t end = k + 1;
            while (end < v.length && ((unsigned char)src[end] & 0xC0) == 0x80)
                end++;
            out -= end - k;
            memcpy(buf + out, src + k, end - k);
            k = end;
        }
        s = emit(result, row, buf, v.length, err);
        free(buf);
    }
    return s;
}

/* substring(s, start [, length]) with PostgreSQL's 1-based rules. */
static arm_status fn_substring(KERNEL_ARGS)
{
    arm_status s = prepare_result(result, T_STR, sel, count, err);
    bool has_length = call->u.function.arg_count == 3;
    for (uint32_t i = 0; s == ARM_OK && i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        string_view v = str_at(args[0], row);
        const char *src = string_view_data(&v);
        int64_t start = i64_at(args[1], row);
        int64_t end = INT64_MAX;
        if (has_length) {
            int64_t length = i64_at(args[2], row);
            if (length < 0)
                return error_set(err, ARM_ERROR_INVALID_INPUT, "22011", call->position,
                                 "negative substring length not allowed");
            end = start + length;
            if (end < start)
                end = INT64_MAX;
        }
        if (start < 1)
            start = 1;
        if (end <= start) {
            s = emit(result, row, "", 0, err);
            continue;
        }
        uint32_t from = utf8_offset(src, v.length, start - 1);
        uint32_t to = end == INT64_MAX ? v.length : utf8_offset(src, v.length, end - 1);
        s = emit(result, row, src + from, to - from, err);
    }
    return s;
}

static arm_status fn_left_right(KERNEL_ARGS, bool is_left)
{
    (void)call;
    arm_status s = prepare_result(result, T_STR, sel, count, err);
    for (uint32_t i = 0; s == ARM_OK && i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        string_view v = str_at(args[0], row);
        const char *src = string_view_data(&v);
        int64_t n = i64_at(args[1], row), chars = utf8_length(src, v.length);
        int64_t keep = n >= 0 ? (n < chars ? n : chars) : (chars + n > 0 ? chars + n : 0);
        uint32_t from = is_left ? 0 : utf8_offset(src, v.length, chars - keep);
        uint32_t to = is_left ? utf8_offset(src, v.length, keep) : v.length;
        s = emit(result, row, src + from, to - from, err);
    }
    return s;
}

static arm_status fn_left(KERNEL_ARGS)
{
    return fn_left_right(call, args, sel, count, result, err, true);
}

static arm_status fn_right(KERNEL_ARGS)
{
    return fn_left_right(call, args, sel, count, result, err, false);
}

static bool in_set(char c, const char *set, uint32_t n)
{
    return memchr(set, c, n) != NULL;
}

static arm_status trim_kernel(KERNEL_ARGS, bool left, bool right)
{
    arm_status s = prepare_result(result, T_STR, sel, count, err);
    bool has_chars = call->u.function.arg_count == 2;
    for (uint32_t i = 0; s == ARM_OK && i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        string_view v = str_at(args[0], row);
        const char *src = string_view_data(&v);
        string_view chars_view = has_chars ? str_at(args[1], row) : string_view_make(" ", 1);
        const char *chars = string_view_data(&chars_view);
        uint32_t from = 0, to = v.length;
        while (left && from < to && in_set(src[from], chars, chars_view.length))
            from++;
        while (right && to > from && in_set(src[to - 1], chars, chars_view.length))
            to--;
        s = emit(result, row, src + from, to - from, err);
    }
    return s;
}

static arm_status fn_trim(KERNEL_ARGS)
{
    return trim_kernel(call, args, sel, count, result, err, true, true);
}
static arm_status fn_ltrim(KERNEL_ARGS)
{
    return trim_kernel(call, args, sel, count, result, err, true, false);
}
static arm_status fn_rtrim(KERNEL_ARGS)
{
    return trim_kernel(call, args, sel, count, result, err, false, true);
}

/* A growable scratch string for building results. */
typedef struct scratch {
    char *data;
    size_t length;
    size_t capacity;
} scratch;

static bool scratch_add(scratch *b, const char *data, size_t n)
{
    if (b->length + n > b->capacity) {
        size_t capacity = (b->length + n) * 2 + 64;
        char *grown = realloc(b->data, capacity);
        if (grown == NULL)
            return false;
        b->data = grown;
        b->capacity = capacity;
    }
    memcpy(b->data + b->length, data, n);
    b->length += n;
    return true;
}

static arm_status fn_replace(KERNEL_ARGS)
{
    (void)call;
    arm_status s = prepare_result(result, T_STR, sel, count, err);
    scratch b = {0};
    for (uint32_t i = 0; s == ARM_OK && i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        string_view v = str_at(args[0], row), from = str_at(args[1], row),
                    to = str_at(args[2], row);
        const char *src = string_view_data(&v), *needle = string_view_data(&from);
        b.length = 0;
        if (from.length == 0) {
            s = emit(result, row, src, v.length, err);
            continue;
        }
        uint32_t at = 0;
        while (at < v.length) {
            const char *hit = memmem(src + at, v.length - at, needle, from.length);
            if (hit == NULL)
                break;
            if (!scratch_add(&b, src + at, (size_t)(hit - (src + at))) ||
                !scratch_add(&b, string_view_data(&to), to.length)) {
                free(b.data);
                return error_out_of_memory(err);
            }
            at = (uint32_t)(hit - src) + from.length;
        }
        if (!scratch_add(&b, src + at, v.length - at)) {
            free(b.data);
            return error_out_of_memory(err);
        }
        s = emit(result, row, b.data, b.length, err);
    }
    free(b.data);
    return s;
}

/* concat(...): NULL arguments are skipped (FUNCTION_SPECIAL_NULLS). */
static arm_status fn_concat(KERNEL_ARGS)
{
    arm_status s = prepare_result(result, T_STR, sel, count, err);
    scratch b = {0};
    uint32_t n = call->u.function.arg_count;
    for (uint32_t i = 0; s == ARM_OK && i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        b.length = 0;
        for (uint32_t k = 0; k < n; k++) {
            if (!vector_is_valid(args[k], row))
                continue;
            string_view v = str_at(args[k], row);
            if (!scratch_add(&b, string_view_data(&v), v.length)) {
                free(b.data);
                return error_out_of_memory(err);
            }
        }
        s = emit(result, row, b.data ? b.data : "", b.length, err);
    }
    free(b.data);
    return s;
}

/* concat_ws(separator, ...): NULL values are skipped; a NULL separator gives NULL. */
static arm_status fn_concat_ws(KERNEL_ARGS)
{
    arm_status s = prepare_result(result, T_STR, sel, count, err);
    scratch b = {0};
    uint32_t n = call->u.function.arg_count;
    for (uint32_t i = 0; s == ARM_OK && i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        if (!vector_is_valid(args[0], row)) {
            if ((s = vector_ensure_validity(result, err)) == ARM_OK)
                vector_set_null(result, row);
            continue;
        }
        string_view sep = str_at(args[0], row);
        b.length = 0;
        bool first = true;
        for (uint32_t k = 1; k < n; k++) {
            if (!vector_is_valid(args[k], row))
                continue;
            string_view v = str_at(args[k], row);
            if ((!first && !scratch_add(&b, string_view_data(&sep), sep.length)) ||
                !scratch_add(&b, string_view_data(&v), v.length)) {
                free(b.data);
                return error_out_of_memory(err);
            }
            first = false;
        }
        if (result->validity)
            vector_set_valid(result, row);
        s = emit(result, row, b.data ? b.data : "", b.length, err);
    }
    free(b.data);
    return s;
}

static arm_status fn_initcap(KERNEL_ARGS)
{
    (void)call;
    arm_status s = prepare_result(result, T_STR, sel, count, err);
    scratch b = {0};
    for (uint32_t i = 0; s == ARM_OK && i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        string_view v = str_at(args[0], row);
        const char *src = string_view_data(&v);
        b.length = 0;
        bool word_start = true;
        for (uint32_t k = 0; k < v.length; k++) {
            char c = src[k];
            bool alnum = isalnum((unsigned char)c);
            char out =
                (char)(alnum ? (word_start ? toupper((unsigned char)c) : tolower((unsigned char)c))
                             : c);
            if (!scratch_add(&b, &out, 1)) {
                free(b.data);
                return error_out_of_memory(err);
            }
            word_start = !alnum;
        }
        s = emit(result, row, b.data ? b.data : "", b.length, err);
    }
    free(b.data);
    return s;
}

static arm_status fn_ascii(KERNEL_ARGS)
{
    (void)call;
    arm_status s = prepare_result(result, T_I32, sel, count, err);
    for (uint32_t i = 0; s == ARM_OK && i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        string_view v = str_at(args[0], row);
        ((int32_t *)result->data)[row] = v.length ? (unsigned char)string_view_data(&v)[0] : 0;
    }
    return s;
}

static arm_status fn_chr(KERNEL_ARGS)
{
    arm_status s = prepare_result(result, T_STR, sel, count, err);
    for (uint32_t i = 0; s == ARM_OK && i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        int64_t code = i64_at(args[0], row);
        char buf[4];
        size_t n;
        if (code <= 0 || code > 0x10FFFF)
            return error_set(err, ARM_ERROR_OUT_OF_RANGE, "54000", call->position,
                             "requested character too large for encoding: %lld", (long long)code);
        if (code < 0x80) {
            buf[0] = (char)code;
            n = 1;
        } else if (code < 0x800) {
            buf[0] = (char)(0xC0 | (code >> 6));
            buf[1] = (char)(0x80 | (code & 0x3F));
            n = 2;
        } else if (code < 0x10000) {
            buf[0] = (char)(0xE0 | (code >> 12));
            buf[1] = (char)(0x80 | ((code >> 6) & 0x3F));
            buf[2] = (char)(0x80 | (code & 0x3F));
            n = 3;
        } else {
            buf[0] = (char)(0xF0 | (code >> 18));
            buf[1] = (char)(0x80 | ((code >> 12) & 0x3F));
            buf[2] = (char)(0x80 | ((code >> 6) & 0x3F));
            buf[3] = (char)(0x80 | (code & 0x3F));
            n = 4;
        }
        s = emit(result, row, buf, n, err);
    }
    return s;
}

/* a || b: NULL if either is NULL (the generic NULL handling does that). */
static arm_status fn_concat_op(KERNEL_ARGS)
{
    (void)call;
    arm_status s = prepare_result(result, args[0]->type, sel, count, err);
    scratch b = {0};
    for (uint32_t i = 0; s == ARM_OK && i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        string_view x = str_at(args[0], row), y = str_at(args[1], row);
        b.length = 0;
        if (!scratch_add(&b, string_view_data(&x), x.length) ||
            !scratch_add(&b, string_view_data(&y), y.length)) {
            free(b.data);
            return error_out_of_memory(err);
        }
        s = emit(result, row, b.data ? b.data : "", b.length, err);
    }
    free(b.data);
    return s;
}

static arm_status fn_strpos(KERNEL_ARGS)
{
    (void)call;
    arm_status s = prepare_result(result, T_I64, sel, count, err);
    int64_t *r = result->data;
    for (uint32_t i = 0; s == ARM_OK && i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        string_view h = str_at(args[0], row), n = str_at(args[1], row);
        const char *hay = string_view_data(&h);
        const char *hit =
            n.length == 0 ? hay : memmem(hay, h.length, string_view_data(&n), n.length);
        r[row] = hit ? utf8_length(hay, (uint32_t)(hit - hay)) + 1 : 0;
    }
    return s;
}

static arm_status fn_starts_with(KERNEL_ARGS)
{
    (void)call;
    arm_status s = prepare_result(result, T_BOOL, sel, count, err);
    uint8_t *r = result->data;
    for (uint32_t i = 0; s == ARM_OK && i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        string_view h = str_at(args[0], row), n = str_at(args[1], row);
        r[row] = n.length <= h.length &&
                 memcmp(string_view_data(&h), string_view_data(&n), n.length) == 0;
    }
    return s;
}

static arm_status fn_contains(KERNEL_ARGS)
{
    (void)call;
    arm_status s = prepare_result(result, T_BOOL, sel, count, err);
    uint8_t *r = result->data;
    for (uint32_t i = 0; s == ARM_OK && i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        string_view h = str_at(args[0], row), n = str_at(args[1], row);
        r[row] = n.length == 0 ||
                 memmem(string_view_data(&h), h.length, string_view_data(&n), n.length) != NULL;
    }
    return s;
}

static arm_status fn_repeat(KERNEL_ARGS)
{
    arm_status s = prepare_result(result, T_STR, sel, count, err);
    scratch b = {0};
    for (uint32_t i = 0; s == ARM_OK && i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        string_view v = str_at(args[0], row);
        int64_t times = i64_at(args[1], row);
        if (times > 0 && (uint64_t)times * v.length > (1u << 28))
            return error_set(err, ARM_ERROR_OUT_OF_RANGE, "54000", call->position,
                             "requested length too large");
        b.length = 0;
        for (int64_t k = 0; k < times; k++) {
            if (!scratch_add(&b, string_view_data(&v), v.length)) {
                free(b.data);
                return error_out_of_memory(err);
            }
        }
        s = emit(result, row, b.data ? b.data : "", b.length, err);
    }
    free(b.data);
    return s;
}

static arm_status pad_kernel(KERNEL_ARGS, bool left)
{
    arm_status s = prepare_result(result, T_STR, sel, count, err);
    scratch b = {0};
    bool has_fill = call->u.function.arg_count == 3;
    for (uint32_t i = 0; s == ARM_OK && i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        string_view v = str_at(args[0], row);
        const char *src = string_view_data(&v);
        int64_t target = i64_at(args[1], row);
        string_view fill = has_fill ? str_at(args[2], row) : string_view_make(" ", 1);
        if (target > (1 << 24))
            return error_set(err, ARM_ERROR_OUT_OF_RANGE, "54000", call->position,
                             "requested length too large");
        int64_t chars = utf8_length(src, v.length);
        b.length = 0;
        if (target <= chars) {
            uint32_t keep = utf8_offset(src, v.length, target < 0 ? 0 : target);
            s = emit(result, row, src, keep, err);
            continue;
        }
        bool ok = true;
        if (!left)
            ok = scratch_add(&b, src, v.length);
        for (int64_t k = 0; ok && fill.length > 0 && k < target - chars; k++)
            ok = scratch_add(&b, string_view_data(&fill) + k % fill.length, 1);
        if (ok && left)
            ok = scratch_add(&b, src, v.length);
        if (!ok) {
            free(b.data);
            return error_out_of_memory(err);
        }
        s = emit(result, row, b.data ? b.data : "", b.length, err);
    }
    free(b.data);
    return s;
}

static arm_status fn_lpad(KERNEL_ARGS)
{
    return pad_kernel(call, args, sel, count, result, err, true);
}
static arm_status fn_rpad(KERNEL_ARGS)
{
    return pad_kernel(call, args, sel, count, result, err, false);
}

static arm_status fn_split_part(KERNEL_ARGS)
{
    arm_status s = prepare_result(result, T_STR, sel, count, err);
    for (uint32_t i = 0; s == ARM_OK && i < count; i++) {
        uint32_t row = sel ? sel[i] : i;
        string_view v = str_at(args[0], row), d = str_at(args[1], row);
        int64_t field = i64_at(args[2], row);
        const char *src = string_view_data(&v), *delim = string_view_data(&d);
        if (field == 0)
            return error_set(err, ARM_ERROR_INVALID_INPUT, "22023", call->position,
                             "field position must not be zero");
        /* Collect field boundaries. */
        uint32_t starts[1024], ends[1024], n = 0, at = 0;
        while (n < 1024) {
            const char *hit = d.length ? memmem(src + at, v.length - at, delim, d.length) : NULL;
            starts[n] = at;
            ends[n] = hit ? (uint32_t)(hit - src) : v.length;
            n++;
            if (!hit)
                break;
            at = ends[n - 1] + d.length;
        }
        int64_t index = field > 0 ? field - 1 : (int64_t)n + field;
        if (index < 0 || index >= n)
            s = emit(result, row, "", 0, err);
        else
            s = emit(result, row, src + starts[index], ends[index] - starts[index], err);
    }
    return s;
}

/* ---- LIKE ----------------------------------------------------------------- */

typedef enum like_kind {
    LIKE_EXACT,
    LIKE_PREFIX,
    LIKE_SUFFIX,
    LIKE_CONTAINS,
    LIKE_GENERAL,
} like_kind;

typedef struct like_pattern {
    like_kind kind;
    const char *needle; /* for the fast forms: the literal part, unescaped */
    uint32_t needle_length;
} like_pattern;

/* The general matcher: % any run, _ one character, \ escapes. Iterative with backtracking. */
static bool like_match(const char *s, uint32_t n, const char *p, uint32_t m)
{
    uint32_t si = 0, pi = 0, star_p = UINT32_MAX, star_s = 0;
    while (si < n) {
        if (pi < m && p[pi] == '%') {
            star_p = ++pi;
            star_s = si;
            continue;
        }
        if (pi < m &&
            (p[pi] == '_' || (p[pi] == '\\' && pi + 1 < m ? p[pi + 1] == s[si] : p[pi] == s[si]))) {
            if (p[pi] == '_') {
                si++;
                while (si < n && ((unsigned char)s[si] & 0xC0) == 0x80)
                    si++;
                pi++;
            } else {
                pi += p[pi] == '\\' && pi + 1 < m ? 2 : 1;
                si++;
            }
            continue;
        }
        if (star_p != UINT32_MAX) {
            pi = star_p;
            si = ++star_s;
            continue;
        }
        return false;
    }
    while (pi < m && p[pi] == '%')
        pi++;
    return pi == m;
}

/* Classifies a constant pattern; the needle is the pattern minus its % ends. */
static like_pattern compile_like(const char *p, uint32_t m, arena *a)
{
    like_pattern lp = {LIKE_GENERAL, p, m};
    bool leading = m > 0 && p[0] == '%';
    bool trailing = m > 1 && p[m - 1] == '%' && p[m - 2] != '\\';
    if (m == 1 && p[0] == '%')
        trailing = true, leading = false;
    uint32_t from = leading ? 1 : 0, to = trailing ? m - 1 : m;
    for (uint32_t i = from; i < to; i++) {
        if (p[i] == '%' || p[i] == '_' || p[i] == '\\')
            return lp;
    }
    char *needle = arena_strndup(a, p + from, to > from ? to - from : 0);
    if (needle == NULL)
        return lp;
    lp.needle = needle;
    lp.needle_length = to > from ? to - from : 0;
    lp.kind = leading && trailing ? LIKE_CONTAINS
              : leading           ? LIKE_SUFFIX
              : trailing          ? LIKE_PREFIX
                                  : LIKE_EXACT;
    return lp;
}

/* PostgreSQL rejects a pattern whose last character is an unescaped backslash. */
static bool like_pattern_valid(const char *p, uint32_t m)
{
    for (uint32_t i = 0; i < m; i++) {
        if (p[i] == '\\' && ++i >= m)
            return false;
    }
    return true;
}

static arm_status like_pattern_error(const expr *call, arm_error *err)
{
    return error_set(err, ARM_ERROR_INVALID_INPUT, "22025", call->position,
                     "LIKE pattern must not end with escape character");
}

static bool like_is_case_insensitive(const scalar_function *fn)
{
    return strstr(fn->name, "~~*") != NULL;
}

/* A constant pattern is validated, lower-cased for ILIKE and compiled once. */
static arm_status bind_like(const scalar_function *fn, expr *call, arena *a, arm_error *err)
{
    expr *pattern = call->u.function.args[1];
    if (pattern->kind != EXPR_CONSTANT || pattern->u.constant.is_null)
        return ARM_OK;
    const char *text = pattern->u.constant.u.str.data;
    uint32_t length = pattern->u.constant.u.str.length;
    if (!like_pattern_valid(text, length))
        return like_pattern_error(call, err);
    if (like_is_case_insensitive(fn)) {
        char *lowered = arena_alloc(a, length + 1);
        if (lowered == NULL)
            return error_out_of_memory(err);
        map_case(text, length, lowered, false);
        text = lowered;
    }
    like_pattern *lp = arena_alloc(a, sizeof *lp);
    if (lp == NULL)
        return error_out_of_memory(err);
    *lp = compile_like(text, length, a);
    call->u.function.bind_data = lp;
    return ARM_OK;
}

/*
 * `needle` (2+ bytes) inside a short text: the common LIKE '%ab%' on names.
 * A sliding two-byte compare beats memmem, whose set-up costs more than the
 * search on texts of a few dozen bytes.
 */
static inline bool contains_short(const char *s, uint32_t n, const char *needle, uint32_t m)
{
    uint16_t head;
    memcpy(&head, needle, 2);
    for (uint32_t i = 0; i + m <= n; i++) {
        uint16_t x;
        memcpy(&x, s + i, 2);
        if (x == head && memcmp(s + i + 2, needle + 2, m - 2) == 0)
            return true;
    }
    return false;
}

#ifdef __SSE2__
/* The first two needle bytes, repeated across 16 lanes: the candidate search's operands. */
typedef struct needle_lanes {
    __m128i first;
    __m128i second;
} needle_lanes;

/* Reading past a string's end within its page is safe; ASan only sees the bytes' owner. */
#ifdef __SANITIZE_ADDRESS__
#define READS_PAST_END __attribute__((no_sanitize_address, noinline))
#else
#define READS_PAST_END inline
#endif

READS_PAST_END static __m128i load_16(const char *p)
{
    return _mm_loadu_si128((const __m128i *)p);
}

/*
 * `needle` (2 to 16 bytes) in the `n`-byte text whose bytes are the lanes of
 * `bytes` (lanes past n are ignored) and also readable at `text`: one compare
 * per needle byte for the first two finds every candidate start at once; the
 * rest is checked per candidate.
 */
static inline bool contains_in_16(__m128i bytes, const char *text, uint32_t n,
                                  const needle_lanes *lanes, const char *needle, uint32_t m)
{
    uint32_t first = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, lanes->first));
    uint32_t second = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, lanes->second));
    uint32_t starts = first & (second >> 1) & ((1u << (n - m + 1)) - 1);
    for (; starts != 0; starts &= starts - 1) {
        uint32_t i = (uint32_t)__builtin_ctz(starts);
        if (memcmp(text + i + 2, needle + 2, m - 2) == 0)
            return true;
    }
    return false;
}
#endif

/*
 * LIKE '%needle%' on one cell. Texts of up to 16 bytes go to the SSE2 search
 * by one 16-byte load from where their bytes are (inside the view, or its
 * pointer) when those 16 bytes stay within one page; lanes past the text are
 * ignored. Building a copy instead stalled every row on store forwarding
 * (narrow stores, then one wide load), and branching on inline or not
 * mispredicted on every other row of mixed lengths.
 */
static inline bool contains_view(const like_pattern *lp, const void *lanes, const string_view *v)
{
    uint32_t n = v->length, m = lp->needle_length;
#ifdef __SSE2__
    if (m >= 2 && m <= 16 && n <= 16) {
        if (n < m)
            return false;
        const char *p = string_view_data(v); /* a select, not a branch: lengths vary by row */
        if (((uintptr_t)p & 4095) <= 4096 - 16)
            return contains_in_16(load_16(p), p, n, lanes, lp->needle, m);
    }
#else
    (void)lanes;
#endif
    const char *s = string_view_data(v);
    if (m >= 2 && n <= 64)
        return contains_short(s, n, lp->needle, m);
    return m == 0 || memmem(s, n, lp->needle, m) != NULL;
}

static inline bool like_fast(const like_pattern *lp, const char *s, uint32_t n)
{
    switch (lp->kind) {
    case LIKE_EXACT: return n == lp->needle_length && memcmp(s, lp->needle, n) == 0;
    case LIKE_PREFIX:
        return n >= lp->needle_length && memcmp(s, lp->needle, lp->needle_length) == 0;
    case LIKE_SUFFIX:
        return n >= lp->needle_length &&
               memcmp(s + n - lp->needle_length, lp->needle, lp->needle_length) == 0;
    case LIKE_CONTAINS:
        if (lp->needle_length >= 2 && n <= 64)
            return contains_short(s, n, lp->needle, lp->needle_length);
        return lp->needle_length == 0 || memmem(s, n, lp->needle, lp->needle_length) != NULL;
    default: return like_match(s, n, lp->needle, lp->needle_length);
    }
}

/* Lower-cases `v` into scratch (ILIKE); returns the bytes to match. */
static const char *lowered_text(const string_view *v, scratch *buf, bool *ok)
{
    buf->length = 0;
    *ok = true;
    if (v->length == 0)
        return "";
    *ok = scratch_add(buf, string_view_data(v), v->length);
    if (*ok)
        map_case(string_view_data(v), v->length, buf->data, false);
    return buf->data ? buf->data : "";
}

/* A pattern that varies per row: validated and matched each time. */
static arm_status like_rows_general(KERNEL_ARGS, bool negate, bool ci)
{
    uint8_t *r = result->data;
    scratch text_buf = {0}, pattern_buf = {0};
    arm_status s = ARM_OK;
    for (uint32_t i = 0; i < count && s == ARM_OK; i++) {
        uint32_t row = sel ? sel[i] : i;
        string_view v = str_at(args[0], row), p = str_at(args[1], row);
        const char *text = string_view_data(&v), *pattern = string_view_data(&p);
        bool ok = true, ok2 = true;
        if (ci) {
            text = lowered_text(&v, &text_buf, &ok);
            pattern = lowered_text(&p, &pattern_buf, &ok2);
        }
        if (!ok || !ok2)
            s = error_out_of_memory(err);
        else if (!like_pattern_valid(pattern, p.length))
            s = like_pattern_error(call, err);
        else
            r[row] = like_match(text, v.length, pattern, p.length) != negate;
    }
    free(text_buf.data);
    free(pattern_buf.data);
    return s;
}

static arm_status like_kernel(KERNEL_ARGS, bool negate, bool ci)
{
    arm_status s = prepare_result(result, T_BOOL, sel, count, err);
    if (s != ARM_OK)
        return s;
    const like_pattern *lp = call->u.function.bind_data;
    if (lp == NULL)
        return like_rows_general(call, args, sel, count, result, err, negate, ci);
    uint8_t *r = result->data;
    const string_view *strings = args[0]->data;
    uint32_t mask = arg_mask(args[0]);
    if (!ci && lp->kind == LIKE_CONTAINS) {
        const void *lanes = NULL;
#ifdef __SSE2__
        needle_lanes needle_bytes;
        if (lp->needle_length >= 2) {
            needle_bytes.first = _mm_set1_epi8(lp->needle[0]);
            needle_bytes.second = _mm_set1_epi8(lp->needle[1]);
        }
        lanes = &needle_bytes;
#endif
        for (uint32_t i = 0; i < count; i++) {
            uint32_t row = sel ? sel[i] : i;
            r[row] = contains_view(lp, lanes, &strings[row & mask]) != negate;
        }
        return ARM_OK;
    }
    if (!ci) {
        for (uint32_t i = 0; i < count; i++) {
            uint32_t row = sel ? sel[i] : i;
            const string_view *v = &strings[row & mask];
            r[row] = like_fast(lp, string_view_data(v), v->length) != negate;
        }
        return ARM_OK;
    }
    scratch buf = {0};
    for (uint32_t i = 0; i < count && s == ARM_OK; i++) {
        uint32_t row = sel ? sel[i] : i;
        const string_view *v = &strings[row & mask];
        bool ok;
        const char *text = lowered_text(v, &buf, &ok);
        if (!ok)
            s = error_out_of_memory(err);
        else
            r[row] = like_fast(lp, text, v->length) != negate;
    }
    free(buf.data);
    return s;
}

static arm_status fn_like(KERNEL_ARGS)
{
    return like_kernel(call, args, sel, count, result, err, false, false);
}
static arm_status fn_not_like(KERNEL_ARGS)
{
    return like_kernel(call, args, sel, count, result, err, true, false);
}
static arm_status fn_ilike(KERNEL_ARGS)
{
    return like_kernel(call, args, sel, count, result, err, false, true);
}
static arm_status fn_not_ilike(KERNEL_ARGS)
{
    return like_kernel(call, args, sel, count, result, err, true, true);
}

#define S1(NAME, R, K)                                                                             \
    {                                                                                              \
        NAME, 1, false, {T_STR}, R, 0, K, NULL                                                     \
    }
#define S2(NAME, B, R, K)                                                                          \
    {                                                                                              \
        NAME, 2, false, {T_STR, B}, R, 0, K, NULL                                                  \
    }
#define S3(NAME, B, C, R, K)                                                                       \
    {                                                                                              \
        NAME, 3, false, {T_STR, B, C}, R, 0, K, NULL                                               \
    }

const scalar_function function_string_table[] = {
    S1("length", T_I64, fn_length),
    S1("char_length", T_I64, fn_length),
    S1("character_length", T_I64, fn_length),
    S1("octet_length", T_I64, fn_octet_length),
    {"octet_length", 1, false, {T_BLOB}, T_I64, 0, fn_octet_length, NULL},
    {"length", 1, false, {T_BLOB}, T_I64, 0, fn_octet_length, NULL},
    S1("lower", T_STR, fn_lower),
    S1("upper", T_STR, fn_upper),
    S1("reverse", T_STR, fn_reverse),
    S2("substr", T_I64, T_STR, fn_substring),
    S3("substr", T_I64, T_I64, T_STR, fn_substring),
    S2("substring", T_I64, T_STR, fn_substring),
    S3("substring", T_I64, T_I64, T_STR, fn_substring),
    S2("left", T_I64, T_STR, fn_left),
    S2("right", T_I64, T_STR, fn_right),
    S1("trim", T_STR, fn_trim),
    S2("trim", T_STR, T_STR, fn_trim),
    S1("btrim", T_STR, fn_trim),
    S2("btrim", T_STR, T_STR, fn_trim),
    S1("ltrim", T_STR, fn_ltrim),
    S2("ltrim", T_STR, T_STR, fn_ltrim),
    S1("rtrim", T_STR, fn_rtrim),
    S2("rtrim", T_STR, T_STR, fn_rtrim),
    S3("replace", T_STR, T_STR, T_STR, fn_replace),
    {"concat",
     1,
     true,
     {T_STR},
     T_STR,
     FUNCTION_SPECIAL_NULLS | FUNCTION_TEXT_ARGS,
     fn_concat,
     NULL},
    {"concat_ws",
     2,
     true,
     {T_STR, T_STR},
     T_STR,
     FUNCTION_SPECIAL_NULLS | FUNCTION_TEXT_ARGS,
     fn_concat_ws,
     NULL},
    S1("initcap", T_STR, fn_initcap),
    S1("ascii", T_I32, fn_ascii),
    {"chr", 1, false, {T_I32}, T_STR, 0, fn_chr, NULL},
    S2("||", T_STR, T_STR, fn_concat_op),
    {"||", 2, false, {T_BLOB, T_BLOB}, T_BLOB, 0, fn_concat_op, NULL},
    S2("strpos", T_STR, T_I64, fn_strpos),
    S2("position", T_STR, T_I64, fn_strpos),
    S2("instr", T_STR, T_I64, fn_strpos),
    S2("starts_with", T_STR, T_BOOL, fn_starts_with),
    S2("contains", T_STR, T_BOOL, fn_contains),
    S2("repeat", T_I64, T_STR, fn_repeat),
    S2("lpad", T_I64, T_STR, fn_lpad),
    S3("lpad", T_I64, T_STR, T_STR, fn_lpad),
    S2("rpad", T_I64, T_STR, fn_rpad),
    S3("rpad", T_I64, T_STR, T_STR, fn_rpad),
    S3("split_part", T_STR, T_I64, T_STR, fn_split_part),
    {"~~", 2, false, {T_STR, T_STR}, T_BOOL, 0, fn_like, bind_like},
    {"!~~", 2, false, {T_STR, T_STR}, T_BOOL, 0, fn_not_like, bind_like},
    {"~~*", 2, false, {T_STR, T_STR}, T_BOOL, 0, fn_ilike, bind_like},
    {"!~~*", 2, false, {T_STR, T_STR}, T_BOOL, 0, fn_not_ilike, bind_like},
};
const uint32_t function_string_count =
    sizeof function_string_table / sizeof function_string_table[0];
