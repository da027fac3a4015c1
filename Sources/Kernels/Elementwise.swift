import Foundation

/// Row-wise normalisation and activation functions of the transformer block.
public enum Elementwise {
    /// RMSNorm: out[i] = x[i] / sqrt(mean(x²) + eps) · weight[i], for each of `rows` rows of `count`.
    public static func rmsNorm(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, epsilon: Float,
                               output: UnsafeMutablePointer<Float>, rows: Int, count: Int) {
        for r in 0..<rows {
            let xr = x + r * count, out = output + r * count
            // Accumulated in Double, as ggml does, so the norm does not depend on summation order.
            var sum: Double = 0
            for i in 0..<count { sum += Double(xr[i] * xr[i]) }
            let scale = 1 / (Float(sum / Double(count)) + epsilon).squareRoot()
            for j in 0..<count { out[j] = xr[j] * scale * weight[j] }
        }
    }

    /// SwiGLU: gate[i] = silu(gate[i]) · up[i], with silu(x) = x / (1 + e^−x).
    public static func swiglu(gate: UnsafeMutablePointer<Float>, up: UnsafePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            let g = UnsafeRawPointer(gate + i).loadUnaligned(as: SIMD8<Float>.self)
            let u = UnsafeRawPointer(up + i).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(gate + i).storeBytes(of: g / (1 + exp8(-g)) * u, as: SIMD8<Float>.self)
            i += 8
        }
        for i in i..<count {
            let g = gate[i]
            gate[i] = g / (1 + exp(-g)) * up[i]
        }
    }

    /// y[i] += x[i]
    public static func add(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { y[i] += x[i] }
    }
}
