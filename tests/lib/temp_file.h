/*
 * temp_file.h - for unit tests that give the library a file: writes bytes to a new file in
 * $TMPDIR (else /tmp), which ctest points at the build tree. Include after <cmocka.h>.
 */
#ifndef CHAFF_TEST_TEMP_FILE_H
#define CHAFF_TEST_TEMP_FILE_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Writes the 'len' bytes of 'data' to a new temporary file named chaff_test_NAME_XXXXXX, whose
 * path goes to 'path'. The test removes it. */
static inline void write_temp_named(const char *name, const void *data, size_t len,
                                    char path[static 512])
{
    const char *dir = getenv("TMPDIR");
    snprintf(path, 512, "%s/chaff_test_%s_XXXXXX", dir != NULL && *dir != '\0' ? dir : "/tmp",
             name);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

#endif
