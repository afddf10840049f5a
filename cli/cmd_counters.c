/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crashd-cli counters: the hook's counters from <spool>/.state/hook,
 * including the crashes that were counted but not stored, and those the
 * kernel handed to no hook (kernel_dropped).  The output, "name value"
 * per line, is stable for scripts; seen = stored + ignored + rate_limited
 * + failed (hookstate.h).  --not-stored lists the last crashes that
 * were counted but not stored, and why (notstored.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "config.h"
#include "escape.h"
#include "fsutil.h"
#include "hookstate.h"
#include "log.h"
#include "notstored.h"
#include "signame.h"
#include "spool.h"

#define NOT_STORED_SHOWN 20

/*
 * The last crashes not stored, oldest first, one line each:
 *   TIME  pid PID  uid UID  SIGNAL  REASON (DETAIL)  EXECUTABLE
 * the executable C-escaped (it is the crashed process's bytes).
 */
static int
print_not_stored(const char *spool, int spool_dirfd)
{
	struct notstored_record rec;
	int64_t n, first;
	int fd = notstored_open(spool_dirfd);

	if (fd == -ENOENT)
		return 0; /* none ever */
	if (fd < 0)
		return log_error_errno(fd, "read %s/%s/%s: %m", spool,
		    SPOOL_STATE, NOTSTORED_FILE);
	n = notstored_count(fd);
	first = n > NOT_STORED_SHOWN ? n - NOT_STORED_SHOWN : 0;
	for (int64_t seq = first; seq < n; seq++) {
		char when[32], sig[32];
		struct buf exe;
		time_t t;
		struct tm tm;
		int r = notstored_get(fd, (uint64_t)seq, &rec);

		if (r < 0) {
			printf("(record %lld: %s)\n", (long long)seq,
			    r == -ESTALE ? "overwritten" : strerror(-r));
			continue;
		}
		t = (time_t)(rec.time_ms / 1000);
		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		if (!signame_from_number(rec.signal, sig, sizeof(sig)))
			snprintf(sig, sizeof(sig), "%d", rec.signal);
		buf_init(&exe, 0);
		escape_c(&exe, rec.executable, strlen(rec.executable));
		printf("%s  pid %d  uid %u  %s  %s (%s)  %s%s\n", when, rec.pid,
		    rec.uid, sig, notstored_reason_to_string(rec.reason),
		    rec.detail, exe.data ? exe.data : "",
		    rec.truncated ? "..." : "");
		buf_done(&exe);
	}
	safe_close(fd);
	return n < 0 ? log_error_errno((int)n, "read %s: %m", NOTSTORED_FILE)
		     : 0;
}

int
cmd_counters(struct cli *cli, int argc, char **argv)
{
	struct cli_args a;
	struct config c;
	struct spool s;
	struct hookstate st;
	bool not_stored;
	int r;

	r = cli_args_parse(cli, argc, argv, &a);
	if (r)
		return r == 3 ? 0 : r;
	not_stored = a.not_stored;
	if (cli_open_spool(cli, &c, &s) < 0)
		return 1;
	if (not_stored) {
		r = print_not_stored(c.spool, s.dirfd);
		spool_done(&s);
		config_done(&c);
		return r < 0 ? 1 : 0;
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
	for (size_t i = 0; i < HOOKSTATE_N_COUNTERS; i++)
		printf("%s %llu\n", hookstate_counter_infos[i].name,
		    (unsigned long long)hookstate_counter(&st.counters, i));
	printf("spool_bytes %llu\nkernel_dropped %llu\n",
	    (unsigned long long)st.spool_bytes,
	    (unsigned long long)st.kernel_dropped);
	config_done(&c);
	return 0;
}
