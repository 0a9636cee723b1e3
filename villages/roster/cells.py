"""What each cell of a roster may hold: the value it gives, or the message saying why not.

The rules are the register's (the model's validators and the database constraints, which
stay the backstop), written here for one cell at a time so that every error of a file can
be collected with its place.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from softbridge.calendar import FUTURE, commune_today, is_future
from softbridge.spreadsheets import typed_text
from softbridge.text import clean_name, fold, identifier, refuse_invisible_characters
from villages.models import MAX_DISTANCE_KM, Household, Resident, Village
from villages.roster.columns import DATE_COLUMNS

EARLIEST_DATE = datetime.date(1900, 1, 1)
_BIRTH_YEAR = Resident._meta.get_field("birth_year")

_RELATIONS = {
    **dict.fromkeys(["head", "chu ho", "chu"], Resident.Relation.HEAD),
    **dict.fromkeys(["spouse", "vo", "chong", "vo/chong", "vo chong"], Resident.Relation.SPOUSE),
    **dict.fromkeys(["child", "con", "con trai", "con gai"], Resident.Relation.CHILD),
    **dict.fromkeys(
        ["parent", "bo", "me", "cha", "bo/me", "cha/me", "bo me", "cha me"], Resident.Relation.PARENT
    ),
    **dict.fromkeys(["grandchild", "chau", "chau noi", "chau ngoai"], Resident.Relation.GRANDCHILD),
    **dict.fromkeys(
        [
            "sibling",
            "anh",
            "chi",
            "em",
            "anh/chi/em",
            "anh chi em",
            "anh trai",
            "chi gai",
            "em trai",
            "em gai",
        ],
        Resident.Relation.SIBLING,
    ),
    **dict.fromkeys(
        ["in-law", "in law", "in_law", "dau/re", "con dau", "con re", "dau", "re", "bo chong", "me chong"]
        + ["bo vo", "me vo", "bo me chong", "bo me vo"],
        Resident.Relation.IN_LAW,
    ),
    **dict.fromkeys(["other", "khac"], Resident.Relation.OTHER),
}
_SEXES = {
    **dict.fromkeys(["m", "male", "nam"], Resident.Sex.MALE),
    **dict.fromkeys(["f", "female", "nu"], Resident.Sex.FEMALE),
}
_LEFT_REASONS = {
    **dict.fromkeys(
        ["moved_away", "moved away", "chuyen di", "da chuyen di"], Resident.LeftReason.MOVED_AWAY
    ),
    **dict.fromkeys(["died", "chet", "mat", "da mat", "qua doi", "tu vong"], Resident.LeftReason.DIED),
}


def cell_text(value) -> str:
    """A cell as trimmed NFC text with single spaces (clean_name), numbers without ".0".

    Text that our exports wrote with an apostrophe so that it cannot run as a formula
    ("'=Nguyen") reads as what was typed ("=Nguyen").
    """
    if type(value) is str:
        value = typed_text(value)
        if value.isascii():
            return " ".join(value.split())  # clean_name without the NFC step ASCII does not need
        return clean_name(value)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, datetime.datetime):
        value = value.date()
    return clean_name(value)


CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Long enough to recognise the cell, short enough to keep the list of errors readable.
_SHOWN_LENGTH = 40


def shown(text: str) -> str:
    """A cell as an error message quotes it: control characters written out, long text cut."""
    text = CONTROL.sub(lambda match: "\\x%02x" % ord(match.group()), text)  # noqa: UP031
    return text if len(text) <= _SHOWN_LENGTH else text[: _SHOWN_LENGTH - 1] + "…"


class Fail:
    """The outcome of a cell check that failed."""

    __slots__ = ("message",)

    def __init__(self, message: str):
        self.message = message


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


class CellRules:
    """The check of each column's cells.

    Each check takes a non-empty raw cell and gives the value, None (blank), or a Fail.
    """

    def __init__(self):
        self.today = commune_today()  # one day for the whole file
        self.lengths = {
            "village_code": _max_length(Village, "code"),
            "village_name": _max_length(Village, "name"),
            "household_code": _max_length(Household, "code"),
            "full_name": _max_length(Resident, "full_name"),
            "phone": _max_length(Resident, "phone"),
        }
        self.search_length = _max_length(Resident, "search_name")
        self.of_column = {
            "village_code": self.code,
            "village_name": self.text,
            "household_code": self.code,
            "full_name": self.text,
            "phone": self.phone,
            "relation": self.choice,
            "sex": self.choice,
            "left_reason": self.choice,
            "birth_year": self.birth_year,
            "national_id": self.national_id,
            "distance_km": self.distance,
            **dict.fromkeys(DATE_COLUMNS, self.date),
        }

    def text(self, name: str, value) -> str | Fail | None:
        text = cell_text(value)
        if not text:
            return None
        if CONTROL.search(text):
            # PostgreSQL refuses a NUL in text, and no name or code holds a control character.
            return Fail(
                _("The cell holds a control character (%(character)s): retype it.")
                % {"character": shown(CONTROL.search(text).group())}
            )
        limit = self.lengths[name]
        if len(text) > limit:
            return Fail(
                _("Too long: at most %(limit)s characters, this has %(length)s.")
                % {"limit": limit, "length": len(text)}
            )
        return text

    def code(self, name: str, value) -> str | Fail | None:
        """A village or household code as the register stores it (softbridge.text.identifier)."""
        text = self.text(name, value)
        if not isinstance(text, str):
            return text
        try:
            refuse_invisible_characters(text)
        except ValidationError as error:
            return Fail(error.messages[0])
        return identifier(text)

    def phone(self, name: str, value) -> str | Fail | None:
        text = self.text(name, value)
        if isinstance(value, int | float) and isinstance(text, str) and len(text) == 9:
            # Excel stored the phone number as a number and dropped its leading zero.
            return "0" + text
        return text

    def choice(self, name: str, value) -> str | Fail | None:
        text = cell_text(value)
        if not text:
            return None
        choices = {"relation": _RELATIONS, "sex": _SEXES, "left_reason": _LEFT_REASONS}[name]
        found = choices.get(fold(text))
        if found is not None:
            return str(found)
        accepted = {
            "relation": _(
                "head, spouse, child, parent, grandchild, sibling, in-law or other"
                " (chủ hộ, vợ, chồng, con, bố, mẹ, cháu, anh, chị, em, dâu, rể, khác)"
            ),
            "sex": _("M or F (Nam, Nữ)"),
            "left_reason": _("moved_away or died (chuyển đi, chết)"),
        }[name]
        return Fail(
            _("Unknown value %(value)s: write %(accepted)s.") % {"value": shown(text), "accepted": accepted}
        )

    def birth_year(self, name: str, value) -> int | Fail | None:
        if isinstance(value, str):
            text = value.strip()
            if not text:
                return None
            if re.fullmatch(r"[0-9]{4}(\.0+)?", text):
                value = int(text.split(".")[0])
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not 1000 <= value <= 9999:
            return Fail(
                _("%(value)s is not a birth year: write four digits, for example 1985.")
                % {"value": shown(cell_text(value))}
            )
        try:
            _BIRTH_YEAR.run_validators(value)  # the register's rule: not before 1900, not in the future
        except ValidationError as error:
            return Fail(" ".join(error.messages))
        return value

    def national_id(self, name: str, value) -> str | Fail | None:
        if type(value) is str and len(value) == 12 and value.isascii() and value.isdigit():
            return value  # the usual case, first
        text = "".join(value.split()) if type(value) is str else "".join(cell_text(value).split())
        if not text:
            return None
        if _TWELVE_DIGITS.fullmatch(text):
            return text
        if _MASKED.fullmatch(text):
            return None  # a masked number from an export (villages.exports): keep the stored one
        if not text.isdigit():
            return Fail(
                _("A personal ID number is exactly 12 digits: %(value)s is not.") % {"value": shown(text)}
            )
        message = _("A personal ID number is exactly 12 digits; this one has %(count)s.") % {
            "count": len(text)
        }
        if isinstance(value, int | float) and len(text) < 12:
            message += " " + _(
                "The cell holds a number, which drops leading zeros: format the column as Text."
            )
        return Fail(message)

    def date(self, name: str, value) -> datetime.date | Fail | None:
        if isinstance(value, datetime.datetime):
            day = value.date()
        elif isinstance(value, datetime.date):
            day = value
        else:
            text = cell_text(value)
            if not text:
                return None
            day = _parse_date(text)
            if isinstance(day, str):
                return Fail(day)
        if is_future(day, today=self.today):
            return Fail(str(FUTURE))
        if day < EARLIEST_DATE:
            return Fail(_("The date %(date)s is before 1900.") % {"date": day.isoformat()})
        return day

    def distance(self, name: str, value) -> Decimal | Fail | None:
        """Km with at most one decimal, written 7.5 or 7,5 (the Vietnamese decimal comma)."""
        if isinstance(value, bool):
            number = None
        elif isinstance(value, int | float | Decimal):
            # repr gives a float's shortest form: 7.5 stays 7.5, not 7.4999...
            number = _decimal(repr(value) if isinstance(value, float) else str(value))
        else:
            text = cell_text(value)
            if not text:
                return None
            number = _decimal(text.replace(",", ".")) if _DISTANCE.fullmatch(text) else None
        if number is None:
            return Fail(
                _("%(value)s is not a distance: write the km as a number, for example 7,5.")
                % {"value": shown(cell_text(value))}
            )
        if number < 0:
            return Fail(_("A distance cannot be negative."))
        if number > MAX_DISTANCE_KM:
            return Fail(
                _("%(value)s km is more than %(limit)s km: check the figure.")
                % {"value": shown(cell_text(value)), "limit": MAX_DISTANCE_KM}
            )
        if number != number.quantize(_TENTH):
            return Fail(
                _("%(value)s has more than one decimal: round it to tenths of a km, for example 7,5.")
                % {"value": shown(cell_text(value))}
            )
        return number.quantize(_TENTH) + 0  # + 0: "-0" is plain 0.0


_TWELVE_DIGITS = re.compile(r"[0-9]{12}")
_DISTANCE = re.compile(r"[-+]?[0-9]+(?:[.,][0-9]+)?")
_TENTH = Decimal("0.1")


def _decimal(text: str) -> Decimal | None:
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


_MASKED = re.compile(r"\*+[0-9]{4}")
_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_DMY = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")


def _parse_date(text: str) -> datetime.date | str:
    """The date written as YYYY-MM-DD or DD/MM/YYYY, or the message saying why it is not one."""
    if match := _ISO.fullmatch(text):
        year, month, day = map(int, match.groups())
    elif match := _DMY.fullmatch(text):
        day, month, year = map(int, match.groups())
    else:
        return _("%(value)s is not a date: write YYYY-MM-DD or DD/MM/YYYY.") % {"value": shown(text)}
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return _("%(value)s is not a date of the calendar.") % {"value": shown(text)}
