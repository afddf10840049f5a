/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sig_victim.c: crashes that share libc's frames and differ in the
 * program's own, for tests/daemon/signatures.sh.  Each mode prints
 * "pid N" and "tid N" (as tests/integration/victim.c does), then dies in
 * a function named after it:
 *   assert     assert() fails in check_invariant()
 *   raise_a    raise(SIGABRT) in raise_from_a()
 *   raise_b    raise(SIGABRT) in raise_from_b()
 *   strlen_a   SIGSEGV in strlen(NULL) called by length_in_a()
 *   strlen_b   SIGSEGV in strlen(NULL) called by length_in_b()
 * Built with -O0: no inlining, no tail call hides a caller.
 */
#include <assert.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The compiler cannot know it is NULL. */
static const char *volatile no_string;
static volatile int zero;

static void
announce(void)
{
	printf("pid %d\ntid %d\n", (int)getpid(), (int)gettid());
	fflush(stdout);
}

__attribute__((noinline)) static void
check_invariant(int x)
{
	assert(x > 0);
}

__attribute__((noinline)) static void
raise_from_a(void)
{
	raise(SIGABRT);
}

__attribute__((noinline)) static void
raise_from_b(void)
{
	raise(SIGABRT);
}

__attribute__((noinline)) static size_t
length_in_a(void)
{
	return strlen(no_string);
}

__attribute__((noinline)) static size_t
length_in_b(void)
{
	return strlen(no_string) + 1;
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr,
		    "usage: sig_victim "
		    "assert|raise_a|raise_b|strlen_a|strlen_b\n");
		return 2;
	}
	announce();
	if (strcmp(argv[1], "assert") == 0)
		check_invariant(zero);
	else if (strcmp(argv[1], "raise_a") == 0)
		raise_from_a();
	else if (strcmp(argv[1], "raise_b") == 0)
		raise_from_b();
	else if (strcmp(argv[1], "strlen_a") == 0)
		printf("%zu\n", length_in_a());
	else if (strcmp(argv[1], "strlen_b") == 0)
		printf("%zu\n", length_in_b());
	fprintf(stderr, "sig_victim: %s did not crash\n", argv[1]);
	return 1;
}
