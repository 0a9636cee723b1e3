"""seed_demo: the demo commune tells the story of docs/domain.md, and running it again changes nothing.

The commune is seeded once for the whole module (a few seconds) inside a transaction
that is rolled back at the end, so that the other test modules still start empty.
The indicators are computed here by a plain loop over the residents, on purpose
independent of any report code.
"""

import datetime
import io
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import F
from django.http import HttpRequest
from django.urls import reverse

from demo.management.commands.seed_demo import DEMO_PASSWORD, DEMO_USERS
from demo.organisations import DEMO_WORKER_NAME
from mobilization.models import (
    ONLINE_CHANNELS,
    Application,
    CommunicationActivity,
    HomeVisit,
    Membership,
    VisitHelp,
    Worker,
    WorkerGroup,
)
from reminders.models import Channel, ReminderSettings
from training.models import Attendance
from villages.models import Commune, Household, PastStay, ProvinceRole, Resident, Role, Village

# A day of June 2026: the story as it is written, June 2024 to May 2026 (demo.period), which
# the dates below name. tests/test_seed_demo_dates.py tells it on other days.
AS_WRITTEN = "2026-06-15"


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once per module and return the command's output; roll it all back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        call_command("seed_demo", "--as-of", AS_WRITTEN, stdout=out)
        # Check the deferred foreign keys now, once, rather than at every test's teardown.
        connection.check_constraints()
        yield out.getvalue()
        transaction.set_rollback(True)


def month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1)


def shares_at_end_of(year: int, month: int, min_age: int = 15) -> dict:
    """docs/domain.md's eligible residents and shares, commune-wide, at the end of a month."""
    end = month_end(year, month)
    eligible = [
        r
        for r in Resident.objects.all()
        if (r.moved_in_on is None or r.moved_in_on <= end)
        and (r.left_on is None or r.left_on > end)
        and (r.birth_year is None or year - r.birth_year >= min_age)
    ]
    n = len(eligible)
    return {
        "eligible": n,
        "eid": sum(1 for r in eligible if r.eid_on and r.eid_on <= end) / n,
        "online": sum(1 for r in eligible if r.online_on and r.online_on <= end) / n,
        "level34": sum(1 for r in eligible if r.level34_on and r.level34_on <= end) / n,
    }


def counts_of_every_model() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_it_creates_hạ_lang_with_its_villages_households_and_residents(seeded, db):
    commune = Commune.objects.get(code="01558")
    assert (commune.name, commune.province.name, commune.province.code) == (
        "Xã Hạ Lang",
        "Tỉnh Cao Bằng",
        "04",
    )
    villages = Village.objects.filter(commune=commune)
    assert 10 <= villages.count() <= 14
    assert villages.filter(name="Nà Khau").exists()
    assert 1400 <= Household.objects.filter(commune=commune).count() <= 1600
    assert 5500 <= Resident.objects.filter(commune=commune).count() <= 6500


def test_it_gives_each_household_one_head_and_a_worker_in_charge(seeded, db):
    heads = Counter(Resident.objects.filter(relation="head").values_list("household_id", flat=True))
    assert set(heads.values()) == {1}
    assert len(heads) == Household.objects.count()
    assert not Household.objects.filter(worker_in_charge__isnull=True).exists()


def test_it_writes_names_in_nfc_with_unique_twelve_digit_ids(seeded, db):
    residents = list(Resident.objects.values_list("full_name", "national_id", "birth_year"))
    assert all(unicodedata.is_normalized("NFC", name) for name, _id, _year in residents)
    ids = [number for _name, number, _year in residents if number]
    assert len(ids) == len(set(ids)) > len(residents) // 2
    assert all(len(number) == 12 and number.isdigit() for number in ids)
    assert any(year is None for _name, _id, year in residents)


def test_it_records_moves_births_and_deaths(seeded, db):
    assert Resident.objects.filter(moved_in_on__gte=datetime.date(2024, 6, 1)).exists()
    assert Resident.objects.filter(left_reason="moved_away").exists()
    assert Resident.objects.filter(left_reason="died").exists()
    assert not Resident.objects.filter(left_on__isnull=False, left_reason="").exists()


def test_it_tells_the_adoption_story(seeded, db):
    august_2024 = shares_at_end_of(2024, 8)
    april_2025 = shares_at_end_of(2025, 4)
    may_2026 = shares_at_end_of(2026, 5)
    assert 0.12 <= august_2024["level34"] <= 0.18
    assert 0.55 <= april_2025["level34"] <= 0.65
    assert april_2025["online"] > 0.90
    assert april_2025["eid"] > august_2024["eid"] + 0.15
    assert may_2026["level34"] > april_2025["level34"]


def test_it_dates_level34_by_the_first_online_application(seeded, db):
    first_online = {}
    online = Application.objects.filter(channel__in=ONLINE_CHANNELS, resident__isnull=False)
    for resident_id, submitted_on in online.values_list("resident_id", "submitted_on"):
        if resident_id not in first_online or submitted_on < first_online[resident_id]:
            first_online[resident_id] = submitted_on
    ladders = Resident.objects.values_list("id", "eid_on", "online_on", "level34_on")
    for resident_id, eid_on, online_on, level34_on in ladders:
        assert first_online.get(resident_id) == level34_on
        if level34_on:
            assert eid_on <= online_on <= level34_on


def test_it_shows_who_helped_on_the_level34_day(seeded, db):
    firsts = Application.objects.filter(channel__in=ONLINE_CHANNELS, resident__level34_on=F("submitted_on"))
    helped = firsts.exclude(visit__isnull=True, session__isnull=True).count()
    assert helped > firsts.count() // 2


def test_it_helps_only_residents_living_there_that_day(seeded, db):
    """By each resident's residence history: the household they lived in on the day (their
    current stay or an earlier one), the one visited for a visit."""
    periods = {}  # resident -> [(household, moved in, left)]
    for pk, household, moved_in_on, left_on in Resident.objects.values_list(
        "pk", "household", "moved_in_on", "left_on"
    ):
        periods.setdefault(pk, []).append((household, moved_in_on, left_on))
    for pk, household, started_on, ended_on in PastStay.objects.values_list(
        "resident", "household", "started_on", "ended_on"
    ):
        periods[pk].append((household, started_on, ended_on))

    def home(resident, day):
        """The household the resident lived in at the end of `day`, or None."""
        for household, moved_in_on, left_on in periods[resident]:
            if (moved_in_on is None or moved_in_on <= day) and (left_on is None or left_on > day):
                return household
        return None

    helps = VisitHelp.objects.values_list("resident", "visit__visited_on", "visit__household")
    assert all(home(resident, day) == household for resident, day, household in helps)
    attendances = Attendance.objects.values_list("resident", "session__held_on")
    applications = Application.objects.filter(resident__isnull=False).values_list("resident", "submitted_on")
    for rows in (attendances, applications):
        assert all(home(*row) is not None for row in rows)


def test_it_records_moves_splits_and_a_return(seeded, db):
    """demo.moves: a handful of each, through the register's services, so that pages show them."""
    ends = Counter(PastStay.objects.values_list("ended_by", flat=True))
    splits = Household.objects.filter(code__endswith="-T")
    assert splits.count() == 2
    for household in splits:
        members = household.members.filter(left_on__isnull=True)
        assert members.count() >= 2 and members.filter(relation="head").count() == 1
    split_members = Resident.objects.filter(household__in=splits).count()
    assert ends[PastStay.End.MOVED] >= 6 + split_members
    assert ends[PastStay.End.MOVED_AWAY] == 1
    # The demo village head of Nà Khau sees some of them.
    assert PastStay.objects.filter(household__village__code="NK", ended_by=PastStay.End.MOVED).exists()
    # Each moved resident lives in the household they moved to from the day of the move.
    for stay in PastStay.objects.select_related("resident"):
        assert stay.resident.moved_in_on is not None and stay.resident.moved_in_on >= stay.ended_on


def test_it_has_every_worker_group_kind(seeded, db):
    kinds = set(WorkerGroup.objects.values_list("kind", flat=True))
    assert kinds == set(WorkerGroup.Kind.values)


def test_every_village_has_a_digital_tech_team_of_four_to_nine(seeded, db):
    for village in Village.objects.all():
        team = WorkerGroup.objects.get(kind=WorkerGroup.Kind.DIGITAL_TECH_TEAM, village=village)
        members = Membership.objects.filter(group=team, left_on__isnull=True).count()
        assert 4 <= members <= 9, village


def test_it_records_every_kind_of_work(seeded, db):
    assert set(Application.objects.values_list("field", flat=True)) == set(Application.Field.values)
    assert set(Application.objects.values_list("channel", flat=True)) == set(Application.Channel.values)
    assert set(CommunicationActivity.objects.values_list("channel", flat=True)) == set(
        CommunicationActivity.Channel.values
    )
    assert set(HomeVisit.objects.values_list("outcome", flat=True)) == set(HomeVisit.Outcome.values)
    assert HomeVisit.objects.filter(follow_up_on__isnull=False).exists()
    assert VisitHelp.objects.exists()
    assert Attendance.objects.exists()
    days = HomeVisit.objects.values_list("visited_on", flat=True)
    assert min(days) >= datetime.date(2024, 6, 1)
    assert max(days) <= datetime.date(2026, 5, 31)


def test_running_it_again_changes_nothing(seeded, db):
    before = counts_of_every_model()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert counts_of_every_model() == before
    assert "already has residents" in out.getvalue()
    assert DEMO_PASSWORD in out.getvalue()


def test_it_prints_the_logins(seeded):
    for username, *_rest in DEMO_USERS:
        assert f"username: {username}  password: {DEMO_PASSWORD}" in seeded


def test_the_demo_password_passes_the_validators(seeded, db):
    for user in get_user_model().objects.filter(username__in=[u[0] for u in DEMO_USERS]):
        validate_password(DEMO_PASSWORD, user)


def test_demo_users_log_in_with_their_roles(seeded, db, client):
    roles = {
        role.user.username: (role.kind, sorted(role.villages.values_list("name", flat=True)))
        for role in Role.objects.select_related("user")
    }
    assert roles == {
        "official": (Role.Kind.OFFICIAL, []),
        "leader": (Role.Kind.LEADER, []),
        "head-nakhau": (Role.Kind.VILLAGE_HEAD, ["Nà Khau"]),
        "worker-nakhau": (Role.Kind.WORKER, ["Nà Khau"]),
    }
    [province_role] = ProvinceRole.objects.select_related("user", "province")
    assert (province_role.user.username, province_role.province.code) == ("province", "04")
    for username, *_rest in DEMO_USERS:
        user = get_user_model().objects.get(username=username)
        assert user.is_staff == (username != "province"), username  # the admin lists people
        assert client.login(request=HttpRequest(), username=username, password=DEMO_PASSWORD), username
    assert get_user_model().objects.get(username="admin").is_superuser


def test_the_demo_province_leader_reads_the_province_and_no_person(seeded, db, client):
    client.login(request=HttpRequest(), username="province", password=DEMO_PASSWORD)

    assert client.get("/").url.startswith("/reports/province/")
    page = client.get("/reports/province/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert [row[2] for row in page.context["tables"]["communes"].rows] == ["Xã Hạ Lang"]
    assert client.get("/households/").status_code == 403


def test_the_demo_worker_works_in_nà_khau(seeded, db):
    worker = Worker.objects.get(user__username="worker-nakhau")
    assert worker.full_name == DEMO_WORKER_NAME
    team = worker.groups.get(kind=WorkerGroup.Kind.DIGITAL_TECH_TEAM)
    assert team.village.name == "Nà Khau"
    assert worker.households_in_charge.exists()
    assert worker.visits.exists()


def test_it_makes_the_same_rows_on_every_run(seeded, db):
    # The demo's parts draw from one generator in turn: moving a part, or a draw inside
    # one, changes these figures (and every row after it).
    assert (
        "12 villages, 1484 households, 5927 residents, 120 workers in 31 groups, 5941 home visits, "
        "635 training sessions with 13454 attendances, 924 communication activities, 8909 applications."
    ) in seeded


def test_no_app_imports_the_demo():
    # The demo sits on top of every app; an app that imported it would load the demo's
    # data tables into the site.
    root = Path(settings.BASE_DIR)
    importers = [
        str(path.relative_to(root))
        for app in ("softbridge", "villages", "mobilization", "training", "reports", "frontdoor")
        for path in (root / app).rglob("*.py")
        if re.search(r"^\s*(from demo[ .]|import demo\b)", path.read_text(encoding="utf-8"), re.MULTILINE)
    ]
    assert importers == []


def test_the_demo_workers_with_a_phone_get_sms_reminders(seeded, db):
    chosen = ReminderSettings.objects.get(user__username="worker-nakhau")
    assert (chosen.enabled, chosen.channel) == (True, Channel.SMS)
    assert Worker.objects.get(user__username="worker-nakhau").phone


def test_its_targets_put_some_villages_ahead_and_some_behind(seeded, db, client):
    """Issue 29: without targets the home read "0/12 villages behind plan" and every plan cell
    was a dash. At the story's last month the commune's plan is its villages' middle."""
    client.login(request=HttpRequest(), username="leader", password=DEMO_PASSWORD)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("reports:dashboard"), {"start": "2025-06", "end": "2026-05"})
    villages = response.context["tables"]["villages"]
    behind_at = [column.key for column in villages.columns].index("behind")
    behind = [row for row in villages.rows if row[behind_at]]
    assert len(villages.rows) == 12
    assert 0 < len(behind) < 12
    assert all(item["planned"] is not None for item in response.context["headline"])
    adoption = response.context["tables"]["adoption"]
    plan_at = [column.key for column in adoption.columns].index("level34_share_plan")
    assert all(row[plan_at] is not None for row in adoption.rows)
    # The last village on level 3/4 keeps its own, more modest plan.
    last = villages.rows[-1]
    assert "level 3/4 share" not in last[behind_at]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's statistics are PostgreSQL's")
def test_the_planner_knows_the_rows_the_demo_wrote(seeded, db):
    """seed_demo analyses what it wrote, in its own transaction: a report on a demo seeded inside
    a test's transaction, planned from the empty tables' statistics, once ran 20 minutes."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relname IN"
            " ('mobilization_homevisit', 'mobilization_visithelp', 'villages_resident')"
        )
        known = dict(cursor.fetchall())
    # Exact up to 30,000 rows (ANALYZE's sample at the default target), estimated beyond.
    for table, model in (
        ("mobilization_homevisit", HomeVisit),
        ("mobilization_visithelp", VisitHelp),
        ("villages_resident", Resident),
    ):
        written = model.objects.count()
        assert written > 1000 and abs(known[table] - written) <= written / 10, (table, known[table], written)
