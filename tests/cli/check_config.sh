#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# crashd-cli check-config: a good file prints "FILE: configuration OK"
# (exit 0); a broken one exits 1 with one "file:line: key: problem" line
# per problem; a missing or unparsable file fails.  Needs neither root
# nor core_pattern.
set -euo pipefail
export LC_ALL=C
fail() {
	echo "FAIL: $*" >&2
	exit 1
}
[[ -x ${CRASHD_CLI:-} ]] || fail "CRASHD_CLI is not set; run the tests through ctest"
T=$(mktemp -d /tmp/crashd-cli-cc.XXXXXX)
trap 'rm -rf "$T"' EXIT
source "$(dirname "$0")/lib_sanitizer.sh"

# run STATUS ARGS...: crashd-cli ARGS must exit STATUS.
run() {
	local want=$1 rc=0
	shift
	"$CRASHD_CLI" "$@" >"$T/out" 2>"$T/err" || rc=$?
	check_cli_sanitizer "$*" "$T/err"
	((rc == want)) || fail "crashd-cli $* exited $rc, expected $want: $(cat "$T/out" "$T/err")"
}

cat >"$T/good.conf" <<'CONF'
spool = "/var/spool/crashd";
hook = {
  core = { mode = "mini"; max_size = "64M"; level = 6; };
  ignore = [ "*/php-fpm" ];
  limits = { per_executable = "5/10m"; global = "100/10m"; spool_max = "2G"; keep_free = "1G"; };
};
daemon = {
  dedupe = { key = [ "executable", "signal" ]; window = "1d"; remove_duplicates = true; };
  retention = { max_age = "30d"; max_count = 5000; max_size = "4G"; };
};
CONF
run 0 check-config "$T/good.conf"
[[ $(cat "$T/out") == "$T/good.conf: configuration OK" ]] || fail "good config: $(cat "$T/out")"
[[ ! -s $T/err ]] || fail "good config: stderr $(cat "$T/err")"
# -c FILE is the file checked when no FILE is given.
run 0 -c "$T/good.conf" check-config
[[ $(cat "$T/out") == "$T/good.conf: configuration OK" ]] || fail "-c good config: $(cat "$T/out")"

cat >"$T/bad.conf" <<'CONF'
spool = "/var/spool/crashd";
hook = {
  core = { mode = "huge"; max_size = "64Q"; };
  bogus = 1;
  limits = { per_executable = 5; };
};
CONF
run 1 check-config "$T/bad.conf"
grep -q "^$T/bad.conf:3: hook\.core\.mode: .*huge" "$T/err" || fail "no mode error: $(cat "$T/err")"
grep -q "^$T/bad.conf:3: hook\.core\.max_size: .*64Q" "$T/err" || fail "no max_size error: $(cat "$T/err")"
grep -q "^$T/bad.conf:4: hook\.bogus: unknown key$" "$T/err" || fail "no unknown key error: $(cat "$T/err")"
grep -q "^$T/bad.conf:5: hook\.limits\.per_executable: " "$T/err" || fail "no wrong type error: $(cat "$T/err")"
[[ $(wc -l <"$T/err") == 4 ]] || fail "expected 4 problems: $(cat "$T/err")"
grep -q 'configuration OK' "$T/out" && fail "a bad config is OK"
# Every line is file:line: key: problem.
grep -Ev "^$T/bad\.conf:[0-9]+: [a-z_.]+: .+" "$T/err" && fail "a line is not file:line: key: problem"

printf 'spool = "/x"\nhook = {\n' >"$T/syntax.conf"
run 1 check-config "$T/syntax.conf"
grep -q "^$T/syntax.conf:[0-9][0-9]*: .*syntax error" "$T/err" || fail "syntax error: $(cat "$T/err")"
run 1 check-config "$T/missing.conf"
grep -q "$T/missing.conf: No such file or directory" "$T/err" || fail "missing file: $(cat "$T/err")"
run 1 -c "$T/bad.conf" check-config
run 2 check-config "$T/good.conf" "$T/bad.conf"
echo PASS
