#!/bin/bash
# bench/signatures.sh - the signature scan (ecdiag analyze) on a large case
# with the built-in catalogue, and again with N more signatures, against
# GNU grep -E -i given the same patterns over the same messages, in the same
# run. What it shows: adding signatures does not multiply the cost per
# record (one Aho-Corasick pass finds the candidates; PCRE2 runs only on
# them). Not a test: prints figures.
# usage: bench/signatures.sh [MB] [EXTRA]   (default 128 MB of evtxrs-security, 500 extra)
set -euo pipefail
cd "$(dirname "$0")/.."
mb=${1:-128}
extra=${2:-500}
scripts/setup.sh build-release --buildtype=release -Dtests=disabled -Dbench=true
[ -x /usr/bin/time ] || { SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo; DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq time >/dev/null; }
out=bench/out
mkdir -p "$out/sigs"
rm -f "$out"/sigs/*.json
src=../shared/corpus/evtx/evtxrs-security.evtx
[ -f "$src" ] || { echo "bench: $src not found (../shared beside the clone)" >&2; exit 1; }
python3 bench/gen_evtx.py "$src" "$out/sig.evtx" "$mb"
db=$out/sig.db
rm -f "$db" "$db-journal"
build-release/src/ecdiag ingest -q --db "$db" "$out/sig.evtx"
python3 - "$out" "$extra" <<'PY'
import json, os, random, subprocess, sys, time
out, extra = sys.argv[1], int(sys.argv[2])
db = os.path.join(out, "sig.db")
ecd = "build-release/src/ecdiag"
random.seed(7)
words = ["token", "connector", "rollback", "schema", "agent", "tenant", "replica", "cursor", "quota", "ledger"]
pats = []
for i in range(extra):
    w = random.choice(words)
    p = "%s%04d (?<n>\\d+) (failed|aborted)" % (w, i)
    pats.append(p)
    sig = {"id": "bench-%04d" % i, "title": "bench %d" % i, "severity": "warning", "confidence": "low",
           "sources": ["event", "trace"], "when": [{"pattern": p}], "remediation": "none",
           "references": ["bench/signatures.sh"],
           "samples": {"match": ["%s%04d 12 failed" % (w, i)], "no_match": ["%s%04d failed" % (w, i)]}}
    json.dump(sig, open(os.path.join(out, "sigs", "bench-%04d.json" % i), "w"))
def timed(cmd):
    t = time.perf_counter()
    r = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return time.perf_counter() - t, int(r.stderr.decode().strip().splitlines()[-1]), r
n_builtin = len([l for l in subprocess.run([ecd, "signatures"], capture_output=True, text=True).stdout.splitlines()
                 if not l.endswith("signatures") and not l.startswith(" ")])
events = int(subprocess.run([ecd, "query", "--db", db, "--format", "csv", "SELECT count(*) FROM event"],
                            capture_output=True, text=True).stdout.splitlines()[1])
t0, rss0, r0 = timed([ecd, "analyze", "--db", db])
t1, rss1, r1 = timed([ecd, "analyze", "--db", db, "--signatures", os.path.join(out, "sigs")])
assert r0.returncode in (0, 1) and r1.returncode in (0, 1), (r0.stderr, r1.stderr)
# The peer: GNU grep with the same extra patterns over the same messages
# (one line each), in the same run.
msgs = os.path.join(out, "messages.txt")
with open(msgs, "w") as f:
    subprocess.run([ecd, "query", "--db", db, "--format", "csv",
                    "SELECT replace(replace(message, char(10), ' '), char(13), ' ') FROM event"], stdout=f)
gp = os.path.join(out, "patterns.txt")
open(gp, "w").write("\n".join(p.replace("(?<n>", "(") for p in pats) + "\n")
tg1, _, _ = timed(["grep", "-c", "-E", "-i", "-f", gp, msgs])
open(gp, "w").write("\n".join(p.replace("(?<n>", "(") for p in pats[:20]) + "\n")
tg0, _, _ = timed(["grep", "-c", "-E", "-i", "-f", gp, msgs])
print(f"case         {events} events ({os.path.getsize(os.path.join(out, 'sig.evtx'))/1e6:.0f} MB of EVTX)")
print(f"analyze      {n_builtin} built-in signatures: {t0:.2f} s, peak RSS {rss0/1024:.0f} MiB")
print(f"analyze      {n_builtin + extra} signatures ({extra} more): {t1:.2f} s, peak RSS {rss1/1024:.0f} MiB"
      f"  -> {t1/t0:.2f}x the time for {(n_builtin + extra)/max(n_builtin,1):.0f}x the signatures")
print(f"grep -E -i   20 patterns: {tg0:.2f} s; {extra} patterns: {tg1:.2f} s  -> {tg1/max(tg0,1e-9):.1f}x")
PY
