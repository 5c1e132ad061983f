"""POST /api/v1/petitions: registrations per second through a real HTTP server (``bench.server``,
pre-forked workers) with concurrent clients, and through Django's test Client in-process."""

from __future__ import annotations

import http.client
import json
import os
import resource
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.data import DAYS, Loaded, log
from bench.measure import summary

PROJECT_DIR = Path(__file__).resolve().parent.parent


def _payloads(loaded: Loaded, county_index: int, count: int, *, seed: int, today: Any) -> list[bytes]:
    from xinfang.demo.generator import DraftFactory

    county = loaded.counties[county_index]
    factory = DraftFactory(county.place, seed=seed * 7 + 99, today=today, days=DAYS)
    bodies = []
    for _ in range(count):
        draft = factory.draft()
        town = county.place.townships.index(draft.township)
        complained = ""
        if draft.complained in ("village", "township"):
            complained = county.township_code(town)
        elif draft.complained in ("ZR", "RS", "ZJ", "GA", "JW"):
            complained = county.department_code(draft.complained)
        elif draft.complained:
            complained = county.township_code(0)
        bodies.append(json.dumps(draft.payload(complained_unit=complained), ensure_ascii=False).encode())
    return bodies


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _post(port: int, token: str, body: bytes, path: str = "/api/v1/petitions") -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(
            "POST",
            path,
            body=body,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _wait_ready(port: int, proc: subprocess.Popen[str], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the benchmark server exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the benchmark server did not answer /healthz")


@dataclass
class Server:
    port: int
    worker_pids: list[int]

    def cpu_seconds(self) -> float:
        return sum(_cpu_seconds(pid) for pid in self.worker_pids)


@contextmanager
def bench_server(workers: int) -> Iterator[Server]:
    """The HTTP server with ``workers`` worker processes (persistent DB connections), in a child
    process that is stopped on leaving: granian, the server ``xinfang serve`` runs, or with
    ``BENCH_HTTP_SERVER=wsgiref`` the standard library's (``bench.server``)."""
    port = _free_port()
    env = dict(os.environ, XINFANG_CONN_MAX_AGE="600")
    if os.environ.get("BENCH_HTTP_SERVER", "granian") == "wsgiref":
        command = [sys.executable, "-m", "bench.server", "--port", str(port), "--workers", str(workers)]
    else:
        command = [
            sys.executable,
            "-m",
            "xinfang.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ]
    proc = subprocess.Popen(  # noqa: S603 - our own modules
        command, cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        _wait_ready(port, proc)
        yield Server(port, _descendants(proc.pid))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def run_threads(target: Callable[[], None], count: int) -> float:
    """Run ``target`` in ``count`` threads at once; the wall seconds until the last one ends."""
    threads = [threading.Thread(target=target) for _ in range(count)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started


def http_benchmark(
    token: str, bodies: list[bytes], *, warmup: int, concurrency: int, workers: int
) -> dict[str, Any]:
    with bench_server(workers) as server:
        port = server.port
        for body in bodies[:warmup]:
            _post(port, token, body)
        server_cpu_before = server.cpu_seconds()
        client_cpu_before = _own_cpu_seconds()
        timed_bodies = bodies[warmup:]
        lock = threading.Lock()
        cursor = iter(range(len(timed_bodies)))
        statuses: Counter[int] = Counter()
        latencies: list[float] = []
        failures: list[str] = []

        def client() -> None:
            while True:
                with lock:
                    i = next(cursor, None)
                if i is None:
                    return
                started = time.perf_counter()
                try:
                    status, answer = _post(port, token, timed_bodies[i])
                except OSError as exc:
                    status, answer = 0, str(exc).encode()
                elapsed = time.perf_counter() - started
                with lock:
                    statuses[status] += 1
                    latencies.append(elapsed)
                    if status != 201 and len(failures) < 5:
                        failures.append(f"{status}: {answer[:300].decode(errors='replace')}")

        elapsed = run_threads(client, concurrency)
        server_cpu = server.cpu_seconds() - server_cpu_before
        client_cpu = _own_cpu_seconds() - client_cpu_before
    created = statuses.get(201, 0)
    done = max(1, len(timed_bodies))
    server_ms = server_cpu / done * 1000
    client_ms = client_cpu / done * 1000
    cpus = os.cpu_count() or 1
    return {
        "per_s": round(created / elapsed, 1),
        # CPU time, unlike wall time, does not grow when other work shares the machine.
        "server_cpu_ms_per_request": round(server_ms, 2),
        "client_cpu_ms_per_request": round(client_ms, 2),
        "cpu_bound_estimate_per_s": round(cpus * 1000 / (server_ms + client_ms), 1) if server_ms else None,
        "cpu_bound_estimate_per_s_client_elsewhere": round(cpus * 1000 / server_ms, 1) if server_ms else None,
        "requests": len(timed_bodies),
        "created": created,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "failures": failures,
        "seconds": round(elapsed, 2),
        "concurrency": concurrency,
        "server_workers": workers,
        "latency": summary(latencies),
    }


def _descendants(pid: int) -> list[int]:
    """The process and every process below it (the server's workers), from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc (0 where /proc is not available)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def inprocess_benchmark(token: str, bodies: list[bytes], *, warmup: int) -> dict[str, Any]:
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    statuses: Counter[int] = Counter()
    for body in bodies[:warmup]:
        client.post("/api/v1/petitions", data=body, content_type="application/json")
    latencies = []
    started = time.perf_counter()
    cpu_started = time.process_time()
    for body in bodies[warmup:]:
        t0 = time.perf_counter()
        response = client.post("/api/v1/petitions", data=body, content_type="application/json")
        latencies.append(time.perf_counter() - t0)
        statuses[response.status_code] += 1
    elapsed = time.perf_counter() - started
    cpu_ms = (time.process_time() - cpu_started) / max(1, len(bodies) - warmup) * 1000
    return {
        "per_s": round(statuses.get(201, 0) / elapsed, 1),
        "cpu_ms_per_request": round(cpu_ms, 2),
        "requests": len(bodies) - warmup,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "latency": summary(latencies),
        "note": "django.test.Client, one thread, no HTTP server",
    }


def api_benchmarks(
    loaded: Loaded, *, requests: int, concurrency: int, workers: int, seed: int, today: Any
) -> dict[str, Any]:
    from django.db import connections

    from xinfang.orgs.models import User
    from xinfang.orgs.services import token_create
    from xinfang.petitions.models import Petition

    county_index = max(loaded.counties, key=lambda c: c.weight).index
    clerk = User.objects.get(pk=loaded.county_clerks[county_index])
    token = token_create(user=clerk, name="bench")
    warmup = 50
    inproc_n = max(100, requests // 5)
    bodies = _payloads(loaded, county_index, requests + warmup + inproc_n + warmup, seed=seed, today=today)
    before = Petition.objects.count()
    out: dict[str, Any] = {}
    log(f"  in-process registrations ({inproc_n})")
    out["inprocess"] = inprocess_benchmark(token, bodies[: inproc_n + warmup], warmup=warmup)
    connections.close_all()
    log(f"  HTTP registrations ({requests}, {concurrency} clients, {workers} server workers)")
    out["http"] = http_benchmark(
        token, bodies[inproc_n + warmup :], warmup=warmup, concurrency=concurrency, workers=workers
    )
    out["rows_added"] = Petition.objects.count() - before
    out["api_registration_per_s"] = out["http"]["per_s"]
    out["method"] = (
        f"POST /api/v1/petitions over HTTP/1.0 to {os.environ.get('BENCH_HTTP_SERVER', 'granian')} "
        f"({workers} worker processes, persistent DB connections) from {concurrency} client threads "
        "in the same machine"
    )
    return out
