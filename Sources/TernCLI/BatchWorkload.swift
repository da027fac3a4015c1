import ChatTemplate
import Engine
import Sampling

/// Synthetic chat requests for `tern batch`: each user message has about `promptTokens` tokens
/// of English words drawn from a seeded generator, optionally after one shared system prompt.
struct BatchWorkload {
    static let words = """
        the a of to and in is it you that he was for on are with as his they be at one have this from or had by \
        word but what some we can out other were all there when up use your how said an each she which do their \
        time if will way about many then them write would like so these her long make thing see him two has look \
        more day could go come did number sound no most people my over know water than call first who may down side \
        been now find any new work part take get place made live where after back little only round man year came \
        show every good me give our under name very through just form sentence great think say help low line differ \
        turn cause much mean before move right boy old too same tell does set three want air well also play small end
        """.split(separator: " ").map(String.init)

    let prompts: [[Int32]]
    /// Tokens of the rendered shared system prompt alone (0 without one).
    let sharedPrefixTokens: Int

    init(bundle: ModelBundle, requests: Int, promptTokens: Int, sharedPrefixTokens: Int, seed: UInt64) throws(CLIError) {
        var generator = SplitMix64(seed: seed)
        let system = sharedPrefixTokens > 0 ? Self.text(tokens: sharedPrefixTokens, bundle: bundle, generator: &generator) : nil
        var prompts: [[Int32]] = []
        for _ in 0..<requests {
            let user = Self.text(tokens: promptTokens, bundle: bundle, generator: &generator)
            var messages: [ChatMessage] = []
            if let system { messages.append(ChatMessage(role: "system", content: system)) }
            messages.append(ChatMessage(role: "user", content: user))
            let rendered: String
            do { rendered = try bundle.renderChat(messages) } catch { throw CLIError("\(error)") }
            prompts.append(bundle.tokenizer.encode(rendered, addSpecial: true, parseSpecial: true))
        }
        self.prompts = prompts
        self.sharedPrefixTokens = system.map { bundle.tokenizer.encode($0, addSpecial: false, parseSpecial: false).count } ?? 0
    }

    /// Words appended until the text encodes to at least `tokens` tokens, in sentences of 8 to
    /// 15 words so the text reads like text to the tokenizer.
    private static func text(tokens: Int, bundle: ModelBundle, generator: inout SplitMix64) -> String {
        var text = ""
        var wordsLeftInSentence = 0
        while bundle.tokenizer.encode(text, addSpecial: false, parseSpecial: false).count < tokens {
            var word = words.randomElement(using: &generator)!
            if wordsLeftInSentence == 0 {
                if !text.isEmpty { text += "." }
                word = word.prefix(1).uppercased() + word.dropFirst()
                wordsLeftInSentence = Int.random(in: 8...15, using: &generator)
            }
            text += (text.isEmpty ? "" : " ") + word
            wordsLeftInSentence -= 1
        }
        return text + "."
    }
}
