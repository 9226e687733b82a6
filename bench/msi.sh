#!/bin/bash
# bench/msi.sh - a large Windows Installer verbose log (UTF-16LE, as msiexec
# writes it): ingest throughput and peak memory, then the analysis, against
# what support engineers do by hand in the same run (KB3121701: convert the
# log and search it for "Return value 3"). Not a test: prints figures.
# usage: bench/msi.sh [MB]   (default 500 MB of generated log)
set -euo pipefail
cd "$(dirname "$0")/.."
mb=${1:-500}
scripts/setup.sh build-release --buildtype=release -Dtests=disabled
out=bench/out
mkdir -p "$out"
log="$out/Synchronization Service_Install-20260510-101733.log"
python3 bench/gen_msi.py "$log" "$mb"
python3 - "$out" "$log" <<'PY'
import os, resource, subprocess, sys, time
out, log = sys.argv[1], sys.argv[2]
size = os.path.getsize(log)
def run(cmd, shell=False):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    r = subprocess.run(cmd, shell=shell, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    dt = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return dt, after.ru_maxrss, r
subprocess.run(["cat", log], stdout=subprocess.DEVNULL)  # warm the page cache
db = os.path.join(out, "msi.db")
for f in (db, db + "-wal", db + "-shm"):
    if os.path.exists(f): os.remove(f)
t_ing, rss, r = run(["build-release/src/ecdiag", "ingest", "-q", "--db", db, log])
assert r.returncode == 0, r.stderr
t_an, rss_an, r = run(["build-release/src/ecdiag", "analyze", "--db", db])
t_rep, _, rep = run(["build-release/src/ecdiag", "report", "--db", db])
q = subprocess.run(["build-release/src/ecdiag", "query", "--db", db, "--format", "csv",
                    "SELECT records, skipped, problems FROM source"], capture_output=True, text=True)
t_grep, _, g = run("iconv -f UTF-16LE -t UTF-8 '%s' | grep -n 'Return value 3'" % log, shell=True)
print(f"input        {size/1e6:.0f} MB generated UTF-16LE MSI log")
print(f"ecdiag       ingest: {t_ing:.2f} s = {size/1e6/t_ing:.0f} MB/s, peak RSS {rss/1024:.0f} MiB")
print(f"             stored (records, skipped, problems): {q.stdout.splitlines()[1].strip()}")
print(f"             analyze: {t_an:.2f} s; report: {t_rep:.2f} s")
first = [l for l in rep.stdout.decode().splitlines() if "first failure" in l]
print(f"             {first[0].strip() if first else 'no first failure found'}")
print(f"by hand      iconv | grep -n 'Return value 3': {t_grep:.2f} s = {size/1e6/t_grep:.0f} MB/s, "
      f"{len(g.stdout.splitlines())} lines")
print(f"ratio        ecdiag ingest takes {t_ing/t_grep:.1f}x the time of iconv | grep")
PY
