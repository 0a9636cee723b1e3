"""The official figures of the provincial administrative-procedure system: imported from its
export (all or nothing, every error with its row and column) or typed in, then shown beside
Softbridge's own count of applications received, flagged beyond the tolerance."""

import csv
import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from openpyxl import Workbook

from mobilization.models import Application
from reports.models import OfficialFigures
from reports.official_import import official_figures_import
from reports.selectors.official import beyond_tolerance, official_compared
from tests import factories

D = datetime.date
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
# The export's header as the provincial system writes it.
HEADER = [
    "STT",
    "Kỳ báo cáo",
    "Tổng số hồ sơ tiếp nhận",
    "Tiếp nhận trực tuyến",
    "Tiếp nhận trực tiếp",
    "Tiếp nhận qua dịch vụ bưu chính công ích",
    "Trong đó: trực tuyến toàn trình",
    "Giải quyết đúng hạn",
    "Thanh toán trực tuyến",
]


def xlsx(*rows, title=True) -> bytes:
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append(["BÁO CÁO TÌNH HÌNH TIẾP NHẬN HỒ SƠ - XÃ HẠ LANG"])
        sheet.append([])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD = xlsx(
    [1, "07/2024", 40, 25, 14, 1, 10, 38, 6],
    [2, "Tháng 8/2024", 50, 30, 20, 0, 12, 49, 9],
    [3, datetime.datetime(2024, 9, 1), "", 35, 22, 3, 20, 58, 11],
    ["", "Tổng cộng", 150, 90, 56, 4, 42, 145, 26],
)


def stored(commune) -> dict:
    return {
        f"{f.month:%Y-%m}": tuple(getattr(f, name) for name in OfficialFigures.COUNTS)
        for f in OfficialFigures.objects.filter(commune=commune)
    }


def test_the_systems_export_is_imported_month_by_month(commune):
    result = official_figures_import(commune=commune, source=GOOD)

    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    assert stored(commune) == {
        "2024-07": (25, 14, 1, 10, 38, 6),
        "2024-08": (30, 20, 0, 12, 49, 9),
        "2024-09": (35, 22, 3, 20, 58, 11),
    }


def test_importing_it_again_changes_nothing(commune):
    official_figures_import(commune=commune, source=GOOD)

    result = official_figures_import(commune=commune, source=GOOD)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert OfficialFigures.objects.count() == 3


def test_a_corrected_file_updates_the_month_that_changed(commune):
    official_figures_import(commune=commune, source=GOOD)

    result = official_figures_import(commune=commune, source=xlsx([1, "2024-08", 51, 31, 20, 0, 12, 49, 9]))

    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    assert stored(commune)["2024-08"] == (31, 20, 0, 12, 49, 9)
    assert stored(commune)["2024-07"] == (25, 14, 1, 10, 38, 6)


def test_english_headers_in_a_csv_are_taken_too(commune):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["month", "received_online", "received_in_person", "received_by_post"]
        + ["full_process_online", "resolved_on_time", "paid_online", "commune_code"]
    )
    writer.writerow(["2024-09", "1.234", "17", "0", "1,000", "1200", "3", "01558"])

    result = official_figures_import(commune=commune, source=out.getvalue().encode())

    assert result.errors == []
    assert stored(commune) == {"2024-09": (1234, 17, 0, 1000, 1200, 3)}


def test_a_file_with_bad_rows_saves_nothing_and_names_each_row_and_column(commune):
    official_figures_import(commune=commune, source=xlsx([1, "2024-06", 1, 1, 0, 0, 0, 0, 0]))
    before = stored(commune)
    bad = xlsx(
        [1, "2024-07", 40, 25, 14, 1, 10, 38, 6],
        [2, "13/2024", 1, 1, 0, 0, 0, 0, 0],
        [3, "2024-08", 1, 1, 0, 0, -2, 0, 0],
        [4, "2024-09", 1, "mười", 0, 0, 0, 0, 0],
        [5, "2024-07", 1, 1, 0, 0, 0, 0, 0],
        [6, "2024-10", 5, 2, 3, 0, 3, 0, 0],
        [7, "2024-11", 9, 2, 3, 0, 0, 0, 0],
        [8, "2099-01", 0, 0, 0, 0, 0, 0, 0],
    )

    result = official_figures_import(commune=commune, source=bad)

    assert [str(e) for e in result.errors] == [
        "row 5, column B: “13/2024” is not a month: write it as YYYY-MM (2024-09) or MM/YYYY (09/2024).",
        "row 6, column G: A number of dossiers cannot be negative.",
        "row 7, column D: “mười” is not a whole number of dossiers.",
        "row 8, column B: The figures of July 2024 are already on row 4.",
        "row 9, column G: More full-process dossiers (3) than dossiers received online (2).",
        "row 10, column C: The total (9) is not online, in person and by post added up (5).",
        "row 11, column B: The month is in the future.",
    ]
    assert stored(commune) == before


def test_a_row_of_another_commune_is_refused(commune):
    out = "commune_code,month,received_online,received_in_person,received_by_post,full_process_online,"
    out += "resolved_on_time,paid_online\n01537,2024-09,1,1,0,0,0,0\n"

    result = official_figures_import(commune=commune, source=out.encode())

    assert [str(e) for e in result.errors] == ["row 2, column A: This row is for commune 01537, not 01558."]
    assert not OfficialFigures.objects.exists()


def test_a_header_without_the_systems_columns_is_refused(commune):
    result = official_figures_import(commune=commune, source=b"month,received_online\n2024-09,3\n")

    [error] = result.errors
    assert (error.row, error.column) == (1, "-")
    assert "received_in_person (Tiếp nhận trực tiếp)" in error.message
    assert not OfficialFigures.objects.exists()


def test_a_file_that_is_not_a_spreadsheet_is_refused(commune):
    result = official_figures_import(commune=commune, source=b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old excel")

    assert ".xls" in result.errors[0].message


@pytest.mark.parametrize(
    ("official", "ours", "flagged"),
    [(100, 105, False), (100, 95, False), (100, 106, True), (100, 94, True), (0, 0, False), (0, 1, True)],
)
def test_the_tolerance_is_a_share_of_the_official_count(official, ours, flagged):
    assert beyond_tolerance(official, ours) is flagged


@override_settings(OFFICIAL_FIGURES_TOLERANCE_PERCENT=0)
def test_the_tolerance_is_a_setting():
    assert beyond_tolerance(100, 101) is True


@pytest.fixture
def applications(commune, village_a):
    """August: 3 applications, 2 online (one level 4); September: 1, in person."""
    for day, channel in (
        (D(2024, 8, 2), "in_person"),
        (D(2024, 8, 9), "online_level3"),
        (D(2024, 8, 30), "online_level4"),
        (D(2024, 9, 3), "in_person"),
    ):
        Application.objects.create(
            commune=commune, village=village_a, field="land", channel=channel, submitted_on=day
        )


def test_the_official_figures_stand_beside_ours_with_the_difference(commune, applications):
    OfficialFigures.objects.create(
        commune=commune, month=D(2024, 8, 1), received_online=2, received_in_person=1
    )
    OfficialFigures.objects.create(
        commune=commune, month=D(2024, 9, 1), received_online=4, received_in_person=6
    )

    july, august, september = official_compared(commune=commune, start=D(2024, 7, 1), end=D(2024, 9, 1))

    assert (july.official, july.difference, july.flagged) == (None, None, False)
    assert (august.ours.received, august.difference, august.online_difference, august.flagged) == (
        3,
        0,
        0,
        False,
    )
    assert (september.ours.received, september.difference, september.online_difference) == (1, -9, -4)
    assert september.flagged


def test_an_official_sees_them_on_their_page_and_downloads_them(client, official, commune, applications):
    OfficialFigures.objects.create(
        commune=commune, month=D(2024, 9, 1), received_online=4, received_in_person=6
    )
    client.force_login(official)

    response = client.get(
        "/reports/official/", {"commune": "01558", "start": "2024-08", "end": "2024-09"}, **EN
    )

    assert response.status_code == 200
    table = response.context["table"]
    columns = [c.key for c in table.columns]
    rows = {row[0]: dict(zip(columns, row, strict=True)) for row in table.rows}
    assert rows["2024-08"]["flag"] == ["no official figures"]
    assert (rows["2024-09"]["received"], rows["2024-09"]["ours"], rows["2024-09"]["difference"]) == (
        10,
        1,
        -9,
    )
    assert rows["2024-09"]["flag"] == ["differs"]
    assert "/reports/official/upload/" in response.content.decode()
    lines = client.get(
        "/reports/official/export/official.csv",
        {"commune": "01558", "start": "2024-09", "end": "2024-09"},
        **EN,
    ).content.decode("utf-8-sig")
    assert lines.splitlines()[1] == "2024-09,4,6,0,10,0,0,0,1,0,-9,-4,differs"


def test_the_dashboard_and_the_monthly_report_show_them(client, official, commune, applications):
    OfficialFigures.objects.create(
        commune=commune, month=D(2024, 9, 1), received_online=4, received_in_person=6
    )
    client.force_login(official)

    dashboard = client.get("/reports/", {"commune": "01558", "start": "2024-08", "end": "2024-09"}, **EN)
    monthly = client.get("/reports/monthly/", {"commune": "01558", "month": "2024-09"}, **EN)

    assert dashboard.context["tables"]["official"].rows[-1][:5] == ["2024-09", 4, 6, 0, 10]
    assert 'id="table-official"' in dashboard.content.decode()
    assert monthly.context["tables"]["official"].rows == [
        ["2024-09", 4, 6, 0, 10, 0, 0, 0, 1, 0, -9, -4, ["differs"]]
    ]
    assert 'id="table-official"' in monthly.content.decode()
    export = client.get(
        "/reports/export/official.csv", {"commune": "01558", "start": "2024-09", "end": "2024-09"}
    )
    assert export.status_code == 200


def test_a_village_view_has_no_official_figures(client, head_a, commune, applications):
    OfficialFigures.objects.create(commune=commune, month=D(2024, 9, 1), received_online=4)
    client.force_login(head_a)

    response = client.get("/reports/", {"commune": "01558", "start": "2024-09", "end": "2024-09"})

    assert response.context["tables"]["official"].rows == []
    assert 'id="table-official"' not in response.content.decode()


def test_an_official_types_in_a_month_and_types_it_again(client, official, commune):
    client.force_login(official)
    data = {
        "month": "2024-09",
        "received_online": "5",
        "received_in_person": "7",
        "received_by_post": "0",
        "full_process_online": "2",
        "resolved_on_time": "11",
        "paid_online": "1",
    }

    first = client.post("/reports/official/month/?commune=01558", data)
    second = client.post("/reports/official/month/?commune=01558", {**data, "received_online": "6"})

    assert first.status_code == second.status_code == 302
    assert stored(commune) == {"2024-09": (6, 7, 0, 2, 11, 1)}
    assert OfficialFigures.objects.get().recorded_by == official
    page = client.get("/reports/official/month/", {"commune": "01558", "month": "2024-09"})
    assert page.context["form"].initial["received_online"] == 6


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"month": "2099-01"}, "month", "The month is in the future."),
        ({"month": "2024-9"}, "month", "Enter a month as YYYY-MM"),
        ({"full_process_online": "9"}, "full_process_online", "More full-process dossiers (9)"),
        ({"paid_online": "-1"}, "paid_online", "greater than or equal to 0"),
        ({"received_online": "abc"}, "received_online", "Enter a whole number"),
    ],
)
def test_a_bad_month_is_refused_beside_the_field_and_nothing_saved(
    client, official, commune, change, field, message
):
    client.force_login(official)
    data = {"month": "2024-09", "received_online": "5", "received_in_person": "7", "received_by_post": "0"}
    data |= {"full_process_online": "2", "resolved_on_time": "11", "paid_online": "1"}

    response = client.post("/reports/official/month/?commune=01558", {**data, **change}, **EN)

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not OfficialFigures.objects.exists()


def test_an_official_uploads_the_systems_report(client, official, commune):
    client.force_login(official)

    response = client.post("/reports/official/upload/?commune=01558", {"file": _upload(GOOD, "bao-cao.xlsx")})

    assert response.status_code == 302
    assert len(stored(commune)) == 3


def test_an_upload_with_bad_rows_lists_them_and_saves_nothing(client, official, commune):
    client.force_login(official)
    bad = xlsx([1, "2024-07", 40, 25, 14, 1, 10, 38, 6], [2, "2024-08", 1, 1, 0, 0, -2, 0, 0])

    response = client.post(
        "/reports/official/upload/?commune=01558", {"file": _upload(bad, "bao-cao.xlsx")}, **EN
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing was saved" in page and "cannot be negative" in page
    assert not OfficialFigures.objects.exists()


def test_an_upload_that_is_not_a_spreadsheet_is_refused_beside_the_field(client, official, commune):
    client.force_login(official)

    response = client.post(
        "/reports/official/upload/?commune=01558", {"file": _upload(b"x", "photo.jpg")}, **EN
    )

    assert "Upload an Excel (.xlsx) or CSV file." in response.context["form"].errors["file"]


@pytest.mark.parametrize("role", ["leader", "head_a", "worker_a"])
def test_only_officials_enter_them(client, request, role, commune):
    client.force_login(request.getfixturevalue(role))

    assert client.get("/reports/official/upload/", {"commune": "01558"}).status_code == 403
    assert client.post("/reports/official/month/?commune=01558", {"month": "2024-09"}).status_code == 403
    assert not OfficialFigures.objects.exists()


def test_the_province_dashboard_shows_each_communes_month(client, commune, applications):
    factories.commune("01537", "Xã Lý Quốc")
    OfficialFigures.objects.create(
        commune=commune, month=D(2024, 9, 1), received_online=0, received_in_person=1
    )
    client.force_login(factories.province_leader(commune.province))

    table = client.get(
        "/reports/province/", {"province": "04", "start": "2024-07", "end": "2024-09"}, **EN
    ).context["tables"]["official"]

    assert [row[:2] + row[-5:] for row in table.rows] == [
        ["01537", "Xã Lý Quốc", 0, 0, None, None, ["no official figures"]],
        ["01558", "Xã Hạ Lang", 1, 0, 0, 0, []],
    ]


def test_the_command_imports_or_refuses_the_file(commune, tmp_path, capsys):
    good, bad = tmp_path / "good.xlsx", tmp_path / "bad.xlsx"
    good.write_bytes(GOOD)
    bad.write_bytes(xlsx([1, "2024-08", 1, 1, 0, 0, -2, 0, 0]))

    call_command("import_official_figures", str(good), "--commune", "01558", "--dry-run")
    assert not OfficialFigures.objects.exists()
    call_command("import_official_figures", str(good), "--commune", "01558")
    assert "3 months added, 0 changed, 0 unchanged." in capsys.readouterr().out
    with pytest.raises(CommandError, match="Nothing was imported: 1 errors"):
        call_command("import_official_figures", str(bad), "--commune", "01558")
    assert "row 4, column G: A number of dossiers cannot be negative." in capsys.readouterr().err
    assert len(stored(commune)) == 3


def _upload(content: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)
