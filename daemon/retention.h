/*
 * Retention: dumps older than max_age go, and past max_count or max_size
 * the oldest go first — merged duplicates, then cores, and only then
 * unique crashes.  Delete actions with "after" are applied here too.
 */
#ifndef CRASHD_RETENTION_H
#define CRASHD_RETENTION_H

#include "daemon.h"

/* One sweep over the spool. Returns the number of dumps removed or -errno. */
int retention_sweep(struct daemon *dm, long long now);

#endif
