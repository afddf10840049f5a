/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kernel_dumps.c owns turning kernel reports into dumps: what a kernel
 * dump holds, the sums of repeats and the rate (kernel_dumps.h).
 */
#include "kernel_dumps.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "daemon.h"
#include "dump_writer.h"
#include "fsutil.h"
#include "log.h"
#include "ratelimit.h"

enum dump_kind
kernel_dumps_kind(enum koops_marker m)
{
	if (m == KOOPS_OOM)
		return DUMP_KIND_OOM;
	if (m == KOOPS_PANIC)
		return DUMP_KIND_PANIC;
	return DUMP_KIND_KERNEL;
}

/* "BOOT FIRST LAST" of <spool>/<name>/kmsg_seq, and its signature. */
static int
load_range(int spool_dirfd, const char *name, const char *boot_id,
    struct kernel_dumps_range *ret)
{
	char path[SPOOL_NAME_MAX + 32], boot[40];
	char *text = NULL, *sig = NULL;
	unsigned long long first, last;
	size_t len;
	int r;

	snprintf(path, sizeof(path), "%s/%s", name, DUMP_ITEM_KMSG_SEQ);
	r = read_file_at(spool_dirfd, path, 128, &text, &len);
	if (r < 0)
		return r;
	r = sscanf(text, "%39s %llu %llu", boot, &first, &last) == 3 &&
		strcmp(boot, boot_id) == 0
	    ? 0
	    : -ENOENT;
	free(text);
	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "%s/%s", name, DUMP_ITEM_SIGNATURE);
	r = read_file_at(spool_dirfd, path, 64, &sig, &len);
	if (r < 0)
		return r;
	snprintf(ret->signature, sizeof(ret->signature), "%.16s", sig);
	free(sig);
	ret->first = first;
	ret->last = last;
	return 0;
}

int
kernel_dumps_init(
    struct kernel_dumps *kd, struct daemon *dm, const char *boot_id)
{
	char **names = NULL;
	size_t n = 0;
	int r;

	memset(kd, 0, sizeof(*kd));
	snprintf(kd->boot_id, sizeof(kd->boot_id), "%s", boot_id);
	for (size_t i = 0; i < KERNEL_DUMPS_SIGNATURES; i++)
		buf_init(&kd->sigs[i].text, 0);
	r = spool_list(dm->spool.dirfd, &names, &n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		struct kernel_dumps_range rg, *v;

		if (r >= 0 &&
		    load_range(dm->spool.dirfd, names[i], boot_id, &rg) == 0) {
			v = realloc(kd->ranges,
			    (kd->n_ranges + 1) * sizeof(*kd->ranges));
			if (v == NULL) {
				r = -ENOMEM;
			} else {
				kd->ranges = v;
				kd->ranges[kd->n_ranges++] = rg;
			}
		}
		free(names[i]);
	}
	free(names);
	return r < 0 ? r : 0;
}

void
kernel_dumps_done(struct kernel_dumps *kd)
{
	if (kd == NULL)
		return;
	for (size_t i = 0; i < KERNEL_DUMPS_SIGNATURES; i++)
		buf_done(&kd->sigs[i].text);
	free(kd->ranges);
	kd->ranges = NULL;
	kd->n_ranges = 0;
}

/* Whether a dump written before a restart stands for this report. */
static bool
written_before(const struct kernel_dumps *kd, const char *sig, uint64_t seq)
{
	for (size_t i = 0; i < kd->n_ranges; i++)
		if (strcmp(kd->ranges[i].signature, sig) == 0 &&
		    seq >= kd->ranges[i].first && seq <= kd->ranges[i].last)
			return true;
	return false;
}

/* The wall-clock second of a record's kernel time stamp. */
static long long
record_time(uint64_t ts_us)
{
	int64_t mono = clock_now_ms(CLOCK_MONOTONIC);
	int64_t real = clock_now_ms(CLOCK_REALTIME);
	int64_t ago = mono - (int64_t)(ts_us / 1000);

	if (ago < 0)
		ago = 0;
	return (long long)((real - ago) / 1000);
}

int
kernel_dumps_write(struct daemon *dm, enum dump_kind kind,
    const struct koops_facts *f, const char *text, size_t len, long long t,
    uint64_t repeats, const char *kmsg_seq, const char *pstore)
{
	struct timespec ts = { (time_t)t, 0 };
	char host[256] = "";
	struct utsname u;
	struct dump_writer w;
	int r;

	if (gethostname(host, sizeof(host) - 1) < 0)
		host[0] = '\0';
	r = dump_writer_begin(&w, &dm->spool, &ts, f->pid > 0 ? f->pid : 0,
	    dump_kind_names[kind]);
	if (r < 0)
		return r;
	/* First: what it stands for, so a restart does not write it again. */
	if (kmsg_seq)
		dump_writer_item(&w, DUMP_ITEM_KMSG_SEQ, "%s\n", kmsg_seq);
	dump_writer_item(&w, DUMP_ITEM_SIGNATURE, "%s\n", f->signature);
	dump_writer_item(&w, DUMP_ITEM_VERSION, "%d\n", SPOOL_VERSION);
	dump_writer_item(&w, DUMP_ITEM_KIND, "%s\n", dump_kind_names[kind]);
	dump_writer_item(&w, DUMP_ITEM_TIME, "%lld\n", t);
	dump_writer_item(&w, DUMP_ITEM_REASON, "%s\n", f->reason);
	dump_writer_item(&w, DUMP_ITEM_HOSTNAME, "%s\n", host);
	if (f->kernel[0])
		dump_writer_item(&w, DUMP_ITEM_KERNEL, "%s\n", f->kernel);
	else if (uname(&u) == 0)
		dump_writer_item(&w, DUMP_ITEM_KERNEL, "%s\n", u.release);
	if (f->pid >= 0)
		dump_writer_item(&w, DUMP_ITEM_PID, "%ld\n", f->pid);
	if (f->comm[0])
		dump_writer_item(&w, DUMP_ITEM_COMM, "%s\n", f->comm);
	if (kind == DUMP_KIND_OOM) {
		/* The OOM killer's is a SIGKILL. */
		dump_writer_item(&w, DUMP_ITEM_SIGNAL, "9\n");
		dump_writer_item(&w, DUMP_ITEM_SIGNAL_NAME, "SIGKILL\n");
		if (f->cgroup[0])
			dump_writer_item(
			    &w, DUMP_ITEM_CGROUP, "%s\n", f->cgroup);
		if (f->memory[0])
			dump_writer_item(
			    &w, DUMP_ITEM_OOM_MEMORY, "%s\n", f->memory);
	}
	if (f->taint[0])
		dump_writer_item(&w, DUMP_ITEM_TAINT, "%s\n", f->taint);
	if (f->modules.len > 0)
		dump_writer_item(&w, DUMP_ITEM_MODULES, "%s\n",
		    f->modules.data + strspn(f->modules.data, " "));
	if (f->trace.len > 0)
		dump_writer_data(
		    &w, DUMP_ITEM_BACKTRACE, f->trace.data, f->trace.len);
	if (repeats > 1)
		dump_writer_item(&w, DUMP_ITEM_IDENTICAL, "%llu\n",
		    (unsigned long long)repeats);
	if (pstore)
		dump_writer_item(&w, DUMP_ITEM_PSTORE, "%s\n", pstore);
	dump_writer_data(&w, DUMP_ITEM_KERNEL_LOG, text, len);
	r = dump_writer_publish(&w);
	if (r < 0)
		return r;
	log_info("%s: %s%s", w.name, f->reason,
	    repeats > 1 ? " (and identical reports)" : "");
	if (repeats > 1)
		log_info("%s: stands for %llu identical kernel reports", w.name,
		    (unsigned long long)repeats);
	r = daemon_process(dm, w.name);
	return r < 0 && r != -EINTR ? r : 0;
}

/* Writes the dump of a report (or of a signature's waiting reports). */
static int
write_report(struct kernel_dumps *kd, struct daemon *dm,
    enum koops_marker marker, const char *text, size_t len, uint64_t ts_us,
    uint64_t first, uint64_t last, uint64_t repeats)
{
	struct koops_facts f;
	char seq[96];
	int r;

	r = koops_analyze(marker, text, len, &f);
	if (r < 0)
		return r;
	snprintf(seq, sizeof(seq), "%s %llu %llu", kd->boot_id,
	    (unsigned long long)first, (unsigned long long)last);
	r = kernel_dumps_write(dm, kernel_dumps_kind(marker), &f, text, len,
	    record_time(ts_us), repeats, seq, NULL);
	koops_facts_done(&f);
	if (r >= 0)
		kd->written++;
	return r;
}

static int
flush_sig(struct kernel_dumps *kd, struct daemon *dm,
    struct kernel_dumps_sig *s, int64_t now_ms)
{
	int r;

	r = write_report(kd, dm, s->marker, s->text.data ? s->text.data : "",
	    s->text.len, s->ts_us, s->first_seq, s->last_seq, s->count);
	if (r < 0) {
		log_warn_errno(r,
		    "write the dump of %llu kernel report(s): %m, trying "
		    "again",
		    (unsigned long long)s->count);
		return r;
	}
	s->count = 0;
	s->written_ms = now_ms;
	buf_reset(&s->text);
	return 0;
}

static bool
rate_allows(struct kernel_dumps *kd, struct daemon *dm)
{
	return ratelimit_allow(&kd->tat, &dm->cfg.daemon.kernel.rate,
	    clock_now_ms(CLOCK_REALTIME));
}

/* The slot of sig, or a free one (the least recent one freed first). */
static struct kernel_dumps_sig *
slot_for(
    struct kernel_dumps *kd, struct daemon *dm, const char *sig, int64_t now_ms)
{
	struct kernel_dumps_sig *free_slot = NULL, *oldest = NULL;

	for (size_t i = 0; i < KERNEL_DUMPS_SIGNATURES; i++) {
		struct kernel_dumps_sig *s = &kd->sigs[i];

		if (s->used && strcmp(s->signature, sig) == 0)
			return s;
		if (!s->used && free_slot == NULL)
			free_slot = s;
		if (s->used &&
		    (oldest == NULL || s->last_ms < oldest->last_ms ||
			(s->last_ms == oldest->last_ms &&
			    s->written_ms < oldest->written_ms)))
			oldest = s;
	}
	if (free_slot == NULL && oldest) {
		/* Full: the least recent goes, its waiting reports written. */
		if (oldest->count > 0 && flush_sig(kd, dm, oldest, now_ms) < 0)
			return NULL;
		oldest->used = false;
		free_slot = oldest;
	}
	return free_slot;
}

void
kernel_dumps_report(struct kernel_dumps *kd, struct daemon *dm,
    struct koops_report *rep, int64_t now_ms)
{
	enum dump_kind kind = kernel_dumps_kind(rep->marker);
	struct kernel_dumps_sig *s;
	struct koops_facts f;

	if (!(dm->cfg.daemon.kernel.kinds & (1u << kind)))
		goto out;
	if (koops_analyze(rep->marker, rep->text.data ? rep->text.data : "",
		rep->text.len, &f) < 0) {
		log_warn("a kernel report (records %llu-%llu): out of memory, "
			 "ignoring",
		    (unsigned long long)rep->first_seq,
		    (unsigned long long)rep->last_seq);
		goto out;
	}
	if (written_before(kd, f.signature, rep->first_seq)) {
		koops_facts_done(&f);
		goto out;
	}
	s = slot_for(kd, dm, f.signature, now_ms);
	if (s == NULL) {
		koops_facts_done(&f);
		goto out;
	}
	if (!s->used) {
		memset(s->signature, 0, sizeof(s->signature));
		snprintf(s->signature, sizeof(s->signature), "%s", f.signature);
		s->used = true;
		s->marker = rep->marker;
		s->written_ms = 0;
		s->count = 0;
	}
	koops_facts_done(&f);
	if (s->count == 0 && s->written_ms == 0 && rate_allows(kd, dm)) {
		/* The first of its kind: at once. */
		if (write_report(kd, dm, rep->marker,
			rep->text.data ? rep->text.data : "", rep->text.len,
			rep->ts_us, rep->first_seq, rep->last_seq, 1) >= 0) {
			s->written_ms = now_ms;
			s->last_ms = now_ms;
			goto out;
		}
	}
	/* A repeat (or over the rate): summed up, written later. */
	if (s->count == 0) {
		s->first_seq = rep->first_seq;
		s->ts_us = rep->ts_us;
		s->since_ms = now_ms;
		buf_done(&s->text);
		s->text = rep->text; /* taken */
		buf_init(&rep->text, 0);
	}
	s->count++;
	s->last_seq = rep->last_seq;
	s->last_ms = now_ms;
out:
	koops_report_done(rep);
}

void
kernel_dumps_tick(
    struct kernel_dumps *kd, struct daemon *dm, int64_t now_ms, bool force)
{
	for (size_t i = 0; i < KERNEL_DUMPS_SIGNATURES && !*dm->stop; i++) {
		struct kernel_dumps_sig *s = &kd->sigs[i];

		if (!s->used)
			continue;
		if (s->count == 0) {
			if (now_ms - s->written_ms > KERNEL_DUMPS_HOLD_MS)
				s->used = false;
			continue;
		}
		if (!force && now_ms - s->last_ms < KERNEL_DUMPS_QUIET_MS &&
		    now_ms - s->since_ms < KERNEL_DUMPS_MAX_HOLD_MS)
			continue;
		/* Repeats of a dump merge into it; a first needs the rate. */
		if (s->written_ms == 0 && !force && !rate_allows(kd, dm))
			continue;
		(void)flush_sig(kd, dm, s, now_ms);
	}
}

uint64_t
kernel_dumps_oldest_pending(const struct kernel_dumps *kd)
{
	uint64_t oldest = UINT64_MAX;

	for (size_t i = 0; i < KERNEL_DUMPS_SIGNATURES; i++)
		if (kd->sigs[i].used && kd->sigs[i].count > 0 &&
		    kd->sigs[i].first_seq < oldest)
			oldest = kd->sigs[i].first_seq;
	return oldest;
}
