#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# packaging/prometheus/crashd-rules.yml: valid for promtool, and its
# alerts fire as crashd-rules.test.yml says (a new series at 1 fires
# ProcessCrashed, a steady one does not, a loop fires CrashLoop, ...).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
command -v promtool >/dev/null || {
	echo "SKIP: promtool is not installed (Debian package prometheus)"
	exit 77
}
promtool check rules "$here/../../packaging/prometheus/crashd-rules.yml"
cd "$here"
promtool test rules crashd-rules.test.yml
