import ChatTemplate
import Testing

/// The Swift-side value type: literals, JSON parsing with key order kept, and rendering of passed-in values.
@Suite struct TemplateValueTests {
    @Test func literalsBuildValues() {
        let value: TemplateValue = ["b": [1, 2.5, true, nil, "s"], "a": [:]]
        #expect(value == .object([(key: "b", value: .array([.int(1), .double(2.5), .bool(true), .none, .string("s")])),
                                  (key: "a", value: .object([]))]))
        #expect(value["b"] == .array([1, 2.5, true, nil, "s"]))
        #expect(value["missing"] == nil)
    }

    @Test func objectsCompareInOrder() {
        let ab: TemplateValue = ["a": 1, "b": 2]
        let ba: TemplateValue = ["b": 2, "a": 1]
        #expect(ab != ba)
    }

    @Test func jsonKeepsKeyOrderAndTypes() throws {
        let value = try TemplateValue(json: #" {"z": [1, -2.5e1, 1e400, true, null], "a": {"s": "x\"\u00e9\ud83d\ude00\n"}, "z2": 9223372036854775808} "#)
        #expect(value == [
            "z": [1, -25.0, .double(.infinity), true, nil],
            "a": ["s": "x\"é😀\n"],
            "z2": 9_223_372_036_854_775_808.0,
        ])
    }

    @Test func jsonToolsRenderThroughTojson() throws {
        let tools = try TemplateValue(json: #"[{"type": "function", "function": {"name": "f", "parameters": {"b": 1, "a": 2}}}]"#)
        #expect(try render("{{ tools[0]|tojson }}", ["tools": tools])
            == #"{"type": "function", "function": {"name": "f", "parameters": {"b": 1, "a": 2}}}"#)
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "tru", "\"\\x\"", "01x", "[1] 2", "\"a\u{1}\""])
    func invalidJSONIsRejected(_ text: String) {
        #expect(throws: TemplateError.self) { try TemplateValue(json: text) }
    }

    @Test func duplicateKeysKeepTheFirstPositionAndTheLastValue() throws {
        #expect(try TemplateValue(json: #"{"a": 1, "b": 2, "a": 3}"#) == ["a": 3, "b": 2])
    }

    @Test func chatMessageIsARoleContentMapping() throws {
        let message = ChatMessage(role: "user", content: "hi")
        #expect(message.templateValue == ["role": "user", "content": "hi"])
        let template = try ChatTemplate(source: "{{ messages[0]|tojson }}")
        #expect(try template.render(messages: [message], addGenerationPrompt: false) == #"{"role": "user", "content": "hi"}"#)
    }

    @Test func defaultVariablesMatchTransformers() throws {
        let template = try ChatTemplate(source: "{{ tools is defined }} {{ tools is none }} {{ documents is none }} {{ add_generation_prompt }} [{{ bos_token }}]")
        #expect(try template.render(messages: [], addGenerationPrompt: true) == "True True True True []")
        #expect(try template.render(messages: [], addGenerationPrompt: false, bosToken: "<s>", extra: ["tools": []])
            == "True False True False [<s>]")
    }
}
