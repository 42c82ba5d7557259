#!/usr/bin/env bash
# Sync benchmark: N changes (default 100,000 new artists) pushed by device A through the platform
# server (real PostgreSQL on loopback) and pulled by device B; bytes on the wire per change
# (counted by a TCP proxy, gzip bodies, HTTP headers included); a no-op sync round trip (info +
# empty push + empty pull), median of 21. Prints a table.
# Usage: bench/sync.sh [N] [--debug]   (default: a release build; --debug: the dev profile the tests use)
# Needs: PostgreSQL 15 binaries (scripts/setup.sh).
set -euo pipefail
source "$(dirname "$0")/../scripts/env.sh"
N="${1:-100000}"
PROFILE=(--release)
[ "${2:-}" = "--debug" ] && PROFILE=()
ROADIE_SYNC_BENCH_N="$N" cargo test -q "${PROFILE[@]}" -p roadie-cli --test sync bench_sync -- --ignored --nocapture 2>&1 \
  | grep '^|'
