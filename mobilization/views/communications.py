"""Communication activities: loudspeaker announcements, bulletin board posts, meetings,
leaflets and Zalo messages, logged by officials and by village heads and workers for
their own villages."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mobilization import services  # services.communication_delete: the view has its name
from mobilization.forms import CommunicationForm, VillageMonthFilter
from mobilization.models import CommunicationActivity, WorkerGroup
from mobilization.selectors import communications_visible_to, models_offered_in
from mobilization.services import communication_record, communication_update
from softbridge.paging import page_of
from softbridge.submissions import answered_once, recorded_once, refusal_status
from villages.access import (
    communes_managed_by,
    may_change_outreach,
    may_delete_outreach,
    villages_open_to_outreach,
)
from villages.selectors import deny_unless_outreach, villages_visible_to

# --- Views


@login_required
def communications(request):
    visible = communications_visible_to(request.user)
    filters = VillageMonthFilter(
        request.GET or None, villages=villages_visible_to(request.user).order_by("commune__code", "code")
    )
    queryset = filters.filter(visible, village_path="villages", date_path="held_on")
    totals = queryset.aggregate(count=Count("id"), reach=Sum("reach"))
    queryset = queryset.select_related("group").prefetch_related("villages").order_by("-held_on", "-id")
    page = page_of(request, queryset)
    editable = set()
    if page.object_list:
        editable = _editable_ids(request.user, [a.pk for a in page.object_list])
    return render(
        request,
        "mobilization/communication_list.html",
        {
            "filters": filters,
            "page": page,
            "totals": totals,
            "editable": editable,
            "may_create": villages_open_to_outreach(request.user).exists(),
        },
    )


def _editable_ids(user, ids: list[int]) -> set[int]:
    """Which of these activities the user may change, in two queries whatever their number."""
    through = CommunicationActivity.villages.through
    managed = CommunicationActivity.objects.filter(
        id__in=ids, commune__in=communes_managed_by(user).values("id")
    ).values_list("id", flat=True)
    outside = (
        through.objects.filter(communicationactivity__in=ids)
        .exclude(village__in=villages_open_to_outreach(user).values("id"))
        .values_list("communicationactivity", flat=True)
    )
    with_villages = through.objects.filter(communicationactivity__in=ids).values_list(
        "communicationactivity", flat=True
    )
    return set(managed) | (set(with_villages) - set(outside))


@login_required
@answered_once
def communication_new(request):
    villages = villages_open_to_outreach(request.user).order_by("commune__code", "code")
    if not villages.exists():
        raise PermissionDenied
    if request.method == "POST":
        deny_unless_outreach(request.user, request.POST.getlist("villages"))
    form = CommunicationForm(
        request.POST or None,
        villages=villages,
        groups=WorkerGroup.objects.filter(commune__in=villages.values("commune")),
        models=models_offered_in(villages),
        initial={"submission_key": uuid.uuid4()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        activity = recorded_once(
            form,
            CommunicationActivity,
            lambda: communication_record(
                commune_id=data["commune_id"],
                **CommunicationActivity.entered_in(data),
                recorded_by=request.user,
                submission_key=data["submission_key"],
                model=data["model"],
            ),
            user=request.user,
        )
        if activity is not None:
            messages.success(
                request,
                _("The %(channel)s of %(date)s was logged.")
                % {
                    "channel": activity.get_channel_display(),
                    "date": date_format(activity.held_on, "SHORT_DATE_FORMAT"),
                },
            )
            return redirect("program:communications")
    return render(
        request, "mobilization/communication_form.html", {"form": form}, status=refusal_status(form)
    )


@login_required
@answered_once
def communication_edit(request, pk):
    activity = get_object_or_404(communications_visible_to(request.user), pk=pk)
    if not may_change_outreach(request.user, activity):
        raise PermissionDenied
    villages = villages_open_to_outreach(request.user).filter(commune=activity.commune_id).order_by("code")
    if request.method == "POST":
        deny_unless_outreach(request.user, request.POST.getlist("villages"))
    form = CommunicationForm(
        request.POST or None,
        instance=activity,
        villages=villages,
        groups=WorkerGroup.objects.filter(commune=activity.commune_id),
        models=models_offered_in(villages),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            communication_update(
                activity=activity, **CommunicationActivity.entered_in(data), model=data["model"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The activity was saved."))
            return redirect("program:communications")
    return render(
        request,
        "mobilization/communication_form.html",
        {"form": form, "activity": activity, "may_delete": may_delete_outreach(request.user, activity)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def communication_delete(request, pk):
    activity = get_object_or_404(communications_visible_to(request.user), pk=pk)
    if not may_delete_outreach(request.user, activity):
        raise PermissionDenied
    if request.method == "POST":
        services.communication_delete(activity=activity)
        messages.success(request, _("The activity was deleted."))
        return redirect("program:communications")
    return render(request, "mobilization/communication_confirm_delete.html", {"activity": activity})
