"""A small XLSX that unpacks to millions of shared strings or cells is refused before
openpyxl parses any of it, in the roster import and the official-figures import alike
(issue 28, finding 3: 919 KB, 21 million strings, 216 s of CPU and 3.3 GB)."""

import io
import zipfile

import openpyxl
import pytest

from reports.models import OfficialFigures
from reports.official_import import official_figures_import
from tests.test_official_figures import GOOD as OFFICIAL_GOOD
from tests.test_official_figures import HEADER as OFFICIAL_HEADER
from tests.test_official_figures import xlsx as official_xlsx
from tests.test_roster_import import GOOD, run, xlsx_file
from villages.models import Resident
from villages.roster.columns import COLUMNS
from villages.roster.reading import CELLS_PER_ROW

# The cap on rows in these tests, and so the cap on cells and strings (102,020).
ROWS = 100
# Past the cap, and still small: about 5 MB unpacked, 20 KB packed.
BOMB = 300_000


@pytest.fixture(autouse=True)
def small_row_cap(settings):
    settings.ROSTER_MAX_ROWS = ROWS


@pytest.fixture
def parses(monkeypatch) -> list:
    """The workbooks openpyxl was asked to parse: a refusal before parsing leaves it empty."""
    calls = []
    real = openpyxl.load_workbook

    def counted(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(openpyxl, "load_workbook", counted)
    return calls


def rewritten(data: bytes, name: str, change) -> bytes:
    """The workbook `data` with its member `name` replaced by change(its content)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zipped,
    ):
        for member in source.infolist():
            content = source.read(member)
            zipped.writestr(member.filename, change(content) if member.filename == name else content)
    return out.getvalue()


SHARED_STRINGS = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def with_strings(data: bytes, count: int, *, prefix: str = "") -> bytes:
    """`data` with a shared-strings part of `count` one-letter strings that no cell uses, as
    the bomb had, declaring one string; openpyxl finds it by its content type and loads it."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    name = f"{prefix}si"
    xmlns = f'xmlns:{prefix[:-1]}="{main}"' if prefix else f'xmlns="{main}"'
    strings = f'<{prefix}sst {xmlns} count="1" uniqueCount="1">'
    strings += f"<{name}><{prefix}t>a</{prefix}t></{name}>" * count + f"</{prefix}sst>"
    override = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHARED_STRINGS}" /></Types>'
    data = rewritten(data, "[Content_Types].xml", lambda types: types.replace(b"</Types>", override.encode()))
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("xl/sharedStrings.xml", strings)
    return out.getvalue()


def with_cells(data: bytes, count: int) -> bytes:
    """`data` whose sheet has one more row holding `count` cells."""
    cells = '<c\nt="n"><v>1</v></c>' * count  # a newline after the name is valid XML too
    row = f'<row r="{ROWS}">{cells}</row>'.encode()
    return rewritten(
        data, "xl/worksheets/sheet1.xml", lambda sheet: sheet.replace(b"</sheetData>", row + b"</sheetData>")
    )


STRINGS_REFUSED = (
    "row 1, column -: The workbook holds more than 102020 different texts: a file of 100 rows needs "
    "fewer. Check that this is the right file, or copy its rows into a new workbook."
)
CELLS_REFUSED = (
    "row 1, column -: The workbook holds more than 102020 cells: a file of 100 rows needs fewer. Delete "
    "the rows and columns after the table, or copy the table into a new workbook."
)


def test_a_roster_of_shared_strings_past_the_cap_is_refused_before_parsing(commune, parses):
    bomb = with_strings(xlsx_file(GOOD), BOMB)
    assert len(bomb) < 100_000

    result = run(commune, bomb)

    assert [str(error) for error in result.errors] == [STRINGS_REFUSED]
    assert parses == []
    assert not Resident.objects.exists()


def test_shared_strings_with_a_namespace_prefix_are_counted_too(commune, parses):
    bomb = with_strings(xlsx_file(GOOD), BOMB, prefix="x:")

    result = run(commune, bomb)

    assert [str(error) for error in result.errors] == [STRINGS_REFUSED]
    assert parses == []


def test_a_roster_with_a_row_of_a_million_cells_is_refused_before_parsing(commune, parses):
    bomb = with_cells(xlsx_file(GOOD), BOMB)

    result = run(commune, bomb)

    assert [str(error) for error in result.errors] == [CELLS_REFUSED]
    assert parses == []
    assert not Resident.objects.exists()


def test_a_roster_at_the_row_cap_with_every_column_filled_imports(commune, parses):
    # Every column of every row filled, most cells a text of their own (openpyxl writes
    # text inline: the cells are what is counted here).
    assert len(COLUMNS) < CELLS_PER_ROW
    rows = [
        ["NK", "Nà Khau", f"NK-{n:03}", f"Người {n}", "chủ hộ", "Nữ", "1985", f"004185{n:06}", f"0912{n:06}"]
        + [f"{n % 28 + 1:02}/01/2020", "", "", f"{n % 28 + 1:02}/02/2021", f"{n % 28 + 1:02}/03/2022"]
        + [f"{n % 28 + 1:02}/04/2023", f"{n % 28 + 1:02}/05/2024", f"{n % 10},5"]
        for n in range(ROWS)
    ]
    headers = [column.name for column in COLUMNS]

    result = run(commune, xlsx_file(rows, headers=headers))

    assert result.errors == []
    assert Resident.objects.count() == ROWS
    assert len(parses) == 1


def test_the_official_figures_bomb_is_refused_before_parsing(commune, parses):
    bomb = with_strings(OFFICIAL_GOOD, BOMB)

    result = official_figures_import(commune=commune, source=bomb)

    assert [str(error) for error in result.errors] == [STRINGS_REFUSED]
    assert parses == []
    assert not OfficialFigures.objects.exists()


def test_official_figures_with_a_row_of_many_cells_are_refused_before_parsing(commune, parses):
    bomb = with_cells(official_xlsx([1, "07/2024", 40, 25, 14, 1, 10, 38, 6]), BOMB)

    result = official_figures_import(commune=commune, source=bomb)

    assert [str(error) for error in result.errors] == [CELLS_REFUSED]
    assert parses == []
    assert not OfficialFigures.objects.exists()


def test_the_official_figures_under_the_cap_still_import(commune, parses):
    assert len(OFFICIAL_HEADER) < CELLS_PER_ROW

    result = official_figures_import(commune=commune, source=OFFICIAL_GOOD)

    assert result.errors == []
    assert OfficialFigures.objects.count() == 3
    assert len(parses) == 1
