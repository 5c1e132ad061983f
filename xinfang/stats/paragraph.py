"""The 工作总结 statistics paragraph in the seeds' style (seed 004 L5, seed 001's template):

「2024年1－9月份，我市本级共接待来访群众376批，1823人次；到市访30批52人次；赴省访27批51人次；
进京访11批11人次。共办理群众来信101件、网信501件。」 then the 同比 clauses, with 增长/下降 (totals)
and 增加/减少 (parts) chosen from the sign, 持平 when unchanged and the comparison year computed,
then the repeat, 越级 and collective-visit counts. A zero reads 「无进京访」, never 「0批0人次」.

The text is Chinese by nature (it is pasted into Chinese reports), so it is written here in Chinese
and not through the translation catalogue.
"""

from __future__ import annotations

from typing import Any

from xinfang.orgs.models import Unit, UnitKind, UnitLevel
from xinfang.petitions.models import Channel
from xinfang.stats import metrics as mx
from xinfang.stats import rollups
from xinfang.stats.periods import Period
from xinfang.stats.selectors import Scope, compute

LEVELS = (("city", "到市访"), ("province", "赴省访"), ("national", "进京访"))
ITEM_CHANNELS = (
    (Channel.LETTER, "群众来信"),
    (Channel.ONLINE, "网信"),
    (Channel.PHONE, "来电"),
    (Channel.MAILBOX, "领导信箱来信"),
    (Channel.FAX, "传真"),
)
FLAGGED = (("repeat_visit", "重复访"), ("skip_level", "越级访"), ("collective", "集体访"))

KEYS = [
    "total_batches",
    "total_persons",
    "visit_batches",
    "visit_persons",
    "visit_local_batches",
    "visit_local_persons",
    *[f"visit_{level}_{b}" for level, _ in LEVELS for b in ("batches", "persons")],
    *[f"{channel}_items" for channel, _ in ITEM_CHANNELS],
    *[f"{key}_{b}" for key, _ in FLAGGED for b in ("batches", "persons")],
]


def we(unit: Unit) -> str:
    """「我市」「我县」「我区」「我镇」 for an area (or its 信访部门); the unit's name otherwise."""
    if unit.kind not in (UnitKind.GOVERNMENT, UnitKind.BUREAU, UnitKind.TOWNSHIP):
        return unit.name
    name = unit.name
    if unit.level == UnitLevel.CITY:
        return "我市"
    if unit.level == UnitLevel.COUNTY:
        return "我区" if "区" in name.replace("自治", "") and "县" not in name else "我县"
    if unit.level == UnitLevel.TOWNSHIP:
        return "我街道" if "街道" in name else ("我乡" if "乡" in name and "镇" not in name else "我镇")
    if unit.level == UnitLevel.PROVINCE:
        return "我省"
    if unit.level == UnitLevel.VILLAGE:
        return "我村"
    return "全国"


def pct(value: float) -> str:
    """52.38 → 「52.38%」, 50.0 → 「50%」, 16.70 → 「16.7%」."""
    return f"{abs(value):.2f}".rstrip("0").rstrip(".") + "%"


def change(current: int, previous: int, year: str, *, total: bool) -> str:
    """「比2023年同期增长12.5%」 / 「下降」 (totals) or 「增加」/「减少」 (parts); 「与2023年同期持平」."""
    if current == previous:
        return f"与{year}持平"
    if previous == 0:
        return f"{year}为零"
    rate = mx.growth(current, previous) or 0.0
    if total:
        word = "增长" if rate > 0 else "下降"
    else:
        word = "增加" if rate > 0 else "减少"
    return f"比{year}{word}{pct(rate)}"


def comparison_year(period: Period) -> str:
    if period.start.year == period.end.year:
        return f"{period.start.year - 1}年同期"
    return "上年同期"


def _bp(batches: int, persons: int) -> str:
    return f"{batches}批{persons}人次"


def statistics_paragraph(
    *, scope: Scope, period: Period, cfg: dict[str, Any] | None = None, unit: Unit | None = None
) -> str:
    """The paragraph for ``scope`` over ``period``: two queries (this period, the same one last year)."""
    cfg = cfg or mx.config()
    rollups.refresh()
    common: dict[str, Any] = {"scope": scope, "cfg": cfg, "refresh": False}
    now = {k: v.num for k, v in compute(KEYS, period=period, **common).get((), {}).items()}
    before = {k: v.num for k, v in compute(KEYS, period=period.previous_year(), **common).get((), {}).items()}
    year = comparison_year(period)
    persons_basis = cfg["growth_basis"] == mx.PERSON
    who = we(unit or scope.unit)

    # 1. visits by level (seed 004 L5)
    lb, lp = now["visit_local_batches"], now["visit_local_persons"]
    first = f"{who}本级共接待来访群众{lb}批，{lp}人次" if lb else f"{who}本级未接待来访群众"
    levels = []
    for level, name in LEVELS:
        b, p = now[f"visit_{level}_batches"], now[f"visit_{level}_persons"]
        levels.append(f"{name}{_bp(b, p)}" if b else f"无{name}")
    text = f"{period.label()}，{first}；" + "；".join(levels) + "。"

    # 2. letters, online and the other items
    parts = [f"{name}{now[f'{ch}_items']}件" for ch, name in ITEM_CHANNELS if now[f"{ch}_items"]]
    text += ("共办理" + "、".join(parts) + "。") if parts else "本期未收到群众来信、网信。"

    # 3. totals and 同比 (seed 001's template; seed 003 compares 人次)
    basis = "total_persons" if persons_basis else "total_batches"
    text += (
        f"信访总量{now['total_batches']}批次、{now['total_persons']}人次，"
        f"{'人次' if persons_basis else '批次'}{change(now[basis], before[basis], year, total=True)}。"
    )
    clauses = []
    vb, vp = now["visit_batches"], now["visit_persons"]
    vkey = "visit_persons" if persons_basis else "visit_batches"
    if vb:
        clauses.append(
            f"接待群众来访{vb}批次{vp}人次，{'人次' if persons_basis else '批次'}"
            f"{change(now[vkey], before[vkey], year, total=False)}"
        )
    else:
        clauses.append(f"未接待群众来访（{year}{_bp(before['visit_batches'], before['visit_persons'])}）")
    for ch, name in ITEM_CHANNELS[:2]:
        n, m = now[f"{ch}_items"], before[f"{ch}_items"]
        if n:
            clauses.append(f"办理{name}{n}件，{change(n, m, year, total=False)}")
        elif m:
            clauses.append(f"未收到{name}（{year}{m}件）")
    text += "其中" + "；".join(clauses) + "。"

    # 4. repeat, level-skipping and collective visits (seed 000 L23 「三下降」)
    flagged = []
    for key, name in FLAGGED:
        b, p = now[f"{key}_batches"], now[f"{key}_persons"]
        pb, pp = before[f"{key}_batches"], before[f"{key}_persons"]
        k = f"{key}_persons" if persons_basis else f"{key}_batches"
        if b:
            flagged.append(f"{name}{_bp(b, p)}，{change(now[k], before[k], year, total=False)}")
        elif pb:
            flagged.append(f"未发生{name}（{year}{_bp(pb, pp)}）")
        else:
            flagged.append(f"未发生{name}")
    text += "；".join(flagged) + "。"
    return text
