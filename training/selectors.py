"""Reads of training records, scoped by villages.access like the register."""

import math

from django.db.models import Q, QuerySet

from training.models import Attendance, Topic, TrainingSession
from villages.access import scope_of
from villages.models import Resident
from villages.selectors import residents_present_during, residents_visible_to

# An attendance list of a village shows this many households a page (a village of 557
# residents was one page of 557 KB and 95,000 pixels).
ATTENDANCE_PAGE_HOUSEHOLDS = 10


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


def attendance_candidates(session: TrainingSession, viewer) -> QuerySet[Resident]:
    """The residents an attendance list offers: those who lived in the session's village (or
    commune) at some moment of its day, by their residence history (as attendance_record
    checks), and those already marked present even if the register has changed since; in
    household order."""
    visible = residents_visible_to(viewer).filter(commune=session.commune_id)
    # Who lived in the session's village (the commune) that day, by their residence history.
    villages = [session.village_id] if session.village_id else None
    present = residents_present_during(visible, day=session.held_on, villages=villages)
    already = Attendance.objects.filter(session=session).values("resident")
    return (
        visible.filter(Q(id__in=present.values("id")) | Q(id__in=already))
        .select_related("household")
        .order_by("household__code", "full_name", "id")
    )


def attendance_households(candidates: QuerySet[Resident]) -> list[int]:
    """The households of `candidates`, in the order the list pages them."""
    rows = candidates.order_by("household__code", "household_id").values_list("household_id", flat=True)
    return list(dict.fromkeys(rows))


def attendance_page_count(session: TrainingSession, viewer) -> int:
    """How many pages the attendance list of a village's session has (1 for a commune's)."""
    if not session.village_id:
        return 1
    households = len(attendance_households(attendance_candidates(session, viewer)))
    return max(1, math.ceil(households / ATTENDANCE_PAGE_HOUSEHOLDS))
