/*
 * tmpfile.c - anonymous temporary files in $TMPDIR (tmpfile.h).
 */
#include "tmpfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *chaff_tmpdir(void)
{
    const char *dir = getenv("TMPDIR");
    return dir != NULL && dir[0] != '\0' ? dir : "/tmp";
}

FILE *chaff_tmpfile(void)
{
    static const char name[] = "/chaff.XXXXXX";
    const char *dir = chaff_tmpdir();
    size_t dlen = strlen(dir);
    char *path = malloc(dlen + sizeof(name));
    if (path == NULL)
        return NULL;
    memcpy(path, dir, dlen);
    memcpy(path + dlen, name, sizeof(name));
    int fd = mkostemp(path, O_CLOEXEC); /* not inherited by programs a host runs */
    if (fd < 0) {
        int e = errno;
        free(path);
        errno = e;
        return NULL;
    }
    unlink(path); /* anonymous from here on; the descriptor keeps it */
    free(path);
    FILE *f = fdopen(fd, "w+b");
    if (f == NULL) {
        int e = errno;
        close(fd);
        errno = e;
    }
    return f;
}
