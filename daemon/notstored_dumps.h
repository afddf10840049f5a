/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The first crash of a program that the hook did not store (a limit, a
 * full spool: notstored.h) still notifies, as a first crash: crashd
 * writes a dump of what the hook's record says (what identifies the
 * crash, and a not_stored item saying why no more was kept), publishes it
 * as the hook would (built in .incoming, one rename) and processes it at
 * once.  Only for a dedupe key crashd has not seen (nor has a dump of
 * waiting in the spool): a repeat is counted
 * (action_metrics_feed()), not written.  At most NOTSTORED_DUMPS_RATE of
 * them, so that a storm of distinct programs the hook held back does not
 * become a storm of dumps.
 */
#ifndef CRASHD_NOTSTORED_DUMPS_H
#define CRASHD_NOTSTORED_DUMPS_H

struct daemon;

/*
 * A record is looked at twice the hook's time budget and this long after
 * its crash: the dumps the hook stored of its key before (still being
 * written, or published and not processed yet) are seen first.
 */
#define NOTSTORED_DUMPS_GRACE_MS 3000

/* Dumps of crashes not stored, at most this many a minute (a burst). */
#define NOTSTORED_DUMPS_PER_MINUTE 10

/*
 * Looks at the hook's records since the last call (the next one's seq
 * kept in <spool>/.state/notstored.dumps) and writes and processes a
 * dump for each of a key not seen.  Called every loop.
 */
void notstored_dumps_feed(struct daemon *dm);

#endif
