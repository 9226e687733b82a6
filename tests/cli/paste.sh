#!/bin/bash
# tests/cli/paste.sh - pasted evidence (format "paste") and plain text
# (format "text") through the real binary. Each real trace excerpt of the
# corpus, pasted the ways tickets and forums paste it (prefix stripped with
# and without the [LEVEL] tag, a blank line between every two lines, "> "
# quoted, in a ``` fence of a .md), must fire the same signatures as the
# original file; the constructed inputs of tests/data/paste give their
# parts' findings, records, runs and line numbers; --exclude keeps files
# out. TAP.
set -u
BIN=${ECDIAG_BIN:?}
SRC=${ECDIAG_SRC:?}
CORPUS=${ECDIAG_CORPUS:-}
T=$(mktemp -d /tmp/ecdiag-paste.XXXXXX)
trap 'rm -rf "$T"' EXIT
D=$SRC/tests/data/paste
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do printf '%s\n' "$l" | sed 's/^/# /'; done; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
check() { local name=$1; shift; if eval "$1"; then ok "$name"; else not_ok "$name" "failed: $1"; fi; }
sql() { "$BIN" query --db "$1" --format csv "$2" | tail -n +2 | tr -d '\r'; }
fired() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(" ".join(sorted({f["id"] for f in r["findings"] if f.get("kind")=="signature"})))' "$1" 2>&1; }
diag() { # diag NAME PATH...: $T/NAME.json and $T/NAME.db
	local name=$1; shift
	"$BIN" diagnose --quiet --db "$T/$name.db" --format json "$@" >"$T/$name.json" 2>"$T/$name.err"
}

# --- the corpus excerpts, pasted ----------------------------------------------------
if [ -z "$CORPUS" ] || [ ! -d "$CORPUS/text/trace" ]; then
	skip "pasted trace excerpts fire the signatures of the original" "corpus not found"
else
	for src in "$CORPUS"/text/trace/*; do
		base=$(basename "$src" | cut -d_ -f1)
		mkdir -p "$T/$base"
		python3 - "$src" "$T/$base" <<'PY'
import os, re, sys
src, out = sys.argv[1], sys.argv[2]
lines = [l.rstrip("\n") for l in open(src, encoding="utf-8") if not l.startswith("# ")]
pre = re.compile(r"^\[\d\d:\d\d:\d\d\.\d{3}\] +\[ *\d+\] +")
lvl = re.compile(r"^\[[A-Z]+ *\] ?")
keep = [pre.sub("", l) for l in lines]
bare = [lvl.sub("", l) for l in keep]
def blank(ls):
    o = []
    for l in ls:
        o += [l, ""]
    return o
v = {
    "orig.log": lines,
    "level.txt": keep, "bare.txt": bare,
    "level-blank.txt": blank(keep), "bare-blank.txt": blank(bare),
    "level-quoted.txt": ["> " + l for l in keep], "bare-quoted.txt": ["> " + l for l in bare],
    "level-fence.md": ["The wizard log:", "", "```"] + keep + ["```", "", "Any idea?"],
    "bare-fence.md": ["The wizard log:", "", "```"] + bare + ["```", "", "Any idea?"],
}
for name, ls in v.items():
    open(os.path.join(out, name), "w", encoding="utf-8").write("\n".join(ls) + "\n")
PY
		diag "$base-orig" "$T/$base/orig.log"
		want=$(fired "$T/$base-orig.json")
		if [ -n "$want" ]; then ok "$base: the original fires $want"; else not_ok "$base: the original fires a signature"; fi
		for v in level.txt bare.txt level-blank.txt bare-blank.txt level-quoted.txt bare-quoted.txt level-fence.md bare-fence.md; do
			diag "$base-$v" "$T/$base/$v"
			got=$(fired "$T/$base-$v.json")
			fmt=$(sql "$T/$base-$v.db" "SELECT format FROM source")
			if [ "$got" = "$want" ] && [ "$fmt" = paste ]; then
				ok "$base $v: read as paste, fires the same signatures ($got)"
			else
				not_ok "$base $v: read as paste, fires the same signatures" "format $fmt" "want: $want" "got:  $got"
			fi
		done
	done
fi

# --- a mixed ticket ---------------------------------------------------------------
diag mixed "$D/mixed.txt"
check "mixed ticket: read as paste" '[ "$(sql $T/mixed.db "SELECT format FROM source")" = paste ]'
check "mixed ticket: each part gives its finding" '[ "$(fired $T/mixed.json)" = "connector-connectivity localdb-failure partial-uninstall" ]'
check "mixed ticket: the Event Viewer part is an event with provider, id, level and the pasted line" '[ "$(sql $T/mixed.db "SELECT provider || '"'"'|'"'"' || event_id || '"'"'|'"'"' || level || '"'"'|'"'"' || line FROM event WHERE event_id = 528")" = "SQLLocalDB 15.0|528|error|17" ]'
check "mixed ticket: the quoted Format-List run is a run row at its pasted line" '[ "$(sql $T/mixed.db "SELECT connector || '"'"'|'"'"' || profile || '"'"'|'"'"' || result || '"'"'|'"'"' || line FROM run")" = "contoso.com|Delta Import|stopped-connectivity|33" ]'
check "mixed ticket: the trace lines are records at their pasted lines" '[ "$(sql $T/mixed.db "SELECT group_concat(line || '"'"':'"'"' || ifnull(level, '"'"''"'"'), '"'"' '"'"') FROM (SELECT line, level FROM event WHERE event_id IS NULL OR event_id < 0 ORDER BY line)")" = "1:error 3:info 5:info 7:error 13:info 46:" ]'
check "mixed ticket: facts from trace lines without prefix" '[ "$(sql $T/mixed.db "SELECT value FROM fact WHERE name = '"'"'os.version'"'"'")" = 10.0.17763 ]'

# --- a known error with no prefix at all --------------------------------------------
diag known "$D/known-error.txt"
check "a pasted error text alone gives the signature" '[ "$(fired $T/known.json)" = partial-uninstall ]'
printf 'Error 25019.The Microsoft Azure AD Connect synchronization services setup wizard cannot open registry key SYSTEM\\CurrentControlSet\\Services\\ADSync\\Parameters. Try verifying the key and running this wizard again.\n' >"$T/25019.txt"
diag e25019 "$T/25019.txt"
check "the Error 25019 text alone gives the signature and is readable input" '[ "$(fired $T/e25019.json)" = partial-uninstall ] && [ "$(sql $T/e25019.db "SELECT status FROM source")" = parsed ]'

# --- line numbers -------------------------------------------------------------------
check "record lines point at the pasted file" '[ "$(sql $T/mixed.db "SELECT line FROM event WHERE message LIKE '"'"'Thanks%'"'"'")" = "$(grep -n "^Thanks" "$D/mixed.txt" | cut -d: -f1)" ]'

# --- e-mail -------------------------------------------------------------------------
diag mail "$D/mail.eml"
check "an e-mail: quoted-printable undone, the signature fires, the base64 part reported" '[ "$(fired $T/mail.json)" = partial-uninstall ] && [ "$(sql $T/mail.db "SELECT count(*) FROM problem WHERE message LIKE '"'"'%not read'"'"'")" = 1 ] && [ "$(sql $T/mail.db "SELECT line FROM event WHERE message LIKE '"'"'Configuration policy%'"'"'")" = 15 ]'

# --- plain text ---------------------------------------------------------------------
"$BIN" ingest -q --db "$T/prose.db" "$D/prose.txt"
check "unrelated prose is read as text, one record per non-empty line" '[ "$(sql $T/prose.db "SELECT format || '"'"' '"'"' || records FROM source")" = "text 4" ] && [ "$(sql $T/prose.db "SELECT group_concat(line, '"'"' '"'"') FROM (SELECT line FROM event ORDER BY line)")" = "1 3 5 6" ]'

# --- --exclude ----------------------------------------------------------------------
"$BIN" ingest -q --db "$T/ex.db" --exclude README.md --exclude '*.eml' "$D"
check "--exclude: excluded files are listed as skipped with the glob, the rest read" '[ "$(sql $T/ex.db "SELECT group_concat(name || '"'"':'"'"' || status || '"'"':'"'"' || ifnull(reason, '"'"''"'"'), '"'"';'"'"') FROM (SELECT * FROM source ORDER BY name)")" = "README.md:skipped:excluded by --exclude README.md;known-error.txt:parsed:;mail.eml:skipped:excluded by --exclude *.eml;mixed.txt:parsed:;prose.txt:parsed:" ]'
"$BIN" ingest --help >"$T/help" 2>&1
check "--exclude is in ingest --help" 'grep -q -- "--exclude GLOB" $T/help'
"$BIN" diagnose --help >"$T/help" 2>&1
check "--exclude is in diagnose --help" 'grep -q -- "--exclude GLOB" $T/help'

echo "1..$n"
[ "$fails" -eq 0 ]
