/// Why the scheduler refused a configuration or request.
public enum SchedulerError: Error, Equatable, CustomStringConvertible {
    case invalidTokenBudget(Int)
    case invalidMaxRunning(Int)
    case emptyPrompt(Request.ID)
    case invalidMaxTokens(Request.ID, Int)
    case duplicateRequestID(Request.ID)
    /// Prompt plus `maxTokens` needs more blocks than the whole pool has.
    case requestTooLong(Request.ID, blocksNeeded: Int, poolBlocks: Int)

    public var description: String {
        switch self {
        case .invalidTokenBudget(let budget): "maxBatchedTokens must be at least 1, got \(budget)"
        case .invalidMaxRunning(let count): "maxRunning must be at least 1, got \(count)"
        case .emptyPrompt(let id): "request \(id) has an empty prompt"
        case .invalidMaxTokens(let id, let count): "request \(id): maxTokens must be at least 1, got \(count)"
        case .duplicateRequestID(let id): "request id \(id) is already in use"
        case .requestTooLong(let id, let needed, let pool):
            "request \(id) needs \(needed) KV blocks for its prompt and maxTokens, but the pool has \(pool)"
        }
    }
}
