#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 11, finding 5: on a full spool, empty dumps were published and
# counted as stored, then merged under an empty key and aged out by
# retention.  Now a published dump always holds what identifies its crash
# (time, pid, uid, signal, executable), or the crash is not published and
# is counted as failed; the daemon quarantines a dump that cannot say what
# crashed (log line, crashd_spool_quarantined) instead of merging,
# notifying on or ageing it.  On a real full file system: a tmpfs mounted
# here (lib.sh unmounts it on every exit path).
# With the argument "mini" the hook keeps minicores: its items are then
# held in memory until the minicore is taken, and the space they need
# must still be there for them (issue 17).
source "$(dirname "$0")/../daemon/lib_daemon.sh"

CORE_MODE=${1:-none}
[[ $CORE_MODE == none || $CORE_MODE == mini ]] || fail "usage: full_spool.sh [none|mini]"

mkdir "$T/tiny"
mount -t tmpfs -o size=4M,mode=755 crashd-rel-full "$T/tiny" ||
	skip "cannot mount a tmpfs"
SPOOL=$T/tiny/spool
mkdir -p "$T/textfile"
write_daemon_config mode="$CORE_MODE" keep_free=0 spool_max=0 retention_max_age=1h remove_duplicates=false \
	actions="$(rec_action), { name = \"metrics\"; type = \"metrics\"; path = \"$T/textfile/crashd.prom\"; }"
register
start_daemon
copy_victim victim

# identified DIR: the dump holds every identifying item, non-empty.
identified() {
	local f
	for f in time pid uid signal executable; do
		[[ -s $1/$f ]] || return 1
	done
}

info "a full tmpfs: every crash counted, none published"
d_crash "$T/victim" segv
wait_processed "$DUMP"
seen0=$(counter seen) stored0=$(counter stored) failed0=$(counter failed)
dd if=/dev/zero of="$T/tiny/filler" bs=4k 2>/dev/null || true
avail=$(df --output=avail -k "$T/tiny" | tail -n1)
((avail == 0)) || fail "test bug: $avail KiB still free on the tmpfs"
before=$(spool_dumps | wc -l)
N=20
crash_n $N "$T/victim" segv
after=$(spool_dumps | wc -l)
seen=$(($(counter seen) - seen0))
stored=$(($(counter stored) - stored0))
failed=$(($(counter failed) - failed0))
info "full spool: $N crashes, seen $seen, stored $stored, failed $failed, published $((after - before))"
expect_eq "crashes the hook saw" $N "$seen"
expect_eq "dumps published on a full spool" 0 $((after - before))
expect_eq "crashes counted as stored on a full spool" 0 "$stored"
expect_eq "crashes counted as failed (not stored: spool full)" $N "$failed"
[[ -z $(ls -A "$SPOOL/.incoming") ]] || fail ".incoming is not empty: $(ls -A "$SPOOL/.incoming")"

info "nearly full: what is published identifies its crash"
rm "$T/tiny/filler"
# About 1.3 MiB left: the 1 MiB the hook keeps for identifying items and
# some room above it, not enough for all.
avail=$(df --output=avail -k "$T/tiny" | tail -n1)
dd if=/dev/zero of="$T/tiny/filler" bs=1k count=$((avail - 1300)) 2>/dev/null
seen0=$(counter seen) stored0=$(counter stored) failed0=$(counter failed)
before=$(spool_dumps)
crash_n $N "$T/victim" segv
seen=$(($(counter seen) - seen0))
stored=$(($(counter stored) - stored0))
failed=$(($(counter failed) - failed0))
new=$(comm -13 <(echo "$before") <(spool_dumps))
published=$(grep -c . <<<"$new" || true)
info "nearly full: $N crashes, seen $seen, stored $stored, failed $failed, published $published"
expect_eq "crashes the hook saw" $N "$seen"
expect_eq "stored + failed" $N $((stored + failed))
expect_eq "published vs counted stored" "$stored" "$published"
((stored >= 10)) || fail "only $stored of $N crashes stored with 1.3 MiB free"
for n in $new; do
	identified "$SPOOL/$n" ||
		fail "published dump $n lacks an identifying item: $(ls "$SPOOL/$n" | tr '\n' ' ')"
done
rm "$T/tiny/filler"
# The daemon could not write its records on the full disk; a restart
# processes them (retrying without one is finding 4's, not this test's).
stop_daemon
start_daemon
wait_all_processed 20
for n in $new; do
	[[ -e $SPOOL/$n/processed || ! -e $SPOOL/$n ]] || fail "$n not processed"
done
[[ -z $(ls -A "$SPOOL/.quarantine" 2>/dev/null) ]] ||
	fail "a dump the hook published was quarantined: $(ls -A "$SPOOL/.quarantine")"

info "a dump that cannot say what crashed is quarantined, not processed"
# What a hook killed before its identifying items leaves, rescued from
# .incoming, or what an older hook published on a full disk.
bad=$(date -u +%Y%m%dT%H%M%S).000001Z-99999-victim
# (Built aside on the same file system: one rename publishes it.)
mkdir -p "$T/tiny/stage/$bad"
echo 1 >"$T/tiny/stage/$bad/version"
runs0=$(runs_count)
mv -T "$T/tiny/stage/$bad" "$SPOOL/$bad"
wait_until 10 "$bad to be quarantined" test -d "$SPOOL/.quarantine/$bad"
[[ ! -e $SPOOL/$bad ]] || fail "$bad is still in the spool root"
expect_log "$bad: malformed dump \(missing or garbage: time pid uid signal executable\), not processed"
expect_log "\"$bad\" in the spool is no dump \(Bad message\); moved to \.quarantine"
[[ ! -e $SPOOL/.quarantine/$bad/actions && ! -e $SPOOL/.quarantine/$bad/processed ]] ||
	fail "the daemon acted on $bad: $(ls "$SPOOL/.quarantine/$bad" | tr '\n' ' ')"
info "recovery: a crash with space back is stored and processed"
copy_victim after # a new key: it notifies
d_crash "$T/after" segv
wait_processed "$DUMP"
identified "$DUMP" || fail "the dump after recovery lacks an identifying item"
expect_eq "runs of the exec action (the bad dump ran none)" $((runs0 + 1)) "$(runs_count)"
wait_until 70 "crashd_spool_quarantined 1 in $T/textfile/crashd.prom" \
	grep -qx 'crashd_spool_quarantined 1' "$T/textfile/crashd.prom"
info "quarantined: 1 (crashd_spool_quarantined 1), exec runs for it: 0"
stop_daemon
echo PASS
