"""The names and numbers of Hạ Lang's people: surnames, given names, phone prefixes.

Build draws from these (demo.build.Build.full_name, phone).
"""

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
