#!/usr/bin/env bash
# Benchmarks of the platform server, on loopback only, with release builds:
#  1. upload: a SIZE_MB file through the app's tus client (`roadie upload`, which hashes the file,
#     sends 16 MiB PATCHes each with a SHA-256 checksum, and records progress in its store)
#     against the same file sent by curl as one single PATCH. Goal: the app at 70% or more of
#     curl's throughput.
#  2. load: sign-in (argon2id) and an authorised request (GET /v1/workspaces) under wrk for
#     DURATION seconds each: requests/s, p50/p99 latency, errors.
# Prints a table. Usage: bench/platform.sh [SIZE_MB=1024] [DURATION=60] (DURATION 0: no load test;
# ROADIE_UPLOAD_CHUNK_BYTES sets the app's chunk size).
# Needs: PostgreSQL 15 binaries (scripts/setup.sh), curl, wrk (apt-get install wrk).
set -euo pipefail
source "$(dirname "$0")/../scripts/env.sh"
SIZE_MB="${1:-1024}"
DURATION="${2:-60}"
PG_BIN="${ROADIE_PG_BIN:-/usr/lib/postgresql/15/bin}"
command -v wrk >/dev/null || { echo "bench needs wrk: apt-get install wrk" >&2; exit 1; }

step "release build (roadie-platform, roadie)"
cargo build --release -q -p roadie-platform -p roadie-cli
SERVER_BIN="$CARGO_TARGET_DIR/release/roadie-platform"
CLI_BIN="$CARGO_TARGET_DIR/release/roadie"

WORK="$(mktemp -d /tmp/roadie-bench-XXXXXX)"
chmod 755 "$WORK" # the PostgreSQL user must reach $WORK/pg
PG_PID="" SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  [ -n "$PG_PID" ] && kill -INT "$PG_PID" 2>/dev/null && wait "$PG_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# PostgreSQL refuses root: run it as roadie-pg (scripts/setup.sh). setpriv execs, so $! is postgres.
AS_PG=()
if [ "$(id -u)" = 0 ]; then AS_PG=(setpriv --reuid=roadie-pg --regid=roadie-pg --init-groups --); fi

step "PostgreSQL cluster in $WORK/pg"
mkdir -p "$WORK/pg"
[ "$(id -u)" = 0 ] && chown roadie-pg:roadie-pg "$WORK/pg"
"${AS_PG[@]}" "$PG_BIN/initdb" -D "$WORK/pg/data" -U postgres -A trust --no-sync -E UTF8 --no-locale >/dev/null
PG_PORT="$(free_port)"
"${AS_PG[@]}" "$PG_BIN/postgres" -D "$WORK/pg/data" -p "$PG_PORT" -h 127.0.0.1 -k "$WORK/pg" -c max_connections=200 >"$WORK/pg.log" 2>&1 &
PG_PID=$!
until "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres; do sleep 0.2; done

step "roadie-platform serve"
PORT="$(free_port)"
BASE="http://127.0.0.1:$PORT"
ROADIE_PLATFORM_LOG=warn "$SERVER_BIN" serve --listen "127.0.0.1:$PORT" \
  --database-url "postgres://postgres@127.0.0.1:$PG_PORT/postgres" --storage "$WORK/objects" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
until curl -fs "$BASE/health" >/dev/null; do sleep 0.2; done

PASSWORD="bench password 1"
TOKEN="$(curl -fs -X POST "$BASE/v1/auth/signup" -H 'Content-Type: application/json' \
  -d "{\"email\":\"bench@example.com\",\"password\":\"$PASSWORD\",\"name\":\"Bench\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"

step "a ${SIZE_MB} MB file"
head -c "$((SIZE_MB * 1024 * 1024))" /dev/urandom >"$WORK/master.wav"
BYTES="$(stat -c %s "$WORK/master.wav")"

now() { date +%s.%N; }

step "curl: one PATCH"
LOCATION="$(curl -fsi -X POST "$BASE/v1/uploads" -H "Authorization: Bearer $TOKEN" -H 'Tus-Resumable: 1.0.0' \
  -H "Upload-Length: $BYTES" | tr -d '\r' | awk -F': ' 'tolower($1)=="location"{print $2}')"
t0="$(now)"
curl -fs -X PATCH -T "$WORK/master.wav" "$BASE$LOCATION" -H "Authorization: Bearer $TOKEN" -H 'Tus-Resumable: 1.0.0' \
  -H 'Upload-Offset: 0' -H 'Content-Type: application/offset+octet-stream' -o /dev/null
t1="$(now)"
CURL_S="$(python3 -c "print(f'{$t1-$t0:.2f}')")"
curl -fs -X DELETE "$BASE$LOCATION" -H "Authorization: Bearer $TOKEN" -H 'Tus-Resumable: 1.0.0' >/dev/null

step "roadie upload (the app's tus client)"
echo "$PASSWORD" | "$CLI_BIN" --db "$WORK/store.sqlite" login --server "$BASE" --email bench@example.com >/dev/null
t0="$(now)"
"$CLI_BIN" --db "$WORK/store.sqlite" upload "$WORK/master.wav" --json >/dev/null
t1="$(now)"
APP_S="$(python3 -c "print(f'{$t1-$t0:.2f}')")"

if [ "$DURATION" != 0 ]; then
step "load: sign-in and an authorised request, ${DURATION} s each (wrk, 2 threads, 16 connections)"
cat >"$WORK/login.lua" <<EOF
wrk.method = "POST"
wrk.body = '{"email":"bench@example.com","password":"$PASSWORD"}'
wrk.headers["Content-Type"] = "application/json"
EOF
wrk -t2 -c16 -d"${DURATION}s" --latency -s "$WORK/login.lua" "$BASE/v1/auth/login" >"$WORK/wrk-login.txt"
wrk -t2 -c16 -d"${DURATION}s" --latency -H "Authorization: Bearer $TOKEN" "$BASE/v1/workspaces" >"$WORK/wrk-auth.txt"
fi

summary() {
  python3 - "$1" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
rps = re.search(r"Requests/sec:\s+([\d.]+)", t).group(1)
p50 = re.search(r"50%\s+(\S+)", t).group(1)
p99 = re.search(r"99%\s+(\S+)", t).group(1)
total = re.search(r"(\d+) requests in", t).group(1)
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
sock = re.search(r"Socket errors: (.*)", t)
errs = (int(non2xx.group(1)) if non2xx else 0)
print(f"{rps:>10} {p50:>9} {p99:>9} {total:>9} {errs:>8} {('socket ' + sock.group(1)) if sock else ''}")
PY
}

echo
echo "upload of $BYTES bytes"
python3 - "$BYTES" "$CURL_S" "$APP_S" <<'PY'
import sys
b, c, a = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
print(f"{'client':<34} {'seconds':>8} {'MB/s':>8}")
print(f"{'curl, one PATCH':<34} {c:>8.2f} {b/c/1e6:>8.1f}")
print(f"{'roadie upload (the app)':<34} {a:>8.2f} {b/a/1e6:>8.1f}")
print(f"app / curl throughput: {c/a*100:.0f}% (goal >= 70%)")
PY
[ "$DURATION" = 0 ] && exit 0
echo
printf '%-26s %10s %9s %9s %9s %8s\n' "load (${DURATION} s, 16 conn)" "req/s" "p50" "p99" "requests" "non-2xx"
printf '%-26s ' "POST /v1/auth/login"; summary "$WORK/wrk-login.txt"
printf '%-26s ' "GET /v1/workspaces"; summary "$WORK/wrk-auth.txt"
