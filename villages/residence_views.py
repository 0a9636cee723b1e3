"""Where residents live, in the browser: a member moving to another household of the commune (or
coming back to it), a household splitting (tách hộ), and a new head of household.

Each page starts from the household's page and its scoped selectors, as villages.views does:
a household outside the user's area answers 404, one they may read but not keep 403
(villages.access.may_edit_register, officials and the village's heads). The household a member
moves to is one the user may see in the same commune, found by searching as you type.
Every write is one service of villages.services, as the API and the importer call it.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from softbridge.calendar import commune_today
from softbridge.submissions import answered_once
from softbridge.text import search_text
from villages import services
from villages.access import villages_editable_by
from villages.between_communes import arrival_record
from villages.forms import HeadForm, MoveForm, SplitForm
from villages.models import Household, Resident
from villages.selectors import households_matching, households_visible_to, with_list_columns
from villages.views import _editable_household, to_new_head

OPTIONS_SHOWN = 10
MIN_SEARCH_LENGTH = 2


def _add_errors(form, error: ValidationError, fields: dict[str, str | None]) -> None:
    """A service's refusals next to the form's field they name (`fields` maps the service's
    names to the form's), the rest at the top."""
    for field, field_errors in error.message_dict.items():
        name = fields.get(field, field)
        for message in field_errors:
            form.add_error(name if name in form.fields else None, message)


def _destinations(request, household: Household):
    """Households a member of `household` may move to: those the user sees in its commune."""
    return households_visible_to(request.user).filter(commune=household.commune_id)


def _options(request, household: Household, text: str, exclude: int | None) -> list[Household]:
    if len(text) < MIN_SEARCH_LENGTH:
        return []
    found = households_matching(_destinations(request, household), text, viewer=request.user)
    if exclude is not None:
        found = found.exclude(pk=exclude)
    return list(with_list_columns(found)[:OPTIONS_SHOWN])


@login_required
@require_http_methods(["GET", "POST"])
@answered_once
def member_move(request, pk: int, member_pk: int):
    """A member moved to another household of the commune on a date, or, for a member who
    had moved away, came back (to this household or another)."""
    household = _editable_household(request, pk)
    member = get_object_or_404(
        household.members.exclude(left_reason=Resident.LeftReason.DIED).select_related("household"),
        pk=member_pk,
    )
    returning = member.left_on is not None
    # A member who lives here moves elsewhere; one coming back may come back here.
    exclude = None if returning else household.pk
    households = _destinations(request, household)
    if exclude is not None:
        households = households.exclude(pk=exclude)
    q = search_text(request.GET.get("q", "") or request.POST.get("q", ""))
    if request.method == "POST":
        form = MoveForm(request.POST, households=households)
        if form.is_valid():
            data = form.cleaned_data
            # The head leaves this household (not one coming back to it): it needs a new head.
            was_head = member.relation == Resident.Relation.HEAD and not returning
            try:
                with transaction.atomic():
                    moved = services.resident_move(
                        resident=member,
                        household=data["household"],
                        on=data["on"],
                        relation=data["relation"] or None,
                    )
                    if returning:  # back from another commune of the province, maybe
                        arrival_record(resident=moved)
            except ValidationError as error:
                _add_errors(form, error, {})
            else:
                messages.success(
                    request,
                    _("%(name)s lives in household %(code)s from %(date)s.")
                    % {
                        "name": moved.full_name,
                        "code": data["household"].code,
                        "date": data["on"].isoformat(),
                    },
                )
                if was_head and data["household"] != household:
                    return to_new_head(request, household, moved)
                return redirect("villages:household", pk=data["household"].pk)
    else:
        initial = {"on": commune_today()}
        if returning:
            initial["household"] = household.pk
        form = MoveForm(households=households, initial=initial)
    chosen = form["household"].value()
    chosen_household = households.filter(pk=chosen).first() if str(chosen or "").isdigit() else None
    return render(
        request,
        "villages/member_move.html",
        {
            "form": form,
            "household": household,
            "member": member,
            "returning": returning,
            "q": q,
            "options": _options(request, household, q, exclude),
            "searched": len(q) >= MIN_SEARCH_LENGTH,
            "chosen": chosen_household,
            "may_split": not returning,
        },
    )


@login_required
@require_GET
def household_options(request, pk: int):
    """The households a member of household `pk` may move to, matching what is typed (htmx)."""
    household = _editable_household(request, pk)
    q = search_text(request.GET.get("q", ""))
    exclude = None if request.GET.get("returning") == "1" else household.pk
    return render(
        request,
        "villages/household_options.html",
        {
            "options": _options(request, household, q, exclude),
            "q": q,
            "searched": len(q) >= MIN_SEARCH_LENGTH,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@answered_once
def household_split(request, pk: int):
    """A household split (tách hộ): some members set up a new household, one of them its head."""
    household = _editable_household(request, pk)
    members = household.members.filter(left_on__isnull=True).order_by("pk")
    villages = villages_editable_by(request.user).filter(commune=household.commune_id).order_by("code")
    if request.method == "POST":
        form = SplitForm(request.POST, members=members, villages=villages)
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = _split(household, data, request.user)
            except ValidationError as error:
                _add_errors(form, error, {"members": "members", "head": "head"})
            else:
                messages.success(
                    request,
                    _("Household %(code)s set up by %(count)s members of household %(old)s.")
                    % {"code": created.code, "count": len(data["members"]), "old": household.code},
                )
                return redirect("villages:household", pk=created.pk)
    else:
        chosen = [m for m in request.GET.getlist("members") if m.isdigit()]
        form = SplitForm(
            members=members,
            villages=villages,
            initial={
                "members": chosen,
                "head": chosen[0] if chosen else None,
                "village": household.village_id,
                "on": commune_today(),
            },
        )
    return render(request, "villages/household_split.html", {"form": form, "household": household})


def _split(household: Household, data: dict, by) -> Household:
    if data["head"] not in data["members"]:
        raise ValidationError({"head": _("The new head is one of the members who move.")})
    return services.household_split(
        household=household,
        members=data["members"],
        head=data["head"],
        on=data["on"],
        new_household=Household(
            village=data["village"],
            code=data["code"],
            address=household.address,
            worker_in_charge_id=household.worker_in_charge_id,
        ),
        by=by,
    )


@login_required
@require_http_methods(["GET", "POST"])
@answered_once
def household_head(request, pk: int):
    """Change the head of household, in one step that leaves exactly one head."""
    household = _editable_household(request, pk)
    members = household.members.filter(left_on__isnull=True).order_by("pk")
    if request.method == "POST":
        form = HeadForm(request.POST, members=members)
        if form.is_valid():
            try:
                head = services.household_head_change(
                    household=household,
                    head=form.cleaned_data["head"],
                    former_head_relation=form.cleaned_data["former_head_relation"],
                )
            except ValidationError as error:
                _add_errors(form, error, {})
            else:
                messages.success(
                    request,
                    _("%(name)s is the head of household %(code)s.")
                    % {"name": head.full_name, "code": household.code},
                )
                return redirect("villages:household", pk=household.pk)
    else:
        current = members.filter(relation=Resident.Relation.HEAD).first()
        form = HeadForm(members=members, initial={"head": current.pk if current else None})
    return render(request, "villages/household_head.html", {"form": form, "household": household})
