import ChatTemplate
import Foundation
import Testing

/// Hostile or broken templates end in an error, never a crash or a hang.
@Suite struct LimitsAndRobustnessTests {
    @Test func outputSizeIsCapped() throws {
        let template = try ChatTemplate(source: "{% for i in range(100) %}{{ 'x' * 1000 }}{% endfor %}",
                                        limits: RenderLimits(maxOutputBytes: 10_000))
        #expect(templateError { try template.render(context: [:]) }?.kind == .limitExceeded)
    }

    @Test func growingStringsAreCapped() throws {
        let source = "{% set ns = namespace(s='ab') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}"
        #expect(renderError(source)?.kind == .limitExceeded)
        #expect(renderError("{{ 'x' * 9223372036854775807 }}")?.kind == .limitExceeded)
    }

    @Test func loopIterationsAreCapped() throws {
        let template = try ChatTemplate(source: "{% for i in range(1000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}",
                                        limits: RenderLimits(maxLoopIterations: 10_000))
        let error = templateError { try template.render(context: [:]) }
        #expect(error?.description == "more than 10000 loop iterations at 1:30")
    }

    @Test func macroRecursionIsCapped() {
        let error = renderError("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}")
        #expect(error?.kind == .limitExceeded)
        #expect(error?.message == "macro calls nested deeper than 64")
    }

    @Test func deepNestingIsRejected() {
        let deep = "{{ " + String(repeating: "(", count: 500) + "1" + String(repeating: ")", count: 500) + " }}"
        #expect(renderError(deep)?.kind == .limitExceeded)
        let blocks = String(repeating: "{% if true %}", count: 500) + String(repeating: "{% endif %}", count: 500)
        #expect(renderError(blocks)?.kind == .limitExceeded)
        #expect((try? render(String(repeating: "(", count: 50) + "{{ " + String(repeating: "(", count: 40) + "1" + String(repeating: ")", count: 40) + " }}")) != nil)
    }

    @Test func everyPrefixOfARealTemplateParsesOrFails() throws {
        // Truncated templates exercise every unterminated construct.
        let source = try String(contentsOf: Fixture.directory.appendingPathComponent("llama-3.1-instruct.jinja"), encoding: .utf8)
        let scalars = Array(source.unicodeScalars)
        var failures = 0
        for length in stride(from: 0, through: scalars.count, by: 7) {
            var prefix = String.UnicodeScalarView()
            prefix.append(contentsOf: scalars[..<length])
            do {
                _ = try ChatTemplate(source: String(prefix)).render(messages: Conversation.systemAndUser, addGenerationPrompt: true)
            } catch {
                failures += 1
                #expect(!error.message.isEmpty)
            }
        }
        #expect(failures > 0)
    }
}
