"""Moves between the communes of a province (issue 31): an arrival in B (the API, the roster
import) with the ID number of a person living in A ends A's stay on the arrival day, and the
ladder's dates travel; each commune's and the province's figures, month by month, equal a
count made here from the scenario alone: each person once, in the commune where they lived
at the month's end. A conflict (both stays open) is listed for both communes and counted
once by the province.
"""

import csv
import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reports.selectors.adoption import adoption_series
from reports.selectors.province import province_adoption
from softbridge.calendar import month_end, months_between
from tests import factories
from villages import roster_views
from villages.between_communes import conflict_resolve, conflicts_of
from villages.models import CommuneMove, Resident, Role
from villages.roster.importing import roster_import

D = datetime.date
START, END = D(2025, 1, 1), D(2025, 12, 1)
HEADER = ["village_code", "household_code", "full_name", "birth_year", "national_id", "moved_in_on", "eid_on"]


def roster(*rows: dict) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([row.get(name, "") for name in HEADER])
    return out.getvalue().encode()


def imported(commune, *rows):
    result = roster_import(commune=commune, source=roster(*rows))
    assert not result.errors, result.errors
    return result


@pytest.fixture
def places(commune, other_commune):
    """Commune A (two villages) and B (two villages) of one province, a household in each."""
    assert commune.province_id == other_commune.province_id
    a1, a2 = factories.village(commune, code="A1"), factories.village(commune, code="A2")
    b1, b2 = factories.village(other_commune, code="B1"), factories.village(other_commune, code="B2")
    return {
        "A": commune,
        "B": other_commune,
        "A1": factories.household(a1, code="HA1"),
        "A2": factories.household(a2, code="HA2"),
        "B1": factories.household(b1, code="HB1"),
        "B2": factories.household(b2, code="HB2"),
    }


# The scenario, as the test knows it: each person's stays (commune, from; None: always) and
# the first day of each ladder step, wherever it happened.
PEOPLE = {
    "Hoa": {
        "birth_year": 1985,
        "stays": [
            ("A", None),
            ("A", D(2025, 2, 10)),
            ("B", D(2025, 4, 15)),
            ("B", D(2025, 7, 20)),
            ("A", D(2025, 10, 1)),
        ],
        "eid": D(2024, 6, 1),
        "level34": D(2025, 6, 3),
    },
    "Tuan": {
        "birth_year": 2010,
        "stays": [("B", D(2024, 1, 1)), ("A", D(2025, 5, 31))],
        "eid": D(2025, 3, 10),
        "level34": None,
    },
    "Lan": {"birth_year": 1970, "stays": [("A", None)], "eid": D(2025, 8, 5), "level34": None},
}


def expected(commune_key: str | None) -> list[tuple[int, int, int, int]]:
    """The count at each month's end, from PEOPLE alone: each person once, where they lived."""
    series = []
    for month in months_between(START, END):
        end = month_end(month)
        counts = [0, 0, 0, 0]
        for person in PEOPLE.values():
            living = [c for c, since in person["stays"] if since is None or since <= end]
            if not living or (commune_key is not None and living[-1] != commune_key):
                continue
            if month.year - person["birth_year"] < 15:
                continue
            level34 = person["level34"]
            counts[0] += 1
            counts[1] += person["eid"] is not None and person["eid"] <= end
            counts[2] += level34 is not None and level34 <= end
            counts[3] += level34 is not None and level34 <= end
        series.append(tuple(counts))
    return series


def as_tuples(figures):
    return [(f.eligible, f.eid, f.online, f.level34) for f in figures]


def test_people_moving_between_two_communes_count_once_where_they_live_each_month(places, official):
    a, b = places["A"], places["B"]
    official_b = factories.role_user("official", b)
    api_a, api_b = factories.api_client(official), factories.api_client(official_b)
    # Hoa lives in A (village A1), e-ID in A, then moves to A2 (the API's move).
    hoa = factories.resident(
        places["A1"],
        full_name="Nông Thị Hoa",
        birth_year=1985,
        national_id="004185000123",
        eid_on=D(2024, 6, 1),
    )
    moved = api_a.post(
        f"/api/residents/{hoa.pk}/move/", {"household": places["A2"].pk, "on": "2025-02-10"}, format="json"
    )
    assert moved.status_code == 200, moved.content
    # Tuan is on B's roster (village B2); Lan on A's.
    imported(
        b,
        {
            "village_code": "B2",
            "household_code": "HB2",
            "full_name": "Lục Văn Tuấn",
            "birth_year": "2010",
            "national_id": "004210000456",
            "moved_in_on": "2024-01-01",
            "eid_on": "2025-03-10",
        },
    )
    imported(
        a,
        {
            "village_code": "A1",
            "household_code": "HA1",
            "full_name": "Hà Thị Lan",
            "birth_year": "1970",
            "eid_on": "2025-08-05",
        },
    )
    # Hoa arrives in B (the API), gets level 3/4 there, moves to B2 on B's roster.
    arrived = api_b.post(
        "/api/residents/",
        {
            "household": places["B1"].pk,
            "full_name": "Nông Thị Hoa",
            "birth_year": 1985,
            "national_id": "004185000123",
            "moved_in_on": "2025-04-15",
        },
        format="json",
    )
    assert arrived.status_code == 201, arrived.content
    hoa_b = Resident.objects.get(pk=arrived.json()["id"])
    assert hoa_b.eid_on == D(2024, 6, 1)  # the e-ID travelled
    hoa.refresh_from_db()
    assert (hoa.left_on, hoa.left_reason) == (D(2025, 4, 15), "moved_away")
    assert (
        api_b.post(
            f"/api/residents/{hoa_b.pk}/ladder/", {"step": "level34", "on": "2025-06-03"}, format="json"
        ).status_code
        == 200
    )
    imported(
        b,
        {
            "village_code": "B2",
            "household_code": "HB2",
            "full_name": "Nông Thị Hoa",
            "birth_year": "1985",
            "national_id": "004185000123",
            "moved_in_on": "2025-07-20",
        },
    )
    # Tuan arrives in A on A's roster; Hoa comes back to A (village A1) on A's roster.
    result = imported(
        a,
        {
            "village_code": "A2",
            "household_code": "HA2",
            "full_name": "Lục Văn Tuấn",
            "birth_year": "2010",
            "national_id": "004210000456",
            "moved_in_on": "2025-05-31",
        },
    )
    assert [(c.row, c.full_name, c.changes[0][0]) for c in result.arrivals] == [(2, "Lục Văn Tuấn", b.name)]
    result = imported(
        a,
        {
            "village_code": "A1",
            "household_code": "HA1",
            "full_name": "Nông Thị Hoa",
            "birth_year": "1985",
            "national_id": "004185000123",
            "moved_in_on": "2025-10-01",
        },
    )
    assert [c.full_name for c in result.arrivals] == ["Nông Thị Hoa"]

    hoa.refresh_from_db()
    assert hoa.level34_on == D(2025, 6, 3) and hoa.online_on == D(2025, 6, 3)  # travelled back
    tuan_a = Resident.objects.get(commune=a, national_id="004210000456")
    assert tuan_a.eid_on == D(2025, 3, 10)
    assert set(CommuneMove.objects.values_list("from_commune__code", "to_commune__code", "on")) == {
        ("01558", "01561", D(2025, 4, 15)),
        ("01561", "01558", D(2025, 5, 31)),
        ("01561", "01558", D(2025, 10, 1)),
    }
    assert as_tuples(adoption_series(commune=a, start=START, end=END)) == expected("A")
    assert as_tuples(adoption_series(commune=b, start=START, end=END)) == expected("B")
    province = province_adoption(communes=[a, b], months=months_between(START, END))
    assert as_tuples(province.total) == expected(None)
    assert conflicts_of(a) == [] and conflicts_of(b) == []


def test_a_conflict_is_listed_for_both_communes_and_counted_once_by_the_province(places, official):
    a, b = places["A"], places["B"]
    here = factories.resident(
        places["A1"],
        full_name="Bế Văn Minh",
        birth_year=1990,
        national_id="004190000789",
        moved_in_on=D(2024, 1, 1),
        eid_on=D(2024, 5, 1),
    )
    # B registers him as living there since before his stay in A began: A's cannot end then.
    api_b = factories.api_client(factories.role_user("official", b))
    body = {
        "household": places["B1"].pk,
        "full_name": "Bế Văn Minh",
        "birth_year": 1990,
        "national_id": "004190000789",
        "moved_in_on": "2023-06-01",
    }
    assert api_b.post("/api/residents/", body, format="json").status_code == 201
    there = Resident.objects.get(commune=b)
    here.refresh_from_db()
    assert here.left_on is None and there.eid_on is None  # nothing moved: a conflict
    assert [(c.resident, c.other_commune, c.other_moved_in_on) for c in conflicts_of(a)] == [
        (here, b.name, D(2023, 6, 1))
    ]
    assert [(c.resident, c.other_commune, c.other_moved_in_on) for c in conflicts_of(b)] == [
        (there, a.name, D(2024, 1, 1))
    ]
    months = [D(2025, 1, 1), D(2025, 6, 1)]
    each = [as_tuples(adoption_series(commune=c, start=months[0], end=months[1])) for c in (a, b)]
    assert each == [[(1, 1, 0, 0)] * 6, [(1, 0, 0, 0)] * 6]  # each commune counts its record
    # The province: once, in A, the most recent arrival (2024-01-01, after B's 2023-06-01).
    assert as_tuples(province_adoption(communes=[a, b], months=months).total) == [(1, 1, 0, 0)] * 2

    with pytest.raises(ValidationError) as refused:
        conflict_resolve(resident=here, ended_on=D(2025, 3, 1))  # B's stay is still open then
    assert "ended_on" in refused.value.message_dict
    conflict_resolve(resident=there, ended_on=D(2024, 1, 1))
    assert conflicts_of(a) == [] and conflicts_of(b) == []
    assert as_tuples(province_adoption(communes=[a, b], months=[D(2023, 12, 1)]).total) == [(1, 0, 0, 0)]


# --- The pages: what each commune's officials see -------------------------------------------


def test_a_departure_naming_the_destination_is_joined_by_the_arrival_on_the_page(client, places, official):
    a, b = places["A"], places["B"]
    hoa = factories.resident(
        places["A1"],
        full_name="Nông Thị Hoa",
        birth_year=1985,
        national_id="004185000123",
        eid_on=D(2024, 6, 1),
    )
    factories.visit(places["A1"], notes="Bà Hoa nhờ cài VNeID cho con")
    client.force_login(official)
    left = client.post(
        reverse("villages:member_departure", args=[places["A1"].pk, hoa.pk]),
        {"reason": "moved_away", "on": "2025-04-15", "to_commune": b.pk},
    )
    assert left.status_code == 302
    assert list(CommuneMove.objects.values_list("resident", "to_commune", "on", "arrival")) == [
        (hoa.pk, b.pk, D(2025, 4, 15), None)
    ]
    official_b = factories.role_user("official", b)
    client.force_login(official_b)
    member = {
        "full_name": "Nông Thị Hoa",
        "sex": "F",
        "birth_year": "1985",
        "national_id": "004185000123",
        "phone": "",
        "relation": "head",
        "moved_in_on": "2025-04-20",
    }
    assert client.post(reverse("villages:member_new", args=[places["B1"].pk]), member).status_code == 302
    there = Resident.objects.get(commune=b)
    assert CommuneMove.objects.get().arrival == there
    assert there.eid_on == D(2024, 6, 1)

    page = client.get(reverse("villages:moves"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    arrivals = page[page.index('id="moves-in"') :]
    arrivals = arrivals[: arrivals.index("</table>")]
    assert "Nông Thị Hoa" in arrivals and "1985" in arrivals and a.name in arrivals
    assert "1 Jun 2024" in arrivals and "20 Apr 2025" in arrivals  # the e-ID travelled; the day B gave
    # Nothing of A's register: its household, its visits' notes, its record.
    assert "HA1" not in page and "VNeID cho con" not in page
    assert client.get(reverse("villages:household", args=[places["A1"].pk])).status_code == 404
    assert factories.api_client(official_b).get(f"/api/residents/{hoa.pk}/").status_code == 404

    client.force_login(official)
    page = client.get(reverse("villages:moves"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    departures = page[page.index('id="moves-out"') :]
    assert "Nông Thị Hoa" in departures[: departures.index("</table>")] and b.name in departures


def test_the_moves_page_is_for_officials_and_a_province_leader_sees_no_person(
    client, places, official, leader
):
    factories.resident(
        places["A1"], full_name="Bế Văn Minh", national_id="004190000789", moved_in_on=D(2024, 1, 1)
    )
    factories.resident(
        places["B1"], full_name="Bế Văn Minh", national_id="004190000789", moved_in_on=D(2023, 6, 1)
    )
    for user in (leader, factories.province_leader(), factories.role_user("village_head", places["A"])):
        client.force_login(user)
        assert client.get(reverse("villages:moves")).status_code == 403
    client.force_login(official)
    page = client.get(reverse("villages:moves"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    conflicts = page[page.index('id="moves-conflicts"') :]
    conflicts = conflicts[: conflicts.index("</table>")]
    assert "Bế Văn Minh" in conflicts and places["B"].name in conflicts and "HB1" not in page


def test_a_number_masked_in_a_stays_masked_for_an_official_of_b(client, places):
    """One user: village head in A (A's numbers masked for them) and official of B. The page of
    moves shows B's records only; of A's record, the commune's name and the dates."""
    factories.resident(
        places["A1"], full_name="Bế Văn Minh (A)", national_id="004190000789", phone="0912000111"
    )
    factories.resident(places["A2"], full_name="Lò Thị Mai", national_id="004199000222")
    factories.resident(
        places["B1"], full_name="Bế Văn Minh", national_id="004190000789", moved_in_on=D(2023, 6, 1)
    )
    user = factories.role_user("official", places["B"])
    Role.objects.create(user=user, commune=places["A"], kind="village_head").villages.set(
        [places["A1"].village]
    )
    client.force_login(user)
    household = client.get(reverse("villages:household", args=[places["A1"].pk])).content.decode()
    assert "004190000789" not in household  # masked for them in A
    page = client.get(reverse("villages:moves"), {"commune": places["A"].pk}, HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert page.status_code == 200 and places["A"].name in text  # the conflict names A ...
    assert "Bế Văn Minh (A)" not in text and "0912000111" not in text and "HA1" not in text  # ... only
    assert "004199000222" not in text and "Lò Thị Mai" not in text  # A's page is not theirs to open


def test_an_official_ends_a_conflicting_stay_from_the_page(client, places, official):
    here = factories.resident(
        places["A1"], full_name="Bế Văn Minh", national_id="004190000789", moved_in_on=D(2024, 1, 1)
    )
    factories.resident(
        places["B1"], full_name="Bế Văn Minh", national_id="004190000789", moved_in_on=D(2025, 3, 1)
    )
    # B's stay began after A's: an arrival would have ended it; here both were typed directly.
    assert len(conflicts_of(places["A"])) == 1
    client.force_login(official)
    url = reverse("villages:moves_resolve", args=[here.pk])
    refused = client.post(url, {"ended_on": "2025-06-01"}, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "would still overlap" in refused.content.decode()
    here.refresh_from_db()
    assert here.left_on is None
    done = client.post(url, {"ended_on": "2025-03-01"}, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert [status for _url, status in done.redirect_chain] == [302]
    assert "no longer lives here from 01/03/2025." in done.content.decode()  # not ISO
    here.refresh_from_db()
    assert (here.left_on, here.left_reason) == (D(2025, 3, 1), "moved_away")
    assert conflicts_of(places["A"]) == []
    other = factories.resident(places["B2"], full_name="Lò Thị Mai", national_id="004199000111")
    assert (
        client.post(
            reverse("villages:moves_resolve", args=[other.pk]), {"ended_on": "2025-03-01"}
        ).status_code
        == 404
    )


def test_the_roster_preview_lists_arrivals_and_conflicts_in_their_own_tables(
    client, places, official, tmp_path, monkeypatch
):
    monkeypatch.setattr(roster_views, "upload_dir", lambda: tmp_path)
    factories.resident(
        places["B1"], full_name="Nông Thị Hoa", national_id="004185000123", moved_in_on=D(2020, 1, 1)
    )
    factories.resident(
        places["B2"], full_name="Bế Văn Minh", national_id="004190000789", moved_in_on=D(2025, 6, 1)
    )
    rows = roster(
        {
            "village_code": "A1",
            "household_code": "HA1",
            "full_name": "Nông Thị Hoa",
            "national_id": "004185000123",
            "moved_in_on": "2025-04-15",
        },
        {
            "village_code": "A2",
            "household_code": "HA2",
            "full_name": "Bế Văn Minh",
            "national_id": "004190000789",
            "moved_in_on": "2025-04-15",
        },
    )
    client.force_login(official)
    sent = client.post(
        reverse("roster:upload"),
        {"commune": places["A"].pk, "file": SimpleUploadedFile("roster.csv", rows, content_type="text/csv")},
    )
    html = client.get(sent["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    arrivals = html[html.index('id="roster-arrivals"') :]
    arrivals = arrivals[: arrivals.index("</table>")]
    conflicts = html[html.index('id="roster-conflicts"') :]
    conflicts = conflicts[: conflicts.index("</table>")]
    assert "Nông Thị Hoa" in arrivals and "Bế Văn Minh" not in arrivals
    assert "Bế Văn Minh" in conflicts and places["B"].name in conflicts and "Nông Thị Hoa" not in conflicts
    # Opened again, the kept preview shows the same tables.
    again = client.get(sent["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="roster-arrivals"' in again and 'id="roster-conflicts"' in again


def test_the_api_departure_names_a_commune_of_the_province_or_is_refused(places, official):
    hoa = factories.resident(places["A1"], full_name="Nông Thị Hoa", national_id="004185000123")
    lam = factories.resident(places["A1"], full_name="Lâm Văn Tú", national_id="004185000124")
    elsewhere = factories.commune("02000", "Xã Khác", province=factories.province("05", "Tỉnh Khác"))
    api = factories.api_client(official)
    for code in (elsewhere.code, places["A"].code, "99999"):
        refused = api.post(
            f"/api/residents/{lam.pk}/departure/",
            {"reason": "moved_away", "on": "2025-04-15", "to_commune": code},
            format="json",
        )
        assert refused.status_code == 400 and "to_commune" in refused.json(), code
    lam.refresh_from_db()
    assert lam.left_on is None  # nothing half-saved
    sent = api.post(
        f"/api/residents/{hoa.pk}/departure/",
        {"reason": "moved_away", "on": "2025-04-15", "to_commune": places["B"].code},
        format="json",
    )
    assert sent.status_code == 200
    assert list(CommuneMove.objects.values_list("resident", "from_commune", "to_commune", "on")) == [
        (hoa.pk, places["A"].pk, places["B"].pk, D(2025, 4, 15))
    ]
