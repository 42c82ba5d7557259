#!/usr/bin/env bash
# Statement issuing benchmark (not a test). Prints a table: for 100k and 1M imported DistroKid
# lines (400-track catalog, every release split 5 ways: 4 USD payees and 1 CNY payee, one with
# an advance), the wall time and peak RSS (/usr/bin/time -v) of
#   roadie statements generate --period 2026-10 --out DIR
# which allocates every line (exact decimals, largest remainder), converts, recoups, and writes
# a PDF (subsetted CJK font) and a CSV per payee. Import time is shown for scale.
# usage: bench/statements.sh [LINES]      (BENCH_DIR=... keeps the data)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
LINES=${1:-1000000}
WORK=${BENCH_DIR:-$(mktemp -d /tmp/roadie-stmt-bench.XXXXXX)}
mkdir -p "$WORK"
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }

# ROADIE_BIN=path skips the release build (e.g. a debug binary on a machine too busy to build).
if [ -n "${ROADIE_BIN:-}" ]; then
  BIN=$ROADIE_BIN
else
  echo "building roadie (release)..." >&2
  (cd "$ROOT" && cargo build --release -q -p roadie-cli)
  BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/roadie"
fi

echo "catalog and payees in $WORK..." >&2
if [ ! -f "$WORK/base.sqlite" ]; then
  bash "$ROOT/bench/gen_catalog.sh" "$BIN" "$WORK/base.tmp" 400
  ids=()
  for p in "Ann" "Ben" "Cat" "Dee"; do
    ids+=("$("$BIN" --db "$WORK/base.tmp" --json payee add "$p" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')")
  done
  ids+=("$("$BIN" --db "$WORK/base.tmp" --json payee add "王菲" --currency CNY | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')")
  "$BIN" --db "$WORK/base.tmp" fx set --date 2026-10-01 --from USD --to CNY --rate 7.1234 >/dev/null
  "$BIN" --db "$WORK/base.tmp" advance add --payee "${ids[0]}" --amount 500 --currency USD --date 2026-01-01 >/dev/null
  for rel in $(sqlite3 "$WORK/base.tmp" "SELECT id FROM releases"); do
    "$BIN" --db "$WORK/base.tmp" split set --release "$rel" --share "${ids[0]}=20" "${ids[1]}=20" "${ids[2]}=20.0001" \
      "${ids[3]}=19.9999" "${ids[4]}=20" >/dev/null
  done
  sqlite3 "$WORK/base.tmp" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
  mv "$WORK/base.tmp" "$WORK/base.sqlite"
fi

now() { date +%s.%N; }
run() { # lines -> "import_s generate_s rss_mb statements pdf_kb"
  local n=$1 db="$WORK/run-$1.sqlite" data="$WORK/dk-$1.tsv"
  [ -f "$data" ] || python3 "$ROOT/bench/gen_distrokid.py" "$n" "$data" --seed 7 --month 2026-10
  rm -f "$db" "$db-wal" "$db-shm"; cp "$WORK/base.sqlite" "$db"
  local a b; a=$(now); "$BIN" --db "$db" import statement "$data" >/dev/null; b=$(now)
  local imp; imp=$(python3 -c "print(f'{$b - $a:.2f}')")
  rm -rf "$WORK/out-$n"
  /usr/bin/time -v -o "$WORK/time.txt" "$BIN" --db "$db" --json statements generate --period 2026-10 --out "$WORK/out-$n" > "$WORK/out.json"
  python3 - "$WORK/time.txt" "$WORK/out.json" "$imp" <<'PY'
import json, os, re, sys
t = open(sys.argv[1]).read()
wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", t).group(1).split(":")
secs = sum(float(p) * 60 ** i for i, p in enumerate(reversed(wall)))
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)) / 1024
run = json.load(open(sys.argv[2]))
tot = run["totals"][0]
assert tot["rounded"] == f'{__import__("decimal").Decimal(tot["allocated"]) + __import__("decimal").Decimal(tot["unallocated"])}', tot
pdf = max(os.path.getsize(s["pdf"]) for s in run["statements"]) / 1024
print(f'{sys.argv[3]} {secs:.2f} {rss:.0f} {len(run["statements"])} {pdf:.0f}')
PY
}
read -r I1 G1 R1 S1 P1 < <(run 100000)
read -r I2 G2 R2 S2 P2 < <(run "$LINES")

printf '\n%-10s %10s %12s %12s %11s %12s\n' lines import_s generate_s peak_rss_MB statements max_pdf_KB
printf '%-10s %10s %12s %12s %11s %12s\n' 100000 "$I1" "$G1" "$R1" "$S1" "$P1"
printf '%-10s %10s %12s %12s %11s %12s\n' "$LINES" "$I2" "$G2" "$R2" "$S2" "$P2"
echo "(machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
