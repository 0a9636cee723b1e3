"""The page of moves between communes (villages.between_communes): a commune's officials see
who moved away to another commune of the province, who arrived from one, and the conflicts
to settle. What they read of another commune is its name and the dates of a stay; the
people listed are their own commune's records (an arrival's record holds the name, birth
year and ladder dates it came with), so nothing of the other commune's register shows.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from softbridge.calendar import commune_today, not_in_future
from softbridge.submissions import answered_once
from villages.access import NationalIdsShown, communes_managed_by
from villages.between_communes import conflict_resolve, conflicts_of, moves_of
from villages.forms import date_input
from villages.models import Resident


class ResolveForm(forms.Form):
    ended_on = forms.DateField(
        label=gettext_lazy("Ended here on"), widget=date_input(), validators=[not_in_future]
    )


def _managed(request):
    """The communes whose moves the user reads: where they are an official (403 for anyone else;
    a superuser reads every commune's, none when there is none yet)."""
    communes = communes_managed_by(request.user)
    if not request.user.is_superuser and not communes.exists():
        raise PermissionDenied
    return communes


@login_required
@require_GET
def moves(request):
    communes = list(_managed(request).order_by("code"))
    chosen = next((c for c in communes if str(c.pk) == request.GET.get("commune")), communes[0])
    shown = NationalIdsShown(request.user)
    conflicts = [
        (conflict, shown.number(conflict.resident.national_id, chosen)) for conflict in conflicts_of(chosen)
    ]
    out, into = moves_of(chosen)
    return render(
        request,
        "villages/between_communes.html",
        {
            "communes": communes,
            "commune": chosen,
            "moves_out": out[:500],
            "moves_in": into[:500],
            "conflicts": conflicts,
            "form": ResolveForm(initial={"ended_on": commune_today()}),
        },
    )


@login_required
@require_POST
@answered_once
def resolve(request, member_pk: int):
    """End the stay of one of the user's commune's residents on a date: a conflict settled."""
    resident = get_object_or_404(Resident, pk=member_pk, commune__in=_managed(request))
    back = reverse("villages:moves") + f"?commune={resident.commune_id}"
    form = ResolveForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(back)
    try:
        conflict_resolve(resident=resident, ended_on=form.cleaned_data["ended_on"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(name)s no longer lives here from %(date)s.")
            % {
                "name": resident.full_name,
                "date": date_format(form.cleaned_data["ended_on"], "SHORT_DATE_FORMAT"),
            },
        )
    return redirect(back)
