/// A position in a template's source text. Both fields count from 1; columns
/// count Unicode scalars, after `\r\n` and `\r` have been read as `\n`.
public struct SourceLocation: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The line number, from 1.
    public var line: Int
    /// The column number within the line, from 1.
    public var column: Int

    /// Creates a location from a 1-based line and column.
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// `line:column`.
    public var description: String { "\(line):\(column)" }
}

/// Every failure to parse or render a chat template.
///
/// ``message`` says what went wrong; ``location`` says where in the template
/// source, when the failure can be tied to a construct. For
/// ``Kind/raised`` errors ``message`` is exactly the text the template passed
/// to `raise_exception`.
public struct TemplateError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What sort of failure this is.
    public enum Kind: Sendable, Equatable, Hashable {
        /// The template text is not valid Jinja.
        case syntax
        /// Valid Jinja that this interpreter does not implement
        /// (a tag such as `include`, a filter such as `wordwrap`).
        case unsupported
        /// An operation failed while rendering (wrong operand types,
        /// an undefined value used where Jinja raises, division by zero, ...).
        case runtime
        /// The template called `raise_exception(message)`.
        case raised
        /// Rendering exceeded a ``RenderLimits`` bound.
        case limitExceeded
    }

    /// What sort of failure this is.
    public var kind: Kind
    /// A human-readable explanation, without the location.
    public var message: String
    /// Where in the template the failure arose, if known.
    public var location: SourceLocation?

    /// Creates an error.
    public init(_ kind: Kind, _ message: String, at location: SourceLocation? = nil) {
        self.kind = kind
        self.message = message
        self.location = location
    }

    /// The message followed by ` at line:column` when the location is known.
    public var description: String {
        guard let location else { return message }
        return "\(message) at \(location)"
    }
}
