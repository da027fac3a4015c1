import Foundation
import HTTPTypes
import HummingbirdTesting
@testable import Server
import Testing

/// The server's phases: 503 while the model loads, serving, then draining on shutdown.
struct LifecycleTests {
    static let longRequest = #"{"prompt": [1, 2, 3], "max_tokens": 120, "temperature": 0, "ignore_eos": true}"#

    @Test func everyModelRouteIs503UntilTheEngineIsAttached() async throws {
        let fixture = try ServerFixture(attached: false)
        defer { fixture.close() }
        let before = try await fixture.withClient { client in
            [try await client.execute(uri: "/health", method: .get),
             try await client.post("/v1/completions", #"{"prompt": "Hi", "max_tokens": 2}"#),
             try await client.post("/v1/chat/completions", #"{"messages": [{"role": "user", "content": "Hi"}]}"#),
             try await client.post("/tokenize", #"{"content": "Hi"}"#),
             try await client.post("/detokenize", #"{"tokens": [1]}"#),
             try await client.execute(uri: "/v1/models", method: .get)]
        }
        for response in before {
            let error = try ErrorResponseTests.expectError(response, .serviceUnavailable)
            #expect(error["code"] as? String == "model_loading")
        }
        #expect(before[0].headers[.retryAfter] != nil)
        let metrics = try await fixture.withClient { client in try await client.execute(uri: "/metrics", method: .get) }
        #expect(metrics.status == .ok)

        fixture.attach()
        let (health, completion) = try await fixture.withClient { client in
            (try await client.execute(uri: "/health", method: .get),
             try await client.post("/v1/completions", #"{"prompt": [4, 5], "max_tokens": 2, "ignore_eos": true}"#))
        }
        #expect(health.status == .ok)
        #expect(completion.status == .ok)
    }

    /// While draining, new generation requests get 503 and /health reports it, but a request
    /// admitted before the drain runs to completion.
    @Test func drainingRefusesNewRequestsWhileAdmittedOnesFinish() async throws {
        // One sequence at a time, so four long requests stay in flight for a while.
        let fixture = try ServerFixture(maxRunning: 1)
        defer { fixture.close() }
        let server = fixture.server
        let (admitted, refused, health, tokenize) = try await fixture.withClient { client in
            try await withThrowingTaskGroup(of: TestResponse.self) { group in
                for _ in 0..<4 { group.addTask { try await client.post("/v1/completions", Self.longRequest) } }
                while server.inFlightRequests < 4 { try await Task.sleep(for: .milliseconds(1)) }
                server.beginDraining()
                let stillInFlight = server.inFlightRequests
                try #require(stillInFlight > 0, "the requests finished before the drain began")
                let refused = try await client.post("/v1/completions", Self.longRequest)
                let health = try await client.execute(uri: "/health", method: .get)
                let tokenize = try await client.post("/tokenize", #"{"content": "Hi"}"#)
                var admitted: [TestResponse] = []
                for try await response in group { admitted.append(response) }
                return (admitted, refused, health, tokenize)
            }
        }
        let error = try ErrorResponseTests.expectError(refused, .serviceUnavailable)
        #expect(error["code"] as? String == "shutting_down")
        try ErrorResponseTests.expectError(health, .serviceUnavailable)
        #expect(tokenize.status == .ok)
        #expect(admitted.count == 4)
        for response in admitted {
            #expect(response.status == .ok)
            #expect(try response.object().object("usage")?["completion_tokens"] as? Int == 120)
        }
        #expect(server.inFlightRequests == 0)
    }

    @Test func drainWaitsForAdmittedRequestsUpToItsTimeout() async throws {
        let fixture = try ServerFixture()
        defer { fixture.close() }
        var ticket: AdmissionQueue.Ticket? = try fixture.server.queue.admit()
        let start = ContinuousClock.now
        let drainedWhileHeld = await fixture.server.drain(timeout: .milliseconds(100))
        #expect(!drainedWhileHeld)
        #expect(ContinuousClock.now - start >= .milliseconds(100))
        withExtendedLifetime(ticket) {}
        ticket = nil
        #expect(await fixture.server.drain(timeout: .seconds(5)))
    }

    /// Requests that outlast the drain timeout are aborted: each ends as a complete 200 or a
    /// 503 naming the shutdown, never anything else, and none is left in flight.
    @Test func shutDownAbortsWhatOutlastsTheDrain() async throws {
        // Sixteen requests one at a time: on a loaded machine the test task can lose the CPU long
        // enough for the tiny model to finish four.
        let requests = 16
        let fixture = try ServerFixture(maxQueue: requests, maxRunning: 1)
        defer { fixture.close() }
        let server = fixture.server
        let responses = try await fixture.withClient { client in
            try await withThrowingTaskGroup(of: TestResponse.self) { group in
                for _ in 0..<requests { group.addTask { try await client.post("/v1/completions", Self.longRequest) } }
                while server.inFlightRequests < requests { try await Task.sleep(for: .milliseconds(1)) }
                await server.shutDown(drainTimeout: .zero)
                var responses: [TestResponse] = []
                for try await response in group { responses.append(response) }
                return responses
            }
        }
        #expect(responses.count == requests)
        var aborted = 0
        for response in responses where response.status != .ok {
            let error = try ErrorResponseTests.expectError(response, .serviceUnavailable)
            #expect(error["code"] as? String == "shutting_down")
            aborted += 1
        }
        #expect(aborted >= 1)
        #expect(server.inFlightRequests == 0)
    }
}
