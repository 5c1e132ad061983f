"""The demo: a fictional county, 清河县 in 江城市 (region codes 99…, no real place), with its units,
a user for every role and about two thousand petitions registered through the real service.

``load_demo()`` is idempotent: when the county's 信访局 exists, it creates nothing and only returns
the demo logins again.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from xinfang.demo import texts
from xinfang.demo.generator import Draft, drafts
from xinfang.demo.handling import Handled, clock, handle_petitions
from xinfang.demo.texts import Place, Township
from xinfang.orgs.models import Role, Unit, UnitKind, UnitLevel, User
from xinfang.petitions.intake import validate_registration
from xinfang.workflow.registration import petition_register

PASSWORD = "xinfang-demo"  # noqa: S105 - the published demo password, printed by load_demo
DEFAULT_PETITIONS = 2000
DEFAULT_SEED = 20260101

PROVINCE = "东陵省"  # fictional, like every name below
CITY_CODE, CITY_NAME = "990100", "江城市"
COUNTY_CODE, COUNTY_NAME = "990121", "清河县"
NEIGHBOUR_CODE, NEIGHBOUR_NAME = "990122", "白沙县"
BUREAU_CODE = f"{COUNTY_CODE}XF"  # the marker: the demo is loaded when this unit exists
# 身份证号 need a real province code to validate (43); 99 after it is no real 湖南 city.
ID_PREFIXES = ("439921", "439922", "439902")

# (suffix, name, population, villages or communities; the first two of a township become units)
TOWNSHIPS: tuple[tuple[str, str, int, tuple[str, ...]], ...] = (
    ("101", "城关镇", 62_000, ("东村", "柳树村", "南湾村", "红旗村", "新民村", "石桥村")),
    ("102", "东关街道", 48_000, ("解放路社区", "人民路社区", "朝阳社区", "滨河社区", "文昌社区")),
    ("103", "西城街道", 41_000, ("建设路社区", "新华社区", "西门社区", "书院社区", "汽车站社区")),
    ("104", "河口镇", 32_000, ("双河村", "大湾村", "凤凰村", "荷塘村", "五里村", "张家湾村")),
    ("105", "柳林镇", 28_000, ("红旗村", "杨柳村", "光明村", "团结村", "竹林村", "枫树村")),
    ("106", "白马镇", 26_000, ("白鹤村", "花园村", "马鞍村", "松山村", "茶园村")),
    ("107", "龙潭镇", 25_000, ("青龙村", "龙泉村", "天井村", "金塘村", "黄土岗村")),
    ("108", "桃花镇", 22_000, ("桃源村", "李家坪村", "新华村", "胜利村", "和平村")),
    ("109", "三河镇", 21_000, ("王家庄村", "陈家冲村", "长岭村", "北岭村", "西村")),
    ("110", "新集镇", 20_000, ("兴隆村", "刘家湾村", "东村", "竹林村", "五里村")),
    ("111", "石门乡", 16_000, ("赵家岭村", "石桥村", "松山村", "天井村")),
    ("112", "青山乡", 15_000, ("青龙村", "茶园村", "枫树村", "马鞍村")),
    ("113", "杨家岭乡", 12_000, ("杨柳村", "长岭村", "黄土岗村", "金塘村")),
    ("114", "高桥乡", 11_000, ("石桥村", "凤凰村", "荷塘村", "团结村")),
    ("115", "马坪乡", 9_000, ("马鞍村", "李家坪村", "光明村", "胜利村")),
)
VILLAGE_UNITS = 2  # per township: the first villages become units (村委会 / 居委会)
VILLAGE_TOWNSHIPS = ("101", "102", "104", "105")
DEPARTMENTS = texts.DEPARTMENTS + (("FY", "人民法院", "legal"),)
# Departments accused in general terms ("{dept}") of 干部作风 letters.
ACCUSED_DEPARTMENTS = ("ZR", "ZJ", "RS", "CG")


@dataclass(frozen=True)
class Login:
    username: str
    full_name: str
    role: str
    unit_code: str
    superuser: bool = False


LOGINS: tuple[Login, ...] = (
    Login("admin", "孙丽", Role.ADMIN, BUREAU_CODE, superuser=True),
    Login("clerk", "王芳", Role.CLERK, BUREAU_CODE),
    Login("leader", "李建国", Role.LEADER, BUREAU_CODE),
    Login("supervisor", "赵敏", Role.SUPERVISOR, BUREAU_CODE),
    Login("city_clerk", "钱红", Role.CLERK, f"{CITY_CODE}XF"),
    Login("chengguan", "周涛", Role.HANDLER, f"{COUNTY_CODE}101"),
    Login("dongguan", "郑洁", Role.HANDLER, f"{COUNTY_CODE}102"),
    Login("hekou", "吴强", Role.HANDLER, f"{COUNTY_CODE}104"),
    Login("ziranziyuan", "陈明", Role.HANDLER, f"{COUNTY_CODE}ZR"),
    Login("renshe", "刘洋", Role.HANDLER, f"{COUNTY_CODE}RS"),
    Login("zhujian", "黄磊", Role.HANDLER, f"{COUNTY_CODE}ZJ"),
    Login("gongan", "何军", Role.HANDLER, f"{COUNTY_CODE}GA"),
    Login("jiwei", "马丽", Role.HANDLER, f"{COUNTY_CODE}JW"),
)


def demo_place() -> Place:
    return Place(
        province=PROVINCE,
        city=CITY_NAME,
        county=COUNTY_NAME,
        region_code=COUNTY_CODE,
        townships=tuple(
            Township(
                name=name, region_code=f"{COUNTY_CODE}{suffix}", villages=villages, population=population
            )
            for suffix, name, population, villages in TOWNSHIPS
        ),
        id_prefixes=ID_PREFIXES,
    )


@dataclass
class DemoResult:
    created: bool
    petitions: int
    seconds: float
    logins: list[tuple[Login, str]]  # with the unit's name
    handled: Handled | None = None


def is_loaded() -> bool:
    return Unit.objects.filter(code=BUREAU_CODE).exists()


def _unit(code: str, name: str, level: str, kind: str, parent: Unit | None, population: int = 0) -> Unit:
    return Unit.objects.create(
        code=code,
        name=name,
        level=level,
        kind=kind,
        parent=parent,
        region_code=code[:12],
        population=population,
    )


def build_units() -> dict[str, Unit]:
    """The tree: 江城市人民政府 › 江城市信访局, 清河县人民政府 › 清河县信访局, departments, townships, villages."""
    units: dict[str, Unit] = {}
    city = units[CITY_CODE] = _unit(
        CITY_CODE, "江城市人民政府", UnitLevel.CITY, UnitKind.GOVERNMENT, None, 2_150_000
    )
    units[f"{CITY_CODE}XF"] = _unit(f"{CITY_CODE}XF", "江城市信访局", UnitLevel.CITY, UnitKind.BUREAU, city)
    population = sum(t[2] for t in TOWNSHIPS)
    county = units[COUNTY_CODE] = _unit(
        COUNTY_CODE, f"{COUNTY_NAME}人民政府", UnitLevel.COUNTY, UnitKind.GOVERNMENT, city, population
    )
    units[BUREAU_CODE] = _unit(BUREAU_CODE, f"{COUNTY_NAME}信访局", UnitLevel.COUNTY, UnitKind.BUREAU, county)
    for key, name, kind in DEPARTMENTS:
        code = f"{COUNTY_CODE}{key}"
        units[code] = _unit(code, f"{COUNTY_NAME}{name}", UnitLevel.COUNTY, kind, county)
    for suffix, name, people, villages in TOWNSHIPS:
        code = f"{COUNTY_CODE}{suffix}"
        office = "办事处" if name.endswith("街道") else "人民政府"
        township = units[code] = _unit(
            code, f"{name}{office}", UnitLevel.TOWNSHIP, UnitKind.TOWNSHIP, county, people
        )
        if suffix in VILLAGE_TOWNSHIPS:
            for i, village in enumerate(villages[:VILLAGE_UNITS], start=1):
                vcode = f"{code}2{i:02d}"
                committee = "居委会" if village.endswith("社区") else "村委会"
                units[vcode] = _unit(
                    vcode,
                    f"{name}{village}{committee}",
                    UnitLevel.VILLAGE,
                    UnitKind.VILLAGE,
                    township,
                    people // 12,
                )
    neighbour = _unit(
        NEIGHBOUR_CODE, f"{NEIGHBOUR_NAME}人民政府", UnitLevel.COUNTY, UnitKind.GOVERNMENT, city, 310_000
    )
    units[NEIGHBOUR_CODE] = neighbour
    units[f"{NEIGHBOUR_CODE}XF"] = _unit(
        f"{NEIGHBOUR_CODE}XF", f"{NEIGHBOUR_NAME}信访局", UnitLevel.COUNTY, UnitKind.BUREAU, neighbour
    )
    return units


def build_users(units: dict[str, Unit]) -> dict[str, User]:
    # One hash for the one shared password: PBKDF2 takes half a second per call.
    hashed = make_password(PASSWORD)
    users = {}
    for login in LOGINS:
        users[login.username] = User.objects.create(
            username=login.username,
            password=hashed,
            unit=units[login.unit_code],
            role=login.role,
            full_name=login.full_name,
            is_staff=login.superuser,
            is_superuser=login.superuser,
        )
    return users


def village_units() -> dict[tuple[str, str], str]:
    """(township code, village name) → the code of the villages that are units."""
    return {
        (f"{COUNTY_CODE}{suffix}", village): f"{COUNTY_CODE}{suffix}2{i:02d}"
        for suffix, _, _, villages in TOWNSHIPS
        if suffix in VILLAGE_TOWNSHIPS
        for i, village in enumerate(villages[:VILLAGE_UNITS], start=1)
    }


def _complained_unit(draft: Draft, villages: dict[tuple[str, str], str], rng: random.Random) -> str:
    """The code of the unit a 检举控告 accuses, or ""."""
    township_code = draft.township.region_code
    if draft.complained == "village":
        return villages.get((township_code, draft.village), township_code)
    if draft.complained == "township":
        return township_code
    if draft.complained == "dept":
        return f"{COUNTY_CODE}{rng.choice(ACCUSED_DEPARTMENTS)}"
    if draft.complained:
        return f"{COUNTY_CODE}{draft.complained}"
    return ""


def register_petitions(users: dict[str, User], n: int, *, seed: int, today: date) -> int:
    """``n`` petitions through validate_registration + petition_register, as the demo clerks."""
    rng = random.Random(seed + 1)  # noqa: S311 - synthetic data
    clerk, city_clerk = users["clerk"], users["city_clerk"]
    villages = village_units()
    for draft in drafts(demo_place(), n, seed=seed, today=today):
        # The city bureau registers the visits made to it; the county bureau everything else.
        actor = city_clerk if draft.visit_level == "city" and rng.random() < 0.4 else clerk
        payload = draft.payload(complained_unit=_complained_unit(draft, villages, rng))
        with clock(draft.received_at):  # registered on the day it came in
            petition_register(data=validate_registration(payload, actor=actor), actor=actor)
    return n


def logins() -> list[tuple[Login, str]]:
    names = dict(Unit.objects.filter(code__in=[x.unit_code for x in LOGINS]).values_list("code", "name"))
    return [(login, names.get(login.unit_code, login.unit_code)) for login in LOGINS]


def load_demo(
    *, petitions: int = DEFAULT_PETITIONS, seed: int = DEFAULT_SEED, today: date | None = None
) -> DemoResult:
    """Create the demo county, its users and petitions, once. All in one transaction."""
    started = time.perf_counter()
    if is_loaded():
        return DemoResult(False, 0, time.perf_counter() - started, logins())
    today = today or timezone.localdate()
    # Deadlines of recent items reach into a year chinese_calendar may not know yet: the fallback
    # (weekends only) is shown on the case pages; one log line per computed date would flood.
    logging.getLogger("xinfang.lib.deadlines").setLevel(logging.ERROR)
    with transaction.atomic():
        units = build_units()
        users = build_users(units)
        made = register_petitions(users, petitions, seed=seed, today=today)
        handled = handle_petitions(users, seed=seed, today=today)
    return DemoResult(True, made, time.perf_counter() - started, logins(), handled)
