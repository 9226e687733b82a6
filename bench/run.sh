#!/bin/bash
# bench/run.sh - ingest throughput and peak memory for wizard trace logs,
# against 'wc -l' on the same file in the same run (the floor: reading the
# bytes and finding line ends, nothing more). Not a test: prints figures.
# usage: bench/run.sh [MB]   (default 256 MB of generated trace log)
set -euo pipefail
cd "$(dirname "$0")/.."
mb=${1:-256}
scripts/setup.sh build-release --buildtype=release -Dtests=disabled
out=bench/out
mkdir -p "$out"
python3 bench/gen_trace.py "$out/trace-20260510-101502.log" "$mb"
python3 - "$out" <<'PY'
import os, resource, subprocess, sys, time
out = sys.argv[1]
log = os.path.join(out, "trace-20260510-101502.log")
size = os.path.getsize(log)
def run(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    dt = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return dt, after.ru_maxrss
subprocess.run(["cat", log], stdout=subprocess.DEVNULL)  # warm the page cache
db = os.path.join(out, "bench.db")
for f in (db, db + "-wal", db + "-shm"):
    if os.path.exists(f): os.remove(f)
t_ing, rss = run(["build-release/src/ecdiag", "ingest", "-q", "--db", db, log])
t_wc, _ = run(["wc", "-l", log])
print(f"input        {size/1e6:.0f} MB generated trace log ({log})")
print(f"ecdiag       ingest into SQLite: {t_ing:.2f} s = {size/1e6/t_ing:.0f} MB/s, peak RSS {rss/1024:.0f} MiB")
print(f"wc -l        {t_wc:.2f} s = {size/1e6/t_wc:.0f} MB/s")
print(f"ratio        ecdiag ingest takes {t_ing/t_wc:.1f}x the time of wc -l")
PY
