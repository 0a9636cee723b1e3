"""What every request pays before its view runs: the session's user with what villages.access
asks of each request, in one query whose SQL is built once per process (villages.signin);
bench/request_cpu.py measures the CPU."""

import re
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from tests import factories
from villages.access import leads_a_province, reads_aggregates_only, role_kinds_of
from villages.models import Role
from villages.signin import SigninBackend


def test_the_session_user_comes_with_its_role_kinds_in_the_same_query(
    commune, other_commune, worker_a, superuser, django_assert_num_queries
):
    twice = factories.role_user(Role.Kind.LEADER, commune, username="twice")
    Role.objects.create(user=twice, commune=other_commune, kind=Role.Kind.VILLAGE_HEAD)
    province_only = factories.province_leader(commune.province, username="province_only")
    expected = {
        worker_a: {"worker"},
        twice: {"leader", "village_head"},
        province_only: set(),
        superuser: set(),
    }
    for user, kinds in expected.items():
        with django_assert_num_queries(1):
            loaded = SigninBackend().get_user(user.pk)
            assert role_kinds_of(loaded) == kinds
        # Loaded some other way, the same answer for a query.
        plain = type(user).objects.get(pk=user.pk)
        with django_assert_num_queries(1):
            assert role_kinds_of(plain) == kinds
    assert role_kinds_of(AnonymousUser()) == frozenset()


def test_the_menu_drawn_once_per_language_and_role_shows_each_users_own(client, commune, worker_a):
    """The menu (templates/menu.html) is drawn once per language and role
    (softbridge.templatetags.drawn_once), its roles read with the user: each user still gets
    their role's menu, in their page's language, whoever asked before."""
    official = factories.role_user(Role.Kind.OFFICIAL, commune, username="official")
    province = factories.province_leader(commune.province, username="province")
    for user, language, shown, hidden in (
        (official, "en", "Import", None),
        (worker_a, "en", "Log a visit", "Import"),
        (official, "vi", "Nhập dữ liệu", "Import"),
        (province, "vi", "Tỉnh", "Nhập dữ liệu"),
        (worker_a, "en", "Households", "Province"),
        (official, "en", "Import", "Nhập dữ liệu"),
    ):
        client.force_login(user)
        html = client.get(
            reverse("home"), headers={"accept-language": language}, follow=True
        ).content.decode()
        menu = html.split('id="site-menu"')[1].split("</nav>")[0]
        assert f">{shown}</a>" in menu
        assert hidden is None or f">{hidden}</a>" not in menu


def test_the_session_user_comes_with_both_province_flags_in_one_query(
    commune, worker_a, superuser, django_assert_num_queries
):
    province_only = factories.province_leader(commune.province, username="province_only")
    both = factories.role_user(Role.Kind.OFFICIAL, commune, username="both")
    both.province_roles.create(province=commune.province)  # an official who also leads the province
    expected = {
        worker_a: (False, False),
        province_only: (True, True),
        both: (False, True),
        superuser: (False, False),
    }
    for user, (aggregates_only, leads_provinces) in expected.items():
        with django_assert_num_queries(1):
            loaded = SigninBackend().get_user(user.pk)
            assert loaded.reads_aggregates_only is aggregates_only
            assert loaded.leads_provinces is leads_provinces
            assert reads_aggregates_only(loaded) is aggregates_only
            assert leads_a_province(loaded) is (leads_provinces or user.is_superuser)
        assert loaded == user and loaded.username == user.username


def test_the_session_user_is_none_when_gone_or_inactive(worker_a):
    backend = SigninBackend()
    assert backend.get_user(worker_a.pk + 1000) is None
    worker_a.is_active = False
    worker_a.save()
    assert backend.get_user(worker_a.pk) is None
    assert not reads_aggregates_only(AnonymousUser())


def test_a_signed_in_page_loads_the_session_and_the_user_in_two_queries(
    client, worker_a, django_assert_num_queries
):
    """The offline page (no menu) needs nothing of the database but what every request asks:
    the session, and its user with both flags."""
    client.force_login(worker_a)
    client.get(reverse("offline"))
    with django_assert_num_queries(2):
        assert client.get(reverse("offline")).status_code == 200


def test_the_device_texts_drawn_once_follow_each_pages_language(client, worker_a):
    """templates/device.html draws its texts once per language (softbridge.templatetags.drawn_once):
    each page still has them in its own language, the user's own part beside them."""
    client.force_login(worker_a)
    url = reverse("villages:households")
    for language, said in (
        ("en", "{count} not sent"),
        ("vi", "{count} chưa gửi"),
        ("en", "{count} not sent"),
    ):
        html = client.get(url, headers={"accept-language": language}).content.decode()
        device = html.split('<div id="device"')[1].split("</div>")[0]
        assert f'data-waiting="{said}"' in device
        assert f'data-user="{worker_a.pk}"' in device and 'data-outbox-page="/outbox/"' in device


def test_a_part_drawn_once_reads_only_the_values_it_names():
    """A {% per_language %} part is shown to every user as first drawn (softbridge.templatetags.
    drawn_once): inside, no variable printed, conditions on the named values only, addresses
    without arguments from the context, no other tag."""
    parts = 0
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        source = path.read_text()
        for match in re.finditer(r"{% per_language ?([^%]*)%}(.*?){% end_per_language %}", source, re.S):
            parts += 1
            named, body = set(match.group(1).split()), match.group(2)
            assert "{{" not in body, path
            for tag in re.findall(r"{%\s*(.*?)\s*%}", body):
                word, _, rest = tag.partition(" ")
                if word in ("translate", "url"):
                    assert re.fullmatch(r"""(["'][^"']*["']\s*)+""", rest), (path, tag)
                elif word in ("if", "elif"):
                    rest = re.sub(r"""["'][^"']*["']""", "", rest)
                    assert set(re.findall(r"[a-z_.]+", rest)) - {"not", "in", "and", "or"} <= named, (
                        path,
                        tag,
                    )
                else:
                    assert word in ("else", "endif", "comment", "endcomment"), (path, tag)
    assert parts >= 2  # templates/device.html's texts, templates/menu.html
