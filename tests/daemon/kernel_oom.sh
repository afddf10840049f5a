#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A real OOM kill (issue 18): a process in a memory cgroup limited to 32M
# (cgroup v1's memory.limit_in_bytes, or v2's memory.max, whichever this
# machine has) allocates until the kernel's OOM killer kills it.  crashd,
# with its default kernel settings, writes one dump of kind oom naming the
# process, its cgroup and the memory figures the kernel printed; the
# mail to the real SMTP server says "OOM kill on HOST".  An OOM report
# that user space writes into /dev/kmsg is no dump by default.
source "$(dirname "$0")/lib_daemon.sh"
source "$(dirname "$0")/mail_lib.sh"
source "$(dirname "$0")/kernel_lib.sh"

CG_NAME=crashd-oom-$$
if [[ -e /sys/fs/cgroup/memory/memory.limit_in_bytes || -d /sys/fs/cgroup/memory ]] &&
	grep -q ' /sys/fs/cgroup/memory cgroup .*memory' /proc/mounts; then
	CG=/sys/fs/cgroup/memory/$CG_NAME
	LIMIT_FILE=memory.limit_in_bytes
elif [[ -e /sys/fs/cgroup/cgroup.controllers ]] &&
	grep -qw memory /sys/fs/cgroup/cgroup.controllers; then
	CG=/sys/fs/cgroup/$CG_NAME
	LIMIT_FILE=memory.max
else
	skip "no cgroup memory controller mounted (v1 /sys/fs/cgroup/memory or v2)"
fi
[[ -x /usr/bin/python3 ]] || skip "/usr/bin/python3 is needed for the process the OOM killer kills"
cleanup_cg() {
	[[ -d $CG ]] && rmdir "$CG" 2>/dev/null
	return 0
}
eval "oom_prev_exit() $(declare -f daemon_on_exit | tail -n +2)"
trap 'rc=$?; cleanup_cg; (exit $rc); oom_prev_exit' EXIT

start_smtp main
write_daemon_config actions="$(mail_action page "$SMTP_PORT"), $(log_action)"
start_daemon

info "an OOM report written by user space is no dump (facility user)"
kmsg_write "$KFIX/oom_memcg.txt"
nap 3
expect_eq "dumps of the injected report" 0 "$(kernel_dumps | wc -l)"

info "a real OOM kill in $CG"
mkdir "$CG"
echo $((32 << 20)) >"$CG/$LIMIT_FILE"
[[ -e $CG/memory.swappiness ]] && echo 0 >"$CG/memory.swappiness" 2>/dev/null
[[ -e $CG/memory.swap.max ]] && echo 0 >"$CG/memory.swap.max" 2>/dev/null
rc=0
(
	echo "$BASHPID" >"$CG/cgroup.procs"
	exec /usr/bin/python3 -c '
a = []
while True:
    a.append(bytearray(1 << 20))'
) &
victim=$!
wait "$victim" || rc=$?
expect_eq "the victim's exit status (SIGKILL)" 137 "$rc"
wait_kernel_dump 20 pid "^$victim\$"
expect_eq "kind" oom "$(cat "$KDUMP/kind")"
expect_eq "comm" python3 "$(cat "$KDUMP/comm")"
expect_eq "signal" 9 "$(cat "$KDUMP/signal")"
# v1 names the cgroup below the controller's root; v2 below the root.
expect_eq "cgroup" "/$CG_NAME" "$(cat "$KDUMP/cgroup")"
grep -Eq '^total-vm:[0-9]+kB, anon-rss:[0-9]+kB, file-rss:[0-9]+kB' "$KDUMP/oom_memory" ||
	fail "oom_memory: $(cat "$KDUMP/oom_memory")"
grep -q "Killed process $victim (python3)" "$KDUMP/kernel_log" ||
	fail "kernel_log has no kill line: $(tail -3 "$KDUMP/kernel_log")"
grep -q 'invoked oom-killer' "$KDUMP/kernel_log" ||
	fail "kernel_log lacks the OOM report's start: $(head -3 "$KDUMP/kernel_log")"
grep -q "memory: usage" "$KDUMP/kernel_log" || grep -q "memory.max" "$KDUMP/kernel_log" ||
	fail "kernel_log lacks the memory figures"
grep -q "^OOM killer killed python3 (pid $victim) in /$CG_NAME" "$KDUMP/reason" ||
	fail "reason: $(cat "$KDUMP/reason")"
n=${KDUMP##*/}
wait_journal 20 "$KDUMP" '^[0-9T:-]+Z page delivered \(attempt 1\)'
mail=$(grep -l -- "^X-Crashd-Id: $n" "$SMTP_DIR"/*.eml | head -1 || true)
[[ -n $mail ]] || fail "no mail of $n"
MAIL_HOST=$(cat "$KDUMP/hostname") MAIL_CG=/$CG_NAME check_mail "$mail" '
s = str(m["Subject"])
expect(s.startswith("[crashd] OOM kill on %s: OOM killer killed python3" % os.environ["MAIL_HOST"]), "Subject %r" % s)
expect(os.environ["MAIL_CG"] in text, "the body names no cgroup:\n" + text)
expect("total-vm:" in text, "the body has no memory figures:\n" + text)'
stop_daemon
