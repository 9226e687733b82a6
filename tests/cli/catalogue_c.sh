#!/bin/bash
# tests/cli/catalogue_c.sh - issue 14, CONDITIONS.md rows 1, 5, 28-41, 51-60 and
# the sync engine's run statuses: each condition's strings, written the ways
# they reach ecdiag (an Event Viewer text export, a pasted ticket .txt, a
# Windows Installer log, a run-history XML, a Format-List
# Get-ADSyncRunProfileResult, an AutoUpgrader log, Get-ADSyncGlobalSettings
# output), must give the signature named for the cause with its capture.
# Strings marked "verbatim" are copied from the article the signature cites
# (CONDITIONS.md); the surrounding lines (Event Viewer header fields, run
# history elements, ticket prose, MSI line prefixes, object names) are
# reconstructed. TAP.
set -u
BIN=${ECDIAG_BIN:?}
T=$(mktemp -d /tmp/ecdiag-catc.XXXXXX)
trap 'rm -rf "$T"' EXIT
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do printf '%s\n' "$l" | sed 's/^/# /'; done; }

# evtext FILE PROVIDER ID LEVEL MESSAGE: one Event Viewer "Copy details as
# text" block (reconstructed header, the given message), appended
evtext() {
	{
		printf 'Log Name:      Application\r\nSource:        %s\r\nDate:          11/13/2026 7:36:31 AM\r\n' "$2"
		printf 'Event ID:      %s\r\nTask Category: None\r\nLevel:         %s\r\nKeywords:      Classic\r\n' "$3" "$4"
		printf 'User:          N/A\r\nComputer:      SYNC01.contoso.com\r\nDescription:\r\n'
		printf '%s' "$5" | sed 's/$/\r/'
		printf '\r\n\r\n'
	} >>"$1"
}
# paste FILE TEXT: a ticket that quotes TEXT
paste_txt() {
	{
		printf 'Hi team,\n\nsince the upgrade of SYNC01 we see this:\n\n'
		printf '%s\n' "$2"
		printf '\nAny idea what to do?\nThanks\n'
	} >"$1"
}
# runxml FILE CONNECTOR PROFILE TYPE RESULT [CONNECTION-XML [ERRORS-XML]]
runxml() {
	cat >"$1" <<XML
<?xml version="1.0" encoding="utf-8"?>
<run-history>
 <run-details>
  <ma-id>{3B1F2A00-0C0C-4C0C-8C0C-000000000001}</ma-id>
  <ma-name>$2</ma-name>
  <run-number>4301</run-number>
  <run-profile-name>$3</run-profile-name>
  <security-id>NT SERVICE\ADSync</security-id>
  <step-details step-number="1" step-id="{0C0C0C0C-0000-4000-8000-0000005E0101}">
   <start-date>2026-11-13 06:25:04.000</start-date>
   <end-date>2026-11-13 06:25:11.250</end-date>
   <step-result>$5</step-result>
   <step-description><step-type type="$4"></step-type><partition>DC=contoso,DC=com</partition></step-description>
   <current-export-step-counter>0</current-export-step-counter>
   <last-successful-export-step-counter>0</last-successful-export-step-counter>
   <ma-connection>${6:-<connection-result>success</connection-result><server>DC01.contoso.com:389</server>}</ma-connection>
   <ma-discovery-errors/>
   <synchronization-errors>${7:-}</synchronization-errors>
   <mv-retry-errors/>
  </step-details>
 </run-details>
</run-history>
XML
}
# exporterr TYPE CODE LITERAL: one <export-error>
exporterr() {
	printf '<export-error cs-guid="{5C2B7E10-1F3A-4B9C-8D7E-6A5B4C3D2E11}" dn="CN=Bob Smith,OU=Users,DC=contoso,DC=com"><date-occurred>2026-11-13 06:25:10.802</date-occurred><first-occurred>2026-11-13 06:25:10.802</first-occurred><retry-count>0</retry-count><error-type>%s</error-type><cd-error><error-code>%s</error-code><error-literal>%s</error-literal></cd-error></export-error>' "$1" "$2" "$3"
}
# fl FILE CONNECTOR PROFILE RESULT: Format-List Get-ADSyncRunProfileResult
fl() {
	cat >"$1" <<TXT
RunHistoryId       : 0f2b1c1e-3a4b-4c5d-8e9f-001122334455
RunProfileId       : 9a8b7c6d-5e4f-4a3b-2c1d-0e0f10111213
RunNumber          : 412
Username           : CONTOSO\\adsync
ConnectorId        : 11111111-2222-3333-4444-555555555555
RunProfileName     : $3
ConnectorName      : $2
Result             : $4
StartDate          : 11/13/2026 10:25:00 AM
EndDate            : 11/13/2026 10:25:31 AM
TXT
}
# msilog FILE LINE...: a Windows Installer log (UTF-16LE, as msiexec writes it)
msilog() {
	local f=$1; shift
	{
		printf '=== Verbose logging started: 11/13/2026  10:12:02  Build type: SHIP UNICODE 5.00.10011.00  Calling process: C:\\Windows\\system32\\msiexec.exe ===\r\n'
		for l in "$@"; do printf '%s\r\n' "$l"; done
		printf '=== Verbose logging stopped: 11/13/2026  10:12:45 ===\r\n'
	} | iconv -f UTF-8 -t UTF-16LE | { printf '\xff\xfe'; cat; } >"$f"
}

# expect NAME DIR ID [CAPTURE VALUE]: diagnose DIR; ID must fire (with
# captures[CAPTURE] = VALUE, and VALUE in the title)
expect() {
	local name=$1 dir=$2 id=$3 cap=${4:-} val=${5:-} out
	"$BIN" diagnose --quiet --db "$T/$name.db" --format json "$dir" >"$T/$name.json" 2>"$T/$name.err"
	out=$(python3 - "$T/$name.json" "$id" "$cap" "$val" <<'PY'
import json, sys
path, want, cap, val = sys.argv[1:5]
try:
    r = json.load(open(path))
except Exception as e:
    print("no JSON: %s" % e); sys.exit(0)
sig = sorted({f["id"] for f in r["findings"] if f.get("kind") == "signature"})
hit = [f for f in r["findings"] if f["id"] == want]
if not hit:
    print("missing %s; fired: %s" % (want, " ".join(sig))); sys.exit(0)
f = hit[0]
if cap:
    got = (f.get("captures") or {}).get(cap)
    if got != val:
        print("capture %s: want %r, got %r (title %r)" % (cap, val, got, f["title"])); sys.exit(0)
    if val not in f["title"]:
        print("title %r does not name %r" % (f["title"], val)); sys.exit(0)
print("OK")
PY
)
	if [ "$out" = OK ]; then ok "$name: $id${cap:+ ($cap=$val)}"; else not_ok "$name: $id${cap:+ ($cap=$val)}" "$out"; fi
}
# absent NAME ID: the last diagnosis of NAME did not give ID
absent() {
	if python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if all(f["id"]!=sys.argv[2] for f in r["findings"]) else 1)' "$T/$1.json" "$2"; then
		ok "$1: not $2"
	else
		not_ok "$1: not $2" "fired: $(python3 -c 'import json,sys; print(" ".join(f["id"] for f in json.load(open(sys.argv[1]))["findings"]))' "$T/$1.json")"
	fi
}
mk() { rm -rf "$T/$1"; mkdir -p "$T/$1"; echo "$T/$1"; }

# --- row 1: DetectServiceAccount 1603 (service account as UPN) -------------------
d=$(mk r1-msi)
msilog "$d/Synchronization Service_Install-20261113-101202.log" \
	'MSI (s) (14:AC) [10:12:41:590]: Doing action: DetectServiceAccount' \
	'Action start 10:12:41: DetectServiceAccount.' \
	'CustomAction DetectServiceAccount returned actual error code 1603 (note this may not be 100% accurate if translation happened inside sandbox)' \
	'Action ended 10:12:41: DetectServiceAccount. Return value 3.' \
	'Action ended 10:12:41: INSTALL. Return value 3.' \
	'MSI (s) (14:AC) [10:12:41:700]: Product: Microsoft Azure AD Connect synchronization services -- Installation operation failed.' \
	'MSI (s) (14:AC) [10:12:41:701]: Windows Installer installed the product. Product Name: Microsoft Azure AD Connect synchronization services. Product Version: 1.1.614.0. Product Language: 1033. Manufacturer: Microsoft Corporation. Installation success or error status: 1603.'
expect r1-msi "$d" service-account-upn action DetectServiceAccount
absent r1-msi not-elevated
d=$(mk r1-paste)
paste_txt "$d/ticket.txt" 'CustomAction DetectServiceAccount returned actual error code 1603 (note this may not be 100% accurate if translation happened inside sandbox)'
expect r1-paste "$d" service-account-upn action DetectServiceAccount
absent r1-paste not-elevated

# --- row 59: ADSync 6947, Generic LDAP connector not refreshed --------------------
M6947='Assembly version in AAD Connector configuration ("X.X.XXX.X") is earlier than the actual version ("X.X.XXX.X") of "C:\Program Files\Microsoft Azure AD Sync\Extensions\Microsoft.IAM.Connector.GenericLdap.dll".' # verbatim
d=$(mk r59-ev)
evtext "$d/Application-ADSync-6947.txt" ADSync 6947 Warning "$M6947"
expect r59-ev "$d" connector-not-refreshed configured_version X.X.XXX.X
absent r59-ev half-migrated-database
d=$(mk r59-paste)
paste_txt "$d/ticket.txt" "$(printf '%s' "$M6947" | sed 's/X\.X\.XXX\.X/1.1.830.0/; s/X\.X\.XXX\.X/1.1.1170.0/')"
expect r59-paste "$d" connector-not-refreshed configured_version 1.1.830.0
absent r59-paste half-migrated-database

# --- row 5: TVP errors (6301, BAIL rcvtvp.h) ----------------------------------------
M6301TVP=$(printf '%s\n' 'The server encountered an unexpected error in the synchronization engine:' '' \
	' "BAIL: MMS(7996): ..\sql.cpp(7524): 0x80004005 (Unspecified error)' \
	'BAIL: MMS(7996): x:\bt\1011518\repo\src\dev\sync\server\sqlstore\rcvtvp.h(158): 0x80004005 (Unspecified error)' \
	'BAIL: MMS(7996): x:\bt\1011518\repo\src\dev\sync\server\sqlstore\rcvtvp.h(52): 0x80004005 (Unspecified error)' \
	'BAIL: MMS(7996): ..\sproc.cpp(1124): 0x80004005 (Unspecified error)' \
	'Azure AD Sync 1.5.45.0"') # the two rcvtvp.h lines and the first line verbatim
d=$(mk r5-ev)
evtext "$d/Application-ADSync-6301.txt" ADSync 6301 Error "$M6301TVP"
expect r5-ev "$d" tvp-utf8-locale tvp_file 'rcvtvp.h(158)'
absent r5-ev localdb-failure
absent r5-ev sync-engine-error
d=$(mk r5-paste)
paste_txt "$d/ticket.txt" '> BAIL: MMS(7996): x:\bt\1011518\repo\src\dev\sync\server\sqlstore\rcvtvp.h(158): 0x80004005 (Unspecified error)'
expect r5-paste "$d" tvp-utf8-locale tvp_file 'rcvtvp.h(158)'

# --- row 60: generic 6301, the BAIL chain captured ----------------------------------
M6301=$(printf '%s\n' 'The server encountered an unexpected error in the synchronization engine:' '' \
	' "BAIL: MMS(7996): ..\sql.cpp(7524): 0x80004005 (Unspecified error)' \
	'BAIL: MMS(7996): ..\sproc.cpp(1124): 0x80004005 (Unspecified error)' \
	'Azure AD Sync 1.5.45.0"')
d=$(mk r60-ev)
evtext "$d/Application-ADSync-6301.txt" ADSync 6301 Error "$M6301"
expect r60-ev "$d" sync-engine-error bail_source '..\sql.cpp(7524)'
expect r60-ev2 "$d" sync-engine-error hresult 0x80004005
absent r60-ev tvp-utf8-locale

# --- rows 28-29: Size Limit Exceeded 0x4 on a delta import ---------------------------
M6050='The management agent "Contoso.com" failed on run profile "Delta Import" because of connectivity issues.' # verbatim (6050)
d=$(mk r28-run)
runxml "$d/runhistory.xml" contoso.com "Delta Import" delta-import stopped-connectivity \
	'<connection-result>dropped-connection</connection-result><server>DC01.contoso.com:389</server><connection-log><incident><connection-result>dropped-connection</connection-result><date>2026-11-13 06:25:11.000</date><server>DC01.contoso.com:389</server><cd-error><error-code>0x4</error-code><error-literal>Size Limit Exceeded</error-literal></cd-error></incident></connection-log>'
evtext "$d/Application-ADSync-6050.txt" ADSync 6050 Error "$M6050"
expect r28-run "$d" ldap-size-limit-exceeded code 0x4
expect r28-run2 "$d" connector-connectivity
d=$(mk r29-paste)
paste_txt "$d/ticket.txt" 'The Delta Import step shows stopped-connectivity, the Connection Log says dropped-connection, Size Limit Exceeded, error code 0x4.'
expect r29-paste "$d" ldap-size-limit-exceeded code 'Size Limit Exceeded'
expect r29-paste2 "$d" run-stopped status stopped-connectivity

# --- row 30: permission-issue 8344 -------------------------------------------------
d=$(mk r30-run)
runxml "$d/runhistory.xml" contoso.com Export export completed-export-errors '' \
	"$(exporterr permission-issue 8344 'Insufficient access rights to perform the operation.')"
expect r30-run "$d" export-permission-issue code 8344
expect r30-run2 "$d" export-errors
d=$(mk r30-paste)
paste_txt "$d/ticket.txt" 'Export on the AD connector: completed-export-errors, Error permission-issue, Connected data source error code 8344, Insufficient access rights to perform the operation.'
expect r30-paste "$d" export-permission-issue code 8344

# --- rows 31-36: export error types ------------------------------------------------
AAD="contoso.onmicrosoft.com - AAD"
M6941() { printf 'ECMA2 MA export run caused an error.\n\nError Name: %s\nError Detail: %s' "$1" "$2"; }
i=0
for spec in \
	"export-duplicate-value|InvalidSoftMatch" \
	"export-duplicate-value|ObjectTypeMismatch" \
	"export-duplicate-value|AttributeValueMustBeUnique" \
	"export-large-object|LargeObject" \
	"export-large-object|ExceededAllowedLength" \
	"export-invalid-hard-match|InvalidHardMatch" \
	"export-invalid-upn|IdentityDataValidationFailed"; do
	id=${spec%%|*} ty=${spec#*|}
	i=$((i + 1))
	d=$(mk "r3x-$ty-run")
	runxml "$d/runhistory.xml" "$AAD" Export export completed-export-errors '' "$(exporterr "$ty" 0x8023134a 'reconstructed detail')"
	expect "r3x-$ty-run" "$d" "$id" error_type "$ty"
	d=$(mk "r3x-$ty-ev")
	evtext "$d/Application-ADSync-6941.txt" ADSync 6941 Error "$(M6941 "$ty" 'Unable to update this object (reconstructed detail).')"
	expect "r3x-$ty-ev" "$d" "$id" error_type "$ty"
	d=$(mk "r3x-$ty-paste")
	paste_txt "$d/ticket.txt" "The export to Entra ID fails with $ty for bob@contoso.com."
	expect "r3x-$ty-paste" "$d" "$id" error_type "$ty"
done
# row 35: Error Type 114 (verbatim export error example of the article)
d=$(mk r35-run)
runxml "$d/runhistory.xml" "$AAD" Export export completed-export-errors '' \
	"$(exporterr 114 0x8023134a 'This synchronization operation, Delete, is not valid. Contact Technical Support.')"
expect r35-run "$d" export-cloud-only-object error_type 114
d=$(mk r35-paste)
paste_txt "$d/ticket.txt" "$(printf '%s\n' 'TimeOccurred (UTC) 2021-10-20 23:51:28' 'MachineId 321d15e1-4ad6-49c7-918b-40a62a5140bd' 'Connector Name IDEXX.onmicrosoft.com - AAD' 'ErrorType 114' 'ErrorCode 0x8023134a' 'ErrorLiteral This synchronization operation, Delete, is not valid. Contact Technical Support. Tracking Id: 09fb1e9b-3ff7-4163-9731-581785e347e5')"
expect r35-paste "$d" export-cloud-only-object
# row 36: cloud-only violations (verbatim)
d=$(mk r36-paste)
paste_txt "$d/ticket.txt" "Deleting a cloud-only object isn't supported. Contact Microsoft Customer Support."
expect r36-paste "$d" export-cloud-only-object error_type "Deleting a cloud-only object isn't supported"
d=$(mk r36-run)
runxml "$d/runhistory.xml" "$AAD" Export export completed-export-errors '' \
	"$(exporterr dn-attributes-failure 0x8023134a "Unable to process this update because one or more cloud-only users' credential update is included in the current request.")"
expect r36-run "$d" export-cloud-only-object error_type "Unable to process this update because one or more cloud-only users' credential update is included in the current request"
# the fallback: an unknown type stays export-errors only
d=$(mk r3x-other)
runxml "$d/runhistory.xml" contoso.com Export export completed-export-errors '' "$(exporterr ma-extension-error 0x80230703 '')"
expect r3x-other "$d" export-errors
for id in export-duplicate-value export-large-object export-invalid-hard-match export-invalid-upn export-cloud-only-object export-permission-issue; do absent r3x-other "$id"; done

# --- rows 37-41: automatic upgrade result codes -------------------------------------
for code in UpgradeNotSupportedNonLocalDbInstall UpgradeNotSupportedLocalDbSizeExceeded UpgradeNotSupportedInvalidPersistedState \
	UpgradeNotSupportedCustomizedSyncRules UpgradeFailedRollbackSuccess-GetPasswordHashSyncStateFailed UpgradeAbortedSyncExeInUse \
	UpgradeAbortedInsufficientDiskSpace UpgradeAbortedServiceCanNotBeStarted UpgradeAbortedSyncCycleDisabled \
	UpgradeAbortedInsufficientDatabasePermissions UpgradeAbortedSecurityGroupsNotPresent UpgradeAbortedSyncOrConfigurationInProgress \
	UpgradeAbortedCouldNotSetUpgradeMarker DirSyncInPlaceUpgradeNonLocalDb; do
	d=$(mk "au-$code")
	printf '2026-11-09 03:15:02 Checking for an upgrade\r\n2026-11-09 03:15:09 result: %s\r\n' "$code" >"$d/SyncEngine-AutoUpgrader-20261109-031502.log"
	expect "au-$code" "$d" auto-upgrade-blocked code "$code"
done
d=$(mk au-settings)
printf 'Name                                                   Value\r\n----                                                   -----\r\nMicrosoft.OptionalFeature.AutoUpgradeState             Suspended\r\nMicrosoft.OptionalFeature.AutoUpgradeSuspensionReason  UpgradeNotSupportedAADHealthUploadDisabled\r\n' >"$d/Get-ADSyncGlobalSettings.txt"
expect au-settings "$d" health-agent-disabled state UpgradeNotSupportedAADHealthUploadDisabled
d=$(mk au-health-paste)
paste_txt "$d/ticket.txt" 'Get-ADSyncAutoUpgrade -Detail says the suspension reason is AADHealthEndpointNotDefined'
expect au-health-paste "$d" health-agent-disabled state AADHealthEndpointNotDefined
expect au-health-paste2 "$d" auto-upgrade-blocked code AADHealthEndpointNotDefined

# --- rows 51-58: legacy DirSync texts ------------------------------------------------
# rows 51-52 are rights problems (not-elevated); 53-57 dirsync-legacy-error (verbatim)
while IFS='|' read -r id text reason; do
	[ -n "$id" ] || continue
	key=$(printf '%s' "$reason" | tr -c 'A-Za-z0-9' '-' | cut -c1-24)
	d=$(mk "dirsync-ev-$key")
	evtext "$d/Application-DirSync.txt" "Directory Synchronization" 0 Error "$text"
	expect "dirsync-ev-$key" "$d" "$id" ${reason:+reason "$reason"}
	d=$(mk "dirsync-paste-$key")
	paste_txt "$d/ticket.txt" "$text"
	expect "dirsync-paste-$key" "$d" "$id" ${reason:+reason "$reason"}
done <<'ROWS'
not-elevated|Local administrator permissions are required to install Directory Synchronization|
not-elevated|The current user is not a member of the Microsoft Identity Integration Server (MIIS) Admin group. If you have recently installed the Azure Active Directory Sync tool, you may need to log off and then log on.|
dirsync-legacy-error|Synchronization stopped because the SQL Server database used by the Synchronization server is full. Create some space in the SQL Server database.|the SQL Server database used by the Synchronization server is full
dirsync-legacy-error|Synchronization failed to start because of credential problems. Rerun Configuration Wizard to update credentials for Synchronization.|credential problems
dirsync-legacy-error|Synchronization failed to start because of connection issues or domain controllers could not be contacted by the server. Verify that you are connected to the server and all the configured domain controllers are connected to the network.|connection issues or domain controllers could not be contacted by the server
dirsync-legacy-error|This version of the Directory Sync tool is no longer supported. Remove this version and then install the latest version from the Directory Synchronization page of the Migration tab in the Microsoft Online Services Administration Center.|This version of the Directory Sync tool is no longer supported
dirsync-legacy-error|The synchronization engine is busy. Retry this operation after this synchronization session is complete.|The synchronization engine is busy
dirsync-legacy-error|Microsoft Online Services Coexistence cannot be installed on a domain controller.|cannot be installed on a domain controller
dirsync-legacy-error|PowerShell must be installed.|PowerShell must be installed
dirsync-legacy-error|Microsoft Windows Installer 4.5 is required for installation. Please install Microsoft Windows Installer 4.5 and try again.|Microsoft Windows Installer 4.5 is required
dirsync-legacy-error|Insufficient Disk Space|Insufficient Disk Space
dirsync-legacy-error|The computer must be joined to a domain.|The computer must be joined to a domain
ROWS
# row 58 (verbatim)
M58="WARNING: The following errors occurred when loading console c:\\program files\\Windows Azure Active Directory Sync\\dirsyncfonfigshell.psc1: Cannot load Windows PowerShell snap-in coexistence-configuration because of the following error: could not load file or assembly 'file:///c:\\programSync\\Microsoft Online.Coexistence.PS.Config.dll' or one of its dependencies. This assembly is built by a runtime newer than the currently loaded runtime and cannot be loaded."
d=$(mk r58-paste)
paste_txt "$d/ticket.txt" "$M58"
expect r58-paste "$d" powershell-runtime-too-old assembly 'file:///c:\programSync\Microsoft Online.Coexistence.PS.Config.dll'
d=$(mk r58-short)
paste_txt "$d/console.txt" '> This assembly is built by a runtime newer than the currently loaded runtime and cannot be loaded.'
expect r58-short "$d" powershell-runtime-too-old

# --- run statuses --------------------------------------------------------------------
for st in stopped-server-down stopped-extension-dll-exception stopped-deletion-threshold-exceeded stopped-connectivity \
	stopped-bad-server-credentials stopped-extension-dll-file-not-found no-start-connection no-start-credentials \
	completed-sync-errors completed-discovery-errors completed-export-errors completed-transient-objects; do
	case $st in completed-*) id=run-completed-with-errors ;; *) id=run-stopped ;; esac
	case $st in
	stopped-connectivity | stopped-server-down | no-start-connection) runid=connector-connectivity ;;
	completed-export-errors) runid=export-errors ;;
	*) runid=$id ;;
	esac
	typ=delta-import; prof="Delta Import"; conn=contoso.com
	case $st in *export* | *deletion*) typ=export; prof=Export; conn="$AAD" ;; completed-sync-errors) typ=apply-rules; prof="Delta Synchronization" ;; esac
	d=$(mk "rs-$st-xml")
	runxml "$d/runhistory.xml" "$conn" "$prof" "$typ" "$st"
	if [ "$runid" = "$id" ]; then expect "rs-$st-xml" "$d" "$id" status "$st"; else expect "rs-$st-xml" "$d" "$runid"; absent "rs-$st-xml" "$id"; fi
	d=$(mk "rs-$st-fl")
	fl "$d/Get-ADSyncRunProfileResult.txt" "$conn" "$prof" "$st"
	if [ "$runid" = "$id" ]; then expect "rs-$st-fl" "$d" "$id" status "$st"; else expect "rs-$st-fl" "$d" "$runid"; fi
	d=$(mk "rs-$st-paste")
	paste_txt "$d/ticket.txt" "The $prof step of $conn shows $st in Synchronization Service Manager."
	expect "rs-$st-paste" "$d" "$id" status "$st"
done
d=$(mk rs-ev)
evtext "$d/Application-ADSync.txt" ADSync 6100 Error 'The management agent "LDAP" step execution failed: stopped-extension-dll-exception' # reconstructed
expect rs-ev "$d" run-stopped status stopped-extension-dll-exception
d=$(mk rs-ok)
runxml "$d/runhistory.xml" contoso.com "Full Import" full-import completed-no-objects
for id in run-stopped run-completed-with-errors; do
	"$BIN" diagnose --quiet --db "$T/rs-ok.db" --format json "$d" >"$T/rs-ok.json" 2>/dev/null
	absent rs-ok "$id"
done

echo "1..$n"
[ "$fails" -eq 0 ]
