/// Bounds that keep a hostile or buggy template from rendering forever or
/// exhausting memory. Exceeding one throws a
/// ``TemplateError/Kind/limitExceeded`` error.
public struct RenderLimits: Sendable, Equatable {
    /// Largest rendered output, and largest string or list any expression may build, in bytes (elements for lists).
    public var maxOutputBytes: Int
    /// Most `for` loop iterations, counted over the whole render.
    public var maxLoopIterations: Int
    /// Deepest nesting of macro calls.
    public var maxCallDepth: Int

    /// Creates limits; the defaults are far above what real chat templates need.
    public init(maxOutputBytes: Int = 16 << 20, maxLoopIterations: Int = 1_000_000, maxCallDepth: Int = 64) {
        self.maxOutputBytes = maxOutputBytes
        self.maxLoopIterations = maxLoopIterations
        self.maxCallDepth = maxCallDepth
    }

    func sizeError(at location: SourceLocation?) -> TemplateError {
        TemplateError(.limitExceeded, "value or output larger than \(maxOutputBytes) bytes", at: location)
    }

    /// `text`, or an error when it is larger than ``maxOutputBytes``.
    func checked(_ text: String, at location: SourceLocation?) throws(TemplateError) -> String {
        guard text.utf8.count <= maxOutputBytes else { throw sizeError(at: location) }
        return text
    }

    /// `items`, or an error when it has more than ``maxOutputBytes`` elements.
    func checked(_ items: [Value], at location: SourceLocation?) throws(TemplateError) -> [Value] {
        guard items.count <= maxOutputBytes else { throw sizeError(at: location) }
        return items
    }
}
