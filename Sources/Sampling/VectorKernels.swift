/// The vocabulary-wide loops of the sampler, one ``Block`` (8 tokens) per step.
///
/// Every function processes whole blocks and then the remainder as one
/// padded block, and lanes are independent, so a token's weight never
/// depends on where block boundaries fall or which path computed it.
enum VectorKernels {
    /// Eight lanes: one AVX register, two SSE registers. (Wider Swift SIMD
    /// types currently compile to much slower code.)
    typealias Block = SIMD8<Float>
    typealias BlockBits = SIMD8<Int32>
    static let width = Block.scalarCount

    @inline(__always)
    static func load(_ pointer: UnsafePointer<Float>, at index: Int, count: Int, padding: Float) -> Block {
        if index + width <= count {
            return UnsafeRawPointer(pointer + index).loadUnaligned(as: Block.self)
        }
        var block = Block(repeating: padding)
        for lane in 0 ..< count - index { block[lane] = pointer[index + lane] }
        return block
    }

    @inline(__always)
    static func store(_ block: Block, to pointer: UnsafeMutablePointer<Float>, at index: Int, count: Int) {
        if index + width <= count {
            UnsafeMutableRawPointer(pointer + index).storeBytes(of: block, as: Block.self)
        } else {
            for lane in 0 ..< count - index { pointer[index + lane] = block[lane] }
        }
    }

    /// Whether any lane of `mask` is set. Spelled out because the standard
    /// library's `any(_:)` may compile to a call performing a lane loop.
    @inline(__always)
    static func anyLane(_ mask: SIMDMask<BlockBits>) -> Bool {
        let bits = unsafeBitCast(mask, to: BlockBits.self)
        let four = bits.lowHalf | bits.highHalf
        let two = four.lowHalf | four.highHalf
        return (two[0] | two[1]) != 0
    }

    /// Sum of a block's lanes in a fixed pairwise order.
    @inline(__always)
    static func sum(_ block: Block) -> Float {
        let four = block.lowHalf + block.highHalf
        let two = four.lowHalf + four.highHalf
        return two[0] + two[1]
    }

    /// Replaces NaN by −∞ and +∞ by the largest finite value, in place, and
    /// returns the first index of the maximum (index 0 and −∞ when all
    /// values are −∞).
    static func sanitizeAndFindMax(_ values: UnsafeMutablePointer<Float>, count: Int) -> (index: Int, value: Float) {
        let negativeInfinity = Block(repeating: -.infinity)
        let largest = Block(repeating: .greatestFiniteMagnitude)
        var maxima = negativeInfinity
        var index = 0
        while index < count {
            var block = load(values, at: index, count: count, padding: -.infinity)
            let isNaN = block .!= block
            let isPositiveInfinity = block .== Block(repeating: .infinity)
            if anyLane(isNaN .| isPositiveInfinity) {
                block.replace(with: negativeInfinity, where: isNaN)
                block.replace(with: largest, where: isPositiveInfinity)
                store(block, to: values, at: index, count: count)
            }
            // Compare-and-select; `pointwiseMax` compiles to a lane loop.
            maxima.replace(with: block, where: block .> maxima)
            index += width
        }
        let maximum = maxima.max()
        index = 0
        while index < count {
            let block = load(values, at: index, count: count, padding: -.infinity)
            if anyLane(block .== Block(repeating: maximum)) {
                for lane in 0 ..< width where block[lane] == maximum { return (index + lane, maximum) }
            }
            index += width
        }
        return (0, maximum)
    }

    /// Computes the weights of the tokens `ids[0 ..< count]` in place in
    /// `values`, a block at a time (gathered), and returns their sum.
    static func exponentiate(
        _ values: UnsafeMutablePointer<Float>, ids: UnsafePointer<Int32>, count: Int,
        maxValue: Float, scale: Float
    ) -> Double {
        var total = 0.0
        var start = 0
        while start < count {
            let lanes = min(width, count - start)
            var block = Block(repeating: -.infinity)
            for lane in 0 ..< lanes { block[lane] = values[Int(ids[start + lane])] }
            let weights = FastExp.exp((block - maxValue) * scale)
            for lane in 0 ..< lanes {
                values[Int(ids[start + lane])] = weights[lane]
                total += Double(weights[lane])
            }
            start += width
        }
        return total
    }

    /// Appends to `ids` every token whose weight `exp((value − maxValue) · scale)`
    /// is at least `minimumWeight`, storing that weight in place; other
    /// entries of `values` are left unchanged. Blocks with no token within
    /// `logFloor` (a slightly loose `ln minimumWeight`) are rejected without
    /// exponentiating. Returns the number of ids written.
    static func collect(
        _ values: UnsafeMutablePointer<Float>, count: Int, maxValue: Float, scale: Float,
        minimumWeight: Float, logFloor: Float, into ids: UnsafeMutablePointer<Int32>
    ) -> Int {
        var kept = 0
        var index = 0
        while index < count {
            let scaled = (load(values, at: index, count: count, padding: -.infinity) - maxValue) * scale
            if anyLane(scaled .>= Block(repeating: logFloor)) {
                let weights = FastExp.exp(scaled)
                for lane in 0 ..< min(width, count - index) where weights[lane] >= minimumWeight && weights[lane] > 0 {
                    values[index + lane] = weights[lane]
                    ids[kept] = Int32(index + lane)
                    kept += 1
                }
            }
            index += width
        }
        return kept
    }

    /// Whether any of the (up to) `width` values starting at `index` exceeds `threshold`.
    @inline(__always)
    static func anyAbove(_ values: UnsafePointer<Float>, at index: Int, count: Int, threshold: Float) -> Bool {
        anyLane(load(values, at: index, count: count, padding: -.infinity) .> Block(repeating: threshold))
    }
}
