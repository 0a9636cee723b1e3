"""The roster pages: upload, preview, confirm; who may use them; the template download."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories
from villages import roster_views
from villages.models import Household, Resident, Village
from villages.roster import reading
from villages.roster.columns import COLUMNS
from villages.roster.importing import roster_import

HEADERS = ["ma_thon", "ten_thon", "ma_ho", "ho_ten", "nam_sinh", "so_dinh_danh"]
GOOD = [
    ["NK", "Nà Khau", "NK-001", "Nông Thị Hoa", "1985", "004185000123"],
    ["NK", "Nà Khau", "NK-001", "Lương Văn Tú", "1979", ""],
    ["PL", "Pác Ly", "PL-001", "Hoàng Văn Đức", "1960", ""],
]
BAD = GOOD + [
    ["PL", "Pác Ly", "PL-002", "Hoàng Thị Lan", "2099", ""],
    ["PL", "Pác Ly", "PL-002", "Hoàng Văn Nam", "1990", "04118500012"],
]


@pytest.fixture(autouse=True)
def uploads_in_tmp(tmp_path, monkeypatch):
    monkeypatch.setattr(roster_views, "upload_dir", lambda: tmp_path)
    return tmp_path


def roster_file(rows, name="roster.csv") -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode("utf-8-sig"), content_type="text/csv")


def upload(client, commune, rows=GOOD, name="roster.csv"):
    return client.post(reverse("roster:upload"), {"commune": commune.pk, "file": roster_file(rows, name)})


def register_rows() -> tuple:
    return (
        list(Village.objects.order_by("pk").values_list()),
        list(Household.objects.order_by("pk").values_list()),
        list(Resident.objects.order_by("pk").values_list()),
    )


# --- the official's flow ------------------------------------------------------------


def test_official_uploads_sees_the_preview_then_confirms(
    english_client, official, commune, village_a, uploads_in_tmp
):
    english_client.force_login(official)
    page = english_client.get(reverse("roster:upload"))
    assert page.status_code == 200
    assert b'enctype="multipart/form-data"' in page.content

    response = upload(english_client, commune)
    assert response.status_code == 302
    preview_url = response["Location"]
    token = preview_url.rstrip("/").rsplit("/", 1)[1]
    assert (uploads_in_tmp / token).exists()

    preview = english_client.get(preview_url)
    assert preview.status_code == 200
    result = preview.context["result"]
    assert (result.villages.created, result.villages.unchanged) == (1, 1)
    assert (result.households.created, result.residents.created) == (2, 3)
    assert "Hoàng Văn Đức" in preview.content.decode()
    assert reverse("roster:confirm", args=[token]).encode() in preview.content
    assert not Resident.objects.exists()  # a preview saves nothing

    done = english_client.post(reverse("roster:confirm", args=[token]), follow=True)
    assert done.redirect_chain[-1][0] == reverse("roster:upload")
    assert "Residents: 3 created, 0 updated, 0 unchanged" in done.content.decode()
    assert Resident.objects.count() == 3
    assert Village.objects.get(code="PL").name == "Pác Ly"
    assert not (uploads_in_tmp / token).exists()
    # The same upload cannot be imported twice.
    assert english_client.post(reverse("roster:confirm", args=[token])).status_code == 404


def test_preview_lists_every_problem_and_offers_no_import(english_client, official, commune, village_a):
    english_client.force_login(official)
    preview = english_client.get(upload(english_client, commune, BAD)["Location"])

    assert preview.status_code == 200
    errors = preview.context["errors"]
    assert [(error.row, error.column) for error in errors] == [(5, "nam_sinh"), (6, "so_dinh_danh")]
    html = preview.content.decode()
    assert "2 problems: nothing from this file will be saved." in html
    assert "Birth year 2099 is in the future." in html
    assert "Import now" not in html
    token = preview.context["token"]
    before = register_rows()
    refused = english_client.post(reverse("roster:confirm", args=[token]))
    assert refused.status_code == 409
    assert register_rows() == before


def test_confirm_checks_the_file_again(english_client, official, commune, village_a, household_a):
    english_client.force_login(official)
    token = upload(english_client, commune)["Location"].rstrip("/").rsplit("/", 1)[1]
    # Between the preview and the confirmation, someone records Hoa's ID number for another resident.
    factories.resident(household_a, full_name="Nông Văn Khác", birth_year=1950, national_id="004185000123")
    before = register_rows()

    refused = english_client.post(reverse("roster:confirm", args=[token]))

    assert refused.status_code == 409
    assert "belongs to another resident" in refused.content.decode()
    assert register_rows() == before


def test_confirm_is_post_only(english_client, official, commune):
    english_client.force_login(official)
    token = upload(english_client, commune)["Location"].rstrip("/").rsplit("/", 1)[1]
    assert english_client.get(reverse("roster:confirm", args=[token])).status_code == 405
    assert not Resident.objects.exists()


def test_a_wrong_kind_of_file_is_refused_next_to_the_field(english_client, official, commune, uploads_in_tmp):
    english_client.force_login(official)
    response = upload(english_client, commune, name="roster.pdf")
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "Choose a .csv or .xlsx file (in Excel: Save as, CSV UTF-8 or .xlsx)."
    ]
    assert list(uploads_in_tmp.iterdir()) == []


def test_a_file_over_the_cap_is_refused_with_a_clear_message(
    english_client, official, commune, uploads_in_tmp, monkeypatch
):
    monkeypatch.setattr(roster_views, "MAX_UPLOAD_BYTES", 100)
    english_client.force_login(official)
    response = upload(english_client, commune)
    assert response.status_code == 200
    assert "The file is larger than 100" in response.context["form"].errors["file"][0]
    assert list(uploads_in_tmp.iterdir()) == []


def test_no_file_is_refused(english_client, official, commune):
    english_client.force_login(official)
    response = english_client.post(reverse("roster:upload"), {"commune": commune.pk})
    assert response.status_code == 200
    assert "file" in response.context["form"].errors


def test_an_unreadable_file_is_shown_as_a_problem(english_client, official, commune):
    english_client.force_login(official)
    uploaded = SimpleUploadedFile("roster.xlsx", b"PK\x03\x04 not a workbook")
    response = english_client.post(reverse("roster:upload"), {"commune": commune.pk, "file": uploaded})
    preview = english_client.get(response["Location"])
    assert "cannot be read as an Excel workbook" in preview.content.decode()
    assert "Import now" not in preview.content.decode()


def test_the_preview_reads_the_file_once_however_often_it_is_opened(
    english_client, official, commune, village_a, monkeypatch
):
    reads = []

    def counted_roster_table(source):
        reads.append(source)
        return real_roster_table(source)

    real_roster_table = reading.roster_table
    monkeypatch.setattr(reading, "roster_table", counted_roster_table)
    english_client.force_login(official)
    url = upload(english_client, commune, BAD)["Location"]

    first, again = english_client.get(url), english_client.get(url)

    assert len(reads) == 1
    for page in (first, again):
        assert page.status_code == 200
        assert [(error.row, error.column) for error in page.context["errors"]] == [
            (5, "nam_sinh"),
            (6, "so_dinh_danh"),
        ]
        assert "2 problems: nothing from this file will be saved." in page.content.decode()


def test_a_preview_of_many_problems_keeps_the_count_of_all(english_client, official, commune, monkeypatch):
    monkeypatch.setattr(roster_views, "ERRORS_SHOWN", 2)
    english_client.force_login(official)
    rows = [["NK", "Nà Khau", f"NK-{n:03d}", f"Nông Văn {n}", "2099", ""] for n in range(5)]
    url = upload(english_client, commune, rows)["Location"]
    english_client.get(url)

    again = english_client.get(url)

    assert len(again.context["errors"]) == 2
    html = again.content.decode()
    assert "5 problems: nothing from this file will be saved." in html
    assert "and 3 more problems." in html


def test_after_a_refused_confirmation_the_preview_shows_that_newer_check(
    english_client, official, commune, village_a, household_a
):
    english_client.force_login(official)
    url = upload(english_client, commune)["Location"]
    assert "Import now" in english_client.get(url).content.decode()
    factories.resident(household_a, full_name="Nông Văn Khác", birth_year=1950, national_id="004185000123")
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert english_client.post(reverse("roster:confirm", args=[token])).status_code == 409

    preview = english_client.get(url)

    assert "belongs to another resident" in preview.content.decode()
    assert "Import now" not in preview.content.decode()


def test_a_confirmed_import_leaves_neither_the_file_nor_its_preview(
    english_client, official, commune, uploads_in_tmp
):
    english_client.force_login(official)
    url = upload(english_client, commune)["Location"]
    english_client.get(url)
    assert len(list(uploads_in_tmp.iterdir())) == 2  # the file and its preview
    token = url.rstrip("/").rsplit("/", 1)[1]

    english_client.post(reverse("roster:confirm", args=[token]))

    assert list(uploads_in_tmp.iterdir()) == []


def test_a_sheet_declared_huge_is_shown_as_one_problem(english_client, official, commune, uploads_in_tmp):
    from tests.test_roster_limits import declared_huge_xlsx

    english_client.force_login(official)
    uploaded = SimpleUploadedFile("roster.xlsx", declared_huge_xlsx(HEADERS))
    url = english_client.post(reverse("roster:upload"), {"commune": commune.pk, "file": uploaded})["Location"]

    preview = english_client.get(url)

    assert [str(error) for error in preview.context["errors"]] == [
        "row 1048576, column -: The file has more than 200000 rows; split it (by village, for example) and "
        "import the parts one by one."
    ]
    assert "Import now" not in preview.content.decode()
    token = preview.context["token"]
    assert english_client.post(reverse("roster:confirm", args=[token])).status_code == 409
    assert not Resident.objects.exists()


# --- who may use the pages ----------------------------------------------------------


@pytest.mark.parametrize("role", ["leader", "head_a", "worker_a"])
def test_other_roles_may_not_import(english_client, request, commune, role):
    english_client.force_login(request.getfixturevalue(role))
    assert english_client.get(reverse("roster:upload")).status_code == 403
    assert upload(english_client, commune).status_code == 403
    assert not Resident.objects.exists()


def test_an_official_of_another_commune_cannot_import_into_this_one(
    english_client, outsider, commune, other_commune
):
    english_client.force_login(outsider)
    response = upload(english_client, commune)
    assert response.status_code == 200
    assert "commune" in response.context["form"].errors
    assert not Resident.objects.filter(commune=commune).exists()


def test_an_upload_belongs_to_the_session_that_made_it(english_client, official, commune):
    english_client.force_login(official)
    token = upload(english_client, commune)["Location"].rstrip("/").rsplit("/", 1)[1]
    other = Client()
    other.force_login(factories.role_user("official", commune))
    assert other.get(reverse("roster:preview", args=[token])).status_code == 404
    assert other.post(reverse("roster:confirm", args=[token])).status_code == 404
    assert not Resident.objects.exists()


def test_a_demoted_official_can_no_longer_confirm(english_client, official, commune):
    english_client.force_login(official)
    token = upload(english_client, commune)["Location"].rstrip("/").rsplit("/", 1)[1]
    official.roles.update(kind="leader")
    assert english_client.post(reverse("roster:confirm", args=[token])).status_code == 403
    assert not Resident.objects.exists()


def test_exports_page_is_open_to_every_role(english_client, head_a):
    english_client.force_login(head_a)
    page = english_client.get(reverse("roster:exports"))
    assert page.status_code == 200
    assert reverse("roster:export", args=["residents", "xlsx"]).encode() in page.content
    assert f'href="{reverse("roster:upload")}"'.encode() not in page.content


# --- the template -------------------------------------------------------------------


def test_template_has_the_vietnamese_headers_and_an_example_that_imports(english_client, official, commune):
    from openpyxl import load_workbook

    english_client.force_login(official)
    response = english_client.get(reverse("roster:template"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(response.content))
    lines = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert list(lines[0]) == [column.vietnamese for column in COLUMNS]
    assert len(lines) == 2
    assert workbook.worksheets[1].title == "huong_dan"

    result = roster_import(commune=commune, source=response.content)
    assert result.errors == []
    assert Resident.objects.get().full_name == "Nông Thị Hoa"


# --- queries ------------------------------------------------------------------------


def test_preview_queries_do_not_grow_with_rows(english_client, official, commune, village_a):
    english_client.force_login(official)

    def preview_queries(rows) -> int:
        url = upload(english_client, commune, rows)["Location"]
        with CaptureQueriesContext(connection) as queries:
            assert english_client.get(url).status_code == 200
        return len(queries)

    few = preview_queries(GOOD)
    # With ID numbers, as GOOD has: the province's other communes are asked for them (one query).
    many = [["NK", "Nà Khau", f"NK-{n:03d}", f"Nông Văn {n}", "1980", f"0041800{n:05d}"] for n in range(30)]
    assert preview_queries(many) == few


def test_the_upload_still_needs_the_csrf_token(official, commune):
    # The view is csrf_exempt only so that the size cap is installed before the body is read.
    client = Client(enforce_csrf_checks=True)
    client.force_login(official)
    response = client.post(reverse("roster:upload"), {"commune": commune.pk, "file": roster_file(GOOD)})
    assert response.status_code == 403
    assert not Resident.objects.exists()


# --- the distance column and the audit trail ----------------------------------------


def distance_file(distances) -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*HEADERS, "khoang_cach_km"])
    writer.writerows(row + [distance] for row, distance in zip(GOOD, distances, strict=True))
    return SimpleUploadedFile("roster.csv", out.getvalue().encode("utf-8-sig"), content_type="text/csv")


def test_the_upload_page_explains_the_distance_column(english_client, official, commune):
    english_client.force_login(official)
    html = english_client.get(reverse("roster:upload")).content.decode()
    assert "<code>khoang_cach_km</code>" in html
    assert "in km with at most one decimal (7,5 or 7.5)" in html


def test_a_confirmed_import_is_in_the_audit_trail_in_the_officials_name(english_client, official, commune):
    english_client.force_login(official)
    response = english_client.post(
        reverse("roster:upload"), {"commune": commune.pk, "file": distance_file(["7,5", "", "12"])}
    )
    token = response["Location"].rstrip("/").rsplit("/", 1)[1]
    assert english_client.post(reverse("roster:confirm", args=[token])).status_code == 302

    assert dict(Household.objects.values_list("code", "distance_km")) == {
        "NK-001": Decimal("7.5"),
        "PL-001": Decimal("12.0"),
    }
    assert sorted(
        Household.history.values_list("code", "history_type", "history_user", "history_change_reason")
    ) == [
        ("NK-001", "+", official.pk, "roster import"),
        ("PL-001", "+", official.pk, "roster import"),
    ]
    assert sorted(Resident.history.values_list("full_name", "history_type", "history_user")) == [
        ("Hoàng Văn Đức", "+", official.pk),
        ("Lương Văn Tú", "+", official.pk),
        ("Nông Thị Hoa", "+", official.pk),
    ]


def test_a_bad_distance_is_shown_in_the_preview_and_refused_at_confirmation(
    english_client, official, commune
):
    english_client.force_login(official)
    response = english_client.post(
        reverse("roster:upload"), {"commune": commune.pk, "file": distance_file(["7,5", "8", "-1"])}
    )
    preview = english_client.get(response["Location"])
    assert [(error.row, error.column) for error in preview.context["errors"]] == [
        (3, "khoang_cach_km"),
        (4, "khoang_cach_km"),
    ]
    html = preview.content.decode()
    assert "Household NK-001 is 7.5 km away on row 2, 8.0 km here." in html
    assert "A distance cannot be negative." in html
    refused = english_client.post(reverse("roster:confirm", args=[preview.context["token"]]))
    assert refused.status_code == 409
    assert not Household.objects.exists()
    assert not Household.history.exists() and not Resident.history.exists()


def test_the_template_example_has_a_distance_that_imports(english_client, official, commune):
    from openpyxl import load_workbook

    english_client.force_login(official)
    content = english_client.get(reverse("roster:template")).content
    header, example = list(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True))
    assert dict(zip(header, example, strict=True))["khoang_cach_km"] == 7.5
    assert roster_import(commune=commune, source=content).saved
    assert Household.objects.get().distance_km == Decimal("7.5")
