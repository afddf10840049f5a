#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The package item (issue 16), through the real kernel, hook, daemon and
# dpkg, a real SMTP server and a real HTTP server:
# - /usr/bin/sleep killed by SIGSEGV: the daemon names coreutils and its
#   version as dpkg-query says them; crashd-cli info, the mail and the
#   webhook's body show it;
# - a test-built program (not from a package): no package item, no line;
# - /usr/bin/sleep in a mount namespace of its own (a
#   container's view of files): nothing is said rather than the host's
#   package.
source "$(dirname "$0")/lib_daemon.sh"
source "$(dirname "$0")/mail_lib.sh"
source "$(dirname "$0")/webhook_lib.sh"

command -v dpkg-query >/dev/null || skip "dpkg-query is needed (a Debian host)"
command -v unshare >/dev/null || skip "unshare (util-linux) is needed"
sleep_bin=$(readlink -f /usr/bin/sleep)
pkg=$({ dpkg-query -S /usr/bin/sleep /bin/sleep 2>/dev/null || true; } | sed -n 's/^\([^ ,:]*\): .*sleep$/\1/p' | head -n1)
[[ $pkg == coreutils ]] || skip "/usr/bin/sleep is not coreutils' here (dpkg says '$pkg')"
version=$(dpkg-query -W -f='${Version}' coreutils)

start_smtp main
start_http hook
write_daemon_config actions="$(mail_action page "$SMTP_PORT"),
  $(webhook_action hook json "http://127.0.0.1:$HTTP_PORT/"),
  $(log_action)"
register
start_daemon

# runs_sleep PID: PID runs /usr/bin/sleep (no longer the shell or unshare).
runs_sleep() {
	[[ $(readlink "/proc/$1/exe" 2>/dev/null) == "$sleep_bin" ]]
}

# kill_of SIG NUM CMD...: starts CMD (it must stay up), kills it with
# SIG (number NUM), waits for its dump: sets DUMP.
kill_of() {
	local sig=$1 num=$2 before pid rc=0
	shift 2
	before=$(spool_dumps)
	"$@" >/dev/null 2>&1 9>&- {CRASHD_GUARD_FD}>&- &
	pid=$!
	# (Until it runs the program: its exe is no longer this shell's.)
	wait_until 10 "$* to start" runs_sleep "$pid"
	kill -"$sig" "$pid"
	wait "$pid" || rc=$?
	((rc == 128 + num)) || fail "$* exited $rc, expected $((128 + num))"
	wait_until 10 "the dump of $*" new_dump_of "$pid" "$before"
	DUMP=$SPOOL/$NEW_DUMP
}

info "/usr/bin/sleep killed by SIGSEGV: coreutils $version"
kill_of SEGV 11 /usr/bin/sleep 60
SLEEP=$DUMP
wait_processed "$SLEEP"
expect_item package "coreutils $version"
out=$("$CRASHD_CLI" -c "$CONF" info "${SLEEP##*/}")
grep -Eq "^  package +coreutils $version\$" <<<"$out" || fail "info has no package line: $out"
json=$("$CRASHD_CLI" -c "$CONF" info "${SLEEP##*/}" --json)
[[ $(/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["package"])' <<<"$json") == "coreutils $version" ]] ||
	fail "info --json has no package: $json"
wait_messages 20 "$SMTP_DIR" 1
mail=$(ls "$SMTP_DIR"/*.json | head -n1)
MAIL_PKG="coreutils $version" check_mail "${mail%.json}.eml" '
expect("  package     %s\n" % os.environ["MAIL_PKG"] in text, "no package line:\n" + text)
'

info "a test-built program: no package"
copy_victim victim
d_crash "$T/victim" segv
VICTIM=$DUMP
wait_processed "$VICTIM"
DUMP=$VICTIM
expect_absent package
"$CRASHD_CLI" -c "$CONF" info "${VICTIM##*/}" | grep -q '^  package ' &&
	fail "info shows a package for $T/victim"

# (SIGABRT: another dedupe key, so that it is notified too.)
info "/usr/bin/sleep in a mount namespace of its own: nothing said"
kill_of ABRT 6 unshare --mount /usr/bin/sleep 60
OWN=$DUMP
wait_processed "$OWN"
expect_line namespaces '^mnt	mnt:\[[0-9]+\]	own$'
expect_absent package

info "the webhook's bodies"
wait_until 20 "three webhook requests" requests_at_least "$HTTP_DIR" 3
PKG="coreutils $version" HTTP_DIR=$HTTP_DIR SLEEP=${SLEEP##*/} /usr/bin/python3 -c '
import json, os
d = os.environ["HTTP_DIR"]
got = {}
for f in os.listdir(d):
    if f.endswith(".json"):
        r = json.load(open(os.path.join(d, f)))
        b = json.load(open(os.path.join(d, r["body_file"])))
        got[b["dump"]["id"]] = b["dump"]["package"]
assert got.pop(os.environ["SLEEP"]) == os.environ["PKG"], got
assert sorted(got.values()) == ["", ""], got
' || fail "the webhook bodies' package (above)"
stop_daemon
echo "PASS"
