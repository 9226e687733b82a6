#!/bin/bash
# tests/cli/run.sh - command-line tests: run the real ecdiag binary on the
# sample cases and on bad input; check output, files and exit codes. TAP.
set -u
BIN=${ECDIAG_BIN:?}
SRC=${ECDIAG_SRC:?}
T=$(mktemp -d /tmp/ecdiag-cli.XXXXXX)
trap 'chmod -R u+rwx "$T" 2>/dev/null; rm -rf "$T"' EXIT
export ECDIAG_CASES="$T/cases"
# These checks read content, not layout: no wrapping (tests/cli/report_golden.sh checks the layout).
export COLUMNS=1000
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
# check NAME COND...: COND is evaluated by bash
check() { local name=$1; shift; if eval "$@"; then ok "$name"; else not_ok "$name" "failed: $*"; fi; }
# run: stdout in $T/out, stderr in $T/err, exit code in $rc
run() { "$BIN" "$@" >"$T/out" 2>"$T/err"; rc=$?; }
sql() { python3 - "$1" "$2" <<'PY'
import sqlite3, sys
con = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
for row in con.execute(sys.argv[2]):
    print("|".join("" if v is None else str(v) for v in row))
PY
}
has() { grep -qF -- "$1" "$2"; }
SCHEMA=$(sed -n 's/^#define STORE_SCHEMA_VERSION //p' "$SRC/store/store.h")

# --- basics -------------------------------------------------------------------
run --version
check "--version prints the version and exits 0" '[ $rc -eq 0 ] && grep -qE "^ecdiag [0-9]+\.[0-9]+\.[0-9]+" $T/out'
run --help
check "--help lists every command and the exit codes" '[ $rc -eq 0 ] && has diagnose $T/out && has sources $T/out && has formats $T/out && has "nothing readable" $T/out'
for c in ingest analyze report diagnose query sources formats export; do
	run $c --help
	check "$c --help exits 0 with a usage line" '[ $rc -eq 0 ] && has "usage: ecdiag $c" $T/out'
done
run frobnicate
check "unknown command is a usage error (2)" '[ $rc -eq 2 ] && has "not an ecdiag command" $T/err'
run ingest samples
check "ingest without --db is a usage error (2)" '[ $rc -eq 2 ] && has "needs --db" $T/err'
run ingest --db "$T/x.db" --bogus samples
check "unknown option is a usage error (2)" '[ $rc -eq 2 ] && has "unknown option" $T/err'
run ingest --db "$T/x.db" --utc-offset 25:00 samples
check "bad --utc-offset is a usage error (2)" '[ $rc -eq 2 ] && has "utc-offset" $T/err'
run formats
check "formats lists every parser and the containers" '[ $rc -eq 0 ] && has trace $T/out && grep -qE "^  msi +Windows Installer verbose log" $T/out && has autoupgrade $T/out && [ "$(grep -cE "^  (evtx|evxml|evtext|evcsv|pscsv|psjson|runxml|runclixml|runjson|runcsv|runlist|adsyncsettings|aboutversion|configexport|localdb-errorlog|paste|text) " $T/out)" = 17 ] && has zip $T/out && has cab $T/out'

# --- the failed-upgrade sample --------------------------------------------------
DB=$T/failed.db
run diagnose --exclude README.md --exclude expected.json "$SRC/samples/upgrade-failed" --db "$DB"
cp "$T/out" "$T/failed.txt"
check "diagnose of a failed upgrade exits 1 (findings)" '[ $rc -eq 1 ]'
check "diagnose shows installed -> target versions" 'has "installed 1.6.16.0 -> target 2.2.8.0" $T/failed.txt'
check "diagnose shows OS, .NET and TLS" 'has "Windows Server 2016 (10.0.14393)" $T/failed.txt && has ".NET Framework 4.8 (release 528049)" $T/failed.txt && has "TLS 1.2 properly configured" $T/failed.txt'
check "diagnose lists both wizard runs with times in UTC" 'has "WIZARD RUNS (2)" $T/failed.txt && grep -q "2026-05-10 08:1.*UTC.*trace-20260510-101502.log" $T/failed.txt'
check "diagnose reports the ERROR records with file:line evidence" 'grep -qE "evidence +.*trace-20260510-101502.log:[0-9]+" $T/failed.txt && grep -qE "^ +> Error during sync engine upgrade" $T/failed.txt'
check "diagnose lists the file --exclude keeps out" 'grep -q "skipped .*expected.json" $T/failed.txt'
events=$(sql "$DB" "SELECT count(*) FROM event")
check "events were stored" '[ "$events" -gt 50 ]'
check "trace header facts are stored" '[ "$(sql "$DB" "SELECT value FROM fact WHERE name = '"'"'wizard.version'"'"' LIMIT 1")" = 2.2.8.0 ]'

run ingest --exclude README.md --exclude expected.json --db "$DB" "$SRC/samples/upgrade-failed"
check "ingesting the same files again is a no-op" '[ $rc -eq 0 ] && [ "$(sql "$DB" "SELECT count(*) FROM event")" = "$events" ] && has "0 parsed" $T/err && [ "$(sql "$DB" "SELECT count(*) FROM source")" = 6 ]'

run report --db "$DB" --format json -o "$T/r.json"
check "report --format json -o writes valid JSON with the versions" '[ $rc -eq 1 ] && python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d[\"installed_version\"][\"value\"]==\"1.6.16.0\" and d[\"target_version\"][\"value\"]==\"2.2.8.0\" and d[\"findings\"]" $T/r.json'

run sources --db "$DB" --format json
check "sources --format json has the documented fields" '[ $rc -eq 0 ] && python3 -c "
import json,sys
d=json.load(open(sys.argv[1]))
assert len(d)==6
for o in d:
    for k in (\"path\",\"format\",\"encoding\",\"records\",\"skipped\",\"problems\"): assert k in o, k
    assert isinstance(o[\"problems\"], list)
t=[o for o in d if o[\"format\"]==\"trace\"]; assert len(t)==2 and all(o[\"records\"]>0 for o in t)
m=[o for o in d if o[\"format\"]==\"msi\"]; assert len(m)==1 and m[0][\"encoding\"]==\"utf-16le-bom\" and m[0][\"records\"]>300
s=[o for o in d if o[\"status\"]==\"skipped\"]; assert len(s)==1 and s[0][\"path\"].endswith(\"/expected.json\") and s[0][\"reason\"]==\"excluded by --exclude expected.json\"
n=[o for o in d if o[\"path\"].endswith(\"/notes.txt\")]; assert len(n)==1 and n[0][\"format\"]==\"paste\" and n[0][\"records\"]==7
" $T/out'

run query --db "$DB" --format csv "SELECT level, count(*) AS n FROM event GROUP BY level ORDER BY level"
check "query --format csv prints a header and rows" '[ $rc -eq 0 ] && head -1 $T/out | grep -q "^level,n" && grep -q "^error," $T/out'
run query --db "$DB" --format json "SELECT name, value, 1+1 AS two FROM fact WHERE name = 'os.version' LIMIT 1"
check "query --format json gives objects, numbers as numbers" '[ $rc -eq 0 ] && python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d[0][\"value\"]==\"10.0.14393\" and d[0][\"two\"]==2" $T/out'
run query --db "$DB" "SELECT path, status FROM source ORDER BY id"
check "query prints an aligned table" '[ $rc -eq 0 ] && head -2 $T/out | tail -1 | grep -qE "^-+  -+$"'
run query --db "$DB" "DELETE FROM event"
check "query refuses a statement that writes (exit 2)" '[ $rc -eq 2 ] && has "read-only" $T/err && [ "$(sql "$DB" "SELECT count(*) FROM event")" = "$events" ]'
run query --db "$DB" "SELECT nosuchcolumn FROM event"
check "query reports SQL errors (exit 2)" '[ $rc -eq 2 ] && has "no such column" $T/err'

# --- Windows Installer logs --------------------------------------------------------
MSILOG="Synchronization Service_Install-20260510-101733.log"
check "diagnose shows the failed install: product, version, status" 'has "INSTALLS (1)" $T/failed.txt && has "Microsoft Azure AD Connect synchronization services 2.2.8.0: FAILED, status 1603 (fatal error during installation)" $T/failed.txt'
check "the install is dated with the offset of the trace that ran it" 'grep -q "2026-05-10 08:17:33 - 08:17:41 UTC .*$MSILOG (local time, UTC offset +02:00 from the wizard trace)" $T/failed.txt'
check "diagnose shows the first action that returned 3, its custom action and the Error before it" 'grep -qE "first failure +DetectStoreServer returned 3 at 2026-05-10 08:17:41 UTC \(line 255\)" $T/failed.txt && grep -qE "custom action +DetectStoreServer returned error code 1603 \(line 254\)" $T/failed.txt && grep -qE "error 25019 +The Microsoft Azure AD Connect synchronization services setup wizard cannot open registry key .*\(line 253\)" $T/failed.txt'
check "diagnose shows what the log says just before the error" 'grep -qE "before it +247  Action start 10:17:41: DetectStoreServer\.$" $T/failed.txt && grep -qE "^ +252  MSI \(s\) \(C0:F0\) \[10:17:41:603\]: Hello" $T/failed.txt'
check "the install is linked to the trace line that names its log, and to its copy of the error" 'grep -qE "wizard +.*trace-20260510-101502.log:130 \(its copy of the error: line 131\)" $T/failed.txt && grep -A1 "evidence  .*trace-20260510-101502.log:131 " $T/failed.txt | grep -q "> Error during sync engine upgrade"'
check "the partial-uninstall finding explains the MSI failure and cites the MSI log lines (no separate msi-failed); the action that returned 3 is part of the same failure" 'grep -qE "^  \[1\] error partial-uninstall: " $T/failed.txt && ! grep -q "msi-failed" $T/failed.txt && grep -A1 "evidence  .*$MSILOG:253 " $T/failed.txt | grep -q "> MSI (s) (C0!08)" && grep -qE "^      context   .*$MSILOG:255, 256," $T/failed.txt && ! grep -q "Action ended 10:17:41: DetectStoreServer. Return value 3." $T/failed.txt'
run query --db "$DB" --format csv "SELECT name, return_value, ca_name, ca_error, error_number FROM msi_action WHERE return_value = 3 ORDER BY end_line"
check "query lists actions: DetectStoreServer is the first to return 3" '[ $rc -eq 0 ] && sed -n 2p $T/out | tr -d "\r" | grep -qx "DetectStoreServer,3,DetectStoreServer,1603,25019" && grep -q "^INSTALL,3," $T/out'
run query --db "$DB" --format csv "SELECT kind, value FROM msi_property WHERE name = 'ProductVersion'"
check "query lists properties (Property(S) and (C) dumps)" '[ $rc -eq 0 ] && tr -d "\r" <$T/out | grep -qx "S,2.2.8.0" && tr -d "\r" <$T/out | grep -qx "C,2.2.8.0"'
run query --db "$DB" --format csv "SELECT value FROM msi_property WHERE name = 'WIX_UPGRADE_DETECTED' AND kind = 'change'"
check "PROPERTY CHANGE lines are properties too" '[ $rc -eq 0 ] && [ "$(sed -n 2p $T/out)" != "" ]'
run report --db "$DB" --format json
check "report --format json has the install with its first failure" '[ $rc -eq 1 ] && python3 -c "
import json,sys
d=json.load(open(sys.argv[1]))
i=d[\"installs\"]; assert len(i)==1, i
i=i[0]; f=i[\"first_failure\"]
assert i[\"outcome\"]==\"failed\" and i[\"status\"]==1603 and i[\"version\"]==\"2.2.8.0\" and i[\"utc_offset\"]==\"+02:00\"
assert f[\"action\"]==\"DetectStoreServer\" and f[\"custom_action_error\"]==1603 and f[\"error_number\"]==25019 and f[\"line\"]==255
assert [c[\"line\"] for c in f[\"context\"]]==[247,248,249,250,251,252]
assert any(x[\"id\"]==\"partial-uninstall\" for x in d[\"findings\"]) and not any(x[\"id\"]==\"msi-failed\" for x in d[\"findings\"])
" $T/out'

# The MSI failure known only from the trace: the log to collect is named.
mkdir -p "$T/traceonly"
cp "$SRC/samples/upgrade-failed/trace-20260510-101502.log" "$T/traceonly/"
run diagnose "$T/traceonly" --db "$T/traceonly.db"
check "without its MSI log, the failure is shown from the trace and the log is named" '[ $rc -eq 1 ] && has "(no MSI log in the case)" $T/out && grep -qE "error 25019 +The Microsoft Azure AD Connect" $T/out && grep -qE "custom action +DetectStoreServer returned error code 1603" $T/out && grep -qE "missing +$MSILOG" $T/out && grep -qE "^  \[[0-9]+\] error partial-uninstall: " $T/out'

# Damaged and odd Windows Installer logs.
mkdir -p "$T/msibad"
python3 - "$SRC/samples/upgrade-failed/$MSILOG" "$T/msibad" <<'PY'
import sys, os
src, out = sys.argv[1], sys.argv[2]
data = open(src, "rb").read()
text = data[2:].decode("utf-16-le")
lines = text.split("\r\n")
cut = len("\r\n".join(lines[:200]).encode("utf-16-le")) + 2 + 2 * 20  # 20 characters into line 201
open(os.path.join(out, "cut-midline_Install-20260510-101733.log"), "wb").write(data[:cut])
open(os.path.join(out, "cut-midchar_Install-20260510-101733.log"), "wb").write(data[:cut + 1])
open(os.path.join(out, "nobom_Install-20260510-101733.log"), "wb").write(data[2:])
open(os.path.join(out, "equals.txt"), "wb").write(b"=== Build log ===\r\nstep 1 done\r\n=== end ===\r\n")
open(os.path.join(out, "header-only.log"), "wb").write(
    b"=== Verbose logging started: 5/25/2017  15:52:17  Build type: SHIP UNICODE 5.00.10011.00 ===\r\n"
    b"this is not\r\nan installer log\r\n")
PY
run ingest --db "$T/msibad.db" "$T/msibad"
check "damaged MSI logs are read, the rest of the case too" '[ $rc -eq 0 ] && [ "$(sql "$T/msibad.db" "SELECT count(*) FROM source WHERE format = '"'"'msi'"'"' AND status = '"'"'parsed'"'"'")" = 4 ]'
check "a log cut mid-line: the cut line is named" '[ "$(sql "$T/msibad.db" "SELECT p.line FROM problem p JOIN source s ON s.id = p.source_id WHERE s.name LIKE '"'"'cut-midline%'"'"' AND p.message LIKE '"'"'%no line end%'"'"'")" = 201 ] && [ "$(sql "$T/msibad.db" "SELECT count(*) FROM problem p JOIN source s ON s.id = p.source_id WHERE s.name LIKE '"'"'cut-midline%'"'"' AND p.message LIKE '"'"'%logging stopped%'"'"'")" = 1 ]'
check "a log cut mid-UTF-16 character: the half character is reported" '[ "$(sql "$T/msibad.db" "SELECT count(*) FROM problem p JOIN source s ON s.id = p.source_id WHERE s.name LIKE '"'"'cut-midchar%'"'"' AND p.message LIKE '"'"'invalid utf-16%middle of a character%'"'"'")" = 1 ]'
check "a log without its BOM reads like the original" '[ "$(sql "$T/msibad.db" "SELECT encoding || '"'"' '"'"'|| records FROM source WHERE name LIKE '"'"'nobom%'"'"'")" = "utf-16le $(sql "$DB" "SELECT records FROM source WHERE format = '"'"'msi'"'"'")" ] && [ "$(sql "$T/msibad.db" "SELECT count(*) FROM msi_action a JOIN source s ON s.id = a.source_id WHERE s.name LIKE '"'"'nobom%'"'"' AND a.name = '"'"'DetectStoreServer'"'"' AND a.return_value = 3")" = 1 ]'
check "text starting with === that is not an MSI log is read as plain text" '[ "$(sql "$T/msibad.db" "SELECT status || '"'"' '"'"' || format FROM source WHERE name = '"'"'equals.txt'"'"'")" = "parsed text" ]'
check "an MSI header over other text: no Windows Installer line is reported" '[ "$(sql "$T/msibad.db" "SELECT count(*) FROM problem p JOIN source s ON s.id = p.source_id WHERE s.name = '"'"'header-only.log'"'"' AND p.message LIKE '"'"'no Windows Installer line found in 3 lines'"'"'")" = 1 ]'
run diagnose --db "$T/msibad.db" "$T/msibad"
check "diagnose of damaged logs shows what it could not read" '[ $rc -eq 1 ] && grep -q "no line end" $T/out && grep -q "outcome unknown: the log ends before the result" $T/out'

# A large log is read as a stream.
python3 "$SRC/bench/gen_msi.py" "$T/big_Install-20260510-101733.log" 24
run ingest --db "$T/msibig.db" "$T/big_Install-20260510-101733.log"
check "a 24 MB UTF-16 MSI log: every line read, the failure found at its end" '[ $rc -eq 0 ] && [ "$(sql "$T/msibig.db" "SELECT problems FROM source")" = 0 ] && [ "$(sql "$T/msibig.db" "SELECT name || '"'"' '"'"' || error_number FROM msi_action WHERE return_value = 3 ORDER BY end_line LIMIT 1")" = "DetectStoreServer 25019" ] && [ "$(sql "$T/msibig.db" "SELECT max(line) FROM event")" -gt 100000 ]'

# Auto-upgrade results.
mkdir -p "$T/au"
printf '[10:00:01.000] [  1] [INFO ] Auto upgrade starting\r\n[10:00:05.000] [  1] [ERROR] Azure AD Connect AutoUpgrade result = UpgradeAbortedSyncExeInUse\r\n' >"$T/au/SyncEngine-AutoUpgrader-20260501-100000.log"
printf '2026-05-02 03:00:00 Checking for an upgrade\r\n2026-05-02 03:00:09 result: UpgradeNotSupportedCustomizedSyncRules\r\n' >"$T/au/SyncEngine-AutoUpgrader-20260502-030000.log"
run diagnose --db "$T/au.db" "$T/au"
check "auto-upgrade results are read from trace-grammar and plain upgrader logs" 'has "AUTO-UPGRADE (2)" $T/out && grep -qE "aborted +UpgradeAbortedSyncExeInUse .*SyncEngine-AutoUpgrader-20260501-100000.log:2" $T/out && grep -qE "2026-05-02 03:00:09 UTC  not-supported +UpgradeNotSupportedCustomizedSyncRules .*SyncEngine-AutoUpgrader-20260502-030000.log:2" $T/out && [ "$(sql "$T/au.db" "SELECT group_concat(format) FROM (SELECT format FROM source ORDER BY name)")" = "trace,autoupgrade" ]'

# --- Windows event logs ------------------------------------------------------------
CORPUS=${ECDIAG_CORPUS:-}
if [ -n "$CORPUS" ] && [ -d "$CORPUS/evtx" ]; then
	run ingest --db "$T/evtx.db" "$CORPUS/evtx"
	check "every corpus EVTX file is read as evtx" '[ $rc -eq 0 ] && [ "$(sql "$T/evtx.db" "SELECT count(*) FROM source WHERE format = '"'"'evtx'"'"' AND status = '"'"'parsed'"'"'")" = 12 ] && [ "$(sql "$T/evtx.db" "SELECT sum(records) FROM source")" -ge 10931 ]'
	check "EVTX events keep record id, channel, computer, qualifiers and keywords" '[ "$(sql "$T/evtx.db" "SELECT record_id || '"'"'|'"'"' || channel || '"'"'|'"'"' || computer || '"'"'|'"'"' || event_id || '"'"'|'"'"' || time FROM event e JOIN source s ON s.id = e.source_id WHERE s.name = '"'"'evtx-to-mitre-mssql-18456.evtx'"'"' AND record_id = 1")" = "1|Application|mssql01.offsec.lan|18456|2020-07-15T11:31:15.673Z" ] && [ "$(sql "$T/evtx.db" "SELECT count(*) FROM event WHERE keywords LIKE '"'"'0x%'"'"'")" -gt 10000 ]'
	check "event data is queryable by name (event_data view)" '[ "$(sql "$T/evtx.db" "SELECT d.value FROM event_data d JOIN event e ON e.id = d.event_id JOIN source s ON s.id = e.source_id WHERE s.name = '"'"'evtx-to-mitre-mssql-18456.evtx'"'"' AND e.record_id = 1 AND d.name = '"'"'Data[1]'"'"'")" = unexisting-user ]'
	check "documented messages are used (MsiInstaller 1033)" '[ "$(sql "$T/evtx.db" "SELECT count(*) FROM event WHERE provider = '"'"'MsiInstaller'"'"' AND event_id = 1033 AND message LIKE '"'"'Windows Installer installed the product. Product Name: %'"'"'")" -gt 0 ]'
	check "damage in the corpus is reported with chunk and offset" '[ "$(sql "$T/evtx.db" "SELECT count(*) FROM problem p JOIN source s ON s.id = p.source_id WHERE s.name = '"'"'evtxrs-bad-chunk-magic.evtx'"'"' AND p.message LIKE '"'"'chunk % at offset % skipped: no ElfChnk signature'"'"'")" -ge 1 ]'
	head -c 100000 "$CORPUS/evtx/evtxrs-security.evtx" >"$T/cut.evtx"
	run ingest --db "$T/cut.db" "$T/cut.evtx"
	check "a cut EVTX file: the records before the cut, and the cut reported" '[ $rc -eq 0 ] && [ "$(sql "$T/cut.db" "SELECT records > 50 FROM source")" = 1 ] && [ "$(sql "$T/cut.db" "SELECT count(*) FROM problem WHERE message LIKE '"'"'the file ends inside chunk 1:%'"'"'")" = 1 ]'
	run ingest --db "$T/evtext.db" "$CORPUS/text/events/msdocs_EventViewer-text_ADSync-and-DirectorySynchronization.VERBATIM-SNIPPETS.txt"
	check "Event Viewer text copies are read (ADSync 6050, local time read as UTC)" '[ $rc -eq 0 ] && [ "$(sql "$T/evtext.db" "SELECT format FROM source")" = evtext ] && [ "$(sql "$T/evtext.db" "SELECT time || '"'"'|'"'"' || time_q FROM event WHERE provider = '"'"'ADSync'"'"' AND event_id = 6050")" = "2023-05-12T07:34:38.000Z|local-assumed" ]'
	run ingest --db "$T/evtext2.db" --utc-offset +02:00 "$CORPUS/text/events/msdocs_EventViewer-text_ADSync-and-DirectorySynchronization.VERBATIM-SNIPPETS.txt"
	check "--utc-offset moves the local times of exports" '[ "$(sql "$T/evtext2.db" "SELECT time || '"'"'|'"'"' || time_q FROM event WHERE provider = '"'"'ADSync'"'"' AND event_id = 6050")" = "2023-05-12T05:34:38.000Z|local-given" ]'
else
	for t in "every corpus EVTX file is read as evtx" "EVTX events keep record id, channel, computer, qualifiers and keywords" "event data is queryable by name (event_data view)" "documented messages are used (MsiInstaller 1033)" "damage in the corpus is reported with chunk and offset" "a cut EVTX file: the records before the cut, and the cut reported" "Event Viewer text copies are read (ADSync 6050, local time read as UTC)" "--utc-offset moves the local times of exports"; do
		skip "$t" "corpus not found: ${CORPUS:-ECDIAG_CORPUS unset}/evtx"
	done
fi

# Exports written here: wevtutil XML with an auto-upgrade result, Get-WinEvent CSV.
cat >"$T/events.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<Events>
<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Azure AD Connect Upgrade'/><EventID Qualifiers='0'>302</EventID><Level>2</Level><Task>0</Task><Keywords>0x80000000000000</Keywords><TimeCreated SystemTime='2026-05-09T03:00:05.1234567Z'/><EventRecordID>4711</EventRecordID><Channel>Application</Channel><Computer>SYNC01.contoso.com</Computer><Security/></System><EventData><Data>Azure AD Connect AutoUpgrade result = UpgradeAbortedSyncExeInUse</Data></EventData></Event>
<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='ADSync'/><EventID Qualifiers='0'>6050</EventID><Level>2</Level><TimeCreated SystemTime='2026-05-09T03:10:00.0000000Z'/><EventRecordID>4712</EventRecordID><Channel>Application</Channel><Computer>SYNC01.contoso.com</Computer></System><EventData><Data>The management agent "contoso.com" failed on run profile "Delta Import" because of connectivity issues.</Data></EventData></Event>
</Events>
XML
run diagnose --db "$T/xml.db" "$T/events.xml"
check "wevtutil XML: events stored, the auto-upgrade result recognised" '[ "$(sql "$T/xml.db" "SELECT format || '"'"' '"'"' || records FROM source")" = "evxml 2" ] && grep -qE "2026-05-09 03:00:05 UTC  aborted +UpgradeAbortedSyncExeInUse .*events.xml:3" $T/out && [ "$(sql "$T/xml.db" "SELECT record_id || '"'"' '"'"' || level FROM event WHERE provider = '"'"'ADSync'"'"'")" = "4712 error" ]'
printf '%s\r\n' '#TYPE System.Diagnostics.Eventing.Reader.EventLogRecord' '"Message","Id","Level","RecordId","ProviderName","LogName","MachineName","TimeCreated","LevelDisplayName"' '"The SQL Server LocalDB instance could not start.","528","2","99","SQLLocalDB 15.0","Application","SYNC01","5/9/2026 5:11:00 AM","Error"' >"$T/events.csv"
run ingest --db "$T/pscsv.db" --utc-offset +02:00 "$T/events.csv"
check "Get-WinEvent CSV: columns by name, local time with the given offset" '[ $rc -eq 0 ] && [ "$(sql "$T/pscsv.db" "SELECT format FROM source")" = pscsv ] && [ "$(sql "$T/pscsv.db" "SELECT provider || '"'"'|'"'"' || event_id || '"'"'|'"'"' || record_id || '"'"'|'"'"' || time || '"'"'|'"'"' || level FROM event")" = "SQLLocalDB 15.0|528|99|2026-05-09T03:11:00.000Z|error" ]'

# --- config-diff and global settings ------------------------------------------------
CB="$SRC/samples/config/before-Exported-SynchronizationPolicy-20260501-093000.json"
CA="$SRC/samples/config/after-Applied-SynchronizationPolicy-20260512-081500.json"
run config-diff --help
check "config-diff --help exits 0 with a usage line and its exit codes" '[ $rc -eq 0 ] && has "usage: ecdiag config-diff" $T/out && has "a file could not be read as a configuration export" $T/out'
run config-diff "$CB" "$CA"
check "config-diff of the samples exits 1 (differences)" '[ $rc -eq 1 ] && [ ! -s $T/err ]'
check "config-diff shows the modified default rule replaced by the new default" 'has "REPLACED CUSTOMISATIONS OF DEFAULT RULES (1)" $T/out && has "! In from AD - User Join  [Inbound, contoso.com]" $T/out && has "a default (out-of-box) rule you had modified was replaced by the new version'"'"'s default" $T/out'
check "config-diff shows what changed and what the customisation was" 'has "precedence     90 -> 100" $T/out && has "immutable tag  Microsoft.InfromADUserJoin.005 -> Microsoft.InfromADUserJoin.006" $T/out && has "flow     employeeID -> extensionAttribute15 (Direct)" $T/out'
check "config-diff lists the new default rule as added, the rest unchanged" 'has "ADDED (1)" $T/out && has "+ In from AD - User Common from Exchange  [Inbound, contoso.com]" $T/out && has "0 changed, 0 removed, 1 added, 5 unchanged" $T/out && ! has "REMOVED" $T/out'
run config-diff --format json "$CB" "$CA"
check "config-diff --format json: valid JSON with the summary and the replaced default" '[ $rc -eq 1 ] && python3 -c "
import json,sys
d=json.load(open(sys.argv[1]))
s=d[\"summary\"]; assert (s[\"replaced_defaults\"],s[\"changed\"],s[\"removed\"],s[\"added\"],s[\"unchanged\"])==(1,0,0,1,5), s
r=d[\"differences\"][0]; assert r[\"replaced_default\"] and r[\"before\"][\"kind\"]==\"modified default\" and r[\"after\"][\"kind\"]==\"standard\"
assert {\"what\":\"precedence\",\"before\":\"90\",\"after\":\"100\"} in r[\"changes\"]
assert d[\"before\"][\"exported_from_version\"]==\"2.1.20.0\" and d[\"after\"][\"exported_from_version\"]==\"2.2.8.0\"
assert d[\"differences\"][1][\"kind\"]==\"added\"
" $T/out'
run config-diff "$CB" "$CB"
check "config-diff of a file with itself exits 0: no differences" '[ $rc -eq 0 ] && has "no differences in the synchronization rules (6 rules in both)" $T/out'
run config-diff "$CB"
check "config-diff with one file is a usage error (2)" '[ $rc -eq 2 ] && has "needs two files" $T/err'
run config-diff --format xml "$CB" "$CA"
check "config-diff with a bad --format is a usage error (2)" '[ $rc -eq 2 ] && has "text or json" $T/err'
run config-diff --bogus "$CB" "$CA"
check "config-diff with an unknown option is a usage error (2)" '[ $rc -eq 2 ] && has "unknown option" $T/err'
run config-diff "$SRC/samples/upgrade-failed/notes.txt" "$CA"
check "config-diff of a file that is not an export exits 3" '[ $rc -eq 3 ] && has "notes.txt: not a configuration export: not JSON" $T/err && [ ! -s $T/out ]'
head -c 2000 "$CB" >"$T/cut.json"
run config-diff "$CB" "$T/cut.json"
check "config-diff of a cut-off export exits 3 and says where" '[ $rc -eq 3 ] && grep -q "cut.json: not valid JSON (at line [0-9]*): the file is cut off" $T/err'
run config-diff "$SRC/samples/config" "$CA"
check "config-diff of a folder exits 3 and says which file to give" '[ $rc -eq 3 ] && has "is a directory: give the export'"'"'s JSON file" $T/err'
run config-diff "$CB" "$T/missing.json"
check "config-diff of a missing file exits 3" '[ $rc -eq 3 ] && has "missing.json: cannot open" $T/err'
run ingest --exclude README.md --db "$T/cfg.db" "$SRC/samples/config"
check "ingest of the exports: format configexport, one fact per rule" '[ $rc -eq 0 ] && [ "$(sql "$T/cfg.db" "SELECT group_concat(format) FROM source")" = "configexport,configexport" ] && [ "$(sql "$T/cfg.db" "SELECT count(*) FROM fact WHERE name = '"'"'config.sync_rule'"'"'")" = 13 ] && [ "$(sql "$T/cfg.db" "SELECT value FROM fact WHERE name = '"'"'config.sync_rule'"'"' AND key = '"'"'In from AD - User Join'"'"' ORDER BY value")" = "direction=Inbound precedence=100 default
direction=Inbound precedence=90 default modified" ]'
LAP="${ECDIAG_CORPUS:-}/text/cmdlet-output/laparoscope_Get-LapGlobalSettings_FormatList_ServerConfigurationVersion-2.0.25.1.VERBATIM.txt"
if [ -f "$LAP" ]; then
	run ingest --db "$T/gs.db" "$LAP"
	check "ingest of Get-ADSyncGlobalSettings output gives the settings facts" '[ $rc -eq 0 ] && [ "$(sql "$T/gs.db" "SELECT format || '"'"' '"'"' || records FROM source")" = "adsyncsettings 42" ] && [ "$(sql "$T/gs.db" "SELECT group_concat(name || '"'"'='"'"' || value, '"'"';'"'"') FROM (SELECT name, value FROM fact WHERE name IN ('"'"'settings.server_configuration_version'"'"','"'"'settings.autoupgrade_state'"'"','"'"'settings.autoupgrade_suspension_reason'"'"','"'"'settings.sql_schema_version'"'"','"'"'settings.staging_mode'"'"') ORDER BY name)")" = "settings.autoupgrade_state=Suspended;settings.autoupgrade_suspension_reason=UpgradeNotSupportedNonLocalDbInstall;settings.server_configuration_version=2.0.25.1;settings.sql_schema_version=616;settings.staging_mode=False" ]'
else
	skip "ingest of Get-ADSyncGlobalSettings output gives the settings facts" "corpus not found"
fi
printf 'Synchronization Service Manager, Help > About\r\nVersion 2.2.8.0\r\n' >"$T/about.txt"
run ingest --db "$T/about.db" "$T/about.txt" "$SRC/samples/upgrade-failed/notes.txt"
check "ingest of a Help > About note gives gui.version; the owner's notes are read as pasted text" '[ $rc -eq 0 ] && [ "$(sql "$T/about.db" "SELECT format FROM source WHERE path LIKE '"'"'%about.txt'"'"'")" = aboutversion ] && [ "$(sql "$T/about.db" "SELECT value FROM fact WHERE name = '"'"'gui.version'"'"'")" = 2.2.8.0 ] && [ "$(sql "$T/about.db" "SELECT status || '"'"' '"'"' || format FROM source WHERE path LIKE '"'"'%notes.txt'"'"'")" = "parsed paste" ]'

# --- run history in the samples ------------------------------------------------------
check "diagnose of the failed upgrade shows its runs and no run after the upgrade" 'grep -q "^RUNS (24 of 24, around the upgrade window 2026-05-10 08:17:33 - 08:17:41 UTC, from the sync engine.s install)" $T/failed.txt && grep -q "upgrade window 2026-05-10 08:17:33 - 08:17:41 UTC: no run after it" $T/failed.txt && grep -qE "^    import  before: 2026-05-10 08:00:04 \(Delta Import\)   after: NONE" $T/failed.txt'
check "run history is stored with steps, classes and counters" '[ "$(sql "$DB" "SELECT count(*) || '"'"' '"'"' || sum(result_class = '"'"'success'"'"') FROM run")" = "24 20" ] && [ "$(sql "$DB" "SELECT step_class || '"'"' '"'"' || adds || '"'"' '"'"' || updates FROM run_step t JOIN run r ON r.id = t.run_id WHERE r.connector = '"'"'contoso.com'"'"' AND r.profile = '"'"'Delta Import'"'"' LIMIT 1")" = "delta-import 1 4" ]'

# --- global settings and the About version in diagnose ---------------------------------
if [ -n "$CORPUS" ] && [ -d "$CORPUS/text/cmdlet-output" ]; then
	mkdir -p "$T/settings"
	cp "$CORPUS"/text/cmdlet-output/laparoscope_Get-LapGlobalSettings_*.txt "$T/settings/"
	printf 'Synchronization Service Manager, Help > About\nVersion 2.2.8.0\n' >"$T/settings/about.txt"
	run diagnose --db "$T/settings.db" "$T/settings"
	check "diagnose shows ServerConfigurationVersion, the About version and the settings" 'grep -qE "^          config     2.0.25.1 \(ServerConfigurationVersion" $T/out && grep -qE "^          GUI        2.2.8.0 \(Help > About, as written down\)  .*about.txt:2" $T/out && grep -q "^SETTINGS  staging mode False, scheduler suspended False, auto-upgrade Suspended (UpgradeNotSupportedNonLocalDbInstall)" $T/out'
else
	skip "diagnose shows ServerConfigurationVersion, the About version and the settings" "corpus not found: ${CORPUS:-ECDIAG_CORPUS unset}/text/cmdlet-output"
fi

# --- healthy sample --------------------------------------------------------------
run diagnose --exclude README.md --exclude expected.json "$SRC/samples/upgrade-ok" --db "$T/ok.db"
check "an upgrade to 2.2.8.0 without a configuration backup: exit 1, no-config-backup and unsupported-version" '[ $rc -eq 1 ] && has "no-config-backup" $T/out && has "unsupported-version" $T/out && has "installed 2.1.20.0 -> target 2.2.8.0" $T/out'
"$BIN" diagnose --exclude README.md --exclude expected.json "$SRC/samples/healthy" --db "$T/healthy.db" >"$T/healthy.out" 2>/dev/null; hrc=$?
check "diagnose of the healthy upgrade exits 0 with no finding and sync resumed" '[ $hrc -eq 0 ] && has "FINDINGS (0)" $T/healthy.out && grep -qE "^  sync +resumed" $T/healthy.out'
check "sync resumed after the clean upgrade: first successful import, sync and export after it" 'grep -qE "^    import  before: 2026-05-12 05:30:04 \(Delta Import\)   after: 2026-05-12 06:40:04 \(Delta Import\)" $T/out && grep -qE "^    sync    before: 2026-05-12 05:30:24 \(Delta Synchronization\)   after: 2026-05-12 06:10:02 \(Full Synchronization\)" $T/out && grep -q "  ---- upgrade window 2026-05-12 06:01:02 - 06:02:39 UTC ----" $T/out'
check "the clean upgrade's install succeeded with the new version, not the removed one" 'has "Microsoft Azure AD Connect synchronization services 2.2.8.0: succeeded" $T/out && [ "$(sql "$T/ok.db" "SELECT value FROM fact WHERE name = '"'"'msi.removed_version'"'"'")" = 2.1.20.0 ]'

# --- default database place ------------------------------------------------------
run diagnose --exclude README.md --exclude expected.json "$SRC/samples/upgrade-ok"
check "diagnose without --db says where the case database is" '[ $rc -eq 1 ] && grep -q "case database: $T/cases/upgrade-ok-[0-9a-f]*\.db" $T/err && ls $T/cases/upgrade-ok-*.db >/dev/null'

# --- archives --------------------------------------------------------------------
python3 - "$SRC/samples/upgrade-failed" "$T" <<'PY'
import io, os, sys, tarfile, zipfile
src, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(os.path.join(out, "case.zip"), "w", zipfile.ZIP_DEFLATED) as z:
    for n in sorted(os.listdir(src)):
        z.write(os.path.join(src, n), "logs/" + n)
inner = io.BytesIO()
with tarfile.open(fileobj=inner, mode="w:gz") as t:
    t.add(src, arcname="upgrade-failed")
with zipfile.ZipFile(os.path.join(out, "nested.zip"), "w") as z:
    z.writestr("collected/case.tar.gz", inner.getvalue())
PY
run diagnose --exclude README.md --exclude expected.json "$T/case.zip" --db "$T/zip.db"
check "a zip is read in place with the same result" '[ $rc -eq 1 ] && has "installed 1.6.16.0 -> target 2.2.8.0" $T/out && [ "$(sql "$T/zip.db" "SELECT count(*) FROM event")" = "$events" ]'
check "members are named inside their archive" '[ "$(sql "$T/zip.db" "SELECT count(*) FROM source WHERE path LIKE '"'"'%case.zip!logs/trace-%'"'"' AND status = '"'"'parsed'"'"'")" = 2 ]'
check "nothing was extracted next to the archive" '[ "$(ls $T | grep -c trace-)" = 0 ]'
run diagnose "$T/nested.zip" --db "$T/nested.db"
check "a tar.gz inside a zip is read too" '[ $rc -eq 1 ] && [ "$(sql "$T/nested.db" "SELECT count(*) FROM source WHERE path LIKE '"'"'%nested.zip!collected/case.tar.gz!upgrade-failed/trace-%'"'"' AND depth = 2")" = 2 ]'
run ingest --db "$T/nested.db" "$T/nested.zip"
check "an archive ingested whole is skipped the next time" '[ $rc -eq 0 ] && has "0 parsed" $T/err'

# --- bad input ---------------------------------------------------------------------
B=$T/bad
mkdir -p "$B/noperm"
printf '[10:00:00.000] [  1] [INFO ] Application starting\n[10:00:00.001] [  1] [ERROR] cut off in the mid' > "$B/trace-20260101-100000.log"
head -c 20000 /dev/urandom > "$B/junk.log"
: > "$B/empty.log"
printf '\xff\xfe' > "$B/utf16.log"
printf '[\x001\x000\x00:\x000\x000\x00:\x000\x000\x00.\x000\x000\x000\x00]\x00 \x00[\x001\x00]\x00 \x00[\x00I\x00N\x00F\x00O\x00 \x00]\x00 \x00x\x00\x00\xd8\n\x00' >> "$B/utf16.log"
echo '[10:00:00.000] [  1] [INFO ] hidden' > "$B/noperm/trace-hidden.log"
chmod 000 "$B/noperm"
run ingest --db "$T/bad.db" "$B" "$T/does-not-exist"
check "bad input does not stop the ingest (exit 0: something was readable)" '[ $rc -eq 0 ]'
check "a missing path is reported by name" 'has "does-not-exist" $T/err || [ -n "$(sql "$T/bad.db" "SELECT 1 FROM source WHERE path LIKE '"'"'%does-not-exist'"'"' AND status = '"'"'failed'"'"'")" ]'
check "binary junk named .log is skipped with a reason" '[ "$(sql "$T/bad.db" "SELECT status FROM source WHERE name = '"'"'junk.log'"'"'")" = skipped ]'
check "an empty file is skipped as empty" '[ "$(sql "$T/bad.db" "SELECT reason FROM source WHERE name = '"'"'empty.log'"'"'")" = "empty file" ]'
check "a truncated trace keeps its records" '[ "$(sql "$T/bad.db" "SELECT records FROM source WHERE name = '"'"'trace-20260101-100000.log'"'"'")" = 2 ]'
check "invalid UTF-16 is read and reported" '[ "$(sql "$T/bad.db" "SELECT encoding || '"'"' '"'"' || records || '"'"' '"'"' || (problems > 0) FROM source WHERE name = '"'"'utf16.log'"'"'")" = "utf-16le-bom 1 1" ]'
if [ "$(id -u)" -ne 0 ]; then
	check "a directory without permission is reported" '[ "$(sql "$T/bad.db" "SELECT status || '"'"' '"'"' || reason FROM source WHERE path LIKE '"'"'%noperm'"'"'")" = "failed cannot open '"'"'$B/noperm'"'"': Permission denied" ]'
elif command -v setpriv >/dev/null; then
	# root reads everything: run as nobody to meet a real EACCES
	mkdir -p "$T/np" && chmod 755 "$T" && chmod 777 "$T/np" && chmod -R a+rX "$B" && chmod 000 "$B/noperm"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$BIN" ingest -q --db "$T/np/np.db" "$B" >/dev/null 2>"$T/err"
	check "a directory without permission is reported (run as nobody)" '[ "$(sql "$T/np/np.db" "SELECT status || '"'"' '"'"' || reason FROM source WHERE path LIKE '"'"'%noperm'"'"'")" = "failed cannot open '"'"'$B/noperm'"'"': Permission denied" ] && [ "$(sql "$T/np/np.db" "SELECT count(*) FROM source WHERE status = '"'"'parsed'"'"'")" -ge 2 ]'
else
	skip "a directory without permission is reported" "running as root without setpriv: permissions do not stop root's reads"
fi
before=$(sql "$T/bad.db" "SELECT count(*) FROM source")
run ingest --db "$T/bad.db" "$B" "$T/does-not-exist"
check "ingesting bad input again adds no rows" '[ $rc -eq 0 ] && [ "$(sql "$T/bad.db" "SELECT count(*) FROM source")" = "$before" ]'
chmod 755 "$B/noperm"
run sources --db "$T/bad.db"
check "sources names each unreadable input" '[ $rc -eq 0 ] && has junk.log $T/out && has empty.log $T/out'

# a trace with a 1 GiB line between two records
BIG=$T/big
mkdir -p "$BIG"
{ printf '[10:00:00.000] [  1] [INFO ] before the long line\n'; head -c 1073741824 /dev/zero | tr '\0' a; printf '\n[10:00:01.000] [  1] [ERROR] after the long line\n'; } > "$BIG/trace-20260102-100000.log"
run ingest --db "$T/big.db" "$BIG"
check "a 1 GiB line is cut, reported, and the records around it kept" '[ $rc -eq 0 ] && [ "$(sql "$T/big.db" "SELECT records || '"'"' '"'"' || (problems > 0) FROM source")" = "2 1" ] && [ "$(sql "$T/big.db" "SELECT length(message) < 20000000 FROM event WHERE ordinal = 1")" = 1 ]'
rm -rf "$BIG"

# a trace with 4 KiB of zeros after line 40 (a crash while it was written);
# without its BOM, so that the encoding is sniffed from the bytes
NB=$T/nulblock
mkdir -p "$NB"
tail -c +4 "$SRC/samples/upgrade-failed/trace-20260510-101502.log" > "$T/nobom.log"
off=$(head -n 40 "$T/nobom.log" | wc -c)
{ head -c "$off" "$T/nobom.log"; head -c 4096 /dev/zero; tail -c +$((off + 1)) "$T/nobom.log"; } > "$NB/trace-20260510-101502.log"
run diagnose "$NB" --db "$T/nulblock.db"
check "a block of NUL bytes in a trace is named with the file, line and offset under COULD NOT BE READ" '[ $rc -eq 1 ] && grep -A2 "^COULD NOT BE READ (1)" $T/out | grep -q "nulblock/trace-20260510-101502.log  trace, utf-8, " && grep -A2 "^COULD NOT BE READ (1)" $T/out | grep -qF "line 40: nul bytes (4096) at offset $off after line 40: the file was not completely written"'
check "the records after the block are analysed: the error on line 131 is evidence" 'grep -qE "evidence +.*nulblock/trace-20260510-101502.log:131 " $T/out && grep -qE "^ +> Error during sync engine upgrade" $T/out && [ "$(sql "$T/nulblock.db" "SELECT records FROM source")" = "$(sql "$DB" "SELECT records FROM source WHERE name = '"'"'trace-20260510-101502.log'"'"'")" ]'
rm -rf "$NB" "$T/nobom.log"

mkdir -p "$T/junkonly"
head -c 5000 /dev/urandom > "$T/junkonly/a.log"
run diagnose "$T/junkonly" --db "$T/junk.db"
check "nothing readable exits 3" '[ $rc -eq 3 ] && has "nothing readable" $T/err'

# --- database versions ---------------------------------------------------------------
cp "$DB" "$T/newer.db"
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('PRAGMA user_version=99'); c.commit()" "$T/newer.db"
run report --db "$T/newer.db"
check "a database from a newer ecdiag is refused (exit 4)" '[ $rc -eq 4 ] && has "newer ecdiag" $T/err'
# A schema-1 database (ecdiag before Windows Installer logs) is migrated in place.
python3 - "$SRC/store/schema.sql" "$T/v1.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[2])
c.executescript(open(sys.argv[1]).read())
c.execute("INSERT INTO source(path, name, status, format, records, ingested_at) VALUES ('old/trace.log', 'trace.log', 'parsed', 'trace', 1, '2026-01-01T00:00:00.000Z')")
c.execute("INSERT INTO event(source_id, ordinal, line, time_q, message) VALUES (1, 1, 1, 'none', 'kept')")
c.execute("PRAGMA user_version=1")
c.commit()
PY
run ingest --db "$T/v1.db" "$SRC/samples/upgrade-failed/$MSILOG"
check "a schema-1 database is migrated to the current schema and keeps its rows" '[ $rc -eq 0 ] && [ "$(sql "$T/v1.db" "PRAGMA user_version")" = "$SCHEMA" ] && [ "$(sql "$T/v1.db" "SELECT count(*) FROM event WHERE record_id IS NULL AND channel IS NULL")" -gt 300 ] && [ "$(sql "$T/v1.db" "SELECT message FROM event WHERE source_id = 1")" = kept ] && [ "$(sql "$T/v1.db" "SELECT count(*) FROM msi_action WHERE return_value = 3")" -ge 1 ]'
run ingest --db "$T/newer.db" "$SRC/samples/upgrade-ok"
check "ingest refuses it too and leaves it unchanged" '[ $rc -eq 4 ] && [ "$(sql "$T/newer.db" "PRAGMA user_version")" = 99 ]'
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('CREATE TABLE t(x)'); c.commit()" "$T/other.db"
run ingest --db "$T/other.db" "$SRC/samples/upgrade-ok"
check "another SQLite database is not taken for a case" '[ $rc -eq 4 ] && has "not an ecdiag case database" $T/err'

# --- SIGKILL at any moment leaves a consistent database ----------------------------------
K=$T/kill
mkdir -p "$K"
python3 - "$K" <<'PY'
import os, sys
d = sys.argv[1]
for f in range(24):
    with open(os.path.join(d, "trace-202605%02d-100000.log" % (f + 1)), "w") as o:
        o.write("[10:00:00.000] [  1] [INFO ] Start Time (Local): Sun, %02d May 2026 10:00:00 GMT\n" % (f + 1))
        o.write("[10:00:00.000] [  1] [INFO ] Start Time (UTC): Sun, %02d May 2026 08:00:00 GMT\n" % (f + 1))
        for i in range(30000):
            o.write("[10:%02d:%02d.%03d] [ 12] [%s] record %d of file %d\n" % (i // 3000 % 60, i // 50 % 60, i % 1000, "INFO " if i % 97 else "ERROR", i, f))
PY
# Read through ecdiag itself: a reader rolls back the journal a killed
# ingest left (docs/ARCHITECTURE.md, "The case database").
# A kill while the new database is being created leaves it at an earlier
# schema step (each step is a transaction), with no source yet: consistent
# too (ecdiag refuses to read it until an ingest migrates it).
consistent() {
	local out
	out=$("$BIN" query --db "$1" --format csv "SELECT (SELECT count(*) FROM source WHERE status = 'partial') + (SELECT count(*) FROM source s WHERE status = 'parsed' AND records <> (SELECT count(*) FROM event e WHERE e.source_id = s.id)) + (SELECT count(*) FROM event e WHERE NOT EXISTS (SELECT 1 FROM source s WHERE s.id = e.source_id AND s.status = 'parsed')) AS bad" 2>/dev/null | tail -n +2 | tr -d '\r')
	if [ -z "$out" ] && [ "$(sql "$1" "PRAGMA user_version")" -lt "$SCHEMA" ]; then
		echo 0
	else
		echo "$out"
	fi
}
bad=0
for delay in 0.05 0.2 0.4 0.7 1.0 1.5; do
	"$BIN" ingest -q --db "$T/kill.db" "$K" >/dev/null 2>&1 &
	pid=$!
	sleep $delay
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	[ -f "$T/kill.db" ] || continue
	[ "$(consistent "$T/kill.db")" = 0 ] || bad=$((bad + 1))
done
check "SIGKILL at six moments never leaves a half-stored source" '[ $bad -eq 0 ]'
run ingest --db "$T/kill.db" "$K"
check "the next ingest completes the case" '[ $rc -eq 0 ] && [ "$(sql "$T/kill.db" "SELECT count(*) || '"'"' '"'"' || sum(records) FROM source WHERE status = '"'"'parsed'"'"'")" = "24 720048" ] && [ "$(consistent "$T/kill.db")" = 0 ]'

# --- progress on a terminal only ----------------------------------------------------------
ECDIAG_PROGRESS_DELAY=0 "$BIN" ingest --db "$T/p1.db" "$K" >/dev/null 2>"$T/err"
check "no progress when stderr is not a terminal" '! grep -q "MB/s" $T/err'
if command -v script >/dev/null; then
	ECDIAG_PROGRESS_DELAY=0 script -qec "$BIN ingest --db $T/p2.db $K" /dev/null >"$T/tty" 2>&1
	check "progress (files done/total, MB/s) on a terminal" 'grep -aqE "[0-9]+/24 files, [0-9.]+ MB/s" $T/tty'
else
	skip "progress (files done/total, MB/s) on a terminal" "'script' (util-linux) is not installed"
fi

echo "1..$n"
exit 0
