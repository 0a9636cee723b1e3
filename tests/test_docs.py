"""The documents that say where each rule lives point at files and names that exist."""

import importlib
import re
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [
    ROOT / "docs" / "domain.md",
    ROOT / "README.md",
    *sorted(path for path in (ROOT / "docs").glob("*.md") if path.name != "domain.md"),
]
# `villages/access.py`, `reports/selectors/`, `softbridge/versions.py`, ...
CITED_PATH = re.compile(
    r"`((?:softbridge|villages|mobilization|training|reports|demo|tests|bench|bin|docs)/[\w./-]*)`"
)
# `villages.access.may_see_full_national_ids`, `mobilization.selectors`, ...
CITED_NAME = re.compile(r"`((?:softbridge|villages|mobilization|training|reports)(?:\.\w+)+)`")


def cited(pattern, documents=DOCUMENTS):
    return sorted({(doc.name, found) for doc in documents for found in pattern.findall(doc.read_text())})


@pytest.mark.parametrize(("document", "path"), cited(CITED_PATH))
def test_every_cited_file_exists(document, path):
    assert (ROOT / path).exists()


@pytest.mark.parametrize(
    ("document", "name"), cited(CITED_NAME, [doc for doc in DOCUMENTS if doc.name != "README.md"])
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
