/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * victim.c: the program the integration tests crash.  Each subcommand
 * dies by a signal in a known way.  Just before dying it prints
 * "pid N" and "tid N" (as seen from its own pid namespace) on stdout, so
 * that a test can compare them with the dump.  Any other failure (an fd
 * that cannot be opened, a thread that cannot start) exits with status 1,
 * never with a signal: a test then fails instead of seeing a false crash.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

/* The compiler cannot know their values, so the faults below are real. */
static int *volatile null_pointer;
static volatile int zero, one = 1;

static void
usage(void)
{
	fprintf(stderr,
	    "usage: victim segv [ARG...]       fault on a NULL pointer\n"
	    "       victim abort               call abort()\n"
	    "       victim fpe|ill|bus         divide by zero, execute an "
	    "invalid\n"
	    "                                  instruction, touch a page past "
	    "EOF\n"
	    "       victim raise SIGNUM        raise(SIGNUM)\n"
	    "       victim comm NAME           set comm (prctl), then fault\n"
	    "       victim threads N           fault in thread \"crasher\" of "
	    "N\n"
	    "       victim fds N               open N fds, then fault\n"
	    "       victim touch MB            fill MB MiB with random bytes, "
	    "then fault\n"
	    "       victim deleted             unlink own executable, then "
	    "fault\n"
	    "       victim open PATH... [-- ARG...]  open each PATH, then "
	    "fault\n"
	    "       victim maps N              make N mappings, then fault\n");
	exit(2);
}

static void
die(const char *what)
{
	fprintf(stderr, "victim: %s: %s\n", what, strerror(errno));
	exit(1);
}

static long
number(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end != '\0' || v < min || v > max)
		usage();
	return v;
}

static void
announce(void)
{
	printf("pid %d\ntid %d\n", (int)getpid(), (int)gettid());
	fflush(stdout);
}

static void
crash(void)
{
	announce();
	*null_pointer = 42;
	/* Not reached; exit 1 rather than pretend to have crashed. */
	fprintf(stderr, "victim: the NULL store did not fault\n");
	exit(1);
}

static void
run_fpe(void)
{
	announce();
	printf("%d\n", one / zero);
	fprintf(stderr, "victim: the division did not fault\n");
	exit(1);
}

static void
run_ill(void)
{
	announce();
#if defined(__x86_64__) || defined(__i386__)
	__asm__ volatile("ud2");
#else
	raise(SIGILL);
#endif
	fprintf(stderr, "victim: no SIGILL\n");
	exit(1);
}

static void
run_bus(void)
{
	volatile char *p;
	int fd;

	/* A page of an empty file: touching it is SIGBUS, not SIGSEGV. */
	fd = memfd_create("victim-bus", MFD_CLOEXEC);
	if (fd < 0)
		die("memfd_create");
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap");
	announce();
	(void)p[0];
	fprintf(stderr, "victim: no SIGBUS\n");
	exit(1);
}

static void
run_raise(int sig)
{
	sigset_t set;

	/* A shell starts background jobs with SIGINT and SIGQUIT ignored. */
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	announce();
	raise(sig);
	fprintf(stderr, "victim: raise(%d) returned\n", sig);
	exit(1);
}

static void
run_comm(const char *name)
{
	if (prctl(PR_SET_NAME, name) < 0)
		die("prctl PR_SET_NAME");
	crash();
}

static pthread_barrier_t barrier;

static void *
idle_thread(void *arg)
{
	(void)arg;
	pthread_barrier_wait(&barrier);
	for (;;)
		pause();
	return NULL;
}

static void *
crash_thread(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "crasher");
	/* Every thread exists before the fault. */
	pthread_barrier_wait(&barrier);
	crash();
	return NULL;
}

static void
run_threads(long n)
{
	pthread_attr_t attr;
	pthread_t t;

	if (pthread_barrier_init(&barrier, NULL, (unsigned)n) != 0)
		die("pthread_barrier_init");
	pthread_attr_init(&attr);
	/* Small stacks keep a full core small. */
	pthread_attr_setstacksize(&attr, 256 * 1024);
	for (long i = 1; i < n; i++) {
		errno = pthread_create(
		    &t, &attr, i == n - 1 ? crash_thread : idle_thread, NULL);
		if (errno != 0)
			die("pthread_create");
	}
	idle_thread(NULL);
}

static void
run_fds(long n)
{
	for (long i = 0; i < n; i++)
		if (open("/dev/null", O_RDONLY) < 0)
			die("open /dev/null");
	crash();
}

static void
run_touch(long mb)
{
	size_t len = (size_t)mb << 20;
	uint64_t x = 0x9e3779b97f4a7c15ULL ^ (uint64_t)getpid();
	uint64_t *p;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	if (p == MAP_FAILED)
		die("mmap");
	/* xorshift64: fast, and incompressible for deflate. */
	for (size_t i = 0; i < len / sizeof(*p); i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = x;
	}
	crash();
}

static void
run_deleted(void)
{
	char self[PATH_MAX];
	ssize_t n;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		die("readlink /proc/self/exe");
	self[n] = '\0';
	if (unlink(self) < 0)
		die("unlink own executable");
	crash();
}

/*
 * N mappings: one anonymous region of N pages whose pages alternate
 * between two protections, so that the kernel keeps each page as its own
 * mapping (and its core has one segment per page).  vm.max_map_count must
 * allow them.
 */
static void
run_maps(long n)
{
	char *p;

	p = mmap(NULL, (size_t)n * 4096, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap");
	for (long i = 1; i < n; i += 2)
		if (mprotect(p + i * 4096, 4096, PROT_READ) < 0)
			die("mprotect");
	crash();
}

static void
run_open(int argc, char **argv)
{
	/* Arguments after "--" are only there to be seen in cmdline. */
	for (int i = 0; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (open(argv[i], O_RDONLY) < 0)
			die(argv[i]);
	crash();
}

int
main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	if (strcmp(argv[1], "segv") == 0)
		crash();
	else if (strcmp(argv[1], "abort") == 0 && argc == 2) {
		announce();
		abort();
	} else if (strcmp(argv[1], "fpe") == 0 && argc == 2)
		run_fpe();
	else if (strcmp(argv[1], "ill") == 0 && argc == 2)
		run_ill();
	else if (strcmp(argv[1], "bus") == 0 && argc == 2)
		run_bus();
	else if (strcmp(argv[1], "raise") == 0 && argc == 3)
		run_raise((int)number(argv[2], 1, 64));
	else if (strcmp(argv[1], "comm") == 0 && argc == 3)
		run_comm(argv[2]);
	else if (strcmp(argv[1], "threads") == 0 && argc == 3)
		run_threads(number(argv[2], 2, 10000));
	else if (strcmp(argv[1], "fds") == 0 && argc == 3)
		run_fds(number(argv[2], 0, 1 << 20));
	else if (strcmp(argv[1], "touch") == 0 && argc == 3)
		run_touch(number(argv[2], 1, 1 << 16));
	else if (strcmp(argv[1], "deleted") == 0 && argc == 2)
		run_deleted();
	else if (strcmp(argv[1], "open") == 0 && argc >= 3)
		run_open(argc - 2, argv + 2);
	else if (strcmp(argv[1], "maps") == 0 && argc == 3)
		run_maps(number(argv[2], 1, 1 << 22));
	usage();
	return 2;
}
