"""The table's orders by text (geo.table.sort_order: the title's worked out with the snapshot's build
by geo.table.text_order, the other text columns' by geo.table._by_text) against a sort written here: the events by their titles folded (accents
dropped, case folded), the events without a title last, ties in the events' own (date) order; the other columns by the text the table shows. On
the article's events alone, and on a SQLite and a PostGIS store holding synthetic events, the
import fixtures and titles that differ only by accents, case and ligatures."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pyarrow as pa
import pytest
from test_store import IMPORTS

from geo import store as store_module
from geo.bench import synthetic
from geo.importers import read_file
from geo.layers import LAYERS_DIR
from geo.searchtext import folded_column
from geo.snapshot import Snapshot, build_snapshot
from geo.store import Store
from geo.table import events_table, sort_order, text_order

pytestmark = pytest.mark.skipif(not (LAYERS_DIR / "manifest.json").exists(), reason="the derived layers are not built yet")

SYNTHETIC_COUNT = 300
IMPORTED = (("acled.csv", "ACLED 2022"), ("ucdp-ged.csv", "UCDP GED"), ("events.geojson", "Field notes"))
# Titles alike but for accents, case and compatibility forms, in both orders of writing, and
# titles that differ only after the first letters: each pair must rank by its folded text alone.
AWKWARD_TITLES = ("Ébauche at Khorugh", "ebauche at khorugh", "EBAUCHE AT KHORUGH", "Straße closed", "STRASSE closed",
                  "ﬁeld post", "Field post", "Ärger in Darvoz", "arger in darvoz", "Zebak", "zebak", "Ωmega", "ωmega",
                  "Khorúgh", "Khorugh", "a", "A", "Ab", "ab ")


def _fold(text: object) -> str:
    """A title as the table compares it, written out here: compatibility decomposition, combining
    marks dropped, case folded; no text at all is the empty text."""
    if not isinstance(text, str):
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def _expected_order(titles: list[object]) -> list[int]:
    keys = [_fold(title) for title in titles]
    return sorted(range(len(titles)), key=lambda row: (keys[row] == "", keys[row], row))


# The table's text columns other than the title: column id -> its heading (geo.table.SORT_COLUMNS).
TEXT_COLUMNS = {"place": "Place", "status": "Status", "type": "Type", "actors": "Actors", "region": "Region",
                "source": "Source"}


def _assert_titles_ordered(snapshot: Snapshot) -> list[object]:
    titles = snapshot.details(snapshot.events)["title"].tolist()
    order = sort_order(snapshot, "title")
    assert order.rows.dtype.name == "int32"
    assert order.rows.tolist() == _expected_order(titles)
    assert order.missing == sum(_fold(title) == "" for title in titles)
    return titles


def _assert_text_columns_ordered(snapshot: Snapshot) -> None:
    """Every other text column in the order of the text the table shows for it."""
    shown = events_table(snapshot.details(snapshot.events), snapshot.vocabulary)
    for column, heading in TEXT_COLUMNS.items():
        texts = shown[heading].tolist()
        order = sort_order(snapshot, column)
        assert order.rows.tolist() == _expected_order(texts), column
        assert order.missing == sum(_fold(text) == "" for text in texts), column


@pytest.mark.parametrize(("text", "folded"), [
    ("Khorugh", "khorugh"), ("KHORÚGH", "khorugh"), ("Straße", "strasse"), ("ﬁeld", "field"), ("İshkashim", "ishkashim"),
    ("Ωmega", "ωmega"), ("", ""), (None, None), ("Dushanbe–Kulob", "dushanbe–kulob"),
])
def test_a_column_is_folded_as_one_text_is(text: str | None, folded: str | None) -> None:
    column = folded_column(pa.chunked_array([pa.array(["ascii first", text, "Ä"], pa.string())]))
    assert column.to_pylist() == ["ascii first", folded, "a"]


def test_texts_order_as_the_sort_written_here_orders_them() -> None:
    titles = [*AWKWARD_TITLES, None, "", "\u0301", *reversed(AWKWARD_TITLES)]  # a lone accent folds to nothing
    order = text_order(pa.array(titles, pa.string()))
    assert order.rows.tolist() == _expected_order(titles)
    assert order.missing == 3


def test_the_articles_events_are_ordered_by_title() -> None:
    snapshot = build_snapshot(LAYERS_DIR, None)
    titles = _assert_titles_ordered(snapshot)
    _assert_text_columns_ordered(snapshot)
    assert len(titles) == len(json.loads((LAYERS_DIR / "events" / "edm-v19-i92.json").read_text("utf-8"))["events"])


def _awkward_file(path: Path) -> Path:
    """A GeoJSON dataset of one event per title of ``AWKWARD_TITLES``, all on one day at one place,
    so that only their titles and ids tell them apart."""
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [71.55, 37.49]},
                 "properties": {"id": f"awkward-{number:02d}", "title": title, "summary": "Titled to test the order.",
                                "status": "occurred", "start": "2022-05-20", "actors": ["taliban"],
                                "event_type": "statement", "location_precision": "exact", "place_name": "Khorugh",
                                "citations": [{"paragraph": 1, "source": "Order notes", "source_date": None}]}}
                for number, title in enumerate(AWKWARD_TITLES)]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False), "utf-8")
    return path


def test_a_stores_events_are_ordered_by_title(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    generated = tmp_path / "synthetic.geojson"
    synthetic.write_events_file(generated, SYNTHETIC_COUNT)
    for source, name in ((generated, synthetic.DATASET_NAME), (_awkward_file(tmp_path / "awkward.geojson"), "Awkward"),
                         *((IMPORTS / fixture, name) for fixture, name in IMPORTED)):
        reading = read_file(source, dataset_name=name, existing=store.existing())
        store.import_dataset(name, reading, source_file=Path(source).name, licence="", by="tests")
    snapshot = build_snapshot(LAYERS_DIR, store)
    titles = _assert_titles_ordered(snapshot)
    _assert_text_columns_ordered(snapshot)
    assert set(AWKWARD_TITLES) <= set(titles)  # the comparison covered them
    assert len(titles) >= SYNTHETIC_COUNT + len(AWKWARD_TITLES)
    # Many places of one dataset are read with all its others: the same names as read by id.
    refs = [*dict.fromkeys(snapshot.events["place"].tolist()), "imported-awkward:no-such-place"]
    by_id = store.place_names(refs)
    monkeypatch.setattr(store_module, "_WHOLE_DATASET_PLACES", 0)
    assert store.place_names(refs) == by_id and len(by_id) > SYNTHETIC_COUNT / 2
