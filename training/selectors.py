"""Reads of training records, scoped by villages.access like the register."""

from django.db.models import QuerySet

from training.models import Attendance, Topic, TrainingSession
from villages.access import scope_of


def sessions_visible_to(user) -> QuerySet[TrainingSession]:
    """Sessions of the user's whole communes, or held in the user's villages."""
    return TrainingSession.objects.filter(scope_of(user).area_q("commune", "village"))


def topics_visible_to(user) -> QuerySet[Topic]:
    """The training topics of every commune the user has a role in."""
    return Topic.objects.filter(scope_of(user).commune_q())


def household_attendances(household) -> QuerySet[Attendance]:
    """The training the household's residents attended, newest session first."""
    return (
        Attendance.objects.filter(resident__household=household)
        .select_related("session__village", "resident")
        .order_by("-session__held_on", "resident_id")
    )


def attendances_visible_to(user) -> QuerySet[Attendance]:
    """Attendance at the sessions the user may see."""
    return Attendance.objects.filter(session__in=sessions_visible_to(user))
