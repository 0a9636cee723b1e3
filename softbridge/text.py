"""Vietnamese text as people type it and as the register stores it.

Names arrive in NFC (most keyboards) or NFD (some phones, macOS files), with stray
spaces, with or without diacritics. The register stores names NFC-normalised and
keeps a folded copy (no diacritics, lower case, single spaces) for search, so that
"nguyen van" finds "Nguyễn Văn" on SQLite and PostgreSQL alike.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.db.models import Case, CharField, Transform, Value, When
from django.db.models.functions import Concat, Right, Upper
from django.db.models.lookups import Exact
from django.utils.translation import gettext as _

from softbridge.request_limits import SEARCH_MAX_LENGTH

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
    It keeps the first SEARCH_MAX_LENGTH characters (softbridge.request_limits): the register
    holds no longer name, and a search box takes no more, so a longer text was not typed.
    """
    if not value:
        return ""
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Cs") else ch for ch in str(value))
    return clean_name(text)[:SEARCH_MAX_LENGTH].rstrip()


def fold(value: str | None) -> str:
    """The search form of a text, the one meaning of "the same name" for every search.

    NFC and NFD spell the same letters; diacritics and case are dropped, đ/Đ count as d,
    control characters and runs of whitespace count as one space: "  NGUYỄN\tthị " and
    "nguyen thi" have the same form. Resident.search_name stores it; villages.selectors
    .names_matching compares the words typed in it.
    """
    text = search_text(value)
    decomposed = unicodedata.normalize("NFD", text.translate(_NON_DECOMPOSING))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


def _vietnamese_marked_letters() -> str:
    bases = "aăâeêioôơuưy"
    tones = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
    letters = {unicodedata.normalize("NFC", base + tone) for base in bases for tone in tones} | {"đ"}
    letters |= {letter.upper() for letter in letters}
    return "".join(sorted(letter for letter in letters if not letter.isascii()))


_MARKED = _vietnamese_marked_letters()
_BARE = "".join(fold(letter) for letter in _MARKED)


class Folded(Transform):
    """fold in SQL, as the `__fold` lookup of a text column that has no folded copy stored
    (`Q(full_name__fold__contains="nguyen")`; registered in villages.apps).

    PostgreSQL translates the Vietnamese letters of NFC text (as clean_name stores it) to
    bare ones and lower-cases. SQLite cannot nest enough REPLACE calls for that, so it
    runs fold() itself, registered on the connection.
    """

    lookup_name = "fold"
    arity = 1
    output_field = CharField()

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.lhs)
        for marked, bare in zip(_MARKED, _BARE, strict=True):
            sql = f"REPLACE({sql}, '{marked}', '{bare}')"
        return f"LOWER({sql})", params

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.lhs)
        # The letters are this module's constants, written into the SQL, not user input.
        return f"LOWER(TRANSLATE({sql}, '{_MARKED}', '{_BARE}'))", params

    def as_sqlite(self, compiler, connection, **extra_context):
        connection.ensure_connection()
        connection.connection.create_function("softbridge_fold", 1, fold, deterministic=True)
        sql, params = compiler.compile(self.lhs)
        return f"softbridge_fold({sql})", params


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


# --- Identifiers: the codes and names a record is told apart by ------------------------
#
# A household code, a worker group's name (docs/domain.md, "Identifiers"): two records of a
# commune may not hold the same one, and to a person "UNI-1", "uni-1", "ＵＮＩ-1" (full width)
# and "UNI<zero-width space>-1" are the same. So an identifier is stored NFKC-normalised
# (full-width and other compatibility forms become the plain letters), uniqueness compares
# it upper-cased (the database's UPPER, which the unique constraints use too), and a
# character nobody can see is refused rather than silently dropped: the person is told.

# Format and control characters (zero-width space and joiners, byte-order mark, bidi
# marks), unassigned and private-use code points, line and paragraph separators.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def identifier(value: str | None) -> str:
    """An identifier as stored: NFKC, trimmed, runs of whitespace one space ("ＵＮＩ-1 " is "UNI-1")."""
    if value is None:
        return ""
    return " ".join(unicodedata.normalize("NFKC", str(value)).split())


def identifier_key(value: str | None) -> str:
    """What two identifiers are the same by: the identifier upper-cased ("uni-1" is "UNI-1")."""
    return identifier(value).upper()


def invisible_character(value: str | None) -> str | None:
    """The first character of `value` a person cannot see, as U+XXXX, or None.

    Whitespace is not refused (identifier() makes it one space). A combining mark left
    after NFKC sits on a letter it does not combine with (Vietnamese letters all have a
    composed form): "UNI-1" with an acute accent on the 1 looks like "UNI-1".
    """
    for ch in identifier(value):
        category = unicodedata.category(ch)
        if category in _INVISIBLE_CATEGORIES or category.startswith("M"):
            return f"U+{ord(ch):04X}"
    return None


def refuse_invisible_characters(value: str | None) -> None:
    """The validator of every identifier field: a clear message naming the character."""
    character = invisible_character(value)
    if character:
        raise ValidationError(
            _(
                "This holds a character that cannot be seen or a stray accent (%(character)s): "
                "retype it without it."
            )
            % {"character": character},
            code="invisible_character",
        )


def same_identifier(field: str, value: str | None) -> Exact:
    """A filter for the rows whose `field` is the same identifier as `value`, compared as the
    unique constraints compare, both sides upper-cased by the database:
    `.filter(same_identifier("code", c))`. (SQLite's UPPER knows only ASCII letters, so there
    "Đ" and "đ" stay two letters, for the constraint as for this filter.)"""
    return Exact(Upper(field), Upper(Value(identifier(value), output_field=CharField())))
