"""Exports of the register: households and residents with their ladder, as CSV or XLSX.

Every export starts from the scoped selectors (villages.selectors), so a village head's
file holds their villages only and nobody gets a row outside their area. Personal ID
numbers are shown as villages.access.NationalIdsShown says: in full to the commune's officials
and superusers, masked (`********1234`) for everyone else.

The residents' export has the roster import's columns (villages.roster.columns.COLUMNS), with
the words the import reads (chủ hộ, Nam, chuyển đi, ... in Vietnamese, head, M,
moved_away in English): an official's export imports back unchanged, and a masked ID
number is read by the import as an empty cell. Headers are Vietnamese when the page is.

Text that a spreadsheet would run as a formula (=, +, -, @, ...) is written with a leading
apostrophe (softbridge.spreadsheets), which the import reads back away.

Distances are written with a decimal point (7.5), which the import reads as it reads 7,5;
an empty cell is a distance not recorded (the village's usual distance applies).

The rows are read with one query and streamed, so the memory and the number of queries
do not grow with the commune.
"""

import csv
import datetime
import itertools
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import translation

from softbridge.calendar import commune_today
from softbridge.spreadsheets import Sheet, spreadsheet_cell, xlsx_attachment
from villages.access import NationalIdsShown
from villages.roster.columns import COLUMNS
from villages.selectors import households_visible_to, residents_visible_to, with_list_columns

CHUNK = 2000

# The import's own words, so that an export reads back (see villages.roster.cells).
_VIETNAMESE_WORDS = {
    "relation": {
        "head": "chủ hộ",
        "spouse": "vợ/chồng",
        "child": "con",
        "parent": "bố/mẹ",
        "grandchild": "cháu",
        "sibling": "anh/chị/em",
        "in_law": "dâu/rể",
        "other": "khác",
    },
    "sex": {"M": "Nam", "F": "Nữ"},
    "left_reason": {"moved_away": "chuyển đi", "died": "chết"},
}

_RESIDENT_PATHS = {
    "village_code": "household__village__code",
    "village_name": "household__village__name",
    "household_code": "household__code",
    # The household's, on each of its residents' rows (as the import reads it).
    "distance_km": "household__distance_km",
}

HOUSEHOLD_COLUMNS = (
    # (English header, Vietnamese header, attribute of with_list_columns' rows)
    ("village_code", "ma_thon", "village.code"),
    ("village_name", "ten_thon", "village.name"),
    ("household_code", "ma_ho", "code"),
    ("address", "dia_chi", "address"),
    ("phone", "dien_thoai", "phone"),
    ("head", "chu_ho", "head_name"),
    ("members", "so_nhan_khau", "member_count"),
    ("with_smartphone", "so_co_dien_thoai_thong_minh", "smartphone_count"),
    ("with_eid", "so_co_dinh_danh", "eid_count"),
    ("online_users", "so_da_dung_dvc_truc_tuyen", "online_count"),
    ("level34_users", "so_da_nop_muc_34", "level34_count"),
    ("has_smartphone", "ho_co_dien_thoai_thong_minh", "has_smartphone"),
    ("has_internet", "ho_co_internet", "has_internet"),
    # Last, so that scripts reading the columns above by position keep working.
    ("distance_km", "khoang_cach_km", "distance_km"),
)


def _vietnamese() -> bool:
    return (translation.get_language() or "").startswith("vi")


def residents_export(user) -> tuple[list[str], Iterator[list]]:
    """The headers and rows of the residents the user may see, present and departed."""
    vietnamese = _vietnamese()
    names = [column.name for column in COLUMNS]
    headers = [column.vietnamese if vietnamese else column.name for column in COLUMNS]
    paths = [_RESIDENT_PATHS.get(name, name) for name in names]
    queryset = (
        residents_visible_to(user)
        .order_by("household__village__code", "household__code", "id")
        .values_list("commune_id", *paths)
    )
    national_ids = NationalIdsShown(user)
    words = [(_VIETNAMESE_WORDS.get(name) if vietnamese else None) for name in names]
    id_position = names.index("national_id")

    def rows() -> Iterator[list]:
        for commune_id, *values in queryset.iterator(chunk_size=CHUNK):
            values[id_position] = national_ids.number(values[id_position], commune_id)
            yield [
                (mapping.get(value, value) if mapping and value else value)
                for value, mapping in zip(values, words, strict=True)
            ]

    return headers, rows()


def households_export(user) -> tuple[list[str], Iterator[list]]:
    """The headers and rows of the households the user may see, with their ladder counts."""
    vietnamese = _vietnamese()
    headers = [
        vietnamese_header if vietnamese else name for name, vietnamese_header, _path in HOUSEHOLD_COLUMNS
    ]
    queryset: QuerySet = with_list_columns(households_visible_to(user))

    def value_of(household, path: str):
        for part in path.split("."):
            household = getattr(household, part)
        return household

    def rows() -> Iterator[list]:
        for household in queryset.iterator(chunk_size=CHUNK):
            yield [value_of(household, path) for _name, _vietnamese, path in HOUSEHOLD_COLUMNS]

    return headers, rows()


class _Echo:
    """A file that hands back what is written, for streaming csv.writer's lines."""

    def write(self, value: str) -> str:
        return value


def csv_response(filename: str, headers: list[str], rows: Iterable[list]) -> StreamingHttpResponse:
    """A streamed CSV file, UTF-8 with a BOM so that Excel reads the Vietnamese letters."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow([spreadsheet_cell(header) for header in headers])
        for row in rows:
            yield writer.writerow(["" if value is None else _csv_value(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _csv_value(value):
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return spreadsheet_cell(value)


def xlsx_response(
    filename: str, headers: list[str], rows: Iterable[list], sheet_title: str = ""
) -> HttpResponse:
    """An XLSX file with real date cells, shown as the reader's language writes dates."""
    date_format = "DD/MM/YYYY" if _vietnamese() else "YYYY-MM-DD"
    return xlsx_attachment(
        filename, [Sheet(sheet_title, itertools.chain([headers], rows), date_format=date_format)]
    )


def export_filename(kind: str, extension: str) -> str:
    return f"{kind}-{commune_today().isoformat()}.{extension}"
