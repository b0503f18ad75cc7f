"""The options the page's server runs with, as Streamlit reads them from the checkout's
.streamlit/config.toml (it reads the folder it is started in, as ``panj run`` and the benchmarks start it)."""

from pathlib import Path

import pytest
from streamlit import config

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def page_options(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(ROOT)
    config.get_config_options(force_reparse=True)
    yield config.get_option
    monkeypatch.undo()
    config.get_config_options(force_reparse=True)


def test_no_collection_after_each_run(page_options) -> None:
    # gc.collect(2) after every run held the server for a fifth of a second after each search
    # and sort at a million events (docs/performance.md, "A search and a sort without the collector").
    assert page_options("runner.postScriptGC") is False


def test_the_options_set_before_stay(page_options) -> None:
    assert page_options("server.enableStaticServing") is True
    assert page_options("global.minCachedMessageSize") == 100
    assert page_options("client.toolbarMode") == "viewer"
