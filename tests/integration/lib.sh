# SPDX-License-Identifier: GPL-2.0-or-later
# lib.sh: sourced by every integration test.  It skips (exit 77) unless it
# can own the real /proc/sys/kernel/core_pattern, takes the lock that every
# user of core_pattern here takes, saves core_pattern, core_pipe_limit and
# fs.suid_dumpable (and vm.max_map_count, which a test may raise) and puts
# them back on every exit path, makes a temp dir
# ($T) with a config ($CONF) and a spool ($SPOOL), and provides crash
# helpers and assertions that say what they expected and what they found.
#
# Environment (set by tests/integration/CMakeLists.txt):
#   CRASHD_HOOK    the crashd-hook to register
#   CRASHD_CLI     crashd-cli (for counters and check-config)
#   CRASHD_VICTIM  the victim program (victim.c)
#   CRASHD_SANITIZE  1 in a sanitizer build: reports of the hook are kept
#                    in $T/sanitizer and fail the test

set -euo pipefail
export LC_ALL=C

skip() {
	echo "SKIP: $*"
	exit 77
}

fail() {
	echo "FAIL: $*" >&2
	if [[ -n ${DUMP:-} && -d ${DUMP:-} ]]; then
		echo "--- dump $DUMP:" >&2
		ls -la "$DUMP" >&2 || true
		local f
		for f in reason signal_name executable core_info incomplete; do
			if [[ -f $DUMP/$f ]]; then
				echo "--- $f:" >&2
				head -c 2000 "$DUMP/$f" | cat -v >&2
			fi
		done
	fi
	exit 1
}

info() {
	echo "  $*"
}

[[ $(id -u) -eq 0 ]] || skip "integration tests need root (they register a core_pattern helper)"
[[ -w /proc/sys/kernel/core_pattern ]] ||
	skip "/proc/sys/kernel/core_pattern is not writable here (container or read-only /proc/sys)"
for _v in CRASHD_HOOK CRASHD_CLI CRASHD_VICTIM; do
	[[ -n ${!_v:-} ]] || fail "$_v is not set; run the tests through ctest"
done
[[ -x $CRASHD_HOOK ]] || fail "CRASHD_HOOK=$CRASHD_HOOK is not an executable"
[[ -x $CRASHD_VICTIM ]] || fail "CRASHD_VICTIM=$CRASHD_VICTIM is not an executable"

# ctest leaks descriptors into tests (its log, pipes): close them, so that
# victims start with 0-2 only (and no leaked pipe keeps anything waiting).
for _fd in /proc/self/fd/*; do
	_fd=${_fd##*/}
	if ((_fd > 2)) && [[ $_fd != 9 || ${CRASHD_IT_LOCK_INHERITED:-} != 1 ]]; then
		eval "exec $_fd>&-" 2>/dev/null || true
	fi
done

# One user of core_pattern at a time: the other tests, the benchmark and
# the demo take this lock too (ctest's RESOURCE_LOCK covers only one run).
# A harness test passes its own lock on to the tests it runs.
if [[ ${CRASHD_IT_LOCK_INHERITED:-} == 1 ]] && { true >&9; } 2>/dev/null; then
	flock 9
else
	mkdir -p /run/lock
	exec 9>/run/lock/crashd-core_pattern.lock
	if ! flock -n 9; then
		# Who holds it: /proc/locks names the pid by the file's inode.
		_ino=$(stat -c %i /run/lock/crashd-core_pattern.lock)
		_holder=$(awk -v i=":$_ino" '$2 == "FLOCK" && substr($6, length($6) - length(i) + 1) == i { print $5; exit }' /proc/locks)
		# (A pid of another pid namespace, e.g. another container on
		# this kernel, or of a locker that has exited, is not shown here.)
		_who=$( { tr '\0' ' ' <"/proc/${_holder:-0}/cmdline"; } 2>/dev/null | head -c 200) ||
			_who="not visible here"
		echo "waiting for /run/lock/crashd-core_pattern.lock, held by pid ${_holder:-?} (${_who:-not visible here})"
		_t=$SECONDS
		flock -w 480 9 ||
			fail "core_pattern's lock is still held after 480 s (pid ${_holder:-?}); core_pattern is $(cat /proc/sys/kernel/core_pattern)"
		echo "waited $((SECONDS - _t)) s for the lock"
	fi
fi

CRASHD_SAVED_PATTERN=$(cat /proc/sys/kernel/core_pattern)
CRASHD_SAVED_PIPE_LIMIT=$(cat /proc/sys/kernel/core_pipe_limit)
CRASHD_SAVED_SUID=$(cat /proc/sys/fs/suid_dumpable)
CRASHD_SAVED_MAX_MAP_COUNT=$(cat /proc/sys/vm/max_map_count)
T=$(mktemp -d /tmp/crashd-it.XXXXXX)
# Victims run as an unprivileged user in some tests: let them traverse.
chmod 755 "$T"
export CRASHD_SAVED_PATTERN CRASHD_SAVED_PIPE_LIMIT CRASHD_SAVED_SUID \
	CRASHD_SAVED_MAX_MAP_COUNT T

# Puts everything back.  Run by the EXIT trap and, should the test die
# without running it (SIGKILL from ctest's timeout), by the guardian.
# Keep it self-contained: the guardian runs it in a fresh bash.
crashd_restore() {
	local m
	printf '%s\n' "$CRASHD_SAVED_PATTERN" >/proc/sys/kernel/core_pattern
	echo "$CRASHD_SAVED_PIPE_LIMIT" >/proc/sys/kernel/core_pipe_limit
	echo "$CRASHD_SAVED_SUID" >/proc/sys/fs/suid_dumpable
	if [[ $(cat /proc/sys/vm/max_map_count) != "$CRASHD_SAVED_MAX_MAP_COUNT" ]]; then
		echo "$CRASHD_SAVED_MAX_MAP_COUNT" >/proc/sys/vm/max_map_count
	fi
	# Mounts under $T (the tiny spool), deepest first.
	awk -v t="$T/" 'index($2, t) == 1 { print $2 }' /proc/self/mounts |
		sort -r | while read -r m; do
		umount "$m" || umount -l "$m"
	done
	if ! awk -v t="$T/" 'index($2, t) == 1 { exit 1 }' /proc/self/mounts; then
		echo "crashd_restore: a mount is left under $T, not removing it" >&2
		return 1
	fi
	rm -rf --one-file-system "$T"
}

# The guardian: a bash in its own session (out of reach of a kill of the
# test's process group or tree), holding the lock.  It reads a pipe whose
# writer is this test: "done" means the test cleaned up.  End of file, or
# the test shell gone (a child it left behind may still hold the pipe),
# means the test died: restore, then release the lock.
crashd_stat=$(cat /proc/$$/stat)
crashd_stat=${crashd_stat##*) }
read -r -a crashd_stat <<<"$crashd_stat"
export CRASHD_TEST_PID=$$ CRASHD_TEST_START=${crashd_stat[19]}
# (A background job's stdin would be /dev/null without the explicit <&3.)
exec {CRASHD_GUARD_FD}> >(
	exec 3<&0
	setsid bash -c "$(declare -f crashd_restore)"'
		alive() {
			local s
			s=$(<"/proc/$CRASHD_TEST_PID/stat") 2>/dev/null || return 1
			s=${s##*) }
			read -r -a s <<<"$s"
			[[ ${s[0]} != Z && ${s[19]} == "$CRASHD_TEST_START" ]]
		}
		while :; do
			if read -r -t 0.5 line; then
				[[ $line == done ]] && exit 0
			elif (($? <= 128)) || ! alive; then
				break
			fi
		done
		crashd_restore' \
		crashd-guardian <&3 >/dev/null 2>&1 3<&- &
)

# Waits (at most 10 s) until no hook of this test runs, then fails if a
# sanitizer wrote a report.
# wait_hooks_done: true once no crashd-hook of this test runs (at most
# 10 s), false if one still does.
wait_hooks_done() {
	local i
	for ((i = 0; i < 1000; i++)); do
		pgrep -f -- "crashd-hook -c $CONF " >/dev/null || return 0
		nap 0.01
	done
	return 1
}

check_hooks_done() {
	wait_hooks_done || fail "a crashd-hook of this test still runs after 10 s"
	check_sanitizer
}

check_sanitizer() {
	local f
	[[ -d $T/sanitizer ]] || return 0
	for f in "$T"/sanitizer/*; do
		[[ -e $f ]] || continue
		echo "--- sanitizer report $f:" >&2
		cat "$f" >&2
		fail "the hook's sanitizer reported an error (above)"
	done
}

crashd_on_exit() {
	local rc=$? u
	trap - EXIT INT TERM HUP
	set +e
	if ((rc == 0)); then
		(check_hooks_done) || rc=1
	fi
	for u in "${TEST_USERS[@]}"; do
		remove_test_user "$u" || echo "crashd_on_exit: cannot remove the test's user $u" >&2
	done
	crashd_restore
	# The kernel must be back where it was, whatever the test did.
	if [[ $(cat /proc/sys/kernel/core_pattern) != "$CRASHD_SAVED_PATTERN" ]]; then
		echo "FAIL: core_pattern not restored" >&2
		rc=1
	fi
	echo 'done' >&"$CRASHD_GUARD_FD"
	exit "$rc"
}
trap crashd_on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# nap SECONDS: sleeps without a fork (read times out on a pipe that never
# gets data): polling loops below run often on a loaded machine.
exec {CRASHD_NAP_FD}<> <(:)
nap() {
	read -r -t "$1" -u "$CRASHD_NAP_FD" _ || true
}

CONF=$T/c.conf
SPOOL=$T/spool
DUMP=

# write_config [key=value...]: writes $CONF from the test defaults, with
# overrides.  Keys: spool mode max_size level honour_rlimit gdb ignore
# per_executable global cores_per_executable cores_global spool_max
# keep_free time_budget sync.  ignore is libconfig list content, e.g.
# ignore='"*/a", "*/b"'.
write_config() {
	local -A c=(
		[spool]=$SPOOL [mode]=truncate [max_size]=1M [level]=1
		[honour_rlimit]=false [gdb]=false [ignore]=''
		[per_executable]=100/1h [global]=1000/1h
		[cores_per_executable]=100/1h [cores_global]=1000/1h
		[spool_max]=2G [keep_free]=0 [time_budget]=10s [sync]=true
	)
	local kv
	for kv in "$@"; do
		[[ -v c[${kv%%=*}] ]] || fail "write_config: unknown key ${kv%%=*}"
		c[${kv%%=*}]=${kv#*=}
	done
	cat >"$CONF" <<EOF
spool = "${c[spool]}";
hook = {
  core = { mode = "${c[mode]}"; max_size = "${c[max_size]}"; level = ${c[level]}; honour_rlimit = ${c[honour_rlimit]}; gdb = ${c[gdb]}; };
  ignore = [ ${c[ignore]} ];
  limits = { per_executable = "${c[per_executable]}"; global = "${c[global]}"; cores_per_executable = "${c[cores_per_executable]}"; cores_global = "${c[cores_global]}"; spool_max = "${c[spool_max]}"; keep_free = "${c[keep_free]}"; };
  time_budget = "${c[time_budget]}";
  sync = ${c[sync]};
};
EOF
	# The hook refuses (and falls back to /var/spool/crashd) otherwise.
	chown 0:0 "$CONF"
	chmod 644 "$CONF"
	if [[ -x $CRASHD_CLI ]]; then
		"$CRASHD_CLI" check-config "$CONF" >"$T/check-config.out" 2>&1 ||
			fail "crashd-cli check-config rejects the test config: $(cat "$T/check-config.out")"
	fi
}

# register: makes the kernel hand every crash to $CRASHD_HOOK -c $CONF.
# REGISTERED_HOOK: the hook path the registered line carries ($T/hook in
# a sanitizer build), for a daemon to know its own line (crashd --hook).
REGISTERED_HOOK=
register() {
	local line
	[[ -f $CONF ]] || write_config
	line=$("$CRASHD_HOOK" --pattern -c "$CONF") ||
		fail "crashd-hook --pattern -c $CONF failed"
	[[ $line == "|$(readlink -f "$CRASHD_HOOK") -c $CONF "* ]] ||
		fail "unexpected --pattern line: $line"
	if [[ ${CRASHD_SANITIZE:-0} == 1 ]]; then
		# The kernel runs the hook with its own tiny environment and
		# stderr on /dev/null: a sanitizer report would be lost.  Same
		# hook, same arguments, reports kept in $T/sanitizer.
		mkdir -p "$T/sanitizer"
		cat >"$T/hook" <<EOF
#!/bin/sh
ASAN_OPTIONS=log_path=$T/sanitizer/asan
UBSAN_OPTIONS=log_path=$T/sanitizer/ubsan:print_stacktrace=1
export ASAN_OPTIONS UBSAN_OPTIONS
exec $(readlink -f "$CRASHD_HOOK") "\$@"
EOF
		chmod 755 "$T/hook"
		line="|$T/hook ${line#* }"
	fi
	REGISTERED_HOOK=${line%% *}
	REGISTERED_HOOK=${REGISTERED_HOOK#|}
	printf '%s\n' "$line" >/proc/sys/kernel/core_pattern
	[[ $(cat /proc/sys/kernel/core_pattern) == "$line" ]] ||
		fail "the kernel kept '$(cat /proc/sys/kernel/core_pattern)', not '$line'"
	# >= 1, or a small core lets /proc/PID go before the hook reads it.
	# Several, so that a crash never waits behind another one's helper.
	echo 8 >/proc/sys/kernel/core_pipe_limit
	# Setuid processes reach the hook only with suid_dumpable = 2.
	echo 2 >/proc/sys/fs/suid_dumpable
}

# DUMPS: the published dumps, oldest first (names sort by time; a glob
# skips the dot directories).
list_dumps() {
	local d
	DUMPS=()
	for d in "$SPOOL"/*; do
		[[ -d $d ]] && DUMPS+=("${d##*/}")
	done
	return 0
}

# PROC_STATE: the state of a process (R, S, D, Z...), or "gone".
proc_state() {
	local stat
	PROC_STATE=gone
	{ read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 0
	stat=${stat##*) }
	PROC_STATE=${stat%% *}
}

# NEW_DUMPS: the dumps in DUMPS that are not in the arguments.
new_dumps() {
	local -A old=()
	local d
	for d; do
		old[$d]=1
	done
	NEW_DUMPS=()
	for d in "${DUMPS[@]}"; do
		[[ -v old[$d] ]] || NEW_DUMPS+=("$d")
	done
}

RUN_N=0
# run_victim [-s SIGNUM] CMD...: runs CMD in the background with stdout in
# $VICTIM_OUT and waits at most 15 s for it to die with status 128+SIGNUM
# (default 11, SIGSEGV).  A shell that reports its child's death with that
# status counts too (unshare --fork re-raises, sh exits 139).  Sets
# VICTIM_PID and VICTIM_TID from what the victim printed (its own pid
# namespace's view) and VICTIM_START (epoch seconds before it started).
run_victim() {
	local sig=11 pid rc i stderr
	if [[ $1 == -s ]]; then
		sig=$2
		shift 2
	fi
	RUN_N=$((RUN_N + 1))
	VICTIM_OUT=$T/victim.$RUN_N.out
	VICTIM_ERR=$T/victim.$RUN_N.err
	VICTIM_START=$(date +%s)
	# Bash's own "Segmentation fault (core dumped)" notice goes to a file.
	exec {stderr}>&2 2>>"$T/shell-notices"
	# The victim must hold neither the lock nor the guardian's pipe.
	"$@" >"$VICTIM_OUT" 2>"$VICTIM_ERR" 9>&- {CRASHD_GUARD_FD}>&- &
	pid=$!
	for ((i = 0; i < 1500; i++)); do
		proc_state "$pid"
		[[ $PROC_STATE == [Z] || $PROC_STATE == gone ]] && break
		nap 0.01
	done
	if ((i == 1500)); then
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" || true
		exec 2>&"$stderr" {stderr}>&-
		fail "victim $* did not die within 15 s (the hook holds it?)"
	fi
	rc=0
	wait "$pid" || rc=$?
	exec 2>&"$stderr" {stderr}>&-
	[[ $rc -eq $((128 + sig)) ]] ||
		fail "$* exited with status $rc, expected $((128 + sig)) (signal $sig); stderr: $(head -c 500 "$VICTIM_ERR")"
	VICTIM_PID='' VICTIM_TID=''
	local k v
	while read -r k v; do
		case $k in
		pid) VICTIM_PID=$v ;;
		tid) VICTIM_TID=$v ;;
		esac
	done <"$VICTIM_OUT"
}

# crash_and_wait [-s SIGNUM] CMD...: run_victim, then waits at most 10 s
# for exactly one new published dump and sets DUMP to its path.  Checks
# what every dump must be: name, ownership, modes, nothing left in
# .incoming.
crash_and_wait() {
	local before i
	list_dumps
	before=("${DUMPS[@]}")
	run_victim "$@"
	DUMP=
	for ((i = 0; i < 1000; i++)); do
		list_dumps
		new_dumps "${before[@]}"
		((${#NEW_DUMPS[@]} > 0)) && break
		nap 0.01
	done
	if ((${#NEW_DUMPS[@]} == 0)); then
		[[ -d $SPOOL ]] || fail "no spool at $SPOOL: did the hook run, with $CONF?"
		fail "no dump appeared in $SPOOL within 10 s of the crash of $*" \
			"(incoming: $(ls -A "$SPOOL/.incoming" 2>&1))"
	fi
	# Let a second helper (if any) finish before counting.
	wait_incoming_empty
	list_dumps
	new_dumps "${before[@]}"
	((${#NEW_DUMPS[@]} == 1)) ||
		fail "expected one new dump for $*, found: ${NEW_DUMPS[*]}"
	DUMP=$SPOOL/${NEW_DUMPS[0]}
	check_dump_common
	check_sanitizer
}

# crash_no_dump [-s SIGNUM] CMD...: the crash must be counted but not
# stored: no new dump, nothing left in .incoming.
crash_no_dump() {
	local before
	list_dumps
	before=("${DUMPS[@]}")
	run_victim "$@"
	# The hook decided (and counted) before it let the process go; give it
	# time to have done anything else it wrongly might.
	nap 0.3
	wait_incoming_empty
	list_dumps
	new_dumps "${before[@]}"
	((${#NEW_DUMPS[@]} == 0)) ||
		fail "expected no new dump for $*, found: ${NEW_DUMPS[*]}"
	check_sanitizer
}

wait_incoming_empty() {
	local i e
	# A hook in mode none or mini releases the crashing process before it
	# makes its directory in .incoming: an empty .incoming means nothing
	# until the hooks are done.
	wait_hooks_done || true
	for ((i = 0; i < 500; i++)); do
		e=("$SPOOL"/.incoming/*)
		[[ ! -e ${e[0]} ]] && return 0
		nap 0.01
	done
	fail "$SPOOL/.incoming still holds $(ls -A "$SPOOL/.incoming") after 5 s"
}

check_dump_common() {
	local name bad
	name=${DUMP##*/}
	[[ $name =~ ^[0-9]{8}T[0-9]{6}\.[0-9]{6}Z-[0-9]+-[A-Za-z0-9._-]+$ ]] ||
		fail "dump name '$name' does not match YYYYmmddTHHMMSS.uuuuuuZ-PID-COMM"
	[[ $(stat -c '%u:%g %a %F' "$DUMP") == "0:0 750 directory" ]] ||
		fail "dump dir is $(stat -c '%u:%g %a %F' "$DUMP"), expected 0:0 750 directory"
	# Every entry, hidden ones too: a root-owned 0640 regular file.
	bad=$(find "$DUMP" -mindepth 1 ! \( -type f -uid 0 -gid 0 -perm 640 \) \
		-printf '%p is %M %u:%g\n')
	[[ -z $bad ]] || fail "expected only 0640 root:root files in the dump: $bad"
}

# READ_ITEM: the whole content of item $1 (text, no NUL bytes).
read_item() {
	[[ -f $DUMP/$1 ]] || fail "item $1 is missing"
	READ_ITEM=
	IFS= read -r -d '' READ_ITEM <"$DUMP/$1" || true
}

# item NAME: the item's text without its one trailing newline.
item() {
	read_item "$1"
	printf '%s' "${READ_ITEM%$'\n'}"
}

# expect_eq WHAT EXPECTED FOUND
expect_eq() {
	[[ $2 == "$3" ]] ||
		fail "$1: expected $(printf '%q' "$2"), found $(printf '%q' "$3")"
}

# expect_item NAME VALUE: the item is exactly VALUE and one newline.
expect_item() {
	[[ -f $DUMP/$1 ]] || fail "item $1 is missing (expected $(printf '%q' "$2"))"
	read_item "$1"
	[[ $READ_ITEM == "$2"$'\n' ]] ||
		fail "item $1: expected $(printf '%q' "$2"$'\n'), found $(printf '%q' "$READ_ITEM")"
}

# expect_item_match NAME ERE: the item (without its newline) matches ERE.
expect_item_match() {
	read_item "$1"
	[[ ${READ_ITEM%$'\n'} =~ $2 ]] ||
		fail "item $1: expected a match for /$2/, found $(printf '%q' "$READ_ITEM")"
}

# expect_line NAME ERE: some line of the item matches ERE.
expect_line() {
	[[ -f $DUMP/$1 ]] || fail "item $1 is missing"
	grep -Eq -- "$2" "$DUMP/$1" ||
		fail "item $1: no line matches /$2/; it has: $(head -c 1500 "$DUMP/$1" | cat -v)"
}

# expect_no_line NAME ERE
expect_no_line() {
	[[ -f $DUMP/$1 ]] || fail "item $1 is missing"
	! grep -Eq -- "$2" "$DUMP/$1" ||
		fail "item $1: did not expect /$2/, found: $(grep -E -- "$2" "$DUMP/$1" | head -5 | cat -v)"
}

# expect_bytes NAME FILE: the item holds exactly FILE's bytes.
expect_bytes() {
	[[ -f $DUMP/$1 ]] || fail "item $1 is missing"
	cmp "$DUMP/$1" "$2" >&2 ||
		fail "item $1 differs from the expected bytes ($(stat -c %s "$DUMP/$1") bytes, expected $(stat -c %s "$2")): $(cmp "$DUMP/$1" "$2" 2>&1 | head -1)"
}

expect_present() {
	local f
	for f; do
		[[ -f $DUMP/$f ]] || fail "item $f is missing"
	done
}

expect_absent() {
	local f
	for f; do
		[[ ! -e $DUMP/$f ]] || fail "item $f should not exist; it holds: $(head -c 500 "$DUMP/$f" | cat -v)"
	done
}

# expect_complete: no "incomplete" item, i.e. the hook stored everything.
expect_complete() {
	[[ ! -e $DUMP/incomplete ]] ||
		fail "the dump says it is incomplete: $(cat -v "$DUMP/incomplete")"
}

# expect_one_line_per_entry NAME: every line of a line-oriented item is
# "NUMBER<TAB>...": no raw newline from an attacker's bytes broke one.
expect_one_line_per_entry() {
	local bad
	bad=$(grep -Evn $'^[0-9]+\t' "$DUMP/$1" | head -3 || true)
	[[ -z $bad ]] || fail "item $1 has a line that is no entry: $(printf '%q' "$bad")"
}

# The hook's counters as "name value" lines, from crashd-cli.
counters() {
	[[ -x $CRASHD_CLI ]] || fail "crashd-cli ($CRASHD_CLI) is not built; the counters test needs 'crashd-cli counters'"
	"$CRASHD_CLI" -c "$CONF" counters ||
		fail "crashd-cli -c $CONF counters failed"
}

# expect_not_stored N PID SUFFIX: crashd-cli counters --not-stored lists
# N records, the last one of pid PID ending with SUFFIX ("SIGSEGV
# rate_limited (per_executable limit)  /path").
expect_not_stored() {
	local out last
	out=$("$CRASHD_CLI" -c "$CONF" counters --not-stored) ||
		fail "crashd-cli -c $CONF counters --not-stored failed"
	expect_eq "records of crashes not stored" "$1" "$(grep -c . <<<"$out" || true)"
	last=$(tail -n 1 <<<"$out")
	[[ $last == *"  pid $2  "* && $last == *"  $3" ]] ||
		fail "the last record of a crash not stored is '$last', not of pid $2 ending '  $3'"
}

# counter NAME: one counter's value.
counter() {
	local v
	v=$(counters | awk -v k="$1" '$1 == k { print $2 }')
	[[ $v =~ ^[0-9]+$ ]] || fail "crashd-cli counters has no '$1 N' line: $(counters | tr '\n' ';')"
	echo "$v"
}

# expect_counters name=value...: the counters have these values.
expect_counters() {
	local all kv v
	all=$(counters)
	for kv; do
		v=$(awk -v k="${kv%%=*}" '$1 == k { print $2 }' <<<"$all")
		[[ $v == "${kv#*=}" ]] ||
			fail "counter ${kv%%=*}: expected ${kv#*=}, found '${v}' (all: $(tr '\n' ' ' <<<"$all"))"
	done
}

# unpack_core OUT [CMD...]: decompresses $DUMP/core.gz into OUT, running
# gzip under CMD (e.g. as_nobody).  A corrupt or cut gzip stream fails.
# (Never "zcat | head" here: with pipefail, SIGPIPE would fail the test.)
unpack_core() {
	local out=$1
	shift
	[[ -f $DUMP/core.gz ]] || fail "item core.gz is missing"
	"$@" gzip -dc "$DUMP/core.gz" >"$out" ||
		fail "core.gz does not decompress ($* gzip -dc failed)"
}

# expect_elf FILE: FILE starts with the ELF magic.
expect_elf() {
	local magic
	magic=$(od -An -c -N4 "$1" | tr -d ' ')
	[[ $magic == '177ELF' ]] || fail "$1 does not start with \\177ELF: $magic"
}

# as_nobody CMD...: runs CMD as uid/gid 65534 with no supplementary groups.
as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}

# test_user NAME: creates the system user NAME (and its group; no home,
# no login shell) for a local-user attack, first removing a leftover of a
# killed run, and removes it when the test exits (crashd_on_exit).  Sets
# TEST_UID, TEST_GID and AS_USER, the command prefix that runs a command
# as the user with no supplementary groups (for "bash -c" and the like,
# which do not see as_user).  Skips without useradd.
TEST_USERS=()
test_user() {
	command -v useradd >/dev/null || skip "useradd is not installed"
	if id "$1" >/dev/null 2>&1; then
		remove_test_user "$1" || fail "cannot remove the leftover user $1"
	fi
	useradd --system --no-create-home --user-group --shell /usr/sbin/nologin "$1" ||
		fail "useradd $1 failed"
	TEST_USERS+=("$1")
	TEST_UID=$(id -u "$1")
	TEST_GID=$(id -g "$1")
	AS_USER=(setpriv --reuid="$TEST_UID" --regid="$TEST_GID" --clear-groups)
}

# remove_test_user NAME: kills what still runs as NAME (userdel refuses a
# user with processes: a lock holder of a killed run), then removes it.
remove_test_user() {
	local i
	pkill -KILL -u "$1" 2>/dev/null || true
	for ((i = 0; i < 100; i++)); do
		pgrep -u "$1" >/dev/null || break
		nap 0.02
	done
	userdel "$1"
}

# as_user CMD...: runs CMD as test_user's user.
as_user() {
	"${AS_USER[@]}" "$@"
}

# copy_victim NAME: a copy of the victim at $T/NAME (any bytes), mode 755.
copy_victim() {
	cp "$CRASHD_VICTIM" "$T/$1"
	chmod 755 "$T/$1"
}
