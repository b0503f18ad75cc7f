"""Issue 21's targets read off the app benchmark's records (geo.bench.app.check_targets), and the
memory per event beyond the smallest page: hand-made records, no browser."""

from __future__ import annotations

import pytest

from geo.bench import app as appbench


def _page(size: int, **fields: float) -> dict:
    return {"impl": "panj", "size": size, "kind": None, **fields}


def test_bytes_per_event_is_the_resident_growth_beyond_the_smallest_page_per_event_more() -> None:
    records = [_page(1_000, rss_now_mb=300.0), _page(101_000, rss_now_mb=325.0), _page(1_001_000, rss_now_mb=540.0),
               {"impl": "panj", "size": 1_001_000, "kind": "sessions"}]
    appbench.add_bytes_per_event(records)
    # (325 - 300) MB over 100,000 more events; (540 - 300) MB over 1,000,000 more.
    assert [record.get("bytes_per_event") for record in records] == [None, 250.0, 240.0, None]


MILLION_PAGE = dict(first_load_s=2.4, filter_s=1.2, sent_bytes=90_000, search_s=0.3, sort_s=0.5, import_s=75.0,
                    publish_s=3.5, bytes_per_event=260.0)


@pytest.mark.parametrize(("records", "expected"), [
    ([_page(1_000), _page(1_000_000, **MILLION_PAGE), {"size": 1_000_000, "kind": "sessions", "growth_mb": 12.5}],
     [("first_load_s", 1_000_000, 2.4, True), ("filter_s", 1_000_000, 1.2, False), ("sent_bytes", 1_000_000, 90_000, True),
      ("search_s", 1_000_000, 0.3, True), ("sort_s", 1_000_000, 0.5, True), ("import_s", 1_000_000, 75.0, False),
      ("publish_s", 1_000_000, 3.5, False),
      ("bytes_per_event", 1_000_000, 260.0, False), ("growth_mb", 1_000_000, 12.5, True)]),
    ([_page(1_000), _page(100_000, first_load_s=None, bytes_per_event=120.0)],  # a load that failed: not measured
     [("first_load_s", 100_000, None, None), ("bytes_per_event", 100_000, 120.0, True)]),
    ([_page(1_000, first_load_s=1.0)], []),  # one small size: no target applies
])
def test_each_target_is_checked_on_its_size(records: list[dict], expected: list[tuple]) -> None:
    checked = appbench.check_targets(records)
    assert [(row["field"], row["size"], row["measured"], row["met"]) for row in checked] == expected
    assert all(row["target"].startswith(row["field"]) for row in checked)


def test_the_targets_are_printed_one_a_line_with_their_verdict() -> None:
    checked = appbench.check_targets([_page(1_000), _page(100_000, first_load_s=1.7, bytes_per_event=200.0)])
    assert appbench.format_targets(checked).splitlines() == [
        "first_load_s at 100,000 events ≤ 1.5 s: 1.7 (NOT met)",
        "bytes_per_event at the largest size ≤ 250 bytes: 200.0 (met)",
    ]


def test_the_table_has_a_column_for_the_publishing_of_each_size() -> None:
    fields = dict(import_s=1.0, cold_load_s=2.0, first_load_s=1.5, floor_load_s=1.0, load_ratio=1.5, filter_s=0.5,
                  sent_bytes=80_000, search_s=0.3, sort_s=0.25, rss_mb=300.0)
    table = appbench.format_table([_page(1_000, publish_s=0.04, **fields), _page(1_000_000, publish_s=None, **fields)])
    header, small, large = table.splitlines()[:3]
    assert "sort s publish s peak RSS MB" in " ".join(header.split())
    # size, import, cold, first, floor, ratio, filter, sent, search, sort, then the publishing
    assert small.split()[9:12] == ["0.25", "0.04", "300.0"]
    assert large.split()[9:12] == ["0.25", "–", "300.0"]  # not measured
