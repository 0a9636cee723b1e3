"""Reads of the program's records, each scoped by villages.access like the register."""

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

from mobilization.models import (
    Application,
    CommunicationActivity,
    Communicator,
    HomeVisit,
    Worker,
    WorkerGroup,
)
from villages.access import scope_of


def worker_groups_visible_to(user) -> QuerySet[WorkerGroup]:
    """The worker groups of every commune the user has a role in."""
    return WorkerGroup.objects.filter(scope_of(user).commune_q())


def workers_visible_to(user) -> QuerySet[Worker]:
    """The workers of every commune the user has a role in."""
    return Worker.objects.filter(scope_of(user).commune_q())


def communicators_visible_to(user) -> QuerySet[Communicator]:
    """The grassroots communicators of every commune the user has a role in."""
    return Communicator.objects.filter(scope_of(user).commune_q())


def visits_visible_to(user) -> QuerySet[HomeVisit]:
    """Visits to households the user may see."""
    return HomeVisit.objects.filter(scope_of(user).area_q("commune", "household__village"))


def communications_visible_to(user) -> QuerySet[CommunicationActivity]:
    """Communication activities of the user's whole communes, or touching the user's villages."""
    scope = scope_of(user)
    if scope.everything:
        return CommunicationActivity.objects.all()
    touching = CommunicationActivity.villages.through.objects.filter(village__in=scope.villages).values(
        "communicationactivity"
    )
    return CommunicationActivity.objects.filter(Q(commune__in=scope.whole_communes) | Q(id__in=touching))


def applications_visible_to(user) -> QuerySet[Application]:
    """Applications of the user's communes, or from residents of the user's villages."""
    return Application.objects.filter(scope_of(user).area_q("commune", "village"))


def later_visit(visit_ref: str = "pk", household_ref: str = "household"):
    """Visits to the same household after the referenced one: a follow-up they close."""
    return HomeVisit.objects.filter(household=OuterRef(household_ref)).filter(
        Q(visited_on__gt=OuterRef("visited_on"))
        | Q(visited_on=OuterRef("visited_on"), pk__gt=OuterRef(visit_ref))
    )


def follow_up_overdue_exists(today: datetime.date):
    """For a household queryset: it has a visit whose follow-up date passed with no later visit."""
    open_visits = HomeVisit.objects.filter(household=OuterRef("pk"), follow_up_on__lt=today).exclude(
        Exists(later_visit())
    )
    return Exists(open_visits)


# Follow-ups this close are shown as due, with the overdue ones.
DUE_WITHIN_DAYS = 7


def follow_ups_due(user, *, today: datetime.date, mine_only: bool = False) -> QuerySet[HomeVisit]:
    """Visits whose follow-up is due within a week or overdue, and no later visit closed it.

    With `mine_only`, only those the user was on or whose household is in their charge.
    """
    visits = (
        visits_visible_to(user)
        .filter(
            follow_up_on__isnull=False, follow_up_on__lte=today + datetime.timedelta(days=DUE_WITHIN_DAYS)
        )
        .exclude(Exists(later_visit()))
    )
    if mine_only:
        on_visit = HomeVisit.workers.through.objects.filter(homevisit=OuterRef("pk"), worker__user=user)
        visits = visits.filter(Exists(on_visit) | Q(household__worker_in_charge__user=user))
    return visits
