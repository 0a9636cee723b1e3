"""The dashboard, the exports, the monthly report and the targets page: who sees what, and
that every number shown is the selectors' number and the export's number."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from mobilization.models import HomeVisit, VisitHelp
from reports.models import Target
from reports.selectors.adoption import adoption_series
from tests import factories

D = datetime.date
PERIOD = {"start": "2024-07", "end": "2024-09"}


@pytest.fixture(autouse=True)
def english(client):
    """Pages and the labels the tests compare them with, both in English."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def people(village_a, village_b):
    """Village A: three adults, e-ID shares that grow; village B: two adults, one e-ID."""
    ha, hb = factories.household(village_a, code="NK-9"), factories.household(village_b, code="BT-9")
    a = [
        factories.resident(ha, birth_year=1980, eid_on=D(2024, 7, 5), online_on=D(2024, 8, 1)),
        factories.resident(ha, birth_year=1990, eid_on=D(2024, 8, 31), level34_on=None),
        factories.resident(ha, birth_year=2000, online_on=D(2024, 9, 1), level34_on=D(2024, 9, 2)),
    ]
    b = [
        factories.resident(hb, birth_year=1970, eid_on=D(2024, 6, 1)),
        factories.resident(hb, birth_year=1975),
    ]
    worker = factories.worker(village_a.commune)
    group = factories.worker_group(village_a.commune, name="Đoàn Thanh niên xã")
    group.memberships.create(worker=worker)
    visit = HomeVisit.objects.create(
        commune=village_a.commune, household=ha, visited_on=D(2024, 8, 20), follow_up_on=D(2024, 8, 25)
    )
    visit.workers.add(worker)
    VisitHelp.objects.create(visit=visit, resident=a[2])
    return a, b


def dashboard(client, user, **params):
    client.force_login(user)
    return client.get(reverse("reports:dashboard"), {**PERIOD, **params})


def table(response, key):
    return response.context["tables"][key]


# --- Dashboard ----------------------------------------------------------------------------


def test_official_sees_the_commune_dashboard(client, official, commune, people):
    response = dashboard(client, official)
    assert response.status_code == 200
    series = adoption_series(commune=commune, start=D(2024, 7, 1), end=D(2024, 9, 1))
    assert response.context["latest"] == series[-1]
    adoption = table(response, "adoption")
    columns = [adoption.column_values(k) for k in ("month", "eligible", "eid")]
    rows = [list(row) for row in zip(*columns, strict=True)]
    assert rows == [["2024-07", 5, 2], ["2024-08", 5, 3], ["2024-09", 5, 3]]
    # The headline first: the level 3/4 count and share right after the eligible residents.
    assert [c.key for c in adoption.columns][2:4] == ["level34", "level34_share"]
    headline = {h["indicator"]: h for h in response.context["headline"]}
    assert headline["eid_share"]["share"] == 0.6
    assert headline["eid_share"]["change"] == 0.0
    assert headline["online_share"]["change"] == 20.0  # 1/5 -> 2/5
    html = response.content.decode()
    assert "60.00" in html and "vendor/chartjs/chart.umd.min.js" in html and 'id="report-charts"' in html
    assert '<script src="http' not in html and '<link rel="stylesheet" href="http' not in html


def test_leader_sees_the_commune_dashboard(client, leader, people):
    response = dashboard(client, leader)
    assert response.status_code == 200
    assert [row[1] for row in table(response, "villages").rows] == ["NK", "BT"]  # by level 3/4 share
    assert not response.context["may_set_targets"]


def test_user_without_a_role_is_refused(client, commune):
    client.force_login(factories.user())
    response = client.get(reverse("reports:dashboard"))
    assert response.status_code == 403
    assert commune.name not in response.content.decode()


def test_village_head_sees_only_their_village(client, head_a, commune, village_a, people):
    response = dashboard(client, head_a)
    assert response.status_code == 200
    assert [row[1] for row in table(response, "villages").rows] == ["NK"]
    series = adoption_series(commune=commune, start=D(2024, 7, 1), end=D(2024, 9, 1), village=village_a)
    assert [row[1] for row in table(response, "adoption").rows] == [f.eligible for f in series] == [3, 3, 3]
    html = response.content.decode()
    assert "Bản Thang" not in html


def test_village_head_picks_their_village(client, head_a, people):
    response = dashboard(client, head_a, village="NK")
    assert response.status_code == 200
    assert response.context["area"].village.code == "NK"


def test_worker_sees_their_village(client, worker_a, people):
    response = dashboard(client, worker_a)
    assert response.status_code == 200
    assert [row[1] for row in table(response, "villages").rows] == ["NK"]


def test_official_filters_one_village(client, official, village_b, people):
    response = dashboard(client, official, village="BT")
    adoption = table(response, "adoption")
    assert [
        list(pair)
        for pair in zip(adoption.column_values("eligible"), adoption.column_values("eid"), strict=True)
    ] == [
        [2, 1],
        [2, 1],
        [2, 1],
    ]


@pytest.mark.parametrize(
    "params,field",
    [
        ({"start": "2024-13"}, "start"),
        ({"end": "abc"}, "end"),
        ({"start": "2024-09", "end": "2024-01"}, "end"),
        ({"start": "2000-01", "end": "2024-09"}, "start"),
    ],
)
def test_a_bad_period_is_shown_next_to_the_field_and_the_default_used(
    client, official, people, params, field
):
    response = dashboard(client, official, **params)
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert len(table(response, "adoption").rows) == 12
    html = response.content.decode()
    assert 'role="alert"' in html
    for value in params.values():
        assert f'value="{value}"' in html


def test_an_unknown_village_is_404(client, official, people):
    assert dashboard(client, official, village="ZZ").status_code == 404


def test_worker_group_table_shows_the_help(client, official, people):
    rows = table(dashboard(client, official), "groups").rows
    # No target for the group: no plan (None) and no behind-plan flag ([]).
    assert rows == [["Đoàn Thanh niên xã", "Youth Union", 1, 1, 1.0, None, [], 0]]


def test_activity_table_counts_the_visit_and_the_overdue_follow_up(client, official, people):
    rows = table(dashboard(client, official), "activity").rows
    # month, visits, households, residents helped, sessions, attendance, communications, reach, overdue
    assert rows[1] == ["2024-08", 1, 1, 1, 0, 0, 0, 0, 1]
    assert rows[0][1:] == [0] * 8


def test_dashboard_and_follow_ups_page_count_the_same_overdue_follow_ups(
    client, official, village_a, commune
):
    """A second visit the same day closes the first one's follow-up on both surfaces: the
    household's latest visit says what is left to do (its own follow-up, here none)."""
    today = timezone.localdate()
    worker = factories.worker(commune)
    closed, still_open = (
        factories.household(village_a, code="H-closed"),
        factories.household(village_a, code="H-open"),
    )
    visited = today - datetime.timedelta(days=9)
    due = today - datetime.timedelta(days=2)
    factories.visit(closed, visited_on=visited, workers=[worker], follow_up_on=due)
    factories.visit(closed, visited_on=visited, workers=[worker])
    factories.visit(still_open, visited_on=visited, workers=[worker], follow_up_on=due)
    factories.visit(still_open, visited_on=visited, workers=[worker], follow_up_on=due)
    client.force_login(official)
    page = client.get(reverse("visits:follow_ups")).context["page"].object_list
    on_page = [v.household.code for v in page if v.follow_up_on < today]
    month = today.strftime("%Y-%m")
    [row] = table(dashboard(client, official, start=month, end=month), "activity").rows
    assert on_page == ["H-open"]
    assert row[-1] == len(on_page)


def dashboard_queries(client, user, **params) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as context:
        assert client.get(reverse("reports:dashboard"), params).status_code == 200
    return len(context.captured_queries)


def test_dashboard_query_count_does_not_grow_with_months_or_villages(client, official, commune, people):
    three = dashboard_queries(client, official, start="2024-07", end="2024-09")
    many = dashboard_queries(client, official, start="2022-10", end="2024-09")
    for _ in range(4):
        village = factories.village(commune)
        factories.resident(factories.household(village), eid_on=D(2024, 1, 1))
    more_villages = dashboard_queries(client, official, start="2024-07", end="2024-09")
    assert three == many == more_villages


# --- Exports ------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(value)
    return str(value)


TABLES = ["adoption", "villages", "groups", "activity", "dossiers", "dossiers_by_field", "quarters", "years"]


@pytest.mark.parametrize("key", TABLES)
def test_csv_export_equals_the_page(client, official, people, key):
    page = table(dashboard(client, official), key)
    response = client.get(reverse("reports:export", kwargs={"table": key, "fmt": "csv"}), PERIOD)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == [str(c.label) for c in page.columns]
    assert rows[1:] == [[as_text(v) for v in row] for row in page.rows]


@pytest.mark.parametrize("key", ["adoption", "villages", "activity"])
def test_xlsx_export_equals_the_page(client, official, people, key):
    page = table(dashboard(client, official), key)
    response = client.get(reverse("reports:export", kwargs={"table": key, "fmt": "xlsx"}), PERIOD)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == [str(c.label) for c in page.columns]
    expected = [[(", ".join(v) or None) if isinstance(v, list) else v for v in row] for row in page.rows]
    assert rows[1:] == expected
    share_columns = [i for i, c in enumerate(page.columns, 1) if c.kind == "share"]
    if share_columns:
        assert sheet.cell(row=2, column=share_columns[0]).number_format == "0.00%"


def test_export_is_scoped_like_the_page(client, head_a, people):
    client.force_login(head_a)
    response = client.get(reverse("reports:export", kwargs={"table": "villages", "fmt": "csv"}), PERIOD)
    assert [row[1] for row in read_csv(response)[1:]] == ["NK"]
    other = client.get(
        reverse("reports:export", kwargs={"table": "villages", "fmt": "csv"}), {"village": "BT"}
    )
    assert other.status_code == 404


def test_export_of_an_unknown_table_is_404(client, official, people):
    client.force_login(official)
    assert client.get("/reports/export/nothing.csv").status_code == 404
    assert client.get("/reports/export/adoption.pdf").status_code == 404


def test_export_with_a_bad_period_is_400(client, official, people):
    client.force_login(official)
    url = reverse("reports:export", kwargs={"table": "adoption", "fmt": "csv"})
    response = client.get(url, {"start": "2024-13", "end": "2024-12"})
    assert response.status_code == 400
    assert "YYYY-MM" in response.content.decode()


# --- Monthly report -----------------------------------------------------------------------


def test_monthly_report_states_numerator_denominator_and_period(client, official, people):
    client.force_login(official)
    response = client.get(reverse("reports:monthly"), {"month": "2024-09"})
    assert response.status_code == 200
    rows = response.context["tables"]["indicators"].rows
    # indicator, numerator, denominator, share, previous, change, planned, status
    assert [row[1:6] for row in rows] == [
        [3, 5, 0.6, 0.6, 0.0],
        [2, 5, 0.4, 0.2, 20.0],
        [1, 5, 0.2, 0.0, 20.0],
    ]
    html = response.content.decode()
    assert "css/reports.css" in html and "Numerator" in html and "Denominator" in html
    assert "3 of 5" in html
    assert "30 Sep 2024" in html  # the day the figures are counted at the end of


def test_the_print_stylesheet_hides_the_controls():
    css = open("static/css/reports.css", encoding="utf-8").read()
    assert "@media print" in css and ".no-print" in css


def test_monthly_report_sex_and_age_add_up(client, official, people):
    client.force_login(official)
    tables = client.get(reverse("reports:monthly"), {"month": "2024-09"}).context["tables"]
    assert sum(row[1] for row in tables["sex"].rows) == 5
    assert sum(row[1] for row in tables["age"].rows) == 5


def test_monthly_report_bad_month_keeps_the_input_and_says_why(client, official, people):
    client.force_login(official)
    response = client.get(reverse("reports:monthly"), {"month": "2024-13"})
    assert response.status_code == 200
    assert "month" in response.context["form"].errors
    assert 'value="2024-13"' in response.content.decode()


def test_monthly_report_for_a_village_head(client, head_a, people):
    client.force_login(head_a)
    response = client.get(reverse("reports:monthly"), {"month": "2024-09"})
    assert [row[1] for row in response.context["tables"]["villages"].rows] == ["NK"]
    assert client.get(reverse("reports:monthly"), {"month": "2024-09", "village": "BT"}).status_code == 404


def test_monthly_export_equals_the_page(client, official, people):
    client.force_login(official)
    page = client.get(reverse("reports:monthly"), {"month": "2024-09"}).context["tables"]["indicators"]
    response = client.get(
        reverse("reports:monthly_export", kwargs={"table": "indicators", "fmt": "csv"}), {"month": "2024-09"}
    )
    assert read_csv(response)[1:] == [[as_text(v) for v in row] for row in page.rows]


# --- Targets ------------------------------------------------------------------------------


def add_target(client, **fields):
    data = {"indicator": "level34_share", "village": "", "due_on": "2024-12-31", "value": "0.6", **fields}
    return client.post(reverse("reports:targets") + "?commune=01558", data)


def test_official_adds_a_target(client, official, commune):
    client.force_login(official)
    response = add_target(client)
    assert response.status_code == 302
    target = Target.objects.get()
    assert (target.commune, target.village, target.value, target.recorded_by) == (
        commune,
        None,
        Decimal("0.6"),
        official,
    )


def test_official_adds_a_village_target(client, official, village_a):
    client.force_login(official)
    assert add_target(client, village=village_a.pk).status_code == 302
    assert Target.objects.get().village == village_a


@pytest.mark.parametrize(
    "written, share",
    [
        ("60", "0.6"),
        ("60 %", "0.6"),
        ("60%", "0.6"),
        ("60\u00a0%", "0.6"),
        ("0,6", "0.6"),
        ("0.6", "0.6"),
        ("60,5 %", "0.605"),
        ("60.5", "0.605"),
        ("1", "1"),  # a fraction: all of them
        ("100", "1"),
        ("1 %", "0.01"),
        ("1.5", "0.015"),  # above 1 without a sign: a percentage
        ("0", "0"),
    ],
)
def test_a_target_is_entered_as_people_write_it(client, official, commune, written, share):
    client.force_login(official)
    response = add_target(client, value=written, village="")
    assert response.status_code == 302, response.context["form"].errors
    assert Target.objects.get().value == Decimal(share)


def test_the_saved_target_is_said_back_as_a_percentage(client, official, commune):
    client.force_login(official)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    response = client.post(
        reverse("reports:targets") + "?commune=01558",
        {"indicator": "level34_share", "village": "", "due_on": "2024-12-31", "value": "0,605"},
        follow=True,
    )
    assert (
        "Đã lưu chỉ tiêu: tỷ lệ nộp hồ sơ mức 3/4 60,5\u00a0% đến 31-12-2024 (toàn xã)."
        in response.content.decode()
    )


@pytest.mark.parametrize("value", ["101", "150 %", "-0.1", "abc", "", "60,555 %", "6O", "1,2,3"])
def test_a_bad_value_is_refused_and_nothing_saved(client, official, commune, value):
    client.force_login(official)
    response = add_target(client, value=value)
    assert response.status_code == 200
    assert "value" in response.context["form"].errors
    assert Target.objects.count() == 0
    if value:
        assert f'value="{value}"' in response.content.decode()


def test_a_duplicate_target_is_refused(client, official, commune):
    client.force_login(official)
    add_target(client)
    response = add_target(client, value="0.7")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert Target.objects.count() == 1


@pytest.mark.parametrize(
    "language, village, expected",
    [
        (
            "en",
            False,
            "The whole commune already has a target for the level 3/4 share due on 31/12/2024 (60\u00a0%). "
            "Change that target in the list instead of adding a second one for the same date.",
        ),
        (
            "vi",
            False,
            "Toàn xã đã có chỉ tiêu tỷ lệ nộp hồ sơ mức 3/4 đến ngày 31-12-2024 (60\u00a0%). Hãy sửa chỉ "
            "tiêu đó trong danh sách thay vì thêm một chỉ tiêu thứ hai cho cùng ngày.",
        ),
        (
            "en",
            True,
            "Nà Khau already has a target for the level 3/4 share due on 31/12/2024 (60\u00a0%). "
            "Change that target in the list instead of adding a second one for the same date.",
        ),
    ],
)
def test_a_duplicate_target_is_explained_in_words(client, official, village_a, language, village, expected):
    client.force_login(official)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    add_target(client, village=village_a.pk if village else "")
    response = client.post(
        reverse("reports:targets") + "?commune=01558",
        {
            "indicator": "level34_share",
            "village": village_a.pk if village else "",
            "due_on": "2024-12-31",
            "value": "70 %",
        },
    )
    assert response.context["form"].non_field_errors() == [expected]
    page = response.content.decode()
    assert "Constraint" not in page and "target_unique" not in page
    assert Target.objects.get().value == Decimal("0.6")


def test_the_database_rule_on_duplicates_speaks_in_words_too(commune):
    # The admin and any other model form check the constraints themselves.
    Target.objects.create(commune=commune, indicator="eid_share", due_on=D(2025, 1, 31), value=1)
    twin = Target(commune=commune, indicator="eid_share", due_on=D(2025, 1, 31), value=Decimal("0.5"))
    with pytest.raises(ValidationError) as refused:
        twin.validate_constraints()
    assert refused.value.messages == [
        "This area already has a target for this indicator due on this date: change that target instead "
        "of adding a second one."
    ]


def test_official_edits_a_target_on_the_page(client, official, commune, village_a):
    target = Target.objects.create(
        commune=commune, indicator="eid_share", due_on=D(2025, 1, 31), value=Decimal("0.605")
    )
    client.force_login(official)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    url = reverse("reports:target_edit", args=[target.pk])
    assert f'href="{url}"' in client.get(reverse("reports:targets")).content.decode()
    form_page = client.get(url).content.decode()
    assert 'value="60,5\u00a0%"' in form_page  # shown back as it would be written
    data = {"indicator": "eid_share", "village": village_a.pk, "due_on": "2025-03-31", "value": "75 %"}
    assert client.post(url, data).status_code == 302
    target.refresh_from_db()
    assert (target.village, target.due_on, target.value) == (village_a, D(2025, 3, 31), Decimal("0.75"))
    assert Target.objects.count() == 1


def test_an_edit_that_would_duplicate_a_target_is_refused_in_words(client, official, commune):
    Target.objects.create(commune=commune, indicator="eid_share", due_on=D(2025, 1, 31), value=1)
    other = Target.objects.create(
        commune=commune, indicator="eid_share", due_on=D(2025, 2, 28), value=Decimal("0.5")
    )
    client.force_login(official)
    data = {"indicator": "eid_share", "village": "", "due_on": "2025-01-31", "value": "50"}
    response = client.post(reverse("reports:target_edit", args=[other.pk]), data)
    assert response.status_code == 200
    assert (
        response.context["form"]
        .non_field_errors()[0]
        .startswith(
            "The whole commune already has a target for the e-ID share due on 31/01/2025 (100\u00a0%)."
        )
    )
    other.refresh_from_db()
    assert other.due_on == D(2025, 2, 28)


def test_saving_a_target_unchanged_is_not_a_duplicate_of_itself(client, official, commune):
    target = Target.objects.create(commune=commune, indicator="eid_share", due_on=D(2025, 1, 31), value=1)
    client.force_login(official)
    data = {"indicator": "eid_share", "village": "", "due_on": "2025-01-31", "value": "100 %"}
    assert client.post(reverse("reports:target_edit", args=[target.pk]), data).status_code == 302
    assert list(Target.objects.values_list("pk", "value")) == [(target.pk, 1)]


def test_a_village_of_another_commune_is_refused(client, official, other_commune):
    client.force_login(official)
    elsewhere = factories.village(other_commune)
    response = add_target(client, village=elsewhere.pk)
    assert "village" in response.context["form"].errors
    assert Target.objects.count() == 0


def test_leader_reads_targets_but_cannot_add(client, leader, commune):
    Target.objects.create(commune=commune, indicator="eid_share", due_on=D(2025, 1, 31), value=Decimal("0.9"))
    client.force_login(leader)
    response = client.get(reverse("reports:targets"))
    assert response.status_code == 200
    assert response.context["form"] is None
    assert "90.00" in response.content.decode()
    assert add_target(client).status_code == 403
    assert Target.objects.count() == 1


def test_outsider_cannot_see_or_add_targets(client, outsider, commune):
    client.force_login(outsider)
    assert client.get(reverse("reports:targets"), {"commune": "01558"}).status_code == 404
    assert add_target(client).status_code == 404
    assert not Target.objects.exists()


def test_delete_a_target_asks_first(client, official, commune):
    target = Target.objects.create(commune=commune, indicator="eid_share", due_on=D(2025, 1, 31), value=1)
    client.force_login(official)
    url = reverse("reports:target_delete", args=[target.pk])
    assert client.get(url).status_code == 200
    assert Target.objects.count() == 1
    assert client.post(url).status_code == 302
    assert Target.objects.count() == 0


def test_targets_list_query_count_does_not_grow(client, official, commune):
    client.force_login(official)

    def queries():
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse("reports:targets")).status_code == 200
        return len(context.captured_queries)

    for day in range(1, 4):
        Target.objects.create(commune=commune, indicator="eid_share", due_on=D(2025, 1, day), value=1)
    few = queries()
    for day in range(4, 30):
        Target.objects.create(commune=commune, indicator="eid_share", due_on=D(2025, 1, day), value=1)
    assert queries() == few


# --- Behind plan --------------------------------------------------------------------------


def test_villages_behind_plan_are_flagged(client, official, commune, village_a, people):
    # The e-ID plan rises from 0% (30 June) to 100% (30 September) commune-wide: at the end
    # of September village A (2 of 3) is behind, village B (1 of 2)... also behind. Village
    # B gets its own, lower plan: 40% by September, which it beats.
    Target.objects.create(commune=commune, indicator="eid_share", due_on=D(2024, 6, 30), value=0)
    Target.objects.create(commune=commune, indicator="eid_share", due_on=D(2024, 9, 30), value=1)
    village_b = commune.villages.get(code="BT")
    Target.objects.create(
        commune=commune, village=village_b, indicator="eid_share", due_on=D(2024, 9, 30), value=Decimal("0.4")
    )
    response = dashboard(client, official)
    villages = table(response, "villages")
    behind = dict(zip(villages.column_values("code"), villages.column_values("behind"), strict=True))
    assert behind["NK"] == ["e-ID share"]
    assert behind["BT"] == []
    adoption = table(response, "adoption")
    assert adoption.column_values("eid_share_plan") == [0.337, 0.6739, 1.0]  # 31/92, 62/92, 92/92
    headline = {h["indicator"]: h for h in response.context["headline"]}
    assert headline["eid_share"]["behind"] and headline["eid_share"]["planned"] == 1.0
    assert 'class="badge bad"' in response.content.decode()


# --- Admin --------------------------------------------------------------------------------


def test_targets_in_the_admin_are_scoped(client, commune, other_commune):
    mine = Target.objects.create(commune=commune, indicator="eid_share", due_on=D(2025, 1, 31), value=1)
    theirs = Target.objects.create(
        commune=other_commune, indicator="eid_share", due_on=D(2025, 1, 31), value=1
    )
    user = factories.role_user("official", commune, username="staff-official", is_staff=True)
    client.force_login(user)
    response = client.get(reverse("admin:reports_target_changelist"))
    assert response.status_code == 200
    assert list(response.context["cl"].queryset) == [mine]
    assert client.get(reverse("admin:reports_target_change", args=[theirs.pk])).status_code == 404


def test_a_one_month_period_still_shows_the_change_since_the_month_before(client, official, people):
    response = dashboard(client, official, start="2024-09", end="2024-09")
    headline = {h["indicator"]: h for h in response.context["headline"]}
    assert headline["online_share"]["change"] == 20.0  # 1/5 at the end of August, 2/5 in September
    assert len(table(response, "adoption").rows) == 1
    villages = table(response, "villages")
    changes = dict(
        zip(villages.column_values("code"), villages.column_values("online_share_change"), strict=True)
    )
    assert changes["NK"] == 33.34  # online share change in village A: 0.3333 -> 0.6667


@pytest.mark.parametrize("language", ["vi", "en"])
def test_table_numbers_are_formatted_as_django_formats_them(language):
    from decimal import Decimal

    from django.utils import translation
    from django.utils.formats import number_format

    from reports.templatetags.report_cells import Numbers

    values = [0, 7, 999, 1000, 1234, 1234567, -3, -1234567, 10**12, 0.5, 28.5, 70.07, 100.0]
    values += [Decimal("61082.8"), Decimal("0.0")]
    with translation.override(language):
        fast = Numbers()
        for value in values:
            for decimals, grouping in ((None, True), (2, False), (1, True)):
                assert fast(value, decimals, grouping) == number_format(
                    value, decimals, force_grouping=grouping
                )


def test_table_cells_escape_what_people_typed_and_show_numbers(settings):
    from reports.tables import Column, Table
    from reports.templatetags.report_cells import table_rows

    settings.LANGUAGE_CODE = "en"
    rows = [["<b>Nà</b>", "A & B", 1234, 0.7007, None, "<i>"]]
    columns = [
        Column("v", "V", "text"),
        Column("n", "N", "text"),
        Column("c", "C"),
        Column("s", "S", "share"),
    ]
    columns += [Column("x", "X", "share"), Column("odd", "Odd")]
    html = table_rows(Table("t", "T", columns, rows))
    assert '<th scope="row">&lt;b&gt;Nà&lt;/b&gt;</th><td>A &amp; B</td>' in html
    assert '<td class="num">1,234</td><td class="num">70.07\u00a0%</td><td class="num">–</td>' in html
    assert "<i>" not in html and "&lt;i&gt;" in html  # a stray string in a number column
