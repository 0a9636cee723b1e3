"""The register in the browser: the village head's updates to households and their members.

The household list and a household's page show the program's visits and training's
attendance too, so they are the roof's (frontdoor.households).

Every view starts from the scoped selectors: a household outside the user's area answers
404. Changing the register needs access.may_edit_register (officials and the village's
heads); a user who may see the household but not change it gets 403.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.forms import Form
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from softbridge.calendar import commune_today
from softbridge.security_log import security_event
from softbridge.submissions import answered_once
from softbridge.typed_ids import row_id
from softbridge.versions import StaleWrite
from villages.access import (
    NationalIdsShown,
    household_code_refusal,
    may_edit_register,
    may_read_history,
    national_id_taken_message,
    villages_editable_by,
)
from villages.between_communes import arrival_record, departure_destination_record
from villages.forms import (
    DepartureForm,
    HouseholdCreateForm,
    HouseholdForm,
    LadderForm,
    ResidentForm,
)
from villages.models import Household, LadderStep, Resident
from villages.selectors import households_visible_to, member_card, with_next_step
from villages.services import (
    household_update,
    resident_departure_record,
    resident_ladder_advance,
    resident_update,
)


def _visible_household(request, pk: int) -> Household:
    return get_object_or_404(households_visible_to(request.user).select_related("village", "commune"), pk=pk)


def _editable_household(request, pk: int) -> Household:
    household = _visible_household(request, pk)
    if not may_edit_register(request.user, household.village):
        raise PermissionDenied
    return household


def _member(household: Household, pk: int) -> Resident:
    """A present member of the household (departed members are history, not edited here)."""
    return get_object_or_404(household.members.filter(left_on__isnull=True), pk=pk)


def _stale_values(form: Form, current) -> list[tuple[str, object]]:
    """The stored values of the fields a stale form edits, for the person to compare."""
    values = []
    for name, field in form.fields.items():
        if name == "version":
            continue
        display = getattr(current, f"get_{name}_display", None)
        value = display() if display else getattr(current, name)
        if name == "national_id":
            value = NationalIdsShown(form.viewer).number(value, current.commune_id)
        if isinstance(value, bool):
            value = _("yes") if value else _("no")
        values.append((field.label, value))
    return values


def _save_versioned(request, form_class, instance, *, update, **form_kwargs):
    """Validate an edit and save it through `update` (household_update, resident_update),
    which refuses it when the record moved on since it was read.

    Returns (saved, form, stale_values). On a stale write the form keeps what the person
    typed, now carries the current version (saving again overwrites knowingly), and
    stale_values lists what is stored.
    """
    form = form_class(request.POST, instance=instance, **form_kwargs)
    if not form.is_valid():
        return False, form, None
    try:
        update(form.instance, version=form.cleaned_data["version"])
    except ValidationError as error:
        for field, messages_ in error.message_dict.items():
            for message in messages_:
                form.add_error(field if field in form.fields else None, message)
        return False, form, None
    except StaleWrite as stale:
        security_event(request, "stale_write_refused", model=instance._meta.label_lower, record=instance.pk)
        current = stale.record
        data = request.POST.copy()
        data["version"] = str(current.version)
        # A second fresh copy for the form: validating writes the typed values into its instance.
        form = form_class(data, instance=type(instance).objects.get(pk=instance.pk), **form_kwargs)
        form.is_valid()
        form.add_error(None, stale.message)
        return False, form, _stale_values(form, current)
    return True, form, None


@login_required
@require_http_methods(["GET", "POST"])
@answered_once
def household_edit(request, pk: int):
    household = _editable_household(request, pk)
    stale = None
    if request.method == "POST":
        saved, form, stale = _save_versioned(
            request,
            HouseholdForm,
            household,
            update=lambda h, version: household_update(household=h, version=version),
        )
        if saved:
            messages.success(request, _("Household %(code)s saved.") % {"code": household.code})
            return redirect("villages:household", pk=household.pk)
    else:
        form = HouseholdForm(instance=household)
    return render(
        request, "villages/household_form.html", {"form": form, "household": household, "stale": stale}
    )


@login_required
@require_http_methods(["GET", "POST"])
@answered_once
def household_create(request):
    villages = villages_editable_by(request.user)
    if not villages.exists():
        raise PermissionDenied
    if request.method == "POST":
        form = HouseholdCreateForm(request.POST, villages=villages, user=request.user)
        if form.is_valid():
            try:
                # A savepoint: answered_once holds a transaction open around the view.
                with transaction.atomic():
                    created = form.save()
            except IntegrityError:
                # Someone saved the same code between the check and the save.
                village = form.cleaned_data["village"]
                code = form.cleaned_data["code"]
                form.add_error(
                    "code",
                    household_code_refusal(request.user, commune_id=village.commune_id, code=code)
                    or _("Another household of this commune already has this code."),
                )
            else:
                messages.success(request, _("Household %(code)s added.") % {"code": created.code})
                return redirect("villages:household", pk=created.pk)
    else:
        initial = {}
        only = list(villages[:2])
        if len(only) == 1:
            initial["village"] = only[0]
        village_id = request.GET.get("village", "")
        if row_id(village_id) is not None and villages.filter(pk=village_id).exists():
            initial["village"] = int(village_id)
        form = HouseholdCreateForm(villages=villages, initial=initial)
    return render(request, "villages/household_form.html", {"form": form, "household": None})


@login_required
@require_http_methods(["GET", "POST"])
@answered_once
def member_create(request, pk: int):
    household = _editable_household(request, pk)
    member = Resident(household=household)
    if request.method == "POST":
        form = ResidentForm(request.POST, instance=member, viewer=request.user)
        if form.is_valid():
            try:
                with transaction.atomic():
                    created = form.save()
                    # The number of a person living in another commune of the province: their move here.
                    arrival_record(resident=created)
            except IntegrityError:
                # Someone saved the same number between the check and the save.
                form.national_id_refused = True
                form.add_error("national_id", national_id_taken_message(request.user, household.commune_id))
            else:
                messages.success(request, _("%(name)s added to the household.") % {"name": created.full_name})
                return redirect("villages:household", pk=household.pk)
        _log_refused_national_id(request, form, household)
    else:
        form = ResidentForm(instance=member, viewer=request.user)
    return render(
        request, "villages/member_form.html", {"form": form, "household": household, "member": None}
    )


@login_required
@require_http_methods(["GET", "POST"])
@answered_once
def member_edit(request, pk: int, member_pk: int):
    household = _editable_household(request, pk)
    member = _member(household, member_pk)
    stale = None
    if request.method == "POST":
        try:
            saved, form, stale = _save_versioned(
                request,
                ResidentForm,
                member,
                update=lambda r, version: resident_update(resident=r, version=version),
                viewer=request.user,
            )
        except IntegrityError:
            saved = False
            form = ResidentForm(request.POST, instance=_member(household, member_pk), viewer=request.user)
            form.is_valid()
            form.national_id_refused = True
            form.add_error("national_id", national_id_taken_message(request.user, household.commune_id))
        if saved:
            messages.success(request, _("%(name)s saved.") % {"name": form.instance.full_name})
            return redirect("villages:household", pk=household.pk)
        _log_refused_national_id(request, form, household)
    else:
        form = ResidentForm(instance=member, viewer=request.user)
    return render(
        request,
        "villages/member_form.html",
        {"form": form, "household": household, "member": member, "stale": stale},
    )


def _log_refused_national_id(request, form: ResidentForm, household: Household) -> None:
    # Typing numbers to see which are taken is how the register would be probed.
    if form.national_id_refused:
        security_event(
            request, "national_id_refused", household=household.pk, resident=form.instance.pk or "-"
        )


def _ladder_record(member: Resident, form: LadderForm) -> Resident | None:
    """Tick the step: its date becomes the form's unless an earlier one is on record.

    Never a correction: a tick kept on a phone may arrive after a visit that recorded the
    same step earlier, and the earliest date wins. The service decides on the dates it reads
    under the row lock (a date read here, before it, may be stale).
    """
    step = LadderStep(form.cleaned_data["step"])
    try:
        return resident_ladder_advance(resident=member, step=step, on=form.cleaned_data["on"])
    except ValidationError as error:
        for message in error.messages:
            form.add_error("on", message)
        return None


def _ladder_message(member: Resident, step: LadderStep, on: datetime.date) -> str:
    kept = getattr(member, step.field)
    if kept is not None and kept < on:
        return _("%(name)s: %(step)s was already recorded on %(date)s; the earliest date stays.") % {
            "name": member.full_name,
            "step": step.label,
            "date": date_format(kept, "SHORT_DATE_FORMAT"),
        }
    return _("%(name)s: %(step)s recorded.") % {"name": member.full_name, "step": step.label}


@login_required
@require_http_methods(["GET", "POST"])
@answered_once
def member_ladder(request, pk: int, member_pk: int):
    """The quick update of a member's ladder: an htmx swap of the member's card, or a plain form."""
    household = _editable_household(request, pk)
    member = _member(household, member_pk)
    if request.method == "POST":
        form = LadderForm(request.POST)
        updated = _ladder_record(member, form) if form.is_valid() else None
        if updated is not None:
            message = _ladder_message(updated, LadderStep(form.cleaned_data["step"]), form.cleaned_data["on"])
            if request.htmx:
                return render(
                    request,
                    "villages/member_card.html",
                    {
                        "member": member_card(updated, NationalIdsShown(request.user)),
                        "household": household,
                        "may_edit": True,
                        "show_history": may_read_history(request.user, household.commune_id),
                        "today": commune_today(),
                        "saved_message": message,
                    },
                )
            messages.success(request, message)
            return redirect(reverse("villages:household", args=[household.pk]) + f"#member-{updated.pk}")
        if request.htmx:
            return render(
                request,
                "villages/member_card.html",
                {
                    "member": member_card(member, NationalIdsShown(request.user)),
                    "household": household,
                    "may_edit": True,
                    "show_history": may_read_history(request.user, household.commune_id),
                    "today": commune_today(),
                    "ladder_form": form,
                },
            )
    else:
        form = LadderForm(initial={"step": with_next_step(member).next_step, "on": commune_today()})
    return render(
        request, "villages/member_ladder.html", {"form": form, "household": household, "member": member}
    )


def to_new_head(request, household: Household, former: Resident):
    """After the head left (moved away, died, moved to another household): the change of head,
    which the household needs next, with a message saying so; the household's page when no
    member is left to be its head."""
    if not household.members.filter(left_on__isnull=True).exists():
        return redirect("villages:household", pk=household.pk)
    messages.warning(
        request,
        _("%(name)s was the head of household %(code)s: choose its new head.")
        % {"name": former.full_name, "code": household.code},
    )
    return redirect("villages:household_head", pk=household.pk)


@login_required
@require_http_methods(["GET", "POST"])
@answered_once
def member_departure(request, pk: int, member_pk: int):
    """Record that a member moved away or died (a confirmation page; POST only changes)."""
    household = _editable_household(request, pk)
    member = _member(household, member_pk)
    if request.method == "POST":
        form = DepartureForm(request.POST, commune=household.commune)
        if form.is_valid():
            was_head = member.relation == Resident.Relation.HEAD
            try:
                with transaction.atomic():
                    departed = resident_departure_record(
                        resident=member, on=form.cleaned_data["on"], reason=form.cleaned_data["reason"]
                    )
                    if form.cleaned_data.get("to_commune"):
                        departure_destination_record(
                            resident=departed, to_commune=form.cleaned_data["to_commune"]
                        )
            except ValidationError as error:
                fields = {"left_on": "on", "left_reason": "reason", "to_commune": "to_commune"}
                for field, field_errors in error.message_dict.items():
                    for message in field_errors:
                        form.add_error(fields.get(field), message)
            else:
                messages.success(
                    request, _("%(name)s is no longer counted as a member.") % {"name": member.full_name}
                )
                if was_head:
                    return to_new_head(request, household, member)
                return redirect("villages:household", pk=household.pk)
    else:
        form = DepartureForm(initial={"on": commune_today()}, commune=household.commune)
    return render(
        request, "villages/member_departure.html", {"form": form, "household": household, "member": member}
    )
