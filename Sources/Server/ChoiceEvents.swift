import Engine

/// An engine event of one of a request's `n` choices.
struct ChoiceEvent: Sendable {
    let index: Int
    let event: EngineEvent
}

enum ChoiceEvents {
    /// The events of every choice in arrival order, each tagged with its choice's index.
    ///
    /// One child task drains each engine stream. When the merged stream's consumer goes away
    /// (a failed write, a cancelled handler) the children are cancelled, which ends their engine
    /// streams and so aborts those requests. The first error of any choice ends the merge.
    static func merge(_ streams: [AsyncThrowingStream<EngineEvent, any Error>]) -> AsyncThrowingStream<ChoiceEvent, any Error> {
        let (merged, continuation) = AsyncThrowingStream<ChoiceEvent, any Error>.makeStream()
        let pump = Task {
            do {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for (index, stream) in streams.enumerated() {
                        group.addTask {
                            for try await event in stream { continuation.yield(ChoiceEvent(index: index, event: event)) }
                        }
                    }
                    try await group.waitForAll()
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in pump.cancel() }
        return merged
    }
}
