#!/usr/bin/env bash
# Fans benchmark: 100,000 generated contacts (5% duplicates in other case/spacing) imported into a
# fresh store, then search / segment count / first page timings; the import is compared in the
# same run with sqlite3's .import of the same CSV into an untyped table (the floor).
# Usage: bash bench/fans.sh [N]
set -euo pipefail
source "$(dirname "$0")/../scripts/env.sh"
N="${1:-100000}"
command -v sqlite3 >/dev/null || { apt-get install -y -qq sqlite3 >/dev/null; }
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
python3 "$ROOT/bench/gen_fans.py" "$N" "$work/fans.csv"
cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml" -p roadie --example fans_bench
TIMEFORMAT='%R %U %S'
floor=$( { time sqlite3 "$work/floor.sqlite" -cmd '.mode csv' ".import $work/fans.csv lines" ; } 2>&1 )
read -r wall user sys <<<"$floor"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
# The import's CPU by phase goes to stderr (ROADIE_FANS_PHASES), before the table.
ROADIE_FANS_PHASES=1 "$CARGO_TARGET_DIR/release/examples/fans_bench" "$work/fans.csv" "$work/bench.sqlite"
printf '| sqlite3 .import of the same CSV (floor) | %.2f s | %.2f s | |\n' "$wall" "$(echo "$user + $sys" | bc)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
