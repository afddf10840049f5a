/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * snapshot.c: crashd_snapshot() and its ceiling.  See crashd.h and
 * crashd_snapshot(3).
 *
 * The caller's thread clones an intermediate process with no exit signal
 * (so the program's SIGCHLD handler never sees it, and only a waitpid with
 * __WCLONE reaps it), which clones the snapshot process and exits at once;
 * the caller reaps the intermediate: a wait of one page-table copy where
 * the intermediate is vfork-like (x86-64, crashd_vclone_snapshot), of two
 * elsewhere.  The snapshot process, an orphan, belongs to init (or the
 * nearest subreaper), which reaps it after its core is taken: no zombie
 * is left to the program.  Everything on this path is a system call on
 * memory of the caller's (raw clone(2), not fork(3): no atfork handler
 * runs, no lock is taken), so it is async-signal-safe; the children use
 * raw getpid/gettid too, since glibc's thread data still describes the
 * caller's thread there.
 */
#include "crashd.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "marker.h"

#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_CLASS_IDLE 3
#define IOPRIO_CLASS_SHIFT 13
#define DEFAULT_LIMIT 5
#define DEFAULT_PER_S 3600

/* The ceiling: (window start in seconds << 32) | snapshots in it. */
static _Atomic uint64_t window;
static _Atomic unsigned limit_n = DEFAULT_LIMIT;
static _Atomic unsigned limit_per_s = DEFAULT_PER_S;

void
crashd_snapshot_limit(unsigned n, unsigned per_seconds)
{
	atomic_store(&limit_n, n);
	atomic_store(&limit_per_s, per_seconds ? per_seconds : 1);
	atomic_store(&window, 0);
}

/* Decimal digits at *p up to UINT_MAX, *p moved past them; false if none. */
static bool
parse_unsigned(const char **p, unsigned *ret)
{
	unsigned long long v = 0;
	const char *s = *p;

	if (*s < '0' || *s > '9')
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (unsigned)(*s - '0');
		if (v > UINT_MAX)
			return false;
	}
	*p = s;
	*ret = (unsigned)v;
	return true;
}

/* "N/SECONDS", exactly (sscanf's %u would take "-1" as UINT_MAX). */
__attribute__((constructor)) static void
limit_from_environment(void)
{
	const char *e = getenv("CRASHD_SNAPSHOT_LIMIT");
	unsigned n, per;

	if (e && parse_unsigned(&e, &n) && *e++ == '/' &&
	    parse_unsigned(&e, &per) && *e == '\0')
		crashd_snapshot_limit(n, per);
}

/* Takes one slot of the ceiling; false when it is full. */
static bool
take_slot(void)
{
	struct timespec ts;
	uint64_t now, old, start, count, next;
	unsigned n = atomic_load(&limit_n), per = atomic_load(&limit_per_s);

	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		return false;
	now = (uint64_t)ts.tv_sec + 1; /* 0 is "no window yet" */
	old = atomic_load(&window);
	do {
		start = old >> 32;
		count = old & 0xffffffffu;
		if (start == 0 || now - start >= per) {
			start = now;
			count = 0;
		}
		if (count >= n)
			return false;
		next = (start << 32) | (count + 1);
	} while (!atomic_compare_exchange_weak(&window, &old, next));
	return true;
}

#if defined(__x86_64__)
/*
 * The caller's copy with one copy of the page tables: a vfork-like
 * intermediate (CLONE_VM | CLONE_VFORK, no exit signal) runs on the
 * caller's stack while the caller waits, forks the snapshot process from
 * there and exits, all without a call or a store (nothing of the shared
 * stack changes): the snapshot process returns 0 into the caller's frames
 * with the caller's registers.  The caller gets the intermediate's pid
 * (or -errno), to reap with __WCLONE.
 */
long crashd_vclone_snapshot(void);
__asm__(".text\n"
	".type crashd_vclone_snapshot, @function\n"
	"crashd_vclone_snapshot:\n"
	"	mov $56, %eax\n" /* SYS_clone */
	"	mov $0x4100, %edi\n" /* CLONE_VM | CLONE_VFORK, no signal */
	"	xor %esi, %esi\n" /* the same stack */
	"	xor %edx, %edx\n"
	"	xor %r10d, %r10d\n"
	"	xor %r8d, %r8d\n"
	"	syscall\n"
	"	test %rax, %rax\n"
	"	jnz 1f\n" /* the caller: the pid, or -errno */
	"	mov $56, %eax\n" /* the intermediate: fork */
	"	mov $17, %edi\n" /* SIGCHLD */
	"	xor %esi, %esi\n"
	"	xor %edx, %edx\n"
	"	xor %r10d, %r10d\n"
	"	xor %r8d, %r8d\n"
	"	syscall\n"
	"	test %rax, %rax\n"
	"	jz 1f\n" /* the snapshot process: 0 */
	"	mov $60, %eax\n" /* the intermediate: SYS_exit */
	"	xor %edi, %edi\n"
	"	syscall\n"
	"1:	ret\n"
	".size crashd_vclone_snapshot, .-crashd_vclone_snapshot\n");
#else
static long
raw_clone(unsigned long flags)
{
	/* Most ABIs: flags, stack, parent_tid, child_tid, tls. */
	return syscall(SYS_clone, flags, 0UL, NULL, NULL, 0UL);
}
#endif

static size_t
bounded_len(const char *s, size_t max)
{
	size_t n = 0;

	while (s && n < max && s[n])
		n++;
	return n;
}

/*
 * The snapshot process: lowest priorities, the marker, then SIGABRT.
 * (Every function of this file is named crashd_*: the daemon's "where"
 * line and signature skip them by name, also in a static link.)
 */
__attribute__((noreturn)) static void
crashd_snapshot_process(const char *reason)
{
	static const char magic[] = SNAPSHOT_MAGIC "\n";
	struct sigaction sa;
	sigset_t set;
	long fd, pid, tid;

	(void)syscall(SYS_setpriority, PRIO_PROCESS, 0, 19);
	(void)syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0,
	    IOPRIO_CLASS_IDLE << IOPRIO_CLASS_SHIFT);
	/* Open (not close-on-exec'd away) until the core is taken. */
	fd = syscall(SYS_memfd_create, SNAPSHOT_MEMFD_NAME, 0U);
	if (fd >= 0) {
		(void)!syscall(SYS_write, fd, magic, sizeof(magic) - 1);
		(void)!syscall(SYS_write, fd, reason,
		    bounded_len(reason, SNAPSHOT_REASON_MAX));
	}
	/* The program's own SIGABRT handler or mask must not stop it. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	(void)sigaction(SIGABRT, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGABRT);
	(void)sigprocmask(SIG_UNBLOCK, &set, NULL);
	pid = syscall(SYS_getpid);
	tid = syscall(SYS_gettid);
	(void)syscall(SYS_tgkill, pid, tid, SIGABRT);
	syscall(SYS_exit_group, 128 + SIGABRT);
	__builtin_unreachable();
}

/*
 * Sets the calling thread's mask as the kernel counts signals (raw: glibc
 * would leave its own two unblocked), the old one in *old.
 */
static void
set_mask(const sigset_t *set, sigset_t *old)
{
	(void)syscall(
	    SYS_rt_sigprocmask, SIG_SETMASK, set, old, (_NSIG - 1) / 8);
}

int
crashd_snapshot(const char *reason, unsigned flags)
{
	int status, saved = errno;
	sigset_t all, old;
	long pid;

	if (flags != 0)
		return -EINVAL;
	/* The kernel dumps no core of a process that is not dumpable. */
	if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0)
		return -EPERM;
	if (!take_slot())
		return 0;
	/*
	 * The intermediate has a copy of the program's handlers and runs in
	 * its memory: a signal there (the SIGCHLD of a snapshot process that
	 * dies before the intermediate is gone, a signal to the process
	 * group) would run the program's handler on the program's stack.
	 * So it starts with every signal blocked; the snapshot process
	 * unblocks SIGABRT alone.
	 */
	sigfillset(&all);
	set_mask(&all, &old);
#if defined(__x86_64__)
	pid = crashd_vclone_snapshot();
	if (pid == 0)
		crashd_snapshot_process(reason ? reason : "");
#else
	pid = raw_clone(0); /* no exit signal: no SIGCHLD for the program */
	if (pid < 0)
		pid = -errno;
	if (pid == 0) {
		if (raw_clone(SIGCHLD) == 0)
			crashd_snapshot_process(reason ? reason : "");
		syscall(SYS_exit_group, 0);
	}
#endif
	if (pid > 0)
		while (waitpid((pid_t)pid, &status, __WCLONE) < 0 &&
		    errno == EINTR)
			;
	set_mask(&old, NULL);
	errno = saved;
	return pid < 0 ? (int)pid : 1;
}

static bool
crashd_snapshot_for(const char *expr, const char *file, int line,
    const char *func, const char *msg)
{
	char reason[SNAPSHOT_REASON_MAX];

	/* Cut to the marker's size, as the reason always is. */
	if (snprintf(reason, sizeof(reason),
		"assertion failed: %s at %s:%d in %s()%s%s", expr, file, line,
		func, msg ? ": " : "", msg ? msg : "") < 0)
		reason[0] = '\0';
	(void)crashd_snapshot(reason, 0);
	return false;
}

bool
crashd_assert_failed(
    const char *expr, const char *file, int line, const char *func)
{
	return crashd_snapshot_for(expr, file, line, func, NULL);
}

bool
crashd_check_failed(const char *expr, const char *file, int line,
    const char *func, const char *fmt, ...)
{
	char msg[SNAPSHOT_REASON_MAX];
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0)
		msg[0] = '\0';
	va_end(ap);
	return crashd_snapshot_for(expr, file, line, func, msg);
}
