/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * koops_analyze.c owns what a kernel report says (koops_analyze()): the
 * function it names, the process, taint, modules, the call trace, an OOM
 * kill's figures, its reason and signature.  Grouping the kernel log's
 * records into reports is koops.c's.
 */
#include "koops.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "hookstate.h"

/* Copies n bytes of s into out (size) without control bytes. */
static void
copy_text(char *out, size_t size, const char *s, size_t n)
{
	size_t j = 0;

	for (size_t i = 0; i < n && j + 1 < size; i++)
		out[j++] = (unsigned char)s[i] < 0x20 ? ' ' : s[i];
	while (j > 0 && out[j - 1] == ' ')
		j--;
	out[j] = '\0';
}

static bool
sym_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '$';
}

/*
 * Reads "sym+0xOFF/0xLEN [module]" at s: the symbol and module (without
 * offsets).  Returns false when s holds no symbol with an offset.
 */
static bool
parse_symbol(const char *s, size_t n, char *sym, size_t sym_size, char *mod,
    size_t mod_size)
{
	size_t i = 0, k;

	while (i < n && sym_char(s[i]))
		i++;
	if (i == 0 || i + 3 > n || memcmp(s + i, "+0x", 3) != 0)
		return false;
	copy_text(sym, sym_size, s, i);
	mod[0] = '\0';
	for (k = i; k < n && s[k] != ' ' && s[k] != ')'; k++)
		;
	while (k < n && s[k] == ' ')
		k++;
	if (k < n && s[k] == '[') {
		const char *e = memchr(s + k, ']', n - k);

		if (e)
			copy_text(
			    mod, mod_size, s + k + 1, (size_t)(e - s - k - 1));
	}
	return true;
}

/*
 * A call trace line's frame: "[<ffffffff81662d11>] dump_stack+0x45/0x56",
 * " ? printk+0x58/0x6f" (unreliable: *unreliable), "func+0x1/0x2 [mod]",
 * ARM's "[<c0014318>] (func) from [<...>] (...)".  Returns false for a
 * line that is no frame.
 */
static bool
parse_frame(const char *s, size_t n, char *sym, size_t sym_size, char *mod,
    size_t mod_size, bool *unreliable)
{
	bytes_trim_left(&s, &n);
	*unreliable = false;
	if (n > 2 && s[0] == '[' && s[1] == '<') {
		const char *e = memchr(s, ']', n);

		if (e == NULL)
			return false;
		n -= (size_t)(e + 1 - s);
		s = e + 1;
		bytes_trim_left(&s, &n);
		if (n > 0 && s[0] == '(') { /* ARM: "(func+0x24/0x2c)" */
			s++;
			n--;
			if (parse_symbol(s, n, sym, sym_size, mod, mod_size))
				return true;
			/* "(show_stack)": no offset */
			size_t i = 0;

			while (i < n && sym_char(s[i]))
				i++;
			if (i == 0 || i >= n || s[i] != ')')
				return false;
			copy_text(sym, sym_size, s, i);
			mod[0] = '\0';
			return true;
		}
	}
	if (n > 2 && s[0] == '?' && s[1] == ' ') {
		*unreliable = true;
		s += 2;
		n -= 2;
	}
	return parse_symbol(s, n, sym, sym_size, mod, mod_size);
}

/* Frames of the reporting machinery: the same in every report. */
static bool
machinery(const char *sym)
{
	static const char *const names[] = { "dump_stack", "dump_stack_lvl",
		"show_stack", "dump_backtrace", "__warn",
		"warn_slowpath_common", "warn_slowpath_fmt",
		"warn_slowpath_null", "report_bug", "handle_bug",
		"exc_invalid_op", "asm_exc_invalid_op", "panic", "vpanic",
		"do_trap", "do_error_trap", "die", "__die", "oops_end",
		"no_context", "__bad_area_nosemaphore", "bad_area_nosemaphore",
		"page_fault_oops", "kernelmode_fixup_or_oops",
		"do_user_addr_fault", "exc_page_fault", "asm_exc_page_fault",
		"page_fault", "__schedule", "schedule", "schedule_timeout",
		"io_schedule", "schedule_preempt_disabled", "show_regs",
		"print_modules", "__dump_stack", "dump_header",
		"watchdog_timer_fn", "nmi_cpu_backtrace", "__show_regs" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(sym, names[i]) == 0)
			return true;
	return false;
}

/* The value after key in s ("key" then up to a delimiter). */
static void
value_after(const char *s, size_t n, const char *key, const char *stops,
    char *out, size_t size)
{
	const char *p = bytes_find(s, n, key), *e;

	if (p == NULL)
		return;
	p += strlen(key);
	for (e = p; e < s + n && !strchr(stops, *e); e++)
		;
	copy_text(out, size, p, (size_t)(e - p));
}

/* "CPU: 0 PID: 37 Comm: kworker/0:1 Not tainted 6.1.0 #1" and kin. */
static void
read_process_line(struct koops_facts *f, const char *s, size_t n)
{
	const char *p, *t;
	char num[32] = "";

	if (f->marker == KOOPS_OOM && f->comm[0])
		return; /* the victim was named */
	if ((p = bytes_find(s, n, "PID: ")) != NULL &&
	    bytes_find(s, n, "Comm: ")) {
		value_after(s, n, "PID: ", " ", num, sizeof(num));
		value_after(s, n, "Comm: ", " ", f->comm, sizeof(f->comm));
	} else if (bytes_has_prefix(s, n, "Pid: ") &&
	    bytes_find(s, n, "comm: ")) {
		value_after(s, n, "Pid: ", ",", num, sizeof(num));
		value_after(s, n, "comm: ", " ", f->comm, sizeof(f->comm));
	} else {
		return;
	}
	f->pid = num[0] ? strtol(num, NULL, 10) : -1;
	if ((t = bytes_find(s, n, "Not tainted")) != NULL) {
		snprintf(f->taint, sizeof(f->taint), "Not tainted");
		t += strlen("Not tainted");
	} else if ((t = bytes_find(s, n, "Tainted: ")) != NULL) {
		/* The flags, then the version: "G      D    OE     5.2.0" */
		const char *v = t + strlen("Tainted: "), *e = v;

		while (e < s + n) {
			const char *w = e;

			while (w < s + n && *w == ' ')
				w++;
			if (w < s + n && *w >= '0' && *w <= '9')
				break; /* the version */
			e = w;
			while (e < s + n && *e != ' ')
				e++;
			if (w == e)
				break;
		}
		copy_text(f->taint, sizeof(f->taint), v, (size_t)(e - v));
		t = e;
	}
	if (t) {
		size_t rest = (size_t)(s + n - t);

		bytes_trim_left(&t, &rest);
		/* Kernel 2.6's "(2.6.27.9-159.fc10.i686 #1)". */
		if (rest > 0 && *t == '(') {
			t++;
			rest--;
			if (rest > 0 && t[rest - 1] == ')')
				rest--;
		}
		copy_text(f->kernel, sizeof(f->kernel), t, rest);
	}
}

/* Where it happened: "RIP: 0010:func+0x..", "IP: ..", "PC is at ..". */
static void
read_site_line(struct koops_facts *f, const char *s, size_t n)
{
	static const char *const keys[] = { "RIP: 0010:", "EIP is at ",
		"PC is at ", "pc : ", "NIP [", "IP: ", "RIP: " };
	const char *p;
	char mod[64];

	if (f->function[0])
		return;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (!bytes_has_prefix(s, n, keys[i]))
			continue;
		p = s + strlen(keys[i]);
		n -= strlen(keys[i]);
		if (i == 4) { /* "NIP [c000000000ab1234] func+0x10/0x20" */
			const char *e = memchr(p, ']', n);

			if (e == NULL)
				return;
			n -= (size_t)(e + 1 - p);
			p = e + 1;
		}
		if (i == 6 && n > 5 && p[4] == ':') {
			/* "RIP: 0033:0x7f..": user space, no site. */
			return;
		}
		bytes_trim_left(&p, &n);
		if (n > 2 && p[0] == '[' && p[1] == '<') {
			const char *e = memchr(p, ']', n);

			if (e == NULL)
				return;
			n -= (size_t)(e + 1 - p);
			p = e + 1;
			bytes_trim_left(&p, &n);
		}
		/* 2.6's ":radeon:func+0x90/0x302": the module first. */
		if (n > 1 && p[0] == ':') {
			const char *e = memchr(p + 1, ':', n - 1);

			if (e) {
				n -= (size_t)(e + 1 - p);
				p = e + 1;
			}
		}
		if (parse_symbol(p, n, f->function, sizeof(f->function), mod,
			sizeof(mod)) &&
		    mod[0] && !f->module[0])
			snprintf(f->module, sizeof(f->module), "%s", mod);
		return;
	}
}

/* "WARNING: CPU: 0 PID: 37 at FILE:LINE func+0xca/0xe0 [radeon]" */
static void
read_warning_line(struct koops_facts *f, const char *s, size_t n)
{
	const char *at = bytes_find(s, n, " at ");
	const char *p;
	size_t rest;
	char mod[64];

	if (at == NULL || f->function[0])
		return;
	p = at + 4;
	rest = (size_t)(s + n - p);
	/* The file:line, then the function (on this line since 3.x). */
	while (rest > 0 && *p != ' ') {
		p++;
		rest--;
	}
	bytes_trim_left(&p, &rest);
	if (parse_symbol(
		p, rest, f->function, sizeof(f->function), mod, sizeof(mod)) &&
	    mod[0])
		snprintf(f->module, sizeof(f->module), "%s", mod);
}

/* The OOM killer's lines: the kill, its constraint and cgroups. */
static void
read_oom_line(struct koops_facts *f, const char *s, size_t n)
{
	const char *p;
	char num[32] = "";

	if (bytes_has_prefix(s, n, "oom-kill:")) {
		value_after(s, n, "constraint=", ",", f->constraint,
		    sizeof(f->constraint));
		/* The victim's memcg: task_memcg (oom_memcg: the limit's). */
		value_after(
		    s, n, "task_memcg=", ",", f->cgroup, sizeof(f->cgroup));
		if (!f->cgroup[0])
			value_after(s, n, "oom_memcg=", ",", f->cgroup,
			    sizeof(f->cgroup));
		return;
	}
	/* "Task in /test killed as a result of limit of /test" (v1, 4.x) */
	if (bytes_has_prefix(s, n, "Task in ") && !f->cgroup[0]) {
		value_after(
		    s, n, "Task in ", " ", f->cgroup, sizeof(f->cgroup));
		return;
	}
	p = bytes_find(s, n, "Killed process ");
	if (p == NULL)
		return;
	value_after(s, n, "Killed process ", " ", num, sizeof(num));
	f->pid = num[0] ? strtol(num, NULL, 10) : -1;
	value_after(s, n, "Killed process ", ")", f->comm, sizeof(f->comm));
	/* "1234 (name)": the name between the parentheses. */
	p = strchr(f->comm, '(');
	if (p)
		memmove(f->comm, p + 1, strlen(p + 1) + 1);
	else
		f->comm[0] = '\0';
	p = bytes_find(s, n, "total-vm:");
	if (p)
		copy_text(f->memory, sizeof(f->memory), p, (size_t)(s + n - p));
}

/* A line with its digits and hex numbers left out: the same bug's text. */
static void
hash_words(struct buf *b, const char *s)
{
	for (const char *p = s; *p; p++) {
		if ((*p >= '0' && *p <= '9') ||
		    (p[0] == 'x' && p > s && p[-1] == '0'))
			continue;
		if (*p >= 'a' && *p <= 'f' && p > s &&
		    ((p[-1] >= '0' && p[-1] <= '9') ||
			(p[-1] >= 'a' && p[-1] <= 'f')))
			continue;
		buf_putc(b, *p);
	}
}

static void
make_signature(struct koops_facts *f, char frames[][128], unsigned n)
{
	struct buf b;

	buf_init(&b, 0);
	buf_printf(&b, "%s;", koops_marker_names[f->marker]);
	if (f->marker == KOOPS_OOM) {
		/* The same program killed in the same cgroup, same limit. */
		buf_printf(&b, "%s;%s;%s", f->comm, f->cgroup, f->constraint);
	} else if (f->function[0] || n > 0) {
		buf_printf(&b, "%s;", f->function);
		for (unsigned i = 0; i < n; i++)
			buf_printf(&b, "%s;", frames[i]);
	} else {
		hash_words(&b, f->title);
	}
	snprintf(f->signature, sizeof(f->signature), "%016" PRIx64,
	    hookstate_key(b.data ? b.data : ""));
	buf_done(&b);
}

static void
make_reason(struct koops_facts *f)
{
	static const char *const what[_KOOPS_MARKER_MAX] = {
		[KOOPS_OOPS] = "kernel oops",
		[KOOPS_BUG] = "kernel BUG",
		[KOOPS_WARNING] = "kernel WARNING",
		[KOOPS_PANIC] = "kernel panic",
		[KOOPS_LOCKUP] = "kernel lockup",
		[KOOPS_HUNG_TASK] = "hung task",
		[KOOPS_MCE] = "machine check",
		[KOOPS_OOM] = "OOM kill",
	};
	char where[256] = "", who[128] = "";

	if (f->function[0])
		snprintf(where, sizeof(where), " in %s%s%s%s", f->function,
		    f->module[0] ? " [" : "", f->module,
		    f->module[0] ? "]" : "");
	if (f->comm[0] && f->pid >= 0)
		snprintf(who, sizeof(who), " (%s, pid %ld)", f->comm, f->pid);
	if (f->marker == KOOPS_OOM) {
		snprintf(f->reason, sizeof(f->reason),
		    "OOM killer killed %s (pid %ld)%s%s",
		    f->comm[0] ? f->comm : "?", f->pid,
		    f->cgroup[0] ? " in " : "", f->cgroup);
		return;
	}
	snprintf(f->reason, sizeof(f->reason), "%s%s%s: %s", what[f->marker],
	    where, who, f->title);
}

int
koops_analyze(enum koops_marker marker, const char *text, size_t len,
    struct koops_facts *ret)
{
	struct koops_facts *f = ret;
	char frames[KOOPS_SIGNATURE_FRAMES][128];
	unsigned n_sig = 0;
	bool in_trace = false, in_modules = false, titled = false;
	const char *end = text + len;
	int r = 0;

	memset(f, 0, sizeof(*f));
	f->marker = marker;
	f->pid = -1;
	buf_init(&f->modules, 0);
	buf_init(&f->trace, 0);
	for (const char *line = text; line < end && r >= 0;) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		size_t n = nl ? (size_t)(nl - line) : (size_t)(end - line);
		const char *s = line;
		size_t sn = n;
		char sym[128], mod[64];
		bool unreliable;
		int m;

		line = nl ? nl + 1 : end;
		bytes_trim_left(&s, &sn);
		m = koops_line_marker(s, sn);
		if (!titled && m >= 0 &&
		    !bytes_has_prefix(s, sn, KOOPS_CUT_HERE)) {
			copy_text(f->title, sizeof(f->title), s, sn);
			titled = true;
		}
		if (m == KOOPS_HUNG_TASK && !f->comm[0]) {
			/* "INFO: task NAME:PID blocked for more than N s" */
			const char *p = s + strlen("INFO: task ");
			const char *b =
			    bytes_find(s, sn, " blocked for more than ");
			const char *colon = b ? p : NULL;

			for (const char *q = p; b && q < b; q++)
				if (*q == ':')
					colon = q;
			if (b && colon > p) {
				copy_text(f->comm, sizeof(f->comm), p,
				    (size_t)(colon - p));
				f->pid = strtol(colon + 1, NULL, 10);
			}
		}
		if (bytes_has_prefix(s, sn, "WARNING: "))
			read_warning_line(f, s, sn);
		if (marker == KOOPS_OOM)
			read_oom_line(f, s, sn);
		read_process_line(f, s, sn);
		read_site_line(f, s, sn);
		if (bytes_has_prefix(s, sn, "Modules linked in:")) {
			in_modules = true;
			r = buf_append(&f->modules, s + 18, sn - 18);
			continue;
		}
		if (in_modules && n > sn && sn > 0 && !memchr(s, ':', sn)) {
			/* A continuation of the module list: indented, no ':'.
			 */
			r = buf_putc(&f->modules, ' ');
			if (r >= 0)
				r = buf_append(&f->modules, s, sn);
			continue;
		}
		in_modules = false;
		if (bytes_has_prefix(s, sn, "Call Trace:") ||
		    bytes_has_prefix(s, sn, "Call trace:") ||
		    bytes_has_prefix(s, sn, "Backtrace:")) {
			in_trace = true;
			continue;
		}
		if (!in_trace)
			continue;
		if (sn > 0 && s[0] == '<') /* <TASK>, </IRQ> */
			continue;
		if (!parse_frame(s, sn, sym, sizeof(sym), mod, sizeof(mod),
			&unreliable)) {
			/* ARM prints register lines between frames. */
			if (sn > 3 && s[0] == 'r' && s[1] >= '0' && s[1] <= '9')
				continue;
			in_trace = false;
			continue;
		}
		if (unreliable)
			continue;
		r = buf_printf(&f->trace, "#%u %s%s%s%s\n", f->n_frames, sym,
		    mod[0] ? " [" : "", mod, mod[0] ? "]" : "");
		f->n_frames++;
		if (!f->function[0] && !machinery(sym) &&
		    (marker == KOOPS_HUNG_TASK || marker == KOOPS_LOCKUP ||
			marker == KOOPS_PANIC))
			snprintf(f->function, sizeof(f->function), "%s", sym);
		if (n_sig < KOOPS_SIGNATURE_FRAMES && !machinery(sym) &&
		    strcmp(sym, f->function) != 0)
			snprintf(frames[n_sig++], sizeof(frames[0]), "%s", sym);
	}
	if (r < 0) {
		koops_facts_done(f);
		return r;
	}
	if (!titled) {
		const char *nl = memchr(text, '\n', len);

		copy_text(f->title, sizeof(f->title), text,
		    nl ? (size_t)(nl - text) : len);
	}
	make_signature(f, frames, n_sig);
	make_reason(f);
	return 0;
}

void
koops_facts_done(struct koops_facts *f)
{
	if (f == NULL)
		return;
	buf_done(&f->modules);
	buf_done(&f->trace);
}
