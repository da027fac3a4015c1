import ChatTemplate
import Testing

/// Meta-Llama-3-8B-Instruct: header/eot framing, BOS before the first message, content trimmed.
@Suite struct Llama3TemplateTests {
    let template: ChatTemplate

    init() throws { template = try Fixture.template("llama-3-instruct.jinja") }

    @Test func systemAndUser() throws {
        let text = try template.render(messages: Conversation.systemAndUser, addGenerationPrompt: true, bosToken: "<|begin_of_text|>")
        #expect(text == "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are terse.<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\n\nHello<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\n")
    }

    @Test func multiTurnTrimsContentAndOmitsPromptWhenNotAsked() throws {
        let text = try template.render(messages: Conversation.multiTurn, addGenerationPrompt: false, bosToken: "<|begin_of_text|>")
        #expect(text == "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\nHello! How can I help?<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|>")
    }
}

/// Llama 3.1 Instruct: date header, optional tools in the first user message, tool calls as JSON.
@Suite struct Llama31TemplateTests {
    let template: ChatTemplate
    static let header = "<s><|start_header_id|>system<|end_header_id|>\n\n"
    static let dates = "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n"

    init() throws { template = try Fixture.template("llama-3.1-instruct.jinja") }

    @Test func systemAndUser() throws {
        let text = try template.render(messages: Conversation.systemAndUser, addGenerationPrompt: true, bosToken: "<s>")
        #expect(text == Self.header + Self.dates + "You are terse.<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\n\nHello<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\n")
    }

    @Test func multiTurnWithoutSystemMessage() throws {
        let text = try template.render(messages: Conversation.multiTurn, addGenerationPrompt: false, bosToken: "<s>")
        #expect(text == Self.header + Self.dates + "<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\nHello! How can I help?<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|>")
    }

    @Test func dateStringCanBeSupplied() throws {
        let text = try template.render(messages: Conversation.systemAndUser, addGenerationPrompt: false, bosToken: "<s>",
                                       extra: ["date_string": "01 Jan 2025"])
        #expect(text.contains("Today Date: 01 Jan 2025\n\nYou are terse."))
    }

    @Test func toolsGoIntoTheFirstUserMessage() throws {
        let text = try template.render(messages: Conversation.systemAndUser, addGenerationPrompt: true, bosToken: "<s>",
                                       extra: ["tools": [Conversation.weatherTool]])
        let toolJSON = """
            {
                "type": "function",
                "function": {
                    "name": "get_weather",
                    "description": "Get the weather",
                    "parameters": {
                        "type": "object",
                        "properties": {
                            "city": {
                                "type": "string",
                                "description": "City name"
                            }
                        },
                        "required": [
                            "city"
                        ]
                    }
                }
            }
            """
        #expect(text == "<s><|start_header_id|>system<|end_header_id|>\n\nEnvironment: ipython\n" + Self.dates + "You are terse.<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\n\n"
            + "Given the following functions, please respond with a JSON for a function call "
            + "with its proper arguments that best answers the given prompt.\n\n"
            + "Respond in the format {\"name\": function name, \"parameters\": dictionary of argument name and its value}."
            + "Do not use variables.\n\n"
            + toolJSON + "\n\n" + "Hello<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\n")
    }

    @Test func toolCallAndResult() throws {
        let messages: [TemplateValue] = [
            ["role": "user", "content": "Weather in Paris?"],
            ["role": "assistant", "tool_calls": [["function": ["name": "get_weather", "arguments": ["city": "Paris"]]]]],
            ["role": "tool", "content": "sunny"],
        ]
        let text = try template.render(messageValues: messages, addGenerationPrompt: true, bosToken: "<s>")
        #expect(text == Self.header + Self.dates + "<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\n\nWeather in Paris?<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\n{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\"}}<|eot_id|>"
            // A string `is iterable`, so the template JSON-encodes the tool result.
            + "<|start_header_id|>ipython<|end_header_id|>\n\n\"sunny\"<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\n")
    }

    @Test func toolsWithoutAnyUserMessageRaise() throws {
        let error = templateError {
            try template.render(messages: [ChatMessage(role: "system", content: "only")], addGenerationPrompt: true,
                                extra: ["tools": [Conversation.weatherTool]])
        }
        #expect(error?.kind == .raised)
        #expect(error?.message == "Cannot put tools in the first user message when there's no first user message!")
    }

    @Test func parallelToolCallsRaise() throws {
        let call: TemplateValue = ["function": ["name": "f", "arguments": [:] as TemplateValue]]
        let messages: [TemplateValue] = [["role": "user", "content": "x"], ["role": "assistant", "tool_calls": [call, call]]]
        let error = templateError { try template.render(messageValues: messages, addGenerationPrompt: false) }
        #expect(error?.message == "This model only supports single tool-calls at once!")
    }
}
