/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crashd-cli counters: the hook's counters from <spool>/.state/hook,
 * including the crashes that were counted but not stored, and those the
 * kernel handed to no hook (kernel_dropped).  The output, "name value"
 * per line, is stable for scripts; seen = stored + ignored + rate_limited
 * + failed (hookstate.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "fsutil.h"
#include "hookstate.h"
#include "log.h"
#include "spool.h"

int
cmd_counters(const struct cli *cli, int argc, char **argv)
{
	struct config c;
	struct spool s;
	struct hookstate st;
	int r;

	if (argc != 1) {
		fprintf(cli_wants_help(argc, argv) ? stdout : stderr,
		    "Usage: crashd-cli counters\n");
		return cli_wants_help(argc, argv) ? 0 : 2;
	}
	if (cli_load_config(cli, &c) < 0)
		return 1;
	r = spool_open(c.spool, false, &s);
	if (r < 0) {
		log_error_errno(r, "open spool %s: %m", c.spool);
		config_done(&c);
		return 1;
	}
	/* Never waits on the lock: a held lock hides no counter. */
	r = hookstate_snapshot(s.dirfd, &st);
	if (r == -ENOENT) {
		/* No crash yet. */
		memset(&st, 0, sizeof(st));
		r = 0;
	}
	spool_done(&s);
	if (r == -EACCES) {
		log_error("the hook's counters in %s/%s are root's alone",
		    c.spool, SPOOL_STATE);
		config_done(&c);
		return 1;
	}
	if (r < 0) {
		log_error_errno(r, "read hook state in %s: %m", c.spool);
		config_done(&c);
		return 1;
	}
	printf(
	    "seen %llu\nstored %llu\nignored %llu\nrate_limited %llu\n"
	    "cores_kept %llu\ncores_skipped %llu\ndegraded %llu\nfailed %llu\n"
	    "spool_bytes %llu\nkernel_dropped %llu\n",
	    (unsigned long long)st.counters.seen,
	    (unsigned long long)st.counters.stored,
	    (unsigned long long)st.counters.ignored,
	    (unsigned long long)st.counters.rate_limited,
	    (unsigned long long)st.counters.cores_kept,
	    (unsigned long long)st.counters.cores_skipped,
	    (unsigned long long)st.counters.degraded,
	    (unsigned long long)st.counters.failed,
	    (unsigned long long)st.spool_bytes,
	    (unsigned long long)st.kernel_dropped);
	config_done(&c);
	return 0;
}
