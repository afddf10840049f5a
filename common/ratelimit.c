/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ratelimit.c: the generic cell rate algorithm (ratelimit.h).
 */
#include "ratelimit.h"

bool
ratelimit_allow(int64_t *tat, const struct rate *rate, int64_t now_ms)
{
	int64_t window, interval, t;

	if (rate->count == 0)
		return false;
	window = (int64_t)rate->window * 1000;
	interval = window / rate->count;
	if (interval < 1)
		interval = 1;
	t = *tat;
	/* A clock that went back must not lock a key out for long. */
	if (t > now_ms + window)
		t = now_ms + window - interval;
	if (t > now_ms + window - interval)
		return false;
	*tat = (t > now_ms ? t : now_ms) + interval;
	return true;
}
