#!/usr/bin/env bash
# Side-by-side speed of Tern and llama.cpp on the same GGUF file and thread counts.
#
# Builds llama.cpp's llama-bench outside the repository (from the llama.cpp sources inside the
# llama-cpp-python source distribution on PyPI), caches the build, then runs `llama-bench` and
# `tern bench` alternately, one repetition each per round, and prints Tern / llama.cpp ratios
# with min / median / max over the rounds.
#
# Usage: bench/llama-cpp-peer.sh [--model PATH] [--rounds 5] [-p 128] [-n 128] [-t 1,2]
# Environment: TERN_PEER_DIR (default ~/.cache/tern/peer) holds the llama.cpp build.
set -euo pipefail
cd "$(dirname "$0")/.."

model=""
rounds=5
prompt=128
gen=128
threads="1,2"
while [ $# -gt 0 ]; do
    case "$1" in
        --model) model="$2"; shift 2 ;;
        --rounds) rounds="$2"; shift 2 ;;
        -p) prompt="$2"; shift 2 ;;
        -n) gen="$2"; shift 2 ;;
        -t) threads="$2"; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done

source bench/llama-cpp-build.sh
llama_bench=$(llama_cpp_tool llama-bench)
tern=$(tern_binary)
[ -n "$model" ] || model=$(default_model "$tern")

results=$(mktemp)
trap 'rm -f "$results"' EXIT
for ((round = 1; round <= rounds; round++)); do
    echo "round $round/$rounds" >&2
    "$tern" bench --model "$model" -p "$prompt" -n "$gen" -t "$threads" -r 1 --json 2>/dev/null \
        | python3 -c 'import json,sys; [print("tern", r["threads"], r["test"], r["avg_ts"]) for r in json.load(sys.stdin)]' >> "$results"
    "$llama_bench" -m "$model" -p "$prompt" -n "$gen" -t "$threads" -r 1 -o json 2>/dev/null \
        | python3 -c '
import json, sys
for r in json.load(sys.stdin):
    test = "pp%d" % r["n_prompt"] if r["n_gen"] == 0 else "tg%d" % r["n_gen"]
    print("llama", r["n_threads"], test, r["avg_ts"])' >> "$results"
done

python3 - "$results" "$model" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
print(f"model: {sys.argv[2]}")
print("| threads | test | Tern tok/s (median) | llama.cpp tok/s (median) | ratio min | ratio median | ratio max |")
print("|---|---|---|---|---|---|---|")
keys = sorted({(int(r[1]), r[2]) for r in rows}, key=lambda k: (k[1][:2], k[0], k[1]))
for threads, test in keys:
    tern = [float(r[3]) for r in rows if r[0] == "tern" and int(r[1]) == threads and r[2] == test]
    peer = [float(r[3]) for r in rows if r[0] == "llama" and int(r[1]) == threads and r[2] == test]
    ratios = [a / b for a, b in zip(tern, peer)]  # paired by round
    if not ratios:
        continue
    print(f"| {threads} | {test} | {statistics.median(tern):.1f} | {statistics.median(peer):.1f} | "
          f"{min(ratios):.2f} | {statistics.median(ratios):.2f} | {max(ratios):.2f} |")
PY
