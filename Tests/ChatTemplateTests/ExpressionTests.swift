import ChatTemplate
import Testing

/// Literals, operators, precedence, access and slicing, printed with Python's `str()`.
@Suite struct ExpressionTests {
    static let literals: [RenderCase] = [
        RenderCase("{{ 'single' }}{{ \"double\" }}{{ 'a' 'b' }}", "singledoubleab"),
        RenderCase(#"{{ 'tab\there' }}|{{ "q\"uote" }}|{{ 'it\'s' }}|{{ '\x41\u00e9\n' }}|{{ 'back\\slash' }}|{{ '\d' }}"#,
                   "tab\there|q\"uote|it's|Aé\n|back\\slash|\\d"),
        RenderCase("{{ 42 }} {{ -7 }} {{ 1_000 }} {{ 0x1F }} {{ 0o17 }} {{ 0b101 }}", "42 -7 1000 31 15 5"),
        RenderCase("{{ 1.5 }} {{ 12.0 }} {{ 1.5e3 }} {{ 2E-3 }} {{ 1e16 }} {{ 1e15 }} {{ 0.0001 }} {{ 0.00001 }}",
                   "1.5 12.0 1500.0 0.002 1e+16 1000000000000000.0 0.0001 1e-05"),
        RenderCase("{{ 0.1 + 0.2 }} {{ 1 / 3 }} {{ -0.0 }} {{ 1.7976931348623157e308 }}",
                   "0.30000000000000004 0.3333333333333333 -0.0 1.7976931348623157e+308"),
        RenderCase("{{ true }} {{ True }} {{ false }} {{ False }} {{ none }} {{ None }}", "True True False False None None"),
        RenderCase("{{ [1, 'a', none, true, 1.5] }}", "[1, 'a', None, True, 1.5]"),
        RenderCase("{{ ['it\\'s', 'say \"hi\"', 'both \\' \"'] }}", #"["it's", 'say "hi"', 'both \' "']"#),
        RenderCase("{{ {'b': 1, 'a': [2]} }}", "{'b': 1, 'a': [2]}"),
        RenderCase("{{ (1, 2) }} {{ (1,) }} {{ () }} {{ [1, 2,] }}", "(1, 2) (1,) () [1, 2]"),
    ]

    static let operators: [RenderCase] = [
        RenderCase("{{ 1 + 2 * 3 - 4 / 2 }}", "5.0"),
        RenderCase("{{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 7 % -3 }}", "3 -4 1 2 -2"),
        RenderCase("{{ 7.5 // 2 }} {{ -7.5 % 2 }} {{ 10 / 4 }} {{ 4 / 2 }}", "3.0 0.5 2.5 2.0"),
        RenderCase("{{ 2 ** 10 }} {{ 2 ** -1 }} {{ 2 ** 3 ** 2 }} {{ -2 ** 2 }}", "1024 0.5 64 4"),
        RenderCase("{{ 'ab' + 'cd' }} {{ [1] + [2] }} {{ 'ab' * 3 }} {{ [0] * 2 }} {{ 3 * 'x' }}", "abcd [1, 2] ababab [0, 0] xxx"),
        RenderCase("{{ 'a' ~ 1 ~ none ~ true ~ 2.0 ~ undefined_name }}", "a1NoneTrue2.0"),
        // `~` binds tighter than `+` and `-` but looser than `*`.
        RenderCase("{{ 'n=' ~ (1 + 2) }} {{ 'a' ~ 2 * 3 }}", "n=3 a6"),
        RenderCase("{{ 1 == 1.0 }} {{ true == 1 }} {{ 'a' != 'b' }} {{ [1, 2] == [1, 2] }} {{ (1, 2) == [1, 2] }}",
                   "True True True True False"),
        RenderCase("{{ 1 < 2 < 3 }} {{ 1 < 3 < 2 }} {{ 'B' < 'a' }} {{ [1, 2] < [1, 3] }} {{ 2 >= 2.0 }}", "True False True True True"),
        RenderCase("{{ 'ell' in 'hello' }} {{ 2 in [1, 2] }} {{ 'k' in {'k': 1} }} {{ 3 not in [1] }} {{ not 'x' in 'y' }}",
                   "True True True True True"),
        RenderCase("{{ 1 and 2 }} {{ 0 and 2 }} {{ 0 or 'x' }} {{ '' or [] }} {{ not 0 }} {{ not [1] }}", "2 0 x [] True False"),
        RenderCase("{{ 'yes' if 1 else 'no' }} {{ 'yes' if 0 else 'no' }} [{{ 'only' if false }}] {{ 1 if 0 else 2 if 0 else 3 }}",
                   "yes no [] 3"),
        // Filters bind tighter than any operator, unary minus included.
        RenderCase("{{ -(x|default(3)) }} {{ -3|abs }} {{ 'a' + 'b'|upper }} {{ ('a' + 'b')|upper }}", "-3 3 aB AB"),
    ]

    static let access: [RenderCase] = [
        RenderCase("{{ messages[0]['role'] }} {{ messages[0].content }} {{ messages[-1].role }} {{ messages|length }}", "user hi assistant 2",
                   ["messages": [["role": "user", "content": "hi"], ["role": "assistant", "content": "yo"]]]),
        RenderCase("{{ d.x[1].y }} {{ d['x'][0] }} {{ d.x.0 }}", "2 1 1", ["d": ["x": [1, ["y": 2]]]]),
        RenderCase("{{ d['items'] }} {{ d.items()|list }}", "3 [('items', 3)]", ["d": ["items": 3]]),
        RenderCase("[{{ messages[5] }}] [{{ 'abc'[9] }}] [{{ d.missing }}] [{{ none.attribute }}]", "[] [] [] []",
                   ["messages": [], "d": [:]]),
        RenderCase("{{ 'héllo'[1] }} {{ 'hello'[-1] }}", "é o"),
    ]

    static let slices: [RenderCase] = [
        RenderCase("{% set x = [1, 2, 3, 4, 5] %}{{ x[1:] }} {{ x[:-1] }} {{ x[::-1] }} {{ x[1:4:2] }} {{ x[-2:] }}",
                   "[2, 3, 4, 5] [1, 2, 3, 4] [5, 4, 3, 2, 1] [2, 4] [4, 5]"),
        RenderCase("{% set x = [1, 2, 3] %}{{ x[5:] }} {{ x[-10:2] }} {{ x[2:0:-1] }} {{ x[::-2] }} {{ x[:] }}",
                   "[] [1, 2] [3, 2] [3, 1] [1, 2, 3]"),
        RenderCase("{{ 'hello'[1:3] }} {{ 'hello'[::-1] }} {{ 'hello'[-3:] }}", "el olleh llo"),
        RenderCase("{{ (1, 2, 3)[1:] }}", "(2, 3)"),
        RenderCase("{{ messages[1:]|map(attribute='role')|join(',') }}", "b,c",
                   ["messages": [["role": "a"], ["role": "b"], ["role": "c"]]]),
    ]

    @Test(arguments: literals)
    func literal(_ testCase: RenderCase) throws {
        #expect(try render(testCase.template, testCase.context) == testCase.expected)
    }

    @Test(arguments: operators)
    func operatorResult(_ testCase: RenderCase) throws {
        #expect(try render(testCase.template, testCase.context) == testCase.expected)
    }

    @Test(arguments: access)
    func attributeAndItemAccess(_ testCase: RenderCase) throws {
        #expect(try render(testCase.template, testCase.context) == testCase.expected)
    }

    @Test(arguments: slices)
    func slicing(_ testCase: RenderCase) throws {
        #expect(try render(testCase.template, testCase.context) == testCase.expected)
    }

    @Test func dictsKeepInsertionOrder() throws {
        let context: [String: TemplateValue] = ["d": ["zeta": 1, "alpha": 2, "mid": 3]]
        #expect(try render("{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}", context) == "zeta=1;alpha=2;mid=3;")
        #expect(try render("{{ d|tojson }}", context) == #"{"zeta": 1, "alpha": 2, "mid": 3}"#)
    }

    @Test func stringsCompareByCodePoints() throws {
        // "é" precomposed and "e" + combining accent are different strings in Python.
        let context: [String: TemplateValue] = ["a": "\u{E9}", "b": "e\u{301}"]
        #expect(try render("{{ a == b }} {{ a|length }} {{ b|length }}", context) == "False 1 2")
    }
}
