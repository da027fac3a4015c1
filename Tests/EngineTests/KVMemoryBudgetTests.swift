import Engine
import Testing

struct KVMemoryBudgetTests {
    @Test func parsesSizesAndFractions() {
        #expect(KVMemoryBudget("2GiB") == .bytes(2 << 30))
        #expect(KVMemoryBudget("512MB") == .bytes(512_000_000))
        #expect(KVMemoryBudget("1.5G") == .bytes(3 << 29))
        #expect(KVMemoryBudget("4096") == .bytes(4096))
        #expect(KVMemoryBudget("0.25") == .fractionOfMemory(0.25))
        #expect(KVMemoryBudget("1.0") == .fractionOfMemory(1))
        #expect(KVMemoryBudget("-1") == nil)
        #expect(KVMemoryBudget("1.5") == nil)
        #expect(KVMemoryBudget("lots") == nil)
        #expect(KVMemoryBudget("0") == nil)
    }

    @Test func fractionUsesPhysicalMemory() {
        #expect(KVMemoryBudget.fractionOfMemory(0.5).byteCount > 0)
    }
}
