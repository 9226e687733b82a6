#!/bin/bash
# tests/cli/catalogue_a.sh - issue 14 item 6 through the real binary: a
# LocalDB error.log (UTF-16LE) read as "localdb-errorlog" and diagnosed as
# model database corruption; Service Control Manager events of the ADSync
# service (Event Viewer text, Event XML with the unresolved %%1069 insert, a
# line pasted into a ticket) diagnosed as adsync-service-not-started with
# the same title whatever the shape; another service's logon failure not.
# Inputs: tests/data/catalogue-a (constructed, see its README). TAP.
set -u
BIN=${ECDIAG_BIN:?}
SRC=${ECDIAG_SRC:?}
T=$(mktemp -d /tmp/ecdiag-cata.XXXXXX)
trap 'rm -rf "$T"' EXIT
D=$SRC/tests/data/catalogue-a
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do printf '%s\n' "$l" | sed 's/^/# /'; done; }
check() { local name=$1; shift; if eval "$1"; then ok "$name"; else not_ok "$name" "failed: $1"; fi; }
sql() { "$BIN" query --db "$1" --format csv "$2" | tail -n +2 | tr -d '\r'; }
diag() { # diag NAME PATH...: $T/NAME.json and $T/NAME.db
	local name=$1; shift
	"$BIN" diagnose --quiet --db "$T/$name.db" --format json "$@" >"$T/$name.json" 2>"$T/$name.err"
}
fired() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(" ".join(sorted({f["id"] for f in r["findings"] if f.get("kind")=="signature"})))' "$1" 2>&1; }
title() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("\n".join(f["title"] for f in r["findings"] if f["id"]==sys.argv[2]))' "$1" "$2" 2>&1; }

# --- the LocalDB error log ----------------------------------------------------------
diag errlog "$D/error.log"
check "error.log is read as localdb-errorlog, UTF-16LE" \
	'[ "$(sql "$T/errlog.db" "select format, encoding from source")" = "localdb-errorlog,utf-16le-bom" ]'
check "error.log: 7 records, one error (9003 with its message line)" \
	'[ "$(sql "$T/errlog.db" "select count(*) from event")" = 7 ] && [ "$(sql "$T/errlog.db" "select count(*) from event where level='"'"'error'"'"' and message like '"'"'Error: 9003%%database '"'"''"'"'model'"'"''"'"' is not valid%'"'"'")" = 1 ]'
f=$(fired "$T/errlog.json")
check "error.log fires localdb-model-corruption" '[[ " $f " == *" localdb-model-corruption "* ]]'
t=$(title "$T/errlog.json" localdb-model-corruption)
check "its title names the cause and the log scan number" \
	'[[ "$t" == *"'"'"'model'"'"' database is corrupt"* && "$t" == *"41:488:1"* ]]'

# --- the ADSync service, in several shapes ------------------------------------------
want="The Microsoft Azure AD Sync service did not start: The service did not start due to a logon failure."
for shape in scm-7000-eventviewer.txt scm-7000.xml ticket-note.txt; do
	name=${shape%%.*}
	diag "$name" "$D/$shape"
	f=$(fired "$T/$name.json")
	check "$shape fires adsync-service-not-started" '[[ " $f " == *" adsync-service-not-started "* ]]'
	t=$(title "$T/$name.json" adsync-service-not-started)
	check "$shape: the title names the service and the SCM error" '[ "$t" = "$want" ]' || echo "# got: $t"
done
# the Event XML's %%1069 reads as Event Viewer shows it
m_xml=$(sql "$T/scm-7000.db" "select message from event where message like '%Azure AD Sync%'")
m_txt=$(sql "$T/scm-7000-eventviewer.db" "select message from event where message like '%Azure AD Sync%'")
check "the Event XML renders as the Event Viewer export (%%1069 resolved)" \
	'[ -n "$m_xml" ] && [ "$(echo "$m_xml" | sed "s/ *$//")" = "$(echo "$m_txt" | sed "s/ *$//")" ]'
check "the Windows Update 7000 of the same XML is not an ADSync finding" \
	'[[ "$(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print([f[\"summary\"] for f in r[\"findings\"] if f[\"id\"]==\"adsync-service-not-started\"][0])" "$T/scm-7000.json")" == "1 matching record "* ]]'

diag s7038 "$D/scm-7038-eventviewer.txt"
t=$(title "$T/s7038.json" adsync-service-not-started)
check "7038: the title carries the logon error" \
	'[ "$t" = "The Microsoft Azure AD Sync service did not start: The password for this account has expired." ]'

diag other "$D/other-service.txt"
f=$(fired "$T/other.json")
check "another service's logon failure fires nothing of ours" \
	'[[ " $f " != *" adsync-service-not-started "* && " $f " != *" localdb-failure "* ]]'

echo "1..$n"
exit $((fails > 0))
