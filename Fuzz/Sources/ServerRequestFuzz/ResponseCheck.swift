import Foundation
import Hummingbird

/// What a response must look like for the API to be keeping its contract.
enum ResponseCheck {
    /// A description of what is wrong with `reply`, or nil when it is a legal answer.
    static func problem(in reply: RouterBridge.Reply, endpoint: Endpoint) -> String? {
        switch reply.status.code {
        case 200:
            return success(reply, endpoint: endpoint)
        case 400, 404:
            return errorObject(reply.body)
        default:
            return "status \(reply.status.code) is not an answer to client input"
        }
    }

    /// `{"error": {"message": String, "type": String, "param": String|null, "code": String|null}}`.
    static func errorObject(_ body: [UInt8]) -> String? {
        guard let object = json(body) as? [String: Any], let error = object["error"] as? [String: Any] else {
            return "not an OpenAI error object"
        }
        guard let message = error["message"] as? String, !message.isEmpty else { return "error.message is missing or empty" }
        guard error["type"] is String else { return "error.type is missing" }
        for key in ["param", "code"] where !(error[key] is String || error[key] is NSNull) {
            return "error.\(key) is neither a string nor null"
        }
        return nil
    }

    private static func success(_ reply: RouterBridge.Reply, endpoint: Endpoint) -> String? {
        if reply.contentType?.hasPrefix("text/event-stream") == true {
            return endpoint == .chat || endpoint == .completions ? eventStream(reply.body) : "a stream from \(endpoint.uri)"
        }
        guard let object = json(reply.body) as? [String: Any] else { return "the 200 body is not a JSON object" }
        switch endpoint {
        case .chat, .completions:
            guard let choices = object["choices"] as? [[String: Any]], !choices.isEmpty else { return "no choices" }
            for choice in choices {
                guard let reason = choice["finish_reason"] as? String, ["stop", "length"].contains(reason) else {
                    return "finish_reason is not stop or length"
                }
            }
            guard let usage = object["usage"] as? [String: Any], usage["prompt_tokens"] is Int,
                  usage["completion_tokens"] is Int else { return "usage is missing" }
            return nil
        case .tokenize:
            return object["tokens"] is [Int] ? nil : "no tokens"
        case .detokenize:
            return object["content"] is String ? nil : "no content"
        }
    }

    /// `data: {json}` frames separated by blank lines, ending with `data: [DONE]`.
    private static func eventStream(_ body: [UInt8]) -> String? {
        let frames = String(decoding: body, as: UTF8.self).components(separatedBy: "\n\n")
        guard frames.count >= 2, frames.last == "", frames[frames.count - 2] == "data: [DONE]" else {
            return "the event stream does not end with data: [DONE]"
        }
        for frame in frames.dropLast(2) {
            guard frame.hasPrefix("data: "), json(Array(frame.utf8.dropFirst(6))) is [String: Any] else {
                return "frame is not a data: JSON object: \(frame)"
            }
        }
        return nil
    }

    private static func json(_ bytes: [UInt8]) -> Any? {
        try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
    }
}
