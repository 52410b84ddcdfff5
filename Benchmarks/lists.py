#!/usr/bin/env python3
"""Throughput and latency of Gonio's lists at two sizes, in one run.

For each database (SQLite, PostgreSQL) two release servers run side by side: a small clinic
(10 patients, a patient with 5 notes) and a large one (10,000 patients, a patient with 500
notes). wrk loads, one after the other, the therapist's dashboard, GET /api/v1/patients?page=1,
the notes list of the patient with many notes, and /health (the framework's ceiling) on each,
and the table gives requests per second, p99 latency, and the ratio large / small. The goal is
a ratio close to 1: a page costs the same whatever the clinic's size.

usage: python3 Benchmarks/lists.py [--databases sqlite,postgres] [--seconds 10] [--connections 16]
Needs: a release build (swift build -c release), wrk, requests; for PostgreSQL, Debian's
postgresql package (a throwaway cluster is started as the postgres user) or PG_URL_BASE, a URL
without the database name (postgres://user:pass@host:port) where bench databases may be made.
"""
import argparse, json, os, re, shutil, signal, subprocess, sys, tempfile, time
import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(ROOT, ".build", "release", "gonio")
PASSWORD = "gonio-demo-2026"
SIZES = {"small": (10, 5), "large": (10_000, 500)}


def log(*args):
    print(*args, file=sys.stderr, flush=True)


class Server:
    def __init__(self, name, port, env):
        self.name, self.port = name, port
        self.base = f"http://127.0.0.1:{port}"
        self.dir = tempfile.mkdtemp(prefix=f"gonio-bench-{name}-")
        self.env = dict(os.environ, GONIO_DATA_DIR=self.dir, PORT=str(port), LOG_LEVEL="warning", **env)
        self.process = None

    def command(self, *args):
        subprocess.run([BINARY, *args], cwd=ROOT, env=self.env, check=True, stdout=subprocess.DEVNULL)

    def start(self):
        self.process = subprocess.Popen([BINARY, "serve"], cwd=ROOT, env=self.env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(240):
            try:
                if requests.get(self.base + "/health", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise SystemExit(f"{self.name}: the server did not start")

    def stop(self):
        if self.process:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def prepare(server, patients, notes):
    """Demo data, synthetic patients up to `patients`, `notes` notes for Maria Lopez."""
    server.command("migrate")
    server.command("seed", "--scale", str(patients - 2))
    server.start()
    api = requests.Session()
    token = api.post(server.base + "/api/v1/auth/token", json={"email": "therapist@example.com", "password": PASSWORD}).json()["token"]
    api.headers["Authorization"] = f"Bearer {token}"
    maria = api.get(server.base + "/api/v1/patients", params={"q": "Maria Lopez"}).json()["items"][0]["id"]
    for i in range(notes):
        r = api.post(f"{server.base}/api/v1/patients/{maria}/notes",
                     json={"kind": "follow-up", "body": {"subjective": f"Visit {i}: walking further, less pain on stairs."}})
        assert r.status_code == 201, r.text
    web = requests.Session()
    page = web.get(server.base + "/login").text
    csrf = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
    r = web.post(server.base + "/login", data={"email": "therapist@example.com", "password": PASSWORD, "_csrf": csrf},
                 allow_redirects=False)
    assert r.status_code == 303, r.status_code
    cookie = "; ".join(f"{k}={v}" for k, v in web.cookies.items())
    total = api.get(server.base + "/api/v1/patients").json()["metadata"]["total"]
    assert total == patients, (total, patients)
    bearer = {"Authorization": f"Bearer {token}"}
    page = {"Cookie": cookie, "Accept": "text/html"}
    # The default pages hold 25 rows, so the small clinic's are not full (10 patients, 5 notes);
    # the "full pages" rows ask for as many rows as the small clinic has, to compare like with like.
    return {
        "dashboard": ("/dashboard", page),
        "dashboard, full pages (10)": ("/dashboard?per=10", page),
        "patients ?page=1": ("/api/v1/patients?page=1", bearer),
        "patients, full pages (10)": ("/api/v1/patients?page=1&per=10", bearer),
        "notes list": (f"/api/v1/patients/{maria}/notes", bearer),
        "notes, full pages (5)": (f"/api/v1/patients/{maria}/notes?per=5", bearer),
        "/health": ("/health", {}),
    }


def wrk(base, path, headers, seconds, connections, lua=""):
    """requests/s, p99 ms and errors (non-2xx/3xx included) of `path` under load; `lua` adds to the
    wrk script (a `request` function for requests that differ, such as POSTs with fresh ids)."""
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    script.write("wrk.headers = " + "{" + ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()) + "}\n")
    script.write(lua + "\n")
    script.write("done = function(summary, latency, requests)\n"
                 "  io.write(string.format('RESULT %f %d %d\\n', summary.requests / (summary.duration / 1e6), latency:percentile(99), "
                 "summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))\n"
                 "end\n")
    script.close()
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-s", script.name, base + path],
                         capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    rps, p99_us, errors = re.search(r"RESULT ([\d.]+) (\d+) (\d+)", out).groups()
    return float(rps), int(p99_us) / 1000, int(errors)


def postgres_base(databases=("bench_small", "bench_large")):
    if os.environ.get("PG_URL_BASE"):
        return os.environ["PG_URL_BASE"], None
    pgbin = sorted(d for d in os.listdir("/usr/lib/postgresql"))[-1]
    pgbin = f"/usr/lib/postgresql/{pgbin}/bin"
    root = tempfile.mkdtemp(prefix="gonio-bench-pg-")
    shutil.chown(root, "postgres", "postgres")
    with open(f"{root}/pw", "w") as f:
        f.write("bench\n")
    shutil.chown(f"{root}/pw", "postgres")
    su = lambda cmd: subprocess.run(["su", "postgres", "-s", "/bin/bash", "-c", cmd], check=True, stdout=subprocess.DEVNULL)
    su(f"{pgbin}/initdb -D {root}/data -U gonio --pwfile={root}/pw -E UTF8 --locale=C.UTF-8 --auth-local=trust --auth-host=scram-sha-256")
    su(f"{pgbin}/pg_ctl -D {root}/data -l {root}/log -w -o \"-p 55499 -k {root} -c listen_addresses=127.0.0.1 -c max_connections=200\" start")
    for name in databases:
        su(f"{pgbin}/createdb -h {root} -p 55499 -U gonio {name}")
    stop = lambda: (su(f"{pgbin}/pg_ctl -D {root}/data -m fast -w stop"), shutil.rmtree(root, ignore_errors=True))
    return "postgres://gonio:bench@127.0.0.1:55499", stop


def arguments():
    """The options every benchmark here takes; refuses to run without a release build."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if not os.path.exists(BINARY):
        raise SystemExit("build first: swift build -c release")
    return args


def main():
    args = arguments()
    rows = []
    for database in args.databases.split(","):
        stop_pg = None
        env = {name: {} for name in SIZES}
        if database == "postgres":
            base, stop_pg = postgres_base()
            env = {name: {"DATABASE_URL": f"{base}/bench_{name}?tlsmode=disable"} for name in SIZES}
        servers = {name: Server(f"{database}-{name}", 18100 + i + (10 if database == "postgres" else 0), env[name])
                   for i, name in enumerate(SIZES)}
        try:
            targets = {}
            for name, server in servers.items():
                started = time.time()
                targets[name] = prepare(server, *SIZES[name])
                log(f"{database} {name}: {SIZES[name][0]} patients, {SIZES[name][1]} notes ready in {time.time() - started:.0f} s")
            for label in targets["small"]:
                result = {}
                for name, server in servers.items():
                    path, headers = targets[name][label]
                    wrk(server.base, path, headers, 2, args.connections)  # warm-up
                    result[name] = wrk(server.base, path, headers, args.seconds, args.connections)
                    log(f"{database} {name} {label}: {result[name][0]:.0f} req/s, p99 {result[name][1]:.1f} ms, {result[name][2]} errors")
                rows.append((database, label, result))
        finally:
            for server in servers.values():
                server.stop()
            if stop_pg:
                stop_pg()
    print(f"\nwrk -t1 -c{args.connections} -d{args.seconds}s, release build, same machine and run; ratio = large / small\n")
    print("| database | request | small req/s | small p99 ms | large req/s | large p99 ms | req/s ratio | p99 ratio | errors |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for database, label, r in rows:
        s, l = r["small"], r["large"]
        print(f"| {database} | {label} | {s[0]:.0f} | {s[1]:.1f} | {l[0]:.0f} | {l[1]:.1f} | {l[0] / s[0]:.2f} | {l[1] / s[1]:.2f} | {s[2] + l[2]} |")


if __name__ == "__main__":
    main()
