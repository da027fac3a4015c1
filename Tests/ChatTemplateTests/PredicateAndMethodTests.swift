import ChatTemplate
import Testing

/// Jinja tests (`is ...`) and the Python methods of strings, dicts and lists.
@Suite struct PredicateAndMethodTests {
    static let predicates: [RenderCase] = [
        RenderCase("{{ x is defined }} {{ x is undefined }} {{ y is defined }} {{ y is not none }} {{ z is none }}", "False True True True True",
                   ["y": 1, "z": nil]),
        RenderCase("{{ 'a' is string }} {{ 1 is string }} {{ {} is mapping }} {{ [] is mapping }} {{ [] is iterable }} {{ 'a' is iterable }} {{ 1 is iterable }}",
                   "True False True False True True False"),
        RenderCase("{{ 1 is number }} {{ 1.5 is number }} {{ true is number }} {{ 1 is integer }} {{ true is integer }} {{ 1.0 is float }} {{ 1 is float }}",
                   "True True True True False True False"),
        RenderCase("{{ true is boolean }} {{ 1 is boolean }} {{ true is true }} {{ 1 is true }} {{ false is false }} {{ [] is sequence }}",
                   "True False True False True True"),
        RenderCase("{{ 3 is odd }} {{ 4 is even }} {{ 9 is divisibleby 3 }} {{ 9 is divisibleby(2) }}", "True True True False"),
        RenderCase("{{ 1 is eq 1 }} {{ 1 is equalto 2 }} {{ 1 is ne 2 }} {{ 2 is gt 1 }} {{ 2 is lt 1 }} {{ 2 is ge 2 }} {{ 2 is le 1 }} {{ 1 is in [1] }}",
                   "True False True True False True False True"),
        RenderCase("{{ 'abc' is lower }} {{ 'ABC' is upper }} {{ 'aBc' is lower }} {{ none is sameas none }} {{ range is callable }}",
                   "True True False True True"),
        RenderCase("{{ 'trim' is filter }} {{ 'nope' is filter }} {{ 'defined' is test }}", "True False True"),
    ]

    static let stringMethods: [RenderCase] = [
        RenderCase("[{{ '  a b  '.strip() }}] [{{ 'xxaxx'.lstrip('x') }}] [{{ 'xxaxx'.rstrip('x') }}] [{{ ' a '.lstrip() }}]", "[a b] [axx] [xxa] [a ]"),
        RenderCase("{{ 'abc'.startswith('ab') }} {{ 'abc'.endswith('bc') }} {{ 'abc'.endswith(('x', 'c')) }} {{ 'abc'.startswith('b') }}",
                   "True True True False"),
        RenderCase("{{ 'a,b,,c'.split(',') }} {{ ' a  b '.split() }} {{ 'a b c'.split(' ', 1) }} {{ 'a-b-c'.rsplit('-', 1) }}",
                   "['a', 'b', '', 'c'] ['a', 'b'] ['a', 'b c'] ['a-b', 'c']"),
        RenderCase("{{ 'Ab'.upper() }} {{ 'Ab'.lower() }} {{ \"they're bill's\".title() }} {{ 'hello World'.capitalize() }}",
                   "AB ab They'Re Bill'S Hello world"),
        RenderCase("{{ 'hello'.replace('l', 'L') }} {{ 'hello'.replace('l', 'L', 1) }} {{ 'ab'.replace('', '-') }}", "heLLo heLlo -a-b-"),
        RenderCase("{{ 'abc'.find('c') }} {{ 'abc'.find('z') }} {{ 'banana'.count('an') }} {{ ', '.join(['a', 'b']) }}", "2 -1 2 a, b"),
        RenderCase("{{ 'a\nb\r\nc'.splitlines() }} {{ '123'.isdigit() }} {{ 'ab'.isalpha() }} {{ ' '.isspace() }} {{ 'x1'.isalnum() }}",
                   "['a', 'b', 'c'] True True True True"),
        RenderCase("{{ '<think>x'.removeprefix('<think>') }} {{ '{} and {}'.format(1, 'b') }} {{ '{0}{1}{0}'.format('a', 'b') }} {{ '{k}!'.format(k=3) }}",
                   "x 1 and b aba 3!"),
        RenderCase("{% set c = 'a</think>b' %}{{ c.split('</think>')[-1] }}", "b"),
    ]

    static let containerMethods: [RenderCase] = [
        RenderCase("{{ d.get('a') }} {{ d.get('z') }} {{ d.get('z', 5) }} {{ d.keys()|list }} {{ d.values()|list }} {{ d.items()|list }}",
                   "1 None 5 ['a', 'b'] [1, 2] [('a', 1), ('b', 2)]", ["d": ["a": 1, "b": 2]]),
        RenderCase("{{ [1, 2, 1].count(1) }} {{ [1, 2].index(2) }} {{ (1, 2).index(1) }}", "2 1 0"),
    ]

    @Test(arguments: predicates)
    func predicate(_ testCase: RenderCase) throws {
        #expect(try render(testCase.template, testCase.context) == testCase.expected)
    }

    @Test(arguments: stringMethods)
    func stringMethod(_ testCase: RenderCase) throws {
        #expect(try render(testCase.template, testCase.context) == testCase.expected)
    }

    @Test(arguments: containerMethods)
    func containerMethod(_ testCase: RenderCase) throws {
        #expect(try render(testCase.template, testCase.context) == testCase.expected)
    }

    @Test func mutatingMethodsAreRefused() {
        let error = renderError("{{ messages.append(1) }}", ["messages": []])
        #expect(error?.message == "access to attribute 'append' of 'list' object is unsafe")
        #expect(renderError("{% set d = {} %}{{ d.update({'a': 1}) }}")?.message == "access to attribute 'update' of 'dict' object is unsafe")
    }
}
