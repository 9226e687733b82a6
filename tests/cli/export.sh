#!/bin/bash
# tests/cli/export.sh - 'ecdiag export' (docs/EXPORT.md): NDJSON of events
# and findings with ECS fields, --bulk, and the timeline as CSV, checked
# with Python's json and csv modules against what the case database and
# the JSON report hold; control characters and invalid UTF-8 in stored
# text; usage and write errors. TAP.
#
#   bash tests/cli/export.sh PATH/TO/ecdiag
#
# The binary is $1 (else $ECDIAG_BIN); the source tree is $ECDIAG_SRC, else
# the tree this script is in; the corpus is $ECDIAG_CORPUS, else
# ../shared/corpus beside the tree (the EVTX checks are skipped without it).
set -u
BIN=${1:-${ECDIAG_BIN:-}}
SRC=${ECDIAG_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
CORPUS=${ECDIAG_CORPUS:-$SRC/../shared/corpus}
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; shift
	for l in "$@"; do printf '%s\n' "$l" | sed 's/^/# /'; done
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
finish() { echo "1..$n"; [ "$fails" -eq 0 ]; exit $?; }
# check NAME COMMAND...: ok when the command succeeds; its output is the diagnostic
check() {
	local name=$1 out; shift
	if out=$("$@" 2>&1); then ok "$name"; else mapfile -t lines <<<"$out"; not_ok "$name" "${lines[@]}"; fi
}
# run ARGS...: stdout in $T/out, stderr in $T/err, exit code in $rc
run() { "$BIN" "$@" >"$T/out" 2>"$T/err"; rc=$?; }

if [ -z "$BIN" ] || [ ! -x "$BIN" ]; then
	not_ok "the ecdiag binary is given" "usage: $0 PATH/TO/ecdiag (got '${BIN}')"
	finish
fi
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
T=$(mktemp -d /tmp/ecdiag-export.XXXXXX)
trap 'rm -rf "$T"' EXIT
export ECDIAG_CASES="$T/cases"

# ndjson_check DB NDJSON [evtx]: every line is UTF-8 and JSON; event lines
# match the database row by row (count, ids, order, codes, record ids,
# event data); finding lines match the JSON report in $T/report-<db>.json
# when it exists. Prints what is wrong; exit 1 if anything is.
ndjson_check() {
	python3 - "$@" <<'PY'
import json, os, re, sqlite3, sys
db, path = sys.argv[1], sys.argv[2]
bad = []
def fail(msg):
    bad.append(msg)
    if len(bad) > 20:
        print("\n".join(bad)); print("... (stopped)"); sys.exit(1)
raw = open(path, "rb").read()
try:
    text = raw.decode("utf-8")
except UnicodeDecodeError as e:
    print("not UTF-8:", e); sys.exit(1)
lines = text.split("\n")
if lines[-1] != "":
    fail("the last line does not end with a newline")
lines = lines[:-1]
docs = []
for i, l in enumerate(lines, 1):
    try:
        d = json.loads(l)
    except ValueError as e:
        fail("line %d is not JSON: %s: %r" % (i, e, l[:200])); continue
    if not isinstance(d, dict):
        fail("line %d is not an object" % i); continue
    docs.append(d)
ts = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$")
levels = {"verbose", "info", "warning", "error", "critical"}
windows = {"evtx", "evxml", "evtext", "evcsv", "pscsv", "psjson"}
case = os.path.basename(db)
con = sqlite3.connect("file:" + db + "?mode=ro", uri=True)
rows = con.execute(
    "SELECT e.id, e.source_id, e.ordinal, e.event_id, e.record_id, e.data, e.level, e.time,"
    " s.path, s.format, s.sha256, e.computer FROM source s JOIN event e ON e.source_id = s.id"
    " WHERE s.status = 'parsed' ORDER BY s.id, e.ordinal").fetchall()
events = [d for d in docs if d.get("event", {}).get("kind") == "event"]
alerts = [d for d in docs if d.get("event", {}).get("kind") == "alert"]
if len(events) + len(alerts) != len(docs):
    fail("%d lines are neither event.kind event nor alert" % (len(docs) - len(events) - len(alerts)))
if len(events) != len(rows):
    fail("event lines: %d, events in the database: %d" % (len(events), len(rows)))
def data_keys(data):
    """The member names the export promises for a data column."""
    out = []
    for i, (name, _) in enumerate(json.loads(data) if data else []):
        m = re.fullmatch(r"Data\[(\d+)\]", name)
        k = "param" + m.group(1) if m else (name or "param%d" % (i + 1))
        base, dup = k, 2
        while k in out:
            k = "%s_%d" % (base, dup); dup += 1
        out.append(k)
    return out
for d in docs:
    for k in ("message", "event", "ecdiag"):
        if k not in d:
            fail("no %s: %s" % (k, json.dumps(d)[:200]))
    if not isinstance(d.get("message"), str):
        fail("message is not a string: %s" % json.dumps(d)[:200])
    e = d.get("event", {})
    if e.get("module") != "ecdiag" or not str(e.get("dataset", "")).startswith("ecdiag."):
        fail("event.module/dataset: %s" % json.dumps(e)[:200])
    if d.get("ecdiag", {}).get("case") != case:
        fail("ecdiag.case is not %s: %s" % (case, json.dumps(d.get("ecdiag"))[:200]))
    t = d.get("@timestamp")
    if t is not None and not (isinstance(t, str) and ts.match(t)):
        fail("@timestamp %r is not UTC ISO 8601 with Z" % (t,))
checked_data = 0
for d, r in zip(events, rows):
    eid, sid, ordinal, event_id, record_id, data, level, time, spath, fmt, sha, computer = r
    x = d.get("ecdiag", {})
    where = "event %d (%s:%s)" % (eid, spath, ordinal)
    if x.get("id") != eid:
        fail("%s: ecdiag.id is %r (order or row differs)" % (where, x.get("id"))); continue
    if d["event"].get("sequence") != ordinal or d["event"].get("dataset") != "ecdiag." + fmt:
        fail("%s: event.sequence/dataset %r" % (where, d["event"]))
    if d.get("log", {}).get("file", {}).get("path") != spath or x.get("source", {}).get("sha256") != sha:
        fail("%s: log.file.path or ecdiag.source.sha256 differ" % where)
    if level and (d.get("log", {}).get("level") != level or level not in levels):
        fail("%s: log.level %r, stored %r" % (where, d.get("log", {}).get("level"), level))
    if time and d.get("@timestamp") != time:
        fail("%s: @timestamp %r, stored %r" % (where, d.get("@timestamp"), time))
    if not time and ("@timestamp" in d or not x.get("time_quality")):
        fail("%s: no time: want no @timestamp and ecdiag.time_quality" % where)
    if event_id is not None and d["event"].get("code") != str(event_id):
        fail("%s: event.code %r, stored event_id %r" % (where, d["event"].get("code"), event_id))
    if event_id is None and "code" in d["event"]:
        fail("%s: event.code without a stored event_id" % where)
    if fmt in windows:
        w = d.get("winlog")
        if not isinstance(w, dict):
            fail("%s: a Windows event without winlog" % where); continue
        if event_id is not None and w.get("event_id") != str(event_id):
            fail("%s: winlog.event_id %r, stored %r" % (where, w.get("event_id"), event_id))
        if record_id is not None and w.get("record_id") != record_id:
            fail("%s: winlog.record_id %r, stored %r" % (where, w.get("record_id"), record_id))
        if computer and (w.get("computer_name") != computer or d.get("host", {}).get("name") != computer):
            fail("%s: winlog.computer_name/host.name differ from %r" % (where, computer))
        items, got = w.get("event_data"), None
    else:
        if "winlog" in d:
            fail("%s: winlog on a %s record" % (where, fmt))
        items = x.get("data")
    if data:
        want = data_keys(data)
        got = list(items.keys()) if isinstance(items, dict) else None
        if got != want:
            fail("%s: data names %r, want %r" % (where, got, want))
        else:
            vals = [v for _, v in json.loads(data)]
            if [items[k] for k in want] != vals and "\ufffd" not in json.dumps(items, ensure_ascii=False):
                fail("%s: data values differ" % where)
            checked_data += 1
    elif items:
        fail("%s: data items but no stored data" % where)
rep = os.path.join(os.path.dirname(path), "report-" + os.path.basename(db) + ".json")
nf = None
if os.path.exists(rep):
    r = json.load(open(rep, encoding="utf-8"))
    nf = len(r["findings"])
    if len(alerts) != nf:
        fail("finding lines: %d, findings in the report: %d" % (len(alerts), nf))
    if [a.get("rule", {}).get("id") for a in alerts] != [f["id"] for f in r["findings"]]:
        fail("rule.id order %r, report %r" % ([a.get("rule", {}).get("id") for a in alerts], [f["id"] for f in r["findings"]]))
    for a, f in zip(alerts, r["findings"]):
        fx = a.get("ecdiag", {}).get("finding", {})
        sev = {"info": 1, "warning": 2, "error": 3, "critical": 4}.get(f["severity"])
        if a["event"].get("severity") != sev or a.get("log", {}).get("level") != f["severity"]:
            fail("%s: event.severity %r / log.level %r for %s" % (f["id"], a["event"].get("severity"), a.get("log", {}).get("level"), f["severity"]))
        if a.get("rule", {}).get("name") != f["title"] or a["rule"].get("category") != f["kind"]:
            fail("%s: rule.name/category differ" % f["id"])
        if fx.get("rank") != f["rank"] or fx.get("confidence") != f["confidence"] or fx.get("explained_by") != f["explained_by"]:
            fail("%s: rank/confidence/explained_by differ" % f["id"])
        ev = fx.get("evidence")
        if not isinstance(ev, list) or len(ev) != len(f["evidence"]):
            fail("%s: %s evidence items, report %d" % (f["id"], len(ev) if isinstance(ev, list) else ev, len(f["evidence"])))
        elif [(e.get("path"), e.get("line")) for e in ev] != [(e["path"], e["line"]) for e in f["evidence"]]:
            fail("%s: evidence paths and lines differ from the report" % f["id"])
        if f["time"] and a.get("@timestamp") != f["time"]:
            fail("%s: @timestamp %r, report time %r" % (f["id"], a.get("@timestamp"), f["time"]))
if bad:
    print("\n".join(bad)); sys.exit(1)
print("%d lines: %d events (%d with data items), %d findings" % (len(docs), len(events), checked_data, len(alerts)))
PY
}

# export_case NAME STEM DB: the NDJSON export of DB in $T/STEM.ndjson, checked
export_case() {
	local name=$1 stem=$2 db=$3 out
	run export --db "$db" -o "$T/$stem.ndjson"
	if [ $rc -ne 0 ]; then
		not_ok "$name: export exits 0" "exit $rc" "$(head -c 2000 "$T/err")"
		return 1
	fi
	if out=$(ndjson_check "$db" "$T/$stem.ndjson" 2>&1); then
		ok "$name: every line is JSON in UTF-8 and matches the database and the report ($out)"
	else
		mapfile -t lines <<<"$out"
		not_ok "$name: every line is JSON in UTF-8 and matches the database and the report" "${lines[@]}"
	fi
}

# --- the failed upgrade sample ---------------------------------------------------
S=$SRC/samples/upgrade-failed
"$BIN" diagnose --exclude README.md --exclude expected.json --quiet --db "$T/s.db" --format json "$S" >"$T/report-s.db.json" 2>"$T/err"
rc=$?
if [ $rc -gt 1 ]; then
	not_ok "samples/upgrade-failed: diagnose exits 0 or 1" "exit $rc" "$(head -c 2000 "$T/err")"
	finish
fi
export_case upgrade-failed upgrade-failed "$T/s.db"

# the event count as 'ecdiag query' gives it
run query --db "$T/s.db" --format csv "SELECT count(*) FROM event"
events=$(sed -n 2p "$T/out" | tr -d '\r')
lines=$(python3 -c 'import json,sys; print(sum(json.loads(l)["event"]["kind"] == "event" for l in open(sys.argv[1])))' "$T/upgrade-failed.ndjson")
if [ -n "$events" ] && [ "$events" = "$lines" ]; then
	ok "upgrade-failed: $lines event lines, as many as 'SELECT count(*) FROM event'"
else
	not_ok "upgrade-failed: as many event lines as 'SELECT count(*) FROM event'" "query: '$events', lines: '$lines'"
fi
check "upgrade-failed: trace records carry their thread, MSI records their properties" python3 - "$T/upgrade-failed.ndjson" <<'PY'
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
trace = [d for d in docs if d["event"]["dataset"] == "ecdiag.trace"]
msi = [d for d in docs if d["event"]["dataset"] == "ecdiag.msi"]
assert trace and all(d.get("process", {}).get("thread", {}).get("name") for d in trace), "a trace record without process.thread.name"
assert any(isinstance(d["ecdiag"].get("data"), dict) for d in msi + trace), "no record with ecdiag.data"
assert all(d["ecdiag"].get("time_quality") for d in docs if d["event"]["kind"] == "event"), "an event without ecdiag.time_quality"
PY

# --what, -o against standard output, --bulk
run export --db "$T/s.db" --what events
python3 -c 'import json,sys; d=[json.loads(l) for l in open(sys.argv[1])]; sys.exit(0 if d and all(x["event"]["kind"]=="event" for x in d) else 1)' "$T/out" && ev_ok=1 || ev_ok=0
cnt_events=$(wc -l <"$T/out")
run export --db "$T/s.db" --what findings
python3 -c 'import json,sys; d=[json.loads(l) for l in open(sys.argv[1])]; sys.exit(0 if d and all(x["event"]["kind"]=="alert" for x in d) else 1)' "$T/out" && fi_ok=1 || fi_ok=0
cnt_findings=$(wc -l <"$T/out")
nfind=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' "$T/report-s.db.json")
if [ $ev_ok = 1 ] && [ $fi_ok = 1 ] && [ "$cnt_findings" = "$nfind" ] && [ "$cnt_events" = "$events" ]; then
	ok "--what events gives the $cnt_events events only, --what findings the $cnt_findings findings only"
else
	not_ok "--what events gives the events only, --what findings the findings only" \
		"events ok $ev_ok ($cnt_events of $events), findings ok $fi_ok ($cnt_findings of $nfind)"
fi
run export --db "$T/s.db"
if cmp -s "$T/out" "$T/upgrade-failed.ndjson"; then
	ok "-o FILE writes what standard output gets"
else
	not_ok "-o FILE writes what standard output gets"
fi
run export --db "$T/s.db" --bulk 'ecdiag-"case"'
check "--bulk alternates an index action line and the document" python3 - "$T/out" "$T/upgrade-failed.ndjson" <<'PY'
import json, sys
got = open(sys.argv[1], encoding="utf-8").read().split("\n")[:-1]
docs = open(sys.argv[2], encoding="utf-8").read().split("\n")[:-1]
assert len(got) == 2 * len(docs), "%d lines for %d documents" % (len(got), len(docs))
for i in range(0, len(got), 2):
    assert json.loads(got[i]) == {"index": {"_index": 'ecdiag-"case"'}}, "line %d: %r" % (i + 1, got[i])
    assert got[i + 1] == docs[i // 2], "line %d is not document %d" % (i + 2, i // 2 + 1)
PY
run export --db "$T/s.db" --what events --host SYNC01
check "--host names the host of records that name none" python3 -c '
import json, sys
d = [json.loads(l) for l in open(sys.argv[1])]
assert d and all(x.get("host", {}).get("name") == "SYNC01" for x in d)' "$T/out"

# --- the timeline as CSV ---------------------------------------------------------
run export --db "$T/s.db" --format csv
if [ $rc -ne 0 ]; then
	not_ok "--format csv exits 0" "exit $rc" "$(head -c 2000 "$T/err")"
else
	cp "$T/out" "$T/s.csv"
	check "--format csv: a header, 10 fields a row, times in order within a lane, the failing MSI action DetectStoreServer" \
		python3 - "$T/s.csv" "$T/s.db" <<'PY'
import csv, re, sqlite3, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8", newline="")))
head = ["start", "end", "lane", "kind", "status", "label", "detail", "path", "line", "record"]
assert rows and rows[0] == head, "header %r" % (rows[0] if rows else None)
rows = rows[1:]
assert rows, "no rows"
ts = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
kinds = {"wizard", "install", "action", "upgrade", "sync-paused", "run", "error"}
last, seen = {}, []
for i, r in enumerate(rows, 2):
    assert len(r) == 10, "row %d has %d fields" % (i, len(r))
    start, end, lane, kind = r[0], r[1], r[2], r[3]
    assert ts.match(start), "row %d: start %r" % (i, start)
    assert not end or (ts.match(end) and end >= start), "row %d: end %r" % (i, end)
    assert kind in kinds, "row %d: kind %r" % (i, kind)
    assert r[4] in {"ok", "warning", "failed", "info", "unknown"}, "row %d: status %r" % (i, r[4])
    assert not r[8] or r[8].isdigit(), "row %d: line %r" % (i, r[8])
    if seen and seen[-1] != lane:
        assert lane not in seen, "lane %r comes back at row %d" % (lane, i)
    if not seen or seen[-1] != lane:
        seen.append(lane)
    assert start >= last.get(lane, ""), "row %d: %s before the row above in lane %r" % (i, start, lane)
    last[lane] = start
act = [r for r in rows if r[3] == "action"]
assert any(r[5] == "DetectStoreServer" and r[4] == "failed" for r in act), "no failed action DetectStoreServer: %r" % act
con = sqlite3.connect("file:" + sys.argv[2] + "?mode=ro", uri=True)
nerr = con.execute("SELECT count(*) FROM event WHERE level IN ('error','critical') AND time IS NOT NULL"
                   " AND time_q IN ('exact','header-offset','local-derived','local-given')").fetchone()[0]
got = sum(r[3] == "error" for r in rows)
assert got == min(nerr, 500), "%d error rows, %d error events with a placing time" % (got, nerr)
PY
fi

# --- hostile text -----------------------------------------------------------------
H=$SRC/tests/data/hostile
if [ -d "$H" ]; then
	"$BIN" diagnose --exclude README.md --exclude expected.json --quiet --db "$T/h.db" --format json "$H" >"$T/report-h.db.json" 2>"$T/err"
	export_case tests/data/hostile hostile "$T/h.db"
	check "tests/data/hostile: the escape sequences and the raw byte 0x01 are kept as JSON escapes" python3 - "$T/hostile.ndjson" <<'PY'
import json, sys
raw = open(sys.argv[1], encoding="utf-8").read()
assert "\x1b" not in raw and "\x07" not in raw and "\x01" not in raw, "a raw control character in the output"
msgs = [json.loads(l)["message"] for l in raw.split("\n") if l]
assert any("\x1b]0;pwned\x07" in m and "raw\x01byte" in m for m in msgs), "the payload did not survive"
PY
else
	skip "tests/data/hostile: export" "tests/data/hostile not found"
fi
# Invalid UTF-8, control characters, NUL and lone surrogates written into a
# copy of the sample database behind ecdiag's back.
cp "$T/s.db" "$T/x.db"
python3 - "$T/x.db" <<'PY'
import json, sqlite3, sys
con = sqlite3.connect(sys.argv[1])
msg = b'bad \xff\xfe utf-8 \xc3\x28 \xed\xa0\x80 cut \xe2\x82 ctl \x01\x1b[31m "q" \\ tab\t end'
data = b'[["a\\u0000b","\\ud800x"],["a\\u0000b","dup"],["Data[2]","\xc3\x28"],["","\\ud83d\\ude00"],["n",null]]'
con.execute("UPDATE event SET message = CAST(? AS TEXT), data = CAST(? AS TEXT)"
            " WHERE id = (SELECT min(e.id) FROM event e JOIN source s ON s.id = e.source_id WHERE s.format = 'trace')",
            (msg, data))
# many items with the same few names (the name table grows past its first size)
items = [["Item", str(i)] if i % 3 else ["Data[%d]" % (i % 7), str(i)] for i in range(300)] + [["Item_5", "x"]]
con.execute("UPDATE event SET message = 'many items', data = ?"
            " WHERE id = (SELECT max(e.id) FROM event e JOIN source s ON s.id = e.source_id WHERE s.format = 'trace')",
            (json.dumps(items),))
con.commit()
PY
run export --db "$T/x.db" --what events
check "invalid UTF-8, controls, NUL and lone surrogates in stored text give valid JSON in UTF-8; repeated data names stay distinct" python3 - "$T/out" <<'PY'
import json, sys
raw = open(sys.argv[1], "rb").read()
text = raw.decode("utf-8")  # fails on invalid UTF-8
docs = [json.loads(l) for l in text.split("\n") if l]
m = [d for d in docs if d["message"].startswith("bad ")]
assert len(m) == 1, "the altered record: %d" % len(m)
d = m[0]
assert d["message"] == 'bad \ufffd\ufffd utf-8 \ufffd( \ufffd\ufffd\ufffd cut \ufffd\ufffd ctl \x01\x1b[31m "q" \\ tab\t end', repr(d["message"])
assert d["ecdiag"]["data"] == {"a\x00b": "\ufffdx", "a\x00b_2": "dup", "param2": "\ufffd(", "param4": "\U0001f600", "n": None}, repr(d["ecdiag"]["data"])
m = [d for d in docs if d["message"] == "many items"]
assert len(m) == 1, "the record with many items: %d" % len(m)
got = m[0]["ecdiag"]["data"]
assert len(got) == 301, "%d members for 301 items" % len(got)
assert got["Item"] == "1" and got["Item_2"] == "2" and got["Item_3"] == "4" and got["param0"] == "0", got
assert got["param3"] == "3" and got["param3_2"] == "24" and got["Item_5_2"] == "x", got
PY

# --- a real EVTX file -------------------------------------------------------------
E=$CORPUS/evtx/pyevtx-system.evtx
if [ -f "$E" ]; then
	"$BIN" diagnose --exclude README.md --exclude expected.json --quiet --db "$T/e.db" --format json "$E" "$CORPUS/evtx/evtxrs-security.evtx" \
		>"$T/report-e.db.json" 2>"$T/err"
	export_case "corpus EVTX (System, Security)" evtx "$T/e.db"
	check "corpus EVTX: every event has winlog.record_id, winlog.channel and keywords as one hex string" \
		python3 - "$T/evtx.ndjson" <<'PY'
import json, re, sys
n = 0
for l in open(sys.argv[1], encoding="utf-8"):
    d = json.loads(l)
    if d["event"]["kind"] != "event":
        continue
    w = d["winlog"]
    assert isinstance(w.get("record_id"), int) and w.get("channel") in ("System", "Security"), w
    k = w.get("keywords")
    assert k is None or (len(k) == 1 and re.fullmatch(r"0x[0-9a-f]+", k[0])), k
    assert isinstance(w.get("event_data", {}), dict)
    n += 1
assert n > 1000, n
PY
	# an ingest after the analysis: findings come from the last analysis, said on stderr
	"$BIN" ingest -q --db "$T/e.db" "$S/trace-20260503-091200.log" >/dev/null 2>&1
	run export --db "$T/e.db" -o "$T/stale.ndjson"
	if [ $rc -eq 0 ] && grep -q "older than the last ingest" "$T/err"; then
		ok "an analysis older than the last ingest is named on stderr"
	else
		not_ok "an analysis older than the last ingest is named on stderr" "exit $rc" "$(cat "$T/err")"
	fi
else
	skip "corpus EVTX: export" "corpus not found ($E)"
	skip "corpus EVTX: winlog fields" "corpus not found"
	skip "an analysis older than the last ingest is named on stderr" "corpus not found"
fi

# --- usage and errors -------------------------------------------------------------
run export --help
check "export --help exits 0 with a usage line" test $rc -eq 0 -a -n "$(grep 'usage: ecdiag export' "$T/out")"
for args in "" "--db" "--db $T/s.db --format xml" "--db $T/s.db --what some" \
	"--db $T/s.db --format csv --bulk x" "--db $T/s.db --format csv --what events" \
	"--db $T/s.db --bulk=" "--db $T/s.db --frobnicate"; do
	# shellcheck disable=SC2086
	run export $args
	label="export ${args//$T\//}"
	if [ $rc -eq 2 ] && [ -s "$T/err" ]; then
		ok "$label: usage error (2)"
	else
		not_ok "$label: usage error (2)" "exit $rc" "$(head -c 500 "$T/err")"
	fi
done
run export --db "$T/missing.db"
check "a missing case database exits 4" test $rc -eq 4
run export --db "$T/s.db" -o "$T/no/such/dir/x.ndjson"
check "an output that cannot be opened exits 1 with a message" test $rc -eq 1 -a -s "$T/err"
if [ -w /dev/full ]; then
	run export --db "$T/s.db" -o /dev/full
	check "a write that fails (/dev/full) exits 1 with a message" test $rc -eq 1 -a -s "$T/err"
else
	skip "a write that fails (/dev/full) exits 1" "no /dev/full"
fi
finish
