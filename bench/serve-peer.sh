#!/usr/bin/env bash
# Serving side by side: `tern serve` and llama.cpp's `llama-server` on 127.0.0.1 with the same
# GGUF file, thread count, parallelism (llama-server's -np = Tern's --max-running) and total
# context (llama-server's -c = Tern's KV cache = parallel × per-sequence context), measured
# with the same `tern bench serve` workload, alternating server by server, round by round.
# Prints Tern / llama-server ratios (min / median / max over the rounds) and draws SVG charts.
#
# Phases (each `tern bench` run is bounded by a request count and a timeout):
#   throughput  (always)            --num-prompts requests, --concurrency clients, rate inf
#   goodput     (--sweep-rates R,…) `tern bench sweep` over those rates, SLO TTFT/TPOT
#   prefix      (--prefix-len P)    P-token shared prefix + input (after one request warms the
#                                   prefix) vs. P + input unique tokens: TTFT with cache hits
#
# Usage: bench/serve-peer.sh [--model PATH] [--rounds 3] [--num-prompts 64] [--concurrency 8]
#          [--input-len 100] [--output-len 128] [--threads 2] [--context 1024]
#          [--slo-ttft 1000] [--slo-tpot 100] [--sweep-rates 0.5,1,2,4] [--sweep-prompts 64]
#          [--prefix-len 512] [--timeout 900] [--out-dir DIR] [--plot-dir DIR]
# Environment: TERN_PEER_DIR (llama.cpp build), TERN_SCRATCH (tern build directory),
#              TERN_PORT / PEER_PORT (default 18080 / 18081).
set -euo pipefail
cd "$(dirname "$0")/.."

model=""
rounds=3
prompts=64
concurrency=8
input_len=100
output_len=128
threads=2
context=1024
slo_ttft=1000
slo_tpot=100
sweep_rates=""
sweep_prompts=64
prefix_len=0
run_timeout=900
out_dir=""
plot_dir=""
while [ $# -gt 0 ]; do
    case "$1" in
        --model) model="$2"; shift 2 ;;
        --rounds) rounds="$2"; shift 2 ;;
        --num-prompts) prompts="$2"; shift 2 ;;
        --concurrency) concurrency="$2"; shift 2 ;;
        --input-len) input_len="$2"; shift 2 ;;
        --output-len) output_len="$2"; shift 2 ;;
        --threads) threads="$2"; shift 2 ;;
        --context) context="$2"; shift 2 ;;
        --slo-ttft) slo_ttft="$2"; shift 2 ;;
        --slo-tpot) slo_tpot="$2"; shift 2 ;;
        --sweep-rates) sweep_rates="$2"; shift 2 ;;
        --sweep-prompts) sweep_prompts="$2"; shift 2 ;;
        --prefix-len) prefix_len="$2"; shift 2 ;;
        --timeout) run_timeout="$2"; shift 2 ;;
        --out-dir) out_dir="$2"; shift 2 ;;
        --plot-dir) plot_dir="$2"; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done

source bench/llama-cpp-build.sh
llama_server=$(llama_cpp_tool llama-server)
tern=$(tern_binary)
tern_port="${TERN_PORT:-18080}"
peer_port="${PEER_PORT:-18081}"
out_dir="${out_dir:-$(mktemp -d)}"
mkdir -p "$out_dir"
total_context=$((concurrency * context))

pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT INT TERM

# wait_ready URL PID: polls URL/health for up to 180 s while the server process lives.
wait_ready() {
    for _ in $(seq 1 360); do
        kill -0 "$2" 2>/dev/null || { echo "server for $1 exited; see $out_dir/*.log" >&2; exit 1; }
        if curl -sf "$1/health" >/dev/null 2>&1; then return 0; fi
        sleep 0.5
    done
    echo "server at $1 not ready after 180 s" >&2
    exit 1
}

for port in "$tern_port" "$peer_port"; do
    if curl -s "http://127.0.0.1:$port/" >/dev/null 2>&1; then echo "port $port is in use" >&2; exit 1; fi
done

# Tern resolves (and on first use fetches) the model through its own store rules; its startup
# line names the file, which llama-server then loads too.
"$tern" serve ${model:+--model "$model"} --threads "$threads" --host 127.0.0.1 --port "$tern_port" \
    --max-running "$concurrency" --max-model-len "$context" --kv-blocks $((total_context / 16)) \
    2> "$out_dir/tern.log" &
pids+=($!)
wait_ready "http://127.0.0.1:$tern_port" "${pids[-1]}"
if [ -z "$model" ]; then
    # The startup log names the file as `path=FILE` (or `model 'NAME' (FILE)`).
    model=$(sed -n -e "s/.* path=\([^ ]*\).*/\1/p" -e "s/.* model '[^']*' (\(.*\)), context.*/\1/p" "$out_dir/tern.log" | head -1)
fi
[ -f "$model" ] || { echo "cannot tell the model file from $out_dir/tern.log" >&2; exit 1; }

"$llama_server" -m "$model" -t "$threads" -tb "$threads" -np "$concurrency" -c "$total_context" \
    --host 127.0.0.1 --port "$peer_port" --no-webui > "$out_dir/llama-server.log" 2>&1 &
pids+=($!)
wait_ready "http://127.0.0.1:$peer_port" "${pids[-1]}"

echo "model: $model" >&2
echo "threads $threads, parallel $concurrency, context $context per sequence ($total_context total); results in $out_dir" >&2

# bench NAME PORT OUT ARGS...: one bounded `tern bench` run (serve unless ARGS start with sweep).
bench() {
    local name="$1" port="$2" out="$3"
    shift 3
    local command="serve"
    if [ "${1:-}" = "sweep" ]; then command="sweep"; shift; fi
    timeout "$run_timeout" "$tern" bench "$command" --url "http://127.0.0.1:$port" --quiet --out "$out" \
        --request-timeout 300 --slo-ttft "$slo_ttft" --slo-tpot "$slo_tpot" "$@" > "$out.txt" \
        || { echo "$name: bench $command failed or timed out (see $out.txt)" >&2; return 1; }
}

# alternate PHASE ROUND ARGS...: the same run against both servers, the order flipping each round.
alternate() {
    local phase="$1" round="$2"
    shift 2
    local order=("tern:$tern_port" "llama:$peer_port")
    if [ $((round % 2)) -eq 0 ]; then order=("llama:$peer_port" "tern:$tern_port"); fi
    for entry in "${order[@]}"; do
        bench "${entry%%:*}" "${entry##*:}" "$out_dir/$phase-${entry%%:*}-$round.json" "$@"
    done
}

workload=(--num-prompts "$prompts" --max-concurrency "$concurrency" --request-rate inf
          --input-len "$input_len" --output-len "$output_len")
echo "warm-up" >&2
alternate warmup 1 --num-prompts "$concurrency" --max-concurrency "$concurrency" --input-len "$input_len" --output-len 16 --seed 999
for ((round = 1; round <= rounds; round++)); do
    echo "throughput round $round/$rounds" >&2
    alternate throughput "$round" "${workload[@]}" --seed "$round"
done
if [ -n "$sweep_rates" ]; then
    echo "goodput sweep over rates $sweep_rates" >&2
    alternate sweep 1 sweep --request-rates "$sweep_rates" --num-prompts "$sweep_prompts" --input-len "$input_len" \
        --output-len "$output_len" --seed 100
fi
if [ "$prefix_len" -gt 0 ]; then
    for ((round = 1; round <= rounds; round++)); do
        echo "prefix round $round/$rounds" >&2
        # One request first puts the prefix in both caches (same seed, same prefix), so the
        # measured run's TTFT is that of prefix-cache hits.
        alternate prefix-warm "$round" --num-prompts 1 --shared-prefix-len "$prefix_len" --input-len 1 --output-len 1 \
            --seed $((200 + round))
        alternate prefix-shared "$round" "${workload[@]}" --shared-prefix-len "$prefix_len" --seed $((200 + round))
        alternate prefix-unique "$round" --num-prompts "$prompts" --max-concurrency "$concurrency" --request-rate inf \
            --input-len $((input_len + prefix_len)) --output-len "$output_len" --seed $((300 + round))
    done
fi

if [ -n "$plot_dir" ]; then
    "$tern" bench plot "$out_dir/throughput-tern-1.json" "$out_dir/throughput-llama-1.json" \
        --labels "Tern,llama-server" --out-dir "$plot_dir" --prefix "serve-" >&2
    if [ -n "$sweep_rates" ]; then
        "$tern" bench plot "$out_dir/sweep-tern-1.json" "$out_dir/sweep-llama-1.json" \
            --labels "Tern,llama-server" --out-dir "$plot_dir" --prefix "sweep-" >&2
    fi
fi

python3 - "$out_dir" "$rounds" "$model" <<'PY'
import json, statistics, sys, os
out, rounds, model = sys.argv[1], int(sys.argv[2]), sys.argv[3]

def load(name):
    path = os.path.join(out, name)
    return json.load(open(path)) if os.path.exists(path) else None

def metric(result, path):
    value = result["metrics"]
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return value

print(f"model: {model}")
print("| phase | metric | Tern (median) | llama-server (median) | Tern / llama-server min | median | max |")
print("|---|---|---|---|---|---|---|")

def row(phase, label, pairs):
    pairs = [(a, b) for a, b in pairs if a is not None and b is not None]
    if not pairs:
        return
    ratios = [a / b for a, b in pairs if b]
    spread = (f"{min(ratios):.2f} | {statistics.median(ratios):.2f} | {max(ratios):.2f}" if len(ratios) == len(pairs)
              else "- | - | -")
    print(f"| {phase} | {label} | {statistics.median(a for a, _ in pairs):.2f} | {statistics.median(b for _, b in pairs):.2f} | {spread} |")

for phase in ["throughput", "prefix-shared", "prefix-unique"]:
    runs = [(load(f"{phase}-tern-{r}.json"), load(f"{phase}-llama-{r}.json")) for r in range(1, rounds + 1)]
    runs = [(t, l) for t, l in runs if t and l]
    if not runs:
        continue
    for label, path in [("output tok/s", "output_throughput"), ("request/s", "request_throughput"),
                        ("TTFT p50 ms", "ttft_ms.median"), ("TTFT p99 ms", "ttft_ms.p99"),
                        ("TPOT p50 ms", "tpot_ms.median"), ("TPOT p99 ms", "tpot_ms.p99"),
                        ("goodput req/s", "goodput"), ("failed", "failed")]:
        row(phase, label, [(metric(t, path), metric(l, path)) for t, l in runs])

tern_sweep, llama_sweep = load("sweep-tern-1.json"), load("sweep-llama-1.json")
if tern_sweep and llama_sweep:
    def best(sweep):
        return sweep["runs"][sweep["best"]]["metrics"]["goodput"] if sweep.get("best") is not None else 0.0
    row("sweep", "max goodput req/s", [(best(tern_sweep), best(llama_sweep))])

for server in ["tern", "llama"]:
    shared = [load(f"prefix-shared-{server}-{r}.json") for r in range(1, rounds + 1)]
    unique = [load(f"prefix-unique-{server}-{r}.json") for r in range(1, rounds + 1)]
    pairs = [(s["metrics"]["ttft_ms"]["median"], u["metrics"]["ttft_ms"]["median"]) for s, u in zip(shared, unique)
             if s and u and s["metrics"].get("ttft_ms") and u["metrics"].get("ttft_ms")]
    if pairs:
        ratios = [a / b for a, b in pairs]
        print(f"{server}: TTFT p50 with a shared prefix / without: median {statistics.median(ratios):.2f} "
              f"(min {min(ratios):.2f}, max {max(ratios):.2f})")
PY
