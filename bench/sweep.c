/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sweep: what crashd's retention sweep costs the daemon's loop, which
 * runs it every 60 s and handles no crash meanwhile.  It fills a spool
 * with N processed dumps (the hook's items plus what the daemon adds;
 * every other one a merged duplicate), then times, in one process:
 *
 *   - du -s over the spool (the baseline: a stat of every file, which is
 *     what measuring every dump's size takes at the least);
 *   - the first sweep of a daemon just started (nothing known yet);
 *   - the sweeps after it over the same, unchanged spool.
 *
 * The config is the built-in default with the shipped example's delayed
 * delete action ("trim": what = "core", after = "7d") and limits that keep
 * every dump (max_count = N, max_size = 1P), so every sweep has the same
 * spool to decide on: its dumps are about 8 days old, so the trim action
 * is due for each (none has a core).  The struct daemon is built by hand
 * (spool, config); no daemon runs, nothing needs root.
 *
 *   sweep [--dumps N] [--reps N] [--keep] [DIR]
 *
 * DIR (default $TMPDIR, else /tmp) gets a crashd-sweep.XXXXXX directory,
 * removed at the end unless --keep.  --dumps defaults to 10000, --reps
 * (default 5) is the number of timed runs of each row (each cold sweep on
 * a fresh struct daemon).
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "benchstat.h"
#include "daemon.h"
#include "fsutil.h"
#include "retention.h"

#define MAX_REPS 1000
#define DAY (86400LL)

extern char **environ;

static int
put(int dfd, const char *item, const char *data, size_t len)
{
	int fd = openat(dfd, item,
	    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
	int r;

	if (fd < 0)
		return -errno;
	r = write_all(fd, data, len);
	safe_close(fd);
	return r;
}

/* A text of len bytes, lines of printable junk. */
static char *
filler(size_t len)
{
	char *s = malloc(len + 1);

	if (s == NULL)
		return NULL;
	for (size_t i = 0; i < len; i++)
		s[i] = i % 64 == 63 ? '\n' : (char)('a' + (i * 7) % 26);
	s[len] = '\0';
	return s;
}

/*
 * One dump as the hook publishes it and the daemon leaves it (items
 * written, no fsync): built in .incoming, renamed in.  Returns 0 or -errno.
 */
static int
make_dump(int spool, int incoming, long i, long long t)
{
	static char *maps, *environ_, *status, *limits;
	static const char *const small[] = { "version", "1", "ns_pid", "1",
		"tid", "1", "gid", "0", "username", "root", "hostname", "bench",
		"kernel", "6.1.0", "cwd", "/", "root", "/", "cgroup",
		"0::/system.slice/bench.service", "open_fds", "0\n1\n2",
		"dso_list", "/usr/lib/x86_64-linux-gnu/libc.so.6", "start_time",
		"1700000000", "ptree", "1 systemd /sbin/init", "namespaces",
		"pid 4026531836", "cmdline", "prog\0--flag", "count", "1",
		"processed", "1" };
	char name[128], comm[32], buf[256], exe[64];
	struct tm tm;
	time_t tt = (time_t)t;
	int dfd, r = 0;

	if (maps == NULL) {
		maps = filler(9000);
		environ_ = filler(2100);
		status = filler(1400);
		limits = filler(1300);
		if (!maps || !environ_ || !status || !limits)
			return -ENOMEM;
	}
	gmtime_r(&tt, &tm);
	snprintf(comm, sizeof(comm), "program-%02ld", i % 100);
	snprintf(exe, sizeof(exe), "/usr/lib/bench/%s", comm);
	strftime(name, sizeof(name), "%Y%m%dT%H%M%S", &tm);
	snprintf(name + strlen(name), sizeof(name) - strlen(name),
	    ".%06ldZ-%ld-%s", (i * 104729) % 1000000, 1000 + i % 30000, comm);
	if (mkdirat(incoming, name, 0750) < 0)
		return -errno;
	dfd = open_dir_at(incoming, name);
	if (dfd < 0)
		return dfd;
	for (size_t k = 0; r >= 0 && k < sizeof(small) / sizeof(small[0]);
	     k += 2)
		r = put(dfd, small[k], small[k + 1],
		    strcmp(small[k], "cmdline") ? strlen(small[k + 1]) : 11);
#define PUTF(item, ...)                                                        \
	do {                                                                   \
		snprintf(buf, sizeof(buf), __VA_ARGS__);                       \
		if (r >= 0)                                                    \
			r = put(dfd, item, buf, strlen(buf));                  \
	} while (0)
	PUTF("time", "%lld\n", t);
	PUTF("last_occurrence", "%lld\n", t);
	PUTF("pid", "%ld\n", 1000 + i % 30000);
	PUTF("signal", "%d\n", i / 100 % 2 ? 6 : 11);
	PUTF("signal_name", "%s\n", i / 100 % 2 ? "SIGABRT" : "SIGSEGV");
	PUTF("uid", "0\n");
	PUTF("executable", "%s\n", exe);
	PUTF("comm", "%s\n", comm);
	PUTF("reason", "%s killed by %s\n", comm,
	    i / 100 % 2 ? "SIGABRT" : "SIGSEGV");
	PUTF("actions",
	    "2026-01-01T00:00:00Z decision event=first\n"
	    "2026-01-01T00:00:00Z trim start\n"
	    "2026-01-01T00:00:00Z trim done skipped: scheduled\n");
	if (i % 2)
		PUTF("duplicate_of", "first-of-%s\n", comm);
#undef PUTF
	if (r >= 0)
		r = put(dfd, "maps", maps, strlen(maps));
	if (r >= 0)
		r = put(dfd, "environ", environ_, strlen(environ_));
	if (r >= 0)
		r = put(dfd, "status", status, strlen(status));
	if (r >= 0)
		r = put(dfd, "limits", limits, strlen(limits));
	safe_close(dfd);
	if (r >= 0 && renameat(incoming, name, spool, name) < 0)
		r = -errno;
	return r;
}

/* Builds a struct daemon on spool, as daemon_init() would for a sweep. */
static int
daemon_for(struct daemon *dm, const char *spool, long dumps)
{
	struct action_config *ac;
	int r;

	memset(dm, 0, sizeof(*dm));
	dm->keys_fd = -1;
	r = config_defaults(&dm->cfg);
	if (r < 0)
		return r;
	free(dm->cfg.spool);
	dm->cfg.spool = strdup(spool);
	ac = calloc(1, sizeof(*ac));
	if (dm->cfg.spool == NULL || ac == NULL) {
		free(ac);
		return -ENOMEM;
	}
	ac->name = strdup("trim");
	ac->type = ACTION_DELETE;
	ac->what = DELETE_CORE;
	ac->after_ms = 7 * DAY * 1000;
	ac->match.has_core = -1;
	dm->cfg.actions = ac;
	dm->cfg.n_actions = 1;
	dm->cfg.daemon.max_count = (unsigned)dumps;
	dm->cfg.daemon.max_size = 1ULL << 50;
	return spool_open(spool, false, &dm->spool);
}

static void
daemon_for_done(struct daemon *dm)
{
	retention_free(dm->retention);
	spool_done(&dm->spool);
	config_done(&dm->cfg);
}

/* One sweep, as the daemon's loop runs it. */
static int
sweep_once(struct daemon *dm, long long now)
{
	struct retention_input in;

	retention_input_init(&in, &dm->cfg, &dm->spool);
	return retention_sweep(&dm->retention, &in, now);
}

/* Runs du -s SPOOL, output dropped.  Returns its exit status or -errno. */
static int
du(const char *spool)
{
	char *argv[] = { "du", "-s", (char *)spool, NULL };
	posix_spawn_file_actions_t fa;
	int status, r;
	pid_t pid;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	r = posix_spawnp(&pid, "du", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r != 0)
		return -r;
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -ECHILD;
}

static int
rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return (type == FTW_DP ? rmdir(path) : unlink(path)) < 0 ? -1 : 0;
}

static void
usage(FILE *f)
{
	fputs("usage: sweep [--dumps N] [--reps N] [--keep] [DIR]\n", f);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dumps", required_argument, NULL, 'd' },
		{ "reps", required_argument, NULL, 'r' },
		{ "keep", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = getenv("TMPDIR");
	char top[4096], spool[4200];
	double *base, *cold, *warm, t0, base_ms, cold_ms, warm_ms;
	struct retention_stats st_cold = { 0 }, st_warm = { 0 };
	long dumps = 10000;
	int reps = 5, keep = 0, c, sfd, ifd, r;
	long long now = (long long)time(NULL), t;
	struct daemon dm;

	while ((c = getopt_long(argc, argv, "d:r:kh", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dumps = atol(optarg);
			break;
		case 'r':
			reps = atoi(optarg);
			break;
		case 'k':
			keep = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc - 1 || reps < 1 || reps > MAX_REPS || dumps < 1 ||
	    dumps > 1000000) {
		usage(stderr);
		return 2;
	}
	if (optind == argc - 1)
		dir = argv[optind];
	snprintf(top, sizeof(top), "%s/crashd-sweep.XXXXXX",
	    dir && *dir ? dir : "/tmp");
	if (mkdtemp(top) == NULL) {
		fprintf(
		    stderr, "sweep: mkdtemp %s: %s\n", top, strerror(errno));
		return 1;
	}
	snprintf(spool, sizeof(spool), "%s/spool", top);
	base = calloc((size_t)reps, sizeof(double));
	cold = calloc((size_t)reps, sizeof(double));
	warm = calloc((size_t)reps, sizeof(double));
	if (!base || !cold || !warm || mkdir(spool, 0755) < 0 ||
	    (sfd = open(spool, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    mkdirat(sfd, SPOOL_INCOMING, 0700) < 0 ||
	    mkdirat(sfd, SPOOL_STATE, 0755) < 0 ||
	    (ifd = open_dir_at(sfd, SPOOL_INCOMING)) < 0) {
		fprintf(stderr, "sweep: make %s: %s\n", spool, strerror(errno));
		return 1;
	}
	fprintf(stderr, "sweep: making %ld dumps in %s...\n", dumps, spool);
	t0 = bench_now_ms();
	/* About 8 days old, 1-3 s apart, oldest first. */
	t = now - 8 * DAY - dumps * 2;
	for (long i = 0; i < dumps; i++) {
		t += 1 + (i * 7) % 3;
		r = make_dump(sfd, ifd, i, t);
		if (r < 0) {
			fprintf(stderr, "sweep: make dump %ld: %s\n", i,
			    strerror(-r));
			return 1;
		}
	}
	fprintf(stderr, "sweep: made them in %.1f s\n",
	    (bench_now_ms() - t0) / 1000);

	/* One uncounted du and sweep first: the kernel's caches warm. */
	if (du(spool) != 0 || daemon_for(&dm, spool, dumps) < 0) {
		fprintf(stderr, "sweep: du -s or setup failed\n");
		return 1;
	}
	(void)sweep_once(&dm, now);
	for (int i = 0; i < reps; i++) {
		t0 = bench_now_ms();
		(void)du(spool);
		base[i] = bench_now_ms() - t0;
		/* Each cold sweep on a fresh daemon; the last one stays. */
		daemon_for_done(&dm);
		if (daemon_for(&dm, spool, dumps) < 0)
			return 1;
		t0 = bench_now_ms();
		r = sweep_once(&dm, now);
		cold[i] = bench_now_ms() - t0;
		retention_get_stats(dm.retention, &st_cold);
		if (r != 0) {
			fprintf(stderr, "sweep: a sweep removed %d dumps\n", r);
			return 1;
		}
	}
	for (int i = 0; i < reps; i++) {
		t0 = bench_now_ms();
		r = sweep_once(&dm, now);
		warm[i] = bench_now_ms() - t0;
		retention_get_stats(dm.retention, &st_warm);
		if (r != 0) {
			fprintf(stderr, "sweep: a sweep removed %d dumps\n", r);
			return 1;
		}
	}
	daemon_for_done(&dm);
	base_ms = bench_median(base, (size_t)reps);
	cold_ms = bench_median(cold, (size_t)reps);
	warm_ms = bench_median(warm, (size_t)reps);

	printf("retention sweep over %ld processed dumps, median of %d runs\n",
	    dumps, reps);
	printf("%-40s %10s %8s %14s\n", "", "ms", "ratio", "dumps opened");
	printf("%-40s %10s %8s %14s\n", "", "--", "-----", "------------");
	printf("%-40s %10.2f %7.2fx %14s\n", "du -s SPOOL (baseline)", base_ms,
	    1.0, "-");
	printf("%-40s %10.2f %7.2fx %14zu\n",
	    "first sweep (cold: nothing known)", cold_ms, cold_ms / base_ms,
	    st_cold.opened);
	printf("%-40s %10.2f %7.2fx %14zu\n",
	    "later sweep (warm, spool unchanged)", warm_ms, warm_ms / base_ms,
	    st_warm.opened);
	if (keep)
		printf("kept %s\n", top);
	else if (nftw(top, rm_one, 64, FTW_DEPTH | FTW_PHYS) != 0)
		fprintf(stderr, "sweep: could not remove %s\n", top);
	free(base);
	free(cold);
	free(warm);
	return 0;
}
