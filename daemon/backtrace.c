/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * backtrace.c owns unwinding a core with libdwfl.  Every count is bounded
 * (threads, frames) and so is the time: the unwind runs in a child
 * process, which stops by itself at a deadline checked per thread, frame
 * and module, and is killed at a later one (libdwfl's reading of a core
 * with 100,000 segments, or a debuginfod fetch, cannot be interrupted).
 * The child also keeps a libdw failure on a hostile core out of the
 * daemon, and is confined (confine.c: no root, an empty root directory,
 * bounded memory); the daemon does not wait for it (backtrace_start()
 * and backtrace_job_finish(), scheduled by unwinds.c).  A failure is
 * reported in the text, never fatal.
 */
#include "backtrace.h"

#include <elf.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
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
#include "escape.h"
#include "fsutil.h"
#include "hookstate.h"
#include "items.h"

/* What the child sends back at most: the text and the frames, 1 MiB each. */
#define BACKTRACE_TEXT_MAX (1024 * 1024)
#define BACKTRACE_OUTPUT_CAP (2 * BACKTRACE_TEXT_MAX + 4096)
/* Unwinds in flight at most, for the registry of their control pipes. */
#define BACKTRACE_JOBS_MAX 64
/* How often a stopped unwinder is looked at until its supervisor ends. */
#define BACKTRACE_STOP_POLL_MS 20

struct frame {
	uint64_t pc;
	char *function; /* NULL when unknown */
	uint64_t offset;
	char *module;
	char build_id[41];
	char *file;
	int line;
};

struct thread {
	pid_t tid;
	struct frame *frames;
	unsigned n;
	bool cut; /* stopped by the deadline before its last frame */
};

struct unwind {
	Dwfl *dwfl;
	struct thread *threads;
	unsigned n;
	const char *cut; /* why it is not all there, or NULL */
};

/*
 * The deadline of the unwind in progress (CLOCK_MONOTONIC, 0: none).
 * libdwfl's module callbacks take no argument of ours, and an unwind runs
 * alone in its child process.
 */
static int64_t unwind_deadline_ms;
/* The crashing thread, read by the child before it may no longer. */
static pid_t child_tid = -1;

static bool
past_deadline(void)
{
	return unwind_deadline_ms > 0 &&
	    clock_now_ms(CLOCK_MONOTONIC) >= unwind_deadline_ms;
}

static void
frame_done(struct frame *f)
{
	free(f->function);
	free(f->module);
	free(f->file);
}

static void
describe(Dwfl *dwfl, Dwarf_Addr pc, bool activation, struct frame *f)
{
	Dwarf_Addr adjusted = pc - (activation ? 0 : 1);
	Dwfl_Module *mod = dwfl_addrmodule(dwfl, adjusted);
	const unsigned char *bits;
	GElf_Addr bias = 0, vaddr;
	GElf_Off off = 0;
	GElf_Sym sym;
	const char *name, *mname;
	int n;

	memset(f, 0, sizeof(*f));
	f->pc = pc;
	if (mod == NULL)
		return;
	mname = dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
	if (mname)
		f->module = strdup(mname);
	n = dwfl_module_build_id(mod, &bits, &vaddr);
	for (int i = 0; i < n && i < 20; i++)
		snprintf(f->build_id + 2 * i, 3, "%02x", bits[i]);
	name =
	    dwfl_module_addrinfo(mod, adjusted, &off, &sym, NULL, NULL, NULL);
	if (name) {
		f->function = strdup(name);
		f->offset = off + (activation ? 0 : 1);
	} else {
		Dwarf_Addr start;

		dwfl_module_info(
		    mod, NULL, &start, NULL, NULL, NULL, NULL, NULL);
		f->offset = pc - start;
	}
	{
		Dwfl_Line *line = dwfl_module_getsrc(mod, adjusted);
		int lineno = 0;
		const char *src = line
		    ? dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL)
		    : NULL;

		if (src) {
			f->file = strdup(src);
			f->line = lineno;
		}
	}
	(void)bias;
}

static int
frame_cb(Dwfl_Frame *state, void *arg)
{
	struct thread *t = arg;
	Dwarf_Addr pc;
	bool activation;
	struct frame *nf;

	if (!dwfl_frame_pc(state, &pc, &activation))
		return DWARF_CB_ABORT;
	if (t->n >= BACKTRACE_MAX_FRAMES)
		return DWARF_CB_ABORT;
	if (past_deadline()) {
		t->cut = true;
		return DWARF_CB_ABORT;
	}
	nf = realloc(t->frames, (t->n + 1) * sizeof(*nf));
	if (nf == NULL)
		return DWARF_CB_ABORT;
	t->frames = nf;
	describe(dwfl_thread_dwfl(dwfl_frame_thread(state)), pc, activation,
	    &t->frames[t->n++]);
	return DWARF_CB_OK;
}

static int
thread_cb(Dwfl_Thread *thread, void *arg)
{
	struct unwind *u = arg;
	struct thread *nt;

	if (u->n >= BACKTRACE_MAX_THREADS)
		return DWARF_CB_ABORT;
	if (past_deadline()) {
		u->cut = "time";
		return DWARF_CB_ABORT;
	}
	nt = realloc(u->threads, (u->n + 1) * sizeof(*nt));
	if (nt == NULL)
		return DWARF_CB_ABORT;
	u->threads = nt;
	memset(&u->threads[u->n], 0, sizeof(*nt));
	u->threads[u->n].tid = dwfl_thread_tid(thread);
	/* A thread that cannot be unwound further still keeps its frames. */
	(void)dwfl_thread_getframes(thread, frame_cb, &u->threads[u->n]);
	if (u->threads[u->n].cut)
		u->cut = "time";
	u->n++;
	return DWARF_CB_OK;
}

static void
put_frame(struct buf *text, struct buf *frames, pid_t tid, unsigned i,
    const struct frame *f)
{
	buf_printf(text, "#%-2u 0x%016" PRIx64 " ", i, f->pc);
	if (f->function) {
		escape_c(text, f->function, strlen(f->function));
		buf_printf(text, "+0x%" PRIx64, f->offset);
	} else {
		buf_printf(text, "?? (+0x%" PRIx64 ")", f->offset);
	}
	if (f->module) {
		buf_puts(text, " (");
		escape_c(text, f->module, strlen(f->module));
		buf_putc(text, ')');
	}
	if (f->file) {
		buf_puts(text, " at ");
		escape_c(text, f->file, strlen(f->file));
		buf_printf(text, ":%d", f->line);
	}
	buf_putc(text, '\n');

	buf_printf(frames, "%d\t%u\t0x%016" PRIx64 "\t", (int)tid, i, f->pc);
	if (f->function)
		escape_c(frames, f->function, strlen(f->function));
	buf_printf(frames, "\t0x%" PRIx64 "\t", f->offset);
	if (f->module)
		escape_c(frames, f->module, strlen(f->module));
	buf_printf(frames, "\t%s\t", f->build_id);
	if (f->file)
		escape_c(frames, f->file, strlen(f->file));
	buf_printf(frames, "\t%d\n", f->file ? f->line : 0);
}

/*
 * The crash site: the crashing thread's top frames, by module and
 * function, or by build id and offset where there is no symbol.  Frames
 * of the signal machinery (raise, abort) stay in: they are the same for
 * the same crash.
 */
static void
signature(const struct thread *t, char out[17])
{
	struct buf b;

	out[0] = '\0';
	/* Fewer top frames than usual would be another signature. */
	if (t == NULL || t->n == 0 ||
	    (t->cut && t->n < BACKTRACE_SIGNATURE_FRAMES))
		return;
	buf_init(&b, 0);
	for (unsigned i = 0; i < t->n && i < BACKTRACE_SIGNATURE_FRAMES; i++) {
		const struct frame *f = &t->frames[i];
		const char *m = f->module ? strrchr(f->module, '/') : NULL;

		m = m ? m + 1 : (f->module ? f->module : "?");
		if (f->function)
			buf_printf(&b, "%s!%s;", m, f->function);
		else
			buf_printf(&b, "%s+0x%" PRIx64 ";",
			    f->build_id[0] ? f->build_id : m, f->offset);
	}
	snprintf(out, 17, "%016" PRIx64, hookstate_key(b.data ? b.data : ""));
	buf_done(&b);
}

/*
 * Opens the first of the candidate paths that is a regular file, through
 * confine_open() once confined (else open(2): an unconfined in-process
 * unwind, as the benchmark's).  Returns an fd with *ret_path, or -1.
 */
static int
open_first(
    const char *const *paths, size_t n, const bool *trusted, char **ret_path)
{
	for (size_t i = 0; i < n; i++) {
		int fd;

		if (paths[i] == NULL || paths[i][0] != '/')
			continue;
		fd = confine_entered()
		    ? confine_open(paths[i], trusted[i])
		    : open(paths[i], O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			continue;
		*ret_path = strdup(paths[i]);
		if (*ret_path == NULL) {
			close(fd);
			return -1;
		}
		return fd;
	}
	return -1;
}

/* "/usr/lib/debug/.build-id/xx/yyyy" (+ suffix), or "" without an id. */
static void
build_id_path(Dwfl_Module *mod, const char *suffix, char *out, size_t size)
{
	const unsigned char *bits;
	GElf_Addr vaddr;
	int n = dwfl_module_build_id(mod, &bits, &vaddr);
	size_t k;

	out[0] = '\0';
	if (n <= 1 || n > 64)
		return;
	k = (size_t)snprintf(
	    out, size, "/usr/lib/debug/.build-id/%02x/", bits[0]);
	for (int i = 1; i < n && k + 3 < size; i++, k += 2)
		snprintf(out + k, size - k, "%02x", bits[i]);
	if (k + strlen(suffix) + 1 < size)
		strcpy(out + k, suffix);
}

/*
 * Finds a module's debug info: by build id under /usr/lib/debug, then by
 * its .gnu_debuglink name beside the module, in its .debug directory and
 * under /usr/lib/debug (those by the module's path: for the host's
 * crashes only), then debuginfod where configured.  Every open is
 * confine_open()'s: a regular file, never blocking.
 */
static int
find_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname,
    Dwarf_Addr base, const char *file_name, const char *debuglink_file,
    GElf_Word debuglink_crc, char **debuginfo_file_name)
{
	char by_id[256], beside[4096], in_dot[4096], under[4096];
	const char *paths[4] = { by_id, NULL, NULL, NULL };
	const bool trusted[4] = { true, false, false, false };
	const char *slash;
	int fd;

	if (past_deadline())
		return -1; /* no debuginfod fetch past the deadline */
	if (!confine_entered())
		return dwfl_standard_find_debuginfo(mod, userdata, modname,
		    base, file_name, debuglink_file, debuglink_crc,
		    debuginfo_file_name);
	build_id_path(mod, ".debug", by_id, sizeof(by_id));
	slash = modname && modname[0] == '/' ? strrchr(modname, '/') : NULL;
	if (slash && debuglink_file && debuglink_file[0] &&
	    !strchr(debuglink_file, '/')) {
		int dir = (int)(slash - modname);

		if (snprintf(beside, sizeof(beside), "%.*s/%s", dir, modname,
			debuglink_file) < (int)sizeof(beside))
			paths[1] = beside;
		if (snprintf(in_dot, sizeof(in_dot), "%.*s/.debug/%s", dir,
			modname, debuglink_file) < (int)sizeof(in_dot))
			paths[2] = in_dot;
		if (snprintf(under, sizeof(under), "/usr/lib/debug%.*s/%s", dir,
			modname, debuglink_file) < (int)sizeof(under))
			paths[3] = under;
	}
	fd = open_first(paths, 4, trusted, debuginfo_file_name);
	if (fd >= 0)
		return fd;
	/* Its own opens find nothing in this root; debuginfod may. */
	return dwfl_standard_find_debuginfo(mod, userdata, modname, base,
	    file_name, debuglink_file, debuglink_crc, debuginfo_file_name);
}

/*
 * Finds a module's file by build id under /usr/lib/debug, then by its
 * path (the host's crashes only); nothing past the deadline.  libdwfl
 * checks the build id of what is found.
 */
static int
find_elf(Dwfl_Module *mod, void **userdata, const char *modname,
    Dwarf_Addr base, char **file_name, Elf **elfp)
{
	char by_id[256];
	const char *paths[2] = { by_id, modname };
	const bool trusted[2] = { true, false };

	if (past_deadline())
		return -1;
	if (!confine_entered())
		return dwfl_build_id_find_elf(
		    mod, userdata, modname, base, file_name, elfp);
	*elfp = NULL;
	build_id_path(mod, "", by_id, sizeof(by_id));
	return open_first(paths, 2, trusted, file_name);
}

int
backtrace_unwind(const struct dump *d, int core_fd, int64_t deadline_ms,
    struct buf *text, struct buf *frames, struct backtrace_result *ret)
{
	static char *debuginfo_path = NULL;
	static const Dwfl_Callbacks callbacks = {
		.find_elf = find_elf,
		.find_debuginfo = find_debuginfo,
		.debuginfo_path = &debuginfo_path,
	};
	struct backtrace_result res = { 0 };
	struct unwind u = { NULL, NULL, 0, NULL };
	char *tid_text = NULL;
	pid_t crashed = 0;
	Elf *core;
	int r = 0;

	unwind_deadline_ms = deadline_ms;
	elf_version(EV_CURRENT);
	core = elf_begin(core_fd, ELF_C_READ_MMAP, NULL);
	if (core == NULL) {
		buf_printf(text, "no backtrace: the core is no ELF file: %s\n",
		    elf_errmsg(-1));
		return -EINVAL;
	}
	u.dwfl = dwfl_begin(&callbacks);
	if (u.dwfl == NULL) {
		elf_end(core);
		return -ENOMEM;
	}
	if (dwfl_core_file_report(
		u.dwfl, core, d->executable[0] ? d->executable : NULL) < 0 ||
	    dwfl_report_end(u.dwfl, NULL, NULL) != 0 ||
	    dwfl_core_file_attach(u.dwfl, core) < 0) {
		buf_printf(text, "no backtrace: %s\n", dwfl_errmsg(-1));
		r = -EINVAL;
		goto out;
	}
	(void)dwfl_getthreads(u.dwfl, thread_cb, &u);
	if (child_tid >= 0)
		crashed = child_tid;
	else if (dump_read_item(d, DUMP_ITEM_TID, 32, &tid_text) == 0)
		crashed = (pid_t)atoi(tid_text);
	free(tid_text);
	/* The crashing thread first, then the others in the core's order. */
	for (int pass = 0; pass < 2; pass++)
		for (unsigned i = 0; i < u.n; i++) {
			struct thread *t = &u.threads[i];

			if ((t->tid == crashed) != (pass == 0))
				continue;
			buf_printf(text, "%sThread %d%s:\n",
			    text->len ? "\n" : "", (int)t->tid,
			    t->tid == crashed ? " (crashed)" : "");
			for (unsigned k = 0; k < t->n; k++)
				put_frame(
				    text, frames, t->tid, k, &t->frames[k]);
			if (t->n == 0)
				buf_puts(text, "(no frames)\n");
			res.frames += t->n;
			if (pass == 0)
				signature(t, res.signature);
		}
	res.threads = u.n;
	if (u.n == 0 && u.cut) {
		buf_printf(text,
		    "no backtrace: the unwinder's time limit "
		    "was reached before the first thread\n");
		r = -ETIMEDOUT;
	} else if (u.n == 0) {
		buf_printf(text, "no backtrace: no thread in the core (%s)\n",
		    dwfl_errmsg(-1));
		r = -ENODATA;
	} else if (u.cut) {
		buf_printf(text,
		    "\n(cut short: the unwinder's time limit was reached; "
		    "%u threads shown)\n",
		    u.n);
	}
out:
	for (unsigned i = 0; i < u.n; i++) {
		for (unsigned k = 0; k < u.threads[i].n; k++)
			frame_done(&u.threads[i].frames[k]);
		free(u.threads[i].frames);
	}
	free(u.threads);
	dwfl_end(u.dwfl);
	elf_end(core);
	*ret = res;
	return r;
}

/*
 * Opens the dump's core as root, before the confinement: core.mini, or
 * core.gz (*ret_gz set: inflated later, confined).  An fd or -errno.
 */
static int
core_open(const struct dump *d, bool *ret_gz)
{
	int fd;

	*ret_gz = false;
	fd = openat(d->dirfd, DUMP_ITEM_CORE_MINI,
	    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		*ret_gz = true;
		fd = openat(d->dirfd, DUMP_ITEM_CORE_GZ,
		    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	}
	return fd < 0 ? -errno : fd;
}

/* What an unwind sends back, before its text and its frames. */
struct reply {
	int32_t r;
	uint32_t threads, frames;
	char signature[17];
	uint64_t text_len, frames_len;
};

/*
 * Unwinds core_fd (taken) until deadline_ms, inflating it first when gz;
 * a core cut short by core_inflate()'s bounds says so in the text.
 */
static void
unwind_core(const struct dump *d, int core_fd, bool gz, int64_t deadline_ms,
    struct buf *text, struct buf *frames, struct backtrace_result *res,
    int *ret_r)
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
	*ret_r = backtrace_unwind(d, fd, deadline_ms, text, frames, res);
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
	bool gz, debuginfod;
	int fd, r;

	/* Even while the daemon is busy elsewhere (an exec action). */
	alarm((unsigned)(opt->kill_ms / 1000 + 2));
	buf_init(&text, BACKTRACE_TEXT_MAX);
	buf_init(&frames, BACKTRACE_TEXT_MAX);
	debuginfod = debuginfod_environment(opt);
	{
		char *tid = NULL;

		if (dump_read_item(d, DUMP_ITEM_TID, 32, &tid) == 0)
			child_tid = (pid_t)atoi(tid);
		else
			child_tid = 0;
		free(tid);
	}
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
		unwind_core(d, fd, gz, deadline_ms, &text, &frames, &res, &r);
	}
	memset(&rep, 0, sizeof(rep));
	rep.r = r;
	rep.threads = res.threads;
	rep.frames = res.frames;
	memcpy(rep.signature, res.signature, sizeof(rep.signature));
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
	if (faccessat(
		d->dirfd, DUMP_ITEM_BACKTRACE, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return false;
	return faccessat(d->dirfd, DUMP_ITEM_CORE_MINI, F_OK,
		   AT_SYMLINK_NOFOLLOW) == 0 ||
	    faccessat(d->dirfd, DUMP_ITEM_CORE_GZ, F_OK, AT_SYMLINK_NOFOLLOW) ==
	    0;
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
		goto fail;
	}
	r = child_fork(&co, &j->child);
	if (r < 0)
		goto fail;
	if (r == 0) {
		close(pfd[0]);
		close(ctl[1]);
		child_main(d, opt, j->out_fd, ctl[0], start + opt->time_ms);
	}
	close(pfd[1]);
	close(ctl[0]);
	j->pipe_fd = pfd[0];
	j->ctl_fd = ctl[1];
	ctl_register(j->ctl_fd);
	j->kill_ms = opt->kill_ms;
	j->kill_at = start + opt->kill_ms;
	*ret = j;
	return 0;
fail:
	safe_close(pfd[0]);
	safe_close(pfd[1]);
	safe_close(ctl[0]);
	safe_close(ctl[1]);
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

/* Writes the items of a finished unwind. */
static void
write_items(struct dump *d, int r, const struct buf *text,
    const struct buf *frames, const struct backtrace_result *res)
{
	(void)dump_replace_item(
	    d, DUMP_ITEM_BACKTRACE, text->data ? text->data : "", text->len);
	if (r >= 0) {
		char sig[32];

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
