#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# exec actions that misbehave: a command that outlives its timeout is
# killed with its whole process group (SIGTERM, then SIGKILL for one that
# ignores SIGTERM) and recorded as failed "timed out"; a failing command's
# exit status and output (escaped, capped) are recorded on one line; a
# command that floods its output or does not exist does not stop the
# daemon; the next actions and the next crash are still processed.
source "$(dirname "$0")/lib_daemon.sh"

cat >"$T/slow.sh" <<EOS
#!/bin/sh
echo \$\$ >"$T/slow.pid"
sleep 60 &
echo \$! >"$T/slow-child.pid"
wait
EOS
cat >"$T/stubborn.sh" <<EOS
#!/bin/sh
trap '' TERM
echo \$\$ >"$T/stubborn.pid"
sleep 60
EOS
cat >"$T/fails.sh" <<'EOS'
#!/bin/sh
printf 'line one\nline two \001\n'
echo "to stderr" >&2
exit 3
EOS
cat >"$T/chatty.sh" <<'EOS'
#!/bin/sh
head -c 1048576 /dev/zero | tr '\0' 'x'
EOS
chmod 755 "$T"/{slow,stubborn,fails,chatty}.sh
only_victim='match = { executable = [ "*/victim" ]; };'
exec_a() { # NAME COMMAND TIMEOUT [MATCH]
	printf '{ name = "%s"; type = "exec"; command = [ "%s" ]; timeout = "%s"; %s }' "$@"
}
write_daemon_config actions="$(exec_a slow "$T/slow.sh" 1s "$only_victim"),
  $(exec_a stubborn "$T/stubborn.sh" 1s "$only_victim"),
  $(exec_a fails "$T/fails.sh" 5s), $(exec_a chatty "$T/chatty.sh" 5s),
  $(exec_a missing "$T/does-not-exist" 5s), $(rec_action), $(log_action)"
register
start_daemon
copy_victim victim
copy_victim other

start=$(date +%s%N)
d_crash "$T/victim" segv
wait_until 20 "the dump to be processed" test -e "$DUMP/processed"
elapsed=$((($(date +%s%N) - start) / 1000000))
info "processed in $elapsed ms"
expect_daemon_alive
# 1 s + (1 s + 2 s of grace) and the rest: far less than the 60 s sleeps.
((elapsed < 15000)) || fail "processing took $elapsed ms: the timeouts did not cut the actions short"

info "timeouts: the process groups are gone"
expect_line actions '^[0-9T:-]+Z slow done failed: timed out after 1000ms$'
expect_line actions '^[0-9T:-]+Z stubborn done failed: timed out after 1000ms$'
for p in slow slow-child stubborn; do
	[[ -s $T/$p.pid ]] || fail "$p did not start"
	pid=$(cat "$T/$p.pid")
	! pid_alive "$pid" || fail "$p (pid $pid) still runs after the timeout"
done
expect_log "action slow failed: timed out after 1000ms"

info "a failing command: status and output, escaped, on one line"
expect_line actions '^[0-9T:-]+Z fails done failed: exit 3, output: line one\\nline two \\(001|x01)\\nto stderr\\n$'
info "a flood of output: capped"
expect_line actions '^[0-9T:-]+Z chatty done ok: exit 0, output: x+$'
len=$(grep ' chatty done ' "$DUMP/actions" | wc -c)
((len < 5000)) || fail "the chatty action's record line is $len bytes"
info "a missing command"
expect_line actions "^[0-9T:-]+Z missing done failed: exit 127, output: exec $T/does-not-exist: No such file or directory\\\\n\$"
info "the actions after them ran, once each"
expect_line actions '^[0-9T:-]+Z rec done ok: exit 0$'
expect_line actions '^[0-9T:-]+Z log done ok: logged$'
expect_eq "lines in the actions record (decision, 7 starts, 7 outcomes)" 15 "$(wc -l <"$DUMP/actions")"
expect_eq "runs of the exec action" 1 "$(runs_count)"

info "the next crash is processed"
d_crash "$T/other" segv
wait_processed "$DUMP"
expect_line actions '^[0-9T:-]+Z rec done ok: exit 0$'
expect_no_line actions ' slow '
expect_eq "runs of the exec action" 2 "$(runs_count)"
stop_daemon
echo "PASS"
