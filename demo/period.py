"""The two years of the program the demo tells, and when they happened.

The story is written from June 2024 to May 2026: the campaign's first ten months to April
2025 (the level 3/4 share climbing from about 15% to 60%), then a year of steadier work.
Told on a given day, it ends on the last day of the month before and every date of it
moves by the same whole number of months (birth years by the whole years of that), so a
demo seeded on any day has a recent past, never months of silence. Told on a day of June
2026, it is the story as written. Every part of the demo (demo.build's Build carries the
story) writes its dates through `Story.on` and its birth years through `Story.year`.
"""

import calendar
import datetime
from dataclasses import dataclass

D = datetime.date

# The story as written.
WRITTEN_START = D(2024, 6, 1)
WRITTEN_END = D(2026, 5, 31)
# The first months of the program, when sessions were weekly rather than monthly.
WRITTEN_CAMPAIGN_END = D(2025, 4, 30)


def month_index(day: datetime.date) -> int:
    return day.year * 12 + day.month - 1


@dataclass(frozen=True)
class Story:
    """The story told `shift` months after it was written (0: as written)."""

    shift: int = 0

    @classmethod
    def ending_before(cls, today: datetime.date) -> "Story":
        """The story whose last month is the month before `today`'s."""
        return cls(month_index(today) - 1 - month_index(WRITTEN_END))

    @property
    def years(self) -> int:
        """Whole years of the shift, by which birth years move (a resident keeps their age
        at the story's events, to within the months left over)."""
        return self.shift // 12

    def on(self, year: int, month: int, day: int) -> datetime.date:
        """The day the story wrote as year-month-day, as told. A month's last day stays its
        month's last day (the curves pin month-end figures); other days keep their number,
        or the month's last day if it is shorter."""
        index = year * 12 + month - 1 + self.shift
        told_year, told_month = divmod(index, 12)
        told_month += 1
        last = calendar.monthrange(told_year, told_month)[1]
        if day == calendar.monthrange(year, month)[1]:
            return D(told_year, told_month, last)
        return D(told_year, told_month, min(day, last))

    def at(self, written: datetime.date) -> datetime.date:
        return self.on(written.year, written.month, written.day)

    def year(self, written: int) -> int:
        return written + self.years

    @property
    def start(self) -> datetime.date:
        return self.at(WRITTEN_START)

    @property
    def end(self) -> datetime.date:
        return self.at(WRITTEN_END)

    @property
    def campaign_end(self) -> datetime.date:
        return self.at(WRITTEN_CAMPAIGN_END)


# The story as it was written (told on a day of June 2026).
AS_WRITTEN = Story()


def months(start: datetime.date, end: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    """(first day, last day) of every month from start's to end's."""
    months = []
    year, month = start.year, start.month
    while D(year, month, 1) <= end:
        nxt = D(year + month // 12, month % 12 + 1, 1)
        months.append((D(year, month, 1), nxt - datetime.timedelta(days=1)))
        year, month = nxt.year, nxt.month
    return months
