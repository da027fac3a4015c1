import ChatTemplate
import Foundation
import Testing

/// Errors name the problem and its line:column, for invalid Jinja, for
/// Jinja this interpreter does not implement, and for runtime failures.
@Suite struct ErrorTests {
    /// A template and the exact error it must produce.
    struct ErrorCase: Sendable, CustomTestStringConvertible {
        let template: String
        let kind: TemplateError.Kind
        let description: String
        var testDescription: String { template.debugDescription }

        init(_ template: String, _ kind: TemplateError.Kind, _ description: String) {
            self.template = template
            self.kind = kind
            self.description = description
        }
    }

    static let unsupported: [ErrorCase] = [
        ErrorCase("line\n  {% include 'other.jinja' %}", .unsupported, "unsupported tag 'include' at 2:6"),
        ErrorCase("{% extends 'base' %}", .unsupported, "unsupported tag 'extends' at 1:4"),
        ErrorCase("{% import 'm' as m %}", .unsupported, "unsupported tag 'import' at 1:4"),
        ErrorCase("{{ text | wordwrap(10) }}", .unsupported, "unsupported filter 'wordwrap' at 1:11"),
        ErrorCase("{{ items|groupby('a') }}", .unsupported, "unsupported filter 'groupby' at 1:10"),
        ErrorCase("{{ x | no_such_filter }}", .unsupported, "unknown filter 'no_such_filter' at 1:8"),
        ErrorCase("{{ x is no_such_test }}", .unsupported, "unknown test 'no_such_test' at 1:9"),
        ErrorCase("{% for x in y recursive %}{% endfor %}", .unsupported, "unsupported recursive for loop at 1:15"),
        ErrorCase("{{ cycler(1, 2) }}", .unsupported, "unsupported global function 'cycler' at 1:4"),
        ErrorCase("{{ 'x'.zfill(3) }}", .unsupported, "unsupported method 'str.zfill' at 1:4"),
    ]

    static let syntax: [ErrorCase] = [
        ErrorCase("{% frobnicate %}", .syntax, "unknown tag 'frobnicate' at 1:4"),
        ErrorCase("a\n{% if true %}b", .syntax, "unexpected end of template: 'if' tag is not closed (expected 'elif' or 'else' or 'endif') at 2:4"),
        ErrorCase("{% for x in y %}{% endif %}", .syntax, "unexpected tag 'endif' (expected 'else' or 'endfor') at 1:20"),
        ErrorCase("{% endfor %}", .syntax, "unexpected tag 'endfor' at 1:4"),
        ErrorCase("{{ 1 + }}", .syntax, "unexpected end of tag at 1:8"),
        ErrorCase("{{ a b }}", .syntax, "expected end of tag, got 'b' at 1:6"),
        ErrorCase("x {{ y", .syntax, "unclosed '{{' tag: unexpected end of template at 1:3"),
        ErrorCase("{# never closed", .syntax, "missing end of comment tag at 1:1"),
        ErrorCase("{% raw %}never closed", .syntax, "missing end of raw directive at 1:1"),
        ErrorCase("{{ 'unterminated }}", .syntax, "unexpected char ''' at 1:4"),
        ErrorCase("{{ (1 }}", .syntax, "unexpected '}', expected ')' at 1:7"),
        ErrorCase("{{ } }}", .syntax, "unexpected '}' at 1:4"),
        ErrorCase("{{ 1 @ 2 }}", .syntax, "unexpected char '@' at 1:6"),
        ErrorCase("{% set true = 1 %}", .syntax, "can't assign to constant 'true' at 1:8"),
        ErrorCase("{% macro m(a=1, b) %}{% endmacro %}", .syntax, "non-default argument follows default argument at 1:17"),
        ErrorCase("{% break %}", .syntax, "'break' outside of a loop at 1:4"),
    ]

    static let runtime: [ErrorCase] = [
        ErrorCase("{{ 'a' + 1 }}", .runtime, "unsupported operand type(s) for +: 'str' and 'int' at 1:4"),
        ErrorCase("{{ 'a' < 1 }}", .runtime, "'<' not supported between instances of 'str' and 'int' at 1:4"),
        ErrorCase("{{ 1 / 0 }}", .runtime, "division by zero at 1:4"),
        ErrorCase("{{ 7 // 0 }}", .runtime, "integer division or modulo by zero at 1:4"),
        ErrorCase("{{ 9223372036854775807 + 1 }}", .runtime, "integer overflow in '+' at 1:4"),
        ErrorCase("{{ 5() }}", .runtime, "'int' object is not callable at 1:4"),
        ErrorCase("{% for i in 5 %}{% endfor %}", .runtime, "'int' object is not iterable at 1:13"),
        ErrorCase("{% for a, b in [[1, 2, 3]] %}{% endfor %}", .runtime, "too many values to unpack (expected 2, got 3) at 1:4"),
        ErrorCase("{% set ns.x = 1 %}", .runtime, "cannot assign attribute on non-namespace object 'ns' at 1:4"),
        ErrorCase("{{ -x }}", .runtime, "'x' is undefined at 1:4"),
        ErrorCase("{{ [1, 'a']|sort }}", .runtime, "'<' not supported between instances of 'str' and 'int' at 1:13"),
        ErrorCase("{{ '%d' % 'x' }}", .runtime, "%d format: a real number is required, not str at 1:4"),
        ErrorCase("{{ 'a b'|truncate(1) }}", .runtime, "expected length >= 3, got 1 at 1:10"),
        ErrorCase("{{ x|indent }}", .runtime, "'x' is undefined at 1:6"),
        ErrorCase("{{ 5|items }}", .runtime, "Can only get item pairs from a mapping. at 1:6"),
    ]

    private func check(_ testCase: ErrorCase) {
        let error = renderError(testCase.template)
        #expect(error?.kind == testCase.kind)
        #expect(error?.description == testCase.description)
    }

    @Test(arguments: unsupported)
    func unsupportedConstruct(_ testCase: ErrorCase) { check(testCase) }

    @Test(arguments: syntax)
    func syntaxError(_ testCase: ErrorCase) { check(testCase) }

    @Test(arguments: runtime)
    func runtimeError(_ testCase: ErrorCase) { check(testCase) }

    @Test func unsupportedTagFailsAtParseTime() {
        #expect(throws: TemplateError(.unsupported, "unsupported tag 'include'", at: SourceLocation(line: 1, column: 4))) {
            try ChatTemplate(source: "{% include 'x' %}")
        }
    }

    @Test func unsupportedFilterInAnUntakenBranchDoesNotFail() throws {
        // Like Jinja 3, filters are looked up when they run, so a template
        // stays usable when only an unused branch needs something missing.
        #expect(try render("{% if false %}{{ x|wordwrap }}{% endif %}ok") == "ok")
    }

    @Test func columnsCountUnicodeScalars() {
        #expect(renderError("é🙂 {{ x.y }}")?.location == SourceLocation(line: 1, column: 7))
    }
}
