/*
 * tmpfile.h - anonymous temporary files where the user said they go. glibc's tmpfile() always
 * uses /tmp and ignores TMPDIR; a crawl job whose /tmp is a small tmpfs, with TMPDIR pointing
 * at a scratch disk, would run out of room on the first over-long line. These files follow
 * TMPDIR as mktemp(1) and the shell tools do.
 */
#ifndef CHAFF_LIB_TMPFILE_H
#define CHAFF_LIB_TMPFILE_H

#include <stdio.h>

/* The directory temporary files are made in: $TMPDIR when set and not empty, else /tmp.
 * Borrowed (the environment's string). */
const char *chaff_tmpdir(void);

/* Opens a new temporary file for reading and writing ("w+b") in chaff_tmpdir(), already
 * unlinked, so it is gone when it is closed or the process ends, and not inherited by programs
 * the process runs (close-on-exec). Returns NULL with errno set when it cannot be made (no such
 * directory, no room, no permission). */
FILE *chaff_tmpfile(void);

#endif
