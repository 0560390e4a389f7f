/*
 * error.c - status codes and the error struct every library function fills.
 */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *chaff_strerror(enum chaff_status code)
{
    switch (code) {
    case CHAFF_OK:
        return "success";
    case CHAFF_ERR_IO:
        return "input/output error";
    case CHAFF_ERR_PARSE:
        return "malformed input";
    case CHAFF_ERR_NOMEM:
        return "out of memory";
    case CHAFF_ERR_MODEL:
        return "invalid model";
    case CHAFF_ERR_USAGE:
        return "invalid argument";
    }
    return "unknown error";
}

int chaff_error_set(struct chaff_error *err, enum chaff_status code, const char *where,
                    const char *format, ...)
{
    if (err == NULL)
        return code;
    err->code = code;
    snprintf(err->where, sizeof(err->where), "%s", where != NULL ? where : "");
    va_list ap;
    va_start(ap, format);
    vsnprintf(err->msg, sizeof(err->msg), format, ap);
    va_end(ap);
    return code;
}

void chaff_error_clear(struct chaff_error *err)
{
    if (err == NULL)
        return;
    err->code = CHAFF_OK;
    err->where[0] = '\0';
    err->msg[0] = '\0';
}
