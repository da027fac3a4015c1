import ArgumentParser
import Kernels

/// `--kv-type`, shared by the commands that create a KV cache.
struct KVTypeOptions: ParsableArguments {
    @Option(name: .customLong("kv-type"), help: "KV cache element type: f16, or q8_0 (8-bit blocks of 32, ~1.9x the tokens per byte; head size must be a multiple of 32).")
    var kvType: KVElementType = .f16
}

extension KVElementType: ExpressibleByArgument {}
