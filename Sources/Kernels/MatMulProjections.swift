extension MatMul {
    /// output = input · Wᵀ for each (W, output) pair in order. Consecutive projections whose
    /// weight formats want the same activation quantization share one quantization of the input;
    /// a projection that wants another mode (Q4_K_M files mix K-quants with Q8_0 or F16 tensors)
    /// quantizes it again.
    /// - Parameters:
    ///   - input: (tokens, columns) activations, columns being every weight matrix's
    ///   - scratch: quantization buffer for at least `tokens` rows of those columns
    public func project(_ input: UnsafePointer<Float>, tokens: Int, scratch: QuantizedActivations, pool: ThreadPool,
                        _ projections: [(WeightMatrix, UnsafeMutablePointer<Float>)]) {
        guard tokens > 0 else { return }
        var quantized: ActivationQuantization?
        for (weights, output) in projections {
            let mode = weights.type.activationQuantization
            self(weights, input: input, tokens: tokens, output: output, scratch: scratch, pool: pool,
                 quantizeInput: mode != nil && mode != quantized)
            if let mode { quantized = mode }
        }
    }
}
