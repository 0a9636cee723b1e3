"""Each resident's step dates (smartphone, e-ID, online use, level 3/4), read off the curves."""

import datetime

from demo.build import Build
from demo.curves import STEP_MIN_AGE, STEPS, date_at_share
from demo.households import Person
from demo.period import D


def ladder_plan(build: Build) -> None:
    """Give each resident a readiness rank and read their step dates off the curves."""
    rng, story = build.rng, build.story
    candidates = []
    for i, person in enumerate(build.people):
        year = person.row.birth_year
        if year is not None and year > story.year(2011):
            continue  # not 15 before the end of the period
        age = story.year(2025) - year if year else None
        score = rng.random()
        if age is None:
            score += 0.3
        elif age >= 75:
            score += 0.9
        elif age >= 65:
            score += 0.45
        elif age >= 55:
            score += 0.2
        elif age <= 35:
            score -= 0.1
        candidates.append((score, i))
    candidates.sort()
    n = len(candidates)
    for rank, (_score, i) in enumerate(candidates):
        person = build.people[i]
        u = (rank + 0.5) / n
        for step in STEPS:
            day = date_at_share(build.curves[step], u)
            if day is None:
                continue
            # Nobody climbs before they are old enough; they catch up early that year.
            year = person.row.birth_year
            if year is not None and day.year - year < STEP_MIN_AGE[step]:
                day = D(year + STEP_MIN_AGE[step], 1, 1) + datetime.timedelta(days=rng.randint(5, 120))
            # An application in the commune comes after moving in.
            moved_in = person.row.moved_in_on
            if step in ("online", "level34") and moved_in and day < moved_in:
                day = moved_in + datetime.timedelta(days=rng.randint(7, 60))
            if day > story.end or (person.row.left_on and day >= person.row.left_on):
                continue
            person.dates[step] = day
        keep_order(person)


def keep_order(person: Person) -> None:
    """No step later than the step above it: a level 3/4 application is an online use, etc."""
    dates = person.dates
    for lower, higher in zip(STEPS[-2::-1], STEPS[:0:-1], strict=True):
        if dates[higher] and (dates[lower] is None or dates[lower] > dates[higher]):
            dates[lower] = dates[higher]
