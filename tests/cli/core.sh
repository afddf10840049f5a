#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# crashd-cli core: the decompressed core to a file (-o) or a pipe, the
# exact bytes the hook kept (size = bytes_kept of core_info, starts with
# \177ELF); never to a terminal; a truncated core is said to be; a dump
# without a core says so and fails.
source "$(dirname "$0")/lib_cli.sh"

write_config
cli_register
copy_victim victim

# bytes_kept of $DUMP's core_info.
bytes_kept() {
	local v
	v=$(sed -n 's/^bytes_kept: //p' "$DUMP/core_info")
	[[ $v =~ ^[0-9]+$ ]] || fail "core_info has no bytes_kept: $(cat "$DUMP/core_info")"
	echo "$v"
}

info "a whole core (truncate mode, under its 1M limit)"
crash_and_wait "$T/victim" segv
expect_line core_info '^truncated: no$'
id=$(dump_id)
kept=$(bytes_kept)
cli core "$id" -o "$T/core.1"
expect_elf "$T/core.1"
expect_eq "core -o size (bytes_kept)" "$kept" "$(stat -c %s "$T/core.1")"
unpack_core "$T/core.ref"
cmp "$T/core.1" "$T/core.ref" >&2 || fail "core -o differs from core.gz's content"
expect_eq "core -o mode" 600 "$(stat -c %a "$T/core.1")"
expect_no_err truncated
# -o replaces an existing file.
head -c 1000000 /dev/zero >"$T/core.2"
cli core -o "$T/core.2" "$VICTIM_PID"
cmp "$T/core.2" "$T/core.ref" >&2 || fail "core -o over an existing file: not the core"

info "to a pipe"
"$CRASHD_CLI" -c "$CONF" core last 2>"$ERR" | cat >"$T/core.3" ||
	fail "core last | cat failed: $(cat "$ERR")"
check_cli_sanitizer "core last | cat"
cmp "$T/core.3" "$T/core.ref" >&2 || fail "core to a pipe differs"
n=$("$CRASHD_CLI" -c "$CONF" core "$id" 2>"$ERR" | wc -c)
check_cli_sanitizer "core $id | wc -c"
expect_eq "core | wc -c" "$kept" "$n"

info "never to a terminal"
rm -f "$T/tty.out"
rc=0
script -qec "$(printf '%q ' "$CRASHD_CLI" -c "$CONF" core "$id")" /dev/null </dev/null >"$T/tty.out" || rc=$?
check_cli_sanitizer "core $id (on a terminal)" "$T/tty.out"
expect_eq "core to a terminal: exit status" 1 "$rc"
grep -q 'refusing to write a core to a terminal' "$T/tty.out" || fail "no refusal on a terminal: $(cat -v "$T/tty.out")"
grep -q ELF "$T/tty.out" && fail "core bytes reached the terminal"
# -o on a terminal is fine.
script -qec "$(printf '%q ' "$CRASHD_CLI" -c "$CONF" core "$id" -o "$T/core.4")" /dev/null </dev/null >"$T/tty.out" ||
	fail "core -o FILE on a terminal failed: $(cat -v "$T/tty.out")"
check_cli_sanitizer "core $id -o FILE (on a terminal)" "$T/tty.out"
cmp "$T/core.4" "$T/core.ref" >&2 || fail "core -o from a terminal differs"

info "a truncated core"
write_config max_size=64K
crash_and_wait "$T/victim" touch 2
expect_line core_info '^truncated: yes$'
kept=$(bytes_kept)
cli core last -o "$T/core.5"
expect_elf "$T/core.5"
expect_eq "truncated core size (bytes_kept)" "$kept" "$(stat -c %s "$T/core.5")"
((kept <= 65536)) || fail "bytes_kept $kept over the 64K limit"
expect_err 'truncated'
cli list --json -n 1
py 'check(out[0]["core"] == "truncated", "core %r" % out[0]["core"])'

info "a dump without a core"
write_config mode=none
crash_and_wait "$T/victim" segv
expect_absent core.gz
cli -x 1 core last -o "$T/core.6"
expect_err "$(dump_id) has no core"
[[ ! -e $T/core.6 ]] || fail "core of a coreless dump left its -o file behind"
cli -x 1 core "$(dump_id)"
expect_err 'has no core'
[[ ! -s $OUT ]] || fail "core of a coreless dump wrote to stdout"
cli list -n 1
expect_eq "CORE column" none "$(tail -n 1 "$OUT" | awk '{ print $(NF - 1) }')"
cli info last
expect_out '^  core +none; '
cli -x 1 core nosuchdump -o "$T/core.7"
[[ ! -e $T/core.7 ]] || fail "core of an unknown ID created its -o file"
cli -x 2 core
echo PASS
