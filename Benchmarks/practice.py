#!/usr/bin/env python3
"""Throughput and latency of home practice and the exercise library, in one run.

For each database (SQLite, PostgreSQL) a release server runs with the demo data (two weeks of
practice for Maria Lopez). wrk loads, one after the other: /health (the framework's ceiling),
GET /api/v1/patients/{maria}/today and POST /api/v1/patients/{maria}/logs as Maria (each POST a
new log with a fresh client id), and exercise search over the whole library (a word, a filter,
and the whole library in one page). The table gives requests per second, p99 latency, and each
row's requests per second as a share of /health on the same server.
Goal (issue 7): today and logs at least half the ceiling with p99 under 10 ms.

usage: python3 Benchmarks/practice.py [--databases sqlite,postgres] [--seconds 10] [--connections 16]
Needs: a release build (swift build -c release), wrk, requests; PostgreSQL as for lists.py.
"""
import json, os, sys, time
import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lists import PASSWORD, Server, arguments, log, postgres_base, wrk  # noqa: E402

# A new client-made id for every request, as the player makes one per log.
NEW_LOG = """
wrk.method = "POST"
math.randomseed(os.time())
local n = 0
request = function()
  n = n + 1
  local r = function() return math.random(0, 65535) end
  local id = string.format("%04x%04x-%04x-4%03x-a%03x-%04x%04x%04x", r(), r(), n % 65536, r() % 4096, r() % 4096, r(), r(), r())
  return wrk.format(nil, nil, nil, string.format(BODY, id))
end
"""


def prepare(server):
    server.command("migrate")
    server.command("seed")
    server.start()
    s = requests.Session()
    token = s.post(server.base + "/api/v1/auth/token", json={"email": "patient@example.com", "password": PASSWORD}).json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    maria = s.get(server.base + "/api/v1/me", headers=bearer).json()["patientId"]
    today = s.get(f"{server.base}/api/v1/patients/{maria}/today", headers=bearer).json()
    assert today["items"], today
    item = today["items"][0]["itemId"]
    body = json.dumps({"id": "%s", "itemId": item, "outcome": "completed", "setsDone": 2, "repsDone": 20,
                       "painBefore": 2, "painDuring": 3, "painAfter": 2, "effort": 4, "feeling": "about-right"})
    post = dict(bearer, **{"Content-Type": "application/json"})
    return {
        "/health": ("/health", {}, ""),
        "GET today": (f"/api/v1/patients/{maria}/today", bearer, ""),
        "POST logs (new log each)": (f"/api/v1/patients/{maria}/logs", post, f"BODY = {json.dumps(body)}\n" + NEW_LOG),
        "search ?q=knee": ("/api/v1/exercises?q=knee", bearer, ""),
        "search ?region=hip&position=sitting": ("/api/v1/exercises?region=hip&position=sitting", bearer, ""),
        "whole library ?per=1000": ("/api/v1/exercises?per=1000", bearer, ""),
    }, (maria, bearer)


def main():
    args = arguments()
    rows = []
    for i, database in enumerate(args.databases.split(",")):
        stop_pg, env = None, {}
        if database == "postgres":
            base, stop_pg = postgres_base(("bench_practice",))
            env = {"DATABASE_URL": f"{base}/bench_practice?tlsmode=disable"}
        server = Server(f"{database}-practice", 18200 + i, env)
        try:
            started = time.time()
            targets, (maria, bearer) = prepare(server)
            log(f"{database}: demo data ready in {time.time() - started:.0f} s")
            ceiling = None
            for label, (path, headers, lua) in targets.items():
                wrk(server.base, path, headers, 2, args.connections, lua)  # warm-up
                result = wrk(server.base, path, headers, args.seconds, args.connections, lua)
                # One client at a time: the latency of a request on its own, without queueing (after
                # a pause, so that requests still queued from the loaded run have finished).
                time.sleep(2)
                alone = wrk(server.base, path, headers, max(2, args.seconds // 2), 1, lua)
                ceiling = ceiling or result[0]
                log(f"{database} {label}: {result[0]:.0f} req/s, p99 {result[1]:.1f} ms, alone p99 {alone[1]:.1f} ms, {result[2]} errors")
                rows.append((database, label, result, result[0] / ceiling, alone))
            logs = requests.get(f"{server.base}/api/v1/patients/{maria}/logs?per=1", headers=bearer).json()["metadata"]["total"]
            log(f"{database}: {logs} logs stored")
        finally:
            server.stop()
            if stop_pg:
                stop_pg()
    print(f"\nwrk -t1 -c{args.connections} -d{args.seconds}s, release build, same machine and run; share = req/s / /health req/s;"
          " alone = one connection at a time\n")
    print(f"| database | request | req/s (c{args.connections}) | p99 ms (c{args.connections}) | share of /health | p99 ms alone | errors |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for database, label, r, share, alone in rows:
        print(f"| {database} | {label} | {r[0]:.0f} | {r[1]:.1f} | {share:.2f} | {alone[1]:.1f} | {r[2] + alone[2]} |")


if __name__ == "__main__":
    main()
