#!/bin/bash
# scripts/checksrc.sh - source rules the compiler does not check (curl's
# checksrc): banned functions, <sqlite3.h> outside store/, printing or
# exiting outside src/. TAP output; run by the test suite.
cd "$(dirname "$0")/.." || exit 1
n=0
check() {
	n=$((n + 1))
	if [ -z "$2" ]; then echo "ok $n - $1"; else echo "not ok $n - $1"; echo "$2" | sed 's/^/# /'; fi
}
modules="common parser store analyzer reports src"
check "no banned functions (strcpy strcat sprintf vsprintf atoi gets strtok)" \
	"$(grep -nE '\b(strcpy|strcat|sprintf|vsprintf|atoi|gets|strtok)\s*\(' $(find $modules -name '*.[ch]') || true)"
check "only store/ includes sqlite3.h" \
	"$(grep -nE '#\s*include\s*[<"]sqlite3\.h' $(find $modules -name '*.[ch]' -not -path 'store/*') || true)"
check "only src/ prints to stdout/stderr or exits" \
	"$(grep -nE '\b(printf|puts|exit|_exit)\s*\(|\b(stdout|stderr)\b' $(find common parser store analyzer -name '*.[ch]') || true)"
check "no tabs-vs-spaces mix at line starts in C files" \
	"$(grep -nE '^ +	' $(find $modules -name '*.[ch]') || true)"
check "every signatures/*.json is listed in signatures/meson.build (so the build checks and embeds it)" \
	"$(for f in signatures/*.json; do grep -qF "'$(basename "$f")'" signatures/meson.build || echo "$f"; done)"
echo "1..$n"
