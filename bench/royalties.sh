#!/usr/bin/env bash
# Statement import + report benchmark (not a test). Prints a table:
#   - a 1,000,000-line DistroKid TSV imported with matching against a 400-track catalog, next to
#     the floor `sqlite3 DB -cmd '.mode tabs' '.import DATA lines'` of the same file (untyped table);
#   - peak RSS (/usr/bin/time -v) at 100k and 1M lines (flat = streamed);
#   - by-month and by-store report times over a store of BIG_FILES x 1M lines (default 10 = 10M).
# usage: bench/royalties.sh [LINES] [BIG_FILES]      (BENCH_DIR=... keeps the data)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
LINES=${1:-1000000}
BIG_FILES=${2:-10}
WORK=${BENCH_DIR:-$(mktemp -d /tmp/roadie-bench.XXXXXX)}
mkdir -p "$WORK"
SUDO=""; [ "$(id -u)" != 0 ] && SUDO="sudo"
need=()
command -v sqlite3 >/dev/null || need+=(sqlite3)
[ -x /usr/bin/time ] || need+=(time)
if [ "${#need[@]}" -gt 0 ]; then
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"
fi

echo "building roadie (release)..." >&2
(cd "$ROOT" && cargo build --release -q -p roadie-cli)
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/roadie"

gen() { # lines file seed month
  [ -f "$2" ] || python3 "$ROOT/bench/gen_distrokid.py" "$1" "$2" --seed "$3" --month "$4"
}
echo "generating data in $WORK..." >&2
gen "$LINES" "$WORK/dk-$LINES.tsv" 1 2026-10
gen 100000 "$WORK/dk-100000.tsv" 2 2026-09
[ -f "$WORK/catalog.sqlite" ] || bash "$ROOT/bench/gen_catalog.sh" "$BIN" "$WORK/catalog.sqlite" 400
sqlite3 "$WORK/catalog.sqlite" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null

now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.2f}')"; }

# Floor: sqlite3's own .import of the same file into an untyped table.
rm -f "$WORK/floor.sqlite"
t0=$(now); sqlite3 "$WORK/floor.sqlite" -cmd '.mode tabs' ".import $WORK/dk-$LINES.tsv lines"; t1=$(now)
FLOOR=$(secs "$t0" "$t1")

# Ours: fresh copy of the catalog store each run; /usr/bin/time -v for wall time and peak RSS.
run_import() { # file -> "wall rss_mb matched unmatched"
  local db="$WORK/run.sqlite"; rm -f "$db" "$db-wal" "$db-shm"; cp "$WORK/catalog.sqlite" "$db"
  /usr/bin/time -v -o "$WORK/time.txt" "$BIN" --db "$db" --json import statement "$1" > "$WORK/out.json"
  python3 - "$WORK/time.txt" "$WORK/out.json" <<'PY'
import json, re, sys
t = open(sys.argv[1]).read()
wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", t).group(1).split(":")
secs = sum(float(p) * 60 ** i for i, p in enumerate(reversed(wall)))
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)) / 1024
f = json.load(open(sys.argv[2]))["files"][0]
print(f"{secs:.2f} {rss:.0f} {f['imported']} {f['matched']} {f['unmatched']}")
PY
}
read -r W100 R100 I100 M100 U100 < <(run_import "$WORK/dk-100000.tsv")
read -r W1M R1M I1M M1M U1M < <(run_import "$WORK/dk-$LINES.tsv")

# A big store: BIG_FILES distinct 1M-line statements (one reporting month each).
BIG="$WORK/big-$BIG_FILES.sqlite"
if [ ! -f "$BIG" ]; then
  cp "$WORK/catalog.sqlite" "$BIG.tmp"
  for ((i = 1; i <= BIG_FILES; i++)); do
    m=$(printf '2025-%02d' $(( (i - 1) % 12 + 1 )))
    gen "$LINES" "$WORK/big-$i.tsv" $((100 + i)) "$m"
    echo "  big store: file $i/$BIG_FILES" >&2
    "$BIN" --db "$BIG.tmp" import statement "$WORK/big-$i.tsv" >/dev/null
    rm -f "$WORK/big-$i.tsv"
  done
  mv "$BIG.tmp" "$BIG"
fi
BIGLINES=$(sqlite3 "$BIG" 'SELECT COUNT(*) FROM statement_lines')
best() { # command... -> best of 5 wall times in ms
  local best=999999
  for _ in 1 2 3 4 5; do
    local a b; a=$(now); "$@" >/dev/null; b=$(now)
    local ms; ms=$(python3 -c "print(round(($b - $a) * 1000))")
    [ "$ms" -lt "$best" ] && best=$ms
  done
  echo "$best"
}
START=$(best "$BIN" --db "$BIG" info)
MONTH=$(best "$BIN" --db "$BIG" --json royalties report --by month)
STORE=$(best "$BIN" --db "$BIG" --json royalties report --by store)
TERR=$(best "$BIN" --db "$BIG" --json royalties report --by territory)
ARTIST=$("$BIN" --db "$BIG" --json artist list | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
AMONTH=$(best "$BIN" --db "$BIG" --json royalties report --by month --artist "$ARTIST")
ASTORE=$(best "$BIN" --db "$BIG" --json royalties report --by store --artist "$ARTIST")
QUEUE=$(best "$BIN" --db "$BIG" --json royalties unmatched list)

RATIO=$(python3 -c "print(f'{$W1M / $FLOOR:.2f}')")
cat <<TABLE

Roadie statement import benchmark ($(nproc) cores, load average $(cut -d" " -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ))
| measure                                              | value            | goal            |
|------------------------------------------------------|------------------|-----------------|
| sqlite3 .import (floor), $LINES lines                | ${FLOOR} s           |                 |
| roadie import statement, $LINES lines (matching)     | ${W1M} s (${RATIO}x)  | <= 1.5x floor   |
|   imported / matched / unmatched                     | $I1M / $M1M / $U1M | |
| roadie import statement, 100000 lines                | ${W100} s           |                 |
| peak RSS, 100000 lines                               | ${R100} MB            | < 150 MB, flat  |
| peak RSS, $LINES lines                               | ${R1M} MB            | < 150 MB, flat  |
| store size for reports                               | $BIGLINES lines   |                 |
| roadie info (process start + open), best of 5        | ${START} ms            |                 |
| royalties report --by month (whole command), best of 5 | ${MONTH} ms          | < 100 ms        |
| royalties report --by store (whole command), best of 5 | ${STORE} ms          | < 100 ms        |
| royalties report --by territory, best of 5           | ${TERR} ms            |                 |
| report --by month --artist (rollup), best of 5       | ${AMONTH} ms            |                 |
| report --by store --artist (scans lines), best of 5  | ${ASTORE} ms          |                 |
| royalties unmatched list (5% unmatched), best of 5   | ${QUEUE} ms          |                 |
TABLE
