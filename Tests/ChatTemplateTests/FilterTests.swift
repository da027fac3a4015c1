import ChatTemplate
import Testing

/// Every implemented filter, with Jinja's argument conventions.
@Suite struct FilterTests {
    static let people: [String: TemplateValue] = [
        "people": [["name": "bo", "age": 30, "role": "user"], ["name": "Al", "age": 25, "role": "assistant"], ["name": "cy", "age": 35, "role": "user"]],
    ]

    static let stringFilters: [RenderCase] = [
        RenderCase("[{{ '  x y \n'|trim }}] [{{ 'xxaxx'|trim('x') }}]", "[x y] [a]"),
        RenderCase("{{ 'abc'|upper }} {{ 'ÀBC'|lower }} {{ 'straße'|upper }}", "ABC àbc STRASSE"),
        RenderCase("{{ 'hello WORLD'|capitalize }} {{ 'hello wORLD-foo(bar it\\'s'|title }}", "Hello world Hello World-Foo(Bar It's"),
        RenderCase("{{ 'a-b-a'|replace('a', 'x') }} {{ 'a-b-a'|replace('a', 'x', 1) }} {{ 1.5|replace('.', ',') }}", "x-b-x x-b-a 1,5"),
        RenderCase("{{ 'x\ny\n\nz'|indent(2) }}", "x\n  y\n\n  z"),
        RenderCase("{{ 'x\ny'|indent(2, true) }}|{{ 'x\n\ny'|indent(2, blank=true) }}|{{ 'x\ny'|indent('> ') }}|{{ ''|indent }}",
                   "  x\n  y|x\n  \n  y|x\n> y|"),
        RenderCase("[{{ 'x'|center(7) }}] [{{ 'ab'|center(5) }}]", "[   x   ] [  ab ]"),
        RenderCase("{{ 'hello world foo bar'|truncate(9) }} {{ 'hello world foo bar'|truncate(9, true) }} {{ 'short'|truncate(9) }}",
                   "hello... hello ... short"),
        RenderCase("{{ 'a b, c'|wordcount }} {{ '<a href=\"x\">\\'&'|e }} {{ '<b>'|escape }} {{ none|e }}", "3 &lt;a href=&#34;x&#34;&gt;&#39;&amp; &lt;b&gt; None"),
        RenderCase("{{ '%s is %d years'|format('Bo', 30) }} {{ '%(n)s!'|format(n='hi') }} {{ '%05.1f|%-3s|%x'|format(3.14159, 'a', 255) }}",
                   "Bo is 30 years hi! 003.1|a  |ff"),
        RenderCase("{{ 'abc'|reverse }} {{ 42|string ~ '!' }} {{ none|string }} {{ [1]|string }} {{ '<i>'|safe }}", "cba 42! None [1] <i>"),
    ]

    static let sequenceFilters: [RenderCase] = [
        RenderCase("{{ [1, 2, 3]|length }} {{ 'héllo'|length }} {{ {'a': 1}|count }} {{ missing|length }}", "3 5 1 0"),
        RenderCase("{{ [1, 2, 3]|first }} {{ [1, 2, 3]|last }} {{ 'abc'|first }} [{{ []|first }}]", "1 3 a []"),
        RenderCase("{{ [1, 'a', none]|join }} {{ ['a', 'b']|join(', ') }} {{ people|join('/', attribute='name') }}", "1aNone a, b bo/Al/cy", people),
        RenderCase("{{ 'ab'|list }} {{ {'k': 1, 'j': 2}|list }} {{ (1, 2)|list }} {{ missing|list }}", "['a', 'b'] ['k', 'j'] [1, 2] []"),
        RenderCase("{{ {'b': 1, 'a': 2}|items|list }} {{ missing|items|list }}", "[('b', 1), ('a', 2)] []"),
        RenderCase("{{ [3, 1, 2]|sort }} {{ [3, 1, 2]|sort(reverse=true) }} {{ ['b', 'A', 'a']|sort }} {{ ['b', 'A', 'a']|sort(case_sensitive=true) }}",
                   "[1, 2, 3] [3, 2, 1] ['A', 'a', 'b'] ['A', 'a', 'b']"),
        RenderCase("{{ people|sort(attribute='age')|map(attribute='name')|join(',') }} {{ people|sort(attribute='name')|map(attribute='name')|join(',') }}",
                   "Al,bo,cy Al,bo,cy", people),
        RenderCase("{{ {'b': 1, 'a': 2}|dictsort }} {{ {'b': 1, 'a': 2}|dictsort(by='value') }} {{ {'b': 1, 'a': 2}|dictsort(reverse=true) }}",
                   "[('a', 2), ('b', 1)] [('b', 1), ('a', 2)] [('b', 1), ('a', 2)]"),
        RenderCase("{{ [3, 1, 2]|max }} {{ [3, 1, 2]|min }} {{ ['b', 'A', 'c']|max }} {{ ['b', 'A', 'c']|min }} {{ people|max(attribute='age') }}",
                   "3 1 c A {'name': 'cy', 'age': 35, 'role': 'user'}", people),
        RenderCase("{{ [1, 2, 2, 1]|unique|list }} {{ ['a', 'A', 'b']|unique|list }} {{ ['a', 'A']|unique(case_sensitive=true)|list }}",
                   "[1, 2] ['a', 'b'] ['a', 'A']"),
        RenderCase("{{ [1, 2, 3]|sum }} {{ [1.5, 2]|sum }} {{ people|sum(attribute='age') }} {{ [[1], [2]]|sum(start=[]) }}", "6 3.5 90 [1, 2]", people),
        RenderCase("{{ [1, 2]|reverse|list }} {{ [1, 2, 3, 4, 5]|batch(2)|list }} {{ [1, 2, 3]|batch(2, 0)|list }}",
                   "[2, 1] [[1, 2], [3, 4], [5]] [[1, 2], [3, 0]]"),
        RenderCase("{{ people|map(attribute='name')|list }} {{ people|map(attribute='nick', default='?')|join }} {{ ['a', 'b']|map('upper')|join }}",
                   "['bo', 'Al', 'cy'] ??? AB", people),
        RenderCase("{{ people|selectattr('role', 'equalto', 'user')|map(attribute='name')|join }} "
                   + "{{ people|rejectattr('role', 'equalto', 'user')|map(attribute='name')|join }} "
                   + "{{ people|selectattr('age', 'gt', 26)|map(attribute='name')|join }}",
                   "bocy Al bocy", people),
        RenderCase("{{ [1, 0, 2]|select|list }} {{ [1, 0, 2]|reject|list }} {{ [1, 2, 3, 4]|select('even')|list }} {{ [1, 2, 3]|reject('in', [2])|list }}",
                   "[1, 2] [0] [2, 4] [1, 3]"),
        RenderCase("{{ [{'a': true}, {'a': false}, {}]|selectattr('a')|list }}", "[{'a': True}]"),
    ]

    static let conversionFilters: [RenderCase] = [
        RenderCase("{{ '42'|int + 1 }} {{ '3.7'|int }} {{ 3.7|int }} {{ ' 12 '|int }} {{ '1_000'|int }} {{ 'x'|int }} {{ 'x'|int(7) }} {{ none|int }} {{ true|int }}",
                   "43 3 3 12 1000 0 7 0 1"),
        RenderCase("{{ 'ff'|int(base=16) }} {{ '0x1F'|int(0, 16) }} {{ '0b11'|int(base=0) }}", "255 31 3"),
        RenderCase("{{ '3.5'|float }} {{ 3|float }} {{ '1e3'|float }} {{ 'x'|float }} {{ 'x'|float(1.5) }}", "3.5 3.0 1000.0 0.0 1.5"),
        RenderCase("{{ -3|abs }} {{ -2.5|abs }} {{ 2.5|round }} {{ 3.5|round }} {{ 2.675|round(2) }} {{ 1234.5|round(-2) }} {{ 7|round }}",
                   "3 2.5 2.0 4.0 2.67 1200.0 7"),
        RenderCase("{{ 2.1|round(method='ceil') }} {{ 2.9|round(0, 'floor') }}", "3.0 2.0"),
        RenderCase("{{ missing|default('d') }} {{ none|default('d') }} {{ ''|default('d') }} {{ ''|default('d', true) }} {{ 0|d('z', boolean=true) }}",
                   "d None  d z"),
    ]

    /// `ensure_ascii=False`: only control characters, quotes and backslashes are escaped.
    static let jsonFilter: [RenderCase] = [
        RenderCase("{{ v|tojson }}", #"{"s": "é\#u{2028}\u0001\t\"\\", "f": [1.0, 0.5, 1e+100, -0.0], "n": null, "b": false, "e": {}}"#,
                   ["v": ["s": "é\u{2028}\u{1}\t\"\\", "f": [1.0, 0.5, 1e100, -0.0], "n": nil, "b": false, "e": [:]]]),
        RenderCase("{{ v|tojson(indent=2) }}", "{\n  \"a\": [\n    1,\n    {\n      \"b\": null\n    }\n  ],\n  \"c\": []\n}",
                   ["v": ["a": [1, ["b": nil]], "c": []]]),
        RenderCase("{{ v|tojson(separators=(',', ':')) }} {{ v|tojson(sort_keys=true) }} {{ v|tojson(ensure_ascii=true) }}",
                   #"{"z":"é😀","a":[1]} {"a": [1], "z": "é😀"} {"z": "\u00e9\ud83d\ude00", "a": [1]}"#,
                   ["v": ["z": "é😀", "a": [1]]]),
        RenderCase("{{ {1: 'a', true: 'b', none: 'c', 2.5: 'd'}|tojson }}", #"{"1": "b", "null": "c", "2.5": "d"}"#),
        RenderCase("{{ 'x'|tojson }} {{ 1|tojson }} {{ [1, 2]|tojson(indent='\t') }}", "\"x\" 1 [\n\t1,\n\t2\n]"),
    ]

    /// `safe` and `escape` make markupsafe `Markup`, which escapes plain strings added to it.
    static let markupFilters: [RenderCase] = [
        RenderCase("{{ '<b>'|safe + '<i>' }}|{{ '<i>' + '<b>'|safe }}|{{ ('a&'|e) ~ '<' }}|{{ '<p>%s</p>'|safe % '<x>' }}",
                   "<b>&lt;i&gt;|&lt;i&gt;<b>|a&amp;<|<p>&lt;x&gt;</p>"),
        RenderCase("{{ '&'|e|e }}|{{ '&'|e|forceescape }}|{{ ('a'|safe) * 2 }}|{{ 'x'|e is escaped }}|{{ 'x' is escaped }}|{{ 'ab'|safe == 'ab' }}",
                   "&amp;|&amp;amp;|aa|True|False|True"),
    ]

    /// `map`, `select` and friends return generators: always truthy, used up once iterated.
    static let generators: [RenderCase] = [
        RenderCase("{% if [1]|select('gt', 5) %}always{% endif %}|{{ [1]|select('gt', 5)|list|length }}", "always|0"),
        RenderCase("{% set g = [1, 2]|map('string') %}{{ g|join }}|{{ g|join }}", "12|"),
        RenderCase("{% set g = [1, 2, 3]|select %}{{ g|first }}{{ g|list }}", "1[2, 3]"),
        RenderCase("{{ none|selectattr('a')|list }} {{ none|map(attribute='a')|list }}", "[] []"),
    ]

    @Test(arguments: markupFilters)
    func markup(_ testCase: RenderCase) throws {
        #expect(try render(testCase.template, testCase.context) == testCase.expected)
    }

    @Test(arguments: generators)
    func generator(_ testCase: RenderCase) throws {
        #expect(try render(testCase.template, testCase.context) == testCase.expected)
    }

    @Test func generatorsHaveNoLengthOrJSON() {
        #expect(renderError("{{ [1]|map('string')|length }}")?.message == "object of type 'generator' has no len()")
        #expect(renderError("{{ [1]|select|tojson }}")?.message == "Object of type generator is not JSON serializable")
    }

    @Test(arguments: stringFilters)
    func stringFilter(_ testCase: RenderCase) throws {
        #expect(try render(testCase.template, testCase.context) == testCase.expected)
    }

    @Test(arguments: sequenceFilters)
    func sequenceFilter(_ testCase: RenderCase) throws {
        #expect(try render(testCase.template, testCase.context) == testCase.expected)
    }

    @Test(arguments: conversionFilters)
    func conversionFilter(_ testCase: RenderCase) throws {
        #expect(try render(testCase.template, testCase.context) == testCase.expected)
    }

    @Test(arguments: jsonFilter)
    func toJSON(_ testCase: RenderCase) throws {
        #expect(try render(testCase.template, testCase.context) == testCase.expected)
    }
}
