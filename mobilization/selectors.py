"""Reads of the program's records, each scoped by villages.access like the register."""

from django.db.models import Q, QuerySet

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
