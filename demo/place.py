"""The commune's twelve villages (xóm), with their road distance to the commune office."""

from decimal import Decimal

from demo.build import Build
from softbridge.text import clean_name
from villages.models import Village

# (code, name, households, usual road distance to the one-stop office in km one way, which
# gives the savings). Nà Khau and Bản Thang keep the codes the tests use.
VILLAGES = [
    ("NK", "Nà Khau", 142, "6.5"), ("BT", "Bản Thang", 131, "4.0"), ("CC", "Cốc Chia", 118, "11.5"),
    ("NT", "Nà Thin", 126, "2.5"), ("LD", "Lũng Đa", 104, "14.0"), ("KL", "Khau Luông", 97, "9.0"),
    ("PR", "Pác Rằng", 139, "7.5"), ("BM", "Bó Mạ", 115, "12.5"), ("NL", "Nà Lẹng", 122, "3.0"),
    ("TH", "Thang Hon", 133, "8.0"), ("LN", "Lũng Nặm", 109, "16.5"), ("CK", "Cốc Khoác", 148, "5.5"),
]  # fmt: skip
DEMO_VILLAGE_CODE = "NK"


def villages_build(build: Build) -> None:
    existing = {v.code: v for v in Village.objects.filter(commune=build.commune)}
    new = [
        Village(
            commune=build.commune,
            code=code,
            name=clean_name(name),
            kind=Village.Kind.XOM,
            default_distance_km=Decimal(km),
        )
        for code, name, _households, km in VILLAGES
        if code not in existing
    ]
    Village.objects.bulk_create(new)
    existing.update({v.code: v for v in new})
    build.villages = [existing[code] for code, *_rest in VILLAGES]
