#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# crashd-cli install / uninstall round-trip a previous pattern: another
# handler's pattern (a file pattern, systemd-coredump, apport, abrt) is
# named and kept without --force; with --force the exact
# "crashd-hook --pattern -c CONF" line goes in with core_pipe_limit >= 1
# and suid_dumpable 2, a crash is then stored; uninstall puts back the
# exact previous three values.  (lib.sh restores the real ones at exit.)
source "$(dirname "$0")/lib_cli.sh"

write_config
copy_victim victim
line=$("$CRASHD_HOOK" --pattern -c "$CONF") || fail "crashd-hook --pattern failed"
[[ $line == "|$(readlink -f "$CRASHD_HOOK") -c $CONF "* ]] || fail "unexpected --pattern line: $line"

# set_kernel PATTERN PIPE_LIMIT SUID
set_kernel() {
	printf '%s\n' "$1" >/proc/sys/kernel/core_pattern
	echo "$2" >/proc/sys/kernel/core_pipe_limit
	echo "$3" >/proc/sys/fs/suid_dumpable
	expect_kernel "set_kernel" "$@"
}
# expect_kernel WHAT PATTERN PIPE_LIMIT SUID
expect_kernel() {
	expect_eq "$1: core_pattern" "$2" "$(cat /proc/sys/kernel/core_pattern)"
	expect_eq "$1: core_pipe_limit" "$3" "$(cat /proc/sys/kernel/core_pipe_limit)"
	expect_eq "$1: suid_dumpable" "$4" "$(cat /proc/sys/fs/suid_dumpable)"
}
expect_installed() {
	expect_eq "$1: core_pattern" "$line" "$(cat /proc/sys/kernel/core_pattern)"
	(($(cat /proc/sys/kernel/core_pipe_limit) >= 1)) || fail "$1: core_pipe_limit is $(cat /proc/sys/kernel/core_pipe_limit)"
	expect_eq "$1: suid_dumpable" 2 "$(cat /proc/sys/fs/suid_dumpable)"
}

info "a file pattern: refused without --force, named"
mkdir -p "$T/cores"
file_pattern="$T/cores/core.%e.%p"
set_kernel "$file_pattern" 0 0
cli -x 1 install --hook "$CRASHD_HOOK"
expect_err "core_pattern belongs to a file pattern: \"$file_pattern\""
expect_err 'use --force to replace it'
expect_kernel "refused install" "$file_pattern" 0 0

info "--force: the exact line; the spool need not exist yet"
[[ ! -e $SPOOL ]] || fail "the spool exists before the first crash"
cli install --force --hook "$CRASHD_HOOK"
expect_installed "install --force"
expect_eq "the spool install made" "0 755 700" "$(stat -c '%u %a' "$SPOOL") $(stat -c %a "$SPOOL/.incoming")"
expect_out "^installed: $(printf '%s' "$line" | sed 's/[]|.*^$[\\]/\\&/g')\$"
expect_out "^replaced a file pattern: \"$file_pattern\""
# (status's own line is for the hook --hook names: the one installed.)
cli status --hook "$(readlink -f "$CRASHD_HOOK")"
expect_out_line 1 "hook:     registered: $line"
expect_out_line 2 "          replaced a file pattern: $file_pattern"
info "a crash is stored through it"
crash_and_wait "$T/victim" segv
[[ -z $(ls -A "$T/cores") ]] || fail "a core file was written: $(ls "$T/cores")"
# Installing again keeps the first saved pattern, not crashd's own line.
cli install --hook "$CRASHD_HOOK"
expect_installed "install again"

info "uninstall: the exact previous values"
cli uninstall
expect_out "^uninstalled; core_pattern is \"$file_pattern\" again\$"
expect_kernel "uninstall" "$file_pattern" 0 0
cli uninstall
expect_out "not crashd's"
expect_kernel "uninstall again" "$file_pattern" 0 0

info "other handlers are named"
owners=(systemd-coredump apport abrt "another program")
patterns=(
	'|/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h'
	'|/usr/share/apport/apport -p%p -s%s -c%c -d%d -P%P -u%u -g%g -- %E'
	'|/usr/libexec/abrt-hook-ccpp %s %c %p %u %g %t %e %P %I %h'
	'|/usr/local/bin/my-cores %p')
for i in "${!owners[@]}"; do
	set_kernel "${patterns[i]}" 3 1
	cli -x 1 install --hook "$CRASHD_HOOK"
	grep -Fxq "crashd-cli: error: core_pattern belongs to ${owners[i]}: \"${patterns[i]}\"; use --force to replace it (uninstall puts it back)" "$ERR" ||
		fail "install over ${owners[i]}: $(cat "$ERR")"
	expect_kernel "refused over ${owners[i]}" "${patterns[i]}" 3 1
done
info "systemd-coredump round trip"
sd='|/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h'
set_kernel "$sd" 0 2
cli install --force --hook "$CRASHD_HOOK"
expect_installed "install over systemd-coredump"
expect_out "^replaced systemd-coredump: "
cli uninstall
expect_kernel "uninstall after systemd-coredump" "$sd" 0 2

info "the kernel's own pattern is no other handler's"
set_kernel core 0 0
cli install --hook "$CRASHD_HOOK"
expect_installed "install over core"
expect_no_out 'replaced'
cli uninstall
expect_kernel "uninstall to core" core 0 0

cli -x 1 install --hook /nonexistent/crashd-hook
expect_err 'crashd-hook --pattern failed|--pattern failed'
expect_kernel "failed install" core 0 0
cli -x 2 install extra
cli -x 2 uninstall extra
echo PASS
