/*
 * backtrace.c owns unwinding a core with libdwfl.  Every count is bounded
 * (threads, frames); a failure is reported in the text, never fatal.
 */
#include "backtrace.h"

#include <elf.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "escape.h"
#include "hookstate.h"

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
};

struct unwind {
	Dwfl *dwfl;
	struct thread *threads;
	unsigned n;
};

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
	nt = realloc(u->threads, (u->n + 1) * sizeof(*nt));
	if (nt == NULL)
		return DWARF_CB_ABORT;
	u->threads = nt;
	memset(&u->threads[u->n], 0, sizeof(*nt));
	u->threads[u->n].tid = dwfl_thread_tid(thread);
	/* A thread that cannot be unwound further still keeps its frames. */
	(void)dwfl_thread_getframes(thread, frame_cb, &u->threads[u->n]);
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
	if (t == NULL || t->n == 0)
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

int
backtrace_unwind(const struct dump *d, int core_fd, struct buf *text,
    struct buf *frames, struct backtrace_result *ret)
{
	static char *debuginfo_path = NULL;
	static const Dwfl_Callbacks callbacks = {
		.find_elf = dwfl_build_id_find_elf,
		.find_debuginfo = find_debuginfo,
		.debuginfo_path = &debuginfo_path,
	};
	struct backtrace_result res = { 0 };
	struct unwind u = { NULL, NULL, 0 };
	char *tid_text = NULL;
	pid_t crashed = 0;
	Elf *core;
	int r = 0;

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
	if (u.n == 0) {
		buf_printf(text, "no backtrace: no thread in the core (%s)\n",
		    dwfl_errmsg(-1));
		r = -ENODATA;
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

int
backtrace_dump(struct dump *d)
{
	struct backtrace_result res;
	struct buf text, frames;
	int fd, r;

	if (faccessat(d->dirfd, "backtrace", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	fd = openat(d->dirfd, "core.mini", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		fd = core_from_gz(d);
	if (fd < 0)
		return 0; /* no core: nothing to unwind */
	buf_init(&text, 1024 * 1024);
	buf_init(&frames, 1024 * 1024);
	r = backtrace_unwind(d, fd, &text, &frames, &res);
	close(fd);
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
