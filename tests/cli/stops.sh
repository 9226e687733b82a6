#!/bin/bash
# tests/cli/stops.sh - the error that stopped the run ranks first, errors a
# run survived say so, the records of a failure are its context and not
# unexplained errors, another product's install log gives no Entra Connect
# finding, a configuration failure no signature knows is not healthy, and a
# case that cannot be judged says so (exit 5). The cases are built here from
# the constructed samples (samples/README.md) with the lines shown below. TAP.
set -u
BIN=${ECDIAG_BIN:?}
SRC=${ECDIAG_SRC:?}
CORPUS=${ECDIAG_CORPUS:-}
T=${ECDIAG_KEEP:-$(mktemp -d /tmp/ecdiag-stops.XXXXXX)}
trap '[ -n "${ECDIAG_KEEP:-}" ] || rm -rf "$T"' EXIT
export COLUMNS=1000
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
check() { local name=$1; shift; if eval "$@"; then ok "$name"; else not_ok "$name" "failed: $*" "values: first=${first:-} dcom=${dcom:-} ctx=${ctx:-} un=${un:-} ids=${ids:-} f=${f:-} j=${j:-} rc=${rc:-} tm=${tm:-}"; fi; }
# diagnose CASE DIR: JSON report in $T/CASE.json, text in $T/CASE.txt, exit code in $rc
diagnose() {
	"$BIN" diagnose --quiet --db "$T/$1.db" --format json -o "$T/$1.json" "$2" 2>"$T/$1.err"
	rc=$?
	"$BIN" report --db "$T/$1.db" >"$T/$1.txt" 2>>"$T/$1.err"
}
# jq-like reads of a JSON report
py() { python3 -c "import json,sys; r=json.load(open(sys.argv[1])); $2" "$T/$1.json" 2>&1; }

DCOM=$SRC/samples/dcom-keys-missing/trace-20261027-140000.log

# --- a DCOM value logged missing, the run goes on, then fails on ADSync ---------
# The first 77 lines of the dcom-keys-missing trace (detection, with the
# [ERROR] for MachineAccessRestriction at line 63), then the run goes on to the
# sign-in and the configuration page and fails there: the partial-uninstall
# that stopped it must rank first, the DCOM finding after it, as survived.
mkdir -p "$T/dcom-survived"
{
	head -n 77 "$DCOM"
	printf '%s\r\n' \
		'[14:00:09.100] [  1] [INFO ] Page transition from "Welcome" [WelcomePageViewModel] to "Connect to Azure AD" [AzureTenantPageViewModel]' \
		'[14:00:20.500] [  1] [INFO ] Page transition from "Connect to Azure AD" [AzureTenantPageViewModel] to "Configuring" [PerformConfigurationPageViewModel]' \
		'[14:00:31.002] [ 12] [ERROR] PerformConfigurationPageViewModel: Caught exception while installing synchronization service.' \
		"Exception Data (Raw): System.InvalidOperationException: Service ADSync was not found on computer '.'. ---> System.ComponentModel.Win32Exception: The specified service does not exist as an installed service" \
		'[14:00:31.010] [ 12] [INFO ] PerformConfigurationPageViewModel.PerformWorkflowInstallationAndUpdateState: result of installation operations - Failed' \
		'[14:00:31.020] [ 12] [ERROR] ExecuteADSyncConfiguration: configuration failed.  Skipping export of synchronization policy.  resultStatus=Failed' \
		'[14:00:31.050] [  1] [INFO ] Page transition from "Configuring" [PerformConfigurationPageViewModel] to "Configuration failed" [ErrorPageViewModel]'
} >"$T/dcom-survived/trace-20261027-140000.log"
diagnose dcom-survived "$T/dcom-survived"
check "dcom-survived: diagnose exits 1" '[ $rc -eq 1 ]'
first=$(py dcom-survived 'f=r["findings"]; print(f[0]["id"], (f[0]["stop"] or {}).get("role"), (f[0]["stop"] or {}).get("line"))')
check "dcom-survived: partial-uninstall ranks first as the error that stopped the run (line 80)" '[ "$first" = "partial-uninstall stopped 80" ]'
dcom=$(py dcom-survived 'f=[x for x in r["findings"] if x["id"]=="dcom-keys-missing"]; print(f[0]["rank"] > 1, (f[0]["stop"] or {}).get("role"), (f[0]["stop"] or {}).get("line")) if f else print("none")')
check "dcom-survived: dcom-keys-missing ranks after it, survived at line 63" '[ "$dcom" = "True survived 63" ]'
check "dcom-survived: the text report says the DCOM error was logged and the run went on" \
	'grep -A4 "dcom-keys-missing:" "$T/dcom-survived.txt" | grep -q "survived  logged; the run went on"'
check "dcom-survived: the text report names the line that stopped the run" \
	'grep -A6 "partial-uninstall:" "$T/dcom-survived.txt" | grep -q "stopped   the wizard run: .*trace-20261027-140000.log:80"'
ctx=$(py dcom-survived 'f=r["findings"][0]; print(",".join(str(e["line"]) for e in f["evidence"] if e["part_of_failure"]))')
check "dcom-survived: the configuration-failed line after the stop is context of that finding" '[ "$ctx" = "83" ]'
un=$(py dcom-survived 'print(len(r["unexplained"]))')
check "dcom-survived: no unexplained error left" '[ "$un" = 0 ]'

# --- the sample's own DCOM case: the DCOM value is what stopped the run -------
diagnose dcom "$SRC/samples/dcom-keys-missing"
first=$(py dcom 'f=r["findings"][0]; print(f["id"], (f["stop"] or {}).get("role"), (f["stop"] or {}).get("line"))')
check "dcom-keys-missing sample: the DCOM value stopped the run (line 63)" '[ "$first" = "dcom-keys-missing stopped 63" ]'

# --- upgrade-failed: the MSI failure and its echoes -----------------------------
diagnose uf "$SRC/samples/upgrade-failed"
first=$(py uf 'f=r["findings"][0]; print(f["id"], f["stop"]["role"], f["stop"]["run"])')
check "upgrade-failed: partial-uninstall explains the install that stopped the upgrade" '[ "$first" = "partial-uninstall stopped install" ]'
un=$(py uf 'print("|".join(u["template"] for u in r["unexplained"]))')
check "upgrade-failed: no 'Return value 3', 'Note: 1: 1708', 'Installation failed' or 'Error during sync engine upgrade' left unexplained" \
	'! printf "%s" "$un" | grep -qE "Return value|1708|Installation failed|Error during sync engine upgrade|MainEngineThread"'
ctx=$(py uf 'f=r["findings"][0]; print(" ".join(str(e["line"]) for e in f["evidence"] if e["part_of_failure"]))')
check "upgrade-failed: the rollback lines and the wizard's echo are context of the finding" \
	'for l in 255 256 304 309 357 143 151; do printf " %s " "$ctx" | grep -q " $l "; done'

# --- templates keep identifiers whole -------------------------------------------
mkdir -p "$T/tmpl"
printf '%s\r\n' \
	'=== Verbose logging started: 5/10/2026  10:17:33  Build type: SHIP UNICODE 5.00.10011.00  Calling process: C:\Windows\system32\msiexec.exe ===' \
	'MSI (s) (C0:0C) [10:17:41:605]: Product: Microsoft Azure AD Connect synchronization services -- Error 1935. An error occurred during the installation of assembly component {0C0C0C0C-0000-4000-8000-00000000A5E1}. HRESULT: 0x80070BC9.' \
	'MSI (s) (C0:4C) [10:17:42:605]: Product: Microsoft Azure AD Connect synchronization services -- Error 1935. An error occurred during the installation of assembly component {0C0C0C0C-0000-4000-8000-00000000A5E2}. HRESULT: 0x80070BC9.' \
	'=== Verbose logging stopped: 5/10/2026  10:17:43 ===' >"$T/tmpl/Synchronization Service_Install-20260510-101733.log"
diagnose tmpl "$T/tmpl"
tm=$(py tmpl 'print("\n".join(u["template"] for u in r["unexplained"]))')
check "templates: the thread pair (C0:0C) stays whole, numbers are masked" \
	'printf "%s" "$tm" | grep -qF "MSI (s) (C0:0C) [<n>]: Product: Microsoft Azure AD Connect synchronization services -- Error <n>. An error occurred during the installation of assembly component {<guid>}. HRESULT: <hex>." && printf "%s" "$tm" | grep -qF "(C0:4C)"'

# --- another product's install log ----------------------------------------------
# The upgrade-failed MSI log with the product renamed (and its Entra Connect
# custom action and service names replaced): a failed install of another
# product, run by no wizard trace.
mkdir -p "$T/other"
iconv -f UTF-16 -t UTF-8 "$SRC/samples/upgrade-failed/Synchronization Service_Install-20260510-101733.log" |
	sed -e 's/Microsoft Azure AD Connect synchronization services/Contoso Backup Agent/g' \
	    -e 's/Azure AD Sync/Contoso Backup/g' -e 's/Synchronization Service/Contoso Backup Agent/g' \
	    -e 's/ADSync/CBAgent/g' -e 's/DetectStoreServer/CheckBackupStore/g' \
	    >"$T/other/ContosoBackupAgent_Install-20260510-101733.log"
diagnose other "$T/other"
ids=$(py other 'print(" ".join(f["id"]+":"+f["severity"] for f in r["findings"]))')
check "another product's failed install: shown as information only, no msi-failed" \
	'[ "$ids" = "other-product-install-failed:info" ]'
un=$(py other 'print(len(r["unexplained"]))')
check "another product's failed install: none of its lines are Entra Connect unexplained errors" '[ "$un" = 0 ]'
check "another product's failed install alone: not enough evidence to judge (exit 5)" '[ $rc -eq 5 ]'
src=$(py other 'print(" ".join(s["status"] for s in r["sources"]))')
check "another product's log is read and listed" '[ "$src" = "parsed" ]'

# --- a configuration failure no signature knows --------------------------------
for variant in with-text without-text; do
	mkdir -p "$T/cfg-$variant"
	{
		head -n 62 "$DCOM"
		printf '%s\r\n' \
			'[14:00:09.100] [  1] [INFO ] Page transition from "Welcome" [WelcomePageViewModel] to "Configuring" [PerformConfigurationPageViewModel]' \
			'[14:00:31.002] [ 12] [ERROR] PerformConfigurationPageViewModel: Caught exception while installing synchronization service.'
		[ $variant = with-text ] && printf '%s\r\n' \
			"Exception Data (Raw): System.InvalidCastException: Unable to cast object of type 'Contoso.Widget' to type 'Contoso.Gadget'."
		printf '%s\r\n' \
			'[14:00:31.050] [  1] [INFO ] Page transition from "Configuring" [PerformConfigurationPageViewModel] to "Configuration failed" [ErrorPageViewModel]'
	} >"$T/cfg-$variant/trace-20261027-140000.log"
	diagnose cfg-$variant "$T/cfg-$variant"
	f=$(py cfg-$variant 'f=r["findings"][0]; print(f["id"], f["severity"], f["stop"]["role"], f["stop"]["line"])')
	check "configuration failed ($variant): wizard-run-failed, error, the stopping line 64" \
		'[ "$f" = "wizard-run-failed error stopped 64" ]'
	check "configuration failed ($variant): the title quotes the exception line, exit 1" \
		'grep -q "wizard-run-failed: The wizard run failed: PerformConfigurationPageViewModel: Caught exception while installing synchronization service" "$T/cfg-$variant.txt" && [ $rc -eq 1 ]'
done
check "configuration failed (with-text): the evidence shows the exception text" \
	'grep -q "InvalidCastException" "$T/cfg-with-text.json"'

# --- evidence from pasted text and notes ranks below the logs --------------------
# upgrade-failed's logs plus a ticket note quoting the DCOM line: the note's
# finding rests on the note alone, ranks below every finding from the logs,
# says so, and has its confidence lowered.
mkdir -p "$T/notes"
cp "$SRC/samples/upgrade-failed/"*.log "$SRC/samples/upgrade-failed/"*.xml "$T/notes/"
printf '%s\n' 'Ticket 4711, call with the customer on 11 May:' '' \
	"The wizard stopped after showing: Registry value 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Ole\\MachineAccessRestriction' is not present." \
	'They think a hardening script ran last month.' >"$T/notes/ticket.txt"
diagnose notes "$T/notes"
f=$(py notes 'f=r["findings"]; d=[x for x in f if x["id"]=="dcom-keys-missing"]; print(d[0]["rank"] == len(f), d[0]["basis"], d[0]["confidence"], f[0]["id"], f[0]["basis"]) if d else print("none")')
check "notes: the finding from the ticket note ranks last, rests on the note, confidence lowered; the logs' finding first" \
	'[ "$f" = "True notes low partial-uninstall logs" ] || [ "$f" = "True pasted medium partial-uninstall logs" ]'
check "notes: the text report says what the finding rests on and marks the evidence" \
	'grep -A8 "dcom-keys-missing:" "$T/notes.txt" | grep -qE "basis     rests (on pasted text only|only on notes)" && grep -A12 "dcom-keys-missing:" "$T/notes.txt" | grep -qE "ticket.txt:3 .*\[(pasted text|notes)\]"'
mkdir -p "$T/pasted"
printf '%s\n\n' '[ERROR] PerformConfigurationPageViewModel: Caught exception while installing synchronization service.' \
	"Exception Data (Raw): System.InvalidOperationException: Service ADSync was not found on computer '.'." >"$T/pasted/forum-post.txt"
diagnose pasted "$T/pasted"
f=$(py pasted 'f=r["findings"][0]; print(f["id"], f["basis"], f["confidence"], f["evidence"][0]["format"])')
check "pasted: a known error pasted without prefix gives its finding, marked as pasted text (confidence high -> medium)" \
	'[ "$f" = "partial-uninstall pasted medium paste" ]'

# --- not enough evidence ---------------------------------------------------------
if [ -n "$CORPUS" ] && [ -f "$CORPUS/evtx/evtxrs-security.evtx" ] && [ -f "$CORPUS/evtx/pyevtx-system.evtx" ]; then
	mkdir -p "$T/ne"
	cp "$CORPUS/evtx/evtxrs-security.evtx" "$CORPUS/evtx/pyevtx-system.evtx" "$T/ne/"
	diagnose ne "$T/ne"
	j=$(py ne 'print(r["judgement"]["state"], r["judgement"]["exit_code"])')
	check "two unrelated Security/System event logs: exit 5, not enough evidence to judge" \
		'[ $rc -eq 5 ] && [ "$j" = "not-enough-evidence 5" ] && grep -q "case      not enough evidence to judge" "$T/ne.txt"'
	check "not enough evidence: the report says what to collect" 'grep -q "^MISSING EVIDENCE" "$T/ne.txt"'
else
	skip "two unrelated Security/System event logs: exit 5" "corpus not found"
	skip "not enough evidence: the report says what to collect" "corpus not found"
fi
diagnose healthy "$SRC/samples/healthy"
j=$(py healthy 'print(r["judgement"]["state"])')
check "the healthy sample (upgrade succeeded, sync resumed): exit 0, healthy" '[ $rc -eq 0 ] && [ "$j" = healthy ]'

echo "1..$n"
