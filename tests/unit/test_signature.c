/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for the rule that finds the program's own frame
 * (common/frame_skip.c), the where line (common/crash_site.c), SHA-1
 * (common/sha1.c) and what daemon/backtrace_render.c makes of them: the
 * signature and satyr's duphash, against vectors computed elsewhere
 * (FIPS 180-4's examples; Python's hashlib for the duphash text).
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backtrace_render.h"
#include "crash_site.h"
#include "frame_skip.h"
#include "sha1.h"

#define LIBC "/usr/lib/x86_64-linux-gnu/libc.so.6"
#define APP "/usr/bin/app"
#define APP_ID "0123456789abcdef0123456789abcdef01234567"
#define LIBC_ID "b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1"

static enum frame_skip_kind
kind(const struct frame_skip *fs, const char *fn, const char *mod)
{
	return frame_skip_classify(
	    fs, fn, fn ? strlen(fn) : 0, mod, mod ? strlen(mod) : 0, NULL);
}

static void
test_classify(void **state)
{
	static const char *const skip[] = { "my_die_*", "libjunk.so*!*", NULL };
	static const char *const prefix[] = { "my_strlen", NULL };
	const struct frame_skip fs = { skip, prefix, 0 };
	const char *p;

	(void)state;
	/* libc's abort machinery, as Debian 12's libc names it. */
	assert_int_equal(
	    kind(NULL, "__pthread_kill_implementation", LIBC), FRAME_SKIP_SKIP);
	assert_int_equal(
	    kind(NULL, "__pthread_kill_implementation.constprop.0", LIBC),
	    FRAME_SKIP_SKIP);
	assert_int_equal(kind(NULL, "raise", LIBC), FRAME_SKIP_SKIP);
	assert_int_equal(kind(NULL, "abort", LIBC), FRAME_SKIP_SKIP);
	assert_int_equal(
	    kind(NULL, "__assert_fail_base", LIBC), FRAME_SKIP_SKIP);
	assert_int_equal(kind(NULL, "__assert_fail", LIBC), FRAME_SKIP_SKIP);
	assert_int_equal(kind(NULL, "__stack_chk_fail", LIBC), FRAME_SKIP_SKIP);
	assert_int_equal(kind(NULL, "__restore_rt", LIBC), FRAME_SKIP_SKIP);
	/* libcrashd, by module and (linked statically) by name. */
	assert_int_equal(
	    kind(NULL, "anything", "/usr/lib/libcrashd.so.1"), FRAME_SKIP_SKIP);
	assert_int_equal(
	    kind(NULL, "crashd_snapshot_process", APP), FRAME_SKIP_SKIP);
	assert_int_equal(
	    kind(NULL, "crashd_assert_failed", APP), FRAME_SKIP_SKIP);
	/* C++'s terminate, mangled. */
	assert_int_equal(
	    kind(NULL, "_ZSt9terminatev", "libstdc++.so.6"), FRAME_SKIP_SKIP);
	/* String functions are prefix frames, each CPU's variant too. */
	assert_int_equal(frame_skip_classify(
			     NULL, "__strlen_avx2", 13, LIBC, strlen(LIBC), &p),
	    FRAME_SKIP_PREFIX);
	assert_string_equal(p, "__strlen_*");
	assert_int_equal(kind(NULL, "__memcpy_chk", LIBC), FRAME_SKIP_PREFIX);
	assert_int_equal(kind(NULL, "strlen", LIBC), FRAME_SKIP_PREFIX);
	/* The program's own code, and a frame without a symbol. */
	assert_int_equal(kind(NULL, "check_invariant", APP), FRAME_SKIP_KEEP);
	assert_int_equal(kind(NULL, "main", APP), FRAME_SKIP_KEEP);
	assert_int_equal(kind(NULL, "rais", LIBC), FRAME_SKIP_KEEP);
	assert_int_equal(kind(NULL, NULL, LIBC), FRAME_SKIP_KEEP);
	assert_int_equal(kind(NULL, "my_die_now", APP), FRAME_SKIP_KEEP);
	/* crashd.conf adds to the lists. */
	assert_int_equal(kind(&fs, "my_die_now", APP), FRAME_SKIP_SKIP);
	assert_int_equal(
	    kind(&fs, "f", "/opt/lib/libjunk.so.2"), FRAME_SKIP_SKIP);
	assert_int_equal(
	    kind(&fs, "f", "/opt/lib/libgood.so"), FRAME_SKIP_KEEP);
	assert_int_equal(kind(&fs, "my_strlen", APP), FRAME_SKIP_PREFIX);
	assert_int_equal(kind(&fs, "raise", LIBC), FRAME_SKIP_SKIP);
	assert_string_equal(
	    frame_skip_kind_to_string(FRAME_SKIP_PREFIX), "prefix");
	assert_null(frame_skip_kind_to_string(_FRAME_SKIP_MAX));
}

static void
sha1_of(const char *s, size_t n, char out[SHA1_HEX_LEN + 1])
{
	struct sha1 h;

	sha1_init(&h);
	sha1_update(&h, s, n);
	sha1_final_hex(&h, out);
}

static void
test_sha1(void **state)
{
	static const char two_blocks[] =
	    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	char out[SHA1_HEX_LEN + 1], a[1000];
	struct sha1 h;

	(void)state;
	sha1_of("", 0, out);
	assert_string_equal(out, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	sha1_of("abc", 3, out);
	assert_string_equal(out, "a9993e364706816aba3e25717850c26c9cd0d89d");
	sha1_of(two_blocks, strlen(two_blocks), out);
	assert_string_equal(out, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
	/* A million 'a's, in pieces that straddle the blocks. */
	memset(a, 'a', sizeof(a));
	sha1_init(&h);
	for (int i = 0; i < 1000; i++)
		sha1_update(&h, a, sizeof(a));
	sha1_final_hex(&h, out);
	assert_string_equal(out, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

/* A frame; strings are copied (backtrace_thread_done() frees them). */
static struct frame
fr(const char *fn, uint64_t off, const char *mod, const char *id,
    uint64_t mod_off)
{
	struct frame f = { 0 };

	f.pc = 0x400000 + mod_off;
	f.function = fn ? strdup(fn) : NULL;
	f.offset = fn ? off : mod_off;
	f.module_offset = mod_off;
	f.module = mod ? strdup(mod) : NULL;
	if (id)
		snprintf(f.build_id, sizeof(f.build_id), "%s", id);
	return f;
}

/* Renders one crashed thread of the n frames in v (taken). */
static void
render(struct frame *v, unsigned n, const struct frame_skip *fs,
    struct backtrace_result *res)
{
	struct thread t = { .tid = 42, .n = n };
	struct buf text, frames;

	t.frames = calloc(n, sizeof(*v));
	assert_non_null(t.frames);
	memcpy(t.frames, v, n * sizeof(*v));
	memset(res, 0, sizeof(*res));
	buf_init(&text, 0);
	buf_init(&frames, 0);
	backtrace_render(&t, 1, 42, fs, &text, &frames, res);
	buf_done(&text);
	buf_done(&frames);
	backtrace_thread_done(&t);
}

/* render() of a copy of v: v stays the caller's. */
static void
render_copy(const struct frame *v, unsigned n, const struct frame_skip *fs,
    struct backtrace_result *res)
{
	struct frame c[8];

	assert_true(n <= 8);
	for (unsigned i = 0; i < n; i++)
		c[i] = fr(v[i].function, v[i].offset, v[i].module,
		    v[i].build_id[0] ? v[i].build_id : NULL,
		    v[i].module_offset);
	render(c, n, fs, res);
}

/* Frees the strings of n frames. */
static void
frames_free(struct frame *v, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		free(v[i].function);
		free(v[i].module);
		free(v[i].file);
	}
}

/* assert() in check_invariant(), as Debian 12's libc unwinds it. */
static void
assert_thread(struct backtrace_result *res, const char *fn)
{
	struct frame v[] = {
		fr("__pthread_kill_implementation", 0x10c, LIBC, LIBC_ID,
		    0x8aeec),
		fr("raise", 0x12, LIBC, LIBC_ID, 0x3bfb2),
		fr("abort", 0xd3, LIBC, LIBC_ID, 0x26472),
		fr("__assert_fail_base", 0x10e, LIBC, LIBC_ID, 0x26395),
		fr("__assert_fail", 0x32, LIBC, LIBC_ID, 0x34e32),
		fr(fn, 0x39, APP, APP_ID, 0x1159),
		fr("main", 0x60, APP, APP_ID, 0x11a0),
		fr("__libc_start_call_main", 0x7a, LIBC, LIBC_ID, 0x271ca),
	};

	render(v, sizeof(v) / sizeof(v[0]), NULL, res);
}

/* SIGSEGV in a strlen variant called by fn. */
static void
strlen_thread(struct backtrace_result *res, const char *variant, const char *fn,
    uint64_t at)
{
	struct frame v[] = {
		fr(variant, 0x19, LIBC, LIBC_ID, 0x15ba79),
		fr(fn, 0x13, APP, APP_ID, at),
		fr("main", 0x60, APP, APP_ID, 0x11a0),
		fr("__libc_start_call_main", 0x7a, LIBC, LIBC_ID, 0x271ca),
	};

	render(v, sizeof(v) / sizeof(v[0]), NULL, res);
}

static void
test_signature(void **state)
{
	struct backtrace_result a, b, c;

	(void)state;
	assert_thread(&a, "check_invariant");
	assert_thread(&b, "check_invariant");
	assert_string_equal(a.signature, b.signature);
	assert_int_equal(strlen(a.signature), 16);
	assert_string_equal(a.where, "check_invariant+0x39 (" APP ")");
	/* Another function behind the same libc frames: another one. */
	assert_thread(&c, "check_other");
	assert_string_not_equal(a.signature, c.signature);
	assert_string_equal(c.where, "check_other+0x39 (" APP ")");

	/* strlen() from two callers: two; two CPUs' strlen: one. */
	strlen_thread(&a, "__strlen_avx2", "length_in_a", 0x1170);
	strlen_thread(&b, "__strlen_avx2", "length_in_b", 0x1190);
	strlen_thread(&c, "__strlen_evex", "length_in_a", 0x1170);
	assert_string_not_equal(a.signature, b.signature);
	assert_string_equal(a.signature, c.signature);
	assert_string_equal(a.where, "length_in_a+0x13 (" APP ")");
	assert_string_equal(b.where, "length_in_b+0x13 (" APP ")");
}

static void
test_signature_config(void **state)
{
	static const char *const skip[] = { "wrapper", NULL };
	const struct frame_skip fs = { skip, NULL, 1 };
	struct frame v1[] = {
		fr("abort", 0xd3, LIBC, LIBC_ID, 0x26472),
		fr("wrapper", 0x10, APP, APP_ID, 0x1100),
		fr("site", 0x10, APP, APP_ID, 0x1200),
		fr("caller_a", 0x10, APP, APP_ID, 0x1300),
	};
	struct frame v2[] = {
		fr("abort", 0xd3, LIBC, LIBC_ID, 0x26472),
		fr("wrapper", 0x10, APP, APP_ID, 0x1100),
		fr("site", 0x10, APP, APP_ID, 0x1200),
		fr("caller_b", 0x10, APP, APP_ID, 0x1400),
	};
	struct frame only[] = {
		fr("raise", 0x12, LIBC, LIBC_ID, 0x3bfb2),
		fr("abort", 0xd3, LIBC, LIBC_ID, 0x26472),
	};
	struct backtrace_result a, b;

	(void)state;
	/* One frame of the site, wrapper skipped: the callers do not count. */
	render_copy(v1, 4, &fs, &a);
	render_copy(v2, 4, &fs, &b);
	assert_string_equal(a.signature, b.signature);
	assert_string_equal(a.where, "site+0x10 (" APP ")");
	/* By the built-in rule, wrapper is the site. */
	render_copy(v1, 4, NULL, &a);
	assert_string_equal(a.where, "wrapper+0x10 (" APP ")");
	frames_free(v1, 4);
	frames_free(v2, 4);
	/* Nothing but machinery: signed and placed by its top frames. */
	render(only, 2, NULL, &a);
	assert_int_equal(strlen(a.signature), 16);
	assert_string_equal(a.where, "raise+0x12 (" LIBC ")");
}

static void
test_duphash(void **state)
{
	struct frame v[] = {
		fr("helper", 0x10, NULL, NULL, 0x1000),
		fr(NULL, 0, NULL, NULL, 0x1000),
	};
	struct backtrace_result res;

	(void)state;
	/*
	 * "Thread\n" APP_ID "+0x1159\n" APP_ID "+0x11a0\n" LIBC_ID
	 * "+0x271ca\n": the libc frames above the assert skipped.
	 */
	assert_thread(&res, "check_invariant");
	assert_string_equal(
	    res.duphash, "915b7ef7744a7c4af7373df15117e38ccea42362");
	/* Without build ids: "  helper\n", then the address "0x401000\n". */
	render(v, 2, NULL, &res);
	assert_string_equal(
	    res.duphash, "f1489fb71ec70c25c89dbd617969c9fde272a559");
}

static void
test_crash_site_frames(void **state)
{
	/* backtrace_frames: tid, n, pc, function, offset, module, id... */
	static const char tsv[] =
	    "7\t0\t0x10\traise\t0x12\t" LIBC "\t\t\t0\n"
	    "7\t1\t0x20\t\t0x1234\t" APP "\t" APP_ID "\t\t0\n"
	    "7\t2\t0x30\tmain\t0x40\t" APP "\t\tapp.c\t12\n"
	    "8\t0\t0x40\tpoll\t0x7a\t" LIBC "\t\t\t0\n";
	static const char prefix_only[] =
	    "9\t0\t0x10\tabort\t0x12\t" LIBC "\t\t\t0\n"
	    "9\t1\t0x20\t__strlen_avx2\t0x19\t" LIBC "\t\t\t0\n";
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	/* A frame without a symbol is the program's: module + offset. */
	assert_int_equal(crash_site_from_frames(tsv, 7, NULL, &b), 1);
	assert_string_equal(b.data, APP "+0x1234");
	buf_reset(&b);
	assert_int_equal(crash_site_from_frames(tsv, 8, NULL, &b), 1);
	assert_string_equal(b.data, "poll+0x7a (" LIBC ")");
	buf_reset(&b);
	assert_int_equal(crash_site_from_frames(prefix_only, 9, NULL, &b), 1);
	assert_string_equal(b.data, "__strlen_avx2+0x19 (" LIBC ")");
	buf_reset(&b);
	assert_int_equal(crash_site_from_frames(tsv, 99, NULL, &b), 0);
	assert_int_equal(crash_site_from_frames("", 7, NULL, &b), 0);
	assert_int_equal(crash_site_from_frames("\n\n\t", 7, NULL, &b), 0);
	assert_int_equal(b.len, 0);
	/* A source line, when the unwinder has one. */
	{
		static const char line[] =
		    "5\t0\t0x30\tmain\t0x40\t" APP "\t\tapp.c\t12\n";

		assert_int_equal(crash_site_from_frames(line, 5, NULL, &b), 1);
		assert_string_equal(b.data, "main+0x40 (" APP ") at app.c:12");
	}
	buf_done(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_sha1),
		cmocka_unit_test(test_signature),
		cmocka_unit_test(test_signature_config),
		cmocka_unit_test(test_duphash),
		cmocka_unit_test(test_crash_site_frames),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
