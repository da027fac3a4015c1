import Hummingbird
import Logging
import ServiceLifecycle

extension OpenAIServer {
    /// Stops admitting generation requests (they get 503) and waits up to `timeout` for those in
    /// flight to finish. Returns whether none remain.
    public func drain(timeout: Duration) async -> Bool {
        beginDraining()
        let deadline = ContinuousClock.now + timeout
        while inFlightRequests > 0 {
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    /// Drains for up to `drainTimeout`, then aborts what is left by shutting the engine down
    /// (their clients get a 503, or an in-band error on a stream), and gives those responses a
    /// moment to be written.
    public func shutDown(drainTimeout: Duration) async {
        let pending = inFlightRequests
        if pending > 0 {
            logger.info("draining", metadata: ["in_flight": "\(pending)", "timeout_s": "\(RequestObservation.seconds(drainTimeout))"])
        }
        let drained = await drain(timeout: drainTimeout)
        if !drained {
            logger.warning("drain timed out; aborting requests", metadata: ["in_flight": "\(inFlightRequests)"])
        }
        engine?.shutdown()
        if !drained { _ = await drain(timeout: .seconds(5)) }
    }
}

/// Waits for graceful shutdown (SIGTERM or SIGINT), then drains the server.
///
/// It belongs after the HTTP application in the service group: the group shuts services down
/// in reverse order, one at a time, so the listener stays open (answering 503) while this drains
/// and closes only once the in-flight requests are done.
struct DrainService: Service {
    let server: OpenAIServer
    let timeout: Duration

    func run() async throws {
        do {
            try await gracefulShutdown()
        } catch {
            return  // cancelled: the group is going down without a graceful phase
        }
        await server.shutDown(drainTimeout: timeout)
    }
}
