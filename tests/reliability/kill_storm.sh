#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The daemon killed with SIGKILL 32 times during a storm of real crashes
# (finding 10 and the suite's "kill -9 mid-storm").  Crashes of 12
# executables go through the kernel's core_pattern path and the real
# hook all along; each is notified by a slow exec action whose command
# starts a child of its own.  What must hold at the end:
#   - every crash is one processed dump, and its exec action ran at
#     least once; more than once only when its actions record says the
#     run was interrupted in flight ("start (again: ...)"), each run with
#     the same CRASHD_EVENT_ID and CRASHD_ATTEMPT counting up to the
#     record's starts;
#   - no run of the exec action ever overlapped another: the command and
#     its child hold a lock that the next run must find free.  Before,
#     the dead daemon's command ran on beside the new daemon's run of the
#     same action.
source "$(dirname "$0")/../daemon/lib_daemon.sh"

N_KILLS=${CRASHD_KILLS:-32}
seed=${CRASHD_TEST_SEED:-$RANDOM}
RANDOM=$seed
info "seed $seed (CRASHD_TEST_SEED=$seed to repeat), $N_KILLS kills"
command -v flock >/dev/null || skip "flock (util-linux) is needed"

SLOW=$T/slow.sh
cp /bin/sleep "$T/slowchild"
cat >"$SLOW" <<EOF_SLOW
#!/bin/sh
# One run: a lock held by the command and its child for the whole run.
exec 8>>$T/slow.lock
if ! flock -n 8; then
	echo "OVERLAP \$CRASHD_EVENT_ID \$CRASHD_ATTEMPT" >>$T/slow.log
	flock 8
fi
echo "start \$CRASHD_EVENT_ID \$CRASHD_ATTEMPT \$\$" >>$T/slow.log
$T/slowchild 0.08 &
wait
echo "end \$CRASHD_EVENT_ID" >>$T/slow.log
EOF_SLOW
chmod 755 "$SLOW"
: >"$T/slow.log"
write_daemon_config every=1 rate=1000000/1h global_rate=1000000/1h \
	remove_duplicates=false \
	actions="{ name = \"slow\"; type = \"exec\"; command = [ \"$SLOW\" ]; timeout = \"20s\"; }, $(log_action)"
register
for ((e = 0; e < 12; e++)); do
	copy_victim "v$e"
done

spawn() {
	echo "=== spawn $(date +%T.%N)" >>"$DLOG"
	setpriv --pdeathsig KILL "$CRASHD_DAEMON" -f -c "$CONF" --hook "$REGISTERED_HOOK" \
		</dev/null >>"$DLOG" 2>&1 9>&- {CRASHD_GUARD_FD}>&- &
	DAEMON_PID=$!
}

# The storm: crashes, two at a time, until told to stop (the exec runs
# take 0.1 s each: about as many as the daemon gets through).
echo 64 >/proc/sys/kernel/core_pipe_limit
(
	i=0
	while [[ ! -e $T/stop ]]; do
		for ((k = 0; k < 2; k++)); do
			bash -c '"$@"' crash "$T/v$(((i + k) % 12))" segv >/dev/null 2>&1 &
		done
		wait
		i=$((i + 2))
		echo "$i" >"$T/crashes"
		sleep 0.15
	done
) 9>&- {CRASHD_GUARD_FD}>&- 2>>"$T/shell-notices" &
storm=$!

info "kill -9 of the daemon $N_KILLS times during the storm"
in_exec=0
t0=$SECONDS
refused=0
for ((round = 0; round < N_KILLS; round++)); do
	from=$(wc -l <"$DLOG")
	spawn
	sleep "$(printf '0.%03d' $((150 + RANDOM % 350)))"
	if ! daemon_alive; then
		# A child the dead daemon forked an instant before the kill
		# shares its pid file's lock until the kernel has killed it
		# (PR_SET_PDEATHSIG): on a loaded machine, a few ms.  The
		# new daemon refuses to start then; start it again.
		grep -q 'another crashd is running' < <(tail -n +$((from + 1)) "$DLOG") ||
			fail "crashd died by itself in round $round"
		wait "$DAEMON_PID" 2>/dev/null || true
		refused=$((refused + 1))
		((refused <= 10)) || fail "crashd refused to start $refused times: its pid file stays locked"
		round=$((round - 1))
		continue
	fi
	# A run of the exec action in flight when it dies?  (pgrep, not a
	# probe of the lock: a run starting meanwhile would find it taken.)
	if pgrep -f "^/bin/sh $SLOW" >/dev/null; then
		in_exec=$((in_exec + 1))
	fi
	kill -KILL "$DAEMON_PID"
	wait "$DAEMON_PID" 2>/dev/null || true
	DAEMON_PID=
done
touch "$T/stop"
wait "$storm"
crashes=$(cat "$T/crashes")
wait_incoming_empty
info "$crashes crashes in $((SECONDS - t0)) s; $in_exec of $N_KILLS kills landed during an exec run; a restart found the pid file still locked $refused times"
((in_exec >= N_KILLS / 4)) || fail "only $in_exec kills landed during an exec run: the test did not exercise it"

info "last start: everything is processed"
t1=$SECONDS
spawn
wait_all_processed 120
info "the backlog left took $((SECONDS - t1)) s"
stop_daemon
sleep 0.2

dumps=$(spool_dumps | wc -l)
expect_eq "dumps (one per crash)" "$crashes" "$dumps"

grep '^OVERLAP ' "$T/slow.log" >"$T/overlaps" || true
info "overlapping runs: $(wc -l <"$T/overlaps")"
[[ ! -s $T/overlaps ]] || fail "runs of the exec action overlapped (a dead daemon's run still ran): $(head -3 "$T/overlaps")"

# Per dump: runs (slow.log) against the record's starts, agains and
# outcomes of the slow action.  "DUMP RUNS ATTEMPTS... | IDS..."
awk '$1 == "start" { d = $2; sub("/.*", "", d); runs[d]++; att[d] = att[d] " " $3; id[d] = id[d] " " $2 }
END { for (d in runs) print d, runs[d] att[d], "|" id[d] }' "$T/slow.log" | sort >"$T/slowruns"
total_runs=0 repeated=0
for n in $(spool_dumps); do
	line=$(awk -v d="$n" '$1 == d' "$T/slowruns")
	if [[ -z $line ]]; then
		echo "no run for $n"
		continue
	fi
	read -r _ r rest <<<"$line"
	att=${rest%% |*}
	ids=$(tr ' ' '\n' <<<"${rest#*| }" | sort -u)
	starts=$(grep -c ' slow start' "$SPOOL/$n/actions" || true)
	agains=$(grep -c ' slow start (again: interrupted in flight)$' "$SPOOL/$n/actions" || true)
	dones=$(grep -c ' slow done ' "$SPOOL/$n/actions" || true)
	# The runs that happened, counting up; the last one is the record's
	# last start (a kill between a start's record and its command's first
	# line leaves an attempt with no run, whichever attempt it was).
	att_ok=1 prev=0
	for a in $att; do
		((a > prev && a <= starts)) || att_ok=0
		prev=$a
	done
	((prev == starts)) || att_ok=0
	total_runs=$((total_runs + r))
	((r == 1)) || repeated=$((repeated + 1))
	if ((dones != 1 || starts != agains + 1 || r > starts)) ||
		[[ $ids != "$n/slow" ]] || ((!att_ok)); then
		echo "$n: runs $r, starts $starts, agains $agains, dones $dones, attempts '$att' (want rising, within 1-$starts, the last $starts), ids '$ids'"
	fi
	echo "$total_runs $repeated" >"$T/totals"
done >"$T/bad"
read -r total_runs repeated <"$T/totals"
bad=$(grep -c . "$T/bad" || true)
leftovers=$(grep -c 'killed [0-9]* process[es]* left by the run' "$DLOG" || true)
info "$dumps dumps, $total_runs runs of the exec action: $((total_runs - dumps)) again after a kill in flight ($repeated dumps), each flagged in the record, same event id, CRASHD_ATTEMPT counting"
info "$leftovers times a restarted crashd killed what a dead one's run had left"
((bad == 0)) || fail "$bad dumps whose runs do not match their record: $(head -5 "$T/bad")"
((total_runs > dumps)) || fail "no run was repeated: no kill landed in a run"
expect_no_sanitizer_report
