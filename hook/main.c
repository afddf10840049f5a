/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crashd-hook: the kernel's core_pattern helper.  Parses arguments, loads
 * the config (falling back to safe defaults), and hands one crash to
 * hook_run().
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "hook.h"
#include "log.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "Usage: crashd-hook [-c FILE] %s\n"
	    "       crashd-hook --pattern [-c FILE]\n"
	    "\n"
	    "The kernel's core_pattern helper of crashd: stores each crash as "
	    "a\n"
	    "dump directory in the spool. Not meant to be run by hand.\n"
	    "\n"
	    "  -c, --config FILE  read FILE instead of " CONFIG_DEFAULT_PATH
	    "\n"
	    "      --pattern      print the line to write to\n"
	    "                     /proc/sys/kernel/core_pattern and exit\n"
	    "  -h, --help         show this help\n"
	    "      --version      show the version\n",
	    HOOK_PATTERN_SPECIFIERS);
}

/* Makes sure fds 0-2 are open, so that no file we open lands on them. */
static void
fix_std_fds(void)
{
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF) {
			int n = open("/dev/null", O_RDWR);

			if (n >= 0 && n != fd) {
				dup2(n, fd);
				close(n);
			}
		}
}

static int
print_pattern(const char *config_path)
{
	char self[PATH_MAX], line[KERNEL_CORE_PATTERN_MAX + 1];
	ssize_t n;
	int r;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0) {
		log_error_errno(-errno, "cannot find my own path: %m");
		return 1;
	}
	self[n] = '\0';
	r = kernel_hook_line(self, config_path, line, sizeof(line));
	if (r == -EINVAL) {
		log_error("the kernel splits core_pattern at spaces: \"%s\" "
			  "cannot be registered",
		    strchr(self, ' ') ? self : config_path);
		return 1;
	}
	if (r < 0) {
		log_error("the core_pattern line would be longer than the %d "
			  "bytes the kernel keeps: install crashd-hook or the "
			  "config at a shorter path",
		    KERNEL_CORE_PATTERN_MAX);
		return 1;
	}
	printf("%s\n", line);
	return 0;
}

/*
 * Loads the config.  The hook never runs on a config it cannot fully
 * understand: it falls back to the built-in defaults and says why.
 */
static void
load_config(const char *path, bool explicit, struct config *ret)
{
	struct buf errors;
	int r;

	buf_init(&errors, 0);
	r = config_load(path, ret, &errors);
	if (r == 0)
		goto out;
	if (config_defaults(ret) < 0)
		memset(ret, 0, sizeof(*ret));
	if (r == -ENOENT && !explicit)
		goto out;
	log_lines(LOG_ERR, errors.data);
	log_error("using built-in defaults instead of %s", path);
out:
	buf_done(&errors);
}

int
main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "pattern", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_path = NULL;
	struct hook_args args;
	struct config config;
	bool pattern = false;
	int opt, r;

	fix_std_fds();
	/*
	 * A crash of ours must not feed itself (the kernel's RLIMIT_CORE=1
	 * mark on its helpers aside), as systemd-coredump does.
	 */
	(void)prctl(PR_SET_DUMPABLE, 0);
	/* The kernel runs us with stderr closed; syslog is where we speak. */
	log_open("crashd-hook",
	    LOG_TARGET_SYSLOG | (isatty(STDERR_FILENO) ? LOG_TARGET_STDERR : 0),
	    LOG_INFO);
	umask(0077);
	while ((opt = getopt_long(argc, argv, "+c:h", options, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config_path = optarg;
			break;
		case 'p':
			pattern = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("crashd-hook %s\n", CRASHD_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (pattern) {
		log_open("crashd-hook", LOG_TARGET_STDERR, LOG_INFO);
		if (optind != argc) {
			usage(stderr);
			return 2;
		}
		return print_pattern(config_path);
	}
	if (hook_args_parse(argc - optind, argv + optind, &args) < 0) {
		log_error("unexpected arguments; register with: "
			  "crashd-hook --pattern");
		if (isatty(STDERR_FILENO))
			usage(stderr);
		return 2;
	}
	load_config(config_path ? config_path : CONFIG_DEFAULT_PATH,
	    config_path != NULL, &config);
	r = hook_run(&config, &args);
	config_done(&config);
	return r < 0 ? 1 : 0;
}
