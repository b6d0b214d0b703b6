/*
 * suggest.c: edit-distance suggestions for misspelt table, column and
 * setting names. Names are short, so a two-row Levenshtein is plenty.
 */
#include "sql/suggest.h"

#include <ctype.h>
#include <string.h>

#define SUGGEST_MAX_LENGTH 64

uint32_t suggest_edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > SUGGEST_MAX_LENGTH || m > SUGGEST_MAX_LENGTH)
        return 255;
    uint32_t previous[SUGGEST_MAX_LENGTH + 1], current[SUGGEST_MAX_LENGTH + 1];
    for (size_t j = 0; j <= m; j++)
        previous[j] = (uint32_t)j;
    for (size_t i = 1; i <= n; i++) {
        current[0] = (uint32_t)i;
        for (size_t j = 1; j <= m; j++) {
            uint32_t cost =
                tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]) ? 0 : 1;
            uint32_t best = previous[j - 1] + cost;
            if (previous[j] + 1 < best)
                best = previous[j] + 1;
            if (current[j - 1] + 1 < best)
                best = current[j - 1] + 1;
            current[j] = best;
        }
        memcpy(previous, current, (m + 1) * sizeof previous[0]);
    }
    return previous[m] > 255 ? 255 : previous[m];
}

void suggester_init(suggester *s, const char *target)
{
    s->target = target;
    s->best = NULL;
    s->best_distance = 255;
}

void suggester_consider(suggester *s, const char *candidate)
{
    if (candidate == NULL || s->target == NULL)
        return;
    uint32_t distance = suggest_edit_distance(s->target, candidate);
    size_t length = strlen(s->target);
    /* close enough: one edit for names of up to 3 bytes, two up to 8, then three */
    uint32_t limit = length <= 3 ? 1 : length <= 8 ? 2 : 3;
    if (strcmp(candidate, s->target) == 0 || distance > limit || distance >= s->best_distance)
        return;
    s->best = candidate;
    s->best_distance = distance;
}
