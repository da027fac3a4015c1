import Synchronization
import Testing
@testable import Kernels

struct ThreadPoolTests {
    @Test(arguments: [1, 2, 3])
    func everyItemRunsExactlyOnce(threads: Int) {
        let pool = ThreadPool(threadCount: threads)
        for count in [1, 5, 64, 1000, 4097] {
            for chunk in [1, 7, 64] {
                let hits = UnsafeMutablePointer<Int>.allocate(capacity: count)
                hits.initialize(repeating: 0, count: count)
                pool.parallelFor(count, chunk: chunk) { range in
                    #expect(range.count <= chunk)
                    for i in range { hits[i] += 1 }
                }
                #expect((0..<count).allSatisfy { hits[$0] == 1 }, "count \(count) chunk \(chunk)")
                hits.deallocate()
            }
        }
    }

    @Test func usesMoreThanOneThread() {
        let pool = ThreadPool(threadCount: 2)
        let threadsSeen = Mutex(Set<UInt>())
        for _ in 0..<50 {
            pool.parallelFor(64, chunk: 1) { _ in
                _ = threadsSeen.withLock { $0.insert(UInt(bitPattern: pthreadSelfID())) }
                var x = 0.0
                for i in 0..<20_000 { x += Double(i).squareRoot() }
                precondition(x > 0)
            }
        }
        #expect(threadsSeen.withLock { $0.count } == 2)
    }

    @Test func manyShortCallsAfterIdle() {
        let pool = ThreadPool(threadCount: 2)
        let total = Atomic<Int>(0)
        for round in 0..<2000 {
            if round == 1000 { usleep(50_000) }  // let workers park, then wake them
            pool.parallelFor(8, chunk: 1) { range in total.add(range.count, ordering: .relaxed) }
        }
        #expect(total.load(ordering: .relaxed) == 16000)
    }
}

#if canImport(Glibc)
import Glibc
func pthreadSelfID() -> Int { Int(bitPattern: UInt(pthread_self())) }
#endif
