"""The term weights of the text comparison, read from ``TermStat`` and kept in memory per process
until the next rebuild (one small query per comparison checks which build is in force).

Only the weights are cached: candidates are always read from the database, so a petition is
findable the moment its registration commits.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from xinfang.detection import similarity
from xinfang.detection.models import StatsBuild, TermStat
from xinfang.prepared import Prepared


@dataclass
class Weights:
    build_id: int
    docs: int
    dfs: dict[str, int]

    table: similarity.WeightTable

    def df(self, term: str) -> int:
        return self.dfs.get(term, 0)


_lock = threading.Lock()
_cached: Weights | None = None
EMPTY = Weights(build_id=0, docs=0, dfs={}, table=similarity.WeightTable({}, 0))


# Read by every registration: compiled once (xinfang.prepared).
_LATEST = Prepared(lambda: StatsBuild.objects.order_by("-built_at", "-id").values_list("pk", "docs")[:1])


def current() -> Weights:
    """The weights of the latest build; empty (every term weighs the same) before the first."""
    global _cached
    latest = _LATEST.first()
    if latest is None:
        return EMPTY
    cached = _cached
    if cached is not None and cached.build_id == latest[0]:
        return cached
    with _lock:
        if _cached is None or _cached.build_id != latest[0]:
            dfs = dict(TermStat.objects.values_list("term", "df").iterator(chunk_size=20000))
            table = similarity.WeightTable(dfs, latest[1])
            _cached = Weights(build_id=latest[0], docs=latest[1], dfs=dfs, table=table)
        return _cached


def forget() -> None:
    """Drop the cache (tests, and after a rebuild in this process)."""
    global _cached
    with _lock:
        _cached = None
