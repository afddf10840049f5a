# SPDX-License-Identifier: GPL-2.0-or-later
# The daemon watches its own registration: with crashd registered and the
# daemon running, another handler's line written into the real
# core_pattern gives, within 15 s, the warning in the log,
# crashd_hook_registered 0 in the metrics file and exactly one mail (to
# the real SMTP server); crashd's line back gives one recovery mail and
# the metric 1.  SIGHUP checks at once.  A daemon started while another
# handler holds core_pattern, after a run that saw crashd registered,
# notifies once (the state persists), and not again at its next start.
# daemon.reclaim_core_pattern = true writes the line back.  An exec
# action sees CRASHD_EVENT=unregistered|registered and no CRASHD_DUMP.

source "$(dirname "$0")/lib_daemon.sh"
source "$(dirname "$0")/mail_lib.sh"

OTHER='|/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h'
PROM=$T/textfile/crashd.prom
mkdir -p "$T/textfile"

start_smtp smtp
# (A small backoff: a retried delivery would not wait a minute.)
conf() {
	write_daemon_config delivery='backoff = "1s";' "$@" \
		actions="$(mail_action page "$SMTP_PORT"), { name = \"metrics\"; type = \"metrics\"; path = \"$PROM\"; }, $(rec_action rec), $(log_action)"
}
conf
register
OURS=$(cat /proc/sys/kernel/core_pattern)

metric_is() {
	grep -qx "crashd_hook_registered $1" "$PROM" 2>/dev/null
}

# mail_says N SUBJECT-PART TEXT-PART: message N (1-based, in arrival
# order) is a host event's mail saying so, as a mail reader parses it.
mail_says() {
	local f
	f=$(ls "$SMTP_DIR"/*.eml | sort | sed -n "$1p")
	[[ -n $f ]] || fail "no message $1 in $SMTP_DIR"
	MAIL_SUBJ=$2 MAIL_TEXT=$3 check_mail "$f" '
s, t = os.environ["MAIL_SUBJ"], os.environ["MAIL_TEXT"]
subj, rcpt = str(m["Subject"]), sorted(env["rcpt_tos"])
expect(s in subj, f"Subject {subj!r} says {s!r}")
expect(t in text, f"the text says {t!r}: {text!r}")
expect(m["X-Crashd-Event"] is not None, "an X-Crashd-Event header")
expect(m["X-Crashd-Id"] is None, "no X-Crashd-Id (there is no dump)")
expect(m["Message-ID"], "a Message-ID")
expect(email.utils.parsedate_to_datetime(m["Date"]), "a Date")
expect(rcpt == ["dev@example.org", "ops@example.org"],
    f"the envelope is to ops@ and dev@: {rcpt}")'
}

# runs_with EVENT: the recording exec action's runs with CRASHD_EVENT=EVENT.
runs_with() {
	local n=0 f
	for f in $(run_files); do
		grep -qx "CRASHD_EVENT=$1" "$f" && n=$((n + 1))
	done
	echo "$n"
}

info "registered, started: no notification, the metric 1"
start_daemon
wait_until 15 "crashd_hook_registered 1 in $PROM: $(cat "$PROM" 2>&1)" metric_is 1
log_has 'not the crash handler' && fail "a warning, though crashd is registered"

info "another handler takes core_pattern: one warning, metric 0, one mail"
printf '%s\n' "$OTHER" >/proc/sys/kernel/core_pattern
wait_until 15 "the warning in the log" \
	log_has "crashd is no longer the crash handler: core_pattern is now '\\|/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h' \\(systemd-coredump\\)"
wait_until 15 "crashd_hook_registered 0 in $PROM: $(cat "$PROM" 2>&1)" metric_is 0
wait_messages 15 "$SMTP_DIR" 1
mail_says 1 "no longer the crash handler" "crashd is no longer the crash handler: core_pattern is now '|/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h'"
mail_says 1 "no longer the crash handler" "crashd-cli install"
mail_says 1 "no longer the crash handler" "systemctl restart crashd-hook"
wait_until 15 "the exec action to run for it" runs_at_least 1
f=$(run_files | tail -n1)
expect_run_var "$f" CRASHD_EVENT unregistered
expect_run_var "$f" CRASHD_HANDLER systemd-coredump
expect_run_var "$f" CRASHD_SUMMARY "crashd is no longer the crash handler: core_pattern is now '$OTHER'"
expect_run_var "$f" NARGS 1 # the command's own argument, no dump path
grep -q '^CRASHD_DUMP=' "$f" && fail "a host event's exec run has CRASHD_DUMP: $(cat "$f")"

info "a check later (SIGHUP): still exactly one mail, one warning"
kill -HUP "$DAEMON_PID"
wait_until 10 "the reload" log_has "reloaded $CONF"
sleep 1
expect_eq "mails after the loss" 1 "$(messages "$SMTP_DIR")"
expect_eq "warnings" 1 "$(log_count 'crashd is no longer the crash handler')"
expect_eq "exec runs" 1 "$(runs_count)"

info "crashd's line back, found at once after SIGHUP: one recovery mail, metric 1"
printf '%s\n' "$OURS" >/proc/sys/kernel/core_pattern
from=$(log_count 'crashd is the crash handler again')
kill -HUP "$DAEMON_PID"
# (Seen by the check SIGHUP makes: well before the 10 s timer.)
wait_until 5 "the recovery in the log after SIGHUP" \
	log_has_n $((from + 1)) 'crashd is the crash handler again'
wait_until 15 "crashd_hook_registered 1 in $PROM" metric_is 1
wait_messages 15 "$SMTP_DIR" 2
mail_says 2 "the crash handler again" "crashd is the crash handler again"
wait_until 15 "the exec action's recovery run" runs_at_least 2
expect_eq "exec runs with CRASHD_EVENT=registered" 1 "$(runs_with registered)"
sleep 11 # one more timed check: nothing new
expect_eq "mails" 2 "$(messages "$SMTP_DIR")"
expect_eq "exec runs" 2 "$(runs_count)"

info "a change while the daemon is down: told once at the start, not at the next"
stop_daemon
printf '%s\n' "$OTHER" >/proc/sys/kernel/core_pattern
start_daemon
wait_messages 15 "$SMTP_DIR" 3
mail_says 3 "no longer the crash handler" "core_pattern is now '|/usr/lib/systemd/systemd-coredump"
wait_until 15 "crashd_hook_registered 0 in $PROM" metric_is 0
# Every delivery done before the restart (a queued one would be resent).
wait_until 15 "the mail's delivery to be recorded" \
	log_has_n 3 'page delivered' 
stop_daemon
start_daemon
sleep 2
kill -HUP "$DAEMON_PID"
wait_until 10 "the reload" log_has_n 2 "reloaded $CONF"
sleep 1
expect_eq "mails after the second start" 3 "$(messages "$SMTP_DIR")"
expect_eq "exec runs with CRASHD_EVENT=unregistered" 2 "$(runs_with unregistered)"
stop_daemon

info "reclaim_core_pattern = true: the daemon writes its line back and says so"
conf reclaim_core_pattern=true
echo 1 >/proc/sys/kernel/core_pipe_limit
start_daemon # its state: not registered, since the loss above was told
wait_until 15 "crashd's line back in core_pattern" \
	test "$(cat /proc/sys/kernel/core_pattern)" == "$OURS"
expect_eq "core_pipe_limit raised to crashd-cli install's minimum" 256 \
	"$(cat /proc/sys/kernel/core_pipe_limit)"
wait_messages 15 "$SMTP_DIR" 4
mail_says 4 "the crash handler again" "crashd wrote its line back"
wait_until 15 "crashd_hook_registered 1 in $PROM" metric_is 1
info "... and again when another handler takes it while it runs"
printf '%s\n' "$OTHER" >/proc/sys/kernel/core_pattern
kill -HUP "$DAEMON_PID"
wait_until 10 "crashd's line back in core_pattern" \
	test "$(cat /proc/sys/kernel/core_pattern)" == "$OURS"
expect_log "crashd is no longer the crash handler: .*wrote crashd's line back"
wait_messages 15 "$SMTP_DIR" 5
mail_says 5 "no longer the crash handler" "crashd wrote its line back"
sleep 11
expect_eq "mails" 5 "$(messages "$SMTP_DIR")"
expect_daemon_alive
stop_daemon
echo "PASS"
