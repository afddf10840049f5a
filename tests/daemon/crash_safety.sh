#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Crash safety (issue 3's acceptance): the daemon is killed with SIGKILL
# at 50 random points while 200 dumps are being processed, and restarted
# each time.  At the end every dump is processed, each of its actions ran
# and has one outcome, and none ran twice unless its record says it was
# interrupted in flight ("start (again: interrupted in flight)").  Counts
# on first dumps are 1 + their duplicates, and every crash held back is
# summed up in exactly one notification or digest.
#
# The 200 dumps are copies of one real dump from the hook, each with its
# own time-sorted name, pid, executable and signal: 24 keys (executable +
# signal), so that some merge and some do not; published into the spool 4
# per round, 2 while the daemon is down and 2 while it runs.
#
# With the argument "remove" (80 dumps, 20 kills), duplicates are removed
# once processed: then exactly the first dump of each key must be left,
# with the full count, whatever instant the kills hit.
source "$(dirname "$0")/lib_daemon.sh"

MODE=${1:-keep}
N_DUMPS=200
N_KILLS=50
[[ $MODE == remove ]] && N_DUMPS=80 N_KILLS=20
seed=${CRASHD_TEST_SEED:-$RANDOM}
RANDOM=$seed
info "seed $seed (CRASHD_TEST_SEED=$seed to repeat), duplicates: $MODE"

write_daemon_config remove_duplicates=$([[ $MODE == remove ]] && echo true || echo false) \
	every=4 digest_after=1s
register
copy_victim victim
d_crash "$T/victim" segv
proto=$T/proto
mv "$DUMP" "$proto"

info "making $N_DUMPS dumps"
mkdir "$T/stage"
base=$(date -u +%Y%m%dT%H%M%S)
now=$(date +%s)
declare -A key_of
names=()
for ((i = 0; i < N_DUMPS; i++)); do
	# Skewed: a few keys get many crashes, several get one or two.
	k=$((RANDOM % 12))
	((RANDOM % 3 == 0)) && k=$((k + RANDOM % 12 + 12))
	sig=11
	((k % 5 == 4)) && sig=6
	name=$(printf '%s.%06dZ-%d-victim' "$base" "$i" $((300000 + i)))
	d=$T/stage/$name
	cp -a "$proto" "$d"
	echo $((300000 + i)) >"$d/pid"
	echo "$now" >"$d/time"
	echo "/usr/bin/prog$((k / 2))" >"$d/executable"
	echo "$sig" >"$d/signal"
	key_of[$name]="/usr/bin/prog$((k / 2)) $sig"
	names+=("$name")
done
info "$(printf '%s\n' "${key_of[@]}" | sort -u | wc -l) keys"

published=0
publish_next() { # COUNT
	local i
	for ((i = 0; i < $1 && published < N_DUMPS; i++)); do
		mv -T "$T/stage/${names[published]}" "$SPOOL/${names[published]}"
		published=$((published + 1))
	done
}
ms() { # sleep a random 0..$1 ms
	sleep "$(printf '0.%03d' $((RANDOM % ($1 + 1))))"
}

# spawn: starts the daemon without waiting for it (start_daemon waits for
# the backlog to be done; the kills must land in it too).
spawn() {
	echo "=== spawn $(date +%T.%N)" >>"$DLOG"
	setpriv --pdeathsig KILL "$CRASHD_DAEMON" -f -c "$CONF" ${REGISTERED_HOOK:+--hook "$REGISTERED_HOOK"} \
		</dev/null >>"$DLOG" 2>&1 9>&- {CRASHD_GUARD_FD}>&- &
	DAEMON_PID=$!
}

unprocessed_decided() {
	local i
	for ((i = 0; i < published; i++)); do
		if [[ -e $SPOOL/${names[i]}/actions && ! -e $SPOOL/${names[i]}/processed ]]; then
			echo "${names[i]}"
			return
		fi
	done
}

info "$N_KILLS rounds: publish, start, publish, kill -9 at a random point"
hits=0
for ((round = 0; round < N_KILLS; round++)); do
	publish_next 2
	spawn
	ms 40
	publish_next 2
	ms 120
	daemon_alive || fail "crashd died by itself in round $round"
	kill -KILL "$DAEMON_PID"
	wait "$DAEMON_PID" 2>/dev/null || true
	DAEMON_PID=
	# Did the kill land inside a dump's processing or a digest: a dump
	# decided on but not processed, or an action started, not done?
	if [[ -n $(unprocessed_decided) ]] ||
		cat "$SPOOL"/*/actions 2>/dev/null |
		awk '$3 == "start" { s++ } $3 == "done" { d++ } END { exit !(s > d) }'; then
		hits=$((hits + 1))
	fi
done
publish_next $N_DUMPS
left=$(unprocessed | wc -l)
info "$hits of $N_KILLS kills landed inside a dump's processing or an action; $left dumps left for the last start"
# Enough kills landed in the middle of the work for the test to mean
# something (typically most of them do).
((hits >= N_KILLS / 5)) || fail "only $hits kills interrupted a dump: the test did not exercise recovery"

info "last start: it finishes everything"
start_daemon
wait_all_processed 30
# (-q: a state file renamed away under grep is no reason to say "no".)
keys_pending() {
	grep -qEs '^(held_back [1-9]|digest_id [1-9])' "$SPOOL"/.state/keys/*
}
wait_until 15 "the held-back crashes to be summed up in digests" eval '! keys_pending'
stop_daemon
# An exec action a kill left running finishes by itself (rec.sh is quick).
sleep 0.3

declare -A total
for n in "${names[@]}"; do
	total[${key_of[$n]}]=$((${total[${key_of[$n]}]:-0} + 1))
done

if [[ $MODE == remove ]]; then
	info "one dump per key is left, processed, with the key's count"
	declare -A left_of
	for n in $(spool_dumps); do
		[[ -v key_of[$n] ]] || fail "unexpected dump $n"
		[[ -z ${left_of[${key_of[$n]}]:-} ]] ||
			fail "two dumps of key ${key_of[$n]} are left: ${left_of[${key_of[$n]}]} and $n"
		left_of[${key_of[$n]}]=$n
		DUMP=$SPOOL/$n
		expect_item processed 1
		expect_item count "${total[${key_of[$n]}]}"
		expect_line actions ' - decision first count=1 '
	done
	expect_eq "dumps left" "${#total[@]}" "${#left_of[@]}"
	[[ -z $(ls -A "$SPOOL/.trash" 2>/dev/null) ]] ||
		fail ".trash is not empty: $(ls -A "$SPOOL/.trash" | head -3)"
else
	info "every dump is there and processed"
	for n in "${names[@]}"; do
		[[ -d $SPOOL/$n ]] || fail "dump $n is gone"
		[[ -e $SPOOL/$n/processed ]] || fail "dump $n is not processed"
	done
	expect_eq "dumps in the spool" "$N_DUMPS" "$(spool_dumps | wc -l)"
fi

# Every record line of every dump left, as "DUMP LABEL-OR-- WHAT REST".
awk '{
	d = FILENAME; sub("/actions$", "", d); sub(".*/", "", d)
	$1 = d; print
}' "$SPOOL"/*/actions >"$T/records"

info "one decision per dump"
awk '$2 == "-" && $3 == "decision" { n[$1]++ } END { for (d in n) if (n[d] != 1) print d, n[d] }' \
	"$T/records" >"$T/bad"
[[ ! -s $T/bad ]] || fail "dumps with more than one decision: $(head -3 "$T/bad")"
expect_eq "dumps with a decision" "$(spool_dumps | wc -l)" \
	"$(awk '$2 == "-" && $3 == "decision"' "$T/records" | wc -l)"

info "each action once: one start (more only when interrupted in flight), one outcome"
# DUMP/LABEL starts agains dones outcome
awk '$2 != "-" {
	k = $1 "/" $2
	if ($3 == "start") {
		s[k]++
		if ($0 ~ / start \(again: interrupted in flight\)$/) a[k]++
	} else if ($3 == "done") {
		d[k]++; o[k] = $4
	} else bad[k] = $0
} END {
	for (k in s) print k, s[k], a[k] + 0, d[k] + 0, o[k]
	for (k in bad) print k, "BAD", bad[k]
}' "$T/records" | sort >"$T/labels"
grep ' BAD ' "$T/labels" && fail "record lines that are neither start nor done"
awk '$4 != 1 || $2 != 1 + $3 || $5 != "ok:"' "$T/labels" >"$T/bad"
[[ ! -s $T/bad ]] || fail "actions without exactly one ok outcome, or restarted without the marker (label starts agains dones outcome): $(head -5 "$T/bad")"
again=$(awk '{ n += $3 } END { print n + 0 }' "$T/labels")
info "$again action(s) restarted after an interruption in flight"

info "the log action ran for every dump, the exec action for every notifying one"
expect_eq "log actions" "$(spool_dumps | wc -l)" "$(grep -c '/log ' "$T/labels")"
awk '$2 == "-" && $3 == "decision" && $4 ~ /^(first|every|regression)$/ { print $1 "/rec" }' \
	"$T/records" | sort >"$T/notifying"
grep -o '^[^ ]*/rec ' "$T/labels" | sed 's/ $//' | sort >"$T/rec-labels"
cmp -s "$T/notifying" "$T/rec-labels" ||
	fail "exec actions do not match the notifying decisions: $(diff "$T/notifying" "$T/rec-labels" | head -5)"

info "runs of the exec action: once, more only when the record says interrupted"
awk '{ print $1 }' "$T/rec.log" | sort | uniq -c | awk '{ print $2, $1 }' >"$T/runcounts"
while read -r label starts agains dones outcome; do
	[[ $label == */rec || $label == */rec@digest-* ]] || continue
	runs=$(awk -v k="$label" '$1 == k { print $2 }' "$T/runcounts")
	runs=${runs:-0}
	((runs >= 1)) || fail "$label is recorded done but never ran"
	((runs <= starts)) || fail "$label ran $runs times for $starts start(s)"
	((runs == 1 || agains >= 1)) || fail "$label ran $runs times, not recorded as interrupted"
done <"$T/labels"
while read -r label runs; do
	# (A removed duplicate's record is gone with it: its runs are only
	# checked by the sums below.)
	if [[ -d $SPOOL/${label%%/*} ]]; then
		grep -q "^$label " "$T/labels" || fail "the exec action ran for $label, which its record does not know"
	fi
done <"$T/runcounts"
info "$(awk '$2 > 1' "$T/runcounts" | wc -l) exec run(s) repeated after an interruption in flight"

if [[ $MODE == keep ]]; then
	info "counts: each first dump is 1 + its duplicates"
	declare -A dups firsts
	for n in "${names[@]}"; do
		if [[ -e $SPOOL/$n/duplicate_of ]]; then
			f=$(cat "$SPOOL/$n/duplicate_of")
			dups[$f]=$((${dups[$f]:-0} + 1))
			[[ ${key_of[$f]:-} == "${key_of[$n]}" ]] || fail "$n is a duplicate of $f, another key"
		else
			firsts[$n]=1
		fi
	done
	for f in "${!firsts[@]}"; do
		DUMP=$SPOOL/$f
		expect_item count $((1 + ${dups[$f]:-0}))
	done
	expect_eq "first dumps (one per key)" "${#total[@]}" "${#firsts[@]}"
fi

info "every crash is notified or summed up once: per key, notified + held = crashes"
# From the exec action's runs (the same values on a repeat): a notifying
# crash counts itself and the crashes it sums up, a digest those.
declare -A summed
while read -r id event held; do
	d=${id%%/*}
	[[ $event == digest ]] || held=$((held + 1))
	summed[${key_of[$d]}]=$((${summed[${key_of[$d]}]:-0} + held))
done < <(sort -u -k1,1 "$T/rec.log")
for k in "${!total[@]}"; do
	expect_eq "crashes of $k notified or summed up" "${total[$k]}" "${summed[$k]:-0}"
done
info "$(sort -u -k1,1 "$T/rec.log" | grep -c ' digest ' || true) digest(s)"
echo "PASS"
