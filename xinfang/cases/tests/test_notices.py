"""Official notices: each transition issues its notice, numbered in the issuing unit's series per kind
and year (文号), with a frozen text that the DOCX and PDF reproduce and a template edit never changes."""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
from collections.abc import Callable
from datetime import date

import pytest
from docx import Document

from xinfang.cases.models import Notice, NoticeKind, NoticeTemplate, Outcome, RefusalGround, Route
from xinfang.cases.tests import case_builders as b
from xinfang.orgs.models import Unit
from xinfang.petitions.models import Petition
from xinfang.testing import World
from xinfang.workflow import services as cs
from xinfang.workflow.notices import DEFAULT_TEMPLATES, notice_file, notice_issue


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = b.FAST_HASHERS


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def clock(monkeypatch):
    return b.Clock(monkeypatch).set(b.LATE)


@pytest.fixture
def people(world):
    return b.cast(world)


def pdf_text(data: bytes, tmp_path) -> str:
    executable = shutil.which("pdftotext")
    if executable is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "notice.pdf"
    path.write_bytes(data)
    out = subprocess.run(  # noqa: S603 - fixed argument list
        [executable, "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    ).stdout.decode()
    return "".join(out.split())


def docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


# --- each kind from its transition ------------------------------------------------------------


def _extended(world: World, people: b.Cast, clock: b.Clock) -> Petition:
    clock.set(date(2024, 4, 1))
    p = b.accepted(world)
    cs.case_request_extension(
        petition=p, actor=world.township_handler, days=30, reason="涉及多个部门，情况复杂"
    )
    p.refresh_from_db()
    return cs.case_decide_extension(petition=p, actor=world.leader, approve=True)


def _assigned(world: World, people: b.Cast, clock: b.Clock) -> Petition:
    p = b.registered(world)
    spec = cs.AssignmentSpec(world.township, due_at=date(2024, 8, 30), share="负责核实补偿款发放情况")
    return cs.case_assign(petition=p, actor=world.clerk, specs=[spec], sent_on=b.RECEIVED)


def _supervised(world: World, people: b.Cast, clock: b.Clock) -> Petition:
    p = b.accepted(world)
    cs.supervision_issue(petition=p, actor=world.leader, unit=world.township, reason="办理进度滞后")
    return p


def _refused(ground: str) -> Callable[[World, b.Cast, b.Clock], Petition]:
    def build(world: World, people: b.Cast, clock: b.Clock) -> Petition:
        return cs.case_refuse(
            petition=b.registered(world), actor=world.clerk, ground=ground, reason="不属信访事项"
        )

    return build


# kind → (how the case gets it, the issuing unit, the sentences the notice must carry)
KINDS: dict[
    str, tuple[Callable[[World, b.Cast, b.Clock], Petition], Callable[[World, b.Cast], Unit], list[str]]
] = {
    NoticeKind.ACCEPTANCE: (
        lambda w, c, k: b.accepted(w),
        lambda w, c: w.township,
        ["已于2024年3月1日依法受理", "自受理之日起60日内办结", "第三十四条"],
    ),
    NoticeKind.NON_ACCEPTANCE: (
        _refused(RefusalGround.NOT_IN_REMIT),
        lambda w, c: w.bureau,
        ["决定不予受理", "不属信访事项", "向有权处理的机关提出"],
    ),
    NoticeKind.NO_FURTHER: (
        _refused(RefusalGround.CONCLUDED),
        lambda w, c: w.bureau,
        ["已经复核终结", "第三十六条第三款", "不再受理"],
    ),
    NoticeKind.EXTENSION: (
        _extended,
        lambda w, c: w.township,
        [
            "因涉及多个部门，情况复杂",
            "经本机关负责人批准",
            "办理期限延长30日",
            "由2024年4月30日延长至2024年5月30日",
        ],
    ),
    NoticeKind.ASSIGNMENT: (
        _assigned,
        lambda w, c: w.bureau,
        [
            "城关镇人民政府：主办，办理期限至2024年8月30日",
            "责任分摊：负责核实补偿款发放情况",
            "交必办、办必果、果必报",
        ],
    ),
    NoticeKind.SUPERVISION: (
        _supervised,
        lambda w, c: w.bureau,
        ["城关镇人民政府：", "办理进度滞后", "督办级别：督办", "请于2024年7月11日前书面报告办理情况"],
    ),
    NoticeKind.OPINION: (
        lambda w, c, k: b.replied(w),
        lambda w, c: w.township,
        ["一、投诉请求：足额发放征地补偿款", "四、法律法规依据：", "30日内请求", "复查", "第三十五条"],
    ),
    NoticeKind.REVIEW: (
        lambda w, c, k: b.reviewed(w, c),
        lambda w, c: w.county,
        ["本机关已复查完毕", "三、复查意见：予以解释说明", "30日内向上一级机关请求复核", "第三十六条"],
    ),
    NoticeKind.RECHECK: (
        lambda w, c, k: b.concluded(w, c),
        lambda w, c: w.city,
        ["本机关已复核完毕", "同一事实和理由", "不再受理"],
    ),
}


def test_it_covers_every_notice_kind():
    assert set(KINDS) == set(NoticeKind) == set(DEFAULT_TEMPLATES)


@pytest.mark.parametrize("kind", list(KINDS))
def test_it_issues_each_notice_from_its_transition(world, people, clock, kind):
    build, issuer, sentences = KINDS[kind]
    p = build(world, people, clock)
    [notice] = Notice.objects.filter(petition=p, kind=kind)
    unit = issuer(world, people)
    title, prefix, _ = DEFAULT_TEMPLATES[kind]
    assert notice.unit == unit
    assert notice.number == f"{unit.name}{prefix}〔{clock.day.year}〕1号"
    assert (notice.year, notice.seq) == (clock.day.year, 1)
    assert notice.text.splitlines()[0] == title
    assert p.case_number in notice.text
    for sentence in sentences:
        assert sentence in notice.text, sentence


def test_it_names_the_petitioner_and_the_matter(world, clock):
    p = b.accepted(world)
    notice = Notice.objects.get(petition=p, kind=NoticeKind.ACCEPTANCE)
    assert notice.text.splitlines()[1].startswith("张三：")
    assert f"“{p.title}”" in notice.text and "来信" in notice.text


def test_it_records_who_issued_the_notice_and_its_source(world, people, clock):
    p = b.replied(world)
    notice = Notice.objects.get(petition=p, kind=NoticeKind.OPINION)
    assert notice.created_by == world.township_handler
    assert notice.source == f"decision:{b.opinion_of(p).pk}"


# --- the 文号 series ----------------------------------------------------------------------------


def _accept_on(world, day: date, unit=None, handler=None) -> Petition:
    p = b.registered(world, received=day)
    p = cs.case_transfer(petition=p, actor=world.clerk, unit=unit or world.township, sent_on=day)
    return cs.case_accept(
        petition=p, actor=handler or world.township_handler, route=Route.PETITION, accepted_on=day
    )


def _number(p: Petition, kind: str = NoticeKind.ACCEPTANCE) -> str:
    return Notice.objects.get(petition=p, kind=kind).number


def test_it_numbers_a_units_notices_of_one_kind_in_one_series_per_year(world, clock):
    clock.set(date(2026, 3, 2))
    first, second = _accept_on(world, date(2026, 3, 2)), _accept_on(world, date(2026, 3, 2))
    assert _number(first) == "城关镇人民政府信受〔2026〕1号"
    assert _number(second) == "城关镇人民政府信受〔2026〕2号"


def test_it_keeps_a_separate_series_per_unit(world, clock):
    clock.set(date(2026, 3, 2))
    _accept_on(world, date(2026, 3, 2))
    dept_case = _accept_on(world, date(2026, 3, 2), unit=world.dept, handler=world.dept_handler)
    assert _number(dept_case) == "清河县自然资源局信受〔2026〕1号"


def test_it_keeps_a_separate_series_per_kind(world, clock):
    clock.set(date(2026, 3, 2))
    _accept_on(world, date(2026, 3, 2))
    p = b.registered(world, received=date(2026, 3, 2))
    p = cs.case_transfer(petition=p, actor=world.clerk, unit=world.township, sent_on=date(2026, 3, 2))
    p = cs.case_refuse(petition=p, actor=world.township_handler, ground="not_in_remit", reason="不属本镇职责")
    assert _number(p, NoticeKind.NON_ACCEPTANCE) == "城关镇人民政府信不受〔2026〕1号"


def test_it_starts_a_new_series_each_year(world, clock):
    clock.set(date(2025, 12, 31))
    _accept_on(world, date(2025, 12, 31))
    last = _accept_on(world, date(2025, 12, 31))
    assert _number(last) == "城关镇人民政府信受〔2025〕2号"
    clock.set(date(2026, 1, 5))
    first = _accept_on(world, date(2026, 1, 5))
    assert _number(first) == "城关镇人民政府信受〔2026〕1号"
    later = _accept_on(world, date(2026, 1, 5))
    assert _number(later) == "城关镇人民政府信受〔2026〕2号"


def test_it_issues_a_notice_once_per_source(world, clock):
    p = b.accepted(world)
    notice = Notice.objects.get(petition=p, kind=NoticeKind.ACCEPTANCE)
    again = notice_issue(
        petition=p,
        kind=NoticeKind.ACCEPTANCE,
        source=notice.source,
        unit=world.township,
        actor=None,
        extra={},
    )
    assert again.pk == notice.pk and again.number == notice.number
    assert Notice.objects.filter(petition=p).count() == 1
    other = notice_issue(
        petition=p,
        kind=NoticeKind.ACCEPTANCE,
        source="accept:manual",
        unit=world.township,
        actor=None,
        extra={},
    )
    assert other.seq == notice.seq + 1


def _reassigned_after_objection(world) -> Petition:
    p = b.objected(world)
    p = cs.case_decide_objection(petition=p, actor=world.clerk, approve=True, reason="同意退回")
    spec = cs.AssignmentSpec(world.dept, due_at=date(2024, 8, 30))
    return cs.case_assign(petition=p, actor=world.clerk, specs=[spec], sent_on=b.LATE)


def test_it_issues_one_assignment_order_per_routing(world, clock):
    p = _reassigned_after_objection(world)
    orders = Notice.objects.filter(petition=p, kind=NoticeKind.ASSIGNMENT)
    assert [n.number for n in orders] == ["清河县信访局信交〔2024〕1号"]
    assert "清河县自然资源局：主办，办理期限至2024年8月30日" in orders[0].text


def test_it_addresses_the_assignment_order_only_to_the_units_of_this_routing(world, clock):
    p = _reassigned_after_objection(world)
    order = Notice.objects.get(petition=p, kind=NoticeKind.ASSIGNMENT)
    assert order.text.splitlines()[1] == "清河县自然资源局："
    assert "城关镇人民政府" not in order.text


# --- the files --------------------------------------------------------------------------------


def test_it_renders_the_pdf_with_the_title_number_and_case_number(world, clock, tmp_path):
    p = b.accepted(world)
    notice = Notice.objects.get(petition=p, kind=NoticeKind.ACCEPTANCE)
    data = notice_file(notice, "pdf")
    assert data.startswith(b"%PDF")
    text = pdf_text(data, tmp_path)
    assert "信访事项受理告知书" in text
    assert p.case_number in text
    assert notice.number in text
    assert "城关镇人民政府" in text


def test_it_embeds_the_chinese_fonts_in_the_pdf_title_in_bold(world, clock, tmp_path):
    # The PDF must show the same on a machine without Noto CJK: every font is embedded (a subset),
    # and the title is set in the bold face, as the style sheet asks.
    executable = shutil.which("pdffonts")
    if executable is None:
        pytest.skip("pdffonts (poppler-utils) is not installed")
    p = b.accepted(world)
    path = tmp_path / "notice.pdf"
    path.write_bytes(notice_file(Notice.objects.get(petition=p, kind=NoticeKind.ACCEPTANCE), "pdf"))
    out = subprocess.run(  # noqa: S603 - fixed argument list
        [executable, str(path)], capture_output=True, check=True
    ).stdout.decode()
    fonts = out.splitlines()[2:]
    names = sorted(line.split()[0].partition("+")[2] for line in fonts)
    assert names == ["Noto-Serif-CJK-SC", "Noto-Serif-CJK-SC-Bold"]
    assert all(line.split()[-5] == "yes" for line in fonts)  # the "emb" column


def test_it_renders_the_docx_with_the_title_number_and_case_number(world, clock):
    p = b.replied(world)
    notice = Notice.objects.get(petition=p, kind=NoticeKind.OPINION)
    text = docx_text(notice_file(notice, "docx"))
    assert text.splitlines()[0] == "信访处理意见书"
    assert notice.number in text and p.case_number in text
    assert "四、法律法规依据：《中华人民共和国土地管理法》第四十八条" in text


def test_it_stores_the_files_on_first_download_and_serves_them_unchanged(world, clock):
    p = b.accepted(world)
    notice = Notice.objects.get(petition=p, kind=NoticeKind.ACCEPTANCE)
    assert not notice.pdf and not notice.docx
    pdf, docx = notice_file(notice, "pdf"), notice_file(notice, "docx")
    stored = Notice.objects.get(pk=notice.pk)
    assert stored.pdf.name and stored.docx.name
    assert notice_file(stored, "pdf") == pdf and notice_file(stored, "docx") == docx


def _edit_template(kind: str) -> None:
    template = NoticeTemplate.objects.get(kind=kind)
    template.title = "受理通知书（新版）"
    template.body = "{{ petitioners }}：新版模板正文，案件编号{{ petition.case_number }}。"
    template.save()


def test_an_edited_template_does_not_change_an_issued_notice(world, clock, tmp_path):
    p = b.accepted(world)
    downloaded = Notice.objects.get(petition=p, kind=NoticeKind.ACCEPTANCE)
    pdf, docx = notice_file(downloaded, "pdf"), notice_file(downloaded, "docx")
    not_yet = Notice.objects.get(petition=b.accepted(world), kind=NoticeKind.ACCEPTANCE)
    texts = {n.pk: (n.text, n.sha256) for n in (downloaded, not_yet)}

    _edit_template(NoticeKind.ACCEPTANCE)

    for notice in Notice.objects.filter(pk__in=texts):
        assert (notice.text, notice.sha256) == texts[notice.pk]
    again = Notice.objects.get(pk=downloaded.pk)
    assert notice_file(again, "pdf") == pdf and notice_file(again, "docx") == docx
    # Built for the first time after the edit, the files still carry the frozen text.
    late = Notice.objects.get(pk=not_yet.pk)
    assert "信访事项受理告知书" in docx_text(notice_file(late, "docx"))
    assert "新版" not in pdf_text(notice_file(late, "pdf"), tmp_path)


def test_an_edited_template_applies_to_new_notices(world, clock):
    b.accepted(world)
    _edit_template(NoticeKind.ACCEPTANCE)
    p = b.accepted(world)
    notice = Notice.objects.get(petition=p, kind=NoticeKind.ACCEPTANCE)
    assert notice.text == f"受理通知书（新版）\n张三：新版模板正文，案件编号{p.case_number}。"
    assert notice.number.endswith("〔2024〕2号")
    assert docx_text(notice_file(notice, "docx")).splitlines()[0] == "受理通知书（新版）"


def test_it_creates_the_default_templates_on_first_use(world, clock):
    assert not NoticeTemplate.objects.exists()
    b.accepted(world)
    template = NoticeTemplate.objects.get(kind=NoticeKind.ACCEPTANCE)
    assert (template.title, template.number_prefix) == DEFAULT_TEMPLATES[NoticeKind.ACCEPTANCE][:2]


def test_it_stores_the_sha256_of_the_stored_text(world, clock):
    p = b.replied(world, Outcome.REJECT)
    notice = Notice.objects.get(petition=p, kind=NoticeKind.OPINION)
    assert notice.sha256 == hashlib.sha256(notice.text.encode()).hexdigest()
