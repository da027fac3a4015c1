import Foundation

/// Row-wise normalisation and activation functions of the transformer block.
public enum Elementwise {
    /// RMSNorm: out[i] = x[i] / sqrt(mean(x²) + eps) · weight[i], for each of `rows` rows of `count`.
    public static func rmsNorm(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, epsilon: Float,
                               output: UnsafeMutablePointer<Float>, rows: Int, count: Int) {
        for r in 0..<rows {
            let xr = x + r * count, out = output + r * count
            var sum: Float = 0
            var acc = SIMD8<Float>()
            var i = 0
            while i + 8 <= count {
                let v = UnsafeRawPointer(xr + i).loadUnaligned(as: SIMD8<Float>.self)
                acc.addProduct(v, v)
                i += 8
            }
            sum = acc.sum()
            while i < count { sum += xr[i] * xr[i]; i += 1 }
            let scale = 1 / (sum / Float(count) + epsilon).squareRoot()
            for j in 0..<count { out[j] = xr[j] * scale * weight[j] }
        }
    }

    /// SwiGLU: gate[i] = silu(gate[i]) · up[i], with silu(x) = x / (1 + e^−x).
    public static func swiglu(gate: UnsafeMutablePointer<Float>, up: UnsafePointer<Float>, count: Int) {
        for i in 0..<count {
            let g = gate[i]
            gate[i] = g / (1 + exp(-g)) * up[i]
        }
    }

    /// y[i] += x[i]
    public static func add(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { y[i] += x[i] }
    }
}
