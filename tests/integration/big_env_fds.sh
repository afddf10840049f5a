#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Acceptance 9: a process with a 1 MiB environment (ten variables of
# ~110 KB: the kernel caps one string at 128 KiB) and 5,000 open fds.
# environ is byte-identical to what was passed; open_fds lists them all.
source "$(dirname "$0")/lib.sh"

nfds=5000
ulimit -n $((nfds + 100)) || skip "cannot raise the open file limit to $((nfds + 100))"
write_config
register
copy_victim victim
envs=()
for i in $(seq 0 9); do
	envs+=("CRASHD_BIG_$i=$(head -c 82500 /dev/urandom | base64 -w0)")
done
printf '%s\0' "${envs[@]}" >"$T/environ.expected"
(($(stat -c %s "$T/environ.expected") >= 1048576)) || fail "test bug: the environment is under 1 MiB"

crash_and_wait env -i "${envs[@]}" "$T/victim" fds $nfds

expect_bytes environ "$T/environ.expected"
expect_one_line_per_entry open_fds
n=$(wc -l <"$DUMP/open_fds")
((n >= nfds + 3)) || fail "open_fds has $n lines, expected at least $((nfds + 3))"
expect_line open_fds "^$((nfds + 2))"$'\t/dev/null$'
expect_line limits "^Max open files +$((nfds + 100)) "
printf '%s\0' "$T/victim" fds $nfds >"$T/cmdline.expected"
expect_bytes cmdline "$T/cmdline.expected"
expect_line status $'^FDSize:\t'
expect_complete
echo PASS
