/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ratelimit.c: the generic cell rate algorithm (ratelimit.h).
 */
#include "ratelimit.h"

/* A bucket's window and the interval one event takes of it, in ms. */
static void
bucket(const struct rate *rate, int64_t *window, int64_t *interval)
{
	*window = (int64_t)rate->window * 1000;
	*interval = *window / (rate->count > 0 ? rate->count : 1);
	if (*interval < 1)
		*interval = 1;
}

bool
ratelimit_allow(int64_t *tat, const struct rate *rate, int64_t now_ms)
{
	int64_t window, interval, t;

	if (rate->count == 0)
		return false;
	bucket(rate, &window, &interval);
	t = *tat;
	/* A clock that went back must not lock a key out for long. */
	if (t > now_ms + window)
		t = now_ms + window - interval;
	if (t > now_ms + window - interval)
		return false;
	*tat = (t > now_ms ? t : now_ms) + interval;
	return true;
}

void
ratelimit_charge(int64_t *tat, const struct rate *rate, int64_t now_ms)
{
	int64_t window, interval, t;

	bucket(rate, &window, &interval);
	t = (*tat > now_ms ? *tat : now_ms) + interval;
	*tat = t < now_ms + window ? t : now_ms + window;
}
