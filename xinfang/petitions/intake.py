"""Validation of a petition registration, shared by the intake forms and the API.

One place turns raw input into a checked ``PetitionInput`` or a ``InputInvalid`` whose ``fields``
map each input field (API names: ``received_at``, ``petitioners[0].id_number`` …) to a Chinese
message that names the field. Nothing is written here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any

from django.conf import settings
from django.db.models import TextChoices
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.lib import idcard
from xinfang.lib.uploads import UploadRefused, check_upload
from xinfang.orgs.models import Unit, UnitKind, User
from xinfang.orgs.selectors import scope_unit_ids, unit_by_code
from xinfang.petitions.models import (
    COLLECTIVE_VISIT_MIN_PERSONS,
    MAX_PETITIONERS,
    MAX_REPRESENTATIVES,
    Category,
    Channel,
    RequestClass,
    VisitLevel,
)
from xinfang.prepared import Prepared

MAX_CONTENT_CHARS = 100_000
MAX_PERSONS = 10_000
MAX_ATTACHMENTS = 20
_PHONE = re.compile(r"^\+?[\d\-]{7,20}$")

# Attachments are recognised by their first bytes, and the file name must agree.
ATTACHMENT_TYPES: dict[str, tuple[bytes, tuple[str, ...], str]] = {
    "pdf": (b"%PDF-", (".pdf",), "application/pdf"),
    "jpeg": (b"\xff\xd8\xff", (".jpg", ".jpeg"), "image/jpeg"),
    "png": (b"\x89PNG\r\n\x1a\n", (".png",), "image/png"),
    "tiff_le": (b"II*\x00", (".tif", ".tiff"), "image/tiff"),
    "tiff_be": (b"MM\x00*", (".tif", ".tiff"), "image/tiff"),
    "docx": (
        b"PK\x03\x04",
        (".docx",),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
}


class InputInvalid(Exception):
    """Bad input: ``fields`` maps a field name to its message."""

    code = "invalid"

    def __init__(self, fields: dict[str, str], message: str | None = None) -> None:
        self.fields = fields
        self.message = message or _("The registration was not saved; please correct the marked fields.")
        super().__init__(self.message)


class DuplicateSubmission(InputInvalid):
    code = "duplicate_submission"

    def __init__(self, case_number: str, petition_id: int) -> None:
        self.case_number = case_number
        self.petition_id = petition_id
        msg = _(
            "This registration was already submitted as case %(case_number)s; it was not saved a second time."
        ) % {"case_number": case_number}
        super().__init__({"submission_key": msg}, msg)


class RepeatedContent(DuplicateSubmission):
    """The same registrar registered the same text minutes ago: a second click, a reload, or a
    colleague's copy. Saved only when they confirm it is a new item."""

    code = "duplicate_content"

    def __init__(self, case_number: str, petition_id: int, minutes: int) -> None:
        self.case_number = case_number
        self.petition_id = petition_id
        msg = _(
            "You registered the same content as case %(case_number)s less than %(minutes)d minutes ago; it was "
            "not saved again. If it is a new item, tick “This is a new item” and submit again."
        ) % {"case_number": case_number, "minutes": minutes}
        InputInvalid.__init__(self, {"confirmed_new": msg}, msg)


@dataclass
class PetitionerInput:
    name: str
    id_number: str = ""
    phone: str = ""
    address: str = ""
    region_code: str = ""
    is_representative: bool = False


@dataclass
class UploadInput:
    name: str
    size: int
    file: IO[bytes]
    content_type: str = ""
    sha256: str = ""  # of the file as received
    stored: bytes = b""  # what is kept: the file, or an image re-encoded without its metadata
    stored_sha256: str = ""


@dataclass
class PetitionInput:
    channel: str
    received_at: date
    persons: int
    visit_level: str
    title: str
    content: str
    category: Category
    request_class: str
    unit: Unit
    petitioners: list[PetitionerInput] = field(default_factory=list)
    complained_unit: Unit | None = None
    complained_party: str = ""
    region_code: str = ""
    address: str = ""
    is_oral: bool = False
    attachments: list[UploadInput] = field(default_factory=list)
    # The registrar confirms that the same text registered by them minutes ago is a new item.
    confirmed_new: bool = False

    @property
    def is_collective(self) -> bool:
        return self.channel == Channel.VISIT and self.persons >= COLLECTIVE_VISIT_MIN_PERSONS


def _text(raw: Any) -> str:
    return "" if raw is None else str(raw).strip()


def _flag(raw: Any) -> bool:
    """A yes/no input from JSON (true/false) or a form ("on", "1", "true"); "false" and "0" are no."""
    if isinstance(raw, str):
        return raw.strip().lower() in {"1", "true", "on", "yes"}
    return bool(raw)


def _choice(raw: Any, choices: type[TextChoices], name: str, label: str, errors: dict[str, str]) -> str:
    value = _text(raw)
    if value not in choices.values:
        errors[name] = _("%(field)s: choose one of the listed options.") % {"field": label}
    return value


def parse_date(raw: Any) -> date | None:
    """A date, or its ISO text (YYYY-MM-DD); anything else (a JSON number, a list) is no date."""
    if isinstance(raw, date):
        return raw
    if not isinstance(raw, str):
        return None
    try:
        return date.fromisoformat(_text(raw))
    except ValueError:
        return None


def _check_received_at(raw: Any, errors: dict[str, str]) -> date | None:
    label = _("Received date")
    if not _text(raw) and not isinstance(raw, date):
        errors["received_at"] = _("%(field)s: this field is required.") % {"field": label}
        return None
    value = parse_date(raw)
    if value is None:
        errors["received_at"] = _("%(field)s: not a real calendar date (use YYYY-MM-DD).") % {"field": label}
    elif value > timezone.localdate():
        errors["received_at"] = _("%(field)s: cannot be in the future.") % {"field": label}
    elif value.year < 1990:
        errors["received_at"] = _("%(field)s: cannot be before 1990.") % {"field": label}
    return value


def _check_persons(raw: Any, channel: str, errors: dict[str, str]) -> int:
    label = _("Persons")
    if channel != Channel.VISIT:
        # Non-visit items count as one 人次 each (shared/domain.md, counting units).
        return 1
    try:
        value = int(_text(raw) or "1")
    except ValueError:
        errors["persons"] = _("%(field)s: enter a whole number.") % {"field": label}
        return 1
    if value < 1:
        errors["persons"] = _("%(field)s: at least 1 person.") % {"field": label}
    elif value > MAX_PERSONS:
        errors["persons"] = _("%(field)s: at most %(max)d persons.") % {"field": label, "max": MAX_PERSONS}
    return value


def _check_petitioner(raw: Any, i: int, errors: dict[str, str]) -> PetitionerInput | None:
    prefix = f"petitioners[{i}]"
    if not isinstance(raw, dict):
        errors[prefix] = _("Petitioner %(n)d: must be an object with a name.") % {"n": i + 1}
        return None
    item = PetitionerInput(
        name=_text(raw.get("name")),
        id_number=idcard.normalize(_text(raw.get("id_number"))),
        phone=_text(raw.get("phone")).replace(" ", ""),
        address=_text(raw.get("address")),
        region_code=_text(raw.get("region_code")),
        is_representative=_flag(raw.get("is_representative")),
    )
    if not item.name:
        errors[f"{prefix}.name"] = _("Petitioner %(n)d, name: this field is required.") % {"n": i + 1}
    elif len(item.name) > 50:
        errors[f"{prefix}.name"] = _("Petitioner %(n)d, name: at most 50 characters.") % {"n": i + 1}
    if item.id_number:
        try:
            item.id_number = idcard.validate(item.id_number, today=timezone.localdate())
        except idcard.IdNumberError as exc:
            errors[f"{prefix}.id_number"] = _id_message(exc.code, i)
    if item.phone and not _PHONE.match(item.phone):
        errors[f"{prefix}.phone"] = _("Petitioner %(n)d, phone: use digits only, 7 to 20 of them.") % {
            "n": i + 1
        }
    # Stored as digits only (a landline typed 0739-8123456 is 07398123456), as the search box and
    # identity matching compare them.
    item.phone = item.phone.replace("-", "")
    if len(item.address) > 200:
        errors[f"{prefix}.address"] = _("Petitioner %(n)d, address: at most 200 characters.") % {"n": i + 1}
    return item


def _id_message(code: str, i: int) -> str:
    messages = {
        "length": _(
            "Petitioner %(n)d, ID card number: must be 18 characters, digits with a final digit or X."
        ),
        "region": _("Petitioner %(n)d, ID card number: the region code is not a Chinese province."),
        "birth_date": _("Petitioner %(n)d, ID card number: the birth date in it is impossible."),
        "checksum": _("Petitioner %(n)d, ID card number: the check digit is wrong; please check the number."),
    }
    return messages[code] % {"n": i + 1}


def _check_petitioners(raw: Any, channel: str, errors: dict[str, str]) -> list[PetitionerInput]:
    if raw in (None, ""):
        raw = []
    if not isinstance(raw, list):
        errors["petitioners"] = _("Petitioners: must be a list.")
        return []
    if len(raw) > MAX_PETITIONERS:
        errors["petitioners"] = _(
            "Petitioners: at most %(max)d on one petition (%(count)d were given); name the others in the "
            "attached letter and give their number as persons."
        ) % {"max": MAX_PETITIONERS, "count": len(raw)}
        return []
    checked = [_check_petitioner(item, i, errors) for i, item in enumerate(raw)]
    items = [p for p in checked if p is not None]
    if channel == Channel.VISIT and not items:
        errors["petitioners"] = _("Petitioners: a visit needs at least one petitioner present.")
    flagged = [p for p in items if p.is_representative]
    representatives = flagged or (items if channel == Channel.VISIT else [])
    if len(representatives) > MAX_REPRESENTATIVES:
        # 条例第二十条: 多人采用走访形式提出同一信访事项的，应当推选代表，代表人数不超过5人。
        errors["petitioners"] = _(
            "Petitioners: a collective visit may name at most %(max)d representatives (Regulation art. 20); "
            "%(count)d were given."
        ) % {"max": MAX_REPRESENTATIVES, "count": len(representatives)}
    seen: dict[str, int] = {}
    for i, p in enumerate(items):
        if p.id_number and p.id_number in seen:
            errors[f"petitioners[{i}].id_number"] = _(
                "Petitioner %(n)d, ID card number: the same number is already given for petitioner %(m)d."
            ) % {"n": i + 1, "m": seen[p.id_number] + 1}
        elif p.id_number:
            seen[p.id_number] = i
    return items


# Every registration looks its category up by code: compiled once (xinfang.prepared).
_ACTIVE_CATEGORY = Prepared(lambda code: Category.objects.filter(code=code, is_active=True)[:1], code=str)


def _check_unit(raw: Any, actor: User, errors: dict[str, str]) -> Unit | None:
    code = _text(raw)
    if not code:
        if actor.unit is None:
            errors["unit"] = _("Registering unit: your account belongs to no unit.")
        return actor.unit
    unit = unit_by_code(code)
    if unit is None or unit.pk not in scope_unit_ids(actor):
        errors["unit"] = _("Registering unit: unknown unit code “%(code)s” or not within your unit.") % {
            "code": code
        }
        return None
    return unit


def _check_attachment(upload: UploadInput, i: int, errors: dict[str, str]) -> None:
    """By content, not by name (xinfang.lib.uploads): a DOCX is a Word package without macros or a
    zip bomb, a PDF parses, an image decodes and is stored without its metadata (a phone photo's
    GPS position would say where the petitioner lives); the received file's hash is kept."""
    key = f"attachments[{i}]"
    limit_mb = settings.XINFANG_UPLOAD_MAX_BYTES // (1024 * 1024)
    if upload.size > settings.XINFANG_UPLOAD_MAX_BYTES:
        errors[key] = _("Attachment “%(name)s”: larger than %(mb)d MB.") % {
            "name": upload.name,
            "mb": limit_mb,
        }
        return
    if upload.size == 0:
        errors[key] = _("Attachment “%(name)s”: the file is empty.") % {"name": upload.name}
        return
    content = upload.file.read()
    upload.file.seek(0)
    try:
        checked = check_upload(upload.name, content)
    except UploadRefused as refused:
        errors[key] = _refusal_message(refused.reason) % {"name": upload.name}
        return
    upload.content_type, upload.sha256 = checked.content_type, checked.sha256
    upload.stored, upload.stored_sha256 = checked.data, checked.stored_sha256


def _refusal_message(reason: str) -> str:
    messages = {
        "docx": _("Attachment “%(name)s”: not a valid Word (.docx) document."),
        "docx_too_large": _(
            "Attachment “%(name)s”: the Word document unpacks to far more than its size (a compressed "
            "bomb); it is not accepted."
        ),
        "docx_executable": _(
            "Attachment “%(name)s”: the Word document contains macros or programs; save it as a plain .docx."
        ),
        "pdf": _("Attachment “%(name)s”: the PDF cannot be read; it is damaged or not a PDF."),
        "image": _("Attachment “%(name)s”: the image cannot be decoded; it is damaged or incomplete."),
        "image_too_large": _("Attachment “%(name)s”: the image has too many pixels (more than 80 million)."),
    }
    return messages.get(
        reason,
        _(
            "Attachment “%(name)s”: only PDF, JPEG, PNG, TIFF and DOCX files are accepted, and the content "
            "must match the file name."
        ),
    )


def _check_accusation_unit(unit: Unit, complained_unit: Unit | None, errors: dict[str, str]) -> None:
    """条例第三十条: a 检举控告 is registered by a 信访部门 or a 纪检监察 organ, never by the unit it
    accuses or a unit below it (which would then hold the accuser's identity)."""
    if unit.kind not in (UnitKind.BUREAU, UnitKind.DISCIPLINE):
        errors["unit"] = _(
            "Registering unit: a report or accusation is registered by a petition bureau or a discipline "
            "inspection and supervision organ."
        )
    elif complained_unit is not None and unit.is_within(complained_unit):
        errors["unit"] = _(
            "Registering unit: an accusation against this unit or a unit above it cannot be registered "
            "here; register it at the petition bureau or the discipline inspection organ above."
        )


# Long texts keep their line breaks and tabs; every other control character, and a lone surrogate
# (which no encoding can store), is refused: a NUL would be stored on SQLite and break every
# export, and PostgreSQL refuses it with a database error.
LONG_TEXTS = {"content", "address"}


def _bad_character(value: str, *, long_text: bool) -> bool:
    allowed = "\n\t\r" if long_text else ""
    return any(
        (unicodedata.category(ch) == "Cc" and ch not in allowed) or unicodedata.category(ch) == "Cs"
        for ch in value
    )


def _check_characters(raw: dict[str, Any], errors: dict[str, str]) -> None:
    """Refuse control characters in every text of the registration, naming the field."""
    message = _("%(field)s: contains control characters or invalid characters; remove them.")
    labels = {
        "title": _("Title"),
        "content": _("Content"),
        "address": _("Address"),
        "complained_party": _("Person complained about"),
        "region_code": _("Region code"),
    }
    for name, label in labels.items():
        value = raw.get(name)
        if isinstance(value, str) and _bad_character(value, long_text=name in LONG_TEXTS):
            errors[name] = message % {"field": label}
    parts = {
        "name": _("Name"),
        "id_number": _("ID card number"),
        "phone": _("Phone"),
        "address": _("Address"),
    }
    people = raw.get("petitioners")
    for i, person in enumerate(people if isinstance(people, list) else []):
        if not isinstance(person, dict):
            continue
        for name in ("name", "id_number", "phone", "address"):
            value = person.get(name)
            if isinstance(value, str) and _bad_character(value, long_text=name == "address"):
                field = _("Petitioner %(n)d, %(part)s") % {"n": i + 1, "part": parts[name]}
                errors[f"petitioners[{i}].{name}"] = message % {"field": field}


def validate_registration(
    raw: dict[str, Any], *, actor: User, uploads: list[UploadInput] | None = None
) -> PetitionInput:
    """Check a registration. ``raw`` uses the API's field names; raise InputInvalid on any error."""
    errors: dict[str, str] = {}
    _check_characters(raw, errors)
    channel = _choice(raw.get("channel"), Channel, "channel", _("Channel"), errors)
    received_at = _check_received_at(raw.get("received_at"), errors)
    persons = _check_persons(raw.get("persons"), channel, errors)
    visit_level = ""
    if channel == Channel.VISIT:
        visit_level = _text(raw.get("visit_level")) or VisitLevel.LOCAL
        _choice(visit_level, VisitLevel, "visit_level", _("Visit level"), errors)
    request_class = _choice(
        raw.get("request_class"), RequestClass, "request_class", _("Request class"), errors
    )

    content = _text(raw.get("content"))
    if not content:
        errors["content"] = _(
            "Content: must not be empty; record what the petitioner asks, verbatim if oral."
        )
    elif len(content) > MAX_CONTENT_CHARS:
        errors["content"] = _("Content: at most %(max)d characters.") % {"max": MAX_CONTENT_CHARS}
    title = _text(raw.get("title")) or (content.splitlines()[0][:40] if content else "")
    if len(title) > 200:
        errors["title"] = _("Title: at most 200 characters.")

    category = None
    code = _text(raw.get("category"))
    if not code:
        errors["category"] = _("Problem category: this field is required.")
    else:
        category = _ACTIVE_CATEGORY.first(code=code)
        if category is None:
            errors["category"] = _("Problem category: unknown code “%(code)s”.") % {"code": code}

    complained_unit = None
    if cu := _text(raw.get("complained_unit")):
        complained_unit = unit_by_code(cu, active=False)
        if complained_unit is None:
            errors["complained_unit"] = _("Unit complained about: unknown unit code “%(code)s”.") % {
                "code": cu
            }

    unit = _check_unit(raw.get("unit"), actor, errors)
    if request_class == RequestClass.ACCUSATION and unit is not None:
        _check_accusation_unit(unit, complained_unit, errors)
    petitioners = _check_petitioners(raw.get("petitioners"), channel, errors)
    uploads = uploads or []
    if len(uploads) > MAX_ATTACHMENTS:
        errors["attachments"] = _("Attachments: at most %(max)d files.") % {"max": MAX_ATTACHMENTS}
    for i, upload in enumerate(uploads):
        _check_attachment(upload, i, errors)

    if errors:
        raise InputInvalid(errors)
    assert received_at is not None and category is not None and unit is not None
    return PetitionInput(
        channel=channel,
        received_at=received_at,
        persons=persons,
        visit_level=visit_level,
        title=title,
        content=content,
        category=category,
        request_class=request_class,
        unit=unit,
        petitioners=petitioners,
        complained_unit=complained_unit,
        complained_party=_text(raw.get("complained_party"))[:100],
        region_code=_text(raw.get("region_code"))[:12],
        address=_text(raw.get("address"))[:200],
        is_oral=_flag(raw.get("is_oral")),
        attachments=uploads,
        confirmed_new=_flag(raw.get("confirmed_new")),
    )
