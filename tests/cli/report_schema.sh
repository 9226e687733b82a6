#!/bin/bash
# tests/cli/report_schema.sh - the JSON report against its schema: runs
# 'ecdiag diagnose --format json' on every sample case with an expected.json
# (and on samples/upgrade-failed and samples/upgrade-ok) and validates the
# output with docs/report.schema.json (JSON Schema draft 2020-12) using
# Python's jsonschema. TAP.
#
#   bash tests/cli/report_schema.sh PATH/TO/ecdiag
#
# The binary is $1 (else $ECDIAG_BIN); the source tree is $ECDIAG_SRC, else
# the tree this script is in. Needs python3 with the jsonschema module
# (Debian: apt-get install python3-jsonschema); without it the test fails.
set -u
BIN=${1:-${ECDIAG_BIN:-}}
SRC=${ECDIAG_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
SCHEMA="$SRC/docs/report.schema.json"
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; shift
	for l in "$@"; do printf '%s\n' "$l" | sed 's/^/# /'; done
}
finish() { echo "1..$n"; [ "$fails" -eq 0 ]; exit $?; }

if [ -z "$BIN" ] || [ ! -x "$BIN" ]; then
	not_ok "the ecdiag binary is given" "usage: $0 PATH/TO/ecdiag (got '${BIN}')"
	finish
fi
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
if ! out=$(python3 -c 'import jsonschema' 2>&1); then
	not_ok "python3 has the jsonschema module" \
		"python3 cannot import jsonschema: install python3-jsonschema (apt-get install python3-jsonschema)" "$out"
	finish
fi
ok "python3 has the jsonschema module"

T=$(mktemp -d /tmp/ecdiag-schema.XXXXXX)
trap 'rm -rf "$T"' EXIT
export ECDIAG_CASES="$T/cases"

# validate FILE: prints the errors, fails when there are any
validate() {
	python3 - "$SCHEMA" "$1" <<'PY'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1], encoding="utf-8"))
try:
    doc = json.load(open(sys.argv[2], encoding="utf-8"))
except ValueError as e:
    print("not valid JSON:", e)
    sys.exit(1)
v = jsonschema.Draft202012Validator(schema)
errors = sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path))
for e in errors[:20]:
    print("/".join(str(p) for p in e.absolute_path) or "(top)", ":", e.message[:300])
if len(errors) > 20:
    print("...", len(errors), "errors in all")
sys.exit(1 if errors else 0)
PY
}

if out=$(python3 - "$SCHEMA" 2>&1 <<'PY'
import json, sys
import jsonschema
s = json.load(open(sys.argv[1], encoding="utf-8"))
assert s.get("$schema") == "https://json-schema.org/draft/2020-12/schema", "not a draft 2020-12 schema"
jsonschema.Draft202012Validator.check_schema(s)
PY
); then
	ok "docs/report.schema.json is a valid draft 2020-12 schema"
else
	not_ok "docs/report.schema.json is a valid draft 2020-12 schema" "$out"
	finish
fi

# The schema must refuse what it promises to refuse (so that a pass means something).
if out=$(python3 - "$SCHEMA" 2>&1 <<'PY'
import copy, json, sys
import jsonschema
v = jsonschema.Draft202012Validator(json.load(open(sys.argv[1], encoding="utf-8")))
phase = {"state": "done", "time": None, "path": None, "line": None, "detail": None}
good = {
    "schema": 2, "findings": [{
        "id": "x", "rank": 1, "kind": "check", "severity": "error", "confidence": "high", "title": "t",
        "summary": None, "remediation": None, "time": "2026-05-10T08:15:02.103Z", "explained_by": None,
        "explains": [], "references": [], "captures": {}, "evidence": [{
            "path": "p", "line": 3, "record": None, "time": None, "note": None, "message": "m"}]}],
    "upgrades": [{"from": None, "to": "2.2.8.0", "outcome": "failed", "started": None, "ended": None,
                  "path": None, "line": None, "sync_paused": {"from": None, "to": None, "seconds": None},
                  "phases": {k: dict(phase) for k in ("baseline", "backup", "upgrade", "verify")}}],
    "sync": {"verdict": "unknown", "connectors": []},
}
bad = [
    ("schema 1", lambda d: d.update(schema=1)),
    ("no findings", lambda d: d.pop("findings")),
    ("kind outside the enumeration", lambda d: d["findings"][0].update(kind="rule")),
    ("severity outside the enumeration", lambda d: d["findings"][0].update(severity="fatal")),
    ("a time without milliseconds", lambda d: d["findings"][0].update(time="2026-05-10T08:15:02Z")),
    ("an empty string for unknown", lambda d: d["findings"][0].update(summary="")),
    ("line 0", lambda d: d["findings"][0]["evidence"][0].update(line=0)),
    ("evidence without record", lambda d: d["findings"][0]["evidence"][0].pop("record")),
    ("outcome outside the enumeration", lambda d: d["upgrades"][0].update(outcome="ok")),
    ("phase state outside the enumeration", lambda d: d["upgrades"][0]["phases"]["backup"].update(state="skipped")),
    ("a phase missing", lambda d: d["upgrades"][0]["phases"].pop("verify")),
    ("sync verdict outside the enumeration", lambda d: d["sync"].update(verdict="yes")),
]
assert list(v.iter_errors(good)), "a document without the other top-level members is accepted"
# the same schema requiring only these members: the good document passes, each bad one fails
sub = copy.deepcopy(v.schema)
sub["required"] = list(good)
sv = jsonschema.Draft202012Validator(sub)
errs = list(sv.iter_errors(good))
assert not errs, "the good document is refused: " + errs[0].message
for name, change in bad:
    d = copy.deepcopy(good)
    change(d)
    assert list(sv.iter_errors(d)), "accepted: " + name
PY
); then
	ok "the schema refuses wrong enumerations, times, empty strings and missing members"
else
	not_ok "the schema refuses wrong enumerations, times, empty strings and missing members" "$out"
fi

# The cases: every sample folder with an expected.json, and the two base samples.
cases=()
for d in "$SRC"/samples/*/; do
	d=${d%/}
	[ -f "$d/expected.json" ] && cases+=("$d")
done
for d in "$SRC/samples/upgrade-failed" "$SRC/samples/upgrade-ok"; do
	case " ${cases[*]} " in *" $d "*) ;; *) cases+=("$d") ;; esac
done

i=0
for d in "${cases[@]}"; do
	name=${d#"$SRC"/}
	i=$((i + 1))
	if [ ! -d "$d" ]; then
		not_ok "$name: the sample exists"
		continue
	fi
	"$BIN" diagnose --exclude README.md --exclude expected.json --db "$T/case$i.db" --format json "$d" >"$T/case$i.json" 2>"$T/case$i.err"
	rc=$?
	if [ $rc -ne 0 ] && [ $rc -ne 1 ]; then
		not_ok "$name: diagnose --format json exits 0 or 1" "exit $rc" "$(head -c 2000 "$T/case$i.err")"
		continue
	fi
	if out=$(validate "$T/case$i.json" 2>&1); then
		ok "$name: diagnose --format json matches docs/report.schema.json"
	else
		not_ok "$name: diagnose --format json matches docs/report.schema.json" "$out"
	fi
done

# 'report' renders the same document from the stored analysis.
if [ -f "$T/case1.db" ]; then
	"$BIN" report --db "$T/case1.db" --format json >"$T/report.json" 2>"$T/report.err"
	rc=$?
	if [ $rc -ne 0 ] && [ $rc -ne 1 ]; then
		not_ok "report --format json exits 0 or 1" "exit $rc" "$(head -c 2000 "$T/report.err")"
	elif out=$(validate "$T/report.json" 2>&1); then
		ok "report --format json matches docs/report.schema.json"
	else
		not_ok "report --format json matches docs/report.schema.json" "$out"
	fi
fi
finish
