"""The printable monthly report on A4 paper: every table within the page, none over another.

Printed side by side, the sex and age tables (ten columns each) overlapped ("71,35 %15–29");
on paper every table now runs the page's width, one under the other. The page is drawn
with the print stylesheet at the width A4 leaves between the report's margins.
"""

import datetime

from softbridge.calendar import commune_today
from tests import factories
from tests.browser.conftest import sign_in

# A4 is 210 mm wide; the report's @page margins are 12 mm each side: 186 mm at 96 px an inch.
A4_BETWEEN_MARGINS = round(186 / 25.4 * 96)

BOXES = """
() => {
  const page = document.querySelector("article.monthly-report").getBoundingClientRect();
  return {
    page: [page.left, page.right],
    tables: Array.from(document.querySelectorAll("article table")).map(t => {
      const r = t.getBoundingClientRect();
      return {id: t.id, left: r.left, right: r.right, top: r.top, bottom: r.bottom, wide: t.scrollWidth};
    }),
    hints: Array.from(document.querySelectorAll(".scroll-hint")).filter(h => h.offsetParent !== null).length,
  };
}
"""


def overlap(a: dict, b: dict) -> bool:
    return (
        a["left"] < b["right"] - 1
        and b["left"] < a["right"] - 1
        and a["top"] < b["bottom"] - 1
        and (b["top"] < a["bottom"] - 1)
    )


def test_the_monthly_report_prints_every_table_within_the_page_and_none_over_another(
    laptop, official, household_a, village_b
):
    start = commune_today().replace(day=1) - datetime.timedelta(days=60)
    for n, year in enumerate((1950, 1972, 1990, 2004)):
        factories.resident(household_a, sex="MF"[n % 2], birth_year=year, eid_on=start, online_on=start)
    sign_in(laptop, "official")
    laptop.goto(laptop.base_url + "/reports/monthly/")
    laptop.locator("#sync-status:not([hidden])").wait_for()  # on screen, the phone's status shows
    laptop.set_viewport_size({"width": A4_BETWEEN_MARGINS, "height": 1000})
    laptop.emulate_media(media="print")
    found = laptop.evaluate(BOXES)
    left, right = found["page"]
    tables = found["tables"]
    assert {t["id"] for t in tables} >= {"table-sex", "table-age", "table-villages", "table-indicators"}
    for table in tables:
        assert left - 1 <= table["left"] and table["right"] <= right + 1, table
    for i, one in enumerate(tables):
        for other in tables[i + 1 :]:
            assert not overlap(one, other), (one["id"], other["id"])
    assert found["hints"] == 0  # nothing scrolls on paper
    # Nothing of the phone on paper: the offline status, the outbox's counter (the status once
    # printed above the signed report's heading).
    shown = laptop.evaluate(
        """() => Array.from(document.querySelectorAll('#sync-status, #outbox-status, .push-block'))
                 .filter(e => e.getClientRects().length > 0).map(e => e.id || e.className)"""
    )
    assert shown == []
    assert laptop.pdf(format="A4")[:4] == b"%PDF"
