#!/usr/bin/env python3
"""Slot search over a busy calendar, and bookings per second, in one run.

For each database (SQLite, PostgreSQL) a release server runs with the demo data. The demo
therapist (Monday to Friday 09:00-17:00, half-hour slots) has her next eight weeks booked to 80%:
bookings made through the API by the therapist for the demo patients, from several clients at
once, each for a different free half hour; their rate is the "bookings per second" row (201s
only; a refusal would count as an error). Then wrk loads /health (the framework's ceiling) and
GET /api/v1/therapists/{id}/slots over those eight weeks as a patient, which reads every visit
in the range and works out the open times in the therapist's zone.
The servers run without the reminder worker (GONIO_JOBS=off): otherwise the ~500 confirmations
and ~1000 reminders the bookings queue are being sent during the measurement, and the figures
say more about the worker draining its queue than about slot search.

usage: python3 Benchmarks/visits.py [--databases sqlite,postgres] [--seconds 10] [--connections 16]
Needs: a release build (swift build -c release), wrk, requests; PostgreSQL as for lists.py.
"""
import concurrent.futures as cf
import datetime as dt
import os
import sys
import time

import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lists import PASSWORD, Server, arguments, log, postgres_base, wrk  # noqa: E402

WEEKS = 8
SHARE_BOOKED = 0.8
CLIENTS = 8


def token(base, email):
    return requests.post(base + "/api/v1/auth/token", json={"email": email, "password": PASSWORD}).json()["token"]


def prepare(server):
    server.command("migrate")
    server.command("seed")
    server.start()
    base = server.base
    dana = {"Authorization": f"Bearer {token(base, 'therapist@example.com')}"}
    maria = {"Authorization": f"Bearer {token(base, 'patient@example.com')}"}
    therapist = requests.get(base + "/api/v1/me", headers=dana).json()["therapistId"]
    patients = [requests.get(base + "/api/v1/me", headers={"Authorization": f"Bearer {token(base, e)}"}).json()["patientId"]
                for e in ("patient@example.com", "patient2@example.com")]
    now = dt.datetime.now(dt.timezone.utc)
    window = f"from={(now + dt.timedelta(hours=13)).strftime('%Y-%m-%dT%H:%M:%SZ')}&to={(now + dt.timedelta(weeks=WEEKS)).strftime('%Y-%m-%dT%H:%M:%SZ')}"
    slots_path = f"/api/v1/therapists/{therapist}/slots?{window}&visitType=follow-up"
    free = requests.get(base + slots_path, headers=dana).json()
    # Every fifth slot stays open; the rest are booked, alternating patients (never two at once).
    chosen = [s["start"] for i, s in enumerate(free) if i % 5 != 4]

    def book(i_start):
        i, start = i_start
        r = requests.post(base + "/api/v1/visits", headers=dana, json={
            "therapistId": therapist, "patientId": patients[i % 2], "start": start, "visitType": "follow-up",
            "modality": "video", "patientLocation": {"country": "US", "region": ("CA", "WA")[i % 2]}})
        return r.status_code

    started = time.time()
    with cf.ThreadPoolExecutor(CLIENTS) as pool:
        codes = list(pool.map(book, enumerate(chosen)))
    elapsed = time.time() - started
    created = codes.count(201)
    left = len(requests.get(base + slots_path, headers=maria).json())
    log(f"{server.name}: {created} bookings of {len(chosen)} in {elapsed:.1f} s ({created / elapsed:.0f}/s); "
        f"{left} of {len(free)} slots left open ({1 - left / max(1, len(free)):.0%} booked)")
    return {"/health": ("/health", {}, ""), f"slots, {WEEKS} weeks, {SHARE_BOOKED:.0%} booked": (slots_path, maria, "")}, \
        (created / elapsed, created, len(chosen) - created, len(free))


def main():
    args = arguments()
    rows, bookings = [], []
    for i, database in enumerate(args.databases.split(",")):
        stop_pg, env = None, {}
        if database == "postgres":
            base, stop_pg = postgres_base(("bench_visits",))
            env = {"DATABASE_URL": f"{base}/bench_visits?tlsmode=disable"}
        server = Server(f"{database}-visits", 18300 + i, dict(env, GONIO_JOBS="off"))
        try:
            targets, (rate, created, refused, slots) = prepare(server)
            bookings.append((database, rate, created, refused, slots))
            ceiling = None
            for label, (path, headers, lua) in targets.items():
                wrk(server.base, path, headers, 2, args.connections, lua)  # warm-up
                result = wrk(server.base, path, headers, args.seconds, args.connections, lua)
                time.sleep(2)  # requests still queued from the loaded run finish first
                alone = wrk(server.base, path, headers, max(2, args.seconds // 2), 1, lua)
                ceiling = ceiling or result[0]
                log(f"{database} {label}: {result[0]:.0f} req/s, p99 {result[1]:.1f} ms, alone p99 {alone[1]:.1f} ms, {result[2]} errors")
                rows.append((database, label, result, result[0] / ceiling, alone))
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
    print(f"\nBookings through the API, {CLIENTS} clients at once, each a different free half hour:\n")
    print("| database | bookings/s | booked | refused | slots in 8 weeks |")
    print("|---|---:|---:|---:|---:|")
    for database, rate, created, refused, slots in bookings:
        print(f"| {database} | {rate:.0f} | {created} | {refused} | {slots} |")


if __name__ == "__main__":
    main()
