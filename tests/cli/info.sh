#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# crashd-cli info: an ID is a full name, a unique prefix, a PID or "last";
# an ambiguous prefix fails listing the candidates; an empty or unknown ID
# fails.  The text has the reason, argv as shell words that read back as
# the exact argv, an ancestry tree ending at the crashed process, and
# shows hook-escaped items as they are (not escaped twice); --json is one
# object with the pinned keys.
source "$(dirname "$0")/lib_cli.sh"

write_config
cli_register
copy_victim victim
hostile=$'we ird\tn\nam\xc3\xa9 \e[31mx'
copy_victim "$hostile"
mark=$'x y\nz\e[1m'

crash_and_wait env CRASHD_TEST_MARK="$mark" "$T/victim" segv 'a b' "it's" $'tab\there' '' '$HOME'
d_segv=$(dump_id)
pid_segv=$VICTIM_PID
crash_and_wait -s 6 "$T/victim" abort
d_abrt=$(dump_id)
pid_abrt=$VICTIM_PID
crash_and_wait "$T/$hostile" open "$T/$hostile" -- "$hostile"
d_host=$(dump_id)
pid_host=$VICTIM_PID

info "IDs: full name, unique prefix, PID, last"
for id in "$d_segv" "${d_segv%-victim}" "${d_segv:0:22}" "$pid_segv"; do
	cli info "$id"
	expect_out_line 1 "$d_segv"
done
cli info "$pid_abrt"
expect_out_line 1 "$d_abrt"
cli info last
expect_out_line 1 "$d_host"
# Options after the ID, and --json first, are the same.
cli info "$pid_abrt" --json
py 'check(out["id"] == args[0].decode(), "id %r" % out["id"])' "$d_abrt"
cli info --json "$pid_abrt"
py 'check(out["id"] == args[0].decode(), "id %r" % out["id"])' "$d_abrt"

info "IDs that name no dump, or several"
prefix=${d_segv:0:9}
[[ $d_abrt == "$prefix"* && $d_host == "$prefix"* ]] || fail "the fixture's dumps do not share $prefix"
cli -x 1 info "$prefix"
expect_err "\"$prefix\" is ambiguous"
for d in "$d_segv" "$d_abrt" "$d_host"; do
	grep -Fxq "  $d" "$ERR" || fail "the ambiguity error does not list $d: $(cat "$ERR")"
done
[[ ! -s $OUT ]] || fail "a failed info printed on stdout: $(cat "$OUT")"
cli -x 1 info ''
expect_err 'empty ID'
cli -x 1 info nosuchdump
expect_err 'no dump is named "nosuchdump"'
cli -x 1 info 4194305
expect_err 'no dump is named "4194305"'
cli -x 1 info "${d_segv}x"
cli -x 2 info
# Several operands are coredumpctl's matches (PID, COMM, EXE, FIELD=VALUE):
# two dump names match nothing.
cli -x 1 info "$d_segv" "$d_abrt"
expect_err 'no dump matches'

info "text: reason, argv as shell words, ancestry"
cli info "$d_segv"
expect_out '^  reason +victim killed by SIGSEGV$'
expect_out "^  executable +$T/victim\$"
expect_out "^  pid +$pid_segv\$"
expect_out '^  user +root \(uid 0, gid 0\)$'
expect_out '^  core +full; '
words=$(sed -n 's/^  argv        //p' "$OUT")
[[ -n $words ]] || fail "no argv line: $(cat "$OUT")"
expect_eq "argv words" "$T/victim segv 'a b' 'it'\\''s' \$'tab\\there' '' '\$HOME'" "$words"
eval "argv=($words)"
printf '%s\0' "${argv[@]}" | cmp -s - "$SPOOL/$d_segv/cmdline" ||
	fail "argv read back as shell words is not the cmdline: $(printf '%q ' "${argv[@]}")"
# The ancestry: from the top down to the crashed process, its parent
# (this test's shell: env execs the victim) just above it.
sed -n '/^ancestry:$/,/^$/p' "$OUT" | sed '1d;/^$/d' >"$T/tree"
(($(wc -l <"$T/tree") >= 2)) || fail "ancestry has fewer than 2 lines: $(cat "$OUT")"
expect_eq "ancestry lines" "$(wc -l <"$SPOOL/$d_segv/ptree")" "$(wc -l <"$T/tree")"
last=$(tail -n 1 "$T/tree")
[[ $last =~ ^\ +\`-\ $pid_segv\ victim\ +$T/victim\ segv\ .*\<-\ crashed$ ]] ||
	fail "the ancestry does not end at the crashed process: $(printf '%q' "$last")"
parent=$(tail -n 2 "$T/tree" | head -n 1)
[[ $parent =~ ^\ *(\`-\ )?$$\ bash\  ]] || fail "the crashed process's parent is not this shell ($$): $(printf '%q' "$parent")"
# Each level's pid starts further right than its parent's.
awk '{ p = match($0, /[0-9]/); if (NR > 1 && p <= prev) exit 1; prev = p }' "$T/tree" ||
	fail "the ancestry is not a tree: $(cat "$T/tree")"
grep -c -- '<- crashed' "$T/tree" | grep -qx 1 || fail "not exactly one '<- crashed'"
expect_out '^open fds:$'
expect_out '^namespaces:$'
expect_out '^core_info:$'
expect_out '^  bytes_kept: [0-9]+$'
expect_no_out '^environ:$'

info "--environ: the environment, escaped"
cli info "$d_segv" --environ
expect_out '^environ:$'
grep -Fxq '  CRASHD_TEST_MARK=x y\nz\x1b[1m' "$OUT" || fail "environ lacks the escaped mark: $(sed -n '/^environ:/,$p' "$OUT" | cat -v)"
! grep -q $'\e' "$OUT" || fail "info --environ wrote an escape byte"

info "text of the hostile dump: one line per field, items not escaped twice"
cli info "$d_host"
! grep -q $'\e' "$OUT" || fail "info wrote an escape byte: $(cat -v "$OUT")"
expect_out_line 1 "$d_host"
esc='we ird\tn\nam\xc3\xa9 \x1b[31mx'
grep -Fxq "  reason      $esc killed by SIGSEGV" "$OUT" ||
	fail "the reason is not the reason item ($(cat "$SPOOL/$d_host/reason")): $(grep reason "$OUT")"
grep -Fxq "  executable  $T/$esc" "$OUT" || fail "executable line: $(grep executable "$OUT")"
words=$(sed -n 's/^  argv        //p' "$OUT")
eval "argv=($words)"
printf '%s\0' "${argv[@]}" | cmp -s - "$SPOOL/$d_host/cmdline" ||
	fail "hostile argv does not read back: $(printf '%q' "$words")"
# open_fds holds the escaped path; info shows it as the item has it.
grep -Fxq "  3  $T/$esc" "$OUT" || fail "fd 3 is not shown as open_fds has it: $(sed -n '/^open fds:/,/^$/p' "$OUT")"
tail -n 1 < <(sed -n '/^ancestry:$/,/^$/p' "$OUT" | sed '/^$/d') >"$T/last"
# (comm: the kernel's first 15 bytes of the name)
grep -Fq "\`- $pid_host ${esc%'[31mx'}  \$'$T/$esc' open \$'$T/$esc' -- \$'$esc'   <- crashed" "$T/last" ||
	fail "the hostile ancestry line: $(cat "$T/last")"

info "--json: one object with the pinned keys"
cli info "$d_segv" --json
expect_eq "info --json lines" 1 "$(wc -l <"$OUT")"
py '
check(isinstance(out, dict), "not an object")
for k in ("id", "time", "pid", "uid", "signal", "signal_name", "executable", "cmdline", "count", "core", "ptree", "open_fds", "namespaces", "environ"):
    check(k in out, "key %s missing (keys: %r)" % (k, sorted(out)))
check(out["id"] == args[0].decode(), "id")
check(out["pid"] == int(args[1]), "pid %r" % out["pid"])
check((out["uid"], out["signal"], out["signal_name"], out["count"], out["core"]) == (0, 11, "SIGSEGV", 1, "full"), "fields %r" % out)
check(out["time"] == int(open(args[2] + b"/time").read()), "time %r" % out["time"])
check(b(out["executable"]) == args[3], "executable %r" % out["executable"])
check([b(a) for a in out["cmdline"]] == open(args[2] + b"/cmdline", "rb").read().split(b"\0")[:-1], "cmdline %r" % out["cmdline"])
check(out["ptree"][0][:2] == [args[1].decode(), "victim"], "ptree[0] %r" % out["ptree"][0])
check(len(out["ptree"]) == len(open(args[2] + b"/ptree").read().splitlines()), "ptree length")
check(all(isinstance(l, list) and len(l) == 3 for l in out["ptree"]), "ptree entries %r" % out["ptree"])
check(["0", "/dev/null"] in out["open_fds"], "open_fds %r" % out["open_fds"])
check(any(l[0] == "pid" for l in out["namespaces"]), "namespaces %r" % out["namespaces"])
check(b"CRASHD_TEST_MARK=" + args[4] in [b(e) for e in out["environ"]], "environ lacks the mark")
' "$d_segv" "$pid_segv" "$SPOOL/$d_segv" "$T/victim" "$mark"
cli info "$d_host" --json
py '
check(b(out["executable"]) == args[0], "executable %r" % out["executable"])
check([b(a) for a in out["cmdline"]] == [args[0], b"open", args[0], b"--", args[1]], "cmdline %r" % out["cmdline"])
# The reason item (escaped by the hook) holds "\\x1b": raw bytes like any item.
check(b(out["reason"]) == open(args[2] + b"/reason", "rb").read().rstrip(b"\n"), "reason %r" % out["reason"])
' "$T/$hostile" "$hostile" "$SPOOL/$d_host"

info "a PID that is also a prefix of every name (the year's digits)"
target=${d_segv:0:5}
((target < $(</proc/sys/kernel/pid_max))) || target=${d_segv:0:4}
d_target=
for ((try = 0; try < 20; try++)); do
	[[ -e /proc/$target ]] && break
	list_dumps
	n_before=${#DUMPS[@]}
	# The next fork gets pid target, unless another process forks first.
	exec {stderr}>&2 2>>"$T/shell-notices"
	echo $((target - 1)) >/proc/sys/kernel/ns_last_pid
	"$T/victim" segv >/dev/null 2>&1 9>&- {CRASHD_GUARD_FD}>&- &
	p=$!
	wait "$p" || true
	exec 2>&"$stderr" {stderr}>&-
	for ((i = 0; i < 1000; i++)); do
		list_dumps
		((${#DUMPS[@]} > n_before)) && break
		nap 0.01
	done
	wait_incoming_empty
	if ((p == target)); then
		for d in "${DUMPS[@]}"; do
			[[ $(<"$SPOOL/$d/pid") == "$target" ]] && d_target=$d
		done
		break
	fi
done
if [[ -n $d_target ]]; then
	[[ $d_target == "$target"* ]] || fail "pid $target is no prefix of $d_target"
	cli info "$target"
	expect_out_line 1 "$d_target"
	info "(pid $target after $((try + 1)) tries: $d_target)"
else
	info "(could not get pid $target for a crash: not checked)"
fi
echo PASS
