"""The roster's columns: their English and Vietnamese headers, and the import template."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from softbridge.text import fold
from villages.models import Resident


@dataclass(frozen=True)
class Column:
    name: str  # the English header, and the field it fills
    vietnamese: str  # the Vietnamese header (the import template's)
    label: str  # what it means, for people
    required: bool = False
    aliases: tuple[str, ...] = ()


COLUMNS = (
    Column("village_code", "ma_thon", gettext_lazy("village code"), required=True),
    Column("village_name", "ten_thon", gettext_lazy("village name (required when the village is new)")),
    Column("household_code", "ma_ho", gettext_lazy("household code"), required=True),
    Column("full_name", "ho_ten", gettext_lazy("full name"), required=True),
    Column("relation", "quan_he", gettext_lazy("relation to the head"), aliases=("quan_he_voi_chu_ho",)),
    Column("sex", "gioi_tinh", gettext_lazy("sex")),
    Column("birth_year", "nam_sinh", gettext_lazy("birth year")),
    Column(
        "national_id",
        "so_dinh_danh",
        gettext_lazy("personal ID number"),
        aliases=("so_dinh_danh_ca_nhan", "cccd", "so_cccd", "so_can_cuoc"),
    ),
    Column("phone", "dien_thoai", gettext_lazy("phone"), aliases=("so_dien_thoai",)),
    Column("moved_in_on", "ngay_chuyen_den", gettext_lazy("moved in on")),
    Column("left_on", "ngay_chuyen_di", gettext_lazy("left on (moved away or died)")),
    Column("left_reason", "ly_do_chuyen_di", gettext_lazy("reason for leaving: moved away or died")),
    Column("smartphone_on", "ngay_co_dien_thoai_thong_minh", gettext_lazy("smartphone since")),
    Column("eid_on", "ngay_dinh_danh", gettext_lazy("e-ID activated on")),
    Column("online_on", "ngay_dvc_truc_tuyen", gettext_lazy("first online public service use")),
    Column("level34_on", "ngay_muc_34", gettext_lazy("first level 3/4 online application")),
    # Last, so that files and scripts made for the columns above keep their positions.
    Column(
        "distance_km",
        "khoang_cach_km",
        gettext_lazy("household's one-way distance to the one-stop office, in km (for example 7,5)"),
        aliases=("khoang_cach",),
    ),
)
COLUMN = {column.name: column for column in COLUMNS}
DATE_COLUMNS = ("moved_in_on", "left_on", "smartphone_on", "eid_on", "online_on", "level34_on")
# Columns a spreadsheet often carries that mean nothing to the register: a row number.
IGNORED_HEADERS = frozenset({"stt", "so_thu_tu", "no", "#"})


def header_key(text: str) -> str:
    """Headers compare without case, diacritics, spaces or punctuation: "Mã hộ" is ma_ho."""
    return re.sub(r"[^a-z0-9#]", "", fold(text))


BY_HEADER = {
    header_key(header): column
    for column in COLUMNS
    for header in (column.name, column.vietnamese, *column.aliases)
}
IGNORED_KEYS = frozenset(header_key(header) for header in IGNORED_HEADERS)

# The resident's columns the import compares and writes, in this order everywhere in the
# import: a checked row's values, the register's residents and the rows written.
RESIDENT_FIELDS = (
    "household",  # a household code while planning, an id when writing
    "full_name",
    "search_name",
    # The rest of what the register records of a person, in the model's order.
    *(name for name in Resident.RECORDED_FIELDS if name != "full_name"),
)
# Where each of RESIDENT_FIELDS stands in those tuples.
AT = {name: i for i, name in enumerate(RESIDENT_FIELDS)}
# The row's values that replace the stored ones when the cell is not empty: all but the
# resident's identity (household, name and its folded form).
FROM_ROW = RESIDENT_FIELDS[AT["sex"] :]


def roster_template_rows() -> tuple[list[str], list[list]]:
    """The import template's Vietnamese headers and its example row."""
    headers = [column.vietnamese for column in COLUMNS]
    example = {
        "village_code": "NK",
        "village_name": "Nà Khau",
        "household_code": "NK-001",
        "full_name": "Nông Thị Hoa",
        "relation": "chủ hộ",
        "sex": "Nữ",
        "birth_year": 1985,
        "national_id": "004185000123",
        "phone": "0912345678",
        "moved_in_on": None,
        "left_on": None,
        "left_reason": None,
        "smartphone_on": datetime.date(2023, 3, 1),
        "eid_on": datetime.date(2024, 5, 20),
        "online_on": datetime.date(2024, 6, 3),
        "level34_on": datetime.date(2024, 9, 12),
        "distance_km": 7.5,
    }
    return headers, [[example[column.name] for column in COLUMNS]]
