import Engine
import Foundation
import Hummingbird
import Logging
import Server

/// libFuzzer entry point: sends arbitrary bytes as the JSON body of a POST through the
/// server's router, so they go through the same decoding, validation, chat-template rendering,
/// tokenizing and (when valid) generation as a real request.
///
/// The first byte picks the endpoint (``Endpoint``), the rest is the body. Every input must get
/// an answer the API allows: 200 with a well-formed body, or 400/404 with an OpenAI error
/// object. A 5xx, a thrown error, a malformed body or a crash is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    let endpoint = Endpoint.from(selector: data[0])
    let body = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let reply: RouterBridge.Reply
    do {
        reply = try FuzzTarget.shared.bridge.send(uri: endpoint.uri, body: body)
    } catch {
        preconditionFailure("the router threw instead of answering: \(error)")
    }
    if let problem = ResponseCheck.problem(in: reply, endpoint: endpoint) {
        preconditionFailure("\(endpoint.uri) answered \(reply.status.code): \(problem)\nbody: \(String(decoding: reply.body, as: UTF8.self))")
    }
    return 0
}

/// The POST routes that read a JSON body.
enum Endpoint: CaseIterable {
    case chat, completions, tokenize, detokenize

    static func from(selector: UInt8) -> Endpoint { allCases[Int(selector) % allCases.count] }

    var selector: UInt8 { UInt8(Self.allCases.firstIndex(of: self)!) }

    var uri: String {
        switch self {
        case .chat: "/v1/chat/completions"
        case .completions: "/v1/completions"
        case .tokenize: "/tokenize"
        case .detokenize: "/detokenize"
        }
    }
}

/// The server under test: a tiny real engine behind an ``OpenAIServer`` router, made once.
final class FuzzTarget: Sendable {
    static let modelName = "fuzz"
    /// Short, so a valid request generates at most a few dozen tokens.
    static let contextLength = 32

    static let shared: FuzzTarget = {
        do { return try FuzzTarget() } catch { fatalError("cannot start the fuzz target: \(error)") }
    }()

    let engine: ServingEngine
    let bridge: RouterBridge

    private init() throws {
        let path = try FuzzModel.write()
        let bundle = try ModelBundle(path: path, threads: 1)
        engine = try ServingEngine(bundle: bundle, configuration: .init(kvBlocks: 128, blockSize: 4))
        let configuration = ServerConfiguration(modelName: Self.modelName, maxQueue: 4, contextLength: Self.contextLength,
                                                maxBodyBytes: 1 << 20)
        // One info line per request would slow the fuzzer down and bury its output.
        var logger = Logger(label: "tern.fuzz")
        logger.logLevel = .error
        let server = OpenAIServer(engine: engine, configuration: configuration, logger: logger)
        bridge = RouterBridge(router: server.makeRouter(), logger: logger)
        try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent)
    }
}

public typealias CArgv = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>

@_silgen_name("LLVMFuzzerRunDriver")
private func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<CArgv>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

/// Process entry point (see the GGUF harness for why it is not `main`).
/// `--write-seeds DIR` writes the seed corpus instead of fuzzing.
@_cdecl("ServerRequestFuzz_main")
public func fuzzerMain(_ argc: CInt, _ argv: CArgv) -> CInt {
    let arguments = (0..<Int(argc)).map { argv[$0].map { String(cString: $0) } ?? "" }
    if arguments.count == 3, arguments[1] == "--write-seeds" {
        return writeSeedRequests(to: arguments[2])
    }
    _ = FuzzTarget.shared
    var count = argc
    var vector = argv
    return runFuzzerDriver(&count, &vector, fuzz)
}
