import ChatTemplate
import Testing

/// Mistral-7B-Instruct v0.1/v0.2: `[INST]` turns, strict user/assistant alternation, no system role.
@Suite struct MistralV02TemplateTests {
    let template: ChatTemplate

    init() throws { template = try Fixture.template("mistral-instruct-v0.2.jinja") }

    @Test func multiTurn() throws {
        let text = try template.render(messages: Conversation.multiTurn, addGenerationPrompt: true, bosToken: "<s>", eosToken: "</s>")
        #expect(text == "<s>[INST] Hi there [/INST]  Hello! How can I help?  </s>[INST] What is 2+2? [/INST]")
    }

    @Test func singleUserMessage() throws {
        let text = try template.render(messages: [ChatMessage(role: "user", content: "Hello")], addGenerationPrompt: false,
                                       bosToken: "<s>", eosToken: "</s>")
        #expect(text == "<s>[INST] Hello [/INST]")
    }

    @Test func systemMessageBreaksAlternation() {
        let error = templateError { try template.render(messages: Conversation.systemAndUser, addGenerationPrompt: true) }
        #expect(error == TemplateError(.raised, "Conversation roles must alternate user/assistant/user/assistant/...",
                                       at: SourceLocation(line: 1, column: 110)))
    }

    @Test func twoUserMessagesInARowRaise() {
        let error = templateError { try template.render(messages: Conversation.twoUsersInARow, addGenerationPrompt: true) }
        #expect(error?.message == "Conversation roles must alternate user/assistant/user/assistant/...")
    }

    @Test func unknownRoleRaises() {
        let messages = [ChatMessage(role: "user", content: "a"), ChatMessage(role: "tool", content: "b")]
        let error = templateError { try template.render(messages: messages, addGenerationPrompt: true) }
        #expect(error?.message == "Only user and assistant roles are supported!")
    }
}

/// Mistral-7B-Instruct v0.3: system prompt folded into the last user turn, tools, tool calls and results.
@Suite struct MistralV03TemplateTests {
    let template: ChatTemplate

    init() throws { template = try Fixture.template("mistral-instruct-v0.3.jinja") }

    @Test func multiTurn() throws {
        let text = try template.render(messages: Conversation.multiTurn, addGenerationPrompt: true, bosToken: "<s>", eosToken: "</s>")
        #expect(text == "<s>[INST] Hi there[/INST] Hello! How can I help?</s>[INST] What is 2+2?[/INST]")
    }

    @Test func systemMessageJoinsTheLastUserTurn() throws {
        let text = try template.render(messages: Conversation.multiTurnWithSystem, addGenerationPrompt: false,
                                       bosToken: "<s>", eosToken: "</s>")
        #expect(text == "<s>[INST] Hi there[/INST] Hello! How can I help?</s>[INST] Be nice.\n\nWhat is 2+2?[/INST]")
    }

    @Test func systemAndUser() throws {
        let text = try template.render(messages: Conversation.systemAndUser, addGenerationPrompt: true, bosToken: "<s>")
        #expect(text == "<s>[INST] You are terse.\n\nHello[/INST]")
    }

    @Test func toolsPrecedeTheLastUserTurn() throws {
        let text = try template.render(messages: Conversation.multiTurn, addGenerationPrompt: true, bosToken: "<s>",
                                       eosToken: "</s>", extra: ["tools": [Conversation.weatherTool]])
        let tools = "[AVAILABLE_TOOLS] [{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", "
            + "\"description\": \"Get the weather\", \"parameters\": {\"type\": \"object\", \"properties\": "
            + "{\"city\": {\"type\": \"string\", \"description\": \"City name\"}}, \"required\": [\"city\"]}}}][/AVAILABLE_TOOLS]"
        #expect(text == "<s>[INST] Hi there[/INST] Hello! How can I help?</s>" + tools + "[INST] What is 2+2?[/INST]")
    }

    @Test func toolCallsAndResults() throws {
        let text = try template.render(messageValues: Conversation.toolExchange, addGenerationPrompt: true,
                                       bosToken: "<s>", eosToken: "</s>")
        #expect(text == "<s>[INST] Weather in Paris?[/INST]"
            + "[TOOL_CALLS] [{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}, \"id\": \"abc123def\"}]</s>"
            + "[TOOL_RESULTS] {\"content\": {\"temp\": 21}, \"call_id\": \"abc123def\"}[/TOOL_RESULTS]"
            + "[TOOL_RESULTS] {\"content\": sunny, \"call_id\": \"abc123def\"}[/TOOL_RESULTS]")
    }

    @Test func badToolCallIdRaises() {
        let messages: [TemplateValue] = [
            ["role": "user", "content": "x"],
            ["role": "assistant", "tool_calls": [["id": "short", "function": ["name": "f", "arguments": [:] as TemplateValue]]]],
        ]
        let error = templateError { try template.render(messageValues: messages, addGenerationPrompt: false) }
        #expect(error?.message == "Tool call IDs should be alphanumeric strings with length 9!")
    }

    @Test func twoUserMessagesInARowRaise() {
        let error = templateError { try template.render(messages: Conversation.twoUsersInARow, addGenerationPrompt: true) }
        #expect(error?.kind == .raised)
        #expect(error?.message == "After the optional system message, conversation roles must alternate user/assistant/user/assistant/...")
    }
}
