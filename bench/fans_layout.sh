#!/usr/bin/env bash
# What the fan tables' layout costs SQLite: the same 100,000 contacts (e-mails, tags, sources and
# the eight indexes the Fans screen reads) written by plain SQL (sqlite3 CLI, no app code) in
#   text_keys: text UUID keys and the workspace's 36-character id in every index, RFC 3339 text
#              timestamps and clock texts, 4 KiB pages (as stored until session 10);
#   current:   the same, but the indexes lead with the workspace's row number in the store
#              (contacts.ws, contact_tags.ws) and pages are 16 KiB (as Roadie stores them now);
#   compact:   integer row keys in the child tables and indexes, the UUID as a 16-byte blob,
#              integer timestamps and clocks, 16 KiB pages.
# Prints each statement's seconds and the file size. Two runs each, alternating.
# Usage: bash bench/fans_layout.sh [N]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
N="${1:-100000}"
command -v sqlite3 >/dev/null || { apt-get install -y -qq sqlite3 >/dev/null; }
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
python3 "$ROOT/bench/gen_fans.py" "$N" "$work/fans.csv" >/dev/null
python3 "$ROOT/bench/fans_layout/stage.py" "$work/fans.csv" "$work/stage.csv"
cp "$ROOT"/bench/fans_layout/*.sql "$work/"
cd "$work"
steps="contacts|emails|tags|sources|idx emails|idx sources|idx tags|idx city|idx country|idx name|idx phone|idx facets|commit"
echo "| layout | $(echo "$steps" | sed 's/|/ | /g') | total | file |"
echo "|---|$(echo "$steps" | sed 's/[^|]*/---/g')|---|---|"
for round in 1 2; do
  for layout in text_keys current compact; do
    rm -f "$layout.db"*
    # Run Time lines after the five CREATE/BEGIN statements: the 13 measured steps.
    times=$(sqlite3 "$layout.db" < "$layout.sql" 2>&1 | awk '/Run Time/ {print $4}' | tail -n 13)
    total=$(printf "%.3f" "$(echo "$times" | paste -sd+ | bc)")
    size=$(stat -c %s "$layout.db")
    echo "| $layout ($(sqlite3 "$layout.db" "PRAGMA page_size") B pages) | $(echo "$times" | paste -sd'|' | sed 's/|/ | /g') | $total s | $((size / 1048576)) MB |"
  done
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
