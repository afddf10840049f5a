# SPDX-License-Identifier: GPL-2.0-or-later
# mail_lib.sh: sourced by the mail tests (tests/daemon/mail*.sh), after
# lib_daemon.sh.  It runs the real SMTP server (smtp_server.py, Debian's
# python3-aiosmtpd under /usr/bin/python3) on 127.0.0.1 (lib_daemon.sh
# kills it on every exit path), and reads what it received with Python's email
# package: the tests assert on the message as a mail reader parses it.

SMTP_SERVER=$(dirname "${BASH_SOURCE[0]}")/smtp_server.py
[[ -x /usr/bin/python3 ]] || skip "/usr/bin/python3 is needed for the SMTP server"
/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null ||
	skip "Debian's python3-aiosmtpd is needed for the SMTP server"

# free_port: a port nothing listens on (now).
free_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_smtp NAME [ARGS...]: starts smtp_server.py saving into $T/NAME,
# with ARGS (see its header: --port, --cert, --auth...), and waits until
# it listens.  Sets SMTP_PORT and SMTP_DIR.
start_smtp() {
	local name=$1
	shift
	rm -f "$T/$name.port"
	mkdir -p "$T/$name"
	# It dies with this shell, and holds neither the lock nor the
	# guardian's pipe.
	setpriv --pdeathsig KILL /usr/bin/python3 "$SMTP_SERVER" \
		--dir "$T/$name" --port-file "$T/$name.port" "$@" \
		</dev/null >>"$T/$name.log" 2>&1 9>&- {CRASHD_GUARD_FD}>&- &
	SERVER_PIDS+=($!)
	wait_until 10 "smtp_server.py ($name) to listen: $(cat "$T/$name.log" 2>/dev/null)" \
		test -s "$T/$name.port"
	SMTP_PORT=$(cat "$T/$name.port")
	SMTP_DIR=$T/$name
}

# messages DIR: how many messages the server of DIR received.
messages() {
	local f n=0
	for f in "$1"/*.json; do
		[[ -e $f ]] && n=$((n + 1))
	done
	echo "$n"
}

messages_at_least() {
	(($(messages "$1") >= $2))
}

# wait_messages SECONDS DIR N: until the server has N messages.
wait_messages() {
	wait_until "$1" "$3 message(s) in $2 (the daemon's log says what happened)" \
		messages_at_least "$2" "$3"
}

# mail_action NAME PORT [MORE]: a mail action to ops@ and dev@example.org.
mail_action() {
	printf '{ name = "%s"; type = "mail"; to = [ "ops@example.org", "dev@example.org" ]; smtp = "smtp://127.0.0.1:%s"; %s }' \
		"$1" "$2" "${3:-}"
}

# check_mail FILE.eml PYTHON: runs PYTHON with m (the message parsed by
# Python's email package, policy default), raw (its bytes), env (the
# server's envelope record), text (the decoded text/plain body) and
# expect(cond, what); the environment's MAIL_* variables are in os.environ.
check_mail() {
	local out
	out=$(/usr/bin/python3 - "$1" "${1%.eml}.json" 2>&1 <<EOF
import email, email.policy, email.utils, json, os, sys, time
raw = open(sys.argv[1], "rb").read()
env = json.load(open(sys.argv[2]))
m = email.message_from_bytes(raw, policy=email.policy.default)
body = m.get_body(("plain",))
# (CRLF, as on the wire: lines read as lines)
text = body.get_content().replace("\r\n", "\n") if body is not None else ""
def expect(cond, what):
    if not cond:
        print("FAILED:", what)
        sys.exit(1)
$2
EOF
	) || fail "the mail $1 is not as expected: $out"$'\n'"--- the message:"$'\n'"$(head -c 6000 "$1" | cat -v)"
}
