"""Sign in, sign out, the language switch and the role-fitted home page."""

import datetime
from pathlib import Path

from django.urls import reverse

from mobilization.selectors import Due
from softbridge.calendar import commune_today
from tests import factories


def test_sign_in_page_is_vietnamese_by_default(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert 'lang="vi"' in response.content.decode()


def test_a_user_signs_in_and_out(client, official):
    response = client.post(reverse("login"), {"username": "official", "password": "pass-word-123"})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_shows_an_error_and_does_not_sign_in(client, official):
    response = client.post(reverse("login"), {"username": "official", "password": "wrong"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_language_switch_turns_the_page_english_and_back(client, official):
    client.force_login(official)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert 'lang="en"' in client.get(reverse("home")).content.decode()
    client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    assert 'lang="vi"' in client.get(reverse("home")).content.decode()


def test_village_head_home_lists_only_their_villages(client, head_a, village_a, village_b):
    client.force_login(head_a)
    villages = list(client.get(reverse("home")).context["villages"])
    assert villages == [village_a]


def test_home_counts_level34_users_as_the_dashboard_does(client, head_a, village_a, household_a):
    """An under-age resident who used level 3/4 is not an eligible resident (docs/domain.md's
    minimum age): neither the home page nor the dashboard counts them."""
    today = datetime.date.today()
    factories.resident(
        household_a, birth_year=1980, online_on=today.replace(day=1), level34_on=today.replace(day=1)
    )
    factories.resident(
        household_a,
        birth_year=today.year - 10,
        online_on=today.replace(day=1),
        level34_on=today.replace(day=1),
    )
    client.force_login(head_a)
    [village] = client.get(reverse("home")).context["villages"]
    month = today.strftime("%Y-%m")
    latest = client.get(reverse("reports:dashboard"), {"start": month, "end": month}).context["latest"]
    assert (latest.eligible, latest.level34) == (1, 1)
    assert (village.adoption.eligible, village.adoption.level34) == (latest.eligible, latest.level34)


def test_worker_home_shows_their_follow_ups_due(client, worker_a, household_a, household_b):
    me = worker_a.workers.get()
    other = factories.worker(household_a.commune)
    today = commune_today()
    mine = factories.visit(household_a, visited_on=today, workers=[me], follow_up_on=today)
    factories.visit(household_b, visited_on=today, workers=[other], follow_up_on=today)
    client.force_login(worker_a)
    response = client.get(reverse("home"))
    # The Today list: their village's household with its follow-up due, not village B's.
    listed = [(h.pk, h.due, h.follow_up_on) for h in response.context["page"].object_list]
    assert listed == [(household_a.pk, Due.THIS_WEEK, mine.follow_up_on)]


def test_follow_up_is_no_longer_due_after_a_later_visit(client, worker_a, household_a):
    me = worker_a.workers.get()
    today = commune_today()
    factories.visit(household_a, visited_on=today - datetime.timedelta(3), workers=[me], follow_up_on=today)
    factories.visit(household_a, visited_on=today, workers=[me])
    client.force_login(worker_a)
    [household] = client.get(reverse("home")).context["page"].object_list
    assert household.follow_up_on is None and household.due != Due.THIS_WEEK


def test_vietnamese_is_the_default_when_the_browser_states_no_language(client, db):
    response = client.get(reverse("login"))
    assert 'lang="vi"' in response.content.decode()
    assert "Đăng nhập" in response.content.decode()


def test_the_switch_outranks_the_browsers_language(client, official):
    client.force_login(official)
    client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="vi"' in response.content.decode()


def test_every_page_that_swaps_parts_of_itself_loads_htmx():
    """htmx is loaded only by the pages that ask (templates/base.html's htmx block, 16 KB a
    phone need not fetch elsewhere), or by a form at its first focus (data-htmx-later, the
    household list's search): a page with hx- attributes that forgets both is dead."""
    templates = Path(__file__).resolve().parent.parent / "templates"
    forgot = [
        str(path.relative_to(templates))
        for path in templates.rglob("*.html")
        if "hx-" in (text := path.read_text())
        and "{% extends" in text
        and "{% block htmx %}" not in text
        and "data-htmx-later=" not in text
    ]
    assert forgot == []
