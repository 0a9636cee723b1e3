"""seed_demo tells its story up to the end of last month, whatever day it runs, and the same
day gives the same rows (demo.period).

The story is written from June 2024 to May 2026 (tests/test_seed_demo.py checks it as
written). Told on another day, every date moves by whole months so that it ends on the
last day of the month before: the demo never shows months of silence before today, and
its 15% -> 60% climb keeps its shape. The months here are counted from today by plain
arithmetic, not by the demo's code.
"""

import datetime
import hashlib
import io

import pytest
from django.core.management import call_command
from django.db import transaction

from demo.commune import demo_commune_populate
from demo.period import Story
from mobilization.models import Application, CommunicationActivity, HomeVisit
from softbridge.calendar import commune_today
from training.models import TrainingSession
from villages.models import Commune, Resident

D = datetime.date


def month_end(index: int) -> datetime.date:
    """The last day of the month numbered year * 12 + month - 1."""
    year, month = divmod(index + 1, 12)
    return D(year, month + 1, 1) - datetime.timedelta(days=1)


def month_number(day: datetime.date) -> int:
    return day.year * 12 + day.month - 1


def level34_share(commune, end: datetime.date) -> float:
    """docs/domain.md's level 3/4 share at a month's end, by a plain loop over the residents."""
    eligible = [
        r
        for r in Resident.objects.filter(commune=commune)
        if (r.moved_in_on is None or r.moved_in_on <= end)
        and (r.left_on is None or r.left_on > end)
        and (r.birth_year is None or end.year - r.birth_year >= 15)
    ]
    return sum(1 for r in eligible if r.level34_on and r.level34_on <= end) / len(eligible)


def rows_digest(commune) -> str:
    """Everything a run writes that the generator decides, for one commune."""
    parts = [
        list(
            Resident.objects.filter(commune=commune)
            .order_by("id")
            .values_list(
                "full_name", "birth_year", "national_id", "moved_in_on", "left_on", "eid_on", "level34_on"
            )
        ),
        list(
            HomeVisit.objects.filter(commune=commune)
            .order_by("id")
            .values_list("household__code", "visited_on", "outcome", "follow_up_on")
        ),
        list(TrainingSession.objects.filter(commune=commune).order_by("id").values_list("held_on", "venue")),
        list(
            Application.objects.filter(commune=commune).order_by("id").values_list("submitted_on", "channel")
        ),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def dates_of(commune, today: datetime.date) -> list[datetime.date]:
    """The dates of the story told as of `today` (not those of the sessions planned after it)."""
    return [
        *HomeVisit.objects.filter(commune=commune).values_list("visited_on", flat=True),
        *TrainingSession.objects.held(today).filter(commune=commune).values_list("held_on", flat=True),
        *CommunicationActivity.objects.filter(commune=commune).values_list("held_on", flat=True),
        *Application.objects.filter(commune=commune).values_list("submitted_on", flat=True),
    ]


@pytest.fixture(scope="module")
def told_today(django_db_setup, django_db_blocker):
    """seed_demo as `make run` calls it, on today's date; rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        yield Commune.objects.get(code="01558")
        transaction.set_rollback(True)


def test_the_story_ends_on_the_last_day_of_last_month(told_today, db):
    last_month = month_number(commune_today()) - 1
    days = dates_of(told_today, commune_today())
    assert max(days) == month_end(last_month)
    # Two years of work: the first month of the 24 has some, none before it.
    assert min(days) == month_end(last_month - 24) + datetime.timedelta(days=1)
    # Every one of the 24 months has home visits: no months of silence.
    visited = {month_number(day) for day in HomeVisit.objects.values_list("visited_on", flat=True)}
    assert visited == set(range(last_month - 23, last_month + 1))


def test_the_campaign_still_climbs_from_15_to_60_percent(told_today, db):
    last_month = month_number(commune_today()) - 1
    third, eleventh = (
        month_end(last_month - 21),
        month_end(last_month - 13),
    )  # August 2024, April 2025 as written
    assert 0.12 <= level34_share(told_today, third) <= 0.18
    assert 0.55 <= level34_share(told_today, eleventh) <= 0.65
    assert level34_share(told_today, month_end(last_month)) > level34_share(told_today, eleventh)


def test_no_record_is_dated_after_the_story(told_today, db):
    end = month_end(month_number(commune_today()) - 1)
    assert not Resident.objects.filter(eid_on__gt=end).exists()
    assert not Resident.objects.filter(level34_on__gt=end).exists()
    assert not Resident.objects.filter(moved_in_on__gt=end).exists()
    assert not Resident.objects.filter(left_on__gt=end).exists()


def test_the_same_day_gives_the_same_rows(told_today, db):
    with transaction.atomic():
        again = Commune.objects.create(code="99901", name="Xã Thử")
        demo_commune_populate(commune=again, today=commune_today())
        assert rows_digest(again) == rows_digest(told_today)
        transaction.set_rollback(True)


def test_a_month_later_the_story_is_a_month_later(told_today, db):
    year, month = divmod(month_number(commune_today()) + 1, 12)
    later_day = D(year, month + 1, 10)
    with transaction.atomic():
        later = Commune.objects.create(code="99902", name="Xã Sau")
        demo_commune_populate(commune=later, today=later_day)
        assert max(dates_of(later, later_day)) == month_end(month_number(later_day) - 1)
        assert rows_digest(later) != rows_digest(told_today)
        transaction.set_rollback(True)


@pytest.mark.parametrize(
    "today, first, last",
    [
        (D(2026, 6, 15), D(2024, 6, 1), D(2026, 5, 31)),  # as written
        (D(2026, 6, 1), D(2024, 6, 1), D(2026, 5, 31)),
        (D(2026, 12, 5), D(2024, 12, 1), D(2026, 11, 30)),
        (D(2027, 3, 31), D(2025, 3, 1), D(2027, 2, 28)),
        (D(2028, 3, 1), D(2026, 3, 1), D(2028, 2, 29)),  # a leap February
    ],
)
def test_the_story_is_the_24_months_before_the_day(today, first, last):
    story = Story.ending_before(today)
    assert (story.start, story.end) == (first, last)


def test_month_ends_stay_month_ends_and_other_days_keep_their_number():
    story = Story.ending_before(D(2026, 9, 20))  # three months after as written
    assert story.on(2024, 11, 30) == D(2025, 2, 28)  # the curves' knots are month ends
    assert story.on(2024, 11, 29) == D(2025, 2, 28)  # no 29 February 2025
    assert story.on(2024, 6, 15) == D(2024, 9, 15)
    assert story.on(2025, 4, 30) == D(2025, 7, 31)  # the campaign's end
    assert (story.years, story.year(1975)) == (0, 1975)
    assert Story.ending_before(D(2028, 7, 1)).year(1975) == 1977


def test_the_demo_plans_two_sessions_ahead_in_two_villages(told_today, db):
    # So that `make run` shows invitations to send and the demo worker's reminder of tomorrow's
    # session (docs/reminders.md); planned, they take no attendance yet.
    tomorrow = commune_today() + datetime.timedelta(days=1)
    planned = TrainingSession.objects.planned().filter(commune=told_today).order_by("held_on")
    assert [(s.held_on, s.village.code) for s in planned] == [
        (tomorrow, "NK"),
        (tomorrow + datetime.timedelta(days=6), "BT"),
    ]
    assert not planned.filter(attendances__isnull=False).exists()
    assert planned.first().facilitators.filter(user__username="worker-nakhau").exists()
