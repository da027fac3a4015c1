import ChatTemplate
import Testing

/// SmolLM2-135M-Instruct: ChatML with a default system prompt when the first message is not a system message.
@Suite struct SmolLM2TemplateTests {
    let template: ChatTemplate

    init() throws { template = try Fixture.template("smollm2-instruct.jinja") }

    @Test func systemAndUserWithGenerationPrompt() throws {
        let text = try template.render(messages: Conversation.systemAndUser, addGenerationPrompt: true)
        #expect(text == "<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n")
    }

    @Test func systemAndUserWithoutGenerationPrompt() throws {
        let text = try template.render(messages: Conversation.systemAndUser, addGenerationPrompt: false)
        #expect(text == "<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nHello<|im_end|>\n")
    }

    @Test func multiTurnGetsTheDefaultSystemPrompt() throws {
        let text = try template.render(messages: Conversation.multiTurn, addGenerationPrompt: false)
        #expect(text == """
            <|im_start|>system
            You are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>
            <|im_start|>user
            Hi there<|im_end|>
            <|im_start|>assistant
              Hello! How can I help?  <|im_end|>
            <|im_start|>user
            What is 2+2?<|im_end|>

            """)
    }

    @Test func multiTurnWithGenerationPrompt() throws {
        let text = try template.render(messages: Conversation.multiTurnWithSystem, addGenerationPrompt: true)
        #expect(text == """
            <|im_start|>system
            Be nice.<|im_end|>
            <|im_start|>user
            Hi there<|im_end|>
            <|im_start|>assistant
              Hello! How can I help?  <|im_end|>
            <|im_start|>user
            What is 2+2?<|im_end|>
            <|im_start|>assistant

            """)
    }

    @Test func noMessagesRendersOnlyTheGenerationPrompt() throws {
        #expect(try template.render(messages: [], addGenerationPrompt: true) == "<|im_start|>assistant\n")
        #expect(try template.render(messages: [], addGenerationPrompt: false) == "")
    }
}
