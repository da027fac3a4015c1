import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The HTTP side of the benchmark: one connection pool to an OpenAI-compatible server.
public final class OpenAIClient: Sendable {
    public let baseURL: String
    let apiKey: String?
    let requestTimeout: TimeAmount
    let http: HTTPClient

    /// Errors of the calls made before the run (model list, tokenize).
    public enum ClientError: Error, CustomStringConvertible {
        case http(url: String, status: UInt, body: String)
        case transport(url: String, reason: String)
        case unexpectedBody(url: String, reason: String)

        public var description: String {
            switch self {
            case .http(let url, let status, let body): "\(url): HTTP \(status) \(body)"
            case .transport(let url, let reason): "\(url): \(reason)"
            case .unexpectedBody(let url, let reason): "\(url): unexpected response (\(reason))"
            }
        }
    }

    /// `maxConnections` should cover the requests that may be in flight at once; HTTP/1.1
    /// streams one response per connection.
    public init(baseURL: String, apiKey: String?, maxConnections: Int, requestTimeout: Double) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
        self.requestTimeout = .milliseconds(Int64(requestTimeout * 1000))
        var configuration = HTTPClient.Configuration()
        configuration.httpVersion = .http1Only
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, maxConnections))
        configuration.timeout = .init(connect: .seconds(10), read: self.requestTimeout)
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func shutdown() async {
        try? await http.shutdown()
    }

    /// A request to `path`; a POST of `body` when there is one. `closeConnection` asks for a
    /// fresh connection: some servers (llama.cpp's) close a kept-alive connection after a
    /// streamed response without saying so, and a request sent on it would fail. A loopback
    /// connect costs microseconds, far below the latencies measured.
    func makeRequest(path: String, body: Data?, closeConnection: Bool = false) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: baseURL + path)
        if closeConnection { request.headers.add(name: "Connection", value: "close") }
        if let body {
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        if let apiKey { request.headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        return request
    }

    /// A whole (non-streamed) JSON exchange, with the `Server` header of the response.
    func exchange(path: String, body: Data?) async throws(ClientError) -> (body: Data, server: String?) {
        let url = baseURL + path
        do {
            let response = try await http.execute(makeRequest(path: path, body: body), timeout: .seconds(30))
            let bytes = try await response.body.collect(upTo: 64 << 20)
            let data = Data(bytes.readableBytesView)
            guard response.status == .ok else {
                throw ClientError.http(url: url, status: response.status.code, body: String(decoding: data.prefix(300), as: UTF8.self))
            }
            return (data, response.headers.first(name: "server"))
        } catch let error as ClientError {
            throw error
        } catch {
            throw .transport(url: url, reason: "\(error)")
        }
    }

    /// The ids of `GET /v1/models` and the server's `Server` header.
    public func models() async throws(ClientError) -> (ids: [String], server: String?) {
        struct List: Decodable {
            struct Model: Decodable { var id: String }
            var data: [Model]
        }
        let (data, server) = try await exchange(path: "/v1/models", body: nil)
        do { return (try JSONDecoder().decode(List.self, from: data).data.map(\.id), server) } catch {
            throw .unexpectedBody(url: baseURL + "/v1/models", reason: "\(error)")
        }
    }
}

/// Counts tokens with the server's `POST /tokenize` (`{"content": ...}` → `{"tokens": [...]}`),
/// which both Tern and llama.cpp's server offer, without special tokens.
public struct ServerTokenCounter: TokenCounter {
    let client: OpenAIClient

    public init(client: OpenAIClient) { self.client = client }

    public func countTokens(_ text: String) async throws -> Int {
        struct Body: Encodable {
            var content: String
            var addSpecial = false
            enum CodingKeys: String, CodingKey { case content, addSpecial = "add_special" }
        }
        struct Tokens: Decodable { var tokens: [Int] }
        let (data, _) = try await client.exchange(path: "/tokenize", body: try JSONEncoder().encode(Body(content: text)))
        do { return try JSONDecoder().decode(Tokens.self, from: data).tokens.count } catch {
            throw OpenAIClient.ClientError.unexpectedBody(url: client.baseURL + "/tokenize", reason: "\(error)")
        }
    }
}
