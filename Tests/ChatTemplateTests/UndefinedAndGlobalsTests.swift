import ChatTemplate
import Foundation
import Testing

/// Jinja's default Undefined, and the globals `range`, `namespace`, `dict`,
/// `joiner`, `raise_exception` and `strftime_now`.
@Suite struct UndefinedAndGlobalsTests {
    static let lenientUses: [RenderCase] = [
        RenderCase("[{{ x }}] {{ x is defined }} {{ not x }} {{ x|default('d') }} {{ x|length }} [{{ x ~ '' }}] {{ x == y }}",
                   "[] False True d 0 [] True"),
        RenderCase("{% if x %}a{% else %}b{% endif %}{% for i in x %}never{% endfor %}{{ x|list }}[{{ x|join }}][{{ x|upper }}]", "b[][][]"),
        RenderCase("{{ message.tool_calls is defined }} {{ message['tool_calls'] is defined }} [{{ message.tool_calls }}]", "False False []",
                   ["message": ["role": "user"]]),
    ]

    static let globals: [RenderCase] = [
        RenderCase("{{ range(3)|list }} {{ range(1, 4)|list }} {{ range(10, 0, -3)|list }} {{ range(0)|list }}", "[0, 1, 2] [1, 2, 3] [10, 7, 4, 1] []"),
        RenderCase("{% for i in range(messages|length) %}{{ i }}{% endfor %}", "01", ["messages": [1, 2]]),
        RenderCase("{{ dict(a=1, b=2) }} {{ dict([('k', 'v')]) }} {{ namespace(a=1).a }}", "{'a': 1, 'b': 2} {'k': 'v'} 1"),
        RenderCase("{% set sep = joiner(', ') %}{% for i in [1, 2, 3] %}{{ sep() }}{{ i }}{% endfor %}", "1, 2, 3"),
    ]

    @Test(arguments: lenientUses)
    func undefinedIsLenient(_ testCase: RenderCase) throws {
        #expect(try render(testCase.template, testCase.context) == testCase.expected)
    }

    @Test(arguments: globals)
    func global(_ testCase: RenderCase) throws {
        #expect(try render(testCase.template, testCase.context) == testCase.expected)
    }

    @Test func undefinedRaisesWhereJinjaRaises() {
        #expect(renderError("{{ x.attr }}") == TemplateError(.runtime, "'x' is undefined", at: SourceLocation(line: 1, column: 4)))
        #expect(renderError("{{ x + 1 }}")?.message == "'x' is undefined")
        #expect(renderError("{{ x < 1 }}")?.message == "'x' is undefined")
        #expect(renderError("{{ x() }}")?.message == "'x' is undefined")
        #expect(renderError("{{ x|tojson }}")?.message == "Object of type Undefined is not JSON serializable")
        #expect(renderError("{{ d.missing.y }}", ["d": [:]])?.message == "'dict object' has no attribute 'missing'")
        #expect(renderError("{{ l[3].y }}", ["l": []])?.message == "list object has no element 3")
    }

    @Test func raiseExceptionCarriesTheMessage() {
        let error = renderError("line one\n{% if true %}{{ raise_exception('Bad ' ~ 'roles') }}{% endif %}")
        #expect(error == TemplateError(.raised, "Bad roles", at: SourceLocation(line: 2, column: 17)))
        #expect(error?.description == "Bad roles at 2:17")
    }

    /// Noon on 26 July 2024 in the local time zone, which `strftime_now` formats in.
    static let localNoon = Calendar.current.date(from: DateComponents(year: 2024, month: 7, day: 26, hour: 12)) ?? Date()

    @Test func strftimeNowFormatsTheGivenMoment() throws {
        let noon = Self.localNoon
        #expect(try render("{{ strftime_now('%Y-%m-%d|%d %b %Y|%-d %B|%A|%a|%j|%y|%%') }}", now: noon)
            == "2024-07-26|26 Jul 2024|26 July|Friday|Fri|208|24|%")
        #expect(try render("{{ strftime_now('%H:%M:%S %I%p %e|%-m/%-d') }}", now: noon) == "12:00:00 12PM 26|7/26")
    }

    @Test func llama32StyleDateDefault() throws {
        let noon = Self.localNoon
        let source = """
            {%- if not date_string is defined %}
                {%- if strftime_now is defined %}
                    {%- set date_string = strftime_now("%d %b %Y") %}
                {%- else %}
                    {%- set date_string = "26 Jul 2024" %}
                {%- endif %}
            {%- endif %}
            {{- "Today Date: " + date_string }}
            """
        #expect(try render(source, now: noon) == "Today Date: 26 Jul 2024")
    }

    @Test func rangeIsBoundedLikeJinjasSandbox() {
        #expect(renderError("{{ range(100001)|length }}")?.kind == .limitExceeded)
        #expect((try? render("{{ range(100000)|length }}")) == "100000")
    }
}
