"""Worker memory under a long registration load (issue 16: resident size of each worker flat
within 10 % across a 10-minute registration load).

Runs gunicorn (2 workers x 4 threads) on embedded SQLite with worker recycling turned off
(GUNICORN_MAX_REQUESTS=0: gunicorn.conf.py replaces a worker after 2,000 requests by default,
which would hide slow growth), drives complete free registrations through the HTML form
(bench/registration.py's four-request flow) from a few clients for SOAK_SECONDS (600), and
samples each worker's VmRSS from /proc every SAMPLE_SECONDS. The first minute is warm-up
(imports, template and catalogue caches, SQLite page cache); growth is measured from the first
sample after it to the last, and the peak is reported beside it.

    .venv/bin/python bench/memory_soak.py            # 10 minutes
    SOAK_SECONDS=120 .venv/bin/python bench/memory_soak.py

Loopback only, bounded in time. Figures go to docs/benchmarks.md.
"""
from __future__ import annotations

import os
import subprocess
import threading
import time

os.environ.setdefault("BENCH_REGISTRATIONS", "0")  # no 50,000-row event: only the flow is driven

import registration as flow_bench  # noqa: E402  (sets up the instance folder and sys.path)
from _server import BIN, ROOT, _free_port, _wait  # noqa: E402

SOAK_SECONDS = int(os.environ.get("SOAK_SECONDS", "600"))
SAMPLE_SECONDS = int(os.environ.get("SAMPLE_SECONDS", "15"))
WARM_UP_SECONDS = min(60, SOAK_SECONDS // 4)
CLIENTS = int(os.environ.get("SOAK_CLIENTS", "4"))


def worker_pids(master: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout
    return sorted(int(pid) for pid in out.split())


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def load(port: int, category_id: int, deadline: float, done: list[int], failed: list[int]) -> None:
    def client_loop(i: int) -> None:
        n = i * 10_000_000
        while time.monotonic() < deadline:
            client = flow_bench.Client(port)
            n += 1
            try:
                ok = flow_bench.register_once(client, category_id, n)
            except Exception:  # noqa: BLE001 - counted
                ok = False
            done[i] += ok
            failed[i] += not ok
            client.conn.close()

    threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def main() -> None:
    load_before = os.getloadavg()[0]
    seeded = flow_bench.build()
    port = _free_port()
    env = dict(os.environ, BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="2", GUNICORN_THREADS="4", GUNICORN_MAX_REQUESTS="0")
    server = subprocess.Popen([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--access-logfile", "/dev/null", "wsgi:app"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    samples: dict[int, list[tuple[float, int]]] = {}
    done, failed = [0] * CLIENTS, [0] * CLIENTS
    try:
        _wait(port)
        for _ in range(40):  # both workers built
            flow_bench.Client(port).request("GET", "/healthz")
        pids = worker_pids(server.pid)
        started = time.monotonic()
        driver = threading.Thread(target=load, args=(port, seeded["flow_category"], started + SOAK_SECONDS, done, failed))
        driver.start()
        while driver.is_alive():
            elapsed = time.monotonic() - started
            for pid in pids:
                try:
                    samples.setdefault(pid, []).append((elapsed, rss_kib(pid)))
                except FileNotFoundError:  # a worker replaced (it should not be, with recycling off)
                    samples.setdefault(pid, []).append((elapsed, -1))
            driver.join(SAMPLE_SECONDS)
        replaced = worker_pids(server.pid) != pids
    finally:
        server.terminate()
        server.wait(timeout=30)
    total = sum(done)
    print(f"load average before: {load_before:.1f}; after: {os.getloadavg()[0]:.1f}")
    print(f"{total} free registrations completed in {SOAK_SECONDS} s with {CLIENTS} clients ({sum(failed)} failed); "
          f"{'a worker was replaced during the run' if replaced else 'no worker replaced'}")
    for pid, series in samples.items():
        steady = [(t, kib) for t, kib in series if t >= WARM_UP_SECONDS and kib > 0]
        if len(steady) < 2:
            print(f"worker {pid}: too few samples after warm-up")
            continue
        first, last, peak = steady[0][1], steady[-1][1], max(kib for _, kib in steady)
        print(f"worker {pid}: {first / 1024:.1f} MB at {steady[0][0]:.0f} s -> {last / 1024:.1f} MB at {steady[-1][0]:.0f} s "
              f"({(last - first) / first * 100:+.1f} %), peak {peak / 1024:.1f} MB ({(peak - first) / first * 100:+.1f} %), "
              f"{len(steady)} samples")


if __name__ == "__main__":
    main()
