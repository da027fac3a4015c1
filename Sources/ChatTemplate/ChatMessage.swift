/// One turn of a conversation, as `apply_chat_template` receives it: a role
/// (`system`, `user`, `assistant`, `tool`, ...) and its text.
///
/// Inside a template each message is a mapping with exactly the keys `role`
/// and `content`, in that order. Messages that need more fields (tool calls,
/// tool-call ids) can be passed as ``TemplateValue`` objects instead; see
/// ``ChatTemplate/render(messageValues:addGenerationPrompt:bosToken:eosToken:extra:)``.
public struct ChatMessage: Sendable, Codable, Equatable {
    /// Who produced the message.
    public var role: String
    /// The message text.
    public var content: String

    /// Creates a message from its role and text.
    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }

    /// The mapping a template sees for this message.
    public var templateValue: TemplateValue {
        .object([(key: "role", value: .string(role)), (key: "content", value: .string(content))])
    }
}
