#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# crashd under systemd's notify protocol (Type=notify, WatchdogSec=), with
# a real unix datagram socket standing in for systemd: READY=1 comes after
# the backlog is processed and "watching" is logged, STATUS= lines say
# what it does, WATCHDOG=1 keeps coming at half of WATCHDOG_USEC while
# WATCHDOG_PID is the daemon's, and STOPPING=1 comes on SIGTERM.  (Every
# other daemon test runs it without NOTIFY_SOCKET.)
source "$(dirname "$0")/lib_daemon.sh"

PY=/usr/bin/python3
[[ -x $PY ]] || skip "$PY is needed for the notify socket"

write_daemon_config
register
copy_victim victim
copy_victim second
copy_victim third # each its own key: nothing merged away
info "a crash before the daemon runs: its backlog"
d_crash "$T/victim" segv
backlog=$DUMP

SOCK=$T/notify.sock
NLOG=$T/notify.log
: >"$NLOG"
setpriv --pdeathsig KILL "$PY" -I "$(dirname "$0")/notify_listener.py" \
	"$SOCK" "$NLOG" "$DLOG" </dev/null >>"$T/listener.out" 2>&1 9>&- {CRASHD_GUARD_FD}>&- &
SERVER_PIDS+=($!)
wait_until 10 "the notify socket $SOCK" test -S "$SOCK"

notified() { # ERE: some message line matches
	grep -Eq -- "^[0-9]+ $1\$" "$NLOG"
}
notified_count() {
	grep -Ec -- "^[0-9]+ $1\$" "$NLOG" || true
}
at_least() { # N ERE
	(($(notified_count "$2") >= $1))
}
expect_notified() {
	wait_until "${2:-10}" "'$1' on the notify socket; it got: $(cut -d' ' -f2- "$NLOG" | sort | uniq -c | tr '\n' ';')" notified "$1"
}

info "started as systemd starts a Type=notify service with WatchdogSec=4s"
echo "=== start $(date +%T.%N)" >>"$DLOG"
# WATCHDOG_PID is the main process's pid: the shell's, which execs
# setpriv, which execs crashd.
NOTIFY_SOCKET=$SOCK WATCHDOG_USEC=2000000 setpriv --pdeathsig KILL \
	bash -c 'export WATCHDOG_PID=$$; exec "$@"' crashd \
	"$CRASHD_DAEMON" -f -c "$CONF" --hook "$REGISTERED_HOOK" </dev/null >>"$DLOG" 2>&1 9>&- {CRASHD_GUARD_FD}>&- &
DAEMON_PID=$!
expect_notified 'READY=1 watching-logged=[01]'
expect_daemon_alive
notified 'READY=1 watching-logged=1' || fail "READY=1 came before crashd logged 'watching': $(cat "$NLOG")"
expect_eq "READY=1 messages" 1 "$(notified_count 'READY=1.*')"
[[ -e $backlog/processed ]] || fail "READY=1 came before the backlog's dump was processed"
# The marker was written before READY=1 was sent (causal, not a timing).
ready_ns=$(awk '$2 == "READY=1" { print $1; exit }' "$NLOG")
processed_ns=$(stat -c %.9Y "$backlog/processed" | tr -d .)
((processed_ns <= ready_ns)) || fail "processed ($processed_ns) after READY=1 ($ready_ns)"
notified 'STATUS=processing the backlog of .*' || fail "no STATUS= line for the backlog: $(cat "$NLOG")"
notified "STATUS=watching $SPOOL" || fail "no STATUS=watching line: $(cat "$NLOG")"

info "WATCHDOG=1 keeps coming"
wait_until 15 "three WATCHDOG=1 messages; got: $(cat "$NLOG")" at_least 3 'WATCHDOG=1'
n=$(notified_count WATCHDOG=1)
wait_until 15 "more WATCHDOG=1 messages after $n" at_least $((n + 2)) 'WATCHDOG=1'

info "STATUS= follows the dumps processed"
d_crash "$T/second" segv
wait_processed "$DUMP"
expect_notified "STATUS=watching $SPOOL: 2 dumps processed"

info "SIGTERM: STOPPING=1, then a clean exit"
notified 'STOPPING=1' && fail "STOPPING=1 before SIGTERM"
stop_daemon
expect_notified 'STOPPING=1'

info "a WATCHDOG_PID that is not crashd's: no watchdog (as sd_watchdog_enabled says)"
: >"$NLOG"
echo "=== start $(date +%T.%N)" >>"$DLOG"
NOTIFY_SOCKET=$SOCK WATCHDOG_USEC=2000000 WATCHDOG_PID=1 setpriv --pdeathsig KILL \
	"$CRASHD_DAEMON" -f -c "$CONF" --hook "$REGISTERED_HOOK" </dev/null >>"$DLOG" 2>&1 9>&- {CRASHD_GUARD_FD}>&- &
DAEMON_PID=$!
expect_notified 'READY=1 watching-logged=1'
# A crash processed is a turn of the loop that would have pet it.
d_crash "$T/third" segv
wait_processed "$DUMP"
expect_notified "STATUS=watching $SPOOL: 1 dumps processed"
stop_daemon
expect_notified 'STOPPING=1'
expect_eq "WATCHDOG=1 messages for another pid's watchdog" 0 "$(notified_count WATCHDOG=1)"
echo PASS
