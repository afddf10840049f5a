#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Dumps are untrusted input.  Each malformed case below leaves the daemon
# alive, is logged, and is either quarantined (moved to .quarantine: no
# dump, or one without what identifies its crash) or processed without
# harm: no symlink followed out of the spool, nothing
# written outside it, no raw control byte in an exec action's environment,
# and a real crash afterwards is still processed.
source "$(dirname "$0")/lib_daemon.sh"

write_daemon_config remove_duplicates=false
register
start_daemon
copy_victim victim
copy_victim after

# A real dump, to build the bad ones from.
d_crash "$T/victim" segv
wait_processed "$DUMP"
proto=$T/proto
cp -a "$DUMP" "$proto"
rm -f "$proto"/{actions,count,last_occurrence,duplicate_of,processed}
mkdir "$T/stage"
n=0
# plant SUFFIX: sets P to a fresh dump name (the hook's format, sorting
# after the real dumps) for a dump to build in $T/stage.
plant() {
	n=$((n + 1))
	P=$(printf '%s.%06dZ-%d-%s' "$(date -u +%Y%m%dT%H%M%S)" "$n" $((90000 + n)) "$1")
}
# publish NAME: one rename into the spool root, as the hook does.
publish() {
	mv -T "$T/stage/$1" "$SPOOL/$1"
}
# fresh NAME: a copy of the real dump in the stage, with another pid.
fresh() {
	cp -a "$proto" "$T/stage/$1"
	echo $((90000 + n)) >"$T/stage/$1/pid"
}
quarantined() {
	[[ -e $SPOOL/.quarantine/$1 || -L $SPOOL/.quarantine/$1 ]] &&
		[[ ! -e $SPOOL/$1 && ! -L $SPOOL/$1 ]]
}
expect_quarantined() {
	wait_until 10 "$1 to be quarantined" quarantined "$1"
	expect_log "\"$1\" in the spool is no dump .*moved to \.quarantine"
	expect_daemon_alive "after $1"
}

info "a regular file in the spool root"
plant file
f=$P
printf 'not a dump\n' >"$T/stage/$f"
publish "$f"
expect_quarantined "$f"
expect_eq "the quarantined file" "not a dump" "$(cat "$SPOOL/.quarantine/$f")"

info "symlinks in the spool root: to /etc and to a complete dump elsewhere"
for x in actions processed count last_occurrence duplicate_of; do
	[[ ! -e /etc/$x ]] || skip "/etc/$x exists here; the symlink case cannot tell"
done
plant etc
l=$P
ln -s /etc "$T/stage/$l"
publish "$l"
expect_quarantined "$l"
expect_eq "the quarantined link's target" /etc "$(readlink "$SPOOL/.quarantine/$l")"
decoy=$T/decoy
cp -a "$proto" "$decoy"
plant decoy
l2=$P
ln -s "$decoy" "$T/stage/$l2"
publish "$l2"
expect_quarantined "$l2"
for x in actions processed count last_occurrence duplicate_of; do
	[[ ! -e /etc/$x ]] || fail "the daemon wrote /etc/$x through a planted symlink"
	[[ ! -e $decoy/$x ]] || fail "the daemon wrote $decoy/$x through a planted symlink"
done

info "a dump with only 'version'"
plant empty
m=$P
mkdir "$T/stage/$m"
echo 1 >"$T/stage/$m/version"
publish "$m"
# Nothing to merge, notify on or age (issue 11, finding 5): quarantined.
expect_quarantined "$m"
expect_log "$m: malformed dump \(missing or garbage: time pid uid signal executable\), not processed"

info "garbage items: binary junk, hostile text, a 10 MiB executable, a FIFO"
plant garbage
g=$P
fresh "$g"
head -c 4096 /dev/urandom >"$T/stage/$g/signal"
printf '%s\n' '-99999999999999999999999' >"$T/stage/$g/time"
printf 'abc\n' >"$T/stage/$g/uid"
printf '\x00\x01\xff12' >"$T/stage/$g/pid"
printf '/x/\n$(touch %s/pwned)\x1b[31m\x00\xffend' "$T" >"$T/stage/$g/executable"
head -c 100000 /dev/urandom >"$T/stage/$g/hostname"
head -c 100000 /dev/urandom >"$T/stage/$g/namespaces"
rm "$T/stage/$g/reason"
mkfifo -m 640 "$T/stage/$g/reason"
publish "$g"
expect_quarantined "$g"
expect_log "$g: malformed dump \(missing or garbage: time pid uid signal\), not processed"
[[ ! -e $SPOOL/.quarantine/$g/actions ]] ||
	fail "the daemon ran actions on $g before quarantining it"

plant huge
h=$P
fresh "$h"
head -c $((10 << 20)) /dev/zero | tr '\0' 'A' >"$T/stage/$h/executable"
publish "$h"
wait_processed "$SPOOL/$h"
expect_daemon_alive "after $h"

info "items that are symlinks or directories"
plant links
s=$P
fresh "$s"
echo "untouched" >"$T/target"
rm "$T/stage/$s"/{executable,hostname}
ln -s /etc/shadow "$T/stage/$s/executable"
ln -s "$T/target" "$T/stage/$s/hostname"
ln -s "$T/target" "$T/stage/$s/count"
mkdir "$T/stage/$s/last_occurrence"
publish "$s"
wait_processed "$SPOOL/$s"
expect_daemon_alive "after $s"
expect_eq "the symlinks' target" untouched "$(cat "$T/target")"
expect_log "$s: malformed dump \(missing or garbage: executable\)"
expect_log "$s: write count: "

plant journal
j=$P
fresh "$j"
ln -s "$T/target" "$T/stage/$j/actions"
publish "$j"
wait_until 10 "the daemon to refuse $j's record" log_has "$j"
sleep 0.5
expect_daemon_alive "after $j"
expect_eq "the symlinked record's target" untouched "$(cat "$T/target")"

info "a name longer than any the hook makes"
plant "$(printf 'x%.0s' {1..200})"
long=$P
fresh "$long"
publish "$long"
expect_quarantined "$long"
expect_log "\"$long\" in the spool is no dump \(File name too long\)"

[[ ! -e $T/pwned ]] || fail "a command substitution in a dump ran"

info "what the exec action saw: one line per variable, escaped"
for f in $(run_files); do
	bad=$(grep -Ev '^[A-Za-z_][A-Za-z0-9_]*=' "$f" | head -3 || true)
	[[ -z $bad ]] || fail "run $f has a line that is no variable: $(printf '%q' "$bad")"
done

info "a real crash afterwards is processed"
before=$(runs_count)
d_crash "$T/after" segv
wait_processed "$DUMP"
sleep 0.3
expect_eq "runs of the exec action for the real crash" $((before + 1)) "$(runs_count)"
expect_run_var "$(run_files | tail -n1)" CRASHD_EXECUTABLE "$T/after"
expect_line actions ' rec done ok: exit 0$'
stop_daemon
info "outcomes:"
for d in "$h" "$s"; do
	info "  $d: $(grep -h ' rec done ' "$SPOOL/$d/actions" | cut -d' ' -f2- | cut -c1-150)"
done
echo "PASS"
