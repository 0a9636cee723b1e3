"""The roster import's caps: a file that declares, or holds, more than a roster is refused
with a message saying so, read no further than the cap, in bounded memory."""

import io
import os
import resource
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from openpyxl.utils import get_column_letter

from tests.test_roster_import import ENGLISH, GOOD, csv_file, located, register_snapshot, run, xlsx_file
from villages.models import Resident
from villages.roster.reading import MAX_COLUMNS, MAX_LINE_CHARS

BASE_DIR = Path(__file__).resolve().parent.parent
# The address space the import command may use, measured (VmPeak): the command itself
# (Python, Django, openpyxl, SQLite) about 100 MB, a dry run of a 100,000-row roster about
# 270 MB; the sheet declared huge failed with MemoryError under this cap before the caps.
MEMORY_LIMIT = 512 * 1024 * 1024


def declared_huge_xlsx(headers=(), far_cell="XFD1048576") -> bytes:
    """A valid XLSX of about 1.5 KB whose sheet declares A1:XFD1048576 and holds `headers`
    in row 1 and one cell, "x", at `far_cell`: what Excel writes for a sheet used that far."""

    def cell(ref: str, value) -> str:
        return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'

    rows = ""
    if headers:
        cells = "".join(cell(f"{get_column_letter(i)}1", header) for i, header in enumerate(headers, 1))
        rows += f'<row r="1">{cells}</row>'
    rows += f'<row r="{far_cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}">{cell(far_cell, "x")}</row>'
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    package = "http://schemas.openxmlformats.org/package/2006"
    office = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    spreadsheet = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    parts = {
        "[Content_Types].xml": (
            f'<Types xmlns="{package}/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{spreadsheet}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{spreadsheet}.worksheet+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{package}/relationships">'
            f'<Relationship Id="rId1" Type="{office}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{main}" xmlns:r="{office}">'
            '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{package}/relationships">'
            f'<Relationship Id="rId1" Type="{office}/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": (
            f'<worksheet xmlns="{main}"><dimension ref="A1:XFD1048576"/>'
            f"<sheetData>{rows}</sheetData></worksheet>"
        ),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, '<?xml version="1.0" encoding="UTF-8"?>' + text)
    return out.getvalue()


def roster_rows(count: int) -> list[list[str]]:
    return [
        ["NK", "Nà Khau", f"NK-{i // 4:04d}", f"Nông Văn {i}", "", "", "1980"] + [""] * 7
        for i in range(count)
    ]


# --- in a process whose memory is capped ---------------------------------------------


@pytest.fixture(scope="module")
def register_file(tmp_path_factory, migrated_sqlite_file):
    """A migrated SQLite register holding commune 01558, for commands run in their own process."""
    path = migrated_sqlite_file(tmp_path_factory.mktemp("register") / "db.sqlite3")
    subprocess.run(
        [sys.executable, "manage.py", "add_commune", "01558", "Xã Hạ Lang", "-v0"],
        cwd=BASE_DIR,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{path}"},
        check=True,
        capture_output=True,
    )
    return path


def import_with_memory_capped(register_file, roster: Path, *options) -> subprocess.CompletedProcess:
    """`import_roster` of `roster` in a process of its own, its address space capped at MEMORY_LIMIT."""

    def cap_memory():
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    return subprocess.run(
        [sys.executable, "manage.py", "import_roster", "--commune", "01558", *options, str(roster)],
        cwd=BASE_DIR,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{register_file}"},
        preexec_fn=cap_memory,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize(
    "headers", [(), ENGLISH], ids=["a-far-cell-alone", "the-roster-header-and-a-far-cell"]
)
def test_a_sheet_declared_huge_is_refused_in_bounded_memory(register_file, tmp_path, headers):
    roster = tmp_path / "roster.xlsx"
    roster.write_bytes(declared_huge_xlsx(headers))
    assert roster.stat().st_size < 2000

    done = import_with_memory_capped(register_file, roster, "--dry-run")

    assert "MemoryError" not in done.stderr
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines() == [
        "row 1048576, column -: The file has more than 200000 rows; split it (by village, for example) and "
        "import the parts one by one."
    ]
    assert "The file was refused: 1 error; nothing was saved." in done.stderr


def test_a_real_file_imports_within_the_same_memory_cap(register_file, tmp_path):
    roster = tmp_path / "roster.xlsx"
    roster.write_bytes(xlsx_file(roster_rows(2000)))

    done = import_with_memory_capped(register_file, roster)

    assert done.returncode == 0, done.stderr
    assert "Residents: 2000 created, 0 updated, 0 unchanged." in done.stdout


# --- the caps -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_file_of_more_rows_than_the_cap_is_refused_and_read_no_further(commune, settings, kind):
    settings.ROSTER_MAX_ROWS = 4
    rows = roster_rows(5)
    # Past the cap, a line that would be an error of its own: the reading stopped before it.
    rows.append(["NK", "", "NK-0009", "x" * (MAX_LINE_CHARS + 1)] + [""] * 10)
    before = register_snapshot()

    result = run(commune, csv_file(rows) if kind == "csv" else xlsx_file(rows))

    assert [str(error) for error in result.errors] == [
        "row 6, column -: The file has more than 4 rows; split it (by village, for example) and import the "
        "parts one by one."
    ]
    assert not result.saved
    assert register_snapshot() == before


def test_a_file_of_as_many_rows_as_the_cap_imports(commune, settings):
    settings.ROSTER_MAX_ROWS = 4
    rows = roster_rows(4) + [[""] * 14] * 3  # empty rows count for nothing

    result = run(commune, xlsx_file(rows))

    assert result.errors == []
    assert Resident.objects.count() == 4


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_header_of_more_columns_than_the_cap_is_refused(commune, kind):
    headers = ENGLISH + [f"ghi chú {i}" for i in range(MAX_COLUMNS + 1 - len(ENGLISH))]

    result = run(
        commune, csv_file(GOOD, headers=headers) if kind == "csv" else xlsx_file(GOOD, headers=headers)
    )

    assert [str(error) for error in result.errors] == [
        "row 1, column CW: The file has more than 100 columns: this cell is beyond them. Delete the columns "
        "after column CV and try again."
    ]
    assert not Resident.objects.exists()


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_cell_beyond_the_column_cap_is_refused_with_its_row_and_column(commune, kind):
    rows = [list(row) for row in GOOD]
    rows[1] += [""] * (150 - len(rows[1])) + ["a note far right"]  # column 151, EU
    rows[2] += [""] * 200  # empty cells far right are no content

    result = run(commune, csv_file(rows) if kind == "csv" else xlsx_file(rows))

    assert located(result) == [(3, "EU")]
    assert "The file has more than 100 columns" in result.errors[0].message
    assert not Resident.objects.exists()


def test_a_sheet_declared_huge_with_a_far_cell_in_a_near_row_names_the_cell(commune):
    result = run(commune, declared_huge_xlsx(ENGLISH, far_cell="XFD2"))

    assert located(result) == [(2, "XFD")]
    assert "The file has more than 100 columns" in result.errors[0].message


def test_a_sheet_declared_huge_reads_as_the_cells_it_holds(commune):
    """A declared dimension larger than the cells is no error: only the cells count."""
    data = declared_huge_xlsx(ENGLISH, far_cell="B3")
    result = run(commune, data, dry_run=True)
    assert located(result) == [(3, "village_code"), (3, "household_code"), (3, "full_name")]


@pytest.mark.parametrize(
    "line", [b"," * 10_000_000, b"a," * 1_000_000], ids=["a-10-MB-line", "a-million-columns"]
)
def test_a_csv_line_longer_than_a_roster_row_is_refused(commune, line):
    data = csv_file(GOOD[:2]) + line + b"\n" + csv_file(GOOD[2:]).split(b"\n", 1)[1]

    result = run(commune, data)

    assert [str(error) for error in result.errors] == [
        "row 4, column -: This line is longer than 100000 characters: no roster's row is. Check that this is "
        "the roster file."
    ]
    assert not Resident.objects.exists()


def with_member(data: bytes, name: str, content: bytes) -> bytes:
    """The workbook `data` with one more member in its zip."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zipped,
    ):
        for member in source.infolist():
            zipped.writestr(member, source.read(member))
        zipped.writestr(name, content)
    return out.getvalue()


def test_a_workbook_that_unpacks_to_more_than_the_cap_is_refused_before_unpacking(commune, monkeypatch):
    monkeypatch.setattr("villages.roster.reading.MAX_XLSX_UNPACKED_BYTES", 2**20)
    # A 2 MB member packs to a few KB: a small zip bomb, under a small cap.
    data = with_member(xlsx_file(GOOD), "xl/media/padding.bin", b"\0" * (2 * 2**20))
    assert len(data) < 20_000

    result = run(commune, data)

    assert [str(error) for error in result.errors] == [
        "row 1, column -: The workbook unpacks to more than 1 MB; save it again, or split it."
    ]
    assert not Resident.objects.exists()


def test_a_workbook_within_the_unpacked_cap_imports(commune, monkeypatch):
    monkeypatch.setattr("villages.roster.reading.MAX_XLSX_UNPACKED_BYTES", 2**20)
    data = with_member(xlsx_file(GOOD), "xl/media/padding.bin", b"\0" * 1000)

    assert run(commune, data).errors == []
    assert Resident.objects.exists()


def test_a_sheet_damaged_after_its_first_rows_is_refused_with_the_message(commune):
    rows = roster_rows(50)
    data = xlsx_file(rows)
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        sheet = source.read("xl/worksheets/sheet1.xml")
    cut = sheet[: len(sheet) // 2] + b"<row r=<<<"
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as zipped:
        for member in source.infolist():
            content = cut if member.filename == "xl/worksheets/sheet1.xml" else source.read(member)
            zipped.writestr(member, content)

    result = run(commune, out.getvalue())

    assert [str(error) for error in result.errors] == [
        "row 1, column -: The file cannot be read as an Excel workbook (.xlsx)."
    ]
    assert not Resident.objects.exists()
