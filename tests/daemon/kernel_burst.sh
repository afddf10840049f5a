#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A WARNING in a hot path (issue 18): the same real WARNING
# (tests/fixtures/kernel/warning_radeon.txt, its call trace cut to its top
# frames) written 1,000 times into the real /dev/kmsg is one dump whose
# count is 1000, and its mails stay within the notify limits (the first,
# and at most the every-Nth), to the real SMTP server; the metrics action
# counts 1000 reports in crashd_kernel_reports_total{kind="kernel"}.
source "$(dirname "$0")/lib_daemon.sh"
source "$(dirname "$0")/mail_lib.sh"
source "$(dirname "$0")/kernel_lib.sh"

start_smtp main
write_daemon_config kernel='accept_user_records = true;' every=100 rate=10/1h \
	actions="$(mail_action page "$SMTP_PORT"),
  { name = \"prom\"; type = \"metrics\"; path = \"$T/crashd.prom\"; }, $(log_action)"
start_daemon

# The report, short: its marker lines and its first call trace frames.
grep -E -e '^-+\[ cut here|^WARNING: |^CPU: |^Call Trace:|^---\[ end trace' \
	"$KFIX/warning_radeon.txt" >"$T/w.head"
{
	sed -n '1,3p' "$T/w.head"
	grep -m 1 -A 8 '^Call Trace:' "$KFIX/warning_radeon.txt"
	grep '^---\[ end trace' "$KFIX/warning_radeon.txt"
} >"$T/warning"
lines=$(wc -l <"$T/warning")
((lines >= 10)) || fail "the short WARNING has $lines lines: $(cat "$T/warning")"

info "1000 identical WARNINGs ($lines records each)"
for ((i = 0; i < 1000; i++)); do
	kmsg_write "$T/warning"
done
wait_kernel_dump 20 reason 'in radeon_gart_unbind '
first=$KDUMP
wait_until 30 "the WARNINGs to be counted in $first: count $(cat "$first/count" 2>/dev/null)" \
	grep -qx 1000 "$first/count"
wait_all_processed 10
expect_eq "dumps of the WARNING" 1 "$(dumps_matching reason 'in radeon_gart_unbind ' | wc -l)"
log_has 'kernel log dropped' && fail "the kernel log dropped records: $(grep dropped "$DLOG")"
nap 2
n=$(messages "$SMTP_DIR")
((n >= 1 && n <= 2)) || fail "$n mails for one WARNING, expected the first and at most one every-100th"
grep -q '^X-Crashd-Event: first' "$SMTP_DIR"/*.eml || fail "no mail of the first WARNING"
khost=$(cat "$first/hostname")
wait_until 10 "the WARNINGs in $T/crashd.prom: $(grep kernel "$T/crashd.prom" 2>/dev/null)" \
	grep -qx "crashd_kernel_reports_total{hostname=\"$khost\",kind=\"kernel\"} 1000" "$T/crashd.prom"
grep -q '^crashd_kernel_log_dropped_total 0$' "$T/crashd.prom" ||
	fail "crashd_kernel_log_dropped_total: $(grep dropped "$T/crashd.prom")"
grep -q '^crashd_crashes_total{' "$T/crashd.prom" && fail "a WARNING counted as a crash: $(grep crashes_total "$T/crashd.prom")"
stop_daemon
