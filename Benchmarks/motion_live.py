#!/usr/bin/env python3
"""The live motion path under load: N concurrent WebSocket streams, each sending 33-landmark
BlazePose frames at 30 fps (a squat every 3 s), measuring the time from sending a frame to its
answer. Reports, for each number of streams, the frames answered per second, p50/p99 latency,
and whether every stream kept up with its 30 fps.

    swift build -c release
    pip install websockets
    python3 Benchmarks/motion_live.py [--streams 10,50,100,200] [--seconds 10]
"""
import argparse
import asyncio
import json
import math
import os
import sys
import time

import requests
from websockets.asyncio.client import connect

sys.path.insert(0, os.path.dirname(__file__))
from lists import PASSWORD, Server  # noqa: E402


def frame(t: float) -> str:
    depth = (1 - math.cos(2 * math.pi * t / 3)) / 2
    knee, hip = math.radians(100 * depth), math.radians(90 * depth)
    p = [[0.5, 0.5, 0, 0.9] for _ in range(33)]
    pelvis = 0.55 + 0.15 * depth
    for side, x in ((0, 0.55), (1, 0.45)):
        k = (x + 0.0, pelvis + 0.2 * math.cos(hip))
        a = (x + 0.2 * math.sin(hip) - 0.2 * math.sin(hip - knee), k[1] + 0.2 * math.cos(hip - knee))
        p[23 + side] = [x, pelvis, 0, 0.95]
        p[25 + side] = [x + 0.2 * math.sin(hip), k[1], 0, 0.95]
        p[27 + side] = [a[0], a[1], 0, 0.95]
        p[11 + side] = [x + (0.03 if side == 0 else -0.03), pelvis - 0.25, 0, 0.95]
    return json.dumps({"t": round(t, 4), "p": [[round(v, 4) for v in q] for q in p]})


async def stream(base: str, token: str, seconds: float, latencies: list, lagging: list):
    uri = base.replace("http", "ws") + "/api/v1/motion/live?exercise=deep-squat&skeleton=blazepose33"
    async with connect(uri, additional_headers={"Authorization": f"Bearer {token}"}, max_queue=4096) as ws:
        sent = {}
        answered = 0

        async def reader():
            nonlocal answered
            async for message in ws:
                now = time.perf_counter()
                m = json.loads(message)
                if m.get("type") == "frame":
                    latencies.append(now - sent.pop(m["t"], now))
                    answered += 1

        task = asyncio.create_task(reader())
        start = time.perf_counter()
        i = 0
        while (elapsed := time.perf_counter() - start) < seconds:
            t = round(i / 30, 4)
            sent[t] = time.perf_counter()
            await ws.send(frame(t))
            i += 1
            await asyncio.sleep(max(0, (i / 30) - (time.perf_counter() - start)))
        await asyncio.sleep(0.5)
        task.cancel()
        if answered < i * 0.98:
            lagging.append(i - answered)


async def run(base: str, token: str, streams: int, seconds: float):
    latencies, lagging = [], []
    start = time.perf_counter()
    await asyncio.gather(*(stream(base, token, seconds, latencies, lagging) for _ in range(streams)))
    wall = time.perf_counter() - start
    latencies.sort()
    def pct(q):
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000 if latencies else float("nan")
    return len(latencies) / wall, pct(0.5), pct(0.99), len(lagging)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--streams", default="10,50,100,200")
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    server = Server("motion", 8097, {"GONIO_JOBS": "off"})
    try:
        server.command("migrate")
        server.command("seed")
        server.start()
        token = requests.post(server.base + "/api/v1/auth/token", json={"email": "patient@example.com", "password": PASSWORD}).json()["token"]
        print("| streams at 30 fps | frames answered/s | p50 ms | p99 ms | streams that fell behind |")
        print("|---:|---:|---:|---:|---:|")
        for n in [int(x) for x in args.streams.split(",")]:
            rate, p50, p99, behind = asyncio.run(run(server.base, token, n, args.seconds))
            print(f"| {n} | {rate:,.0f} | {p50:.2f} | {p99:.2f} | {behind} |")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
