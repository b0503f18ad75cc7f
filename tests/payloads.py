"""Text that tries to become a template, Markdown or HTML, and a data directory that carries it on
every path text takes: event titles and summaries, a place name, a layer title, an actor name,
a document title, a scene's title and caption. Built from tests/fixtures/layers-hostile."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

HOSTILE = Path(__file__).resolve().parent / "fixtures" / "layers-hostile"

# Jinja: each would print 49, fail to compile or print the server's working directory.
TEMPLATE = ("{{ 7*7 }}", "{% if %}", "{{ cycler.__init__.__globals__.os.getcwd() }}")
# Markdown and HTML: a live link, an image fetched from another host, script, a javascript: URL.
LINK = "[Session expired – sign in again](https://evil.example/login)"
IMAGE = "![t](https://evil.example/beacon.png)"
HTML = "<img src=x onerror=alert(1)>"
SCRIPT_URL = "[click](javascript:alert(1))"
BARE_URL = "https://evil.example/bare"
LONG = "A" * 5000

EVENT_TITLE = f"{TEMPLATE[0]} {LINK}"
EVENT_SUMMARY = f"{TEMPLATE[1]} {IMAGE} {TEMPLATE[2]} {BARE_URL}"
SECOND_TITLE = f"{HTML} {SCRIPT_URL}"
PLACE_NAME = f"{TEMPLATE[0]} Khorugh {LINK}"
LAYER_TITLE = f"{TEMPLATE[0]} Countries {LINK} {IMAGE}"
ACTOR_NAME = f"{TEMPLATE[1]} China {IMAGE}"
DOCUMENT_TITLE = f"{TEMPLATE[2]} Fixture"
SCENE_TITLE = f"{TEMPLATE[0]} Offensives {LINK}"
SCENE_CAPTION = f"{TEMPLATE[2]} {IMAGE} {HTML}"


def write_payload_layers(folder: Path) -> Path:
    """The hostile fixture with the payloads above in its data files; returns ``folder``."""
    shutil.copytree(HOSTILE, folder)

    def edit(name: str, change) -> None:
        path = folder / name
        data = json.loads(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")

    def events(data: dict) -> None:
        data["document"]["title"] = DOCUMENT_TITLE
        first, second, *_ = data["events"]
        first.update(title=EVENT_TITLE, summary=EVENT_SUMMARY)
        second.update(title=SECOND_TITLE, summary=LONG)

    def manifest(data: dict) -> None:
        next(layer for layer in data["layers"] if layer["id"] == "countries")["title"] = LAYER_TITLE

    def places(data: dict) -> None:
        data["features"][0]["properties"]["name"] = PLACE_NAME

    def vocabularies(data: dict) -> None:
        next(actor for actor in data["actors"] if actor["id"] == "china")["name"] = ACTOR_NAME

    def basemaps(data: dict) -> None:
        # No tiles by default, as on the shipped data: a junk ?basemap= must leave nothing to fetch.
        data["basemaps"].sort(key=lambda basemap: basemap["provider"] is not None)

    def scenes(data: dict) -> None:
        data["scenes"][0].update(title=SCENE_TITLE, caption=SCENE_CAPTION)

    edit("events/fixture.json", events)
    edit("manifest.json", manifest)
    edit("places.geojson", places)
    edit("vocabularies.json", vocabularies)
    edit("scenes.json", scenes)
    edit("basemaps.json", basemaps)
    return folder


# Query strings whose values try the same: every key the page reads, plus one it does not.
HOSTILE_QUERIES = (
    {"from": LINK, "basemap": IMAGE},
    {"actor": [HTML, TEMPLATE[0]], "q": LINK, "layers": IMAGE, "region": SCRIPT_URL},
    {"scene": TEMPLATE[2], "event": f"{LINK}{LONG}", "bbox": IMAGE, "to": TEMPLATE[1]},
)
