"""The Datasets choice of a page left open while the team changes the store (through AppTest): a
dataset imported or renamed meanwhile is shown, one the reader unticked stays hidden, and the
count line says so. Before this, the session remembered the names ticked, so a rename or a third
import silently dropped a dataset from an open page (docs/performance.md, "A server for weeks")."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from geo.store import open_store
from tests.conftest import run_page
from tests.test_app_editing import _seed, session  # noqa: F401  (the fixture)

ARTICLE = 30  # events of layers/events/edm-v19-i92.json (docs/DATA.md)
ACLED_ROWS = 4  # data rows of tests/fixtures/imports/acled.csv
GEOJSON_ROWS = 3  # features of tests/fixtures/imports/events.geojson


def _count(at: AppTest) -> str:
    for block in at.sidebar.markdown:
        found = re.search(r"\d+ of \d+ events", block.value)
        if found:
            return found.group(0)
    raise AssertionError("no count line in the sidebar")


def _rename(old: str, new: str) -> None:
    with open_store() as store:
        store.rename(old, new, by="tests")


def _delete(name: str) -> None:
    with open_store() as store:
        store.delete(name, by="tests")


def test_an_open_page_follows_imports_renames_and_deletes(session) -> None:  # noqa: F811
    at = run_page()
    assert _count(at) == f"{ARTICLE} of {ARTICLE} events"
    steps = [
        (lambda: _seed(("Field notes", "acled.csv")), ARTICLE + ACLED_ROWS),
        (lambda: _rename("Field notes", "Field notes 2022"), ARTICLE + ACLED_ROWS),
        (lambda: _seed(("Points", "events.geojson")), ARTICLE + ACLED_ROWS + GEOJSON_ROWS),
        (lambda: _delete("Field notes 2022"), ARTICLE + GEOJSON_ROWS),
        (lambda: _delete("Points"), ARTICLE),
        (lambda: _seed(("Field notes", "acled.csv")), ARTICLE + ACLED_ROWS),
    ]
    for number, (change, total) in enumerate(steps, 1):
        change()
        at.run()
        assert not at.exception, at.exception
        assert _count(at) == f"{total} of {total} events", f"after change {number}"


@pytest.mark.parametrize("change, hidden_rows", [
    (lambda: _rename("Field notes", "Field notes 2022"), ACLED_ROWS),  # hidden by id: a rename keeps it hidden
    (lambda: _seed(("Points", "events.geojson")), ACLED_ROWS),  # a new dataset is shown beside it
])
def test_a_dataset_the_reader_hid_stays_hidden_and_new_ones_are_shown(session, change, hidden_rows) -> None:  # noqa: F811
    _seed(("Field notes", "acled.csv"))
    at = run_page()
    article = next(option for option in at.multiselect(key="datasets_shown").options if "Field notes" not in option)
    at.multiselect(key="datasets_shown").set_value([option_id(at, article)]).run()
    assert _count(at) == f"{ARTICLE} of {ARTICLE} events"
    change()
    at.run()
    with open_store() as store:
        stored = sum(dataset.row_count for dataset in store.datasets())
    assert _count(at) == f"{stored - hidden_rows} of {stored - hidden_rows} events"


def option_id(at: AppTest, shown: str) -> str:
    """The dataset id behind an option's shown text ("name (N events)")."""
    with open_store() as store:
        return next(dataset.id for dataset in store.datasets() if shown.startswith(f"{dataset.name} ("))


def test_the_datasets_choice_is_in_the_link(session) -> None:  # noqa: F811
    _seed(("Field notes", "acled.csv"))
    at = run_page({"hide": "field-notes"})  # the id "Field notes" was imported with
    assert _count(at) == f"{ARTICLE} of {ARTICLE} events"
    assert at.query_params["hide"] == "field-notes"
    at.multiselect(key="datasets_shown").set_value(["field-notes"]).run()  # the article's hidden instead
    assert _count(at) == f"{ACLED_ROWS} of {ACLED_ROWS} events"
    assert at.query_params["hide"] == "edm-v19-i92"
    at.multiselect(key="datasets_shown").set_value(["edm-v19-i92", "field-notes"]).run()
    assert "hide" not in at.query_params
