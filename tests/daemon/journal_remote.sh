#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The journal as the fleet's transport: crashd's entries, shipped by the
# real systemd-journal-upload to a real systemd-journal-remote listening
# on loopback, are a collector's coredumps.  Two crashes in two UTS
# namespaces (hostnames crashd-host-a and crashd-host-b) both appear in
# "coredumpctl --directory COLLECTOR list", each with its hostname.
source "$(dirname "$0")/lib_daemon.sh"
source "$(dirname "$0")/journal_lib.sh"

REMOTE=/lib/systemd/systemd-journal-remote
UPLOAD=/lib/systemd/systemd-journal-upload
[[ -x $REMOTE && -x $UPLOAD ]] ||
	skip "no $REMOTE or $UPLOAD (Debian's systemd-journal-remote package; ./setup installs it)"
unpack_coredumpctl
start_journald
write_daemon_config mode=mini remove_duplicates=false actions="$(journal_action)"
register
start_daemon
copy_victim victim

pids=()
for h in crashd-host-a crashd-host-b; do
	info "a crash on $h"
	d_crash unshare -u bash -c 'hostname "$1" && exec "$2" segv' _ "$h" "$T/victim"
	wait_processed "$DUMP"
	expect_item hostname "$h"
	pids+=("$(cat "$DUMP/pid")")
done

info "systemd-journal-upload to systemd-journal-remote on loopback"
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir "$T/collector"
setpriv --pdeathsig KILL "$REMOTE" --listen-http="127.0.0.1:$port" \
	--split-mode=none --output="$T/collector/all.journal" \
	</dev/null >"$T/remote.log" 2>&1 9>&- {CRASHD_GUARD_FD}>&- &
SERVER_PIDS+=($!)
listening() { /usr/bin/python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$port" 2>/dev/null; }
wait_until 10 "systemd-journal-remote to listen on 127.0.0.1:$port" listening
in_jns "$UPLOAD" --url="http://127.0.0.1:$port" -D "$JOURNAL_DIR" --follow=no \
	--save-state="$T/upload.state" >"$T/upload.log" 2>&1 ||
	fail "systemd-journal-upload failed: $(cat "$T/upload.log")"

collected() {
	"$COREDUMPCTL" --no-pager -D "$T/collector" list >"$T/list.out" 2>&1 &&
		grep -q " ${pids[0]} .*SIGSEGV" "$T/list.out" && grep -q " ${pids[1]} .*SIGSEGV" "$T/list.out"
}
wait_until 10 "both crashes in the collector's coredumpctl list" collected
for i in 0 1; do
	"$COREDUMPCTL" --no-pager -D "$T/collector" info "${pids[i]}" >"$T/info.$i" 2>&1 ||
		fail "coredumpctl -D collector info ${pids[i]}: $(cat "$T/info.$i")"
	h=crashd-host-$([[ $i == 0 ]] && echo a || echo b)
	grep -q "Hostname: $h$" "$T/info.$i" || fail "the collected crash of pid ${pids[i]} is not from $h: $(cat "$T/info.$i")"
done
echo "collector: $(grep -c SIGSEGV "$T/list.out") crashes from 2 hostnames via journal-upload -> journal-remote"
echo PASS
