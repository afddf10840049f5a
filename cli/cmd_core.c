/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crashd-cli core ID [-o FILE] and crashd-cli gdb ID [-- GDB-ARGS]: the
 * kept core, decompressed, to a file or a pipe, or straight into gdb.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "cli.h"
#include "dumps.h"
#include "fsutil.h"
#include "log.h"

/* Opens the one dump that id names. Returns 0 and *ret, or 1 (said). */
static int
open_dump(const struct cli *cli, const char *id, struct config *c,
    struct spool *sp, struct dump **ret)
{
	struct dump_filter f = DUMP_FILTER_NONE;
	struct dump_set s;
	int i = -1, r;

	if (cli_open_spool(cli, c, sp) < 0)
		return 1;
	r = cli_load_dumps(c, sp, &f, &s);
	if (r >= 0)
		i = cli_find_dump(&s, id);
	if (i >= 0 && (r = dump_open(sp->dirfd, s.v[i].d->name, ret)) < 0)
		log_error_errno(r, "open %s: %m", s.v[i].d->name);
	dump_set_done(&s);
	if (i >= 0 && r >= 0)
		return 0;
	spool_done(sp);
	config_done(c);
	return 1;
}

/*
 * Writes the dump's core to out_fd: core.gz decompressed, or core.mini as
 * it is (gzread passes data that is no gzip through).  0 or -errno (said).
 */
static int
write_core(const struct dump *d, const struct dump_core *core, int out_fd)
{
	const char *name = core->item;
	char buf[65536];
	gzFile gz;
	int fd, n, r = 0;

	if (name == NULL) {
		log_error("%s has no core (see its core_info)", d->name);
		return -ENOENT;
	}
	fd = openat(d->dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			log_error(
			    "%s has no core (see its core_info)", d->name);
		else
			log_error_errno(-errno, "%s/%s: %m", d->name, name);
		return -errno;
	}
	if (fd_verify_regular(fd) < 0) {
		safe_close(fd);
		log_error("%s/%s is not a regular file", d->name, name);
		return -EBADFD;
	}
	gz = gzdopen(fd, "rb");
	if (gz == NULL) {
		safe_close(fd);
		return -ENOMEM;
	}
	while ((n = gzread(gz, buf, sizeof(buf))) > 0) {
		r = write_all(out_fd, buf, (size_t)n);
		if (r < 0) {
			log_error_errno(r, "write the core: %m");
			break;
		}
	}
	if (n < 0) {
		int e;

		log_error("%s/%s: %s", d->name, name, gzerror(gz, &e));
		r = -EIO;
	}
	gzclose(gz);
	return r;
}

/* The dump's core; none when its directory cannot be read (said then). */
static void
core_of(const struct dump *d, struct dump_core *ret)
{
	int r;

	r = dump_core(d, ret);
	if (r < 0) {
		log_error_errno(r, "%s: %m", d->name);
		*ret = (struct dump_core){ DUMP_CORE_NONE, NULL, -1, false };
	}
}

int
cmd_core(const struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *output = NULL;
	struct config c;
	struct spool sp;
	struct dump_core core;
	struct dump *d;
	int opt, fd, r;

	/*
	 * 0, not 1: glibc then starts afresh, forgetting the "+" of main's
	 * optstring, so options may follow operands ("info ID --json").
	 */
	optind = 0;
	while ((opt = getopt_long(argc, argv, "o:h", options, NULL)) != -1) {
		switch (opt) {
		case 'o':
			output = optarg;
			break;
		case 'h':
			printf("Usage: crashd-cli core ID [-o FILE]\n");
			return 0;
		default:
			fprintf(
			    stderr, "Usage: crashd-cli core ID [-o FILE]\n");
			return 2;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "Usage: crashd-cli core ID [-o FILE]\n");
		return 2;
	}
	if (output == NULL && isatty(STDOUT_FILENO)) {
		log_error(
		    "refusing to write a core to a terminal: use -o FILE or "
		    "a pipe");
		return 1;
	}
	if (open_dump(cli, argv[optind], &c, &sp, &d))
		return 1;
	core_of(d, &core);
	r = 0;
	fd = STDOUT_FILENO;
	if (core.kind == DUMP_CORE_NONE) {
		/* Said before -o FILE is created: no empty file is left. */
		log_error("%s has no core (see its core_info)", d->name);
		fd = -1;
		r = -ENOENT;
	} else if (output) {
		fd = open(
		    output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0)
			r = log_error_errno(-errno, "%s: %m", output);
	}
	if (r >= 0)
		r = write_core(d, &core, fd);
	if (r >= 0 && core.truncated)
		fprintf(stderr,
		    "note: this core was truncated by the hook "
		    "(see core_info); a debugger sees only part of it\n");
	if (output && fd >= 0 && close(fd) < 0 && r >= 0)
		r = log_error_errno(-errno, "%s: %m", output);
	dump_free(d);
	spool_done(&sp);
	config_done(&c);
	return r < 0 ? 1 : 0;
}

int
cmd_gdb(const struct cli *cli, int argc, char **argv)
{
	char path[] = "/tmp/crashd-core.XXXXXX";
	struct config c;
	struct spool sp;
	struct dump_core core;
	struct dump *d;
	struct stat st;
	char *exe;
	int fd, r, status = 0;
	pid_t pid;

	if (argc < 2 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0 ||
	    (argc > 2 && strcmp(argv[2], "--") != 0)) {
		fprintf(argc < 2 ? stderr : stdout,
		    "Usage: crashd-cli gdb ID [-- GDB-ARGS...]\n");
		return argc < 2 || argc > 2 ? 2 : 0;
	}
	if (open_dump(cli, argv[1], &c, &sp, &d))
		return 1;
	exe = d->executable;
	if (faccessat(d->dirfd, DUMP_ITEM_EXECUTABLE_DELETED, F_OK,
		AT_SYMLINK_NOFOLLOW) == 0)
		fprintf(stderr,
		    "warning: %s was deleted while it ran; gdb may load "
		    "another file of that name\n",
		    exe);
	else if (stat(exe, &st) == 0 && st.st_mtime > d->time)
		fprintf(stderr,
		    "warning: %s changed since the crash; symbols may "
		    "not match the core\n",
		    exe);
	core_of(d, &core);
	if (core.truncated)
		fprintf(stderr,
		    "warning: the core is truncated (see core_info); "
		    "gdb will miss what was cut\n");
	/* Private: a core holds the process's secrets. */
	fd = mkstemp(path);
	if (fd < 0) {
		r = log_error_errno(-errno, "temporary file: %m");
		goto out;
	}
	r = write_core(d, &core, fd);
	safe_close(fd);
	if (r < 0)
		goto out_unlink;
	pid = fork();
	if (pid < 0) {
		r = log_error_errno(-errno, "fork: %m");
		goto out_unlink;
	}
	if (pid == 0) {
		char **gargv = calloc((size_t)argc + 4, sizeof(char *));
		int n = 0;

		if (gargv == NULL)
			_exit(127);
		gargv[n++] = "gdb";
		for (int i = 3; i < argc; i++)
			gargv[n++] = argv[i];
		gargv[n++] = exe;
		gargv[n++] = path;
		execvp("gdb", gargv);
		fprintf(stderr, "crashd-cli: exec gdb: %s\n", strerror(errno));
		_exit(127);
	}
	/* gdb owns the terminal; the temporary core goes when it is done. */
	signal(SIGINT, SIG_IGN);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	r = WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -ECHILD;
out_unlink:
	unlink(path);
out:
	dump_free(d);
	spool_done(&sp);
	config_done(&c);
	return r < 0 ? 1 : 0;
}
