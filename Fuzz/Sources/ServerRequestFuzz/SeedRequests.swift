import Foundation

/// Valid and near-valid requests for each endpoint, one file each, prefixed with the
/// endpoint's selector byte. Between them they use every field the routes read.
let seedRequests: [(name: String, endpoint: Endpoint, body: String)] = [
    ("chat-minimal", .chat, #"{"messages":[{"role":"user","content":"hi"}],"max_tokens":4}"#),
    ("chat-full", .chat, #"{"model":"fuzz","messages":[{"role":"system","content":"be brief"},{"role":"user","content":[{"type":"text","text":"a"},{"type":"image_url"}]},{"role":"assistant","content":null}],"max_completion_tokens":5,"temperature":0.7,"top_p":0.9,"top_k":5,"min_p":0.1,"repetition_penalty":1.1,"presence_penalty":0.5,"frequency_penalty":-0.5,"stop":["x","\n"],"seed":7,"n":2,"user":"u","ignore_eos":true,"priority":1,"logprobs":true,"top_logprobs":3}"#),
    ("chat-stream", .chat, #"{"messages":[{"role":"user","content":"é\u0000<|im_end|>"}],"stream":true,"stream_options":{"include_usage":true},"max_tokens":3,"logprobs":true}"#),
    ("chat-bad-role", .chat, #"{"messages":[{"role":"robot","content":"x"}]}"#),
    ("completion-text", .completions, #"{"prompt":"Once upon","max_tokens":6,"stop":"a","logprobs":2,"temperature":0}"#),
    ("completion-tokens", .completions, #"{"prompt":[1,2,256,257],"max_tokens":3,"n":3,"seed":-1,"stream":true}"#),
    ("completion-batch", .completions, #"{"prompt":[[1,2],[3]],"echo":false}"#),
    ("completion-unknown-model", .completions, #"{"model":"gpt-4","prompt":["x"]}"#),
    ("tokenize", .tokenize, #"{"content":"<|im_start|>user\nhello","add_special":false}"#),
    ("detokenize", .detokenize, #"{"tokens":[72,105,257,999999999999]}"#),
]

/// Writes ``seedRequests`` into `directory`; returns the process exit status.
func writeSeedRequests(to directory: String) -> CInt {
    do {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for seed in seedRequests {
            let bytes = [seed.endpoint.selector] + Array(seed.body.utf8)
            try Data(bytes).write(to: URL(fileURLWithPath: directory).appendingPathComponent(seed.name))
        }
        return 0
    } catch {
        print("cannot write seeds: \(error)")
        return 1
    }
}
