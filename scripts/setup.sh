#!/usr/bin/env bash
# Installs everything Roadie needs on a fresh Debian 12 machine. Idempotent: each step is skipped
# when its result is already there.
set -euo pipefail
source "$(dirname "$0")/env.sh"

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

# Tauri's WebKitGTK stack, the WebDriver for the end-to-end test, a virtual display, CJK fonts;
# xmllint (libxml2-utils) validates exported DDEX ERN messages against the schema in the tests;
# libdbus-1-dev: the OS keychain (Secret Service over D-Bus) for the desktop's platform token.
# pdftotext (poppler-utils) reads statement PDFs back in the royalties tests (CJK text, totals).
PACKAGES=(build-essential pkg-config file libwebkit2gtk-4.1-dev libssl-dev libayatana-appindicator3-dev
  librsvg2-dev libsoup-3.0-dev libxdo-dev xvfb xauth webkit2gtk-driver fonts-noto-cjk python3 curl
  libxml2-utils postgresql-15 python3-venv libdbus-1-dev poppler-utils)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  step "apt-get install ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The platform's tests start throwaway PostgreSQL clusters; PostgreSQL refuses to run as root, so
# when the tests run as root they run it as this system user.
if [ "$(id -u)" = 0 ] && ! id -u roadie-pg >/dev/null 2>&1; then
  step "useradd roadie-pg (runs the test PostgreSQL clusters)"
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin roadie-pg
fi

# Python tools the platform's tests drive: tuspy (a standard tus client) and schemathesis (checks
# the server against its /openapi.json). In a venv outside the clone, shared by every clone.
PYVENV="${ROADIE_PYVENV:-$HOME/.cache/roadie/pyvenv}"
PY_REQS=(tuspy==1.1.0 schemathesis==4.32.5)
if [ ! -x "$PYVENV/bin/python" ]; then
  step "python venv $PYVENV"
  python3 -m venv "$PYVENV"
fi
if ! "$PYVENV/bin/python" -c 'import tusclient, schemathesis' >/dev/null 2>&1; then
  step "pip install ${PY_REQS[*]}"
  "$PYVENV/bin/pip" install -q --disable-pip-version-check "${PY_REQS[@]}"
fi

if ! command -v cargo >/dev/null; then
  echo "Roadie needs Rust (cargo) 1.90 or newer: https://rustup.rs" >&2
  exit 1
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "Roadie needs Node.js 20+ with npm" >&2
  exit 1
fi

if ! command -v tauri-driver >/dev/null; then
  step "cargo install tauri-driver"
  cargo install tauri-driver --locked --version 2.1.0
fi
if [ "${ROADIE_WITH_NEXTEST:-0}" = 1 ] && ! cargo nextest --version >/dev/null 2>&1; then
  step "cargo install cargo-nextest"
  cargo install cargo-nextest --locked
fi

step "npm ci (ui)"
if [ ! -d "$ROOT/ui/node_modules" ] || [ "$ROOT/ui/package-lock.json" -nt "$ROOT/ui/node_modules/.package-lock.json" ]; then
  (cd "$ROOT/ui" && npm ci --no-audit --no-fund)
fi
