/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every benchmark program here measures with: a millisecond clock
 * and the median of a run's samples.
 */
#ifndef CRASHD_BENCHSTAT_H
#define CRASHD_BENCHSTAT_H

#include <stddef.h>

/* CLOCK_MONOTONIC in milliseconds, with its fraction. */
double bench_now_ms(void);

/* Sorts v (n >= 1 samples) and returns their median. */
double bench_median(double *v, size_t n);

#endif
