/*
 * eval.h - what the library and its tests use of eval.c beyond chaff.h.
 */
#ifndef CHAFF_LIB_EVAL_H
#define CHAFF_LIB_EVAL_H

#include "chaff.h"

/* Returns a new evaluation over 'nlabels' labels (indices 0 .. nlabels-1), or NULL when out of
 * memory or 'nlabels' is 0. chaff_eval_create() is this with the model's label count. */
struct chaff_eval *chaff_eval_create_nlabels(size_t nlabels);

#endif
