/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * info_added.c: what crashd-cli info shows of two items the daemon adds,
 * in its text and in its JSON: `package` (the executable's package and
 * version) and `repeats` (the hostnames, containers and uids of the
 * crashes merged into the dump).  Both are untrusted: every byte shown
 * is printable ASCII.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump.h"
#include "dump_json.h"
#include "info_added.h"
#include "json_text.h"
#include "repeats.h"

/* "coreutils 9.1-1", one line, printable (package.h's checks). */
#define PACKAGE_CAP 512

static char *
package_line(const struct dump *d)
{
	char *v = NULL;

	if (dump_read_item(d, DUMP_ITEM_PACKAGE, PACKAGE_CAP, &v) < 0)
		return NULL;
	for (char *p = v; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?';
	if (v[0] == '\0') {
		free(v);
		return NULL;
	}
	return v;
}

void
info_added_print(const struct dump *d)
{
	static const char *const labels[_REPEATS_KIND_MAX] = {
		[REPEATS_HOSTNAME] = "hostnames",
		[REPEATS_CONTAINER] = "containers",
		[REPEATS_UID] = "uids",
	};
	struct repeats *rp;
	char *pkg;

	pkg = package_line(d);
	if (pkg)
		printf("  %-11s %s\n", "package", pkg);
	free(pkg);
	rp = malloc(sizeof(*rp));
	if (rp == NULL || repeats_read(d, rp) <= 0) {
		free(rp);
		return;
	}
	printf("  %-11s %llu crashes merged here came from\n", "repeats",
	    (unsigned long long)repeats_total(rp));
	for (int k = 0; k < _REPEATS_KIND_MAX; k++) {
		struct buf b;

		buf_init(&b, 0);
		if (repeats_describe(rp, k, &b) >= 0 && b.len > 0)
			printf("  %-11s %s: %s\n", "", labels[k], b.data);
		buf_done(&b);
	}
	free(rp);
}

void
info_added_json(struct json_writer *w, const struct dump *d)
{
	struct repeats *rp;
	char *pkg;

	pkg = package_line(d);
	if (pkg) {
		json_key(w, DUMP_ITEM_PACKAGE);
		json_str(w, pkg);
	}
	free(pkg);
	rp = malloc(sizeof(*rp));
	if (rp && repeats_read(d, rp) > 0) {
		json_key(w, DUMP_ITEM_REPEATS);
		dump_json_repeats(w, rp, JSON_TEXT_ESCAPED);
	}
	free(rp);
}
