/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * clock.c owns reading clocks in milliseconds.
 */
#include "clock.h"

int64_t
clock_now_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
