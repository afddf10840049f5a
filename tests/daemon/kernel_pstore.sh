#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The panics pstore kept (issue 18): directories laid out as the kernel's
# pstore filesystem (tests/fixtures/pstore: a ramoops record, and an EFI
# record in two parts beside a record of another reason) give one dump of
# kind panic each at start, mailed to the real SMTP server ("kernel panic
# on HOST: ..."), each once: a restart harvests nothing again.  With
# daemon.kernel.clear_pstore, what was harvested is removed.
source "$(dirname "$0")/lib_daemon.sh"
source "$(dirname "$0")/mail_lib.sh"
source "$(dirname "$0")/kernel_lib.sh"

PFIX=$(cd "$(dirname "$0")/../fixtures/pstore" && pwd)
cp -r "$PFIX/ramoops" "$T/ramoops"
cp -r "$PFIX/efi" "$T/efi"
start_smtp main
write_daemon_config remove_duplicates=false kernel="pstore = [ \"$T/ramoops\", \"$T/efi\", \"$T/none\" ];" \
	actions="$(mail_action page "$SMTP_PORT"), $(log_action)"
start_daemon

info "one panic dump per pstore record"
wait_until 10 "two panic dumps: $(kernel_dumps panic | tr '\n' ' ')" \
	test "$(kernel_dumps panic | wc -l)" -eq 2
wait_all_processed 10
for d in $(kernel_dumps panic); do
	D=$SPOOL/$d
	expect_eq "$d: comm" bash "$(cat "$D/comm")"
	expect_eq "$d: pid" 4952 "$(cat "$D/pid")"
	expect_eq "$d: kernel" "5.4.0-0.rc6.git0.1.fc32.x86_64 #1" "$(cat "$D/kernel")"
	grep -q '^kernel panic in sysrq_handle_crash (bash, pid 4952): Kernel panic - not syncing: sysrq triggered crash$' "$D/reason" ||
		fail "$d: reason: $(cat "$D/reason")"
	grep -q 'sysrq_handle_crash' "$D/backtrace" || fail "$d: backtrace: $(cat "$D/backtrace")"
	# Both parts of the EFI record: its first lines and its last.
	grep -q '^Kernel panic - not syncing' "$D/kernel_log" || fail "$d: kernel_log: $(head -3 "$D/kernel_log")"
	grep -q '^R13: 00007f4584518500' "$D/kernel_log" || fail "$d: kernel_log lacks the record's end"
	grep -q '^<' "$D/kernel_log" && fail "$d: kernel_log keeps the log levels"
done
expect_eq "signatures of the one panic" 1 \
	"$(for d in $(kernel_dumps panic); do cat "$SPOOL/$d/signature"; done | sort -u | wc -l)"
grep -q "$T/ramoops/dmesg-ramoops-0" "$SPOOL"/*/pstore || fail "no dump names dmesg-ramoops-0"
grep -q "$T/efi/dmesg-efi-157328011102001 $T/efi/dmesg-efi-157328011102002" "$SPOOL"/*/pstore ||
	fail "no dump names both parts of the EFI record: $(cat "$SPOOL"/*/pstore)"
[[ -e $T/efi/dmesg-efi-157328011102001 ]] || fail "clear_pstore is off, yet the record went"
# The second is the first's duplicate (one signature): one mail.
wait_messages 20 "$SMTP_DIR" 1
mail=$(ls "$SMTP_DIR"/*.eml | head -1)
MAIL_HOST=$(hostname) check_mail "$mail" '
s = str(m["Subject"])
expect(s.startswith("[crashd] kernel panic on "), "Subject %r" % s)
expect("sysrq_handle_crash" in s, "Subject %r" % s)'

info "a restart harvests nothing again"
stop_daemon
start_daemon
nap 3
expect_eq "panic dumps after a restart" 2 "$(kernel_dumps panic | wc -l)"

info "clear_pstore: a new panic is harvested and its record removed"
stop_daemon
sed -i 's/sysrq triggered crash/sysrq triggered crash again/' "$T/ramoops/dmesg-ramoops-0"
write_daemon_config remove_duplicates=false kernel="pstore = [ \"$T/ramoops\", \"$T/efi\" ]; clear_pstore = true;" \
	actions="$(log_action)"
start_daemon
wait_until 10 "a third panic dump" test "$(kernel_dumps panic | wc -l)" -eq 3
wait_until 5 "dmesg-ramoops-0 removed" test ! -e "$T/ramoops/dmesg-ramoops-0"
[[ -e $T/efi/dmesg-efi-157328011001001 ]] || fail "the Oops record was removed"
[[ -e $T/efi/dmesg-efi-157328011102001 ]] || fail "a record harvested before was removed now"
stop_daemon
