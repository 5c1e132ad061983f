"""The handling page's forms, derived from the action definitions (``workflow.actions``): one form
per action the user can take, its fields with their labels, help texts, choices and errors, and
the values a posted form gives back to the action's parser."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _
from pydantic.fields import FieldInfo

from xinfang.orgs.models import User
from xinfang.petitions.models import Petition
from xinfang.workflow.actions import ActionInput, Offer, choices_of, field_kind, row_model

MAX_ROWS = 6


@dataclass
class FieldView:
    name: str
    label: str
    help: str
    kind: str  # date, number, choice, unit, text, textarea, rows
    value: str = ""
    error: str = ""
    choices: list[tuple[str, str]] = field(default_factory=list)
    rows: list[list[FieldView]] = field(default_factory=list)
    required: bool = False


@dataclass
class FormView:
    key: str  # unique on the page: the action's name, or "<name>-<supervision id>"
    url: str
    title: str
    fields: list[FieldView]
    buttons: list[tuple[str, str]]  # (value of the button field, label); empty: one submit button
    button_field: str
    blocked: str  # why the action waits (shown instead of the form), or ""


def _default(spec: FieldInfo) -> str:
    value = spec.get_default(call_default_factory=True)
    if value is None or isinstance(value, list):
        return ""
    return str(getattr(value, "value", value))


def _fields(
    model: type[ActionInput],
    data: Mapping[str, Any],
    errors: Mapping[str, str],
    prefix: str = "",
    defaults: Mapping[str, str] | None = None,
) -> list[FieldView]:
    views = []
    for name, spec in model.model_fields.items():
        kind = field_kind(spec)
        if kind == "buttons":
            continue
        key = f"{prefix}{name}"
        extra = spec.json_schema_extra if isinstance(spec.json_schema_extra, dict) else {}
        view = FieldView(
            name=key,
            label=_(spec.title or name),
            help=_(spec.description) if spec.description else "",
            kind=kind,
            value=str(data.get(key, (defaults or {}).get(name, _default(spec))) or ""),
            error=errors.get(key, ""),
            choices=choices_of(spec),
            required=bool(extra.get("x-required")),
        )
        if kind == "rows":
            rows = int(str(extra.get("x-rows", 4)))
            sub = row_model(spec)
            following = {
                n: str(s.json_schema_extra["x-next-rows"])
                for n, s in sub.model_fields.items()
                if isinstance(s.json_schema_extra, dict) and "x-next-rows" in s.json_schema_extra
            }
            view.rows = [
                _fields(sub, data, errors, f"{key}.{i}.", following if i else None) for i in range(rows)
            ]
            for row in view.rows[1:]:  # the first row is required, the others are optional
                for cell in row:
                    cell.required = False
            view.error = errors.get(key, "")
        views.append(view)
    return views


def form_of(
    offer: Offer,
    petition: Petition,
    user: User,
    data: Mapping[str, Any],
    errors: Mapping[str, str],
) -> FormView:
    action = offer.action
    if action.on == "supervision":
        key = f"{action.name}-{offer.target.pk}"
        url = reverse("cases:act_on", args=[petition.pk, "supervisions", offer.target.pk, action.name])
    else:
        key = action.name
        url = reverse("cases:act", args=[petition.pk, action.name])
    own = user.unit.code if user.unit is not None else ""
    defaults = {
        name: own
        for name, spec in action.input.model_fields.items()
        if isinstance(spec.json_schema_extra, dict) and spec.json_schema_extra.get("x-default") == "own-unit"
    }
    button_field = next((n for n, s in action.input.model_fields.items() if field_kind(s) == "buttons"), "")
    return FormView(
        key=key,
        url=url,
        title=action.label_for(petition),
        fields=_fields(action.input, data, errors, defaults=defaults),
        buttons=[("true" if value else "false", _(label)) for value, label in action.buttons],
        button_field=button_field,
        blocked=offer.refusal.message if offer.refusal is not None else "",
    )


def form_values(model: type[ActionInput], post: QueryDict) -> dict[str, Any]:
    """A posted form as the input's values: rows (``units.0.unit`` …) become a list of the rows
    that hold anything."""
    values: dict[str, Any] = {}
    for name, spec in model.model_fields.items():
        if field_kind(spec) != "rows":
            if name in post:
                values[name] = post.get(name, "")
            continue
        sub = row_model(spec)
        rows = []
        for i in range(MAX_ROWS):
            row = {n: post.get(f"{name}.{i}.{n}", "") for n in sub.model_fields}
            if any(str(v).strip() for n, v in row.items() if n in _filled_fields(sub)):
                rows.append(row)
        values[name] = rows
    return values


def _filled_fields(model: type[ActionInput]) -> set[str]:
    """A row counts when one of these holds something (a duty alone has a default, not a unit)."""
    return {name for name, spec in model.model_fields.items() if field_kind(spec) not in ("choice",)}
