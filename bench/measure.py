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
        if row.handling_unit_id:
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
    from xinfang.petitions.selectors import search_petitions, work_queue

    rng = random.Random(f"measure:{seed}")  # noqa: S311 - synthetic data
    counties, bureau, town = _sample_users(loaded, rng, 20)
    out: dict[str, Any] = {}

    # Work lists: the first page of open cases, by deadline and by received date.
    worklist: dict[str, Any] = {}
    for who, users in (("county_bureau", bureau), ("township_handler", town)):
        for sort in ("due", "received"):
            label = f"{who}_by_{'deadline' if sort == 'due' else 'received'}"
            log(f"  worklist {label}")
            stats, pages = timed(
                lambda i, users=users, sort=sort: _page(work_queue(_fresh(users[i % len(users)]), sort=sort)),
                queries=queries,
                warmup=warmup,
            )
            stats["mean_rows"] = round(statistics.fmean(len(p) for p in pages), 1)
            worklist[label] = stats
        log(f"  worklist {who} count")
        stats, counts = timed(
            lambda i, users=users: work_queue(_fresh(users[i % len(users)])).count(),
            queries=queries,
            warmup=warmup,
        )
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
        stats, pages = timed(
            lambda i, terms=terms: _page(
                search_petitions(_fresh(bureau[i % len(bureau)]), terms[i]).order_by("-received_at", "-id")
            ),
            queries=queries,
            warmup=warmup,
        )
        stats["mean_rows"] = round(statistics.fmean(len(p) for p in pages), 1)
        keyword[label] = stats
        log(f"  keyword {label} count")
        stats, counts = timed(
            lambda i, terms=terms: search_petitions(
                _fresh(bureau[i % len(bureau)]), terms[i % len(terms)]
            ).count(),
            queries=max(50, queries // 4),
            warmup=5,
        )
        stats["median_matches"] = statistics.median(counts)
        keyword[f"{label}_count"] = stats
    out["keyword_search"] = keyword
    out["keyword_search_p95_ms"] = max(v["p95_ms"] for k, v in keyword.items() if not k.endswith("_count"))
    return out


# --- proposed query shapes (measured side by side; see docs/benchmarks.md) -----------------------


def _unindexed(name: str) -> Any:
    """``COALESCE(col, col)``: the same order, but not an index order, so the planner cannot pick
    "walk a global index in order and filter by scope until 50 rows are found"."""
    from django.db.models.functions import Coalesce

    return Coalesce(name, name)


def proposed_order(qs: Any, sort: str) -> Any:
    keys = {"due": ("due_at", False), "received": ("received_at", True)}
    name, descending = keys[sort]
    expr = _unindexed(name)
    return qs.order_by(expr.desc() if descending else expr.asc(), "-id" if descending else "id")


def proposed_page(qs: Any) -> list[Any]:
    """The list page without the two large text columns nobody shows in a list."""
    return _page(qs.defer("content", "search_text"))


def proposed_work_queue(user: Any, sort: str) -> Any:
    from xinfang.petitions.selectors import visible_petitions

    return proposed_order(visible_petitions(user).filter(is_open=True), sort)


def proposed_search(user: Any, q: str) -> Any:
    """search_petitions for keywords, reshaped: on PostgreSQL the full-text predicate sits on the
    scoped query itself (so the GIN index and the scope indexes combine in one BitmapAnd), and
    the petitioner-name alternative is resolved to ids first instead of an OR-ed subquery."""
    from django.db import connection
    from django.db.models import BooleanField, Q
    from django.db.models.expressions import RawSQL

    from xinfang.lib.text import query_terms
    from xinfang.petitions.models import PetitionPetitioner
    from xinfang.petitions.selectors import identity_hidden_q, visible_petitions

    base = visible_petitions(user)
    terms = query_terms(q)
    named = list(
        PetitionPetitioner.objects.filter(petitioner__name=q.strip()).values_list("petition_id", flat=True)[
            :1000
        ]
    )
    by_name = Q(pk__in=named) & ~identity_hidden_q(user) if named else Q(pk__in=[])
    if connection.vendor == "postgresql":
        fts = RawSQL(
            "to_tsvector('simple', petitions_petition.search_text) @@ plainto_tsquery('simple', %s)",
            [" ".join(terms)],
            output_field=BooleanField(),
        )
        keyword = Q(fts)
    else:
        # The unary + keeps SQLite from driving the query from the FTS match list (every match in
        # the province, then one row lookup each): it starts from the scope's unit indexes instead.
        match = " ".join('"' + t.replace('"', "") + '"' for t in terms)
        fts = RawSQL(
            '+"petitions_petition"."id" IN (SELECT rowid FROM petitions_fts WHERE petitions_fts MATCH %s)',
            [match],
            output_field=BooleanField(),
        )
        keyword = Q(fts)
    return base.filter(keyword | by_name)


def paired(
    baseline: Callable[[int], Any], proposed: Callable[[int], Any], *, queries: int, warmup: int
) -> dict[str, Any]:
    """Both shapes in one loop, alternating which goes first, so that other work on the machine
    weighs on both alike."""
    for i in range(warmup):
        baseline(i)
        proposed(i)
    times: dict[str, list[float]] = {"baseline": [], "proposed": []}
    rows: dict[str, list[list[int]]] = {"baseline": [], "proposed": []}
    for i in range(queries):
        order = (("baseline", baseline), ("proposed", proposed))
        for name, fn in order if i % 2 == 0 else order[::-1]:
            started = time.perf_counter()
            result = fn(warmup + i)
            times[name].append(time.perf_counter() - started)
            rows[name].append([row.pk for row in result])
    out: dict[str, Any] = {name: summary(samples) for name, samples in times.items()}
    out["same_results"] = rows["baseline"] == rows["proposed"]
    return out


def proposal_benchmarks(loaded: Loaded, *, queries: int, warmup: int, seed: int) -> dict[str, Any]:
    from xinfang.petitions.selectors import search_petitions, work_queue

    rng = random.Random(f"measure:{seed}")  # noqa: S311 - the same users and words as above
    counties, bureau, town = _sample_users(loaded, rng, 20)
    out: dict[str, Any] = {}
    for sort in ("due", "received"):
        label = f"worklist_county_bureau_by_{'deadline' if sort == 'due' else 'received'}"
        log(f"  proposal {label}")
        out[label] = paired(
            lambda i, sort=sort: _page(work_queue(_fresh(bureau[i % len(bureau)]), sort=sort)),
            lambda i, sort=sort: proposed_page(proposed_work_queue(_fresh(bureau[i % len(bureau)]), sort)),
            queries=queries,
            warmup=warmup,
        )
    _identities(loaded, counties, max(1, (queries + warmup) // len(counties) + 1), rng)  # keep rng in step
    for words in (1, 2):
        terms = _keyword_queries(rng, queries + warmup, words)
        label = f"keyword_{words}_word"
        log(f"  proposal {label}")
        out[label] = paired(
            lambda i, terms=terms: _page(
                search_petitions(_fresh(bureau[i % len(bureau)]), terms[i]).order_by("-received_at", "-id")
            ),
            lambda i, terms=terms: proposed_page(
                proposed_order(proposed_search(_fresh(bureau[i % len(bureau)]), terms[i]), "received")
            ),
            queries=queries,
            warmup=warmup,
        )
    return out


def query_plans(loaded: Loaded, *, seed: int, path: Path) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL, EXPLAIN QUERY PLAN on SQLite, of one query of each
    kind, for docs/benchmarks.md."""
    from django.db import connection

    from xinfang.petitions.selectors import list_related, search_petitions, work_queue

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
    cases["proposal: worklist county bureau by received date"] = proposed_work_queue(bureau[0], "received")
    cases["proposal: keyword 1 word (补偿)"] = proposed_order(proposed_search(bureau[0], "补偿"), "received")
    pg = connection.vendor == "postgresql"
    lines = []
    for title, qs in cases.items():
        page = list_related(qs)[:PAGE]
        plan = page.explain(analyze=True, buffers=True) if pg else page.explain()
        lines += [f"## {title}", str(page.query), plan, ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    log(f"  query plans written to {path}")
