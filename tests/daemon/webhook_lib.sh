# SPDX-License-Identifier: GPL-2.0-or-later
# webhook_lib.sh: sourced by the webhook tests after lib_daemon.sh.  It
# starts real HTTP servers on loopback (http_server.py, one per script of
# answers), killed on every exit path by lib_daemon.sh (they also die
# with the test: parent-death signal), and the libconfig text of webhook
# actions.

HTTP_SERVER=$(dirname "${BASH_SOURCE[0]}")/http_server.py
[[ -x /usr/bin/python3 ]] || skip "/usr/bin/python3 is needed for the HTTP server"
# libcurl in crashd honours these; the receivers are on loopback.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY

# fail, as in lib_daemon.sh, with the end of the HTTP servers' log.
eval "daemon_fail() $(declare -f fail | tail -n +2)"
fail() {
	if [[ -s $T/http.log ]]; then
		echo "--- HTTP servers' log (last 20 lines):" >&2
		tail -n 20 "$T/http.log" | cut -c1-300 | cat -v >&2
	fi
	daemon_fail "$@"
}

# start_http NAME [http_server.py options...]: a server recording into
# $T/http-NAME; sets HTTP_PORT (its port) and HTTP_DIR.
start_http() {
	local name=$1
	shift
	HTTP_DIR=$T/http-$name
	setpriv --pdeathsig KILL /usr/bin/python3 "$HTTP_SERVER" \
		--dir "$HTTP_DIR" --port-file "$T/http-$name.port" "$@" \
		</dev/null >>"$T/http.log" 2>&1 9>&- {CRASHD_GUARD_FD}>&- &
	SERVER_PIDS+=($!)
	wait_until 10 "http_server.py $name to listen" test -s "$T/http-$name.port"
	HTTP_PORT=$(cat "$T/http-$name.port")
}

# requests DIR: how many requests a server recorded.
requests() {
	find "$1" -maxdepth 1 -name '*.json' | wc -l
}

requests_at_least() {
	(($(requests "$1") >= $2))
}

# webhook_action NAME FORMAT URL [MORE]: the libconfig text of an action.
webhook_action() {
	printf '{ name = "%s"; type = "webhook"; format = "%s"; url = "%s"; %s }' \
		"$1" "$2" "$3" "${4:-}"
}
