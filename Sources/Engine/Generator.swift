import Foundation
import Kernels
import KVCache
import Model
import Sampling
import Tokenizer

/// Generates text for one sequence at a time: prefill the prompt in chunks, then decode token by
/// token, sampling, detokenizing and matching stop strings as it goes.
///
/// The serving engine batches many sequences; this is the single-stream path of `tern run` and
/// `tern chat`, and it keeps its KV cache between calls so a chat can continue.
public final class Generator {
    public let bundle: ModelBundle
    private let kv: KVStorage
    private var allocator: BlockAllocator
    private var blocks: SequenceBlocks
    /// Tokens whose keys and values are in the cache, in order.
    public private(set) var cachedTokens: [Int32] = []
    private var batch = ForwardBatch()
    private var logitsCopy: [Float]

    /// A generator with a half-precision KV cache.
    /// - Parameter contextLength: positions this generator can hold (defaults to the model's).
    public convenience init(bundle: ModelBundle, contextLength: Int? = nil, blockSize: Int = 16) {
        let blockCount = Self.blockCount(bundle, contextLength, blockSize)
        self.init(bundle: bundle, kv: bundle.model.makeKVStorage(blockCount: blockCount, blockSize: blockSize))
    }

    /// A generator whose KV cache holds `kvType` elements; throws when that type cannot hold the
    /// model's head size.
    public convenience init(bundle: ModelBundle, contextLength: Int? = nil, blockSize: Int = 16, kvType: KVElementType) throws(EngineError) {
        let blockCount = Self.blockCount(bundle, contextLength, blockSize)
        let kv: KVStorage
        do {
            kv = try bundle.model.makeKVStorage(blockCount: blockCount, blockSize: blockSize, elementType: kvType)
        } catch {
            throw .invalidRequest(error.description)
        }
        self.init(bundle: bundle, kv: kv)
    }

    private init(bundle: ModelBundle, kv: KVStorage) {
        self.bundle = bundle
        self.kv = kv
        allocator = BlockAllocator(blockCount: kv.blockCount)
        blocks = SequenceBlocks(blockSize: kv.blockSize)
        logitsCopy = [Float](repeating: 0, count: bundle.model.configuration.vocabularySize)
    }

    private static func blockCount(_ bundle: ModelBundle, _ contextLength: Int?, _ blockSize: Int) -> Int {
        let modelLength = bundle.model.configuration.contextLength
        return (min(contextLength ?? modelLength, modelLength) + blockSize - 1) / blockSize
    }

    /// Positions the cache can hold.
    public var contextLength: Int { kv.blockCount * kv.blockSize }

    /// Forgets the cached sequence.
    public func reset() {
        blocks.releaseAll(to: &allocator)
        cachedTokens.removeAll()
    }

    /// Generates a continuation of `prompt`, calling `onText` with each new piece of text as it
    /// becomes final. Reuses the cached prefix shared with the previous call, if any.
    public func generate(prompt: [Int32], parameters: GenerationParameters, onText: (String) -> Void = { _ in }) throws(EngineError) -> GenerationResult {
        let tokenizer = bundle.tokenizer
        let vocabularySize = bundle.model.configuration.vocabularySize
        guard !prompt.isEmpty else { throw .invalidRequest("the prompt is empty") }
        if let bad = prompt.first(where: { $0 < 0 || Int($0) >= vocabularySize }) {
            throw .invalidRequest("token id \(bad) is outside the vocabulary (size \(vocabularySize))")
        }
        guard prompt.count < contextLength else {
            throw .invalidRequest("the prompt has \(prompt.count) tokens but the context holds \(contextLength)")
        }

        var timings = GenerationTimings(promptTokens: prompt.count)
        let start = DispatchTime.now()
        // Keep the longest cached prefix (at least one prompt token must run to get logits).
        var shared = zip(cachedTokens, prompt).prefix { $0 == $1 }.count
        shared = min(shared, prompt.count - 1)
        truncateCache(to: shared)
        var logits = try run(prompt[shared...])
        let promptDone = DispatchTime.now()
        timings.promptSeconds = seconds(start, promptDone)

        var sampler = Sampler(parameters: parameters.sampling, vocabularySize: vocabularySize)
        var detokenizer = StreamingDetokenizer(tokenizer: tokenizer)
        var stops = StopStringMatcher(stopStrings: parameters.stopStrings)
        var output: [Int32] = []
        var text = ""
        var finish = FinishReason.length
        let limit = min(parameters.maxTokens ?? Int.max, contextLength - prompt.count)

        while output.count < limit {
            let token = logitsCopy.withUnsafeMutableBufferPointer { copy in
                _ = copy.initialize(fromContentsOf: logits)
                return sampler.sample(logits: copy, history: output)
            }
            output.append(token)
            if !parameters.ignoreEOS && tokenizer.isEndOfGeneration(token) {
                finish = .stop
                break
            }
            let (piece, stopped) = stops.append(detokenizer.append(token))
            text += piece
            onText(piece)
            if stopped {
                finish = .stop
                break
            }
            if output.count == limit { break }
            logits = try run(CollectionOfOne(token))
        }
        if !stops.isStopped {
            // Release bytes the detokenizer held back and text the stop matcher held back.
            let (piece, stopped) = stops.append(detokenizer.finish())
            let tail = stopped ? piece : piece + stops.finish()
            if stopped { finish = .stop }
            text += tail
            onText(tail)
        }
        timings.generatedTokens = output.count
        timings.generationSeconds = seconds(promptDone, DispatchTime.now())
        return GenerationResult(promptIDs: prompt, outputIDs: output, text: text, finishReason: finish, timings: timings)
    }

    /// Appends `tokens` to the cached sequence and returns the logits after the last one.
    private func run<Tokens: RandomAccessCollection<Int32>>(_ tokens: Tokens) throws(EngineError) -> UnsafeBufferPointer<Float>
    where Tokens.Index == Int {
        let model = bundle.model
        var result = UnsafeBufferPointer<Float>(start: nil, count: 0)
        var index = tokens.startIndex
        while index < tokens.endIndex {
            let chunk = tokens[index..<min(tokens.endIndex, index + model.maxBatchTokens)]
            let startPosition = cachedTokens.count
            guard blocks.reserve(positions: startPosition + chunk.count, from: &allocator) else {
                throw .outOfMemory("the KV cache is full (\(contextLength) positions)")
            }
            batch.removeAll()
            batch.tokens.append(contentsOf: chunk)
            batch.segments.append(.init(tokenRange: 0..<chunk.count, startPosition: startPosition, blockTable: blocks.blockTable))
            batch.logitIndices.append(chunk.count - 1)
            result = model.forward(batch, kv: kv)
            cachedTokens.append(contentsOf: chunk)
            index += chunk.count
        }
        return result
    }

    private func truncateCache(to count: Int) {
        // Positions past `count` are simply overwritten by the next forward pass.
        cachedTokens.removeLast(cachedTokens.count - count)
    }

    private func seconds(_ a: DispatchTime, _ b: DispatchTime) -> Double {
        Double(b.uptimeNanoseconds - a.uptimeNanoseconds) / 1e9
    }
}
