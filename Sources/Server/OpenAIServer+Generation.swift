import ChatTemplate
import Engine
import Foundation
import HTTPTypes
import Hummingbird

/// `POST /v1/chat/completions` and `POST /v1/completions`.
extension OpenAIServer {
    func chatCompletion(_ request: Request) async throws -> Response {
        let arrival = ContinuousClock.now
        let serving = try servingForGeneration()
        let bundle = serving.engine.bundle
        let body = try await decode(ChatCompletionRequest.self, from: request)
        try checkModel(body.fields.model)
        guard let fields = body.messages else { throw APIError.invalidParameter("messages", "'messages' is required.") }
        guard !fields.isEmpty else { throw APIError.invalidParameter("messages", "'messages' must contain at least one message.") }
        for (index, message) in fields.enumerated() where !Self.roles.contains(message.role) {
            throw APIError.invalidParameter("messages[\(index)].role",
                                            "Invalid role '\(message.role)'; expected one of \(Self.roles.sorted().joined(separator: ", ")).")
        }
        let text: String
        do {
            text = try bundle.renderChat(fields.map { ChatMessage(role: $0.role, content: $0.content) })
        } catch {
            throw APIError.invalidParameter("messages", "Cannot apply the chat template: \(error.description)")
        }
        let prompt = bundle.tokenizer.encode(text, addSpecial: true, parseSpecial: true)
        return try await generate(prompt: prompt, promptParam: "messages", fields: body.fields, kind: .chat,
                                  serving: serving, arrival: arrival)
    }

    func completion(_ request: Request) async throws -> Response {
        let arrival = ContinuousClock.now
        let serving = try servingForGeneration()
        let body = try await decode(CompletionRequest.self, from: request)
        try checkModel(body.fields.model)
        let prompt: [Int32]
        switch body.prompt {
        case nil:
            throw APIError.invalidParameter("prompt", "'prompt' is required.")
        case .text(let text):
            prompt = serving.engine.bundle.tokenizer.encode(text, addSpecial: true, parseSpecial: true)
        case .tokens(let ids):
            if let bad = ids.first(where: { Int32(exactly: $0) == nil }) {
                throw APIError.invalidParameter("prompt", "Token id \(bad) is outside the vocabulary.")
            }
            prompt = ids.map { Int32($0) }
        case .batch(let count):
            throw APIError.invalidParameter("prompt", "Batched prompts are not supported (got \(count)); send one prompt per request.")
        }
        return try await generate(prompt: prompt, promptParam: "prompt", fields: body.fields, kind: .text,
                                  serving: serving, arrival: arrival)
    }

    private func generate(prompt: [Int32], promptParam: String, fields: GenerationFields, kind: CompletionFormat.Kind,
                          serving: Serving, arrival: ContinuousClock.Instant) async throws -> Response {
        let engine = serving.engine
        let plan = try GenerationPlan(fields: fields, prompt: prompt, promptParam: promptParam,
                                      contextLength: serving.contextLength,
                                      vocabularySize: engine.bundle.model.configuration.vocabularySize, kind: kind)
        let ticket = try queue.admit()
        let format = CompletionFormat(kind: kind, model: configuration.modelName)
        let renderer = plan.request.parameters.logprobs == nil ? nil : LogprobRenderer(tokenizer: engine.bundle.tokenizer, kind: kind)
        let (metrics, logger) = (self.metrics, self.logger)
        if plan.stream {
            var headers = HTTPFields()
            headers[.contentType] = "text/event-stream"
            headers[.cacheControl] = "no-cache"
            let options = EventStreamWriter.Options(choices: plan.samples, includeUsage: plan.includeUsage, logprobs: renderer)
            // The request is submitted only once the body is written, so a response dropped
            // unsent never starts one; the ticket lives as long as this closure.
            let body = ResponseBody { [self] writer in
                withExtendedLifetime(ticket) {}
                var observation = RequestObservation(id: format.id, promptTokens: prompt.count, choices: plan.samples,
                                                     metrics: metrics, logger: logger, start: arrival)
                defer { observation.close() }
                let events = ChoiceEvents.merge(engine.submit(plan.request, samples: plan.samples))
                try await EventStreamWriter.stream(events, format: format, options: options, observation: &observation,
                                                   failure: { failure(of: $0) }, to: &writer)
                try await writer.finish(nil)
            }
            return Response(status: .ok, headers: headers, body: body)
        }
        defer { withExtendedLifetime(ticket) {} }
        var observation = RequestObservation(id: format.id, promptTokens: prompt.count, choices: plan.samples,
                                             metrics: metrics, logger: logger, start: arrival)
        defer { observation.close() }
        var choices = [ChoiceCollector](repeating: ChoiceCollector(), count: plan.samples)
        do {
            for try await choice in ChoiceEvents.merge(engine.submit(plan.request, samples: plan.samples)) {
                observation.observe(choice)
                choices[choice.index].add(choice.event)
            }
        } catch let error as EngineError {
            throw failure(of: error)
        }
        guard choices.allSatisfy({ $0.usage != nil }) else {
            throw isDraining ? APIError.interrupted
                : APIError(status: .serviceUnavailable, message: "The request ended without a result (it was cancelled).", type: "server_error")
        }
        var offsets = [Int](repeating: 0, count: plan.samples)
        let bodies = choices.indices.map { index in
            CompletionFormat.Choice(text: choices[index].text, finishReason: choices[index].finishReason ?? .stop,
                                    logprobs: renderer?.render(choices[index].logged, offset: &offsets[index]))
        }
        return Self.json(data: try format.response(bodies, usage: UsageBody(choices: choices.compactMap(\.usage))))
    }

    /// An engine failure as the client sees it: the request was refused (400), or the server
    /// shut the engine down under it (503).
    func failure(of error: EngineError) -> APIError {
        isDraining ? .interrupted : .invalidParameter(nil, error.description)
    }
}

/// One choice of a whole (non-streaming) response, as its events arrive.
struct ChoiceCollector {
    var text = ""
    var logged: [LoggedToken] = []
    var finishReason: FinishReason?
    var usage: EngineEvent.Usage?

    mutating func add(_ event: EngineEvent) {
        switch event {
        case .token(let id, let piece, let logprob):
            text += piece
            if let logprob { logged.append(LoggedToken(id: id, logprob: logprob)) }
        case .text(let piece):
            text += piece
        case .finished(let reason, let usage):
            finishReason = reason
            self.usage = usage
        }
    }
}
