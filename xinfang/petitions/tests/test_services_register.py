"""登记 of every channel through the service (条例第十九条)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from xinfang.audit.models import AuditLog
from xinfang.cases.models import CaseEvent
from xinfang.petitions.intake import DuplicateSubmission, InputInvalid, validate_registration
from xinfang.petitions.models import Petition, Petitioner
from xinfang.petitions.states import Status
from xinfang.testing import make_id_number, register, registration, wrong_checksum
from xinfang.workflow.registration import petition_register


def _register(world, **overrides):
    return petition_register(
        data=validate_registration(registration(**overrides), actor=world.clerk), actor=world.clerk
    )


def test_it_numbers_cases_by_unit_year_and_sequence(world):
    first = register(world.clerk)
    second = register(world.clerk)
    year = timezone.localdate().year
    assert first.case_number == f"990121XF-{year}-000001"
    assert second.case_number == f"990121XF-{year}-000002"


def test_it_records_event_audit_and_first_deadline_article_22(world):
    petition = _register(world, received_at=date(2024, 3, 1))
    assert petition.status == Status.REGISTERED
    assert petition.is_open
    # 条例第二十二条: decide within 15 days; 2024-03-16 is a Saturday, so the limit is Monday 03-18.
    assert petition.due_at == date(2024, 3, 18)
    assert CaseEvent.objects.filter(petition=petition, action="register").count() == 1
    assert AuditLog.objects.filter(petition=petition, action="petition.create", actor=world.clerk).exists()


def test_it_marks_a_visit_of_five_as_collective(world):
    petition = _register(world, channel="visit", persons=5, visit_level="local")
    assert petition.is_collective
    assert petition.persons == 5
    small = _register(world, channel="visit", persons=3, visit_level="city")
    assert not small.is_collective
    assert small.visit_level == "city"


def test_it_counts_a_letter_as_one_person(world):
    assert _register(world, persons=7).persons == 1


def test_it_reuses_a_known_petitioner_by_id_number_and_name(world):
    _register(world)
    _register(world)
    assert Petitioner.objects.filter(id_number=make_id_number()).count() == 1


def test_it_refuses_a_wrong_id_checksum_and_saves_nothing(world):
    bad = registration(petitioners=[{"name": "张三", "id_number": wrong_checksum(make_id_number())}])
    with pytest.raises(InputInvalid) as exc:
        validate_registration(bad, actor=world.clerk)
    assert "身份证号" in exc.value.fields["petitioners[0].id_number"]
    assert Petition.objects.count() == 0


def test_it_refuses_a_future_received_date(world):
    with pytest.raises(InputInvalid) as exc:
        validate_registration(
            registration(received_at=timezone.localdate() + timedelta(days=1)), actor=world.clerk
        )
    assert "收件日期" in exc.value.fields["received_at"]


def test_it_refuses_six_representatives_article_20(world):
    people = [{"name": f"代表{i}", "id_number": make_id_number(f"4304211990010112{i}")} for i in range(6)]
    with pytest.raises(InputInvalid) as exc:
        validate_registration(
            registration(channel="visit", persons=30, petitioners=people), actor=world.clerk
        )
    assert "5" in exc.value.fields["petitioners"]


def test_it_refuses_a_double_submit(world):
    data = validate_registration(registration(), actor=world.clerk)
    first = petition_register(data=data, actor=world.clerk, submission_key="k-1")
    with pytest.raises(DuplicateSubmission) as exc:
        petition_register(
            data=validate_registration(registration(), actor=world.clerk),
            actor=world.clerk,
            submission_key="k-1",
        )
    assert exc.value.case_number == first.case_number
    assert Petition.objects.count() == 1


def test_it_reads_the_string_false_as_no(world):
    data = validate_registration(registration(is_oral="false"), actor=world.clerk)
    assert data.is_oral is False
    assert validate_registration(registration(is_oral="on"), actor=world.clerk).is_oral is True
