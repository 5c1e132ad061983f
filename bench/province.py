"""The benchmark's fictional province: 14 cities × 10 counties, each county with its government, its
信访局, ten townships and five departments (自然资源局, 人社局, 住建局, 公安局, 纪委监委), so a
unit's work list has the size it has in a real province. Region codes start with 99."""

from __future__ import annotations

import random
from dataclasses import dataclass

from xinfang.demo.texts import COMMUNITY_NAMES, TOWN_STEMS, VILLAGE_NAMES, Place, Township

PROVINCE_CODE = "990000"
PROVINCE_NAME = "东陵省"
CITY_NAMES = "江城 云岭 临河 安平 宁川 丰阳 青峰 白鹭 石港 金州 南屏 北原 松岩 秀水".split()
COUNTIES_PER_CITY = 10
TOWNSHIPS_PER_COUNTY = 10
# (key, name, kind) of the county departments; the key ends the unit code.
BENCH_DEPARTMENTS = (
    ("ZR", "自然资源局", "department"),
    ("RS", "人力资源和社会保障局", "department"),
    ("ZJ", "住房和城乡建设局", "department"),
    ("GA", "公安局", "legal"),
    ("JW", "纪委监委", "discipline"),
)
_COUNTY_FIRST = "清 白 青 永 安 平 新 长 东 西 南 北 高 龙 凤 金 石 桃 柳 松 文 兴 宝 双".split()
_COUNTY_SECOND = "河 沙 山 阳 水 宁 川 丰 溪 林 源 江 陵 城 乡 泉".split()


@dataclass(frozen=True)
class County:
    index: int  # 0 … 139
    city_index: int
    code: str  # 990121
    name: str  # 清河县
    place: Place
    weight: float  # relative volume of petitions

    @property
    def bureau_code(self) -> str:
        return f"{self.code}XF"

    def township_code(self, i: int) -> str:
        return f"{self.code}1{i + 1:02d}"

    def department_code(self, key: str) -> str:
        return f"{self.code}{key}"


@dataclass(frozen=True)
class City:
    index: int
    code: str  # 990100
    name: str  # 江城市

    @property
    def bureau_code(self) -> str:
        return f"{self.code}XF"


def build(seed: int = 1) -> tuple[list[City], list[County]]:
    """The same province for the same seed."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data
    names = [a + b for a in _COUNTY_FIRST for b in _COUNTY_SECOND if a != b]
    rng.shuffle(names)
    cities: list[City] = []
    counties: list[County] = []
    for ci, city_name in enumerate(CITY_NAMES):
        cc = ci + 1
        city = City(ci, f"99{cc:02d}00", f"{city_name}市")
        cities.append(city)
        for ki in range(COUNTIES_PER_CITY):
            code = f"99{cc:02d}{21 + ki:02d}"
            name = names.pop() + ("区" if ki == 0 else "县")
            stems = rng.sample(TOWN_STEMS, TOWNSHIPS_PER_COUNTY - 1)
            townships = [
                Township(
                    name="城关街道" if ki == 0 else "城关镇",
                    region_code=f"{code}101",
                    villages=tuple(rng.sample(COMMUNITY_NAMES if ki == 0 else VILLAGE_NAMES, 5)),
                    population=rng.randint(40_000, 70_000),
                )
            ]
            for ti, stem in enumerate(stems, start=2):
                town = stem + rng.choice(("镇", "镇", "乡"))
                townships.append(
                    Township(
                        name=town,
                        region_code=f"{code}1{ti:02d}",
                        villages=tuple(rng.sample(VILLAGE_NAMES, 5)),
                        population=rng.randint(8_000, 40_000),
                    )
                )
            place = Place(
                province=PROVINCE_NAME,
                city=city.name,
                county=name,
                region_code=code,
                townships=tuple(townships),
                # 43 (a real province code, needed to validate) + 80+city + county: no real place.
                id_prefixes=(f"43{80 + cc:02d}{21 + ki:02d}", f"43{80 + cc:02d}{21 + (ki + 1) % 10:02d}"),
            )
            counties.append(County(len(counties), ci, code, name, place, rng.uniform(0.4, 1.6)))
    return cities, counties
