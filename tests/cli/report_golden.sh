#!/bin/bash
# tests/cli/report_golden.sh - the text and Markdown reports against
# reviewed golden files (tests/golden/CASE.txt, CASE.md), and the text
# report's terminal behaviour: colour only on a terminal and never with
# NO_COLOR, every line within the terminal's width, no control character
# or escape sequence from a log reaching the output. TAP.
#
#   bash tests/cli/report_golden.sh PATH/TO/ecdiag [--update]
#
# --update rewrites the golden files from the current output (review the
# diff before committing it). The reports are rendered at COLUMNS=80 with
# --color never, from case databases named case.db, so the files do not
# depend on where the test runs. The terminal tests run under script(1)
# (util-linux) for a pseudo-terminal.
set -u
BIN=${1:-${ECDIAG_BIN:-}}
UPDATE=${2:-}
SRC=${ECDIAG_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
GOLD="$SRC/tests/golden"
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; shift
	for l in "$@"; do printf '%s\n' "$l" | sed 's/^/# /'; done
}
check() { # check NAME CMD...: ok when CMD succeeds
	local name=$1; shift
	if out=$("$@" 2>&1); then ok "$name"; else not_ok "$name" "$out"; fi
}
finish() { echo "1..$n"; [ "$fails" -eq 0 ]; exit $?; }

if [ -z "$BIN" ] || [ ! -x "$BIN" ]; then
	not_ok "the ecdiag binary is given" "usage: $0 PATH/TO/ecdiag [--update] (got '${BIN}')"
	finish
fi
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
T=$(mktemp -d /tmp/ecdiag-golden.XXXXXX)
trap 'rm -rf "$T"' EXIT

# The cases: the failed upgrade, a healthy one, one where sync did not
# resume, and log text that tries to become markup or terminal control.
cases="samples/upgrade-failed samples/healthy samples/sync-not-resumed tests/data/hostile"

for c in $cases; do
	name=$(basename "$c")
	mkdir -p "$T/$name"
	(cd "$SRC" && "$BIN" diagnose --exclude README.md --exclude expected.json "$c" --db "$T/$name/case.db" --quiet --format json -o /dev/null) >/dev/null 2>&1
	for fmt in txt md; do
		f=text; [ $fmt = md ] && f=md
		(cd "$T/$name" && COLUMNS=80 "$BIN" report --db case.db --format $f --color never) \
			>"$T/$name/report.$fmt" 2>"$T/$name/err.$fmt"
		if [ "$UPDATE" = "--update" ]; then
			mkdir -p "$GOLD"
			cp "$T/$name/report.$fmt" "$GOLD/$name.$fmt"
		fi
		if [ ! -f "$GOLD/$name.$fmt" ]; then
			not_ok "$name: $f report matches tests/golden/$name.$fmt" "no golden file (run with --update and review it)"
		elif d=$(diff -u "$GOLD/$name.$fmt" "$T/$name/report.$fmt"); then
			ok "$name: $f report matches tests/golden/$name.$fmt"
		else
			not_ok "$name: $f report matches tests/golden/$name.$fmt" "$(printf '%s\n' "$d" | head -40)"
		fi
	done
	# every line of the text report fits 80 columns (characters, not bytes)
	check "$name: every text line fits 80 columns" python3 -c '
import sys
for i, l in enumerate(open(sys.argv[1], encoding="utf-8").read().split("\n"), 1):
    if len(l) > 80:
        sys.exit("line %d has %d columns: %s" % (i, len(l), l))' "$T/$name/report.txt"
	# nothing but printable text, newlines and no escape sequences
	check "$name: text and Markdown reports carry no control character" python3 -c '
import sys
for p in sys.argv[1:]:
    b = open(p, "rb").read()
    bad = [c for c in b if (c < 0x20 and c != 0x0a) or c == 0x7f]
    if bad:
        sys.exit("%s: control bytes %s" % (p, sorted(set(bad))))
    b.decode("utf-8")' "$T/$name/report.txt" "$T/$name/report.md"
done

# The hostile payload shows as text.
H="$T/hostile"
check "hostile: the escape sequences show escaped in the text report" \
	grep -qF '\x1b]0;pwned\x07\x1b[2J raw\x01byte' "$H/report.txt"
check "hostile: the markup shows as text in the text report" python3 -c '
import sys
text = " ".join(open(sys.argv[1], encoding="utf-8").read().split())
if "<script>alert(1)</script> <img src=x onerror=alert(1)>" not in text:
    sys.exit("the payload is not in the report")' "$H/report.txt"
check "hostile: the Markdown report escapes the markup outside code spans" python3 -c '
import re, sys
md = open(sys.argv[1], encoding="utf-8").read()
# drop code spans and fenced blocks; what is left must hold no raw tag
plain = re.sub(r"(`+)(.+?)\1", "", md)
m = re.search(r"(?<!\\)<(script|img|iframe|b|/pre|/svg)\b", plain)
if m:
    sys.exit("raw tag in Markdown text: " + plain[max(0, m.start() - 60):m.end() + 20])
if "<script>alert(1)</script>" not in md:
    sys.exit("the payload is not shown at all")' "$H/report.md"

# Colour: only on a terminal, never with NO_COLOR, always with --color always.
if command -v script >/dev/null; then
	tty_run() { # tty_run COLS ENV...: the text report under a pseudo-terminal COLS wide
		local cols=$1; shift
		(cd "$T/upgrade-failed" && env "$@" script -qec "stty cols $cols rows 50; '$BIN' report --db case.db" /dev/null) \
			| tr -d '\r'
	}
	tty_run 100 TERM=xterm >"$T/tty.txt"
	check "on a terminal the text report is coloured" grep -q $'\x1b\\[1;31m' "$T/tty.txt"
	check "on a terminal the only escape sequences are colours" python3 -c '
import re, sys
s = open(sys.argv[1], encoding="utf-8", errors="replace").read()
rest = re.sub(r"\x1b\[[0-9;]*m", "", s)
if "\x1b" in rest:
    i = rest.index("\x1b")
    sys.exit("other escape: %r" % rest[max(0, i - 20):i + 20])' "$T/tty.txt"
	tty_run 100 TERM=xterm NO_COLOR=1 >"$T/nocolor.txt"
	check "NO_COLOR turns colour off on a terminal" bash -c "! grep -q \$'\\x1b' '$T/nocolor.txt'"
	tty_run 60 TERM=xterm NO_COLOR=1 >"$T/narrow.txt"
	check "on a 60-column terminal every line fits 60 columns" python3 -c '
import sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
long = [(i, l) for i, l in enumerate(lines, 1) if len(l) > 60]
if long or len(lines) < 20:
    sys.exit("%d lines, too long: %r" % (len(lines), long[:3]))' "$T/narrow.txt"
else
	ok "# SKIP script(1) not installed (util-linux): terminal tests not run"
fi
(cd "$T/upgrade-failed" && "$BIN" report --db case.db --color always) >"$T/always.txt" 2>&1
check "--color always colours a pipe" grep -q $'\x1b\\[' "$T/always.txt"
(cd "$T/upgrade-failed" && "$BIN" report --db case.db) >"$T/pipe.txt" 2>&1
check "a pipe gets no colour by default" bash -c "! grep -q \$'\\x1b' '$T/pipe.txt'"
"$BIN" report --db "$T/upgrade-failed/case.db" --color sometimes >/dev/null 2>"$T/err.txt"
rc=$?
if [ $rc -eq 2 ] && grep -q "auto, always or never" "$T/err.txt"; then
	ok "--color with a wrong value is a usage error"
else
	not_ok "--color with a wrong value is a usage error" "exit $rc" "$(cat "$T/err.txt")"
fi
finish
