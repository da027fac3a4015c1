import ChatTemplate
import Testing
import Foundation

/// Loads templates stored next to the tests and renders small snippets.
enum Fixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Templates")

    static func template(_ name: String) throws -> ChatTemplate {
        let source = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
        return try ChatTemplate(source: source)
    }
}

/// Renders `source` with exactly `context`.
func render(_ source: String, _ context: [String: TemplateValue] = [:], now: Date = Date()) throws -> String {
    try ChatTemplate(source: source).render(context: context, now: now)
}

/// The error parsing or rendering `source` throws, or nil when it succeeds.
func renderError(_ source: String, _ context: [String: TemplateValue] = [:]) -> TemplateError? {
    do {
        _ = try ChatTemplate(source: source).render(context: context)
        return nil
    } catch {
        return error
    }
}

/// The `TemplateError` that `body` throws, or nil when it throws nothing (or something else).
func templateError(_ body: () throws -> String) -> TemplateError? {
    do {
        _ = try body()
        return nil
    } catch let error as TemplateError {
        return error
    } catch {
        return nil
    }
}

/// Conversations shared by the model-template tests.
enum Conversation {
    static let systemAndUser = [
        ChatMessage(role: "system", content: "You are terse."),
        ChatMessage(role: "user", content: "Hello"),
    ]
    /// Starts with the user; the assistant turn has surrounding spaces that some templates trim.
    static let multiTurn = [
        ChatMessage(role: "user", content: "Hi there"),
        ChatMessage(role: "assistant", content: "  Hello! How can I help?  "),
        ChatMessage(role: "user", content: "What is 2+2?"),
    ]
    static let multiTurnWithSystem = [ChatMessage(role: "system", content: "Be nice.")] + multiTurn
    static let twoUsersInARow = [
        ChatMessage(role: "user", content: "a"),
        ChatMessage(role: "user", content: "b"),
    ]

    /// One OpenAI-style function tool.
    static let weatherTool: TemplateValue = [
        "type": "function",
        "function": [
            "name": "get_weather",
            "description": "Get the weather",
            "parameters": [
                "type": "object",
                "properties": ["city": ["type": "string", "description": "City name"]],
                "required": ["city"],
            ],
        ],
    ]

    /// A user question, an assistant tool call, and two tool results.
    static let toolExchange: [TemplateValue] = [
        ["role": "user", "content": "Weather in Paris?"],
        ["role": "assistant", "content": "", "tool_calls": [
            ["id": "abc123def", "type": "function", "function": ["name": "get_weather", "arguments": ["city": "Paris"]]],
        ]],
        ["role": "tool", "tool_call_id": "abc123def", "content": "{\"temp\": 21}"],
        ["role": "tool", "tool_call_id": "abc123def", "content": "sunny"],
    ]
}

/// A template, the variables it renders with, and the exact text expected.
struct RenderCase: Sendable, CustomTestStringConvertible {
    let template: String
    let expected: String
    var context: [String: TemplateValue] = [:]

    init(_ template: String, _ expected: String, _ context: [String: TemplateValue] = [:]) {
        self.template = template
        self.expected = expected
        self.context = context
    }

    var testDescription: String { template.debugDescription }
}
