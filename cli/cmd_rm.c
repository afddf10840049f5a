/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crashd-cli rm ID... | rm --older-than DURATION: removes dumps (root
 * only), each with one rename out of the spool root first.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "dumps.h"
#include "log.h"
#include "trash.h"
#include "units.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "Usage: crashd-cli rm ID...\n"
	    "       crashd-cli rm --older-than DURATION   (e.g. 30d)\n");
}

int
cmd_rm(const struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		{ "older-than", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct dump_filter f = DUMP_FILTER_NONE;
	uint64_t older_ms = 0;
	bool older = false;
	struct dump_set s;
	struct config c;
	struct spool sp;
	size_t removed = 0;
	int opt, r, failed = 0;

	/*
	 * 0, not 1: glibc then starts afresh, forgetting the "+" of main's
	 * optstring, so options may follow operands ("info ID --json").
	 */
	optind = 0;
	while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (opt) {
		case 'o':
			if (units_parse_duration_ms(optarg, &older_ms) < 0) {
				log_error("--older-than wants a duration like "
					  "30d, got \"%s\"",
				    optarg);
				return 2;
			}
			older = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (older == (optind < argc)) {
		usage(stderr);
		return 2;
	}
	if (cli_open_spool(cli, &c, &sp) < 0)
		return 1;
	/* The spool is root's: say so once, not once per dump. */
	if (faccessat(sp.dirfd, ".", W_OK, AT_EACCESS) < 0 &&
	    (errno == EACCES || errno == EPERM)) {
		log_error("only root may remove dumps (the spool %s is root's)",
		    c.spool);
		r = -EACCES;
		goto out;
	}
	if (older)
		f.until = (long long)time(NULL) - (long long)(older_ms / 1000);
	r = cli_load_dumps(&c, &sp, &f, &s);
	if (r < 0)
		goto out;
	if (older) {
		for (size_t i = 0; i < s.n; i++) {
			r = trash_dump(sp.dirfd, s.v[i].d->name);
			if (r < 0) {
				log_error_errno(
				    r, "remove %s: %m", s.v[i].d->name);
				failed = 1;
			} else {
				removed++;
			}
		}
	}
	for (int a = optind; !older && a < argc; a++) {
		struct buf err;
		int i;

		buf_init(&err, 0);
		i = dump_set_resolve(&s, argv[a], &err);
		if (i < 0) {
			log_error("%s", err.data);
			failed = 1;
		} else if ((r = trash_dump(sp.dirfd, s.v[i].d->name)) < 0) {
			log_error_errno(r, "remove %s: %m%s", s.v[i].d->name,
			    r == -EACCES || r == -EPERM
				? " (only root may remove dumps)"
				: "");
			failed = 1;
		} else {
			removed++;
		}
		buf_done(&err);
	}
	printf("removed %zu dump%s\n", removed, removed == 1 ? "" : "s");
	dump_set_done(&s);
	r = failed ? -1 : 0;
out:
	spool_done(&sp);
	config_done(&c);
	return r < 0 ? 1 : 0;
}
