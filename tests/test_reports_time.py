"""Time, honestly (issue 29): a leader's figures name their period; the unfinished month reads
"so far" and is judged against the plan as of today, never the month's end; reports and the
leader's home open on the last complete month, which ends at midnight in the commune."""

import datetime
import io
from decimal import Decimal
from unittest import mock

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from reports.models import Target
from reports.periods import default_report_month, last_complete_month, standing
from reports.selectors.adoption import MonthFigures
from reports.selectors.targets import behind_plan, plan_series
from softbridge.calendar import commune_today
from tests import factories

D = datetime.date
UTC = datetime.UTC
# 10:00 in Hanoi on Monday 7 December 2026: a week into the month.
SEVENTH = datetime.datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
LEVEL34 = Target.Indicator.LEVEL34_SHARE


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def on_the_seventh():
    with mock.patch("django.utils.timezone.now", return_value=SEVENTH):
        yield


@pytest.fixture
def december(on_the_seventh, commune, village_a, household_a):
    """Five adults of Nà Khau, one at level 3/4 since 3 December (20 %); a visit on 5 December;
    a commune-wide plan from 0 % on 1 December to 90 % on 31 December, so 18 % on the 7th
    (6 of 30 days) and 90 % at the month's end."""
    day = D(2026, 12, 3)
    people = [factories.resident(household_a, birth_year=1980, eid_on=day, online_on=day, level34_on=day)]
    people += [factories.resident(household_a, birth_year=1980) for _ in range(4)]
    factories.visit(household_a, visited_on=D(2026, 12, 5))
    for due_on, value in ((D(2026, 12, 1), "0"), (D(2026, 12, 31), "0.9")):
        Target.objects.create(commune=commune, indicator=LEVEL34, due_on=due_on, value=Decimal(value))
    return people


def page(client, user, name, **params):
    client.force_login(user)
    response = client.get(reverse(name), params)
    assert response.status_code == 200
    return response


def test_the_issues_finding_reproduced_the_dashboard_opens_on_the_last_complete_month(
    client, leader, december
):
    """A record dated in December on 7 December made the dashboard open on December, labelled
    "end of December" and compared with the plan for the 31st; it opens on November now."""
    response = page(client, leader, "reports:dashboard")
    html = response.content.decode()
    assert response.context["end"] == D(2026, 11, 1)
    assert "At the end of November 2026" in html
    assert "end of December" not in html


def test_december_on_the_seventh_reads_so_far_and_is_judged_by_the_plan_of_the_seventh(
    client, leader, december
):
    response = page(client, leader, "reports:dashboard", start="2026-07", end="2026-12")
    html = response.content.decode()
    assert "December 2026 so far (to 7 December)" in html
    assert "At the end of December" not in html
    level34 = next(item for item in response.context["headline"] if item["indicator"] == LEVEL34)
    assert level34["share"] == 0.2
    assert level34["planned"] == 0.18  # 90 % x 6/30, not the 90 % of the 31st
    assert level34["behind"] is False
    # The village league judges Nà Khau the same way: on plan today.
    villages = response.context["tables"]["villages"]
    behind_at = [c.key for c in villages.columns].index("behind")
    assert [row[behind_at] for row in villages.rows] == [[]]
    assert villages.title == "Villages: December 2026 so far (to 7 December)"
    # The month's row in the table over time says it is not over.
    adoption = response.context["tables"]["adoption"]
    assert adoption.rows[-1][0] == "2026-12 *"
    assert adoption.rows[-2][0] == "2026-11"


def test_the_same_figures_judged_at_the_months_end_would_be_behind(december, commune):
    """What the pages did before: the 20 % of the 7th against the 90 % of the 31st."""
    figures = MonthFigures(D(2026, 12, 1), eligible=5, eid=0, online=0, level34=1)
    targets = list(Target.objects.filter(commune=commune))
    assert behind_plan(figures, targets) == [LEVEL34]
    assert behind_plan(figures, targets, today=D(2026, 12, 7)) == []


def test_the_monthly_report_opens_on_november_and_december_reads_so_far(client, leader, december):
    response = page(client, leader, "reports:monthly")
    assert response.context["month"] == D(2026, 11, 1)
    assert response.context["as_of"] == D(2026, 11, 30)

    response = page(client, leader, "reports:monthly", month="2026-12")
    html = response.content.decode()
    assert response.context["as_of"] == D(2026, 12, 7)
    assert "31 Dec 2026" not in html
    assert "so far: the month is not over" in html
    indicators = response.context["tables"]["indicators"]
    assert indicators.title == "Indicators: December 2026 so far (to 7 December)"
    level34 = next(row for row in indicators.rows if row[0] == "level 3/4 share")
    assert level34[6] == 0.18
    assert level34[7] == []  # no "behind plan"


def test_the_monthly_export_names_the_unfinished_month_so_far(client, leader, december):
    client.force_login(leader)
    url = reverse("reports:monthly_export", kwargs={"table": "indicators", "fmt": "xlsx"})
    book = load_workbook(io.BytesIO(client.get(url, {"month": "2026-12"}).content))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row]
    assert "2026-12 (December 2026 so far (to 7 December))" in cells


def test_the_leaders_home_names_the_last_complete_month(client, leader, december):
    html = page(client, leader, "home").content.decode()
    assert "Xã Hạ Lang: At the end of November 2026" in html
    assert "December" not in html


def test_the_province_dashboard_reads_so_far_for_the_unfinished_month(client, commune, december):
    chief = factories.province_leader(commune.province)
    html = page(client, chief, "reports:province").content.decode()
    assert "At the end of November 2026" in html
    html = page(client, chief, "reports:province", start="2026-10", end="2026-12").content.decode()
    assert "December 2026 so far (to 7 December)" in html


@pytest.mark.parametrize(
    ("moment", "complete"),
    [
        (datetime.datetime(2026, 12, 31, 16, 59, tzinfo=UTC), D(2026, 11, 1)),  # 23:59 in Hanoi
        (datetime.datetime(2026, 12, 31, 17, 0, tzinfo=UTC), D(2026, 12, 1)),  # midnight in Hanoi
    ],
)
def test_a_month_is_complete_at_midnight_in_the_commune_not_in_greenwich(moment, complete):
    assert last_complete_month(today=commune_today(moment)) == complete
    with mock.patch("django.utils.timezone.now", return_value=moment):
        assert last_complete_month() == complete


def test_the_default_month_at_the_17_utc_boundary(client, leader, household_a):
    day = D(2026, 12, 20)
    factories.resident(household_a, birth_year=1980, eid_on=day, online_on=day, level34_on=day)
    with mock.patch(
        "django.utils.timezone.now", return_value=datetime.datetime(2026, 12, 31, 16, 59, tzinfo=UTC)
    ):
        assert page(client, leader, "reports:dashboard").context["end"] == D(2026, 11, 1)
        factories.visit(household_a, visited_on=D(2026, 12, 31))
    with mock.patch(
        "django.utils.timezone.now", return_value=datetime.datetime(2026, 12, 31, 17, 0, tzinfo=UTC)
    ):
        response = page(client, leader, "reports:dashboard")
        assert response.context["end"] == D(2026, 12, 1)
        assert "At the end of December 2026" in response.content.decode()


def test_the_default_month_stays_where_the_records_stop(commune, household_a, on_the_seventh):
    """A commune whose records stop in May opens on May, not on flat months since."""
    factories.visit(household_a, visited_on=D(2026, 5, 12))
    assert default_report_month([commune]) == D(2026, 5, 1)


def test_the_plan_of_a_running_month_is_the_plan_of_today(commune):
    targets = [
        Target(commune=commune, indicator=LEVEL34, due_on=D(2026, 12, 1), value=Decimal("0")),
        Target(commune=commune, indicator=LEVEL34, due_on=D(2026, 12, 31), value=Decimal("0.9")),
    ]
    months = [D(2026, 11, 1), D(2026, 12, 1)]
    assert plan_series(targets, months)[LEVEL34] == [None, Decimal("0.9")]
    assert plan_series(targets, months, today=D(2026, 12, 7))[LEVEL34] == [None, Decimal("0.18")]
    assert plan_series(targets, months, today=D(2027, 1, 1))[LEVEL34] == [None, Decimal("0.9")]


def test_standing_words():
    assert standing(D(2026, 11, 1), today=D(2026, 12, 7)) == "At the end of November 2026"
    assert standing(D(2026, 12, 1), today=D(2026, 12, 7)) == "December 2026 so far (to 7 December)"
    assert standing(D(2026, 12, 1), today=D(2027, 1, 1)) == "At the end of December 2026"


def test_the_villages_trend_lines_stand_side_by_side_on_one_scale(
    client, leader, commune, village_a, village_b
):
    """Nà Khau: 1 of 2 at level 3/4 from August (50 %); Bản Thang: none. One SVG line each,
    drawn on the server, named by its first and last share."""
    home_a, home_b = factories.household(village_a), factories.household(village_b)
    day = D(2024, 8, 5)
    factories.resident(home_a, birth_year=1980, eid_on=day, online_on=day, level34_on=day)
    factories.resident(home_a, birth_year=1980)
    factories.resident(home_b, birth_year=1980)
    response = page(client, leader, "reports:dashboard", start="2024-07", end="2024-09")
    trends = {item["village"].name: item["shares"] for item in response.context["trends"]}
    assert trends == {"Nà Khau": [0.0, 0.5, 0.5], "Bản Thang": [0.0, 0.0, 0.0]}
    html = response.content.decode()
    assert html.count('<svg class="spark"') == 2
    assert 'aria-label="Nà Khau: level 3/4 share by month, from 0.00\u00a0% to 50.00\u00a0%"' in html
