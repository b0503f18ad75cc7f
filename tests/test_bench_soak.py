"""The soak benchmark (``panj bench --soak``, geo.bench.soak) end to end, two cycles with one
session: the page shows each change's event count (the run fails otherwise), and the records have
their fields. Figures are never asserted: the full run's are in docs/performance.md."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CHROMIUM

from geo.bench import soak

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _chromium() -> None:
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"no Chromium at {CHROMIUM} (set PANJ_CHROMIUM)")


def test_two_cycles_give_a_record_before_and_after_each() -> None:
    result = soak.run(cycles=2, sessions=1, record_every=1, browser_path=CHROMIUM)
    assert [record["cycle"] for record in result.records] == [0, 1, 2]
    for record in result.records:
        assert isinstance(record["published_folders"], int) and record["published_folders"] >= 1
        for field in ("published_mb", "rss_mb", "store_mb", "elapsed_s"):
            assert isinstance(record[field], float) and record[field] >= 0, field
    # Each cycle's dataset waits in the trash: the store file holds more after the cycles than before.
    assert result.records[-1]["store_mb"] > result.records[0]["store_mb"]
    table = soak.format_table(result.records)
    assert table.splitlines()[0].split() == ["cycle", "folders", "published", "MB", "app", "RSS", "MB", "store", "MB",
                                             "elapsed", "s"]
    assert result.as_json()["method"]["cycles"] == 2
