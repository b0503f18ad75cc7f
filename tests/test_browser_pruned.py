"""A page open on a published folder that was pruned meanwhile (geo.snapshot: another revision
came, the grace period passed, or another server's pruning) reloads its data instead of breaking:
the first fetch that finds the folder gone reloads the page, and the server publishes the folder
again for the new session."""

from __future__ import annotations

import re

import pytest
from browsing import TIMEOUT_MS, map_frame

from geo import assets

pytestmark = pytest.mark.browser

FOLDER = re.compile(r"/app/static/vendor/data/([0-9a-f]{16})/events\.bin")


def test_a_page_whose_folder_was_pruned_reloads_and_opens_its_popups(page, own_app_url) -> None:
    folders: list[str] = []  # the published folders the page's events files were fetched from, in order
    page.on("request", lambda request: folders.extend(FOLDER.findall(request.url)))
    page.goto(f"{own_app_url}/?basemap=none")
    frame = map_frame(page)
    frame.wait_for_function("() => window.panjMap.ready", timeout=TIMEOUT_MS)
    # The strip under the map fetches its files once the map is drawn (static/strip.js): only then
    # has the page everything it fetches on opening.
    page.wait_for_function("() => window.panjStrip && window.panjStrip.update > 0", timeout=TIMEOUT_MS)
    [name] = set(folders)
    assert assets.remove_folder(name)  # as a pruning does, while the page is open
    assert name not in assets.data_folders()

    # The popup's text is fetched now: its file is gone, so the page reloads.
    with page.expect_event("framenavigated", predicate=lambda navigated: navigated == page.main_frame,
                           timeout=TIMEOUT_MS):
        # Opened from a task so evaluate returns before the reload destroys the frame it ran in.
        frame.evaluate("() => { setTimeout(() => window.panjMap.openEvent('taliban-takeover'), 0); }")
    frame = map_frame(page)
    frame.wait_for_function("() => window.panjMap.ready", timeout=TIMEOUT_MS)
    assert len(folders) == 2 and set(folders) == {name}  # fetched again after the reload...
    assert name in assets.data_folders()  # ...from the same revision's folder, published again
    frame.evaluate("() => window.panjMap.openEvent('taliban-takeover')")
    frame.wait_for_function("() => { const h = document.querySelector('.panj-popup h4');"
                            " return h !== null && h.textContent === 'Taliban take power in Afghanistan'; }",
                            timeout=TIMEOUT_MS)
    assert page.outside_requests == [] and page.dialogs == []
