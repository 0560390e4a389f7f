/*
 * classify.h - what the library's own modules need of a classifier beyond chaff.h.
 */
#ifndef CHAFF_LIB_CLASSIFY_H
#define CHAFF_LIB_CLASSIFY_H

#include "chaff.h"

/* The final decision values (before the logistic link) of paragraph 'i' of the page last
 * classified with 'cl', nlabels floats borrowed from 'cl'; NULL if 'i' is out of range. */
const float *chaff_classifier_scores(const struct chaff_classifier *cl, size_t i);

/* The model 'cl' classifies with (borrowed). */
const struct chaff_model *chaff_classifier_model(const struct chaff_classifier *cl);

#endif
