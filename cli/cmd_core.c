/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crashd-cli core ID [-o FILE] and crashd-cli gdb ID [-- GDB-ARGS]: the
 * kept core, decompressed, to a file or a pipe, or straight into gdb.
 */
#include <errno.h>
#include <fcntl.h>
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
#include "term.h"

/*
 * Opens the dump the verb's ID or matches name (the newest of them).
 * "core" and "gdb" want an ID or an option that selects; coredumpctl's
 * "dump" and "debug" take the newest dump without one.  Returns 0 and
 * *ret, 1 (said) or 2 (usage).
 */
static int
open_dump(struct cli *cli, char **argv, struct cli_args *a, struct config *c,
    struct spool *sp, struct dump **ret)
{
	struct dump_set s;
	size_t from;
	int r;

	if (a->n_operands == 0 && strcmp(argv[0], cli->verb->name) == 0 &&
	    !(a->given &
		(CLI_OPTS_FILTER | CLI_OPT(CLI_OPT_ONE) |
		    CLI_OPT(CLI_OPT_LIMIT)) &
		~(CLI_OPT(CLI_OPT_DIRECTORY) | CLI_OPT(CLI_OPT_QUIET)))) {
		cli_args_usage(cli->verb, stderr);
		return 2;
	}
	if (cli_select(cli, a, c, sp, &s, &from) < 0)
		return 1;
	if (s.n - from > 1 && !a->quiet)
		fprintf(stderr, "%zu dumps match; the newest, %s\n", s.n - from,
		    s.v[s.n - 1].d->name);
	r = dump_open(sp->dirfd, s.v[s.n - 1].d->name, ret);
	if (r < 0)
		log_error_errno(r, "open %s: %m", s.v[s.n - 1].d->name);
	dump_set_done(&s);
	if (r >= 0)
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
	fd = open_regular_at(d->dirfd, name, O_RDONLY);
	if (fd == -ENOENT)
		log_error("%s has no core (see its core_info)", d->name);
	else if (fd == -EBADFD || fd == -ELOOP)
		log_error("%s/%s is not a regular file", d->name, name);
	else if (fd < 0)
		log_error_errno(fd, "%s/%s: %m", d->name, name);
	if (fd < 0)
		return fd;
	/* From here gz owns fd. */
	gz = gzdopen(fd, "rb");
	if (gz == NULL) {
		safe_close(fd);
		return log_error_errno(-ENOMEM, "%s/%s: %m", d->name, name);
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
cmd_core(struct cli *cli, int argc, char **argv)
{
	const char *output;
	struct cli_args a;
	struct config c;
	struct spool sp;
	struct dump_core core;
	struct dump *d;
	int fd, r;

	r = cli_args_parse(cli, argc, argv, &a);
	if (r)
		return r == 3 ? 0 : r;
	output = a.output;
	if (output == NULL && isatty(STDOUT_FILENO)) {
		log_error(
		    "refusing to write a core to a terminal: use -o FILE or "
		    "a pipe");
		return 1;
	}
	r = open_dump(cli, argv, &a, &c, &sp, &d);
	if (r)
		return r;
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

/*
 * The debugger's argv: PROG (--debugger, $SYSTEMD_DEBUGGER, gdb), -A's
 * words, the words after "--", the executable and the core (lldb wants
 * "-c CORE").  NULL when out of memory; the caller frees the array only.
 */
static char **
debugger_argv(const struct cli_args *a, char *exe, char *core, char **ret_words)
{
	const char *prog =
	    a->debugger ? a->debugger : getenv("SYSTEMD_DEBUGGER");
	size_t n = 0, cap;
	char **v, *w, *save = NULL;

	if (prog == NULL || prog[0] == '\0')
		prog = "gdb";
	*ret_words = strdup(a->debugger_args ? a->debugger_args : "");
	if (*ret_words == NULL)
		return NULL;
	cap = strlen(*ret_words) / 2 + (size_t)a->n_rest + 6;
	v = calloc(cap, sizeof(*v));
	if (v == NULL)
		return NULL;
	v[n++] = (char *)prog;
	for (w = strtok_r(*ret_words, " \t", &save); w;
	     w = strtok_r(NULL, " \t", &save))
		v[n++] = w;
	for (int i = 0; i < a->n_rest; i++)
		v[n++] = a->rest[i];
	v[n++] = exe;
	if (strstr(prog, "lldb"))
		v[n++] = "-c";
	v[n++] = core;
	return v;
}

int
cmd_gdb(struct cli *cli, int argc, char **argv)
{
	char path[] = "/tmp/crashd-core.XXXXXX";
	struct cli_args a;
	struct config c;
	struct spool sp;
	struct dump_core core;
	struct dump *d;
	struct stat st;
	struct buf shown;
	char *exe;
	int fd, r, status = 0;
	bool made = false; /* the temporary core, to remove */
	pid_t pid;

	r = cli_args_parse(cli, argc, argv, &a);
	if (r)
		return r == 3 ? 0 : r;
	r = open_dump(cli, argv, &a, &c, &sp, &d);
	if (r)
		return r;
	exe = d->executable;
	/* The crashed program chose its path's bytes: escaped. */
	buf_init(&shown, 0);
	if (term_escape(&shown, exe, strlen(exe)) < 0)
		buf_done(&shown);
	if (faccessat(d->dirfd, DUMP_ITEM_EXECUTABLE_DELETED, F_OK,
		AT_SYMLINK_NOFOLLOW) == 0)
		fprintf(stderr,
		    "warning: %s was deleted while it ran; gdb may load "
		    "another file of that name\n",
		    shown.data ? shown.data : "the executable");
	else if (stat(exe, &st) == 0 && st.st_mtime > d->time)
		fprintf(stderr,
		    "warning: %s changed since the crash; symbols may "
		    "not match the core\n",
		    shown.data ? shown.data : "the executable");
	buf_done(&shown);
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
	made = true;
	r = write_core(d, &core, fd);
	safe_close(fd);
	if (r < 0)
		goto out;
	pid = fork();
	if (pid < 0) {
		r = log_error_errno(-errno, "fork: %m");
		goto out;
	}
	if (pid == 0) {
		char *words = NULL,
		     **dargv = debugger_argv(&a, exe, path, &words);

		if (dargv == NULL)
			_exit(127);
		execvp(dargv[0], dargv);
		fprintf(stderr, "crashd-cli: exec %s: %s\n", dargv[0],
		    strerror(errno));
		_exit(127);
	}
	/* gdb owns the terminal; the temporary core goes when it is done. */
	signal(SIGINT, SIG_IGN);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	r = WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -ECHILD;
out:
	if (made)
		unlink(path);
	dump_free(d);
	spool_done(&sp);
	config_done(&c);
	return r < 0 ? 1 : 0;
}
