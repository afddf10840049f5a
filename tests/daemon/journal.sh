#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The journal action against a real systemd-journald (the test's own, in a
# private mount namespace: journal_lib.sh) and the real coredumpctl of the
# installed systemd: a real crash is in "coredumpctl list" with its pid,
# signal and executable; "coredumpctl info" shows the stack trace; "dump"
# writes the minicore (byte for byte); "debug" runs gdb on it, which shows
# the crashing frame; "journalctl -u" of the crashed service shows the
# entry; a duplicate is journalled too; a hostile executable name
# (newline, "MESSAGE=", invalid UTF-8) makes no field of its own.
source "$(dirname "$0")/lib_daemon.sh"
source "$(dirname "$0")/journal_lib.sh"

command -v gdb >/dev/null || skip "gdb is needed for coredumpctl debug"
unpack_coredumpctl
start_journald
write_daemon_config mode=mini actions="$(rec_action), $(journal_action)"
register
start_daemon
copy_victim victim

# The victim in a cgroup named as systemd names a service's, where the
# systemd hierarchy can be written (journalctl -u reads the unit from it).
UNIT=crashd-test-$$.service
CG=
for root in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified /sys/fs/cgroup; do
	if [[ -w $root/cgroup.procs ]] && mkdir "$root/crashd-test.slice" 2>/dev/null &&
		mkdir "$root/crashd-test.slice/$UNIT"; then
		CG=$root/crashd-test.slice
		break
	fi
	rmdir "$root/crashd-test.slice" 2>/dev/null || true
done
if [[ -n $CG ]]; then
	trap 'rc=$?; rmdir "$CG/$UNIT" "$CG" 2>/dev/null; (exit $rc); daemon_on_exit' EXIT
	in_unit() { bash -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' in_unit "$CG/$UNIT" "$@"; }
else
	echo "SKIP part: no writable cgroup hierarchy here; journalctl -u is not tested" >&2
	in_unit() { "$@"; }
fi

info "a real crash: the journal entry"
d_crash in_unit "$T/victim" segv
wait_processed "$DUMP"
name=${DUMP##*/}
journal_has "$DUMP" ' journal done ok: journalled' ||
	fail "the journal action did not journal: $(cat "$DUMP/actions")"
pid=$(cat "$DUMP/pid")
has_entry() { [[ $(journal_entries "$@") -ge 1 ]]; }
wait_until 5 "the entry in the journal" has_entry CRASHD_ID="$name"

jctl -o verbose CRASHD_ID="$name" >"$T/entry.out"
grep -Eq "^ *CRASHD_WHERE=crash\+0x[0-9a-f]+ \(.*victim\)" "$T/entry.out" ||
	fail "no CRASHD_WHERE naming crash(): $(grep WHERE "$T/entry.out")"
grep -Eq '^ *CRASHD_DUPHASH=[0-9a-f]{40}$' "$T/entry.out" ||
	fail "no CRASHD_DUPHASH: $(grep DUPHASH "$T/entry.out")"

coredumpctl list >"$T/list.out" 2>&1 || fail "coredumpctl list: $(cat "$T/list.out")"
grep -Eq " $pid +0 +0 SIGSEGV present +$T/victim " "$T/list.out" ||
	fail "coredumpctl list has no present SIGSEGV of pid $pid ($T/victim): $(cat "$T/list.out")"

coredumpctl info "$pid" >"$T/info.out" 2>&1 || fail "coredumpctl info $pid: $(cat "$T/info.out")"
grep -q "Stack trace of thread $pid:" "$T/info.out" ||
	fail "coredumpctl info shows no stack trace of thread $pid: $(cat "$T/info.out")"
grep -Eq '#0 +0x[0-9a-f]+ crash\+0x[0-9a-f]+ \(.*victim\)' "$T/info.out" ||
	fail "coredumpctl info's first frame is not crash() in the victim: $(cat "$T/info.out")"
grep -q "Storage: $DUMP/core.mini.zst (present)" "$T/info.out" ||
	fail "coredumpctl info does not name the dump's core: $(cat "$T/info.out")"

info "coredumpctl dump writes the minicore; coredumpctl debug runs gdb on it"
coredumpctl dump "$pid" -o "$T/core.out" >"$T/dump.out" 2>&1 ||
	fail "coredumpctl dump $pid: $(cat "$T/dump.out")"
cmp -s "$T/core.out" "$DUMP/core.mini" || fail "coredumpctl dump's file is not the dump's core.mini"
expect_elf "$T/core.out"
coredumpctl debug "$pid" --debugger-arguments="-batch -nx -ex bt" >"$T/gdb.out" 2>&1 </dev/null ||
	fail "coredumpctl debug $pid: $(cat "$T/gdb.out")"
grep -Eq '^#0 +(0x[0-9a-f]+ in )?crash \(\)' "$T/gdb.out" ||
	fail "gdb under coredumpctl debug does not show crash() as frame #0: $(cat "$T/gdb.out")"

if [[ -n $CG ]]; then
	info "journalctl -u $UNIT shows the crash"
	jctl -u "$UNIT" -o verbose >"$T/unit.out" 2>&1 || fail "journalctl -u $UNIT: $(cat "$T/unit.out")"
	grep -q "CRASHD_ID=$name" "$T/unit.out" || fail "journalctl -u $UNIT does not show the crash: $(cat "$T/unit.out")"
	grep -q "COREDUMP_UNIT=$UNIT" "$T/unit.out" || fail "no COREDUMP_UNIT=$UNIT: $(cat "$T/unit.out")"
	grep -q "COREDUMP_SLICE=crashd-test.slice" "$T/unit.out" || fail "no COREDUMP_SLICE: $(cat "$T/unit.out")"
fi

info "a duplicate (removed as such) is journalled too"
d_crash "$T/victim" segv
dup=$DUMP
wait_until 10 "the duplicate to be removed" test ! -e "$dup"
two_entries() { [[ $(journal_entries COREDUMP_EXE="$T/victim") == 2 ]]; }
wait_until 5 "two entries of $T/victim" two_entries
jctl -o verbose CRASHD_ID="${dup##*/}" >"$T/dup.out"
grep -q '^ *CRASHD_COUNT=2$' "$T/dup.out" || fail "the duplicate's entry does not say count 2: $(cat "$T/dup.out")"

info "a hostile executable name makes no field"
evil=$'evil\nMESSAGE=injected\nCOREDUMP_PID=1\xff'
copy_victim "$evil"
d_crash "$T/$evil" segv
wait_processed "$DUMP"
name=${DUMP##*/}
wait_until 5 "the hostile crash's entry" has_entry CRASHD_ID="$name"
jctl -o json CRASHD_ID="$name" >"$T/evil.json"
/usr/bin/python3 - "$T/evil.json" "$T/$evil" "$(cat "$DUMP/pid")" <<'PY' || fail "the hostile name made fields (above)"
import json, os, sys
lines = open(sys.argv[1], "rb").read().splitlines()
assert len(lines) == 1, "%d entries" % len(lines)
e = json.loads(lines[0])
def raw(v):
    if isinstance(v, list) and all(isinstance(x, int) for x in v):
        return bytes(v)
    assert isinstance(v, str), "a field given twice: %r" % (v,)
    return v.encode()
exe = os.fsencode(sys.argv[2])
assert raw(e["COREDUMP_EXE"]) == exe, "COREDUMP_EXE is %r" % raw(e["COREDUMP_EXE"])
assert raw(e["COREDUMP_PID"]) == sys.argv[3].encode(), "COREDUMP_PID is %r" % e["COREDUMP_PID"]
assert raw(e["MESSAGE"]).startswith(b"Process "), "MESSAGE is %r" % raw(e["MESSAGE"])
for k in e:
    assert b"injected" not in k.encode(), "a field %r" % k
print("hostile name: %d fields, COREDUMP_EXE byte-exact, one MESSAGE" % len(e))
PY

kernel=$(journal_entries _TRANSPORT=kernel)
expect_eq "entries of the kernel's log in the test's journal" 0 "$kernel"
expect_no_sanitizer_report
echo PASS
