"""Django's `{# ... #}` comment holds one line only: spread over two, it is not a comment, and
the page shows it to the person (the language switch's note did, on every page)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

TEMPLATES = sorted(
    path
    for pattern in ("templates/**/*.html", "*/templates/**/*.html", "templates/**/*.js")
    for path in ROOT.glob(pattern)
    if ".venv" not in path.parts
)


def test_no_template_comment_spreads_over_two_lines():
    assert len(TEMPLATES) > 50
    spread = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in TEMPLATES
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"\{#(?!.*#\})", line)
    ]
    assert spread == []


def test_the_pages_show_no_comment(client, worker_a, household_a):
    client.force_login(worker_a)
    for address in ("/", "/visits/new/", f"/households/{household_a.pk}/"):
        html = client.get(address).content.decode()
        assert "{#" not in html and "#}" not in html, address
