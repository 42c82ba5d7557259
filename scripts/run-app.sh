#!/usr/bin/env bash
# Builds and starts the Roadie desktop app on this machine's default store (no server needed).
set -euo pipefail
source "$(dirname "$0")/env.sh"
bash "$ROOT/scripts/setup.sh"
step "build the UI"
(cd "$ROOT/ui" && npm run build)
step "build the app"
cargo build --manifest-path "$ROOT/Cargo.toml" -p roadie-desktop -p roadie-cli
step "start Roadie"
exec "$CARGO_TARGET_DIR/debug/roadie-desktop" "$@"
