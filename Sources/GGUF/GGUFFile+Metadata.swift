extension GGUFFile {
    /// The integer stored under `key` (any integer value type).
    ///
    /// Throws `.missingMetadata` if the key is absent and `.wrongMetadataType` if it holds a
    /// non-integer or a `uint64` too large for `Int`.
    public func requireInt(_ key: String) throws(GGUFError) -> Int {
        try require(key, as: "an integer", \.intValue)
    }

    /// The number stored under `key` (any integer or floating-point value type) as `Double`.
    ///
    /// Throws `.missingMetadata` if the key is absent and `.wrongMetadataType` otherwise.
    public func requireFloat(_ key: String) throws(GGUFError) -> Double {
        try require(key, as: "a number", \.floatValue)
    }

    /// The string stored under `key`.
    ///
    /// Throws `.missingMetadata` if the key is absent and `.wrongMetadataType` otherwise.
    public func requireString(_ key: String) throws(GGUFError) -> String {
        try require(key, as: "a string", \.stringValue)
    }

    /// The bool stored under `key`.
    ///
    /// Throws `.missingMetadata` if the key is absent and `.wrongMetadataType` otherwise.
    public func requireBool(_ key: String) throws(GGUFError) -> Bool {
        try require(key, as: "a bool", \.boolValue)
    }

    /// The array of strings stored under `key` (an empty array qualifies).
    ///
    /// Throws `.missingMetadata` if the key is absent and `.wrongMetadataType` otherwise.
    public func requireStringArray(_ key: String) throws(GGUFError) -> [String] {
        try require(key, as: "an array of strings", \.stringArray)
    }

    /// The array of integers stored under `key` (an empty array qualifies).
    ///
    /// Throws `.missingMetadata` if the key is absent and `.wrongMetadataType` otherwise.
    public func requireIntArray(_ key: String) throws(GGUFError) -> [Int] {
        try require(key, as: "an array of integers", \.intArray)
    }

    /// The array of numbers stored under `key` as `Float` (an empty array qualifies).
    ///
    /// Throws `.missingMetadata` if the key is absent and `.wrongMetadataType` otherwise.
    public func requireFloatArray(_ key: String) throws(GGUFError) -> [Float] {
        try require(key, as: "an array of numbers", \.floatArray)
    }

    private func require<T>(
        _ key: String, as expected: String, _ extract: (GGUFValue) -> T?
    ) throws(GGUFError) -> T {
        guard let value = metadata[key] else {
            throw GGUFError(.missingMetadata, "required metadata key '\(key)' is missing")
        }
        guard let result = extract(value) else {
            throw GGUFError(
                .wrongMetadataType, at: metadataOffsets[key],
                "metadata key '\(key)' holds \(value.typeName), expected \(expected)")
        }
        return result
    }
}
