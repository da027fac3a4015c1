import ChatTemplate
import Testing

/// Lexer whitespace handling with transformers' settings: trim_blocks and
/// lstrip_blocks on, `-` and `+` markers, comments, raw blocks, newlines.
@Suite struct WhitespaceControlTests {
    static let cases: [RenderCase] = [
        // trim_blocks: the newline right after a block tag goes; after `}}` it stays.
        RenderCase("{% if true %}\nx\n{% endif %}\ny", "x\ny"),
        RenderCase("{{ 'a' }}\nb", "a\nb"),
        // lstrip_blocks: indentation before a block tag goes, before `{{` it stays.
        RenderCase("  {% if true %}\n  x\n  {% endif %}\n  y", "  x\n  y"),
        RenderCase("\t{% if true %}\n\t\tx\n\t{% endif %}", "\t\tx\n"),
        RenderCase("  {{ 'v' }}", "  v"),
        // lstrip only applies when nothing but spaces precede the tag on its line.
        RenderCase("a  {% if true %}b{% endif %}", "a  b"),
        RenderCase("{{ 'a' }}  {% if true %}b{% endif %}", "a  b"),
        // After a tag that ate its newline, the next line's indentation counts as line start.
        RenderCase("{% if true %}\n  {% if true %}x{% endif %}\n{% endif %}", "x"),
        RenderCase("line1\n  {% for i in [1, 2] %}\n  {{ i }}\n  {% endfor %}\nend", "line1\n  1\n  2\nend"),
        // `-` strips all whitespace, newlines included, on its side.
        RenderCase("a  {{- 'b' -}}  c", "abc"),
        RenderCase("a \n {%- if true -%} \n c \n {%- endif -%} \n d", "acd"),
        RenderCase("{{ 'a' -}}\n\n  b", "ab"),
        // `+` keeps what trim_blocks and lstrip_blocks would remove.
        RenderCase("  {%+ if true %}x{% endif +%}\ny", "  x\ny"),
        RenderCase("{% for i in [1, 2] %}{{ i }}{% endfor +%}\nx", "12\nx"),
        // Comments vanish, with the same trimming as block tags.
        RenderCase("{# note #}\nx", "x"),
        RenderCase("  {# note #}\nx", "x"),
        RenderCase("x {# note #} y", "x  y"),
        RenderCase("{#- a -#}   x   {#- b -#}", "x"),
        RenderCase("{# multi\nline {{ not parsed }} #}ok", "ok"),
        // Raw blocks output their body untouched.
        RenderCase("{% raw %}{{ x }}{% if %}{% endraw %}", "{{ x }}{% if %}"),
        RenderCase("{% raw -%}  {{ x }}  {%- endraw %}", "{{ x }}"),
        // One trailing newline of the template is dropped; CR LF and CR read as LF.
        RenderCase("hello\n", "hello"),
        RenderCase("hello\n\n", "hello\n"),
        RenderCase("a\r\nb\rc", "a\nb\nc"),
        RenderCase("{% if true %}\r\n  x\r\n{% endif %}\r\n", "  x\n"),
        // The SmolLM2-style pattern: text literals with real newlines inside `{{ }}`.
        RenderCase("{{ 'a\nb' }}\n", "a\nb"),
    ]

    @Test(arguments: cases)
    func renders(_ testCase: RenderCase) throws {
        #expect(try render(testCase.template, testCase.context) == testCase.expected)
    }

    @Test func chatTemplateIndentationStyle() throws {
        // The layout Qwen2.5 and Llama 3.1 use: every tag strips to its left.
        let source = """
            {%- for m in messages %}
                {%- if m.role == 'user' %}
                    {{- '<u>' + m.content }}
                {%- else %}
                    {{- '<a>' + m.content }}
                {%- endif %}
            {%- endfor %}

            """
        let messages: TemplateValue = [["role": "user", "content": "q"], ["role": "assistant", "content": "r"]]
        #expect(try render(source, ["messages": messages]) == "<u>q<a>r")
    }
}
