#!/bin/bash
# bench/evtx.sh - the EVTX reader on a large file made by repeating the
# chunks of a corpus file (valid header): ingest into the store against
# Debian's libevtx (evtxexport, libevtx-utils) on the same file in the same
# run, the parser alone, and peak memory. Not a test: prints figures.
# usage: bench/evtx.sh [MB] [CORPUS-NAME]   (default 512 MB of evtxrs-security)
set -euo pipefail
cd "$(dirname "$0")/.."
mb=${1:-512}
name=${2:-evtxrs-security}
scripts/setup.sh build-release --buildtype=release -Dtests=disabled -Dbench=true
need=()
command -v evtxexport >/dev/null || need+=(libevtx-utils)
[ -x /usr/bin/time ] || need+=(time)
if [ ${#need[@]} -gt 0 ]; then
	echo "bench: installing ${need[*]}" >&2
	SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
out=bench/out
mkdir -p "$out"
src=../shared/corpus/evtx/$name.evtx
[ -f "$src" ] || { echo "bench: $src not found (../shared beside the clone)" >&2; exit 1; }
python3 bench/gen_evtx.py "$src" "$out/big.evtx" "$mb"
python3 - "$out" "$name" <<'PY'
import os, subprocess, sys, time
out, name = sys.argv[1], sys.argv[2]
f = os.path.join(out, "big.evtx")
size = os.path.getsize(f)
def run(cmd):
    """Wall time, peak RSS (KiB, of this command alone: GNU time's %M) and result."""
    t = time.perf_counter()
    r = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    dt = time.perf_counter() - t
    rss = int(r.stderr.decode().strip().splitlines()[-1])
    return dt, rss, r
subprocess.run(["cat", f], stdout=subprocess.DEVNULL)  # warm the page cache
t_lib, rss_lib, r = run(["evtxexport", f])
lib_records = r.stdout.count(b"Event number")
db = os.path.join(out, "evtx.db")
for x in (db, db + "-journal", db + "-wal", db + "-shm"):
    if os.path.exists(x): os.remove(x)
t_ing, rss_ing, r = run(["build-release/src/ecdiag", "ingest", "-q", "--db", db, f])
assert r.returncode == 0, r.stderr
q = subprocess.run(["build-release/src/ecdiag", "query", "--db", db, "--format", "csv",
                    "SELECT records, problems FROM source"], capture_output=True, text=True)
t_parse, _, p = run(["build-release/bench/parse", "evtx", f])
print(f"input        {size/1e6:.0f} MB: the chunks of {name}.evtx repeated")
print(f"evtxexport   {t_lib:.2f} s = {size/1e6/t_lib:.0f} MB/s ({lib_records} records), peak RSS {rss_lib/1024:.0f} MiB")
print(f"ecdiag       ingest into the store: {t_ing:.2f} s = {size/1e6/t_ing:.0f} MB/s, peak RSS {rss_ing/1024:.0f} MiB"
      f" (records, problems: {q.stdout.splitlines()[1].strip()})")
print(f"             parser alone (bench/parse): {p.stdout.decode().strip()}")
print(f"ratio        evtxexport takes {t_lib/t_ing:.1f}x the time of ecdiag's ingest")
PY
