/// What the runner reports back after a step.
public struct StepResult: Sendable, Equatable {
    /// A token sampled for a chunk that needed logits.
    public struct Sample: Sendable, Equatable {
        public var requestID: Request.ID
        public var token: Int32
        /// The token ends the request (end-of-sequence or a stop string); it is still kept.
        public var isStop: Bool

        public init(requestID: Request.ID, token: Int32, isStop: Bool = false) {
            self.requestID = requestID
            self.token = token
            self.isStop = isStop
        }
    }

    /// A parallel sample of a prompt (OpenAI's `n`) split off its parent request in the step
    /// that computed the parent's last prompt token. The child shares every KV block of the
    /// prompt (copy-on-write) and starts with its own first token, drawn from the same logits.
    public struct Fork: Sendable, Equatable {
        public var parent: Request.ID
        public var child: Request.ID
        public var token: Int32
        public var isStop: Bool

        public init(parent: Request.ID, child: Request.ID, token: Int32, isStop: Bool = false) {
            self.parent = parent
            self.child = child
            self.token = token
            self.isStop = isStop
        }
    }

    public var samples: [Sample]
    /// Applied only where the parent's chunk of this step completed its prompt and the child
    /// id is unused; others are ignored.
    public var forks: [Fork]

    public init(samples: [Sample] = [], forks: [Fork] = []) {
        self.samples = samples
        self.forks = forks
    }
}
