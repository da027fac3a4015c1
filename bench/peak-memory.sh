#!/usr/bin/env bash
# Peak resident memory of Tern and llama.cpp doing the same benchmark run on the same GGUF file:
# `tern bench` and `llama-bench` with the same prompt and generation lengths, thread count and
# one repetition, each under GNU time, which reports the process's maximum resident set size.
# Both map the weights from the file, so the figure counts the weight pages the run touched plus
# everything the engine allocates (KV cache, activations, scratch).
#
# Usage: bench/peak-memory.sh [--model PATH] [--rounds 2] [-p 512] [-n 128] [-t 2]
# Environment: as bench/llama-cpp-peer.sh (TERN_PEER_DIR, TERN_SCRATCH).
set -euo pipefail
cd "$(dirname "$0")/.."

model=""
rounds=2
prompt=512
gen=128
threads=2
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
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)" >&2; exit 1; }

source bench/llama-cpp-build.sh
llama_bench=$(llama_cpp_tool llama-bench)
tern=$(tern_binary)
[ -n "$model" ] || model=$(default_model "$tern")

# Maximum resident set size in MiB of one command.
peak_mib() {
    local log
    log=$(mktemp)
    /usr/bin/time -v "$@" >/dev/null 2>"$log"
    awk -F: '/Maximum resident set size/ { printf "%.1f\n", $2 / 1024 }' "$log"
    rm -f "$log"
}

echo "model: $model (pp$prompt + tg$gen, $threads threads)"
echo "| round | Tern peak RSS (MiB) | llama.cpp peak RSS (MiB) | ratio |"
echo "|---|---|---|---|"
for ((round = 1; round <= rounds; round++)); do
    t=$(peak_mib "$tern" bench --model "$model" -p "$prompt" -n "$gen" -t "$threads" -r 1)
    l=$(peak_mib "$llama_bench" -m "$model" -p "$prompt" -n "$gen" -t "$threads" -r 1)
    echo "| $round | $t | $l | $(python3 -c "print(f'{$t / $l:.2f}')") |"
done
