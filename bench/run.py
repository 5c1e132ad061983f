"""``make bench`` (``python -m bench.run``): load N synthetic petitions into a dedicated database and
measure registration throughput, work lists, identity lookups and keyword search.

Environment:
- ``BENCH_N`` petitions (default 100000; 1000000 is the full size)
- ``BENCH_DBS`` comma list of ``sqlite``, ``postgresql`` (default: SQLite, and PostgreSQL when
  127.0.0.1:5432 answers)
- ``BENCH_QUERIES`` timed queries per series (default 200, after ``BENCH_WARMUP`` = 20)
- ``BENCH_API_REQUESTS`` (default 2000), ``BENCH_CONCURRENCY`` client threads (default 8),
  ``BENCH_SERVER_WORKERS`` (registrations: CPUs + 1; lifecycles: as ``xinfang serve``, one per CPU on
  SQLite and two on PostgreSQL)
- ``BENCH_WAIT_QUIET`` seconds to wait at most for the machine to be quiet (load average below
  half the CPUs) before each timed phase (default 300)
- ``BENCH_REUSE=1`` measures the databases kept by an earlier ``BENCH_KEEP=1`` run, without loading
- ``BENCH_SECTIONS`` comma list of ``foundation``, ``stats``, ``detection``, ``lifecycle`` (default
  all); ``BENCH_LIFECYCLES`` full lifecycles timed over HTTP (default 200; a quarter of that
  in-process); ``BENCH_SWEEP=0`` leaves out the sweep
- ``BENCH_PG_URL`` (default postgres://postgres@127.0.0.1:5432), ``BENCH_KEEP=1`` keeps the
  databases afterwards (for EXPLAIN), ``BENCH_SEED``.

The SQLite database is ``var/bench/bench.sqlite3``; the PostgreSQL one is ``xinfang_bench``, dropped
and created again by each run. Generated texts are cached in ``var/bench/data`` for the day.
Prints one JSON object and writes it to ``bench/results.json`` (and ``var/bench/results-N.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from bench import data

PROJECT_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = PROJECT_DIR / "var" / "bench"
PG_DATABASE = "xinfang_bench"
TARGETS = {
    "api_registration_per_s": ">= 300",
    "worklist_p95_ms": "<= 50 at 1M",
    "lookup_p95_ms": "<= 20",
    "keyword_search_p95_ms": "<= 200 at 1M",
}


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, "") or default)


def pg_base_url() -> str:
    return os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")


def pg_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), 2).close()
        return True
    except OSError:
        return False


def _pg_admin(statements: list[str]) -> None:
    import psycopg

    with psycopg.connect(f"{pg_base_url()}/postgres", autocommit=True) as conn:
        for sql in statements:
            conn.execute(sql)


def database_url(db: str) -> str:
    if db == "sqlite":
        return f"sqlite:///{VAR_DIR / 'bench.sqlite3'}"
    return f"{pg_base_url()}/{PG_DATABASE}"


def prepare(db: str, n: int) -> str:
    """A fresh, empty database; its DATABASE_URL."""
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(str(VAR_DIR / "bench.sqlite3") + suffix).unlink(missing_ok=True)
    else:
        _pg_admin([f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)", f"CREATE DATABASE {PG_DATABASE}"])
    return database_url(db)


def cleanup(db: str) -> None:
    if os.environ.get("BENCH_KEEP") == "1":
        return
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(str(VAR_DIR / "bench.sqlite3") + suffix).unlink(missing_ok=True)
    else:
        _pg_admin([f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)"])


def machine_info() -> dict[str, Any]:
    import sqlite3

    import django

    info: dict[str, Any] = {
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu_model"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return info


SECTIONS = ("foundation", "stats", "detection", "lifecycle")
# The figures named by the issues, lifted to the top of each database's results.
HEADLINES = {
    "metric_table_s": "stats.table_orm_s",
    "metric_table_sql_ratio": "stats.table_ratio",
    "dashboard_s": "stats.dashboard_s",
    "paragraph_s": "stats.paragraph_s",
    "similar_p95_ms": "detection.query_ms.p95",
    "detection_precision": "detection.quality_generated.precision",
    "detection_recall": "detection.quality_generated.recall",
    "findable_at_once": "detection.findable_at_once",
    "lifecycles_per_s": "lifecycle.lifecycles.lifecycles_per_s",
    "notice_pdf_p95_ms": "lifecycle.notices.pdf_p95_ms",
    "notice_docx_p95_ms": "lifecycle.notices.docx_p95_ms",
    "sweep_first_run_s": "lifecycle.sweep.first_run_s",
    "sweep_second_run_s": "lifecycle.sweep.second_run_s",
    "security_overhead_ms_per_request": "lifecycle.security.overhead_ms_per_request",
    "audit_chain_ms_per_entry": "lifecycle.security.audit_chain.chain_ms_per_entry",
    "lockout_ms_per_failed_login": "lifecycle.security.requests.lockout_ms_per_failed_login",
}


def _sections() -> list[str]:
    wanted = [s.strip() for s in os.environ.get("BENCH_SECTIONS", "").split(",") if s.strip()]
    unknown = set(wanted) - set(SECTIONS)
    if unknown:
        raise SystemExit(f"BENCH_SECTIONS: unknown {sorted(unknown)}; known: {', '.join(SECTIONS)}")
    return wanted or list(SECTIONS)


def _pick(result: dict[str, Any], dotted: str) -> Any:
    value: Any = result
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def headline(result: dict[str, Any]) -> dict[str, Any]:
    return {name: v for name, path in HEADLINES.items() if (v := _pick(result, path)) is not None}


def _section(db: str, title: str, fn: Any) -> dict[str, Any]:
    """One section's figures; a failing section is recorded, and the others still run."""
    data.log(f"{db}: {title}")
    started = time.perf_counter()
    try:
        figures = fn()
    except Exception as exc:  # noqa: BLE001 - a benchmark reports, it does not stop
        import traceback

        traceback.print_exc()
        return {"error": f"{type(exc).__name__}: {exc}"}
    figures["section_seconds"] = round(time.perf_counter() - started, 1)
    figures["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    return figures


def _stats(n: int) -> dict[str, Any]:
    from bench import stats

    return stats.run("default", n)


def _detection(n: int) -> dict[str, Any]:
    from bench import detection

    return detection.run(n)


def _lifecycle() -> dict[str, Any]:
    """Lifecycles first (they create the notices the notice figures render); the sweep last, as
    it changes a large part of the database."""
    from bench import cases, security
    from xinfang.cli import default_workers

    n = _env_int("BENCH_LIFECYCLES", 200)
    out: dict[str, Any] = {
        "lifecycles": cases.lifecycles_http(
            n,
            concurrency=_env_int("BENCH_CONCURRENCY", 8),
            # As ``xinfang serve`` by default: one per CPU on SQLite, two on PostgreSQL.
            workers=_env_int("BENCH_SERVER_WORKERS", default_workers()),
        ),
        "lifecycles_inprocess": cases.lifecycles(max(20, n // 4)),
    }
    out["notices"] = cases.notice_figures()
    out["security"] = security.security_figures()
    if os.environ.get("BENCH_SWEEP", "1") == "1":
        out["sweep"] = cases.sweep_figures()
    return out


def _foundation(db: str, loaded: Any, *, seed: int, today: date, quiet: int) -> dict[str, Any]:
    """Registrations through the API, work lists, lookups and keyword search (issue 2)."""
    from bench import api, measure

    result: dict[str, Any] = {}
    queries = _env_int("BENCH_QUERIES", 200)
    warmup = _env_int("BENCH_WARMUP", 20)
    result["load_average_before_queries"] = data.wait_for_quiet(quiet)
    data.log(f"{db}: timing queries ({queries} per series after {warmup} warm-up)")
    figures = measure.query_benchmarks(loaded, queries=queries, warmup=warmup, seed=seed)
    measure.query_plans(
        loaded, seed=seed, path=VAR_DIR / f"plans-{db}-{loaded.sizes.get('petitions', 0)}.txt"
    )
    result["load_average_after_queries"] = [round(x, 2) for x in os.getloadavg()]
    data.log(f"{db}: registrations through the API")
    result["load_average_before_api"] = data.wait_for_quiet(quiet)
    registration = api.api_benchmarks(
        loaded,
        requests=_env_int("BENCH_API_REQUESTS", 2000),
        concurrency=_env_int("BENCH_CONCURRENCY", 8),
        workers=_env_int("BENCH_SERVER_WORKERS", (os.cpu_count() or 1) + 1),
        seed=seed,
        today=today,
    )
    result["api_registration_per_s"] = registration.pop("api_registration_per_s")
    result["api_registration"] = registration
    for key in ("worklist_p95_ms", "lookup_p95_ms", "keyword_search_p95_ms"):
        result[key] = figures.pop(key)
    result.update(figures)
    return result


def worker(db: str, out: Path, n: int, seed: int, today: date) -> None:
    """Runs in a child process whose DATABASE_URL points at the prepared database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")
    import django

    django.setup()
    import logging

    from django.core.management import call_command
    from django.db import connection

    # Deadlines of the bulk load reach into years chinese_calendar does not know yet; one warning
    # per computed date would flood the output.
    logging.getLogger("xinfang.lib.deadlines").setLevel(logging.ERROR)

    result: dict[str, Any] = {}
    started = time.perf_counter()
    reuse = os.environ.get("BENCH_REUSE") == "1"
    call_command("migrate", verbosity=0, interactive=False)
    if data.repair_sqlite_keyword_index():
        result["repaired"] = (
            "the SQLite FTS5 triggers of migration petitions/0002 were missing after migrate "
            "(dropped by the table rebuild of petitions/0004) and were re-created before loading"
        )
        data.log(f"{db}: FTS5 triggers were missing after migrate; re-created")
    if reuse:
        data.log(f"{db}: reusing the loaded database")
        loaded = data.reattach(seed)
    else:
        data.log(f"{db}: migrated in {time.perf_counter() - started:.0f} s; loading {n:,} petitions")
        paths = data.ensure_data(VAR_DIR / "data", n, seed=seed, today=today, processes=1)
        loaded = data.load(paths, n, seed=seed, today=today)
        loaded.sizes["analyze_seconds"] = round(data.analyze(), 1)
    loaded.sizes["database_mb"] = round(data.database_bytes() / 1024 / 1024)
    result["sizes"] = loaded.sizes
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            settings = {"server_version": cursor.fetchone()[0]}
            for name in ("shared_buffers", "work_mem", "effective_cache_size", "jit", "random_page_cost"):
                cursor.execute(f"SHOW {name}")
                settings[name] = cursor.fetchone()[0]
            result["postgresql"] = settings
        else:
            cursor.execute("select sqlite_version()")
            result["sqlite"] = {"version": cursor.fetchone()[0], "journal_mode": "wal"}
    data.log(f"{db}: loaded {loaded.sizes}")

    sections = _sections()
    quiet = _env_int("BENCH_WAIT_QUIET", 300)
    if "foundation" in sections:
        result.update(_foundation(db, loaded, seed=seed, today=today, quiet=quiet))
    if "stats" in sections:
        result["load_average_before_stats"] = data.wait_for_quiet(quiet)
        result["stats"] = _section(db, "statistics (issue 5)", lambda: _stats(n))
    if "detection" in sections:
        result["load_average_before_detection"] = data.wait_for_quiet(quiet)
        result["detection"] = _section(db, "detection (issue 4)", lambda: _detection(n))
    if "lifecycle" in sections:
        result["load_average_before_lifecycle"] = data.wait_for_quiet(quiet)
        result["lifecycle"] = _section(db, "lifecycle (issue 3)", _lifecycle)
    result.update(headline(result))
    result["seconds"] = round(time.perf_counter() - started)
    out.write_text(json.dumps(result, ensure_ascii=False, default=str), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--worker", choices=("sqlite", "postgresql"), help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--today", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    n = _env_int("BENCH_N", 100_000)
    seed = _env_int("BENCH_SEED", 1)
    today = date.fromisoformat(args.today) if args.today else _today()
    if args.worker:
        worker(args.worker, args.out, n, seed, today)
        return 0

    started = time.perf_counter()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    lock = _run_lock()  # noqa: F841 - held until the process exits
    wanted = os.environ.get("BENCH_DBS", "")
    dbs = [d.strip() for d in wanted.split(",") if d.strip()] or ["sqlite"] + (
        ["postgresql"] if pg_reachable() else []
    )
    result: dict[str, Any] = {
        "n": n,
        "seed": seed,
        "date": today.isoformat(),
        "targets": TARGETS,
        "machine": machine_info(),
    }
    reuse = os.environ.get("BENCH_REUSE") == "1"
    if not reuse:
        data.ensure_data(VAR_DIR / "data", n, seed=seed, today=today, processes=os.cpu_count() or 1)
    for db in dbs:
        url = database_url(db) if reuse else prepare(db, n)
        out = VAR_DIR / f"worker-{db}.json"
        out.unlink(missing_ok=True)
        env = dict(os.environ, DATABASE_URL=url, PYTHONPATH=str(PROJECT_DIR))
        data.log(f"=== {db} ===")
        try:
            subprocess.run(  # noqa: S603 - our own module
                [
                    sys.executable,
                    "-m",
                    "bench.run",
                    "--worker",
                    db,
                    "--out",
                    str(out),
                    "--today",
                    today.isoformat(),
                ],
                cwd=PROJECT_DIR,
                env=env,
                check=True,
            )
            result[db] = json.loads(out.read_text(encoding="utf-8"))
        finally:
            if not reuse:
                cleanup(db)
    if "postgresql" in result:
        result["machine"]["postgresql"] = result["postgresql"].get("postgresql", {}).get("server_version")
    result["seconds"] = round(time.perf_counter() - started)
    text = json.dumps(result, ensure_ascii=False, indent=2)
    (PROJECT_DIR / "bench" / "results.json").write_text(text + "\n", encoding="utf-8")
    (VAR_DIR / f"results-{n}.json").write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


def _run_lock() -> Any:
    """One benchmark at a time on a machine: a second run waits for the first (timings of two runs
    sharing the CPUs would both be wrong)."""
    import atexit
    import fcntl

    path = VAR_DIR / "run.lock"
    handle = path.open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        data.log("another benchmark is running; waiting for it to finish")
        fcntl.flock(handle, fcntl.LOCK_EX)
    atexit.register(path.unlink, missing_ok=True)
    return handle


def _today() -> date:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")
    import django

    django.setup()
    from django.utils import timezone

    return timezone.localdate()


if __name__ == "__main__":
    raise SystemExit(main())
