"""The home page fits the role: the Today list of households for those who visit them (workers,
village heads), the figures that matter for those who lead (officials, leaders)."""

import datetime
import math
from collections import Counter

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render

from mobilization.selectors import Due, follow_up_overdue_q, follow_ups_due, households_due
from reports.forms import DEFAULT_MONTHS
from reports.periods import default_report_month
from reports.selectors.adoption import adoption_overview
from reports.selectors.reach import reach_of, report_communes
from reports.tables import Area, Dashboard
from softbridge.calendar import add_months, commune_today, month_start
from villages.access import reads_aggregates_only, villages_open_to_outreach
from villages.models import Role
from villages.selectors import households_open_to_outreach, villages_visible_to

TODAY_PAGE_SIZE = 20
LEADING = {Role.Kind.OFFICIAL, Role.Kind.LEADER}
VISITING = {Role.Kind.WORKER, Role.Kind.VILLAGE_HEAD}


@login_required
def home(request):
    """Officials and leaders land on their figures, workers and village heads on their Today
    list (with their villages' status for a village head), a province leader on the province
    dashboard."""
    if reads_aggregates_only(request.user):
        return redirect("reports:province")
    kinds = set(Role.objects.filter(user=request.user).values_list("kind", flat=True))
    if kinds & LEADING or request.user.is_superuser:
        return render(request, "home.html", {"kinds": kinds, "communes": _figures(request.user)})
    if kinds & VISITING:
        return _today(request, kinds)
    return render(request, "home.html", {"kinds": kinds, "communes": []})


@login_required
def today(request):
    """The Today list on its own, for an official who also visits households."""
    if not villages_open_to_outreach(request.user).exists():
        raise PermissionDenied
    kinds = set(Role.objects.filter(user=request.user).values_list("kind", flat=True))
    return _today(request, kinds)


def today_page_count(user) -> int:
    """How many pages the user's home page has: those of the Today list for a worker or a
    village head (one for anyone whose home page is not the list, and for an empty list)."""
    kinds = set(Role.objects.filter(user=user).values_list("kind", flat=True))
    if kinds & LEADING or user.is_superuser or not kinds & VISITING:
        return 1
    return max(1, math.ceil(households_open_to_outreach(user).count() / TODAY_PAGE_SIZE))


def _today(request, kinds: set):
    """The households in the user's charge, most due first (mobilization.selectors.households_due),
    each with what is due, the head's name, the distance and one "Log a visit"."""
    today = commune_today()
    due = households_due(request.user, today=today)
    # The list is ordered and counted once (its keys and reasons only), then only the page's
    # households are read in full: two queries whatever the charge, not one per use.
    order = list(due.values_list("pk", "due"))
    counts = Counter(reason for _pk, reason in order)
    page = Paginator(order, TODAY_PAGE_SIZE).get_page(request.GET.get("page"))
    shown = due.select_related("village").in_bulk([pk for pk, _reason in page.object_list])
    page.object_list = [shown[pk] for pk, _reason in page.object_list if pk in shown]  # unless gone since
    villages = []
    if Role.Kind.VILLAGE_HEAD in kinds:
        villages = list(
            villages_visible_to(request.user)
            .select_related("commune")
            .annotate(households_count=Count("households", distinct=True))
            .order_by("code")
        )
        _with_adoption(villages, month_start(today))
    return render(
        request,
        "today.html",
        {
            "today": today,
            "page": page,
            "due": Due,
            "counts": [(reason, counts.get(reason.value, 0)) for reason in Due if reason != Due.NOTHING],
            "villages": villages,
            # A household in the list is one the user may visit: they take reminders
            # (reminders.push.may_take_pushes), known without asking again.
            "takes_pushes": True if order else None,
        },
    )


def _figures(user) -> list[dict]:
    """For each commune the user reports on: the three shares at the latest month with their
    plan, the villages behind plan, and the follow-ups overdue, as the dashboard counts them."""
    today = commune_today()
    found = []
    for commune in report_communes(user):
        reach = reach_of(user, commune)
        if reach is None:
            continue
        end = default_report_month([commune], today=today)
        report = Dashboard(Area(reach, None), add_months(end, 1 - DEFAULT_MONTHS), end, today=today)
        villages = report.table("villages")
        behind_at = [column.key for column in villages.columns].index("behind")
        found.append(
            {
                "commune": commune,
                "month": end,
                "standing": report.standing,
                "headline": report.headline(),
                "behind": [row for row in villages.rows if row[behind_at]],
                "villages": len(villages.rows),
                # As the follow-ups page lists them (it is the link): an open follow-up whose day passed.
                "overdue": follow_ups_due(user, today=today)
                .filter(follow_up_overdue_q(today), commune=commune)
                .count(),
            }
        )
    return found


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
