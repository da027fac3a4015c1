import GGUF
import Testing

/// Misusing the writer is a programming error that must stop the process with a message,
/// never produce a file the reader would reject.
@Suite struct WriterMisuseTests {
    @Test func heterogeneousArrayTraps() async {
        await #expect(processExitsWith: .failure) {
            var writer = GGUFWriter()
            writer.set("mixed", .array([.uint8(1), .string("x")]))
        }
    }

    @Test func wrongTensorDataSizeTraps() async {
        await #expect(processExitsWith: .failure) {
            var writer = GGUFWriter()
            writer.addTensor(name: "w", dimensions: [32], type: .q8_0, data: [UInt8](repeating: 0, count: 33))
        }
    }

    @Test func partialBlockTraps() async {
        await #expect(processExitsWith: .failure) {
            var writer = GGUFWriter()
            writer.addTensor(name: "w", dimensions: [16], type: .q4_0, data: [UInt8](repeating: 0, count: 9))
        }
    }

    @Test func rowsOfPartialBlocksTrap() async {
        await #expect(processExitsWith: .failure) {
            var writer = GGUFWriter()
            // 32 elements in total, but rows of 16 cannot be stored as q8_0 blocks.
            writer.addTensor(name: "w", dimensions: [16, 2], type: .q8_0, data: [UInt8](repeating: 0, count: 34))
        }
    }

    @Test func alignmentKeyMustMatchLayout() async {
        await #expect(processExitsWith: .failure) {
            var writer = GGUFWriter()
            writer.set("general.alignment", .uint32(64))
        }
    }

    @Test func duplicateTensorNameTraps() async {
        await #expect(processExitsWith: .failure) {
            var writer = GGUFWriter()
            writer.addTensor(name: "w", dimensions: [1], type: .f32, data: [0, 0, 0, 0])
            writer.addTensor(name: "w", dimensions: [1], type: .f32, data: [0, 0, 0, 0])
        }
    }

    @Test func badAlignmentAndVersionTrap() async {
        await #expect(processExitsWith: .failure) { _ = GGUFWriter(alignment: 48) }
        await #expect(processExitsWith: .failure) { _ = GGUFWriter(alignment: 1 << 32) }
        await #expect(processExitsWith: .failure) { _ = GGUFWriter(version: 1) }
    }

    @Test func foreignTensorInfoTraps() async {
        await #expect(processExitsWith: .failure) {
            var big = GGUFWriter()
            big.addTensor(name: "w", dimensions: [64], type: .f32, data: [UInt8](repeating: 0, count: 256))
            var small = GGUFWriter()
            small.addTensor(name: "w", dimensions: [1], type: .f32, data: [0, 0, 0, 0])
            let bigFile = try GGUFFile(bytes: big.serialize())
            let smallFile = try GGUFFile(bytes: small.serialize())
            _ = smallFile.tensorData(bigFile.tensors[0])
        }
    }
}
