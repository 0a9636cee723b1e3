"""Vietnamese text as people type it and as the register stores it.

Names arrive in NFC (most keyboards) or NFD (some phones, macOS files), with stray
spaces, with or without diacritics. The register stores names NFC-normalised and
keeps a folded copy (no diacritics, lower case, single spaces) for search, so that
"nguyen van" finds "Nguyễn Văn" on SQLite and PostgreSQL alike.
"""

import unicodedata

from django.db.models import Case, CharField, Value, When
from django.db.models.functions import Concat, Right

# đ/Đ are letters of their own, not d with a combining mark: NFD does not split them.
_NON_DECOMPOSING = str.maketrans({"đ": "d", "Đ": "d", "ð": "d"})


def clean_name(value: str | None) -> str:
    """NFC-normalise, trim, and collapse runs of whitespace to one space."""
    if value is None:
        return ""
    return " ".join(unicodedata.normalize("NFC", str(value)).split())


def search_text(value: str | None) -> str:
    """What a search box's text is compared with: `clean_name` without control characters.

    Control characters (NUL, escapes, lone surrogates) are never part of a code, a name or a
    number, and PostgreSQL refuses a NUL in a query: they count as spaces. Every search of
    the register starts here, so that one text finds the same rows on every page and database.
    """
    if not value:
        return ""
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Cs") else ch for ch in str(value))
    return clean_name(text)


def fold(value: str | None) -> str:
    """The search form of a text: no diacritics, lower case, single spaces."""
    if not value:
        return ""
    decomposed = unicodedata.normalize("NFD", str(value).translate(_NON_DECOMPOSING))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


# How many of an ID number's last digits a masked number shows.
MASK_SHOWS = 4


def mask_national_id(value: str | None) -> str:
    """`********1234`: enough to tell two people apart, not enough to use the number."""
    if not value:
        return ""
    return "*" * max(len(value) - MASK_SHOWS, 0) + value[-MASK_SHOWS:]


def masked_national_id_sql(column: str = "national_id"):
    """mask_national_id in SQL, for a list that masks per row (12 digits: 8 stars and the last 4)."""
    return Case(
        When(**{column: ""}, then=Value("")),
        default=Concat(Value("*" * (12 - MASK_SHOWS)), Right(column, MASK_SHOWS)),
        output_field=CharField(),
    )


def national_id_typed(typed: str | None, *, stored: str, shown_masked: bool) -> str:
    """The ID number a form's box means: what was typed, spaces dropped ("0041 8500 1234").

    Someone shown the number masked (a village head) sees `********1234` in the box and
    cannot retype a number they never saw: the box left as shown, or left empty, keeps the
    stored number; typing a number replaces it.
    """
    value = "".join((typed or "").split())
    if shown_masked and stored and value in ("", mask_national_id(stored)):
        return stored
    return value
