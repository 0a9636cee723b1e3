"""The commune's calendar: what day it is in the commune, dates that may not lie ahead of it, and
calendar months (a month is the date of its first day, typed and written as YYYY-MM).

It lives in the register, the bottom app, so that every app above it (the program, training,
reports) asks the same questions the same way.
"""

import calendar
import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

FUTURE = _("The date is in the future.")
MONTH_INVALID = _("Enter a month as YYYY-MM, for example 2024-08.")
# How far ahead a training session may be planned (docs/user-guide.md, Planning a session): a
# commune plans its sessions for the year; a date further ahead is a typing mistake.
PLANNING_DAYS = 365

# ASCII digits only: `\d` would also take "२०२४-०८" and int() would read it as 2024-08.
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
# The years a month may name: the register's and the reports' range (the schema stops birth years at 2100).
_EARLIEST_YEAR, _LATEST_YEAR = 1900, 2100


def commune_today(now: datetime.datetime | None = None) -> datetime.date:
    """The date in the commune at `now` (default: this moment): the local date in settings.TIME_ZONE.

    Never `datetime.date.today()`: that is the server's date, and a server kept in UTC would put a
    visit made at 06:00 in Hanoi on the previous day, and refuse a visit logged at 06:00 today as
    being "in the future".
    """
    return timezone.localdate(now)


def is_future(day: datetime.date | None, *, today: datetime.date | None = None) -> bool:
    """Whether `day` lies after `today` (default: the commune's today). An empty date is not."""
    return day is not None and day > (today or commune_today())


def not_in_future(value: datetime.date | None) -> None:
    """The validator every form, serializer, admin form and the importer use for a date that
    records something that has happened (a visit, a ladder step, a move)."""
    if is_future(value):
        raise ValidationError(FUTURE, code="future")


def within_planning(value: datetime.date | None) -> None:
    """The validator of a date that may be planned (a training session's): not more than
    PLANNING_DAYS after the commune's today (date_refusal with planned=True)."""
    refusal = date_refusal(value, planned=True)
    if refusal:
        raise ValidationError(refusal, code="too_far_ahead")


# --- Dates that make sense (docs/domain.md, Dates) ---------------------------------------------

# A commune's program start when it has not set its own (villages.Commune.program_started_on).
PROGRAM_START = datetime.date(2020, 1, 1)


def date_refusal(
    on: datetime.date | None,
    *,
    birth_year: int | None = None,
    who: str = "",
    program_start: datetime.date | None = None,
    stay_began: datetime.date | None = None,
    planned: bool = False,
) -> str | None:
    """Why `on` cannot be the date of something that happened, or None: the one statement of
    the rules that every form, serializer, admin form, service and the roster importer ask.

    A date that has happened is not after the commune's today; not before the year the
    person was born (`birth_year`, when known: a ladder step, a visit or session that helped
    them, an application, a departure, a move; `who` names them when several could be meant);
    not before the commune's program started (`program_start`: visits and sessions); not
    before the person's current stay began (`stay_began`: a departure, a move). An empty date
    breaks none of them. A date that is `planned` (a training session's) may lie ahead, up to
    PLANNING_DAYS after the commune's today.
    """
    if on is None:
        return None
    if planned:
        latest = commune_today() + datetime.timedelta(days=PLANNING_DAYS)
        if on > latest:
            return gettext("%(date)s is too far ahead: a session can be planned up to %(latest)s.") % {
                "date": on.isoformat(),
                "latest": latest.isoformat(),
            }
    elif is_future(on):
        return str(FUTURE)
    if birth_year is not None and on.year < birth_year:
        if who:
            return gettext("%(date)s is before %(year)s, the year %(name)s was born.") % {
                "date": on.isoformat(),
                "year": birth_year,
                "name": who,
            }
        return gettext("%(date)s is before %(year)s, the year the resident was born.") % {
            "date": on.isoformat(),
            "year": birth_year,
        }
    if program_start is not None and on < program_start:
        return gettext("%(date)s is before the commune's program started (%(start)s).") % {
            "date": on.isoformat(),
            "start": program_start.isoformat(),
        }
    if stay_began is not None and on < stay_began:
        return gettext("%(date)s is before the resident's current stay began (%(start)s).") % {
            "date": on.isoformat(),
            "start": stay_began.isoformat(),
        }
    return None


def refuse_future_dates(form: forms.BaseForm, *names: str) -> None:
    """Give the form's date fields `names` the not_in_future validator (those the form has: the
    admin leaves read-only fields out)."""
    for name in names:
        if name in form.fields:
            form.fields[name].validators.append(not_in_future)


def parse_month(text: str | None) -> datetime.date | None:
    """'2024-08' as datetime.date(2024, 8, 1), as an <input type=month> sends it; None for anything
    else: '2024-13', '2024-8', '0999-01', 'abc', a date, or None."""
    found = _MONTH.fullmatch(text.strip()) if isinstance(text, str) else None
    if not found:
        return None
    year, month = int(found[1]), int(found[2])
    if not (1 <= month <= 12 and _EARLIEST_YEAR <= year <= _LATEST_YEAR):
        return None
    return datetime.date(year, month, 1)


def month_label(month: datetime.date) -> str:
    """The month as the pages, the API and exports write it: 'YYYY-MM'."""
    return f"{month.year:04d}-{month.month:02d}"


def month_in_words(month: datetime.date) -> str:
    """The month as a sentence says it, in the active language: "tháng 11 năm 2026", "November
    2026" (YEAR_MONTH_FORMAT, softbridge/formats). Lower case in Vietnamese, as inside a sentence:
    a message puts it after its own words ("Báo cáo tháng 11 năm 2026"). month_label is the
    machine's ("2026-11": addresses, the API, the columns of exports)."""
    return formats.date_format(month, "YEAR_MONTH_FORMAT")


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


def quarter_of(month: datetime.date) -> tuple[int, int]:
    return month.year, (month.month - 1) // 3 + 1


class MonthInput(forms.TextInput):
    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__({"placeholder": "YYYY-MM", "pattern": "[0-9]{4}-[0-9]{2}", **(attrs or {})})


class MonthField(forms.CharField):
    """A calendar month typed as YYYY-MM (see parse_month); cleans to the date of its first day.
    Every month filter and report period uses it, so that they all take the same months."""

    widget = MonthInput
    default_error_messages = {"invalid": MONTH_INVALID}

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        month = parse_month(value)
        if month is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return month

    def prepare_value(self, value):
        return month_label(value) if isinstance(value, datetime.date) else value
