/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crashbench: the measuring half of bench/run.  It crashes real processes
 * through whatever core_pattern helper is registered and reports
 * "crash-to-reaped": from the victim's last instruction before
 * raise(SIGSEGV) to the moment waitpid() returns in its parent.  With
 * core_pipe_limit >= 1 the kernel reaps the victim only after the helper
 * has closed the core pipe, so this is exactly what the helper costs the
 * crashing process (and whoever waits for it: a supervisor's restart).
 *
 *   crashbench crash --helper PATH --mib N --reps R [--warmup W]
 *                    [--threads T] [--fill mixed|random|text] [--no-core]
 *                    [--wait-exe PATH] [--available CMD] [--settled CMD]
 *                    [--spool DIR] [--keep] [--verbose]
 *   crashbench populate --spool DIR --template DUMP --count N [--first K]
 *   crashbench victim MIB [THREADS FILL CORE] (internal: the crashing
 *                    process)
 *
 * Each victim is a fresh exec of this program, so its core is the same in
 * every case and never carries the driver's heap (say, a readdir buffer
 * full of spool names).
 *
 * It registers nothing and changes no sysctl: bench/run does that.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "benchstat.h"

#define PAGE 4096
#define TEMPLATE_SIZE (1024 * 1024)
#define MAX_REPS 1000
#define HELPER_WAIT_MS (180 * 1000)
#define TEMPLATE_FILES 128
#define TEMPLATE_FILE_CAP (16 * 1024 * 1024)
/* The victim's end of the two pipes, across exec. */
#define VICTIM_READY_FD 3
#define VICTIM_GO_FD 4
#define MAX_THREADS 256
/* --available: polled every AVAIL_POLL_MS, for at most AVAIL_WAIT_MS. */
#define AVAIL_POLL_MS 5
#define AVAIL_WAIT_MS (120 * 1000)

/* What the big victim's pages hold (see template_fill). */
enum crashbench_fill {
	CRASHBENCH_FILL_MIXED,
	CRASHBENCH_FILL_RANDOM,
	CRASHBENCH_FILL_TEXT,
	CRASHBENCH_FILL_MAX,
};

static const char *const crashbench_fill_names[CRASHBENCH_FILL_MAX] = {
	[CRASHBENCH_FILL_MIXED] = "mixed",
	[CRASHBENCH_FILL_RANDOM] = "random",
	[CRASHBENCH_FILL_TEXT] = "text",
};

struct opts {
	const char *helper;
	const char *wait_exe; /* the process to wait for: --helper's path */
	const char *available; /* shell command polled after the crash */
	const char *settled; /* and then until the dump may be removed */
	const char *spool;
	unsigned long mib;
	int threads;
	enum crashbench_fill fill;
	bool no_core;
	int reps;
	int warmup;
	bool keep;
	bool verbose;
};

/* What one crash cost, and what the helper left in the spool for it. */
struct sample {
	double ms;
	bool found; /* a dump directory for the pid was in the spool */
	uint64_t bytes; /* apparent size of all files in the dump */
	uint64_t core_read, core_gz, core_kept;
	char stopped[32]; /* core_info's "stopped:", "-" without one */
	int pid; /* the victim's */
	double avail_ms; /* crash to --available's success, -1: never */
	char avail_out[64]; /* its first line of output, "-" without */
};

static void die(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

static void
die(const char *fmt, ...)
{
	va_list ap;

	fputs("crashbench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static int
read_full(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len > 0) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EPIPE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static uint64_t
xorshift64(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

/*
 * The victim's memory, one 1 MiB template repeated: each 4 KiB page is
 * 2 KiB of pseudo-random bytes (incompressible) and 2 KiB of text made of
 * random words (deflate gets roughly 3:1), so gzip does real work on every
 * page and the whole compresses to about 60%.  The template is longer than
 * deflate's 32 KiB window, so repeating it gives gzip no shortcut.
 * fill random: every byte pseudo-random (incompressible); fill text:
 * every byte text (compressible); both then spread by stream_fill().
 */
static void
template_fill(unsigned char *t, enum crashbench_fill fill)
{
	static const char *const words[16] = { "crash ", "core ", "dump ",
		"the ", "kernel ", "pipe ", "spool ", "process ", "signal ",
		"memory ", "page ", "of ", "and ", "a ", "segmentation ",
		"fault\n" };
	uint64_t s = 0x9e3779b97f4a7c15ULL;

	for (size_t page = 0; page < TEMPLATE_SIZE; page += PAGE) {
		unsigned char *p = t + page;
		size_t i;

		size_t random = fill == CRASHBENCH_FILL_RANDOM ? PAGE
		    : fill == CRASHBENCH_FILL_TEXT             ? 0
							       : PAGE / 2;

		for (i = 0; i < random; i += 8) {
			uint64_t x = xorshift64(&s);

			memcpy(p + i, &x, 8);
		}
		while (i < PAGE) {
			const char *w = words[xorshift64(&s) & 15];
			size_t n = strlen(w);

			if (n > PAGE - i)
				n = PAGE - i;
			memcpy(p + i, w, n);
			i += n;
		}
	}
}

/*
 * fill random and text: the whole mapping generated, nothing repeated, so
 * that no compressor with a long window (zstd's are megabytes) finds the
 * template again.  random: xorshift64, 8 bytes a step; text: 8-byte runs
 * of the word text in t (the template), one of 4096 at random a step, so
 * that it compresses about as text does.
 */
static void
stream_fill(unsigned char *m, size_t len, enum crashbench_fill fill,
    const unsigned char *t)
{
	uint64_t s = 0x2545f4914f6cdd1dULL;

	for (size_t off = 0; off + 8 <= len; off += 8) {
		uint64_t x = xorshift64(&s);

		if (fill == CRASHBENCH_FILL_TEXT)
			memcpy(m + off, t + (x & 4095) * 8, 8);
		else
			memcpy(m + off, &x, 8);
	}
}

/* A victim's other threads: they wait, blocked, until the process dies. */
static void *
victim_thread(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

/*
 * The crashing process, after exec.  Starts threads - 1 more threads,
 * touches every page of mib MiB (filled as fill says), says it is ready on
 * fd 3, waits for the go on fd 4, writes the time to fd 3 and raises
 * SIGSEGV.  core "0": RLIMIT_CORE 0 (a file core_pattern writes nothing).
 */
static int
victim_main(int argc, char **argv)
{
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	enum crashbench_fill fill = CRASHBENCH_FILL_MIXED;
	unsigned char *tmpl = NULL;
	unsigned long mib, threads = 1;
	struct timespec ts;
	sigset_t set;
	size_t len;
	char c, *end;

	if (argc != 3 && argc != 6)
		return 2;
	errno = 0;
	mib = strtoul(argv[2], &end, 10);
	if (errno || end == argv[2] || *end || mib > (1UL << 20))
		return 2;
	if (argc == 6) {
		threads = strtoul(argv[3], &end, 10);
		if (*end || threads < 1 || threads > MAX_THREADS)
			return 2;
		for (fill = 0; fill < CRASHBENCH_FILL_MAX; fill++)
			if (strcmp(argv[4], crashbench_fill_names[fill]) == 0)
				break;
		if (fill == CRASHBENCH_FILL_MAX)
			return 2;
		if (strcmp(argv[5], "0") == 0)
			rl.rlim_cur = rl.rlim_max = 0;
	}
	len = (size_t)mib << 20;
	prctl(PR_SET_NAME, "crashbench-vic");
	/* A pipe helper gets the core whatever RLIMIT_CORE says but 1. */
	setrlimit(RLIMIT_CORE, &rl);
	signal(SIGSEGV, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, SIGSEGV);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	for (unsigned long i = 1; i < threads; i++) {
		pthread_t t;

		if (pthread_create(&t, NULL, victim_thread, NULL) != 0)
			return 89;
	}
	if (len > 0) {
		unsigned char *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

		tmpl = malloc(TEMPLATE_SIZE);
		if (m == MAP_FAILED || tmpl == NULL)
			return 90;
		template_fill(tmpl, fill);
		if (fill != CRASHBENCH_FILL_MIXED)
			stream_fill(m, len, fill, tmpl);
		for (size_t off = 0; fill == CRASHBENCH_FILL_MIXED && off < len;
		     off += TEMPLATE_SIZE) {
			size_t n = len - off < TEMPLATE_SIZE ? len - off
							     : TEMPLATE_SIZE;

			memcpy(m + off, tmpl, n);
		}
		/* Every page unique, should anything below us dedupe. */
		for (size_t off = 0; off < len; off += PAGE) {
			uint64_t idx = off / PAGE;

			memcpy(m + off, &idx, sizeof(idx));
		}
	}
	if (write_full(VICTIM_READY_FD, "R", 1) < 0 ||
	    read_full(VICTIM_GO_FD, &c, 1) < 0)
		return 91;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (write_full(VICTIM_READY_FD, &ts, sizeof(ts)) < 0)
		return 92;
	raise(SIGSEGV);
	return 93;
}

/* In the forked child: fds 3 and 4 become the pipes, then exec a victim. */
static void __attribute__((noreturn)) victim_exec(const struct opts *o,
    unsigned long mib, int threads, int ready_fd, int go_fd)
{
	char arg[32], targ[16];
	int r, g;

	/* Out of the way first: either may already sit on 3 or 4. */
	r = fcntl(ready_fd, F_DUPFD_CLOEXEC, 10);
	g = fcntl(go_fd, F_DUPFD_CLOEXEC, 10);
	if (r < 0 || g < 0 || dup2(r, VICTIM_READY_FD) < 0 ||
	    dup2(g, VICTIM_GO_FD) < 0)
		_exit(94);
	snprintf(arg, sizeof(arg), "%lu", mib);
	snprintf(targ, sizeof(targ), "%d", threads);
	execl("/proc/self/exe", "crashbench", "victim", arg, targ,
	    crashbench_fill_names[o->fill], o->no_core ? "0" : "inf",
	    (char *)NULL);
	_exit(95);
}

/* Returns true if a process other than us runs the executable exe. */
static bool
helper_running(const char *exe)
{
	char path[NAME_MAX + 16], target[PATH_MAX];
	struct dirent *de;
	bool found = false;
	DIR *d;

	d = opendir("/proc");
	if (d == NULL)
		die("opendir /proc: %s", strerror(errno));
	while (!found && (de = readdir(d)) != NULL) {
		ssize_t n;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/exe", de->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		if (n <= 0)
			continue; /* kernel thread, zombie, or gone */
		target[n] = '\0';
		found = strcmp(target, exe) == 0;
	}
	closedir(d);
	return found;
}

/*
 * Waits until no helper process is left: a hook keeps working (sync,
 * publish, counters) after it lets the kernel reap the victim, and the
 * next crash must not overlap it.
 */
static void
wait_helpers_gone(const char *exe)
{
	double deadline = bench_now_ms() + HELPER_WAIT_MS;
	struct timespec pause = { 0, 2 * 1000 * 1000 };

	while (helper_running(exe)) {
		if (bench_now_ms() > deadline)
			die("%s still running after %d s", exe,
			    HELPER_WAIT_MS / 1000);
		nanosleep(&pause, NULL);
	}
}

/* Reads "key: value" for an unsigned key from core_info text. */
static uint64_t
info_u64(const char *text, const char *key)
{
	const char *p = strstr(text, key);

	return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

static void
info_word(const char *text, const char *key, char *out, size_t size)
{
	const char *p = strstr(text, key);
	size_t n = 0;

	if (p) {
		p += strlen(key);
		while (*p == ' ')
			p++;
		while (p[n] && p[n] != '\n' && n + 1 < size)
			n++;
		memcpy(out, p, n);
	}
	out[n] = '\0';
	if (n == 0)
		snprintf(out, size, "-");
}

/*
 * Sums the apparent size of the files of dump dir name (below the spool's
 * fd), reads its core_info, and removes it unless keep.
 */
static void
dump_measure(int spool_fd, const char *name, bool keep, struct sample *s)
{
	struct dirent *de;
	DIR *d;
	int fd;

	fd = openat(spool_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || (d = fdopendir(fd)) == NULL)
		die("open dump %s: %s", name, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		struct stat st;

		if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		s->bytes += (uint64_t)st.st_size;
		if (strcmp(de->d_name, "core_info") == 0) {
			char text[4096];
			int ifd = openat(fd, "core_info", O_RDONLY | O_CLOEXEC);
			ssize_t n =
			    ifd < 0 ? -1 : read(ifd, text, sizeof(text) - 1);

			if (ifd >= 0)
				close(ifd);
			if (n > 0) {
				text[n] = '\0';
				s->core_read = info_u64(text, "bytes_read:");
				s->core_gz = info_u64(text, "compressed:");
				s->core_kept = info_u64(text, "bytes_kept:");
				info_word(text, "stopped:", s->stopped,
				    sizeof(s->stopped));
			}
		}
		if (!keep && unlinkat(fd, de->d_name, 0) < 0)
			die("remove %s/%s: %s", name, de->d_name,
			    strerror(errno));
	}
	closedir(d);
	if (!keep && unlinkat(spool_fd, name, AT_REMOVEDIR) < 0)
		die("remove %s: %s", name, strerror(errno));
}

/* Finds the published dump of pid: "<time>-<pid>-<comm>[-N]". */
static void
dump_find(const char *spool, pid_t pid, bool keep, struct sample *s)
{
	char needle[32], name[NAME_MAX + 1] = "";
	struct dirent *de;
	int fd;
	DIR *d;

	snprintf(needle, sizeof(needle), "Z-%d-", (int)pid);
	fd = open(spool, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		die("open spool %s: %s", spool, strerror(errno));
	d = opendir(spool);
	if (d == NULL)
		die("opendir %s: %s", spool, strerror(errno));
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.' && strstr(de->d_name, needle)) {
			snprintf(name, sizeof(name), "%s", de->d_name);
			break;
		}
	closedir(d);
	if (name[0]) {
		s->found = true;
		dump_measure(fd, name, keep, s);
	}
	close(fd);
}

/*
 * Runs "/bin/sh -c cmd" with CRASHBENCH_PID=pid in its environment; true if
 * it exits 0, with the first line of its output in out.
 */
static bool
avail_try(const char *cmd, pid_t pid, char *out, size_t size)
{
	char env[32], buf[512];
	size_t len = 0;
	int p[2], status;
	pid_t child;
	ssize_t n;

	if (pipe2(p, O_CLOEXEC) < 0)
		die("pipe: %s", strerror(errno));
	child = fork();
	if (child < 0)
		die("fork: %s", strerror(errno));
	if (child == 0) {
		snprintf(env, sizeof(env), "%d", (int)pid);
		setenv("CRASHBENCH_PID", env, 1);
		if (dup2(p[1], STDOUT_FILENO) < 0)
			_exit(126);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	while ((n = read(p[0], buf + len, sizeof(buf) - 1 - len)) > 0 ||
	    (n < 0 && errno == EINTR))
		if (n > 0)
			len += (size_t)n;
	close(p[0]);
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid: %s", strerror(errno));
	buf[len] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	for (char *q = buf; *q; q++)
		if (*q == ' ' || *q == '\t')
			*q = '_'; /* one word on the sample line */
	if (buf[0] == '\0')
		snprintf(buf, sizeof(buf), "-");
	len = strlen(buf) < size ? strlen(buf) : size - 1;
	memcpy(out, buf, len);
	out[len] = '\0';
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/*
 * Polls cmd until it succeeds: s->avail_ms from the crash (t0,
 * monotonic ms), or -1 after AVAIL_WAIT_MS.
 */
static void
avail_wait(const char *cmd, pid_t pid, double t0, struct sample *s)
{
	struct timespec pause = { 0, AVAIL_POLL_MS * 1000 * 1000 };
	double deadline = bench_now_ms() + AVAIL_WAIT_MS;

	s->avail_ms = -1;
	snprintf(s->avail_out, sizeof(s->avail_out), "-");
	while (bench_now_ms() < deadline) {
		if (avail_try(cmd, pid, s->avail_out, sizeof(s->avail_out))) {
			s->avail_ms = bench_now_ms() - t0;
			return;
		}
		nanosleep(&pause, NULL);
	}
}

/* Crashes one victim of mib MiB and measures it. */
static void
crash_once(
    const struct opts *o, unsigned long mib, int threads, struct sample *s)
{
	int ready[2], go[2], status;
	struct timespec t0;
	double t1;
	pid_t pid;
	char c;

	memset(s, 0, sizeof(*s));
	snprintf(s->stopped, sizeof(s->stopped), "-");
	snprintf(s->avail_out, sizeof(s->avail_out), "-");
	s->avail_ms = -1;
	wait_helpers_gone(o->wait_exe);
	if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(go, O_CLOEXEC) < 0)
		die("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		close(ready[0]);
		close(go[1]);
		victim_exec(o, mib, threads, ready[1], go[0]);
	}
	close(ready[1]);
	close(go[0]);
	if (read_full(ready[0], &c, 1) < 0)
		die("victim %d died before it was ready", (int)pid);
	if (write_full(go[1], "G", 1) < 0)
		die("write go: %s", strerror(errno));
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid: %s", strerror(errno));
	t1 = bench_now_ms();
	if (read_full(ready[0], &t0, sizeof(t0)) < 0)
		die("victim %d did not report its crash time", (int)pid);
	close(ready[0]);
	close(go[1]);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGSEGV)
		die("victim %d ended with status 0x%x, not SIGSEGV", (int)pid,
		    status);
	s->ms = t1 - ((double)t0.tv_sec * 1e3 + (double)t0.tv_nsec / 1e6);
	s->pid = (int)pid;
	if (o->available)
		avail_wait(o->available, pid,
		    (double)t0.tv_sec * 1e3 + (double)t0.tv_nsec / 1e6, s);
	/* Let the helper finish (and publish) before the next crash. */
	wait_helpers_gone(o->wait_exe);
	if (o->settled) {
		struct sample t;

		avail_wait(o->settled, pid, bench_now_ms(), &t);
		if (t.avail_ms < 0)
			die("--settled \"%s\" did not succeed in %d s",
			    o->settled, AVAIL_WAIT_MS / 1000);
	}
	if (o->spool)
		dump_find(o->spool, pid, o->keep, s);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t
median_u64(uint64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_u64);
	return v[n / 2];
}

static int
cmd_crash(const struct opts *o)
{
	static struct sample s[MAX_REPS];
	static double ms[MAX_REPS];
	static uint64_t bytes[MAX_REPS], cread[MAX_REPS], cgz[MAX_REPS];
	double med, start = bench_now_ms();
	char stopped[32];
	int found = 0;

	/* Warm-up crashes are tiny: they warm the helper, not the victim. */
	for (int i = 0; i < o->warmup; i++) {
		struct sample w;

		crash_once(o, 0, 1, &w);
		if (o->verbose)
			fprintf(stderr, "warm-up %d: %.2f ms\n", i + 1, w.ms);
	}
	for (int i = 0; i < o->reps; i++) {
		crash_once(o, o->mib, o->threads, &s[i]);
		if (o->verbose)
			fprintf(stderr,
			    "rep %d: %.2f ms, dump %s, %llu bytes, "
			    "core read %llu gz %llu stopped %s\n",
			    i + 1, s[i].ms, s[i].found ? "found" : "none",
			    (unsigned long long)s[i].bytes,
			    (unsigned long long)s[i].core_read,
			    (unsigned long long)s[i].core_gz, s[i].stopped);
		printf(
		    "sample ms=%.3f bytes=%llu core_read=%llu core_gz=%llu "
		    "core_kept=%llu stopped=%s found=%d pid=%d avail_ms=%.3f "
		    "avail_out=%s\n",
		    s[i].ms, (unsigned long long)s[i].bytes,
		    (unsigned long long)s[i].core_read,
		    (unsigned long long)s[i].core_gz,
		    (unsigned long long)s[i].core_kept, s[i].stopped,
		    s[i].found, s[i].pid, s[i].avail_ms, s[i].avail_out);
		ms[i] = s[i].ms;
		bytes[i] = s[i].bytes;
		cread[i] = s[i].core_read;
		cgz[i] = s[i].core_gz;
		found += s[i].found;
	}
	snprintf(stopped, sizeof(stopped), "%s", s[0].stopped);
	for (int i = 1; i < o->reps; i++)
		if (strcmp(s[i].stopped, stopped) != 0)
			snprintf(stopped, sizeof(stopped), "mixed");
	med = bench_median(ms, (size_t)o->reps);
	printf("result runs=%d median_ms=%.2f min_ms=%.2f p90_ms=%.2f "
	       "max_ms=%.2f bytes=%llu core_read=%llu core_gz=%llu "
	       "stopped=%s dumps_found=%d wall_s=%.1f\n",
	    o->reps, med, ms[0], ms[(o->reps * 9 + 9) / 10 - 1],
	    ms[o->reps - 1], (unsigned long long)median_u64(bytes, o->reps),
	    (unsigned long long)median_u64(cread, o->reps),
	    (unsigned long long)median_u64(cgz, o->reps), stopped, found,
	    (bench_now_ms() - start) / 1e3);
	if (o->spool && found != o->reps)
		fprintf(stderr,
		    "crashbench: warning: only %d of %d crashes left a dump "
		    "in %s\n",
		    found, o->reps, o->spool);
	return 0;
}

struct tfile {
	char name[NAME_MAX + 1];
	char *data;
	size_t len;
	mode_t mode;
};

/* Loads the regular files of a template dump into memory. */
static int
template_load(const char *dir, struct tfile *files, int max)
{
	struct dirent *de;
	int n = 0, dfd;
	DIR *d;

	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = dfd < 0 ? NULL : fdopendir(dfd);
	if (d == NULL)
		die("open template %s: %s", dir, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		struct tfile *f = &files[n];
		struct stat st;
		int fd;

		if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (n == max || st.st_size > TEMPLATE_FILE_CAP)
			die("template %s: too many or too big files", dir);
		snprintf(f->name, sizeof(f->name), "%s", de->d_name);
		f->len = (size_t)st.st_size;
		f->mode = st.st_mode & 07777;
		f->data = malloc(f->len ? f->len : 1);
		fd = openat(dfd, de->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (f->data == NULL || fd < 0 || read_full(fd, f->data, f->len))
			die("read template %s/%s", dir, de->d_name);
		close(fd);
		n++;
	}
	closedir(d);
	return n;
}

/*
 * Fills the spool with count copies of a template dump, each built in
 * .incoming and published by rename like the hook does.  Names are
 * distinct, valid and older than any real crash: one second apart from
 * 2020-01-01, pid first + i, comm "filler".
 */
static int
cmd_populate(const char *spool, const char *template, long count, long first,
    bool hardlink)
{
	static struct tfile files[TEMPLATE_FILES];
	int n, sfd, ifd, tfd;

	n = template_load(template, files, TEMPLATE_FILES);
	tfd = open(template, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (tfd < 0)
		die("open template %s: %s", template, strerror(errno));
	sfd = open(spool, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sfd < 0)
		die("open spool %s: %s", spool, strerror(errno));
	ifd = openat(sfd, ".incoming", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (ifd < 0)
		die("open %s/.incoming: %s", spool, strerror(errno));
	for (long i = first; i < first + count; i++) {
		time_t t = 1577836800 + i;
		char when[32], name[NAME_MAX + 1];
		struct tm tm;
		int dfd;

		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y%m%dT%H%M%S", &tm);
		snprintf(name, sizeof(name), "%s.000000Z-%ld-filler", when,
		    100000 + i);
		if (mkdirat(ifd, name, 0750) < 0)
			die("mkdir %s: %s", name, strerror(errno));
		dfd = openat(ifd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0)
			die("open %s: %s", name, strerror(errno));
		for (int k = 0; k < n && hardlink; k++)
			if (linkat(tfd, files[k].name, dfd, files[k].name, 0) <
			    0)
				die("link %s/%s: %s", name, files[k].name,
				    strerror(errno));
		for (int k = 0; k < n && !hardlink; k++) {
			int fd = openat(dfd, files[k].name,
			    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				O_CLOEXEC,
			    files[k].mode);

			if (fd < 0 ||
			    write_full(fd, files[k].data, files[k].len) < 0)
				die("write %s/%s: %s", name, files[k].name,
				    strerror(errno));
			close(fd);
		}
		close(dfd);
		if (renameat(ifd, name, sfd, name) < 0)
			die("publish %s: %s", name, strerror(errno));
	}
	/* Write it all back now, not during the measurements. */
	if (syncfs(sfd) < 0)
		die("syncfs %s: %s", spool, strerror(errno));
	close(ifd);
	close(sfd);
	close(tfd);
	for (int k = 0; k < n; k++)
		free(files[k].data);
	return 0;
}

static void
usage(FILE *f)
{
	fputs(
	    "Usage: crashbench crash --helper PATH --mib N --reps R "
	    "[--warmup W]\n"
	    "                        [--threads T] [--fill mixed|random|text] "
	    "[--no-core]\n"
	    "                        [--wait-exe PATH] [--available CMD] "
	    "[--settled CMD]\n"
	    "                        [--spool DIR] [--keep] [--verbose]\n"
	    "       crashbench populate --spool DIR --template DUMP "
	    "--count N\n"
	    "                           [--first K] [--link]\n"
	    "\n"
	    "crash: crashes W tiny warm-up victims, then R victims that "
	    "touched\n"
	    "N MiB, through the registered core_pattern helper PATH. "
	    "Prints a\n"
	    "\"sample\" line per victim (milliseconds from crash to "
	    "reaped and,\n"
	    "with --spool, the size and core_info of its dump, which is "
	    "then\n"
	    "removed unless --keep) and one \"result\" line.\n"
	    "--threads: the victim has T threads; --fill: what its pages "
	    "hold;\n"
	    "--no-core: its RLIMIT_CORE is 0.  --wait-exe: the process "
	    "waited for\n"
	    "before and after each crash (default: PATH).  --available: "
	    "after the\n"
	    "crash, \"sh -c CMD\" (CRASHBENCH_PID set) is run every 5 ms "
	    "until it\n"
	    "exits 0: avail_ms is the time from the crash, avail_out its "
	    "output.\n"
	    "--settled CMD: polled the same way (untimed) once the helper is "
	    "gone,\n"
	    "before the dump is measured and removed.\n"
	    "populate: adds N copies of the dump directory DUMP to the "
	    "spool\n"
	    "(--link: hard links instead of copies).  Run by bench/run.\n",
	    f);
}

static long
parse_num(const char *s, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > max)
		die("bad number \"%s\" (0..%ld)", s, max);
	return v;
}

int
main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "helper", required_argument, NULL, 'H' },
		{ "wait-exe", required_argument, NULL, 'W' },
		{ "available", required_argument, NULL, 'a' },
		{ "settled", required_argument, NULL, 'S' },
		{ "threads", required_argument, NULL, 'T' },
		{ "fill", required_argument, NULL, 'F' },
		{ "no-core", no_argument, NULL, 'N' },
		{ "spool", required_argument, NULL, 's' },
		{ "mib", required_argument, NULL, 'm' },
		{ "reps", required_argument, NULL, 'r' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "keep", no_argument, NULL, 'k' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "template", required_argument, NULL, 't' },
		{ "count", required_argument, NULL, 'n' },
		{ "first", required_argument, NULL, 'f' },
		{ "link", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .reps = 5, .warmup = 1, .threads = 1 };
	const char *template = NULL, *cmd;
	char helper[PATH_MAX], wait_exe[PATH_MAX];
	long count = -1, first = 0;
	bool hardlink = false;
	int opt;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	cmd = argv[1];
	if (strcmp(cmd, "victim") == 0)
		return victim_main(argc, argv);
	optind = 2;
	while ((opt = getopt_long(argc, argv, "hv", options, NULL)) != -1) {
		switch (opt) {
		case 'H':
			o.helper = optarg;
			break;
		case 'W':
			o.wait_exe = optarg;
			break;
		case 'a':
			o.available = optarg;
			break;
		case 'S':
			o.settled = optarg;
			break;
		case 'T':
			o.threads = (int)parse_num(optarg, MAX_THREADS);
			break;
		case 'F':
			for (o.fill = 0; o.fill < CRASHBENCH_FILL_MAX; o.fill++)
				if (strcmp(optarg,
					crashbench_fill_names[o.fill]) == 0)
					break;
			if (o.fill == CRASHBENCH_FILL_MAX)
				die("bad --fill \"%s\" (mixed, random, text)",
				    optarg);
			break;
		case 'N':
			o.no_core = true;
			break;
		case 's':
			o.spool = optarg;
			break;
		case 'm':
			o.mib = (unsigned long)parse_num(optarg, 1L << 20);
			break;
		case 'r':
			o.reps = (int)parse_num(optarg, MAX_REPS);
			break;
		case 'w':
			o.warmup = (int)parse_num(optarg, MAX_REPS);
			break;
		case 'k':
			o.keep = true;
			break;
		case 'l':
			hardlink = true;
			break;
		case 'v':
			o.verbose = true;
			break;
		case 't':
			template = optarg;
			break;
		case 'n':
			count = parse_num(optarg, 10L * 1000 * 1000);
			break;
		case 'f':
			first = parse_num(optarg, 10L * 1000 * 1000);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(cmd, "populate") == 0) {
		if (o.spool == NULL || template == NULL || count < 0)
			die("populate needs --spool, --template and --count");
		return cmd_populate(o.spool, template, count, first, hardlink);
	}
	if (strcmp(cmd, "crash") != 0) {
		usage(stderr);
		return 2;
	}
	if (o.helper == NULL || o.reps < 1 || o.threads < 1)
		die("crash needs --helper, --reps >= 1 and --threads >= 1");
	/* /proc/PID/exe shows the resolved path. */
	if (realpath(o.helper, helper) == NULL)
		die("helper %s: %s", o.helper, strerror(errno));
	o.helper = helper;
	if (o.wait_exe == NULL)
		o.wait_exe = o.helper;
	else if (realpath(o.wait_exe, wait_exe) == NULL)
		die("--wait-exe %s: %s", o.wait_exe, strerror(errno));
	else
		o.wait_exe = wait_exe;
	return cmd_crash(&o);
}
