# SPDX-License-Identifier: GPL-2.0-or-later
# lib_daemon.sh: sourced by every daemon test.  It sources
# ../integration/lib.sh (root check, the core_pattern lock, save/restore of
# core_pattern & co. on every exit path, $T, $CONF, $SPOOL, write_config,
# register, crash helpers, assertions) and adds what the daemon needs:
# a config with daemon and actions sections, a recording exec action,
# starting and stopping the real crashd, waiting for "processed" in bounded
# loops, and the daemon's log in failure messages.  The daemon is killed
# on every exit path (EXIT trap), and dies with the test even when the
# test is SIGKILLed (ctest's timeout): it runs with a parent-death signal.
#
# Environment (set by tests/daemon/CMakeLists.txt): CRASHD_HOOK,
# CRASHD_CLI, CRASHD_VICTIM (see lib.sh) and CRASHD_DAEMON, the crashd to
# test.

source "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh"

[[ -n ${CRASHD_DAEMON:-} ]] || fail "CRASHD_DAEMON is not set; run the tests through ctest"
[[ -x $CRASHD_DAEMON ]] || fail "CRASHD_DAEMON=$CRASHD_DAEMON is not an executable"
[[ -x $CRASHD_CLI ]] || fail "CRASHD_CLI=$CRASHD_CLI is not an executable"
command -v setpriv >/dev/null ||
	skip "setpriv (util-linux) is needed to tie the daemon's life to the test's"

DAEMON_PID=
DAEMON_WRAP=()
DLOG=$T/daemon.log # the daemon's stderr, over all its runs
: >"$DLOG"
RUNS=$T/runs # one file per run of the recording exec action
PID_FILE=$T/run/crashd.pid # write_daemon_config's daemon.pid_file
mkdir -p "$RUNS"

# fail, as in lib.sh, with the end of the daemon's log.
eval "lib_fail() $(declare -f fail | tail -n +2)"
fail() {
	if [[ -s $DLOG ]]; then
		echo "--- daemon log (last 40 lines):" >&2
		tail -n 40 "$DLOG" | cut -c1-400 | cat -v >&2
	fi
	# For a post-mortem: a copy of $T (which lib.sh removes on exit).
	if [[ -n ${CRASHD_KEEP_FAILED:-} ]]; then
		rm -rf "$CRASHD_KEEP_FAILED"
		cp -a "$T" "$CRASHD_KEEP_FAILED" 2>/dev/null || true
		echo "(a copy of $T is in $CRASHD_KEEP_FAILED)" >&2
	fi
	lib_fail "$@"
}

# pid_alive PID: the process exists and is no zombie.
pid_alive() {
	local stat
	{ read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
	stat=${stat##*) }
	[[ ${stat%% *} != Z ]]
}

daemon_alive() {
	[[ -n $DAEMON_PID ]] && pid_alive "$DAEMON_PID"
}

# kill_daemon: SIGKILL, and reap it.  No failure: used on exit.
kill_daemon() {
	if [[ -n $DAEMON_PID ]]; then
		kill -KILL "$DAEMON_PID" 2>/dev/null || true
		wait "$DAEMON_PID" 2>/dev/null || true
		DAEMON_PID=
	fi
}

# The daemon goes first, then lib.sh's cleanup (which removes $T), with
# the test's exit status.
# The servers a test starts (SMTP, HTTP, node_exporter, ...): their pids,
# killed first on exit.  (They also die with the test: setpriv
# --pdeathsig.)
SERVER_PIDS=()

daemon_on_exit() {
	local rc=$? p
	set +e
	for p in "${SERVER_PIDS[@]}"; do
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	kill_daemon
	# The exec actions run in their own process groups; none may outlive
	# the test (they would keep files in $T open).
	pkill_runs
	(exit "$rc")
	crashd_on_exit
}
trap daemon_on_exit EXIT

# Ends the exec actions a killed daemon left running: each process running
# a script of $T, found by its command line, with its process group (the
# daemon makes each action a group leader: sleeps it started go too).
pkill_runs() {
	local p cmd
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		[[ $p == "$$" || $p == "$BASHPID" ]] && continue
		cmd=
		{ IFS= read -r -d '' cmd; IFS= read -r -d '' cmd; } \
			2>/dev/null <"/proc/$p/cmdline" || true
		# "/bin/sh $T/x.sh ...": the script is the second word.
		[[ $cmd == "$T/"*.sh ]] || continue
		kill -KILL -- "-$p" 2>/dev/null || kill -KILL "$p" 2>/dev/null
	done
	return 0
}

# write_daemon_config [key=value...]: $CONF with the hook section of
# write_config (its keys pass through; mode is none and the hook's own
# limits are lifted so that it stores every crash) plus daemon and actions
# sections.  Daemon keys: dedupe_key window remove_duplicates
# remove_duplicate_cores every regression_after rate global_rate
# digest_after retention_max_age retention_max_count retention_max_size
# reclaim_core_pattern pid_file (default $T/run/crashd.pid: test daemons
# never share one, nor use the system's /run/crashd/crashd.pid),
# delivery, backtrace and kernel (the content of daemon.delivery = { ... },
# daemon.backtrace = { ... } and daemon.kernel = { ... }, e.g.
# delivery='backoff = "1s";') and actions (libconfig list content; default: the recording exec action
# "rec", then a log action "log").  crashd-cli check-config must accept
# the result.
write_daemon_config() {
	local -A d=(
		[dedupe_key]='"executable", "signal"' [window]=1d
		[remove_duplicates]=true [remove_duplicate_cores]=true
		[every]=100 [regression_after]=7d [rate]=10/1h
		[global_rate]=60/1h [digest_after]=1h
		[retention_max_age]=30d [retention_max_count]=5000
		[retention_max_size]=4G [delivery]='' [backtrace]=''
		[pid_file]=$PID_FILE
		[reclaim_core_pattern]=false [kernel]=''

		[actions]="$(rec_action), $(log_action)"
	)
	local -a hook=(mode=none per_executable=1000/1h global=10000/1h
		cores_per_executable=1000/1h cores_global=10000/1h)
	local kv
	for kv in "$@"; do
		if [[ -v d[${kv%%=*}] ]]; then
			d[${kv%%=*}]=${kv#*=}
		else
			hook+=("$kv")
		fi
	done
	write_config "${hook[@]}"
	cat >>"$CONF" <<EOF
daemon = {
  dedupe = { key = [ ${d[dedupe_key]} ]; window = "${d[window]}"; remove_duplicates = ${d[remove_duplicates]}; remove_duplicate_cores = ${d[remove_duplicate_cores]}; };
  notify = { every = ${d[every]}; regression_after = "${d[regression_after]}"; rate = "${d[rate]}"; global_rate = "${d[global_rate]}"; digest_after = "${d[digest_after]}"; };
  retention = { max_age = "${d[retention_max_age]}"; max_count = ${d[retention_max_count]}; max_size = "${d[retention_max_size]}"; };
  delivery = { ${d[delivery]} };
  backtrace = { ${d[backtrace]} };
  pid_file = "${d[pid_file]}";
  reclaim_core_pattern = ${d[reclaim_core_pattern]};
  kernel = { ${d[kernel]} };
};
actions = (
  ${d[actions]}
);
EOF
	"$CRASHD_CLI" check-config "$CONF" >"$T/check-config.out" 2>&1 ||
		fail "crashd-cli check-config rejects the test config: $(cat "$T/check-config.out")"$'\n'"$(cat -n "$CONF")"
}

# journal_has DUMPDIR ERE: a line of the dump's actions record matches.
journal_has() {
	grep -Eq -- "$2" "$1/actions" 2>/dev/null
}

# wait_journal SECONDS DUMPDIR ERE: until a line of the dump's actions
# record matches (the failure shows the record).
wait_journal() {
	wait_until "$1" "a line /$3/ in $2/actions: $(cat "$2/actions" 2>/dev/null)" \
		journal_has "$2" "$3"
}

# The recording exec action: $T/rec.sh writes its environment and
# its arguments to one new file in $RUNS per run, and appends
# "EVENT_ID EVENT HELD_BACK" to $T/rec.log.
REC=$T/rec.sh
cat >"$REC" <<EOF
#!/bin/sh
f=$RUNS/\$(date +%s%N).\$\$
{
	env | sort
	for a in "\$@"; do printf 'ARG=%s\n' "\$a"; done
	printf 'NARGS=%s\n' "\$#"
} >"\$f.tmp"
mv "\$f.tmp" "\$f"
printf '%s %s %s\n' "\$CRASHD_EVENT_ID" "\$CRASHD_EVENT" "\$CRASHD_HELD_BACK" >>$T/rec.log
EOF
chmod 755 "$REC"

# rec_action [NAME [MATCH]]: the libconfig text of the recording action.
rec_action() {
	printf '{ name = "%s"; type = "exec"; command = [ "%s", "one arg" ]; timeout = "10s"; %s }' \
		"${1:-rec}" "$REC" "${2:-}"
}

log_action() {
	printf '{ name = "%s"; type = "log"; }' "${1:-log}"
}

# start_daemon: starts crashd -f -c $DAEMON_CONF (default: $CONF, which
# the hook reads too) in the background, stderr appended to $DLOG, and
# waits (10 s at most) until it watches the spool: the backlog is done.
# After register, it passes --hook $REGISTERED_HOOK: the daemon sees its
# own line in core_pattern (in a sanitizer build too, where the line is
# the wrapper's).  DAEMON_WRAP (an array, empty by default) prefixes the
# command: nsenter into a test's namespace, say; it must exec, not fork.
start_daemon() {
	local i from hook=()
	daemon_alive && fail "start_daemon: a daemon (pid $DAEMON_PID) is running"
	from=$(wc -l <"$DLOG" 2>/dev/null || echo 0)
	echo "=== start $(date +%T.%N)" >>"$DLOG"
	# It must hold neither the lock nor the guardian's pipe; it dies
	# with this shell, whatever kills it.
	[[ -z ${REGISTERED_HOOK:-} ]] || hook=(--hook "$REGISTERED_HOOK")
	"${DAEMON_WRAP[@]}" setpriv --pdeathsig KILL "$CRASHD_DAEMON" -f -c "${DAEMON_CONF:-$CONF}" "${hook[@]}" \
		</dev/null >>"$DLOG" 2>&1 9>&- {CRASHD_GUARD_FD}>&- &
	DAEMON_PID=$!
	for ((i = 0; i < 1000; i++)); do
		# (grep -q on a pipe would SIGPIPE tail, and pipefail fail it.)
		grep -q 'watching ' < <(tail -n +$((from + 1)) "$DLOG") && return 0
		daemon_alive || fail "crashd exited at start: $(tail -n 20 "$DLOG")"
		sleep 0.01
	done
	fail "crashd did not say 'watching' within 10 s"
}

# stop_daemon: SIGTERM; it must exit 0 within 10 s.
stop_daemon() {
	local i rc=0
	[[ -n $DAEMON_PID ]] || fail "stop_daemon: no daemon"
	kill -TERM "$DAEMON_PID"
	for ((i = 0; i < 1000; i++)); do
		daemon_alive || break
		sleep 0.01
	done
	daemon_alive && fail "crashd did not exit within 10 s of SIGTERM"
	wait "$DAEMON_PID" || rc=$?
	DAEMON_PID=
	expect_no_sanitizer_report
	[[ $rc -eq 0 ]] || fail "crashd exited with status $rc after SIGTERM, expected 0"
}

# In an ASan/UBSan build, a report in the daemon's log fails the test
# (the exit status says so too, but not what).
expect_no_sanitizer_report() {
	! grep -Eq 'runtime error:|ERROR: (Address|Leak|UndefinedBehavior)Sanitizer' "$DLOG" ||
		fail "sanitizer report in the daemon's log: $(grep -E -m1 -A15 'runtime error:|ERROR: [A-Za-z]+Sanitizer' "$DLOG")"
}

expect_daemon_alive() {
	daemon_alive || fail "crashd (pid $DAEMON_PID) died${1:+ ($1)}"
}

# wait_until SECONDS WHAT CMD...: polls CMD every 20 ms until it succeeds.
wait_until() {
	local secs=$1 what=$2 n=$(($1 * 50)) i
	shift 2
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.02
	done
	fail "waited more than $secs s for: $what"
}

# spool_dumps: the names of the dump directories in the spool root,
# oldest first (names sort by time).
spool_dumps() {
	local d
	for d in "$SPOOL"/*; do
		[[ -d $d && ! -L $d ]] && echo "${d##*/}"
	done
	return 0
}

# unprocessed: the published dumps without "processed".
unprocessed() {
	local n
	for n in $(spool_dumps); do
		[[ -d $SPOOL/$n && ! -e $SPOOL/$n/processed ]] && echo "$n"
	done
	return 0
}

# d_crash CMD...: run_victim, then waits (10 s at most) for its dump and
# sets DUMP.  Unlike crash_and_wait, it does not inspect the dump's files:
# the daemon may be writing there.
d_crash() {
	local before new
	before=$(spool_dumps)
	run_victim "$@"
	DUMP=
	wait_until 10 "the dump of $* to appear" new_dump_of "$VICTIM_PID" "$before"
	DUMP=$SPOOL/$NEW_DUMP
}

# new_dump_of PID BEFORE: sets NEW_DUMP to a dump of PID not in BEFORE.
new_dump_of() {
	NEW_DUMP=$(comm -13 <(echo "$2") <(spool_dumps) | grep -- "-$1-" | head -n1 || true)
	[[ -n $NEW_DUMP ]]
}

all_processed() {
	[[ -z $(unprocessed) && -z $(ls -A "$SPOOL/.trash" 2>/dev/null) ]]
}

# wait_processed DIR: the daemon marks the dump processed (10 s at most).
wait_processed() {
	wait_until 10 "$1 to be processed" test -e "$1/processed"
}

# wait_all_processed [SECONDS]: every dump processed, .trash empty.
wait_all_processed() {
	local i
	for ((i = 0; i < ${1:-10} * 50; i++)); do
		all_processed && return 0
		sleep 0.02
	done
	fail "not processed after ${1:-10} s: $(unprocessed | head -5 | tr '\n' ' ')"
}

# log_has ERE: some line of the daemon's log matches.
log_has() {
	grep -Eq -- "$1" "$DLOG"
}

expect_log() {
	log_has "$1" || fail "no line of the daemon's log matches /$1/"
}

# log_count ERE: how many lines of the daemon's log match.
log_count() {
	grep -Ec -- "$1" "$DLOG" || true
}

# log_has_n N ERE: at least N lines of the daemon's log match.
log_has_n() {
	(($(log_count "$2") >= $1))
}

# runs_count: how many times the recording action ran.
runs_count() {
	find "$RUNS" -type f ! -name '*.tmp' | wc -l
}

# runs_at_least N: the recording action ran N times or more.
runs_at_least() {
	(($(runs_count) >= $1))
}

# run_files: the recording action's runs, in order.
run_files() {
	find "$RUNS" -type f ! -name '*.tmp' | sort
}

# run_var FILE NAME: a CRASHD_* value (or NARGS) a run saw.
run_var() {
	local v
	v=$(grep -m1 "^$2=" "$1") || fail "run $1 has no $2: $(cat "$1")"
	printf '%s' "${v#*=}"
}

# expect_run_var FILE NAME VALUE
expect_run_var() {
	expect_eq "$2 seen by the exec action" "$3" "$(run_var "$1" "$2")"
}

# journal_count DUMPDIR ERE: lines of the dump's actions record matching.
journal_count() {
	grep -Ec -- "$2" "$1/actions" 2>/dev/null || true
}

# crash_n N CMD...: N crashes of CMD at once (the hook is told to let
# that many helpers run), then waits for the hook to have stored them.
crash_n() {
	local n=$1 i pids=() rc
	shift
	echo $((n + 8)) >/proc/sys/kernel/core_pipe_limit
	for ((i = 0; i < n; i++)); do
		# (bash -c: its "Segmentation fault" goes to /dev/null too.)
		bash -c '"$@"; exit $?' crash "$@" >/dev/null 2>&1 9>&- {CRASHD_GUARD_FD}>&- &
		pids+=($!)
	done
	for i in "${pids[@]}"; do
		rc=0
		wait "$i" || rc=$?
		((rc == 139)) || fail "crash_n: $* exited $rc, expected 139 (SIGSEGV)"
	done
	wait_incoming_empty
}
