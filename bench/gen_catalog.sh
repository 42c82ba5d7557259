#!/usr/bin/env bash
# Creates a store with a 400-track catalog (40 releases x 10 tracks, 40 artists) matching
# gen_distrokid.py's ISRCs and titles.  usage: gen_catalog.sh ROADIE_BIN STORE [TRACKS]
set -euo pipefail
bin=$1 db=$2 tracks=${3:-400}
"$bin" --db "$db" workspace create --kind label --name "Bench Label" >/dev/null
for ((a = 0; a < tracks / 10; a++)); do
  "$bin" --db "$db" artist add "Bench Artist $a" >/dev/null
  rel=$("$bin" --db "$db" --json release add --title "Bench Album $a" --type album --artist "Bench Artist $a" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  for ((k = 0; k < 10; k++)); do
    t=$((a * 10 + k))
    "$bin" --db "$db" track add "$rel" --title "$(printf 'Track %03d' $t)" --isrc "$(printf 'QZRDB26%05d' $t)" >/dev/null
  done
done
