#!/bin/bash
# tests/cli/golden.sh - the diagnosis of every sample case against its
# expected.json (finding ids, the first upgrade attempt, the sync verdict),
# and the signatures on real files: none may fire on the unrelated event
# logs of the corpus, and the real excerpts must give the diagnosis their
# source reports. TAP.
set -u
BIN=${ECDIAG_BIN:?}
SRC=${ECDIAG_SRC:?}
CORPUS=${ECDIAG_CORPUS:-}
T=$(mktemp -d /tmp/ecdiag-golden.XXXXXX)
trap 'rm -rf "$T"' EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

# compare EXPECTED.json ACTUAL.json: prints the differences, exit 1 if any
compare() { python3 - "$1" "$2" <<'PY'
import json, sys
exp = json.load(open(sys.argv[1]))
act = json.load(open(sys.argv[2]))
bad = []
got = sorted({f["id"] for f in act.get("findings", [])})
want = sorted(set(exp["findings"]))
if got != want:
    bad.append("findings: want %s, got %s (missing %s, extra %s)" % (want, got,
               sorted(set(want) - set(got)), sorted(set(got) - set(want))))
up = act.get("upgrades") or []
if exp.get("upgrade") is None:
    if up:
        bad.append("upgrade: want none, got %s" % json.dumps(up[0], default=str)[:200])
else:
    if not up:
        bad.append("upgrade: want %s, got none" % exp["upgrade"])
    else:
        for k in ("from", "to", "outcome"):
            if exp["upgrade"].get(k) != up[0].get(k):
                bad.append("upgrade.%s: want %s, got %s" % (k, exp["upgrade"].get(k), up[0].get(k)))
verdict = (act.get("sync") or {}).get("verdict")
if exp.get("sync") != verdict:
    bad.append("sync: want %s, got %s" % (exp.get("sync"), verdict))
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
PY
}

# fired REPORT.json: the ids of the signatures that fired, sorted
fired() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(" ".join(sorted({f["id"] for f in r["findings"] if f.get("kind")=="signature"})))' "$1" 2>&1; }

# --- the sample cases ------------------------------------------------------------
for exp in "$SRC"/samples/*/expected.json; do
	dir=$(dirname "$exp")
	name=$(basename "$dir")
	"$BIN" diagnose --exclude README.md --exclude expected.json --quiet --db "$T/$name.db" --format json "$dir" >"$T/$name.json" 2>"$T/$name.err"
	rc=$?
	if [ $rc -gt 1 ]; then
		not_ok "samples/$name: diagnose exits 0 or 1" "exit $rc: $(head -3 "$T/$name.err")"
		continue
	fi
	if diff=$(compare "$exp" "$T/$name.json"); then
		ok "samples/$name: the diagnosis matches expected.json"
	else
		mapfile -t lines <<<"$diff"
		not_ok "samples/$name: the diagnosis matches expected.json" "${lines[@]}"
	fi
	# every finding says what to do and points at evidence or says what to collect
	if python3 - "$T/$name.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
bad = [f["id"] for f in r["findings"] if not f.get("remediation")]
sys.exit(1 if bad else 0)
PY
	then ok "samples/$name: every finding has a remediation"
	else not_ok "samples/$name: every finding has a remediation"; fi
done

# --- real files --------------------------------------------------------------------
if [ -z "$CORPUS" ] || [ ! -d "$CORPUS" ]; then
	skip "no signature fires on unrelated real event logs" "corpus not found"
	skip "the real excerpts give the diagnosis their source reports" "corpus not found"
	echo "1..$n"
	exit 0
fi

# Event logs that have nothing to do with Entra Connect: Security, System,
# Sysmon, DNS, SQL Server, application logs of other products.
"$BIN" diagnose --quiet --db "$T/evtx.db" --format json "$CORPUS"/evtx/*.evtx >"$T/evtx.json" 2>"$T/evtx.err"
fired=$(fired "$T/evtx.json")
if [ -z "$fired" ]; then
	ok "no signature fires on the $(ls "$CORPUS"/evtx/*.evtx | wc -l) unrelated real event logs"
else
	not_ok "no signature fires on the unrelated real event logs" "fired: $fired"
fi

# The excerpts with their comment lines (# ...) removed, as the source
# thread or article shows them; each must give the diagnosis it reports.
# file (under corpus/text)                        signature ids the source reports
while read -r file want; do
	[ -n "$file" ] || continue
	src="$CORPUS/text/$file"
	if [ ! -f "$src" ]; then
		not_ok "$file: present in the corpus" "missing: $src"
		continue
	fi
	mkdir -p "$T/x"
	rm -f "$T/x"/*
	base=$(basename "$file")
	grep -v '^# ' "$src" >"$T/x/$base"
	"$BIN" diagnose --quiet --db "$T/x-$base.db" --format json "$T/x/$base" >"$T/x.json" 2>/dev/null
	got=$(fired "$T/x.json")
	missing=""
	for id in ${want//,/ }; do
		case " $got " in *" $id "*) ;; *) missing="$missing $id" ;; esac
	done
	if [ -z "$missing" ]; then
		ok "$file: gives $want"
	else
		not_ok "$file: gives $want" "missing:$missing" "signatures that fired: $got"
	fi
done <<'EOF'
trace/qa684879_trace-2.0.89.0_WS2019_stale-product-code_GetADSyncGlobalSettingsParameter-not-recognized.NORMALIZED-EXCERPT.txt partial-uninstall
trace/qa26314_trace-1.5.30.0_WS2016_ADAL_password-policy.NORMALIZED-EXCERPT.txt partial-uninstall
trace/sysopslife_trace_sync-rule-import-failure_AddADSyncRule_undefined-extension-attribute.NORMALIZED-EXCERPT.txt sync-rules-incompatible
msi/msdocs_KB4051210_trace+msi_Error25019_stale-product-code.VERBATIM-SNIPPETS.txt partial-uninstall
msi/msdocs_KB3121701_msi_Error25009_ConfigDB.VERBATIM-SNIPPET.txt half-migrated-database
events/msdocs_EventViewer-text_ADSync-and-DirectorySynchronization.VERBATIM-SNIPPETS.txt localdb-failure,connector-connectivity,export-errors,phs-rpc-unavailable,phs-replication-rpc-error
runhistory/poshmon_runhistory_01_line41_DS_DELTAIMPORT_stopped-connectivity+success.xml connector-connectivity
cmdlet-output/laparoscope_TestRunHistory_Get-ADSyncRunProfileResult_ConvertTo-Json.json connector-connectivity
cmdlet-output/laparoscope_Get-LapGlobalSettings_FormatList_ServerConfigurationVersion-2.0.25.1.VERBATIM.txt auto-upgrade-blocked
EOF
echo "1..$n"
