import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import ServeBench

/// SVG charts: nice ticks, CDF staircases, well-formed XML with one line per result file.
struct PlotTests {
    @Test func niceTicks() {
        // Range 97 → nice 100; 100 / 5 = 20 → step 20.
        #expect(AxisTicks(low: 0, high: 97).values == [0, 20, 40, 60, 80, 100])
        // Range 0.074 → 0.1, step 0.02, covering 0.012 ... 0.086 from 0 to 0.1.
        let small = AxisTicks(low: 0.012, high: 0.086)
        #expect(small.step == 0.02 && abs(small.lower) < 1e-12 && abs(small.upper - 0.1) < 1e-12)
        #expect(small.label(0.04) == "0.04")
        #expect(AxisTicks(low: 0, high: 1).values.count == 6)
        // A single value still gets an axis around it.
        let flat = AxisTicks(low: 5, high: 5)
        #expect(flat.lower < 5 && flat.upper > 5)
    }

    static func result(_ ttfts: [Double], rate: Double = 2) -> ServeResult {
        let records = ttfts.enumerated().map { index, ttft in
            RequestRecord(start: Double(index), end: Double(index) + 1, ttft: ttft, itls: [0.01], inputTokens: 3, outputTokens: 2, error: nil)
        }
        return SweepSelectionTests.run(rate: rate, attainment: 0, of: 0).with(records: records)
    }

    /// Samples 0.3, 0.1, 0.2 s: the CDF steps up by 1/3 at 100, 200 and 300 ms.
    @Test func cdfStaircase() {
        let series = BenchmarkPlots.cdf(.init(label: "a", file: .serve(Self.result([0.3, 0.1, 0.2]))), \.ttft)
        let expected: [(Double, Double)] = [(100, 0), (100, 1.0 / 3), (200, 1.0 / 3), (200, 2.0 / 3), (300, 2.0 / 3), (300, 1)]
        #expect(series.points.count == expected.count)
        for (point, want) in zip(series.points, expected) { #expect(abs(point.x - want.0) < 1e-9 && abs(point.y - want.1) < 1e-12) }
    }

    @Test func chartsAreWellFormedWithOneLinePerFile() throws {
        let sweep = SweepResult(dimension: .requestRate, targetAttainment: 0.9,
                                runs: [Self.result([0.1, 0.2], rate: 1), Self.result([0.2, 0.4], rate: 2)])
        let charts = BenchmarkPlots.charts([
            .init(label: "tern <fast> & co", file: .sweep(sweep)),
            .init(label: "peer", file: .serve(Self.result([0.5, 0.6, 0.7]))),
        ])
        #expect(Set(charts.keys) == ["ttft-cdf.svg", "tpot-cdf.svg", "throughput.svg", "goodput.svg", "slo-attainment.svg"])
        for (name, svg) in charts {
            let parser = XMLParser(data: Data(svg.utf8))
            #expect(parser.parse(), "\(name) is not well-formed XML: \(String(describing: parser.parserError))")
            #expect(svg.contains("tern &lt;fast&gt; &amp; co"))
            #expect(svg.contains(">peer</text>"))
        }
        // Two polylines in the CDF; in the throughput chart the sweep has a line, the single
        // serve run only a marker.
        #expect(try #require(charts["ttft-cdf.svg"]).components(separatedBy: "<polyline").count - 1 == 2)
        #expect(try #require(charts["throughput.svg"]).components(separatedBy: "<polyline").count - 1 == 1)
        #expect(try #require(charts["throughput.svg"]).components(separatedBy: "<circle").count - 1 == 3)
    }

    @Test func resultFilesRoundTrip() throws {
        let directory = FileManager.default.temporaryDirectory
        let serve = Self.result([0.1, 0.2]), sweep = SweepResult(dimension: .maxConcurrency, targetAttainment: 0.8, runs: [serve])
        for (file, value) in [("serve", ResultFile.serve(serve)), ("sweep", .sweep(sweep))] {
            let url = directory.appendingPathComponent("serve-bench-\(file)-\(UUID().uuidString).json")
            defer { try? FileManager.default.removeItem(at: url) }
            switch value {
            case .serve(let result): try ResultJSON.encode(result).write(to: url)
            case .sweep(let result): try ResultJSON.encode(result).write(to: url)
            }
            #expect(try ResultFile.read(path: url.path) == value)
        }
        #expect(throws: ResultFile.ReadError.self) { try ResultFile.read(path: "/nonexistent/result.json") }
    }
}

extension ServeResult {
    func with(records: [RequestRecord]) -> ServeResult { ServeResult(configuration: configuration, records: records) }
}
