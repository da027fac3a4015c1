import Foundation

/// A model's `tokenizer.chat_template`, parsed once and rendered for any
/// conversation the way transformers' `apply_chat_template` renders it:
/// Jinja with `trim_blocks=True`, `lstrip_blocks=True`, the `loopcontrols`
/// extension (`break`/`continue`), Jinja's default Undefined, and the
/// globals `raise_exception` and `strftime_now`. `tojson` is transformers'
/// version (`json.dumps` with `ensure_ascii=False`, no HTML escaping).
///
/// Rendering is byte-exact with that reference for the Jinja subset
/// implemented here; anything outside it throws a ``TemplateError`` naming
/// the construct and its line:column, never a wrong result.
public struct ChatTemplate: Sendable {
    /// The template text as given.
    public let source: String
    /// Bounds applied to every render.
    public var limits: RenderLimits
    private let nodes: [Node]

    /// Parses `source`. Throws ``TemplateError`` (kind `.syntax` or
    /// `.unsupported`) for invalid templates and unsupported tags.
    public init(source: String, limits: RenderLimits = RenderLimits()) throws(TemplateError) {
        let text = SourceText(source)
        var lexer = Lexer(source: text)
        var parser = Parser(source: text, segments: try lexer.run())
        self.nodes = try parser.parseTemplate()
        self.source = source
        self.limits = limits
    }

    /// Renders a conversation of plain role/content messages.
    ///
    /// The template sees `messages`, `add_generation_prompt`, `bos_token`,
    /// `eos_token`, `tools` and `documents` (both `none` unless given in
    /// `extra`, as transformers passes them), plus every entry of `extra`,
    /// which wins over the others. `now` is what `strftime_now` formats.
    public func render(messages: [ChatMessage], addGenerationPrompt: Bool, bosToken: String = "", eosToken: String = "",
                       extra: [String: TemplateValue] = [:], now: Date = Date()) throws(TemplateError) -> String {
        try render(messageValues: messages.map(\.templateValue), addGenerationPrompt: addGenerationPrompt,
                   bosToken: bosToken, eosToken: eosToken, extra: extra, now: now)
    }

    /// Renders a conversation whose messages are arbitrary mappings, for
    /// templates that read more than `role` and `content` (for example
    /// `tool_calls` or `tool_call_id`). Otherwise the same as
    /// ``render(messages:addGenerationPrompt:bosToken:eosToken:extra:now:)``.
    public func render(messageValues: [TemplateValue], addGenerationPrompt: Bool, bosToken: String = "", eosToken: String = "",
                       extra: [String: TemplateValue] = [:], now: Date = Date()) throws(TemplateError) -> String {
        var context: [String: TemplateValue] = [
            "messages": .array(messageValues),
            "add_generation_prompt": .bool(addGenerationPrompt),
            "bos_token": .string(bosToken),
            "eos_token": .string(eosToken),
            "tools": .none,
            "documents": .none,
        ]
        context.merge(extra) { _, given in given }
        return try render(context: context, now: now)
    }

    /// Renders with exactly the variables in `context` (no defaults added).
    public func render(context: [String: TemplateValue], now: Date = Date()) throws(TemplateError) -> String {
        let scope = Scope(parent: Globals.makeScope())
        for (name, value) in context { scope.assign(name, Value(value)) }
        return try Interpreter(limits: limits, now: now).render(nodes, scope: scope)
    }
}

extension Value {
    /// The runtime form of a value passed in from Swift.
    init(_ value: TemplateValue) {
        switch value {
        case .none: self = .none
        case .bool(let flag): self = .bool(flag)
        case .int(let number): self = .int(number)
        case .double(let number): self = .double(number)
        case .string(let text): self = .string(text)
        case .array(let items): self = .list(items.map(Value.init))
        case .object(let pairs):
            var dict = Dict()
            for (key, item) in pairs { dict.set(key, Value(item)) }
            self = .dict(dict)
        }
    }
}
