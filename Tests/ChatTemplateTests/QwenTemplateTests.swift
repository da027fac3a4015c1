import ChatTemplate
import Testing

/// Qwen2.5-Instruct: ChatML with a default system prompt, a tools section, `<tool_call>` and `<tool_response>` blocks.
@Suite struct QwenTemplateTests {
    let template: ChatTemplate
    static let defaultSystem = "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n"
    static let toolsSection = "\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
        + "You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n"
        + "{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"description\": \"Get the weather\", "
        + "\"parameters\": {\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\", \"description\": \"City name\"}}, "
        + "\"required\": [\"city\"]}}}\n</tools>\n\n"
        + "For each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n"
        + "<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call><|im_end|>\n"

    init() throws { template = try Fixture.template("qwen2.5-instruct.jinja") }

    @Test func systemAndUser() throws {
        let text = try template.render(messages: Conversation.systemAndUser, addGenerationPrompt: true)
        #expect(text == "<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n")
    }

    @Test func multiTurnUsesTheDefaultSystemPrompt() throws {
        let text = try template.render(messages: Conversation.multiTurn, addGenerationPrompt: false)
        #expect(text == Self.defaultSystem
            + "<|im_start|>user\nHi there<|im_end|>\n"
            + "<|im_start|>assistant\n  Hello! How can I help?  <|im_end|>\n"
            + "<|im_start|>user\nWhat is 2+2?<|im_end|>\n")
    }

    @Test func toolsWithSystemMessage() throws {
        let text = try template.render(messages: Conversation.systemAndUser, addGenerationPrompt: true,
                                       extra: ["tools": [Conversation.weatherTool]])
        #expect(text == "<|im_start|>system\nYou are terse." + Self.toolsSection
            + "<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n")
    }

    @Test func toolsWithoutSystemMessage() throws {
        let text = try template.render(messages: [ChatMessage(role: "user", content: "Hello")], addGenerationPrompt: false,
                                       extra: ["tools": [Conversation.weatherTool]])
        #expect(text == "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant." + Self.toolsSection
            + "<|im_start|>user\nHello<|im_end|>\n")
    }

    @Test func emptyToolsListIsTheNoToolsBranch() throws {
        let text = try template.render(messages: Conversation.systemAndUser, addGenerationPrompt: false, extra: ["tools": []])
        #expect(text == "<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nHello<|im_end|>\n")
    }

    @Test func toolCallsAndGroupedToolResponses() throws {
        let text = try template.render(messageValues: Conversation.toolExchange, addGenerationPrompt: true)
        #expect(text == Self.defaultSystem
            + "<|im_start|>user\nWeather in Paris?<|im_end|>\n"
            + "<|im_start|>assistant\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call><|im_end|>\n"
            + "<|im_start|>user\n<tool_response>\n{\"temp\": 21}\n</tool_response>\n<tool_response>\nsunny\n</tool_response><|im_end|>\n"
            + "<|im_start|>assistant\n")
    }
}
