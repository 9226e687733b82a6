#!/bin/bash
# scripts/quickstart.sh - quick-start command (1): install what is missing,
# build, and diagnose the sample case in samples/upgrade-failed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
db=$(mktemp -d)/upgrade-failed.db
# the sample's own notes for readers (README.md, expected.json) are no evidence
echo "+ build/src/ecdiag diagnose samples/upgrade-failed --exclude README.md --exclude expected.json --db $db" >&2
set +e
build/src/ecdiag diagnose samples/upgrade-failed --exclude README.md --exclude expected.json --db "$db"
rc=$?
set -e
echo "(exit code $rc: 0 healthy, 1 findings, 3 nothing readable; query the case with" \
	"build/src/ecdiag query --db $db 'SELECT ...')" >&2
[ $rc -le 1 ]
