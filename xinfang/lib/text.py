"""Chinese text tools: jieba tokens for the keyword index.

PostgreSQL and SQLite have no Chinese word breaker, so each petition stores its text already cut
into words separated by spaces (``search_text``); the databases index those words (a ``tsvector``
GIN index on PostgreSQL, an FTS5 table on SQLite).

Both the stored words and the words of a query are in simplified characters (``to_simplified``,
a pure table in ``lib.textnorm``), so 「徵地補償」 in a letter is found by 「征地补偿」 and
the other way round.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable

import jieba

from xinfang.lib.textnorm import to_simplified

jieba.setLogLevel(logging.WARNING)
_init_lock = threading.Lock()
_ready = False
_WORD = re.compile(r"\w", re.UNICODE)
MAX_INDEXED_CHARS = 20000


def _ensure_loaded() -> None:
    global _ready
    if not _ready:
        with _init_lock:
            if not _ready:
                jieba.initialize()
                _ready = True


def _clean(tokens: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for tok in tokens:
        tok = tok.strip().lower()
        if not tok or not _WORD.search(tok) or tok in seen:
            continue
        seen.add(tok.replace('"', ""))
        out.append(tok.replace('"', ""))
    return out


def index_tokens(*texts: str) -> str:
    """Words for the index, in simplified characters: jieba's search mode also emits the short words
    inside long ones (补偿款 → 补偿, 补偿款), so a query for either finds the petition."""
    _ensure_loaded()
    joined = to_simplified("\n".join(t[:MAX_INDEXED_CHARS] for t in texts if t))
    return " ".join(_clean(jieba.cut_for_search(joined)))


def query_terms(query: str) -> list[str]:
    """Words of a search box query; every word must match (AND)."""
    _ensure_loaded()
    return _clean(jieba.cut(to_simplified(query[:200])))
