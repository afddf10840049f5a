#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# libcrashd against the real thing.  The library is installed (cmake
# --install into $T) and a multithreaded HTTP server (snapshot_server.c)
# is built against it with pkg-config crashd.  While 8 clients keep it
# busy, two requests fail a CRASHD_ASSERT: every request is answered
# within a bound, each failure is one snapshot dump (kind snapshot, the
# reason, SIGABRT, a backtrace whose crashing thread shows the handler),
# the server has no zombie child, and past the ceiling
# (CRASHD_SNAPSHOT_LIMIT=2/3600) crashd_snapshot() says 0 and the hook
# counts nothing.
source "$(dirname "$0")/../daemon/lib_daemon.sh"

[[ -n ${CRASHD_BUILD_DIR:-} ]] || fail "CRASHD_BUILD_DIR is not set; run the tests through ctest"
command -v cc >/dev/null || skip "no C compiler to build the test server with"

info "install libcrashd, build the server against it"
cmake --install "$CRASHD_BUILD_DIR" --prefix "$T/prefix" >"$T/install.log" 2>&1 ||
	fail "cmake --install: $(tail -5 "$T/install.log")"
pc=$(find "$T/prefix" -name crashd.pc | head -n1)
[[ -n $pc ]] || fail "no crashd.pc installed under $T/prefix"
export PKG_CONFIG_PATH=${pc%/crashd.pc}
flags=$(pkg-config --cflags --libs crashd) || fail "pkg-config crashd failed"
libdir=$(pkg-config --variable=libdir crashd)
[[ -e $libdir/libcrashd.so.1 && -e $libdir/libcrashd.a ]] ||
	fail "no libcrashd.so.1 and libcrashd.a in $libdir"
# shellcheck disable=SC2086
cc -g -O1 -Wall -Werror -pthread -o "$T/server" "$(dirname "$0")/snapshot_server.c" \
	$flags -Wl,-rpath,"$libdir" 2>"$T/cc.log" || fail "building the server: $(cat "$T/cc.log")"

# Two exec actions: one for snapshots alone, one for crashes alone.
mkdir -p "$T/prom"
write_daemon_config mode=mini remove_duplicates=false every=1 \
	actions="$(log_action), $(rec_action snap 'match = { kind = "snapshot"; };'), $(rec_action crash 'match = { kind = [ "crash" ]; };'), { name = \"metrics\"; type = \"metrics\"; path = \"$T/prom/crashd.prom\"; }"
register
start_daemon
seen0=$(counter seen)

CRASHD_SNAPSHOT_LIMIT=2/3600 setpriv --pdeathsig KILL "$T/server" >"$T/server.out" 2>"$T/server.err" \
	9>&- {CRASHD_GUARD_FD}>&- &
SERVER=$!
SERVER_PIDS+=("$SERVER")
wait_until 5 "the server's port" grep -q '^port ' "$T/server.out"
port=$(awk '/^port / { print $2 }' "$T/server.out")

info "8 clients, 2 failed assertions and a snapshot past the ceiling"
/usr/bin/python3 - "$port" >"$T/load.out" <<'PY' || fail "the load: $(cat "$T/load.out")"
import http.client, sys, threading, time
port = int(sys.argv[1])
lat, errors = [], []
def get(path):
    t = time.monotonic()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", path)
    r = c.getresponse()
    body = r.read().decode()
    lat.append(time.monotonic() - t)
    return r.status, body
def client():
    for _ in range(50):
        try:
            s, b = get("/")
            if (s, b) != (200, "ok"):
                errors.append((s, b))
        except Exception as e:
            errors.append(repr(e))
ts = [threading.Thread(target=client) for _ in range(8)]
for t in ts:
    t.start()
time.sleep(0.05)
a1 = get("/assert")
time.sleep(0.2)
a2 = get("/assert")
time.sleep(0.2)
snap = get("/snap")
for t in ts:
    t.join()
print("asserts", a1, a2)
print("snap", snap)
print("requests %d errors %d max_latency_ms %.1f" % (len(lat), len(errors), 1000 * max(lat)))
assert not errors, errors[:5]
assert a1 == (500, "assert") and a2 == (500, "assert"), (a1, a2)
assert snap == (200, "snapshot=0"), snap
assert max(lat) < 2.0, max(lat)
PY
cat "$T/load.out"

info "two snapshot dumps, each processed"
snaps() { spool_dumps | grep -c -- '-server$' || true; }
two() { [[ $(snaps) == 2 ]]; }
wait_until 10 "two dumps of the server" two
for d in $(spool_dumps | grep -- '-server$'); do
	DUMP=$SPOOL/$d
	wait_processed "$DUMP"
	expect_item kind snapshot
	expect_item signal 6
	"$CRASHD_CLI" -c "$CONF" info "${DUMP##*/}" >"$T/info.out" || fail "crashd-cli info failed"
	grep -qE '^  kind +snapshot$' "$T/info.out" || fail "crashd-cli info does not say snapshot: $(head -5 "$T/info.out")"
	reason=$(cat "$DUMP/snapshot_reason")
	[[ $reason == 'assertion failed: strcmp(path, "/assert") != 0 at '*'snapshot_server.c:'[0-9]*' in check_invariant()' ]] ||
		fail "snapshot_reason: $reason"
	tid=$(cat "$DUMP/tid")
	awk -F'\t' -v t="$tid" '$1 == t { print $4 }' "$DUMP/backtrace_frames" | grep -qx check_invariant ||
		fail "the crashing thread's backtrace does not show check_invariant: $(cat "$DUMP/backtrace")"
	# The where line and signature skip libcrashd's and libc's frames.
	where=$(cat "$DUMP/where" 2>/dev/null) || fail "no where item: $(ls "$DUMP")"
	[[ $where == check_invariant+0x* ]] ||
		fail "where is '$where', not the caller of CRASHD_ASSERT: $(head -8 "$DUMP/backtrace")"
	grep -Eq '^  where +check_invariant\+0x' "$T/info.out" ||
		fail "crashd-cli info's where is not check_invariant: $(grep where "$T/info.out")"
	sig=$(cat "$DUMP/signature")
	[[ -z ${snap_sig:-} || $snap_sig == "$sig" ]] ||
		fail "two snapshots of one site have two signatures: $snap_sig, $sig"
	snap_sig=$sig
	expect_eq "threads in the snapshot's core" 1 "$(awk -F'\t' '{ print $1 }' "$DUMP/backtrace_frames" | sort -u | wc -l)"
done
expect_eq "crashes the hook saw" $((seen0 + 2)) "$(counter seen)"
info "the daemon tells a snapshot from a crash"
runs=$(grep -l '^CRASHD_REASON=snapshot of server: assertion failed: ' "$RUNS"/* 2>/dev/null | wc -l)
expect_eq "runs of the exec action with the snapshot's reason" 2 "$runs"
expect_eq "runs of the crash-only exec action" 0 "$(grep -l '^CRASHD_EVENT_ID=.*/crash$' "$RUNS"/* 2>/dev/null | wc -l)"
"$CRASHD_CLI" -c "$CONF" list --kind snapshot >"$T/list.out" || fail "crashd-cli list --kind snapshot failed"
expect_eq "snapshots listed by list --kind snapshot" 2 "$(grep -c ' snapshot ' "$T/list.out")"
"$CRASHD_CLI" -c "$CONF" list --kind crash >"$T/list.out" || fail "crashd-cli list --kind crash failed"
grep -q -- '-server ' "$T/list.out" && fail "list --kind crash shows the snapshots: $(cat "$T/list.out")"
"$CRASHD_CLI" -c "$CONF" list --json >"$T/list.json"
/usr/bin/python3 -c 'import json, sys; v = [d for d in json.load(open(sys.argv[1])) if d["kind"] == "snapshot"]; assert len(v) == 2, v' "$T/list.json" ||
	fail "list --json has not two dumps of kind snapshot"

# Counted as snapshots, not as crashes.
prom=$T/prom/crashd.prom
grep -qE '^crashd_snapshots_total\{executable="[^"]*/server",.*\} 2$' "$prom" ||
	fail "no crashd_snapshots_total of the server at 2: $(grep -E 'snapshots|crashes_total' "$prom")"
grep -qE '^crashd_crashes_total\{executable="[^"]*/server"' "$prom" &&
	fail "the snapshots are in crashd_crashes_total: $(grep crashes_total "$prom")"

info "no zombie left to the server"
zombies=$(ps -o stat= --ppid "$SERVER" | grep -c '^Z' || true)
expect_eq "zombie children of the server" 0 "$zombies"
kill -0 "$SERVER" || fail "the server died"
echo PASS
