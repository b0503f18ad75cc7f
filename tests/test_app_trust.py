"""The page's choice of where a self-contradicting row stands (ui.datasets, through AppTest), with
the file and hand table of ``panj import --trust`` (tests/test_importers_frontier.py)."""

from __future__ import annotations

from geo.store import open_store
from tests.conftest import run_page, shown_text
from tests.test_app_editing import _notices, session  # noqa: F401  (the fixture)
from tests.test_app_update import _upload
from tests.test_importers_frontier import FRONTIER, REPORT, WHERE


def _stored(name: str) -> dict[str, tuple[str, str]]:
    with open_store() as store:
        stored = store.events([name], shipped=False)
    return {event.id: (event.place, event.location_precision) for event in stored.events}


def test_the_reader_chooses_to_trust_the_row(session) -> None:  # noqa: F811
    at = run_page()
    assert at.radio(key="dataset_trust").value == "point"  # today's behaviour unless the reader says otherwise
    _upload(at, "dataset_upload0", FRONTIER)
    assert REPORT["point"][1] in [shown_text(caption.value) for caption in at.caption]
    at.radio(key="dataset_trust").set_value("row").run()
    assert REPORT["row"][1] in [shown_text(caption.value) for caption in at.caption]  # checked again
    at.button(key="dataset_import").click().run()
    assert _notices(at) == ["Imported 9 events from acled-frontier.csv as the dataset “acled-frontier”."]
    # The dataset's place layer is named after the dataset's id, the table's after "Frontier test".
    own = "imported-acled-frontier:"
    assert _stored("acled-frontier") == {event_id: (place.replace("imported-frontier-test:", own), precision)
                                         for event_id, _, (place, precision) in WHERE}
