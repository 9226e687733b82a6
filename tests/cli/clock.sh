#!/bin/bash
# tests/cli/clock.sh - one clock per case (docs/ARCHITECTURE.md, "Time"):
# local times whose offset the case reveals are stored as UTC, whatever the
# order of the ingests; several computers are kept apart and reported;
# each file takes its own offset. Cases: samples/upgrade-failed and the
# constructed ones of tests/data/clock (README there). TAP.
#
#   bash tests/cli/clock.sh PATH/TO/ecdiag
set -u
BIN=${1:-${ECDIAG_BIN:-}}
SRC=${ECDIAG_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; shift
	for l in "$@"; do printf '%s\n' "$l" | head -40 | sed 's/^/# /'; done
}
check() { # check NAME CMD...: ok when CMD succeeds
	local name=$1; shift
	if out=$("$@" 2>&1); then ok "$name"; else not_ok "$name" "$out"; fi
}
finish() { echo "1..$n"; [ "$fails" -eq 0 ]; exit $?; }
expect() { # expect NAME FILE LINE...: ok when FILE holds exactly the LINEs
	local name=$1 file=$2; shift 2
	if d=$(printf '%s\n' "$@" | diff - "$file"); then ok "$name"; else not_ok "$name" "$d"; fi
}

if [ -z "$BIN" ] || [ ! -x "$BIN" ]; then
	not_ok "the ecdiag binary is given" "usage: $0 PATH/TO/ecdiag (got '${BIN}')"
	finish
fi
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
T=$(mktemp -d /tmp/ecdiag-clock.XXXXXX)
trap 'rm -rf "$T"' EXIT
cd "$SRC" || exit 1
MSI="samples/upgrade-failed/Synchronization Service_Install-20260510-101733.log"
D=tests/data/clock

# query DB SQL: the rows as CSV (LF line ends) on standard output
query() { "$BIN" query --db "$1" --format csv "$2" | tr -d '\r'; }

# --- samples/upgrade-failed: the MSI log on the trace's clock ------------------
"$BIN" diagnose --quiet --db "$T/uf.db" --format json -o "$T/uf.json" --exclude README.md --exclude expected.json samples/upgrade-failed >/dev/null 2>"$T/err"
check "upgrade-failed: partial-uninstall at 08:17:41.605Z, its MSI evidence too" python3 - "$T/uf.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
f = [x for x in d["findings"] if x["id"] == "partial-uninstall"]
assert f, "no partial-uninstall finding"
f = f[0]
assert f["time"] == "2026-05-10T08:17:41.605Z", f["time"]
msi = [e for e in f["evidence"] if e["path"].endswith("Install-20260510-101733.log") and not e["part_of_failure"]]
assert [e["line"] for e in msi] == [253, 254], msi
# the rest of the failure (context) is on the same clock
ctx = [e for e in f["evidence"] if e["part_of_failure"] and e["path"].endswith("Install-20260510-101733.log")]
assert ctx and all(e["time"].startswith("2026-05-10T08:17:41") for e in ctx), ctx
assert all(e["time"] == "2026-05-10T08:17:41.605Z" for e in msi), msi
inst = d["installs"][0]
assert inst["start"] == "2026-05-10T08:17:33.000Z" and inst["time_quality"] == "local-derived", inst
assert inst["utc_offset"] == "+02:00", inst
src = [s for s in d["sources"] if s["path"].endswith("Install-20260510-101733.log")][0]
assert src["clock"] == "derived" and src["utc_offset"] == "+02:00" and src["computer"] == "SYNC01", src
# the four logs and notes.txt (a file of the case, on its one computer)
assert d["computers"] == [{"name": "SYNC01", "files": 5}], d["computers"]
PY
query "$T/uf.db" "SELECT DISTINCT e.time_q, s.clock_from FROM event e JOIN source s ON s.id = e.source_id
	WHERE s.format = 'msi'" >"$T/out" 2>&1
check "upgrade-failed: the MSI events are local-derived, from the trace's header pair" grep -q \
	'^local-derived,samples/upgrade-failed/trace-20260510-101502.log:8 Start Time (Local)/(UTC)' "$T/out"
query "$T/uf.db" "SELECT s.format, e.line FROM event e, upgrade u JOIN source s ON s.id = e.source_id
	WHERE e.time BETWEEN u.started AND u.ended AND (e.message LIKE '%Error 25019%'
	OR e.message LIKE 'CustomAction DetectStoreServer returned actual error code 1603%')
	ORDER BY s.format, e.line" >"$T/out" 2>&1
expect "upgrade-failed: the upgrade window query finds Error 25019 and DetectStoreServer 1603 in the MSI log" "$T/out" \
	'format,line' \
	'msi,253' \
	'msi,254' \
	'trace,131'
"$BIN" export --db "$T/uf.db" --format ndjson >"$T/uf.ndjson" 2>"$T/err"
check "upgrade-failed: the NDJSON @timestamp of the Error 25019 line is 08:17:41.605Z" python3 -c '
import json, sys
d = [json.loads(l) for l in open(sys.argv[1])]
e = [x for x in d if x.get("log", {}).get("file", {}).get("path", "").endswith("101733.log")
     and "Error 25019" in x.get("message", "")]
assert len(e) == 1, e
assert e[0]["@timestamp"] == "2026-05-10T08:17:41.605Z", e[0]["@timestamp"]
assert e[0]["ecdiag"]["time_quality"] == "local-derived", e[0]["ecdiag"]' "$T/uf.ndjson"

# --- the order of ingests does not matter --------------------------------------
ALL="SELECT s.path, e.ordinal, e.time, e.time_q FROM event e JOIN source s ON s.id = e.source_id
	ORDER BY s.path, e.ordinal"
"$BIN" ingest --quiet --db "$T/rev.db" "$MSI" 2>"$T/err"
query "$T/rev.db" "SELECT DISTINCT time_q FROM event" >"$T/out" 2>&1
expect "reversed: the MSI log alone is local-assumed" "$T/out" \
	'time_q' \
	'local-assumed'
"$BIN" ingest --quiet --db "$T/rev.db" --exclude README.md --exclude expected.json samples/upgrade-failed 2>"$T/err"
"$BIN" analyze --db "$T/rev.db" 2>"$T/err"
query "$T/uf.db" "$ALL" >"$T/a" 2>&1
query "$T/rev.db" "$ALL" >"$T/b" 2>&1
if [ "$(wc -l <"$T/a")" -gt 500 ] && cmp -s "$T/a" "$T/b"; then
	ok "reversed: MSI log first, traces in a later ingest: every event time and time_q as in one diagnose"
else
	not_ok "reversed: MSI log first, traces in a later ingest: every event time and time_q as in one diagnose" \
		"$(diff "$T/a" "$T/b" | head -20)"
fi
"$BIN" analyze --db "$T/rev.db" 2>"$T/err"
query "$T/rev.db" "$ALL" >"$T/c" 2>&1
check "settling again moves nothing" cmp "$T/b" "$T/c"

# --- --utc-offset is left alone ----------------------------------------------------
"$BIN" ingest --quiet --utc-offset +03:00 --db "$T/given.db" "$MSI" 2>"$T/err"
"$BIN" ingest --quiet --db "$T/given.db" samples/upgrade-failed 2>"$T/err"
query "$T/given.db" "SELECT s.clock, s.utc_offset, s.clock_from, min(e.time), e.time_q FROM event e
	JOIN source s ON s.id = e.source_id WHERE s.format = 'msi'" >"$T/out" 2>&1
check "--utc-offset: the log keeps the offset given (local-given, +03:00)" grep -q \
	'^given,180,--utc-offset,2026-05-10T07:17:33.000Z,local-given$' "$T/out"

# --- two computers ------------------------------------------------------------
"$BIN" diagnose --db "$T/two.db" --format json -o "$T/two.json" "$D/two-hosts" >/dev/null 2>"$T/err"
check "two hosts: diagnose warns once on stderr" python3 -c '
import sys
err = open(sys.argv[1]).read()
w = "ecdiag: warning: these inputs come from 2 computers (SYNC01: 2 files, SYNC02: 1 file); times and findings are kept per computer"
assert err.count(w) == 1, err' "$T/err"
check "two hosts: the SYNC02 log keeps local-assumed, the SYNC01 log takes the trace's +02:00" python3 - "$T/two.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["computers"] == [{"name": "SYNC01", "files": 2}, {"name": "SYNC02", "files": 1}], d["computers"]
src = {s["path"].rsplit("/", 1)[-1]: s for s in d["sources"]}
a = src["Synchronization Service_Install-20260510-101733.log"]
b = src["Synchronization Service_Install-20260511-094012.log"]
assert (a["computer"], a["clock"], a["utc_offset"]) == ("SYNC01", "derived", "+02:00"), a
assert (b["computer"], b["clock"], b["utc_offset"]) == ("SYNC02", "assumed", "+00:00"), b
assert "SYNC02" in b["clock_from"], b
assert b["first_time"] == "2026-05-11T09:40:12.000Z", b
PY
query "$T/two.db" "SELECT DISTINCT e.time_q FROM event e JOIN source s ON s.id = e.source_id
	WHERE s.host = 'SYNC02'" >"$T/out" 2>&1
expect "two hosts: every SYNC02 event is local-assumed" "$T/out" \
	'time_q' \
	'local-assumed'
(cd "$T" && COLUMNS=200 "$BIN" report --db two.db --format text --color never) >"$T/two.txt" 2>&1
check "two hosts: the text report names both computers" grep -q \
	'computers 2: SYNC01 (2 files), SYNC02 (1 file); times and findings are kept per computer' "$T/two.txt"
(cd "$T" && "$BIN" report --db two.db --format md) >"$T/two.md" 2>&1
check "two hosts: the Markdown report names both computers" grep -q 'Computers: 2.*SYNC01 (2 files), SYNC02 (1 file)' \
	"$T/two.md"
"$BIN" diagnose --db "$T/one.db" --format json -o /dev/null --exclude README.md --exclude expected.json samples/upgrade-failed >/dev/null 2>"$T/err"
check "one host: no warning" python3 -c 'import sys; e = open(sys.argv[1]).read(); assert "computers" not in e, e' \
	"$T/err"

# --- daylight saving: each log its own trace's offset -------------------------------
"$BIN" ingest --quiet --db "$T/dst.db" "$D/dst" 2>"$T/err"
query "$T/dst.db" "SELECT name, utc_offset, first_time, clock FROM source ORDER BY name" >"$T/out" 2>&1
expect "daylight saving: +01:00 and +02:00 logs each take their trace's offset, the third the nearest trace's" "$T/out" \
	'name,utc_offset,first_time,clock' \
	'SqlLocalDB_Install-20260329-113000.log,120,2026-03-29T09:30:00.000Z,derived' \
	'Synchronization Service_Install-20260328-101733.log,60,2026-03-28T09:17:33.000Z,derived' \
	'Synchronization Service_Install-20260329-101733.log,120,2026-03-29T08:17:33.000Z,derived' \
	'trace-20260328-101500.log,60,2026-03-28T09:15:00.000Z,header' \
	'trace-20260329-101500.log,120,2026-03-29T08:15:00.000Z,header'

# --- an Event Viewer text export matched against the XML of the same events -------
"$BIN" ingest --quiet --db "$T/ev.db" "$D/events/Application-SYNC01-EventViewer.txt" 2>"$T/err"
"$BIN" ingest --quiet --db "$T/ev.db" "$D/events/Application-SYNC01.xml" 2>"$T/err"
query "$T/ev.db" "SELECT s.format, s.clock, s.utc_offset, e.time, e.time_q FROM event e
	JOIN source s ON s.id = e.source_id WHERE e.event_id = 611 ORDER BY s.format" >"$T/out" 2>&1
expect "events: the local text export becomes local-derived at +02:00 from the XML's SystemTime" "$T/out" \
	'format,clock,utc_offset,time,time_q' \
	'evtext,derived,120,2026-10-20T07:53:41.000Z,local-derived' \
	'evxml,exact,,2026-10-20T07:53:41.004Z,exact'
query "$T/ev.db" "SELECT clock_from FROM source WHERE format = 'evtext'" >"$T/out" 2>&1
check "events: clock_from names the matches and the exact export" grep -q \
	'4 of 4 matching records agree with the UTC times of tests/data/clock/events/Application-SYNC01.xml' "$T/out"

finish
