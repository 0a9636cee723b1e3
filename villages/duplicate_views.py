"""The officials' pages for probable duplicates: the list of a commune's groups, and the
confirmation page that merges two records of one person (villages.duplicates,
villages.services.residents_merge). Only a commune's officials open them
(access.may_merge_residents): anyone else who may see the record gets 403, a record outside
their area 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from softbridge.paging import page_of
from softbridge.submissions import answered_once
from villages.access import NationalIdsShown, communes_managed_by, may_merge_residents
from villages.duplicates import duplicate_group_members, duplicate_groups, duplicates_of, merge_refusal
from villages.models import Resident
from villages.selectors import residents_visible_to
from villages.services import residents_merge


@login_required
@require_http_methods(["GET"])
def duplicates(request):
    """The probable duplicates of the communes where the user is an official, a page of groups
    at a time, each with why its records matched."""
    communes = communes_managed_by(request.user)
    if not communes.exists():
        raise PermissionDenied
    page = page_of(request, duplicate_groups(Resident.objects.filter(commune__in=communes.values("pk"))))
    groups = duplicate_group_members(list(page.object_list), viewer=request.user)
    return render(request, "villages/duplicates.html", {"page": page, "groups": groups})


def _other_record(request, kept: Resident) -> Resident | None:
    """The record named by the `other` parameter, of the kept record's commune (else 404)."""
    raw = request.POST.get("other") if request.method == "POST" else request.GET.get("other")
    if not raw:
        return None
    if not str(raw).isdigit():
        raise ValidationError(_("Choose the record to merge into this one."))
    return get_object_or_404(
        Resident.objects.filter(commune_id=kept.commune_id).select_related("household__village"), pk=int(raw)
    )


@login_required
@require_http_methods(["GET", "POST"])
@answered_once
def duplicate_merge(request, pk: int):
    """Merge the record named by `other` into this one: the two side by side, then a POST
    (with a submission key: a double tap merges once). Without `other`, this record's probable
    duplicates to choose from."""
    kept = get_object_or_404(residents_visible_to(request.user).select_related("household__village"), pk=pk)
    if not may_merge_residents(request.user, kept.commune_id):
        raise PermissionDenied
    error = None
    try:
        other = _other_record(request, kept)
    except ValidationError as refused:
        other, error = None, refused.messages[0]
    if request.method == "POST":
        if other is None:
            error = error or _("Choose the record to merge into this one.")
        else:
            try:
                residents_merge(kept=kept, other=other, by=request.user)
            except ValidationError as refused:
                error = " ".join(refused.messages)
            else:
                messages.success(
                    request,
                    _("The two records of %(name)s are one now; the other is kept in the history.")
                    % {"name": kept.full_name},
                )
                return redirect(reverse("villages:duplicates"))
    elif other is not None:
        error = merge_refusal(kept=kept, other=other)
    national_ids = NationalIdsShown(request.user)
    for record in (kept, other):
        if record is not None:
            record.shown_national_id = national_ids.number(record.national_id, record.commune_id)
    candidates = list(duplicates_of(kept)) if other is None else []
    for record in candidates:
        record.shown_national_id = national_ids.number(record.national_id, record.commune_id)
    return render(
        request,
        "villages/duplicate_merge.html",
        {"kept": kept, "other": other, "error": error, "candidates": candidates},
        status=200,
    )
