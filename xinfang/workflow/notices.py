"""Official notices (受理告知书, 交办单, 信访处理意见书 …): numbered, frozen, rendered to DOCX and PDF.

``notice_issue`` runs inside the transition that owes the notice: it allocates the 文号 of the
issuing unit's series for the year and freezes the text rendered from the administrators'
template. The DOCX and PDF are built from that frozen text on first download and then stored, so a
notice is never silently regenerated differently, even after the template is edited.
"""

from __future__ import annotations

import functools
import hashlib
import io
import threading
from datetime import date
from typing import Any
from urllib.parse import quote

from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import CharField, Exists, OuterRef, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.http import HttpResponse
from django.template import Context, Engine, Template
from django.utils import timezone
from django.utils.html import escape

from xinfang.audit.services import audit_record, client_ip
from xinfang.cases.models import ACTIVE_ASSIGNMENT, Notice, NoticeKind, NoticeTemplate, Supervision
from xinfang.orgs.models import Unit, User
from xinfang.petitions.models import Petition
from xinfang.petitions.selectors import links_of
from xinfang.prepared import Prepared

FONT_FAMILY = "Noto Serif CJK SC"

# The defaults an administrator starts from (NoticeTemplate rows are created from these on first use).
DEFAULT_TEMPLATES: dict[str, tuple[str, str, str]] = {
    NoticeKind.ACCEPTANCE: (
        "信访事项受理告知书",
        "信受",
        (
            "{{ petitioners }}：\n"
            "你（们）于{{ received }}通过{{ channel }}反映的“{{ petition.title }}”问题（案件编号{{ petition.case_number }}），"
            "本机关已于{{ accepted }}依法受理。\n"
            "根据《信访工作条例》第三十四条的规定，本机关将自受理之日起60日内办结，并出具信访处理意见书；"
            "情况复杂的，经本机关负责人批准，可以适当延长办理期限，但延长期限不得超过30日，并将告知延期理由。\n"
            "特此告知。"
        ),
    ),
    NoticeKind.NON_ACCEPTANCE: (
        "信访事项不予受理告知书",
        "信不受",
        (
            "{{ petitioners }}：\n"
            "你（们）于{{ received }}反映的“{{ petition.title }}”问题（案件编号{{ petition.case_number }}），"
            "经审查，本机关决定不予受理。理由如下：{{ reason }}\n"
            "{% if ground == 'accepted_below' %}根据《信访工作条例》第十九条第三款，该信访事项已经受理或者正在办理，"
            "在规定期限内向上级机关再次提出同一信访事项的，上级机关不予受理。{% else %}"
            "根据《信访工作条例》第二十三条的规定，请你（们）向有权处理的机关提出。{% endif %}\n特此告知。"
        ),
    ),
    NoticeKind.NO_FURTHER: (
        "信访事项不再受理告知书",
        "信不再",
        (
            "{{ petitioners }}：\n"
            "你（们）于{{ received }}反映的“{{ petition.title }}”问题（案件编号{{ petition.case_number }}），"
            "已经复核终结。根据《信访工作条例》第三十六条第三款，信访人对复核意见不服，仍然以同一事实和理由提出投诉请求的，"
            "不再受理。{{ reason }}\n特此告知。"
        ),
    ),
    NoticeKind.EXTENSION: (
        "延长信访事项办理期限告知书",
        "信延",
        (
            "{{ petitioners }}：\n"
            "你（们）反映的“{{ petition.title }}”问题（案件编号{{ petition.case_number }}），因{{ reason }}，"
            "经本机关负责人批准，根据《信访工作条例》第三十四条的规定，办理期限延长{{ days }}日，"
            "由{{ old_due }}延长至{{ new_due }}。\n特此告知。"
        ),
    ),
    NoticeKind.ASSIGNMENT: (
        "信访事项交办单",
        "信交",
        (
            "{{ units }}：\n"
            "现将{{ petitioners_or_anonymous }}反映的“{{ petition.title }}”问题（案件编号{{ petition.case_number }}）交由你单位办理。"
            "{% for a in assignments %}\n{{ a.unit.name }}：{{ a.get_duty_display }}，办理期限至{{ a.due_text }}。"
            "{% if a.share %}责任分摊：{{ a.share }}{% endif %}{% endfor %}\n"
            "请按期办结，并向本机关报送办结报告（交必办、办必果、果必报）。"
        ),
    ),
    NoticeKind.SUPERVISION: (
        "信访事项督办单",
        "信督",
        (
            "{{ supervision.unit.name }}：\n"
            "“{{ petition.title }}”（案件编号{{ petition.case_number }}）。{{ supervision.reason }}\n"
            "督办级别：{{ supervision.get_level_display }}。请于{{ reply_due }}前书面报告办理情况。"
        ),
    ),
    NoticeKind.OPINION: (
        "信访处理意见书",
        "信处",
        (
            "{{ petitioners }}：\n你（们）反映的“{{ petition.title }}”问题（案件编号{{ petition.case_number }}），本机关已办理完毕。\n"
            "一、投诉请求：{{ decision.requests }}\n二、事实和理由：{{ decision.facts }}\n"
            "三、处理意见：{{ decision.opinion }}（{{ decision.get_outcome_display }}）\n四、法律法规依据：{{ decision.basis }}\n"
            "如不服本处理意见，可以自收到本意见书之日起30日内请求{{ petition_unit_above }}复查（《信访工作条例》第三十五条）。"
        ),
    ),
    NoticeKind.REVIEW: (
        "信访事项复查意见书",
        "信复查",
        (
            "{{ petitioners }}：\n你（们）对“{{ petition.title }}”（案件编号{{ petition.case_number }}）处理意见提出的复查请求，"
            "本机关已复查完毕。\n一、复查请求：{{ decision.requests }}\n二、事实和理由：{{ decision.facts }}\n"
            "三、复查意见：{{ decision.opinion }}（{{ decision.get_outcome_display }}）\n四、法律法规依据：{{ decision.basis }}\n"
            "如不服本复查意见，可以自收到本意见书之日起30日内向上一级机关请求复核（《信访工作条例》第三十六条）。"
        ),
    ),
    NoticeKind.RECHECK: (
        "信访事项复核意见书",
        "信复核",
        (
            "{{ petitioners }}：\n你（们）对“{{ petition.title }}”（案件编号{{ petition.case_number }}）复查意见提出的复核请求，"
            "本机关已复核完毕。\n一、复核请求：{{ decision.requests }}\n二、事实和理由：{{ decision.facts }}\n"
            "三、复核意见：{{ decision.opinion }}（{{ decision.get_outcome_display }}）\n四、法律法规依据：{{ decision.basis }}\n"
            "根据《信访工作条例》第三十六条第三款，信访人对复核意见不服，仍然以同一事实和理由提出投诉请求的，不再受理。"
        ),
    ),
}


def cn_date(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


# Every notice issued runs these: compiled once (xinfang.prepared).
_HAS_AUTOMATIC = Prepared(
    lambda petition: Supervision.objects.filter(petition_id=petition, automatic=True).values_list(
        "pk", flat=True
    )[:1],
    petition=int,
)
_TEMPLATE = Prepared(lambda kind: NoticeTemplate.objects.filter(kind=kind), kind=str)
_ISSUED = Prepared(
    lambda petition, kind, source: Notice.objects.filter(petition_id=petition, kind=kind, source=source),
    petition=int,
    kind=str,
    source=str,
)


@functools.lru_cache(maxsize=4)
def _last_seq(year: int) -> Prepared[int]:
    """The last number of a unit's series of a kind in ``year``. The year is a small integer column,
    which a prepared parameter cannot be on PostgreSQL: one prepared query per year instead."""
    return Prepared(
        lambda unit, kind: (
            Notice.objects.filter(unit_id=unit, kind=kind, year=year)
            .order_by("-seq")
            .values_list("seq", flat=True)[:1]
        ),
        unit=int,
        kind=str,
    )


def notice_template(kind: str) -> NoticeTemplate:
    template = _TEMPLATE.first(kind=kind)
    if template is None:
        title, prefix, body = DEFAULT_TEMPLATES[kind]
        template, _ = NoticeTemplate.objects.get_or_create(
            kind=kind, defaults={"title": title, "number_prefix": prefix, "body": body}
        )
    return template


def ensure_templates() -> None:
    for kind in DEFAULT_TEMPLATES:
        notice_template(kind)


def _context(petition: Petition, extra: dict[str, Any]) -> dict[str, Any]:
    """The names a template may use. Petitioners and assignments cost a query each, so they are
    callables that the template engine calls only when the template names them (a 督办单 does not)."""

    @functools.cache
    def names() -> str:
        return "、".join(link.petitioner.name for link in links_of(petition))

    @functools.cache
    def assignments() -> list[Any]:
        rows = list(
            petition.assignments.filter(status__in=ACTIVE_ASSIGNMENT)
            .select_related("unit")
            .order_by("-is_lead", "id")
        )
        for a in rows:
            a.due_text = cn_date(a.due_at) or cn_date(a.ack_due)  # type: ignore[attr-defined]  # a display attribute for the notice template
        return rows

    context: dict[str, Any] = {
        "petition": petition,
        "petitioners": lambda: names() or "信访人",
        "petitioners_or_anonymous": lambda: names() or "匿名信访人",
        "received": cn_date(petition.received_at),
        "accepted": cn_date(petition.accepted_on),
        "channel": petition.get_channel_display,
        "assignments": assignments,
        "units": lambda: "、".join(a.unit.name for a in assignments()),
        "petition_unit_above": "上一级行政机关",
    }
    for key, value in extra.items():
        context[key] = cn_date(value) if isinstance(value, date) else value
    if "supervision" in extra:
        context["reply_due"] = cn_date(extra["supervision"].reply_due)
    return context


# Notice bodies use the built-in tags and filters (if, for, date …) and i18n. A bare engine instead
# of the project's: the project's imports every app's template libraries on first use, which costs
# a command such as ``xinfang sweep`` most of a second.
_ENGINE = Engine(libraries={"i18n": "django.templatetags.i18n", "l10n": "django.templatetags.l10n"})


@functools.lru_cache(maxsize=64)
def _compile(body: str) -> Template:
    """Compiled once per template text (an edited template is a new text)."""
    return _ENGINE.from_string(body)


def _render(template: Template, context: dict[str, Any]) -> str:
    return template.render(Context(context, autoescape=False)).strip()


def _next_seq(unit: Unit, kind: str, year: int) -> int:
    return (_last_seq(year).first(unit=unit.pk, kind=kind) or 0) + 1


def _numbered(
    *, template: NoticeTemplate, text: str, petition: Petition, source: str, unit: Unit, year: int, seq: int
) -> Notice:
    frozen = f"{template.title}\n{text}"
    return Notice(
        petition=petition,
        kind=template.kind,
        unit=unit,
        year=year,
        seq=seq,
        source=source,
        number=f"{unit.name}{template.number_prefix}〔{year}〕{seq}号",
        text=frozen,
        sha256=hashlib.sha256(frozen.encode()).hexdigest(),
    )


def notice_prefetch(petition: Petition, kind: str) -> NoticeTemplate:
    """What issuing a notice of ``kind`` reads, read before the transition's first write (on
    SQLite, outside the one writer): the template, and the petitioners, which stay cached on
    ``petition`` for the text."""
    links_of(petition)
    return notice_template(kind)


def notice_issue(
    *,
    petition: Petition,
    kind: str,
    source: str,
    unit: Unit,
    actor: User | None,
    extra: dict[str, Any],
    template: NoticeTemplate | None = None,
) -> Notice:
    """Number and freeze a notice. Idempotent per (petition, kind, source): issued already, the
    insert finds it (notice_once_per_source) and the stored one is returned, never a new text.
    ``template``: from ``notice_prefetch`` when the caller read it before writing."""
    template = template or notice_template(kind)
    frozen = f"{template.title}\n{_render(_compile(template.body), _context(petition, extra))}"
    notice = Notice(
        petition=petition,
        kind=kind,
        unit=unit,
        year=timezone.localdate().year,
        source=source,
        text=frozen,
        sha256=hashlib.sha256(frozen.encode()).hexdigest(),
        created_by=actor,
        created_at=timezone.now(),
    )
    for _attempt in range(5):
        if _insert_numbered(notice, prefix=f"{unit.name}{template.number_prefix}〔{notice.year}〕"):
            return notice
        # Issued before (or meanwhile), or the number was taken by a transaction that committed
        # meanwhile (PostgreSQL): then number again.
        existing = _ISSUED.first(petition=petition.pk, kind=kind, source=source)
        if existing is not None:
            return existing
    raise RuntimeError("could not allocate a notice number")


# The next number of the unit's series and the row in one statement, with no savepoint: a number
# (or the notice) taken meanwhile makes it insert nothing and return no row, and the caller tries
# again with a fresh statement, which sees the other transaction's row (notice_number_unique and
# notice_once_per_source decide). "WHERE true": SQLite's upsert after a SELECT needs a WHERE.
_INSERT_NUMBERED = (
    "INSERT INTO cases_notice (petition_id, kind, unit_id, year, seq, number, source, text, docx, pdf,"
    " sha256, created_by_id, created_at)"
    " SELECT %s, %s, %s, %s, n.seq, CAST(%s AS TEXT) || CAST(n.seq AS TEXT) || '号', %s, %s, '', '', %s, %s, %s"
    " FROM (SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM cases_notice"
    " WHERE unit_id = %s AND kind = %s AND year = %s) n WHERE true"
    " ON CONFLICT DO NOTHING RETURNING id, seq, number"
)


def _insert_numbered(notice: Notice, *, prefix: str) -> bool:
    """Number and store ``notice``; False when another transaction took the number first."""
    created_at = Notice._meta.get_field("created_at").get_db_prep_save(notice.created_at, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            _INSERT_NUMBERED,
            [
                notice.petition_id,
                notice.kind,
                notice.unit_id,
                notice.year,
                prefix,
                notice.source,
                notice.text,
                notice.sha256,
                notice.created_by_id,
                created_at,
                notice.unit_id,
                notice.kind,
                notice.year,
            ],
        )
        row = cursor.fetchone()
    if row is None:
        return False
    notice.pk, notice.seq, notice.number = row
    notice._state.adding, notice._state.db = False, connection.alias
    return True


def pending_supervisions(supervisions: QuerySet[Supervision], limit: int | None = None) -> list[Supervision]:
    """Automatic 督办单 whose notice (文号 and frozen text) is not issued yet, oldest first. The ids
    come first, in id order, so that a limited scan stops early; then those rows with their case
    and units."""
    issued = Notice.objects.filter(
        petition=OuterRef("petition"), kind=NoticeKind.SUPERVISION, source=OuterRef("notice_source")
    )
    ids = (
        supervisions.filter(automatic=True)
        .annotate(notice_source=Concat(Value("supervision:"), Cast("pk", CharField())))
        .exclude(Exists(issued))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    chosen = list(ids[:limit] if limit is not None else ids)
    return list(
        Supervision.objects.filter(pk__in=chosen)
        .select_related("petition", "unit", "issued_from")
        .order_by("pk")
    )


def supervision_notices_issue(supervisions: list[Supervision]) -> int:
    """Issue the 督办单 of automatic supervisions. The sweep raises them in bulk and leaves the
    notices to this: its later runs drain the backlog, and opening a case issues its own at once.
    The text comes from the supervision, which never changes, so issuing late changes nothing."""
    if not supervisions:
        return 0
    template = notice_template(NoticeKind.SUPERVISION)
    compiled = _compile(template.body)
    year = timezone.localdate().year
    by_unit: dict[int, list[Supervision]] = {}
    for supervision in supervisions:
        by_unit.setdefault(supervision.issued_from_id, []).append(supervision)
    for group in by_unit.values():
        _issue_consecutive(group, template, compiled, year)
    return len(supervisions)


def case_supervision_notices_issue(petition: Petition) -> None:
    """Before a case's documents are listed: the 督办单 the sweep has not numbered yet. Most cases
    have no automatic supervision: one prepared query tells, before the full look-up."""
    if _HAS_AUTOMATIC.first(petition=petition.pk) is not None:
        supervision_notices_issue(pending_supervisions(petition.supervisions.all()))


def _issue_consecutive(
    group: list[Supervision], template: NoticeTemplate, compiled: Template, year: int
) -> None:
    """One issuing unit's 督办单, numbered consecutively in one statement; if another process
    numbered or issued one meanwhile, one by one (``notice_issue`` retries and skips issued ones)."""
    unit = group[0].issued_from
    try:
        with transaction.atomic():
            seq = _next_seq(unit, NoticeKind.SUPERVISION, year)
            Notice.objects.bulk_create(
                _numbered(
                    template=template,
                    text=_render(compiled, _context(s.petition, {"supervision": s})),
                    petition=s.petition,
                    source=f"supervision:{s.pk}",
                    unit=unit,
                    year=year,
                    seq=seq + i,
                )
                for i, s in enumerate(group)
            )
    except IntegrityError:
        for s in group:
            with transaction.atomic():
                notice_issue(
                    petition=s.petition,
                    kind=NoticeKind.SUPERVISION,
                    source=f"supervision:{s.pk}",
                    unit=unit,
                    actor=None,
                    extra={"supervision": s},
                )


def _lines(notice: Notice) -> tuple[str, list[str]]:
    title, _, body = notice.text.partition("\n")
    return title, body.splitlines()


def render_docx(notice: Notice) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = FONT_FAMILY
    style.font.size = Pt(14)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT_FAMILY)
    title, body = _lines(notice)
    heading = doc.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(title)
    run.bold = True
    run.font.size = Pt(20)
    number = doc.add_paragraph(notice.number)
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for line in body:
        doc.add_paragraph(line)
    signature = doc.add_paragraph(
        f"{notice.unit.name}\n{cn_date(timezone.localtime(notice.created_at).date())}"
    )
    signature.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


PDF_CSS = (
    "@page { size: A4; margin: 3.7cm 2.6cm 3.5cm 2.8cm; }"
    f" body {{ font-family: '{FONT_FAMILY}'; font-size: 15pt; line-height: 1.8; }}"
    " h1 { text-align: center; font-size: 22pt; margin: 0; }"
    " .no { text-align: center; margin-bottom: 1em; } p { margin: 0; text-indent: 2em; }"
    " .sign { text-align: right; margin-top: 2em; text-indent: 0; }"
)

_pdf_local = threading.local()


def _pdf_setup() -> tuple[Any, Any]:
    """The font configuration and parsed style sheet, built once per thread: building them (and
    fontconfig's first lookup of the CJK fonts) costs more than rendering a page. Pango objects
    are not shared across threads, hence thread-local rather than module-global."""
    setup = getattr(_pdf_local, "setup", None)
    if setup is None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        font_config = FontConfiguration()
        setup = (font_config, CSS(string=PDF_CSS, font_config=font_config))
        _pdf_local.setup = setup
    return setup


def render_pdf(notice: Notice) -> bytes:
    """A4, Noto Serif CJK SC embedded (subset to the glyphs used, so the file stays small)."""
    from weasyprint import HTML  # loaded on first use: a second of start-up for every process

    font_config, stylesheet = _pdf_setup()
    title, body = _lines(notice)
    paragraphs = "".join(f"<p>{escape(line)}</p>" for line in body)
    html = (
        "<html lang='zh-Hans'><head><meta charset='utf-8'></head><body>"
        f"<h1>{escape(title)}</h1><div class='no'>{escape(notice.number)}</div>{paragraphs}"
        f"<p class='sign'>{escape(notice.unit.name)}<br>{cn_date(timezone.localtime(notice.created_at).date())}</p>"
        "</body></html>"
    )
    return bytes(HTML(string=html).write_pdf(stylesheets=[stylesheet], font_config=font_config))


def notice_file(notice: Notice, fmt: str) -> bytes:
    """The stored DOCX or PDF of a notice, built from its frozen text the first time it is asked for."""
    field = notice.docx if fmt == "docx" else notice.pdf
    if field:
        with field.open("rb") as fh:
            return fh.read()
    data = render_docx(notice) if fmt == "docx" else render_pdf(notice)
    safe = notice.number.replace("〔", "-").replace("〕", "-")
    field.save(f"{notice.pk}-{safe}.{fmt}", ContentFile(data), save=False)
    Notice.objects.filter(pk=notice.pk).update(**{fmt: field.name})
    return data


CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def notice_response(request: Any, notice: Notice, fmt: str) -> Any:
    """The file as a download. A notice names the petitioner, so reading it is audited."""
    data = notice_file(notice, fmt)
    audit_record(
        actor=request.user,
        action="notice.download",
        obj=notice,
        petition=notice.petition,
        detail={"format": fmt, "number": notice.number},
        ip=client_ip(request),
    )
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(notice.number + '.' + fmt)}"
    return response
