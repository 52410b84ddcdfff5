#!/usr/bin/env python3
"""Motion engine speed against a peer, in one run on this machine.

Gonio: `motion-bench` (release build) runs the full live analysis of 33-landmark BlazePose
frames (skeleton mapping, joint angles both sides, One Euro filtering, the repetition counter
with hysteresis, form checks) one frame at a time on one core.

The peer: the usual open-source approach written as fast as NumPy allows, the knee angle of
every frame computed in one vectorised pass, then a two-threshold state machine stepping through
the frames.
It does far less (one angle, no filtering, no form checks) and works on a whole array at once,
so it is a ceiling for that approach, not a like-for-like.

    swift build -c release --product motion-bench
    python3 Benchmarks/motion.py [--frames 20000000]
"""
import argparse
import json
import subprocess
import time

import numpy as np


def peer(frames: int) -> float:
    rng = np.random.default_rng(1)
    t = np.arange(frames) / 30.0
    depth = (1 - np.cos(2 * np.pi * t / 3)) / 2
    pose = rng.normal(0, 0.003, size=(frames, 33, 3)).astype(np.float32)
    hip, knee = np.radians(90 * depth), np.radians(100 * depth)
    pose[:, 23, 1] = 1.0 - 0.35 * depth
    pose[:, 25, 1] = pose[:, 23, 1] - 0.45 * np.cos(hip)
    pose[:, 25, 2] = 0.45 * np.sin(hip)
    pose[:, 27, 1] = pose[:, 25, 1] - 0.45 * np.cos(hip - knee)
    pose[:, 27, 2] = pose[:, 25, 2] + 0.45 * np.sin(hip - knee)
    start = time.perf_counter()
    a = pose[:, 23] - pose[:, 25]
    b = pose[:, 27] - pose[:, 25]
    cos = np.einsum("ij,ij->i", a, b) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    angle = 180 - np.degrees(np.arccos(np.clip(cos, -1, 1)))
    down = angle > 70
    up = angle < 30
    reps, state = 0, False
    # The state machine steps through every frame, as such counters do.
    for d, u in zip(down.tolist(), up.tolist()):
        if d and not state:
            state = True
        elif u and state:
            state = False
            reps += 1
    seconds = time.perf_counter() - start
    return frames / seconds, reps


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--frames", type=int, default=20_000_000)
    args = parser.parse_args()
    gonio = json.loads(subprocess.check_output([".build/release/motion-bench", str(args.frames)], text=True))
    peer_rate, peer_reps = peer(min(args.frames, 5_000_000))
    print("| engine | frames/s on one core | ns per frame | repetitions |")
    print("|---|---:|---:|---:|")
    print(f"| Gonio live tracker (full analysis) | {gonio['framesPerSecond']:,.0f} | {gonio['nanosecondsPerFrame']:.0f} | {gonio['reps']} |")
    print(f"| NumPy knee angle + state machine (peer) | {peer_rate:,.0f} | {1e9 / peer_rate:.0f} | {peer_reps} |")
    print(f"\nGonio / peer: {gonio['framesPerSecond'] / peer_rate:.2f}")


if __name__ == "__main__":
    main()
