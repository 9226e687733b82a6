#!/bin/bash
# tests/cli/html.sh - the HTML report, in a real browser. Renders
# 'ecdiag diagnose --format html' of samples/upgrade-failed and of
# tests/data/hostile (log lines full of markup and escape sequences), checks
# the files (self-contained: no script, no link, nothing that can fetch; valid
# UTF-8), then opens them in headless Chromium: the rendered DOM must show
# the verdict, every expected finding and the timeline of the sample, and in
# the hostile case no element may come from the log (its markup shows as
# text). Saves a screenshot of the first page and a PDF print (A4) under the
# build directory. TAP.
#
#   bash tests/cli/html.sh PATH/TO/ecdiag [BUILD_DIR]
#
# The binary is $1 (else $ECDIAG_BIN); the build directory $2 (else the one
# above the binary's); the source tree $ECDIAG_SRC, else the tree this
# script is in. Chromium is the Debian package 'chromium' (scripts/test.sh
# installs it); without it the browser checks are skipped.
set -u
BIN=${1:-${ECDIAG_BIN:-}}
SRC=${ECDIAG_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; shift
	for l in "$@"; do printf '%s\n' "$l" | head -40 | sed 's/^/# /'; done
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
finish() { echo "1..$n"; [ "$fails" -eq 0 ]; exit $?; }

if [ -z "$BIN" ] || [ ! -x "$BIN" ]; then
	not_ok "the ecdiag binary is given" "usage: $0 PATH/TO/ecdiag [BUILD_DIR] (got '${BIN}')"
	finish
fi
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
BUILD=${2:-$(dirname "$(dirname "$BIN")")}
mkdir -p "$BUILD" && BUILD=$(cd "$BUILD" && pwd)

T=$(mktemp -d /tmp/ecdiag-html.XXXXXX)
trap 'rm -rf "$T"' EXIT
export ECDIAG_CASES="$T/cases"
FAILED=$SRC/samples/upgrade-failed
HOSTILE=$SRC/tests/data/hostile

# --- render -------------------------------------------------------------------
# render NAME DIR: $T/NAME.html from 'diagnose DIR --format html'
render() {
	"$BIN" diagnose --exclude README.md --exclude expected.json "$2" --db "$T/$1.db" --format html -o "$T/$1.html" >"$T/$1.out" 2>"$T/$1.err"
	local rc=$?
	if { [ $rc -eq 0 ] || [ $rc -eq 1 ]; } && [ -s "$T/$1.html" ]; then
		ok "$1: diagnose --format html -o writes the report (exit $rc)"
	else
		not_ok "$1: diagnose --format html -o writes the report" "exit $rc" "$(head -c 2000 "$T/$1.err")"
		return 1
	fi
}
render failed "$FAILED" || finish
render hostile "$HOSTILE" || finish

"$BIN" diagnose --exclude README.md --exclude expected.json "$HOSTILE" --db "$T/text.db" --format text >"$T/hostile.txt" 2>"$T/text.err"
rc=$?
if { [ $rc -eq 0 ] || [ $rc -eq 1 ]; } && ! LC_ALL=C grep -q $'[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]' "$T/hostile.txt" &&
	grep -qF 'pwned' "$T/hostile.txt"; then
	ok "hostile: diagnose --format text runs and writes no control character"
else
	not_ok "hostile: diagnose --format text runs and writes no control character" "exit $rc" \
		"$(head -c 1000 "$T/text.err")" "$(LC_ALL=C grep -n $'[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]' "$T/hostile.txt" | cat -v | head -5)"
fi

# --- the files themselves ---------------------------------------------------------
# static FILE: self-contained and valid UTF-8; prints what is wrong
static_check() {
	python3 - "$1" <<'PY'
import re, sys
from html.parser import HTMLParser
raw = open(sys.argv[1], "rb").read()
bad = []
try:
    text = raw.decode("utf-8", errors="strict")
except UnicodeDecodeError as e:
    print("not valid UTF-8:", e)
    sys.exit(1)
if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x9f]", text):
    bad.append("a raw control character")
low = text.lower()
for s in ("<script", "<link", "<iframe", "<object", "<embed", "<base", "<img", "<form", "<meta http-equiv=\"refresh"):
    if s in low:
        bad.append("contains " + s)
if not text.startswith("<!DOCTYPE html>"):
    bad.append("does not start with <!DOCTYPE html>")
FETCH = {"src", "href", "xlink:href", "action", "formaction", "background", "poster", "srcset", "data",
         "ping", "codebase", "cite", "longdesc", "manifest", "xmlns"}
class P(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tag = None; self.style = []; self.csp = None; self.charset = False
    def handle_starttag(self, tag, attrs):
        self.tag = tag
        for k, v in attrs:
            if k in FETCH or k.startswith("on"):
                bad.append("<%s %s=...>" % (tag, k))
            if v and re.search(r"url\s*\(|@import|https?:|file:|//", v, re.I) and k not in ("content",):
                bad.append("<%s %s=%r>" % (tag, k, v[:80]))
        a = dict(attrs)
        if tag == "meta" and a.get("http-equiv", "").lower() == "content-security-policy":
            self.csp = a.get("content", "")
        if tag == "meta" and a.get("charset", "").lower() == "utf-8":
            self.charset = True
    handle_startendtag = handle_starttag
    def handle_endtag(self, tag):
        self.tag = None
    def handle_data(self, d):
        if self.tag == "style":
            self.style.append(d)
p = P()
p.feed(text)
p.close()
css = "".join(p.style)
if not css:
    bad.append("no inline style")
for s in ("url(", "@import", "@font-face", "http:", "https:"):
    if s in css.lower():
        bad.append("the style has " + s)
if not p.charset:
    bad.append('no <meta charset="utf-8">')
if not p.csp or "default-src 'none'" not in p.csp or "script-src" in p.csp:
    bad.append("no Content-Security-Policy with default-src 'none': %r" % p.csp)
if "@page{size:A4" not in css.replace(" ", ""):
    bad.append("no @page size A4")
for b in bad[:20]:
    print(b)
sys.exit(1 if bad else 0)
PY
}
for c in failed hostile; do
	if out=$(static_check "$T/$c.html" 2>&1); then
		ok "$c: the HTML is valid UTF-8 and self-contained (CSP default-src 'none', no script, link, src, href, url(), @import)"
	else
		not_ok "$c: the HTML is valid UTF-8 and self-contained" "$out"
	fi
done
cp "$T/failed.html" "$BUILD/report-upgrade-failed.html" 2>/dev/null

# --- the browser ------------------------------------------------------------------
CHROMIUM=
for c in chromium chromium-browser; do
	if command -v "$c" >/dev/null 2>&1; then
		CHROMIUM=$(command -v "$c")
		break
	fi
done
if [ -z "$CHROMIUM" ]; then
	for what in "failed: the rendered DOM shows the verdict, the findings and the timeline" \
		"hostile: no element comes from the log; its markup shows as text" \
		"a screenshot of the first page" "the PDF print is A4"; do
		skip "$what" "chromium not installed"
	done
	finish
fi

# chrome NAME ARGS...: one headless run with a fresh profile; stderr in $T/NAME.chrome
chrome() {
	local name=$1 profile
	shift
	profile=$(mktemp -d "$T/profile.XXXXXX")
	HOME=$profile timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--disable-extensions --disable-default-apps --mute-audio --hide-scrollbars \
		--user-data-dir="$profile" "$@" 2>"$T/$name.chrome"
}

# The DOM the browser built, as JSON: every element with its tag, attributes,
# the ids of the elements around it, and its text content.
dom_json() {
	python3 - "$1" <<'PY'
import json, sys
from html.parser import HTMLParser
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr", "param"}
class N:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.kids, self.text = tag, dict(attrs), parent, [], []
class P(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = N("#root", [], None); self.cur = self.root; self.all = []
    def handle_starttag(self, tag, attrs):
        node = N(tag, attrs, self.cur); self.cur.kids.append(node); self.all.append(node)
        if tag not in VOID:
            self.cur = node
    def handle_startendtag(self, tag, attrs):
        node = N(tag, attrs, self.cur); self.cur.kids.append(node); self.all.append(node)
    def handle_endtag(self, tag):
        n = self.cur
        while n is not self.root and n.tag != tag:
            n = n.parent
        if n is not self.root:
            self.cur = n.parent
    def handle_data(self, d):
        self.cur.kids.append(d)
def text(n):
    return "".join(k if isinstance(k, str) else text(k) for k in n.kids)
p = P()
p.feed(open(sys.argv[1], encoding="utf-8").read())
p.close()
out = []
for e in p.all:
    ids, a = [], e.parent
    while a is not None:
        if a.attrs.get("id"):
            ids.append(a.attrs["id"])
        a = a.parent
    out.append({"tag": e.tag, "attrs": e.attrs, "within": ids, "text": text(e)})
json.dump(out, sys.stdout)
PY
}

# The sample: verdict, findings and timeline as the browser shows them.
chrome faileddom --dump-dom "file://$T/failed.html" >"$T/failed.dom"
rc=$?
if [ $rc -ne 0 ] || ! grep -q '<svg' "$T/failed.dom"; then
	not_ok "failed: chromium renders the report (--dump-dom)" "exit $rc" "$(tail -c 2000 "$T/faileddom.chrome")"
else
	dom_json "$T/failed.dom" >"$T/failed.dom.json"
	if out=$(python3 - "$T/failed.dom.json" "$FAILED/expected.json" 2>&1 <<'PY'
import json, sys
dom = json.load(open(sys.argv[1], encoding="utf-8"))
exp = json.load(open(sys.argv[2], encoding="utf-8"))
bad = []
def by_id(i):
    return [e for e in dom if e["attrs"].get("id") == i]
v = by_id("verdict")
if len(v) != 1:
    bad.append("%d elements #verdict" % len(v))
else:
    t = " ".join(v[0]["text"].split())
    up = exp["upgrade"]
    want = "Upgrade %s \u2192 %s %s" % (up["from"], up["to"], up["outcome"])
    if want.lower() not in t.lower():
        bad.append("#verdict does not say %r: %r" % (want, t[:300]))
    if ("Sync: " + exp["sync"]) not in t:
        bad.append("#verdict does not say 'Sync: %s': %r" % (exp["sync"], t[:300]))
    # the banner's colour: the worse of the upgrade outcome and the sync verdict
    cls = {{"failed": "failed", "succeeded": "ok", "aborted": "warning"}.get(up["outcome"], "unknown"),
           {"not-resumed": "failed", "resumed-with-errors": "warning"}.get(exp["sync"], "ok")}
    want_cls = "verdict-" + next(c for c in ("failed", "warning", "unknown", "ok") if c in cls)
    if want_cls not in v[0]["attrs"].get("class", "").split():
        bad.append("#verdict class %r, want %s" % (v[0]["attrs"].get("class"), want_cls))
shown = [e["attrs"]["id"][len("finding-"):] for e in dom
         if e["tag"] == "section" and "finding" in e["attrs"].get("class", "").split()
         and e["attrs"].get("id", "").startswith("finding-")]
for f in exp["findings"]:
    s = by_id("finding-" + f)
    if not s:
        bad.append("no section #finding-%s" % f)
    elif f not in s[0]["text"]:
        bad.append("#finding-%s does not show its id" % f)
if len(shown) < len(exp["findings"]):
    bad.append("%d finding sections, want %d" % (len(shown), len(exp["findings"])))
svg = [e for e in dom if e["tag"] == "svg" and e["attrs"].get("id") == "timeline"]
if len(svg) != 1:
    bad.append("%d svg#timeline" % len(svg))
items = [e for e in dom if "timeline" in e["within"] and "tl-item" in e["attrs"].get("class", "").split()]
kinds = {}
for e in items:
    for c in e["attrs"]["class"].split():
        if c.startswith("tl-") and c != "tl-item":
            kinds[c[3:]] = kinds.get(c[3:], 0) + 1
for k in ("wizard", "install", "action", "upgrade", "run"):
    if not kinds.get(k):
        bad.append("no timeline item of kind %s (have %s)" % (k, kinds))
notitle = [e for e in dom if "timeline" in e["within"] and e["tag"] == "title"]
if len(notitle) < len(items):
    bad.append("%d tooltips for %d items" % (len(notitle), len(items)))
for b in bad:
    print(b)
print("kinds", json.dumps(kinds, sort_keys=True), "findings", shown)
sys.exit(1 if bad else 0)
PY
	); then
		ok "failed: the rendered DOM shows the verdict, the findings and the timeline"
		echo "# $out"
	else
		not_ok "failed: the rendered DOM shows the verdict, the findings and the timeline" "$out"
	fi
fi

# The hostile case: the log's markup must stay text.
chrome hostiledom --dump-dom "file://$T/hostile.html" >"$T/hostile.dom"
rc=$?
if [ $rc -ne 0 ] || ! grep -q '</html>' "$T/hostile.dom"; then
	not_ok "hostile: chromium renders the report (--dump-dom)" "exit $rc" "$(tail -c 2000 "$T/hostiledom.chrome")"
else
	dom_json "$T/hostile.dom" >"$T/hostile.dom.json"
	if out=$(python3 - "$T/hostile.dom.json" 2>&1 <<'PY'
import json, re, sys
dom = json.load(open(sys.argv[1], encoding="utf-8"))
bad = []
# the elements the report itself writes; anything else came from somewhere else
OURS = {"html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "p", "span", "strong",
        "code", "section", "div", "pre", "table", "colgroup", "col", "tbody", "tr", "th", "td", "ul", "li",
        "br", "footer", "svg", "g", "rect", "line", "text", "path", "circle"}
tags = {}
for e in dom:
    tags[e["tag"]] = tags.get(e["tag"], 0) + 1
    for k in e["attrs"]:
        if k.startswith("on") or k in ("src", "href", "xlink:href", "srcdoc", "action"):
            bad.append("<%s %s=%r>" % (e["tag"], k, e["attrs"][k]))
for t in sorted(tags):
    if t not in OURS:
        bad.append("%d <%s> element(s) that the report does not write" % (tags[t], t))
for t in ("script", "img", "iframe", "b"):
    if tags.get(t):
        bad.append("<%s> in the DOM" % t)
if tags.get("svg", 0) > 1:
    bad.append("%d <svg> elements" % tags["svg"])
if tags.get("pre", 0) and not [e for e in dom if e["tag"] == "pre"]:
    pass
page = [e for e in dom if e["tag"] == "body"][0]["text"]
payload = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "</pre></svg><b>bold</b>", "&amp;lt;",
           "\\x1b]0;pwned\\x07\\x1b[2J raw\\x01byte", "</pre><iframe src=x></iframe>"]
for s in payload:
    if s not in page:
        bad.append("the text does not show %r" % s)
if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", page):
    bad.append("a raw control character in the text")
def inside(id_, s):
    return any(id_ in e["within"] and s in e["text"] for e in dom if e["tag"] == "pre")
if not inside("finding-localdb-failure", payload[0]):
    bad.append("the evidence excerpt of finding localdb-failure does not show the log line as text")
unx = [e for e in dom if e["attrs"].get("id") == "unexplained"]
if not unx or payload[1] not in unx[0]["text"]:
    bad.append("the errors nothing explains do not show the log line as text")
for b in bad:
    print(b)
print("tags", json.dumps(tags, sort_keys=True))
sys.exit(1 if bad else 0)
PY
	); then
		ok "hostile: no element comes from the log; its markup and escape sequences show as text"
		echo "# $out"
	else
		not_ok "hostile: no element comes from the log; its markup and escape sequences show as text" "$out"
	fi
fi

# The first page as a screen shows it (A4 at 96 dpi), and a PDF print.
PNG=$BUILD/report-first-page.png
PDF=$BUILD/report.pdf
rm -f "$PNG" "$PDF"
chrome screenshot --screenshot="$PNG" --window-size=794,1123 "file://$T/failed.html" >/dev/null
rc=$?
if out=$(python3 - "$PNG" 2>&1 <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read()
assert b[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
w, h = struct.unpack(">II", b[16:24])
assert w > 0 and h > 0 and len(b) > 2000, "empty: %dx%d, %d bytes" % (w, h, len(b))
print("%dx%d, %d bytes" % (w, h, len(b)))
PY
); then
	ok "a screenshot of the first page is a PNG ($out): $PNG"
else
	not_ok "a screenshot of the first page is a PNG" "exit $rc" "$out" "$(tail -c 1500 "$T/screenshot.chrome")"
fi

# --no-pdf-header-footer since Chromium 110, --print-to-pdf-no-header before;
# Chromium ignores the flag it does not know.
chrome pdf --print-to-pdf="$PDF" --no-pdf-header-footer --print-to-pdf-no-header "file://$T/failed.html" >/dev/null
rc=$?
if out=$(python3 - "$PDF" 2>&1 <<'PY'
import re, sys
b = open(sys.argv[1], "rb").read()
assert b.startswith(b"%PDF-"), "not a PDF"
boxes = re.findall(rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]", b)
assert boxes, "no /MediaBox"
for box in boxes:
    x0, y0, x1, y1 = (float(v) for v in box)
    w, h = x1 - x0, y1 - y0
    assert abs(w - 595.3) < 2 and abs(h - 841.9) < 2, "a page of %.1f x %.1f pt, not A4" % (w, h)
pages = len(re.findall(rb"/Type\s*/Page\b", b))
print("%d page(s) of %.1f x %.1f pt, %d bytes" % (pages, w, h, len(b)))
PY
); then
	ok "the PDF print is A4 ($out): $PDF"
else
	not_ok "the PDF print is A4" "exit $rc" "$out" "$(tail -c 1500 "$T/pdf.chrome")"
fi
finish
