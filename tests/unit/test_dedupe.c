/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for daemon/dedupe.c: the dedupe key of a dump and the
 * per-key state files under a temp spool's .state/keys.
 */
#include "testutil.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "dedupe.h"
#include "dump.h"
#include "fsutil.h"
#include "spool.h"

#define FIELD(f) (1u << (f))

struct fixture {
	char *dir;
	int spool_fd;
	int keys_fd;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->dir = tu_mkdtemp();
	f->spool_fd = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(f->spool_fd >= 0);
	f->keys_fd = dedupe_open_keys(f->spool_fd);
	assert_true(f->keys_fd >= 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	safe_close(f->keys_fd);
	safe_close(f->spool_fd);
	tu_rm_rf(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static struct dump
crash(const char *exe, int sig)
{
	return (struct dump){ .name = (char *)"0001-x",
		.executable = (char *)exe,
		.hostname = (char *)"host",
		.container = (char *)"",
		.signature = (char *)"main+0x10",
		.signal = sig,
		.uid = 1000 };
}

/* The key of d for fields; its hash in *ret_hash. Caller frees. */
static char *
key(unsigned fields, const struct dump *d, uint64_t *ret_hash)
{
	struct buf b;
	char *s;

	buf_init(&b, 0);
	assert_int_equal(dedupe_key(fields, d, &b, ret_hash), 0);
	s = strdup(b.data ? b.data : "");
	assert_non_null(s);
	buf_done(&b);
	return s;
}

static void
test_key_text_and_hash(void **state)
{
	struct dump a = crash("/usr/bin/x", 11), b = crash("/usr/bin/x", 6);
	uint64_t ha, ha2, hb, hx;
	char *ka, *ka2, *kb, *kx;

	(void)state;
	ka = key(FIELD(DEDUPE_EXECUTABLE) | FIELD(DEDUPE_SIGNAL), &a, &ha);
	assert_string_equal(ka, "executable=/usr/bin/x signal=11");
	ka2 = key(FIELD(DEDUPE_EXECUTABLE) | FIELD(DEDUPE_SIGNAL), &a, &ha2);
	assert_int_equal(ha, ha2);
	kb = key(FIELD(DEDUPE_EXECUTABLE) | FIELD(DEDUPE_SIGNAL), &b, &hb);
	assert_int_not_equal(ha, hb);
	/* Without the signal in the key, both crashes are the same. */
	free(kb);
	kb = key(FIELD(DEDUPE_EXECUTABLE), &b, &hb);
	kx = key(FIELD(DEDUPE_EXECUTABLE), &a, &hx);
	free(kx);
	assert_int_equal(hb, hx);
	assert_string_equal(kb, "executable=/usr/bin/x");
	free(ka);
	free(ka2);
	free(kb);

	kx = key(FIELD(DEDUPE_UID) | FIELD(DEDUPE_HOSTNAME) |
		FIELD(DEDUPE_SIGNATURE) | FIELD(DEDUPE_CONTAINER),
	    &a, &hx);
	assert_string_equal(
	    kx, "uid=1000 container= hostname=host signature=main+0x10");
	free(kx);
}

/* An executable name cannot forge another field of the key. */
static void
test_key_escapes(void **state)
{
	struct dump a = crash("/tmp/x signal=6\nkey y", 11);
	uint64_t h;
	char *k;

	(void)state;
	k = key(FIELD(DEDUPE_EXECUTABLE) | FIELD(DEDUPE_SIGNAL), &a, &h);
	assert_null(strchr(k, '\n'));
	assert_non_null(strstr(k, "\\n"));
	assert_string_equal(strrchr(k, ' '), " signal=11");
	free(k);
}

static void
test_state_roundtrip(void **state)
{
	struct fixture *f = *state;
	struct keystate ks, back;
	struct stat st;

	assert_int_equal(keystate_load(f->keys_fd, 0x1234, "k=1", &ks), 0);
	assert_int_equal(ks.count, 0);
	assert_string_equal(ks.key, "k=1");
	assert_false(keystate_pending(&ks));
	snprintf(ks.first, sizeof(ks.first), "0001-a");
	snprintf(ks.last, sizeof(ks.last), "0009-a");
	ks.count = 9;
	ks.first_seen = 100;
	ks.last_seen = 900;
	ks.last_notified = 800;
	ks.held_back = 3;
	ks.held_since = 850;
	ks.tat_ms = 123456789012LL;
	ks.digest_id = 7;
	ks.last_digest_id = 6;
	ks.digest_count = 2;
	ks.executable = strdup("/usr/bin/ruby");
	ks.signal = 11;
	assert_int_equal(keystate_save(f->keys_fd, &ks), 0);
	/* Root's alone. */
	assert_int_equal(
	    fstatat(f->keys_fd, "0000000000001234", &st, AT_SYMLINK_NOFOLLOW),
	    0);
	assert_int_equal(st.st_mode & 07777, 0600);

	assert_int_equal(keystate_load(f->keys_fd, 0x1234, "k=1", &back), 1);
	assert_string_equal(back.first, "0001-a");
	assert_string_equal(back.last, "0009-a");
	assert_int_equal(back.count, 9);
	assert_int_equal(back.first_seen, 100);
	assert_int_equal(back.last_seen, 900);
	assert_int_equal(back.last_notified, 800);
	assert_int_equal(back.held_back, 3);
	assert_int_equal(back.held_since, 850);
	assert_int_equal(back.tat_ms, 123456789012LL);
	assert_int_equal(back.digest_id, 7);
	assert_int_equal(back.last_digest_id, 6);
	assert_int_equal(back.digest_count, 2);
	assert_string_equal(back.executable, "/usr/bin/ruby");
	assert_int_equal(back.signal, 11);
	assert_true(keystate_pending(&back));
	keystate_done(&back);

	/* Without a key: whatever key is stored under the hash. */
	assert_int_equal(keystate_load(f->keys_fd, 0x1234, NULL, &back), 1);
	assert_string_equal(back.key, "k=1");
	keystate_done(&back);
	keystate_done(&ks);
	keystate_done(&ks); /* twice is fine */
}

/* Another key under the same hash (a collision) starts afresh. */
static void
test_collision_is_fresh(void **state)
{
	struct fixture *f = *state;
	struct keystate ks;

	assert_int_equal(keystate_load(f->keys_fd, 42, "k=a", &ks), 0);
	ks.count = 5;
	ks.held_back = 2;
	assert_int_equal(keystate_save(f->keys_fd, &ks), 0);
	keystate_done(&ks);

	assert_int_equal(keystate_load(f->keys_fd, 42, "k=b", &ks), 0);
	assert_string_equal(ks.key, "k=b");
	assert_int_equal(ks.hash, 42);
	assert_int_equal(ks.count, 0);
	assert_int_equal(ks.held_back, 0);
	keystate_done(&ks);
}

/* A name too long for the state is dropped, not truncated. */
static void
test_long_name_refused(void **state)
{
	struct fixture *f = *state;
	char data[1024];
	struct keystate ks;

	memset(data, 0, sizeof(data));
	strcpy(data, "key k=1\nfirst ");
	memset(data + strlen(data), 'a', 300);
	strcat(data, "\ncount 4\n");
	assert_int_equal(replace_file_at(f->keys_fd, "0000000000000007", data,
			     strlen(data), 0600, false),
	    0);
	assert_int_equal(keystate_load(f->keys_fd, 7, "k=1", &ks), 1);
	assert_string_equal(ks.first, "");
	assert_int_equal(ks.count, 4);
	keystate_done(&ks);
}

static void
test_keys_dir(void **state)
{
	struct fixture *f = *state;
	struct stat st;
	int fd;

	assert_int_equal(fstatat(f->spool_fd, SPOOL_STATE "/" DEDUPE_KEYS_DIR,
			     &st, AT_SYMLINK_NOFOLLOW),
	    0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0700);
	/* Opening again is fine. */
	fd = dedupe_open_keys(f->spool_fd);
	assert_true(fd >= 0);
	safe_close(fd);
	/* A symlink in its place is refused. */
	assert_int_equal(renameat(f->spool_fd, SPOOL_STATE "/" DEDUPE_KEYS_DIR,
			     f->spool_fd, SPOOL_STATE "/old"),
	    0);
	assert_int_equal(
	    symlinkat("old", f->spool_fd, SPOOL_STATE "/" DEDUPE_KEYS_DIR), 0);
	assert_true(dedupe_open_keys(f->spool_fd) < 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_text_and_hash),
		cmocka_unit_test(test_key_escapes),
		cmocka_unit_test_setup_teardown(
		    test_state_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_collision_is_fresh, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_long_name_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keys_dir, setup, teardown),
	};

	return cmocka_run_group_tests_name("dedupe", tests, NULL, NULL);
}
