#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The daemon's pid file (daemon.pid_file): written and held locked while
# crashd runs, removed at a clean exit; a second daemon on it refuses to
# start and names the first; crashd-cli status knows the daemon by it.
# A local user (created by the test) can neither keep the daemon from
# starting by locking a stale, world-readable pid file, nor make status
# report a daemon that is not running; a pid file in a directory others
# may write is refused.
source "$(dirname "$0")/lib_daemon.sh"

command -v flock >/dev/null || skip "flock (util-linux) is not installed"
PY=/usr/bin/python3
[[ -x $PY ]] || skip "$PY is needed to take a read lock as the user"

write_daemon_config
register

status_daemon() { # the daemon: line of crashd-cli status, run by "$@"
	local rc=0
	# (1 while there is no spool yet: it says so, after the daemon line.)
	"$@" "$CRASHD_CLI" -c "$CONF" status >"$T/status.out" 2>"$T/status.err" || rc=$?
	((rc <= 1)) || echo "crashd-cli status exited $rc: $(cat "$T/status.err")"
	grep '^daemon: ' "$T/status.out" || echo "no daemon: line: $(cat "$T/status.out" "$T/status.err")"
}
expect_status() { # TEXT [USER_CMD...]
	local want=$1
	shift
	expect_eq "crashd-cli status's daemon line${1:+ (run by $*)}" "daemon:   $want" "$(status_daemon "$@")"
}

info "not started yet: no pid file, not running"
[[ ! -e $PID_FILE ]] || fail "$PID_FILE exists before the daemon ran"
expect_status "not running"

info "running: the pid file names it and is held"
start_daemon
expect_eq "the pid file" "$DAEMON_PID" "$(cat "$PID_FILE")"
expect_eq "the pid file's owner and mode" "0:0 644 regular file" "$(stat -c '%u:%g %a %F' "$PID_FILE")"
expect_eq "its directory (made by crashd)" "0:0 755" "$(stat -c '%u:%g %a' "${PID_FILE%/*}")"
expect_eq "the lock file" "0:0 600" "$(stat -c '%u:%g %a' "$PID_FILE.lock")"
expect_status "running, pid $DAEMON_PID"

info "a second daemon on the same pid file refuses to start"
rc=0
"$CRASHD_DAEMON" -f -c "$CONF" </dev/null >"$T/second.log" 2>&1 9>&- {CRASHD_GUARD_FD}>&- || rc=$?
expect_eq "the second daemon's exit status" 1 "$rc"
grep -q "another crashd is running (pid $DAEMON_PID, pid file $PID_FILE), not starting" "$T/second.log" ||
	fail "the second daemon did not name the first: $(cat "$T/second.log")"
expect_daemon_alive
expect_eq "the pid file after the refusal" "$DAEMON_PID" "$(cat "$PID_FILE")"
expect_status "running, pid $DAEMON_PID"

info "a clean exit removes the pid file"
stop_daemon
[[ ! -e $PID_FILE && ! -e $PID_FILE.lock ]] ||
	fail "left after a clean exit: $(ls -la "${PID_FILE%/*}")"
expect_status "not running"

info "killed: a stale pid file is no running daemon, and stops no new one"
start_daemon
old=$DAEMON_PID
kill_daemon
[[ -e $PID_FILE ]] || fail "no pid file left by a killed daemon"
expect_status "not running"
start_daemon
expect_eq "the pid file" "$DAEMON_PID" "$(cat "$PID_FILE")"
[[ $DAEMON_PID != "$old" ]] || fail "the same pid twice"
stop_daemon

info "a user locking a stale pid file"
user=crashdpidtest
test_user "$user"
pidfile_on_exit() {
	local rc=$? p
	set +e
	for p in "${SERVER_PIDS[@]}"; do
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	(exit "$rc")
	daemon_on_exit
}
trap pidfile_on_exit EXIT
uid=$TEST_UID
# A stale file as a killed daemon leaves it, naming a live process that
# is merely called crashd.
cp /bin/sleep "$T/crashd"
"$T/crashd" 120 9>&- {CRASHD_GUARD_FD}>&- &
fake=$!
SERVER_PIDS+=("$fake")
printf '%s\n' "$fake" >"$PID_FILE"
chmod 644 "$PID_FILE"
# The user takes a shared flock, a read lock (fcntl, OFD) and a POSIX
# read lock on it: all a reader can take.  (One process: nothing of it
# outlives the kill on exit.)
mkdir "$T/u"
chown "$user" "$T/u"
# (setpriv itself, not as_user: $! must be the process that holds them.)
"${AS_USER[@]}" "$PY" -I -c '
import fcntl, os, struct, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY)
fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
fcntl.fcntl(fd, 37, struct.pack("hhqqi", fcntl.F_RDLCK, 0, 0, 0, 0)) # F_OFD_SETLK
fd2 = os.open(sys.argv[1], os.O_RDONLY)
fcntl.lockf(fd2, fcntl.LOCK_SH | fcntl.LOCK_NB)
open(sys.argv[2], "w").close()
time.sleep(120)' "$PID_FILE" "$T/u/locked" 9>&- {CRASHD_GUARD_FD}>&- &
SERVER_PIDS+=($!)
wait_until 10 "the user's locks" test -e "$T/u/locked"
ino=$(stat -c %i "$PID_FILE")
expect_eq "the user's locks on the pid file (FLOCK, OFDLCK, POSIX)" 3 \
	"$(grep -c ":$ino " /proc/locks)"
expect_status "not running"
expect_status "not running" as_user
# The user may not write there to plant a file of their own.
(as_user touch "${PID_FILE%/*}/x" 2>/dev/null) && fail "the user could create a file beside the pid file"

info "the daemon starts all the same, and status sees it (root and the user)"
start_daemon
expect_eq "the pid file" "$DAEMON_PID" "$(cat "$PID_FILE")"
expect_status "running, pid $DAEMON_PID"
expect_status "running, pid $DAEMON_PID" as_user
stop_daemon
expect_status "not running" as_user

info "a pid file in a directory others may write: refused, with why"
mkdir -m 1777 "$T/open"
write_daemon_config pid_file="$T/open/crashd.pid"
rc=0
"$CRASHD_DAEMON" -f -c "$CONF" </dev/null >"$T/open.log" 2>&1 9>&- {CRASHD_GUARD_FD}>&- || rc=$?
expect_eq "exit status with a world-writable pid file directory" 1 "$rc"
grep -q "pid file $T/open/crashd.pid: its directory or a file in it may be written by someone else than root, not starting" "$T/open.log" ||
	fail "no clear error for the world-writable directory: $(cat "$T/open.log")"

info "a relative pid_file is a config error naming the line"
write_daemon_config
sed -i 's|pid_file = "[^"]*";|pid_file = "crashd.pid";|' "$CONF"
line=$(grep -n 'pid_file = "crashd.pid"' "$CONF" | cut -d: -f1)
rc=0
"$CRASHD_DAEMON" -f -c "$CONF" </dev/null >"$T/rel.log" 2>&1 9>&- {CRASHD_GUARD_FD}>&- || rc=$?
expect_eq "exit status with a relative pid_file" 1 "$rc"
grep -q "^$CONF:$line: daemon.pid_file: expected an absolute path, got \"crashd.pid\"" "$T/rel.log" ||
	fail "no clear error for a relative pid_file: $(cat "$T/rel.log")"
echo PASS
