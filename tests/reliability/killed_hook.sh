#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Finding 11 of issue 11: the counters add up after a hook is killed
# mid-write.  "Add up" (common/hookstate.h): at every moment
#   seen == stored + ignored + rate_limited + failed
# where stored counts the dumps the hook decided to store, published by
# the hook or, when it died writing, left in .incoming for crashd to
# publish ("interrupted before publishing" in its incomplete item).
# A hook writing a 256 MiB full core is SIGKILLed while its core.gz grows;
# then a second crash is stored normally.
source "$(dirname "$0")/../integration/lib.sh"

write_config mode=full level=9 max_size=1G time_budget=60s
register
copy_victim victim

expect_sum() {
	local all seen sum
	all=$(counters)
	seen=$(awk '$1 == "seen" { print $2 }' <<<"$all")
	sum=$(awk '$1 ~ /^(stored|ignored|rate_limited|failed)$/ { s += $2 } END { print s + 0 }' <<<"$all")
	expect_eq "seen = stored + ignored + rate_limited + failed ($(tr '\n' ' ' <<<"$all"))" "$seen" "$sum"
}

exec {stderr}>&2 2>>"$T/shell-notices"
"$T/victim" touch 256 >/dev/null 2>&1 9>&- {CRASHD_GUARD_FD}>&- &
vpid=$!
exec 2>&"$stderr" {stderr}>&-
hook=
for ((i = 0; i < 3000; i++)); do
	core=$(find "$SPOOL/.incoming" -mindepth 2 -name core.gz -size +64k 2>/dev/null | head -n1) || true
	if [[ -n $core ]]; then
		hook=$(pgrep -f -- "crashd-hook -c $CONF " | head -n1) || true
		[[ -n $hook ]] && break
	fi
	nap 0.01
done
[[ -n $hook ]] || fail "no hook writing a core.gz in $SPOOL/.incoming within 30 s"
kill -KILL "$hook"
wait "$vpid" 2>/dev/null || true
dir=${core%/core.gz}
info "killed hook $hook while $(stat -c %s "$core") bytes of core.gz were written in ${dir#"$SPOOL"/}"
for ((i = 0; i < 500; i++)); do
	pgrep -f -- "crashd-hook -c $CONF " >/dev/null || break
	nap 0.01
done
info "counters after the kill: $(counters | tr '\n' ' ')"
expect_counters seen=1 stored=1 failed=0
expect_sum
[[ -d $dir ]] || fail "the killed hook's dump is no longer in .incoming: $(ls -A "$SPOOL/.incoming")"
list_dumps
expect_eq "published dumps" 0 "${#DUMPS[@]}"

info "a second crash, stored normally"
# What crashd's rescue does with the dead hook's dump (retention.c).
mv "$dir" "$SPOOL/"
write_config mode=none
crash_and_wait "$T/victim" segv
expect_counters seen=2 stored=2 failed=0
expect_sum
info "figures: killed mid-write: seen 1, stored 1 (left in .incoming for crashd), failed 0; after a second crash: seen 2, stored 2"
