extension Sampler {
    /// Inverse-CDF draw over `ids`, in their order in the buffer: returns the
    /// first id whose cumulative weight exceeds `unit · total`. Zero-weight
    /// tokens are never returned.
    static func draw(ids: UnsafeBufferPointer<Int32>, weights: UnsafePointer<Float>, unit: Double) -> Int32 {
        var total = 0.0
        for id in ids { total += Double(weights[Int(id)]) }
        let target = unit * total
        var cumulative = 0.0
        var lastPositive = ids.first ?? 0
        for id in ids {
            let weight = Double(weights[Int(id)])
            guard weight > 0 else { continue }
            cumulative += weight
            if target < cumulative { return id }
            lastPositive = id
        }
        return lastPositive
    }
}
