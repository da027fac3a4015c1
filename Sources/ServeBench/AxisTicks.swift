import Foundation

/// "Nice" axis ticks: steps of 1, 2 or 5 times a power of ten that cover a data range
/// (Heckbert, "Nice numbers for graph labels", Graphics Gems, 1990).
struct AxisTicks: Equatable {
    let values: [Double]
    let step: Double

    var lower: Double { values[0] }
    var upper: Double { values[values.count - 1] }

    /// About `count` ticks spanning `low...high` (a degenerate range is widened around it).
    init(low: Double, high: Double, count: Int = 6) {
        var low = low, high = high
        if !(high > low) {
            let pad = low == 0 ? 1 : abs(low) * 0.5
            (low, high) = (low - pad, high + pad)
        }
        let range = Self.nice(high - low, round: false)
        let step = Self.nice(range / Double(max(1, count - 1)), round: true)
        let first = (low / step).rounded(.down), last = (high / step).rounded(.up)
        values = stride(from: first, through: last, by: 1).map { $0 * step }
        self.step = step
    }

    /// A nice number near `x`: rounded to the closest of 1, 2, 5, 10 (× 10^k), or the
    /// smallest of them not below `x`.
    static func nice(_ x: Double, round: Bool) -> Double {
        let exponent = floor(log10(x))
        let power = pow(10, exponent)
        let fraction = x / power
        let niceFraction: Double
        if round {
            niceFraction = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        } else {
            niceFraction = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        }
        return niceFraction * power
    }

    /// A tick value with just the decimals the step needs.
    func label(_ value: Double) -> String {
        let decimals = max(0, Int(-floor(log10(step))))
        return String(format: "%.\(decimals)f", abs(value) < step / 1e6 ? 0 : value)
    }
}
