#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# crashd-cli rm: removes exactly the dumps named (by name, prefix, PID or
# last), nothing else, nothing left in .trash; rm --older-than removes
# exactly the dumps older than that; a non-root user cannot remove
# anything and is told so once.
source "$(dirname "$0")/lib_cli.sh"

write_config
cli_register
copy_victim victim

ids=()
for i in 1 2 3 4; do
	crash_and_wait "$T/victim" segv
	ids+=("$(dump_id)")
	pids+=("$VICTIM_PID")
done
crash_and_wait as_nobody "$T/victim" segv
d_nobody=$(dump_id)
age_copy "${ids[0]}" $((31 * 86400))
d_old=$AGED

# expect_spool NAME...: the spool holds exactly these dumps (and no
# leftover in .trash or .incoming).
expect_spool() {
	list_dumps
	expect_eq "dumps in the spool" "$(printf '%s\n' "$@" | sort)" "$(printf '%s\n' "${DUMPS[@]}" | sort)"
	local left
	left=$(find "$SPOOL/.trash" "$SPOOL/.incoming" -mindepth 1 2>/dev/null | head -3 || true)
	[[ -z $left ]] || fail "left behind: $left"
}
expect_spool "${ids[@]}" "$d_nobody" "$d_old"

info "a non-root user removes nothing, and is told so once"
cli -x 1 -u as_nobody rm "$d_nobody"
expect_err 'only root may remove dumps'
expect_eq "stderr lines" 1 "$(wc -l <"$ERR")"
cli -x 1 -u as_nobody rm --older-than 1s
expect_err 'only root may remove dumps'
expect_eq "stderr lines" 1 "$(wc -l <"$ERR")"
cli -x 1 -u as_nobody rm "${ids[1]}"
expect_spool "${ids[@]}" "$d_nobody" "$d_old"

info "rm --older-than 30d: only the dump of 31 days ago"
cli rm --older-than 30d
expect_out_line 1 "removed 1 dump"
expect_spool "${ids[@]}" "$d_nobody"
cli rm --older-than 30d
expect_out_line 1 "removed 0 dumps"
expect_spool "${ids[@]}" "$d_nobody"

info "rm ID: exactly that dump"
cli rm "${pids[1]}"
expect_out_line 1 "removed 1 dump"
expect_spool "${ids[0]}" "${ids[2]}" "${ids[3]}" "$d_nobody"
cli rm "${ids[2]}" "${ids[0]%-victim}"
expect_out_line 1 "removed 2 dumps"
expect_spool "${ids[3]}" "$d_nobody"
cli -x 1 rm "${ids[2]}"
expect_err "no dump is named \"${ids[2]}\""
cli -x 1 rm ''
cli -x 1 rm "${ids[3]:0:8}"
expect_err 'ambiguous'
expect_spool "${ids[3]}" "$d_nobody"
cli rm last
expect_spool "${ids[3]}"
cli list
expect_list "list after rm" "${ids[3]}"
cli -x 2 rm
cli -x 2 rm --older-than soon
cli -x 2 rm --older-than 1d "${ids[3]}"
echo PASS
