#!/usr/bin/env bash
# Sync outbox of a fan import: per-row triggers (ROADIE_SYNC_BULK=off) against the set-wise bulk
# path (sync::BulkWrite), alternated in one run on the same generated list, REPS times each.
# Prints CPU (user + system of the import) and wall time per run, the queued changes (which must
# be equal), and the load average around the runs.
# Usage: bash bench/sync_bulk.sh [N] [REPS] [OLD_FANS_BENCH]  (OLD_FANS_BENCH: a fans_bench
# binary built from another commit, run the same way as a third column)
set -euo pipefail
source "$(dirname "$0")/../scripts/env.sh"
N="${1:-100000}"; REPS="${2:-3}"; OLD="${3:-}"
command -v sqlite3 >/dev/null || { apt-get install -y -qq sqlite3 >/dev/null; }
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
python3 "$ROOT/bench/gen_fans.py" "$N" "$work/fans.csv" >/dev/null
cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml" -p roadie --example fans_bench
bin="$CARGO_TARGET_DIR/release/examples/fans_bench"
run() { # label, binary, env value
  local out; out=$(ROADIE_SYNC_BULK="$3" FANS_BENCH_IMPORT_ONLY=1 "$2" "$work/fans.csv" "$work/b.sqlite")
  local wall cpu; wall=$(sed -E 's/import: ([0-9.]+) s.*/\1/' <<<"$out"); cpu=$(sed -E 's/.*CPU ([0-9.]+) s/\1/' <<<"$out")
  local queued; queued=$(sqlite3 "$work/b.sqlite" "SELECT COUNT(*) FROM sync_outbox" 2>/dev/null || echo "-")
  printf '| %s | %s s | %s s | %s | %s |\n' "$1" "$cpu" "$wall" "$queued" "$(cut -d' ' -f1 /proc/loadavg)"
}
echo "fan import of $N generated rows (+5% duplicates), $REPS runs each, alternated"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| path | import CPU | import wall | outbox rows | load (1 min) |"
echo "|---|---|---|---|---|"
for _ in $(seq "$REPS"); do
  run "per-row triggers" "$bin" off
  run "bulk (sync::BulkWrite)" "$bin" on
  [ -n "$OLD" ] && run "other build: $(basename "$OLD")" "$OLD" on
done
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
