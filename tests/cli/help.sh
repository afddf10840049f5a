#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# crashd-cli --help lists every verb, and "crashd-cli VERB --help" (and -h)
# prints that verb's usage on stdout and exits 0 for each of them.  Needs
# neither root nor core_pattern.
set -euo pipefail
export LC_ALL=C
fail() {
	echo "FAIL: $*" >&2
	exit 1
}
[[ -x ${CRASHD_CLI:-} ]] || fail "CRASHD_CLI is not set; run the tests through ctest"
out=$(mktemp /tmp/crashd-cli-help.XXXXXX)
trap 'rm -f "$out" "$out.err"' EXIT
source "$(dirname "$0")/lib_sanitizer.sh"

verbs=(list info core gdb rm stats status install uninstall deliveries check-config counters)
"$CRASHD_CLI" --help >"$out" || fail "crashd-cli --help failed"
listed=$(sed -n '/^Commands/,/^$/p' "$out" | awk 'NR > 1 && NF { print $1 }')
[[ $listed == "$(printf '%s\n' "${verbs[@]}")" ]] || fail "--help lists: $listed"
"$CRASHD_CLI" -h >/dev/null || fail "crashd-cli -h failed"
"$CRASHD_CLI" --version | grep -Eq '^crashd-cli [0-9]' || fail "--version"

for v in "${verbs[@]}"; do
	for h in --help -h; do
		rc=0
		# A config that cannot be read: help must not need one.
		"$CRASHD_CLI" -c /nonexistent/crashd.conf "$v" "$h" >"$out" 2>"$out.err" </dev/null || rc=$?
		((rc == 0)) || fail "crashd-cli $v $h exited $rc: $(cat "$out" "$out.err")"
		grep -q "^Usage: crashd-cli $v\\b" "$out" || fail "crashd-cli $v $h: no usage on stdout: $(cat "$out")"
		[[ ! -s $out.err ]] || fail "crashd-cli $v $h wrote to stderr: $(cat "$out.err")"
	done
done
rc=0
"$CRASHD_CLI" nosuchverb >/dev/null 2>"$out.err" || rc=$?
check_cli_sanitizer nosuchverb "$out.err"
((rc == 2)) || fail "an unknown verb exited $rc"
grep -q 'unknown command "nosuchverb"' "$out.err" || fail "unknown verb: $(cat "$out.err")"
echo PASS
