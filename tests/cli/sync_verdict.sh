#!/bin/bash
# tests/cli/sync_verdict.sh - the sync verdict is complete and names its
# cause: import, synchronization and export must all come back on an active
# server (resumed-without-export otherwise), a staging server's held exports
# are resumed-staging, and sync-not-resumed names the suspended scheduler,
# the ADSync service that did not start, or the failing export, with the fix
# for that cause first. The cases are built here from the constructed
# samples (samples/README.md); the lines changed are shown below. TAP.
set -u
BIN=${ECDIAG_BIN:?}
SRC=${ECDIAG_SRC:?}
T=${ECDIAG_KEEP:-$(mktemp -d /tmp/ecdiag-syncv.XXXXXX)}
trap '[ -n "${ECDIAG_KEEP:-}" ] || rm -rf "$T"' EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
# check NAME CASE PYTHON: the assertions hold on the case's JSON report
check() {
	local out
	if out=$(python3 -c "import json,sys
r=json.load(open(sys.argv[1]))
sync=r['sync']; v={c['name']: c['verdict'] for c in sync['connectors']}
f=[x for x in r['findings'] if x['id']=='sync-not-resumed']
$3" "$T/$2.json" 2>&1); then ok "$1"; else not_ok "$1" "$out"; fi
}
diagnose() { "$BIN" diagnose --quiet --db "$T/$1.db" --format json -o "$T/$1.json" "$T/$1" 2>"$T/$1.err"; }
# without_runs FILE PROFILE...: the run history without the runs of those profiles
without_runs() {
	python3 - "$@" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
drop = sys.argv[2:]
runs = re.split(r"(?<=</run-details>)", text)
keep = [r for r in runs if not any("<run-profile-name>%s</run-profile-name>" % p in r for p in drop)]
sys.stdout.write("".join(keep))
PY
}

cd "$SRC" || exit 1

# --- healthy: the real cycle -> resumed --------------------------------------
mkdir -p "$T/healthy" && cp samples/healthy/* "$T/healthy/"
diagnose healthy
check "healthy: both connectors resumed, no finding" healthy '
assert sync["verdict"] == "resumed", sync
assert set(v.values()) == {"resumed"}, v
assert not f, f'

# --- healthy without its Export runs -> resumed-without-export ---------------
mkdir -p "$T/noexport" && cp samples/healthy/* "$T/noexport/"
without_runs samples/healthy/runhistory.xml Export >"$T/noexport/runhistory.xml"
if grep -q "<run-profile-name>Export<" "$T/noexport/runhistory.xml"; then
	not_ok "noexport: the Export runs are removed"
else
	ok "noexport: the Export runs are removed"
fi
diagnose noexport
check "noexport: imports and syncs but no export: resumed-without-export" noexport '
assert sync["verdict"] == "resumed-without-export", sync
assert set(v.values()) == {"resumed-without-export"}, v
for c in sync["connectors"]:
    assert c["resumed"] is None and "no export ran" in c["note"], c'
check "noexport: the finding says exports did not resume and why" noexport '
assert len(f) == 1, f
f = f[0]
assert f["title"].startswith("Exports did not resume after the upgrade on "), f["title"]
assert f["title"].endswith(": no export ran"), f["title"]
assert f["captures"]["cause"] == "no-export", f["captures"]
assert f["remediation"].startswith("Run an export: Start-ADSyncSyncCycle -PolicyType Delta"), f["remediation"]
assert "StagingMode False" in f["summary"], f["summary"]'
check "noexport: the verify phase failed, the case is not healthy" noexport '
u = r["upgrades"][-1]
assert u["phases"]["verify"]["state"] == "failed", u["phases"]["verify"]
assert r["judgement"]["state"] == "findings", r["verdict"]'

# --- the same on a staging server -> resumed-staging -------------------------
mkdir -p "$T/staging" && cp "$T/noexport/"* "$T/staging/"
sed -i 's/^\(Microsoft\.Synchronize\.StagingMode  *\)False/\1True/' "$T/staging/Get-ADSyncGlobalSettings.txt"
if grep -q "^Microsoft.Synchronize.StagingMode  *True" "$T/staging/Get-ADSyncGlobalSettings.txt"; then
	ok "staging: the settings read StagingMode True"
else
	not_ok "staging: the settings read StagingMode True"
fi
diagnose staging
check "staging: imports and syncs resumed, exports held: resumed-staging" staging '
assert sync["verdict"] == "resumed-staging", sync
assert set(v.values()) == {"resumed-staging"}, v
for c in sync["connectors"]:
    assert c["resumed"] and "staging mode" in c["note"], c'
check "staging: no sync finding, the case is healthy" staging '
assert not f, f
assert r["judgement"]["state"] == "healthy", r["verdict"]
assert r["upgrades"][-1]["phases"]["verify"]["state"] == "done", r["upgrades"][-1]["phases"]["verify"]'

# --- healthy whose Export runs fail -> the finding names the export ----------
mkdir -p "$T/exportfail" && cp samples/healthy/* "$T/exportfail/"
python3 - samples/healthy/runhistory.xml >"$T/exportfail/runhistory.xml" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
def fail(m):
    r = m.group(0)
    if "<run-profile-name>Export</run-profile-name>" in r:
        r = re.sub(r"<step-result>success</step-result>", "<step-result>stopped-server-down</step-result>", r)
    return r
sys.stdout.write(re.sub(r"<run-details>.*?</run-details>", fail, text, flags=re.S))
PY
diagnose exportfail
check "exportfail: the stopped exports: resumed-without-export, the finding names the connection" exportfail '
assert sync["verdict"] == "resumed-without-export", sync
assert len(f) == 1, f
f = f[0]
assert f["captures"]["cause"] == "connector-connectivity", f["captures"]
assert "stopped on its connection (stopped-server-down)" in f["title"], f["title"]
assert f["remediation"].startswith("Restore the connector"), f["remediation"]
assert "export fails" not in f["title"], f["title"]'

# --- sync-not-resumed: the scheduler is suspended ----------------------------
mkdir -p "$T/suspended" && cp samples/sync-not-resumed/* "$T/suspended/"
diagnose suspended
check "suspended: not-resumed, the finding names the suspended scheduler" suspended '
assert sync["verdict"] == "not-resumed", sync
assert len(f) == 1, f
f = f[0]
assert f["title"].endswith(": the scheduler is suspended"), f["title"]
assert f["captures"]["cause"] == "scheduler-suspended", f["captures"]
assert "SchedulerSuspended True (Get-ADSyncGlobalSettings.txt:37" in f["summary"], f["summary"]'
check "suspended: the fix resumes the scheduler first" suspended '
rem = f[0]["remediation"]
assert rem.startswith("Resume the scheduler"), rem
i = rem.index("Set-ADSyncScheduler -SchedulerSuspended $false")
assert i < rem.index("Start-ADSyncSyncCycle") and i < rem.index("-SyncCycleEnabled"), rem'
check "suspended: the evidence cites the settings line first" suspended '
ev = f[0]["evidence"]
assert ev[0]["path"].endswith("Get-ADSyncGlobalSettings.txt") and ev[0]["line"] == 37, ev[0]
assert any(e["path"].endswith("runhistory.xml") for e in ev), ev'

# --- the scheduler running again, but the ADSync service did not start -------
mkdir -p "$T/service" && cp samples/sync-not-resumed/* "$T/service/"
sed -i 's/^\(Microsoft\.Synchronize\.SchedulerSuspended  *\)True/\1False/' "$T/service/Get-ADSyncGlobalSettings.txt"
# An Event Viewer text export of the System log (docs/FORMATS.md) with one
# Service Control Manager 7000 about the ADSync service; the message is
# evmsg.c's template with the service's display name; the insert for the
# error is constructed.
printf '%s\r\n' \
	'Level,Date and Time,Source,Event ID,Task Category' \
	'Error,11/5/2026 2:20:00 PM,Service Control Manager,7000,None,"The Microsoft Azure AD Sync service failed to start due to the following error: ' \
	'The service did not start due to a logon failure."' >"$T/service/System.csv"
diagnose service
check "service: the finding names the ADSync service first, with its fix" service '
assert len(f) == 1, f
f = f[0]
assert f["captures"]["cause"] == "service-stopped", (f["captures"], f["title"])
assert "the ADSync service did not run (Service Control Manager 7000)" in f["title"], f["title"]
assert f["remediation"].startswith("Start the sync service"), f["remediation"]
assert "SchedulerSuspended" not in f["title"], f["title"]
assert f["evidence"][0]["path"].endswith("System.csv"), f["evidence"][0]'

echo "1..$n"
