"""English dates as the commune writes them: day before month (Django's en is American, M/D/Y).

A worker who switches to English reads the same 05/12/2026 on a follow-up as a colleague reading
Vietnamese reads 05-12-2026: the 5th of December, never the 12th of May. Dates typed into a form
read the same way, ISO (2026-12-05, what a date picker sends) first; a day and its month, day
first too ("to 5 December"). Everything else (numbers, month names) is Django's en, which
get_format falls back to.
"""

DATE_FORMAT = "j M Y"  # 5 Dec 2026
MONTH_DAY_FORMAT = "j F"  # 5 December
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATE_FORMAT = "d/m/Y"  # 05/12/2026
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
TIME_FORMAT = "H:i"
DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # 2026-12-05
    "%d/%m/%Y",  # 05/12/2026
    "%d/%m/%y",  # 05/12/26
    "%d-%m-%Y",  # 05-12-2026, as in Vietnamese
]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
]
