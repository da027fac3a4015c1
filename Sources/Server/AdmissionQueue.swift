import Synchronization

/// Bounds the requests waiting for or running on the engine; past the bound clients get a 429.
final class AdmissionQueue: Sendable {
    let limit: Int
    private let count = Atomic<Int>(0)

    init(limit: Int) { self.limit = limit }

    /// Requests holding a slot now.
    var occupied: Int { count.load(ordering: .relaxed) }

    /// Takes a slot, or throws 429 when all are taken. The slot is returned when the ticket is
    /// released, however the request ends (finished, failed, or its response dropped unsent).
    func admit() throws(APIError) -> Ticket {
        let taken = count.wrappingAdd(1, ordering: .relaxed).newValue
        guard taken <= limit else {
            count.wrappingSubtract(1, ordering: .relaxed)
            throw .queueFull(limit: limit)
        }
        return Ticket(queue: self)
    }

    fileprivate func release() { count.wrappingSubtract(1, ordering: .relaxed) }

    /// One admitted request's slot.
    final class Ticket: Sendable {
        private let queue: AdmissionQueue
        fileprivate init(queue: AdmissionQueue) { self.queue = queue }
        deinit { queue.release() }
    }
}
