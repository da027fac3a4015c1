/// An error raised while reading, validating or writing a GGUF file.
///
/// `kind` classifies the problem so callers can react to it; `offset` is the absolute file
/// offset (in bytes) where the offending field starts, when the problem has a location;
/// `message` says precisely what is wrong, naming keys and tensors.
public struct GGUFError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The class of problem.
    public enum Kind: Sendable, Equatable, Hashable {
        /// The file does not start with the bytes `GGUF`.
        case badMagic
        /// The version field is 1 (pre-release layout), 0, or newer than 3.
        case unsupportedVersion
        /// A field extends past the end of the file.
        case truncated
        /// A count, size or offset does not fit in memory or in `Int`, or a count claims
        /// more elements than the remaining bytes could possibly hold.
        case overflow
        /// A metadata value type id outside 0…12.
        case unknownValueType
        /// A tensor type id that is not a known `GGMLType`.
        case unknownTensorType
        /// A metadata value that is malformed for its type (a bool byte other than 0 or 1,
        /// a heterogeneous array handed to the writer).
        case invalidValue
        /// The same metadata key appears twice.
        case duplicateKey
        /// The same tensor name appears twice.
        case duplicateTensor
        /// A tensor has more than four dimensions, or its innermost dimension is not a whole
        /// number of quantization blocks.
        case invalidTensorShape
        /// A tensor's bytes extend past the end of the file.
        case tensorOutOfBounds
        /// A tensor's offset is not a multiple of the file's alignment.
        case misalignedTensor
        /// `general.alignment` is zero or not a power of two.
        case invalidAlignment
        /// A string (key, value or tensor name) is not valid UTF-8.
        case invalidString
        /// A required metadata key is absent.
        case missingMetadata
        /// A metadata key holds a value of a different type than the one required.
        case wrongMetadataType
        /// The file could not be opened, mapped or written.
        case io
    }

    /// The class of problem.
    public let kind: Kind
    /// Absolute file offset of the offending field, when the problem has a location.
    public let offset: Int?
    /// A precise, human-readable explanation.
    public let message: String

    /// Creates an error; `offset` is an absolute file offset.
    public init(_ kind: Kind, at offset: Int? = nil, _ message: String) {
        self.kind = kind
        self.offset = offset
        self.message = message
    }

    /// `"GGUF <kind> at offset N: <message>"` (the offset part only when known).
    public var description: String {
        if let offset {
            return "GGUF \(kind) at offset \(offset): \(message)"
        }
        return "GGUF \(kind): \(message)"
    }
}
