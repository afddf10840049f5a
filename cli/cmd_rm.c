/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crashd-cli rm ID... | rm --older-than DURATION: removes dumps (root
 * only), each with one rename out of the spool root first.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "dumps.h"
#include "log.h"
#include "trash.h"

int
cmd_rm(struct cli *cli, int argc, char **argv)
{
	struct dump_filter f = DUMP_FILTER_NONE;
	struct cli_args a;
	bool older;
	struct dump_set s;
	struct config c;
	struct spool sp;
	size_t removed = 0;
	int r, failed = 0;

	r = cli_args_parse(cli, argc, argv, &a);
	if (r)
		return r == 3 ? 0 : r;
	older = a.given & CLI_OPT(CLI_OPT_OLDER_THAN);
	if (older == (a.n_operands > 0)) {
		cli_args_usage(cli->verb, stderr);
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
		f.until =
		    (long long)time(NULL) - (long long)(a.older_than_ms / 1000);
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
	for (int k = 0; !older && k < a.n_operands; k++) {
		struct buf err;
		int i;

		buf_init(&err, 0);
		i = dump_set_resolve(&s, a.operands[k], &err);
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
