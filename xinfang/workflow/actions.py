"""Every lifecycle action, defined once: its typed input (field names, types, choices, labels and
help texts), the guard that says whether this user may take it on this case now, and the service it
calls. The handling page's forms (``workflow.actionforms``) and the API's endpoints and OpenAPI schema
(``cases.api``) are derived from ``ACTIONS``; adding a field to an action is one edit here.

Labels and help texts are English msgids (``gettext_noop``) translated where they are shown; a
wrong value gets the same Chinese message naming the field on the page and in the API, because the
input's own validator writes it. Fields the service requires carry ``required`` in their metadata:
they default to empty so that the service names a missing one in its own words, and the OpenAPI
schema still lists them as required.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any, Literal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from xinfang.cases.models import (
    Duty,
    EvaluationTarget,
    Outcome,
    RefusalGround,
    Route,
    Satisfaction,
    StaffMethod,
    Supervision,
)
from xinfang.errors import ActionRefused
from xinfang.orgs.models import Unit, User
from xinfang.orgs.selectors import unit_by_code
from xinfang.petitions.models import Petition
from xinfang.petitions.states import Status
from xinfang.workflow import guards
from xinfang.workflow import services as cs

INVALID = "invalid_field"  # the pydantic error type of a value refused with a Chinese message


def _required_in_schema(schema: dict[str, Any], model: type[BaseModel]) -> None:
    names = [name for name, f in model.model_fields.items() if _meta(f).get("x-required")]
    if names:
        schema["required"] = names


def _meta(info: FieldInfo) -> dict[str, Any]:
    extra = info.json_schema_extra
    return extra if isinstance(extra, dict) else {}


def value_message(error_type: str, label: str) -> str:
    """The Chinese message for a value of the wrong kind, naming the field."""
    if error_type.startswith("date") or error_type.startswith("datetime"):
        return _("%(field)s: not a real calendar date (use YYYY-MM-DD).") % {"field": label}
    if error_type.startswith("int") or error_type.startswith("float"):
        return _("%(field)s: enter a whole number.") % {"field": label}
    if error_type in ("enum", "literal_error"):
        return _("%(field)s: choose one of the listed options.") % {"field": label}
    return _("%(field)s: this value has the wrong type or is out of range.") % {"field": label}


class ActionInput(BaseModel):
    """The input of one action. Empty strings of optional fields (an empty form input) are None."""

    model_config = ConfigDict(
        extra="ignore", str_strip_whitespace=True, json_schema_extra=_required_in_schema
    )

    @field_validator("*", mode="wrap")
    @classmethod
    def _in_chinese(cls, value: Any, handler: Callable[[Any], Any], info: ValidationInfo) -> Any:
        assert info.field_name is not None
        spec = cls.model_fields[info.field_name]
        if typing.get_origin(spec.annotation) is list:
            return handler(value)  # each row names its own fields
        if value == "" and spec.default is None:
            value = None
        try:
            return handler(value)
        except ValidationError as exc:
            message = value_message(exc.errors()[0]["type"], _(spec.title or info.field_name))
            raise PydanticCustomError(INVALID, message) from None


def text(title: str, help_text: str = "", *, required: bool = False, widget: str = "textarea") -> Any:
    return Field(
        "", title=title, description=help_text, max_length=4000, json_schema_extra=_extra(widget, required)
    )


def line(title: str, help_text: str = "", *, required: bool = False) -> Any:
    return Field(
        "", title=title, description=help_text, max_length=200, json_schema_extra=_extra("text", required)
    )


def unit(
    title: str, help_text: str = gettext_noop("The unit's code."), *, own_by_default: bool = False
) -> Any:
    """A unit's code; ``own_by_default``: the form starts with the user's own unit."""
    extra = {**_extra("unit", True), **({"x-default": "own-unit"} if own_by_default else {})}
    return Field("", title=title, description=help_text, max_length=40, json_schema_extra=extra)


def day(title: str, help_text: str = gettext_noop("YYYY-MM-DD; empty means today.")) -> Any:
    return Field(None, title=title, description=help_text)


def _extra(widget: str, required: bool) -> dict[str, Any]:
    return {"x-widget": widget, **({"x-required": True} if required else {})}


# --- inputs ---------------------------------------------------------------------------------------


class TransferIn(ActionInput):
    unit: str = unit(gettext_noop("Receiving unit"), gettext_noop("Code of the competent unit."))
    sent_on: date | None = day(gettext_noop("Date sent"))
    reason: str = text(gettext_noop("Note"))


class AssignUnitIn(ActionInput):
    unit: str = unit(gettext_noop("Unit"))
    duty: Duty = Field(
        Duty.LEAD,
        title=gettext_noop("Duty"),
        description=gettext_noop("Exactly one unit leads; the others assist, track, mediate …"),
        json_schema_extra={"x-next-rows": Duty.ASSIST.value},
    )
    due_at: date | None = Field(
        None, title=gettext_noop("Deadline"), description=gettext_noop("YYYY-MM-DD; required.")
    )
    share: str = line(gettext_noop("Share of responsibility"))


class AssignIn(ActionInput):
    units: list[AssignUnitIn] = Field(
        default_factory=list,
        title=gettext_noop("Units"),
        description=gettext_noop("The units it is assigned to, each with its duty and deadline."),
        max_length=6,
        json_schema_extra={"x-rows": 4, "x-required": True},
    )
    sent_on: date | None = day(gettext_noop("Date sent"))
    reason: str = text(gettext_noop("Note"))


class RefuseIn(ActionInput):
    ground: RefusalGround | None = Field(
        None, title=gettext_noop("Ground"), json_schema_extra={"x-required": True}
    )
    reason: str = text(gettext_noop("Reason"), required=True)


class AnswerIn(ActionInput):
    text: str = text(gettext_noop("Answer"), required=True)


class ReportIn(ActionInput):
    text: str = text(
        gettext_noop("Completion report"), gettext_noop("What your unit did for its part."), required=True
    )


class AcceptIn(ActionInput):
    route: Route = Field(
        Route.PETITION,
        title=gettext_noop("Handling route"),
        description=gettext_noop("条例第三十一条: how the matter is handled."),
    )
    accepted_on: date | None = day(gettext_noop("Acceptance date"))


class ObjectIn(ActionInput):
    reason: str = text(
        gettext_noop("Reason"), gettext_noop("Why the matter is not within your unit's remit."), required=True
    )
    on: date | None = day(gettext_noop("Objection date"))


class DecideIn(ActionInput):
    approve: bool = Field(False, title=gettext_noop("Approve"), json_schema_extra={"x-widget": "buttons"})
    reason: str = text(gettext_noop("Reason"), gettext_noop("Required when refusing."))


class ExtensionRequestIn(ActionInput):
    days: int | None = Field(
        None,
        title=gettext_noop("Days (at most 30)"),
        description=gettext_noop("条例第三十四条: at most 30 days, once."),
        json_schema_extra={"x-required": True},
    )
    reason: str = text(gettext_noop("Reason"), required=True)


class ProcedureIn(ActionInput):
    procedure: str = line(
        gettext_noop("Procedure"),
        gettext_noop("The statutory procedure the matter went into."),
        required=True,
    )
    outcome: str = text(gettext_noop("Outcome"), required=True)


class DecisionIn(ActionInput):
    requests: str = text(gettext_noop("Requests"), required=True)
    facts: str = text(gettext_noop("Facts and reasons"), required=True)
    opinion: str = text(gettext_noop("Opinion"), required=True)
    basis: str = text(gettext_noop("Legal basis"), required=True)
    outcome: Outcome | None = Field(
        None, title=gettext_noop("Outcome"), json_schema_extra={"x-required": True}
    )
    issued_on: date | None = day(gettext_noop("Date issued"))


class ReplyIn(DecisionIn):
    execution: str = text(gettext_noop("If supported: what must be done"))
    execution_due: date | None = Field(
        None,
        title=gettext_noop("Execution deadline"),
        description=gettext_noop("YYYY-MM-DD; required when supported."),
    )


class DeliverIn(ActionInput):
    delivered_on: date | None = day(gettext_noop("Delivery date"))


class ReviewRequestIn(ActionInput):
    unit: str = unit(
        gettext_noop("Reviewing unit (one level up)"),
        gettext_noop("Your own unit's code: it records the request."),
        own_by_default=True,  # the reviewing unit records the request itself
    )
    requested_on: date | None = day(gettext_noop("Request date"))


class HearingIn(ActionInput):
    on: date | None = day(gettext_noop("Hearing date"))


class EvaluateIn(ActionInput):
    target: EvaluationTarget | None = Field(
        None, title=gettext_noop("Evaluated"), json_schema_extra={"x-required": True}
    )
    satisfaction: Satisfaction | None = Field(
        None, title=gettext_noop("Satisfaction"), json_schema_extra={"x-required": True}
    )
    method: StaffMethod | None = Field(
        None, title=gettext_noop("Collected by"), json_schema_extra={"x-required": True}
    )
    comment: str = text(gettext_noop("Comment"))


class ReasonIn(ActionInput):
    reason: str = text(gettext_noop("Note"))


class NothingIn(ActionInput):
    pass


class SuperviseIn(ActionInput):
    unit: str = unit(gettext_noop("Supervised unit"))
    reason: str = text(gettext_noop("Reason"), required=True)
    reply_days: int = Field(
        cs.SUPERVISION_REPLY_DAYS,
        title=gettext_noop("Reply within days"),
        description=gettext_noop("Between 1 and 60 days."),
    )


class SupervisionReplyIn(ActionInput):
    text: str = text(
        gettext_noop("Progress reply"), gettext_noop("What has been done since the order."), required=True
    )


# --- the definitions ------------------------------------------------------------------------------


def resolve_unit(code: str, field_name: str, title: str) -> Unit:
    """The active unit of ``code``, or a refusal naming the field."""
    label = _(title)
    if not code:
        message = _("%(field)s: this field is required.") % {"field": label}
        raise ActionRefused(message, {field_name: message})
    found = unit_by_code(code)
    if found is None:
        message = _("%(field)s: unknown unit code “%(code)s”.") % {"field": label, "code": code}
        raise ActionRefused(message, {field_name: message})
    return found


def _unit_of(data: ActionInput, name: str = "unit") -> Unit:
    return resolve_unit(getattr(data, name), name, type(data).model_fields[name].title or name)


def _decision(data: DecisionIn) -> cs.DecisionInput:
    return cs.DecisionInput(
        requests=data.requests,
        facts=data.facts,
        opinion=data.opinion,
        basis=data.basis,
        outcome=data.outcome or "",
        issued_on=data.issued_on,
    )


def _assign(petition: Petition, actor: User, data: AssignIn) -> object:
    title = AssignUnitIn.model_fields["unit"].title or "unit"
    specs = [
        cs.AssignmentSpec(
            unit=resolve_unit(row.unit, f"units.{i}.unit", title),
            duty=row.duty,
            due_at=row.due_at,
            share=row.share,
        )
        for i, row in enumerate(data.units)
    ]
    return cs.case_assign(
        petition=petition, actor=actor, specs=specs, reason=data.reason, sent_on=data.sent_on
    )


@dataclass(frozen=True)
class Action:
    """One action: ``name`` is its address on the page (``/cases/<id>/<name>/``) and in the API
    (``POST /api/v1/cases/<id>/<name>``)."""

    name: str
    label: str  # msgid of the form's title and button
    summary: str  # the API's summary, with the 条例 article
    input: type[ActionInput]
    guard: Callable[[Any, User], ActionRefused | None]  # its object: the case or the order
    run: Callable[[Any, User, Any], object]
    # A bool field offered as one button per value (approve / refuse) instead of an input.
    buttons: tuple[tuple[bool, str], ...] = ()
    # A case action or an action on one of its supervision orders (``/supervisions/<id>/…``).
    on: Literal["case", "supervision"] = "case"
    labels_by_status: Mapping[str, str] = field(default_factory=dict)

    def label_for(self, petition: Petition) -> str:
        return _(self.labels_by_status.get(petition.status, self.label))

    def parse(self, data: Mapping[str, Any]) -> ActionInput:
        """The input from a form's or a body's values, or a refusal naming each field at fault."""
        try:
            return self.input.model_validate(dict(data))
        except ValidationError as exc:
            raise refusal_from(exc, self.input) from None


def field_key(loc: tuple[int | str, ...]) -> str:
    """``("units", 0, "unit")`` → ``"units.0.unit"``: one key on the page and in the API."""
    return ".".join(str(part) for part in loc)


def refusal_from(exc: ValidationError, model: type[BaseModel]) -> ActionRefused:
    fields: dict[str, str] = {}
    for error in exc.errors():
        key = field_key(tuple(error["loc"]))
        if error["type"] == INVALID:
            fields[key] = error["msg"]
        else:
            spec = model.model_fields.get(str(error["loc"][0])) if error["loc"] else None
            label = _(spec.title) if spec is not None and spec.title else key
            fields[key] = value_message(error["type"], label)
    message = (
        next(iter(fields.values()))
        if len(fields) == 1
        else _("The request was not accepted; please correct the marked fields.")
    )
    return ActionRefused(message, fields, code="invalid")


ACTIONS: tuple[Action, ...] = (
    Action(
        "transfer",
        gettext_noop("Transfer (转送)"),
        "转送 to the competent unit (条例第二十二条)",
        TransferIn,
        guards.may_route,
        lambda p, u, d: cs.case_transfer(
            petition=p, actor=u, unit=_unit_of(d), reason=d.reason, sent_on=d.sent_on
        ),
    ),
    Action(
        "assign",
        gettext_noop("Assign with a deadline (交办)"),
        "交办 to one or several units",
        AssignIn,
        guards.may_route,
        _assign,
    ),
    Action(
        "refuse",
        gettext_noop("Do not accept"),
        "不予受理 / 不再受理 (条例第二十三、三十六条)",
        RefuseIn,
        guards.may_refuse,
        lambda p, u, d: cs.case_refuse(petition=p, actor=u, ground=d.ground or "", reason=d.reason),
    ),
    Action(
        "direct-reply",
        gettext_noop("Answer directly"),
        "Answer a suggestion directly (条例第二十九条)",
        AnswerIn,
        guards.may_direct_reply,
        lambda p, u, d: cs.case_direct_reply(petition=p, actor=u, text=d.text),
    ),
    Action(
        "accept",
        gettext_noop("Accept (受理)"),
        "受理 (条例第二十三、三十四条)",
        AcceptIn,
        guards.may_accept,
        lambda p, u, d: cs.case_accept(petition=p, actor=u, route=d.route, accepted_on=d.accepted_on),
    ),
    Action(
        "object",
        gettext_noop("Raise an objection (异议)"),
        "异议 within 5 working days (条例第二十三条第三款)",
        ObjectIn,
        guards.may_object,
        lambda p, u, d: cs.case_object(petition=p, actor=u, reason=d.reason, on=d.on),
    ),
    Action(
        "objection",
        gettext_noop("Decide the objection"),
        "Approve or reject an objection",
        DecideIn,
        guards.may_decide_objection,
        lambda p, u, d: cs.case_decide_objection(petition=p, actor=u, approve=d.approve, reason=d.reason),
        buttons=(
            (True, gettext_noop("Agree to the objection")),
            (False, gettext_noop("Reject the objection")),
        ),
    ),
    Action(
        "extension-request",
        gettext_noop("Ask for an extension"),
        "Ask for 延期 (条例第三十四条)",
        ExtensionRequestIn,
        guards.may_request_extension,
        lambda p, u, d: cs.case_request_extension(
            petition=p, actor=u, days=_required_int(d, "days"), reason=d.reason
        ),
    ),
    Action(
        "extension",
        gettext_noop("Decide the extension"),
        "A head approves or refuses 延期 (条例第三十四条)",
        DecideIn,
        guards.may_decide_extension,
        lambda p, u, d: cs.case_decide_extension(petition=p, actor=u, approve=d.approve, reason=d.reason),
        buttons=(
            (True, gettext_noop("Approve the extension")),
            (False, gettext_noop("Refuse the extension")),
        ),
    ),
    Action(
        "report",
        gettext_noop("Send the completion report"),
        "办结报告 of a unit's part",
        ReportIn,
        guards.may_report,
        lambda p, u, d: cs.case_report(petition=p, actor=u, text=d.text),
    ),
    Action(
        "procedure",
        gettext_noop("Record the statutory procedure"),
        "Routes (一)–(五): record the procedure (条例第三十一条)",
        ProcedureIn,
        guards.may_record_procedure,
        lambda p, u, d: cs.case_record_procedure(
            petition=p, actor=u, procedure=d.procedure, outcome=d.outcome
        ),
    ),
    Action(
        "reply",
        gettext_noop("Issue the handling opinion"),
        "信访处理意见书 (条例第三十二条)",
        ReplyIn,
        guards.may_reply,
        lambda p, u, d: cs.case_reply(
            petition=p, actor=u, data=_decision(d), execution=d.execution, execution_due=d.execution_due
        ),
    ),
    Action(
        "deliver",
        gettext_noop("Record delivery"),
        "送达 of the latest decision (条例第三十五、三十六条)",
        DeliverIn,
        guards.may_deliver,
        lambda p, u, d: cs.case_deliver(petition=p, actor=u, delivered_on=d.delivered_on),
    ),
    Action(
        "review-request",
        gettext_noop("Record a review request"),
        "复查 request (条例第三十五条)",
        ReviewRequestIn,
        guards.may_request_review,
        lambda p, u, d: cs.case_request_review(
            petition=p, actor=u, unit=_unit_of(d), requested_on=d.requested_on
        ),
    ),
    Action(
        "recheck-request",
        gettext_noop("Record a re-examination request"),
        "复核 request (条例第三十六条)",
        ReviewRequestIn,
        guards.may_request_recheck,
        lambda p, u, d: cs.case_request_recheck(
            petition=p, actor=u, unit=_unit_of(d), requested_on=d.requested_on
        ),
    ),
    Action(
        "hearing-start",
        gettext_noop("Start a hearing"),
        "听证 starts: the 复核 time stops (条例第三十六条第二款)",
        HearingIn,
        guards.may_start_hearing,
        lambda p, u, d: cs.case_hearing(petition=p, actor=u, start=True, on=d.on),
    ),
    Action(
        "hearing-end",
        gettext_noop("End the hearing"),
        "听证 ends: the 复核 deadline moves by its days",
        HearingIn,
        guards.may_end_hearing,
        lambda p, u, d: cs.case_hearing(petition=p, actor=u, start=False, on=d.on),
    ),
    Action(
        "review-decision",
        gettext_noop("Issue the review opinion"),
        "复查意见书 or 复核意见书 (条例第三十五、三十六条)",
        DecisionIn,
        guards.may_review_decide,
        lambda p, u, d: cs.case_review_decide(petition=p, actor=u, data=_decision(d)),
        labels_by_status={Status.RECHECK: gettext_noop("Issue the re-examination opinion")},
    ),
    Action(
        "evaluate",
        gettext_noop("Record the petitioner's evaluation"),
        "满意度评价",
        EvaluateIn,
        guards.may_evaluate,
        lambda p, u, d: cs.case_evaluate(
            petition=p,
            actor=u,
            target=d.target or "",
            satisfaction=d.satisfaction or "",
            method=d.method or "",
            comment=d.comment,
        ),
    ),
    Action(
        "close",
        gettext_noop("Close the case"),
        "办结",
        ReasonIn,
        guards.may_close,
        lambda p, u, d: cs.case_close(petition=p, actor=u, reason=d.reason),
    ),
    Action(
        "archive",
        gettext_noop("Archive"),
        "归档",
        NothingIn,
        guards.may_archive,
        lambda p, u, d: cs.case_archive(petition=p, actor=u),
    ),
    Action(
        "supervise",
        gettext_noop("Issue a supervision order"),
        "督办单 (条例第三十八至四十条)",
        SuperviseIn,
        guards.may_supervise,
        lambda p, u, d: cs.supervision_issue(
            petition=p, actor=u, unit=_unit_of(d), reason=d.reason, reply_days=d.reply_days
        ),
    ),
    Action(
        "reply",
        gettext_noop("Answer the supervision order"),
        "Answer a 督办单 with the progress made",
        SupervisionReplyIn,
        guards.may_answer_supervision,
        lambda s, u, d: cs.supervision_reply(supervision=s, actor=u, text=d.text),
        on="supervision",
    ),
)
CASE_ACTIONS: dict[str, Action] = {a.name: a for a in ACTIONS if a.on == "case"}
SUPERVISION_ACTIONS: dict[str, Action] = {a.name: a for a in ACTIONS if a.on == "supervision"}


def _required_int(data: ActionInput, name: str) -> int:
    value = getattr(data, name)
    if value is None:
        label = _(type(data).model_fields[name].title or name)
        message = _("%(field)s: this field is required.") % {"field": label}
        raise ActionRefused(message, {name: message})
    return int(value)


@dataclass(frozen=True)
class Offer:
    """An action as the handling page offers it: open (``refusal`` None) or blocked for a reason
    the user can see and resolve."""

    action: Action
    target: Petition | Supervision
    refusal: ActionRefused | None


def offers(petition: Petition, user: User) -> list[Offer]:
    """What ``user`` can do on ``petition`` now, asked of the guards: the open actions, and those
    that are theirs but blocked by something they can resolve (a duty still open, a deadline
    passed); actions of another state, unit or role are left out."""
    found = []
    for action in CASE_ACTIONS.values():
        refusal = action.guard(petition, user)
        if refusal is None or refusal.code in guards.RESOLVABLE:
            found.append(Offer(action, petition, refusal))
    # A user without a unit answers no order (``unit_id=None`` would read as IS NULL).
    for supervision in petition.supervisions.filter(replied_on__isnull=True, unit_id=user.unit_id or 0):
        for action in SUPERVISION_ACTIONS.values():
            refusal = action.guard(supervision, user)
            if refusal is None:
                found.append(Offer(action, supervision, None))
    return found


def field_kind(spec: FieldInfo) -> str:
    """How a field is entered: date, number, choice, unit, text, textarea, buttons or rows."""
    annotation = spec.annotation
    widget = _meta(spec).get("x-widget")
    if widget:
        return str(widget)
    if typing.get_origin(annotation) is list:
        return "rows"
    options = (
        [a for a in typing.get_args(annotation) if a is not type(None)]
        if _is_union(annotation)
        else [annotation]
    )
    kind = options[0] if options else annotation
    if kind is date:
        return "date"
    if kind is int:
        return "number"
    if isinstance(kind, type) and issubclass(kind, Enum):
        return "choice"
    return "text"


def _is_union(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType)


def choices_of(spec: FieldInfo) -> list[tuple[str, str]]:
    annotation = spec.annotation
    options = (
        [a for a in typing.get_args(annotation) if a is not type(None)]
        if _is_union(annotation)
        else [annotation]
    )
    for option in options:
        if isinstance(option, type) and issubclass(option, Enum):
            return [(str(member.value), str(getattr(member, "label", member.value))) for member in option]
    return []


def row_model(spec: FieldInfo) -> type[ActionInput]:
    (model,) = typing.get_args(spec.annotation)
    assert isinstance(model, type) and issubclass(model, ActionInput)
    return model
