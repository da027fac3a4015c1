#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CIntrinsics
import Synchronization

/// A persistent pool of compute threads for the many small parallel loops of a forward pass.
///
/// Decode issues a couple of hundred short matrix-vector products per token, so the cost of
/// starting a parallel loop matters: workers spin briefly on a generation counter before parking
/// on a condition variable, and the calling thread takes a share of the work. Work items are
/// claimed dynamically in chunks, so when another process occupies a core the remaining threads
/// pick up its share instead of waiting for it.
public final class ThreadPool: @unchecked Sendable {
    /// Total threads doing work, including the caller.
    public let threadCount: Int

    // Claim cursor: generation in the high 32 bits, next unclaimed item in the low 32 bits. A worker
    // that wakes late for a finished job fails the generation check and claims nothing.
    private let cursor = Atomic<UInt64>(0)
    private let generation = Atomic<UInt32>(0)
    private let itemCount = Atomic<Int>(0)
    private let chunkSize = Atomic<Int>(1)
    private let completed = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private var body: ((Range<Int>) -> Void)?
    // Heap-allocated so their addresses never change (a pthread object must not be copied).
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var threads: [pthread_t] = []
    private let submitLock = Mutex<Void>(())

    /// Spin iterations (each a `pause`) before a worker parks: long enough to cover the gap
    /// between consecutive kernels of one forward pass, short enough not to burn a core when idle.
    private static let spinIterations = 20_000

    public init(threadCount: Int) {
        self.threadCount = max(1, threadCount)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(wake, nil)
        for _ in 1..<self.threadCount {
            let context = Unmanaged.passUnretained(self).toOpaque()
            var thread = pthread_t()
            let rc = pthread_create(&thread, nil, { raw in
                let pool = Unmanaged<ThreadPool>.fromOpaque(raw!).takeUnretainedValue()
                pool.workerLoop()
                return nil
            }, context)
            precondition(rc == 0, "pthread_create failed (\(rc))")
            threads.append(thread)
        }
    }

    deinit {
        stopping.store(true, ordering: .sequentiallyConsistent)
        generation.wrappingAdd(1, ordering: .sequentiallyConsistent)
        pthread_mutex_lock(mutex)
        pthread_cond_broadcast(wake)
        pthread_mutex_unlock(mutex)
        for thread in threads { pthread_join(thread, nil) }
        pthread_cond_destroy(wake)
        pthread_mutex_destroy(mutex)
        wake.deallocate()
        mutex.deallocate()
    }

    /// Calls `body` on disjoint ranges covering `0..<count`, each at most `chunk` long, from all
    /// threads of the pool, and returns when every range is done. Not reentrant.
    public func parallelFor(_ count: Int, chunk: Int = 1, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let chunk = max(1, chunk)
        if threadCount == 1 || count <= chunk {
            for start in stride(from: 0, to: count, by: chunk) { body(start..<min(count, start + chunk)) }
            return
        }
        precondition(count < Int(UInt32.max))
        submitLock.withLock { _ in
            withoutActuallyEscaping(body) { escapable in
                self.body = escapable
                itemCount.store(count, ordering: .releasing)
                chunkSize.store(chunk, ordering: .releasing)
                completed.store(0, ordering: .relaxed)
                let next = generation.load(ordering: .relaxed) &+ 1
                cursor.store(UInt64(next) << 32, ordering: .sequentiallyConsistent)
                generation.store(next, ordering: .sequentiallyConsistent)
                if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                    pthread_mutex_lock(mutex)
                    pthread_cond_broadcast(wake)
                    pthread_mutex_unlock(mutex)
                }
                runClaimedChunks(generation: next)
                var spins = 0
                while completed.load(ordering: .acquiring) < count {
                    spins += 1
                    if spins < 1 << 16 { tern_cpu_relax() } else { sched_yield() }
                }
                // Close the job before its fields change, so a late worker holding this tag
                // sees no unclaimed items whatever count it reads next.
                cursor.store((UInt64(next) << 32) | 0xFFFF_FFFF, ordering: .sequentiallyConsistent)
                self.body = nil
            }
        }
    }

    private func runClaimedChunks(generation tag: UInt32) {
        let count = itemCount.load(ordering: .acquiring)
        let chunk = chunkSize.load(ordering: .acquiring)
        var current = cursor.load(ordering: .acquiring)
        while UInt32(truncatingIfNeeded: current >> 32) == tag {
            let start = Int(current & 0xFFFF_FFFF)
            if start >= count { return }
            let end = min(count, start + chunk)
            let (exchanged, original) = cursor.compareExchange(
                expected: current, desired: (UInt64(tag) << 32) | UInt64(end), ordering: .acquiringAndReleasing)
            if exchanged {
                // The job cannot finish while this range is unfinished, so `body` is still valid.
                body!(start..<end)
                completed.add(end - start, ordering: .releasing)
                current = cursor.load(ordering: .acquiring)
            } else {
                current = original
            }
        }
    }

    private func workerLoop() {
        // The generation at construction, not at thread start: a thread that starts late must
        // still notice every job and the stop request issued since.
        var seen: UInt32 = 0
        while true {
            var spins = 0
            var current = generation.load(ordering: .acquiring)
            while current == seen {
                spins += 1
                if spins < Self.spinIterations {
                    tern_cpu_relax()
                } else {
                    pthread_mutex_lock(mutex)
                    sleepers.add(1, ordering: .sequentiallyConsistent)
                    while generation.load(ordering: .sequentiallyConsistent) == seen {
                        pthread_cond_wait(wake, mutex)
                    }
                    sleepers.subtract(1, ordering: .sequentiallyConsistent)
                    pthread_mutex_unlock(mutex)
                    spins = 0
                }
                current = generation.load(ordering: .acquiring)
            }
            seen = current
            if stopping.load(ordering: .acquiring) { return }
            runClaimedChunks(generation: current)
        }
    }
}
