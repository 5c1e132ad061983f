"""The demo county (``load_demo``) and the synthetic petition generator behind it and the benchmark."""

import importlib
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from xinfang.audit.models import AuditLog
from xinfang.cases.models import CaseEvent
from xinfang.cli import ALIASES
from xinfang.demo import texts, world
from xinfang.demo.generator import DraftFactory, drafts
from xinfang.lib import idcard
from xinfang.orgs.models import Role, Unit, UnitKind, UnitLevel, User
from xinfang.petitions.models import MAX_REPRESENTATIVES, Category, Petition, Petitioner, PetitionPetitioner
from xinfang.workflow.actions import offers
from xinfang.workflow.deadlines import deadline_alert

TODAY = date(2026, 3, 2)


def _load(petitions: int = 60) -> str:
    out = StringIO()
    call_command("load_demo", petitions=petitions, stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Unit, User, Petition, Petitioner, PetitionPetitioner, CaseEvent, AuditLog)
    }


@pytest.mark.django_db
def test_load_demo_builds_the_county_users_and_petitions():
    output = _load(60)

    bureau = Unit.objects.get(code=world.BUREAU_CODE)
    assert bureau.name == "清河县信访局" and bureau.kind == UnitKind.BUREAU
    assert bureau.parent is not None
    assert bureau.parent.name == "清河县人民政府" and bureau.parent.level == UnitLevel.COUNTY
    city_bureau = Unit.objects.get(name="江城市信访局")
    assert city_bureau.parent is not None
    assert city_bureau.parent.name == "江城市人民政府" and city_bureau.parent.level == UnitLevel.CITY
    assert bureau.parent.parent == city_bureau.parent
    county = bureau.parent
    townships = Unit.objects.filter(parent=county, kind=UnitKind.TOWNSHIP)
    assert townships.count() >= 15 and all(t.population > 0 for t in townships)
    assert Unit.objects.filter(parent=county, kind=UnitKind.DISCIPLINE, name__contains="纪委监委").exists()
    assert Unit.objects.filter(parent=county, kind=UnitKind.LEGAL, name__contains="公安局").exists()
    assert Unit.objects.filter(parent=county, kind=UnitKind.DEPARTMENT).count() >= 6
    assert Unit.objects.filter(level=UnitLevel.VILLAGE, path__startswith=county.path).exists()
    # Clearly fictional: every region code starts with 99.
    assert all(code.startswith("99") for code in Unit.objects.values_list("region_code", flat=True))

    assert {role for role in User.objects.values_list("role", flat=True)} == set(Role.values)
    admin = User.objects.get(username="admin")
    assert admin.role == Role.ADMIN and admin.is_staff and admin.is_superuser and admin.unit == bureau
    assert admin.check_password(world.PASSWORD)
    assert User.objects.get(username="clerk").check_password(world.PASSWORD)
    assert User.objects.filter(role=Role.HANDLER, unit__kind=UnitKind.TOWNSHIP).exists()
    assert User.objects.filter(role=Role.HANDLER, unit__kind=UnitKind.DEPARTMENT).exists()
    for login in world.LOGINS:
        assert login.username in output
    assert world.PASSWORD in output

    # Registered through the service: case numbers, the registration event and the audit entry.
    assert Petition.objects.count() == 60
    assert CaseEvent.objects.filter(action="register").count() == 60
    assert AuditLog.objects.filter(action="petition.create").count() == 60
    today = timezone.localdate()
    assert not Petition.objects.filter(received_at__gt=today).exists()
    assert not Petition.objects.filter(received_at__lt=today - timedelta(days=731)).exists()
    for petition in Petition.objects.all():
        assert petition.case_number.startswith(
            f"{petition.registering_unit.code}-{petition.received_at.year}-"
        )
        assert petition.search_text
    for number in Petitioner.objects.exclude(id_number="").values_list("id_number", flat=True):
        assert idcard.validate(number, today=today) == number
    assert Petitioner.objects.exclude(id_number="").exists()


@pytest.mark.django_db
def test_load_demo_twice_changes_nothing_and_prints_the_logins_again():
    _load(30)
    before = _counts()
    output = _load(30)
    assert _counts() == before
    assert "already present" in output
    for login in world.LOGINS:
        assert login.username in output


def test_xinfang_demo_is_an_alias_of_load_demo():
    assert ALIASES["demo"] == ["load_demo"]


def _payloads(seed: int, n: int = 80) -> list[dict]:
    return [d.payload() for d in drafts(world.demo_place(), n, seed=seed, today=TODAY)]


def test_the_generator_is_deterministic_for_a_seed():
    assert _payloads(7) == _payloads(7)
    assert _payloads(7) != _payloads(8)


def test_the_drafts_are_valid_and_realistically_mixed():
    n = 3000
    made = drafts(world.demo_place(), n, seed=11, today=TODAY)
    categories = {code for _, _, children in _category_tree() for code in children}
    channels: dict[str, int] = {}
    for d in made:
        channels[d.channel] = channels.get(d.channel, 0) + 1
        assert TODAY - timedelta(days=730) < d.received_at <= TODAY
        assert d.category in categories
        assert d.title and len(d.title) <= 200 and len(d.content) > 60
        assert "{" not in d.content and "{" not in d.title
        for p in d.petitioners:
            if p.id_number:
                assert idcard.validate(p.id_number, today=TODAY) == p.id_number
                assert p.id_number.startswith(world.ID_PREFIXES)
            assert not p.phone or (len(p.phone) == 11 and p.phone.isdigit())
        if d.channel == "visit":
            assert d.petitioners and d.visit_level
            assert len(d.petitioners) <= MAX_REPRESENTATIVES
            assert d.persons >= len(d.petitioners)
        else:
            assert d.persons == 1 and not d.visit_level
        if d.request_class != "accusation":
            assert not d.complained
    share = channels["visit"] / n
    assert 0.5 < share < 0.6
    assert set(channels) == {"visit", "letter", "online", "phone", "mailbox", "fax"}
    visits = [d for d in made if d.channel == "visit"]
    assert {d.visit_level for d in visits} == {"local", "city", "province", "national"}
    assert sum(d.visit_level == "local" for d in visits) > 0.6 * len(visits)
    assert sum(d.is_collective for d in visits) > 20
    assert sum(d.request_class == "accusation" and d.complained != "" for d in made) > 50
    # Some people come back about their matter: the same 身份证号 and name several times.
    seen: dict[tuple[str, str], int] = {}
    for d in made:
        for p in d.petitioners:
            if p.id_number:
                seen[(p.id_number, p.name)] = seen.get((p.id_number, p.name), 0) + 1
    assert sum(1 for times in seen.values() if times >= 3) >= 10


def test_the_categories_are_those_of_the_seed_migration(db):
    codes = set(Category.objects.filter(parent__isnull=False).values_list("code", flat=True))
    assert set(texts.MATTERS) == codes
    assert set(texts.CATEGORY_WEIGHTS) == codes


def test_id_numbers_carry_gender_and_a_correct_check_character():
    factory = DraftFactory(world.demo_place(), seed=3, today=TODAY)
    for _ in range(200):
        person = texts.person(factory.rng, prefix="439921", today=TODAY)
        assert idcard.validate(person.id_number, today=TODAY) == person.id_number
        assert idcard.birth_date(person.id_number) == person.birth
        assert (int(person.id_number[16]) % 2 == 1) == (person.gender == "男")
        assert 20 <= person.age(TODAY) <= 86


def test_chinese_numerals():
    assert [texts.cn(n) for n in (0, 3, 10, 12, 40, 58)] == ["零", "三", "十", "十二", "四十", "五十八"]


def _category_tree() -> list[tuple[str, str, list[str]]]:
    seed = importlib.import_module("xinfang.petitions.migrations.0003_seed_categories")
    return [
        (code, name, [f"{code}{i:02d}" for i in range(1, len(children) + 1)])
        for code, name, children in seed.CATEGORIES
    ]


@pytest.mark.django_db
def test_the_demo_takes_cases_along_the_paths_of_the_regulation():
    """Queues, overdue lists and statistics have real cases: older items answered, delivered, rated
    and closed; recent ones with a unit; past-deadline ones flagged and supervised by the sweep."""
    from xinfang.cases.models import Decision, Evaluation, Supervision
    from xinfang.petitions.states import Status

    _load(240)
    statuses = set(Petition.objects.values_list("status", flat=True))
    assert {Status.CLOSED, Status.ACCEPTED, Status.NOT_ACCEPTED} <= statuses
    assert Decision.objects.exists() and Evaluation.objects.exists()
    # Every step went through the services: the timeline has each transition on its own day.
    closed = Petition.objects.filter(status=Status.CLOSED).first()
    assert closed is not None
    days = list(closed.events.order_by("pk").values_list("action", "at"))
    assert [a for a, _ in days][:3] == ["register", "transfer", "accept"]
    assert [at for _, at in days] == sorted(at for _, at in days)
    assert days[-1][1].date() > closed.received_at
    # 超期: open past the deadline → flagged and supervised (条例第三十八条).
    overdue = Petition.objects.filter(is_open=True, due_at__lt=timezone.localdate())
    for petition in overdue:
        assert deadline_alert(petition) == "overdue"
        assert Supervision.objects.filter(petition=petition).exists()
    # 督办单 by hand: the 城关镇 handler has orders to answer on the handling page (条例第三十八条).
    chengguan = User.objects.get(username="chengguan")
    waiting = Supervision.objects.filter(unit=chengguan.unit, replied_on__isnull=True, automatic=False)
    assert waiting.exists()
    order = waiting.first()
    assert order is not None
    assert any(o.action.on == "supervision" for o in offers(order.petition, chengguan))
