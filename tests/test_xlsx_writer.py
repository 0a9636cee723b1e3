"""softbridge.spreadsheets.xlsx_bytes, the one XLSX writer: what every file the site writes keeps."""

import datetime
import io

from openpyxl import load_workbook

from softbridge.spreadsheets import Sheet, xlsx_bytes


def test_the_one_writer_keeps_text_as_text_and_shows_headers_formats_and_dates():
    data = xlsx_bytes(
        [
            Sheet(
                "A sheet title longer than thirty-one characters",
                [
                    ["Name", "Share", "On"],
                    ["=HYPERLINK(1)", 0.5, datetime.date(2025, 3, 4)],
                    ["Lò\x07 Văn", None, 3],
                ],
                formats={1: "0.00%"},
                date_format="DD/MM/YYYY",
                widths={0: 40},
            ),
            Sheet("About", [["label", "value"]], bold_rows=0, bold_columns=1),
        ]
    )
    first, about = load_workbook(io.BytesIO(data)).worksheets
    assert first.title == "A sheet title longer than thirt"
    assert [cell.font.b for cell in first[1]] == [True, True, True]
    assert not first["A2"].font.b
    assert (first["A2"].value, first["A2"].data_type) == ("'=HYPERLINK(1)", "s")
    assert first["A3"].value == "Lò Văn"  # a control character XLSX cannot hold is left out
    assert first["B2"].number_format == "0.00%" and first["B1"].number_format == "General"
    assert first["C2"].is_date and first["C2"].number_format == "DD/MM/YYYY"
    assert first["C3"].value == 3 and first["C3"].data_type == "n"
    assert first.column_dimensions["A"].width == 40
    assert [about["A1"].font.b, about["B1"].font.b] == [True, False]
