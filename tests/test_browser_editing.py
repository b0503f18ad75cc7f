"""Who may edit, on a real server: by default a browser on the server's machine that opens the page
at a loopback address gets the file uploader, and one that reaches the same server by the machine's
network address reads only (the address is the one the server's socket sees, not a test's
stand-in)."""

from __future__ import annotations

import os
import socket
import sys
import tempfile
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from browsing import TIMEOUT_MS
from conftest import ROOT, free_port, serving

pytestmark = pytest.mark.browser

PANEL = "Your own events: import ACLED, UCDP, GeoJSON or Panj files"
READ_ONLY = "Only a browser on the server's own machine"


def _network_address() -> str | None:
    """This machine's address on its network (the one it would reach 192.0.2.1 from: a UDP socket's
    connect sends nothing); None without a network."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith("127.") else address


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[int, str]]:
    """The page on every interface of this machine, editing at its default; its port and the
    machine's network address."""
    address = _network_address()
    if address is None:
        pytest.skip("this machine has no network address besides loopback")
    port = free_port()
    env = {key: value for key, value in os.environ.items()
           if key not in ("PANJ_LAYERS_DIR", "PANJ_DATABASE_URL", "PANJ_EDITING", "PANJ_EDITOR_PASSWORD")}
    env["PANJ_DATA_DIR"] = tempfile.mkdtemp(prefix="panj-store-")
    with serving([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                  "--server.headless", "true", "--server.address", "0.0.0.0"],
                 url=f"http://127.0.0.1:{port}", cwd=ROOT, env=env):
        yield port, address


def _open_panel(browser, url: str):
    """A page at ``url`` (requests to any other host refused), its datasets panel opened."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    host = urlsplit(url).hostname

    def route(request_route) -> None:
        request = request_route.request.url
        if request.startswith(("data:", "blob:", "about:")) or urlsplit(request).hostname == host:
            request_route.continue_()
        else:
            request_route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.goto(url)
    page.get_by_text(PANEL).click()
    return page


def test_the_server_s_own_browser_may_edit(browser, served) -> None:
    port, _ = served
    page = _open_panel(browser, f"http://127.0.0.1:{port}/?basemap=none")
    page.locator("[data-testid='stFileUploader']").wait_for(timeout=TIMEOUT_MS)
    assert page.get_by_text(READ_ONLY).count() == 0
    page.context.close()


def test_a_browser_at_the_network_address_reads_only(browser, served) -> None:
    port, address = served
    page = _open_panel(browser, f"http://{address}:{port}/?basemap=none")
    page.get_by_text(READ_ONLY).wait_for(timeout=TIMEOUT_MS)  # the panel is drawn, read-only
    assert page.locator("[data-testid='stFileUploader']").count() == 0
    assert page.get_by_role("button", name="Import").count() == 0
    page.context.close()
