/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * backtrace.c owns the unwinder's child and its supervision: which core a
 * dump has is dump_core()'s, and the unwind (backtrace_unwind.c) runs in
 * a child process, which stops by itself at a deadline and is killed at
 * a later one (libdwfl's reading of a core with 100,000 segments, or a
 * debuginfod fetch, cannot be interrupted).  The child also keeps a libdw
 * failure on a hostile core out of the daemon, and is confined
 * (confine.c: no root, an empty root directory, bounded memory); the
 * daemon does not wait for it (backtrace_start() and
 * backtrace_job_finish(), scheduled by unwinds.c).  What the child sends
 * back becomes the items backtrace, backtrace_frames, signature, duphash
 * and where.  A
 * failure is reported in the text, never fatal.
 */
#include "backtrace.h"

#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "child.h"
#include "clock.h"
#include "confine.h"
#include "core_inflate.h"
#include "fsutil.h"
#include "items.h"

/* What the child sends back at most: the text and the frames, 1 MiB each. */
#define BACKTRACE_TEXT_MAX (1024 * 1024)
#define BACKTRACE_OUTPUT_CAP (2 * BACKTRACE_TEXT_MAX + 4096)
/* Unwinds in flight at most, for the registry of their control pipes. */
#define BACKTRACE_JOBS_MAX 64
/* How often a stopped unwinder is looked at until its supervisor ends. */
#define BACKTRACE_STOP_POLL_MS 20

/*
 * Opens the dump's core (dump_core()) as root, before the confinement:
 * core.mini, or core.gz (*ret_gz set: inflated later, confined).  Returns
 * an fd, -ENOENT when it has none, or another -errno.
 */
static int
core_open(const struct dump *d, bool *ret_gz)
{
	struct dump_core c;
	int fd, r;

	r = dump_core(d, &c);
	if (r < 0)
		return r;
	if (c.kind == DUMP_CORE_NONE)
		return -ENOENT;
	fd = openat(
	    d->dirfd, c.item, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	*ret_gz = c.kind == DUMP_CORE_GZ;
	return fd;
}

/* What an unwind sends back, before its text and its frames. */
struct reply {
	int32_t r;
	uint32_t threads, frames;
	char signature[17];
	char duphash[SHA1_HEX_LEN + 1];
	char where[CRASH_SITE_MAX + 1];
	uint64_t text_len, frames_len;
};

/*
 * Unwinds core_fd (taken) until deadline_ms, inflating it first when gz;
 * a core cut short by core_inflate()'s bounds says so in the text.
 * crashed: the crashing thread's id (0: unknown).
 */
static void
unwind_core(const struct dump *d, int core_fd, bool gz, pid_t crashed,
    const struct frame_skip *fs, int64_t deadline_ms, struct buf *text,
    struct buf *frames, struct backtrace_result *res, int *ret_r)
{
	struct core_inflate_result inf = { 0 };
	int fd = core_fd;

	memset(res, 0, sizeof(*res));
	if (gz)
		fd = core_inflate(core_fd, deadline_ms, &inf);
	if (fd < 0) {
		buf_printf(text, "no backtrace: cannot read the core: %s\n",
		    strerror(-fd));
		*ret_r = fd;
		return;
	}
	*ret_r = backtrace_unwind_thread(
	    d, fd, crashed, fs, deadline_ms, text, frames, res);
	close(fd);
	if (inf.cut)
		buf_printf(text,
		    "(core.gz inflated to %llu bytes only, %llu of them not "
		    "zeros; its headers declare %llu: stopped by %s)\n",
		    (unsigned long long)inf.size, (unsigned long long)inf.data,
		    (unsigned long long)inf.declared, inf.cut);
}

/* mkdir -p for the debuginfod cache (libdebuginfod makes only the last). */
static void
make_dirs(const char *path)
{
	char p[4096];
	size_t n = strlen(path);

	if (n >= sizeof(p))
		return;
	memcpy(p, path, n + 1);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		(void)mkdir(p, 0755);
		*s = '/';
	}
	(void)mkdir(p, 0700);
}

/*
 * The child's environment for libdebuginfod: the configured servers or
 * none (a DEBUGINFOD_URLS the daemon inherited, from a login shell's
 * profile say, never makes it fetch), the cache, and each fetch bounded
 * within the unwinder's own time.  Returns true when debuginfod is on.
 */
static bool
debuginfod_environment(const struct backtrace_options *opt)
{
	char secs[32];

	if (opt->debuginfod_urls == NULL || opt->debuginfod_urls[0] == '\0') {
		unsetenv("DEBUGINFOD_URLS");
		return false;
	}
	setenv("DEBUGINFOD_URLS", opt->debuginfod_urls, 1);
	if (opt->debuginfod_cache) {
		make_dirs(opt->debuginfod_cache);
		setenv("DEBUGINFOD_CACHE_PATH", opt->debuginfod_cache, 1);
	}
	/* No answer within 2 s, or a download past the unwinder's time. */
	setenv("DEBUGINFOD_TIMEOUT", "2", 1);
	snprintf(secs, sizeof(secs), "%lld",
	    (long long)(opt->time_ms > 1000 ? opt->time_ms / 1000 : 1));
	setenv("DEBUGINFOD_MAXTIME", secs, 1);
	unsetenv("DEBUGINFOD_PROGRESS");
	unsetenv("DEBUGINFOD_VERBOSE");
	/*
	 * libdwfl loads libdebuginfod (and curl) on first use: here, while
	 * the libraries can still be found, not in the empty root.
	 */
	{
		static const Dwfl_Callbacks cb = {
			.find_elf = dwfl_build_id_find_elf,
			.find_debuginfo = dwfl_standard_find_debuginfo,
		};
		Dwfl *dwfl = dwfl_begin(&cb);

		if (dwfl) {
			(void)dwfl_get_debuginfod_client(dwfl);
			dwfl_end(dwfl);
		}
	}
	return true;
}

/*
 * The child (child_fork() made it clean; it ignores what
 * backtrace_start() says): opens the core as root, enters the confinement,
 * unwinds, and writes the reply to out (a memfd: the daemon reads it after the
 * child is gone, so that the child never waits on it).  Never returns.
 */
static void
child_main(const struct dump *d, const struct backtrace_options *opt, int out,
    int ctl, int64_t deadline_ms)
{
	struct backtrace_result res = { 0 };
	struct buf text, frames;
	struct reply rep;
	bool gz = false, debuginfod;
	pid_t crashed = 0;
	char *tid = NULL;
	int fd, r;

	/* Even while the daemon is busy elsewhere (an exec action). */
	alarm((unsigned)(opt->kill_ms / 1000 + 2));
	buf_init(&text, BACKTRACE_TEXT_MAX);
	buf_init(&frames, BACKTRACE_TEXT_MAX);
	debuginfod = debuginfod_environment(opt);
	/* Before the confinement: the dump cannot be read after it. */
	if (dump_read_item(d, DUMP_ITEM_TID, 32, &tid) == 0)
		crashed = (pid_t)atoi(tid);
	free(tid);
	fd = core_open(d, &gz);
	r = fd < 0
	    ? fd
	    : confine_enter(d, debuginfod ? opt->debuginfod_cache : NULL);
	if (fd < 0) {
		buf_printf(&text, "no backtrace: cannot read the core: %s\n",
		    strerror(-fd));
	} else if (r < 0) {
		buf_printf(&text,
		    "no backtrace: the unwinder could not drop its "
		    "privileges: %s\n",
		    strerror(-r));
		close(fd);
	} else if ((r = confine_supervise(ctl,
			deadline_ms - clock_now_ms(CLOCK_MONOTONIC) +
			    opt->kill_ms - opt->time_ms)) < 0) {
		buf_printf(&text,
		    "no backtrace: the unwinder could not be supervised: %s\n",
		    strerror(-r));
		close(fd);
	} else {
		unwind_core(d, fd, gz, crashed, opt->skip, deadline_ms, &text,
		    &frames, &res, &r);
	}
	memset(&rep, 0, sizeof(rep));
	rep.r = r;
	rep.threads = res.threads;
	rep.frames = res.frames;
	memcpy(rep.signature, res.signature, sizeof(rep.signature));
	memcpy(rep.duphash, res.duphash, sizeof(rep.duphash));
	memcpy(rep.where, res.where, sizeof(rep.where));
	rep.text_len = text.len;
	rep.frames_len = frames.len;
	if (write_all(out, &rep, sizeof(rep)) == 0 &&
	    write_all(out, text.data ? text.data : "", text.len) == 0)
		(void)write_all(
		    out, frames.data ? frames.data : "", frames.len);
	_exit(0);
}

/*
 * The daemon's ends of the unwinds' control pipes.  A child the daemon
 * forks (another unwinder, a delivery) closes its copies first thing, so
 * that closing one here ends that unwind at once (ctl_forget_in_child()).
 */
static int ctl_fds[BACKTRACE_JOBS_MAX];
static size_t n_ctl_fds;

static void
ctl_forget_in_child(void)
{
	for (size_t i = 0; i < n_ctl_fds; i++)
		(void)close(ctl_fds[i]);
	n_ctl_fds = 0;
}

/* Closes a control pipe's end (-1: none); returns -1. */
static int
ctl_close(int fd)
{
	for (size_t i = 0; fd >= 0 && i < n_ctl_fds; i++)
		if (ctl_fds[i] == fd) {
			ctl_fds[i] = ctl_fds[--n_ctl_fds];
			break;
		}
	return safe_close(fd);
}

static void
ctl_register(int fd)
{
	static bool registered;

	if (!registered && pthread_atfork(NULL, NULL, ctl_forget_in_child) == 0)
		registered = true;
	if (n_ctl_fds < BACKTRACE_JOBS_MAX)
		ctl_fds[n_ctl_fds++] = fd;
}

struct backtrace_job {
	struct child child;
	int pipe_fd; /* its read end: end of file when the child is gone */
	int ctl_fd; /* closed: its supervisor stops it (confine_supervise()) */
	int out_fd; /* the memfd the child writes its reply into */
	int64_t kill_at;
	int64_t kill_ms;
	bool killed;
};

bool
backtrace_wanted(const struct dump *d)
{
	struct dump_core c;

	if (faccessat(
		d->dirfd, DUMP_ITEM_BACKTRACE, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return false;
	return dump_core(d, &c) == 0 && c.kind != DUMP_CORE_NONE;
}

int
backtrace_start(const struct dump *d, const struct backtrace_options *opt,
    struct backtrace_job **ret)
{
	/* The daemon decides when it ends: at kill_ms at the latest. */
	static const int ignore[] = { SIGTERM, SIGINT, SIGHUP, SIGPIPE, 0 };
	static const struct child_options co = { .ignore = ignore };
	int64_t start = clock_now_ms(CLOCK_MONOTONIC);
	struct backtrace_job *j;
	int pfd[2] = { -1, -1 }, ctl[2] = { -1, -1 }, r;

	j = calloc(1, sizeof(*j));
	if (j == NULL)
		return -ENOMEM;
	j->child.pid = -1;
	j->ctl_fd = -1;
	j->out_fd = memfd_create("crashd-unwind", MFD_CLOEXEC);
	if (j->out_fd < 0 || pipe2(pfd, O_CLOEXEC) < 0 ||
	    pipe2(ctl, O_CLOEXEC) < 0) {
		r = -errno;
		goto out;
	}
	r = child_fork(&co, &j->child);
	if (r < 0)
		goto out;
	if (r == 0) {
		close(pfd[0]);
		close(ctl[1]);
		child_main(d, opt, j->out_fd, ctl[0], start + opt->time_ms);
	}
	j->pipe_fd = pfd[0];
	pfd[0] = -1;
	j->ctl_fd = ctl[1];
	ctl[1] = -1;
	ctl_register(j->ctl_fd);
	j->kill_ms = opt->kill_ms;
	j->kill_at = start + opt->kill_ms;
	*ret = j;
	j = NULL;
	r = 0;
out:
	/* The child's ends, and everything when there is no child. */
	safe_close(pfd[0]);
	safe_close(pfd[1]);
	safe_close(ctl[0]);
	safe_close(ctl[1]);
	if (j)
		safe_close(j->out_fd);
	free(j);
	return r;
}

int
backtrace_job_fd(const struct backtrace_job *j)
{
	return j->pipe_fd;
}

int64_t
backtrace_job_kill_at(const struct backtrace_job *j)
{
	return j->kill_at;
}

/* Reads the child's reply from its memfd into text, frames and res. */
static int
read_reply(struct backtrace_job *j, const struct child_result *cr,
    struct buf *text, struct buf *frames, struct backtrace_result *res)
{
	struct reply rep;
	struct stat st;
	char *in = NULL;

	memset(res, 0, sizeof(*res));
	if (!j->killed && cr->exited && fstat(j->out_fd, &st) == 0 &&
	    (uint64_t)st.st_size >= sizeof(rep) &&
	    (uint64_t)st.st_size <= BACKTRACE_OUTPUT_CAP &&
	    (in = malloc((size_t)st.st_size)) != NULL &&
	    pread(j->out_fd, in, (size_t)st.st_size, 0) == st.st_size) {
		size_t len = (size_t)st.st_size;

		memcpy(&rep, in, sizeof(rep));
		if (rep.text_len <= len - sizeof(rep) &&
		    rep.frames_len == len - sizeof(rep) - rep.text_len) {
			(void)buf_append(
			    text, in + sizeof(rep), (size_t)rep.text_len);
			(void)buf_append(frames,
			    in + sizeof(rep) + rep.text_len,
			    (size_t)rep.frames_len);
			res->threads = rep.threads;
			res->frames = rep.frames;
			memcpy(res->signature, rep.signature,
			    sizeof(res->signature));
			res->signature[sizeof(res->signature) - 1] = '\0';
			memcpy(res->duphash, rep.duphash, sizeof(res->duphash));
			res->duphash[sizeof(res->duphash) - 1] = '\0';
			memcpy(res->where, rep.where, sizeof(res->where));
			res->where[sizeof(res->where) - 1] = '\0';
			free(in);
			return rep.r < 0 ? rep.r : 0;
		}
	}
	free(in);
	if (j->killed || (!cr->exited && cr->code == SIGALRM)) {
		buf_printf(text,
		    "no backtrace: the unwinder took longer than %lld ms and "
		    "was stopped\n",
		    (long long)j->kill_ms);
		return -ETIMEDOUT;
	}
	if (!cr->exited || cr->code > CONFINE_EXIT_SIGNAL)
		buf_printf(text,
		    "no backtrace: the unwinder died of signal %d\n",
		    cr->exited ? cr->code - CONFINE_EXIT_SIGNAL : cr->code);
	else
		buf_printf(text, "no backtrace: the unwinder failed (%s)\n",
		    strerror(EPROTO));
	return -EIO;
}

/* Writes "value\n" as item name, when value is not "". */
static void
write_line(struct dump *d, const char *name, const char *value)
{
	struct buf b;

	if (value[0] == '\0')
		return;
	buf_init(&b, 0);
	if (buf_printf(&b, "%s\n", value) >= 0)
		(void)dump_replace_item(d, name, b.data, b.len);
	buf_done(&b);
}

/* Writes the items of a finished unwind. */
static void
write_items(struct dump *d, int r, const struct buf *text,
    const struct buf *frames, const struct backtrace_result *res)
{
	(void)dump_replace_item(
	    d, DUMP_ITEM_BACKTRACE, text->data ? text->data : "", text->len);
	if (r >= 0) {
		char sig[32];

		/* Before the signature: a reader sees where it died first. */
		write_line(d, DUMP_ITEM_WHERE, res->where);
		write_line(d, DUMP_ITEM_DUPHASH, res->duphash);

		(void)dump_replace_item(d, DUMP_ITEM_BACKTRACE_FRAMES,
		    frames->data ? frames->data : "", frames->len);
		if (res->signature[0]) {
			char *copy = strdup(res->signature);

			snprintf(sig, sizeof(sig), "%s\n", res->signature);
			(void)dump_replace_item(
			    d, DUMP_ITEM_SIGNATURE, sig, strlen(sig));
			/* The dedupe key reads it next. */
			if (copy) {
				free(d->signature);
				d->signature = copy;
			}
		}
	}
}

int
backtrace_job_finish(struct backtrace_job *j, struct dump *d)
{
	struct backtrace_result res;
	struct buf text, frames;
	struct pollfd pfd = { .fd = j->pipe_fd, .events = POLLIN };
	struct child_result cr;
	int r;

	if (poll(&pfd, 1, 0) == 0) {
		int64_t now = clock_now_ms(CLOCK_MONOTONIC);

		if (now < j->kill_at)
			return 0;
		/*
		 * Its supervisor stops it (the daemon may not signal another
		 * uid's process: no CAP_KILL); one still root (no root to
		 * drop, the supervisor not started yet) is killed here.
		 */
		if (!j->killed) {
			j->killed = true;
			j->ctl_fd = ctl_close(j->ctl_fd);
			child_kill(&j->child, SIGKILL);
		}
		j->kill_at = now + BACKTRACE_STOP_POLL_MS;
		r = child_reap(&j->child, &cr);
		if (r == 0)
			return 0;
	} else {
		r = child_wait(&j->child, &cr);
	}
	if (r < 0) /* (lost: its reply says what it did) */
		cr = (struct child_result){ .exited = true };
	buf_init(&text, BACKTRACE_TEXT_MAX);
	buf_init(&frames, BACKTRACE_TEXT_MAX);
	r = read_reply(j, &cr, &text, &frames, &res);
	write_items(d, r, &text, &frames, &res);
	buf_done(&text);
	buf_done(&frames);
	return 1;
}

void
backtrace_job_free(struct backtrace_job *j)
{
	if (j == NULL)
		return;
	if (j->child.pid > 0) {
		j->ctl_fd = ctl_close(j->ctl_fd);
		(void)child_stop(&j->child, 0, NULL);
	}
	ctl_close(j->ctl_fd);
	safe_close(j->pipe_fd);
	safe_close(j->out_fd);
	free(j);
}

int
backtrace_dump_with(struct dump *d, const struct backtrace_options *opt)
{
	struct backtrace_job *j = NULL;
	int r;

	if (!backtrace_wanted(d))
		return 0;
	r = backtrace_start(d, opt, &j);
	if (r < 0) {
		char line[256];

		snprintf(line, sizeof(line),
		    "no backtrace: cannot start the unwinder: %s\n",
		    strerror(-r));
		(void)dump_replace_item(
		    d, DUMP_ITEM_BACKTRACE, line, strlen(line));
		return 1;
	}
	while (backtrace_job_finish(j, d) == 0) {
		struct pollfd pfd = { .fd = j->pipe_fd, .events = POLLIN };
		int64_t left = j->kill_at - clock_now_ms(CLOCK_MONOTONIC);

		(void)poll(&pfd, 1,
		    left <= 0         ? 0
			: left > 1000 ? 1000
				      : (int)left);
	}
	backtrace_job_free(j);
	return 1;
}

int
backtrace_dump(struct dump *d)
{
	static const struct backtrace_options opt = {
		.time_ms = BACKTRACE_TIME_MS, .kill_ms = BACKTRACE_KILL_MS
	};

	return backtrace_dump_with(d, &opt);
}
