"""The demo's case handling: registered petitions are taken along the paths of 《信访工作条例》 with the
real services, each step on the day it would have happened (a simulated clock), so that the unit
inboxes, the overdue page, supervision and the statistics have real cases to show.

Mixture (older items mostly finished, recent ones still in progress):
- 建议意见类 answered directly by the 信访局 (条例第二十九条); a few items 不予受理;
- the rest 转送 to the competent unit (检举控告 to the 纪委监委, 涉法涉诉 to the legal organs, else
  the unit complained about or the township of the matter), which 受理s it or, rarely, objects;
- accepted items are answered with a 信访处理意见书 within the 60 days of 条例第三十四条 — a few
  after an approved 延期, a few late — then delivered, evaluated by most petitioners, some asked
  for 复查, and closed when the review window has passed (by the sweep);
- what is still open past its deadline is flagged and supervised by the final ``sweep`` run.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from django.contrib.auth.hashers import make_password
from django.db.models import Count
from django.utils import timezone

from xinfang.cases.models import Outcome, RefusalGround, Route, Satisfaction
from xinfang.orgs.models import Role, Unit, UnitKind, UnitLevel, User
from xinfang.petitions.models import Petition, RequestClass
from xinfang.petitions.states import Status
from xinfang.workflow import services as cs
from xinfang.workflow.sweep import sweep

# Given names of the hidden handlers of units without a demo login (they cannot log in).
HANDLER_NAMES = (
    "张伟",
    "王磊",
    "李娜",
    "刘敏",
    "陈静",
    "杨帆",
    "赵勇",
    "黄丽",
    "周杰",
    "吴霞",
    "徐斌",
    "孙婷",
)

OPINIONS = {
    Outcome.SUPPORT: ("经调查核实，信访人反映的问题属实，诉求合理", "予以支持，责成相关单位限期解决"),
    Outcome.EXPLAIN: ("经调查核实，相关事项已按政策规定办理", "向信访人解释说明有关政策和办理情况"),
    Outcome.REJECT: ("经调查核实，信访人的诉求缺乏事实和政策依据", "不予支持，并告知信访人救济途径"),
}
BASIS = "《信访工作条例》第三十二条及相关法律法规、政策规定"


@contextmanager
def clock(day: date) -> Iterator[None]:
    """Every service sees ``day`` as today (``timezone.localdate()``) and a time on that day as
    now, so that deadlines, notices and the timeline carry the simulated dates."""
    real_localdate, real_now = timezone.localdate, timezone.now
    moment = timezone.make_aware(datetime.combine(day, time(10, 0)))

    def localdate(value: datetime | None = None, timezone: tzinfo | None = None) -> date:
        return day if value is None else real_localdate(value, timezone)

    timezone.localdate = localdate
    timezone.now = lambda: moment
    try:
        yield
    finally:
        timezone.localdate, timezone.now = real_localdate, real_now


@dataclass
class Handled:
    """What the demo's handling did, for the command's output and the tests."""

    steps: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


class Simulation:
    def __init__(self, users: dict[str, User], *, seed: int, today: date) -> None:
        self.rng = random.Random(seed + 2)  # noqa: S311 - synthetic data
        self.today = today
        self.clerk = users["clerk"]
        self.clerks = {u.unit_id: u for u in users.values() if u.role == Role.CLERK}
        self.leader = users["leader"]
        county = self.clerk.unit.parent if self.clerk.unit is not None else None
        if county is None:  # never with the demo's users: the clerk works at a county's bureau
            raise ValueError("the demo clerk's unit must sit below a county")
        self.county: Unit = county
        self.handlers = self._handlers(users)
        self.result = Handled()

    # --- the people ---------------------------------------------------------------------------

    def _handlers(self, users: dict[str, User]) -> dict[int, User]:
        """A handler for every unit of the county below the government: the demo logins where there
        is one, a hidden user (no usable password) elsewhere."""
        handlers = {u.unit_id: u for u in users.values() if u.role == Role.HANDLER and u.unit_id}
        units = Unit.objects.filter(path__startswith=self.county.path).exclude(
            kind__in=(UnitKind.GOVERNMENT, UnitKind.BUREAU)
        )
        hidden = make_password(None)
        for i, unit in enumerate(units.order_by("code")):
            if unit.pk in handlers:
                continue
            handlers[unit.pk] = User.objects.create(
                username=f"handler_{unit.code}",
                password=hidden,
                unit=unit,
                role=Role.HANDLER,
                full_name=HANDLER_NAMES[i % len(HANDLER_NAMES)],
            )
        heads = Unit.objects.filter(pk=self.county.pk)
        for unit in heads:
            handlers[unit.pk] = User.objects.create(
                username=f"leader_{unit.code}",
                password=hidden,
                unit=unit,
                role=Role.LEADER,
                full_name="县领导",
            )
        return handlers

    def _competent(self, petition: Petition) -> Unit:
        """The unit a 转送 goes to (条例第二十二条)."""
        county_units = Unit.objects.filter(parent=self.county)
        if petition.request_class == RequestClass.ACCUSATION:
            found = county_units.filter(kind=UnitKind.DISCIPLINE).first()
        elif petition.category.route_to_kind:
            found = county_units.filter(kind=petition.category.route_to_kind).order_by("code").first()
        else:
            found = petition.complained_unit
            if found is not None and found.level == UnitLevel.VILLAGE:
                found = found.parent
            if found is None or not found.path.startswith(self.county.path) or found.kind == UnitKind.BUREAU:
                found = county_units.filter(code=petition.region_code).first()
        found = found or county_units.filter(kind=UnitKind.TOWNSHIP).order_by("code").first()
        if found is None:  # never with the demo's units: every county has townships
            raise ValueError(f"no unit of the county to send {petition.case_number} to")
        return found

    # --- the steps ----------------------------------------------------------------------------

    def _on(self, day: date) -> date:
        return min(day, self.today)

    def _later(self, day: date, low: int, high: int) -> date | None:
        """A day ``low``–``high`` days after ``day``, or None when it is still in the future."""
        then = day + timedelta(days=self.rng.randint(low, high))
        return then if then <= self.today else None

    def run(self, petition: Petition) -> None:
        clerk = self.clerks.get(petition.registering_unit_id)
        if clerk is None:
            return
        received = petition.received_at
        if (self.today - received).days < 4:
            return  # still with the registering clerk
        roll = self.rng.random()
        if petition.request_class == RequestClass.SUGGESTION and roll < 0.6:
            with clock(self._on(received + timedelta(days=self.rng.randint(1, 6)))):
                cs.case_direct_reply(
                    petition=petition, actor=clerk, text="感谢您的建议，已转有关部门研究参考。"
                )
            self.result.steps += 1
            return
        if roll < 0.04:
            with clock(self._on(received + timedelta(days=self.rng.randint(1, 10)))):
                cs.case_refuse(
                    petition=petition,
                    actor=clerk,
                    ground=RefusalGround.NOT_IN_REMIT,
                    reason="该事项属于法定职责范围以外的事项，不属于信访事项受理范围",
                )
            self.result.steps += 1
            return
        self._route(petition, clerk, received)

    def _route(self, petition: Petition, clerk: User, received: date) -> None:
        unit = self._competent(petition)
        sent = self._on(received + timedelta(days=self.rng.randint(1, 4)))
        with clock(sent):
            petition = cs.case_transfer(petition=petition, actor=clerk, unit=unit, sent_on=sent)
        self.result.steps += 1
        handler = self.handlers[unit.pk]
        accepted = self._later(sent, 1, 6)
        if accepted is None:
            return
        if self.rng.random() < 0.03:
            accepted = self._objection(petition, clerk, handler, sent)
            if accepted is None:
                return
            petition.refresh_from_db()
        routes: dict[str, Route] = {
            RequestClass.SUGGESTION: Route.SUGGESTION,
            RequestClass.ACCUSATION: Route.ACCUSATION,
        }
        route = routes.get(petition.request_class, Route.PETITION)
        with clock(accepted):
            petition = cs.case_accept(petition=petition, actor=handler, route=route, accepted_on=accepted)
        self.result.steps += 1
        self._handle(petition, handler, accepted)

    def _objection(self, petition: Petition, clerk: User, handler: User, sent: date) -> date | None:
        """异议 within 5 working days (条例第二十三条); the bureau refuses it after checking the unit's
        duties, and the unit then accepts. Returns the day of acceptance, if it has come."""
        objected = self._later(sent, 1, 3)
        if objected is None:
            return None
        with clock(objected):
            cs.case_object(petition=petition, actor=handler, reason="该事项不属于本单位职责范围，请另行转送")
        self.result.steps += 1
        decided = self._later(objected, 1, 4)
        if decided is None:
            return None
        with clock(decided):
            cs.case_decide_objection(
                petition=petition,
                actor=clerk,
                approve=False,
                reason="经核实，该事项属于你单位职责范围，请依法办理",
            )
        self.result.steps += 1
        return self._later(decided, 1, 3)

    def _handle(self, petition: Petition, handler: User, accepted: date) -> None:
        rng = self.rng
        late = rng.random() < 0.06
        # 延期 exists only for route (六) (条例第三十四条).
        extended = not late and petition.route == Route.PETITION and rng.random() < 0.05
        if extended:
            asked = self._later(accepted, 35, 50)
            if asked is None:
                return
            with clock(asked):
                cs.case_request_extension(
                    petition=petition, actor=handler, days=30, reason="案情复杂，需要多个部门联合调查"
                )
                petition = cs.case_decide_extension(petition=petition, actor=self.leader, approve=True)
            self.result.steps += 2
        low, high = (62, 80) if late else (10, 85 if extended else 55)
        replied = self._later(accepted, low, high)
        if replied is None:
            return  # in progress; past its deadline, the sweep flags and supervises it
        outcome = rng.choices((Outcome.SUPPORT, Outcome.EXPLAIN, Outcome.REJECT), (35, 45, 20))[0]
        facts, opinion = OPINIONS[outcome]
        data = cs.DecisionInput(
            requests=petition.title,
            facts=facts,
            opinion=opinion,
            basis=BASIS,
            outcome=outcome,
            issued_on=replied,
        )
        with clock(replied):
            if outcome == Outcome.SUPPORT:
                cs.case_reply(
                    petition=petition,
                    actor=handler,
                    data=data,
                    execution="按处理意见落实到位",
                    execution_due=replied + timedelta(days=30),
                )
            else:
                cs.case_reply(petition=petition, actor=handler, data=data)
        petition.refresh_from_db()
        self.result.steps += 1
        delivered = self._later(replied, 1, 3)
        if delivered is None:
            return
        with clock(delivered):
            petition = cs.case_deliver(petition=petition, actor=handler, delivered_on=delivered)
        self.result.steps += 1
        self._evaluate(petition, outcome, delivered)
        if outcome == Outcome.REJECT and rng.random() < 0.25:
            self._review(petition, delivered)

    def _evaluate(self, petition: Petition, outcome: str, delivered: date) -> None:
        rated = self._later(delivered, 1, 7)
        if rated is None or self.rng.random() > 0.75:
            return
        weights = (10, 40, 50) if outcome == Outcome.REJECT else (72, 20, 8)
        satisfaction = self.rng.choices(
            (Satisfaction.SATISFIED, Satisfaction.BASIC, Satisfaction.DISSATISFIED), weights
        )[0]
        with clock(rated):
            cs.case_evaluate(
                petition=petition,
                actor=self.clerks.get(petition.registering_unit_id, self.clerk),
                target="handler",
                satisfaction=satisfaction,
                method=_return_visit_method(petition),
            )
        self.result.steps += 1

    def _review(self, petition: Petition, delivered: date) -> None:
        """复查 by the county government (条例第三十五条), asked within 30 days."""
        asked = self._later(delivered, 5, 25)
        if asked is None:
            return
        head = self.handlers[self.county.pk]
        with clock(asked):
            cs.case_request_review(petition=petition, actor=head, unit=self.county, requested_on=asked)
        self.result.steps += 1
        decided = self._later(asked, 10, 28)
        if decided is None:
            return
        petition.refresh_from_db()
        facts, opinion = OPINIONS[Outcome.REJECT]
        data = cs.DecisionInput(
            requests=petition.title,
            facts=facts,
            opinion="维持原处理意见",
            basis=BASIS,
            outcome=Outcome.REJECT,
        )
        with clock(decided):
            cs.case_review_decide(petition=petition, actor=head, data=data)
            petition.refresh_from_db()
            cs.case_deliver(petition=petition, actor=head, delivered_on=decided)
        self.result.steps += 2


SUPERVISION_REASON = "信访人多次来电反映办理进度缓慢，请加快办理，并于期限内报告办理情况。"


def supervise_by_hand(users: dict[str, User]) -> int:
    """The bureau's supervisor issues a 督办单 on the two 城关镇 cases in handling that are due first
    (条例第三十八条), so that the 城关镇 handler has orders to answer on their handling pages."""
    supervisor, handler = users["supervisor"], users["chengguan"]
    if handler.unit is None:  # never with the demo's users
        return 0
    cases = Petition.objects.filter(status=Status.ACCEPTED, handling_unit_id=handler.unit_id).order_by(
        "due_at", "pk"
    )
    for petition in cases[:2]:
        cs.supervision_issue(
            petition=petition, actor=supervisor, unit=handler.unit, reason=SUPERVISION_REASON
        )
    return min(cases.count(), 2)


def handle_petitions(users: dict[str, User], *, seed: int, today: date) -> Handled:
    """Take the registered petitions along their paths, oldest first, then run the sweep as of
    ``today`` (warnings, automatic 督办, closing what the review window has passed)."""
    simulation = Simulation(users, seed=seed, today=today)
    petitions = Petition.objects.filter(status=Status.REGISTERED).select_related(
        "category", "complained_unit"
    )
    for petition in petitions.order_by("received_at", "pk").iterator(chunk_size=500):
        simulation.run(petition)
    with clock(today):
        sweep(today=today)
        simulation.result.steps += supervise_by_hand(users)
    result = simulation.result
    result.by_status = dict(Petition.objects.values_list("status").annotate(n=Count("pk")).order_by())
    return result


def _return_visit_method(petition: Petition) -> str:
    """Most 回访 are by telephone, some at home, a few by letter; chosen by the case number's
    position so that the random stream, and with it the rest of the demo, stays as it was."""
    return {7: "visit", 8: "visit", 9: "letter"}.get(petition.pk % 10, "phone")
