"""What one build of the demo commune holds while it is planned and written.

Every part (demo.place, demo.organisations, demo.households, ...) reads and adds to one
Build; demo.commune says in which order. All draws come from the build's generator, in
that order, which is what makes every run produce the same rows.
"""

import random

from demo.curves import CURVES, told
from demo.draws import weighted
from demo.names import (
    FEMALE_GIVEN,
    FEMALE_GIVEN_MODERN,
    FEMALE_MIDDLE_MODERN,
    MALE_GIVEN,
    MALE_GIVEN_MODERN,
    MALE_MIDDLE_MODERN,
    PHONE_PREFIXES,
    SURNAMES,
)
from demo.period import Story, months
from softbridge.text import clean_name

SEED = 1558


class Build:
    """The commune being built, the generator, and what each part has planned or written so far."""

    def __init__(self, commune, rng: random.Random, story: Story, head_user=None, worker_user=None):
        self.commune = commune
        self.rng = rng
        self.story = story
        self.distance_rng = random.Random(SEED + 1)
        self.head_user = head_user
        self.worker_user = worker_user
        self.used_ids: set[str] = set()
        self.used_phones: set[str] = set()
        self.months = months(story.start, story.end)
        # The ladder's curves on the days the story is told.
        self.curves = {step: told(curve, story) for step, curve in CURVES.items()}

    # ---- names and numbers ----

    def surname(self) -> str:
        return weighted(self.rng, SURNAMES)

    def given(self, sex: str, birth_year: int | None) -> str:
        rng = self.rng
        year = (birth_year or self.story.year(1960)) - self.story.years  # as the story wrote it
        modern_share = 0.1 if year < 1980 else 0.4 if year < 1995 else 0.7
        if rng.random() < modern_share:
            if sex == "M":
                return f"{rng.choice(MALE_MIDDLE_MODERN)} {rng.choice(MALE_GIVEN_MODERN)}"
            return f"{rng.choice(FEMALE_MIDDLE_MODERN)} {rng.choice(FEMALE_GIVEN_MODERN)}"
        return f"Văn {rng.choice(MALE_GIVEN)}" if sex == "M" else f"Thị {rng.choice(FEMALE_GIVEN)}"

    def full_name(self, sex: str, birth_year: int | None, surname: str | None = None) -> str:
        return clean_name(f"{surname or self.surname()} {self.given(sex, birth_year)}")

    def national_id(self, sex: str, birth_year: int) -> str:
        # 004 is Cao Bằng; the next digit says century and sex, then two digits of the year.
        century = (0 if birth_year < 2000 else 2) + (1 if sex == "F" else 0)
        while True:
            number = f"004{century}{birth_year % 100:02d}{self.rng.randint(0, 999999):06d}"
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def phone(self) -> str:
        while True:
            number = f"{self.rng.choice(PHONE_PREFIXES)}{self.rng.randint(0, 9999999):07d}"
            if number not in self.used_phones:
                self.used_phones.add(number)
                return number
