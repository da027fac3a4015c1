#!/usr/bin/env bash
# Read bandwidth of this machine (see bandwidth.swift). Usage: bench/bandwidth.sh [max threads]
set -euo pipefail
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
swiftc -O -Xcc -march=x86-64-v3 "$(dirname "$0")/bandwidth.swift" -o "$out/bandwidth"
"$out/bandwidth" "${1:-2}"
