/*
 * test_tmpfile.c - temporary files follow TMPDIR (glibc's tmpfile() does not), are anonymous
 * from the start and closed on exec, and a directory that cannot take them is an error with
 * errno, not a crash.
 */
#include "tmpfile.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char scratch[PATH_MAX];

static int setup(void **state)
{
    (void)state;
    const char *base = getenv("TMPDIR");
    snprintf(scratch, sizeof(scratch), "%s/chaff_test_tmpfile.XXXXXX",
             base != NULL && base[0] != '\0' ? base : "/tmp");
    return mkdtemp(scratch) != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return rmdir(scratch); /* fails, and so the test, if a file was left behind */
}

/* Where the descriptor of 'f' points, as the kernel names it. */
static void fd_path(FILE *f, char *out, size_t cap)
{
    char link[64];
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fileno(f));
    ssize_t n = readlink(link, out, cap - 1);
    assert_true(n > 0);
    out[n] = '\0';
}

static void test_follows_tmpdir(void **state)
{
    (void)state;
    assert_int_equal(setenv("TMPDIR", scratch, 1), 0);
    assert_string_equal(chaff_tmpdir(), scratch);
    FILE *f = chaff_tmpfile();
    assert_non_null(f);
    char path[PATH_MAX];
    fd_path(f, path, sizeof(path));
    size_t dlen = strlen(scratch);
    assert_memory_equal(path, scratch, dlen);
    assert_int_equal(path[dlen], '/');
    /* Unlinked as soon as it is made: nothing is left if the process dies. */
    assert_non_null(strstr(path, "(deleted)"));
    /* Not inherited by the programs a host process runs. */
    int flags = fcntl(fileno(f), F_GETFD);
    assert_true(flags >= 0 && (flags & FD_CLOEXEC) != 0);
    static const char text[] = "a line spilled to disk\n";
    assert_int_equal(fwrite(text, 1, sizeof(text), f), sizeof(text));
    rewind(f);
    char back[sizeof(text)];
    assert_int_equal(fread(back, 1, sizeof(back), f), sizeof(back));
    assert_memory_equal(back, text, sizeof(text));
    assert_int_equal(fclose(f), 0);
}

static void test_default_dir(void **state)
{
    (void)state;
    assert_int_equal(unsetenv("TMPDIR"), 0);
    assert_string_equal(chaff_tmpdir(), "/tmp");
    assert_int_equal(setenv("TMPDIR", "", 1), 0);
    assert_string_equal(chaff_tmpdir(), "/tmp");
    assert_int_equal(setenv("TMPDIR", scratch, 1), 0);
}

static void test_missing_dir(void **state)
{
    (void)state;
    char missing[PATH_MAX + 16];
    snprintf(missing, sizeof(missing), "%s/none", scratch);
    assert_int_equal(setenv("TMPDIR", missing, 1), 0);
    errno = 0;
    assert_null(chaff_tmpfile());
    assert_int_equal(errno, ENOENT);
    assert_int_equal(setenv("TMPDIR", scratch, 1), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_follows_tmpdir),
        cmocka_unit_test(test_default_dir),
        cmocka_unit_test(test_missing_dir),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
