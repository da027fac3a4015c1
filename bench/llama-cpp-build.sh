# Shared by the peer scripts (source it): builds llama.cpp tools outside the repository, once.
#
# llama.cpp comes from the sources inside the llama-cpp-python source distribution on PyPI;
# the build is cached under $TERN_PEER_DIR (default ~/.cache/tern/peer) and never committed.
#
#   llama_cpp_tool llama-server   # prints the tool's path, building it on first use
#   tern_binary                   # builds tern (release) and prints its path
#   default_model "$tern"         # fetches the default model (first use) and prints its path

peer_dir="${TERN_PEER_DIR:-$HOME/.cache/tern/peer}"
llama_version="0.3.36"
llama_build="$peer_dir/llama-cpp-python-$llama_version/build"

llama_cpp_tool() {
    local tool="$1"
    local path="$llama_build/bin/$tool"
    if [ ! -x "$path" ]; then
        echo "building $tool from llama-cpp-python $llama_version into $peer_dir (once) ..." >&2
        mkdir -p "$peer_dir"
        local src="$peer_dir/llama_cpp_python-$llama_version/vendor/llama.cpp"
        if [ ! -d "$src" ]; then
            command -v cmake >/dev/null || python3 -m pip install --quiet cmake
            python3 -m pip download --quiet --no-deps --no-binary llama-cpp-python \
                "llama-cpp-python==$llama_version" -d "$peer_dir"
            tar -xzf "$peer_dir/llama_cpp_python-$llama_version.tar.gz" -C "$peer_dir"
        fi
        if [ ! -f "$llama_build/CMakeCache.txt" ]; then
            cmake -S "$src" -B "$llama_build" -DGGML_NATIVE=ON -DCMAKE_BUILD_TYPE=Release \
                -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF >/dev/null
        fi
        cmake --build "$llama_build" -j "$(nproc)" --target "$tool" >/dev/null
    fi
    echo "$path"
}

# TERN_SCRATCH picks the build directory (default .build).
tern_binary() {
    local scratch="${TERN_SCRATCH:-.build}"
    swift build -c release --scratch-path "$scratch" --product tern >/dev/null
    echo "$scratch/release/tern"
}

default_model() {
    "$1" tokenize "hi" >/dev/null  # fetches the default model on first use
    python3 -c 'import os; d=os.environ.get("TERN_CACHE") or (os.environ.get("XDG_CACHE_HOME") and os.environ["XDG_CACHE_HOME"] + "/tern") or os.path.expanduser("~/.cache/tern"); print(d + "/SmolLM2-135M-Instruct.Q4_1.gguf")'
}
