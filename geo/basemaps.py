"""The basemap choices of ``layers/basemaps.json``: each an ``xyzservices`` provider's tiles, or
none. Tiles are an option, never a requirement: the map draws without them (docs/ARCHITECTURE.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import xyzservices.providers

from geo.layers import ID_PATTERN, LAYERS_DIR
from geo.problems import Problem, ProblemsError, check_fields, item_label, read_json

BASEMAPS_NAME = "basemaps.json"
BASEMAP_NONE = "none"


@dataclass(frozen=True)
class Basemap:
    """One choice of basemap: an ``xyzservices`` provider's tiles, or none."""

    id: str
    title: str
    url: str | None  # None: no tiles at all
    attribution: str  # plain text
    html_attribution: str  # as Leaflet shows it (from xyzservices, trusted package data)
    max_zoom: int


class BasemapsError(ProblemsError):
    """``basemaps.json`` failed validation; ``problems`` holds every problem found."""

    subject = "the basemaps"


def load_basemaps(layers_dir: Path = LAYERS_DIR) -> dict[str, Basemap]:
    """The basemap choices of ``basemaps.json``, in file order (the first is the default).

    Each entry names an ``xyzservices`` provider (URL, attribution and zoom come from it) or
    ``null`` for no tiles. Raises BasemapsError listing every problem of every entry."""
    path = Path(layers_dir) / BASEMAPS_NAME
    problems: list[Problem] = []
    raw = read_json(path, problems)
    if raw is None:
        raise BasemapsError(problems)
    if not isinstance(raw, dict) or set(raw) != {"basemaps"} or not isinstance(raw["basemaps"], list):
        raise BasemapsError([Problem(path, "file", None, 'expected an object with exactly a "basemaps" list')])
    basemaps: dict[str, Basemap] = {}
    seen: set[str] = set()
    for position, entry in enumerate(raw["basemaps"], start=1):
        item = item_label("basemap", entry, position)
        if not isinstance(entry, dict):
            problems.append(Problem(path, item, None, "not an object"))
            continue
        before = len(problems)
        check_fields(path, item, entry, ("id", "title", "provider"), (), problems)
        basemap_id, title, provider_name = entry.get("id"), entry.get("title"), entry.get("provider")
        if "id" in entry and (not isinstance(basemap_id, str) or not ID_PATTERN.fullmatch(basemap_id)):
            problems.append(Problem(path, item, "id", "must be lower-case letters, digits and hyphens"))
        elif basemap_id in seen:
            problems.append(Problem(path, item, "id", "duplicate basemap id"))
        if isinstance(basemap_id, str):
            seen.add(basemap_id)
        if "title" in entry and (not isinstance(title, str) or not title.strip()):
            problems.append(Problem(path, item, "title", "must be a non-empty string"))
        provider = None
        if isinstance(provider_name, str):
            try:
                provider = xyzservices.providers.query_name(provider_name)
            except ValueError:
                problems.append(Problem(path, item, "provider", f"unknown xyzservices provider {provider_name!r}"))
        elif provider_name is not None:
            problems.append(Problem(path, item, "provider", "must be an xyzservices provider name, or null for no tiles"))
        if len(problems) > before:
            continue
        basemaps[basemap_id] = Basemap(basemap_id, title, None, "", "", 19) if provider is None else Basemap(
            id=basemap_id, title=title, url=provider.build_url(),
            attribution=provider.get("attribution", ""), html_attribution=provider.html_attribution,
            max_zoom=int(provider.get("max_zoom", 18)),
        )
    if BASEMAP_NONE not in seen:
        problems.append(Problem(path, "file", "basemaps", f"a basemap {BASEMAP_NONE!r} (no tiles) is required"))
    if problems:
        raise BasemapsError(problems)
    return basemaps
