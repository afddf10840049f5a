#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Acceptance 1: a C program dies of SIGSEGV.  Every item of the dump is
# checked against what the test knows about the process; hostile argv
# (newline, quotes, $(...)) must survive byte for byte in cmdline and stay
# one shell-quoted line in ptree.
source "$(dirname "$0")/lib.sh"

write_config mode=truncate max_size=1M
register
copy_victim victim
mkdir "$T/cwd"
touch "$T/cwd/marker file"
hostile=($'two\nlines' "it's \"quoted\"" "\$(touch $T/pwned)" '`touch '"$T"'/pwned2`' '' $'\xff\xfe' 'a b')

cd "$T/cwd"
CRASHD_IT_MARKER=env-marker-42 crash_and_wait "$T/victim" open "$T/cwd/marker file" -- "${hostile[@]}"
cd /
pid=$VICTIM_PID

info "identity"
expect_item version 1
expect_item pid "$pid"
expect_item ns_pid "$pid"
expect_item tid "$pid"
expect_item signal 11
expect_item signal_name SIGSEGV
expect_item reason "victim killed by SIGSEGV"
expect_item uid 0
expect_item gid 0
expect_item username root
expect_item dumpable 1
expect_item hostname "$(hostname)"
expect_item kernel "$(uname -r)"
expect_item executable "$T/victim"
expect_absent executable_deleted
expect_item comm victim
expect_item thread_comm victim
expect_item cwd "$T/cwd"
expect_item root /
[[ ${DUMP##*/} == *-$pid-victim ]] || fail "dump name ${DUMP##*/} does not end in -$pid-victim"

info "time and start_time"
now=$(date +%s)
t=$(item time)
((t >= VICTIM_START && t <= now)) || fail "time $t is not within [$VICTIM_START, $now]"
st=$(item start_time)
[[ $st =~ ^[0-9]+\.[0-9]{3}$ ]] || fail "start_time '$st' is not epoch.millis"
# btime has a one-second resolution; allow that much either side.
((${st%.*} >= VICTIM_START - 2 && ${st%.*} <= now + 1)) ||
	fail "start_time $st is not near the victim's start ($VICTIM_START..$now)"

info "cmdline is lossless"
printf '%s\0' "$T/victim" open "$T/cwd/marker file" -- "${hostile[@]}" >"$T/cmdline.expected"
expect_bytes cmdline "$T/cmdline.expected"

info "ptree: one line per process, argv as shell words"
expect_one_line_per_entry ptree
first=$(head -n1 "$DUMP/ptree")
IFS=$'\t' read -r p c words <<<"$first"
expect_eq "ptree first pid" "$pid" "$p"
expect_eq "ptree first comm" victim "$c"
# The shell words must give back the exact argv, and run nothing.
eval "argv=($words)"
expect_eq "argv count from ptree" 11 "${#argv[@]}"
for i in "${!hostile[@]}"; do
	expect_eq "ptree argv[$((i + 4))]" "${hostile[i]}" "${argv[i + 4]}"
done
[[ ! -e $T/pwned && ! -e $T/pwned2 ]] || fail "ptree's argv ran a command substitution"
expect_line ptree "^$$"$'\t'"bash"$'\t'
[[ $(tail -n1 "$DUMP/ptree") == 1$'\t'* ]] || fail "ptree does not end at pid 1: $(tail -n1 "$DUMP/ptree")"
expect_eq "ptree's second line (the victim's parent)" "$$" "$(sed -n 2p "$DUMP/ptree" | cut -f1)"

info "open fds, maps, dso_list, environ, status, limits, cgroup, namespaces"
expect_one_line_per_entry open_fds
expect_line open_fds "^[0-9]+"$'\t'"$T/cwd/marker file\$"
expect_line open_fds $'^0\t/dev/null$'
expect_line maps " $T/victim\$"
expect_line dso_list "^$T/victim\$"
expect_line dso_list '/libc\.so\.6$'
[[ $(sort "$DUMP/dso_list" | uniq -d) == "" ]] || fail "dso_list has duplicates"
tr '\0' '\n' <"$DUMP/environ" >"$T/environ.lines"
grep -qx CRASHD_IT_MARKER=env-marker-42 "$T/environ.lines" ||
	fail "environ lacks CRASHD_IT_MARKER=env-marker-42"
[[ -s $DUMP/environ ]] || fail "environ is empty"
expect_line status $'^Name:\tvictim$'
expect_line status $'^Pid:\t'"$pid"'$'
expect_line status $'^PPid:\t'"$$"'$'
expect_line limits '^Max open files'
expect_eq cgroup "$(cat /proc/self/cgroup)" "$(item cgroup)"
for ns in cgroup ipc mnt net pid time user uts; do
	expect_line namespaces "^$ns"$'\t'"$ns:\\[[0-9]+\\]"$'\t'"host\$"
done
expect_no_line namespaces $'\town$'

info "core"
expect_present core.gz
expect_line core_info '^mode: truncate$'
expect_line core_info '^limit: 1048576$'
read_b=$(awk '/^bytes_read:/ { print $2 }' "$DUMP/core_info")
kept=$(awk '/^bytes_kept:/ { print $2 }' "$DUMP/core_info")
unpack_core "$T/core"
size=$(stat -c %s "$T/core")
expect_eq "core.gz decompressed size vs bytes_kept" "$kept" "$size"
expect_eq "bytes_read vs bytes_kept" "$read_b" "$kept"
expect_elf "$T/core"
expect_eq "core.gz compressed size in core_info" "$(stat -c %s "$DUMP/core.gz")" \
	"$(awk '/^compressed:/ { print $2 }' "$DUMP/core_info")"
expect_complete
# uid 0: root's alone, no ACL ("+" after the mode in ls -l).
[[ $(ls -ld "$DUMP" | cut -c11) != + ]] || fail "a root crash's dump has an ACL"
echo "PASS"
