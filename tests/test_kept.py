"""geo.kept: what a snapshot keeps per set of shown rows is worked out once per key, and no more
than the bound is kept."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from geo.kept import Kept, rows_key


@pytest.mark.parametrize(("first", "second", "same"), [
    ([True, False, True], [True, False, True], True),
    ([True, False, True], [True, True, True], False),
    ([True, False, True], [True, False, True, False], False),  # one more row (not shown): other events
    ([False] * 7, [False] * 8, False),  # packed to the same byte, but not the same rows
    ([], [], True),
])
def test_the_rows_key_tells_sets_of_rows_apart(first, second, same) -> None:
    assert (rows_key(np.array(first, dtype=bool)) == rows_key(np.array(second, dtype=bool))) is same


def test_a_value_is_worked_out_once_per_key_and_the_oldest_goes_beyond_the_bound() -> None:
    kept, worked = Kept(kept=2), []

    def work(name: str):
        return lambda: worked.append(name) or name.upper()

    assert kept.get("a", work("a")) == "A"
    assert kept.get("a", work("a again")) == "A"  # kept
    kept.get("b", work("b"))
    kept.get("a", work("a, third time"))  # "a" is now the newest...
    kept.get("c", work("c"))  # ...so "b" goes
    assert len(kept) == 2
    kept.get("a", work("a, fourth time"))
    kept.get("b", work("b again"))
    assert worked == ["a", "b", "c", "b again"]


def test_sessions_asking_at_once_each_get_a_whole_value() -> None:
    kept = Kept(kept=4)
    got: list[list[int]] = []

    def ask(key: int) -> None:
        for _ in range(200):
            got.append(kept.get(key % 6, lambda: list(range(key % 6 + 1))))

    threads = [threading.Thread(target=ask, args=(key,)) for key in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(got) == 12 * 200 and all(value == list(range(len(value))) for value in got)
    assert len(kept) <= 4


def test_a_second_session_on_the_same_view_works_out_none_of_it_again(monkeypatch) -> None:
    """Two sessions opening the page, then one changing a filter: the view in words, the
    histogram's counts and the table's page are worked out for the first session's rows and for the
    changed ones, never for the second session's (the same rows as the first's)."""
    import streamlit as st
    from conftest import run_page

    from geo import summary, table, timechart

    worked: list[str] = []

    def counting(name: str, function):
        def counted(*args, **kwargs):
            worked.append(name)
            return function(*args, **kwargs)
        return counted

    monkeypatch.setattr(summary, "view_summary", counting("summary", summary.view_summary))
    monkeypatch.setattr(timechart, "histogram_counts", counting("histogram", timechart.histogram_counts))
    monkeypatch.setattr(table, "sort_order", counting("table page", table.sort_order))
    st.cache_resource.clear()  # a snapshot of its own, with nothing kept yet
    try:
        run_page()
        assert sorted(worked) == ["histogram", "summary", "table page"]
        second = run_page()
        assert sorted(worked) == ["histogram", "summary", "table page"]
        second.multiselect(key="f_statuses").set_value(["planned"]).run()
        assert not second.exception
        assert sorted(worked) == ["histogram", "histogram", "summary", "summary", "table page", "table page"]
    finally:
        st.cache_resource.clear()
