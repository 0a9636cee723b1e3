"""Importing the official figures of the provincial administrative-procedure system: the
Excel (or CSV) report it exports for a commune, one row per month.

The rules are the roster import's (villages/roster/): the file is read within the same caps,
headers compare without case, diacritics, spaces or punctuation, in Vietnamese as the system
exports them or in English; the import is all or nothing, and every error is listed as
`row N, column C: message`. Title rows above the header are skipped (the system prints the
report's name first). Re-importing a file changes nothing; a corrected file updates the
months that changed.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.models import OfficialFigures
from softbridge.calendar import commune_today, month_in_words, month_start, parse_month
from softbridge.text import fold
from villages.models import Commune
from villages.roster.cells import cell_text, shown
from villages.roster.columns import header_key
from villages.roster.reading import RosterUnreadable, roster_table
from villages.roster.results import RowError

# A commune receives a few hundred dossiers a month; more than this is a typing mistake.
MAX_COUNT = 1_000_000
# How far down the export's title rows may push its header.
HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True)
class Column:
    name: str  # the English header, and the field it fills
    label: str
    headers: tuple[str, ...]  # the Vietnamese headers as the system exports them, and variants
    required: bool = True


COLUMNS = (
    Column("month", gettext_lazy("month (YYYY-MM or MM/YYYY)"), ("Kỳ báo cáo", "Tháng", "Kỳ", "Thời gian")),
    Column(
        "received_online",
        gettext_lazy("dossiers received online"),
        ("Tiếp nhận trực tuyến", "Hồ sơ tiếp nhận trực tuyến", "Số hồ sơ tiếp nhận trực tuyến"),
    ),
    Column(
        "received_in_person",
        gettext_lazy("dossiers received in person"),
        ("Tiếp nhận trực tiếp", "Hồ sơ tiếp nhận trực tiếp", "Số hồ sơ tiếp nhận trực tiếp"),
    ),
    Column(
        "received_by_post",
        gettext_lazy("dossiers received by post"),
        (
            "Tiếp nhận qua dịch vụ bưu chính công ích",
            "Tiếp nhận qua bưu chính công ích",
            "Tiếp nhận qua BCCI",
            "Qua dịch vụ bưu chính công ích",
        ),
    ),
    Column(
        "full_process_online",
        gettext_lazy("of which full-process online"),
        ("Trong đó trực tuyến toàn trình", "Trực tuyến toàn trình", "Hồ sơ trực tuyến toàn trình"),
    ),
    Column(
        "resolved_on_time",
        gettext_lazy("dossiers resolved on time"),
        ("Giải quyết đúng hạn", "Đã giải quyết đúng hạn", "Hồ sơ giải quyết đúng hạn"),
    ),
    Column(
        "paid_online",
        gettext_lazy("dossiers paid online"),
        ("Thanh toán trực tuyến", "Hồ sơ thanh toán trực tuyến", "Số hồ sơ thanh toán trực tuyến"),
    ),
    Column(
        "commune_code",
        gettext_lazy("commune code (when given, it must be the commune's)"),
        ("Mã đơn vị", "Mã xã", "Mã ĐVHC", "Mã đơn vị hành chính"),
        required=False,
    ),
    Column(
        "received_total",
        gettext_lazy("dossiers received in all (when given, the sum of the three ways)"),
        ("Tổng số hồ sơ tiếp nhận", "Tổng tiếp nhận", "Tổng số hồ sơ"),
        required=False,
    ),
)
BY_HEADER = {header_key(h): column for column in COLUMNS for h in (column.name, *column.headers)}
# What the export carries that means nothing here: a row number, the unit's name.
IGNORED = frozenset(header_key(h) for h in ("STT", "TT", "Tên đơn vị", "Đơn vị", "Tên xã", "Ghi chú"))
# The export's last row may add up the months: its period cell says so, and it is skipped.
TOTAL_ROWS = frozenset({"tong", "tong cong", "cong", "total"})


@dataclass
class ImportResult:
    """What an import did, or would do (dry run), or why it refused the file."""

    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    months: list[datetime.date] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    saved: bool = False

    @property
    def refused(self) -> bool:
        return bool(self.errors)


def official_figures_import(*, commune: Commune, source, user=None, dry_run: bool = False) -> ImportResult:
    """Read the official figures of `commune` from an Excel or CSV file (a path, bytes or a
    file), and save them all or none: a month already stored is updated when the file says
    otherwise. Every error is in the result with its row and column; nothing is saved then."""
    result = ImportResult()
    try:
        rows = _checked_rows(commune, source, result)
    except RosterUnreadable as error:
        result.errors = [RowError(error.row, error.column, str(error))]
        return result
    if result.errors:
        result.errors.sort()
        return result
    with transaction.atomic():
        stored = {
            f.month: f
            for f in OfficialFigures.objects.select_for_update().filter(commune=commune, month__in=rows)
        }
        for month, counts in rows.items():
            figures = stored.get(month)
            if figures is None:
                result.created += 1
                figures = OfficialFigures(commune=commune, month=month)
            elif all(getattr(figures, name) == value for name, value in counts.items()):
                result.unchanged += 1
                continue
            else:
                result.updated += 1
            for name, value in counts.items():
                setattr(figures, name, value)
            figures.recorded_by = user
            if not dry_run:
                figures.save()
        result.months = sorted(rows)
        result.saved = not dry_run
    return result


def _checked_rows(commune: Commune, source, result: ImportResult) -> dict[datetime.date, dict[str, int]]:
    table = roster_table(source)
    header_row, headers = 1, table.headers
    positions = _positions(headers)
    searched = 0
    while "month" not in positions and searched < HEADER_SEARCH_ROWS:
        found = next(table.lines, None)
        if found is None:
            break
        header_row, headers = found
        positions = _positions(headers)
        searched += 1
    missing = [c.name for c in COLUMNS if c.required and c.name not in positions]
    if missing:
        labels = ", ".join(f"{c.name} ({c.headers[0]})" for c in COLUMNS if c.name in missing)
        result.errors.append(
            RowError(header_row, "-", _("The header has no column for: %(columns)s.") % {"columns": labels})
        )
        return {}
    result.ignored_columns = [
        cell_text(h)
        for h in headers
        if cell_text(h)
        and header_key(cell_text(h)) not in BY_HEADER
        and header_key(cell_text(h)) not in IGNORED
    ]
    rows, first_row = {}, {}
    today = month_start(commune_today())
    for number, cells in table.lines:
        values, problems = {}, []
        month_cell = cells[positions["month"][0]] if positions["month"][0] < len(cells) else None
        if fold(cell_text(month_cell)) in TOTAL_ROWS:
            continue
        for name, (position, letter) in positions.items():
            raw = cells[position] if position < len(cells) else None
            if name == "commune_code" or (name == "received_total" and not cell_text(raw)):
                values[name] = raw
                continue
            value = _month(raw, today) if name == "month" else _count(raw)
            if isinstance(value, str):
                problems.append(RowError(number, letter, value))
            else:
                values[name] = value
        code = cell_text(values.pop("commune_code", None))
        if code and code != commune.code:
            problems.append(
                RowError(
                    number,
                    positions["commune_code"][1],
                    _("This row is for commune %(code)s, not %(commune)s.")
                    % {"code": shown(code), "commune": commune.code},
                )
            )
        total = values.pop("received_total", None)
        total = total if isinstance(total, int) and not isinstance(total, bool) else None
        counts = {name: values.get(name) or 0 for name in OfficialFigures.COUNTS}
        if not problems:
            problems += _consistency(number, positions, counts, total)
        month = values.get("month")
        if month is not None and month in first_row:
            problems.append(
                RowError(
                    number,
                    positions["month"][1],
                    _("Month %(month)s is already on row %(row)s.")
                    % {"month": month_in_words(month), "row": first_row[month]},
                )
            )
        if month is not None:
            first_row.setdefault(month, number)
        if problems:
            result.errors += problems
        elif month is not None:
            rows[month] = counts
    if not rows and not result.errors:
        result.errors.append(
            RowError(header_row + 1, "-", _("The file has no month of figures below its header."))
        )
    return rows


def _positions(headers) -> dict[str, tuple[int, str]]:
    from openpyxl.utils import get_column_letter

    found = {}
    for position, header in enumerate(headers):
        column = BY_HEADER.get(header_key(cell_text(header)))
        if column is not None and column.name not in found:
            found[column.name] = (position, get_column_letter(position + 1))
    return found


_MONTH_YEAR = re.compile(r"(?:thang|t)?\s*([0-9]{1,2})\s*(?:/|-|\.|nam)\s*([0-9]{4})")
_DAY = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")


def _month(raw, this_month: datetime.date) -> datetime.date | str | None:
    """The month a cell names (YYYY-MM, MM/YYYY, "Tháng 9/2024", "tháng 9 năm 2024", a date,
    or a period of one whole month, "01/09/2024 - 30/09/2024"), or why not."""
    if isinstance(raw, datetime.datetime):
        raw = raw.date()
    if isinstance(raw, datetime.date):
        month = month_start(raw)
    else:
        text = fold(cell_text(raw))
        if not text:
            return _("Give the month the figures are for.")
        month = parse_month(text)
        days = _DAY.findall(text)
        if month is None and days:
            found = {(int(y), int(m)) for _d, m, y in days}
            if len(found) == 1 and all(1 <= m <= 12 for _y, m in found):
                year, number = found.pop()
                month = datetime.date(year, number, 1)
        if month is None and (match := _MONTH_YEAR.fullmatch(text)) and 1 <= int(match[1]) <= 12:
            month = datetime.date(int(match[2]), int(match[1]), 1)
        if month is None or not 1900 <= month.year <= 2100:
            return _("“%(value)s” is not a month: write it as YYYY-MM (2024-09) or MM/YYYY (09/2024).") % {
                "value": shown(cell_text(raw))
            }
    if month > this_month:
        return _("The month is in the future.")
    return month


def _count(raw) -> int | str:
    """A count of dossiers: a whole number from 0 (an empty cell is 0), "1.234" or "1,234" as
    thousands, or why not."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return 0
    if isinstance(raw, bool):
        return _("Give a whole number of dossiers.")
    if isinstance(raw, float):
        if not raw.is_integer():
            return _("“%(value)s” is not a whole number of dossiers.") % {"value": raw}
        raw = int(raw)
    if isinstance(raw, int):
        value = raw
    else:
        text = cell_text(raw).replace(" ", "")
        if re.fullmatch(r"[0-9]{1,3}([.,][0-9]{3})+", text):
            text = re.sub(r"[.,]", "", text)
        if not re.fullmatch(r"[0-9]+", text):
            return _("“%(value)s” is not a whole number of dossiers.") % {"value": shown(cell_text(raw))}
        value = int(text)
    if value < 0:
        return _("A number of dossiers cannot be negative.")
    if value > MAX_COUNT:
        return _("More than %(max)s dossiers in a month: check the figure.") % {"max": MAX_COUNT}
    return value


def _consistency(number: int, positions: dict, counts: dict[str, int], total: int | None) -> list[RowError]:
    problems = []
    if counts["full_process_online"] > counts["received_online"]:
        problems.append(
            RowError(
                number,
                positions["full_process_online"][1],
                _("More full-process dossiers (%(full)s) than dossiers received online (%(online)s).")
                % {"full": counts["full_process_online"], "online": counts["received_online"]},
            )
        )
    received = counts["received_online"] + counts["received_in_person"] + counts["received_by_post"]
    if total is not None and "received_total" in positions and total != received:
        problems.append(
            RowError(
                number,
                positions["received_total"][1],
                _("The total (%(total)s) is not online, in person and by post added up (%(sum)s).")
                % {"total": total, "sum": received},
            )
        )
    return problems
