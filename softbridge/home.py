"""The home page: what the user's area stands at this month and the follow-ups due, from every app."""

import datetime

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import redirect, render

from mobilization.selectors import follow_ups_due
from reports.selectors.adoption import adoption_overview
from villages.access import reads_aggregates_only
from villages.calendar import commune_today, month_start
from villages.models import Role
from villages.selectors import households_visible_to, villages_visible_to


@login_required
def home(request):
    """The landing page fits the role: a worker's households and follow-ups, a village's
    status for its head, the commune for officials, the dashboard link for leaders; a
    province leader's is the province dashboard."""
    if reads_aggregates_only(request.user):
        return redirect("reports:province")
    today = commune_today()
    kinds = set(Role.objects.filter(user=request.user).values_list("kind", flat=True))
    in_charge = households_visible_to(request.user).filter(worker_in_charge__user=request.user)
    follow_ups = (
        follow_ups_due(request.user, today=today, mine_only=Role.Kind.WORKER in kinds)
        .select_related("household__village")
        .order_by("follow_up_on")
    )
    villages = list(
        villages_visible_to(request.user)
        .select_related("commune")
        .annotate(households_count=Count("households", distinct=True))
        .order_by("code")
    )
    _with_adoption(villages, month_start(today))
    return render(
        request,
        "home.html",
        {
            "kinds": kinds,
            "today": today,
            "follow_ups": follow_ups[:20],
            "in_charge": in_charge.select_related("village")[:50],
            "villages": villages,
            "show_villages": bool(kinds & {Role.Kind.VILLAGE_HEAD, Role.Kind.OFFICIAL, Role.Kind.LEADER})
            or request.user.is_superuser,
        },
    )


def _with_adoption(villages: list, month: datetime.date) -> None:
    """Sets each village's `adoption`: its figures at the end of `month`, counted as the
    dashboard counts them (docs/domain.md's eligible residents, reports.selectors.adoption). A fixed
    number of queries per commune, however many villages."""
    by_commune = {}
    for village in villages:
        by_commune.setdefault(village.commune, []).append(village)
    for commune, theirs in by_commune.items():
        _series, found = adoption_overview(
            commune=commune, months=[month], villages=theirs, village_months=[month]
        )
        for village, [figures] in found:
            village.adoption = figures
