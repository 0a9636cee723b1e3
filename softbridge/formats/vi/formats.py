"""Vietnamese formats Django's own locale leaves out or writes as a heading would.

Django's vi locale names "." as the thousand separator but no grouping, so 122165600 VND
printed as "122165600". Vietnamese groups digits in threes: "122.165.600".

Its dates capitalise the month and the day as at the start of a line ("Tháng 11 2026",
"Ngày 05 tháng 11 năm 2026"), and the pages put them inside sentences ("Báo cáo Tháng 11 2026",
"từ Ngày 01 ... đến Ngày 30 ..."). Here they are written as a sentence writes them, lower case
with their "năm" ("Báo cáo tháng 11 năm 2026"); a message that starts with one puts its own word
first ("Cuối tháng 11 năm 2026", "Chưa hết tháng 12 năm 2026: ..."). Everything else (the short
date 05-11-2026, the decimal comma) is Django's, which get_format falls back to.
"""

NUMBER_GROUPING = 3
YEAR_MONTH_FORMAT = r"\t\há\n\g n \nă\m Y"  # tháng 11 năm 2026
MONTH_DAY_FORMAT = r"\n\gà\y j \t\há\n\g n"  # ngày 5 tháng 11
DATE_FORMAT = r"\n\gà\y d \t\há\n\g n \nă\m Y"  # ngày 05 tháng 11 năm 2026
DATETIME_FORMAT = r"H:i \n\gà\y d \t\há\n\g n \nă\m Y"  # 09:12 ngày 05 tháng 11 năm 2026
