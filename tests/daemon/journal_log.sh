#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Where crashd's own log lines go.  The hook: to the journal's socket when
# there is one (PRIORITY, SYSLOG_IDENTIFIER), else to /dev/log, else to
# /dev/kmsg: each way tried in a mount namespace where the ones before it
# are hidden.  The daemon: with stderr the journal's stream (JOURNAL_STREAM,
# as under crashd.service), to the journal with each line's priority and
# the dump's CRASHD_ID.  Against a real systemd-journald (journal_lib.sh).
source "$(dirname "$0")/lib_daemon.sh"
source "$(dirname "$0")/journal_lib.sh"

start_journald

# hook_in NSPID|-: runs the hook with arguments that are no crash's (it
# logs "unexpected arguments" and exits 2) in the mount namespace of
# NSPID, or in a fresh one whose /run is empty and /dev is $DEV
# (no journal socket); sets HOOK_PID.
hook_in() {
	local rc=0 out
	if [[ $1 == - ]]; then
		out=$(unshare -m --propagation private bash -c \
			'mount -t tmpfs tmpfs /run && mount --rbind "$1" /dev && echo $$ && exec "$2" not-a-crash' \
			_ "$DEV" "$CRASHD_HOOK" 2>"$T/hook.err") || rc=$?
	else
		out=$(nsenter -t "$1" -m -- bash -c 'echo $$ && exec "$1" not-a-crash' \
			_ "$CRASHD_HOOK" 2>"$T/hook.err") || rc=$?
	fi
	HOOK_PID=$out
	expect_eq "the hook's exit status on arguments that are no crash's" 2 "$rc"
}

info "the hook, with a journal: to the journal's socket"
hook_in "$JNS_PID"
hook_entry() { [[ $(journal_entries SYSLOG_IDENTIFIER=crashd-hook SYSLOG_PID="$HOOK_PID") -ge 1 ]]; }
wait_until 5 "the hook's line in the journal" hook_entry
jctl -o verbose SYSLOG_IDENTIFIER=crashd-hook SYSLOG_PID="$HOOK_PID" >"$T/hook.journal"
grep -q '^ *PRIORITY=3$' "$T/hook.journal" || fail "the hook's error is not PRIORITY=3: $(cat "$T/hook.journal")"
grep -q '^ *MESSAGE=unexpected arguments' "$T/hook.journal" ||
	fail "not the hook's message: $(cat "$T/hook.journal")"

info "the hook, without a journal: to /dev/log"
DEV=$T/dev-syslog
mkdir "$DEV"
touch "$DEV/null"
mount --bind /dev/null "$DEV/null"
at_exit_umount() { umount "$T/dev-syslog/null" "$T/dev-kmsg/null" "$T/dev-kmsg/kmsg" 2>/dev/null; }
trap 'rc=$?; at_exit_umount; (exit $rc); daemon_on_exit' EXIT
setpriv --pdeathsig KILL /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
open(sys.argv[2] + ".tmp", "wb").write(s.recv(65536))
import os; os.rename(sys.argv[2] + ".tmp", sys.argv[2])
' "$DEV/log" "$T/syslog.out" 9>&- {CRASHD_GUARD_FD}>&- &
SERVER_PIDS+=($!)
wait_until 5 "the test's /dev/log" test -S "$DEV/log"
hook_in -
wait_until 5 "the hook's datagram on /dev/log" test -e "$T/syslog.out"
grep -Eq "^<27>[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} crashd-hook\[$HOOK_PID\]: unexpected arguments" "$T/syslog.out" ||
	fail "the hook's syslog line: $(cat -v "$T/syslog.out")"

info "the hook, without a journal or /dev/log: to /dev/kmsg"
DEV=$T/dev-kmsg
mkdir "$DEV"
touch "$DEV/null" "$DEV/kmsg"
mount --bind /dev/null "$DEV/null"
mount --bind /dev/kmsg "$DEV/kmsg"
hook_in -
kmsg_has() { grep -q "crashd-hook\[$HOOK_PID\]: unexpected arguments" < <(dmesg); }
wait_until 5 "the hook's line in the kernel's log" kmsg_has

info "the daemon, stderr the journal's stream: each line with its priority and CRASHD_ID"
cat >"$T/fail.sh" <<'EOF'
#!/bin/sh
exit 3
EOF
chmod 755 "$T/fail.sh"
write_daemon_config actions='{ name = "log"; type = "log"; }, { name = "bad"; type = "exec"; command = [ "'"$T"'/fail.sh" ]; }'
register
# systemd-cat connects stdout and stderr to the journal's stream; the
# service manager would also set JOURNAL_STREAM, which the wrapper does.
nsenter -t "$JNS_PID" -m -- systemd-cat -t crashd-stream bash -c \
	'export JOURNAL_STREAM=$(stat -L -c %d:%i /proc/self/fd/2) && exec setpriv --pdeathsig KILL "$@"' \
	_ "$CRASHD_DAEMON" -f -c "$CONF" --hook "$REGISTERED_HOOK" </dev/null 9>&- {CRASHD_GUARD_FD}>&- &
DAEMON_PID=$!
watching() { [[ $(journal_entries SYSLOG_IDENTIFIER=crashd PRIORITY=6 _PID="$DAEMON_PID") -ge 1 ]]; }
wait_until 10 "the daemon's first line in the journal" watching
copy_victim victim
d_crash "$T/victim" segv
wait_processed "$DUMP"
name=${DUMP##*/}
jctl -o verbose SYSLOG_IDENTIFIER=crashd CRASHD_ID="$name" >"$T/daemon.journal"
grep -q '^ *MESSAGE=crash: '"$name"': ' "$T/daemon.journal" ||
	fail "the log action's line is not in the journal with CRASHD_ID=$name: $(cat "$T/daemon.journal")"
jctl -o json SYSLOG_IDENTIFIER=crashd CRASHD_ID="$name" >"$T/daemon.json"
/usr/bin/python3 - "$T/daemon.json" "$name" <<'PY' || fail "the failed action's warning is not PRIORITY=4 with CRASHD_ID=$name: $(cat "$T/daemon.journal")"
import json, sys
es = [json.loads(l) for l in open(sys.argv[1])]
w = [e for e in es if e.get("MESSAGE", "").startswith(sys.argv[2] + ": action bad failed")]
assert len(w) == 1 and w[0]["PRIORITY"] == "4", w
PY
expect_eq "lines of the daemon on its stderr stream" 0 \
	"$(journal_entries SYSLOG_IDENTIFIER=crashd-stream)"
echo PASS
