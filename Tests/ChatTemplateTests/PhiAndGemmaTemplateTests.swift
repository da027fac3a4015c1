import ChatTemplate
import Testing

/// Phi-3-mini-4k-instruct: `<|role|>` turns ended by `<|end|>`; EOS instead of a generation prompt.
@Suite struct Phi3TemplateTests {
    let template: ChatTemplate

    init() throws { template = try Fixture.template("phi-3-mini-instruct.jinja") }

    @Test func systemAndUser() throws {
        let text = try template.render(messages: Conversation.systemAndUser, addGenerationPrompt: true, eosToken: "<|endoftext|>")
        #expect(text == "<|system|>\nYou are terse.<|end|>\n<|user|>\nHello<|end|>\n<|assistant|>\n")
    }

    @Test func multiTurnEndsWithEOSWithoutGenerationPrompt() throws {
        let text = try template.render(messages: Conversation.multiTurn, addGenerationPrompt: false, eosToken: "<|endoftext|>")
        #expect(text == "<|user|>\nHi there<|end|>\n<|assistant|>\n  Hello! How can I help?  <|end|>\n<|user|>\nWhat is 2+2?<|end|>\n<|endoftext|>")
    }

    @Test func unknownRolesAreSkipped() throws {
        let messages = [ChatMessage(role: "tool", content: "x"), ChatMessage(role: "user", content: "y")]
        #expect(try template.render(messages: messages, addGenerationPrompt: true) == "<|user|>\ny<|end|>\n<|assistant|>\n")
    }
}

/// Gemma 2 instruct: `model` instead of `assistant`, trimmed content, no system role.
@Suite struct GemmaTemplateTests {
    let template: ChatTemplate

    init() throws { template = try Fixture.template("gemma-2-instruct.jinja") }

    @Test func multiTurnMapsAssistantToModel() throws {
        let text = try template.render(messages: Conversation.multiTurn, addGenerationPrompt: true, bosToken: "<bos>")
        #expect(text == "<bos><start_of_turn>user\nHi there<end_of_turn>\n"
            + "<start_of_turn>model\nHello! How can I help?<end_of_turn>\n"
            + "<start_of_turn>user\nWhat is 2+2?<end_of_turn>\n<start_of_turn>model\n")
    }

    @Test func singleUserWithoutGenerationPrompt() throws {
        let text = try template.render(messages: [ChatMessage(role: "user", content: " Hello\n")], addGenerationPrompt: false, bosToken: "<bos>")
        #expect(text == "<bos><start_of_turn>user\nHello<end_of_turn>\n")
    }

    @Test func systemRoleRaises() {
        let error = templateError { try template.render(messages: Conversation.systemAndUser, addGenerationPrompt: true) }
        #expect(error == TemplateError(.raised, "System role not supported", at: SourceLocation(line: 1, column: 59)))
        #expect(error?.description == "System role not supported at 1:59")
    }

    @Test func systemRoleRaisesEvenInMultiTurn() {
        let error = templateError { try template.render(messages: Conversation.multiTurnWithSystem, addGenerationPrompt: false) }
        #expect(error?.message == "System role not supported")
    }

    @Test func brokenAlternationRaises() {
        let error = templateError { try template.render(messages: Conversation.twoUsersInARow, addGenerationPrompt: true) }
        #expect(error?.message == "Conversation roles must alternate user/assistant/user/assistant/...")
    }
}
