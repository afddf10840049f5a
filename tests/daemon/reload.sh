#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Signals.  SIGHUP with a broken config keeps the daemon running on the
# old one and logs why (file:line: key: problem); so does a config that is
# world-writable.  SIGHUP with a good new config takes effect for the next
# crash.  SIGTERM finishes the action in flight, starts no other, and
# exits 0; the next start runs what is left, and not the finished action
# again.
source "$(dirname "$0")/lib_daemon.sh"

write_daemon_config
register
# The daemon reads a config of its own: the hook, which reads $CONF on
# every crash, must not fall back to its defaults (and the system's
# spool) while the daemon's is broken.
DAEMON_CONF=$T/daemon.conf
cp -p "$CONF" "$DAEMON_CONF"
start_daemon
copy_victim v1
copy_victim v2
copy_victim v3
good=$(cat "$CONF")

info "SIGHUP with an unknown key: the old config stays"
sed 's/^  notify = { /  notify = { bogus = 1; /' <<<"$good" >"$DAEMON_CONF"
line=$(grep -n 'bogus = 1' "$DAEMON_CONF" | cut -d: -f1)
[[ -n $line ]] || fail "could not plant the bad key"
"$CRASHD_CLI" check-config "$DAEMON_CONF" >/dev/null 2>&1 && fail "check-config accepts the broken config"
kill -HUP "$DAEMON_PID"
wait_until 10 "the reload error in the log" log_has "reload: $DAEMON_CONF is not valid, keeping the running config"
expect_log "^crashd: error: $DAEMON_CONF:$line: daemon\.notify\.bogus: unknown key"
expect_daemon_alive "after SIGHUP with a broken config"
d_crash "$T/v1" segv
wait_processed "$DUMP"
sleep 0.3
expect_eq "runs of the exec action" 1 "$(runs_count)"
expect_line actions ' rec done ok: exit 0$'

info "SIGHUP with a world-writable config: refused too"
printf '%s\n' "$good" >"$DAEMON_CONF"
chmod 666 "$DAEMON_CONF"
kill -HUP "$DAEMON_PID"
wait_until 10 "the second reload error" log_has_n 2 'keeping the running config'
expect_log "$DAEMON_CONF: group or world writable"
expect_daemon_alive "after SIGHUP with a world-writable config"
chmod 644 "$DAEMON_CONF"

info "SIGHUP with a good new config: it takes effect"
write_daemon_config actions="$(rec_action rec2), $(log_action)"
cp -p "$CONF" "$DAEMON_CONF"
kill -HUP "$DAEMON_PID"
wait_until 10 "'reloaded' in the log" log_has "reloaded $DAEMON_CONF"
d_crash "$T/v2" segv
wait_processed "$DUMP"
sleep 0.3
expect_eq "runs of the exec action" 2 "$(runs_count)"
expect_run_var "$(run_files | tail -n1)" CRASHD_EVENT_ID "${DUMP##*/}/rec2"
expect_line actions ' rec2 done ok: exit 0$'
expect_no_line actions ' rec (start|done)'

info "SIGTERM finishes the action in flight and exits 0"
cat >"$T/slow.sh" <<EOS
#!/bin/sh
echo started >"$T/slow.started"
sleep 1.5
echo finished >"$T/slow.finished"
EOS
chmod 755 "$T/slow.sh"
write_daemon_config actions="{ name = \"slow\"; type = \"exec\"; command = [ \"$T/slow.sh\" ]; timeout = \"20s\"; }, $(rec_action), $(log_action)"
cp -p "$CONF" "$DAEMON_CONF"
kill -HUP "$DAEMON_PID"
wait_until 10 "the second 'reloaded'" log_has_n 2 "reloaded $DAEMON_CONF"
d_crash "$T/v3" segv
wait_until 10 "the slow action to start" test -e "$T/slow.started"
kill -TERM "$DAEMON_PID"
stop_daemon # waits for the exit, expects 0
[[ -e $T/slow.finished ]] || fail "the action in flight was not finished"
expect_line actions ' slow done ok: exit 0$'
expect_no_line actions ' rec start'
expect_absent processed
expect_log '^crashd: info: stopped$'
expect_eq "runs of the exec action" 2 "$(runs_count)"

info "restart: what was left runs, the finished action does not run again"
rm -f "$T/slow.started"
start_daemon
wait_processed "$DUMP"
sleep 0.3
[[ ! -e $T/slow.started ]] || fail "the finished slow action ran again"
expect_eq "slow actions in the record" 1 "$(journal_count "$DUMP" ' slow start')"
expect_line actions ' rec done ok: exit 0$'
expect_eq "runs of the exec action" 3 "$(runs_count)"
stop_daemon
echo "PASS"
