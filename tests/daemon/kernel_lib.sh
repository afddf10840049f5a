# SPDX-License-Identifier: GPL-2.0-or-later
# kernel_lib.sh: sourced by the kernel-log tests (tests/daemon/kernel*.sh)
# after lib_daemon.sh.  They write kernel reports into the real kernel log:
# as root, each write(2) to /dev/kmsg is one record ("<4>TEXT": level 4,
# warning).  User space's records are of facility user, which crashd
# ignores unless daemon.kernel.accept_user_records is set, as these tests
# set it (the daemons of other tests, running meanwhile, ignore them).
# The reports are real kernels' (tests/fixtures/kernel, README there).

KFIX=$(cd "$(dirname "${BASH_SOURCE[0]}")/../fixtures/kernel" && pwd)
[[ -w /dev/kmsg ]] || skip "/dev/kmsg is not writable here"

# kmsg_write FILE: the lines of FILE, one record each.  Every record is
# opened anew: the kernel rate-limits what one open file writes (10 in
# 5 s, printk_devkmsg=ratelimit).
kmsg_write() {
	local line
	while IFS= read -r line || [[ -n $line ]]; do
		printf '<4>%s\n' "$line" >/dev/kmsg
	done <"$1"
}

# kernel_dumps [KIND]: the names of the spool's dumps of KIND (any of
# kernel, oom, panic when empty), oldest first.
kernel_dumps() {
	local n k
	for n in $(spool_dumps); do
		k=$(cat "$SPOOL/$n/kind" 2>/dev/null) || continue
		if [[ -n ${1:-} ]]; then
			[[ $k == "$1" ]] && echo "$n"
		elif [[ $k == kernel || $k == oom || $k == panic ]]; then
			echo "$n"
		fi
	done
	return 0
}

# dumps_matching ITEM ERE: the dumps whose ITEM matches.
dumps_matching() {
	local n
	for n in $(kernel_dumps); do
		grep -Eq -- "$2" "$SPOOL/$n/$1" 2>/dev/null && echo "$n"
	done
	return 0
}

# count_matching ITEM ERE N: exactly N dumps' ITEM matches.
count_matching() {
	[[ $(dumps_matching "$1" "$2" | wc -l) -eq $3 ]]
}

# wait_kernel_dump SECONDS ITEM ERE: until a processed dump's ITEM
# matches; sets KDUMP to its directory.
wait_kernel_dump() {
	local i n
	for ((i = 0; i < $1 * 10; i++)); do
		for n in $(dumps_matching "$2" "$3"); do
			if [[ -e $SPOOL/$n/processed ]]; then
				KDUMP=$SPOOL/$n
				return 0
			fi
		done
		sleep 0.1
	done
	fail "no processed kernel dump whose $2 matches /$3/ within $1 s: $(kernel_dumps | tr '\n' ' ')"
}
