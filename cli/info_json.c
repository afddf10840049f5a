/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * info_json.c: crashd-cli info --json, one dump as one JSON object (the
 * keys crashd-cli(1) documents; items past their cap under "truncated").
 */
#include "info_json.h"

#include <stdlib.h>

#include "dump_json.h"
#include "dump_tsv.h"
#include "info_added.h"
#include "info_item.h"
#include "render.h"

/* The items cut at their cap, as "truncated": { item: bytes not shown }. */
struct cuts {
	const char *item[48];
	unsigned long long more[48];
	size_t n;
};

static void
note_cut(struct cuts *c, const char *item, const struct item *it)
{
	if (it->more > 0 && c->n < sizeof(c->item) / sizeof(c->item[0])) {
		c->item[c->n] = item;
		c->more[c->n++] = it->more;
	}
}

/* The key name and the item's lines as an array of strings. */
static void
put_lines(struct json_writer *w, const struct dump *d, const char *name,
    struct cuts *cuts)
{
	struct item it;

	json_key(w, name);
	info_item_read(d, name, true, &it);
	dump_json_lines(w, it.v, 0);
	note_cut(cuts, name, &it);
	free(it.v);
}

void
info_json(struct json_writer *w, int spool_dirfd, const struct cli_dump *cd)
{
	static const char *const text_items[] = { DUMP_ITEM_NS_PID,
		DUMP_ITEM_TID, DUMP_ITEM_GID, DUMP_ITEM_USERNAME,
		DUMP_ITEM_COMM, DUMP_ITEM_KERNEL, DUMP_ITEM_CWD, DUMP_ITEM_ROOT,
		DUMP_ITEM_START_TIME, DUMP_ITEM_LAST_OCCURRENCE,
		DUMP_ITEM_DUPLICATE_OF, DUMP_ITEM_DUMPABLE, DUMP_ITEM_STATUS,
		DUMP_ITEM_LIMITS, DUMP_ITEM_CGROUP, DUMP_ITEM_CORE_INFO,
		DUMP_ITEM_INCOMPLETE, DUMP_ITEM_EXECUTABLE_DELETED,
		DUMP_ITEM_THREAD_COMM, DUMP_ITEM_SIGNATURE, DUMP_ITEM_DUPHASH,
		DUMP_ITEM_BACKTRACE };
	static const char *const tsv_items[] = { DUMP_ITEM_PTREE,
		DUMP_ITEM_OPEN_FDS, DUMP_ITEM_NAMESPACES };
	const struct dump *d = cd->d;
	struct cuts cuts = { 0 };
	struct item it;

	json_begin_object(w);
	render_json_fields(w, spool_dirfd, cd);
	info_added_json(w, d);
	for (size_t i = 0; i < sizeof(text_items) / sizeof(text_items[0]);
	     i++) {
		if (info_item_read(d, text_items[i], true, &it) < 0) {
			free(it.v);
			continue;
		}
		json_key(w, text_items[i]);
		json_strn(w, it.v, it.len);
		note_cut(&cuts, text_items[i], &it);
		free(it.v);
	}
	json_key(w, "frames");
	info_item_read(d, DUMP_ITEM_BACKTRACE_FRAMES, true, &it);
	dump_json_frames(w, it.v, DUMP_FRAMES_ALL, 0, 0);
	note_cut(&cuts, DUMP_ITEM_BACKTRACE_FRAMES, &it);
	free(it.v);
	for (size_t i = 0; i < sizeof(tsv_items) / sizeof(tsv_items[0]); i++) {
		json_key(w, tsv_items[i]);
		info_item_read(d, tsv_items[i], true, &it);
		dump_json_tsv(w, it.v, 0);
		note_cut(&cuts, tsv_items[i], &it);
		free(it.v);
	}
	put_lines(w, d, DUMP_ITEM_DSO_LIST, &cuts);
	json_key(w, DUMP_ITEM_ENVIRON);
	info_item_read(d, DUMP_ITEM_ENVIRON, false, &it);
	dump_json_strv(w, it.v, it.len, 0);
	note_cut(&cuts, DUMP_ITEM_ENVIRON, &it);
	free(it.v);
	put_lines(w, d, DUMP_ITEM_ACTIONS, &cuts);
	if (cuts.n > 0) {
		json_key(w, "truncated");
		json_begin_object(w);
		for (size_t i = 0; i < cuts.n; i++) {
			json_key(w, cuts.item[i]);
			json_int(w, (long long)cuts.more[i]);
		}
		json_end_object(w);
	}
	json_end_object(w);
}
