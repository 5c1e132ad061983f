"""Builders for the detection tests (not collected)."""

from __future__ import annotations

from typing import Any

from xinfang.orgs.models import User
from xinfang.petitions.models import Petition
from xinfang.testing import make_id_number, register

LAND = (
    "我村2023年被征收土地三十亩，征地补偿款至今未足额发放到户，村委会也不公开补偿明细。"
    "我们多次找镇政府，答复说资金已拨付到村。请求有关部门调查处理，把补偿款足额发放到户。"
)
LAND_AGAIN = (
    "2023年我们村被征了三十亩地，到现在征地补偿款还没有足额发到户，村委会不公开补偿明细。"
    "镇政府说钱已经拨到村里了。这个问题我已经反映过三次了，要求有关部门调查处理。"
)
WAGES = (
    "我在清河县宏远建筑工程有限公司工地干活，老板拖欠我们十二名农民工工资八万六千元，"
    "年底了一分钱都没有发，包工头也联系不上。请求劳动监察部门责令公司支付拖欠的工资。"
)
PERSON_B = "43042119851212345"


def person(name: str = "张三", prefix: str = "43042119900101123", **extra: Any) -> dict[str, Any]:
    data = {
        "name": name,
        "id_number": make_id_number(prefix),
        "phone": "13812345678",
        "address": "城关镇东村3组",
    }
    data.update(extra)
    return data


def petition(
    actor: User, content: str = LAND, *, people: list[dict[str, Any]] | None = None, **kw: Any
) -> Petition:
    kw.setdefault("title", content[:20])
    return register(actor, content=content, petitioners=people if people is not None else [person()], **kw)
