"""Text similarity of two petitions, framework-free (the database part is in ``selectors``).

A petition's *features* are the jieba words of its normalised text (``cut_for_search``, as the
keyword index stores them) and the character bigrams of its Chinese runs. Words carry meaning;
bigrams survive typos (one wrong character breaks one word but only two of hundreds of bigrams) and
differences in word breaking. Each feature is weighted by its inverse document frequency, so the
words every letter shares (反映, 请求, 领导) weigh little and the facts of the matter (a village, a
firm, an amount) weigh much; the score is the cosine of the two weighted binary vectors.

Chosen by measurement on the evaluation set (``xinfang.detection.evalset``, ``bench/detection.py``):
see docs/detection.md.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from itertools import repeat

from xinfang.lib.text import index_tokens
from xinfang.lib.textnorm import normalize

# Only the start of a very long text is compared: a 100k-character letter is mostly attachments
# typed in, and the matter is stated at its beginning.
MAX_MATCH_CHARS = 4000
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_DIGITS = re.compile(r"^[\d.]+$")
# Words that say nothing about the matter (forms of address, the letter's frame). IDF also lowers
# them, but for a query against a small database IDF is not yet known.
STOPWORDS = frozenset(
    "我们 你们 他们 我家 领导 尊敬 您好 反映 请求 要求 希望 恳请 问题 情况 有关 相关 部门 政府 "
    "这个 那个 一个 没有 已经 现在 至今 但是 因为 所以 如果 以上 以下 本人 特此 此致 敬礼 谢谢".split()
)


def match_text(title: str, content: str) -> str:
    return normalize(f"{title}\n{content}"[:MAX_MATCH_CHARS])


def words_of(text: str) -> list[str]:
    """Words for matching and for the keyword query: jieba words of two or more characters (or of
    digits, such as an amount or a year), without stop words."""
    return filter_words(index_tokens(text).split())


def filter_words(words: Iterable[str]) -> list[str]:
    """Words of two or more characters that are not stop words."""
    return [word for word in words if len(word) >= 2 and word not in STOPWORDS]


def bigrams_of(text: str) -> set[str]:
    grams: set[str] = set()
    for run in _CJK_RUN.findall(text):
        grams.update(run[i : i + 2] for i in range(len(run) - 1))
    return grams


def features(text: str, words: Iterable[str] | None = None) -> frozenset[str]:
    """The features of a normalised text; ``words`` may come ready-cut (a stored ``search_text``)."""
    found = set(words_of(text) if words is None else filter_words(words))
    found.update(bigrams_of(text))
    return frozenset(found)


def idf(df: int, docs: int) -> float:
    """Smoothed inverse document frequency; a feature never seen gets the highest weight."""
    return math.log((docs + 1) / (df + 1)) + 1.0


# A feature's weight is idf², which gave the best precision and recall on the evaluation set
# (idf, idf^1.5, idf², idf³ were tried: docs/detection.md). Tables hold the squared weight.
WEIGHT_POWER = 2


class WeightTable:
    """Squared feature weights, with the weight of an unknown feature as default; sums run at C
    speed through ``map(dict.get, …)``."""

    def __init__(self, dfs: Mapping[str, int], docs: int) -> None:
        power = 2 * WEIGHT_POWER
        self.sq = {term: idf(df, docs) ** power for term, df in dfs.items()}
        self.default = idf(0, docs) ** power

    def total(self, feats: Iterable[str]) -> float:
        return sum(map(self.sq.get, feats, repeat(self.default)))

    def weight(self, feature: str) -> float:
        return math.sqrt(self.sq.get(feature, self.default))


def cosine(
    a: frozenset[str], b: frozenset[str], table: WeightTable, *, total_a: float | None = None
) -> float:
    """Cosine of the weighted binary vectors of two feature sets."""
    if not a or not b:
        return 0.0
    shared = a & b
    if not shared:
        return 0.0
    ta = total_a if total_a is not None else table.total(a)
    tb = table.total(b)
    if ta <= 0 or tb <= 0:
        return 0.0
    return min(1.0, table.total(shared) / math.sqrt(ta * tb))


# Specifics: the words that name this matter rather than its kind — places and bodies (…村, …镇,
# …小区, …公司) and numbers (amounts, areas, counts), but not a bare year, which unrelated letters
# share. Free paraphrases of one matter keep them while their wording differs (docs/detection.md).
# Chinese numerals with a unit (三十亩) were tried: precision fell (0.934 → 0.928), recall did not
# rise, so they are not counted.
_SPECIFIC = re.compile(r"(\d|[村镇乡县区组路号厂]$|街道$|社区$|小区$|公司$|学校$|医院$|集团$)")
_YEAR = re.compile(r"^(19|20)\d\d年?$")
# Two texts sharing at least this share (Jaccard) of their specifics, with at least this text score,
# are likely the same matter. Chosen on the generated set of seed 4 (precision kept >= 0.92) and
# checked on seed 2026 and the hand-written pairs (bench/detection.py).
SPECIFICS_OVERLAP = 0.6
SPECIFICS_MIN_TEXT = 0.20


def specifics(words: Iterable[str]) -> frozenset[str]:
    return frozenset(w for w in filter_words(words) if _SPECIFIC.search(w) and not _YEAR.match(w))


def specifics_overlap(a: frozenset[str], b: frozenset[str]) -> float:
    shared = a & b
    return len(shared) / len(a | b) if shared else 0.0


def specifics_match(text_score: float, a: frozenset[str], b: frozenset[str]) -> bool:
    """The same places, bodies and numbers, and enough shared text."""
    return text_score >= SPECIFICS_MIN_TEXT and specifics_overlap(a, b) >= SPECIFICS_OVERLAP


def is_informative(text: str) -> bool:
    """False for text with nothing to compare: only punctuation, digits or white space."""
    return bool(_CJK_RUN.search(text)) or any(ch.isalpha() for ch in text)


def is_number(word: str) -> bool:
    return bool(_DIGITS.match(word))
