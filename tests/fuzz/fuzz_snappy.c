/*
 * fuzz_snappy.c: libFuzzer target for our Snappy block decoder, checked
 * against libsnappy on the same input: when libsnappy accepts a block, ours
 * decodes it to the same bytes, and ours accepts nothing libsnappy rejects.
 * The output buffer is exactly the declared length, so a write past it is
 * caught by ASan.
 */
#include <snappy-c.h>
#include <stdlib.h>
#include <string.h>

#include "format/snappy_decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t length = 0;
    if (!snappy_decoded_length(data, size, &length) || length > (1u << 20))
        return 0;
    uint8_t *ours = malloc(length ? length : 1);
    char *theirs = malloc(length ? length : 1);
    if (ours == NULL || theirs == NULL) {
        free(ours);
        free(theirs);
        return 0;
    }
    size_t their_length = length;
    bool they_accept =
        snappy_uncompress((const char *)data, size, theirs, &their_length) == SNAPPY_OK;
    bool we_accept = snappy_decode(data, size, ours, length);
    if (we_accept != they_accept)
        abort();
    if (we_accept && (their_length != length || memcmp(ours, theirs, length) != 0))
        abort();
    free(ours);
    free(theirs);
    return 0;
}
