"""The documents that say where each rule lives point at files and names that exist, and the README
leads to every one of them."""

import importlib
import re
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
MANUAL = sorted((ROOT / "docs").glob("*.md"))
DOCUMENTS = [README, *MANUAL, ROOT / "bench" / "RESULTS.md"]
# The README is the entry page a newcomer reads first: what Softbridge is, the two commands, the demo
# logins and where to read on. The manual lives in docs/.
README_MOST_LINES = 200
# `villages/access.py`, `reports/selectors/`, `softbridge/versions.py`, ...
CITED_PATH = re.compile(
    r"`((?:softbridge|villages|mobilization|training|reports|demo|tests|bench|bin|docs)/[\w./-]*)`"
)
# [Reports](docs/reports.md), [the matrix](#who-may-do-what), <img src="screenshots/today-360.png" ...>
LINKED = re.compile(r'\]\(([^)\s]+)\)|src="([^"]+)"')
# Written for issue 25 on other branches at the same time as the manual: linked before they arrive.
ARRIVING = {
    "submission-keys.md",
    "late-records.md",
    "changes-and-deletes.md",
    "operations-errors-and-limits.md",
}
# `villages.access.may_see_full_national_ids`, `mobilization.selectors`, ...
CITED_NAME = re.compile(r"`((?:softbridge|villages|mobilization|training|reports)(?:\.\w+)+)`")
# Cited in backticks like a module, but not Python's: the security log's logger, the example host.
NOT_PYTHON = {"softbridge.security", "softbridge.halang.gov.vn"}


def cited(pattern, documents=DOCUMENTS):
    return sorted(
        {
            (str(doc.relative_to(ROOT)), found)
            for doc in documents
            for found in pattern.findall(doc.read_text())
        }
    )


@pytest.mark.parametrize(("document", "path"), cited(CITED_PATH))
def test_every_cited_file_exists(document, path):
    assert (ROOT / path).exists()


@pytest.mark.parametrize(
    ("document", "name"), [(doc, name) for doc, name in cited(CITED_NAME) if name not in NOT_PYTHON]
)
def test_every_rule_cited_by_the_domain_document_exists(document, name):
    parts = name.split(".")
    if len(parts) == 2 and parts[1][0].isupper():  # a model, as "app.Model"
        assert apps.get_model(name)
        return
    for cut in range(len(parts), 0, -1):
        try:
            found = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            found = getattr(found, attribute)
        return
    raise AssertionError(f"{name} names no module")


def test_the_readme_is_an_entry_page():
    assert len(README.read_text().splitlines()) < README_MOST_LINES


@pytest.mark.parametrize("document", [doc.name for doc in MANUAL])
def test_the_readme_links_every_document_of_the_manual(document):
    assert f"](docs/{document})" in README.read_text()


def anchors(document: Path) -> set[str]:
    """The anchors GitHub makes of a document's headings: lower case, spaces as hyphens, no punctuation."""
    headings = re.findall(r"^#+ (.+)$", document.read_text(), re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


def links(document: Path) -> list[tuple[str, str]]:
    return [
        (str(document.relative_to(ROOT)), link or source)
        for link, source in LINKED.findall(document.read_text())
        if not (link or source).startswith(("http://", "https://"))
    ]


@pytest.mark.parametrize(("document", "link"), sorted({found for doc in DOCUMENTS for found in links(doc)}))
def test_every_link_leads_somewhere(document, link):
    target, _, anchor = link.partition("#")
    path = (ROOT / document).parent / target if target else ROOT / document
    if path.name in ARRIVING and not path.exists():
        pytest.skip(f"{path.name} arrives with issue 25")
    assert path.exists()
    if anchor and path.suffix == ".md":
        assert anchor in anchors(path)
