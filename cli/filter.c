/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * filter.c owns the options that select dumps, shared by list and stats.
 */
#include "filter.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "signame.h"
#include "when.h"

int
filter_parse(int argc, char **argv, struct dump_filter *f, bool *json,
    long *limit, void (*usage_fn)(FILE *))
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "exe", required_argument, NULL, 'e' },
		{ "signal", required_argument, NULL, 'S' },
		{ "uid", required_argument, NULL, 'U' },
		{ "host", required_argument, NULL, 'H' },
		{ "kind", required_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long long now = (long long)time(NULL);
	char *end;
	int opt;

	/*
	 * 0, not 1: glibc then starts afresh, forgetting the "+" of main's
	 * optstring, so options may follow operands ("info ID --json").
	 */
	optind = 0;
	while ((opt = getopt_long(argc, argv, "n:h", options, NULL)) != -1) {
		switch (opt) {
		case 'j':
			*json = true;
			break;
		case 'n':
			*limit = strtol(optarg, &end, 10);
			if (*end || *limit <= 0) {
				log_error(
				    "-n wants a positive number, got \"%s\"",
				    optarg);
				return 2;
			}
			break;
		case 's':
		case 'u':
			if (when_parse(optarg, now,
				opt == 's' ? &f->since : &f->until) < 0) {
				log_error("--%s: cannot read the time \"%s\"",
				    opt == 's' ? "since" : "until", optarg);
				return 2;
			}
			break;
		case 'e':
			f->exe = optarg;
			break;
		case 'S':
			f->signal = signame_to_number(optarg);
			if (f->signal < 0) {
				log_error("--signal: no signal \"%s\"", optarg);
				return 2;
			}
			break;
		case 'U':
			f->uid = strtoll(optarg, &end, 10);
			if (*end || f->uid < 0) {
				log_error(
				    "--uid wants a number, got \"%s\"", optarg);
				return 2;
			}
			break;
		case 'H':
			f->host = optarg;
			break;
		case 'K':
			f->kind = -1;
			for (int k = 0; k < _DUMP_KIND_MAX; k++)
				if (strcmp(optarg, dump_kind_names[k]) == 0)
					f->kind = k;
			if (f->kind < 0) {
				log_error("--kind: expected crash, snapshot, "
					  "kernel, oom or panic, got \"%s\"",
				    optarg);
				return 2;
			}
			break;
		case 'h':
			usage_fn(stdout);
			return 3;
		default:
			usage_fn(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage_fn(stderr);
		return 2;
	}
	return 0;
}
