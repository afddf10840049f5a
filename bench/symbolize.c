/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * symbolize: the daemon's time to symbolize a dump, measured directly.
 * It runs crashd's backtrace step, backtrace_dump(), on a dump REPS times
 * and prints one "sample ms=..." line per run and a "result" line with the
 * median; before each run it removes the items that step writes
 * (backtrace, backtrace_frames, signature), so each run does the whole
 * step: open the core, unwind every thread with libdwfl, symbolize, write
 * and sync the items.  The first run is a warm-up (libdw and the page
 * cache), not counted.
 *
 *   symbolize [--reps N] [--in-process] [--print] DUMP_DIR
 *
 * DUMP_DIR is a dump directory (a copy: its backtrace items are
 * rewritten).  --in-process times backtrace_unwind() on its core.mini in
 * this process instead (no child process, no items written): the
 * unwinder alone.  --print writes the last run's backtrace to stdout.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backtrace.h"
#include "benchstat.h"
#include "dump.h"

#define MAX_REPS 10000

/*
 * The unwinder alone: backtrace_unwind() on the dump's core.mini, in this
 * process.  Returns 1, or -errno.
 */
static int
unwind(const struct dump *d, int print)
{
	struct backtrace_result res;
	struct buf text, frames;
	int fd, r;

	fd = openat(d->dirfd, "core.mini", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf_init(&text, 1024 * 1024);
	buf_init(&frames, 1024 * 1024);
	r = backtrace_unwind(d, fd, 0, &text, &frames, &res);
	if (print)
		fputs(text.data ? text.data : "", stdout);
	buf_done(&text);
	buf_done(&frames);
	close(fd);
	return r < 0 ? r : 1;
}

static void
usage(FILE *f)
{
	fputs("usage: symbolize [--reps N] [--in-process] [--print] "
	      "DUMP_DIR\n",
	    f);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "reps", required_argument, NULL, 'r' },
		{ "print", no_argument, NULL, 'p' },
		{ "in-process", no_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const items[] = { "backtrace", "backtrace_frames",
		"signature" };
	char *path, *parent, *name, *text = NULL;
	double *ms, med;
	struct dump *d = NULL;
	int reps = 20, print = 0, in_process = 0, c, spool, r;

	while ((c = getopt_long(argc, argv, "r:pih", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			reps = atoi(optarg);
			break;
		case 'p':
			print = 1;
			break;
		case 'i':
			in_process = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1 || reps < 1 || reps > MAX_REPS) {
		usage(stderr);
		return 2;
	}
	path = realpath(argv[optind], NULL);
	if (path == NULL) {
		fprintf(stderr, "symbolize: %s: %s\n", argv[optind],
		    strerror(errno));
		return 1;
	}
	parent = strdup(path);
	name = strdup(path);
	ms = calloc((size_t)reps, sizeof(*ms));
	if (parent == NULL || name == NULL || ms == NULL)
		return 1;
	spool = open(dirname(parent), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	r = spool < 0 ? -errno : dump_open(spool, basename(name), &d);
	if (r < 0) {
		fprintf(stderr, "symbolize: open dump %s: %s\n", path,
		    strerror(-r));
		return 1;
	}
	for (int i = -1; i < reps; i++) {
		double t0;

		for (size_t k = 0;
		     !in_process && k < sizeof(items) / sizeof(items[0]); k++)
			(void)unlinkat(d->dirfd, items[k], 0);
		t0 = bench_now_ms();
		r = in_process ? unwind(d, print && i == reps - 1)
			       : backtrace_dump(d);
		if (i >= 0)
			ms[i] = bench_now_ms() - t0;
		if (r != 1) {
			fprintf(stderr, "symbolize: %s: no core to unwind%s\n",
			    path, r < 0 ? " (or it failed)" : "");
			return 1;
		}
		if (i >= 0)
			printf("sample ms=%.3f\n", ms[i]);
	}
	med = bench_median(ms, (size_t)reps); /* (sorted now) */
	printf("result runs=%d median_ms=%.3f min_ms=%.3f max_ms=%.3f\n", reps,
	    med, ms[0], ms[reps - 1]);
	if (print && !in_process &&
	    dump_read_item(d, "backtrace", 1 << 20, &text) == 0)
		printf("%s\n", text);
	free(text);
	dump_free(d);
	close(spool);
	free(ms);
	free(path);
	free(parent);
	free(name);
	return 0;
}
