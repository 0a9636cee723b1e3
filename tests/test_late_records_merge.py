"""The property behind docs/late-records.md: records merge to one state, whatever their order.

Phones keep records for hours and send them in any order, between the village head's
moves and departures. Here a small commune (household NK-001 of four members, household
BT-001 of one) gets random visits (who was helped with what, applications included), ladder
ticks, attendance at sessions, moves to the other household and departures (moved away,
died), applied through the services in many random orders (hypothesis permutations).

What "one final state" means: the register after all the records, read as
- each resident's four ladder dates, household, stay dates and departure, earlier stays;
- each visit (by its label) with its household, date and the residents it helped with what;
- each application (resident, date, channel, village, the visit or session it came from);
- each attendance (session date, resident, the set of achievements);
- the set of records refused;
must be the same for every order, and equal to applying the records in date order.

Records are drawn from one true history of where each person lived (the residence records
are that history: at most one move or departure a person; the steps of one person's
residence are a sequence a village head records in order, not records that race). A help
is then of three kinds, decided here from that history and not by the code under test:
- a member of the household on the visit's date (in the session's commune on its date):
  accepted in every order, even when the move or departure arrives first;
- someone who was not, whatever the register knows when the record arrives (a member of
  the other household, someone before they moved in): refused in every order, and the
  whole visit with them;
- someone whom only a residence record arriving later makes a non-member (a visit dated
  after a departure that is not yet known): two records that contradict each other. No
  order-free rule can settle those (whichever arrives second would have to give way), so
  they are not drawn; a person decides (test_late_records.py covers each side).
"""

import datetime
from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mobilization.models import Application, HomeVisit
from mobilization.services import Help, visit_log
from tests import factories
from tests.lanes import examples
from training.models import Attendance, TrainingSession
from training.services import attendance_record, session_record
from villages.models import Achievement, Household, LadderStep, Resident
from villages.services import resident_departure_record, resident_ladder_advance, resident_move

pytestmark = pytest.mark.django_db

FIRST = datetime.date(2025, 3, 3)
DAYS = 12
NEWCOMER_FROM = 6  # the fourth member of NK-001 moved in on the 7th day
MOVERS = ("Minh", "Lan")  # each stays, moves to BT-001 or leaves (moved away, died)
NAMES = ("Hoa", *MOVERS, "Tú", "Thu")  # Thu the newcomer, Tú BT-001's only member
HOME = {"Hoa": "NK-001", "Minh": "NK-001", "Lan": "NK-001", "Thu": "NK-001", "Tú": "BT-001"}
ACHIEVEMENTS = [
    Achievement.SMARTPHONE,
    Achievement.EID_ACTIVATED,
    Achievement.ONLINE_SERVICE,
    Achievement.APPLICATION_SUBMITTED,
]
# The ladder step each achievement reaches (docs/domain.md); an application at a visit or a
# session is online (level 3 by default): level 3/4, and so an online use.
STEP_OF = {
    Achievement.SMARTPHONE: "smartphone",
    Achievement.EID_ACTIVATED: "eid",
    Achievement.ONLINE_SERVICE: "online",
    Achievement.APPLICATION_SUBMITTED: "level34",
}

MERGE = settings(
    max_examples=examples(60),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def day(n: int) -> datetime.date:
    return FIRST + datetime.timedelta(days=n)


# --- The true history, and who a record may name by it


def stays_of(name: str, fate: tuple | None) -> list[tuple[str, int | None, int | None]]:
    """(household code, first day, last day), None open: the stays `fate` gives `name`."""
    began = NEWCOMER_FROM if name == "Thu" else None
    if fate is None or fate[0] == "stays":
        return [(HOME[name], began, None)]
    if fate[0] == "move":
        return [(HOME[name], began, fate[1]), ("BT-001", fate[1], None)]
    return [(HOME[name], began, fate[1])]


def covers(stays, on: int, household: str | None = None) -> bool:
    """A stay covers some moment of day `on` (in `household`): the day of a move or a
    departure counts for both sides."""
    return any(
        (household is None or code == household)
        and (start is None or start <= on)
        and (end is None or end >= on)
        for code, start, end in stays
    )


def verdict(name: str, fate: tuple, on: int, household: str | None) -> str:
    """'member', 'never' or 'contradiction': by the register before and after the residence
    record of `name` arrives (the only two states it can be in when a record arrives)."""
    before, after = covers(stays_of(name, None), on, household), covers(stays_of(name, fate), on, household)
    if before and after:
        return "member"
    return "never" if not before and not after else "contradiction"


def village_at_end_of(name: str, fate: tuple, on: int) -> str:
    """The village code `name` counted in at the end of day `on` (their first when none)."""
    for code, start, end in stays_of(name, fate):
        if (start is None or start <= on) and (end is None or end > on):
            return code.split("-")[0]
    return HOME[name].split("-")[0]


# --- The records


@dataclass(frozen=True)
class Visit:
    label: str
    on: int
    household: str
    helped: tuple[tuple[str, tuple[str, ...]], ...]

    def apply(self, world):
        visit_log(
            household=Household.objects.get(code=self.household),
            visited_on=day(self.on),
            workers=[world["worker"]],
            helped=[Help(resident(name), achievements=list(done)) for name, done in self.helped],
            notes=self.label,
        )


@dataclass(frozen=True)
class Tick:
    label: str
    on: int
    name: str
    step: str

    def apply(self, world):
        resident_ladder_advance(resident=resident(self.name), step=LadderStep(self.step), on=day(self.on))


@dataclass(frozen=True)
class Attend:
    label: str
    on: int
    name: str
    done: tuple[str, ...]

    def apply(self, world):
        session = TrainingSession.objects.get(held_on=day(self.on))
        attendance_record(session=session, help=Help(resident(self.name), achievements=list(self.done)))


@dataclass(frozen=True)
class Residence:
    label: str
    on: int
    name: str
    what: str  # "move", "moved_away" or "died"

    def apply(self, world):
        if self.what == "move":
            resident_move(
                resident=resident(self.name), household=Household.objects.get(code="BT-001"), on=day(self.on)
            )
        else:
            resident_departure_record(resident=resident(self.name), on=day(self.on), reason=self.what)


def resident(name: str) -> Resident:
    # Read afresh for each record, as a page or the API does when the record arrives.
    return Resident.objects.get(full_name=name)


days = st.integers(0, DAYS - 1)
achievements = st.lists(st.sampled_from(ACHIEVEMENTS), max_size=2, unique=True).map(tuple)
fates = st.one_of(
    st.just(("stays",)),
    st.tuples(st.just("move"), days),
    st.tuples(st.sampled_from(["moved_away", "died"]), days),
)


def draw_records(data) -> tuple[dict, list, set[str]]:
    """(each person's fate, the records, the labels of those refused in every order)."""
    fate = {name: ("stays",) for name in NAMES} | {name: data.draw(fates) for name in MOVERS}
    records, refused = [], set()
    for name in MOVERS:
        if fate[name][0] != "stays":
            records.append(Residence(f"{fate[name][0]} {name}", fate[name][1], name, fate[name][0]))
    visits = st.tuples(
        days,
        st.sampled_from(["NK-001", "BT-001"]),
        st.lists(st.tuples(st.sampled_from(NAMES), achievements), max_size=3, unique_by=lambda h: h[0]),
    )
    for n, (on, household, helped) in enumerate(data.draw(st.lists(visits, max_size=4))):
        kinds = {name: verdict(name, fate[name], on, household) for name, _done in helped}
        helped = tuple((name, done) for name, done in helped if kinds[name] != "contradiction")
        records.append(Visit(f"visit {n}", on, household, helped))
        if any(kinds[name] == "never" for name, _done in helped):
            refused.add(f"visit {n}")
    ticks = st.tuples(days, st.sampled_from(NAMES), st.sampled_from(LadderStep.values))
    for n, (on, name, step) in enumerate(data.draw(st.lists(ticks, max_size=4))):
        records.append(Tick(f"tick {n}", on, name, step))
    attendances = st.tuples(days, st.sampled_from(NAMES), achievements)
    for n, (on, name, done) in enumerate(data.draw(st.lists(attendances, max_size=3))):
        kind = verdict(name, fate[name], on, None)
        if kind != "contradiction":
            records.append(Attend(f"attendance {n}", on, name, done))
        if kind == "never":
            refused.add(f"attendance {n}")
    return fate, records, refused


# --- Applying them, and the state they leave


def build_world(records) -> dict:
    commune = factories.commune()
    nk = factories.village(commune, code="NK", name="Nà Khau")
    bt = factories.village(commune, code="BT", name="Bản Thang")
    home = {
        "NK-001": factories.household(nk, code="NK-001"),
        "BT-001": factories.household(bt, code="BT-001"),
    }
    for name in NAMES:
        relation = Resident.Relation.HEAD if name in ("Hoa", "Tú") else Resident.Relation.CHILD
        moved_in = day(NEWCOMER_FROM) if name == "Thu" else None
        factories.resident(
            home[HOME[name]], full_name=name, birth_year=1980, relation=relation, moved_in_on=moved_in
        )
    for on in sorted({r.on for r in records if isinstance(r, Attend)}):
        session_record(commune=commune, held_on=day(on), venue_kind=TrainingSession.VenueKind.COMMUNE_OFFICE)
    return {"worker": factories.worker(commune)}


def applied(world, records) -> dict:
    """The state `records` leave, applied in this order; everything is rolled back after."""
    with transaction.atomic():
        refused = set()
        for record in records:
            try:
                record.apply(world)
            except ValidationError:
                refused.add(record.label)
        state = state_of(refused)
        transaction.set_rollback(True)
    return state


def state_of(refused: set[str]) -> dict:
    residents = {
        r.full_name: (
            (r.smartphone_on, r.eid_on, r.online_on, r.level34_on),
            (r.household.code, r.moved_in_on, r.left_on, r.left_reason),
            tuple(
                (s.household.code, s.started_on, s.ended_on, s.ended_by) for s in r.stays.order_by("ended_on")
            ),
        )
        for r in Resident.objects.select_related("household")
    }
    visits = sorted(
        (
            v.notes,
            v.household.code,
            v.visited_on,
            tuple(sorted((h.resident.full_name, tuple(sorted(h.achievements))) for h in v.helped.all())),
        )
        for v in HomeVisit.objects.select_related("household")
    )
    applications = sorted(
        (
            a.resident.full_name,
            a.submitted_on,
            a.channel,
            a.village.code,
            a.visit.notes if a.visit else "",
            a.session.held_on if a.session else None,
        )
        for a in Application.objects.select_related("resident", "village", "visit", "session")
    )
    attendance = sorted(
        (a.session.held_on, a.resident.full_name, tuple(sorted(a.achievements)))
        for a in Attendance.objects.select_related("session", "resident")
    )
    return {
        "residents": residents,
        "visits": visits,
        "applications": applications,
        "attendance": attendance,
        "refused": sorted(refused),
    }


def expected_ladders(records, refused: set[str]) -> dict[str, tuple]:
    """Each resident's ladder dates, the earliest any accepted record gives, computed here."""
    firsts = {name: {} for name in NAMES}

    def reach(name, step, on):
        firsts[name][step] = min(on, firsts[name].get(step, on))

    for record in records:
        if record.label in refused:
            continue
        if isinstance(record, Tick):
            reach(record.name, record.step, record.on)
        elif isinstance(record, Visit):
            for name, done in record.helped:
                for achievement in done:
                    reach(name, STEP_OF[achievement], record.on)
        elif isinstance(record, Attend):
            for achievement in record.done:
                reach(record.name, STEP_OF[achievement], record.on)
    for steps in firsts.values():
        if "level34" in steps:  # a level 3/4 application is an online use
            steps["online"] = min(steps["level34"], steps.get("online", steps["level34"]))
    return {
        name: tuple(day(steps[s]) if s in steps else None for s in ("smartphone", "eid", "online", "level34"))
        for name, steps in firsts.items()
    }


def expected_applications(records, refused: set[str], fate: dict) -> list[tuple]:
    """One application a resident helped with one at a visit; one a resident present at a
    session with one, however many records say so; each in the village where it was made."""
    expected = set()
    for record in records:
        if record.label in refused:
            continue
        if isinstance(record, Visit):
            for name, done in record.helped:
                if Achievement.APPLICATION_SUBMITTED in done:
                    village = record.household.split("-")[0]
                    expected.add((name, day(record.on), village, record.label, None))
        elif isinstance(record, Attend) and Achievement.APPLICATION_SUBMITTED in record.done:
            village = village_at_end_of(record.name, fate[record.name], record.on)
            expected.add((record.name, day(record.on), village, "", day(record.on)))
    return sorted((n, on, Application.Channel.ONLINE_LEVEL3, v, label, s) for n, on, v, label, s in expected)


@MERGE
@given(data=st.data())
def test_records_merge_to_one_state_whatever_their_order(data):
    fate, records, refused = draw_records(data)
    orders = data.draw(st.lists(st.permutations(records), min_size=2, max_size=3))
    with transaction.atomic():
        world = build_world(records)
        in_date_order = applied(world, sorted(records, key=lambda r: (r.on, r.label)))
        for order in orders:
            assert applied(world, order) == in_date_order
        transaction.set_rollback(True)

    assert in_date_order["refused"] == sorted(refused)
    ladders = {name: dates for name, (dates, _residence, _stays) in in_date_order["residents"].items()}
    assert ladders == expected_ladders(records, refused)
    assert in_date_order["applications"] == expected_applications(records, refused, fate)
    accepted_visits = [r for r in records if isinstance(r, Visit) and r.label not in refused]
    assert [v[0] for v in in_date_order["visits"]] == sorted(r.label for r in accepted_visits)
    for name in MOVERS:
        household, _moved_in, left_on, reason = in_date_order["residents"][name][1]
        if fate[name][0] == "move":
            assert (household, left_on) == ("BT-001", None)
        elif fate[name][0] != "stays":
            assert (household, left_on, reason) == ("NK-001", day(fate[name][1]), fate[name][0])
