"""Timed queries (work lists, identity lookups, keyword search) and query plans, inside a configured
Django process whose default database holds the loaded benchmark data."""

from __future__ import annotations

import math
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.data import Loaded, log

PAGE = 50


def summary(samples: list[float]) -> dict[str, float]:
    """p50/p95/p99/max in milliseconds (nearest-rank percentiles)."""
    ordered = sorted(samples)

    def pct(p: float) -> float:
        return round(ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] * 1000, 2)

    return {
        "n": len(ordered),
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "max_ms": round(ordered[-1] * 1000, 2),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 2),
    }


def timed(fn: Callable[[int], Any], *, queries: int, warmup: int) -> tuple[dict[str, Any], list[Any]]:
    results = []
    for i in range(warmup):
        fn(i)
    samples = []
    for i in range(queries):
        started = time.perf_counter()
        results.append(fn(warmup + i))
        samples.append(time.perf_counter() - started)
    return summary(samples), results


def _fresh(user: Any) -> Any:
    """Each request computes the user's scope again (it is cached on the user object)."""
    user.__dict__.pop("_xf_scope_ids", None)
    return user


def _page(qs: Any) -> list[Any]:
    from xinfang.petitions.selectors import list_related

    rows = list(list_related(qs)[:PAGE])
    for row in rows:  # what a list page reads per row
        _ = (row.registering_unit.name, row.category.name, [link.petitioner.name for link in row.links.all()])
        if row.handling_unit is not None:  # selected with the row (list_related), or no unit
            _ = row.handling_unit.name
    return rows


def _sample_users(loaded: Loaded, rng: random.Random, count: int) -> tuple[list[Any], list[Any], list[Any]]:
    from xinfang.orgs.models import User

    counties = sorted(rng.sample(loaded.counties, min(count, len(loaded.counties))), key=lambda c: c.index)
    users = User.objects.select_related("unit")
    bureau = [users.get(pk=loaded.county_clerks[c.index]) for c in counties]
    town = [users.get(pk=loaded.township_handlers[c.index]) for c in counties]
    return counties, bureau, town


def _identities(
    loaded: Loaded, counties: list[Any], per_county: int, rng: random.Random
) -> list[tuple[int, str, str]]:
    """(user index, 身份证号, phone) of petitioners of cases registered by each sampled county bureau."""
    from xinfang.petitions.models import PetitionPetitioner

    found = []
    for i, county in enumerate(counties):
        rows = list(
            PetitionPetitioner.objects.filter(
                petition__registering_unit_id=loaded.unit_ids[county.bureau_code],
                petition__request_class__in=("claim", "suggestion"),
            )
            .exclude(petitioner__id_number="")
            .exclude(petitioner__phone="")
            .order_by("pk")
            .values_list("petitioner__id_number", "petitioner__phone")[:2000]
        )
        for id_number, phone in rng.sample(rows, min(per_county, len(rows))):
            found.append((i, id_number, phone))
    rng.shuffle(found)
    return found


def _keyword_queries(rng: random.Random, count: int, words: int) -> list[str]:
    from xinfang.demo.texts import KEYWORD_GROUPS, KEYWORDS

    queries = []
    for _ in range(count):
        if words == 1:
            queries.append(rng.choice(KEYWORDS))
        else:
            group = rng.choice([g for g in KEYWORD_GROUPS if len(g) >= 2])
            queries.append(" ".join(rng.sample(group, 2)))
    return queries


def query_benchmarks(loaded: Loaded, *, queries: int, warmup: int, seed: int) -> dict[str, Any]:
    from xinfang.cases.access import search_petitions, work_queue

    rng = random.Random(f"measure:{seed}")  # noqa: S311 - synthetic data
    counties, bureau, town = _sample_users(loaded, rng, 20)
    out: dict[str, Any] = {}

    # Work lists: the first page of open cases, by deadline and by received date.
    worklist: dict[str, Any] = {}
    for who, users in (("county_bureau", bureau), ("township_handler", town)):
        for sort in ("due", "received"):
            label = f"{who}_by_{'deadline' if sort == 'due' else 'received'}"
            log(f"  worklist {label}")

            def first_page(i: int, users: list[Any] = users, sort: str = sort) -> list[Any]:
                return _page(work_queue(_fresh(users[i % len(users)]), sort=sort))

            stats, pages = timed(first_page, queries=queries, warmup=warmup)
            stats["mean_rows"] = round(statistics.fmean(len(p) for p in pages), 1)
            worklist[label] = stats
        log(f"  worklist {who} count")

        def open_count(i: int, users: list[Any] = users) -> int:
            return work_queue(_fresh(users[i % len(users)])).count()

        stats, counts = timed(open_count, queries=queries, warmup=warmup)
        stats["median_open_cases"] = statistics.median(counts)
        worklist[f"{who}_count"] = stats
    out["worklist"] = worklist
    out["worklist_p95_ms"] = max(v["p95_ms"] for k, v in worklist.items() if not k.endswith("_count"))

    # Identity lookups by a county bureau clerk: a 身份证号 or a phone number of that county.
    ids = _identities(loaded, counties, max(1, (queries + warmup) // len(counties) + 1), rng)
    lookup: dict[str, Any] = {}
    for kind, column in (("id_number", 1), ("phone", 2)):
        log(f"  lookup {kind}")

        def run(i: int, column: int = column) -> list[Any]:
            user_i, *values = ids[i % len(ids)]
            qs = search_petitions(_fresh(bureau[user_i]), values[column - 1]).order_by("-received_at", "-id")
            return _page(qs)

        stats, pages = timed(run, queries=queries, warmup=warmup)
        stats["hit_share"] = round(sum(1 for p in pages if p) / len(pages), 3)
        lookup[kind] = stats
    out["lookup"] = lookup
    out["lookup_p95_ms"] = max(v["p95_ms"] for v in lookup.values())

    # Keyword search: 1 and 2 words from the letters' vocabulary, first page, newest first.
    keyword: dict[str, Any] = {}
    for words in (1, 2):
        terms = _keyword_queries(rng, queries + warmup, words)
        label = f"{words}_word"
        log(f"  keyword {label}")

        def newest_page(i: int, terms: list[str] = terms) -> list[Any]:
            qs = search_petitions(_fresh(bureau[i % len(bureau)]), terms[i]).order_by("-received_at", "-id")
            return _page(qs)

        stats, pages = timed(newest_page, queries=queries, warmup=warmup)
        stats["mean_rows"] = round(statistics.fmean(len(p) for p in pages), 1)
        keyword[label] = stats
        log(f"  keyword {label} count")

        def match_count(i: int, terms: list[str] = terms) -> int:
            return search_petitions(_fresh(bureau[i % len(bureau)]), terms[i % len(terms)]).count()

        stats, counts = timed(match_count, queries=max(50, queries // 4), warmup=5)
        stats["median_matches"] = statistics.median(counts)
        keyword[f"{label}_count"] = stats
    out["keyword_search"] = keyword
    out["keyword_search_p95_ms"] = max(v["p95_ms"] for k, v in keyword.items() if not k.endswith("_count"))
    return out


def query_plans(loaded: Loaded, *, seed: int, path: Path) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL, EXPLAIN QUERY PLAN on SQLite, of one query of each
    kind, for docs/benchmarks.md."""
    from django.db import connection

    from xinfang.cases.access import search_petitions, work_queue
    from xinfang.petitions.selectors import list_related

    rng = random.Random(f"plans:{seed}")  # noqa: S311 - synthetic data
    counties, bureau, town = _sample_users(loaded, rng, 3)
    ids = _identities(loaded, counties[:1], 1, rng)
    cases = {
        "worklist county bureau by deadline": work_queue(bureau[0], sort="due"),
        "worklist county bureau by received date": work_queue(bureau[0], sort="received"),
        "worklist township handler by deadline": work_queue(town[0], sort="due"),
        "lookup by id_number": search_petitions(bureau[0], ids[0][1]).order_by("-received_at", "-id"),
        "lookup by phone": search_petitions(bureau[0], ids[0][2]).order_by("-received_at", "-id"),
        "keyword 1 word (补偿)": search_petitions(bureau[0], "补偿").order_by("-received_at", "-id"),
        "keyword 2 words (拖欠 工资)": search_petitions(bureau[0], "拖欠 工资").order_by(
            "-received_at", "-id"
        ),
    }
    pg = connection.vendor == "postgresql"
    lines = []
    for title, qs in cases.items():
        page = list_related(qs)[:PAGE]
        plan = page.explain(analyze=True, buffers=True) if pg else page.explain()
        lines += [f"## {title}", str(page.query), plan, ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    log(f"  query plans written to {path}")
