"""Months and days as a sentence says them, in both languages (issue 27's review): Vietnamese
wrote "Báo cáo Tháng 11 2026" (Django's month capitalised as at the start of a line) and two
messages showed the machine's month ("Đã lập báo cáo tháng 2026-11"). A message says
"tháng 11 năm 2026" / "November 2026" (softbridge.calendar.month_in_words); addresses, the API
and the exports' columns keep "2026-11" (month_label)."""

import datetime
import re
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.utils import formats, translation

from reports.periods import last_complete_month, standing
from reports.services import monthly_report_prepare
from softbridge.calendar import month_in_words, month_label
from tests import factories

D = datetime.date
VI = {"HTTP_ACCEPT_LANGUAGE": "vi"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ISO_MONTH = re.compile(r"\b20\d\d-\d\d\b")


@pytest.mark.parametrize(
    ("language", "month", "in_words"),
    [("vi", D(2026, 11, 1), "tháng 11 năm 2026"), ("en", D(2026, 11, 1), "November 2026")],
)
def test_a_month_in_words(language, month, in_words):
    with translation.override(language):
        assert month_in_words(month) == in_words
    assert month_label(month) == "2026-11"  # the machine's, whatever the language


def test_vietnamese_dates_inside_a_sentence_are_lower_case_and_say_their_year():
    day = D(2026, 11, 5)
    with translation.override("vi"):
        assert formats.date_format(day) == "ngày 05 tháng 11 năm 2026"
        assert formats.date_format(day, "MONTH_DAY_FORMAT") == "ngày 5 tháng 11"
        assert formats.date_format(day, "SHORT_DATE_FORMAT") == "05-11-2026"  # unchanged
    with translation.override("en"):
        assert formats.date_format(day, "MONTH_DAY_FORMAT") == "5 November"  # day first, as the rest


def test_the_period_of_the_figures_in_both_languages():
    with translation.override("vi"):
        assert standing(D(2026, 11, 1), today=D(2026, 12, 7)) == "Cuối tháng 11 năm 2026"
        assert (
            standing(D(2026, 12, 1), today=D(2026, 12, 7))
            == "Từ đầu tháng 12 năm 2026 đến nay (đến ngày 7 tháng 12)"
        )
    with translation.override("en"):
        assert standing(D(2026, 11, 1), today=D(2026, 12, 7)) == "At the end of November 2026"
        assert standing(D(2026, 12, 1), today=D(2026, 12, 7)) == "December 2026 so far (to 7 December)"


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.mark.parametrize(
    ("headers", "said"),
    [
        (VI, "Đã lập báo cáo tháng {m} năm {y} (lần 1): tiếp theo lãnh đạo xã ký."),
        (EN, "The report of {name} {y} is prepared (revision 1): a leader signs it next."),
    ],
)
def test_the_prepared_report_names_its_month_in_words(client, official, commune, village_a, headers, said):
    month = last_complete_month()
    client.force_login(official)

    response = client.post(
        "/reports/signed/prepare/?commune=01558",
        {"month": month_label(month), "submission_key": str(uuid.uuid4())},
        follow=True,
        **headers,
    )

    expected = said.format(m=month.month, y=month.year, name=month.strftime("%B"))
    assert expected in messages_of(response)
    assert not any(ISO_MONTH.search(message) for message in messages_of(response))


def test_the_signed_report_names_its_month_in_words(client, official, leader, commune, village_a):
    month = last_complete_month()
    client.force_login(official)
    client.post(
        "/reports/signed/prepare/?commune=01558",
        {"month": month_label(month), "submission_key": str(uuid.uuid4())},
    )
    client.force_login(leader)

    response = client.post(
        f"/reports/signed/sign/?commune=01558&month={month_label(month)}",
        {
            "month": month_label(month),
            "title": "Chủ tịch UBND xã",
            "submission_key": str(uuid.uuid4()),
            "confirm": "on",
        },
        follow=True,
        **VI,
    )

    [said] = [m for m in messages_of(response) if "đã được ký" in m]
    assert said.startswith(f"Báo cáo tháng {month.month} năm {month.year} đã được ký (số ")


@pytest.mark.parametrize(
    ("headers", "said"),
    [
        (VI, "Chưa hết tháng {m} năm {y}: báo cáo của tháng được lập khi tháng đã hết."),
        (EN, "{name} {y} is not over yet: its report is prepared once the month has ended."),
    ],
)
def test_a_month_not_over_yet_is_named_in_words_on_the_page(client, official, commune, headers, said):
    month = (last_complete_month() + datetime.timedelta(days=40)).replace(day=1)
    client.force_login(official)

    response = client.post(
        "/reports/signed/prepare/?commune=01558",
        {"month": month_label(month), "submission_key": str(uuid.uuid4())},
        **headers,
    )

    assert said.format(m=month.month, y=month.year, name=month.strftime("%B")) in response.content.decode()


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("vi", "Chưa hết tháng {m} năm {y}: báo cáo chỉ được lập khi tháng đã hết."),
        ("en", "{name} {y} is not over yet: a report is prepared once the month has ended."),
    ],
)
def test_a_month_not_over_yet_is_named_in_words_by_the_service(official, commune, language, said):
    month = (last_complete_month() + datetime.timedelta(days=40)).replace(day=1)

    with translation.override(language), pytest.raises(ValidationError) as refused:
        monthly_report_prepare(commune=commune, month=month, by=official)

    assert refused.value.message_dict["month"] == [
        said.format(m=month.month, y=month.year, name=month.strftime("%B"))
    ]


@pytest.mark.parametrize(
    ("headers", "said"),
    [(VI, "Đã lưu số liệu chính thức tháng 9 năm 2024."), (EN, "Official figures of September 2024 saved.")],
)
def test_official_figures_saved_name_their_month_in_words(client, official, commune, headers, said):
    client.force_login(official)
    figures = dict.fromkeys(
        ("received_online", "received_in_person", "received_by_post", "full_process_online"), "1"
    )
    data = {"month": "2024-09", **figures, "resolved_on_time": "4", "paid_online": "0"}

    response = client.post("/reports/official/month/?commune=01558", data, follow=True, **headers)

    assert said in messages_of(response)


def test_the_home_page_says_the_month_inside_its_sentence(client, official, commune, village_a):
    factories.household(village_a)
    client.force_login(official)
    month = last_complete_month()

    html = client.get("/", **VI).content.decode()

    assert f"Xã Hạ Lang: Cuối tháng {month.month} năm {month.year}</h2>" in html
    assert f"Tháng {month.month} {month.year}" not in html
