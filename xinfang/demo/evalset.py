"""The labelled evaluation set of petition pairs: same matter (True) or not (False).

Generated pairs: a matter of the demo text generator (``xinfang.demo.texts``) written once, then
again by the same petitioner through another channel or as a repeat (another opening, history and
closing), with one to three variations: sentences reordered, synonyms, added details, typos,
traditional characters. Negatives: a matter of the same category that is another matter (another
kind of problem, or the same kind in another township with other people, places and figures),
varied in the same way so that variation itself tells nothing.

Hand-written pairs: ``detection/eval/hand_pairs.json`` (written by a person, not generated).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from xinfang.demo import texts
from xinfang.demo.world import demo_place
from xinfang.lib.textnorm import to_traditional

HAND_PAIRS = Path(__file__).parent.parent / "detection" / "eval" / "hand_pairs.json"
CHANNELS = ("letter", "visit", "online", "phone", "mailbox")


@dataclass(frozen=True)
class Pair:
    a_title: str
    a_content: str
    b_title: str
    b_content: str
    same: bool
    category: str
    variations: tuple[str, ...] = ()
    note: str = ""


SYNONYMS = (
    ("补偿款", "赔偿款"),
    ("至今", "到现在"),
    ("未足额发放", "没有全部发到位"),
    ("请求", "要求"),
    ("有关部门", "相关部门"),
    ("调查处理", "查处"),
    ("村委会", "村委"),
    ("镇政府", "镇里"),
    ("拖欠", "欠着"),
    ("工资", "工钱"),
    ("强行", "强制"),
    ("房屋", "房子"),
    ("反映", "反应"),
    ("多次", "好几次"),
    ("发放", "发"),
    ("答复", "回复"),
    ("尽快", "早日"),
    ("解决", "处理"),
    ("群众", "老百姓"),
    ("开发商", "开发公司"),
    ("物业公司", "物业"),
    ("污染", "污染环境"),
    ("农民工", "民工"),
    ("违规", "违法"),
    ("居住", "住"),
)
DETAILS = (
    "家里还有年迈的父母需要照顾，生活十分困难。",
    "这件事对我们一家的生活造成了很大影响。",
    "我手里有当时的收据和协议复印件，可以提供给有关部门。",
    "村里很多人都知道这件事，可以为我作证。",
    "我今年身体也不好，常年吃药，实在拖不起了。",
    "去年冬天我还专门找过镇里的分管领导。",
    "有关材料我已经附在信后。",
    "希望领导能派人下来实地看一看。",
)
# Characters a hurried clerk or a petitioner writes in place of another (同音或形近).
TYPOS = {
    "补": "朴", "偿": "尝", "款": "宽", "征": "正", "地": "的", "发": "法", "放": "方", "部": "步",
    "门": "们", "调": "掉", "查": "茶", "处": "出", "理": "里", "请": "清", "求": "球", "房": "防",
    "屋": "物", "拆": "折", "迁": "千", "工": "公", "资": "姿", "欠": "歉", "业": "叶", "主": "注",
    "镇": "真", "政": "正", "府": "付", "村": "存", "委": "萎", "会": "汇", "费": "废", "用": "佣",
}  # fmt: skip


def reorder(rng: random.Random, text: str) -> str:
    parts = [p for p in _sentences(text) if p]
    if len(parts) < 3:
        return text
    head, body = parts[0], parts[1:]
    rng.shuffle(body)
    return head + "".join(body)


def _sentences(text: str) -> list[str]:
    out, current = [], ""
    for ch in text:
        current += ch
        if ch in "。！？；\n":
            out.append(current)
            current = ""
    if current:
        out.append(current)
    return out


def synonyms(rng: random.Random, text: str) -> str:
    pairs = [p for p in SYNONYMS if p[0] in text or p[1] in text]
    for a, b in rng.sample(pairs, min(len(pairs), rng.randint(2, 5))):
        text = text.replace(a, b) if a in text else text.replace(b, a)
    return text


def add_details(rng: random.Random, text: str) -> str:
    parts = _sentences(text)
    for detail in rng.sample(DETAILS, rng.randint(1, 3)):
        parts.insert(rng.randint(1, max(1, len(parts) - 1)), detail)
    return "".join(parts)


def typos(rng: random.Random, text: str) -> str:
    chars = list(text)
    spots = [i for i, ch in enumerate(chars) if ch in TYPOS]
    for i in rng.sample(spots, min(len(spots), max(2, len(chars) // 60))):
        chars[i] = TYPOS[chars[i]]
    return "".join(chars)


def traditional(rng: random.Random, text: str) -> str:
    if rng.random() < 0.5:
        return to_traditional(text)
    # mixed: some sentences traditional, others not
    return "".join(to_traditional(s) if rng.random() < 0.5 else s for s in _sentences(text))


VARIATIONS = {
    "reorder": reorder,
    "synonyms": synonyms,
    "details": add_details,
    "typos": typos,
    "traditional": traditional,
}


def _vary(rng: random.Random, title: str, content: str) -> tuple[str, str, tuple[str, ...]]:
    names = tuple(rng.sample(sorted(VARIATIONS), rng.randint(1, 3)))
    for name in names:
        content = VARIATIONS[name](rng, content)
        if name in ("typos", "traditional", "synonyms") and rng.random() < 0.5:
            title = VARIATIONS[name](rng, title)
    return title, content, names


def _slots(rng: random.Random, place: texts.Place, township: texts.Township, received: date) -> texts.Slots:
    maker = texts.SlotMaker(rng, place, township, received, received.year)
    slots = texts.Slots(maker)
    person = texts.person(rng, prefix=place.id_prefixes[0], today=received)
    slots.update(name=person.name, gender=person.gender, age=person.age(received))
    slots["persons"] = rng.randint(5, 40)
    slots["reps"] = person.name
    slots["receiver"] = "县信访局"
    slots["higher"] = "市里"
    return slots


def _letter(rng: random.Random, slots: texts.Slots, matter: texts.Matter, *, repeat: bool) -> texts.Letter:
    return texts.write_letter(rng, slots, matter, channel=rng.choice(CHANNELS), repeat=repeat)


def generate(n: int, *, seed: int = 4, positive_share: float = 0.5) -> list[Pair]:
    """``n`` pairs, about half positive, reproducible for a seed."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data
    place = demo_place()
    today = date(2026, 1, 1)
    pairs: list[Pair] = []
    for _ in range(n):
        category = texts.pick_category(rng)
        matter = rng.choice(texts.MATTERS[category])
        township = rng.choice(place.townships)
        received = today - timedelta(days=rng.randrange(700))
        slots = _slots(rng, place, township, received)
        first = _letter(rng, slots, matter, repeat=False)
        if rng.random() < positive_share:
            second = _letter(rng, slots, matter, repeat=rng.random() < 0.6)
            same, note = True, "same matter again"
        else:
            others = [m for m in texts.MATTERS[category] if m is not matter]
            if others and rng.random() < 0.6:
                other_matter, note = rng.choice(others), "same category, another kind of problem"
            else:
                other_matter, note = matter, "same kind of problem, another township and people"
            towns = [t for t in place.townships if t is not township]
            other_slots = _slots(rng, place, rng.choice(towns), received - timedelta(days=rng.randrange(400)))
            second = _letter(rng, other_slots, other_matter, repeat=rng.random() < 0.3)
            same = False
        title, content, names = _vary(rng, second.title, second.content)
        pairs.append(Pair(first.title, first.content, title, content, same, category, names, note))
    return pairs


def hand_pairs() -> list[Pair]:
    rows = json.loads(HAND_PAIRS.read_text(encoding="utf-8"))
    return [
        Pair(
            a_title=r["a"]["title"],
            a_content=r["a"]["content"],
            b_title=r["b"]["title"],
            b_content=r["b"]["content"],
            same=bool(r["same"]),
            category=r.get("category", ""),
            note=r.get("note", ""),
        )
        for r in rows
    ]
