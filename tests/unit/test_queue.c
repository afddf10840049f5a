/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The delivery queue's on-disk format (common/queue.c): adding once,
 * state round trips, moving between lists, listing, removing, pruning.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "queue.h"
#include "testutil.h"

struct fixture {
	char *dir;
	int spool_fd;
	struct queue q;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->dir = tu_mkdtemp();
	f->spool_fd = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(f->spool_fd >= 0);
	assert_int_equal(queue_open(f->spool_fd, true, &f->q), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	queue_close(&f->q);
	close(f->spool_fd);
	tu_rm_rf(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static struct queue_entry
entry(const char *id)
{
	struct queue_entry e;

	memset(&e, 0, sizeof(e));
	assert_int_equal(queue_qid(id, e.qid, sizeof(e.qid)), 0);
	snprintf(e.action, sizeof(e.action), "page");
	snprintf(e.label, sizeof(e.label), "page");
	snprintf(e.type, sizeof(e.type), "mail");
	snprintf(e.id, sizeof(e.id), "%s", id);
	snprintf(e.dump, sizeof(e.dump), "20261123T101010.000001-ruby-42");
	e.created_ms = e.next_ms = 1795400000000LL;
	snprintf(e.last, sizeof(e.last), "queued");
	return e;
}

static char *
payload_of(struct fixture *f, enum queue_list l, const char *qid)
{
	struct buf b;
	int fd = queue_open_payload(&f->q, l, qid);

	assert_true(fd >= 0);
	buf_init(&b, 0);
	assert_int_equal(read_fd_capped(fd, 1 << 20, &b), 0);
	close(fd);
	return buf_steal(&b, NULL);
}

static void
test_qid(void **state)
{
	char qid[240];

	(void)state;
	assert_int_equal(
	    queue_qid("dump-1/page@digest-7", qid, sizeof(qid)), 0);
	assert_string_equal(qid, "dump-1+page@digest-7");
	assert_int_equal(queue_qid(".x/y", qid, sizeof(qid)), 0);
	assert_string_equal(qid, "_x+y");
	assert_int_equal(queue_qid("", qid, sizeof(qid)), -ENAMETOOLONG);
}

static void
test_add_once_and_round_trip(void **state)
{
	struct fixture *f = *state;
	struct queue_entry e = entry("d/page"), got;
	char *p;

	/* A newline in a field cannot start a key of its own. */
	snprintf(e.last, sizeof(e.last), "HTTP 500\nattempts 99");
	assert_int_equal(queue_add(&f->q, &e, "hello\0world", 11), 1);
	assert_int_equal(queue_add(&f->q, &e, "other", 5), 0);
	assert_int_equal(queue_load(&f->q, QUEUE_PENDING, e.qid, &got), 0);
	assert_string_equal(got.qid, "d+page");
	assert_string_equal(got.action, "page");
	assert_string_equal(got.type, "mail");
	assert_string_equal(got.id, "d/page");
	assert_string_equal(got.dump, e.dump);
	assert_int_equal(got.attempts, 0);
	assert_true(got.next_ms == e.next_ms);
	assert_string_equal(got.last, "HTTP 500 attempts 99");
	p = payload_of(f, QUEUE_PENDING, e.qid);
	assert_memory_equal(p, "hello\0world", 11);
	free(p);

	got.attempts = 3;
	got.next_ms = 42;
	snprintf(got.last, sizeof(got.last), "connection refused");
	assert_int_equal(queue_save(&f->q, QUEUE_PENDING, &got), 0);
	assert_int_equal(queue_load(&f->q, QUEUE_PENDING, e.qid, &e), 0);
	assert_int_equal(e.attempts, 3);
	assert_true(e.next_ms == 42);
	assert_string_equal(e.last, "connection refused");
}

static void
test_sent_and_dead_are_known(void **state)
{
	struct fixture *f = *state;
	struct queue_entry a = entry("d/a"), b = entry("d/b"), got;

	assert_int_equal(queue_add(&f->q, &a, "A", 1), 1);
	assert_int_equal(queue_add(&f->q, &b, "B", 1), 1);
	assert_int_equal(
	    queue_move(&f->q, a.qid, QUEUE_PENDING, QUEUE_SENT), 0);
	assert_int_equal(
	    queue_move(&f->q, b.qid, QUEUE_PENDING, QUEUE_DEAD), 0);
	/* Rerun after a crash: neither is queued again. */
	assert_int_equal(queue_add(&f->q, &a, "A", 1), 0);
	assert_int_equal(queue_add(&f->q, &b, "B", 1), 0);
	/* Sent keeps the state, not the payload. */
	assert_int_equal(queue_load(&f->q, QUEUE_SENT, a.qid, &got), 0);
	assert_int_equal(queue_open_payload(&f->q, QUEUE_SENT, a.qid), -ENOENT);
	/* Dead keeps both, and can go back to pending. */
	free(payload_of(f, QUEUE_DEAD, b.qid));
	assert_int_equal(
	    queue_move(&f->q, b.qid, QUEUE_DEAD, QUEUE_PENDING), 0);
	assert_int_equal(queue_load(&f->q, QUEUE_PENDING, b.qid, &got), 0);
	assert_int_equal(
	    queue_move(&f->q, "nope", QUEUE_PENDING, QUEUE_DEAD), -ENOENT);
}

static void
test_entries_remove_prune(void **state)
{
	struct fixture *f = *state;
	struct queue_entry e1 = entry("d2/x"), e2 = entry("d1/x");
	struct queue_entry *v;
	char path[512];
	size_t n;
	int fd;

	assert_int_equal(queue_add(&f->q, &e1, "1", 1), 1);
	assert_int_equal(queue_add(&f->q, &e2, "2", 1), 1);
	/* What a crash leaves: a half-built one, and garbage. */
	snprintf(
	    path, sizeof(path), "%s/.state/deliveries/pending/junk", f->dir);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(queue_entries(&f->q, QUEUE_PENDING, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].qid, "d1+x");
	assert_string_equal(v[1].qid, "d2+x");
	free(v);

	assert_int_equal(queue_remove(&f->q, QUEUE_PENDING, "d1+x"), 0);
	assert_int_equal(queue_remove(&f->q, QUEUE_PENDING, "d1+x"), -ENOENT);
	assert_int_equal(queue_remove(&f->q, QUEUE_PENDING, "../x"), -EINVAL);

	/* Pruning goes by the state's age. */
	queue_prune(&f->q, QUEUE_PENDING, 3600);
	assert_int_equal(queue_entries(&f->q, QUEUE_PENDING, &v, &n), 0);
	assert_int_equal(n, 1);
	free(v);
	snprintf(path, sizeof(path), "%s/.state/deliveries/pending/d2+x/state",
	    f->dir);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(
	    futimens(fd, (struct timespec[]){ { 1000, 0 }, { 1000, 0 } }), 0);
	close(fd);
	queue_prune(&f->q, QUEUE_PENDING, 3600);
	assert_int_equal(queue_entries(&f->q, QUEUE_PENDING, &v, &n), 0);
	assert_int_equal(n, 0);
	free(v);
}

static void
test_open_without_create(void **state)
{
	char *dir = tu_mkdtemp();
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct queue q;

	(void)state;
	assert_int_equal(queue_open(fd, false, &q), -ENOENT);
	assert_int_equal(q.dirfd, -1);
	close(fd);
	tu_rm_rf(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qid),
		cmocka_unit_test_setup_teardown(
		    test_add_once_and_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_sent_and_dead_are_known, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_entries_remove_prune, setup, teardown),
		cmocka_unit_test(test_open_without_create),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
