/*
 * test_reader_text.c - tests of src/lib/reader_text.c (being filled in).
 */
#include "chaff.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

static void strerror_is_never_null(void **state)
{
    (void)state;
    assert_non_null(chaff_strerror(CHAFF_ERR_MODEL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(strerror_is_never_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
