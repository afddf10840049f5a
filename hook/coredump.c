/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * coredump.c dispatches the core on stdin to its mode: metadata comes
 * first, so a core that does not fit gives its space back, and mode full
 * keeps a whole core or none.
 */
#include "coredump.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "core.h"
#include "fsutil.h"
#include "items.h"
#include "minicore.h"

/* A thread's stack in a minicore: deep recursion is cut, not lost. */
#define MINI_STACK_MAX (256 * 1024)

void
coredump_release(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		close(STDIN_FILENO);
		return;
	}
	dup2(fd, STDIN_FILENO);
	close(fd);
}

/* core_info's note for a core cut to the dump's room. */
static const char *
room_note(const struct dump_writer *w)
{
	return writer_room_keep_free(w)
	    ? "cut to the dump's room above keep_free"
	    : "cut to the dump's room under spool_max";
}

/*
 * Mode mini: the head of the core stream and the threads' stacks from
 * /proc/PID/mem, read while the kernel still holds the process; then
 * stdin is closed.
 */
static void
keep_mini(struct dump_writer *w, int procfd, const struct proc_process *p,
    const struct policy_decision *dec, struct hookstate_record *delta,
    int64_t deadline_ms)
{
	const struct hook_config *hc = &w->c->hook;
	struct minicore_params mp = { .in_fd = STDIN_FILENO,
		.mem_fd = -1,
		.out_fd = -1,
		.stack_max = MINI_STACK_MAX,
		.total_max = hc->core_max_size,
		.deadline_ms = deadline_ms,
		.maps = p->maps,
		.maps_len = p->maps_len,
		.gdb = hc->core_gdb };
	struct minicore_result res = { 0 };
	const char *note = dec->no_core_reason;
	struct buf info;
	uint64_t left = writer_core_room(w);
	int r = 0;

	if (dec->keep_core && left < mp.total_max) {
		mp.total_max = left;
		note = room_note(w);
	}
	if (dec->keep_core && w->no_space) {
		note = "no space left for metadata, core not kept";
	} else if (dec->keep_core) {
		mp.mem_fd = proc_open_mem(procfd);
		if (mp.mem_fd < 0)
			r = mp.mem_fd;
		else
			r = mp.out_fd = writer_create(w, DUMP_ITEM_CORE_MINI);
		if (r >= 0)
			r = minicore_write(&mp, &res);
		safe_close(mp.out_fd);
		safe_close(mp.mem_fd);
		if (r < 0) {
			writer_discard(w, DUMP_ITEM_CORE_MINI);
			writer_missing(w, DUMP_ITEM_CORE_MINI, r);
		}
	}
	coredump_release();
	if (r >= 0 && res.written > 0)
		delta->cores_kept++;
	else
		delta->cores_skipped++;
	buf_init(&info, 0);
	r = minicore_info_format(&info, &res, r, note);
	writer_buf(w, DUMP_ITEM_CORE_INFO, r, &info);
	buf_done(&info);
}

void
coredump_keep(struct dump_writer *w, int procfd, const struct hook_args *a,
    const struct proc_process *proc, const struct policy_decision *dec,
    struct hookstate_record *delta, int64_t deadline_ms)
{
	const struct hook_config *hc = &w->c->hook;
	struct core_params p = { .mode = hc->core_mode,
		.level = hc->core_level,
		.deadline_ms = deadline_ms };
	struct core_result res = { 0 };
	const char *note = dec->no_core_reason;
	bool room_cut = false;
	struct buf info;
	int fd, r;

	if (p.mode == CORE_MODE_MINI) {
		keep_mini(w, procfd, proc, dec, delta, deadline_ms);
		return;
	}
	if (dec->keep_core) {
		p.limit = p.mode == CORE_MODE_TRUNCATE ? hc->core_max_size
						       : UINT64_MAX;
		if (hc->core_honour_rlimit && a->rlimit_core < p.limit) {
			p.limit = a->rlimit_core;
			if (p.limit == 0)
				note = "RLIMIT_CORE is 0";
		}
		/* What core.gz may take of the room: compressed bytes. */
		if (writer_core_room(w) == 0) {
			p.limit = 0;
			note = room_note(w);
		} else if (writer_core_room(w) < p.limit) {
			p.out_limit = writer_core_room(w);
			room_cut = true;
		}
	}
	if (p.limit > 0 && !w->no_space) {
		fd = writer_create(w, DUMP_ITEM_CORE_GZ);
		if (fd >= 0) {
			r = core_copy(STDIN_FILENO, fd, &p, &res);
			safe_close(fd);
			if (r < 0) {
				/* Metadata comes first: give its space back. */
				writer_discard(w, DUMP_ITEM_CORE_GZ);
				writer_missing(w, DUMP_ITEM_CORE_GZ, r);
			} else if (room_cut && res.stopped &&
			    strcmp(res.stopped, "room") == 0 &&
			    p.mode == CORE_MODE_FULL) {
				/* Mode full keeps a whole core or none. */
				writer_discard(w, DUMP_ITEM_CORE_GZ);
				res.bytes_kept = res.compressed = 0;
				note = writer_room_keep_free(w)
				    ? "larger than the dump's room above "
				      "keep_free, not kept"
				    : "larger than the dump's room under "
				      "spool_max, not kept";
				buf_printf(&w->missing, "core.gz: %s\n", note);
			} else if (room_cut && res.stopped &&
			    strcmp(res.stopped, "room") == 0) {
				note = room_note(w);
			}
		} else {
			res.error = fd;
			writer_missing(w, DUMP_ITEM_CORE_GZ, fd);
		}
	} else if (p.limit > 0) {
		note = "no space left for metadata, core not kept";
	}
	coredump_release();
	if (res.bytes_kept > 0)
		delta->cores_kept++;
	else if (hc->core_mode != CORE_MODE_NONE)
		delta->cores_skipped++;

	buf_init(&info, 0);
	r = core_info_format(&info, &p, &res, note);
	writer_buf(w, DUMP_ITEM_CORE_INFO, r, &info);
	buf_done(&info);
}
