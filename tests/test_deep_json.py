"""A body nested too deep is a 400 on every API write (issue 28, finding 6): about 100 KB of
`[[[[...` ran Python's JSON parser out of stack, a 500 anyone could cause
(softbridge.api_limits.ShallowJSONParser, JSON_DEPTH_MAX in softbridge.request_limits).

Every API line of the authorization matrix's TABLE is sent each deep body with each method it
takes, as the superuser, who may write everywhere; nothing is saved.
"""

import json

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client

from softbridge.request_limits import JSON_DEPTH_MAX
from tests.matrix_table import TABLE
from tests.test_authorization_matrix import Writes, answers, url_of, world  # noqa: F401

# About 100 KB each, as the probe sent them.
DEEP_LIST = "[" * 50_000 + "]" * 50_000
DEEP_OBJECT = '{"a":' * 20_000 + "1" + "}" * 20_000
# Parsed without trouble by Python, but deeper than any body the API takes.
JUST_TOO_DEEP = json.dumps({"household": 1, "helped": [{"a": 1}]})
for _level in range(JSON_DEPTH_MAX):
    JUST_TOO_DEEP = f'{{"more": {JUST_TOO_DEEP}}}'

# Ending one's token reads no body: whatever is sent, it ends the token. Nor does a DELETE.
READS_NO_BODY = {"api:token-revoke"}
API_WRITES = [
    (key, method)
    for key, row in TABLE.items()
    if key.startswith(("api:", "reports_api:")) and not key.endswith(" (format)") and key not in READS_NO_BODY
    for method in ("post", "put", "patch")
    if getattr(row, "patch" if method == "put" else method)
]


def sent(client, method: str, url: str, body: str):
    """The answer to the body, and the record tables written while answering (then undone)."""
    cache.clear()  # the throttles
    sid = transaction.savepoint()
    writes = Writes()
    try:
        with connection.execute_wrapper(writes):
            response = getattr(client, method)(url, body, content_type="application/json")
    finally:
        transaction.savepoint_rollback(sid)
    return response, writes.tables


def test_every_api_write_is_tried():
    keys = {key for key, _method in API_WRITES}
    assert {
        "api:token",
        "api:household-list",
        "api:household-detail",
        "api:training-session-attendance",
    } <= keys
    assert len(API_WRITES) > 25


@pytest.mark.parametrize(("key", "method"), API_WRITES, ids=[f"{key} {method}" for key, method in API_WRITES])
@pytest.mark.parametrize(
    "body", [DEEP_LIST, DEEP_OBJECT, JUST_TOO_DEEP], ids=["list", "object", "just-too-deep"]
)
def test_a_deep_body_is_refused_on_every_api_write(world, db, key, method, body):  # noqa: F811
    row = TABLE[key]
    client = Client(raise_request_exception=False, headers={"accept-language": "en"})
    client.force_login(world.users["superuser"])
    url, _query = url_of(key, row, world, "a")
    usual = answers(getattr(row, "patch" if method == "put" else method))["superuser"]

    response, written = sent(client, method, url, body)

    assert response.status_code != 500
    assert written == []
    if usual in ("ok", "400"):
        # Where the body is read, the answer says what is wrong with it.
        assert response.status_code == 400, response.content[:200]
        assert f"more than {JSON_DEPTH_MAX} deep" in response.json()["detail"]
    else:
        assert response.status_code in (400, 403, 404, 405), response.content[:200]


def test_a_body_of_the_usual_depth_still_parses(world, db):  # noqa: F811
    client = Client(headers={"accept-language": "en"})
    response = client.post(
        "/api/token/",
        {"username": "superuser", "password": "nope", "extra": [[{"a": [1]}]]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
