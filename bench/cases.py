"""Benchmarks of the case lifecycle (issue 3), run by bench/run.py on its generated database.

- ``lifecycles_per_s``: full lifecycles through the API over HTTP — register → transfer → accept →
  reply → deliver → close, six requests each — from concurrent client threads to ``xinfang serve``
  (granian, one process per worker), as a bureau's clerks and a township's handlers would send them; and the same
  in-process (Django test Client, one thread) for the CPU of each step.
- ``sweep``: ``xinfang sweep`` over the whole table, first run (raises warnings and 督办) and second
  run (idempotent: nothing to flag; it numbers the next 500 督办单 documents of the backlog). Wall
  and CPU seconds: the machine is shared, so the CPU figure is the steadier one.
- ``notice``: generating a notice's DOCX and PDF from its frozen text, p50/p95.
"""

from __future__ import annotations

import itertools
import json
import os
import statistics
import tempfile
import time
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.test import Client
from django.utils import timezone

from xinfang.cases.models import Notice
from xinfang.orgs.models import Role, Unit, UnitKind, User
from xinfang.orgs.services import token_create
from xinfang.petitions.models import Petition
from xinfang.workflow.notices import render_docx, render_pdf
from xinfang.workflow.sweep import sweep


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 2)


def _pair() -> tuple[User, User, Unit]:
    """A registering clerk and a handler of a township below the same county."""
    bureau = Unit.objects.filter(kind=UnitKind.BUREAU, parent__level="county").order_by("pk").first()
    assert bureau is not None and bureau.parent is not None, "bench data has no county bureau"
    township = Unit.objects.filter(parent=bureau.parent, kind=UnitKind.TOWNSHIP).order_by("pk").first()
    assert township is not None
    clerk, _ = User.objects.get_or_create(
        username="bench_lc_clerk", defaults={"unit": bureau, "role": Role.CLERK}
    )
    handler, _ = User.objects.get_or_create(
        username="bench_lc_handler", defaults={"unit": township, "role": Role.HANDLER}
    )
    return clerk, handler, township


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["建国", "秀英", "桂兰", "志强", "玉梅", "海燕", "德明", "春生", "丽华", "国庆", "晓东", "红梅"]
DECISION = {
    "requests": "请求解决",
    "facts": "经调查核实",
    "opinion": "予以解释说明",
    "basis": "《信访工作条例》",
    "outcome": "explain",
}


# Each registration's text is its own: the same registrar's same text and petitioner within ten
# minutes is refused as a double entry (409) unless confirmed new.
_SERIAL = itertools.count(1)


def _registration(i: int, received: str) -> dict[str, Any]:
    name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i // len(SURNAMES)) % len(GIVEN)]
    serial = next(_SERIAL)
    return {
        "channel": "letter",
        "received_at": received,
        "title": f"关于村道路维修的信访件{i}",
        "content": f"反映第{i % 50 + 1}村组道路年久失修，雨天无法通行，请求尽快维修（来信第{serial}封）。",
        "category": "0106",
        "request_class": "claim",
        "petitioners": [{"name": name, "address": "城关镇", "phone": f"139{i:08d}"}],
    }


def _steps(township_code: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(who, action, body) after the registration: the clerk routes, the township handles."""
    return [
        ("clerk", "transfer", {"unit": township_code}),
        ("handler", "accept", {"route": "petition"}),
        ("handler", "reply", DECISION),
        ("handler", "deliver", {}),
        ("handler", "close", {"reason": "满意"}),
    ]


def lifecycles_http(n: int, *, concurrency: int, workers: int) -> dict[str, Any]:
    """``n`` full lifecycles over HTTP from ``concurrency`` client threads, each taking its cases
    through all six requests in turn."""
    import threading

    from bench.api import _own_cpu_seconds, _post, bench_server, run_threads

    clerk, handler, township = _pair()
    tokens = {"clerk": token_create(user=clerk), "handler": token_create(user=handler)}
    received = (timezone.localdate() - timedelta(days=2)).isoformat()
    steps = _steps(township.code)
    lock = threading.Lock()
    counter = iter(range(n + concurrency * 2))
    done: list[int] = []
    failures: list[str] = []

    def lifecycle(port: int, i: int) -> None:
        status, body = _post(port, tokens["clerk"], json.dumps(_registration(i, received)).encode())
        if status != 201:
            raise RuntimeError(f"register {status}: {body[:300]!r}")
        case = f"/api/v1/cases/{json.loads(body)['id']}"
        for who, action, payload in steps:
            status, body = _post(port, tokens[who], json.dumps(payload).encode(), f"{case}/{action}")
            if status != 200:
                raise RuntimeError(f"{action} {status}: {body[:300]!r}")

    with bench_server(workers) as server:
        for _ in range(concurrency * 2):  # warm every worker (imports, connections, caches)
            lifecycle(server.port, next(counter))
        server_cpu, client_cpu = server.cpu_seconds(), _own_cpu_seconds()
        timed = iter(range(n))

        def client() -> None:
            while True:
                with lock:
                    if next(timed, None) is None:
                        return
                    i = next(counter)
                try:
                    lifecycle(server.port, i)
                    with lock:
                        done.append(i)
                except (OSError, RuntimeError) as exc:
                    with lock:
                        failures.append(str(exc))

        elapsed = run_threads(client, concurrency)
        server_cpu = server.cpu_seconds() - server_cpu
        client_cpu = _own_cpu_seconds() - client_cpu
    completed = max(1, len(done))
    return {
        "lifecycles": len(done),
        "failures": failures[:5],
        "failed": len(failures),
        "seconds": round(elapsed, 2),
        "lifecycles_per_s": round(len(done) / elapsed, 1),
        "requests_per_s": round(len(done) * 6 / elapsed, 1),
        "server_cpu_ms_per_lifecycle": round(server_cpu / completed * 1000, 1),
        "client_cpu_ms_per_lifecycle": round(client_cpu / completed * 1000, 1),
        "concurrency": concurrency,
        "server_workers": workers,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "how": f"HTTP/1.0 to {os.environ.get('BENCH_HTTP_SERVER', 'granian')} ({workers} worker processes, "
        f"persistent database connections), {concurrency} client threads on the same machine",
    }


def lifecycles(n: int = 200) -> dict[str, Any]:
    """In-process, one thread: the CPU of each step."""
    clerk, handler, township = _pair()
    client = Client()
    h_clerk = {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=clerk)}"}
    h_handler = {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=handler)}"}

    wall: dict[str, float] = defaultdict(float)
    cpu: dict[str, float] = defaultdict(float)

    def post(path: str, body: dict[str, Any], headers: dict[str, Any]) -> dict[str, Any]:
        step = path.rsplit("/", 1)[-1] if "/cases/" in path else "register"
        started_wall, started_cpu = time.perf_counter(), time.process_time()
        response = client.post(path, json.dumps(body), content_type="application/json", **headers)
        wall[step] += time.perf_counter() - started_wall
        cpu[step] += time.process_time() - started_cpu
        assert response.status_code in (200, 201), (path, response.content[:300])
        return json.loads(response.content)

    received = (timezone.localdate() - timedelta(days=2)).isoformat()
    headers = {"clerk": h_clerk, "handler": h_handler}
    steps = _steps(township.code)
    with tempfile.TemporaryDirectory() as media:
        old_media = settings.MEDIA_ROOT
        settings.MEDIA_ROOT = media
        try:
            for i in range(3):  # warm up: jieba's dictionary, the term weights, compiled queries
                created = post("/api/v1/petitions", _registration(90_000 + i, received), h_clerk)
                for who, action, body in steps:
                    post(f"/api/v1/cases/{created['id']}/{action}", body, headers[who])
            wall.clear()
            cpu.clear()
            started = time.perf_counter()
            for i in range(n):
                created = post("/api/v1/petitions", _registration(100_000 + i, received), h_clerk)
                case = f"/api/v1/cases/{created['id']}"
                for who, action, body in steps:
                    post(f"{case}/{action}", body, headers[who])
            elapsed = time.perf_counter() - started
        finally:
            settings.MEDIA_ROOT = old_media
    return {
        "lifecycles": n,
        "seconds": round(elapsed, 2),
        "lifecycles_per_s": round(n / elapsed, 1),
        "requests_per_lifecycle": 6,
        "cpu_ms_per_lifecycle": round(sum(cpu.values()) / n * 1000, 1),
        "ms_per_request": {
            step: {"wall": round(wall[step] / n * 1000, 1), "cpu": round(cpu[step] / n * 1000, 1)}
            for step in wall
        },
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "how": "in-process Django test Client, one thread",
    }


def sweep_figures(today: date | None = None) -> dict[str, Any]:
    total = Petition.objects.count()
    open_cases = Petition.objects.filter(is_open=True).count()
    started, cpu = time.perf_counter(), time.process_time()
    first = sweep(today=today)
    first_s, first_cpu = time.perf_counter() - started, time.process_time() - cpu
    started, cpu = time.perf_counter(), time.process_time()
    second = sweep(today=today)
    second_s, second_cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "petitions": total,
        "open": open_cases,
        "first_run_s": round(first_s, 2),
        "first_run_cpu_s": round(first_cpu, 2),
        "first": first.as_dict(),
        "second_run_s": round(second_s, 2),
        "second_run_cpu_s": round(second_cpu, 2),
        "second": second.as_dict(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def notice_figures(samples: int = 30) -> dict[str, Any]:
    notices = list(Notice.objects.select_related("unit").order_by("-pk")[:5])
    if not notices:
        return {"error": "no notices in the bench database (run lifecycles first)"}
    docx: list[float] = []
    pdf: list[float] = []
    pdf_cpu: list[float] = []
    render_pdf(notices[0])  # warm the font cache
    for i in range(samples):
        notice = notices[i % len(notices)]
        t = time.perf_counter()
        render_docx(notice)
        docx.append(time.perf_counter() - t)
        t, c = time.perf_counter(), time.process_time()
        render_pdf(notice)
        pdf.append(time.perf_counter() - t)
        pdf_cpu.append(time.process_time() - c)
    return {
        "samples": samples,
        "docx_p50_ms": _p(docx, 0.5),
        "docx_p95_ms": _p(docx, 0.95),
        "pdf_p50_ms": _p(pdf, 0.5),
        "pdf_p95_ms": _p(pdf, 0.95),
        "pdf_mean_ms": round(statistics.mean(pdf) * 1000, 2),
        "pdf_cpu_p50_ms": _p(pdf_cpu, 0.5),
        "pdf_cpu_p95_ms": _p(pdf_cpu, 0.95),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
