"""A record deleted between opening a page and saving it: the page answers 404, never a 500.

The superuser sees everything, so a 404 here means the record is gone, not out of scope
(the authorization matrix proves the scopes).
"""

import pytest
from django.urls import URLResolver, get_resolver

GONE = "999999"


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


def _urls_naming_one_record() -> list[str]:
    urls = []
    for route in _routes(get_resolver().url_patterns):
        if "<int:" not in route or route.startswith("admin/"):
            continue
        url = "/" + route.replace("^", "").replace("$", "")
        url = url.replace("<int:pk>", GONE).replace("<int:member_pk>", GONE)
        if "<" not in url:
            urls.append(url)
    return sorted(set(urls))


def test_the_walk_finds_the_edit_pages_and_the_api():
    urls = _urls_naming_one_record()
    assert f"/households/{GONE}/edit/" in urls
    assert f"/training/{GONE}/attendance/" in urls
    assert any(url.startswith("/api/") for url in urls)


@pytest.mark.parametrize("url", _urls_naming_one_record())
def test_a_page_for_a_record_that_is_gone_answers_404(url, superuser, client, db):
    client.force_login(superuser)
    assert client.get(url).status_code in (404, 405)
    assert client.post(url, {"action": "save"}).status_code in (404, 405)
