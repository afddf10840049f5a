/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The delivery queue's runner (daemon/delivery.c) on a real queue, with
 * a real mail action to a loopback port nothing listens on: queued once
 * per label, retried with backoff, dead after its attempts, every
 * outcome recorded in the dump's record and in the action tally.
 */
#include "testutil.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "action.h"
#include "action_tally.h"
#include "config.h"
#include "delivery.h"
#include "fsutil.h"
#include "mail_testutil.h"
#include "queue.h"

/* A loopback port that refuses connections (bound, never listening). */
static int
closed_port(int *fd)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);

	*fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(*fd >= 0);
	assert_int_equal(bind(*fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(*fd, (struct sockaddr *)&a, &len), 0);
	return ntohs(a.sin_port);
}

static uint64_t
tally_of(const char *action, enum action_outcome o)
{
	size_t n;
	const struct action_tally_entry *v = action_tally_entries(&n);

	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].action, action) == 0)
			return v[i].n[o];
	return 0;
}

static void
test_dead_after_attempts(void **state)
{
	struct config cfg;
	struct delivery dl;
	struct fake f;
	struct buf detail;
	char smtp[64], *record = NULL;
	size_t n = 0, len = 0;
	int sock, port;

	(void)state;
	mt_fake_open(&f, false);
	port = closed_port(&sock);
	snprintf(smtp, sizeof(smtp), "smtp://127.0.0.1:%d", port);
	f.ac.smtp = smtp;
	f.ac.attempts = 2;
	f.ac.backoff_ms = 10;
	f.ac.max_backoff_ms = 10;
	assert_int_equal(config_defaults(&cfg), 0);
	cfg.actions = &f.ac;
	cfg.n_actions = 1;
	assert_int_equal(delivery_init(&dl, f.spool_fd), 0);
	buf_init(&detail, 0);

	/* Queued once: the same label again is not queued twice. */
	assert_int_equal(delivery_enqueue(&dl, &f.ac, &action_mail_ops, &f.ev,
			     "page", &detail),
	    ACTION_OK);
	assert_non_null(strstr(detail.data, "queued as "));
	buf_reset(&detail);
	assert_int_equal(delivery_enqueue(&dl, &f.ac, &action_mail_ops, &f.ev,
			     "page", &detail),
	    ACTION_OK);
	assert_non_null(strstr(detail.data, "already queued as "));
	assert_int_equal(dl.n_pending, 1);

	/* Refused twice (backoff 10 ms): dead, and said so. */
	for (int i = 0; i < 1000 && dl.n_pending > 0; i++) {
		delivery_tick(&dl, &cfg, f.spool_fd);
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	}
	assert_int_equal(dl.n_pending, 0);
	assert_int_equal(queue_count(&dl.q, QUEUE_DEAD, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(queue_count(&dl.q, QUEUE_PENDING, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(tally_of("page", ACTION_FAILED), 1);
	assert_int_equal(tally_of("page", ACTION_OK), 0);
	assert_int_equal(
	    read_file_at(f.d->dirfd, "actions", 1 << 20, &record, &len), 0);
	assert_non_null(strstr(record, "page attempt 1 of 2 failed"));
	assert_non_null(strstr(record, "page dead after 2 attempts"));
	free(record);

	delivery_done(&dl, &cfg, f.spool_fd, 1000);
	cfg.actions = NULL;
	cfg.n_actions = 0;
	config_done(&cfg);
	buf_done(&detail);
	close(sock);
	mt_fake_close(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dead_after_attempts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
