"""Turning the staff UI's HTML form posts into the input of ``intake.validate_registration``, and
back into what the templates re-render. No validation happens here: ``intake`` is the one place
that checks a registration, for the UI and the API alike."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict
from django.utils import timezone

from xinfang.orgs.models import Unit, User
from xinfang.orgs.selectors import scope_unit_ids
from xinfang.petitions.intake import UploadInput
from xinfang.petitions.models import Category, Channel

# Channels whose content may be an oral petition recorded verbatim (条例第十九条).
ORAL_CHANNELS = frozenset({Channel.VISIT, Channel.PHONE})
PETITIONER_FIELDS = ("name", "id_number", "phone", "address")
# Rows a clerk can add on one form; enough for any collective visit's named people.
MAX_PETITIONER_ROWS = 100
MIN_ROWS: dict[str, int] = {Channel.VISIT: 3}
_ROW_KEY = re.compile(r"^p-(\d+)-(name|id_number|phone|address|is_representative)$")

# The text inputs of a registration, re-rendered as entered when the form comes back with errors.
TEXT_FIELDS = (
    "received_at",
    "persons",
    "visit_level",
    "title",
    "content",
    "category",
    "request_class",
    "complained_unit",
    "complained_party",
    "region_code",
    "address",
)


@dataclass
class PetitionerRow:
    index: int
    name: str = ""
    id_number: str = ""
    phone: str = ""
    address: str = ""
    is_representative: bool = False
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def is_blank(self) -> bool:
        return not any(getattr(self, f).strip() for f in PETITIONER_FIELDS) and not self.is_representative

    def as_input(self) -> dict[str, Any]:
        data: dict[str, Any] = {f: getattr(self, f) for f in PETITIONER_FIELDS}
        data["is_representative"] = self.is_representative
        return data


@dataclass
class RegistrationForm:
    """What the intake page shows: the values entered, the petitioner rows and the errors."""

    channel: str
    submission_key: str
    values: dict[str, str]
    is_oral: bool = False
    confirmed_new: bool = False
    rows: list[PetitionerRow] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    message: str = ""
    duplicate_of: int | None = None

    @property
    def is_visit(self) -> bool:
        return self.channel == Channel.VISIT

    @property
    def allows_oral(self) -> bool:
        return self.channel in ORAL_CHANNELS

    @property
    def petitioners_error(self) -> str:
        return self.errors.get("petitioners", "")

    @property
    def attachment_errors(self) -> list[str]:
        return [
            msg for key, msg in self.errors.items() if key == "attachments" or key.startswith("attachments[")
        ]

    @property
    def summary(self) -> list[tuple[str, str]]:
        """(anchor of the input, message) for every error, in the order the fields appear."""
        return [(anchor_for(key), msg) for key, msg in self.errors.items()]

    def raw(self) -> dict[str, Any]:
        """The input of ``validate_registration``, with the API's field names. The registering
        unit is not sent: intake takes the user's own unit."""
        data: dict[str, Any] = {"channel": self.channel, **self.values}
        if not self.is_visit:
            data.pop("persons", None)
            data.pop("visit_level", None)
        data["is_oral"] = self.is_oral and self.allows_oral
        data["confirmed_new"] = self.confirmed_new
        data["petitioners"] = [row.as_input() for row in self.rows if not row.is_blank]
        return data

    def show_errors(self, errors: dict[str, str], message: str) -> None:
        """Attach intake's errors; rows are renumbered so row i is ``petitioners[i]``."""
        self.errors = dict(errors)
        self.message = message
        filled = [row for row in self.rows if not row.is_blank]
        self.rows = filled + [row for row in self.rows if row.is_blank]
        for i, row in enumerate(self.rows):
            row.index = i
            row.errors = {
                f: errors[f"petitioners[{i}].{f}"]
                for f in PETITIONER_FIELDS
                if f"petitioners[{i}].{f}" in errors
            }
            if f"petitioners[{i}]" in errors:
                row.errors["row"] = errors[f"petitioners[{i}]"]
        self.rows = _padded(self.rows, self.channel)


def anchor_for(key: str) -> str:
    """The id of the input an error key belongs to: ``petitioners[2].phone`` → ``f-p-2-phone``."""
    match = re.match(r"^petitioners\[(\d+)\](?:\.(\w+))?$", key)
    if match:
        return f"f-p-{match.group(1)}-{match.group(2) or 'name'}"
    if key.startswith("attachments"):
        return "f-attachments"
    if key in ("unit", "channel", "submission_key"):
        return "form-top"
    return f"f-{key}"


def new_submission_key() -> str:
    return str(uuid.uuid4())


def clean_submission_key(raw: str | None) -> str | None:
    """The hidden one-time key of a rendered form, or None when it was tampered with."""
    try:
        return str(uuid.UUID(str(raw or ""), version=4))
    except ValueError:
        return None


def blank_form(channel: str) -> RegistrationForm:
    values = dict.fromkeys(TEXT_FIELDS, "")
    values["received_at"] = timezone.localdate().isoformat()
    if channel == Channel.VISIT:
        values["persons"] = "1"
        values["visit_level"] = "local"
    return RegistrationForm(
        channel=channel, submission_key=new_submission_key(), values=values, rows=_padded([], channel)
    )


def form_from_post(channel: str, post: QueryDict) -> RegistrationForm:
    values = {name: post.get(name, "").strip() for name in TEXT_FIELDS}
    values["content"] = post.get("content", "").strip()
    return RegistrationForm(
        channel=channel,
        submission_key=post.get("submission_key", ""),
        values=values,
        is_oral=post.get("is_oral") == "1",
        confirmed_new=post.get("confirmed_new") == "1",
        rows=petitioner_rows(post),
    )


def petitioner_rows(post: QueryDict) -> list[PetitionerRow]:
    """Rows ``p-<i>-<field>`` in the order of their index; gaps left by removed rows close up."""
    by_index: dict[int, PetitionerRow] = {}
    for key in post:
        match = _ROW_KEY.match(key)
        if not match or int(match.group(1)) >= MAX_PETITIONER_ROWS:
            continue
        i, name = int(match.group(1)), match.group(2)
        row = by_index.setdefault(i, PetitionerRow(index=i))
        if name == "is_representative":
            row.is_representative = post.get(key) == "1"
        else:
            setattr(row, name, post.get(key, "").strip())
    return [by_index[i] for i in sorted(by_index)]


def _padded(rows: list[PetitionerRow], channel: str) -> list[PetitionerRow]:
    rows = list(rows)
    while len(rows) < MIN_ROWS.get(channel, 1):
        rows.append(PetitionerRow(index=len(rows)))
    for i, row in enumerate(rows):
        row.index = i
    return rows


def uploads_from(files: list[UploadedFile]) -> list[UploadInput]:
    return [
        UploadInput(name=f.name or "", size=f.size or 0, file=f, content_type=f.content_type or "")
        for f in files
    ]


# -- choices shown by the intake form and the filter bar ----------------------------------------


@dataclass
class CategoryGroup:
    parent: Category
    children: list[Category]


def category_groups() -> list[CategoryGroup]:
    """The two-level 问题类别 list for <optgroup> selects, in one query."""
    groups: dict[int, CategoryGroup] = {}
    categories = list(Category.objects.filter(is_active=True).order_by("sort_order", "code"))
    for cat in categories:
        if cat.parent_id is None:
            groups[cat.pk] = CategoryGroup(parent=cat, children=[])
    for cat in categories:
        if cat.parent_id in groups:
            groups[cat.parent_id].children.append(cat)
    return list(groups.values())


@dataclass
class UnitChoice:
    code: str
    label: str


def unit_choices(user: User) -> list[UnitChoice]:
    """Units a complaint may name: the user's whole area and the levels above it, indented by depth."""
    if user.unit is None:
        return []
    ids = set(scope_unit_ids(user)) | set(user.unit.ancestor_ids)
    units = Unit.objects.filter(pk__in=ids, is_active=True).order_by("path")
    return [UnitChoice(u.code, "\u3000" * max(0, u.path.count("/") - 2) + u.name) for u in units]


# -- filter bar -----------------------------------------------------------------------------------

FILTER_PARAMS = (
    "channel",
    "request_class",
    "visit_level",
    "status",
    "category",
    "from",
    "to",
    "collective",
    "overdue",
)


def filter_params(get: QueryDict) -> dict[str, str]:
    """The filter bar's values, as ``selectors.filter_petitions`` takes them."""
    return {name: get.get(name, "").strip() for name in FILTER_PARAMS}


def active_filters(params: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in params.items() if v}
