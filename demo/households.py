"""Households and their members, with the moves, births and deaths of the period."""

import datetime
from decimal import Decimal

from demo.build import Build
from demo.curves import STEPS
from demo.draws import day_between
from demo.place import VILLAGES
from villages.models import Household, Resident, Village


class Person:
    """A resident being planned: the model row plus what the generator needs to know."""

    __slots__ = ("row", "village", "household", "dates")

    def __init__(self, row: Resident, village: int, household: int):
        self.row = row
        self.village = village
        self.household = household
        self.dates = dict.fromkeys(STEPS)

    def present(self, day: datetime.date) -> bool:
        row = self.row
        return (row.moved_in_on is None or row.moved_in_on <= day) and (
            row.left_on is None or row.left_on > day
        )

    def old_enough(self, day: datetime.date, age: int) -> bool:
        return self.row.birth_year is None or day.year - self.row.birth_year >= age


def households_build(build: Build) -> None:
    """Households and their members, with moves, births and deaths during the period."""
    rng, story = build.rng, build.story
    build.households: list[Household] = []
    build.household_village: list[int] = []
    build.people: list[Person] = []
    build.members_of: list[list[int]] = []
    build.household_worker: list[int] = []
    build.village_households: list[list[int]] = [[] for _ in build.villages]

    def add(h: int, v: int, name: str, sex: str, birth_year: int | None, relation: str, **fields) -> int:
        year = story.year
        if (
            birth_year
            and birth_year <= year(1985)
            and rng.random() < (0.2 if birth_year < year(1945) else 0.03)
        ):
            birth_year = None  # nobody wrote it down
        row = Resident(full_name=name, sex=sex, birth_year=birth_year, relation=relation, **fields)
        if birth_year and birth_year <= year(2010) and rng.random() < 0.78:
            row.national_id = build.national_id(sex, birth_year)
        person = Person(row, v, h)
        build.people.append(person)
        build.members_of[h].append(len(build.people) - 1)
        return len(build.people) - 1

    for v, (code, _name, count, _km) in enumerate(VILLAGES):
        village = build.villages[v]
        team = build.village_workers[v]
        for n in range(1, count + 1):
            h = len(build.households)
            build.households.append(
                Household(
                    village=village,
                    code=f"{code}-{n:03d}",
                    address=f"Xóm {village.name}, xã Hạ Lang, tỉnh Cao Bằng",
                    worker_in_charge_id=None,
                    distance_km=distance(build, village),
                )
            )
            build.household_village.append(v)
            build.village_households[v].append(h)
            build.members_of.append([])
            # Each team member looks after a share of the village's households.
            build.household_worker.append(team[n % len(team)])
            new_family = rng.random() < 0.015
            moved_in = day_between(rng, story.start, story.on(2026, 3, 31)) if new_family else None
            family(build, h, v, add, moved_in)


def distance(build: Build, village: Village) -> Decimal | None:
    """A third of the households have their own distance, up to 3 km either side of the
    village's usual one; the others use the village's. Drawn from a generator of their
    own, so that the rest of the demo stays as it was."""
    draw = build.distance_rng
    if draw.random() >= 1 / 3:
        return None
    usual = village.default_distance_km or Decimal(5)
    return max(Decimal("0.5"), usual + Decimal(draw.randint(-30, 30)) / 10)


def family(build: Build, h: int, v: int, add, moved_in: datetime.date | None) -> None:
    rng, story = build.rng, build.story
    year = story.year  # a birth year as the story is told
    head_sex = "M" if rng.random() < 0.85 else "F"
    head_year = round(rng.triangular(year(1942), year(2001), year(1975)))
    if moved_in:
        head_year = rng.randint(year(1985), year(2000))
    # Children take their father's surname.
    family = build.surname()
    head_surname = family if head_sex == "M" else build.surname()
    spouse_surname = None if head_sex == "M" else family
    common = {"moved_in_on": moved_in}
    head = add(
        h, v, build.full_name(head_sex, head_year, head_surname), head_sex, head_year, "head", **common
    )
    build.people[head].row.phone = build.phone() if rng.random() < 0.8 else ""
    spouse_year = None
    if rng.random() < (0.88 if head_year > year(1955) else 0.55):
        spouse_sex = "F" if head_sex == "M" else "M"
        spouse_year = min(
            year(2003), head_year + (rng.randint(-1, 6) if head_sex == "M" else rng.randint(-6, 1))
        )
        spouse = add(
            h,
            v,
            build.full_name(spouse_sex, spouse_year, spouse_surname),
            spouse_sex,
            spouse_year,
            "spouse",
            **common,
        )
        if rng.random() < 0.55:
            build.people[spouse].row.phone = build.phone()
    mother_year = spouse_year if head_sex == "M" and spouse_year else head_year
    if head_year < year(1963) and rng.random() < 0.5:
        # Three generations: a married son, his wife and their children.
        son_year = min(year(2000), mother_year + rng.randint(20, 32))
        add(h, v, build.full_name("M", son_year, family), "M", son_year, "child", **common)
        wife_year = son_year + rng.randint(-1, 5)
        add(h, v, build.full_name("F", wife_year), "F", wife_year, "other", **common)
        for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
            born = wife_year + rng.randint(19, 36)
            if born <= year(2023):
                sex = rng.choice("MF")
                add(h, v, build.full_name(sex, born, family), sex, born, "other", **common)
    else:
        children = rng.choices([0, 1, 2, 3, 4, 5], [12, 22, 35, 20, 8, 3])[0]
        for _ in range(children):
            born = mother_year + rng.randint(19, 40)
            if born <= year(2023):
                sex = rng.choice("MF")
                add(h, v, build.full_name(sex, born, family), sex, born, "child", **common)
        if head_year < year(1992) and rng.random() < 0.2:
            born = head_year - rng.randint(20, 32)
            if born >= year(1928):
                sex = "F" if rng.random() < 0.65 else "M"
                surname = head_surname if sex == "M" else None
                add(h, v, build.full_name(sex, born, surname), sex, born, "parent", **common)
    members = list(build.members_of[h])
    for i in members:
        life_events(build, build.people[i], moved_in)
    # Born during the program: registered through the birth bundle.
    if not moved_in and mother_year and year(1984) <= mother_year <= year(2004) and rng.random() < 0.22:
        born = day_between(rng, story.start, story.on(2026, 5, 15))
        sex = rng.choice("MF")
        relation = "child" if head_year >= year(1975) else "other"
        add(h, v, build.full_name(sex, born.year, family), sex, born.year, relation, moved_in_on=born)
    elif not moved_in and rng.random() < 0.03:
        # A bride or a son coming back from work in the lowlands.
        sex = rng.choice("MF")
        born = rng.randint(year(1995), year(2005))
        name = build.full_name(sex, born, family if sex == "M" else None)
        relation = "child" if sex == "M" else "other"
        add(h, v, name, sex, born, relation, moved_in_on=day_between(rng, story.start, story.on(2026, 4, 30)))
    elif not moved_in and rng.random() < 0.04:
        # Living here for years: the date the register knows; children born here have none.
        arrived = day_between(rng, story.on(2008, 1, 1), story.on(2023, 12, 31))
        for i in build.members_of[h]:
            row = build.people[i].row
            if row.birth_year is None or row.birth_year < arrived.year:
                row.moved_in_on = arrived


def life_events(build: Build, person: Person, moved_in: datetime.date | None) -> None:
    rng, story = build.rng, build.story
    row = person.row
    age = story.year(2025) - (row.birth_year or story.year(1955))
    first = max(story.start, moved_in or story.start)
    died = 0.16 if age >= 80 else 0.06 if age >= 70 else 0.02 if age >= 60 else 0.002
    away = 0.07 if 18 <= age <= 35 else 0.01
    roll = rng.random()
    if row.relation != "head" and roll < away:
        row.left_on, row.left_reason = day_between(rng, first, story.end), "moved_away"
    elif roll < away + died:
        row.left_on, row.left_reason = day_between(rng, first, story.end), "died"


def households_write(build: Build) -> dict[str, int]:
    """Write the households (phone, smartphone and internet from their members) and the residents."""
    workers = build.workers
    for h, household in enumerate(build.households):
        household.worker_in_charge_id = workers[build.household_worker[h]].pk
        members = [build.people[i] for i in build.members_of[h]]
        household.phone = members[0].row.phone
        household.has_smartphone = any(p.dates["smartphone"] for p in members)
        household.has_internet = household.has_smartphone and build.rng.random() < 0.85
        household.prepare()
    Household.objects.bulk_create(build.households)
    rows = []
    for person in build.people:
        row = person.row
        row.household = build.households[person.household]
        row.smartphone_on = person.dates["smartphone"]
        row.eid_on = person.dates["eid"]
        row.online_on = person.dates["online"]
        row.level34_on = person.dates["level34"]
        if row.smartphone_on and not row.phone and row.birth_year and row.birth_year < build.story.year(2008):
            row.phone = build.phone() if build.rng.random() < 0.5 else ""
        row.prepare()
        rows.append(row)
    Resident.objects.bulk_create(rows)
    build.resident_rows = rows
    return {"households": len(build.households), "residents": len(rows)}
