/// markupsafe's escaping, which Jinja's `escape` filter and `Markup` use.
enum HTML {
    /// Replaces `& < > " '` with `&amp; &lt; &gt; &#34; &#39;`.
    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&#34;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
