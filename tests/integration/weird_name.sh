#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Acceptance 5: an executable whose file name has spaces, a tab, a
# newline and non-ASCII bytes.  The dump's name is sanitized to
# [A-Za-z0-9._-]; executable and cmdline hold the exact bytes; the
# line-oriented items (ptree, open_fds, dso_list, reason) stay one line
# per entry.
source "$(dirname "$0")/lib.sh"

name=$'we ird\tn\nam\xc3\xa9\xff(x)'
write_config
register
copy_victim "$name"
copy_victim victim
exe=$T/$name
crash_and_wait "$exe" open "$exe" -- "$name"

# The kernel's comm: the first 15 bytes of the file name.
comm=${name:0:15}
expect_item comm "$comm"
expect_item executable "$exe"
printf '%s\0' "$exe" open "$exe" -- "$name" >"$T/cmdline.expected"
expect_bytes cmdline "$T/cmdline.expected"
dname=${DUMP##*/}
expect_eq "dump name" "${dname%%-*}-$VICTIM_PID-${comm//[^A-Za-z0-9._-]/_}" "$dname"

expect_eq "reason lines" 1 "$(wc -l <"$DUMP/reason")"
expect_item reason 'we ird\tn\nam\xc3\xa9\xff(x) killed by SIGSEGV'

expect_one_line_per_entry ptree
expect_one_line_per_entry open_fds
IFS=$'\t' read -r p c words <"$DUMP/ptree"
expect_eq "ptree pid" "$VICTIM_PID" "$p"
expect_eq "ptree comm" 'we ird\tn\nam\xc3\xa9\xff(' "$c"
eval "argv=($words)"
expect_eq "ptree argv[0]" "$exe" "${argv[0]}"
expect_eq "ptree argv[4]" "$name" "${argv[4]}"
# One fd is the executable itself, escaped on its one line.
expect_line open_fds '^[0-9]+'$'\t'"${T//./\\.}/we ird\\\\tn\\\\nam\\\\xc3\\\\xa9\\\\xff\\(x\\)\$"
# maps escapes the newline itself (\012); dso_list keeps one path a line.
grep -Ev '^/' "$DUMP/dso_list" && fail "dso_list has a line that is no path"
expect_line dso_list '^'"${T//./\\.}"'/we ird'$'\t''n\\012am'
expect_complete

info "a comm set with prctl: '/', dots, a newline, an escape"
crash_and_wait "$T/victim" comm $'../../x\n\e[1m'
expect_item comm $'../../x\n\e[1m'
dname=${DUMP##*/}
expect_eq "dump name" "${dname%%-*}-$VICTIM_PID-_._.._x___1m" "$dname"
expect_eq "dump dir's parent" "$SPOOL" "$(dirname "$DUMP")"
expect_one_line_per_entry ptree
expect_line ptree "^$VICTIM_PID"$'\t''\.\./\.\./x\\n\\x1b\[1m'$'\t'
expect_complete

info "a comm that imitates /proc/PID/stat: ppid and start time still right"
crash_and_wait "$T/victim" comm 'x) R 1 1 1 (y'
expect_item comm 'x) R 1 1 1 (y'
expect_eq "ptree line 1" "$VICTIM_PID"$'\tx) R 1 1 1 (y' "$(sed -n 1p "$DUMP/ptree" | cut -f1,2)"
expect_eq "ptree line 2 (the parent)" "$$" "$(sed -n 2p "$DUMP/ptree" | cut -f1)"
st=$(item start_time)
((${st%.*} >= VICTIM_START - 2 && ${st%.*} <= $(date +%s) + 1)) ||
	fail "start_time $st is not near the victim's start ($VICTIM_START)"
echo PASS
