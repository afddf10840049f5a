/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * policy.c owns the hook's flood and disk policy: ignore globs, dump and
 * core rate limits (per executable and global) and the spool caps.
 */
#include "policy.h"

#include <fnmatch.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "items.h"
#include "ratelimit.h"

static const char *const verdict_names[_POLICY_VERDICT_MAX] = {
	[POLICY_STORE] = "store",
	[POLICY_IGNORED] = "ignored",
	[POLICY_RATE_EXECUTABLE] = "per_executable limit",
	[POLICY_RATE_GLOBAL] = "global limit",
};

const char *
policy_verdict_to_string(enum policy_verdict v)
{
	return (unsigned)v < _POLICY_VERDICT_MAX ? verdict_names[v] : NULL;
}

const char *
policy_ignored(const struct hook_config *hc, const char *executable)
{
	for (char **g = hc->ignore; g && *g; g++)
		if (fnmatch(*g, executable, 0) == 0)
			return *g;
	return NULL;
}

uint64_t
policy_item_cap(
    const struct hook_config *hc, const char *name, const char **key)
{
	static const struct {
		const char *item;
		size_t offset;
		const char *key;
	} caps[] = {
		{ DUMP_ITEM_CMDLINE, offsetof(struct hook_config, item_cmdline),
		    "hook.items.cmdline" },
		{ DUMP_ITEM_ENVIRON, offsetof(struct hook_config, item_environ),
		    "hook.items.environ" },
		{ DUMP_ITEM_MAPS, offsetof(struct hook_config, item_maps),
		    "hook.items.maps" },
		{ DUMP_ITEM_PTREE, offsetof(struct hook_config, item_ptree),
		    "hook.items.ptree" },
		{ DUMP_ITEM_OPEN_FDS,
		    offsetof(struct hook_config, item_open_fds),
		    "hook.items.open_fds" },
	};

	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		uint64_t v;

		if (strcmp(name, caps[i].item) != 0)
			continue;
		memcpy(&v, (const char *)hc + caps[i].offset, sizeof(v));
		if (v > 0) {
			*key = caps[i].key;
			return v;
		}
	}
	*key = "hook.items.max_size";
	return hc->item_max_size;
}

/*
 * The most the items of one dump may take: the identifying ones, those
 * with a cap of their own, and the others (status, limits, cgroup,
 * namespaces, dso_list, cwd, root, username, start_time) at max_size.
 */
static uint64_t
items_bound(const struct hook_config *hc)
{
	static const char *const own[] = { DUMP_ITEM_CMDLINE, DUMP_ITEM_ENVIRON,
		DUMP_ITEM_MAPS, DUMP_ITEM_PTREE, DUMP_ITEM_OPEN_FDS };
	uint64_t b = POLICY_MIN_DUMP + 9 * hc->item_max_size;
	const char *key;

	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		b += policy_item_cap(hc, own[i], &key);
	return b;
}

void
policy_charge_journal(
    const struct hook_config *hc, struct hookstate *st, int64_t now_ms)
{
	/* Past the limit's count the bucket is full: charging more is not. */
	uint64_t n = st->uncharged_stored < (uint64_t)hc->global.count + 1
	    ? st->uncharged_stored
	    : (uint64_t)hc->global.count + 1;

	for (uint64_t i = 0; i < n; i++)
		ratelimit_charge(&st->tat_dump_ms, &hc->global, now_ms);
	st->uncharged_stored = 0;
}

void
policy_decide(const struct hook_config *hc, struct hookstate *st,
    const char *executable, int64_t now_ms, uint64_t free_bytes, int writers,
    struct policy_decision *ret)
{
	struct policy_decision d = { .verdict = POLICY_STORE,
		.room = UINT64_MAX };
	struct hookstate_slot *slot;
	uint64_t bound;
	int64_t tat;

	policy_charge_journal(hc, st, now_ms);
	d.ignored_by = policy_ignored(hc, executable);
	if (d.ignored_by) {
		d.verdict = POLICY_IGNORED;
		*ret = d;
		return;
	}
	slot = hookstate_slot(st, hookstate_key(executable));
	/* Charge a bucket only when every bucket it depends on allows. */
	tat = slot->tat_dump_ms;
	if (!ratelimit_allow(&tat, &hc->per_executable, now_ms)) {
		d.verdict = POLICY_RATE_EXECUTABLE;
		*ret = d;
		return;
	}
	if (!ratelimit_allow(&st->tat_dump_ms, &hc->global, now_ms)) {
		d.verdict = POLICY_RATE_GLOBAL;
		*ret = d;
		return;
	}
	slot->tat_dump_ms = tat;

	if (hc->spool_max) {
		uint64_t left = st->spool_bytes < hc->spool_max
		    ? hc->spool_max - st->spool_bytes
		    : 0;

		if (left < POLICY_MIN_DUMP) {
			/* Not even what identifies the crash fits. */
			d.spool_full = true;
			d.room = 0;
			d.room_reason = "spool_max";
			*ret = d;
			return;
		}
		d.room =
		    left / 2 > POLICY_MIN_DUMP ? left / 2 : POLICY_MIN_DUMP;
		d.room_reason = "spool_max";
	}
	if (free_bytes < POLICY_MIN_DUMP ||
	    free_bytes - POLICY_MIN_DUMP < POLICY_FLOOR(hc->keep_free)) {
		/* Below the floor only what identifies the crash is written. */
		d.identity_only = true;
		d.room = POLICY_MIN_DUMP;
		d.room_reason = "keep_free";
	} else if (free_bytes - POLICY_FLOOR(hc->keep_free) < d.room) {
		d.room = free_bytes - POLICY_FLOOR(hc->keep_free);
		d.room_reason = "keep_free";
	}
	if (hc->core_mode == CORE_MODE_NONE) {
		d.no_core_reason = "mode none";
	} else if (d.identity_only) {
		d.no_core_reason = "keep_free floor reached";
	} else if (hc->spool_max && d.room < 2 * POLICY_MIN_DUMP) {
		d.no_core_reason = "spool_max reached";
	} else if (free_bytes < hc->keep_free) {
		d.no_core_reason = "keep_free floor reached";
	} else if (writers > POLICY_STORM_WRITERS) {
		/* Before the core buckets: a storm's cores are not charged. */
		d.no_core_reason = "storm: more than " POLICY_STORM_WRITERS_S
				   " dumps being written at once";
	} else {
		tat = slot->tat_core_ms;
		if (!ratelimit_allow(&tat, &hc->cores_per_executable, now_ms))
			d.no_core_reason = "cores_per_executable limit";
		else if (!ratelimit_allow(
			     &st->tat_core_ms, &hc->cores_global, now_ms))
			d.no_core_reason = "cores_global limit";
		else {
			slot->tat_core_ms = tat;
			d.keep_core = true;
		}
	}
	/*
	 * No more than this dump can take (its items' caps and its core's
	 * bound; a full core has none but the room): reserved under
	 * spool_max, so that the crashes handled at the same time share it.
	 */
	bound = items_bound(hc);
	if (d.keep_core && hc->core_mode == CORE_MODE_FULL)
		bound = UINT64_MAX;
	else if (d.keep_core)
		bound += hc->core_max_size + hc->core_max_size / 128 +
		    POLICY_MIN_DUMP;
	if (bound < d.room)
		d.room = bound;
	d.room_max = d.room;
	if (hc->spool_max) {
		if (!d.keep_core && d.room > POLICY_ROOM_FIRST)
			d.room = POLICY_ROOM_FIRST;
		d.reserved = d.room;
		st->spool_bytes += d.room;
		st->reserved_at_ms = now_ms;
	}
	*ret = d;
}

uint64_t
policy_grow(const struct hook_config *hc, struct hookstate *st, uint64_t room,
    uint64_t room_max, uint64_t need)
{
	uint64_t left, more;

	if (!hc->spool_max || room >= room_max)
		return 0;
	left = st->spool_bytes < hc->spool_max ? hc->spool_max - st->spool_bytes
					       : 0;
	more = need + room / 4;
	if (more > room_max - room)
		more = room_max - room;
	if (more > left / 2)
		more = left / 2;
	st->spool_bytes += more;
	return more;
}
