/// Conversions between the 16-bit float formats stored in model files and `Float`.

@inline(__always)
func loadHalf(_ pointer: UnsafeRawPointer, byteOffset: Int = 0) -> Float {
    Float(Float16(bitPattern: pointer.loadUnaligned(fromByteOffset: byteOffset, as: UInt16.self)))
}

/// bfloat16 is the top half of an IEEE float32.
@inline(__always)
func loadBFloat16(_ pointer: UnsafeRawPointer, byteOffset: Int = 0) -> Float {
    Float(bitPattern: UInt32(pointer.loadUnaligned(fromByteOffset: byteOffset, as: UInt16.self)) << 16)
}

/// Rounds to nearest-even bfloat16 (NaN kept as a quiet NaN).
@inline(__always)
public func bfloat16Bits(_ value: Float) -> UInt16 {
    let bits = value.bitPattern
    if value.isNaN { return UInt16(truncatingIfNeeded: bits >> 16) | 0x40 }
    let rounding = 0x7FFF + ((bits >> 16) & 1)
    return UInt16(truncatingIfNeeded: (bits &+ rounding) >> 16)
}
