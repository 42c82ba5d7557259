#!/usr/bin/env bash
# Benchmark: Roadie's audio analysis (decode + EBU R128 integrated/LRA/true peak + clipping +
# silence + SHA-256 + tags) of a 10-minute 24-bit/96 kHz stereo WAV, against
# `ffmpeg -nostats -i FILE -af ebur128=peak=true -f null -` in the same run. Prints wall time and
# peak RSS of each. Not a test: figures depend on the machine. Needs ffmpeg (bench only:
# `apt-get install ffmpeg`) and builds roadie in release mode.
#   bash bench/analyze-wav.sh [RUNS]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RUNS="${1:-3}"
command -v ffmpeg >/dev/null || { echo "needs ffmpeg (apt-get install ffmpeg)" >&2; exit 1; }
cargo build --release -p roadie-cli --manifest-path "$ROOT/Cargo.toml" >&2
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/roadie"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
WAV="$WORK/master-96k-24bit-10min.wav"
# Pink-ish programme: a 1 kHz tone plus noise, so loudness gating and LRA have work to do.
ffmpeg -nostdin -loglevel error -f lavfi -i "sine=frequency=1000:sample_rate=96000:duration=600" \
  -f lavfi -i "anoisesrc=color=pink:sample_rate=96000:duration=600:amplitude=0.2" \
  -filter_complex "[0][1]amix=inputs=2,aformat=channel_layouts=stereo" -c:a pcm_s24le "$WAV"
ls -l "$WAV" >&2
python3 - "$BIN" "$WAV" "$RUNS" <<'PY'
import json, resource, subprocess, sys, time, os
bin_, wav, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])

def measure(cmd):
    """Wall time and peak RSS (max over runs) of a child process; each run in a fresh python child
    so ru_maxrss is that command's own."""
    best, rss, out = None, 0, b""
    for _ in range(runs):
        probe = [sys.executable, "-c",
                 "import resource,subprocess,sys,time,json;t=time.perf_counter();"
                 "p=subprocess.run(sys.argv[1:],capture_output=True);"
                 "print(json.dumps([time.perf_counter()-t,resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,p.returncode]));"
                 "sys.stderr.buffer.write(p.stdout+p.stderr)"] + cmd
        p = subprocess.run(probe, capture_output=True)
        t, r, code = json.loads(p.stdout)
        if code != 0:
            sys.exit(f"{cmd[0]} failed: {p.stderr.decode()[-2000:]}")
        best = t if best is None else min(best, t)
        rss, out = max(rss, r), p.stderr
    return best, rss, out

rt, rr, rout = measure([bin_, "asset", "analyze", wav, "--json"])
ft, fr, fout = measure(["ffmpeg", "-nostdin", "-nostats", "-i", wav, "-af", "ebur128=peak=true", "-f", "null", "-"])
a = json.loads(rout.decode())[0]
summary = fout.decode().split("Summary:")[-1]
def grab(label):
    for line in summary.splitlines():
        if line.strip().split(":")[0] == label:
            return line.split(":", 1)[1].strip()
print(f"file: 10 min, 96 kHz, 24-bit, stereo, {os.path.getsize(wav)/1e6:.0f} MB; best of {runs} runs")
print(f"{'tool':<34} {'wall s':>7} {'peak RSS MB':>12}   integrated / LRA / true peak")
print(f"{'roadie asset analyze (release)':<34} {rt:>7.2f} {rr/1024:>12.1f}   {a['integrated_lufs']:.1f} LUFS / {a['loudness_range_lu']:.1f} LU / {a['true_peak_dbtp']:.1f} dBTP")
print(f"{'ffmpeg ebur128=peak=true':<34} {ft:>7.2f} {fr/1024:>12.1f}   {grab('I')} / {grab('LRA')} / {grab('Peak')}")
print(f"roadie/ffmpeg time ratio: {rt/ft:.2f}")
PY
