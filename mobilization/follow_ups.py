"""When a visit's follow-up is closed, and when it is overdue: the one rule the follow-ups
page, the household filters and the reports' activity figures all count with.

A visit records a follow-up date when something is left to do. The household's next visit
closes it, whatever that visit records: it states anew what is left (a follow-up of its
own, or nothing). Visits on the same day follow each other in the order they were
recorded, so a household has at most one open follow-up: that of its latest visit.
A follow-up is overdue once its date has passed while it is open.

This module imports no other app's code, so that reports (which counts with it) may import
it while mobilization.selectors still imports reports.
"""

import datetime

from django.db.models import Exists, OuterRef, Q, Subquery

from mobilization.models import HomeVisit


def later_visit(visit_ref: str = "pk", household_ref: str = "household"):
    """Visits to the same household after the referenced one: a follow-up they close."""
    return HomeVisit.objects.filter(household=OuterRef(household_ref)).filter(
        Q(visited_on__gt=OuterRef("visited_on"))
        | Q(visited_on=OuterRef("visited_on"), pk__gt=OuterRef(visit_ref))
    )


def closed_on() -> Subquery:
    """For a visit queryset: the day its follow-up was closed (the date of the household's
    next visit, see later_visit), None while it is open."""
    return Subquery(later_visit().order_by("visited_on", "pk").values("visited_on")[:1])


def follow_up_overdue_exists(today: datetime.date):
    """For a household queryset: it has a visit whose follow-up date passed with no later visit."""
    open_visits = HomeVisit.objects.filter(household=OuterRef("pk"), follow_up_on__lt=today).exclude(
        Exists(later_visit())
    )
    return Exists(open_visits)
