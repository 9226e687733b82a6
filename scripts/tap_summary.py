#!/usr/bin/env python3
"""Count test cases over meson's test log: every TAP 'ok' / 'not ok' line of
every test executable, so the total is cases, not executables. Prints the
skipped cases with their reasons, then 'N passed, N failed, N skipped'.
Exit status 1 if any case failed or any executable failed without TAP."""
import json
import re
import sys

passed = failed = skipped = 0
skips = []
bad_exes = []
with open(sys.argv[1], encoding="utf-8", errors="replace") as log:
    for line in log:
        t = json.loads(line)
        name = t.get("name", "?")
        out = t.get("stdout", t.get("stdo", "")) or ""
        n = 0
        for l in out.splitlines():
            m = re.match(r"^(not ok|ok)\b(.*)$", l)
            if not m:
                continue
            n += 1
            rest = m.group(2)
            if re.search(r"#\s*SKIP", rest, re.I):
                skipped += 1
                skips.append(f"{name}:{rest.strip()}")
            elif m.group(1) == "ok":
                passed += 1
            else:
                failed += 1
        if n == 0 and t.get("result") not in ("OK", "SKIP"):
            failed += 1
            bad_exes.append(name)
for s in skips:
    print(f"skipped: {s}")
for b in bad_exes:
    print(f"failed without a TAP result: {b}")
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
