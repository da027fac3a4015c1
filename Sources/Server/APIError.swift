import Foundation
import HTTPTypes
import Hummingbird

/// An error answered in OpenAI's shape: `{"error": {"message", "type", "param", "code"}}`.
///
/// Every failure a handler throws becomes one of these (see ``OpenAIErrorMiddleware``), so
/// clients written for OpenAI's API can read the message and the offending parameter.
public struct APIError: Error, Sendable, Equatable {
    public var status: HTTPResponse.Status
    public var message: String
    /// OpenAI's error category, e.g. `invalid_request_error`.
    public var type: String
    /// The request field at fault, when there is one.
    public var param: String?
    public var code: String?
    /// Extra response headers (e.g. `Retry-After` on 429).
    public var headers: HTTPFields

    public init(status: HTTPResponse.Status, message: String, type: String, param: String? = nil,
                code: String? = nil, headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.headers = headers
    }

    /// 400: a parameter is missing, malformed or out of range.
    public static func invalidParameter(_ param: String?, _ message: String) -> APIError {
        APIError(status: .badRequest, message: message, type: "invalid_request_error", param: param,
                 code: param == nil ? nil : "invalid_value")
    }

    /// 401: the API key is missing or wrong.
    public static let unauthorized = APIError(
        status: .unauthorized, message: "Incorrect or missing API key. Send it as 'Authorization: Bearer <key>'.",
        type: "invalid_request_error", code: "invalid_api_key")

    /// 404: no such model is served.
    public static func modelNotFound(_ name: String) -> APIError {
        APIError(status: .notFound, message: "The model '\(name)' does not exist.",
                 type: "invalid_request_error", param: "model", code: "model_not_found")
    }

    /// 429: too many requests are queued; retry after `seconds`.
    public static func queueFull(limit: Int, retryAfter seconds: Int = 1) -> APIError {
        var headers = HTTPFields()
        headers[.retryAfter] = String(seconds)
        return APIError(status: .tooManyRequests, message: "The server is busy: \(limit) requests are already queued. Retry later.",
                        type: "rate_limit_error", code: "queue_full", headers: headers)
    }

    /// 503: the model is still loading.
    public static let loading: APIError = {
        var headers = HTTPFields()
        headers[.retryAfter] = "5"
        return APIError(status: .serviceUnavailable, message: "The model is still loading. Retry shortly.",
                        type: "server_error", code: "model_loading", headers: headers)
    }()

    /// 503: the server is shutting down and takes no new requests.
    public static let draining = APIError(
        status: .serviceUnavailable, message: "The server is shutting down and accepts no new requests.",
        type: "server_error", code: "shutting_down")

    /// 503: the server shut down before the request finished.
    public static let interrupted = APIError(
        status: .serviceUnavailable, message: "The server shut down before the request finished.",
        type: "server_error", code: "shutting_down")

    /// The JSON body.
    var body: ErrorBody {
        ErrorBody(error: .init(message: message, type: type, param: param, code: code))
    }

    struct ErrorBody: Encodable {
        struct Detail: Encodable {
            let message: String
            let type: String
            let param: String?
            let code: String?

            // Absent `param` and `code` are written as null, as OpenAI does.
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(message, forKey: .message)
                try container.encode(type, forKey: .type)
                try container.encode(param, forKey: .param)
                try container.encode(code, forKey: .code)
            }

            private enum CodingKeys: String, CodingKey { case message, type, param, code }
        }
        let error: Detail
    }

    /// The HTTP response carrying this error.
    func response() -> Response {
        var headers = self.headers
        headers[.contentType] = "application/json"
        let data = (try? JSONEncoder().encode(body)) ?? Data(#"{"error":{"message":"internal error","type":"server_error","param":null,"code":null}}"#.utf8)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Turns every error a handler or the router throws into an OpenAI-shaped JSON response.
struct OpenAIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return error.response()
        } catch let error as any HTTPResponseError {
            return Self.translate(status: error.status, request: request).response()
        } catch {
            return APIError(status: .internalServerError, message: "internal error: \(error)", type: "server_error").response()
        }
    }

    /// Errors raised inside Hummingbird (unknown route, body too large, ...).
    static func translate(status: HTTPResponse.Status, request: Request) -> APIError {
        switch status {
        case .notFound:
            APIError(status: .notFound, message: "No route for \(request.method.rawValue) \(request.uri.path).",
                     type: "invalid_request_error", code: "not_found")
        case .contentTooLarge:
            APIError(status: .contentTooLarge, message: "The request body is too large.",
                     type: "invalid_request_error", code: "request_too_large")
        case .methodNotAllowed:
            APIError(status: .methodNotAllowed, message: "Method \(request.method.rawValue) is not allowed for \(request.uri.path).",
                     type: "invalid_request_error")
        default:
            APIError(status: status, message: status.reasonPhrase, type: status.code < 500 ? "invalid_request_error" : "server_error")
        }
    }
}
