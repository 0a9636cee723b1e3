"""Provinces and the official list of the 2025 reform: add_commune fills a commune's name and
province from it, a name given wins, and the list is the one whose codes the reform kept."""

import pytest
from django.core.management import CommandError, call_command

from tests import factories
from villages.models import Commune, Province, ProvinceRole, Role
from villages.official_list import official_commune, official_communes, official_province, official_provinces


def test_the_list_holds_34_provinces_and_3321_communes():
    assert len(official_provinces()) == 34
    assert len(official_communes()) == 3321


@pytest.mark.parametrize(
    ("code", "name", "merged_from"),
    [
        # Each new commune keeps the code of a unit merged into it (Resolution 1657/NQ-UBTVQH15 for
        # Cao Bằng): Thanh Nhật town was 01558, Lý Quốc commune 01537, Vinh Quý commune 01561. The
        # other package (vietnam-provinces 2025.10.1) gives 1561 to Hạ Lang and 1558 to Lý Quốc.
        ("01558", "Xã Hạ Lang", "thị trấn Thanh Nhật"),
        ("01537", "Xã Lý Quốc", "Lý Quốc"),
        ("01561", "Xã Vinh Quý", "Vinh Quý"),
        ("01552", "Xã Quang Long", "Quang Long"),
    ],
)
def test_hạ_lang_and_its_neighbours_keep_the_codes_the_reform_kept(code, name, merged_from):
    commune = official_commune(code)
    assert commune.name == name
    assert (commune.province.code, commune.province.name) == ("04", "Tỉnh Cao Bằng")
    assert merged_from in commune.note
    assert "1657/NQ-UBTVQH15" in commune.note


@pytest.mark.parametrize("typed", ["04", "4", "Tỉnh Cao Bằng", "Cao Bằng", "cao bang", "CAO BANG"])
def test_a_province_is_found_by_code_or_name(typed):
    assert official_province(typed).code == "04"


def test_a_city_is_found_without_its_type():
    assert official_province("Hà Nội").name == "Thành phố Hà Nội"


def test_add_commune_fills_name_and_province_from_the_official_list(db, capsys):
    call_command("add_commune", "01558")

    commune = Commune.objects.get()
    assert (commune.code, commune.name) == ("01558", "Xã Hạ Lang")
    assert (commune.province.code, commune.province.name) == ("04", "Tỉnh Cao Bằng")
    assert "Tỉnh Cao Bằng (04)" in capsys.readouterr().out


def test_a_name_given_on_the_command_line_wins(db, capsys):
    call_command("add_commune", "01558", "Xã Hạ Lang (thí điểm)")

    commune = Commune.objects.get()
    assert commune.name == "Xã Hạ Lang (thí điểm)"
    assert commune.province.code == "04"
    assert "The official list says Xã Hạ Lang, Tỉnh Cao Bằng; kept what was given." in capsys.readouterr().out


def test_running_it_again_keeps_the_name_given_before(db):
    call_command("add_commune", "01558", "Xã Hạ Lang (thí điểm)")
    call_command("add_commune", "01558", "--province", "04")

    commune = Commune.objects.get()
    assert commune.name == "Xã Hạ Lang (thí điểm)"
    assert Province.objects.count() == 1


def test_a_province_given_wins_too(db):
    call_command("add_commune", "01558", "--province", "Lạng Sơn")

    assert Commune.objects.get().province.name == "Tỉnh Lạng Sơn"


def test_a_code_outside_the_list_needs_a_name(db):
    with pytest.raises(CommandError, match="not in the official list of communes: give the commune's name"):
        call_command("add_commune", "99001")

    assert not Commune.objects.exists()


def test_a_code_outside_the_list_takes_the_name_and_province_given(db, capsys):
    call_command("add_commune", "99001", "Xã Thử", "--province", "04")

    commune = Commune.objects.get()
    assert (commune.name, commune.province.code) == ("Xã Thử", "04")
    assert "Code 99001 is not in the official list" in capsys.readouterr().out


def test_an_unknown_province_is_refused_and_nothing_saved(db):
    with pytest.raises(CommandError, match="No province Atlantis in the official list"):
        call_command("add_commune", "01558", "--province", "Atlantis")

    assert not Commune.objects.exists()
    assert not Province.objects.exists()


def test_grant_makes_a_province_leader_without_the_admin(db, capsys):
    user = factories.user(username="tinh")

    call_command("grant", "tinh", "province_leader", "--province", "04")

    role = ProvinceRole.objects.get(user=user)
    assert (role.province.code, role.province.name, role.kind) == ("04", "Tỉnh Cao Bằng", "province_leader")
    assert not Role.objects.exists()
    user.refresh_from_db()
    assert not user.is_staff
    assert "tinh is now province leader of Tỉnh Cao Bằng." in capsys.readouterr().out


def test_grant_province_leader_twice_gives_one_role(db):
    factories.user(username="tinh")
    call_command("grant", "tinh", "province_leader", "--province", "04")
    call_command("grant", "tinh", "province_leader", "--province", "Cao Bằng")

    assert ProvinceRole.objects.count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["tinh", "province_leader"], "needs --province CODE"),
        (["tinh", "province_leader", "--province", "04", "--commune", "01558"], "no --commune"),
        (["tinh", "province_leader", "--province", "77"], "No province 77"),
        (["nobody", "province_leader", "--province", "04"], "No user named nobody"),
        (["tinh", "leader", "--province", "04"], "needs --commune CODE"),
        (["tinh", "leader"], "needs --commune CODE"),
    ],
)
def test_grant_refuses_a_province_role_said_wrong(db, args, message):
    factories.user(username="tinh")
    with pytest.raises(CommandError, match=message):
        call_command("grant", *args)

    assert not ProvinceRole.objects.exists()
    assert not Role.objects.exists()
