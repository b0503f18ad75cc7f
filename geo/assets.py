"""Browser assets served from this project, so the map draws with no internet.

Leaflet comes from the installed ``xstatic-leaflet`` package and the map's own runtime from
``geo/web/``; both are copied under ``static/vendor/`` (gitignored) at start-up. Data the map
fetches (a snapshot's layers, labels, events and popup text: ``geo.snapshot``) is written there
too, by ``publish_folder``, as one folder named by a hash of its content: a browser may keep it as
long as it likes, and changed data gets a new URL. Which folders are kept is the snapshot cache's
choice (``geo.snapshot.SnapshotCache``); this module only writes, lists, touches and removes them.
Streamlit serves ``./static`` at ``/app/static/`` (``server.enableStaticServing``), and the PNG
exporter answers the same URLs from ``STATIC_DIR`` (``local_file``), so every asset URL the map
emits starts with ``STATIC_URL``.
"""

from __future__ import annotations

import filecmp
import hashlib
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
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
_PANJ_FILES = ("panj-early.js", "panj-view.js", "panj-map.js", "panj-labels.js", "panj-keys.js", "panj-map.css", "panj-strip.js")

_DATA_DIR = STATIC_DIR / "vendor" / "data"
_DATA_URL = f"{STATIC_URL}vendor/data/"
_DATA_HASH_CHARS = 16  # 64 bits of SHA-256: no two data versions collide in practice
_DATA_NAME = re.compile(r"[a-z0-9][a-z0-9._-]*")
_PARTIAL_PREFIX = ".partial-"  # a folder being written: never served by name, never listed
_REMOVING_PREFIX = ".removing-"  # a folder being removed: gone from its URL already


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
    ("panj_keys", _versioned(f"{_PANJ_URL}panj-keys.js", _PANJ_SOURCE / "panj-keys.js")),
]
# The same scripts as one file, which the page's map loads (geo.mapview.map_scripts): its frame
# fetches each script only once the one before it has run, a round trip a file before the first
# draw (docs/performance.md, "One script for the map"). Leaflet's source-map comment is left out:
# the map it names is not served.
_MAP_BUNDLE_NAME = "panj-map-bundle.js"
_MAP_BUNDLE_SOURCES = (_LEAFLET_SOURCE / "leaflet.js", *(_PANJ_SOURCE / name for name in
                                                         ("panj-view.js", "panj-map.js", "panj-labels.js", "panj-keys.js")))


def _map_bundle() -> bytes:
    parts = [source.read_bytes() for source in _MAP_BUNDLE_SOURCES]
    parts[0] = re.sub(rb"\n//# sourceMappingURL=\S*\s*$", b"\n", parts[0])
    return b"\n;\n".join(parts)


MAP_BUNDLE_JS = f"{_PANJ_URL}{_MAP_BUNDLE_NAME}?v={hashlib.sha256(_map_bundle()).hexdigest()[:12]}"
# The map's first script, asking for its data files early (geo.mapview.map_scripts adds their URLs).
EARLY_JS = _versioned(f"{_PANJ_URL}panj-early.js", _PANJ_SOURCE / "panj-early.js")
# The frontier strip's drawing (geo.stripfigure's figure loads it after panj-map.js, whose symbols it draws).
STRIP_JS = _versioned(f"{_PANJ_URL}panj-strip.js", _PANJ_SOURCE / "panj-strip.js")
# The strip's part on the page (ui/strip_panel.py), which draws through the file above.
PAGE_STRIP_JS = _versioned(f"{STATIC_URL}strip.js", STATIC_DIR / "strip.js")
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
    """Copy Leaflet and the Panj runtime under ``static/vendor``, and write the map's scripts as one
    file there (``MAP_BUNDLE_JS``), when missing or different; return ``STATIC_DIR``."""
    copies = [(_LEAFLET_SOURCE / name, _LEAFLET_DIR / name) for name in _LEAFLET_FILES]
    copies += [(_PANJ_SOURCE / name, _PANJ_DIR / name) for name in _PANJ_FILES]
    for source, target in copies:
        if target.is_file() and filecmp.cmp(source, target, shallow=False):
            continue
        _write_atomically(target, source.read_bytes())
    bundle, target = _map_bundle(), _PANJ_DIR / _MAP_BUNDLE_NAME
    if not (target.is_file() and target.read_bytes() == bundle):
        _write_atomically(target, bundle)
    return STATIC_DIR


@dataclass(frozen=True)
class DataFolder:
    """One published folder of ``static/vendor/data/``: its name is a hash of everything in it."""

    name: str
    files: tuple[str, ...]

    def url(self, file_name: str) -> str:
        if file_name not in self.files:
            raise KeyError(f"{file_name!r} is not in data folder {self.name}")
        return f"{_DATA_URL}{self.name}/{file_name}"

    @property
    def path(self) -> Path:
        return _DATA_DIR / self.name

    def subfolder_url(self, name: str) -> str:
        """The URL of a folder written inside this one by ``publish_subfolder`` (ending in "/")."""
        return f"{_DATA_URL}{self.name}/{name}/"


def publish_folder(files: Mapping[str, bytes]) -> DataFolder:
    """Write ``files`` into one folder of ``static/vendor/data/`` named by a hash of all of them
    (names and contents), unless that folder is there already; return it.

    One URL always means the same bytes, so a browser may cache it for good, and files that belong
    together (an events file, its popup files, the layers its areas are outlined from) share a
    folder and never mix versions. The folder appears whole or not at all: it is written under a
    temporary name and renamed."""
    digest = hashlib.sha256()
    for name in sorted(files):
        if not _DATA_NAME.fullmatch(name):
            raise ValueError(f"data file name {name!r}: expected lower-case letters, digits, '.', '_' or '-'")
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    folder = DataFolder(digest.hexdigest()[:_DATA_HASH_CHARS], tuple(sorted(files)))
    if folder.path.is_dir() and touch_folder(folder.name):  # touched: another's pruning keeps it
        return folder
    _DATA_DIR.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=_PARTIAL_PREFIX, dir=_DATA_DIR))
    try:
        for name, content in files.items():
            (partial / name).write_bytes(content)
        partial.chmod(0o755)  # mkdtemp's folder is private; the server's static files are not
        partial.rename(folder.path)
    except OSError:
        shutil.rmtree(partial, ignore_errors=True)
        if not folder.path.is_dir():  # another thread or server published the same folder meanwhile
            raise
    return folder


def publish_subfolder(folder: Path, name: str, files: Iterable[tuple[str, bytes]]) -> None:
    """Write ``files`` ((name, content) pairs, made as they are taken) into the folder ``name``
    inside a published folder (its path: a child process writes it as well, ``geo.snapshot``),
    which appears whole or not at all (written under a temporary name
    and renamed). For files made after the folder was published and named by a token of their own
    (``geo.snapshot``: the popup text): the published folder's hash does not cover them. OSError
    when the folder is removed meanwhile (pruned); the part written is removed with it."""
    if not _DATA_NAME.fullmatch(name):
        raise ValueError(f"data folder name {name!r}: expected lower-case letters, digits, '.', '_' or '-'")
    partial = Path(tempfile.mkdtemp(prefix=_PARTIAL_PREFIX, dir=folder))
    try:
        for file_name, content in files:
            if not _DATA_NAME.fullmatch(file_name):
                raise ValueError(f"data file name {file_name!r}: expected lower-case letters, digits, '.', '_' or '-'")
            (partial / file_name).write_bytes(content)
        partial.chmod(0o755)
        partial.rename(folder / name)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


def data_folders(*, unfinished: bool = False) -> dict[str, float]:
    """Every published folder's name and when it was last published or used (its mtime, seconds);
    with ``unfinished``, instead the folders a process left half written or half removed (it
    stopped meanwhile): never served, and for the pruning to clear."""
    if not _DATA_DIR.is_dir():
        return {}
    found = {}
    for entry in _DATA_DIR.iterdir():
        if entry.is_dir() and entry.name.startswith((_PARTIAL_PREFIX, _REMOVING_PREFIX)) == unfinished:
            try:
                found[entry.name] = entry.stat().st_mtime
            except FileNotFoundError:  # removed meanwhile by another server's pruning
                continue
    return found


def touch_folder(name: str) -> bool:
    """Mark a published folder as in use now (its mtime: another server sharing ``static/`` does
    not prune it); False when it is gone."""
    try:
        os.utime(_DATA_DIR / name)
    except FileNotFoundError:
        return False
    return True


def remove_folder(name: str, *, unused_since: float | None = None) -> bool:
    """Remove a published folder at once from its URL (renamed, then deleted), so no reader finds it
    half gone; gone already is fine. With ``unused_since``, a folder touched after that time (by
    another process, since the caller looked) is left where it was. Whether it was removed."""
    folder = _DATA_DIR / name
    if name.startswith((_PARTIAL_PREFIX, _REMOVING_PREFIX)):
        shutil.rmtree(folder, ignore_errors=True)
        return True
    doomed = _DATA_DIR / f"{_REMOVING_PREFIX}{name}-{os.getpid()}-{threading.get_ident()}"
    try:
        folder.rename(doomed)
    except FileNotFoundError:
        return True
    if unused_since is not None and doomed.stat().st_mtime > unused_since:
        try:
            doomed.rename(folder)  # in use after all: back where it was
            return False
        except OSError:  # published again meanwhile under its own name: this copy is surplus
            pass
    shutil.rmtree(doomed, ignore_errors=True)
    return True


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
