"""The headless browser driver: finding and launching Chromium, one at a time per process, and
routing its requests so that a page sees only the document it is given, Panj's own static files
and the tile hosts it is allowed.

`geo.export.Renderer` (PNG export) and `geo.bench.maps.PageTimer` (the benchmark's timer) build on
`HeadlessChromium`.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit

from geo import assets

logger = logging.getLogger(__name__)

# The document's own address: ".invalid" never resolves, so nothing can leak past the router.
DOCUMENT_URL = "http://panj.invalid/export.html"
DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Headless Chromium 156 opens the omnibox's WebUI popups (hundreds of module scripts, a renderer
    # of their own) with every new window, on the same cores as the page being drawn; no page here
    # has an omnibox (docs/performance.md, "The omnibox and the canvas").
    "--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup",
)
# How long a render waits for the browser another one is using (a figure takes seconds; an A4
# figure with tiles can take a minute).
SLOT_TIMEOUT_S = 120.0
INSTALL_HINT = (
    "install Chromium (Debian/Ubuntu: apt-get install chromium) or point PANJ_CHROMIUM "
    "(or --browser on the command line) at a Chromium or Chrome executable"
)

# One headless Chromium per process: each takes hundreds of MB, and the page's sessions share a process.
# Re-entrant: a caller may hold the slot around its Renderer (to tell its reader it is waiting) and
# the Renderer's own claim then passes straight through.
_SLOT = threading.RLock()
_TILE_PLACEHOLDER = re.compile(r"\\\{[a-z]+\\\}")


class BrowserNotFound(RuntimeError):
    """No Chromium to render with, or it would not start; the message says what to install or set."""


class BrowserBusy(RuntimeError):
    """The process's browser stayed in use for longer than the caller would wait."""


def find_browser(browser_path: str | None = None) -> str:
    """The Chromium executable to use: the argument, else $PANJ_CHROMIUM, else Debian's, else
    Playwright's own download. An explicit choice that does not exist is an error, not skipped."""
    for origin, candidate in (("--browser", browser_path), ("PANJ_CHROMIUM", os.environ.get("PANJ_CHROMIUM"))):
        if candidate:
            if Path(candidate).is_file() and os.access(candidate, os.X_OK):
                return candidate
            raise BrowserNotFound(f"{origin} names {candidate!r}, which is not an executable file: {INSTALL_HINT}")
    if DEBIAN_CHROMIUM.is_file():
        return str(DEBIAN_CHROMIUM)
    bundled = _playwright_chromium()
    if bundled:
        return bundled
    raise BrowserNotFound(f"no Chromium found (looked for {DEBIAN_CHROMIUM} and Playwright's browsers): {INSTALL_HINT}")


def _playwright_chromium() -> str | None:
    from playwright.sync_api import Error as PlaywrightError, sync_playwright

    try:
        with sync_playwright() as playwright:
            path = playwright.chromium.executable_path
    except PlaywrightError:
        return None
    return path if Path(path).is_file() else None


def launch_args() -> list[str]:
    """Chromium's command-line switches. Its sandbox cannot run as root, so only then is it off."""
    running_as_root = hasattr(os, "geteuid") and os.geteuid() == 0
    return [*CHROMIUM_ARGS, *(["--no-sandbox"] if running_as_root else [])]


@contextmanager
def browser_slot(timeout_s: float = SLOT_TIMEOUT_S, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the process's one browser slot for the `with` block (again, if this thread holds it).

    When another thread holds it, calls `on_wait` once (so a page can say it is waiting) and waits
    up to `timeout_s` seconds, then raises BrowserBusy."""
    if not _SLOT.acquire(blocking=False):
        if on_wait is not None:
            on_wait()
        if not _SLOT.acquire(timeout=timeout_s):
            raise BrowserBusy(f"another figure is being rendered; waited {timeout_s:g} s")
    try:
        yield
    finally:
        _SLOT.release()


def tile_host_patterns(tile_urls: Iterable[str]) -> list[re.Pattern[str]]:
    """Scheme + host patterns for tile URL templates: ``{s}`` and other placeholders in the host
    stand for one DNS label, so ``https://{s}.tile.example.org/{z}/{x}/{y}.png`` allows
    ``https://a.tile.example.org/...`` and nothing outside that domain."""
    patterns = []
    for template in tile_urls:
        parts = urlsplit(template)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"not an http(s) tile URL template: {template!r}")
        host = _TILE_PLACEHOLDER.sub("[a-z0-9-]+", re.escape(parts.netloc))
        patterns.append(re.compile(rf"{parts.scheme}://{host}/"))
    return patterns


class HeadlessChromium:
    """One headless Chromium whose pages see only the document they are given, Panj's own static
    files and the tile hosts they are allowed. A context manager: entering waits for the process's
    browser slot (see `browser_slot`) and launches the browser; leaving closes it."""

    def __init__(
        self, browser_path: str | None = None, *, slot_timeout_s: float = SLOT_TIMEOUT_S,
        on_wait: Callable[[], None] | None = None,
    ) -> None:
        # Resolved now so that a missing browser fails before any work is done.
        try:
            self.executable = find_browser(browser_path)
        except BrowserNotFound as error:
            logger.error("%s", error)
            raise
        self.slot_timeout_s = slot_timeout_s
        self.on_wait = on_wait
        self._browser: Any = None
        self._resources: ExitStack | None = None

    def __enter__(self) -> Self:
        from playwright.sync_api import Error as PlaywrightError, sync_playwright

        # Everything acquired is released in reverse order on the way out, or at once on an error.
        with ExitStack() as resources:
            resources.enter_context(browser_slot(self.slot_timeout_s, self.on_wait))
            # The page's /app/static/ URLs are answered from STATIC_DIR, which start-up fills.
            assets.install_static()
            playwright = sync_playwright().start()
            resources.callback(playwright.stop)
            try:
                browser = playwright.chromium.launch(executable_path=self.executable, args=launch_args())
            except PlaywrightError as error:
                logger.error("could not start %s: %s", self.executable, error)
                first_line = str(error).strip().splitlines()[0]
                raise BrowserNotFound(f"could not start {self.executable}: {first_line}: {INSTALL_HINT}") from None
            resources.callback(browser.close)
            self._browser = browser
            self._resources = resources.pop_all()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None,
    ) -> None:
        resources, self._resources, self._browser = self._resources, None, None
        if resources is not None:
            resources.close()

    def document_context(
        self, html: str, *, tile_urls: Iterable[str] = (), blocked: list[str] | None = None, **options: Any,
    ) -> Any:
        """A new browser context (Playwright's ``new_context(**options)``) that answers DOCUMENT_URL
        with `html` and its /app/static/ URLs from the local files, lets through requests to the
        hosts of the tile URL templates `tile_urls`, and refuses every other, appending its URL to
        `blocked`. The caller closes it."""
        if self._browser is None:
            raise RuntimeError(f"{type(self).__name__} used outside its `with` block")
        allowed = tile_host_patterns(tile_urls)
        refused = blocked if blocked is not None else []

        def route(request_route: Any) -> None:
            url = request_route.request.url
            parts = urlsplit(url)
            if url == DOCUMENT_URL:
                request_route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)
            elif _origin(url) == _origin(DOCUMENT_URL) and parts.path.startswith(assets.STATIC_URL):
                local = assets.local_file(parts.path)
                if local is None:
                    refused.append(url)
                    request_route.fulfill(status=404, body="")
                else:
                    request_route.fulfill(status=200, path=str(local))
            elif any(pattern.match(url) for pattern in allowed):
                request_route.continue_()
            else:
                refused.append(url)
                request_route.abort("blockedbyclient")

        context = self._browser.new_context(**options)
        context.route("**/*", route)
        return context


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
