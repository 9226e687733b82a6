#!/bin/bash
# scripts/test.sh - quick-start command (2): the same set-up, then every test
# with AddressSanitizer and UndefinedBehaviorSanitizer. Ends with the line
# "N passed, N failed[, N skipped]" counted over all test cases. Installs
# chromium as well: the HTML report test renders its reports in it.
set -uo pipefail
cd "$(dirname "$0")/.."
ECDIAG_EXTRA_PACKAGES="${ECDIAG_EXTRA_PACKAGES:-} chromium" \
	scripts/setup.sh build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dtests=enabled || exit 1
meson test -C build-asan --print-errorlogs --num-processes 2 "$@"
rc=$?
python3 scripts/tap_summary.py build-asan/meson-logs/testlog.json
src=$?
[ $rc -eq 0 ] && [ $src -eq 0 ]
