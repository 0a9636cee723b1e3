"""The field day's friction (issue 27): what a worker or a village head met on a phone, each
pinned in the server-rendered page: the visit form's Save in reach, a box to narrow long
checkbox lists, the change of head after the head left, the relations a household has,
English dates day first, and pages every accessibility checker passes (a submit button in
every form, no empty link)."""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django import forms
from django.urls import reverse
from django.utils import formats, translation

from softbridge.calendar import commune_today
from tests import factories
from villages.exports import _VIETNAMESE_WORDS
from villages.models import Resident
from villages.roster.cells import CellRules

DAY = datetime.timedelta(days=1)


class Forms(HTMLParser):
    """The forms of a page: for each, its id and whether a submit button is in it; and the ids
    of forms named by a submit button outside them (form="...")."""

    def __init__(self):
        super().__init__()
        self.forms, self.named, self.inside = [], set(), None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = {"id": attrs.get("id"), "action": attrs.get("action"), "submit": False}
            self.forms.append(self.inside)
        submit = (tag == "button" and attrs.get("type", "submit") == "submit") or (
            tag == "input" and attrs.get("type") in ("submit", "image")
        )
        if submit and "form" in attrs:
            self.named.add(attrs["form"])
        elif submit and self.inside is not None:
            self.inside["submit"] = True

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = None


def forms_without_submit(html: str) -> list[dict]:
    parser = Forms()
    parser.feed(html)
    return [form for form in parser.forms if not form["submit"] and form["id"] not in parser.named]


@pytest.fixture
def me(worker_a):
    return worker_a.workers.get()


@pytest.fixture
def family(household_a):
    """A household of four: the head, his wife and two children."""
    head = factories.resident(household_a, full_name="Nông Văn Cha", relation=Resident.Relation.HEAD)
    wife = factories.resident(household_a, full_name="Lý Thị Mẹ", relation=Resident.Relation.SPOUSE)
    for name in ("Nông Văn Con", "Nông Thị Út"):
        factories.resident(household_a, full_name=name, relation=Resident.Relation.CHILD)
    return head, wife


# --- Lighthouse and pa11y: a submit button in every form, no empty link


def test_every_form_of_the_field_pages_has_its_submit_button(
    english_client, worker_a, me, family, household_a
):
    factories.visit(household_a, visited_on=commune_today() - DAY, workers=[me])
    english_client.force_login(worker_a)
    pages = [
        reverse("home"),
        reverse("villages:households"),
        reverse("villages:household", args=[household_a.pk]),
        reverse("visits:follow_ups"),
        reverse("visits:new"),
        reverse("visits:new") + f"?household={household_a.pk}",
        reverse("outbox"),
    ]
    for url in pages:
        response = english_client.get(url)
        assert response.status_code == 200, url
        assert forms_without_submit(response.content.decode()) == [], url


def test_the_language_switch_has_a_submit_button_in_the_page_and_without_script(english_client):
    html = english_client.get(reverse("login")).content.decode()

    switch = html.split('class="lang"')[1].split("</form>")[0]
    # One in the page (a checker, the keyboard), one shown without script.
    assert '<input type="submit" class="lang-submit" value="Change">' in switch
    assert '<noscript><button type="submit">Change</button></noscript>' in switch
    assert forms_without_submit(html) == []


def test_the_not_sent_link_is_never_empty(english_client, worker_a):
    english_client.force_login(worker_a)

    html = english_client.get(reverse("home")).content.decode()

    status = html.split('id="outbox-status"')[1].split("</p>")[0]
    # The script writes the count into the link, nothing when nothing waits: the title stays.
    assert (
        f'<a href="{reverse("outbox")}" title="See everything not sent yet">See everything not sent yet</a>'
        in status
    )


def test_signed_out_the_not_sent_link_says_sign_in_and_leads_there(english_client):
    html = english_client.get(reverse("login")).content.decode()

    status = html.split('id="outbox-status"')[1].split("</p>")[0]
    assert (
        f'<a href="{reverse("login")}?next=/outbox/" title="Sign in to send them">Sign in to send them</a>'
        in status
    )
    # Signed out, the phone says records wait, not how many (whose they are is not known).
    assert 'data-waiting-signed-out="Records wait on this device."' in html


def test_signed_in_the_counter_says_only_what_waits(english_client, worker_a):
    english_client.force_login(worker_a)

    assert 'data-waiting="{count} not sent"' in english_client.get(reverse("home")).content.decode()


# --- the visit form: Save in reach, a box to narrow the workers


def test_the_visit_forms_save_stays_at_the_bottom_of_the_screen(
    english_client, worker_a, me, family, household_a
):
    english_client.force_login(worker_a)

    html = english_client.get(reverse("visits:new"), {"household": household_a.pk}).content.decode()

    actions = html.split('<div class="actions sticky-actions">')[1].split("</div>")[0]
    assert "Save the visit" in actions
    # After every member's boxes: the bar sticks, the button is not moved up out of order.
    assert html.index("Nông Thị Út") < html.index("Save the visit")


def test_the_other_workers_on_the_visit_form_can_be_narrowed(
    english_client, worker_a, me, commune, household_a
):
    for n in range(12):
        factories.worker(commune, full_name=f"Cán bộ {n}")
    english_client.force_login(worker_a)

    html = english_client.get(reverse("visits:new"), {"household": household_a.pk}).content.decode()

    others = html.split('id="other-workers"')[1].split("</div>")[0]
    assert 'data-filter="Type part of a name to narrow the list"' in others
    assert others.count('type="checkbox"') == 12


def test_the_facilitators_of_a_session_can_be_narrowed(english_client, official, commune, village_a):
    for n in range(12):
        factories.worker(commune, full_name=f"Cán bộ {n}")
    english_client.force_login(official)

    html = english_client.get(reverse("training:new")).content.decode()

    wrapper = html.split('<div id="id_facilitators"')[0].rsplit("<div", 1)[1]
    assert wrapper == ' data-filter="Type part of a name to narrow the list">'


# --- the head of household left: the change of head is next


def test_recording_the_heads_death_leads_to_choosing_the_new_head(
    english_client, head_a, family, household_a
):
    head, _wife = family
    english_client.force_login(head_a)

    response = english_client.post(
        reverse("villages:member_departure", args=[household_a.pk, head.pk]),
        {"reason": "died", "on": commune_today().isoformat()},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("villages:household_head", args=[household_a.pk])
    assert "Nông Văn Cha was the head of household NK-001: choose its new head." in response.content.decode()
    head.refresh_from_db()
    assert head.left_reason == Resident.LeftReason.DIED


def test_another_members_departure_leads_back_to_the_household(english_client, head_a, family, household_a):
    _head, wife = family
    english_client.force_login(head_a)

    response = english_client.post(
        reverse("villages:member_departure", args=[household_a.pk, wife.pk]),
        {"reason": "moved_away", "on": commune_today().isoformat()},
    )

    assert response.url == reverse("villages:household", args=[household_a.pk])


def test_the_last_members_departure_asks_for_no_head(english_client, head_a, household_a):
    alone = factories.resident(household_a, full_name="Một Mình", relation=Resident.Relation.HEAD)
    english_client.force_login(head_a)

    response = english_client.post(
        reverse("villages:member_departure", args=[household_a.pk, alone.pk]),
        {"reason": "died", "on": commune_today().isoformat()},
    )

    assert response.url == reverse("villages:household", args=[household_a.pk])


def test_the_head_moving_to_another_household_leads_to_choosing_the_new_head(
    english_client, head_a, family, household_a, village_a
):
    head, _wife = family
    other = factories.household(village_a, code="NK-002")
    english_client.force_login(head_a)

    response = english_client.post(
        reverse("villages:member_move", args=[household_a.pk, head.pk]),
        {"household": other.pk, "on": commune_today().isoformat(), "relation": "other"},
    )

    assert response.url == reverse("villages:household_head", args=[household_a.pk])
    head.refresh_from_db()
    assert head.household == other


# --- relations: grandchild, sibling, in-law


@pytest.mark.parametrize("relation", ["grandchild", "sibling", "in_law"])
def test_a_member_may_be_a_grandchild_a_sibling_or_an_in_law(english_client, head_a, household_a, relation):
    english_client.force_login(head_a)

    form = english_client.get(reverse("villages:member_new", args=[household_a.pk])).content.decode()
    assert f'<option value="{relation}"' in form
    response = english_client.post(
        reverse("villages:member_new", args=[household_a.pk]),
        {"full_name": "Nông Văn Cháu", "relation": relation, "birth_year": "2010"},
    )

    assert response.status_code == 302
    assert household_a.members.get(full_name="Nông Văn Cháu").relation == relation


@pytest.mark.parametrize(
    "typed, relation",
    [("Cháu", "grandchild"), ("cháu ngoại", "grandchild"), ("Em trai", "sibling"), ("anh/chị/em", "sibling")]
    + [("Con dâu", "in_law"), ("con rể", "in_law"), ("dâu/rể", "in_law"), ("Mẹ chồng", "in_law")],
)
def test_the_roster_reads_the_new_relations_in_vietnamese(typed, relation):
    assert CellRules().choice("relation", typed) == relation


def test_every_relation_exported_in_vietnamese_reads_back():
    cells = CellRules()

    for relation in Resident.Relation.values:
        assert cells.choice("relation", _VIETNAMESE_WORDS["relation"][relation]) == relation


def test_the_new_relations_are_named_in_vietnamese():
    with translation.override("vi"):
        labels = {str(label) for value, label in Resident.Relation.choices}

    assert {"cháu", "anh, chị, em", "con dâu, con rể, bố mẹ vợ hoặc chồng"} <= labels


# --- English dates: day first


def test_english_dates_read_day_first():
    day = datetime.date(2026, 12, 5)

    with translation.override("en"):
        assert formats.date_format(day, "SHORT_DATE_FORMAT") == "05/12/2026"
        assert formats.date_format(day) == "5 Dec 2026"
        assert forms.DateField().clean("05/12/2026") == day
        assert forms.DateField().clean("2026-12-05") == day


def test_the_today_list_in_english_shows_the_follow_up_day_first(english_client, worker_a, me, household_a):
    asked = datetime.date(2026, 1, 2)
    factories.visit(household_a, visited_on=asked - 3 * DAY, workers=[me], follow_up_on=asked)
    english_client.force_login(worker_a)

    html = english_client.get(reverse("home")).content.decode()

    assert "Follow-up overdue since 02/01/2026" in html


# --- The tab bar says where the phone is


def tabs_marked_current(html: str) -> list[str]:
    """The addresses of the tab bar's links marked aria-current="page"."""
    bar = html.split('<nav class="tabbar"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'<a href="([^"]+)"[^>]*aria-current="page"', bar)


@pytest.mark.parametrize("path", ["/", "/?page=2", "/today/"])
def test_a_workers_today_tab_is_current_on_today(english_client, worker_a, household_a, path):
    """A reminder opens /today/, the same list as the home page: the Today tab (the home page's)
    is the current one there too, and only it."""
    english_client.force_login(worker_a)

    html = english_client.get(path).content.decode()

    assert tabs_marked_current(html) == ["/"]


def test_an_officials_today_tab_is_current_on_today_and_home_on_home(english_client, official, household_a):
    """An official's home page is the commune's figures; Today, a tab of its own."""
    english_client.force_login(official)

    assert tabs_marked_current(english_client.get("/today/").content.decode()) == ["/today/"]
    assert tabs_marked_current(english_client.get("/").content.decode()) == ["/"]


def test_no_tab_is_current_on_a_page_that_has_none(english_client, worker_a, household_a):
    english_client.force_login(worker_a)

    html = english_client.get(reverse("villages:household", args=[household_a.pk])).content.decode()

    assert tabs_marked_current(html) == []
