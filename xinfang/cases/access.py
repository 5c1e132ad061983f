"""The one door to cases. ``access_petition`` reaches a single case; every list starts from
``visible_petitions`` or ``work_queue``; the identity rule of 检举控告 (``identity_visible``,
``identity_hidden_q``) is decided here and nowhere else.

A user sees the cases registered by or held by a unit of their scope, and the cases in which a unit
of the scope holds an active duty of a 交办 package. Missing and forbidden both raise
``PetitionNotFound`` (a 404), so an answer tells nothing about other units' cases.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from xinfang.cases.models import ACTIVE_ASSIGNMENT, Assignment
from xinfang.cases.selectors import assignments_of
from xinfang.lib.text import query_terms
from xinfang.orgs.models import User
from xinfang.orgs.selectors import in_scope, scope_unit_ids
from xinfang.petitions.models import Petition, PetitionPetitioner, RequestClass
from xinfang.petitions.selectors import classify_query, keyword_q, ordering_for
from xinfang.prepared import Prepared


class PetitionNotFound(Http404):
    """Missing and forbidden look the same, so the answer tells nothing about other units' cases."""


def visible_petitions(user: User) -> QuerySet[Petition]:
    ids = scope_unit_ids(user)
    if not ids:
        return Petition.objects.none()
    return Petition.objects.filter(Q(registering_unit_id__in=ids) | Q(handling_unit_id__in=ids))


# Every request for a case runs this: compiled once (xinfang.prepared).
_CASE = Prepared(
    lambda pk: Petition.objects.filter(pk=pk).select_related(
        "registering_unit", "handling_unit", "category__parent", "complained_unit", "created_by"
    ),
    pk=int,
)


def access_petition(user: User, petition_id: int | str, *, write: bool = False) -> Petition:
    """The only way to reach one case: cases registered by or held by the user's scope, and cases in
    which a unit of the scope has a duty (协办 and the other duties of a 交办 package). Transitions
    check on top of this which unit holds the step (workflow.services). The scope is decided from
    the units' paths (``in_scope``), so a request reads the case and nothing else."""
    try:
        pk = int(petition_id)
    except (TypeError, ValueError):
        raise PetitionNotFound from None
    petition = _CASE.first(pk=pk)
    if petition is None or not _reachable(user, petition):
        raise PetitionNotFound
    return petition


def _reachable(user: User, petition: Petition) -> bool:
    if in_scope(user, petition.registering_unit) or in_scope(user, petition.handling_unit):
        return True
    return any(in_scope(user, duty.unit) for duty in assignments_of(petition))


def identity_hidden_q(user: User) -> Q:
    """Cases whose petitioners this user must not see: 检举控告 against the user's own unit or a
    unit above it (条例第三十条、第四十六条: the accuser's identity never reaches the accused)."""
    if user.unit is None:
        return Q(request_class=RequestClass.ACCUSATION)
    return Q(request_class=RequestClass.ACCUSATION, complained_unit_id__in=user.unit.ancestor_ids)


def identity_visible(user: User, petition: Petition) -> bool:
    if petition.request_class != RequestClass.ACCUSATION or petition.complained_unit_id is None:
        return petition.request_class != RequestClass.ACCUSATION or user.unit is not None
    return user.unit is not None and petition.complained_unit_id not in user.unit.ancestor_ids


def notices_visible(user: User, petition: Petition) -> bool:
    """Every notice names the petitioner (the addressee, or the person whose matter a 交办单
    passes on), so a user hidden from the identity gets no notice of the case at all: not listed,
    not downloadable (条例第三十条、第四十六条)."""
    return identity_visible(user, petition)


# A petitioner's name is resolved to case ids first; an OR-ed subquery forces a row-by-row filter.
NAME_MATCH_LIMIT = 1000


def search_petitions(user: User, q: str) -> QuerySet[Petition]:
    """Search box: a case number, a 身份证号, a phone number, a petitioner's name or Chinese keywords.
    Identity lookups never return 检举控告 cases whose accuser is hidden from this user."""
    base = visible_petitions(user)
    found = classify_query(q)
    if not found.value:
        return base
    if found.kind == "case_number":
        return base.filter(case_number=found.value)
    if found.kind in ("id_number", "phone"):
        links = PetitionPetitioner.objects.filter(**{f"petitioner__{found.kind}": found.value})
        return base.filter(pk__in=links.values("petition_id")).exclude(identity_hidden_q(user))
    terms = query_terms(found.value)
    named = list(
        PetitionPetitioner.objects.filter(petitioner__name=found.value).values_list("petition_id", flat=True)[
            :NAME_MATCH_LIMIT
        ]
    )
    by_name = Q(pk__in=named) & ~identity_hidden_q(user) if named else Q(pk__in=[])
    if not terms:
        return base.filter(by_name)
    return base.filter(keyword_q(terms) | by_name)


def duty_petition_ids(user: User) -> list[int]:
    """Cases in which a unit of the user's scope holds an active duty of a 交办 package (协办 and the
    五虎牧羊阵 duties) without registering or holding the case."""
    ids = scope_unit_ids(user)
    if not ids:
        return []
    return list(
        Assignment.objects.filter(unit_id__in=ids, status__in=ACTIVE_ASSIGNMENT)
        .values_list("petition_id", flat=True)
        .distinct()
    )


def work_queue(user: User, *, sort: str = "due") -> QuerySet[Petition]:
    """Open cases of the user's scope and open cases in which the scope holds a duty, by deadline
    (default) or by received date."""
    ids = scope_unit_ids(user)
    if not ids:
        return Petition.objects.none()
    scope = Q(registering_unit_id__in=ids) | Q(handling_unit_id__in=ids)
    if duties := duty_petition_ids(user):
        scope |= Q(pk__in=duties)
    return Petition.objects.filter(scope, is_open=True).order_by(*ordering_for(user, sort))
