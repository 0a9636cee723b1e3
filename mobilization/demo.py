"""The demo commune: Xã Hạ Lang, Tỉnh Cao Bằng, with two years of the program's work.

`demo_commune_populate` fills an empty commune with villages, households, residents,
worker groups, communicators, topics and, from 2024-06-01 to 2026-05-31, home visits,
training sessions, communication activities and applications. One fixed random seed
makes every run produce the same rows.

The data tells the story of DOMAIN.md. Each resident gets one "readiness" draw; each
step of the ladder has a target curve (the share of residents who reached it by a
date), and a resident's step date is where their draw meets the curve. The same draw
for every step keeps the ladder in order (e-ID, then online use, then level 3/4), and
ranking the draws with age pushes the oldest residents to the end of the queue. Visits
and sessions are then placed on the dates that residents climbed, so that the record
of work explains the figures, and every level 3/4 date is the date of that resident's
first online application.

Everything is built in memory and written with bulk_create: seconds, not minutes.
"""

import datetime
import math
import random
from collections import defaultdict
from decimal import Decimal

from mobilization.models import (
    Application,
    CommunicationActivity,
    Communicator,
    HomeVisit,
    Membership,
    MobilizationModel,
    ModelGoal,
    VisitHelp,
    Worker,
    WorkerGroup,
)
from training.models import Attendance, Topic, TrainingSession
from villages.models import Achievement, Household, Resident, Village
from villages.text import clean_name

D = datetime.date

COMMUNE_CODE = "01558"
COMMUNE_NAME = "Xã Hạ Lang"
PROVINCE = "Tỉnh Cao Bằng"
SEED = 1558
PERIOD_START = D(2024, 6, 1)
PERIOD_END = D(2026, 5, 31)
# The first months of the program, when sessions were weekly rather than monthly.
CAMPAIGN_END = D(2025, 4, 30)

# (code, name, households). Nà Khau and Bản Thang keep the codes the tests use.
VILLAGES = [
    ("NK", "Nà Khau", 142),
    ("BT", "Bản Thang", 131),
    ("CC", "Cốc Chia", 118),
    ("NT", "Nà Thin", 126),
    ("LD", "Lũng Đa", 104),
    ("KL", "Khau Luông", 97),
    ("PR", "Pác Rằng", 139),
    ("BM", "Bó Mạ", 115),
    ("NL", "Nà Lẹng", 122),
    ("TH", "Thang Hon", 133),
    ("LN", "Lũng Nặm", 109),
    ("CK", "Cốc Khoác", 148),
]
# Each village's usual road distance to the one-stop office, km one way (the savings).
VILLAGE_DISTANCES = {
    "NK": "6.5", "BT": "4.0", "CC": "11.5", "NT": "2.5", "LD": "14.0", "KL": "9.0",
    "PR": "7.5", "BM": "12.5", "NL": "3.0", "TH": "8.0", "LN": "16.5", "CK": "5.5",
}  # fmt: skip
DEMO_VILLAGE_CODE = "NK"
# The demo village head and worker log in; their worker records carry these names.
DEMO_HEAD_NAME = "Nông Văn Khu"
DEMO_WORKER_NAME = "Hoàng Văn Đức"

SURNAMES = [
    ("Nông", 18),
    ("Hoàng", 15),
    ("Lương", 10),
    ("Lục", 8),
    ("Nguyễn", 8),
    ("Đàm", 7),
    ("Triệu", 6),
    ("Lý", 6),
    ("Bế", 6),
    ("Hà", 5),
    ("Mạc", 4),
    ("Lã", 3),
    ("Vi", 2),
    ("Đinh", 2),
]
MALE_GIVEN = [
    "Khu", "Pảo", "Pằn", "Lìn", "Thắng", "Hùng", "Sơn", "Tú", "Hải", "Dũng", "Cường", "Minh",
    "Quân", "Phong", "Thành", "Lâm", "Toàn", "Chiến", "Lợi", "Hưng", "Nam", "Tuấn", "Vinh",
    "Khánh", "Thịnh", "Kiên", "Bằng", "Sình", "Quyết", "Dương", "Đức", "Hoan", "Thuận", "Định",
]  # fmt: skip
FEMALE_GIVEN = [
    "Hoa", "Lan", "Mai", "Hằng", "Nga", "Thủy", "Hương", "Liên", "Nhung", "Vân", "Dung", "Hiền",
    "Thơm", "Mỷ", "Xuân", "Thu", "Hạnh", "Huyền", "Nhàn", "Lụa", "Mến", "Phượng", "Dính", "Chiêm",
    "Bích", "Pắn", "Thắm", "Loan", "Duyên", "Quyên",
]  # fmt: skip
MALE_MIDDLE_MODERN = ["Minh", "Đức", "Gia", "Quang", "Hải", "Bảo", "Tuấn", "Thành", "Trung", "Anh"]
FEMALE_MIDDLE_MODERN = ["Thu", "Ngọc", "Thanh", "Phương", "Khánh", "Minh", "Bảo", "Hồng", "Kim", "Diệu"]
MALE_GIVEN_MODERN = [
    "Huy", "Khang", "Nam", "Long", "Phúc", "An", "Duy", "Kiên", "Thắng", "Tùng", "Dũng", "Đạt",
    "Hiếu", "Khôi", "Lâm", "Quân", "Vũ", "Nguyên",
]  # fmt: skip
FEMALE_GIVEN_MODERN = [
    "Trang", "Linh", "Anh", "Ánh", "Hà", "Ngân", "Vy", "Nhi", "Hương", "Thảo", "Huyền", "My",
    "Yến", "Quỳnh", "Chi", "Hân", "Ngọc", "Mai",
]  # fmt: skip
# Mobile prefixes of Viettel, VNPT and MobiFone.
PHONE_PREFIXES = (
    "086 096 097 098 032 033 034 035 036 037 038 039 081 082 083 084 085 088 091 094 089 090 093 070".split()
)

# Target curves: (date, share of residents who had reached the step by then). Between two
# knots the share grows linearly, so month-end knots pin the month-end figures.
LEVEL34_CURVE = [
    (D(2024, 5, 31), 0.0),
    (D(2024, 6, 30), 0.045),
    (D(2024, 7, 31), 0.095),
    (D(2024, 8, 31), 0.155),
    (D(2024, 9, 30), 0.22),
    (D(2024, 10, 31), 0.30),
    (D(2024, 11, 30), 0.38),
    (D(2024, 12, 31), 0.45),
    (D(2025, 1, 31), 0.50),
    (D(2025, 2, 28), 0.54),
    (D(2025, 3, 31), 0.575),
    (D(2025, 4, 30), 0.60),
    (D(2025, 6, 30), 0.62),
    (D(2025, 9, 30), 0.645),
    (D(2025, 12, 31), 0.665),
    (D(2026, 3, 31), 0.685),
    (D(2026, 5, 31), 0.70),
]
ONLINE_CURVE = [
    (D(2021, 1, 1), 0.0),
    (D(2023, 1, 1), 0.12),
    (D(2024, 5, 31), 0.30),
    (D(2024, 6, 30), 0.36),
    (D(2024, 7, 31), 0.42),
    (D(2024, 8, 31), 0.48),
    (D(2024, 9, 30), 0.58),
    (D(2024, 10, 31), 0.68),
    (D(2024, 11, 30), 0.77),
    (D(2024, 12, 31), 0.84),
    (D(2025, 1, 31), 0.88),
    (D(2025, 2, 28), 0.905),
    (D(2025, 3, 31), 0.92),
    (D(2025, 4, 30), 0.93),
    (D(2025, 12, 31), 0.95),
    (D(2026, 5, 31), 0.96),
]
EID_CURVE = [
    (D(2022, 7, 1), 0.0),
    (D(2023, 7, 1), 0.35),
    (D(2024, 5, 31), 0.63),
    (D(2024, 6, 30), 0.66),
    (D(2024, 7, 31), 0.68),
    (D(2024, 8, 31), 0.70),
    (D(2024, 9, 30), 0.75),
    (D(2024, 10, 31), 0.80),
    (D(2024, 11, 30), 0.85),
    (D(2024, 12, 31), 0.89),
    (D(2025, 1, 31), 0.91),
    (D(2025, 2, 28), 0.925),
    (D(2025, 3, 31), 0.935),
    (D(2025, 4, 30), 0.94),
    (D(2025, 12, 31), 0.955),
    (D(2026, 5, 31), 0.965),
]
SMARTPHONE_CURVE = [
    (D(2015, 1, 1), 0.0),
    (D(2020, 1, 1), 0.40),
    (D(2024, 5, 31), 0.82),
    (D(2024, 12, 31), 0.93),
    (D(2025, 4, 30), 0.955),
    (D(2026, 5, 31), 0.975),
]
# Lowest step first; a step's date is never after the next one's.
STEPS = ["smartphone", "eid", "online", "level34"]
CURVES = {"smartphone": SMARTPHONE_CURVE, "eid": EID_CURVE, "online": ONLINE_CURVE, "level34": LEVEL34_CURVE}
# Age in a year from which a step is possible (VNeID level 2 from 14; applications from 15).
STEP_MIN_AGE = {"smartphone": 12, "eid": 14, "online": 15, "level34": 15}
# How a step taken during the program happened: at a home visit, at a session, or alone.
STEP_HELP = {
    "smartphone": (0.5, 0.1),
    "eid": (0.5, 0.35),
    "online": (0.45, 0.35),
    "level34": (0.5, 0.3),
}

PROCEDURES = {
    Application.Field.JUSTICE_CIVIL_STATUS: [
        "Chứng thực bản sao từ bản chính",
        "Cấp bản sao trích lục hộ tịch",
        "Đăng ký kết hôn",
        "Xác nhận tình trạng hôn nhân",
        "Chứng thực chữ ký",
    ],
    Application.Field.LABOUR_SOCIAL: [
        "Đề nghị trợ cấp xã hội hằng tháng",
        "Xác nhận hộ nghèo, hộ cận nghèo",
        "Hỗ trợ chi phí mai táng",
        "Đăng ký hưởng chế độ người có công",
    ],
    Application.Field.LAND: [
        "Đăng ký biến động đất đai",
        "Cấp giấy chứng nhận quyền sử dụng đất lần đầu",
        "Xác nhận nguồn gốc đất",
    ],
    Application.Field.HEALTH_INSURANCE: [
        "Gia hạn thẻ BHYT hộ gia đình",
        "Cấp lại thẻ BHYT do mất, hỏng",
        "Đăng ký BHYT hộ gia đình",
    ],
    Application.Field.BUSINESS: ["Đăng ký hộ kinh doanh", "Thay đổi nội dung đăng ký hộ kinh doanh"],
    Application.Field.OTHER: ["Đăng ký thường trú", "Đăng ký tạm trú", "Xác nhận thông tin về cư trú"],
}
FIELD_WEIGHTS = [
    (Application.Field.JUSTICE_CIVIL_STATUS, 35),
    (Application.Field.HEALTH_INSURANCE, 20),
    (Application.Field.LABOUR_SOCIAL, 15),
    (Application.Field.OTHER, 15),
    (Application.Field.LAND, 10),
    (Application.Field.BUSINESS, 5),
]
BIRTH_BUNDLE = "Liên thông đăng ký khai sinh, đăng ký thường trú, cấp thẻ BHYT cho trẻ dưới 6 tuổi"
DEATH_BUNDLE = "Liên thông đăng ký khai tử, xóa đăng ký thường trú, hưởng chế độ mai táng phí"

TOPICS = [
    ("Kích hoạt tài khoản định danh điện tử mức 2 trên VNeID", Topic.Skill.ONLINE_PUBLIC_SERVICES),
    ("Nộp hồ sơ trực tuyến trên Cổng Dịch vụ công quốc gia", Topic.Skill.ONLINE_PUBLIC_SERVICES),
    ("Liên thông khai sinh – thường trú – BHYT trực tuyến", Topic.Skill.ONLINE_PUBLIC_SERVICES),
    ("Gia hạn thẻ BHYT hộ gia đình trực tuyến", Topic.Skill.ONLINE_PUBLIC_SERVICES),
    ("Nhận kết quả thủ tục hành chính trên điện thoại", Topic.Skill.ONLINE_PUBLIC_SERVICES),
    ("Bán nông sản trên sàn thương mại điện tử", Topic.Skill.ONLINE_SHOPPING),
    ("Mua hàng trực tuyến an toàn", Topic.Skill.ONLINE_SHOPPING),
    ("Thanh toán bằng mã QR và ví điện tử", Topic.Skill.ONLINE_PAYMENT),
    ("Nộp phí, lệ phí trực tuyến", Topic.Skill.ONLINE_PAYMENT),
    ("Nhận biết cuộc gọi và tin nhắn lừa đảo", Topic.Skill.STAYING_SAFE),
    ("Giữ bí mật mật khẩu và mã OTP", Topic.Skill.STAYING_SAFE),
    ("Nhóm Zalo của xóm và Cổng thông tin điện tử xã", Topic.Skill.LOCAL_PLATFORMS),
]
COMMUNICATION_TOPICS = [
    "Kích hoạt tài khoản định danh điện tử mức 2",
    "Từ 01/7/2024 dùng tài khoản VNeID để thực hiện dịch vụ công trực tuyến",
    "Nộp hồ sơ trực tuyến, không phải đến trụ sở",
    "Liên thông khai sinh – thường trú – BHYT cho trẻ dưới 6 tuổi",
    "Gia hạn thẻ BHYT hộ gia đình trên điện thoại",
    "Thanh toán không dùng tiền mặt",
    "Cảnh giác lừa đảo qua mạng, không cung cấp mã OTP",
    "Lịch tập huấn của Tổ công nghệ số cộng đồng",
    "Tổ công nghệ số đến từng nhà hướng dẫn cài VNeID",
    "Bán nông sản trên sàn thương mại điện tử",
    "Mô hình Dân vận khéo: mỗi hộ một người dùng dịch vụ công trực tuyến",
]
VISIT_NOTES_PARTLY = [
    "Chưa mang căn cước, hẹn quay lại.",
    "Điện thoại chưa nhận được mã OTP, hẹn hướng dẫn lại.",
    "Thiếu giấy tờ, hẹn quay lại nộp trực tuyến.",
    "Đã cài VNeID, chờ công an xã duyệt tài khoản.",
    "Điện thoại hết dung lượng, con về sẽ giúp cài lại.",
]
VISIT_NOTES_NOT_HOME = ["Cả nhà đi làm nương.", "Đi chợ phiên.", "Không có ai ở nhà."]
VISIT_NOTES_DECLINED = ["Chưa có nhu cầu.", "Người cao tuổi, không dùng điện thoại.", "Hẹn lúc khác."]

# Commune-level organisations: (kind, name, [(title, position)]).
COMMUNE_GROUPS = [
    (
        WorkerGroup.Kind.FATHERLAND_FRONT,
        "Ủy ban MTTQ Việt Nam xã Hạ Lang",
        [("Chủ tịch Ủy ban MTTQ xã", "Chủ tịch"), ("Phó Chủ tịch Ủy ban MTTQ xã", "Phó Chủ tịch")],
    ),
    (
        WorkerGroup.Kind.WOMENS_UNION,
        "Hội Liên hiệp Phụ nữ xã Hạ Lang",
        [("Chủ tịch Hội LHPN xã", "Chủ tịch"), ("Phó Chủ tịch Hội LHPN xã", "Phó Chủ tịch")],
    ),
    (
        WorkerGroup.Kind.YOUTH_UNION,
        "Đoàn Thanh niên xã Hạ Lang",
        [("Bí thư Đoàn xã", "Bí thư"), ("Phó Bí thư Đoàn xã", "Phó Bí thư")],
    ),
    (
        WorkerGroup.Kind.FARMERS_ASSOCIATION,
        "Hội Nông dân xã Hạ Lang",
        [("Chủ tịch Hội Nông dân xã", "Chủ tịch")],
    ),
    (
        WorkerGroup.Kind.VETERANS_ASSOCIATION,
        "Hội Cựu chiến binh xã Hạ Lang",
        [("Chủ tịch Hội CCB xã", "Chủ tịch")],
    ),
    (WorkerGroup.Kind.TRADE_UNION, "Công đoàn cơ sở xã Hạ Lang", [("Chủ tịch Công đoàn cơ sở", "Chủ tịch")]),
    (
        WorkerGroup.Kind.PEOPLES_COMMITTEE,
        "Cán bộ, công chức UBND xã Hạ Lang",
        [
            ("Phó Chủ tịch UBND xã", "Phó Chủ tịch"),
            ("Công chức Tư pháp – Hộ tịch", "Công chức"),
            ("Công chức Tư pháp – Hộ tịch", "Công chức"),
            ("Công chức Văn hóa – Xã hội", "Công chức"),
            ("Công chức Địa chính – Xây dựng", "Công chức"),
            ("Bộ phận Một cửa", "Công chức"),
            ("Bộ phận Một cửa", "Công chức"),
        ],
    ),
]
TELECOM_TITLES = ["Nhân viên Viettel Hạ Lang", "Nhân viên Viettel Hạ Lang", "Nhân viên VNPT Hạ Lang"]


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


def _day_between(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randint(0, max(0, (last - first).days)))


def _months(start: datetime.date, end: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    """(first day, last day) of every month from start's to end's."""
    months = []
    year, month = start.year, start.month
    while D(year, month, 1) <= end:
        nxt = D(year + month // 12, month % 12 + 1, 1)
        months.append((D(year, month, 1), nxt - datetime.timedelta(days=1)))
        year, month = nxt.year, nxt.month
    return months


def _date_at_share(curve, u: float) -> datetime.date | None:
    """The first day on which the curve reaches share u; None if it never does."""
    for (d0, c0), (d1, c1) in zip(curve, curve[1:], strict=False):
        if u <= c1 and c1 > c0:
            days = math.ceil((u - c0) / (c1 - c0) * (d1 - d0).days)
            return d0 + datetime.timedelta(days=max(1, days))
    return None


def _share_at(curve, day: datetime.date) -> float:
    """The curve's share on a day."""
    for (d0, c0), (d1, c1) in zip(curve, curve[1:], strict=False):
        if day <= d1:
            return c0 + (c1 - c0) * max(0, (day - d0).days) / (d1 - d0).days
    return curve[-1][1]


class _Person:
    """A resident being planned: the model row plus what the generator needs to know."""

    __slots__ = ("row", "village", "household", "dates")

    def __init__(self, row: Resident, village: int, household: int):
        self.row = row
        self.village = village
        self.household = household
        self.dates = dict.fromkeys(STEPS)

    def present(self, day: datetime.date) -> bool:
        row = self.row
        return (row.moved_in_on is None or row.moved_in_on <= day) and (
            row.left_on is None or row.left_on > day
        )

    def old_enough(self, day: datetime.date, age: int) -> bool:
        return self.row.birth_year is None or day.year - self.row.birth_year >= age


class _Builder:
    def __init__(self, commune, rng: random.Random, head_user=None, worker_user=None):
        self.commune = commune
        self.rng = rng
        self.distance_rng = random.Random(SEED + 1)
        self.head_user = head_user
        self.worker_user = worker_user
        self.used_ids: set[str] = set()
        self.used_phones: set[str] = set()
        self.months = _months(PERIOD_START, PERIOD_END)

    # ---- names and numbers ----

    def surname(self) -> str:
        return _weighted(self.rng, SURNAMES)

    def given(self, sex: str, birth_year: int | None) -> str:
        rng = self.rng
        modern_share = 0.1 if (birth_year or 1960) < 1980 else 0.4 if birth_year < 1995 else 0.7
        if rng.random() < modern_share:
            if sex == "M":
                return f"{rng.choice(MALE_MIDDLE_MODERN)} {rng.choice(MALE_GIVEN_MODERN)}"
            return f"{rng.choice(FEMALE_MIDDLE_MODERN)} {rng.choice(FEMALE_GIVEN_MODERN)}"
        return f"Văn {rng.choice(MALE_GIVEN)}" if sex == "M" else f"Thị {rng.choice(FEMALE_GIVEN)}"

    def full_name(self, sex: str, birth_year: int | None, surname: str | None = None) -> str:
        return clean_name(f"{surname or self.surname()} {self.given(sex, birth_year)}")

    def national_id(self, sex: str, birth_year: int) -> str:
        # 004 is Cao Bằng; the next digit says century and sex, then two digits of the year.
        century = (0 if birth_year < 2000 else 2) + (1 if sex == "F" else 0)
        while True:
            number = f"004{century}{birth_year % 100:02d}{self.rng.randint(0, 999999):06d}"
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def phone(self) -> str:
        while True:
            number = f"{self.rng.choice(PHONE_PREFIXES)}{self.rng.randint(0, 9999999):07d}"
            if number not in self.used_phones:
                self.used_phones.add(number)
                return number

    # ---- the build ----

    def run(self) -> dict[str, int]:
        self.build_villages()
        self.build_organisation()
        self.build_people()
        self.plan_ladder()
        self.plan_sessions()
        self.place_steps()
        self.plan_extra_visits()
        self.plan_applications()
        self.plan_communications()
        return self.save()

    def build_villages(self) -> None:
        existing = {v.code: v for v in Village.objects.filter(commune=self.commune)}
        new = [
            Village(
                commune=self.commune,
                code=code,
                name=clean_name(name),
                kind=Village.Kind.XOM,
                default_distance_km=Decimal(VILLAGE_DISTANCES[code]),
            )
            for code, name, _households in VILLAGES
            if code not in existing
        ]
        Village.objects.bulk_create(new)
        existing.update({v.code: v for v in new})
        self.villages = [existing[code] for code, _name, _households in VILLAGES]

    def build_organisation(self) -> None:
        """Worker groups, workers, memberships and communicators, commune and village level."""
        rng = self.rng
        self.workers: list[Worker] = []
        self.groups: dict[str, WorkerGroup] = {}
        self.memberships: list[tuple[int, str, str, datetime.date, datetime.date | None]] = []
        self.communicators: list[tuple[int, int, str, str]] = []
        self.group_workers: dict[str, list[int]] = defaultdict(list)

        def worker(title: str, sex: str | None = None, name: str | None = None) -> int:
            sex = sex or rng.choice("MF")
            birth_year = rng.randint(1965, 2000)
            self.workers.append(
                Worker(
                    commune=self.commune,
                    full_name=clean_name(name or self.full_name(sex, birth_year)),
                    phone=self.phone(),
                    title=title,
                )
            )
            return len(self.workers) - 1

        def join(w: int, group: str, position: str, left_on=None, joined=None) -> None:
            joined = joined or _day_between(rng, D(2019, 1, 1), D(2024, 3, 31))
            self.memberships.append((w, group, position, joined, left_on))
            if left_on is None:
                self.group_workers[group].append(w)

        def group(kind: str, name: str, village: Village | None = None) -> str:
            self.groups[name] = WorkerGroup(commune=self.commune, kind=kind, name=name, village=village)
            return name

        for kind, name, people in COMMUNE_GROUPS:
            group(kind, name)
            for title, position in people:
                join(worker(title), name, position)
        self.front = COMMUNE_GROUPS[0][1]
        self.womens_union = COMMUNE_GROUPS[1][1]
        self.youth_union = COMMUNE_GROUPS[2][1]
        self.farmers = COMMUNE_GROUPS[3][1]
        self.veterans = COMMUNE_GROUPS[4][1]
        self.trade_union = COMMUNE_GROUPS[5][1]
        self.committee = COMMUNE_GROUPS[6][1]
        self.one_stop = [
            w for w in self.group_workers[self.committee] if self.workers[w].title == "Bộ phận Một cửa"
        ]
        telecom = [worker(title) for title in TELECOM_TITLES]

        self.village_workers: list[list[int]] = []
        self.teams: list[str] = []
        for v, village in enumerate(self.villages):
            demo = village.code == DEMO_VILLAGE_CODE
            where = f"xóm {village.name}"
            reps = group(WorkerGroup.Kind.VILLAGE_REPRESENTATIVES, f"Đại diện {where}", village)
            team = group(WorkerGroup.Kind.DIGITAL_TECH_TEAM, f"Tổ công nghệ số cộng đồng {where}", village)
            self.teams.append(team)
            head = worker(f"Trưởng {where}", "M", DEMO_HEAD_NAME if demo else None)
            secretary = worker(f"Bí thư chi bộ {where}")
            front_head = worker(f"Trưởng ban công tác Mặt trận {where}")
            police = worker(f"Công an viên {where}", "M")
            youth = worker(f"Đoàn viên thanh niên {where}", "M", DEMO_WORKER_NAME if demo else None)
            women = worker(f"Chi hội trưởng phụ nữ {where}", "F")
            veteran = worker(f"Chi hội trưởng cựu chiến binh {where}", "M")
            if demo:
                self.demo_head, self.demo_worker = head, youth
            join(head, reps, "Trưởng xóm")
            join(secretary, reps, "Bí thư chi bộ")
            join(front_head, reps, "Trưởng ban công tác Mặt trận")
            join(front_head, self.front, "Ủy viên")
            join(youth, self.youth_union, "Đoàn viên")
            join(women, self.womens_union, "Chi hội trưởng")
            join(veteran, self.veterans, "Chi hội trưởng")
            join(head, team, "Tổ trưởng")
            join(police, team, "Thành viên")
            join(youth, team, "Thành viên")
            join(women, team, "Thành viên")
            members = [head, police, youth, women]
            # Optional members bring a team to 4–9 people.
            if rng.random() < 0.7:
                second_youth = worker(f"Đoàn viên thanh niên {where}")
                join(second_youth, self.youth_union, "Đoàn viên")
                replaced_on = None
                if rng.random() < 0.15:
                    # Went to work in the lowlands; a new youth member took the place.
                    replaced_on = _day_between(rng, D(2025, 1, 1), D(2025, 9, 30))
                    join(second_youth, team, "Thành viên", left_on=replaced_on)
                    second_youth = worker(f"Đoàn viên thanh niên {where}")
                    join(second_youth, self.youth_union, "Đoàn viên")
                join(second_youth, team, "Thành viên", joined=replaced_on)
                members.append(second_youth)
            if rng.random() < 0.6:
                t = telecom[v % len(telecom)]
                join(t, team, "Thành viên")
                members.append(t)
            if rng.random() < 0.5:
                teacher = worker(f"Giáo viên điểm trường {village.name}")
                join(teacher, self.trade_union, "Đoàn viên công đoàn")
                join(teacher, team, "Thành viên")
                members.append(teacher)
                self.communicators.append(
                    (teacher, v, Communicator.Reason.TEACHER, "Dạy học tại xóm, thạo tin học.")
                )
            if rng.random() < 0.4:
                farmer = worker(f"Chi hội trưởng nông dân {where}")
                join(farmer, self.farmers, "Chi hội trưởng")
                join(farmer, team, "Thành viên")
                members.append(farmer)
            self.communicators += [
                (head, v, Communicator.Reason.VILLAGE_HEAD, "Trưởng xóm, nói tiếng Tày, Nùng với bà con."),
                (youth, v, Communicator.Reason.YOUTH_UNION_MEMBER, "Thành thạo VNeID và Cổng Dịch vụ công."),
            ]
            if rng.random() < 0.6:
                self.communicators.append(
                    (
                        secretary,
                        v,
                        Communicator.Reason.PARTY_CELL_SECRETARY,
                        "Bí thư chi bộ, được bà con tin tưởng.",
                    )
                )
            if rng.random() < 0.4:
                self.communicators.append((women, v, Communicator.Reason.WOMENS_UNION_MEMBER, ""))
            if rng.random() < 0.3:
                self.communicators.append(
                    (
                        veteran,
                        v,
                        Communicator.Reason.RESPECTED_ELDER,
                        "Người có uy tín trong đồng bào dân tộc.",
                    )
                )
            if rng.random() < 0.3:
                self.communicators.append((front_head, v, Communicator.Reason.FRONT_COMMITTEE_HEAD, ""))
            if rng.random() < 0.3:
                self.communicators.append((police, v, Communicator.Reason.POLICE_OFFICER, ""))
            self.village_workers.append(members)

    def build_people(self) -> None:
        """Households and their members, with moves, births and deaths during the period."""
        rng = self.rng
        self.households: list[Household] = []
        self.household_village: list[int] = []
        self.people: list[_Person] = []
        self.members_of: list[list[int]] = []
        self.household_worker: list[int] = []
        self.village_households: list[list[int]] = [[] for _ in self.villages]

        def add(h: int, v: int, name: str, sex: str, birth_year: int | None, relation: str, **fields) -> int:
            if birth_year and birth_year <= 1985 and rng.random() < (0.2 if birth_year < 1945 else 0.03):
                birth_year = None  # nobody wrote it down
            row = Resident(full_name=name, sex=sex, birth_year=birth_year, relation=relation, **fields)
            if birth_year and birth_year <= 2010 and rng.random() < 0.78:
                row.national_id = self.national_id(sex, birth_year)
            person = _Person(row, v, h)
            self.people.append(person)
            self.members_of[h].append(len(self.people) - 1)
            return len(self.people) - 1

        for v, (code, _name, count) in enumerate(VILLAGES):
            village = self.villages[v]
            team = self.village_workers[v]
            for n in range(1, count + 1):
                h = len(self.households)
                self.households.append(
                    Household(
                        village=village,
                        code=f"{code}-{n:03d}",
                        address=f"Xóm {village.name}, xã Hạ Lang, tỉnh Cao Bằng",
                        worker_in_charge_id=None,
                        distance_km=self.distance(village),
                    )
                )
                self.household_village.append(v)
                self.village_households[v].append(h)
                self.members_of.append([])
                # Each team member looks after a share of the village's households.
                self.household_worker.append(team[n % len(team)])
                new_family = rng.random() < 0.015
                moved_in = _day_between(rng, PERIOD_START, D(2026, 3, 31)) if new_family else None
                self.family(h, v, add, moved_in)

    def distance(self, village: Village) -> Decimal | None:
        """A third of the households have their own distance, up to 3 km either side of the
        village's usual one; the others use the village's. Drawn from a generator of their
        own, so that the rest of the demo stays as it was."""
        draw = self.distance_rng
        if draw.random() >= 1 / 3:
            return None
        usual = village.default_distance_km or Decimal(5)
        return max(Decimal("0.5"), usual + Decimal(draw.randint(-30, 30)) / 10)

    def family(self, h: int, v: int, add, moved_in: datetime.date | None) -> None:
        rng = self.rng
        head_sex = "M" if rng.random() < 0.85 else "F"
        head_year = round(rng.triangular(1942, 2001, 1975))
        if moved_in:
            head_year = rng.randint(1985, 2000)
        # Children take their father's surname.
        family = self.surname()
        head_surname = family if head_sex == "M" else self.surname()
        spouse_surname = None if head_sex == "M" else family
        common = {"moved_in_on": moved_in}
        head = add(
            h, v, self.full_name(head_sex, head_year, head_surname), head_sex, head_year, "head", **common
        )
        self.people[head].row.phone = self.phone() if rng.random() < 0.8 else ""
        spouse_year = None
        if rng.random() < (0.88 if head_year > 1955 else 0.55):
            spouse_sex = "F" if head_sex == "M" else "M"
            spouse_year = min(
                2003, head_year + (rng.randint(-1, 6) if head_sex == "M" else rng.randint(-6, 1))
            )
            spouse = add(
                h,
                v,
                self.full_name(spouse_sex, spouse_year, spouse_surname),
                spouse_sex,
                spouse_year,
                "spouse",
                **common,
            )
            if rng.random() < 0.55:
                self.people[spouse].row.phone = self.phone()
        mother_year = spouse_year if head_sex == "M" and spouse_year else head_year
        if head_year < 1963 and rng.random() < 0.5:
            # Three generations: a married son, his wife and their children.
            son_year = min(2000, mother_year + rng.randint(20, 32))
            add(h, v, self.full_name("M", son_year, family), "M", son_year, "child", **common)
            wife_year = son_year + rng.randint(-1, 5)
            add(h, v, self.full_name("F", wife_year), "F", wife_year, "other", **common)
            for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
                year = wife_year + rng.randint(19, 36)
                if year <= 2023:
                    sex = rng.choice("MF")
                    add(h, v, self.full_name(sex, year, family), sex, year, "other", **common)
        else:
            children = rng.choices([0, 1, 2, 3, 4, 5], [12, 22, 35, 20, 8, 3])[0]
            for _ in range(children):
                year = mother_year + rng.randint(19, 40)
                if year <= 2023:
                    sex = rng.choice("MF")
                    add(h, v, self.full_name(sex, year, family), sex, year, "child", **common)
            if head_year < 1992 and rng.random() < 0.2:
                year = head_year - rng.randint(20, 32)
                if year >= 1928:
                    sex = "F" if rng.random() < 0.65 else "M"
                    surname = head_surname if sex == "M" else None
                    add(h, v, self.full_name(sex, year, surname), sex, year, "parent", **common)
        members = list(self.members_of[h])
        for i in members:
            self.life_events(self.people[i], moved_in)
        # Born during the program: registered through the birth bundle.
        if not moved_in and mother_year and 1984 <= mother_year <= 2004 and rng.random() < 0.22:
            born = _day_between(rng, PERIOD_START, D(2026, 5, 15))
            sex = rng.choice("MF")
            relation = "child" if head_year >= 1975 else "other"
            add(h, v, self.full_name(sex, born.year, family), sex, born.year, relation, moved_in_on=born)
        elif not moved_in and rng.random() < 0.03:
            # A bride or a son coming back from work in the lowlands.
            sex = rng.choice("MF")
            year = rng.randint(1995, 2005)
            name = self.full_name(sex, year, family if sex == "M" else None)
            relation = "child" if sex == "M" else "other"
            add(h, v, name, sex, year, relation, moved_in_on=_day_between(rng, PERIOD_START, D(2026, 4, 30)))
        elif not moved_in and rng.random() < 0.04:
            # Living here for years: the date the register knows; children born here have none.
            arrived = _day_between(rng, D(2008, 1, 1), D(2023, 12, 31))
            for i in self.members_of[h]:
                row = self.people[i].row
                if row.birth_year is None or row.birth_year < arrived.year:
                    row.moved_in_on = arrived

    def life_events(self, person: _Person, moved_in: datetime.date | None) -> None:
        rng = self.rng
        row = person.row
        age = 2025 - (row.birth_year or 1955)
        first = max(PERIOD_START, moved_in or PERIOD_START)
        died = 0.16 if age >= 80 else 0.06 if age >= 70 else 0.02 if age >= 60 else 0.002
        away = 0.07 if 18 <= age <= 35 else 0.01
        roll = rng.random()
        if row.relation != "head" and roll < away:
            row.left_on, row.left_reason = _day_between(rng, first, PERIOD_END), "moved_away"
        elif roll < away + died:
            row.left_on, row.left_reason = _day_between(rng, first, PERIOD_END), "died"

    def plan_ladder(self) -> None:
        """Give each resident a readiness rank and read their step dates off the curves."""
        rng = self.rng
        candidates = []
        for i, person in enumerate(self.people):
            year = person.row.birth_year
            if year is not None and year > 2011:
                continue  # not 15 before the end of the period
            age = 2025 - year if year else None
            score = rng.random()
            if age is None:
                score += 0.3
            elif age >= 75:
                score += 0.9
            elif age >= 65:
                score += 0.45
            elif age >= 55:
                score += 0.2
            elif age <= 35:
                score -= 0.1
            candidates.append((score, i))
        candidates.sort()
        n = len(candidates)
        for rank, (_score, i) in enumerate(candidates):
            person = self.people[i]
            u = (rank + 0.5) / n
            for step in STEPS:
                day = _date_at_share(CURVES[step], u)
                if day is None:
                    continue
                # Nobody climbs before they are old enough; they catch up early that year.
                year = person.row.birth_year
                if year is not None and day.year - year < STEP_MIN_AGE[step]:
                    day = D(year + STEP_MIN_AGE[step], 1, 1) + datetime.timedelta(days=rng.randint(5, 120))
                # An application in the commune comes after moving in.
                moved_in = person.row.moved_in_on
                if step in ("online", "level34") and moved_in and day < moved_in:
                    day = moved_in + datetime.timedelta(days=rng.randint(7, 60))
                if day > PERIOD_END or (person.row.left_on and day >= person.row.left_on):
                    continue
                person.dates[step] = day
            self.keep_order(person)

    @staticmethod
    def keep_order(person: _Person) -> None:
        """No step later than the step above it: a level 3/4 application is an online use, etc."""
        dates = person.dates
        for lower, higher in zip(STEPS[-2::-1], STEPS[:0:-1], strict=True):
            if dates[higher] and (dates[lower] is None or dates[lower] > dates[higher]):
                dates[lower] = dates[higher]

    def plan_sessions(self) -> None:
        """Training sessions: three or four a month in each village during the campaign, one after."""
        rng = self.rng
        self.sessions: list[dict] = []
        self.sessions_in: dict[tuple[int, int, int], list[int]] = defaultdict(list)
        for v, village in enumerate(self.villages):
            team = self.village_workers[v]
            for first, last in self.months:
                count = 3 if last <= CAMPAIGN_END else 1
                if D(2024, 9, 1) <= first <= D(2024, 12, 1):
                    count = 4
                for day in sorted(rng.sample(range(first.day, last.day + 1), count)):
                    held_on = D(first.year, first.month, day)
                    kind = _weighted(rng, [("cultural_house", 75), ("household", 15), ("school", 10)])
                    if kind == "cultural_house":
                        venue = f"Nhà văn hóa xóm {village.name}"
                    elif kind == "school":
                        venue = f"Điểm trường {village.name}"
                    else:
                        venue = ""  # filled with a household head's name below
                    group = _weighted(
                        rng,
                        [
                            (self.teams[v], 75),
                            (self.youth_union, 10),
                            (self.womens_union, 10),
                            (self.farmers, 5),
                        ],
                    )
                    self.sessions.append(
                        {
                            "village": v,
                            "held_on": held_on,
                            "venue_kind": kind,
                            "venue": venue,
                            "group": group,
                            "facilitators": rng.sample(team, min(len(team), rng.randint(1, 3))),
                            "attendees": {},
                        }
                    )
                    self.sessions_in[(v, first.year, first.month)].append(len(self.sessions) - 1)
        # The commune office holds a session for everyone once or twice a month.
        for first, last in self.months:
            for day in sorted(rng.sample(range(first.day, last.day + 1), 2 if last <= CAMPAIGN_END else 1)):
                self.sessions.append(
                    {
                        "village": None,
                        "held_on": D(first.year, first.month, day),
                        "venue_kind": "commune_office",
                        "venue": "Hội trường UBND xã Hạ Lang",
                        "group": self.committee,
                        "facilitators": rng.sample(self.group_workers[self.committee], 2),
                        "attendees": {},
                    }
                )
                for v in range(len(self.villages)):
                    self.sessions_in[(v, first.year, first.month)].append(len(self.sessions) - 1)
        for s in self.sessions:
            if s["venue_kind"] == "household":
                head = self.people[self.members_of[rng.choice(self.village_households[s["village"]])][0]].row
                s["venue"] = f"Nhà {'ông' if head.sex == 'M' else 'bà'} {head.full_name}"

    def session_near(self, person: _Person, day: datetime.date, step: str) -> int | None:
        """The session of the person's village in the same month nearest to `day` they could attend."""
        best = None
        for s in self.sessions_in.get((person.village, day.year, day.month), ()):
            held_on = self.sessions[s]["held_on"]
            if not person.present(held_on) or not person.old_enough(held_on, STEP_MIN_AGE[step]):
                continue
            if best is None or abs((held_on - day).days) < abs((self.sessions[best]["held_on"] - day).days):
                best = s
        return best

    def place_steps(self) -> None:
        """Decide where each step taken during the program happened: a visit, a session, or alone.

        A step moved to a session stays in its month, so the month-end figures do not move.
        """
        rng = self.rng
        self.visits: dict[tuple[int, datetime.date], dict] = {}
        # (person, date) -> ("visit", key) | ("session", s) | ("self", None) for that day's steps
        self.helped_on: dict[tuple[int, datetime.date], tuple[str, object]] = {}
        for i, person in enumerate(self.people):
            modes = {}
            for step in reversed(STEPS):
                day = person.dates[step]
                if day is None or day < PERIOD_START:
                    continue
                visit_share, session_share = STEP_HELP[step]
                roll = rng.random()
                mode = (
                    "visit"
                    if roll < visit_share
                    else "session"
                    if roll < visit_share + session_share
                    else "self"
                )
                if mode == "session":
                    s = self.session_near(person, day, step)
                    if s is None:
                        mode = "visit"
                    else:
                        person.dates[step] = self.sessions[s]["held_on"]
                        modes[step] = ("session", s)
                        continue
                modes[step] = (mode, None)
            self.keep_order(person)
            by_day: dict[datetime.date, list[str]] = {}
            for step in STEPS:
                day = person.dates[step]
                if day is not None and day >= PERIOD_START:
                    by_day.setdefault(day, []).append(step)
            for day, steps in by_day.items():
                mode, s = modes[steps[-1]]
                if mode == "session" and self.sessions[s]["held_on"] != day:
                    mode = "visit"
                if not person.present(day):
                    mode = "self"  # done before moving here: nobody in the commune helped
                achievements = self.achievements_for(steps)
                if mode == "session":
                    self.sessions[s]["attendees"][i] = achievements
                    self.helped_on[(i, day)] = ("session", s)
                elif mode == "visit":
                    key = (person.household, day)
                    visit = self.visit_at(key, "done")
                    visit["helps"][i] = achievements
                    self.helped_on[(i, day)] = ("visit", key)
                    if "eid" in steps and rng.random() < 0.3:
                        # VNeID installed at an earlier visit; the police approved the account later.
                        achievements.remove(Achievement.VNEID_INSTALLED)
                        self.earlier_visit(i, day, [Achievement.VNEID_INSTALLED.value])
                    elif "level34" in steps and rng.random() < 0.2:
                        self.earlier_visit(i, day, [])
                else:
                    self.helped_on[(i, day)] = ("self", None)

    def achievements_for(self, steps: list[str]) -> list[str]:
        rng = self.rng
        done = []
        if "smartphone" in steps:
            done.append(Achievement.SMARTPHONE)
        if "eid" in steps:
            done += [Achievement.VNEID_INSTALLED, Achievement.EID_ACTIVATED]
        if "online" in steps:
            done.append(Achievement.ONLINE_SERVICE if rng.random() < 0.75 else Achievement.CASHLESS_PAYMENT)
        if "level34" in steps:
            done.append(Achievement.APPLICATION_SUBMITTED)
        return [str(a) for a in done]

    def visit_at(self, key: tuple[int, datetime.date], outcome: str) -> dict:
        visit = self.visits.get(key)
        if visit is None:
            h = key[0]
            workers = [self.household_worker[h]]
            if self.rng.random() < 0.35:
                other = self.rng.choice(self.village_workers[self.household_village[h]])
                if other not in workers:
                    workers.append(other)
            visit = {"outcome": outcome, "follow_up_on": None, "notes": "", "workers": workers, "helps": {}}
            self.visits[key] = visit
        return visit

    def earlier_visit(self, i: int, day: datetime.date, achievements: list[str]) -> None:
        """A visit that started the job a few days before; it asked for a follow-up on `day`."""
        person = self.people[i]
        earlier = day - datetime.timedelta(days=self.rng.randint(3, 21))
        key = (person.household, earlier)
        if earlier < PERIOD_START or not person.present(earlier) or key in self.visits:
            return
        visit = self.visit_at(key, "partly_done")
        visit["follow_up_on"] = day
        visit["notes"] = self.rng.choice(VISIT_NOTES_PARTLY)
        visit["helps"][i] = achievements

    def plan_extra_visits(self) -> None:
        """Visits that found nobody, were turned away, or left a job open; and session fillers."""
        rng = self.rng
        for _ in range(900):
            h = rng.randrange(len(self.households))
            day = _day_between(rng, PERIOD_START, PERIOD_END)
            if (h, day) in self.visits or not any(self.people[i].present(day) for i in self.members_of[h]):
                continue
            roll = rng.random()
            if roll < 0.45:
                visit = self.visit_at((h, day), "not_home")
                visit["notes"] = rng.choice(VISIT_NOTES_NOT_HOME)
            elif roll < 0.65:
                visit = self.visit_at((h, day), "declined")
                visit["notes"] = rng.choice(VISIT_NOTES_DECLINED)
            else:
                # A visit to someone already online, or one that is still waiting for its follow-up.
                visit = self.visit_at((h, day), "done")
                for i in self.members_of[h]:
                    person = self.people[i]
                    if not person.present(day) or not person.old_enough(day, 15):
                        continue
                    online = person.dates["online"]
                    if online and online <= day:
                        visit["helps"][i] = [
                            rng.choice([Achievement.RESULT_BY_PHONE, Achievement.CASHLESS_PAYMENT]).value
                        ]
                    elif person.dates["eid"] is None or person.dates["eid"] > day:
                        visit["helps"][i] = [Achievement.VNEID_INSTALLED.value]
                        visit["outcome"] = "partly_done"
                        visit["notes"] = rng.choice(VISIT_NOTES_PARTLY)
                        visit["follow_up_on"] = day + datetime.timedelta(days=rng.randint(7, 30))
                if not visit["helps"]:
                    visit["outcome"] = "not_home"
                    visit["notes"] = rng.choice(VISIT_NOTES_NOT_HOME)
        for s in self.sessions:
            day = s["held_on"]
            pool = None
            if s["village"] is not None:
                pool = [i for h in self.village_households[s["village"]] for i in self.members_of[h]]
            size = rng.randint(10, 30) if s["village"] is not None else rng.randint(20, 45)
            tries = 0
            while len(s["attendees"]) < size and tries < size * 4:
                tries += 1
                i = rng.choice(pool) if pool is not None else rng.randrange(len(self.people))
                person = self.people[i]
                if i in s["attendees"] or not person.present(day) or not person.old_enough(day, 12):
                    continue
                online, eid = person.dates["online"], person.dates["eid"]
                if online and online < day and rng.random() < 0.2:
                    s["attendees"][i] = [Achievement.CASHLESS_PAYMENT.value]
                elif (eid is None or eid > day) and person.old_enough(day, 14) and rng.random() < 0.3:
                    s["attendees"][i] = [Achievement.VNEID_INSTALLED.value]
                else:
                    s["attendees"][i] = []

    def plan_applications(self) -> None:
        """Dossiers: each resident's first online one on their level 3/4 date, later ones, and in person."""
        rng = self.rng
        self.applications: list[dict] = []

        def online_channel():
            return "online_level4" if rng.random() < 0.55 else "online_level3"

        def delivery(channel):
            if channel == "online_level4":
                return "online" if rng.random() < 0.6 else "by_post"
            if channel == "online_level3":
                return "online" if rng.random() < 0.5 else "at_office"
            return "at_office" if rng.random() < 0.85 else "by_post"

        def add(i, field, procedure, day, channel, visit=None, session=None, helped_by=None):
            self.applications.append(
                {
                    "person": i,
                    "village": self.people[i].village if i is not None else rng.randrange(len(self.villages)),
                    "field": field,
                    "procedure": procedure,
                    "submitted_on": day,
                    "channel": channel,
                    "result_delivery": delivery(channel),
                    "visit": visit,
                    "session": session,
                    "helped_by": helped_by,
                }
            )

        def can_apply_online(person, day):
            return person.dates["level34"] is not None and person.dates["level34"] <= day

        for i, person in enumerate(self.people):
            first = person.dates["level34"]
            if first is None:
                continue
            field = _weighted(rng, FIELD_WEIGHTS)
            mode, where = self.helped_on.get((i, first), ("self", None))
            visit = where if mode == "visit" else None
            session = where if mode == "session" else None
            helped_by = None
            if visit is not None:
                helped_by = self.visits[visit]["workers"][0]
            elif session is not None:
                helped_by = self.sessions[session]["facilitators"][0]
            add(i, field, rng.choice(PROCEDURES[field]), first, online_channel(), visit, session, helped_by)
            last = (
                min(PERIOD_END, person.row.left_on - datetime.timedelta(days=1))
                if person.row.left_on
                else PERIOD_END
            )
            for _ in range(rng.choices([0, 1, 2, 3], [45, 35, 15, 5])[0]):
                if last <= first:
                    break
                field = _weighted(rng, FIELD_WEIGHTS)
                day = _day_between(rng, first + datetime.timedelta(days=1), last)
                add(i, field, rng.choice(PROCEDURES[field]), day, online_channel())
        # In person at the one-stop unit: fewer as more people apply online.
        for first_day, last_day in self.months:
            count = round(20 + 300 * (1 - _share_at(LEVEL34_CURVE, last_day)) ** 2)
            made = 0
            while made < count:
                day = _day_between(rng, first_day, last_day)
                if rng.random() < 0.05:
                    add(
                        None,
                        Application.Field.OTHER,
                        rng.choice(PROCEDURES[Application.Field.OTHER]),
                        day,
                        "in_person",
                    )
                    made += 1
                    continue
                i = rng.randrange(len(self.people))
                person = self.people[i]
                if not person.present(day) or not person.old_enough(day, 18):
                    continue
                field = _weighted(rng, FIELD_WEIGHTS)
                helped_by = rng.choice(self.one_stop) if rng.random() < 0.5 else None
                add(i, field, rng.choice(PROCEDURES[field]), day, "in_person", helped_by=helped_by)
                made += 1
        # Births and deaths are registered by someone else in the household.
        for i, person in enumerate(self.people):
            row = person.row
            if row.birth_year and row.moved_in_on and row.moved_in_on.year == row.birth_year >= 2024:
                event, procedure, field = (
                    row.moved_in_on,
                    BIRTH_BUNDLE,
                    Application.Field.JUSTICE_CIVIL_STATUS,
                )
            elif row.left_reason == "died":
                event, procedure, field = row.left_on, DEATH_BUNDLE, Application.Field.JUSTICE_CIVIL_STATUS
            else:
                continue
            day = event + datetime.timedelta(days=rng.randint(2, 25))
            if day > PERIOD_END:
                continue
            applicants = [
                j
                for j in self.members_of[person.household]
                if j != i and self.people[j].present(day) and self.people[j].old_enough(day, 18)
            ]
            if not applicants:
                continue
            j = applicants[0]
            channel = online_channel() if can_apply_online(self.people[j], day) else "in_person"
            add(j, field, procedure, day, channel)

    def plan_communications(self) -> None:
        rng = self.rng
        self.communications: list[dict] = []
        everyone = list(range(len(self.villages)))

        def add(channel, day, villages, reach, group):
            self.communications.append(
                {
                    "channel": channel,
                    "held_on": day,
                    "villages": villages,
                    "topic": rng.choice(COMMUNICATION_TOPICS),
                    "reach": reach,
                    "group": group,
                }
            )

        for first, last in self.months:
            campaign = last <= CAMPAIGN_END
            for _ in range(4):
                add(
                    "loudspeaker",
                    _day_between(rng, first, last),
                    everyone,
                    rng.randint(2500, 4000),
                    self.committee,
                )
            for _ in range(2):
                add(
                    "bulletin_board",
                    _day_between(rng, first, last),
                    everyone,
                    rng.randint(300, 900),
                    self.committee,
                )
            add(
                "leaflet",
                _day_between(rng, first, last),
                sorted(rng.sample(everyone, rng.randint(2, 4))),
                rng.randint(100, 400),
                rng.choice([self.womens_union, self.youth_union]),
            )
            for v in everyone:
                households = VILLAGES[v][2]
                if campaign or first.month % 3 == 0:
                    reach = round(households * rng.uniform(0.4, 0.7))
                    villages_reps = f"Đại diện xóm {self.villages[v].name}"
                    add("village_meeting", _day_between(rng, first, last), [v], reach, villages_reps)
                for _ in range(2):
                    add(
                        "zalo_group", _day_between(rng, first, last), [v], rng.randint(40, 150), self.teams[v]
                    )

    # ---- writing ----

    def save(self) -> dict[str, int]:
        """Write everything with bulk_create, parents before children.

        Foreign keys are given as ids: setting related objects costs more than the insert.
        """
        commune = self.commune
        commune_id = commune.pk
        existing_groups = {g.name: g for g in WorkerGroup.objects.filter(commune=commune)}
        new_groups = [g for name, g in self.groups.items() if name not in existing_groups]
        WorkerGroup.objects.bulk_create(new_groups)
        groups = {**{g.name: g for g in new_groups}, **existing_groups}

        # The demo users log in as Nà Khau's village head and youth member, unless they
        # already have a worker record here.
        linked = set(
            Worker.objects.filter(commune=commune, user__isnull=False).values_list("user_id", flat=True)
        )
        for w, user in ((self.demo_head, self.head_user), (self.demo_worker, self.worker_user)):
            if user is not None and user.pk not in linked:
                self.workers[w].user = user
        Worker.objects.bulk_create(self.workers)
        workers = self.workers
        Membership.objects.bulk_create(
            Membership(worker=workers[w], group=groups[g], position=position, joined_on=joined, left_on=left)
            for w, g, position, joined, left in self.memberships
        )
        Communicator.objects.bulk_create(
            Communicator(
                commune=commune,
                worker=workers[w],
                village=self.villages[v],
                reason=reason,
                note=note,
                chosen_on=_day_between(self.rng, D(2024, 5, 10), D(2024, 7, 15)),
            )
            for w, v, reason, note in self.communicators
        )

        for h, household in enumerate(self.households):
            household.worker_in_charge_id = workers[self.household_worker[h]].pk
            members = [self.people[i] for i in self.members_of[h]]
            household.phone = members[0].row.phone
            household.has_smartphone = any(p.dates["smartphone"] for p in members)
            household.has_internet = household.has_smartphone and self.rng.random() < 0.85
            household.prepare()
        Household.objects.bulk_create(self.households)
        rows = []
        for person in self.people:
            row = person.row
            row.household = self.households[person.household]
            row.smartphone_on = person.dates["smartphone"]
            row.eid_on = person.dates["eid"]
            row.online_on = person.dates["online"]
            row.level34_on = person.dates["level34"]
            if row.smartphone_on and not row.phone and row.birth_year and row.birth_year < 2008:
                row.phone = self.phone() if self.rng.random() < 0.5 else ""
            row.prepare()
            rows.append(row)
        Resident.objects.bulk_create(rows)

        existing_topics = {t.name: t for t in Topic.objects.filter(commune=commune)}
        new_topics = [
            Topic(commune=commune, name=clean_name(name), skill=skill)
            for name, skill in TOPICS
            if clean_name(name) not in existing_topics
        ]
        Topic.objects.bulk_create(new_topics)
        topics = [*existing_topics.values(), *new_topics]
        by_skill = defaultdict(list)
        for topic in topics:
            by_skill[topic.skill].append(topic)

        sessions = [
            TrainingSession(
                commune=commune,
                village=self.villages[s["village"]] if s["village"] is not None else None,
                venue_kind=s["venue_kind"],
                venue=s["venue"],
                held_on=s["held_on"],
                group=groups[s["group"]],
            )
            for s in self.sessions
        ]
        TrainingSession.objects.bulk_create(sessions)
        topic_rows, facilitator_rows, attendance_rows = [], [], []
        for s, session in zip(self.sessions, sessions, strict=True):
            chosen = [self.rng.choice(by_skill[Topic.Skill.ONLINE_PUBLIC_SERVICES])]
            for _ in range(self.rng.randint(0, 2)):
                other = self.rng.choice(topics)
                if other not in chosen:
                    chosen.append(other)
            topic_rows += [
                TrainingSession.topics.through(trainingsession_id=session.pk, topic_id=t.pk) for t in chosen
            ]
            facilitator_rows += [
                TrainingSession.facilitators.through(trainingsession_id=session.pk, worker_id=workers[w].pk)
                for w in s["facilitators"]
            ]
            attendance_rows += [
                Attendance(session_id=session.pk, resident_id=rows[i].pk, achievements=achieved)
                for i, achieved in s["attendees"].items()
            ]
        TrainingSession.topics.through.objects.bulk_create(topic_rows)
        TrainingSession.facilitators.through.objects.bulk_create(facilitator_rows)
        Attendance.objects.bulk_create(attendance_rows)

        visit_keys = sorted(self.visits, key=lambda key: (key[1], key[0]))
        visits = []
        for h, day in visit_keys:
            plan = self.visits[(h, day)]
            demo_worker_there = self.demo_worker in plan["workers"]
            visits.append(
                HomeVisit(
                    commune_id=commune_id,
                    household_id=self.households[h].pk,
                    visited_on=day,
                    outcome=plan["outcome"],
                    notes=plan["notes"],
                    follow_up_on=plan["follow_up_on"],
                    recorded_by_id=self.workers[self.demo_worker].user_id if demo_worker_there else None,
                )
            )
        HomeVisit.objects.bulk_create(visits)
        visit_by_key = dict(zip(visit_keys, visits, strict=True))
        worker_rows, help_rows = [], []
        for key, visit in visit_by_key.items():
            plan = self.visits[key]
            worker_rows += [
                HomeVisit.workers.through(homevisit_id=visit.pk, worker_id=workers[w].pk)
                for w in plan["workers"]
            ]
            help_rows += [
                VisitHelp(visit_id=visit.pk, resident_id=rows[i].pk, achievements=achieved)
                for i, achieved in plan["helps"].items()
            ]
        HomeVisit.workers.through.objects.bulk_create(worker_rows)
        VisitHelp.objects.bulk_create(help_rows)

        applications = []
        for a in sorted(self.applications, key=lambda a: a["submitted_on"]):
            applications.append(
                Application(
                    commune_id=commune_id,
                    resident_id=rows[a["person"]].pk if a["person"] is not None else None,
                    village_id=self.villages[a["village"]].pk,
                    field=a["field"],
                    procedure=a["procedure"],
                    submitted_on=a["submitted_on"],
                    channel=a["channel"],
                    result_delivery=a["result_delivery"],
                    helped_by_id=workers[a["helped_by"]].pk if a["helped_by"] is not None else None,
                    visit_id=visit_by_key[a["visit"]].pk if a["visit"] is not None else None,
                    session_id=sessions[a["session"]].pk if a["session"] is not None else None,
                )
            )
        Application.objects.bulk_create(applications)

        communications = [
            CommunicationActivity(
                commune=commune,
                channel=c["channel"],
                held_on=c["held_on"],
                topic=c["topic"],
                reach=c["reach"],
                group=groups[c["group"]],
            )
            for c in sorted(self.communications, key=lambda c: c["held_on"])
        ]
        CommunicationActivity.objects.bulk_create(communications)
        village_rows = [
            CommunicationActivity.villages.through(
                communicationactivity_id=activity.pk, village_id=self.villages[v].pk
            )
            for c, activity in zip(
                sorted(self.communications, key=lambda c: c["held_on"]), communications, strict=True
            )
            for v in c["villages"]
        ]
        CommunicationActivity.villages.through.objects.bulk_create(village_rows)
        return {
            "villages": len(self.villages),
            "households": len(self.households),
            "residents": len(rows),
            "workers": len(workers),
            "groups": len(groups),
            "visits": len(visits),
            "sessions": len(sessions),
            "attendances": len(attendance_rows),
            "communications": len(communications),
            "applications": len(applications),
        }


def demo_commune_populate(*, commune, head_user=None, worker_user=None) -> dict[str, int]:
    """Fill an empty commune with the demo's villages, people and two years of work.

    Deterministic: the same rows on every run. The village head and worker users, if
    given, are linked to the worker records of Nà Khau's village head and youth member.
    Returns the number of rows made of the main kinds. The caller holds the transaction.
    """
    counts = _Builder(commune, random.Random(SEED), head_user=head_user, worker_user=worker_user).run()
    counts["models"] = demo_models_populate(commune=commune)
    return counts


# The three "dân vận khéo" models of the issue: (name, field, owning group kind, start,
# villages (None: all), which work is tagged, goals as (kind, value, due date)).
DEMO_MODELS = [
    (
        "Đội dân vận hướng dẫn người dân sử dụng dịch vụ công trực tuyến",
        MobilizationModel.Field.ONLINE_PUBLIC_SERVICES,
        WorkerGroup.Kind.YOUTH_UNION,
        D(2024, 9, 1),
        ("visits", 2),  # every second visit in its villages and dates
        [
            (ModelGoal.Kind.HOUSEHOLDS_VISITED, 300, D(2025, 6, 30)),
            (ModelGoal.Kind.RESIDENTS_HELPED, 600, D(2025, 12, 31)),
            (ModelGoal.Kind.LEVEL34_SHARE, 60, CAMPAIGN_END),
        ],
    ),
    (
        "Tổ công nghệ số cộng đồng ở mỗi thôn",
        MobilizationModel.Field.COMMUNITY_TECH_TEAM,
        WorkerGroup.Kind.DIGITAL_TECH_TEAM,
        D(2024, 6, 1),
        ("sessions", 1),  # every session in its villages and dates
        [
            (ModelGoal.Kind.SESSIONS_HELD, 20, D(2025, 6, 30)),
            (ModelGoal.Kind.ATTENDANCE, 400, D(2025, 12, 31)),
        ],
    ),
    (
        "Tuyên truyền viên cơ sở",
        MobilizationModel.Field.GRASSROOTS_COMMUNICATION,
        WorkerGroup.Kind.FATHERLAND_FRONT,
        D(2024, 6, 1),
        ("communications", 2),
        [(ModelGoal.Kind.COMMUNICATIONS, 50, D(2025, 12, 31))],
    ),
]


def demo_models_populate(*, commune) -> int:
    """Register the demo's three mobilization models and tag a share of the demo's work.

    Called once, on an empty commune, after the work exists; deterministic (every n-th
    record by id). The second model is owned by Nà Khau's community digital technology team.
    Returns how many models were made.
    """
    villages = list(Village.objects.filter(commune=commune).order_by("code"))
    first_half = villages[: max(1, len(villages) // 2)]
    for name, field, owner_kind, started_on, (tagged, every), goals in DEMO_MODELS:
        owners = WorkerGroup.objects.filter(commune=commune, kind=owner_kind).order_by("village__code", "id")
        owner = owners.filter(village__code=DEMO_VILLAGE_CODE).first() or owners.first()
        model = MobilizationModel.objects.create(
            commune=commune, name=name, field=field, owner=owner, started_on=started_on
        )
        in_villages = first_half if tagged == "visits" else villages
        model.villages.set(in_villages)
        ModelGoal.objects.bulk_create(
            ModelGoal(model=model, kind=kind, value=value, due_on=due) for kind, value, due in goals
        )
        if tagged == "visits":
            work = HomeVisit.objects.filter(
                commune=commune, household__village__in=in_villages, visited_on__gte=started_on
            )
        elif tagged == "sessions":
            work = TrainingSession.objects.filter(
                commune=commune, village__in=in_villages, held_on__gte=started_on
            )
        else:
            work = CommunicationActivity.objects.filter(commune=commune, held_on__gte=started_on)
        ids = list(work.order_by("id").values_list("id", flat=True))[::every]
        work.model.objects.filter(id__in=ids).update(model=model)
    return len(DEMO_MODELS)
