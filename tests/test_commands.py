"""add_commune and grant: the contract other issues and checks rely on."""

import pytest
from django.core.management import CommandError, call_command

from mobilization.models import Worker
from tests import factories
from villages.models import Commune, Role


def test_add_commune_creates_then_is_idempotent(db, capsys):
    call_command("add_commune", "01558", "Xã Hạ Lang", "--province", "Tỉnh Cao Bằng")
    call_command("add_commune", "01558", "Xã Hạ Lang")
    commune = Commune.objects.get()
    assert (commune.code, commune.name, commune.province.name) == ("01558", "Xã Hạ Lang", "Tỉnh Cao Bằng")
    assert "01558" in capsys.readouterr().out


def test_add_commune_refuses_a_bad_code(db):
    with pytest.raises(CommandError, match="five digits"):
        call_command("add_commune", "1558", "Xã Hạ Lang")
    assert not Commune.objects.exists()


def test_grant_gives_a_village_head_their_villages(commune, village_a, village_b):
    factories.user(username="lan")
    call_command("grant", "lan", "village_head", "--commune", "01558", "--village", "NK", "--village", "BT")
    role = Role.objects.get(user__username="lan")
    assert role.kind == "village_head"
    assert set(role.villages.values_list("code", flat=True)) == {"NK", "BT"}


def test_grant_replaces_the_previous_role_in_that_commune(commune, village_a):
    factories.user(username="lan")
    call_command("grant", "lan", "village_head", "--commune", "01558", "--village", "NK")
    call_command("grant", "lan", "official", "--commune", "01558")
    role = Role.objects.get(user__username="lan")
    assert role.kind == "official"
    assert not role.villages.exists()


def test_grant_worker_creates_their_worker_record_once(commune, village_a):
    factories.user(username="tu", first_name="Tú", last_name="Lương")
    call_command("grant", "tu", "worker", "--commune", "01558", "--village", "NK")
    call_command("grant", "tu", "worker", "--commune", "01558", "--village", "NK")
    assert Worker.objects.filter(user__username="tu", commune=commune).count() == 1
    assert Worker.objects.get(user__username="tu").full_name == "Tú Lương"


def test_grant_lets_the_user_into_the_scoped_admin(commune):
    user = factories.user(username="lan")
    assert not user.is_staff
    call_command("grant", "lan", "leader", "--commune", "01558")
    user.refresh_from_db()
    assert user.is_staff and not user.is_superuser


def test_grant_official_needs_no_worker_record(commune):
    factories.user(username="lan")
    call_command("grant", "lan", "official", "--commune", "01558")
    assert not Worker.objects.exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["lan", "chief", "--commune", "01558"], "Unknown role chief"),
        (["nobody", "official", "--commune", "01558"], "No user named nobody"),
        (["lan", "official", "--commune", "99999"], "No commune with code 99999"),
        (["lan", "village_head", "--commune", "01558", "--village", "ZZ"], "No village with code ZZ"),
        (["lan", "village_head", "--commune", "01558"], "at least one --village"),
        (["lan", "leader", "--commune", "01558", "--village", "NK"], "whole commune"),
    ],
)
def test_grant_refuses_with_a_clear_message(commune, village_a, args, message):
    factories.user(username="lan")
    with pytest.raises(CommandError, match=message):
        call_command("grant", *args)
    assert not Role.objects.exists()


def test_grant_refuses_a_village_of_another_commune(commune, other_commune):
    factories.village(other_commune, code="QL1")
    factories.user(username="lan")
    with pytest.raises(CommandError, match="No village with code QL1"):
        call_command("grant", "lan", "village_head", "--commune", "01558", "--village", "QL1")
