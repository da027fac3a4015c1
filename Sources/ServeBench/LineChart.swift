/// A line chart drawn as SVG: axes with nice ticks and a grid, one colored line per series
/// (markers on short series), an optional dashed reference line, and a legend below.
struct LineChart {
    struct Series {
        var name: String
        var points: [(x: Double, y: Double)]
        /// Dots on the points (for measured loads, not for CDF staircases); drawn when 40 or fewer.
        var markers = true
    }

    var title: String
    var xLabel: String
    var yLabel: String
    var series: [Series]
    /// Fixed y range (e.g. 0...1 for a CDF); otherwise from 0 to the data's maximum.
    var yRange: ClosedRange<Double>?
    /// A dashed horizontal line, e.g. the attainment target.
    var reference: (y: Double, label: String)?

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]

    private static let width = 760.0, plotHeight = 380.0
    private static let left = 80.0, right = 30.0, top = 50.0, bottom = 60.0, legendRow = 22.0

    var svg: String {
        let legendRows = Double(series.count)
        var document = SVGDocument(width: Self.width, height: Self.top + Self.plotHeight + Self.bottom + legendRows * Self.legendRow + 10)
        let plotWidth = Self.width - Self.left - Self.right
        let xs = series.flatMap { $0.points.map(\.x) }, ys = series.flatMap { $0.points.map(\.y) }
        // Markers at the largest x keep a little room from the frame.
        let xHeadroom = series.contains { $0.markers } ? 1.04 : 1
        let xTicks = AxisTicks(low: min(0, xs.min() ?? 0), high: (xs.max() ?? 1) * xHeadroom)
        let yTicks = yRange.map { AxisTicks(low: $0.lowerBound, high: $0.upperBound) }
            ?? AxisTicks(low: min(0, ys.min() ?? 0), high: max(ys.max() ?? 1, reference?.y ?? 0))
        func px(_ x: Double) -> Double { Self.left + (x - xTicks.lower) / (xTicks.upper - xTicks.lower) * plotWidth }
        func py(_ y: Double) -> Double { Self.top + Self.plotHeight - (y - yTicks.lower) / (yTicks.upper - yTicks.lower) * Self.plotHeight }

        document.rect(x: 0, y: 0, width: document.width, height: document.height, fill: "white")
        document.text(title, x: Self.width / 2, y: 28, size: 17, anchor: .middle, bold: true)
        for tick in xTicks.values {
            document.line(x1: px(tick), y1: Self.top, x2: px(tick), y2: Self.top + Self.plotHeight, stroke: "#e5e5e5")
            document.text(xTicks.label(tick), x: px(tick), y: Self.top + Self.plotHeight + 18, anchor: .middle)
        }
        for tick in yTicks.values {
            document.line(x1: Self.left, y1: py(tick), x2: Self.left + plotWidth, y2: py(tick), stroke: "#e5e5e5")
            document.text(yTicks.label(tick), x: Self.left - 8, y: py(tick) + 4, anchor: .end)
        }
        document.rect(x: Self.left, y: Self.top, width: plotWidth, height: Self.plotHeight, fill: "none", stroke: "#333333")
        document.text(xLabel, x: Self.left + plotWidth / 2, y: Self.top + Self.plotHeight + 42, size: 13, anchor: .middle)
        document.text(yLabel, x: 22, y: Self.top + Self.plotHeight / 2, size: 13, anchor: .middle, rotated: true)
        if let reference {
            document.line(x1: Self.left, y1: py(reference.y), x2: Self.left + plotWidth, y2: py(reference.y), stroke: "#555555", dashed: true)
            document.text(reference.label, x: Self.left + plotWidth - 6, y: py(reference.y) - 6, size: 11, anchor: .end)
        }
        for (index, line) in series.enumerated() {
            let color = Self.palette[index % Self.palette.count]
            let points = line.points.map { (x: px($0.x), y: py($0.y)) }
            if points.count > 1 { document.polyline(points, stroke: color) }
            if line.markers && line.points.count <= 40 { for point in points { document.circle(x: point.x, y: point.y, radius: 3.5, fill: color) } }
            let legendY = Self.top + Self.plotHeight + Self.bottom + Double(index) * Self.legendRow + 6
            document.line(x1: Self.left, y1: legendY, x2: Self.left + 28, y2: legendY, stroke: color, width: 3)
            document.text(line.name, x: Self.left + 36, y: legendY + 4)
        }
        return document.rendered
    }
}
