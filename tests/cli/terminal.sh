#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# crashd-cli on a terminal (a pty of script(1), sized by stty): list's
# rows fit 80 and 120 columns without wrapping, EXE cut in the middle;
# info and list go through $SYSTEMD_PAGER / $PAGER (not with --no-pager,
# not off a terminal, not with PAGER=cat); NO_COLOR; a UTF-8 name is
# shown as UTF-8 on a UTF-8 locale and escaped on the C locale; times
# carry their zone.  Real crashes.
source "$(dirname "$0")/lib_cli.sh"

command -v script >/dev/null || skip "script(1) (util-linux) is needed for a pty"
locale -a 2>/dev/null | grep -qix 'C.utf-\?8' || skip "no C.UTF-8 locale"

write_config
cli_register
# A long path, and a name with a UTF-8 character.
long=$T/a-rather-long-directory-name-for-the-program/and-a-sub-directory-too
mkdir -p "$long"
cp "$CRASHD_VICTIM" "$long/victim-with-a-long-name"
copy_victim $'v\xc3\xbcctim'
crash_and_wait "$long/victim-with-a-long-name" segv
d_long=$(dump_id)
crash_and_wait -s 6 "$T/"$'v\xc3\xbcctim' abort
d_utf8=$(dump_id)

# on_pty COLS CMD...: runs CMD (a shell line) on a pty COLS wide, its
# output (CR LF made LF) in $T/pty.out.
on_pty() {
	local cols=$1
	shift
	script -qec "stty cols $cols rows 50; $*" /dev/null </dev/null >"$T/pty.raw" ||
		fail "on a pty ($cols columns): $* failed: $(cat -v "$T/pty.raw")"
	tr -d '\r' <"$T/pty.raw" >"$T/pty.out"
	check_cli_sanitizer "$* (on a pty)" "$T/pty.out"
}
CLI_LINE=$(printf '%q ' "$CRASHD_CLI" -c "$CONF")

# widest COLS: fails unless every line of $T/pty.out (colours removed) is
# at most COLS characters wide.
widest() {
	"$PY" - "$1" "$T/pty.out" <<'X'
import re, sys, unicodedata
cols = int(sys.argv[1])
for n, line in enumerate(open(sys.argv[2], encoding="utf-8", errors="replace"), 1):
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]", "", line.rstrip("\n"))
    w = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    if w > cols:
        sys.exit("line %d is %d columns wide, more than %d: %r" % (n, w, cols, text))
X
}

info "rows fit 80 and 120 columns; EXE is cut in the middle"
for cols in 80 120; do
	for loc in C.UTF-8 C; do
		on_pty "$cols" "LC_ALL=$loc TZ=UTC $CLI_LINE list --no-pager"
		widest "$cols" || fail "list at $cols columns ($loc) wraps: $(cat -v "$T/pty.out")"
		grep -q "$d_long" "$T/pty.out" || fail "the ID column went at $cols columns: $(cat -v "$T/pty.out")"
		grep -q 'SEGV' "$T/pty.out" || fail "the SIG column went at $cols columns: $(cat -v "$T/pty.out")"
		# The end of the path names the program: it stays.
		grep -Eq '(…|\.\.\.)[A-Za-z/-]*long-name' "$T/pty.out" ||
			fail "EXE is not ellipsized in the middle at $cols columns ($loc): $(cat -v "$T/pty.out")"
	done
done
on_pty 250 "TZ=UTC $CLI_LINE list --no-pager"
grep -Fq "$long/victim-with-a-long-name" "$T/pty.out" || fail "EXE cut though 250 columns hold it: $(cat -v "$T/pty.out")"
grep -q ' UTC ' "$T/pty.out" || fail "no zone in the TIME column: $(cat -v "$T/pty.out")"
# Off a terminal nothing is cut (scripts read every column).
cli list
grep -Fq "$long/victim-with-a-long-name" "$OUT" || fail "EXE cut off a terminal: $(cat "$OUT")"

info "times show their zone"
TZ=UTC cli info "$d_long"
expect_out '^  time +[0-9-]+ [0-9:]+ UTC$'
TZ=CET-1CEST,M3.5.0,M10.5.0/3 cli list
grep -Eq '^[0-9-]+ [0-9:]+ CES?T ' "$OUT" || fail "no CET zone in list: $(cat "$OUT")"
TZ=UTC cli stats
expect_out ' UTC '

info "one signal spelling per column: list's SIG and stats' SIGNAL"
cli list --no-legend -1
sig_list=$(awk '{ print $7 }' "$OUT")
cli stats --no-legend "$T/"$'v\xc3\xbcctim'
sig_stats=$(awk 'NR == 1 { print $3 }' "$OUT")
expect_eq "list's SIG and stats' SIGNAL" "ABRT/ABRT" "$sig_list/$sig_stats"

info "UTF-8 as UTF-8 on a UTF-8 locale, escaped on C"
LC_ALL=C.UTF-8 cli list
grep -Fq $'v\xc3\xbcctim' "$OUT" || fail "UTF-8 locale: the name is not UTF-8: $(cat "$OUT")"
LC_ALL=C.UTF-8 cli info "$d_utf8"
expect_out $'^  executable +.*/v\xc3\xbcctim$'
# The reason, which the hook escaped, too.
expect_out $'^  reason +v\xc3\xbcctim '
LC_ALL=C cli list
grep -Fq 'v\xc3\xbcctim' "$OUT" || fail "C locale: the name is not escaped: $(cat "$OUT")"
! grep -Fq $'v\xc3\xbcctim' "$OUT" || fail "C locale: raw UTF-8 printed"
LC_ALL=C cli info "$d_utf8"
expect_out '^  executable +.*/v\\xc3\\xbcctim$'
expect_out '^  reason +v\\xc3\\xbcctim '
# A bidi override or a C1 control is escaped even on a UTF-8 locale.
copy_victim $'evil\xe2\x80\xaename\xc2\x9b'
crash_and_wait "$T/"$'evil\xe2\x80\xaename\xc2\x9b' segv
LC_ALL=C.UTF-8 cli list
grep -Fq 'evil\xe2\x80\xaename\xc2\x9b' "$OUT" || fail "a bidi override or C1 control reached a UTF-8 terminal: $(cat -v "$OUT")"

info "NO_COLOR on a terminal"
on_pty 120 "$CLI_LINE list --no-pager"
grep -q $'\e\\[' "$T/pty.out" || fail "no colour on a terminal: $(cat -v "$T/pty.out")"
on_pty 120 "NO_COLOR=1 $CLI_LINE list --no-pager"
! grep -q $'\e' "$T/pty.out" || fail "colour despite NO_COLOR: $(cat -v "$T/pty.out")"

info "the pager: \$SYSTEMD_PAGER, \$PAGER, LESS; not with --no-pager, off a terminal, or cat"
cat >"$T/pager" <<'X'
#!/bin/sh
printf 'LESS=%s\n' "$LESS" >"${0%/*}/pager.used"
cat >"${0%/*}/pager.got"
X
chmod 755 "$T/pager"
rm -f "$T/pager.used"
on_pty 80 "PAGER=$T/pager $CLI_LINE info $d_long"
[[ -e $T/pager.used ]] || fail "info on a terminal did not use \$PAGER: $(cat -v "$T/pty.out")"
grep -q "^$d_long\$" "$T/pager.got" || fail "the pager did not get info's text: $(cat "$T/pager.got")"
expect_eq "LESS for the pager" "LESS=FRSXMK" "$(cat "$T/pager.used")"
rm -f "$T/pager.used"
on_pty 80 "SYSTEMD_PAGER=$T/pager PAGER=false SYSTEMD_LESS=FRX $CLI_LINE list"
[[ -e $T/pager.used ]] || fail "list did not use \$SYSTEMD_PAGER"
expect_eq "SYSTEMD_LESS" "LESS=FRX" "$(cat "$T/pager.used")"
grep -q "$d_utf8" "$T/pager.got" || fail "the pager did not get list's rows"
# The rows fit the terminal even through the pager.
cp "$T/pager.got" "$T/pty.out"
widest 80 || fail "list through the pager is wider than the terminal"
rm -f "$T/pager.used"
on_pty 80 "PAGER=$T/pager $CLI_LINE info --no-pager $d_long"
[[ ! -e $T/pager.used ]] || fail "--no-pager used the pager"
grep -q "^$d_long\$" "$T/pty.out" || fail "--no-pager printed no info: $(cat -v "$T/pty.out")"
on_pty 80 "PAGER=cat SYSTEMD_PAGER= $CLI_LINE info $d_long"
grep -q "^$d_long\$" "$T/pty.out" || fail "SYSTEMD_PAGER='' printed no info"
PAGER=$T/pager cli info "$d_long"
[[ ! -e $T/pager.used ]] || fail "the pager was used off a terminal"
echo PASS
