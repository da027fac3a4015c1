import GGUF
import Tokenizer

extension Vocabulary {
    /// Reads the `tokenizer.ggml.*` metadata of a GGUF file. Absent optional keys stay nil so the
    /// tokenizer applies llama.cpp's defaults for them.
    init(file: GGUFFile) throws(EngineError) {
        let metadata = file.metadata
        do {
            let model = try Vocabulary.Model(ggufName: try file.requireString("tokenizer.ggml.model"))
            func id(_ key: String) -> TokenID? {
                metadata["tokenizer.ggml.\(key)"]?.intValue.flatMap { TokenID(exactly: $0) }
            }
            self.init(
                model: model,
                preTokenizer: metadata["tokenizer.ggml.pre"]?.stringValue ?? Vocabulary.defaultPreTokenizer,
                tokens: try file.requireStringArray("tokenizer.ggml.tokens"),
                tokenTypes: metadata["tokenizer.ggml.token_type"]?.intArray?.map { Int32(truncatingIfNeeded: $0) } ?? [],
                scores: metadata["tokenizer.ggml.scores"]?.floatArray ?? [],
                merges: metadata["tokenizer.ggml.merges"]?.stringArray ?? [],
                bosID: id("bos_token_id"),
                eosID: id("eos_token_id"),
                eotID: id("eot_token_id"),
                unknownID: id("unknown_token_id"),
                paddingID: id("padding_token_id"),
                addBOS: metadata["tokenizer.ggml.add_bos_token"]?.boolValue,
                addEOS: metadata["tokenizer.ggml.add_eos_token"]?.boolValue,
                addSpacePrefix: metadata["tokenizer.ggml.add_space_prefix"]?.boolValue)
        } catch let error as GGUFError {
            throw .model(error.description)
        } catch {
            throw .model("\(error)")
        }
    }
}
