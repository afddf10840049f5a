/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The retention sweep (daemon/retention.c) on a temp spool, with a config
 * and the spool opened here, as the daemon hands them over: what a later sweep
 * reuses of what an earlier one measured, and that its decisions stay
 * those of a sweep that measures everything.  Sizes are checked against
 * the total the sweep hands to the hook (.state/hook), next to the true
 * figure measured here.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "fsutil.h"
#include "hookstate.h"
#include "retention.h"
#include "spool.h"
#include "testutil.h"

#define DAY (86400LL)
#define NOW (1800000000LL)

struct fixture {
	char *dir;
	char *spool;
	struct config cfg;
	struct spool sp;
	struct retention_cache *cache; /* what the sweeps measured */
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->dir = tu_mkdtemp();
	assert_true(asprintf(&f->spool, "%s/spool", f->dir) > 0);
	assert_int_equal(mkdir(f->spool, 0755), 0);
	assert_int_equal(config_defaults(&f->cfg), 0);
	free(f->cfg.spool);
	f->cfg.spool = strdup(f->spool);
	assert_non_null(f->cfg.spool);
	f->cfg.daemon.max_age_ms = 0;
	f->cfg.daemon.max_count = 0;
	f->cfg.daemon.max_size = 0;
	assert_int_equal(spool_open(f->spool, false, &f->sp), 0);
	assert_int_equal(mkdirat(f->sp.dirfd, SPOOL_INCOMING, 0700), 0);
	assert_int_equal(mkdirat(f->sp.dirfd, SPOOL_STATE, 0755), 0);
	f->sp.incoming_fd = open_dir_at(f->sp.dirfd, SPOOL_INCOMING);
	assert_true(f->sp.incoming_fd >= 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	retention_free(f->cache);
	spool_done(&f->sp);
	config_done(&f->cfg);
	tu_rm_rf(f->dir);
	free(f->dir);
	free(f->spool);
	free(f);
	return 0;
}

static void
put(int dfd, const char *item, const char *data, size_t len)
{
	int fd =
	    openat(dfd, item, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);

	assert_true(fd >= 0);
	assert_int_equal(write_all(fd, data, len), 0);
	assert_int_equal(close(fd), 0);
}

/* Appends len bytes to an item of a dump (someone else's change). */
static void
grow(struct fixture *f, const char *name, const char *item, size_t len)
{
	char *junk = malloc(len), path[512];
	int fd;

	assert_non_null(junk);
	memset(junk, 'x', len);
	snprintf(path, sizeof(path), "%s/%s/%s", f->spool, name, item);
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(write_all(fd, junk, len), 0);
	assert_int_equal(close(fd), 0);
	free(junk);
}

/*
 * Publishes dump "<seq>-<exe>" (names sort by seq) of time t, processed or
 * not, with a core of core_len bytes (0: none), a merged duplicate or not.
 */
static void
add_dump(struct fixture *f, int seq, const char *exe, long long t,
    bool processed, size_t core_len, bool duplicate)
{
	int sfd = f->sp.dirfd, dfd;
	char name[64], buf[128];

	snprintf(name, sizeof(name), "%04d-%s", seq, exe);
	assert_int_equal(mkdirat(f->sp.incoming_fd, name, 0750), 0);
	dfd = open_dir_at(f->sp.incoming_fd, name);
	assert_true(dfd >= 0);
	snprintf(buf, sizeof(buf), "%lld\n", t);
	put(dfd, "time", buf, strlen(buf));
	snprintf(buf, sizeof(buf), "/usr/bin/%s\n", exe);
	put(dfd, "executable", buf, strlen(buf));
	put(dfd, "signal", "11\n", 3);
	put(dfd, "maps", "00400000-00401000 r-xp 0 08:01 1 /usr/bin/x\n", 45);
	if (core_len > 0) {
		char *core = calloc(1, core_len);

		assert_non_null(core);
		memset(core, 'c', core_len);
		put(dfd, "core.gz", core, core_len);
		free(core);
	}
	if (duplicate)
		put(dfd, "duplicate_of", "0000-first\n", 11);
	if (processed)
		put(dfd, "processed", "1\n", 2);
	assert_int_equal(close(dfd), 0);
	assert_int_equal(renameat(f->sp.incoming_fd, name, sfd, name), 0);
}

static bool
exists(struct fixture *f, int seq, const char *exe)
{
	char name[64];

	snprintf(name, sizeof(name), "%04d-%s", seq, exe);
	return faccessat(f->sp.dirfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

static size_t
n_dumps(struct fixture *f)
{
	char **names = NULL;
	size_t n = 0;

	assert_int_equal(spool_list(f->sp.dirfd, &names, &n), 0);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return n;
}

/* The spool's size as a sweep that measures everything counts it. */
static unsigned long long
true_total(struct fixture *f)
{
	unsigned long long total = 0;
	char **names = NULL;
	size_t n = 0;

	assert_int_equal(spool_list(f->sp.dirfd, &names, &n), 0);
	for (size_t i = 0; i < n; i++) {
		unsigned long long b = 0;
		int dfd = open_dir_at(f->sp.dirfd, names[i]);

		assert_true(dfd >= 0);
		assert_int_equal(spool_dir_usage(dfd, &b), 0);
		total += b;
		close(dfd);
		free(names[i]);
	}
	free(names);
	return total;
}

/* The total the last sweep handed to the hook. */
static unsigned long long
hook_total(struct fixture *f)
{
	struct hookstate st;
	int fd = hookstate_lock(f->sp.dirfd, false, 1000);

	assert_true(fd >= 0);
	assert_int_equal(hookstate_read(fd, &st), 0);
	close(fd);
	return st.spool_bytes;
}

static int
sweep(struct fixture *f, long long now, size_t *ret_opened)
{
	struct retention_input in;
	struct retention_stats st;
	int r;

	retention_input_init(&in, &f->cfg, &f->sp);
	r = retention_sweep(&f->cache, &in, now);
	assert_true(r >= 0);
	retention_get_stats(f->cache, &st);
	if (ret_opened)
		*ret_opened = st.opened;
	return r;
}

/* Appends a delayed delete action; exe: an executable glob, or NULL. */
static void
add_delete(struct config *c, const char *name, int what, long long after_s,
    const char *exe, int has_core)
{
	struct action_config *ac;

	ac = realloc(c->actions, (c->n_actions + 1) * sizeof(*ac));
	assert_non_null(ac);
	c->actions = ac;
	ac = &c->actions[c->n_actions++];
	memset(ac, 0, sizeof(*ac));
	ac->name = strdup(name);
	ac->type = ACTION_DELETE;
	ac->what = what;
	ac->after_ms = (uint64_t)after_s * 1000;
	ac->match.has_core = has_core;
	if (exe) {
		ac->match.executables = calloc(2, sizeof(char *));
		assert_non_null(ac->match.executables);
		ac->match.executables[0] = strdup(exe);
	}
}

/*
 * (1) A later sweep over an unchanged spool opens only the dumps whose
 * turn it is: 32 dumps, 2 a sweep, each once in 16 sweeps; a due delayed
 * action opens nothing it cannot apply to (no core to remove, no match).
 */
static void
test_warm_sweep_opens_its_turn(void **state)
{
	struct fixture *f = *state;
	size_t opened, sum = 0;
	unsigned long long total;

	add_delete(&f->cfg, "trim", 1, DAY, NULL, -1);
	add_delete(&f->cfg, "drop", 0, DAY, "*/nothing", -1);
	for (int i = 0; i < 32; i++)
		add_dump(f, i, i % 2 ? "a" : "b", NOW - 10 * DAY + i, true, 0,
		    false);
	total = true_total(f);
	assert_int_equal(sweep(f, NOW, &opened), 0);
	assert_int_equal(opened, 32);
	assert_int_equal(hook_total(f), total);
	for (int k = 0; k < RETENTION_REMEASURE_SWEEPS; k++) {
		assert_int_equal(sweep(f, NOW + k, &opened), 0);
		assert_int_equal(opened, 32 / RETENTION_REMEASURE_SWEEPS);
		assert_int_equal(hook_total(f), total);
		sum += opened;
	}
	assert_int_equal(sum, 32);
	assert_int_equal(n_dumps(f), 32);
}

/*
 * (2) Limits hold for dumps that arrived between sweeps, as a full sweep
 * decides: duplicates first, oldest first; an unprocessed dump is counted
 * but never removed.
 */
static void
test_limits_with_arrivals(void **state)
{
	struct fixture *f = *state;
	unsigned long long before;
	size_t opened;

	f->cfg.daemon.max_count = 10;
	for (int i = 0; i < 10; i++)
		add_dump(f, i, "a", NOW - 100 + i, true, 0, i == 7);
	assert_int_equal(sweep(f, NOW, &opened), 0);
	assert_int_equal(opened, 10);
	/* 3 new, one of them a duplicate; 1 not processed yet. */
	add_dump(f, 10, "a", NOW - 50, true, 0, false);
	add_dump(f, 11, "a", NOW - 40, true, 0, true);
	add_dump(f, 12, "a", NOW - 30, true, 0, false);
	add_dump(f, 13, "a", NOW - 20, false, 0, false);
	assert_int_equal(sweep(f, NOW, &opened), 3);
	/* The new four, and the turn of one of the ten known. */
	assert_int_equal(opened, 4 + 1);
	/* Duplicates 7 and 11 first, then the oldest unique crash, 0. */
	assert_false(exists(f, 7, "a"));
	assert_false(exists(f, 11, "a"));
	assert_false(exists(f, 0, "a"));
	for (int i = 1; i < 14; i++)
		if (i != 7 && i != 11)
			assert_true(exists(f, i, "a"));
	assert_int_equal(hook_total(f), true_total(f));

	/* max_size: the oldest go until the rest fits. */
	before = true_total(f);
	f->cfg.daemon.max_count = 0;
	f->cfg.daemon.max_size = before - 1;
	add_dump(f, 14, "a", NOW - 10, true, 0, false);
	assert_true(sweep(f, NOW, NULL) >= 2);
	assert_false(exists(f, 1, "a"));
	assert_false(exists(f, 2, "a"));
	assert_true(exists(f, 14, "a"));
	assert_true(exists(f, 13, "a")); /* not processed: kept */
	assert_true(hook_total(f) <= f->cfg.daemon.max_size);
	assert_int_equal(hook_total(f), true_total(f));
}

/*
 * (3) A dump removed by someone else between sweeps leaves the cache: its
 * bytes are no longer counted, and it does not count against max_count.
 */
static void
test_removed_by_someone_else(void **state)
{
	struct fixture *f = *state;
	struct retention_stats st;
	char path[512];

	for (int i = 0; i < 20; i++)
		add_dump(f, i, "a", NOW - 100 + i, true, 4096, false);
	assert_int_equal(sweep(f, NOW, NULL), 0);
	snprintf(path, sizeof(path), "%s/0005-a", f->spool);
	tu_rm_rf(path);
	f->cfg.daemon.max_count = 19;
	assert_int_equal(sweep(f, NOW, NULL), 0);
	retention_get_stats(f->cache, &st);
	assert_int_equal(st.cached, 19);
	assert_int_equal(hook_total(f), true_total(f));
	assert_true(exists(f, 0, "a"));
}

/*
 * (4) A cached dump grown by someone else is measured again within
 * RETENTION_REMEASURE_SWEEPS sweeps; one the daemon changed
 * (retention_forget()) at the next sweep.
 */
static void
test_size_change_seen(void **state)
{
	struct fixture *f = *state;
	unsigned long long total;
	int k;

	for (int i = 0; i < 40; i++)
		add_dump(
		    f, i, "a", NOW - 100 + i, true, i == 30 ? 65536 : 0, false);
	assert_int_equal(sweep(f, NOW, NULL), 0);
	/* Someone else: picked up in turn. */
	grow(f, "0017-a", "maps", 256 * 1024);
	total = true_total(f);
	for (k = 1; k <= RETENTION_REMEASURE_SWEEPS; k++) {
		assert_int_equal(sweep(f, NOW, NULL), 0);
		if (hook_total(f) == total)
			break;
	}
	assert_true(k <= RETENTION_REMEASURE_SWEEPS);
	/* The daemon (a merge): at the next sweep. */
	grow(f, "0033-a", "maps", 256 * 1024);
	retention_forget(f->cache, "0033-a");
	retention_forget(f->cache, "no-such-dump");
	assert_int_equal(sweep(f, NOW, NULL), 0);
	assert_int_equal(hook_total(f), true_total(f));
}

/*
 * A core removed by hand after the sweep measured it: when max_size then
 * asks for a core to go, what is left is measured, and no unique crash
 * goes for bytes that are no longer there.
 */
static void
test_core_removed_by_hand(void **state)
{
	struct fixture *f = *state;
	char path[512];
	size_t opened;

	for (int i = 0; i < 40; i++)
		add_dump(
		    f, i, "a", NOW - 100 + i, true, i == 39 ? 65536 : 0, false);
	assert_int_equal(sweep(f, NOW, NULL), 0);
	snprintf(path, sizeof(path), "%s/0039-a/core.gz", f->spool);
	assert_int_equal(unlink(path), 0);
	f->cfg.daemon.max_size = true_total(f) + 4096;
	/* The turn (the first 3) does not reach 39. */
	assert_int_equal(sweep(f, NOW, &opened), 0);
	assert_int_equal(opened, 3);
	assert_int_equal(n_dumps(f), 40);
	assert_int_equal(hook_total(f), true_total(f));
}

/*
 * Delayed delete actions on known dumps: applied once due, whether the
 * dump was measured long before; a core removed by one action makes a
 * "has_core = false" match of another found out again, as a full sweep
 * finds it (at the sweep after).
 */
static void
test_delayed_actions(void **state)
{
	struct fixture *f = *state;
	size_t opened;

	add_delete(&f->cfg, "old-victims", 0, DAY, "*/victim", -1);
	add_delete(&f->cfg, "trim", 1, 3 * DAY, "*/big", -1);
	add_delete(&f->cfg, "coreless", 0, 3 * DAY, "*/big", 0);
	for (int i = 0; i < 4; i++) {
		add_dump(f, i, "victim", NOW - 2 * DAY, true, 0, false);
		add_dump(f, 10 + i, "other", NOW - 2 * DAY, true, 0, false);
		add_dump(f, 20 + i, "victim", NOW, true, 0, false);
	}
	add_dump(f, 30, "big", NOW - DAY, true, 8192, false);
	assert_int_equal(sweep(f, NOW, &opened), 4);
	assert_int_equal(opened, 13);
	for (int i = 0; i < 4; i++) {
		assert_false(exists(f, i, "victim"));
		assert_true(exists(f, 10 + i, "other"));
		assert_true(exists(f, 20 + i, "victim"));
	}
	/* Nothing due that matches: the turn only. */
	assert_int_equal(sweep(f, NOW, &opened), 0);
	assert_int_equal(opened, 1);
	/* A day on, the new victims are due. */
	assert_int_equal(sweep(f, NOW + DAY, &opened), 4);
	assert_true(opened >= 4 && opened <= 5);
	assert_int_equal(sweep(f, NOW + DAY + 1, &opened), 0);
	assert_int_equal(opened, 1);
	/* big at 3 days: its core goes, then (without a core) the dump. */
	assert_int_equal(sweep(f, NOW + 2 * DAY, NULL), 0);
	assert_true(exists(f, 30, "big"));
	assert_int_equal(faccessat(f->sp.dirfd, "0030-big/core.gz", F_OK,
			     AT_SYMLINK_NOFOLLOW),
	    -1);
	assert_int_equal(hook_total(f), true_total(f));
	assert_int_equal(sweep(f, NOW + 2 * DAY + 1, NULL), 1);
	assert_false(exists(f, 30, "big"));
	assert_int_equal(n_dumps(f), 4);
	assert_int_equal(hook_total(f), true_total(f));
}

/*
 * A reload: which actions match is found out again (daemon_reload()
 * calls retention_reload()), the sizes are kept.
 */
static void
test_reload(void **state)
{
	struct fixture *f = *state;
	struct config c;
	size_t opened;

	add_delete(&f->cfg, "drop", 0, DAY, "*/a", -1);
	for (int i = 0; i < 8; i++)
		add_dump(f, i, "b", NOW - 2 * DAY, true, 0, false);
	assert_int_equal(sweep(f, NOW, &opened), 0);
	assert_int_equal(opened, 8);
	assert_int_equal(sweep(f, NOW, &opened), 0);
	assert_int_equal(opened, 1);
	assert_int_equal(config_defaults(&c), 0);
	free(c.spool);
	c.spool = strdup(f->spool);
	c.daemon.max_age_ms = 0;
	c.daemon.max_count = 0;
	c.daemon.max_size = 0;
	add_delete(&c, "drop", 0, DAY, "*/b", -1);
	/* As daemon_reload() does. */
	config_done(&f->cfg);
	f->cfg = c;
	retention_reload(f->cache);
	assert_int_equal(sweep(f, NOW, &opened), 8);
	assert_int_equal(opened, 8);
	assert_int_equal(n_dumps(f), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_warm_sweep_opens_its_turn, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_limits_with_arrivals, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_removed_by_someone_else, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_size_change_seen, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_core_removed_by_hand, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_delayed_actions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
