/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * snapshot_bench: what crashd_snapshot() costs a big process, next to a
 * plain fork() + _exit() measured in the same run, in rounds (one of each
 * per round).  For each: the caller's pause (the call's time), the
 * copy's life until reaped, and the pages the caller copied meanwhile
 * while it goes on writing one byte per page of its memory, as a busy
 * server would (minor faults).  The snapshot process, an orphan, comes
 * back to us: we are a subreaper.  Run by bench/snapshot_bench.sh, which
 * registers crashd-hook (mini mode) and restores the kernel's settings.
 *
 *   snapshot_bench [MIB [ROUNDS]]      default 1024 MiB, 7 rounds
 */
#include <crashd.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "benchstat.h"

struct sample {
	double pause_ms, life_ms, pages;
};

static char *mem;
static size_t mem_pages, cursor;
static long page;

static long
minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/*
 * Writes a byte per page, round and round, until pid (or, for -1, any
 * child) is reaped; returns when it was.
 */
static double
work_until_reaped(pid_t pid)
{
	for (;;) {
		int status;
		pid_t w;

		for (int i = 0; i < 64; i++) {
			mem[cursor * (size_t)page] ^= 1;
			cursor = (cursor + 1) % mem_pages;
		}
		w = waitpid(pid, &status, WNOHANG);
		if (w > 0)
			return bench_now_ms();
		if (w < 0 && errno != EINTR) {
			perror("waitpid");
			exit(1);
		}
	}
}

static struct sample
one_snapshot(void)
{
	struct sample s;
	long f0 = minflt();
	double t0 = bench_now_ms(), t1, t2;
	int r = crashd_snapshot("snapshot_bench", 0);

	t1 = bench_now_ms();
	if (r != 1) {
		fprintf(stderr, "crashd_snapshot: %d (%s)\n", r,
		    r < 0 ? strerror(-r) : "the ceiling");
		exit(1);
	}
	t2 = work_until_reaped(-1); /* the orphan, ours as a subreaper */
	s.pause_ms = t1 - t0;
	s.life_ms = t2 - t0;
	s.pages = (double)(minflt() - f0);
	return s;
}

static struct sample
one_fork(void)
{
	struct sample s;
	long f0 = minflt();
	double t0 = bench_now_ms(), t1, t2;
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	t1 = bench_now_ms();
	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	t2 = work_until_reaped(pid);
	s.pause_ms = t1 - t0;
	s.life_ms = t2 - t0;
	s.pages = (double)(minflt() - f0);
	return s;
}

static void
row(const char *name, struct sample *v, int n, const struct sample *base)
{
	double p[64], l[64], g[64], mp, ml, mg;

	for (int i = 0; i < n; i++) {
		p[i] = v[i].pause_ms;
		l[i] = v[i].life_ms;
		g[i] = v[i].pages;
	}
	mp = bench_median(p, (size_t)n);
	ml = bench_median(l, (size_t)n);
	mg = bench_median(g, (size_t)n);
	printf("| %-22s | %9.2f ms | %9.2f ms | %9.0f |", name, mp, ml, mg);
	if (base)
		printf(" %6.1fx | %6.1fx |\n", mp / base->pause_ms,
		    ml / base->life_ms);
	else
		printf("      1x |      1x |\n");
}

int
main(int argc, char **argv)
{
	long mib = argc > 1 ? atol(argv[1]) : 1024;
	int rounds = argc > 2 ? atoi(argv[2]) : 7;
	struct sample snap[64], fk[64], base;
	double p[64], l[64], g[64];

	if (mib <= 0 || rounds < 1 || rounds > 64) {
		fprintf(stderr, "usage: snapshot_bench [MIB [ROUNDS<=64]]\n");
		return 2;
	}
	page = sysconf(_SC_PAGESIZE);
	mem_pages = (size_t)mib * 1024 * 1024 / (size_t)page;
	mem = mmap(NULL, mem_pages * (size_t)page, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	for (size_t i = 0; i < mem_pages; i++)
		mem[i * (size_t)page] = (char)i; /* every page touched, own */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		perror("PR_SET_CHILD_SUBREAPER");
		return 1;
	}
	crashd_snapshot_limit((unsigned)rounds, 1000000);
	for (int i = 0; i < rounds; i++) {
		fk[i] = one_fork();
		snap[i] = one_snapshot();
		fprintf(stderr,
		    "round %d: fork %.2f/%.2f ms %.0f pages, snapshot "
		    "%.2f/%.2f ms %.0f pages\n",
		    i + 1, fk[i].pause_ms, fk[i].life_ms, fk[i].pages,
		    snap[i].pause_ms, snap[i].life_ms, snap[i].pages);
	}
	for (int i = 0; i < rounds; i++) {
		p[i] = fk[i].pause_ms;
		l[i] = fk[i].life_ms;
		g[i] = fk[i].pages;
	}
	base.pause_ms = bench_median(p, (size_t)rounds);
	base.life_ms = bench_median(l, (size_t)rounds);
	base.pages = bench_median(g, (size_t)rounds);
	printf("\n%ld MiB touched, %d rounds (medians)\n\n", mib, rounds);
	printf("| %-22s | %12s | %12s | %9s | %7s | %7s |\n", "", "pause",
	    "copy's life", "pages cp.", "pause/b", "life/b");
	printf("| --- | --- | --- | --- | --- | --- |\n");
	row("fork()+_exit() (b)", fk, rounds, NULL);
	row("crashd_snapshot()", snap, rounds, &base);
	return 0;
}
