#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Acceptance 8: a process in fresh pid, mount and uts namespaces with its
# own hostname.  (Not "exec" the victim: unshare --fork re-raises a fatal
# signal of its child on itself, which would be a second crash.)
source "$(dirname "$0")/lib.sh"

unshare --fork --pid --mount --uts true 2>/dev/null || skip "unshare --pid --mount --uts is not permitted here"
write_config
register
copy_victim victim
crash_and_wait unshare --fork --pid --mount --uts \
	sh -c 'hostname crashbox && "$0" segv' "$T/victim"

expect_item hostname crashbox
expect_item ns_pid "$VICTIM_PID"
((VICTIM_PID <= 3)) || fail "the victim's pid in its namespace is $VICTIM_PID, expected a small one"
pid=$(item pid)
[[ $pid != "$VICTIM_PID" ]] || fail "pid ($pid) equals ns_pid: the dump has no host pid"
[[ -d /proc/$pid ]] && fail "host pid $pid still exists: is it really the victim's?"
expect_item tid "$pid"
expect_item executable "$T/victim"
expect_item reason "victim killed by SIGSEGV"
for ns in pid pid_for_children mnt uts; do
	expect_line namespaces "^$ns"$'\t'"[a-z_]+:\\[[0-9]+\\]"$'\town$'
done
for ns in net ipc user cgroup time; do
	expect_line namespaces "^$ns"$'\t'"[a-z_]+:\\[[0-9]+\\]"$'\thost$'
done
# Host pids in ptree: victim, then sh (pid 1 inside), then unshare.
expect_eq "ptree line 1" "$pid"$'\tvictim' "$(sed -n 1p "$DUMP/ptree" | cut -f1,2)"
expect_eq "ptree line 2 comm" sh "$(sed -n 2p "$DUMP/ptree" | cut -f2)"
expect_eq "ptree line 3 comm" unshare "$(sed -n 3p "$DUMP/ptree" | cut -f2)"
expect_line status $'^NSpid:\t'"$pid"$'\t'"$VICTIM_PID"'$'
expect_present core.gz
expect_complete

info "a hostname with a space and a tab is one argument, kept as it is"
crash_and_wait unshare --uts \
	sh -c 'printf "crash box\tx" >/proc/sys/kernel/hostname && "$0" segv' "$T/victim"
expect_item hostname $'crash box\tx'
expect_line namespaces $'^uts\tuts:\\[[0-9]+\\]\town$'
expect_line namespaces $'^pid\tpid:\\[[0-9]+\\]\thost$'
expect_complete
echo PASS
