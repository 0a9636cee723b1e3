"""Calendar months as the reports use them: a month is the date of its first day."""

import calendar
import datetime
import re

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(month: datetime.date) -> datetime.date:
    """The last day of the month: the day at whose end the indicators are counted."""
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def add_months(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def months_between(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """Every month from `start` to `end` inclusive (empty when end is before start)."""
    count = month_count(start, end)
    return [add_months(month_start(start), i) for i in range(max(count, 0))]


def month_count(start: datetime.date, end: datetime.date) -> int:
    """How many months `months_between(start, end)` holds."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


def parse_month(text: str) -> datetime.date | None:
    """'2024-08' as datetime.date(2024, 8, 1); None for anything else ('2024-13', 'abc')."""
    found = _MONTH.match(text.strip()) if isinstance(text, str) else None
    if not found:
        return None
    year, month = int(found[1]), int(found[2])
    if not (1 <= month <= 12 and 1900 <= year <= 2100):
        return None
    return datetime.date(year, month, 1)


def month_label(month: datetime.date) -> str:
    """The month as the API and exports write it: 'YYYY-MM'."""
    return f"{month.year:04d}-{month.month:02d}"


def quarter_of(month: datetime.date) -> tuple[int, int]:
    return month.year, (month.month - 1) // 3 + 1
