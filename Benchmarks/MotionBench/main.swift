// Motion engine benchmark: full live analysis (skeleton mapping, joint angles, filtering,
// repetition counting, form checks) of 33-landmark BlazePose frames on one core.
//
//   swift build -c release --product motion-bench
//   .build/release/motion-bench [frames]            # frames per second
//   valgrind .build/release/motion-bench 10000      # allocations: compare with 20000
import Foundation
import GonioMotion

let total = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 20_000_000 : 20_000_000

/// One minute of squats at 30 fps as BlazePose world landmarks (x, y, z, visibility), y down.
func squatFrames() -> [[Float]] {
    var frames: [[Float]] = []
    for i in 0..<1800 {
        let t = Double(i) / 30
        let depth = Float((1 - cos(2 * Double.pi * t / 3)) / 2)  // one squat every 3 s
        let knee = depth * 100 * .pi / 180, hip = depth * 90 * .pi / 180
        var p = [Float](repeating: 0, count: 33 * 4)
        func set(_ k: Int, _ x: Float, _ y: Float, _ z: Float) {
            p[k * 4] = x + Float(sin(Double(i * (k + 3)))) * 0.003
            p[k * 4 + 1] = -y
            p[k * 4 + 2] = z
            p[k * 4 + 3] = 0.95
        }
        let pelvisY: Float = 1.0 - 0.35 * depth
        for (s, x) in [(0, Float(0.1)), (1, Float(-0.1))] {
            let hipY = pelvisY, kneeY = hipY - 0.45 * cos(hip), kneeZ = 0.45 * sin(hip)
            let ankleY = kneeY - 0.45 * cos(hip - knee), ankleZ = kneeZ + 0.45 * sin(hip - knee)
            set(23 + s, x, hipY, 0)
            set(25 + s, x, kneeY, kneeZ)
            set(27 + s, x, ankleY, ankleZ)
            set(29 + s, x, ankleY - 0.05, ankleZ - 0.05)
            set(31 + s, x, ankleY - 0.05, ankleZ + 0.15)
            set(11 + s, x * 1.8, pelvisY + 0.5 * cos(depth * 0.5), 0.5 * sin(depth * 0.5))
            set(13 + s, x * 1.9, pelvisY + 0.2, 0.1)
            set(15 + s, x * 1.9, pelvisY, 0.2)
        }
        set(0, 0, pelvisY + 0.7, 0.1)
        frames.append(p)
    }
    return frames
}

/// The timed loop, in a function: top-level variables of a program's main file are globals,
/// checked for exclusive access (and for the main actor) on every use, which is the harness's
/// cost, not the engine's.
func run(_ frames: [[Float]], total: Int) -> (seconds: Double, reps: Int) {
    var tracker = LiveTracker(spec: MotionSpecs.spec("deep-squat")!, space: .world, is3D: true, yUp: true)
    let skeleton = Skeleton.blazePose33
    // Warm up (the first frames size the tracker's buffers).
    for i in 0..<frames.count { frames[i].withUnsafeBufferPointer { _ = tracker.push($0, skeleton: skeleton, at: Double(i) / 30) } }
    let clock = ContinuousClock()
    let start = clock.now
    var t = Double(frames.count) / 30
    for i in 0..<total {
        frames[i % frames.count].withUnsafeBufferPointer { _ = tracker.push($0, skeleton: skeleton, at: t) }
        t += 1.0 / 30
    }
    let elapsed = clock.now - start
    return (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, tracker.reps)
}

let (seconds, reps) = run(squatFrames(), total: total)
let perSecond = Double(total) / seconds
print(String(format: "{\"frames\":%d,\"seconds\":%.3f,\"framesPerSecond\":%.0f,\"nanosecondsPerFrame\":%.1f,\"reps\":%d}",
             total, seconds, perSecond, seconds / Double(total) * 1e9, reps))
