"""Staff pages of detection: a person's history (with merges and the 老户 flag), identity candidates
at intake, the likely earlier matters of a petition with one-click linking, and identity reviews.
Function views; a case is reached only through ``access_petition``, a person through
``selectors.access_person``."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from xinfang.audit.services import audit_record, client_ip
from xinfang.cases.access import PetitionNotFound, access_petition
from xinfang.detection import panels, selectors, services
from xinfang.detection.models import IdentityReview, LinkKind, PetitionerMerge
from xinfang.errors import ActionRefused
from xinfang.lib.idcard import mask, mask_phone
from xinfang.orgs.models import User
from xinfang.workflow import services as workflow

View = Callable[..., HttpResponse]


def registrar_required(view: View) -> View:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.can_register:  # type: ignore[union-attr]  # login_required: an authenticated User
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]  # login_required: an authenticated User


@login_required
@require_safe
def person(request: HttpRequest, petitioner_id: int) -> HttpResponse:
    """Every petition of the person the user may see, across channels, levels and units."""
    user = _user(request)
    who = selectors.access_person(user, petitioner_id)
    petitions = list(selectors.person_petitions(user, who))
    audit_record(
        actor=user,
        action="personal_data.view",
        obj=who,
        detail={"petitioners": [who.pk], "via": "person_page"},
        ip=client_ip(request),
    )
    candidates = [
        c
        for c in selectors.identity_candidates(
            user, name=who.name, id_number=who.id_number, phone=who.phone, address=who.address
        )
        if c.petitioner.pk != who.pk
    ]
    context = {
        "person": who,
        "id_shown": who.id_number if user.sees_full_identity_in_lists else mask(who.id_number),
        "phone_shown": who.phone if user.sees_full_identity_in_lists else mask_phone(who.phone),
        "petitions": petitions,
        "old_hand": selectors.old_hand(petitions),
        "other_names": selectors.shared_id_names(who),
        "candidates": candidates,
        "merges": list(selectors.merges_of(who)),
        "can_merge": user.can_register,
    }
    return render(request, "detection/person.html", context)


@registrar_required
@require_POST
def merge(request: HttpRequest, petitioner_id: int) -> HttpResponse:
    """Merge another record (``source``) into this person."""
    user = _user(request)
    target = selectors.access_person(user, petitioner_id)
    try:
        source = selectors.access_person(user, request.POST.get("source", ""))
        services.petitioner_merge(
            source=source, target=target, actor=user, reason=request.POST.get("reason", "")
        )
    except PetitionNotFound:
        messages.error(request, _("The record to merge was not found."))
    except ActionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The records were merged; the merge can be undone below."))
    return redirect("detection:person", petitioner_id=target.pk)


@registrar_required
@require_POST
def merge_undo(request: HttpRequest, merge_id: int) -> HttpResponse:
    user = _user(request)
    record = get_object_or_404(PetitionerMerge, pk=merge_id)
    selectors.access_person(user, record.target_id)
    try:
        services.petitioner_merge_undo(merge=record, actor=user)
    except ActionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The merge was undone."))
    return redirect("detection:person", petitioner_id=record.target_id)


@registrar_required
@require_safe
def identity(request: HttpRequest) -> HttpResponse:
    """Intake: who may this petitioner be? (name with 身份证号, phone or address)"""
    user = _user(request)
    q = {k: request.GET.get(k, "").strip()[:200] for k in ("name", "id_number", "phone", "address")}
    found = (
        selectors.identity_candidates(
            user, name=q["name"], id_number=q["id_number"], phone=q["phone"], address=q["address"]
        )
        if q["name"] or q["id_number"]
        else []
    )
    return render(request, "detection/identity.html", {"q": q, "candidates": found})


@login_required
@require_safe
def similar(request: HttpRequest, petition_id: int) -> HttpResponse:
    """The likely earlier matters of a petition, with one-click linking."""
    user = _user(request)
    petition = access_petition(user, petition_id)
    context = {
        "petition": petition,
        "candidates": selectors.similar_to(user, petition),
        "threshold": selectors.SAME_MATTER_THRESHOLD,
        "can_link": user.can_register,
        "decisions": list(petition.matter_decisions.select_related("target", "actor")),
    }
    return render(request, "detection/similar.html", context)


@registrar_required
@require_POST
def link(request: HttpRequest, petition_id: int) -> HttpResponse:
    user = _user(request)
    kind = request.POST.get("kind", "")
    raw_target = request.POST.get("target", "")
    try:
        target = int(raw_target) if raw_target and kind != LinkKind.NEW else None
        services.matter_link_by_id(actor=user, petition_id=petition_id, kind=kind, target_id=target)
    except ValueError:
        messages.error(request, _("Earlier matter: give the id of the earlier petition."))
    except ActionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The decision was recorded."))
    return _back(request) or redirect("detection:similar", petition_id=petition_id)


@registrar_required
@require_POST
def refuse(request: HttpRequest, petition_id: int) -> HttpResponse:
    """Confirm a proposed 不予受理 (条例第十九条第三款) or 不再受理 (第三十六条). The proposal is computed
    again here, so only a refusal the rules propose now can be confirmed."""
    user = _user(request)
    petition = access_petition(user, petition_id, write=True)
    ground = request.POST.get("ground", "")
    proposal = next((p for p in panels.refusal_proposals(user, petition) if p.ground == ground), None)
    if proposal is None:
        messages.error(request, _("No refusal is proposed for this petition any more."))
    else:
        try:
            workflow.refusal_confirm(petition=petition, actor=user, proposal=proposal)
        except ActionRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The refusal was recorded and its notice issued."))
    return _back(request) or redirect("petitions:detail", petition_id=petition_id)


def _back(request: HttpRequest) -> HttpResponse | None:
    """Back to the page the form was on (``next``), when it is a page of this site."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return None


@registrar_required
@require_safe
def reviews(request: HttpRequest) -> HttpResponse:
    """身份证号 recorded under different names, to check. Only those of people the user may see."""
    user = _user(request)
    scope_ids = set(selectors.identity_scope(user).values_list("pk", flat=True)[:100000])
    rows = [r for r in selectors.open_reviews()[:500] if scope_ids.intersection(r.petitioners)]
    return render(request, "detection/reviews.html", {"reviews": rows})


@registrar_required
@require_POST
def review_resolve(request: HttpRequest, review_id: int) -> HttpResponse:
    user = _user(request)
    review = get_object_or_404(IdentityReview, pk=review_id)
    if not selectors.identity_scope(user).filter(pk__in=review.petitioners).exists():
        raise PetitionNotFound
    try:
        services.identity_review_resolve(review=review, actor=user, note=request.POST.get("note", ""))
    except ActionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The review was resolved."))
    return redirect("detection:reviews")
