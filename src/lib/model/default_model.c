/*
 * default_model.c - the models built into the library: the text model and the HTML model. CMake
 * defines CHAFF_DEFAULT_MODEL_PATH when models/default.chaff exists and CHAFF_HTML_MODEL_PATH
 * when models/html.chaff does; the assembler's .incbin places the files' bytes in .rodata, so
 * the binary needs no file beside it.
 */
#include "chaff.h"
#include "error.h"

#ifdef CHAFF_DEFAULT_MODEL_PATH
__asm__(".section .rodata\n"
        ".balign 16\n"
        ".globl chaff_default_model_begin\n"
        ".hidden chaff_default_model_begin\n"
        "chaff_default_model_begin:\n"
        ".incbin \"" CHAFF_DEFAULT_MODEL_PATH "\"\n"
        ".globl chaff_default_model_end\n"
        ".hidden chaff_default_model_end\n"
        "chaff_default_model_end:\n"
        ".previous\n");
extern const unsigned char chaff_default_model_begin[];
extern const unsigned char chaff_default_model_end[];
#endif

#ifdef CHAFF_HTML_MODEL_PATH
__asm__(".section .rodata\n"
        ".balign 16\n"
        ".globl chaff_html_model_begin\n"
        ".hidden chaff_html_model_begin\n"
        "chaff_html_model_begin:\n"
        ".incbin \"" CHAFF_HTML_MODEL_PATH "\"\n"
        ".globl chaff_html_model_end\n"
        ".hidden chaff_html_model_end\n"
        "chaff_html_model_end:\n"
        ".previous\n");
extern const unsigned char chaff_html_model_begin[];
extern const unsigned char chaff_html_model_end[];
#endif

int chaff_has_default_model(void)
{
#ifdef CHAFF_DEFAULT_MODEL_PATH
    return 1;
#else
    return 0;
#endif
}

int chaff_model_load_default(struct chaff_model **model_out, struct chaff_error *err)
{
#ifdef CHAFF_DEFAULT_MODEL_PATH
    return chaff_model_load_buffer(chaff_default_model_begin,
                                   (size_t)(chaff_default_model_end - chaff_default_model_begin),
                                   "built-in default model", model_out, err);
#else
    *model_out = NULL;
    return chaff_error_set(err, CHAFF_ERR_MODEL, NULL,
                           "no default model is built into this chaff; train one with "
                           "'chaff train' and pass it with --model");
#endif
}

int chaff_model_load_default_html(struct chaff_model **model_out, struct chaff_error *err)
{
#ifdef CHAFF_HTML_MODEL_PATH
    return chaff_model_load_buffer(chaff_html_model_begin,
                                   (size_t)(chaff_html_model_end - chaff_html_model_begin),
                                   "built-in HTML model", model_out, err);
#else
    *model_out = NULL;
    return chaff_error_set(err, CHAFF_ERR_MODEL, NULL,
                           "no HTML model is built into this chaff; train one with "
                           "'chaff train --html' and pass it with --model");
#endif
}
