/// How waiting requests are picked for admission.
public enum SchedulingPolicy: Sendable, Equatable {
    /// First come, first served.
    case firstComeFirstServed
    /// Smallest `priority` first, then earliest arrival. Preemption victims are the largest
    /// `priority`, then latest arrival.
    case priority
    /// Round-robin across user ids: the next admission goes to the user admitted least
    /// recently, so one user's burst cannot starve others. FCFS within a user.
    case userFairness
}

/// Limits of one scheduler step.
public struct SchedulerConfig: Sendable, Equatable {
    /// Tokens computed per step across all requests (Sarathi-Serve's token budget).
    public var maxBatchedTokens: Int
    /// Requests holding blocks at once.
    public var maxRunning: Int
    public var policy: SchedulingPolicy
    public var preemption: PreemptionMode

    public init(maxBatchedTokens: Int = 512, maxRunning: Int = 64, policy: SchedulingPolicy = .firstComeFirstServed,
                preemption: PreemptionMode = .recompute) {
        self.maxBatchedTokens = maxBatchedTokens
        self.maxRunning = maxRunning
        self.policy = policy
        self.preemption = preemption
    }
}
