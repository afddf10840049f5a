/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * journal.c owns the "actions" record of a dump: its line format, appending
 * durably, and reading back what was decided and done.
 */
#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "acl.h"
#include "fsutil.h"
#include "items.h"

#define JOURNAL_CAP (1024 * 1024)

static void
parse_decision(const char *line, struct decision *dc)
{
	char event[16] = "", first[128] = "";
	unsigned long long count = 0, held = 0;
	long long since = 0;

	/* "decision EVENT count=N held=H since=T first=NAME" */
	if (sscanf(line,
		"decision %15s count=%llu held=%llu since=%lld first=%127s",
		event, &count, &held, &since, first) >= 4) {
		memset(dc, 0, sizeof(*dc));
		snprintf(dc->event, sizeof(dc->event), "%s", event);
		dc->count = count;
		dc->held = held;
		dc->since = since;
		if (strcmp(first, "-") != 0)
			snprintf(dc->first, sizeof(dc->first), "%s", first);
	}
}

int
journal_load(int dump_dirfd, struct journal *ret)
{
	struct journal j = { 0 };
	size_t len;
	int r;

	r = read_file_at(dump_dirfd, JOURNAL_ITEM, JOURNAL_CAP, &j.text, &len);
	if (r == -ENOENT) {
		j.text = strdup("");
		if (j.text == NULL)
			return -ENOMEM;
	} else if (r < 0) {
		return r;
	}
	for (char *p = j.text; p && *p;) {
		char *nl = strchr(p, '\n'), *sp;

		/* TIME ACTION REST */
		sp = strchr(p, ' ');
		if (sp && strncmp(sp, " - decision ", 12) == 0 &&
		    (nl == NULL || sp < nl)) {
			parse_decision(sp + 3, &j.decision);
			j.has_decision = j.decision.event[0] != '\0';
		}
		p = nl ? nl + 1 : NULL;
	}
	*ret = j;
	return 0;
}

void
journal_done(struct journal *j)
{
	if (j == NULL)
		return;
	free(j->text);
	j->text = NULL;
}

enum journal_state
journal_state(const struct journal *j, const char *label)
{
	enum journal_state st = JOURNAL_NONE;
	size_t n = strlen(label);

	for (const char *p = j->text; p && *p;) {
		const char *nl = strchr(p, '\n'), *sp = strchr(p, ' ');

		if (sp && (nl == NULL || sp < nl) &&
		    strncmp(sp + 1, label, n) == 0 && sp[1 + n] == ' ') {
			const char *what = sp + 2 + n;

			if (strncmp(what, "start", 5) == 0)
				st = st == JOURNAL_DONE ? st : JOURNAL_STARTED;
			else if (strncmp(what, "done", 4) == 0)
				st = JOURNAL_DONE;
		}
		p = nl ? nl + 1 : NULL;
	}
	return st;
}

int
journal_append(int dump_dirfd, const char *fmt, ...)
{
	char line[8192], when[32];
	struct tm tm;
	time_t now = time(NULL);
	va_list ap;
	bool created;
	int fd, n, r;

	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	n = snprintf(line, sizeof(line), "%s ", when);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	n = (int)strlen(line);
	line[n++] = '\n';

	fd = openat(dump_dirfd, JOURNAL_ITEM,
	    O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0640);
	if (fd < 0)
		return -errno;
	r = fd_verify_regular(fd);
	created = r >= 0 && lseek(fd, 0, SEEK_END) == 0;
	if (created)
		acl_copy_at(dump_dirfd, DUMP_ITEM_VERSION, fd);
	if (r >= 0)
		r = write_all(fd, line, (size_t)n);
	if (r >= 0 && fdatasync(fd) < 0)
		r = -errno;
	/* A new file's name is durable once its directory is. */
	if (r >= 0 && created && fsync(dump_dirfd) < 0)
		r = -errno;
	safe_close(fd);
	return r;
}

int
journal_append_decision(int dump_dirfd, const struct decision *dc)
{
	return journal_append(dump_dirfd,
	    "- decision %s count=%llu held=%llu since=%lld first=%s", dc->event,
	    (unsigned long long)dc->count, (unsigned long long)dc->held,
	    dc->since, dc->first[0] ? dc->first : "-");
}
