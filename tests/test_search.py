"""One name search everywhere: the same text finds the same people on every page, the API and the admin.

A name matches when every word typed is in it, with or without diacritics (đ typed as d),
in any case, typed in NFC or NFD, whatever the spaces (softbridge.text.fold,
villages.selectors.names_matching).
"""

import datetime
import re
import unicodedata

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mobilization.models import Worker
from softbridge.request_limits import SEARCH_MAX_LENGTH, SEARCH_MAX_WORDS
from softbridge.text import fold
from tests import factories
from training.services import session_record
from villages.models import Household, Resident
from villages.selectors import names_matching

LAN = "Nguyễn Thị Lan"
HUNG = "Đặng Văn Hùng"
BINH = "Trần Văn Bình"  # found by none of the queries below


@pytest.fixture
def people(village_a):
    """The same three names as residents (each heading a household of village A) and as workers."""
    for n, name in enumerate((LAN, HUNG, BINH), start=1):
        household = factories.household(village_a, code=f"NK-10{n}")
        factories.resident(household, full_name=name, relation=Resident.Relation.HEAD, birth_year=1980 + n)
        factories.worker(village_a.commune, full_name=name)


def names_of_households(codes) -> set[str]:
    return set(Resident.objects.filter(household__code__in=list(codes)).values_list("full_name", flat=True))


def household_list(client, text):
    page = client.get(reverse("villages:households"), {"q": text}).context["page"]
    return names_of_households(h.code for h in page.object_list)


def visit_picker(client, text):
    options = client.get(reverse("visits:household_options"), {"q": text}).context["options"]
    return names_of_households(h.code for h in options)


def training_attendees(client, text):
    village = Household.objects.get(code="NK-101").village
    session = session_record(commune=village.commune, village=village, held_on=datetime.date(2025, 3, 4))
    response = client.post(
        reverse("training:attendance", args=[session.pk]),
        {"action": "search", "q": text},
        HTTP_HX_REQUEST="true",
    )
    return {row["resident"].full_name for row in response.context["found"]}


def api(path, model):
    def search(client, text):
        response = client.get(path, {"search": text}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200, response.content
        found = [row["id"] for row in response.json()["results"]]
        if model is Household:
            return names_of_households(Household.objects.filter(pk__in=found).values_list("code", flat=True))
        return set(model.objects.filter(pk__in=found).values_list("full_name", flat=True))

    return search


def admin(app, model):
    def search(client, text):
        rows = client.get(reverse(f"admin:{app}_{model}_changelist"), {"q": text}).context["cl"].result_list
        if model == "household":
            return names_of_households(h.code for h in rows)
        return {row.full_name for row in rows}

    return search


SURFACES = {
    "household list": household_list,
    "visit picker": visit_picker,
    "training attendees": training_attendees,
    "API households": api("/api/households/", Household),
    "API residents": api("/api/residents/", Resident),
    "API workers": api("/api/workers/", Worker),
    "admin households": admin("villages", "household"),
    "admin residents": admin("villages", "resident"),
    "admin workers": admin("mobilization", "worker"),
}

QUERIES = {
    "nguyen thi": {LAN},
    "NGUYỄN": {LAN},
    unicodedata.normalize("NFD", "Nguyễn"): {LAN},
    unicodedata.normalize("NFD", "nguyễn thị lan"): {LAN},
    "  nguyen \t  thi ": {LAN},
    "lan nguyen": {LAN},  # every word, in any order
    "dang": {HUNG},
    "ĐẶNG VĂN": {HUNG},
    "van": {HUNG, BINH},
    "nguyen hung": set(),  # the words of two people are no one's name
}


@pytest.mark.parametrize("text", list(QUERIES), ids=ascii)
@pytest.mark.parametrize("surface", list(SURFACES))
def test_the_same_text_finds_the_same_people_everywhere(client, official, people, surface, text):
    official.is_staff = True
    official.save(update_fields=["is_staff"])
    client.force_login(official)
    assert SURFACES[surface](client, text) == QUERIES[text]


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("Nguyễn Thị Đào", "nguyen thi dao"),
        (unicodedata.normalize("NFD", "Nguyễn Thị Đào"), "nguyen thi dao"),
        ("ĐẶNG  Văn\tHÙNG ", "dang van hung"),
        ("Lê\x00Văn", "le van"),  # control characters count as spaces
        ("", ""),
        (None, ""),
    ],
)
def test_fold_is_the_one_search_form_of_a_name(typed, folded):
    assert fold(typed) == folded


# --- One cap on a search's length (softbridge.request_limits.SEARCH_MAX_LENGTH)

TAIL = "Z" * 10_000
# The first SEARCH_MAX_LENGTH characters are words of a name; the rest is beyond the cap.
LONG = ("lan " * SEARCH_MAX_LENGTH)[:SEARCH_MAX_LENGTH] + TAIL


def move_options(client, text):
    household = Household.objects.get(code="NK-101")
    response = client.get(reverse("villages:household_options", args=[household.pk]), {"q": text})
    return {r.full_name for h in response.context["options"] for r in h.members.all()}


def move_page(client, text):
    household = Household.objects.get(code="NK-101")
    member = household.members.get()
    response = client.get(reverse("villages:member_move", args=[household.pk, member.pk]), {"q": text})
    return {r.full_name for h in response.context["options"] for r in h.members.all()}


def visit_form(client, text):
    options = client.get(reverse("visits:new"), {"q": text}).context["options"]
    return names_of_households(h.code for h in options)


SEARCH_BOXES = {**SURFACES, "move options": move_options, "move page": move_page, "visit form": visit_form}


@pytest.mark.parametrize("surface", list(SEARCH_BOXES))
def test_no_search_reaches_the_database_beyond_the_cap(client, official, people, surface):
    official.is_staff = True
    official.save(update_fields=["is_staff"])
    client.force_login(official)
    with CaptureQueriesContext(connection) as queries:
        if surface.startswith("API"):
            path = {"API households": "/api/households/", "API residents": "/api/residents/"}.get(
                surface, "/api/workers/"
            )
            response = client.get(path, {"search": LONG}, HTTP_ACCEPT_LANGUAGE="en")
            assert response.status_code == 400
            assert list(response.json()) == ["search"]
            assert str(SEARCH_MAX_LENGTH) in response.json()["search"][0]
        else:
            SEARCH_BOXES[surface](client, LONG)
    assert not any("zzzz" in query["sql"].lower() for query in queries.captured_queries)


@pytest.mark.parametrize(
    "page",
    [
        lambda: reverse("villages:households"),
        lambda: reverse("visits:new") + "?q=lan",
        lambda: reverse(
            "villages:member_move",
            args=[Household.objects.get(code="NK-101").pk, Resident.objects.get(full_name=LAN).pk],
        ),
        lambda: reverse(
            "training:attendance",
            args=[
                session_record(
                    commune=Household.objects.get(code="NK-101").commune,
                    village=Household.objects.get(code="NK-101").village,
                    held_on=datetime.date(2025, 3, 4),
                ).pk
            ],
        ),
    ],
    ids=["household list", "visit form", "move page", "attendance"],
)
def test_every_search_box_takes_no_more_than_the_cap(client, official, people, page):
    client.force_login(official)
    html = client.get(page()).content.decode()
    boxes = re.findall(r'<input type="search"[^>]*>', html)
    assert boxes
    assert all(f'maxlength="{SEARCH_MAX_LENGTH}"' in box for box in boxes)


def test_the_household_list_says_the_search_is_too_long(client, official, people):
    client.force_login(official)
    response = client.get(reverse("villages:households"), {"q": LONG}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert f"Ensure this value has at most {SEARCH_MAX_LENGTH} characters" in response.content.decode()


# --- Many words (issue 28): 500 one-letter words made SQLite refuse the query ("Expression
# tree is too large"), a 500. Each box takes its first SEARCH_MAX_LENGTH characters and looks
# for the first SEARCH_MAX_WORDS different words (villages.selectors.names_matching).

ONE_LETTER_WORDS = " ".join("abcdefghijklmnopqrstuvwxyz"[n % 26] for n in range(500))
AT_THE_CAP = " ".join(f"{a}{b}" for a in "abcdefghij" for b in "klmnopqrstuvwxyz")[:SEARCH_MAX_LENGTH]


@pytest.mark.parametrize("text", [ONE_LETTER_WORDS, AT_THE_CAP], ids=["500 one-letter words", "at the cap"])
@pytest.mark.parametrize("surface", list(SEARCH_BOXES))
def test_every_search_box_answers_many_words(client, official, people, surface, text):
    official.is_staff = True
    official.save(update_fields=["is_staff"])
    client.force_login(official)
    if surface.startswith("API") or surface == "household list":
        text = text[:SEARCH_MAX_LENGTH]  # these refuse a longer text (above)
    # Words that are in no name: nobody is found, and no search fails.
    assert SEARCH_BOXES[surface](client, text) == set()


def test_a_word_typed_twice_is_looked_for_once_and_ten_words_at_most(people):
    assert str(names_matching("lan lan LAN", "search_name")) == str(names_matching("lan", "search_name"))
    many = names_matching(" ".join(f"w{n}" for n in range(50)), "search_name")
    assert str(many).count("search_name__contains") == SEARCH_MAX_WORDS
    assert "w9'" in str(many) and "w10'" not in str(many)
