"""geo/browser.py: one headless Chromium at a time per process, nothing left running after a
failure, the sandbox kept unless running as root, and requests let through only to the tile hosts
a caller names.

Tests marked ``browser`` launch Debian's Chromium; the rest use the slot and stand-in executables.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from geo import browser, export

FIXTURES = Path(__file__).parent / "fixtures" / "export"
OSM = "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png"


# --- tile hosts ----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://a.tile.openstreetmap.org/1/2/3.png", True),
        ("https://b.tile.openstreetmap.org/6/43/24.png", True),
        ("https://evil.example/", False),
        ("https://evil.example/a.tile.openstreetmap.org/1/2/3.png", False),
        ("https://a.tile.openstreetmap.org.evil.example/1/2/3.png", False),  # the host must end where the template's does
        ("https://a.b.tile.openstreetmap.org/1/2/3.png", False),  # {s} is one DNS label
        ("http://a.tile.openstreetmap.org/1/2/3.png", False),  # the template's scheme only
    ],
)
def test_tile_host_patterns_from_a_url_template(url: str, allowed: bool) -> None:
    patterns = browser.tile_host_patterns([OSM])
    assert any(pattern.match(url) for pattern in patterns) is allowed


def test_a_template_without_placeholders_allows_its_own_host_only() -> None:
    [pattern] = browser.tile_host_patterns(
        ["https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}"])
    assert pattern.match("https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/1/2/3")
    assert not pattern.match("https://serverxarcgisonline.com/")  # dots are dots, not wildcards


def test_no_tile_urls_allow_nothing() -> None:
    assert browser.tile_host_patterns([]) == []


@pytest.mark.parametrize("template", ["file:///etc/passwd", "tiles/{z}/{x}/{y}.png"])
def test_a_non_http_template_is_refused(template: str) -> None:
    with pytest.raises(ValueError, match="not an http"):
        browser.tile_host_patterns([template])


# --- launching -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("euid", "no_sandbox"), [(0, True), (1000, False)])
def test_the_sandbox_is_off_only_for_root(euid: int, no_sandbox: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(browser.os, "geteuid", lambda: euid)
    args = browser.launch_args()
    assert ("--no-sandbox" in args) is no_sandbox
    assert "--headless" in args


def test_find_browser_falls_back_to_debian_chromium(monkeypatch: pytest.MonkeyPatch) -> None:
    if not browser.DEBIAN_CHROMIUM.is_file():
        pytest.skip("Debian's chromium is not installed")
    monkeypatch.delenv("PANJ_CHROMIUM", raising=False)
    assert browser.find_browser() == str(browser.DEBIAN_CHROMIUM)


# --- the slot ------------------------------------------------------------------------------------

def _slot_is_free() -> bool:
    """Whether another thread gets the slot at once (this thread would get it while holding it)."""
    def take() -> bool:
        try:
            with browser.browser_slot(timeout_s=0):
                return True
        except browser.BrowserBusy:
            return False

    with ThreadPoolExecutor(1) as other_thread:
        return other_thread.submit(take).result()


def test_a_second_user_waits_then_gets_browser_busy() -> None:
    waits: list[str] = []

    def take_the_slot() -> None:
        with browser.browser_slot(0.2, on_wait=lambda: waits.append("waiting")):
            pass

    with browser.browser_slot(), ThreadPoolExecutor(1) as other_thread:
        with pytest.raises(browser.BrowserBusy, match="another figure is being rendered; waited 0.2 s"):
            other_thread.submit(take_the_slot).result()
    assert waits == ["waiting"]  # told once, so the page can say it is waiting
    assert _slot_is_free()


def test_the_slot_holder_may_claim_it_again() -> None:
    # The page holds the slot around its Renderer, whose own claim must not wait for the page.
    waits: list[str] = []
    with browser.browser_slot(), browser.browser_slot(timeout_s=0, on_wait=lambda: waits.append("waiting")):
        assert not _slot_is_free()
    assert waits == []
    assert _slot_is_free()


def test_the_slot_is_released_when_its_block_fails() -> None:
    with pytest.raises(KeyError), browser.browser_slot():
        raise KeyError("boom")
    assert _slot_is_free()


def test_chromium_waits_for_the_slot_and_gives_up_with_browser_busy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PANJ_CHROMIUM", "/bin/true")  # found, never launched: the slot is never free
    waits: list[str] = []
    chromium = export.Renderer(slot_timeout_s=0.1, on_wait=lambda: waits.append("waiting"))
    with browser.browser_slot(), ThreadPoolExecutor(1) as other_thread:
        with pytest.raises(browser.BrowserBusy, match="waited 0.1 s"):
            other_thread.submit(chromium.__enter__).result()
    assert waits == ["waiting"]
    assert _slot_is_free()


@pytest.mark.browser
def test_a_browser_that_fails_to_start_leaves_nothing_behind(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("PANJ_CHROMIUM", "/bin/false")  # an executable that exits at once
    with pytest.raises(browser.BrowserNotFound, match="could not start /bin/false"):
        with browser.HeadlessChromium():
            pass
    assert any(record.levelname == "ERROR" and "/bin/false" in record.getMessage() for record in caplog.records)
    assert _slot_is_free()
    # Playwright refuses a second instance in one thread: this start proves the first was stopped.
    monkeypatch.delenv("PANJ_CHROMIUM")
    with browser.HeadlessChromium() as chromium:
        assert chromium.executable == browser.find_browser()


@pytest.mark.browser
def test_two_renders_at_once_take_turns(tmp_path: Path) -> None:
    html = (FIXTURES / "line.html").read_text()
    both_ready = threading.Barrier(2)
    spans: dict[int, tuple[float, float]] = {}

    def render(number: int) -> export.ExportResult:
        both_ready.wait()
        with export.Renderer() as renderer:
            started = time.monotonic()  # inside the slot: from here to `finished` no other browser runs
            result = renderer.render(html, tmp_path / f"{number}.png", width=320, height=200, scale=1)
            spans[number] = (started, time.monotonic())
        return result

    with ThreadPoolExecutor(2) as threads:
        results = list(threads.map(render, (1, 2)))
    assert [(result.width, result.height) for result in results] == [(320, 200), (320, 200)]
    assert all(export.png_size(result.path.read_bytes()) == (320, 200) for result in results)
    first, second = sorted(spans.values())
    assert second[0] >= first[1]
