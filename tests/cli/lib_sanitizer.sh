# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# lib_sanitizer.sh: sourced by every crashd-cli test, through lib_cli.sh
# or, for those that need neither root nor core_pattern, directly (after
# defining fail).  In the sanitizer build a report of crashd-cli must fail
# the test even where the expected exit status is 1, the sanitizers'
# default: ASan (and its leak checker) exit 86 here, UBSan 87, and
# check_cli_sanitizer finds a report in what crashd-cli wrote.  The hook's
# reports are lib.sh's (register, check_sanitizer).

export ASAN_OPTIONS=exitcode=86:abort_on_error=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=87${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}

# check_cli_sanitizer WHAT [FILE]: a sanitizer report in FILE (default
# $ERR, crashd-cli's stderr) fails the test.
check_cli_sanitizer() {
	local f=${2:-$ERR}
	if grep -Eq 'Sanitizer|runtime error:' "$f"; then
		cat "$f" >&2
		fail "crashd-cli $1: a sanitizer reported an error (above)"
	fi
}
