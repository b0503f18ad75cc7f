"""Helpers for the browser tests: the map's frame, the shown/total count, and what a page let out."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

TIMEOUT_MS = 45_000
COUNT = re.compile(r"(\d+) of (\d+) events")
LOCAL_HOSTS = ("127.0.0.1", "localhost")
_ANY_FRAME_READY = """() => [...document.querySelectorAll('iframe')].some(f => {
    try { return Boolean(f.contentWindow.panjMap && f.contentWindow.panjMap.ready); } catch (error) { return false; } })"""
NEXT_FRAMES = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"


def is_local(url: str) -> bool:
    """Whether ``url`` stays on this machine (data: and blob: URLs never leave it)."""
    return url.startswith(("data:", "blob:", "about:")) or urlsplit(url).hostname in LOCAL_HOSTS


def map_frame(page):
    """The streamlit-folium frame, once its map reports ready."""
    page.locator("iframe").first.wait_for(timeout=TIMEOUT_MS)
    page.wait_for_function(_ANY_FRAME_READY, timeout=TIMEOUT_MS)
    for _ in range(3):  # the map's frame may be replaced between the wait and the look (a remount)
        ready = [frame for frame in page.frames if _ready(frame)]
        if ready:
            return ready[0]
        page.wait_for_function(_ANY_FRAME_READY, timeout=TIMEOUT_MS)
    raise AssertionError("no map frame reported ready")


def _ready(frame) -> bool:
    try:
        return frame.evaluate("() => Boolean(window.panjMap && window.panjMap.ready)")
    except Exception:  # a frame the page has just replaced (the map remounted): not this one
        return False


def count_text(page) -> tuple[int, int]:
    """The sidebar's "N of M events"."""
    text = page.get_by_text(COUNT).first
    text.wait_for(timeout=TIMEOUT_MS)
    shown, total = COUNT.search(text.inner_text()).groups()
    return int(shown), int(total)


def links_and_images(frame) -> list[str]:
    """Every href and image source the frame's document holds, resolved."""
    return frame.evaluate(
        """() => [...document.querySelectorAll('a[href], img[src], image, [srcset]')]
                 .map(e => e.href && e.href.baseVal !== undefined ? e.href.baseVal : (e.href || e.src || e.srcset || ''))"""
    )
