/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crashd: the daemon.  Parses arguments, loads the config, sets up
 * logging and signals, and hands over to watch_run().
 */
#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "daemon.h"
#include "log.h"
#include "registration.h"
#include "sdnotify.h"
#include "watch.h"

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t reload_requested;

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_requested = 1;
	else if (sig != SIGCHLD)
		stop_requested = 1;
	/* SIGCHLD: a delivery ended; waking the loop up is all it takes. */
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "Usage: crashd [-f] [-c FILE] [--hook PATH]\n"
	    "\n"
	    "Watches the crash spool and runs the configured actions.\n"
	    "\n"
	    "  -c, --config FILE  read FILE instead of " CONFIG_DEFAULT_PATH
	    "\n"
	    "  -f, --foreground   stay in the foreground and log to stderr\n"
	    "      --hook PATH    the crashd-hook whose core_pattern line is\n"
	    "                     watched (default " CRASHD_HOOK_PATH ")\n"
	    "  -h, --help         show this help\n"
	    "      --version      show the version\n");
}

int
main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "hook", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_path = CONFIG_DEFAULT_PATH;
	const char *hook_path = CRASHD_HOOK_PATH;
	bool config_given = false;
	struct sigaction sa;
	struct daemon dm;
	struct config c;
	struct buf errors;
	bool foreground = false;
	int opt, r;

	while ((opt = getopt_long(argc, argv, "c:fh", options, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config_path = optarg;
			config_given = true;
			break;
		case 'H':
			hook_path = optarg;
			break;
		case 'f':
			foreground = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("crashd %s\n", CRASHD_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	/*
	 * In the foreground, stderr; but where stderr is the journal's
	 * stream (crashd.service), the journal's own socket, so that each
	 * line keeps its priority and fields (CRASHD_ID, ERRNO).
	 */
	log_open("crashd",
	    foreground && !log_stderr_is_journal() ? LOG_TARGET_STDERR
						   : LOG_TARGET_SYSLOG,
	    LOG_INFO);

	/* A daemon never runs on a config it cannot fully understand. */
	buf_init(&errors, 0);
	r = config_load(config_path, &c, &errors);
	if (r < 0) {
		fputs(errors.data ? errors.data : "", stderr);
		for (char *line = errors.data, *nl;
		     !foreground && line && *line; line = nl + 1) {
			nl = strchr(line, '\n');
			if (nl)
				*nl = '\0';
			log_error("%s", line);
			if (nl == NULL)
				break;
		}
		buf_done(&errors);
		return 1;
	}
	buf_done(&errors);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a signal wakes the loop up. */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_flags = SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* Once, before any thread or delivery process exists. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		fprintf(stderr, "crashd: libcurl failed to initialize\n");
		config_done(&c);
		return 1;
	}

	if (!foreground && daemon(0, 0) < 0) {
		log_error_errno(-errno, "daemon: %m");
		config_done(&c);
		return 1;
	}
	/* After daemon(): WATCHDOG_PID names the process that pets it. */
	sdnotify_init();
	r = daemon_init(&dm, &c, config_path, &stop_requested);
	/* Its line has no -c without one, as crashd-hook --pattern's. */
	if (r >= 0)
		r = registration_init(&dm.registration, hook_path,
		    config_given ? config_path : NULL);
	if (r >= 0) {
		log_info("crashd %s started, config %s", CRASHD_VERSION,
		    config_path);
		r = watch_run(&dm, &reload_requested);
	}
	daemon_done(&dm);
	curl_global_cleanup();
	if (r >= 0)
		log_info("stopped");
	return r < 0 ? 1 : 0;
}
