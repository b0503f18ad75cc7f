"""Browser assets served from this project, so the map draws with no internet.

Leaflet comes from the installed ``xstatic-leaflet`` package and the map's own runtime from
``geo/web/``; both are copied under ``static/vendor/`` (gitignored) at start-up. Data the map
fetches (the manifest layers' GeoJSON) is written there too, by ``publish_data``, under a folder
named by a hash of its content: a browser may keep it as long as it likes, and changed data gets a
new URL. Streamlit serves ``./static`` at ``/app/static/`` (``server.enableStaticServing``), and the
PNG exporter answers the same URLs from ``STATIC_DIR`` (``local_file``), so every asset URL the map
emits starts with ``STATIC_URL``.
"""

from __future__ import annotations

import filecmp
import hashlib
import os
import re
from pathlib import Path

import xstatic.pkg.leaflet as xstatic_leaflet

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
STATIC_URL = "/app/static/"

_LEAFLET_SOURCE = Path(xstatic_leaflet.BASE_DIR)
_LEAFLET_DIR = STATIC_DIR / "vendor" / "leaflet"
_LEAFLET_URL = f"{STATIC_URL}vendor/leaflet/"
# The files the map needs; source maps and the ESM build stay behind.
_LEAFLET_FILES = ("leaflet.js", "leaflet.css", "images/layers.png", "images/layers-2x.png",
                  "images/marker-icon.png", "images/marker-icon-2x.png", "images/marker-shadow.png")

_PANJ_SOURCE = Path(__file__).resolve().parent / "web"
_PANJ_DIR = STATIC_DIR / "vendor" / "panj"
_PANJ_URL = f"{STATIC_URL}vendor/panj/"
_PANJ_FILES = ("panj-view.js", "panj-map.js", "panj-labels.js", "panj-map.css")

_DATA_DIR = STATIC_DIR / "vendor" / "data"
_DATA_URL = f"{STATIC_URL}vendor/data/"
_DATA_HASH_CHARS = 16  # 64 bits of SHA-256: no two data versions collide in practice
_DATA_NAME = re.compile(r"[a-z0-9][a-z0-9._-]*")


def _versioned(url: str, source: Path) -> str:
    # Our own files change between releases; the query makes browsers fetch the new one.
    return f"{url}?v={hashlib.sha256(source.read_bytes()).hexdigest()[:12]}"


LEAFLET_VERSION = xstatic_leaflet.VERSION
# (name, url) pairs in folium's default_js/default_css form: Leaflet and the Panj runtime, in
# load order, all under STATIC_URL, nothing from a CDN.
MAP_JS = [
    ("leaflet", f"{_LEAFLET_URL}leaflet.js"),
    ("panj_view", _versioned(f"{_PANJ_URL}panj-view.js", _PANJ_SOURCE / "panj-view.js")),
    ("panj_map", _versioned(f"{_PANJ_URL}panj-map.js", _PANJ_SOURCE / "panj-map.js")),
    ("panj_labels", _versioned(f"{_PANJ_URL}panj-labels.js", _PANJ_SOURCE / "panj-labels.js")),
]
MAP_CSS = [
    ("leaflet_css", f"{_LEAFLET_URL}leaflet.css"),
    ("panj_map_css", _versioned(f"{_PANJ_URL}panj-map.css", _PANJ_SOURCE / "panj-map.css")),
]


def web_script(name: str) -> str:
    """The text of ``geo/web/<name>``: a script the exporter, the figure or a benchmark hands to
    Chromium itself (an init script, a function to evaluate, a figure's script) rather than a file
    the page loads, so it is not copied under ``static/``. Read once, by the module that uses it."""
    return (_PANJ_SOURCE / name).read_text(encoding="utf-8")


def install_static() -> Path:
    """Copy Leaflet and the Panj runtime under ``static/vendor`` when missing or different;
    return ``STATIC_DIR``."""
    copies = [(_LEAFLET_SOURCE / name, _LEAFLET_DIR / name) for name in _LEAFLET_FILES]
    copies += [(_PANJ_SOURCE / name, _PANJ_DIR / name) for name in _PANJ_FILES]
    for source, target in copies:
        if target.is_file() and filecmp.cmp(source, target, shallow=False):
            continue
        _write_atomically(target, source.read_bytes())
    return STATIC_DIR


def publish_data(name: str, content: bytes) -> str:
    """Write ``content`` to ``static/vendor/data/<hash of content>/<name>`` unless already there;
    return its URL (under ``STATIC_URL``).

    The folder is named by the content, so one URL always means the same bytes (browsers may cache
    it for good) and two data directories, or two versions of a file, never share a URL."""
    if not _DATA_NAME.fullmatch(name):
        raise ValueError(f"data file name {name!r}: expected lower-case letters, digits, '.', '_' or '-'")
    digest = hashlib.sha256(content).hexdigest()[:_DATA_HASH_CHARS]
    target = _DATA_DIR / digest / name
    if not (target.is_file() and target.stat().st_size == len(content)):
        _write_atomically(target, content)
    return f"{_DATA_URL}{digest}/{name}"


def publish_bundle(files: dict[str, bytes]) -> dict[str, str]:
    """Write several files into one folder of ``static/vendor/data/`` named by a hash of all of
    them (names and contents), unless already there; return each name's URL. Files that belong
    together (an events file and its popup files) then share a folder and never mix versions."""
    digest = hashlib.sha256()
    for name in sorted(files):
        if not _DATA_NAME.fullmatch(name):
            raise ValueError(f"data file name {name!r}: expected lower-case letters, digits, '.', '_' or '-'")
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    folder = digest.hexdigest()[:_DATA_HASH_CHARS]
    urls = {}
    for name, content in files.items():
        target = _DATA_DIR / folder / name
        if not (target.is_file() and target.stat().st_size == len(content)):
            _write_atomically(target, content)
        urls[name] = f"{_DATA_URL}{folder}/{name}"
    return urls


def _write_atomically(target: Path, content: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    # Write then rename: a page served meanwhile never sees half a file. The temporary name is
    # per process, as two servers (another PANJ_LAYERS_DIR) may write the same file at once.
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    partial.write_bytes(content)
    partial.replace(target)


def local_file(url_path: str) -> Path | None:
    """The file under ``STATIC_DIR`` a URL path such as ``/app/static/vendor/leaflet/leaflet.js``
    names, or None when the path is outside ``STATIC_URL``, escapes the folder, or does not exist."""
    path = url_path.split("?", 1)[0].split("#", 1)[0]
    if not path.startswith(STATIC_URL):
        return None
    candidate = (STATIC_DIR / path[len(STATIC_URL):]).resolve()
    if not candidate.is_relative_to(STATIC_DIR.resolve()) or not candidate.is_file():
        return None
    return candidate
