"""The roster preview kept between visits (issue 28, finding 10): signed JSON in a directory
only the server's user may open, read back only for the official who uploaded the file;
never unpickled."""

import datetime
import os
import pickle

import pytest
from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from tests import factories
from tests.test_roster_views import BAD, GOOD, roster_file, upload
from villages import roster_views
from villages.roster.kept import result_from_json, result_to_json
from villages.roster.planning import _LABELS
from villages.roster.results import Counts, RosterResult, RowChange, RowError


@pytest.fixture(autouse=True)
def uploads_in_tmp(tmp_path, monkeypatch):
    monkeypatch.setattr(roster_views, "upload_dir", lambda: tmp_path)
    return tmp_path


def token_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[1]


def test_the_kept_preview_is_signed_json_naming_its_uploader(
    english_client, official, commune, uploads_in_tmp
):
    english_client.force_login(official)
    url = upload(english_client, commune, BAD)["Location"]
    english_client.get(url)
    text = (uploads_in_tmp / f"{token_of(url)}.preview").read_text()
    payload = signing.loads(text, salt=roster_views.PREVIEW_SALT)
    assert (payload["user"], payload["token"], payload["errors"]) == (official.pk, token_of(url), 2)
    assert [error[:2] for error in payload["result"]["errors"]] == [[5, "nam_sinh"], [6, "so_dinh_danh"]]


class Planted:
    """A pickle that runs code when loaded: the old preview's way of reading would run it."""

    ran = False

    def __reduce__(self):
        return (setattr, (Planted, "ran", True))


def test_a_planted_pickle_is_never_loaded(english_client, official, commune, uploads_in_tmp):
    english_client.force_login(official)
    url = upload(english_client, commune, BAD)["Location"]
    (uploads_in_tmp / f"{token_of(url)}.preview").write_bytes(pickle.dumps(Planted()))
    page = english_client.get(url)
    assert page.status_code == 200
    assert not Planted.ran
    assert "2 problems: nothing from this file will be saved." in page.content.decode()


def test_a_preview_with_a_forged_signature_is_checked_again(
    english_client, official, commune, uploads_in_tmp
):
    english_client.force_login(official)
    url = upload(english_client, commune, BAD)["Location"]
    english_client.get(url)
    forged = RosterResult(rows=3)  # no problems: it would offer the import
    text = signing.dumps(
        {"user": official.pk, "token": token_of(url), "result": result_to_json(forged), "errors": 0},
        key="not the site's key",
        salt=roster_views.PREVIEW_SALT,
    )
    (uploads_in_tmp / f"{token_of(url)}.preview").write_text(text)
    page = english_client.get(url).content.decode()
    assert "2 problems: nothing from this file will be saved." in page
    assert "Import now" not in page


def test_a_preview_kept_for_one_official_is_not_shown_to_another(
    english_client, official, commune, village_a, uploads_in_tmp
):
    english_client.force_login(official)
    url = upload(english_client, commune, GOOD)["Location"]
    assert "Import now" in english_client.get(url).content.decode()
    token = token_of(url)
    # Another official of the commune given the same upload (its token in their session): the
    # preview kept for the first is not theirs, so the file is checked again for them.
    other = Client(headers={"accept-language": "en"})
    other.force_login(factories.role_user("official", commune))
    session = other.session
    session[roster_views.SESSION_KEY] = english_client.session[roster_views.SESSION_KEY]
    session.save()
    (uploads_in_tmp / token).write_bytes(roster_file(BAD).read())
    assert "2 problems" in other.get(url).content.decode()
    # The kept preview is the other's now: the first official's next visit checks the file again.
    payload = signing.loads((uploads_in_tmp / f"{token}.preview").read_text(), salt=roster_views.PREVIEW_SALT)
    assert payload["user"] != official.pk  # the other's check replaced it
    assert "2 problems" in english_client.get(url).content.decode()


def test_a_preview_goes_back_to_the_same_result_in_the_pages_language():
    result = RosterResult(
        errors=[RowError(5, "nam_sinh", "Năm sinh 2099 chưa đến.")],
        rows=7,
        villages=Counts(1, 0, 2),
        households=Counts(2, 1, 0),
        residents=Counts(3, 2, 1),
        created=[RowChange(2, "NK-001", "Nông Thị Hoa")],
        updated=[
            RowChange(
                3,
                "NK-001",
                "Lương Văn Tú",
                (
                    (_LABELS["birth_year"], 1979, 1980),
                    (_LABELS["eid_on"], None, datetime.date(2024, 5, 1)),
                    (_LABELS["phone"], "", "0912345678"),
                ),
            )
        ],
        moved=1,
        moves=[RowChange(4, "PL-001", "Hoàng Văn Đức", ((_LABELS["household"], "NK-001", "PL-001"),))],
        ignored_columns=["ghi_chu"],
    )
    kept = result_from_json(signing.loads(signing.dumps(result_to_json(result))))
    assert kept == result
    assert kept.updated[0].changes[0][0] is _LABELS["birth_year"]  # translated when shown


def test_the_upload_directory_must_be_closed_to_others(tmp_path, settings, monkeypatch):
    monkeypatch.undo()  # the real upload_dir
    settings.ROSTER_UPLOAD_DIR = tmp_path / "uploads"
    assert roster_views.upload_dir() == tmp_path / "uploads"
    assert (tmp_path / "uploads").stat().st_mode & 0o777 == 0o700
    os.chmod(tmp_path / "uploads", 0o777)
    with pytest.raises(ImproperlyConfigured):
        roster_views.upload_dir()
