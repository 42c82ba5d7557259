#!/usr/bin/env bash
# Runs every test: engine and CLI (Rust), the bindings check, the UI (type check + Vitest), and
# the end-to-end test that drives the real app under Xvfb through tauri-driver + WebKitWebDriver.
set -euo pipefail
source "$(dirname "$0")/env.sh"
ROADIE_WITH_NEXTEST=1 bash "$ROOT/scripts/setup.sh"
cd "$ROOT"
start=$(date +%s)

step "UI: type check, unit tests, build"
(cd ui && npm run check && npm test && npm run build)

step "Rust: build everything once (the app embeds ui/dist; the e2e tests also run the CLI and roadie-platform)"
cargo build --workspace --all-targets --locked

step "Rust: engine, CLI and shell tests"
cargo nextest run --workspace --locked --no-fail-fast

step "e2e: the real app under Xvfb"
xvfb-run -a --server-args="-screen 0 1440x900x24" node --test --test-reporter=spec tests/e2e/

echo
echo "all tests passed in $(( $(date +%s) - start )) s"
