"""The ladder's target curves: the share of residents who had reached each step by a date.

Written in the story's own dates (demo.period); `told` moves a curve to the days the story
is told on."""

import datetime
import math

from demo.period import D

# Target curves: (date, share of residents who had reached the step by then). Between two
# knots the share grows linearly, so month-end knots pin the month-end figures.
LEVEL34_CURVE = [
    (D(2024, 5, 31), 0.0),
    (D(2024, 6, 30), 0.045),
    (D(2024, 7, 31), 0.095),
    (D(2024, 8, 31), 0.155),
    (D(2024, 9, 30), 0.22),
    (D(2024, 10, 31), 0.30),
    (D(2024, 11, 30), 0.38),
    (D(2024, 12, 31), 0.45),
    (D(2025, 1, 31), 0.50),
    (D(2025, 2, 28), 0.54),
    (D(2025, 3, 31), 0.575),
    (D(2025, 4, 30), 0.60),
    (D(2025, 6, 30), 0.62),
    (D(2025, 9, 30), 0.645),
    (D(2025, 12, 31), 0.665),
    (D(2026, 3, 31), 0.685),
    (D(2026, 5, 31), 0.70),
]
ONLINE_CURVE = [
    (D(2021, 1, 1), 0.0),
    (D(2023, 1, 1), 0.12),
    (D(2024, 5, 31), 0.30),
    (D(2024, 6, 30), 0.36),
    (D(2024, 7, 31), 0.42),
    (D(2024, 8, 31), 0.48),
    (D(2024, 9, 30), 0.58),
    (D(2024, 10, 31), 0.68),
    (D(2024, 11, 30), 0.77),
    (D(2024, 12, 31), 0.84),
    (D(2025, 1, 31), 0.88),
    (D(2025, 2, 28), 0.905),
    (D(2025, 3, 31), 0.92),
    (D(2025, 4, 30), 0.93),
    (D(2025, 12, 31), 0.95),
    (D(2026, 5, 31), 0.96),
]
EID_CURVE = [
    (D(2022, 7, 1), 0.0),
    (D(2023, 7, 1), 0.35),
    (D(2024, 5, 31), 0.63),
    (D(2024, 6, 30), 0.66),
    (D(2024, 7, 31), 0.68),
    (D(2024, 8, 31), 0.70),
    (D(2024, 9, 30), 0.75),
    (D(2024, 10, 31), 0.80),
    (D(2024, 11, 30), 0.85),
    (D(2024, 12, 31), 0.89),
    (D(2025, 1, 31), 0.91),
    (D(2025, 2, 28), 0.925),
    (D(2025, 3, 31), 0.935),
    (D(2025, 4, 30), 0.94),
    (D(2025, 12, 31), 0.955),
    (D(2026, 5, 31), 0.965),
]
SMARTPHONE_CURVE = [
    (D(2015, 1, 1), 0.0),
    (D(2020, 1, 1), 0.40),
    (D(2024, 5, 31), 0.82),
    (D(2024, 12, 31), 0.93),
    (D(2025, 4, 30), 0.955),
    (D(2026, 5, 31), 0.975),
]
# Lowest step first; a step's date is never after the next one's.
STEPS = ["smartphone", "eid", "online", "level34"]
CURVES = {"smartphone": SMARTPHONE_CURVE, "eid": EID_CURVE, "online": ONLINE_CURVE, "level34": LEVEL34_CURVE}
# Age in a year from which a step is possible (VNeID level 2 from 14; applications from 15).
STEP_MIN_AGE = {"smartphone": 12, "eid": 14, "online": 15, "level34": 15}
# How a step taken during the program happened: at a home visit, at a session, or alone.
STEP_HELP = {
    "smartphone": (0.5, 0.1),
    "eid": (0.5, 0.35),
    "online": (0.45, 0.35),
    "level34": (0.5, 0.3),
}


def told(curve, story) -> list[tuple[datetime.date, float]]:
    """The curve with its knots on the days the story (demo.period.Story) is told."""
    return [(story.at(day), share) for day, share in curve]


def date_at_share(curve, u: float) -> datetime.date | None:
    """The first day on which the curve reaches share u; None if it never does."""
    for (d0, c0), (d1, c1) in zip(curve, curve[1:], strict=False):
        if u <= c1 and c1 > c0:
            days = math.ceil((u - c0) / (c1 - c0) * (d1 - d0).days)
            return d0 + datetime.timedelta(days=max(1, days))
    return None


def share_at(curve, day: datetime.date) -> float:
    """The curve's share on a day."""
    for (d0, c0), (d1, c1) in zip(curve, curve[1:], strict=False):
        if day <= d1:
            return c0 + (c1 - c0) * max(0, (day - d0).days) / (d1 - d0).days
    return curve[-1][1]
