#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# crashd-cli speaks coredumpctl (issue 16): dump and debug, -1, -r, -S/-U
# with systemd.time(7)'s forms, -n, --no-legend, -q, -F, --json=MODE,
# matches (PID, COMM, EXE, FIELD=VALUE), -D, options before the verb;
# --file is refused with a pointer to -D.  Against real crashes.
source "$(dirname "$0")/lib_cli.sh"

write_config
cli_register
copy_victim victim
copy_victim other

crash_and_wait "$T/victim" segv
d1=$(dump_id) pid1=$VICTIM_PID
crash_and_wait -s 6 "$T/other" abort
d2=$(dump_id) pid2=$VICTIM_PID
crash_and_wait "$T/victim" segv
d3=$(dump_id) pid3=$VICTIM_PID
all=("$d1" "$d2" "$d3")

info "-1, -r, -n, --no-legend, -q; the verb's options before it, or alone"
cli list -1
expect_list "list -1" "$d3"
cli -1 list
expect_list "-1 list" "$d3"
cli -1
expect_list "-1 (no verb: list)" "$d3"
cli list -n 2
expect_list "list -n 2" "$d2" "$d3"
cli list -r
expect_list "list -r" "$d3" "$d2" "$d1"
cli -r -n 2 list
expect_list "-r -n 2 list" "$d3" "$d2"
cli list --no-legend
expect_eq "--no-legend rows" 3 "$(wc -l <"$OUT")"
expect_no_out '^TIME '
cli list -q -S +1h
[[ ! -s $OUT ]] || fail "list -q with nothing to list printed: $(cat "$OUT")"
cli list -S +1h
expect_out '^No crashes\.$'

info "-S/--since and -U/--until: systemd.time(7)"
t1=$(<"$SPOOL/$d1/time") t3=$(<"$SPOOL/$d3/time")
for s in "10 minutes ago" "10min ago" -1h "@$((t1 - 1))" today now-is-not-a-time; do
	if [[ $s == now-is-not-a-time ]]; then
		cli -x 2 list -S "$s"
		expect_err 'cannot read the time'
		continue
	fi
	cli list -S "$s"
	expect_list "-S '$s'" "${all[@]}"
	cli list --since "$s"
	expect_list "--since '$s'" "${all[@]}"
done
cli list -U yesterday
expect_out '^No crashes\.$'
cli list -S "$(date -d "@$t3" '+%Y-%m-%d %H:%M:%S')"
table_ids
[[ ${TABLE_IDS[-1]} == "$d3" ]] || fail "-S 'YYYY-MM-DD HH:MM:SS' of the last: ${TABLE_IDS[*]}"
cli list -U "$(date -d "@$((t1 - 1))" '+%Y-%m-%d %H:%M:%S')"
expect_out '^No crashes\.$'
cli list -U "$(date -u -d "@$((t1 - 1))" '+%Y-%m-%d %H:%M:%S') UTC"
expect_out '^No crashes\.$'
cli list -S "$(date -u -d "@$((t1 - 1))" '+%Y-%m-%dT%H:%M:%SZ')"
expect_list "-S ...Z" "${all[@]}"
cli list -U "@$((t3 - 1))" -S "@$((t1 - 1))"
[[ $(<"$SPOOL/$d2/time") -lt $t3 ]] && expect_list "-U @EPOCH" "$d1" "$d2"
cli list -U now
expect_list "-U now" "${all[@]}"
# "HH:MM" is that minute today: the minute before the first crash, unless
# that was yesterday.
hm=$(date -d "@$((t1 - 60))" +%H:%M)
if [[ $(date -d "@$((t1 - 60))" +%F) == "$(date +%F)" ]]; then
	cli list -S "$hm"
	expect_list "-S $hm" "${all[@]}"
fi

info "matches: PID, COMM, EXE, FIELD=VALUE; one field's are alternatives"
cli list "$pid2"
expect_list "PID" "$d2"
cli list other
expect_list "COMM" "$d2"
cli list "$T/victim"
expect_list "EXE" "$d1" "$d3"
cli list signal_name=SIGABRT
expect_list "signal_name=SIGABRT" "$d2"
cli list COREDUMP_SIGNAL=11
expect_list "COREDUMP_SIGNAL=11" "$d1" "$d3"
cli list COREDUMP_EXE="$T/other"
expect_list "COREDUMP_EXE=" "$d2"
cli list "$pid1" "$pid2"
expect_list "two PIDs" "$d1" "$d2"
cli list victim "$pid2"
expect_out '^No crashes\.$'
cli list victim "$pid3"
expect_list "COMM victim and PID $pid3" "$d3"
cli list uid=0 --exe '*/victim'
expect_list "uid=0 and --exe" "$d1" "$d3"
cli list nosuchcomm
expect_out '^No crashes\.$'
cli info other
expect_out_line 1 "$d2"
cli info COREDUMP_PID="$pid1"
expect_out_line 1 "$d1"
cli info -1 victim
expect_out_line 1 "$d3"

info "-F FIELD: the values a field takes"
cli list -F executable
expect_eq "-F executable" "$T/victim
$T/other" "$(cat "$OUT")"
cli list -F COREDUMP_SIGNAL
expect_eq "-F COREDUMP_SIGNAL" "11
6" "$(cat "$OUT")"
cli list -F COREDUMP_PID "$T/victim"
expect_eq "-F COREDUMP_PID with a match" "$pid1
$pid3" "$(cat "$OUT")"
cli -x 1 list -F ../etc
expect_err 'no field'

info "--json=short|pretty|off"
cli list --json=short
expect_eq "--json=short lines" 1 "$(wc -l <"$OUT")"
cp "$OUT" "$T/short.json"
cli list --json=pretty
(($(wc -l <"$OUT") > 20)) || fail "--json=pretty is not indented: $(head -c 300 "$OUT")"
py 'import json
check(out == json.load(open(args[0])), "pretty and short differ")' "$T/short.json"
cli list --json=off
expect_list "--json=off" "${all[@]}"
cli info "$d2" --json=pretty
py 'check(out["id"] == args[0].decode() and out["signal_name"] == "SIGABRT", "info --json=pretty %r" % out["id"])' "$d2"
cli info victim --json
py 'check([d["id"] for d in out] == [args[0].decode(), args[1].decode()], "info MATCH --json: %r" % out)' "$d1" "$d3"
cli -x 2 list --json=yaml
expect_err 'expected short, pretty or off'

info "dump = core, debug = gdb"
cli core "$d2" -o "$T/core.a"
cli dump "$d2" -o "$T/core.b"
cmp -s "$T/core.a" "$T/core.b" || fail "dump and core wrote different cores"
cli dump -o "$T/core.c"
cli core last -o "$T/core.d"
cmp -s "$T/core.c" "$T/core.d" || fail "dump without an ID is not the newest dump's core"
cli dump other -o "$T/core.e"
cmp -s "$T/core.a" "$T/core.e" || fail "dump COMM is not that crash's core"
cli -x 2 core
cat >"$T/dbg" <<'X'
#!/bin/sh
printf '%s\n' "$0" "$@" >"${0%/*}/dbg.args"
X
chmod 755 "$T/dbg"
cli debug --debugger "$T/dbg" -A "-q -batch" "$pid2"
expect_eq "debugger argv" "$T/dbg
-q
-batch
$T/other" "$(head -n 4 "$T/dbg.args")"
[[ $(sed -n 5p "$T/dbg.args") == /tmp/crashd-core.* ]] || fail "the debugger got no core: $(cat "$T/dbg.args")"
SYSTEMD_DEBUGGER=$T/dbg cli debug -- -nx
expect_eq "\$SYSTEMD_DEBUGGER, newest dump, -- ARGS" "$T/dbg
-nx
$T/victim" "$(head -n 3 "$T/dbg.args")"
if command -v gdb >/dev/null; then
	cli debug -A "-batch -ex bt" "$d1"
	expect_out 'Program terminated with signal SIGSEGV'
fi

info "-D DIR: another spool; --file is refused"
cp -a "$SPOOL" "$T/spool2"
rm -rf "${T:?}/spool2/$d1" "${T:?}/spool2/$d3"
cli -D "$T/spool2" list
expect_list "-D" "$d2"
cli list --directory "$T/spool2"
expect_list "--directory" "$d2"
cli -D "$T/spool2" info last
expect_out_line 1 "$d2"
cli -x 2 list --file /var/log/journal/x.journal
expect_err 'use -D DIR'
echo PASS
