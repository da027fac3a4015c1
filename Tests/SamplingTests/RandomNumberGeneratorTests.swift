import Sampling
import Testing

/// Expected outputs follow from the published reference algorithms
/// (prng.di.unimi.it), evaluated independently with 64-bit modular arithmetic.
struct RandomNumberGeneratorTests {
    @Test func splitMix64MatchesReferenceOutputsForSeedZero() {
        var generator = SplitMix64(seed: 0)
        #expect(generator.next() == 0xE220_A839_7B1D_CDAF)
        #expect(generator.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(generator.next() == 0x06C4_5D18_8009_454F)
    }

    @Test func xoshiroMatchesReferenceOutputsForExplicitState() {
        // State (1, 2, 3, 4): the first output is rotl(2 * 5, 7) * 9 = 11520.
        var generator = Xoshiro256StarStar(state: (1, 2, 3, 4))
        let expected: [UInt64] = [
            11520, 0, 1_509_978_240, 1_215_971_899_390_074_240,
            1_216_172_134_540_287_360, 607_988_272_756_665_600,
        ]
        #expect((0 ..< 6).map { _ in generator.next() } == expected)
    }

    @Test func xoshiroSeedsItsStateWithSplitMix64() {
        var generator = Xoshiro256StarStar(seed: 42)
        #expect(generator.next() == 0x1578_0B2E_0C2E_C716)
        #expect(generator.next() == 0x6104_D986_6D11_3A7E)
        #expect(generator.next() == 0xAE17_5332_39E4_99A1)
    }

    @Test func allZeroStateIsReplacedSoTheGeneratorDoesNotStick() {
        var generator = Xoshiro256StarStar(state: (0, 0, 0, 0))
        let outputs = (0 ..< 4).map { _ in generator.next() }
        #expect(outputs.contains { $0 != 0 })
    }

    @Test func unitIntervalUsesTheTop53Bits() {
        // With state (1, 2, 3, 4) the outputs are 11520, 0, 1509978240:
        // 11520 >> 11 = 5, 0 >> 11 = 0 and 1509978240 >> 11 = 737294.
        var generator = Xoshiro256StarStar(state: (1, 2, 3, 4))
        #expect(generator.nextUnitInterval() == 5 * 0x1p-53)
        #expect(generator.nextUnitInterval() == 0)
        #expect(generator.nextUnitInterval() == 737_294 * 0x1p-53)
    }

    @Test func unitIntervalStaysBelowOne() {
        var generator = Xoshiro256StarStar(seed: 9)
        let values = (0 ..< 10_000).map { _ in generator.nextUnitInterval() }
        #expect(values.allSatisfy { $0 >= 0 && $0 < 1 })
    }
}
