#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Kernel reports through the real kernel log (issue 18): real kernels'
# reports (tests/fixtures/kernel) written into /dev/kmsg record by record
# - each become one dump, of the right kind, with the process, the
#   function and the call trace it names, its signature, and one mail to
#   the real SMTP server saying "kernel oops on HOST: ...";
# - crashd killed with SIGKILL in the middle of a report, and a report
#   logged while it is down: after the restart each is one dump, and no
#   report is written twice;
# - the same report again merges into its dump (count 2), mails nothing
#   new (notify.every);
# - the kernel log of before the first start on a spool is not crashd's.
source "$(dirname "$0")/lib_daemon.sh"
source "$(dirname "$0")/mail_lib.sh"
source "$(dirname "$0")/kernel_lib.sh"

start_smtp main
write_daemon_config kernel='accept_user_records = true;' \
	actions="$(mail_action page "$SMTP_PORT"), $(rec_action), $(log_action)"
host=$(hostname)

info "what the kernel logged before the first start is not crashd's"
kmsg_write "$KFIX/lockup_nouveau.txt"
start_daemon
[[ -s $SPOOL/.state/kmsg.cursor ]] || fail "no kernel log cursor in $SPOOL/.state"
nap 3
expect_eq "dumps of the report logged before the first start" 0 \
	"$(dumps_matching comm '^X$' | wc -l)"

info "each report: one dump of its kind, one mail"
# fixture kind comm pid function
cases=(
	"warning_radeon.txt kernel kworker/0:1 37 radeon_gart_unbind"
	"oops_radeon_null.txt kernel Xorg 8003 radeon_cp_init_ring_buffer"
	"hung_task_jbd2.txt kernel logrotate 17344 jbd2_log_wait_commit"
	"oom_memcg.txt oom python3 26746 -"
)
sigs=()
for c in "${cases[@]}"; do
	read -r fx kind comm pid fn <<<"$c"
	kmsg_write "$KFIX/$fx"
	wait_kernel_dump 15 comm "^${comm//\//\\/}\$"
	expect_eq "$fx: kind" "$kind" "$(cat "$KDUMP/kind")"
	expect_eq "$fx: pid" "$pid" "$(cat "$KDUMP/pid")"
	sig=$(cat "$KDUMP/signature")
	[[ $sig =~ ^[0-9a-f]{16}$ ]] || fail "$fx: signature '$sig'"
	for s in "${sigs[@]}"; do
		[[ $s != "$sig" ]] || fail "$fx: the signature of another report ($sig)"
	done
	sigs+=("$sig")
	if [[ $fn != - ]]; then
		grep -q " in $fn" "$KDUMP/reason" || fail "$fx: reason '$(cat "$KDUMP/reason")' names no $fn"
		grep -q "$fn" "$KDUMP/backtrace" 2>/dev/null || [[ $fx == oops_* ]] ||
			fail "$fx: backtrace: $(cat "$KDUMP/backtrace")"
	fi
	cmp -s <(sed 's/[[:space:]]*$//' "$KFIX/$fx") <(sed 's/[[:space:]]*$//' "$KDUMP/kernel_log") ||
		fail "$fx: kernel_log is not the report: $(diff <(cat "$KFIX/$fx") "$KDUMP/kernel_log" | head -5)"
	n=${KDUMP##*/}
	wait_journal 20 "$KDUMP" '^[0-9T:-]+Z page delivered \(attempt 1\)'
	mail=$(grep -l -- "^X-Crashd-Id: $n" "$SMTP_DIR"/*.eml | head -1 || true)
	[[ -n $mail ]] || fail "$fx: no mail of $n"
	title="kernel oops"
	[[ $kind == oom ]] && title="OOM kill"
	MAIL_HOST=$(cat "$KDUMP/hostname") MAIL_TITLE=$title MAIL_REASON=$(cat "$KDUMP/reason") \
		MAIL_DUMP=$n check_mail "${mail%.*}.eml" '
s = str(m["Subject"])
want = "[crashd] %s on %s: " % (os.environ["MAIL_TITLE"], os.environ["MAIL_HOST"])
expect(s.startswith(want), "Subject %r, expected %r..." % (s, want))
expect(os.environ["MAIL_REASON"][:40] in s, "Subject %r lacks the reason" % s)
expect(str(m["X-Crashd-Id"]) == os.environ["MAIL_DUMP"], "X-Crashd-Id")
expect("Kernel log" in text, "no kernel log in the body:\n" + text)
expect("The first report of its kind." in text, "body:\n" + text)'
done
expect_eq "mails" 4 "$(messages "$SMTP_DIR")"
oom=$(dumps_matching kind '^oom$' | head -1)
expect_eq "the OOM victim's cgroup" /crashd-fixture-7875 "$(cat "$SPOOL/$oom/cgroup")"
grep -q '^total-vm:43292kB, anon-rss:32512kB' "$SPOOL/$oom/oom_memory" ||
	fail "oom_memory: $(cat "$SPOOL/$oom/oom_memory")"
"$CRASHD_CLI" -c "$CONF" list --kind oom >"$T/list.out" 2>&1 || fail "list --kind oom: $(cat "$T/list.out")"
grep -q "$oom" "$T/list.out" || fail "list --kind oom does not show $oom: $(cat "$T/list.out")"
"$CRASHD_CLI" -c "$CONF" list --kind kernel >"$T/list.out" 2>&1 || fail "list --kind kernel"
grep -q "$oom" "$T/list.out" && fail "list --kind kernel shows the oom dump"

info "killed in the middle of a report; a report while it is down"
head -n 20 "$KFIX/warning_radeon.txt" >"$T/first_half"
tail -n +21 "$KFIX/warning_radeon.txt" >"$T/second_half"
# Another WARNING: the same text with another function at its top.
sed 's/radeon_gart_unbind/radeon_gart_bind/g' "$KFIX/warning_radeon.txt" >"$T/other_warning"
kmsg_write "$T/first_half"
nap 0.5
kill_daemon
kmsg_write "$T/second_half"
kmsg_write "$T/other_warning"
start_daemon
wait_kernel_dump 15 reason 'in radeon_gart_bind '
wait_until 15 "the interrupted WARNING merged into its dump" \
	grep -qx 2 "$SPOOL/$(dumps_matching reason 'in radeon_gart_unbind ' | head -1)/count"
wait_all_processed 10
expect_eq "dumps of radeon_gart_unbind (merged)" 1 "$(dumps_matching reason 'in radeon_gart_unbind ' | wc -l)"
expect_eq "dumps of radeon_gart_bind" 1 "$(dumps_matching reason 'in radeon_gart_bind ' | wc -l)"

info "killed right after a dump: restarted, it is not written again"
kmsg_write "$KFIX/lockup_nouveau.txt"
wait_kernel_dump 15 comm '^X$'
lockup=$KDUMP
kill_daemon
start_daemon
nap 4
expect_eq "dumps of the lockup" 1 "$(dumps_matching comm '^X$' | wc -l)"
expect_eq "count of the lockup" 1 "$(cat "$lockup/count")"
wait_all_processed 10
# 4 first reports, radeon_gart_bind, the lockup.
wait_messages 20 "$SMTP_DIR" 6
nap 2
expect_eq "mails" 6 "$(messages "$SMTP_DIR")"
grep -q 'dropped' "$DLOG" && info "(the kernel log dropped records meanwhile: $(grep -c dropped "$DLOG"))"
stop_daemon
