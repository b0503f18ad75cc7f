"""Shared test helpers: the page under Streamlit's AppTest, the page served by `streamlit run` on a
free port, and headless Chromium.

Only tests marked ``browser`` use the server and the browser; the server starts on first use and
stops at the end of the session. Chromium is Debian's (/usr/bin/chromium) or PANJ_CHROMIUM.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.store import Store, open_store

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
APPTEST_TIMEOUT_S = 120  # a first run joins the events and builds the map; the machine may be busy
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CHROMIUM = os.environ.get("PANJ_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
START_TIMEOUT_S = 60.0


@pytest.fixture(autouse=True)
def _own_store(tmp_path_factory, monkeypatch) -> None:
    """Each test's page keeps its datasets in a store of its own, never the user's."""
    monkeypatch.setenv("PANJ_DATA_DIR", str(tmp_path_factory.mktemp("store")))
    monkeypatch.delenv("PANJ_DATABASE_URL", raising=False)


@pytest.fixture
def static_dir(tmp_path, monkeypatch) -> Path:
    """Published folders (geo.assets) under a temporary static folder, so a test counts only its own."""
    from geo import assets

    static = tmp_path / "static"
    monkeypatch.setattr(assets, "STATIC_DIR", static)
    monkeypatch.setattr(assets, "_DATA_DIR", static / "vendor" / "data")
    monkeypatch.setattr(assets, "_LEAFLET_DIR", static / "vendor" / "leaflet")
    monkeypatch.setattr(assets, "_PANJ_DIR", static / "vendor" / "panj")
    return static


def run_page(query: dict[str, str | list[str]] | None = None, state: dict[str, object] | None = None) -> AppTest:
    """Run app.py once under AppTest with ``query`` as its URL's query string and ``state`` in its
    session state (a panel opened, say); fail on an exception."""
    at = AppTest.from_file(APP, default_timeout=APPTEST_TIMEOUT_S)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    for key, value in (state or {}).items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def shown_text(markdown: str) -> str:
    """What a reader sees of Markdown that ``geo.markup.markdown_text`` escaped: the backslash
    escapes read and the invisible word joiners dropped."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


def notices(at: AppTest) -> list[str]:
    """The page's warnings as a reader sees them."""
    return [shown_text(warning.value) for warning in at.warning]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _watch_output(process: subprocess.Popen, ready: threading.Event, lines: list[str]) -> None:
    """Keep reading the server's output (a full pipe would stall it); set ``ready`` once it says
    where it serves, or when it exits."""
    for raw in process.stdout:
        line = raw.decode(errors="replace")
        lines.append(line)
        if "URL:" in line:
            ready.set()
    ready.set()


def _serve(layers_dir: Path | None) -> Iterator[str]:
    """Start `streamlit run app.py` on the shipped (or ``layers_dir``'s) data with a store of its
    own, yield its URL once it serves; stop the server after."""
    port = free_port()
    env = dict(os.environ)
    env.pop("PANJ_LAYERS_DIR", None)
    env.pop("PANJ_DATABASE_URL", None)
    env["PANJ_DATA_DIR"] = tempfile.mkdtemp(prefix="panj-store-")  # the served page's own datasets
    if layers_dir is not None:
        env["PANJ_LAYERS_DIR"] = str(layers_dir)
    url = f"http://127.0.0.1:{port}"
    with serving([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                  "--server.headless", "true", "--server.address", "127.0.0.1"], url=url, cwd=ROOT, env=env):
        yield url


@contextmanager
def serving(command: list[str], *, url: str, cwd: Path, env: dict[str, str] | None = None) -> Iterator[subprocess.Popen]:
    """Start a server (``command``: Streamlit, or `panj run`), wait until it announces its URL and
    ``url``'s /_stcore/health answers, yield the process; stop it after. Fails the test, with the
    server's output, when it does not serve within START_TIMEOUT_S."""
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    ready, lines = threading.Event(), []
    threading.Thread(target=_watch_output, args=(process, ready, lines), daemon=True).start()
    try:
        if not ready.wait(START_TIMEOUT_S):
            pytest.fail(f"the server did not announce {url} within {START_TIMEOUT_S:g} s:\n{''.join(lines)}")
        if process.poll() is not None or not healthy(url):
            pytest.fail(f"the server is not serving {url} (exit code {process.poll()}):\n{''.join(lines)}")
        yield process
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    """End a server the tests started, killing it if it does not stop within 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    """The page on the shipped layers."""
    yield from _serve(None)


@pytest.fixture(scope="module")
def own_app_url() -> Iterator[str]:
    """The page on the shipped layers with a store of its own module's: tests that import or
    delete datasets leave app_url's store as it was."""
    yield from _serve(None)


@pytest.fixture(scope="session")
def hostile_app_url() -> Iterator[str]:
    """The page on tests/fixtures/layers-hostile (an event titled with an HTML injection)."""
    yield from _serve(FIXTURES / "layers-hostile")


@pytest.fixture(scope="session")
def payload_app_url(tmp_path_factory) -> Iterator[str]:
    """The page on tests/payloads.py's data directory (template, Markdown and HTML payloads)."""
    from payloads import write_payload_layers

    yield from _serve(write_payload_layers(tmp_path_factory.mktemp("payload-app") / "layers"))


@pytest.fixture
def page(browser):
    """A fresh page recording (and refusing) every request that would leave this machine, and
    every dialog that opens."""
    from browsing import is_local

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.outside_requests = []
    page.dialogs = []

    def route(request_route) -> None:
        if is_local(request_route.request.url):
            request_route.continue_()
        else:
            page.outside_requests.append(request_route.request.url)
            request_route.abort()

    context.route("**/*", route)
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    context.close()


@pytest.fixture(scope="module")
def browser():
    # Module scope: Playwright's sync API refuses to start while another instance runs in the
    # same thread, and tests/test_export.py starts its own (geo.export.Renderer).
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"no Chromium at {CHROMIUM} (set PANJ_CHROMIUM)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def postgis_url() -> Iterator[str]:
    """The URL of a throwaway PostgreSQL cluster with PostGIS (tests/pgcluster.py), started once
    per session and removed at its end; the test is skipped, saying why, without the binaries."""
    import pgcluster

    reason = pgcluster.missing()
    if reason:
        pytest.skip(reason)
    with pgcluster.throwaway_cluster() as url:
        yield url


@contextmanager
def new_database(cluster: str) -> Iterator[str]:
    """A new database of the session's cluster (``postgis_url``), dropped after."""
    import psycopg

    database = f"panj_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(cluster, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {database}")
    yield cluster.replace("/postgres?", f"/{database}?")
    with psycopg.connect(cluster, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE {database} WITH (FORCE)")


@pytest.fixture(params=["sqlite", "postgis"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new, empty store of each kind: a SQLite file, or a new database of the session's cluster."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite3'}"
        return
    with new_database(request.getfixturevalue("postgis_url")) as url:
        yield url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """``store_url``'s store, opened (a test file may define a ``store`` of its own)."""
    with open_store(store_url) as opened:
        yield opened
