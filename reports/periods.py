"""Which month a leader's figures are about, and how the pages say so.

A month is complete at its end in the commune (softbridge.calendar.commune_today: midnight in
Asia/Ho_Chi_Minh, 17:00 UTC). Until then its figures are "so far": counted to today, and
compared with the plan as it stands today (the linear trajectory of reports.selectors.targets),
never with the plan for the month's last day, which no one could yet have reached.

The reports, the province dashboard and the leader's home all open on default_report_month:
one rule, here, rather than one per page.
"""

import datetime
from collections.abc import Iterable

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from reports.selectors.activity import latest_activity_month_of
from softbridge.calendar import add_months, commune_today, month_end, month_in_words, month_start
from villages.models import Commune


def last_complete_month(*, today: datetime.date | None = None) -> datetime.date:
    """The latest month whose last day has ended in the commune: the month before today's."""
    return add_months(month_start(today or commune_today()), -1)


def default_report_month(communes: Iterable[Commune], *, today: datetime.date | None = None) -> datetime.date:
    """The month a report opens on when none is asked for: the last complete month, or the
    latest month with any visit, session or dossier when the records stop before it (so that
    a commune whose records stop in May does not open on flat months). Never the unfinished
    month: its figures would read as the month's result."""
    return min(latest_activity_month_of(communes), last_complete_month(today=today))


def is_complete(month: datetime.date, *, today: datetime.date | None = None) -> bool:
    """Whether `month` has ended in the commune."""
    return month_end(month) < (today or commune_today())


def counted_to(month: datetime.date, *, today: datetime.date | None = None) -> datetime.date:
    """The day `month`'s figures stand at: its last day, or today while it runs."""
    return min(month_end(month), today or commune_today())


def standing(month: datetime.date, *, today: datetime.date | None = None) -> str:
    """The period a month's figures cover, in words: "At the end of November 2026", or for the
    unfinished month "December 2026 so far (to 7 December)"."""
    today = today or commune_today()
    name = month_in_words(month)
    if is_complete(month, today=today):
        return _("At the end of %(month)s") % {"month": name}
    return _("%(month)s so far (to %(day)s)") % {"month": name, "day": date_format(today, "MONTH_DAY_FORMAT")}
