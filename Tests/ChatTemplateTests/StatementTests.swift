import ChatTemplate
import Testing

/// `for`, `if`, `set`, `namespace`, `macro`/`call`, `filter`, `with` and loop controls.
@Suite struct StatementTests {
    static let roles: [String: TemplateValue] = [
        "messages": [["role": "system", "content": "s"], ["role": "user", "content": "u"], ["role": "assistant", "content": "a"]],
    ]

    static let loops: [RenderCase] = [
        RenderCase("{% for m in messages %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}"
                   + "{{ loop.first }}{{ loop.last }}{{ loop.length }} {% endfor %}",
                   "1032TrueFalse3 2121FalseFalse3 3210FalseTrue3 ", roles),
        RenderCase("{% for m in messages %}{{ loop.previtem.role if not loop.first else '-' }}>{{ m.role }}>"
                   + "{{ loop.nextitem.role if not loop.last else '-' }} {% endfor %}",
                   "->system>user system>user>assistant user>assistant>- ", roles),
        RenderCase("{% for m in messages %}{{ loop.cycle('odd', 'even') }},{% endfor %}", "odd,even,odd,", roles),
        RenderCase("{% for x in [] %}a{% else %}empty{% endfor %}", "empty"),
        RenderCase("{% for x in missing %}a{% else %}none{% endfor %}", "none"),
        RenderCase("{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }};{% endfor %}", "a=1;b=2;"),
        RenderCase("{% for k, v in {'a': 1}|items %}{{ k }}{{ v }}{% endfor %}{% for k in {'x': 1, 'y': 2} %}{{ k }}{% endfor %}", "a1xy"),
        RenderCase("{% for a, b in [[1, 2], [3, 4]] %}{{ a + b }},{% endfor %}{% for (a, b) in [(5, 6)] %}{{ a * b }}{% endfor %}", "3,7,30"),
        RenderCase("{% for c in 'abc' %}{{ c }}.{% endfor %}", "a.b.c."),
        RenderCase("{% for x in [1, 2, 3, 4, 5] if x is odd %}{{ x }}:{{ loop.index }}/{{ loop.length }} {% endfor %}", "1:1/3 3:2/3 5:3/3 "),
        RenderCase("{% for i in range(10) %}{% if i == 1 %}{% continue %}{% endif %}{% if i == 4 %}{% break %}{% endif %}{{ i }}{% endfor %}", "023"),
        RenderCase("{% for i in [1, 2] %}{% for j in 'ab' %}{{ loop.index }}{{ i }}{{ j }} {% endfor %}{{ loop.index }}|{% endfor %}",
                   "11a 21b 1|12a 22b 2|"),
        RenderCase("{% for i in [1, 1, 2, 2, 1] %}{% if loop.changed(i) %}{{ i }}{% endif %}{% endfor %}", "121"),
    ]

    static let conditionals: [RenderCase] = [
        RenderCase("{% if x %}a{% elif y %}b{% else %}c{% endif %}", "b", ["y": 1]),
        RenderCase("{% if x %}a{% elif y %}b{% else %}c{% endif %}", "c"),
        RenderCase("{% if '' %}a{% elif [] %}b{% elif {} %}c{% elif 0 %}d{% elif 0.0 %}e{% elif none %}f{% else %}falsy{% endif %}", "falsy"),
        RenderCase("{% if ' ' and [0] and {'k': 0} and -1 and 0.5 %}truthy{% endif %}", "truthy"),
        RenderCase("{% if not messages %}empty{% endif %}", "empty", ["messages": []]),
    ]

    static let assignments: [RenderCase] = [
        RenderCase("{% set x = 1 %}{% set y = x + 1 %}{{ x }}{{ y }}", "12"),
        RenderCase("{% set a, b = [1, 2] %}{{ b }}{{ a }}{% set t = 3, 4 %}{{ t }}", "21(3, 4)"),
        // A `set` in an `if` is visible afterwards; a `set` in a loop body is not.
        RenderCase("{% if true %}{% set y = 5 %}{% endif %}{{ y }}", "5"),
        RenderCase("{% set x = 1 %}{% for i in [1, 2] %}{% set x = x + 10 %}{{ x }},{% endfor %}{{ x }}", "11,11,1"),
        RenderCase("{% for i in [1, 2] %}[{{ x }}]{% set x = i %}{% endfor %}", "[][]"),
        // The top-level `set` may rebind a context variable, as Llama 3.1 does with `messages`.
        RenderCase("{% set messages = messages[1:] %}{{ messages|length }}", "2", roles),
        RenderCase("{% set ns = namespace(count=0, found=false) %}{% for m in messages %}{% if m.role == 'user' %}"
                   + "{% set ns.found = true %}{% endif %}{% set ns.count = ns.count + 1 %}{% endfor %}{{ ns.count }} {{ ns.found }}",
                   "3 True", roles),
        RenderCase("{% set ns = namespace() %}{% set ns.index = 0 %}{{ ns.index }}{{ ns.missing is defined }}", "0False"),
        RenderCase("{% set ns = namespace({'a': 1}, b=2) %}{{ ns.a + ns.b }}", "3"),
        RenderCase("{% set block %}  x {{ 1 + 1 }} {% endset %}[{{ block }}]", "[  x 2 ]"),
        RenderCase("{% set block | trim | upper %}  x  {% endset %}[{{ block }}]", "[X]"),
        RenderCase("{% with a = 1, b = 2 %}{{ a + b }}{% endwith %}[{{ a }}]", "3[]"),
        RenderCase("{% filter upper %}abc{{ 'd' }}{% endfilter %}", "ABCD"),
        RenderCase("{% print 'p', 1 %}", "p1"),
        RenderCase("{% generation %}kept{% endgeneration %}", "kept"),
    ]

    static let macros: [RenderCase] = [
        RenderCase("{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('Bob') }} {{ greet('Al', punct='?') }}",
                   "Hi Bob! Hi Al?"),
        RenderCase("{% macro m(a, b) %}{{ a }}-{{ b }}-{{ varargs }}-{{ kwargs }}{% endmacro %}{{ m(1) }}|{{ m(b=3, a=4) }}|{{ m(1, 2, 3) }}",
                   "1--()-{}|4-3-()-{}|1-2-(3,)-{}"),
        RenderCase("{% macro wrap(tag) %}<{{ tag }}>{{ caller() }}</{{ tag }}>{% endmacro %}{% call wrap('b') %}bold{% endcall %}", "<b>bold</b>"),
        RenderCase("{% macro each(items) %}{% for i in items %}{{ caller(i) }}{% endfor %}{% endmacro %}"
                   + "{% call(x) each([1, 2]) %}[{{ x }}]{% endcall %}", "[1][2]"),
        RenderCase("{% macro f(n) %}{% if n > 0 %}{{ n }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(3) }}", "321"),
        RenderCase("{% macro show() %}{{ later }}{% endmacro %}{% set later = 'seen' %}{{ show() }}", "seen"),
    ]

    @Test(arguments: loops)
    func loop(_ testCase: RenderCase) throws {
        #expect(try render(testCase.template, testCase.context) == testCase.expected)
    }

    @Test(arguments: conditionals)
    func conditional(_ testCase: RenderCase) throws {
        #expect(try render(testCase.template, testCase.context) == testCase.expected)
    }

    @Test(arguments: assignments)
    func assignment(_ testCase: RenderCase) throws {
        #expect(try render(testCase.template, testCase.context) == testCase.expected)
    }

    @Test(arguments: macros)
    func macro(_ testCase: RenderCase) throws {
        #expect(try render(testCase.template, testCase.context) == testCase.expected)
    }
}
