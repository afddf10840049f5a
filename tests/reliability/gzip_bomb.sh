#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Finding 9 of issue 11: a gzip bomb in `full` mode.  The unwinder
# inflated core.gz whole into a memfd: a big sparse mapping's core (GBs
# of zeros) took as much memory, a crafted core.gz more.  Now:
#  - a real crash in full mode of a python3 with a 1 GiB MAP_NORESERVE
#    mapping, one page touched: the unwinder's memfd has the core's size
#    but holds only its non-zero blocks (sampled while it inflates), and
#    the backtrace is there;
#  - a crafted core.gz whose headers declare 1 MiB and which inflates to
#    1 GiB of zeros stops at the declared end;
#  - a crafted core.gz declaring a 3 GiB segment of 600 MiB of 'A's
#    (no zeros) stops at the 512 MiB cap on data;
# and the unwinder, sampled while it inflates, runs as nobody with no
# capabilities, no_new_privs, in a deleted empty root.
source "$(dirname "$0")/../daemon/lib_daemon.sh"

write_daemon_config mode=full max_size=256M time_budget=30s \
	remove_duplicates=false actions="$(log_action)"
register
start_daemon

# Samples the unwinder children: status lines, root, and the core memfd's
# size and allocated bytes.
sample() {
	set +e
	local p s m r
	while :; do
		# The unwinder is its supervisor's child (confine_supervise()).
		for p in $(pgrep -P "$(pgrep -P "$DAEMON_PID" -x crashd | paste -sd,)" -x crashd 2>/dev/null); do
			# Each read may find the child gone: a partial sample is none.
			r=$(readlink "/proc/$p/root" 2>/dev/null | tr ' ' _)
			s=$(grep -E '^(Uid|CapEff|NoNewPrivs|VmRSS):' "/proc/$p/status" 2>/dev/null | tr '\n\t' '  ')
			m=
			for f in /proc/$p/fd/*; do
				[[ $(readlink "$f" 2>/dev/null) == /memfd:crashd-core* ]] &&
					m=$(stat -L -c 'memfd %s %b' "$f" 2>/dev/null)
			done
			[[ -n $r && -n $s && -e /proc/$p/status ]] || continue
			echo "$p $s root=$r $m"
		done
		nap 0.003
	done
}
sample >"$T/samples" 2>/dev/null &
SAMPLER=$!
eval "bomb_prev_exit() $(declare -f daemon_on_exit | tail -n +2)"
daemon_on_exit() {
	local rc=$?
	[[ -z ${SAMPLER:-} ]] || kill "$SAMPLER" 2>/dev/null
	(exit "$rc")
	bomb_prev_exit
}
trap daemon_on_exit EXIT

info "a real crash in full mode: 1 GiB MAP_NORESERVE, one page touched"
d_crash sh -c 'echo "pid $$"; exec /usr/bin/python3 -c "
import ctypes, mmap
m = mmap.mmap(-1, 1 << 30, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | 0x4000)
m[4096] = 1
ctypes.string_at(0)"'
real=$DUMP
wait_until 60 "$real to be processed" test -e "$real/processed"
[[ -f $real/core.gz ]] || fail "no core.gz in $real: $(cat "$real/incomplete" "$real/core_info" 2>&1)"
gz_bytes=$(stat -c %s "$real/core.gz")
grep -q '^Thread .* (crashed):' "$real/backtrace" ||
	fail "no backtrace of the sparse crash: $(head -5 "$real/backtrace")"
grep -q 'libc\.so' "$real/backtrace" || fail "no libc frame: $(head -8 "$real/backtrace")"
# The biggest memfd seen: its size, and what it held (st_blocks * 512).
read -r mem_size mem_blocks < <(awk '{ for (i = 1; i < NF; i++) if ($i == "memfd") print $(i + 1), $(i + 2) }' \
	"$T/samples" | sort -n -k1,1 -k2,2 | tail -n1) || true
[[ -n ${mem_size:-} ]] || fail "the unwinder's memfd was never sampled: $(tail -3 "$T/samples")"
mem_held=$((mem_blocks * 512))
((mem_size >= 512 << 20)) || fail "the memfd seen was $mem_size bytes, expected the core's ~1 GiB"
((mem_held < 64 << 20)) || fail "the memfd held $mem_held bytes of a $mem_size-byte core of zeros"
info "core.gz $gz_bytes bytes; the unwinder's memfd: $mem_size bytes in size, $mem_held bytes held"

confined=$(grep 'NoNewPrivs: *1' "$T/samples" | head -n1)
[[ -n $confined ]] || fail "no confined unwinder sampled: $(head -3 "$T/samples")"
grep 'NoNewPrivs: *1' "$T/samples" | grep -Ev "Uid: *$(id -u nobody) .*CapEff: *0+ .*root=/.*crashd-unwind.*\(deleted\)" |
	head -n1 | grep . && fail "an unwinder ran as other than nobody, with capabilities or in another root (above)"
rss=$(grep 'NoNewPrivs: *1' "$T/samples" | sed -nE 's/.*VmRSS: *([0-9]+) kB.*/\1/p' | sort -n | tail -n1)
info "unwinder: $(sed -E 's/^[0-9]+ //; s/ memfd.*//' <<<"$confined" | tr -s ' ')"
info "its largest RSS sampled: ${rss:-?} kB"

# make_bomb FILE DECLARED_FILESZ BYTE COUNT_MIB: an ELF64 core header with
# one PT_LOAD of DECLARED_FILESZ bytes at 4096, then COUNT_MIB MiB of BYTE.
make_bomb() {
	/usr/bin/python3 - "$@" <<'EOF'
import struct, sys, zlib
path, filesz, byte, mib = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
eh = b"\x7fELF" + bytes([2, 1, 1]) + bytes(9)
eh += struct.pack("<HHIQQQIHHHHHH", 4, 62, 1, 0, 64, 0, 0, 64, 56, 1, 0, 0, 0)
ph = struct.pack("<IIQQQQQQ", 1, 4, 4096, 0x400000, 0, filesz, filesz, 4096)
head = (eh + ph).ljust(4096, b"\0")
c = zlib.compressobj(1, zlib.DEFLATED, 31)
with open(path, "wb") as f:
    f.write(c.compress(head))
    chunk = bytes([byte]) * (1 << 20)
    for _ in range(mib):
        f.write(c.compress(chunk))
    f.write(c.flush())
EOF
}

# publish NAME: a hand-made dump of root's with core.gz from $T/bomb.gz.
publish() {
	local inc=$SPOOL/.incoming/$1
	mkdir -m 750 "$inc"
	printf '%s\n' "$(date +%s)" >"$inc/time"
	echo 4242 >"$inc/pid"
	echo 0 >"$inc/uid"
	echo 11 >"$inc/signal"
	echo SIGSEGV >"$inc/signal_name"
	echo /usr/bin/bomb >"$inc/executable"
	mv "$T/bomb.gz" "$inc/core.gz"
	chmod 640 "$inc"/*
	mv "$inc" "$SPOOL/$1"
}

# bomb_case WHAT N DECLARED_FILESZ BYTE COUNT_MIB REASON: a crafted
# core.gz (make_bomb) published as the Nth hand-made dump; once processed,
# its backtrace must say where inflating stopped, for REASON (a fixed
# string).  Sets BOMB_LINE to that line and BOMB_GZ to core.gz's size.
bomb_case() {
	local what=$1 n=$2 name
	make_bomb "$T/bomb.gz" "$3" "$4" "$5"
	BOMB_GZ=$(stat -c %s "$T/bomb.gz")
	name=$(date -u +%Y%m%dT%H%M%S).00000${n}Z-$((4241 + n))-bomb
	publish "$name"
	wait_until 30 "$name to be processed" test -e "$SPOOL/$name/processed"
	BOMB_LINE=$(grep 'core.gz inflated to' "$SPOOL/$name/backtrace") ||
		fail "the $what's backtrace does not say where inflating stopped: $(cat "$SPOOL/$name/backtrace")"
	grep -qF -- "$6" <<<"$BOMB_LINE" || fail "the $what stopped for another reason: $BOMB_LINE"
}

info "crafted: headers declare 1 MiB, the stream inflates to 1 GiB of zeros"
bomb_case "zero bomb" 1 $((1 << 20)) 0 1024 'the end its headers declare'
inflated=$(sed -E 's/.*inflated to ([0-9]+) bytes.*/\1/' <<<"$BOMB_LINE")
((inflated <= (1 << 20) + 4096)) || fail "inflated $inflated bytes past a declared end of $(((1 << 20) + 4096)): $BOMB_LINE"
info "zero bomb: core.gz $BOMB_GZ bytes of 1 GiB; inflated $inflated bytes (declared end $(((1 << 20) + 4096)))"

info "crafted: a 3 GiB segment declared, 600 MiB of 'A' (no zeros)"
bomb_case "data bomb" 2 $((3 << 30)) 65 600 'its cap on data'
data=$(sed -E 's/.*bytes only, ([0-9]+) of them.*/\1/' <<<"$BOMB_LINE")
((data <= (512 << 20) + 65536)) || fail "$data bytes of data inflated, over the 512 MiB cap: $BOMB_LINE"
info "data bomb: core.gz $BOMB_GZ bytes; inflated $data bytes of data (cap $((512 << 20)))"

kill "$SAMPLER" 2>/dev/null || true
wait "$SAMPLER" 2>/dev/null || true
SAMPLER=
expect_daemon_alive
stop_daemon
echo PASS
