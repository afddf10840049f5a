/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * backtrace.c owns unwinding a core with libdwfl.  Every count is bounded
 * (threads, frames) and so is the time: the unwind runs in a child
 * process, which stops by itself at a deadline checked per thread, frame
 * and module, and is killed at a later one (libdwfl's reading of a core
 * with 100,000 segments, or a debuginfod fetch, cannot be interrupted).
 * The child also keeps a libdw failure on a hostile core out of the
 * daemon.  A failure is reported in the text, never fatal.
 */
#include "backtrace.h"

#include <elf.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "clock.h"
#include "escape.h"
#include "fsutil.h"
#include "hookstate.h"

/* What the child sends back at most: the text and the frames, 1 MiB each. */
#define BACKTRACE_TEXT_MAX (1024 * 1024)
#define BACKTRACE_OUTPUT_CAP (2 * BACKTRACE_TEXT_MAX + 4096)

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
 * Finds a module's debug info the standard way (build id, then the
 * .gnu_debuglink name in the default directories), and else the debuglink
 * file beside the module's own path: libdwfl resolves the default's
 * "same directory" against the daemon's working directory when it found
 * the module through the core.
 */
static int
find_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname,
    Dwarf_Addr base, const char *file_name, const char *debuglink_file,
    GElf_Word debuglink_crc, char **debuginfo_file_name)
{
	const char *slash;
	char path[4096];
	int fd;

	if (past_deadline())
		return -1; /* no debuginfod fetch past the deadline */
	fd = dwfl_standard_find_debuginfo(mod, userdata, modname, base,
	    file_name, debuglink_file, debuglink_crc, debuginfo_file_name);
	if (fd >= 0 || debuglink_file == NULL || strchr(debuglink_file, '/') ||
	    modname == NULL || modname[0] != '/')
		return fd;
	slash = strrchr(modname, '/');
	if (snprintf(path, sizeof(path), "%.*s/%s", (int)(slash - modname),
		modname, debuglink_file) >= (int)sizeof(path))
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		*debuginfo_file_name = strdup(path);
		if (*debuginfo_file_name == NULL) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

/* Finds a module's file by build id, then path; nothing past the deadline. */
static int
find_elf(Dwfl_Module *mod, void **userdata, const char *modname,
    Dwarf_Addr base, char **file_name, Elf **elfp)
{
	if (past_deadline())
		return -1;
	return dwfl_build_id_find_elf(
	    mod, userdata, modname, base, file_name, elfp);
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
	if (dump_read_item(d, "tid", 32, &tid_text) == 0)
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

/* Decompresses core.gz into an anonymous file (bounded by its size). */
static int
core_from_gz(const struct dump *d)
{
	char buf[65536];
	gzFile gz;
	int fd, out, n, r = 0;

	fd = openat(d->dirfd, "core.gz", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	out = memfd_create("crashd-core", MFD_CLOEXEC);
	gz = out < 0 ? NULL : gzdopen(fd, "rb");
	if (gz == NULL) {
		r = out < 0 ? -errno : -ENOMEM;
		close(fd);
		if (out >= 0)
			close(out);
		return r;
	}
	while ((n = gzread(gz, buf, sizeof(buf))) > 0) {
		if (write(out, buf, (size_t)n) != n) {
			r = -EIO;
			break;
		}
	}
	if (n < 0)
		r = -EIO;
	gzclose(gz);
	if (r < 0) {
		close(out);
		return r;
	}
	return out;
}

/* Opens the dump's core, uncompressed: a file descriptor or -errno. */
static int
core_open(const struct dump *d)
{
	int fd;

	fd = openat(d->dirfd, "core.mini", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return core_from_gz(d);
	return fd < 0 ? -errno : fd;
}

/* What an unwind sends back, before its text and its frames. */
struct reply {
	int32_t r;
	uint32_t threads, frames;
	char signature[17];
	uint64_t text_len, frames_len;
};

/* Opens the core and unwinds it until deadline_ms. */
static void
unwind_core(const struct dump *d, int64_t deadline_ms, struct buf *text,
    struct buf *frames, struct backtrace_result *res, int *ret_r)
{
	int fd = core_open(d);

	memset(res, 0, sizeof(*res));
	if (fd < 0) {
		buf_printf(text, "no backtrace: cannot read the core: %s\n",
		    strerror(-fd));
		*ret_r = fd;
		return;
	}
	*ret_r = backtrace_unwind(d, fd, deadline_ms, text, frames, res);
	close(fd);
}

/* The child's side: unwinds, and writes the reply to out. */
static void
child_run(const struct dump *d, int out, int64_t deadline_ms)
{
	struct backtrace_result res;
	struct buf text, frames;
	struct reply rep;
	int r;

	buf_init(&text, BACKTRACE_TEXT_MAX);
	buf_init(&frames, BACKTRACE_TEXT_MAX);
	unwind_core(d, deadline_ms, &text, &frames, &res, &r);
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
	buf_done(&text);
	buf_done(&frames);
}

/*
 * Reads the child's reply on fd until it closes it or kill_at passes.
 * Returns 0, -ETIMEDOUT or -errno.
 */
static int
read_reply(int fd, int64_t kill_at, struct buf *in)
{
	char chunk[65536];

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int64_t left = kill_at - clock_now_ms(CLOCK_MONOTONIC);
		ssize_t n;

		if (left <= 0)
			return -ETIMEDOUT;
		n = poll(&pfd, 1, (int)(left > 60000 ? 60000 : left));
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n <= 0)
			continue; /* a signal, or the deadline: see above */
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		if (buf_append(in, chunk, (size_t)n) < 0)
			return -E2BIG;
	}
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
 * within the unwinder's own time.
 */
static void
debuginfod_environment(const struct backtrace_options *opt)
{
	char secs[32];

	if (opt->debuginfod_urls == NULL || opt->debuginfod_urls[0] == '\0') {
		unsetenv("DEBUGINFOD_URLS");
		return;
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
}

/*
 * Unwinds in a child process: it stops by itself at opt->time_ms, and is
 * killed at opt->kill_ms.  Fills text, frames and res as
 * backtrace_unwind() does; returns its result, or -ETIMEDOUT when the
 * child was killed, or -EIO when it died.
 */
static int
unwind_in_child(const struct dump *d, const struct backtrace_options *opt,
    struct buf *text, struct buf *frames, struct backtrace_result *res)
{
	int64_t start = clock_now_ms(CLOCK_MONOTONIC);
	struct reply rep;
	struct buf in;
	int pfd[2] = { -1, -1 }, status = 0, r;
	pid_t pid = -1;

	memset(res, 0, sizeof(*res));
	if (pipe2(pfd, O_CLOEXEC) == 0)
		pid = fork();
	if (pid < 0) {
		/* Better an unwind without the hard bound than none (and
		 * without debuginfod: a fetch could hang the daemon). */
		unsetenv("DEBUGINFOD_URLS");
		safe_close(pfd[0]);
		safe_close(pfd[1]);
		unwind_core(d, start + opt->time_ms, text, frames, res, &r);
		return r;
	}
	if (pid == 0) {
		/* The daemon decides when it ends: at kill_ms at the latest. */
		signal(SIGTERM, SIG_IGN);
		signal(SIGINT, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(pfd[0]);
		debuginfod_environment(opt);
		child_run(d, pfd[1], start + opt->time_ms);
		_exit(0);
	}
	close(pfd[1]);
	buf_init(&in, BACKTRACE_OUTPUT_CAP);
	r = read_reply(pfd[0], start + opt->kill_ms, &in);
	close(pfd[0]);
	if (r < 0)
		(void)kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (r == 0 && in.len >= sizeof(rep)) {
		memcpy(&rep, in.data, sizeof(rep));
		if (rep.text_len <= in.len - sizeof(rep) &&
		    rep.frames_len == in.len - sizeof(rep) - rep.text_len) {
			(void)buf_append(
			    text, in.data + sizeof(rep), (size_t)rep.text_len);
			(void)buf_append(frames,
			    in.data + sizeof(rep) + rep.text_len,
			    (size_t)rep.frames_len);
			res->threads = rep.threads;
			res->frames = rep.frames;
			memcpy(res->signature, rep.signature,
			    sizeof(res->signature));
			res->signature[sizeof(res->signature) - 1] = '\0';
			buf_done(&in);
			return rep.r < 0 ? rep.r : 0;
		}
	}
	buf_done(&in);
	if (r == -ETIMEDOUT) {
		buf_printf(text,
		    "no backtrace: the unwinder took longer than %lld ms and "
		    "was stopped\n",
		    (long long)opt->kill_ms);
		return r;
	}
	if (WIFSIGNALED(status))
		buf_printf(text,
		    "no backtrace: the unwinder died of signal %d\n",
		    WTERMSIG(status));
	else
		buf_printf(text, "no backtrace: the unwinder failed (%s)\n",
		    strerror(r < 0 ? -r : EPROTO));
	return -EIO;
}

int
backtrace_dump_with(struct dump *d, const struct backtrace_options *opt)
{
	struct backtrace_result res;
	struct buf text, frames;
	int r;

	if (faccessat(d->dirfd, "backtrace", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	if (faccessat(d->dirfd, "core.mini", F_OK, AT_SYMLINK_NOFOLLOW) < 0 &&
	    faccessat(d->dirfd, "core.gz", F_OK, AT_SYMLINK_NOFOLLOW) < 0)
		return 0; /* no core: nothing to unwind */
	buf_init(&text, BACKTRACE_TEXT_MAX);
	buf_init(&frames, BACKTRACE_TEXT_MAX);
	r = unwind_in_child(d, opt, &text, &frames, &res);
	(void)dump_replace_item(
	    d, "backtrace", text.data ? text.data : "", text.len);
	if (r >= 0) {
		char sig[32];

		(void)dump_replace_item(d, "backtrace_frames",
		    frames.data ? frames.data : "", frames.len);
		if (res.signature[0]) {
			char *copy = strdup(res.signature);

			snprintf(sig, sizeof(sig), "%s\n", res.signature);
			(void)dump_replace_item(
			    d, "signature", sig, strlen(sig));
			/* The dedupe key reads it next. */
			if (copy) {
				free(d->signature);
				d->signature = copy;
			}
		}
	}
	buf_done(&text);
	buf_done(&frames);
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
