"""A worker group's page and the workers' list and pages: the program's people with the work
they did, visits (the program's) and training sessions (training's) side by side.

They read the program, training and reports, so they live on the roof; the program's own
pages (mobilization.views.program) list groups and communicators and keep them. Everyone with
a role in a commune reads its program; records of another commune answer 404.
"""

import datetime

from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, Prefetch, Q
from django.shortcuts import get_object_or_404, render

from mobilization.models import Membership
from mobilization.selectors import visits_visible_to, worker_groups_visible_to, workers_visible_to
from reports.selectors.activity import group_activity_by_month
from softbridge.calendar import commune_today
from softbridge.paging import page_of
from training.selectors import sessions_visible_to
from villages.access import communes_managed_by, may_manage_program, scope_of

ACTIVITY_MONTHS = 12


def month_starts(end: datetime.date, count: int) -> list[datetime.date]:
    """The first days of the `count` months up to and including `end`'s, latest first."""
    year, month = end.year, end.month
    starts = []
    for _i in range(count):
        starts.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts


@login_required
def group(request, pk):
    group = get_object_or_404(
        worker_groups_visible_to(request.user).select_related("village", "commune"), pk=pk
    )
    # Current members first, then those who left, latest first (NULL ordering differs by database).
    members = group.memberships.select_related("worker").order_by(
        F("left_on").desc(nulls_first=True), "worker__full_name"
    )
    end = commune_today()
    months = month_starts(end, ACTIVITY_MONTHS)
    figures = group_activity_by_month(group=group, user=request.user, start=months[-1], end=end)
    keys = ("visits", "households", "residents", "sessions", "attendance", "communications", "reach")
    activity = [{"month": m, **{k: figures.get(m, {}).get(k) or 0 for k in keys}} for m in months]
    totals = {k: sum(row[k] for row in activity) for k in keys}
    return render(
        request,
        "mobilization/group_detail.html",
        {
            "group": group,
            "members": members,
            "activity": activity,
            "totals": totals,
            "partial_scope": not _reads_whole_commune(request.user, group.commune_id),
            "may_edit": may_manage_program(request.user, group.commune),
        },
    )


def _reads_whole_commune(user, commune_id: int) -> bool:
    scope = scope_of(user)
    return scope.everything or scope.whole_communes.filter(commune=commune_id).exists()


@login_required
def workers(request):
    visible_visits = visits_visible_to(request.user).values("id")
    visible_sessions = sessions_visible_to(request.user).values("id")
    queryset = (
        workers_visible_to(request.user)
        .annotate(
            visit_count=Count("visits", filter=Q(visits__in=visible_visits), distinct=True),
            session_count=Count(
                "sessions_facilitated", filter=Q(sessions_facilitated__in=visible_sessions), distinct=True
            ),
        )
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.active_on(commune_today()).select_related("group"),
                to_attr="current_memberships",
            )
        )
        .order_by("full_name", "id")
    )
    return render(
        request,
        "mobilization/worker_list.html",
        {"page": page_of(request, queryset), "may_create": communes_managed_by(request.user).exists()},
    )


@login_required
def worker(request, pk):
    worker = get_object_or_404(workers_visible_to(request.user), pk=pk)
    visits = visits_visible_to(request.user).filter(workers=worker)
    sessions = sessions_visible_to(request.user).filter(facilitators=worker)
    return render(
        request,
        "mobilization/worker_detail.html",
        {
            "worker": worker,
            "memberships": worker.memberships.select_related("group").order_by(
                F("left_on").desc(nulls_first=True), "group__name"
            ),
            "communicator_roles": worker.communicator_roles.select_related("village"),
            "visit_count": visits.count(),
            "visits": visits.select_related("household__village").order_by("-visited_on", "-id")[:20],
            "session_count": sessions.count(),
            "sessions": sessions.select_related("village")
            .annotate(attendance_count=Count("attendances"))
            .order_by("-held_on", "-id")[:20],
            "may_edit": may_manage_program(request.user, worker.commune),
        },
    )
