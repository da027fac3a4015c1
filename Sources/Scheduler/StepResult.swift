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

    public var samples: [Sample]

    public init(samples: [Sample] = []) { self.samples = samples }
}
