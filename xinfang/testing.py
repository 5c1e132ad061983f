"""Test personas and helpers, shared by every app's tests (and nothing else).

The world: a city with two counties. 清河县 has its 信访局, a department, the 纪委监委 and a
township with a village; 白沙县 has its own 信访局 whose clerk must see nothing of 清河县.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone
from PIL import Image
from pypdf import PdfWriter

from xinfang.lib.idcard import check_char
from xinfang.orgs.models import Role, Unit, UnitKind, UnitLevel, User
from xinfang.petitions.intake import validate_registration
from xinfang.petitions.models import Petition
from xinfang.workflow.registration import petition_register

PASSWORD = "Xf-test-pass-2026"  # noqa: S105 - test personas only


def make_id_number(prefix17: str = "43042119900101123") -> str:
    """A 身份证号 with a correct check character."""
    return prefix17 + check_char(prefix17)


def wrong_checksum(number: str) -> str:
    right = number[-1]
    return number[:-1] + ("0" if right != "0" else "1")


@dataclass
class World:
    city: Unit
    city_bureau: Unit
    county: Unit
    bureau: Unit
    dept: Unit
    discipline: Unit
    township: Unit
    village: Unit
    other_county: Unit
    other_bureau: Unit
    clerk: User
    leader: User
    supervisor: User
    admin: User
    township_handler: User
    dept_handler: User
    other_clerk: User
    city_clerk: User


def _unit(code: str, name: str, level: str, kind: str, parent: Unit | None, population: int = 0) -> Unit:
    return Unit.objects.create(
        code=code,
        name=name,
        level=level,
        kind=kind,
        parent=parent,
        region_code=code[:6],
        population=population,
    )


def _user(username: str, unit: Unit, role: str, full_name: str) -> User:
    return User.objects.create_user(
        username=username, password=PASSWORD, unit=unit, role=role, full_name=full_name
    )


def build_world() -> World:
    city = _unit("990100", "江城市人民政府", UnitLevel.CITY, UnitKind.GOVERNMENT, None, 2_000_000)
    city_bureau = _unit("990100XF", "江城市信访局", UnitLevel.CITY, UnitKind.BUREAU, city)
    county = _unit("990121", "清河县人民政府", UnitLevel.COUNTY, UnitKind.GOVERNMENT, city, 400_000)
    bureau = _unit("990121XF", "清河县信访局", UnitLevel.COUNTY, UnitKind.BUREAU, county)
    dept = _unit("990121ZR", "清河县自然资源局", UnitLevel.COUNTY, UnitKind.DEPARTMENT, county)
    discipline = _unit("990121JW", "清河县纪委监委", UnitLevel.COUNTY, UnitKind.DISCIPLINE, county)
    township = _unit("990121101", "城关镇人民政府", UnitLevel.TOWNSHIP, UnitKind.TOWNSHIP, county, 60_000)
    village = _unit("990121101201", "城关镇东村村委会", UnitLevel.VILLAGE, UnitKind.VILLAGE, township, 3_000)
    other_county = _unit("990122", "白沙县人民政府", UnitLevel.COUNTY, UnitKind.GOVERNMENT, city, 300_000)
    other_bureau = _unit("990122XF", "白沙县信访局", UnitLevel.COUNTY, UnitKind.BUREAU, other_county)
    return World(
        city=city,
        city_bureau=city_bureau,
        county=county,
        bureau=bureau,
        dept=dept,
        discipline=discipline,
        township=township,
        village=village,
        other_county=other_county,
        other_bureau=other_bureau,
        clerk=_user("clerk", bureau, Role.CLERK, "王登记"),
        leader=_user("leader", bureau, Role.LEADER, "李局长"),
        supervisor=_user("supervisor", bureau, Role.SUPERVISOR, "赵督查"),
        admin=_user("bureau_admin", bureau, Role.ADMIN, "孙管理"),
        township_handler=_user("township", township, Role.HANDLER, "周镇干"),
        dept_handler=_user("dept", dept, Role.HANDLER, "吴科长"),
        other_clerk=_user("other_clerk", other_bureau, Role.CLERK, "郑登记"),
        city_clerk=_user("city_clerk", city_bureau, Role.CLERK, "钱登记"),
    )


def registration(**overrides: Any) -> dict[str, Any]:
    """A valid registration payload (API field names) for a letter; override what a test needs."""
    data: dict[str, Any] = {
        "channel": "letter",
        "received_at": (overrides.pop("received_at", None) or timezone.localdate()).isoformat(),
        "persons": 1,
        "visit_level": "",
        "title": "反映城关镇东村征地补偿款未足额发放",
        "content": "我村2023年被征收土地三十亩，征地补偿款至今未足额发放到户，请求有关部门调查处理。",
        "category": "0202",
        "request_class": "claim",
        # Tests register the same text many times: each is a new item (the 10-minute repeat check
        # has its own tests, which leave this out).
        "confirmed_new": True,
        "petitioners": [
            {
                "name": "张三",
                "id_number": make_id_number(),
                "phone": "13812345678",
                "address": "城关镇东村3组",
            }
        ],
    }
    data.update(overrides)
    return data


def misfiled_accusation(petition: Petition, complained_unit: Unit) -> Petition:
    """Make ``petition`` an accusation against ``complained_unit`` after the fact. Registration
    refuses an accusation against the registering unit or a unit above it (条例第三十条), but such
    cases exist in data moved over from an older system or after units were reorganised, and the
    identity rule must still hold for them."""
    Petition.objects.filter(pk=petition.pk).update(
        request_class="accusation", complained_unit=complained_unit
    )
    petition.refresh_from_db()
    return petition


def register(actor: User, **overrides: Any) -> Petition:
    received = overrides.pop("received", None)
    payload = registration(received_at=received if isinstance(received, date) else None, **overrides)
    return petition_register(data=validate_registration(payload, actor=actor), actor=actor)


def scanned_pdf() -> bytes:
    """A real one-page PDF (attachments are checked by content: xinfang.lib.uploads)."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def photo_png() -> bytes:
    """A real small PNG."""
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 180, 120)).save(out, "PNG")
    return out.getvalue()
