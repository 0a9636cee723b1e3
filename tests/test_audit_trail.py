"""The audit trail: who changed a household, its members, its visits and applications, and what."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token

from softbridge.calendar import commune_today
from tests import factories
from villages.models import Household, Resident

D = datetime.date
TODAY = commune_today()


def history_page(client, household):
    return client.get(reverse("villages:household_history", args=[household.pk]), HTTP_ACCEPT_LANGUAGE="en")


def entries_of(response):
    return list(response.context["page"].object_list)


def edit_phone(client, household, phone):
    url = reverse("villages:household_edit", args=[household.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update({"phone": phone, "has_smartphone": "", "has_internet": ""})
    return client.post(url, data)


def test_a_household_edit_is_recorded_with_who_and_what(client, official, household_a):
    client.force_login(official)
    assert edit_phone(client, household_a, "0912345678").status_code == 302
    [entry] = [e for e in entries_of(history_page(client, household_a)) if e.kind == "~"]
    assert (entry.user, entry.object_type, entry.object_id) == ("official", "household", household_a.pk)
    assert [(c.field, c.old, c.new) for c in entry.changes] == [("phone", "", "0912345678")]


def test_a_ladder_tick_by_the_village_head_is_in_the_trail(client, head_a, official, household_a, resident_a):
    client.force_login(head_a)
    url = reverse("villages:member_ladder", args=[household_a.pk, resident_a.pk])
    assert client.post(url, {"step": "eid", "on": "2025-03-04"}).status_code == 302
    client.force_login(official)
    entries = entries_of(history_page(client, household_a))
    [entry] = [e for e in entries if e.object_type == "resident" and e.kind == "~"]
    assert entry.user == "head_a" and entry.kind == "~"
    assert ("e-ID since", "", "2025-03-04") in [(c.field, c.old, c.new) for c in entry.changes]


def test_a_visit_logged_in_the_field_shows_who_logged_it(client, worker_a, official, household_a, resident_a):
    client.force_login(worker_a)
    page = client.get(reverse("visits:new"), {"household": household_a.pk})
    form = page.context["form"]
    data = {name: form[name].value() or "" for name in form.fields if form[name].value() is not None}
    data.update({"household": household_a.pk, "visited_on": TODAY.isoformat()})
    data["workers"] = [w.pk for w in form.fields["workers"].queryset[:1]]
    response = client.post(reverse("visits:new"), data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    client.force_login(official)
    visits = [e for e in entries_of(history_page(client, household_a)) if e.object_type == "visit"]
    assert [(e.kind, e.user) for e in visits] == [("+", "worker_a")]
    assert visits[0].subject == f"visit of {TODAY:%d/%m/%Y}"  # the day as the page writes it, not ISO


def test_removed_and_departed_members_stay_in_the_trail(client, official, household_a, resident_a):
    client.force_login(official)
    url = reverse("villages:member_departure", args=[household_a.pk, resident_a.pk])
    response = client.post(url, {"reason": "died", "on": "2025-01-31"})
    assert response.status_code == 302
    Resident.objects.filter(pk=resident_a.pk).delete()
    kinds = [(e.object_type, e.kind) for e in entries_of(history_page(client, household_a))]
    assert ("resident", "-") in kinds and ("resident", "~") in kinds


def test_the_history_page_runs_a_fixed_number_of_queries(client, official, household_a):
    client.force_login(official)
    for n in range(2):
        edit_phone(client, household_a, f"091234567{n}")
    with CaptureQueriesContext(connection) as few:
        history_page(client, household_a)
    for n in range(2, 8):
        edit_phone(client, household_a, f"091234567{n}")
        factories.resident(household_a)
    with CaptureQueriesContext(connection) as many:
        response = history_page(client, household_a)
    assert len(entries_of(response)) > 8
    assert len(few) == len(many)


# --- Who may read it -----------------------------------------------------------------------


def test_the_household_page_links_the_history_for_officials_only(client, official, head_a, household_a):
    url = reverse("villages:household", args=[household_a.pk])
    history = reverse("villages:household_history", args=[household_a.pk])
    client.force_login(official)
    assert history in client.get(url).content.decode()
    client.force_login(head_a)
    assert history not in client.get(url).content.decode()


# --- The API -------------------------------------------------------------------------------


def api_history(client, household, user=None):
    headers = {}
    if user is not None:
        headers["HTTP_AUTHORIZATION"] = f"Token {Token.objects.get_or_create(user=user)[0].key}"
    return client.get(f"/api/households/{household.pk}/history/", HTTP_ACCEPT_LANGUAGE="en", **headers)


def test_the_api_gives_officials_the_trail(client, official, household_a):
    client.force_login(official)
    edit_phone(client, household_a, "0987654321")
    client.logout()
    response = api_history(client, household_a, official)
    assert response.status_code == 200
    [changed] = [e for e in response.json()["results"] if e["kind"] == "~"]
    assert changed["user"] == "official" and changed["object_type"] == "household"
    assert {"field": "phone", "old": "", "new": "0987654321"} in changed["changes"]


def test_the_api_is_read_only(client, official, household_a):
    token = Token.objects.create(user=official).key
    before = household_a.history.count()
    response = client.post(
        f"/api/households/{household_a.pk}/history/", {}, HTTP_AUTHORIZATION=f"Token {token}"
    )
    assert response.status_code == 405
    assert household_a.history.count() == before


def test_a_household_saved_twice_without_change_adds_no_entry(client, official, household_a):
    Household.objects.get(pk=household_a.pk).save()
    client.force_login(official)
    assert not [e for e in entries_of(history_page(client, household_a)) if e.kind == "~"]
