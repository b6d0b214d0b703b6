/*
 * fuzz_csv_import.c: libFuzzer target for CSV reading (src/format/csv_reader.c)
 * with type and header inference and conversion (src/sql/csv_import.c), as
 * read_csv('f.csv') runs them. Any file must give a table or an error, never
 * a crash or a leak.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sql/csv_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz_csv", 0);
    if (fd < 0)
        return 0;
    if (write(fd, data, size) == (ssize_t)size) {
        char path[64];
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        csv_import_options options[2] = {{false, ',', '"', ""}, {true, ';', '\'', "NA"}};
        for (int i = 0; i < 2; i++) {
            table_def *def = NULL;
            arm_error err;
            if (csv_import_read(&def, path, options[i], i == 1, &err) == ARM_OK)
                table_def_release(def);
        }
    }
    close(fd);
    return 0;
}
