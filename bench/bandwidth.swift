// A STREAM-like read-bandwidth probe: sums a large array (well beyond the caches) with 1..N
// threads and reports GB/s, the ceiling for batch-1 decode, which reads every weight once per
// token. Build and run with bench/bandwidth.sh.
import Foundation

let bytes = 512 << 20
let count = bytes / MemoryLayout<SIMD8<Float>>.stride
let data = UnsafeMutablePointer<SIMD8<Float>>.allocate(capacity: count)
for i in 0..<count { data[i] = SIMD8(repeating: Float(i & 7)) }

/// Sums `range` with four independent accumulators so the loop is bound by loads, not adds.
func sum(_ range: Range<Int>) -> Float {
    var a = SIMD8<Float>(), b = SIMD8<Float>(), c = SIMD8<Float>(), d = SIMD8<Float>()
    var i = range.lowerBound
    while i + 4 <= range.upperBound {
        a += data[i]; b += data[i + 1]; c += data[i + 2]; d += data[i + 3]
        i += 4
    }
    return (a + b + c + d).sum()
}

let maxThreads = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 2 : 2
for threads in 1...maxThreads {
    var best = 0.0
    for _ in 0..<5 {
        let start = DispatchTime.now()
        let partials = UnsafeMutablePointer<Float>.allocate(capacity: threads)
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            let chunk = count / threads
            partials[t] = sum(t * chunk..<(t == threads - 1 ? count : (t + 1) * chunk))
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        precondition(partials[0].isFinite)
        partials.deallocate()
        best = max(best, Double(bytes) / seconds / 1e9)
    }
    print(String(format: "threads %d: read bandwidth %.1f GB/s (best of 5, %d MiB)", threads, best, bytes >> 20))
}
