"""One name search everywhere: the same text finds the same people on every page, the API and the admin.

A name matches when every word typed is in it, with or without diacritics (đ typed as d),
in any case, typed in NFC or NFD, whatever the spaces (villages.text.fold,
villages.selectors.names_matching).
"""

import datetime
import unicodedata

import pytest
from django.urls import reverse

from mobilization.models import Worker
from tests import factories
from training.services import session_record
from villages.models import Household, Resident
from villages.text import fold

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
