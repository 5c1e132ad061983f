"""Synthetic petitions for the benchmark: generated once per seed and day into a cache of chunks
(the jieba words are the slow part, so several processes cut them), then bulk-loaded into a
database with realistic units, case numbers, deadlines and open/closed shares.

The texts come from ``xinfang.demo`` (the generator of the demo); ``search_text`` is
``xinfang.lib.text.index_tokens``, exactly what registration stores.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import pickle
import random
import shutil
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench import province

CHUNK = 10_000
DATA_VERSION = 2
DAYS = 3 * 365  # received dates: the last three years up to today
REGISTERING_LEVELS = (("county", 88), ("city", 10), ("province", 2))


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- generation (no Django database needed) -----------------------------------------------------


@dataclass(frozen=True)
class Job:
    seed: int
    index: int
    today: date
    path: Path


def _make_chunk(job: Job) -> int:
    from xinfang.demo.generator import DraftFactory
    from xinfang.lib.text import index_tokens

    _, counties = province.build(job.seed)
    rng = random.Random(f"chunk:{job.seed}:{job.index}")  # noqa: S311 - synthetic data
    cum = tuple(itertools.accumulate(c.weight for c in counties))
    levels = tuple(v for v, _ in REGISTERING_LEVELS)
    level_cum = tuple(itertools.accumulate(w for _, w in REGISTERING_LEVELS))
    factories: dict[int, DraftFactory] = {}
    rows: list[tuple[Any, ...]] = []
    for _ in range(CHUNK):
        county = rng.choices(counties, cum_weights=cum)[0]
        factory = factories.get(county.index)
        if factory is None:
            factory = DraftFactory(
                county.place,
                seed=job.seed * 1_000_003 + job.index * 1_000 + county.index,
                today=job.today,
                days=DAYS,
            )
            factories[county.index] = factory
        d = factory.draft()
        rows.append(
            (
                county.index,
                rng.choices(levels, cum_weights=level_cum)[0],
                county.place.townships.index(d.township),
                d.channel,
                d.received_at,
                d.persons,
                d.visit_level,
                d.is_oral,
                d.category,
                d.request_class,
                d.complained,
                d.complained_party,
                d.region_code,
                d.address,
                d.title,
                d.content,
                index_tokens(d.title, d.content),
                tuple((p.name, p.id_number, p.phone, p.address, p.region_code) for p in d.petitioners),
                d.persona is not None,
            )
        )
    tmp = job.path.with_suffix(".tmp")
    with tmp.open("wb") as fh:
        pickle.dump(rows, fh, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.rename(job.path)
    return job.index


def cache_dir(root: Path, seed: int, today: date) -> Path:
    return root / f"s{seed}-{today.isoformat()}-v{DATA_VERSION}"


def ensure_data(root: Path, n: int, *, seed: int, today: date, processes: int) -> list[Path]:
    """The chunk files holding ``n`` rows (the last one may hold more), generating missing ones.
    Caches of other days or versions are removed: they are large and would never be used."""
    directory = cache_dir(root, seed, today)
    if root.exists():
        for old in root.iterdir():
            if old.is_dir() and old != directory and old.name.startswith("s"):
                shutil.rmtree(old, ignore_errors=True)
    directory.mkdir(parents=True, exist_ok=True)
    count = (n + CHUNK - 1) // CHUNK
    paths = [directory / f"chunk-{i:05d}.pkl" for i in range(count)]
    missing = [Job(seed, i, today, p) for i, p in enumerate(paths) if not p.exists()]
    if missing:
        started = time.perf_counter()
        log(f"generating {len(missing) * CHUNK:,} petitions (texts + jieba) with {processes} processes …")
        if processes > 1 and len(missing) > 1:
            ctx = multiprocessing.get_context("fork")
            with ctx.Pool(processes) as pool:
                for done, _ in enumerate(pool.imap_unordered(_make_chunk, missing), start=1):
                    if done % 10 == 0:
                        log(f"  {done * CHUNK:,} generated")
        else:
            for job in missing:
                _make_chunk(job)
        log(f"generated in {time.perf_counter() - started:.0f} s")
    return paths


def read_rows(paths: list[Path], n: int) -> Iterator[tuple[int, list[tuple[Any, ...]]]]:
    left = n
    for i, path in enumerate(paths):
        with path.open("rb") as fh:
            rows = pickle.load(fh)  # noqa: S301 - our own cache file
        yield i, rows[:left]
        left -= len(rows)
        if left <= 0:
            return


# --- loading (inside a configured Django process) -----------------------------------------------


@dataclass
class Loaded:
    cities: list[province.City]
    counties: list[province.County]
    unit_ids: dict[str, int]
    county_clerks: dict[int, int]  # county index → user id
    township_handlers: dict[int, int]  # county index → user id (first township)
    sizes: dict[str, Any]


def _open_share(rng: random.Random, received: date, today: date) -> bool:
    """About 20% open: most recent items, fewer and fewer older ones (a realistic backlog)."""
    age = (today - received).days
    if age < 90:
        return rng.random() < 0.93
    if age < 270:
        return rng.random() < 0.45
    if age < 540:
        return rng.random() < 0.1
    return rng.random() < 0.03


def _status(name: str) -> str:
    from xinfang.petitions.states import Status

    member = getattr(Status, name, None)
    return str(member.value) if member is not None else str(Status.REGISTERED.value)


class RawTable:
    """Fast inserts of rows with explicit ids: ``executemany`` on SQLite, ``COPY`` on PostgreSQL.

    Rows give the columns named in ``given`` (attnames); every other concrete field of the model
    gets its default, so fields added to the model later still load."""

    def __init__(self, model: Any, given: list[str]) -> None:
        from django.db import connection
        from django.utils import timezone

        self.model = model
        self.pg = connection.vendor == "postgresql"
        fields = list(model._meta.concrete_fields)
        self.columns = [f.column for f in fields]
        self.template: list[Any] = []
        self.positions: list[int] = []
        by_name = {f.attname: i for i, f in enumerate(fields)}
        for f in fields:
            if f.attname in given:
                self.template.append(None)
                continue
            if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False):
                default = timezone.now()
            else:
                default = f.get_default()
            self.template.append(default if self.pg else f.get_db_prep_save(default, connection))
        self.positions = [by_name[name] for name in given]
        self.dates = [i for i, name in enumerate(given) if _is_date(model, name)]

    def insert(self, rows: list[tuple[Any, ...]]) -> None:
        from django.db import connection

        full = []
        for values in rows:
            row = list(self.template)
            for pos, value in zip(self.positions, values, strict=True):
                row[pos] = value
            full.append(row)
        table = self.model._meta.db_table
        if self.pg:
            columns = ", ".join(f'"{c}"' for c in self.columns)
            with connection.cursor() as cursor:
                raw = cursor.cursor
                with raw.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
                    for row in full:
                        copy.write_row(row)
            return
        for row in full:
            for i in self.dates:
                pos = self.positions[i]
                if row[pos] is not None:
                    row[pos] = row[pos].isoformat()
        columns = ", ".join(f'"{c}"' for c in self.columns)
        marks = ", ".join(["%s"] * len(self.columns))
        with connection.cursor() as cursor:
            cursor.executemany(f'INSERT INTO "{table}" ({columns}) VALUES ({marks})', full)


def _is_date(model: Any, attname: str) -> bool:
    from django.db import models

    field = next(f for f in model._meta.concrete_fields if f.attname == attname)
    return isinstance(field, models.DateField | models.DateTimeField)


def reset_sequences(models_: list[Any]) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models_):
            cursor.execute(sql)


def build_units(cities: list[province.City], counties: list[province.County]) -> dict[str, int]:
    """The province tree with explicit ids, so each ``path`` is known without a save per unit."""
    from xinfang.orgs.models import Unit, UnitKind, UnitLevel

    ids: dict[str, int] = {}
    paths: dict[str, str] = {}
    units: list[Unit] = []

    def unit(code: str, name: str, level: str, kind: str, parent: str | None, population: int = 0) -> None:
        pk = len(units) + 1
        ids[code] = pk
        paths[code] = f"{paths[parent] if parent else '/'}{pk}/"
        units.append(
            Unit(
                pk=pk,
                code=code,
                name=name,
                level=level,
                kind=kind,
                parent_id=ids[parent] if parent else None,
                region_code=code[:12],
                population=population,
                path=paths[code],
            )
        )

    gov = UnitKind.GOVERNMENT
    unit(
        province.PROVINCE_CODE, f"{province.PROVINCE_NAME}人民政府", UnitLevel.PROVINCE, gov, None, 40_000_000
    )
    unit(f"{province.PROVINCE_CODE}XF", f"{province.PROVINCE_NAME}信访局", UnitLevel.PROVINCE, UnitKind.BUREAU,
         province.PROVINCE_CODE)  # fmt: skip
    for city in cities:
        unit(city.code, f"{city.name}人民政府", UnitLevel.CITY, gov, province.PROVINCE_CODE, 3_000_000)
        unit(city.bureau_code, f"{city.name}信访局", UnitLevel.CITY, UnitKind.BUREAU, city.code)
    for county in counties:
        city = cities[county.city_index]
        population = sum(t.population for t in county.place.townships)
        unit(county.code, f"{county.name}人民政府", UnitLevel.COUNTY, gov, city.code, population)
        unit(county.bureau_code, f"{county.name}信访局", UnitLevel.COUNTY, UnitKind.BUREAU, county.code)
        for i, township in enumerate(county.place.townships):
            office = "办事处" if township.is_urban else "人民政府"
            unit(county.township_code(i), f"{township.name}{office}", UnitLevel.TOWNSHIP, UnitKind.TOWNSHIP,
                 county.code, township.population)  # fmt: skip
        for key, name, kind in province.BENCH_DEPARTMENTS:
            unit(county.department_code(key), f"{county.name}{name}", UnitLevel.COUNTY, kind, county.code)
    Unit.objects.bulk_create(units, batch_size=500)
    reset_sequences([Unit])
    return ids


def build_users(
    cities: list[province.City], counties: list[province.County], ids: dict[str, int]
) -> tuple[dict[int, int], dict[int, int]]:
    from django.contrib.auth.hashers import make_password

    from xinfang.orgs.models import Role, User

    password = make_password("bench-only")
    users = []
    for county in counties:
        users.append(User(username=f"clerk{county.index}", role=Role.CLERK, unit_id=ids[county.bureau_code],
                          password=password, full_name=f"{county.name}登记员"))  # fmt: skip
        users.append(User(username=f"town{county.index}", role=Role.HANDLER, unit_id=ids[county.township_code(0)],
                          password=password, full_name=f"{county.name}城关承办人"))  # fmt: skip
    for city in cities:
        users.append(User(username=f"cityclerk{city.index}", role=Role.CLERK, unit_id=ids[city.bureau_code],
                          password=password))  # fmt: skip
    User.objects.bulk_create(users)
    by_name = dict(User.objects.values_list("username", "pk"))
    clerks = {c.index: by_name[f"clerk{c.index}"] for c in counties}
    towns = {c.index: by_name[f"town{c.index}"] for c in counties}
    return clerks, towns


PETITION_COLUMNS = [
    "id", "case_number", "registering_unit_id", "handling_unit_id", "channel", "received_at", "persons",
    "visit_level", "is_collective", "is_joint", "is_oral", "category_id", "request_class", "complained_unit_id",
    "complained_party", "region_code", "address", "title", "content", "search_text", "status", "is_open", "due_at",
]  # fmt: skip
PETITIONER_COLUMNS = ["id", "name", "id_number", "phone", "address", "region_code"]
LINK_COLUMNS = ["id", "petition_id", "petitioner_id", "is_representative", "position"]


def load(paths: list[Path], n: int, *, seed: int, today: date) -> Loaded:
    """Bulk-load ``n`` petitions with their petitioners into the configured default database."""
    from django.db import connection, transaction

    from xinfang.lib.deadlines import due_date
    from xinfang.petitions.models import CaseSequence, Category, Petition, Petitioner, PetitionPetitioner

    cities, counties = province.build(seed)
    started = time.perf_counter()
    with transaction.atomic():
        ids = build_units(cities, counties)
        clerks, towns = build_users(cities, counties, ids)
    log(
        f"{len(ids):,} units and {len(clerks) + len(towns) + len(cities)} users in {time.perf_counter() - started:.0f} s"
    )
    categories = dict(Category.objects.values_list("code", "pk"))
    province_bureau = ids[f"{province.PROVINCE_CODE}XF"]
    dept_keys = {key for key, _, _ in province.BENCH_DEPARTMENTS}
    sequences: Counter[tuple[int, int]] = Counter()
    unit_codes = {pk: code for code, pk in ids.items()}
    persona_petitioners: dict[tuple[str, str], int] = {}
    due_cache: dict[tuple[date, int], date] = {}
    opened = accepted = 0
    s_registered, s_accepted, s_closed = _status("REGISTERED"), _status("ACCEPTED"), _status("CLOSED")
    petition_table = RawTable(Petition, PETITION_COLUMNS)
    petitioner_table = RawTable(Petitioner, PETITIONER_COLUMNS)
    link_table = RawTable(PetitionPetitioner, LINK_COLUMNS)
    petition_id = petitioner_id = link_id = 0
    if connection.vendor == "sqlite":
        # Loading only: a larger page cache keeps the indexes' B-trees in memory (the default 2 MB
        # makes every insert into seven indexes and the FTS index a cache miss at a million rows).
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")
    started = time.perf_counter()

    def due(start: date, days: int) -> date:
        key = (start, days)
        if key not in due_cache:
            due_cache[key] = due_date(start, days)
        return due_cache[key]

    for chunk_index, rows in read_rows(paths, n):
        rng = random.Random(f"load:{seed}:{chunk_index}")  # noqa: S311 - synthetic data
        petitions: list[tuple[Any, ...]] = []
        people_rows: list[tuple[Any, ...]] = []
        links: list[tuple[Any, ...]] = []
        for row in rows:
            (county_i, level, town_i, channel, received, persons, visit_level, is_oral, category, request_class,
             complained, party, region_code, address, title, content, search_text, people, persona) = row  # fmt: skip
            county = counties[county_i]
            city = cities[county.city_index]
            handling: int | None = None
            if level == "county":
                registering = ids[county.bureau_code]
                if request_class == "accusation" and rng.random() < 0.7:
                    handling = ids[county.department_code("JW")]  # 检举控告 → 纪检监察
                elif rng.random() < 0.65:
                    if rng.random() < 0.7:
                        handling = ids[county.township_code(town_i)]
                    else:
                        handling = ids[county.department_code(rng.choice(("ZR", "RS", "ZJ", "GA")))]
            elif level == "city":
                registering = ids[city.bureau_code]
                if rng.random() < 0.6:
                    handling = ids[county.bureau_code]
            else:
                registering = province_bureau
                if rng.random() < 0.6:
                    handling = ids[city.bureau_code]
            complained_unit = None
            if complained in ("village", "township"):
                complained_unit = ids[county.township_code(town_i)]
            elif complained in dept_keys:
                complained_unit = ids[county.department_code(complained)]
            elif complained:
                complained_unit = ids[county.township_code(rng.randrange(len(county.place.townships)))]
            is_open = _open_share(rng, received, today)
            if handling is not None:
                status = s_accepted if is_open else s_closed
                due_at = due(received + timedelta(days=rng.randint(3, 14)), 60)
                accepted += is_open
            else:
                status = s_registered if is_open else s_closed
                due_at = due(received, 15)
            opened += is_open
            sequences[(registering, received.year)] += 1
            sequence = sequences[(registering, received.year)]
            petition_id += 1
            petitions.append(
                (petition_id, f"{unit_codes[registering]}-{received.year}-{sequence:06d}", registering, handling,
                 channel, received, persons, visit_level, channel == "visit" and persons >= 5, len(people) > 1,
                 is_oral, categories[category], request_class, complained_unit, party, region_code, address,
                 title, content, search_text, status, is_open, due_at)
            )  # fmt: skip
            for position, (name, id_number, phone, addr, region) in enumerate(people):
                # A repeat petitioner (老户) is one record, as petition_register reuses it.
                key = (id_number, name)
                person = persona_petitioners.get(key) if persona and id_number else None
                if person is None:
                    petitioner_id += 1
                    person = petitioner_id
                    people_rows.append((person, name, id_number, phone, addr, region))
                    if persona and id_number:
                        persona_petitioners[key] = person
                link_id += 1
                links.append((link_id, petition_id, person, channel == "visit", position))
        with transaction.atomic():
            petition_table.insert(petitions)
            petitioner_table.insert(people_rows)
            link_table.insert(links)
        done = min(n, (chunk_index + 1) * CHUNK)
        if (chunk_index + 1) % 10 == 0 or done == n:
            rate = done / (time.perf_counter() - started)
            log(f"  {done:,} petitions loaded ({rate:,.0f}/s)")
    reset_sequences([Petition, Petitioner, PetitionPetitioner])
    CaseSequence.objects.bulk_create(
        [CaseSequence(unit_id=unit, year=year, last=last) for (unit, year), last in sequences.items()],
        batch_size=1000,
    )
    seconds = time.perf_counter() - started
    sizes = {
        "petitions": n,
        "petitioners": petitioner_id,
        "petition_petitioner_links": link_id,
        "units": len(ids),
        "open_share": round(opened / n, 3),
        "open_with_a_responsible_unit": accepted,
        "load_seconds": round(seconds, 1),
        "load_rows_per_s": round(n / seconds),
    }
    return Loaded(cities, counties, ids, clerks, towns, sizes)


def reattach(seed: int) -> Loaded:
    """The ``Loaded`` description of a database loaded by an earlier run (BENCH_REUSE=1)."""
    from xinfang.orgs.models import Unit, User
    from xinfang.petitions.models import Petition, Petitioner, PetitionPetitioner

    cities, counties = province.build(seed)
    ids = dict(Unit.objects.values_list("code", "pk"))
    users = dict(User.objects.values_list("username", "pk"))
    n = Petition.objects.count()
    sizes = {
        "petitions": n,
        "petitioners": Petitioner.objects.count(),
        "petition_petitioner_links": PetitionPetitioner.objects.count(),
        "units": len(ids),
        "open_share": round(Petition.objects.filter(is_open=True).count() / max(1, n), 3),
        "reused": True,
    }
    clerks = {c.index: users[f"clerk{c.index}"] for c in counties}
    towns = {c.index: users[f"town{c.index}"] for c in counties}
    return Loaded(cities, counties, ids, clerks, towns, sizes)


def repair_sqlite_keyword_index() -> bool:
    """Re-create the FTS5 triggers of migration petitions/0002 when they are missing.

    Django rebuilds a table on SQLite for some AlterField operations (petitions/0004 does it to
    ``petitions_petition``) and the rebuild drops the table's triggers: new petitions would never
    reach the keyword index. Returns True when a repair was needed (reported in the results)."""
    import importlib

    from django.db import connection

    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'petitions_fts_%'"
        )
        present = {row[0] for row in cursor.fetchall()}
        if {"petitions_fts_ai", "petitions_fts_ad", "petitions_fts_au"} <= present:
            return False
        migration = importlib.import_module("xinfang.petitions.migrations.0002_keyword_index")
        for sql in migration.SQLITE_UP:
            if sql.startswith("CREATE TRIGGER"):
                name = sql.split()[2]
                if name not in present:
                    cursor.execute(sql)
        cursor.execute("INSERT INTO petitions_fts(petitions_fts) VALUES ('rebuild')")
    return True


def wait_for_quiet(max_seconds: float) -> list[float]:
    """Other work on the machine (test runs) distorts timings: wait, up to ``max_seconds``, for the
    1-minute load average to fall below half the CPU count. Returns the load average then."""
    limit = (os.cpu_count() or 1) / 2
    deadline = time.monotonic() + max_seconds
    while os.getloadavg()[0] > limit and time.monotonic() < deadline:
        time.sleep(5)
    return [round(x, 2) for x in os.getloadavg()]


def analyze() -> float:
    """Planner statistics, as a maintained database has them (autovacuum / PRAGMA optimize)."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")
    return time.perf_counter() - started


def database_bytes() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database())")
            return int(cursor.fetchone()[0])
        name = str(connection.settings_dict["NAME"])
    total = 0
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(name + suffix):
            total += os.path.getsize(name + suffix)
    return total
