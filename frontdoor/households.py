"""The household list and a household's page: the register's households with the program's
visits and follow-ups and training's attendance beside them.

They read three apps, so they live on the roof; the register's own pages (villages.views)
change households and members. Every view starts from the scoped selectors: a household
outside the user's area answers 404.
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from mobilization.selectors import (
    follow_up_overdue_exists,
    household_applications,
    household_visits,
    visited_exists,
)
from softbridge.calendar import commune_today
from training.selectors import household_attendances
from villages.access import (
    NationalIdsShown,
    may_edit_register,
    may_log_outreach,
    may_read_history,
    villages_editable_by,
)
from villages.forms import HouseholdFilterForm
from villages.models import Achievement, Resident
from villages.selectors import (
    earlier_stays,
    households_visible_to,
    member_card,
    moved_out_of,
    villages_visible_to,
    with_list_columns,
)

PAGE_SIZE = 25
FILTERS = ("village", "not_visited", "without_eid", "not_level34", "overdue")


@login_required
def households(request):
    """The household list: search as you type, filters, pages."""
    form = HouseholdFilterForm(request.GET, villages=villages_visible_to(request.user))
    found = with_list_columns(
        form.filter(
            households_visible_to(request.user),
            viewer=request.user,
            visited=visited_exists(),
            overdue=follow_up_overdue_exists(commune_today()),
        )
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "may_create": villages_editable_by(request.user).exists(),
        "filters_active": any(request.GET.get(name) for name in FILTERS),
    }
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "villages/household_results.html", context)
    return render(request, "villages/household_list.html", context)


def _achievement_labels(codes) -> list[str]:
    return [Achievement(code).label for code in codes if code in Achievement.values]


@login_required
def household(request, pk: int):
    """A household's members and their ladders, visits, sessions attended and applications."""
    household = get_object_or_404(
        households_visible_to(request.user).select_related("village", "commune"), pk=pk
    )
    members = list(household.members.prefetch_related(earlier_stays()))
    present = sorted(
        (m for m in members if m.left_on is None), key=lambda m: (m.relation != Resident.Relation.HEAD, m.pk)
    )
    visits = list(household_visits(household))
    for visit in visits:
        for helped in visit.helped.all():
            helped.achievement_labels = _achievement_labels(helped.achievements)
    attendances = list(household_attendances(household))
    for attendance in attendances:
        attendance.achievement_labels = _achievement_labels(attendance.achievements)
    may_edit = may_edit_register(request.user, household.village)
    national_ids = NationalIdsShown(request.user)  # one query for every member's card
    return render(
        request,
        "villages/household_detail.html",
        {
            "household": household,
            "members": [member_card(m, national_ids) for m in present],
            "former_members": [m for m in members if m.left_on is not None],
            "moved_out": moved_out_of(household),
            "visits": visits,
            "attendances": attendances,
            "applications": household_applications(household),
            "may_edit": may_edit,
            "may_log": may_log_outreach(request.user, household.village),
            "show_history": may_read_history(request.user, household.commune_id),
            "today": commune_today(),
        },
    )
