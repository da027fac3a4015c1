#!/usr/bin/env bash
# Single-stream prefill and decode speed of `tern run` on one model.
# Usage: bench/single-stream.sh [--model PATH] [--reps N] [--threads "1 2"]
# Runs each thread count alternately, N times, and prints min/median/max tokens/s.
set -euo pipefail
cd "$(dirname "$0")/.."

model_args=()
reps=5
threads="1 2"
while [ $# -gt 0 ]; do
    case "$1" in
        --model) model_args=(--model "$2"); shift 2 ;;
        --reps) reps="$2"; shift 2 ;;
        --threads) threads="$2"; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done

swift build -c release --product tern >/dev/null
tern=.build/release/tern
# A fixed ~128-token prompt; generation is forced to 128 tokens with --ignore-eos.
prompt=$(python3 -c 'print(" ".join(["The quick brown fox jumps over the lazy dog while the sky turns orange."] * 8))')

results=$(mktemp)
trap 'rm -f "$results"' EXIT
for ((rep = 0; rep < reps; rep++)); do
    for t in $threads; do
        "$tern" run "${model_args[@]}" --threads "$t" --prompt "$prompt" --max-tokens 128 --ignore-eos \
            --temperature 0 --json 2>/dev/null | python3 -c '
import json, sys
r = json.load(sys.stdin)["timings"]
print(sys.argv[1], r["prompt_tokens"], r["prompt_tokens_per_second"], r["generated_tokens"], r["generation_tokens_per_second"])
' "$t" >> "$results"
    done
done
python3 - "$results" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
for t in sorted({r[0] for r in rows}, key=int):
    mine = [r for r in rows if r[0] == t]
    pp = sorted(float(r[2]) for r in mine)
    tg = sorted(float(r[4]) for r in mine)
    print(f"threads {t}: prefill pp{mine[0][1]} {statistics.median(pp):7.1f} tok/s (min {pp[0]:.1f}, max {pp[-1]:.1f}) | "
          f"decode tg{mine[0][3]} {statistics.median(tg):7.1f} tok/s (min {tg[0]:.1f}, max {tg[-1]:.1f}) | {len(mine)} runs")
PY
