"""The two years of the program the demo covers, and its months."""

import datetime

D = datetime.date

PERIOD_START = D(2024, 6, 1)
PERIOD_END = D(2026, 5, 31)
# The first months of the program, when sessions were weekly rather than monthly.
CAMPAIGN_END = D(2025, 4, 30)


def months(start: datetime.date, end: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    """(first day, last day) of every month from start's to end's."""
    months = []
    year, month = start.year, start.month
    while D(year, month, 1) <= end:
        nxt = D(year + month // 12, month % 12 + 1, 1)
        months.append((D(year, month, 1), nxt - datetime.timedelta(days=1)))
        year, month = nxt.year, nxt.month
    return months
