"""Benchmarks of the case lifecycle (issue 3), run by bench/run.py on its generated database.

- ``lifecycles_per_s``: full lifecycles through the API in-process (Django test Client, no HTTP
  server): register → transfer → accept → reply → deliver → close.
- ``sweep``: ``xinfang sweep`` over the whole table, first run (raises warnings and 督办) and second
  run (idempotent, nothing to do).
- ``notice``: generating a notice's DOCX and PDF from its frozen text, p50/p95.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
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

    def post(path: str, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        response = client.post(path, json.dumps(body), content_type="application/json", **headers)
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
        "how": "in-process Django test Client, one thread",
    }


def sweep_figures(today: date | None = None) -> dict[str, Any]:
    total = Petition.objects.count()
    open_cases = Petition.objects.filter(is_open=True).count()
    started = time.perf_counter()
    first = sweep(today=today)
    first_s = time.perf_counter() - started
    started = time.perf_counter()
    second = sweep(today=today)
    second_s = time.perf_counter() - started
    return {
        "petitions": total,
        "open": open_cases,
        "first_run_s": round(first_s, 2),
        "first": first.as_dict(),
        "second_run_s": round(second_s, 2),
        "second": second.as_dict(),
    }


def notice_figures(samples: int = 30) -> dict[str, Any]:
    notices = list(Notice.objects.select_related("unit").order_by("-pk")[:5])
    if not notices:
        return {"error": "no notices in the bench database (run lifecycles first)"}
    docx: list[float] = []
    pdf: list[float] = []
    render_pdf(notices[0])  # warm the font cache
    for i in range(samples):
        notice = notices[i % len(notices)]
        t = time.perf_counter()
        render_docx(notice)
        docx.append(time.perf_counter() - t)
        t = time.perf_counter()
        render_pdf(notice)
        pdf.append(time.perf_counter() - t)
    return {
        "samples": samples,
        "docx_p50_ms": _p(docx, 0.5),
        "docx_p95_ms": _p(docx, 0.95),
        "pdf_p50_ms": _p(pdf, 0.5),
        "pdf_p95_ms": _p(pdf, 0.95),
        "pdf_mean_ms": round(statistics.mean(pdf) * 1000, 2),
    }
