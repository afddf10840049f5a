# SPDX-License-Identifier: GPL-2.0-or-later
# bench/lib.sh: sourced by the bench scripts that start from one real dump
# of crashd-hook.  Reads $me (for messages) and $hook; keeps the saved
# sysctls in $saved*.
#
# restore: puts core_pattern, core_pipe_limit and fs.suid_dumpable back if
# they were changed, and lets go of the core_pattern lock.
saved=no
restore() {
	if [[ $saved == yes ]]; then
		printf '%s\n' "$saved_pattern" >/proc/sys/kernel/core_pattern
		printf '%s\n' "$saved_pipe_limit" >/proc/sys/kernel/core_pipe_limit
		printf '%s\n' "$saved_suid" >/proc/sys/fs/suid_dumpable
		saved=no
	fi
	exec 9>&-
}

# bench_real_dump SPOOL CONF CRASH: one real dump through the kernel.
# Takes the lock the tests, bench/run and the demo take, registers $hook
# with CONF, runs the function CRASH (which must die of SIGSEGV), waits for
# the dump and restores at once.  Sets TEMPLATE to the dump's directory.
bench_real_dump() {
	local spool=$1 conf=$2 crash=$3 line rc=0 d i
	exec 9>/run/lock/crashd-core_pattern.lock
	if ! flock -n 9; then
		echo "$me: waiting for /run/lock/crashd-core_pattern.lock" >&2
		flock -w 900 9 || { echo "$me: the lock is still held after 900 s" >&2; exit 1; }
	fi
	saved_pattern=$(cat /proc/sys/kernel/core_pattern)
	saved_pipe_limit=$(cat /proc/sys/kernel/core_pipe_limit)
	saved_suid=$(cat /proc/sys/fs/suid_dumpable)
	saved=yes
	line=$("$hook" --pattern -c "$conf")
	printf '%s\n' "$line" >/proc/sys/kernel/core_pattern
	echo 8 >/proc/sys/kernel/core_pipe_limit
	"$crash" || rc=$?
	((rc == 139)) || { echo "$me: the victim exited $rc, not by SIGSEGV" >&2; exit 1; }
	TEMPLATE=
	for ((i = 0; i < 1000; i++)); do
		for d in "$spool"/*; do
			[[ -d $d ]] && TEMPLATE=$d
		done
		[[ -n $TEMPLATE && -z $(ls -A "$spool/.incoming") ]] && break
		sleep 0.01
	done
	restore
	[[ -n $TEMPLATE ]] || { echo "$me: no dump appeared in $spool" >&2; exit 1; }
}
