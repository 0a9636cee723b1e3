"""The signed monthly report (báo cáo định kỳ, reports.signed): an official prepares a closed
month's figures, a leader signs them, the province reads them; signed reports never change,
a revision replaces one in the province's view, and the province sees when the live figures
of a signed month have changed since."""

import calendar
import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.models import MonthReport, SignedReportImmutable
from reports.periods import is_complete, last_complete_month
from reports.services import monthly_report_prepare, monthly_report_sign
from reports.signed import place_of
from softbridge.calendar import add_months, commune_today, month_end, month_label
from tests import factories
from villages.models import Role

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
PAGE = "/reports/signed/"
PREPARE = "/reports/signed/prepare/"
SIGN = "/reports/signed/sign/"
PROVINCE = "/reports/province/"
API = "/api/reports/signed/"


@pytest.fixture
def month():
    return last_complete_month()


@pytest.fixture
def ha_lang(commune, village_a, village_b, month):
    """In `month`: 8 eligible residents (7 in village A), 2 with e-ID, 1 online, 1 at level 3/4;
    one home visit in village A."""
    ha, hb = factories.household(village_a, code="NK-001"), factories.household(village_b, code="BT-001")
    day = month.replace(day=10)
    first = factories.resident(ha, full_name="Nông Thị Hoa", birth_year=1980, eid_on=day)
    factories.resident(
        ha, full_name="Lương Văn Tú", birth_year=1990, eid_on=day, online_on=day, level34_on=day
    )
    factories.resident(hb, full_name="Đàm Văn Sáng", birth_year=1970)
    for _ in range(5):
        factories.resident(ha, birth_year=1975)
    factories.visit(ha, visited_on=day, helped=[first])
    return commune


@pytest.fixture
def province_leader(commune):
    return factories.province_leader(commune.province, username="province_leader")


def prepare(client, user, month, commune_code="01558", key=None):
    client.force_login(user)
    return client.post(
        f"{PREPARE}?commune={commune_code}",
        {"month": month_label(month), "submission_key": str(key or uuid.uuid4())},
        **EN,
    )


def sign(client, user, month, commune_code="01558", key=None, confirm=True):
    client.force_login(user)
    data = {
        "month": month_label(month),
        "title": "Chủ tịch UBND xã",
        "submission_key": str(key or uuid.uuid4()),
    }
    if confirm:
        data["confirm"] = "on"
    return client.post(f"{SIGN}?commune={commune_code}&month={month_label(month)}", data, **EN)


def signed_report(ha_lang, official, leader, month) -> MonthReport:
    report = monthly_report_prepare(commune=ha_lang, month=month, by=official)
    return monthly_report_sign(report=report, by=leader, title="Chủ tịch UBND xã")


# --- Preparing and signing -------------------------------------------------------------------


def test_official_prepares_and_leader_signs_through_the_pages(client, ha_lang, official, leader, month):
    answer = prepare(client, official, month)
    assert answer.status_code == 302
    report = MonthReport.objects.get()
    assert (report.revision, report.is_signed) == (1, False)
    # The figures frozen with what they were computed from: counted by hand in ha_lang.
    counts = report.figures["counts"]
    assert (counts["eligible"], counts["eid"], counts["online"], counts["level34"]) == (8, 2, 1, 1)
    assert (counts["visits"], counts["residents_helped"]) == (1, 1)
    assert report.figures["shares"]["level34_share"] == {"numerator": 1, "denominator": 8, "share": 0.125}
    assert report.figures["month"] == month_label(month)
    assert {v["code"]: v["eligible"] for v in report.figures["villages"]} == {"NK": 7, "BT": 1}

    confirm_page = client.get(f"{SIGN}?commune=01558&month={month_label(month)}", **EN)
    assert confirm_page.status_code == 403  # the official prepares and does not sign
    client.force_login(leader)
    confirm_page = client.get(f"{SIGN}?commune=01558&month={month_label(month)}", **EN)
    assert confirm_page.status_code == 200
    assert b'name="confirm"' in confirm_page.content

    # Without the confirmation ticked, nothing is signed.
    assert sign(client, leader, month, confirm=False).status_code == 200
    assert not MonthReport.objects.get().is_signed

    answer = sign(client, leader, month)
    assert answer.status_code == 302
    report.refresh_from_db()
    assert report.is_signed
    assert (report.signed_by, report.signer_title, report.number) == (leader, "Chủ tịch UBND xã", 1)


def test_a_month_not_over_yet_cannot_be_prepared(ha_lang, official):
    this_month = commune_today().replace(day=1)
    assert not is_complete(this_month)
    with pytest.raises(ValidationError) as refused:
        monthly_report_prepare(commune=ha_lang, month=this_month, by=official)
    assert "month" in refused.value.message_dict
    assert not MonthReport.objects.exists()


def test_a_month_is_complete_from_the_next_day_in_the_commune(month):
    assert not is_complete(month, today=month_end(month))
    assert is_complete(month, today=month_end(month) + datetime.timedelta(days=1))


def test_the_page_refuses_a_month_not_over_yet_naming_the_field(client, ha_lang, official):
    answer = prepare(client, official, commune_today().replace(day=1))
    assert answer.status_code == 200
    assert b"is not over yet" in answer.content
    assert not MonthReport.objects.exists()


def test_refusals_by_role(client, ha_lang, official, leader, worker_a, head_a, province_leader, month):
    with pytest.raises(PermissionDenied):
        monthly_report_prepare(commune=ha_lang, month=month, by=worker_a)
    with pytest.raises(PermissionDenied):
        monthly_report_prepare(commune=ha_lang, month=month, by=leader)
    report = monthly_report_prepare(commune=ha_lang, month=month, by=official)
    for who in (official, province_leader, worker_a):
        with pytest.raises(PermissionDenied):
            monthly_report_sign(report=report, by=who, title="Chủ tịch")
    assert prepare(client, worker_a, month).status_code == 403
    assert prepare(client, head_a, month).status_code == 403
    assert sign(client, official, month).status_code == 403
    assert sign(client, province_leader, month).status_code == 403
    assert not MonthReport.objects.filter(signed_at__isnull=False).exists()


def test_another_commune_answers_404(client, ha_lang, outsider, other_commune, official, leader, month):
    signed_report(ha_lang, official, leader, month)
    for url in (f"{PAGE}?commune=01558&month={month_label(month)}", f"{SIGN}?commune=01558"):
        client.force_login(outsider)
        assert client.get(url, **EN).status_code == 404
    assert prepare(client, outsider, month).status_code == 404
    assert MonthReport.objects.count() == 1


def test_a_double_tap_signs_once(client, ha_lang, official, leader, month):
    monthly_report_prepare(commune=ha_lang, month=month, by=official)
    key = uuid.uuid4()
    first = sign(client, leader, month, key=key)
    second = sign(client, leader, month, key=key)
    assert (first.status_code, second.status_code) == (302, 302)
    assert second["Location"] == first["Location"]
    report = MonthReport.objects.get()
    assert report.number == 1
    # A second sign with a new key finds nothing waiting: still one signed report.
    assert sign(client, leader, month).status_code == 302
    assert list(MonthReport.objects.values_list("revision", "number")) == [(1, 1)]


def test_a_double_tap_prepares_once(client, ha_lang, official, month):
    key = uuid.uuid4()
    prepare(client, official, month, key=key)
    prepare(client, official, month, key=key)
    assert MonthReport.objects.count() == 1


def test_a_signed_report_cannot_be_signed_again(ha_lang, official, leader, month):
    report = signed_report(ha_lang, official, leader, month)
    with pytest.raises(ValidationError):
        monthly_report_sign(report=report, by=leader, title="Chủ tịch")


# --- Immutability ------------------------------------------------------------------------


def test_a_signed_report_never_changes(ha_lang, official, leader, month):
    report = signed_report(ha_lang, official, leader, month)
    report.figures = {"counts": {}}
    with pytest.raises(SignedReportImmutable):
        report.save()
    with pytest.raises(SignedReportImmutable):
        MonthReport.objects.filter(pk=report.pk).update(signer_title="Phó Chủ tịch")
    with pytest.raises(SignedReportImmutable):
        MonthReport.objects.get(pk=report.pk).delete()
    with pytest.raises(SignedReportImmutable):
        MonthReport.objects.all().delete()
    stored = MonthReport.objects.get(pk=report.pk)
    assert (stored.signer_title, stored.figures["counts"]["eligible"]) == ("Chủ tịch UBND xã", 8)


def test_a_draft_may_be_prepared_again(ha_lang, official, month, village_a):
    first = monthly_report_prepare(commune=ha_lang, month=month, by=official)
    factories.visit(factories.household(village_a), visited_on=month.replace(day=20))
    again = monthly_report_prepare(commune=ha_lang, month=month, by=official)
    assert (again.pk, again.revision, again.figures["counts"]["visits"]) == (first.pk, 1, 2)


# --- What the province sees -----------------------------------------------------------------


def test_a_signed_month_stays_the_same_after_a_late_visit_and_the_province_sees_the_difference(
    client, ha_lang, official, leader, province_leader, village_a, month
):
    report = signed_report(ha_lang, official, leader, month)
    client.force_login(province_leader)
    before = client.get(f"{PROVINCE}?province=04", **EN).content.decode()
    assert "not signed" not in before
    assert "no change" in before

    # A visit of the signed month recorded late, and a resident's e-ID entered late.
    factories.visit(factories.household(village_a), visited_on=month.replace(day=25))
    factories.resident(factories.household(village_a), birth_year=1985, eid_on=month.replace(day=3))

    report.refresh_from_db()
    assert report.figures["counts"]["visits"] == 1
    assert report.figures["counts"]["eid"] == 2
    page = client.get(f"{PAGE}?commune=01558&month={month_label(month)}", **EN).content.decode()
    assert "Home visits" in page
    answer = client.get(f"{PROVINCE}?province=04", **EN)
    assert answer.status_code == 200
    text = answer.content.decode()
    assert "changed" in text
    assert "Home visits: 1 signed, 2 now (+1)" in text
    assert "With e-ID: 2 signed, 3 now (+1)" in text
    assert "Eligible residents: 8 signed, 9 now (+1)" in text
    # The API still gives the signed figures.
    data = factories.api_client(province_leader).get(API, {"province": "04"}).json()
    assert data["results"][0]["counts"]["visits"] == 1


def test_the_province_sees_which_communes_have_not_signed(client, ha_lang, province_leader, month):
    other = factories.commune("01537", "Xã Lý Quốc")
    factories.village(other, code="LQ")
    client.force_login(province_leader)
    text = client.get(f"{PROVINCE}?province=04", **EN).content.decode()
    assert text.count("not signed") == 2
    assert 'data-commune="01537" class="not-signed"' in text


def test_a_revision_replaces_the_signed_report_and_both_stay_in_the_history(
    client, ha_lang, official, leader, province_leader, village_a, month
):
    first = signed_report(ha_lang, official, leader, month)
    factories.visit(factories.household(village_a), visited_on=month.replace(day=25))
    prepare(client, official, month)
    sign(client, leader, month)

    reports = list(MonthReport.objects.order_by("revision"))
    assert [(r.revision, r.number, r.figures["counts"]["visits"]) for r in reports] == [(1, 1, 1), (2, 2, 2)]
    assert reports[0].pk == first.pk and reports[0].is_signed

    client.force_login(province_leader)
    text = client.get(f"{PROVINCE}?province=04", **EN).content.decode()
    assert "No. 2, revision 2" in text
    assert "no change" in text
    history = client.get(f"{PAGE}?commune=01558&month={month_label(month)}", **EN).content.decode()
    assert "2/BC-UBND" in history and "1/BC-UBND" in history
    old = client.get(f"{PAGE}?commune=01558&month={month_label(month)}&revision=1", **EN).content.decode()
    assert "Revision 2" not in old
    data = (
        factories.api_client(province_leader).get(API, {"province": "04", "month": month_label(month)}).json()
    )
    assert [(r["revision"], r["current"]) for r in data["results"]] == [(2, True), (1, False)]


def test_the_province_leader_reads_no_draft(client, ha_lang, official, province_leader, month):
    monthly_report_prepare(commune=ha_lang, month=month, by=official)
    client.force_login(province_leader)
    page = client.get(f"{PAGE}?commune=01558&month={month_label(month)}", **EN)
    assert page.status_code == 200
    assert b"DRAFT" not in page.content
    assert b"No report of this month has been signed yet." in page.content
    assert factories.api_client(province_leader).get(API, {"province": "04"}).json()["count"] == 0


def test_a_small_village_is_withheld_from_the_province(
    client, ha_lang, official, leader, province_leader, month
):
    signed_report(ha_lang, official, leader, month)
    client.force_login(province_leader)
    page = client.get(f"{PAGE}?commune=01558&month={month_label(month)}", **EN).content.decode()
    assert "fewer than 5 eligible residents, hidden to protect them" in page
    villages = (
        factories.api_client(province_leader).get(API, {"province": "04"}).json()["results"][0]["villages"]
    )
    assert {v["code"]: (v["eligible"], v["suppressed"]) for v in villages} == {
        "BT": (None, True),
        "NK": (None, True),
    }
    mine = factories.api_client(leader).get(API, {"commune": "01558"}).json()["results"][0]["villages"]
    assert {v["code"]: v["eligible"] for v in mine} == {"BT": 1, "NK": 7}


# --- The printed document -------------------------------------------------------------------


def test_the_document_has_the_administrative_layout(client, ha_lang, official, leader, month):
    report = signed_report(ha_lang, official, leader, month)
    client.force_login(leader)
    page = client.get(f"{PAGE}?commune=01558&month={month_label(month)}", HTTP_ACCEPT_LANGUAGE="vi")
    text = page.content.decode()
    signed_on = report.signed_at.astimezone(datetime.timezone(datetime.timedelta(hours=7))).date()
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "UBND XÃ HẠ LANG" in text
    assert "Số: 1/BC-UBND" in text
    assert f"Hạ Lang, ngày {signed_on:%d} tháng {signed_on:%m} năm {signed_on:%Y}" in text
    assert "CHỦ TỊCH UBND XÃ" in text
    assert report.signed_by_name in text
    assert "css/signed.css" in text
    last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    assert f"tính đến hết ngày {last:%d-%m-%Y};" in text  # a date as the page writes it, not ISO
    assert last.isoformat() not in text


def test_the_place_is_the_commune_without_its_kind(db):
    assert place_of(factories.commune("01558", "Xã Hạ Lang")) == "Hạ Lang"
    assert place_of(factories.commune("00001", "Phường Sông Hiến")) == "Sông Hiến"


# --- The API ---------------------------------------------------------------------------------


def test_api_scoping(ha_lang, official, leader, outsider, worker_a, province_leader, other_commune, month):
    signed_report(ha_lang, official, leader, month)
    for who in (province_leader, leader, official):
        found = factories.api_client(who).get(API, {"province": "04", "month": month_label(month)})
        assert found.status_code == 200
        assert [r["commune"] for r in found.json()["results"]] == ["01558"]
    # The outsider's commune is in the same province: they get their own commune's reports only.
    assert factories.api_client(outsider).get(API, {"province": "04"}).json()["count"] == 0
    assert factories.api_client(outsider).get(API, {"commune": "01558"}).status_code == 404
    assert factories.api_client(outsider).get(API).json()["count"] == 0
    assert factories.api_client(worker_a).get(API, {"commune": "01558"}).status_code == 403
    assert factories.api_client().get(API).status_code == 401
    other_province = factories.province("06", "Tỉnh Bắc Kạn")
    assert (
        factories.api_client(province_leader).get(API, {"province": other_province.code}).status_code == 404
    )


def test_api_bad_parameters_name_the_parameter(leader):
    answer = factories.api_client(leader).get(API, {"month": "2024-13", "province": "99"})
    assert answer.status_code == 400
    assert set(answer.json()) >= {"month", "province"}


def test_api_pages_its_reports(ha_lang, official, leader, month):
    for i in range(3):
        earlier = add_months(month, -i)
        monthly_report_sign(
            report=monthly_report_prepare(commune=ha_lang, month=earlier, by=official),
            by=leader,
            title="Chủ tịch",
        )
    first = factories.api_client(leader).get(API, {"page_size": 2}).json()
    assert (first["count"], len(first["results"]), first["next"] is not None) == (3, 2, True)
    assert [r["month"] for r in first["results"]] == [month_label(month), month_label(add_months(month, -1))]


def test_a_superuser_prepares_but_is_no_commune_leadership(ha_lang, superuser, month):
    report = monthly_report_prepare(commune=ha_lang, month=month, by=superuser)
    with pytest.raises(PermissionDenied):
        monthly_report_sign(report=report, by=superuser, title="Chủ tịch")
    assert Role.objects.filter(user=superuser).count() == 0


def test_a_small_communes_signed_figures_are_withheld_from_the_province(
    client, commune, village_a, official, leader, province_leader, month
):
    household = factories.household(village_a)
    for _ in range(3):
        factories.resident(household, birth_year=1980, eid_on=month.replace(day=2))
    report = monthly_report_prepare(commune=commune, month=month, by=official)
    monthly_report_sign(report=report, by=leader, title="Chủ tịch UBND xã")
    factories.resident(household, birth_year=1981, eid_on=month.replace(day=3))  # a late record

    client.force_login(province_leader)
    text = client.get(f"{PROVINCE}?province=04", **EN).content.decode()
    assert "&lt; 5" in text
    assert "With e-ID: 3 signed" not in text
    page = client.get(f"{PAGE}?commune=01558&month={month_label(month)}", **EN).content.decode()
    assert "&lt; 5" in page and "100.00" not in page
    found = factories.api_client(province_leader).get(API, {"province": "04"}).json()["results"][0]
    assert (found["suppressed"], found["counts"]["eid"], found["shares"]["eid_share"]["share"]) == (
        True,
        None,
        None,
    )
    assert found["counts"]["visits"] == 0  # the program's work is no resident's ladder
    mine = factories.api_client(leader).get(API, {"commune": "01558"}).json()["results"][0]
    assert (mine["suppressed"], mine["counts"]["eid"]) == (False, 3)
    client.force_login(leader)
    assert (
        "With e-ID: 3 signed, 4 now (+1)"
        in client.get(f"{PAGE}?commune=01558&month={month_label(month)}", **EN).content.decode()
    )


def test_a_month_typed_wrong_is_refused_naming_the_field(client, ha_lang, official, leader, month):
    client.force_login(official)
    answer = client.post(
        PREPARE, {"commune": "01558", "month": "2024-13", "submission_key": str(uuid.uuid4())}, **EN
    )
    assert answer.status_code == 200
    assert b"Enter a month as YYYY-MM" in answer.content
    assert not MonthReport.objects.exists()
    page = client.get(PAGE, {"commune": "01558", "month": "abc"}, **EN)
    assert page.status_code == 400
    assert page.content.startswith(b"month:")


def test_the_api_list_costs_the_same_queries_for_more_reports(
    ha_lang, official, leader, province_leader, month
):
    def sign_month(day):
        report = monthly_report_prepare(commune=ha_lang, month=day, by=official)
        monthly_report_sign(report=report, by=leader, title="Chủ tịch")

    def queries(user, **params) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert factories.api_client(user).get(API, params).status_code == 200
        return len(captured)

    sign_month(month)
    one = queries(leader), queries(province_leader, month=month_label(month))
    for i in (1, 2):
        sign_month(add_months(month, -i))
    # A revision of the same month too: more rows for the province leader's month.
    sign_month(month)
    assert (queries(leader), queries(province_leader, month=month_label(month))) == one
