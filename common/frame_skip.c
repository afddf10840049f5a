/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * frame_skip.c owns the lists of frames that are not the program's own
 * code (frame_skip.h) and the one test of a frame against them.  The
 * lists are crashd's; their idea is Mozilla Socorro's siggen: frames of
 * the abort machinery say nothing of the bug, and a crash in strlen()
 * is its caller's.  Names are matched as the unwinder gives them:
 * symbols as the ELF files have them (C++ and Rust ones mangled, so both
 * spellings are listed), GCC's clones with a suffix (".constprop.0",
 * ".isra.0": globs end in '*' where that happens).
 */
#include "frame_skip.h"

#include <fnmatch.h>
#include <stdbool.h>
#include <string.h>

/* Names longer than this are matched by their first bytes only. */
#define NAME_MAX_MATCHED 511

const char *const frame_skip_builtin_skip[] = {
	/* glibc: abort(), raise(), pthread_kill(), the assert()s. */
	"__pthread_kill_implementation*",
	"__pthread_kill_internal*",
	"__pthread_kill",
	"__GI___pthread_kill",
	"pthread_kill",
	"pthread_kill@*",
	"raise",
	"__GI_raise",
	"gsignal",
	"abort",
	"__GI_abort",
	"__assert_fail",
	"__assert_fail_base*",
	"__GI___assert_fail",
	"__assert_perror_fail",
	"__assert",
	/* glibc's fatal errors: fortify, stack protector, malloc checks. */
	"__libc_message*",
	"__libc_fatal",
	"__GI___libc_fatal",
	"__fortify_fail*",
	"__chk_fail",
	"__stack_chk_fail",
	"__stack_chk_fail_local",
	"malloc_printerr",
	"__malloc_assert",
	"__libc_signal_restore_set",
	/* Signal trampolines: the frame between a handler and the site. */
	"__restore_rt",
	"__kernel_rt_sigreturn",
	"__kernel_sigreturn",
	"__sigreturn",
	"<signal handler called>",
	/* libcrashd: crashd_snapshot() and CRASHD_ASSERT()'s path. */
	"libcrashd.so*!*",
	"crashd_snapshot*",
	"crashd_vclone_snapshot",
	"crashd_assert_failed",
	"crashd_check_failed",
	/* Crash-reporting handlers that abort or re-raise. */
	"libSegFault.so!*",
	"catch_segfault",
	"faulthandler_fatal_error",
	"faulthandler_*_handler",
	"google_breakpad::ExceptionHandler::*",
	"_ZN15google_breakpad16ExceptionHandler*",
	"crashpad::*",
	"_ZN8crashpad*",
	"sentry__*",
	"backward::SignalHandling::*",
	"_ZN8backward14SignalHandling*",
	/* Interpreters' fatal errors: the caller says what was wrong. */
	"Py_FatalError",
	"_Py_FatalError*",
	"fatal_error",
	"fatal_error_exit",
	"g_assertion_message*",
	"g_assert_warning",
	"_g_log_abort",
	"g_log_default_handler",
	"g_log_writer_default",
	"g_log_structured_array",
	"g_logv",
	"g_log",
	/* C++: terminate, an exception nobody caught, pure virtuals. */
	"std::terminate()",
	"_ZSt9terminatev",
	"__cxxabiv1::__terminate*",
	"_ZN10__cxxabiv111__terminate*",
	"__gnu_cxx::__verbose_terminate_handler()",
	"_ZN9__gnu_cxx27__verbose_terminate_handlerEv",
	"__cxa_throw",
	"__cxa_rethrow",
	"__cxa_pure_virtual",
	"__cxa_deleted_virtual",
	"__cxa_call_terminate*",
	"__cxa_call_unexpected*",
	"std::__throw_*",
	"_ZSt[0-9]*__throw_*",
	/* Rust: panics and std::process::abort(). */
	"core::panicking::*",
	"_ZN4core9panicking*",
	"std::panicking::*",
	"_ZN3std9panicking*",
	"std::process::abort",
	"_ZN3std7process5abort*",
	"std::sys::*abort_internal*",
	"_ZN3std3sys*abort_internal*",
	"panic_abort::*",
	"_ZN11panic_abort*",
	"rust_panic",
	"__rust_start_panic",
	"__rust_abort",
	NULL,
};

const char *const frame_skip_builtin_prefix[] = {
	/* String and memory functions, and their CPU-specific variants. */
	"strlen",
	"__strlen_*",
	"strnlen",
	"__strnlen_*",
	"strcmp",
	"__strcmp_*",
	"strncmp",
	"__strncmp_*",
	"strcasecmp*",
	"__strcasecmp*",
	"strncasecmp*",
	"__strncasecmp*",
	"strcpy",
	"__strcpy_*",
	"strncpy",
	"__strncpy_*",
	"stpcpy",
	"__stpcpy_*",
	"stpncpy",
	"__stpncpy_*",
	"strcat",
	"__strcat_*",
	"strncat",
	"__strncat_*",
	"strchr",
	"__strchr_*",
	"strchrnul",
	"__strchrnul_*",
	"strrchr",
	"__strrchr_*",
	"strstr",
	"__strstr_*",
	"strspn",
	"__strspn_*",
	"strcspn",
	"__strcspn_*",
	"strdup",
	"__strdup",
	"strndup",
	"__strndup",
	"memcpy",
	"__memcpy_*",
	"memmove",
	"__memmove_*",
	"mempcpy",
	"__mempcpy_*",
	"memset",
	"__memset_*",
	"memcmp",
	"__memcmp_*",
	"__memcmpeq*",
	"bcmp",
	"memchr",
	"__memchr_*",
	"memrchr",
	"__memrchr_*",
	"rawmemchr",
	"__rawmemchr_*",
	"wcslen",
	"__wcslen_*",
	"wcsnlen",
	"__wcsnlen_*",
	"wmemset",
	"__wmemset_*",
	/* Fortified wrappers (__memcpy_chk, __strcpy_chk, ...). */
	"__*_chk",
	/* The allocator: a crash in free() is its caller's. */
	"malloc",
	"__libc_malloc",
	"_int_malloc",
	"calloc",
	"__libc_calloc",
	"realloc",
	"__libc_realloc",
	"_int_realloc",
	"free",
	"cfree",
	"__libc_free",
	"__GI___libc_free",
	"_int_free*",
	"malloc_consolidate",
	"unlink_chunk*",
	"operator delete(void*)",
	"_ZdlPv",
	"_ZdlPvm",
	"_ZdaPv",
	/* printf and its internals: "%s" of a bad pointer. */
	"printf",
	"_IO_printf",
	"fprintf",
	"sprintf",
	"snprintf",
	"vprintf",
	"vfprintf",
	"vsprintf",
	"vsnprintf",
	"dprintf",
	"asprintf",
	"vasprintf",
	"__vfprintf_internal",
	"__vsnprintf_internal",
	"__vsprintf_internal",
	"__vasprintf_internal",
	"__vstrfromd_internal",
	"__printf_buffer*",
	"__printf_fp*",
	"outstring_func*",
	"buffered_vfprintf",
	/* A system call wrapper: its caller asked for it. */
	"syscall",
	NULL,
};

const char *
frame_skip_kind_to_string(enum frame_skip_kind k)
{
	static const char *const names[_FRAME_SKIP_MAX] = {
		[FRAME_SKIP_KEEP] = "keep",
		[FRAME_SKIP_SKIP] = "skip",
		[FRAME_SKIP_PREFIX] = "prefix",
	};

	return k >= 0 && k < _FRAME_SKIP_MAX ? names[k] : NULL;
}

/*
 * Whether pattern matches: "FUNC" on the function, "MOD!FUNC" on the
 * module's base name too.  function and base are NUL-terminated.
 */
static bool
matches(const char *pattern, const char *function, const char *base)
{
	const char *bang = strchr(pattern, '!');
	char mod[NAME_MAX_MATCHED + 1];
	size_t n;

	if (bang == NULL)
		return fnmatch(pattern, function, 0) == 0;
	n = (size_t)(bang - pattern);
	if (n > NAME_MAX_MATCHED)
		return false;
	memcpy(mod, pattern, n);
	mod[n] = '\0';
	return fnmatch(mod, base, 0) == 0 &&
	    fnmatch(bang + 1, function, 0) == 0;
}

/* The first pattern of list (NULL-terminated; NULL: none) that matches. */
static const char *
first_match(const char *const *list, const char *function, const char *base)
{
	for (size_t i = 0; list && list[i]; i++)
		if (matches(list[i], function, base))
			return list[i];
	return NULL;
}

/* Copies n bytes of s as a NUL-terminated name, cut at the cap. */
static void
name_copy(char *out, const char *s, size_t n)
{
	if (n > NAME_MAX_MATCHED)
		n = NAME_MAX_MATCHED;
	if (n)
		memcpy(out, s, n);
	out[n] = '\0';
}

enum frame_skip_kind
frame_skip_classify(const struct frame_skip *fs, const char *function,
    size_t flen, const char *module, size_t mlen, const char **ret_pattern)
{
	char fn[NAME_MAX_MATCHED + 1], base[NAME_MAX_MATCHED + 1];
	const char *slash, *p;

	if (ret_pattern)
		*ret_pattern = NULL;
	if (function == NULL || flen == 0)
		return FRAME_SKIP_KEEP;
	name_copy(fn, function, flen);
	slash = module && mlen ? memrchr(module, '/', mlen) : NULL;
	if (slash)
		name_copy(base, slash + 1, mlen - (size_t)(slash + 1 - module));
	else
		name_copy(base, module ? module : "", module ? mlen : 0);
	if ((p = first_match(frame_skip_builtin_skip, fn, base)) ||
	    (fs && (p = first_match(fs->skip, fn, base)))) {
		if (ret_pattern)
			*ret_pattern = p;
		return FRAME_SKIP_SKIP;
	}
	if ((p = first_match(frame_skip_builtin_prefix, fn, base)) ||
	    (fs && (p = first_match(fs->prefix, fn, base)))) {
		if (ret_pattern)
			*ret_pattern = p;
		return FRAME_SKIP_PREFIX;
	}
	return FRAME_SKIP_KEEP;
}
