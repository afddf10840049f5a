/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Milliseconds on a clock: CLOCK_MONOTONIC for deadlines, CLOCK_REALTIME
 * for wall-clock rates.
 */
#ifndef CRASHD_CLOCK_H
#define CRASHD_CLOCK_H

#include <stdint.h>
#include <time.h>

int64_t clock_now_ms(clockid_t id);

#endif
