"""The installable app's files are everyone's (issue 28, finding 9): the manifest, the service
worker and the "No network" page hold no person, and a province leader, kept to figures by
villages.aggregates_gate, gets them too; the list of pages a device keeps is empty for them, so
their phone keeps no page."""

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories


@pytest.fixture
def province_leader(db):
    return factories.province_leader(username="tinh")


@pytest.mark.parametrize("name", ["manifest", "service_worker", "offline"])
def test_a_province_leader_gets_the_installable_apps_files(client, province_leader, name):
    client.force_login(province_leader)
    response = client.get(reverse(name))
    assert response.status_code == 200
    if name == "offline":  # drawn for nobody (its form's CSRF token is the session's)
        assert "tinh" not in response.content.decode()
    else:  # the same file as anybody's: nothing in it is the province leader's
        assert response.content == Client().get(reverse(name)).content


def test_a_province_leaders_phone_is_given_no_page_to_keep(client, province_leader):
    client.force_login(province_leader)
    answer = client.get(reverse("device_pages")).json()
    assert answer["user"] == province_leader.pk
    assert (answer["pages"], answer["households"], answer["charge"]) == ([], [], 0)
    # The worker keeps a copy only of the pages that list names; the others it fetches each time.
    worker = client.get(reverse("service_worker")).content.decode()
    assert 'const KEPT_LIST = "/device/pages/"' in worker
    assert "shownOnly" in worker


def test_the_pages_of_figures_still_refuse_a_person_to_a_province_leader(
    client, province_leader, household_a
):
    client.force_login(province_leader)
    assert client.get(reverse("villages:household", args=[household_a.pk])).status_code == 403


def test_a_province_leaders_pages_say_nothing_of_an_offline_sync(client, province_leader, official):
    # Their phone keeps no page: "Not ready for offline yet" and "Sync now" would say it should.
    client.force_login(province_leader)
    assert 'id="sync-status"' not in client.get(reverse("home"), follow=True).content.decode()
    client.force_login(official)
    assert 'id="sync-status"' in client.get(reverse("home")).content.decode()
