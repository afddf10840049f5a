/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes config_load() with whole crashd.conf files: the input is written
 * to a private temporary file and loaded.  Every error is one line that
 * names the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "fuzz.h"

static char dir[64];
static char path[96];

static void
cleanup(void)
{
	unlink(path);
	rmdir(dir);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c;
	struct buf errors;
	int fd, r;

	if (dir[0] == '\0') {
		strcpy(dir, "/tmp/crashd-fuzz-config.XXXXXX");
		FUZZ_CHECK(mkdtemp(dir) != NULL);
		snprintf(path, sizeof(path), "%s/crashd.conf", dir);
		atexit(cleanup);
	}
	/*
	 * A new file each time: rewriting one truncated to 0 makes ext4 flush
	 * it on close (auto_da_alloc), a hundred times slower.
	 */
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	FUZZ_CHECK(fd >= 0);
	FUZZ_CHECK(write(fd, data, size) == (ssize_t)size);
	close(fd);

	buf_init(&errors, 0);
	memset(&c, 0xa5, sizeof(c));
	r = config_load(path, &c, &errors);
	if (r == 0) {
		FUZZ_CHECK(errors.len == 0);
		FUZZ_CHECK(c.spool != NULL && c.spool[0] == '/');
		FUZZ_CHECK(c.hook.core_mode < _CORE_MODE_MAX);
		FUZZ_CHECK(c.hook.core_level >= 0 && c.hook.core_level <= 9);
		for (size_t i = 0; i < c.n_actions; i++) {
			FUZZ_CHECK(c.actions[i].name != NULL);
			FUZZ_CHECK(c.actions[i].type < _ACTION_TYPE_MAX);
			FUZZ_CHECK(c.actions[i].type != ACTION_EXEC ||
			    c.actions[i].command[0][0] == '/');
		}
		config_done(&c);
	} else {
		FUZZ_CHECK(r == -EINVAL);
		FUZZ_CHECK(errors.len > 0);
		/* One "path:..." line per problem. */
		for (const char *p = errors.data; *p;) {
			const char *nl = strchr(p, '\n');

			FUZZ_CHECK(nl != NULL);
			FUZZ_CHECK(strncmp(p, path, strlen(path)) == 0);
			p = nl + 1;
		}
	}
	buf_done(&errors);
	return 0;
}
