#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The journal action of a kernel report (issue 18), against the test's own
# systemd-journald (journal_lib.sh): a real hung-task report written into
# /dev/kmsg is one entry with crashd's kernel-report MESSAGE_ID, its
# reason and text, CRASHD_KIND=kernel and its signature; no COREDUMP_
# field, so coredumpctl lists no core dump of it.
source "$(dirname "$0")/lib_daemon.sh"
source "$(dirname "$0")/journal_lib.sh"
source "$(dirname "$0")/kernel_lib.sh"

unpack_coredumpctl
start_journald
# journald's namespace has /dev/null for /dev/kmsg (journal_lib.sh): the
# daemon gets the real one back in a namespace of its own.
mknod "$T/kmsg" c 1 11 || skip "cannot make a device node in $T"
DAEMON_WRAP+=(unshare -m --propagation private sh -c 'mount --bind "$0" /dev/kmsg && exec "$@"' "$T/kmsg")
write_daemon_config kernel='accept_user_records = true;' \
	actions="$(journal_action), $(log_action)"
start_daemon

kmsg_write "$KFIX/hung_task_jbd2.txt"
wait_kernel_dump 15 comm '^logrotate$'
name=${KDUMP##*/}
journal_has "$KDUMP" ' journal done ok: journalled' ||
	fail "the journal action did not journal: $(cat "$KDUMP/actions")"
has_entry() { [[ $(journal_entries "$@") -ge 1 ]]; }
wait_until 5 "the entry in the journal" has_entry CRASHD_ID="$name"
jctl -o export CRASHD_ID="$name" >"$T/entry" 2>&1 || fail "journalctl: $(cat "$T/entry")"
grep -qx 'MESSAGE_ID=b62a3dfc3b264561a330e0ee57318bd5' "$T/entry" || fail "MESSAGE_ID: $(grep MESSAGE_ID "$T/entry")"
grep -qx 'CRASHD_KIND=kernel' "$T/entry" || fail "CRASHD_KIND: $(grep CRASHD_KIND "$T/entry")"
grep -qx "CRASHD_SIGNATURE=$(cat "$KDUMP/signature")" "$T/entry" || fail "CRASHD_SIGNATURE: $(grep SIGNATURE "$T/entry")"
grep -qx 'CRASHD_KERNEL_COMM=logrotate' "$T/entry" || fail "CRASHD_KERNEL_COMM"
grep -qx 'CRASHD_KERNEL_PID=17344' "$T/entry" || fail "CRASHD_KERNEL_PID"
grep -q '^COREDUMP_' "$T/entry" && fail "a COREDUMP_ field in a kernel report's entry: $(grep '^COREDUMP_' "$T/entry")"
jctl -o cat CRASHD_ID="$name" >"$T/message" 2>&1
grep -q '^hung task in jbd2_log_wait_commit (logrotate, pid 17344): INFO: task logrotate:17344 blocked for more than 120 seconds\.$' "$T/message" ||
	fail "MESSAGE: $(head -3 "$T/message")"
grep -q 'jbd2_complete_transaction+0x57/0x90 \[jbd2\]' "$T/message" || fail "MESSAGE lacks the report's text"
coredumpctl list >"$T/list.out" 2>&1 || true
grep -q 17344 "$T/list.out" && fail "coredumpctl lists the kernel report: $(cat "$T/list.out")"
stop_daemon
