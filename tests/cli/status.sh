#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# crashd-cli status: says the hook is registered with the exact line in
# core_pattern only while it is crashd's own line for this config (and
# the hook that --hook names), tells another crashd's line and another
# handler's apart and shows crashd's, names what "install" replaced,
# knows the daemon by its locked pid file (not by a process named
# crashd), and shows core_pipe_limit, suid_dumpable, the spool's dumps and
# the hook's counters.
source "$(dirname "$0")/lib_cli.sh"

[[ -x ${CRASHD_DAEMON:-} ]] || fail "CRASHD_DAEMON is not set; run the tests through ctest"
PID_FILE=$T/run/crashd.pid
# status_config [write_config's key=value...]: with a pid file of the
# test's own (never the system's /run/crashd/crashd.pid).
status_config() {
	write_config "$@"
	printf 'daemon = { pid_file = "%s"; };\n' "$PID_FILE" >>"$CONF"
	"$CRASHD_CLI" check-config "$CONF" >"$T/check-config.out" 2>&1 ||
		fail "the test's config is refused: $(cat "$T/check-config.out")"
}
# registered_hook: the program core_pattern runs (lib.sh's sanitizer
# wrapper in an ASan build): what status needs as --hook.
registered_hook() {
	local p
	p=$(cat /proc/sys/kernel/core_pattern)
	p=${p%% *}
	printf '%s' "${p#|}"
}

status_config
cli_register
HOOK=$(registered_hook)
copy_victim victim
crash_and_wait "$T/victim" segv
crash_and_wait -s 6 "$T/victim" abort

info "registered: crashd's own line"
cli status --hook "$HOOK"
expect_err_empty
expect_out_line 1 "hook:     registered: $REGISTERED"
expect_out_line 2 "          core_pipe_limit 8, fs.suid_dumpable 2"
expect_out_line 3 "daemon:   not running"
expect_out "^spool:    $SPOOL: 2 dumps, [0-9.]+[KMG]? \\(retention max_size 4G, max_count 5000\\)\$"
expect_out '^crashes:  2 seen, 2 stored; not stored: 0 ignored, 0 over a rate limit, 0 failed; dumps: 2 cores kept, 0 cores skipped, 0 degraded$'
# The counters are those of "counters".
cli counters
expect_out '^seen 2$'
expect_out '^stored 2$'
expect_out '^cores_kept 2$'

info "another crashd-hook than --hook names: another crashd's line"
cli status --hook /usr/libexec/crashd-hook
expect_out_line 1 "hook:     NOT registered; core_pattern holds another crashd's line (another binary or config): $REGISTERED"
expect_out_line 2 "          crashd's line for this config: ${REGISTERED/"|$HOOK "/|/usr/libexec/crashd-hook }"

info "the same hook with another config: another crashd's line"
other=${REGISTERED/" -c $CONF "/" -c $T/other.conf "}
[[ $other != "$REGISTERED" ]] || fail "the registered line has no -c $CONF: $REGISTERED"
printf '%s\n' "$other" >/proc/sys/kernel/core_pattern
cli status --hook "$HOOK"
expect_out_line 1 "hook:     NOT registered; core_pattern holds another crashd's line (another binary or config): $other"
expect_out_line 2 "          crashd's line for this config: $REGISTERED"
printf '%s\n' "$REGISTERED" >/proc/sys/kernel/core_pattern

info "more crashes: the counters follow"
status_config ignore='"*/victim"'
crash_no_dump "$T/victim" segv
cli status --hook "$HOOK"
expect_out_line 1 "hook:     registered: $REGISTERED"
expect_out '^crashes:  3 seen, 2 stored; not stored: 1 ignored, 0 over a rate limit, 0 failed; '

info "a process merely named crashd is no running daemon"
cp /bin/sleep "$T/crashd"
"$T/crashd" 60 9>&- {CRASHD_GUARD_FD}>&- &
fake=$!
at_exit 'kill -KILL "$fake" 2>/dev/null; wait "$fake" 2>/dev/null'
# (Until the background shell has exec'd, its comm is bash's.)
for ((i = 0; i < 500; i++)); do
	[[ $(cat "/proc/$fake/comm") == crashd ]] && break
	nap 0.01
done
[[ $(cat "/proc/$fake/comm") == crashd ]] || fail "the fake's comm is $(cat "/proc/$fake/comm") after 5 s"
cli status --hook "$HOOK"
expect_out_line 3 "daemon:   not running"

info "the real daemon, known by its pid file"
DAEMON_PID=
at_exit '[[ -z $DAEMON_PID ]] || { kill -KILL "$DAEMON_PID" 2>/dev/null; wait "$DAEMON_PID" 2>/dev/null; }'
setpriv --pdeathsig KILL "$CRASHD_DAEMON" -f -c "$CONF" --hook "$HOOK" </dev/null \
	>>"$T/daemon.log" 2>&1 9>&- {CRASHD_GUARD_FD}>&- &
DAEMON_PID=$!
for ((i = 0; i < 1000; i++)); do
	grep -q 'watching ' "$T/daemon.log" && break
	kill -0 "$DAEMON_PID" 2>/dev/null || fail "crashd exited: $(tail -n 20 "$T/daemon.log")"
	nap 0.01
done
((i < 1000)) || fail "crashd did not say 'watching' within 10 s: $(tail -n 20 "$T/daemon.log")"
cli status --hook "$HOOK"
expect_out_line 3 "daemon:   running, pid $DAEMON_PID"
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "crashd exited with $? on SIGTERM: $(tail -n 20 "$T/daemon.log")"
DAEMON_PID=
cli status --hook "$HOOK"
expect_out_line 3 "daemon:   not running"

info "not registered: another handler, and crashd's line for this config"
echo core >/proc/sys/kernel/core_pattern
echo 0 >/proc/sys/kernel/core_pipe_limit
echo 0 >/proc/sys/fs/suid_dumpable
cli status --hook "$HOOK"
expect_out_line 1 "hook:     NOT registered; core_pattern belongs to the kernel (core files): core"
expect_out_line 2 "          crashd's line for this config: $REGISTERED"
expect_out '^          core_pipe_limit 0 \(must be >= 1'
expect_out 'fs.suid_dumpable 0 \(setuid crashes are not seen\)'
coredump='|/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h'
printf '%s\n' "$coredump" >/proc/sys/kernel/core_pattern
cli status --hook "$HOOK"
expect_out_line 1 "hook:     NOT registered; core_pattern belongs to systemd-coredump: $coredump"
expect_out_line 2 "          crashd's line for this config: $REGISTERED"
expect_no_out '^          replaced '

info "install --force over systemd-coredump: status names what it replaced"
cli install --force --hook "$CRASHD_HOOK"
# install registers the line the hook prints: the real hook's path.
HOOK=$(registered_hook)
[[ $HOOK == "$(readlink -f "$CRASHD_HOOK")" ]] || fail "install registered $HOOK, not $CRASHD_HOOK"
cli status --hook "$HOOK"
expect_out_line 1 "hook:     registered: $(cat /proc/sys/kernel/core_pattern)"
expect_out_line 2 "          replaced systemd-coredump: $coredump"
expect_out_line 3 "          core_pipe_limit 256, fs.suid_dumpable 2"

info "a spool that does not exist yet"
status_config spool="$T/nospool"
cli -x 1 status
expect_out "^spool:    $T/nospool: No such file or directory\$"
cli -x 2 status extra
cli -x 2 status --bogus
cli status --help
expect_out '^Usage: crashd-cli status \[OPTIONS\]$'
expect_out '^ +--hook PATH +the hook at PATH'
echo PASS
