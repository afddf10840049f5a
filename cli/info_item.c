/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * info_item.c reads one item of a dump for crashd-cli info, capped: a dump
 * is untrusted, and what is past the cap is counted, not read.
 */
#include "info_item.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fsutil.h"

/*
 * What info shows of one item at most: a dump is untrusted (root may have
 * copied in anything), and without caps a 10 MB ptree printed 1.5 GB.
 * More is cut, with a line saying how many bytes were not shown.
 */
#define INFO_ITEM_CAP (64 * 1024)
#define INFO_BIG_ITEM_CAP (512 * 1024) /* backtrace, frames, actions */

static size_t
cap_of(const char *name)
{
	return strcmp(name, DUMP_ITEM_BACKTRACE) == 0 ||
		strcmp(name, DUMP_ITEM_BACKTRACE_FRAMES) == 0 ||
		strcmp(name, DUMP_ITEM_ACTIONS) == 0
	    ? INFO_BIG_ITEM_CAP
	    : INFO_ITEM_CAP;
}

int
info_item_read(
    const struct dump *d, const char *name, bool text, struct item *ret)
{
	struct stat st;
	int r;

	*ret = (struct item){ 0 };
	r = read_file_at(d->dirfd, name, cap_of(name), &ret->v, &ret->len);
	if (r < 0) {
		ret->v = strdup("");
		ret->len = 0;
		return r;
	}
	if (r > 0 && fstatat(d->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    (unsigned long long)st.st_size > ret->len)
		ret->more = (unsigned long long)st.st_size - ret->len;
	if (text && ret->more == 0 && ret->len > 0 &&
	    ret->v[ret->len - 1] == '\n')
		ret->v[--ret->len] = '\0';
	return 0;
}
