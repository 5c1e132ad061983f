"""Benchmarks of the case lifecycle (issue 3), run by bench/run.py on its generated database.

- ``lifecycles_per_s``: full lifecycles through the API in-process (Django test Client, no HTTP
  server): register → transfer → accept → reply → deliver → close.
- ``sweep``: ``xinfang sweep`` over the whole table, first run (raises warnings and 督办) and second
  run (idempotent: nothing to flag; it numbers the next 500 督办单 documents of the backlog). Wall
  and CPU seconds: the machine is shared, so the CPU figure is the steadier one.
- ``notice``: generating a notice's DOCX and PDF from its frozen text, p50/p95.
"""

from __future__ import annotations

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
from xinfang.cases.notices import render_docx, render_pdf
from xinfang.cases.sweep import sweep
from xinfang.orgs.models import Role, Unit, UnitKind, User
from xinfang.orgs.services import token_create
from xinfang.petitions.models import Petition


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


def lifecycles(n: int = 200) -> dict[str, Any]:
    clerk, handler, township = _pair()
    client = Client()
    h_clerk = {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=clerk)}"}
    h_handler = {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=handler)}"}

    wall: dict[str, float] = defaultdict(float)
    cpu: dict[str, float] = defaultdict(float)

    def post(path: str, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        step = path.rsplit("/", 1)[-1] if "/cases/" in path else "register"
        started_wall, started_cpu = time.perf_counter(), time.process_time()
        response = client.post(path, json.dumps(body), content_type="application/json", **headers)
        wall[step] += time.perf_counter() - started_wall
        cpu[step] += time.process_time() - started_cpu
        assert response.status_code in (200, 201), (path, response.content[:300])
        return json.loads(response.content)

    received = (timezone.localdate() - timedelta(days=2)).isoformat()
    decision = {
        "requests": "请求解决",
        "facts": "经调查核实",
        "opinion": "予以解释说明",
        "basis": "《信访工作条例》",
        "outcome": "explain",
    }
    with tempfile.TemporaryDirectory() as media:
        old_media = settings.MEDIA_ROOT
        settings.MEDIA_ROOT = media
        try:
            started = time.perf_counter()
            for i in range(n):
                created = post(
                    "/api/v1/petitions",
                    {
                        "channel": "letter",
                        "received_at": received,
                        "title": f"基准测试信访件{i}",
                        "content": "反映村道路年久失修，雨天无法通行，请求尽快维修。",
                        "category": "0106",
                        "request_class": "claim",
                        "petitioners": [{"name": "王五", "address": "城关镇"}],
                    },
                    h_clerk,
                )
                case = f"/api/v1/cases/{created['id']}"
                post(f"{case}/transfer", {"unit": township.code}, h_clerk)
                post(f"{case}/accept", {"route": "petition"}, h_handler)
                post(f"{case}/reply", decision, h_handler)
                post(f"{case}/deliver", {}, h_handler)
                post(f"{case}/close", {"reason": "满意"}, h_handler)
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
