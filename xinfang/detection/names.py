"""Fuzzy comparison of names, phones and addresses for identity matching, framework-free.

Names are compared by characters and by pinyin, so that a clerk's homophone (张建国 / 章建国,
王建勇 / 王剑涌) or a one-character slip is still found; every match says why.
"""

from __future__ import annotations

import re

from pypinyin import Style, lazy_pinyin

from xinfang.lib.textnorm import normalize

_NOT_DIGIT = re.compile(r"\D")


def pinyin(name: str) -> list[str]:
    return lazy_pinyin(normalize(name), style=Style.NORMAL, errors="default")


def name_match(a: str, b: str) -> tuple[float, str]:
    """A score in [0, 1] and the reason code: ``same_name``, ``same_pronunciation``,
    ``one_char_differs``, ``similar_pronunciation`` or ``""`` (no match)."""
    a, b = normalize(a).replace(" ", ""), normalize(b).replace(" ", "")
    if not a or not b:
        return 0.0, ""
    if a == b:
        return 1.0, "same_name"
    pa, pb = pinyin(a), pinyin(b)
    if pa == pb:
        return 0.9, "same_pronunciation"
    if len(a) == len(b):
        differing = [i for i in range(len(a)) if a[i] != b[i]]
        if len(differing) == 1 and len(a) >= 2:
            i = differing[0]
            close = len(pa) == len(pb) and pa[i][:1] == pb[i][:1]
            return (0.8 if close else 0.7), "one_char_differs"
        if len(pa) == len(pb):
            same = sum(1 for x, y in zip(pa, pb, strict=True) if x == y or _near(x, y))
            if same == len(pa) and pa[0] == pb[0]:
                return 0.75, "similar_pronunciation"
    return 0.0, ""


# Sounds that many dialects do not tell apart (平翘舌, 前后鼻音, n/l, f/h).
_NEAR = (
    ("zh", "z"),
    ("ch", "c"),
    ("sh", "s"),
    ("ing", "in"),
    ("eng", "en"),
    ("ang", "an"),
    ("l", "n"),
    ("h", "f"),
)


def _fold(syllable: str) -> str:
    for long, short in _NEAR:
        syllable = syllable.replace(long, short)
    return syllable


def _near(x: str, y: str) -> bool:
    return _fold(x) == _fold(y)


def phone_key(phone: str) -> str:
    """Digits only, without a +86 / 0086 prefix."""
    digits = _NOT_DIGIT.sub("", phone or "")
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) == 11:
            return digits[len(prefix) :]
    return digits


def address_similarity(a: str, b: str) -> float:
    """Jaccard similarity of character bigrams of two normalised addresses."""
    ga, gb = _grams(a), _grams(b)
    if not ga or not gb:
        return 0.0
    return len(ga & gb) / len(ga | gb)


def _grams(text: str) -> set[str]:
    text = normalize(text).replace(" ", "")
    return {text[i : i + 2] for i in range(len(text) - 1)}


_SEGMENT = re.compile(r".+?(?:省|市|县|街道|镇|乡|社区|小区|村|组|区)")
_PLACE_SUFFIXES = ("村", "社区", "小区", "街道", "镇", "乡")


def address_keys(address: str) -> list[str]:
    """The place names in an address (东村, 城关镇 …), longest first: the blocking keys of a search
    for people who live there."""
    segments = _SEGMENT.findall(normalize(address).replace(" ", ""))
    keys = {s for s in segments if len(s) >= 2 and s.endswith(_PLACE_SUFFIXES)}
    return sorted(keys, key=len, reverse=True)
