# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# lib_cli.sh: sourced by the crashd-cli tests.  It sources
# ../integration/lib.sh (root check, the core_pattern lock, save/restore,
# $T, $CONF, $SPOOL, crash helpers, assertions) and adds what the CLI tests
# share: running crashd-cli with its output kept, reading its table,
# checking JSON with the system python, and exit hooks.

source "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh"

[[ -x $CRASHD_CLI ]] || fail "CRASHD_CLI=$CRASHD_CLI is not an executable"
# The system python: the one on PATH may be a pyenv shim.
PY=/usr/bin/python3
[[ -x $PY ]] || skip "$PY is needed to check crashd-cli's JSON"

source "$(dirname "${BASH_SOURCE[0]}")/lib_sanitizer.sh"
unset NO_COLOR

# at_exit CMD: runs CMD (eval'd) when the test exits, before lib.sh puts
# core_pattern back.  Latest first.
CLI_AT_EXIT=()
at_exit() {
	CLI_AT_EXIT=("$1" "${CLI_AT_EXIT[@]}")
}
cli_on_exit() {
	local rc=$? c
	set +e
	for c in "${CLI_AT_EXIT[@]}"; do
		eval "$c"
	done
	(exit "$rc")
	crashd_on_exit
}
trap cli_on_exit EXIT

OUT=$T/cli.out
ERR=$T/cli.err

# cli [-u USER_CMD] [-x STATUS] ARGS...: runs crashd-cli -c $CONF ARGS with
# stdout in $OUT and stderr in $ERR, under USER_CMD (e.g. as_nobody) when
# given, and fails unless it exits with STATUS (default 0; "0,1" for
# either).  CLI_RC is the status.
cli() {
	local want=0 pre=()
	while :; do
		case $1 in
		-u)
			pre=("$2")
			shift 2
			;;
		-x)
			want=$2
			shift 2
			;;
		*) break ;;
		esac
	done
	CLI_RC=0
	"${pre[@]}" "$CRASHD_CLI" -c "$CONF" "$@" >"$OUT" 2>"$ERR" 9>&- {CRASHD_GUARD_FD}>&- ||
		CLI_RC=$?
	check_cli_sanitizer "$*"
	[[ ,$want, == *,$CLI_RC,* ]] ||
		fail "crashd-cli $(printf '%q ' "$@")${pre:+(run by ${pre[*]}) }exited $CLI_RC, expected $want; stdout: $(head -c 1500 "$OUT" | cat -v); stderr: $(head -c 1500 "$ERR" | cat -v)"
}

# expect_out ERE / expect_err ERE: some line of stdout / stderr matches.
expect_out() {
	grep -Eq -- "$1" "$OUT" ||
		fail "${2:-stdout} has no line matching /$1/; it is: $(head -c 3000 "$OUT" | cat -v)"
}
expect_err() {
	grep -Eq -- "$1" "$ERR" ||
		fail "stderr has no line matching /$1/; it is: $(head -c 3000 "$ERR" | cat -v)"
}
expect_no_out() {
	! grep -Eq -- "$1" "$OUT" ||
		fail "stdout has a line matching /$1/: $(grep -E -- "$1" "$OUT" | head -3 | cat -v)"
}
expect_no_err() {
	! grep -Eq -- "$1" "$ERR" ||
		fail "stderr has a line matching /$1/: $(grep -E -- "$1" "$ERR" | head -3 | cat -v)"
}
expect_err_empty() {
	[[ ! -s $ERR ]] || fail "expected nothing on stderr, found: $(head -c 1500 "$ERR" | cat -v)"
}
# expect_out_line N TEXT: line N of stdout is exactly TEXT.
expect_out_line() {
	expect_eq "stdout line $1" "$2" "$(sed -n "$1p" "$OUT")"
}

# TABLE_IDS: the ID column of list's table in $OUT, in order.  Checks the
# header and that every other line is a row (TIME with its zone, then a
# dump name).
table_ids() {
	local line n=0
	TABLE_IDS=()
	while IFS= read -r line; do
		n=$((n + 1))
		if ((n == 1)); then
			[[ $line =~ ^TIME\ +ID\ +PID\ +UID\ +SIG\ +EXE\ +COUNT\ +CORE\ +SIZE$ ]] ||
				fail "list's header is $(printf '%q' "$line")"
			continue
		fi
		[[ $line =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}\ [0-9:]{8}\ [A-Za-z0-9+-]+\ +([0-9]{8}T[0-9]{6}\.[0-9]{6}Z-[0-9]+-[A-Za-z0-9._-]+)\ +[0-9]+\ + ]] ||
			fail "list's line $n is no row: $(printf '%q' "$line")"
		TABLE_IDS+=("${BASH_REMATCH[1]}")
	done <"$OUT"
	((n > 0)) || fail "list printed nothing"
}

# expect_list WHAT ID...: list's table in $OUT is the header and exactly
# these dumps, in this order.
expect_list() {
	local what=$1
	shift
	table_ids
	expect_eq "$what: the dumps listed" "$*" "${TABLE_IDS[*]}"
	expect_eq "$what: lines (header + one per dump)" $(($# + 1)) "$(wc -l <"$OUT")"
}

# py CODE [ARG...]: runs CODE with the system python; `out` is the JSON
# value of $OUT (json.loads of the whole output: exactly one value),
# `args` the arguments as bytes, `b(s)` a JSON string's bytes (the \xNN
# rule of crashd-cli(1)), and `check(cond, msg)` fails the test.
py() {
	local code=$1
	shift
	"$PY" -I -c '
import json, os, sys
def check(cond, msg):
    if not cond:
        print("FAIL: " + msg, file=sys.stderr)
        sys.exit(1)
raw = open(sys.argv[1], "rb").read()
try:
    out = json.loads(raw.decode("utf-8"))
except Exception as e:
    check(False, "crashd-cli printed no single valid JSON value (%s): %r" % (e, raw[:300]))
args = [os.fsencode(a) for a in sys.argv[2:]]
import re
def b(s):
    # crashd-cli(1): each \\xHH is the byte 0xHH, left to right.
    return re.sub(rb"\\x([0-9a-fA-F]{2})", lambda m: bytes([int(m[1], 16)]), s.encode("utf-8"))
'"$code" "$OUT" "$@" || fail "the JSON check above failed (output in $OUT: $(head -c 600 "$OUT" | cat -v))"
}

# dump_id: the name of $DUMP.
dump_id() {
	printf '%s' "${DUMP##*/}"
}

# cli_register: register, but keep the registered program's file name
# crashd-hook also in a sanitizer build (lib.sh's wrapper is "hook"), so
# that crashd-cli recognizes the line as crashd's.
cli_register() {
	local line
	register
	line=$(cat /proc/sys/kernel/core_pattern)
	if [[ $line == "|$T/hook "* ]]; then
		mkdir -p "$T/san"
		mv "$T/hook" "$T/san/crashd-hook"
		line="|$T/san/crashd-hook ${line#"|$T/hook "}"
		printf '%s\n' "$line" >/proc/sys/kernel/core_pattern
	fi
	REGISTERED=$(cat /proc/sys/kernel/core_pattern)
}

# age_copy SRC AGE_SECONDS: a copy of the real dump SRC (a name) as a
# dump that crashed AGE_SECONDS ago: its time item and its name say so.
# Sets AGED to the new name.
age_copy() {
	local src=$1 t pid
	t=$(($(date +%s) - $2))
	pid=$(<"$SPOOL/$src/pid")
	AGED=$(date -u -d "@$t" +%Y%m%dT%H%M%S).000000Z-$pid-aged
	cp -a "$SPOOL/$src" "$SPOOL/.incoming/$AGED"
	printf '%s\n' "$t" >"$SPOOL/.incoming/$AGED/time"
	mv -T "$SPOOL/.incoming/$AGED" "$SPOOL/$AGED"
}

# daemon_config REMOVE_DUPLICATES: write_config plus a daemon that merges
# duplicates (executable and signal, 1 day) and keeps them or not.
daemon_config() {
	write_config
	cat >>"$CONF" <<EOF
daemon = {
  dedupe = { key = [ "executable", "signal" ]; window = "1d"; remove_duplicates = $1; };
  pid_file = "$T/run/crashd.pid";
};
actions = (
  { name = "log"; type = "log"; }
);
EOF
	"$CRASHD_CLI" check-config "$CONF" >"$T/check-config.out" 2>&1 ||
		fail "the test's daemon config is refused: $(cat "$T/check-config.out")"
}

# run_daemon: runs crashd until every dump in the spool is processed.
DAEMON_PID=
at_exit '[[ -z $DAEMON_PID ]] || kill -KILL "$DAEMON_PID" 2>/dev/null'
run_daemon() {
	local i d left
	setpriv --pdeathsig KILL "$CRASHD_DAEMON" -f -c "$CONF" ${REGISTERED_HOOK:+--hook "$REGISTERED_HOOK"} </dev/null \
		>>"$T/daemon.log" 2>&1 9>&- {CRASHD_GUARD_FD}>&- &
	DAEMON_PID=$!
	for ((i = 0; i < 1000; i++)); do
		left=0
		list_dumps
		for d in "${DUMPS[@]}"; do
			[[ -e $SPOOL/$d/processed ]] || left=1
		done
		((left == 0)) && break
		kill -0 "$DAEMON_PID" 2>/dev/null || fail "crashd exited: $(tail -n 20 "$T/daemon.log")"
		nap 0.01
	done
	((left == 0)) || fail "crashd did not process every dump in 10 s: $(tail -n 20 "$T/daemon.log")"
	kill -TERM "$DAEMON_PID"
	wait "$DAEMON_PID" || fail "crashd exited with $? on SIGTERM: $(tail -n 20 "$T/daemon.log")"
	DAEMON_PID=
}

