/// Top-p over a whole vocabulary without sorting it: a three-level radix
/// selection on the bit patterns of the weights.
///
/// For non-negative floats the bit pattern orders like the value, so the
/// nucleus (the shortest prefix, by descending weight, whose mass reaches the
/// target) can be located by bucketing weights on their top bits, summing
/// mass per bucket from the top down, and recursing only into the bucket
/// where the running mass crosses the target: every token in a higher bucket
/// is in the nucleus, every token in a lower one is not. Three levels refine
/// on bits 30…21, 20…9 and 8…0 (the sign bit is always clear); after them
/// the tokens left in the crossing bucket have identical weights and are
/// taken in ascending id order, the tie rule used everywhere else.
///
/// Tokens below a `floor` are never looked at individually (whole blocks
/// below it are skipped). With `floor = (1 − p) · total / n` this is exact:
/// all such tokens together weigh less than `(1 − p) · total`, so the others
/// already reach the target and the nucleus cannot extend below the floor.
/// A larger floor (min-p's) intersects the nucleus with the tokens above it.
///
/// Cost: one pass over the vocabulary plus work on the tokens above the
/// floor; no data-dependent worst case and no allocation.
struct NucleusSelection {
    /// Bit ranges of the three levels: (shift, bucket count).
    private static let levels: [(shift: UInt32, buckets: Int)] = [(21, 1024), (9, 4096), (0, 512)]

    /// The first level spreads its additions over this many interleaved
    /// histograms, so that runs of tokens falling into the same bucket do not
    /// serialize on one memory location.
    private static let firstLevelLanes = 4

    /// Histogram entries the caller must provide.
    static let histogramSize = 4096

    let weights: UnsafePointer<Float>
    let count: Int
    /// Receives the nucleus; must hold `count` entries.
    let kept: UnsafeMutablePointer<Int32>
    /// Scratch for the tokens of the crossing bucket; must hold `count` entries.
    let parked: UnsafeMutablePointer<Int32>
    /// Scratch of ``histogramSize`` entries.
    let histogram: UnsafeMutablePointer<Double>

    /// Writes the ids of the nucleus to the front of `kept` and returns how
    /// many there are (at least one when any weight is at least `floor`).
    ///
    /// - Parameters:
    ///   - target: The mass to reach, `topP` times the sum of all weights.
    ///   - floor: Tokens below it are excluded (see the type's discussion).
    func select(target: Double, floor: Float) -> Int {
        let first = Self.levels[0]
        let lanes = Self.firstLevelLanes
        histogram.update(repeating: 0, count: first.buckets * lanes)
        forEachBlock(atLeast: floor) { index in
            let weight = weights[index]
            guard weight >= floor else { return }
            let key = Self.bucket(of: weight, level: first)
            histogram[(index & (lanes - 1)) * first.buckets + key] += Double(weight)
        }
        for lane in 1 ..< lanes {
            for bucket in 0 ..< first.buckets { histogram[bucket] += histogram[lane * first.buckets + bucket] }
        }
        guard let (boundary, mass) = crossing(buckets: first.buckets, massAbove: 0, target: target) else {
            // The nucleus reaches below the floor: keep everything above it.
            var keptCount = 0
            forEachBlock(atLeast: floor) { index in
                kept[keptCount] = Int32(index)
                keptCount &+= weights[index] >= floor && weights[index] > 0 ? 1 : 0
            }
            return keptCount
        }

        var keptCount = 0
        var parkedCount = 0
        forEachBlock(atLeast: floor) { index in
            // Branch-free: both stores happen, the counters decide which stick.
            let weight = weights[index]
            let key = weight >= floor ? Self.bucket(of: weight, level: first) : -1
            kept[keptCount] = Int32(index)
            keptCount &+= key > boundary ? 1 : 0
            parked[parkedCount] = Int32(index)
            parkedCount &+= key == boundary ? 1 : 0
        }
        var massAbove = mass
        for level in Self.levels.dropFirst() {
            histogram.update(repeating: 0, count: level.buckets)
            for slot in 0 ..< parkedCount {
                let weight = weights[Int(parked[slot])]
                histogram[Self.bucket(of: weight, level: level)] += Double(weight)
            }
            guard let (boundary, mass) = crossing(buckets: level.buckets, massAbove: massAbove, target: target)
            else {
                // Summation order left the target just out of reach: keep all.
                return append(parkedCount, to: keptCount)
            }
            massAbove = mass
            // Compacting in place keeps the parked ids in ascending order.
            var stillParked = 0
            for slot in 0 ..< parkedCount {
                let id = parked[slot]
                let key = Self.bucket(of: weights[Int(id)], level: level)
                if key > boundary {
                    kept[keptCount] = id
                    keptCount += 1
                } else if key == boundary {
                    parked[stillParked] = id
                    stillParked += 1
                }
            }
            parkedCount = stillParked
        }
        // The parked tokens now share one weight: take them lowest id first.
        var taken = 0
        var cumulative = massAbove
        while taken < parkedCount {
            cumulative += Double(weights[Int(parked[taken])])
            taken += 1
            if cumulative >= target { break }
        }
        return append(taken, to: keptCount)
    }

    /// Calls `body` with every index of every block that has a weight at
    /// least `floor`, in ascending order.
    @inline(__always)
    private func forEachBlock(atLeast floor: Float, _ body: (Int) -> Void) {
        let width = VectorKernels.width
        let threshold = VectorKernels.Block(repeating: floor)
        var start = 0
        while start < count {
            let block = VectorKernels.load(weights, at: start, count: count, padding: 0)
            if VectorKernels.anyLane(block .>= threshold) {
                for index in start ..< min(start + width, count) { body(index) }
            }
            start += width
        }
    }

    /// The highest bucket with mass at which `massAbove` plus the bucket's
    /// mass reaches `target`, and the mass of the buckets above it.
    private func crossing(buckets: Int, massAbove: Double, target: Double) -> (bucket: Int, massAbove: Double)? {
        var cumulative = massAbove
        for bucket in stride(from: buckets - 1, through: 0, by: -1) where histogram[bucket] > 0 {
            if cumulative + histogram[bucket] >= target { return (bucket, cumulative) }
            cumulative += histogram[bucket]
        }
        return nil
    }

    /// Appends the first `taken` parked ids to the kept ones.
    private func append(_ taken: Int, to keptCount: Int) -> Int {
        (kept + keptCount).update(from: parked, count: taken)
        return keptCount + taken
    }

    @inline(__always)
    private static func bucket(of weight: Float, level: (shift: UInt32, buckets: Int)) -> Int {
        Int((weight.bitPattern >> level.shift) & UInt32(level.buckets - 1))
    }
}
