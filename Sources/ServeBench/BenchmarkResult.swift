import Foundation

/// One `bench serve` run as saved to JSON: how it was made, its figures and every request.
public struct ServeResult: Codable, Sendable, Equatable {
    public var kind = "serve"
    public var configuration: BenchmarkConfiguration
    public var metrics: BenchmarkMetrics
    public var requests: [RequestRecord]

    public init(configuration: BenchmarkConfiguration, records: [RequestRecord]) {
        self.configuration = configuration
        metrics = BenchmarkMetrics(records: records, slo: configuration.slo)
        requests = records
    }
}

/// A `bench sweep`: serve runs over increasing request rates or concurrencies, and the
/// highest one whose SLO attainment stayed at or above the target.
public struct SweepResult: Codable, Sendable, Equatable {
    public var kind = "sweep"
    public var dimension: SweepDimension
    public var targetAttainment: Double
    public var runs: [ServeResult]
    /// Index into `runs` of the highest passing load; nil when even the lowest missed the target.
    public var best: Int?

    public init(dimension: SweepDimension, targetAttainment: Double, runs: [ServeResult]) {
        self.dimension = dimension
        self.targetAttainment = targetAttainment
        self.runs = runs
        best = SweepSelection.highestPassing(runs.map { (dimension.load(of: $0.configuration), $0.metrics.sloAttainment ?? 0) },
                                             target: targetAttainment)
    }

    /// Goodput at the best load: the maximum goodput the sweep found.
    public var maxGoodput: Double? { best.flatMap { runs[$0].metrics.goodput } }

    enum CodingKeys: String, CodingKey {
        case kind, dimension, runs, best
        case targetAttainment = "target_attainment"
    }
}

/// What a sweep varies.
public enum SweepDimension: String, Codable, Sendable {
    case requestRate = "request_rate", maxConcurrency = "max_concurrency"

    /// The run's load on this axis (infinite rate and no cap read as +∞).
    public func load(of configuration: BenchmarkConfiguration) -> Double {
        switch self {
        case .requestRate: configuration.requestRate.value ?? .infinity
        case .maxConcurrency: configuration.maxConcurrency.map(Double.init) ?? .infinity
        }
    }

    public var axisLabel: String { self == .requestRate ? "request rate (req/s)" : "max concurrency" }
}

/// A result file: one run or one sweep.
public enum ResultFile: Sendable, Equatable {
    case serve(ServeResult)
    case sweep(SweepResult)

    public enum ReadError: Error, CustomStringConvertible {
        case unreadable(path: String, reason: String)
        case unknownKind(path: String, kind: String)

        public var description: String {
            switch self {
            case .unreadable(let path, let reason): "cannot read result file '\(path)': \(reason)"
            case .unknownKind(let path, let kind): "'\(path)' is a '\(kind)' file, not a serve or sweep result"
            }
        }
    }

    public static func read(path: String) throws(ReadError) -> ResultFile {
        struct Kind: Decodable { var kind: String }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            let decoder = JSONDecoder()
            let kind = try decoder.decode(Kind.self, from: data).kind
            switch kind {
            case "serve": return .serve(try decoder.decode(ServeResult.self, from: data))
            case "sweep": return .sweep(try decoder.decode(SweepResult.self, from: data))
            default: throw ReadError.unknownKind(path: path, kind: kind)
            }
        } catch let error as ReadError {
            throw error
        } catch {
            throw .unreadable(path: path, reason: "\(error)")
        }
    }

    /// Every run in the file.
    public var runs: [ServeResult] {
        switch self {
        case .serve(let result): [result]
        case .sweep(let sweep): sweep.runs
        }
    }

    /// The run whose latency distributions stand for the file: a serve run, or a sweep's best
    /// run (its lowest load when none passed).
    public var representativeRun: ServeResult? {
        switch self {
        case .serve(let result): result
        case .sweep(let sweep): sweep.best.map { sweep.runs[$0] } ?? sweep.runs.first
        }
    }
}

/// JSON as result files are written: sorted keys, indented.
public enum ResultJSON {
    public static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }
}
