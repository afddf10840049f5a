/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * backtrace_unwind.c owns unwinding a core with libdwfl, in the process
 * that calls it (the unwinder's child, backtrace.c; the benchmark): every
 * thread's frames, bounded in count (threads, frames) and in time (a
 * deadline checked per thread, frame and module), and finding each
 * module's file and debug info, by build id or at its path, through
 * confine_open() once confined.  What it found is written out by
 * backtrace_render.c.
 */
#include "backtrace.h"

#include <elf.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backtrace_render.h"
#include "clock.h"
#include "confine.h"
#include "items.h"

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
	{
		Dwarf_Addr start = 0;

		mname = dwfl_module_info(
		    mod, NULL, &start, NULL, NULL, NULL, NULL, NULL);
		f->module_offset = pc - start;
	}
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
		f->offset = f->module_offset;
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
backtrace_unwind_thread(const struct dump *d, int core_fd, pid_t crashed,
    const struct frame_skip *fs, int64_t deadline_ms, struct buf *text,
    struct buf *frames, struct backtrace_result *ret)
{
	static char *debuginfo_path = NULL;
	static const Dwfl_Callbacks callbacks = {
		.find_elf = find_elf,
		.find_debuginfo = find_debuginfo,
		.debuginfo_path = &debuginfo_path,
	};
	struct backtrace_result res = { 0 };
	struct unwind u = { NULL, NULL, 0, NULL };
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
	/* The crashing thread first, then the others in the core's order. */
	backtrace_render(u.threads, u.n, crashed, fs, text, frames, &res);
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
	for (unsigned i = 0; i < u.n; i++)
		backtrace_thread_done(&u.threads[i]);
	free(u.threads);
	dwfl_end(u.dwfl);
	elf_end(core);
	*ret = res;
	return r;
}

int
backtrace_unwind(const struct dump *d, int core_fd, int64_t deadline_ms,
    struct buf *text, struct buf *frames, struct backtrace_result *ret)
{
	char *tid = NULL;
	pid_t crashed = 0;

	if (dump_read_item(d, DUMP_ITEM_TID, 32, &tid) == 0)
		crashed = (pid_t)atoi(tid);
	free(tid);
	return backtrace_unwind_thread(
	    d, core_fd, crashed, NULL, deadline_ms, text, frames, ret);
}
