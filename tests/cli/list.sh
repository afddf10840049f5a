#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# crashd-cli list over a spool of real crashes: one table line per dump
# plus the header, newest last, even for an executable whose name has a
# newline, a tab, spaces, an escape and non-ASCII bytes; colour only on a
# terminal without NO_COLOR; every filter selects exactly the expected
# dumps; --json is one array with the exact executable and argv.
source "$(dirname "$0")/lib_cli.sh"

unshare --uts true 2>/dev/null || skip "unshare --uts is not permitted here"
write_config
cli_register
copy_victim victim
copy_victim other
hostile=$'we ird\tn\nam\xc3\xa9 \e[31mx'
copy_victim "$hostile"

info "crashes: segv, abort, a hostile name; then (a second later) uid 65534, another host"
crash_and_wait "$T/victim" segv 'a b' "it's"
d_segv=$(dump_id)
crash_and_wait -s 6 "$T/victim" abort
d_abrt=$(dump_id)
crash_and_wait "$T/$hostile" open "$T/$hostile" -- "$hostile" ''
d_host=$(dump_id)
# A clean second boundary between the first three and the last two.
t_mid=$(($(date +%s) + 1))
while (($(date +%s) < t_mid)); do nap 0.05; done
crash_and_wait as_nobody "$T/victim" segv
d_nobody=$(dump_id)
crash_and_wait -s 4 unshare --uts sh -c 'hostname crashbox && "$0" ill' "$T/other"
d_box=$(dump_id)
# Sanity of the fixture itself: the times really straddle t_mid.
(($(<"$SPOOL/$d_host/time") < t_mid && $(<"$SPOOL/$d_nobody/time") >= t_mid)) ||
	fail "crash times do not straddle $t_mid"
# And a real dump as it would be two hours later.
age_copy "$d_segv" 7200
d_old=$AGED

all=("$d_old" "$d_segv" "$d_abrt" "$d_host" "$d_nobody" "$d_box")

info "the table: header + one line per dump, oldest first"
cli list
expect_list "list" "${all[@]}"
expect_err_empty
# The hostile name is one escaped cell, on its own row.
row=$(grep -F -- "$d_host" "$OUT")
[[ $row == *"  $T/we ird\\tn\\nam\\xc3\\xa9 \\x1b[31mx  1 "* ]] ||
	fail "the hostile executable is not shown escaped in its row: $(printf '%q' "$row")"
! grep -q $'\e' "$OUT" || fail "list wrote an escape byte to a pipe: $(cat -v "$OUT")"
# Every row: PID, UID, SIG, COUNT, CORE as they are in the dump.
read -r _ _ _ _ pid uid sig _ <<<"$(grep -F -- "$d_nobody" "$OUT")"
expect_eq "row pid" "$(<"$SPOOL/$d_nobody/pid")" "$pid"
expect_eq "row uid" 65534 "$uid"
expect_eq "row sig" SEGV "$sig"
expect_eq "abort row sig" ABRT "$(grep -F -- "$d_abrt" "$OUT" | awk '{ print $7 }')"
expect_eq "other row sig" ILL "$(grep -F -- "$d_box" "$OUT" | awk '{ print $7 }')"
expect_eq "segv row count, core" "1 full" "$(grep -F -- "$d_segv" "$OUT" | awk '{ print $(NF - 2), $(NF - 1) }')"
# Times: the row's TIME is the dump's time, and never decreases.
expect_eq "row time" "$(date -d "@$(<"$SPOOL/$d_box/time")" '+%Y-%m-%d %H:%M:%S %Z')" \
	"$(grep -F -- "$d_box" "$OUT" | awk '{ print $1, $2, $3 }')"
sort -c -s -k1,2 <(tail -n +2 "$OUT") || fail "list is not oldest first: $(cat "$OUT")"

info "colour: on a terminal only, never with NO_COLOR"
script -qec "stty cols 250; $(printf '%q ' "$CRASHD_CLI" -c "$CONF" list --no-pager)" /dev/null </dev/null >"$T/tty.out" ||
	fail "list on a terminal failed: $(cat -v "$T/tty.out")"
check_cli_sanitizer "list (on a terminal)" "$T/tty.out"
grep -q $'\e\\[' "$T/tty.out" || fail "no colour on a terminal: $(cat -v "$T/tty.out")"
# The hostile name's own escape byte is escaped even there.
grep -Fq 'nam\xc3\xa9 \x1b[31mx' "$T/tty.out" || fail "the hostile name is not escaped on a terminal: $(cat -v "$T/tty.out")"
grep -q $'\e\\[31mx' "$T/tty.out" && fail "the hostile name's escape reached the terminal"
script -qec "stty cols 250; NO_COLOR=1 $(printf '%q ' "$CRASHD_CLI" -c "$CONF" list --no-pager)" /dev/null </dev/null >"$T/tty.out" ||
	fail "list on a terminal with NO_COLOR failed: $(cat -v "$T/tty.out")"
check_cli_sanitizer "list (on a terminal, NO_COLOR)" "$T/tty.out"
grep -q $'\e' "$T/tty.out" && fail "colour despite NO_COLOR: $(cat -v "$T/tty.out")"
expect_eq "lines on a terminal" 7 "$(wc -l <"$T/tty.out")"
NO_COLOR=1 cli list
expect_list "NO_COLOR=1 list" "${all[@]}"

info "filters"
cli list --since "1h ago"
expect_list '--since "1h ago"' "$d_segv" "$d_abrt" "$d_host" "$d_nobody" "$d_box"
cli list --since "3h ago" --until "1h ago"
expect_list '--since "3h ago" --until "1h ago"' "$d_old"
cli list --until "@$((t_mid - 1))"
expect_list "--until @t_mid-1" "$d_old" "$d_segv" "$d_abrt" "$d_host"
cli list --since "@$t_mid"
expect_list "--since @t_mid" "$d_nobody" "$d_box"
cli list --since "$(date -d "@$t_mid" '+%Y-%m-%d %H:%M:%S')" --until now
expect_list "--since 'Y-m-d H:M:S' --until now" "$d_nobody" "$d_box"
cli list --exe "$T/victim"
expect_list "--exe \$T/victim" "$d_old" "$d_segv" "$d_abrt" "$d_nobody"
cli list --exe '*/oth?r'
expect_list "--exe '*/oth?r'" "$d_box"
cli list --exe "*"$'\n'"am"$'\xc3\xa9'" *"
expect_list "--exe (hostile glob)" "$d_host"
cli list --signal ABRT
expect_list "--signal ABRT" "$d_abrt"
cli list --signal SIGILL
expect_list "--signal SIGILL" "$d_box"
cli list --signal 11
expect_list "--signal 11" "$d_old" "$d_segv" "$d_host" "$d_nobody"
cli list --uid 65534
expect_list "--uid 65534" "$d_nobody"
cli list --uid 0 --signal segv
expect_list "--uid 0 --signal segv" "$d_old" "$d_segv" "$d_host"
cli list --host crashbox
expect_list "--host crashbox" "$d_box"
cli list --host "$(uname -n)"
expect_list "--host $(uname -n)" "$d_old" "$d_segv" "$d_abrt" "$d_host" "$d_nobody"
cli list --host 'crash*' --signal SEGV
expect_out_line 1 "No crashes."
expect_eq "lines for no match" 1 "$(wc -l <"$OUT")"
cli list -n 2
expect_list "-n 2" "$d_nobody" "$d_box"
cli list -n 100 --exe "$T/victim" --uid 0
expect_list "-n 100 --exe --uid 0" "$d_old" "$d_segv" "$d_abrt"
cli list --exe "$T/victim" -n 1
expect_list "--exe -n 1" "$d_nobody"
cli -x 2 list --signal NOSUCH
expect_err 'no signal "NOSUCH"'
cli -x 2 list --since "yesterweek"
expect_err 'cannot read the time'
cli -x 2 list -n 0
# An operand is a match (coredumpctl's): a COMM no crash has.
cli list extra-operand
expect_out '^No crashes\.$'

info "--json: one array; exact executable and argv"
cli list --json
expect_err_empty
py '
check(isinstance(out, list), "not an array")
check([d["id"] for d in out] == [a.decode() for a in args[:6]], "ids/order: %r" % [d["id"] for d in out])
for d in out:
    for k in ("id", "time", "pid", "uid", "signal", "signal_name", "executable", "cmdline", "count", "core"):
        check(k in d, "key %s missing in %r" % (k, d))
byid = {d["id"]: d for d in out}
h = byid[args[3].decode()]
check(b(h["executable"]) == args[6], "executable %r" % h["executable"])
check([b(a) for a in h["cmdline"]] == args[6:7] + [b"open"] + args[6:7] + [b"--", args[7], b""], "cmdline %r" % h["cmdline"])
s = byid[args[1].decode()]
check(s["cmdline"] == [args[8].decode(), "segv", "a b", "it\x27s"], "segv cmdline %r" % s["cmdline"])
check((s["signal"], s["signal_name"], s["uid"], s["count"], s["core"]) == (11, "SIGSEGV", 0, 1, "full"), "segv fields %r" % s)
n = byid[args[4].decode()]
check((n["uid"], n["signal_name"]) == (65534, "SIGSEGV"), "nobody fields %r" % n)
x = byid[args[5].decode()]
check((x["signal"], x["hostname"], x["executable"]) == (4, "crashbox", args[9].decode()), "crashbox fields %r" % x)
check(isinstance(s["time"], int) and s["time"] < x["time"], "times %r %r" % (s["time"], x["time"]))
' "${all[@]}" \
	"$T/$hostile" "$hostile" "$T/victim" "$T/other"
# Raw bytes: one line, no raw control byte (a newline in a name is \n).
expect_eq "list --json lines" 1 "$(wc -l <"$OUT")"
! LC_ALL=C grep -q $'[\x01-\x1f]' "$OUT" || fail "list --json has a raw control byte"

cli list --json --signal SEGV -n 2 --since "1h ago"
py 'check([d["id"] for d in out] == [a.decode() for a in args], "ids %r" % [d["id"] for d in out])' \
	"$d_host" "$d_nobody"
cli list --json --host nowhere
py 'check(out == [], "expected [], got %r" % out)'
echo PASS
