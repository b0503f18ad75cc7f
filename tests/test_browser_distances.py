"""The popup's distances in Chromium: a point event gives its own; an area event gives how near
its area comes ("at least", or "reaches" where it touches the frontier); an event known only to a
whole country gives none, as it could have happened anywhere in it.

The expected geography is independent of the join: which areas touch the Tajikistan–Afghanistan
frontier is common knowledge (GBAO and Badakhshan lie along the Panj, Baghlan does not), and a
point event's distances are checked against great-circle distances worked out here from the
layers' coordinates.
"""

from __future__ import annotations

import json
import math
import re

import pytest
from browsing import TIMEOUT_MS, map_frame

from geo.layers import LAYERS_DIR

pytestmark = pytest.mark.browser

EARTH_RADIUS_KM = 6371.0088  # mean radius; the join's ellipsoid differs by well under 1%
NOT_APPLICABLE = "does not apply to an event known only to the whole country"
ZERO_KM = re.compile(r"(?<![\d.])0(\.0)? km")


def _distance_row(frame, event_id: str) -> str:
    assert frame.evaluate("(id) => window.panjMap.openEvent(id)", event_id)
    frame.wait_for_function("() => { const rows = [...document.querySelectorAll('.panj-popup dt')];"
                            " return rows.some(dt => dt.textContent === 'Distance'); }", timeout=TIMEOUT_MS)
    return frame.evaluate("() => [...document.querySelectorAll('.panj-popup dt')]"
                          ".find(dt => dt.textContent === 'Distance').nextElementSibling.textContent")


@pytest.fixture
def frame(page, app_url):
    page.goto(f"{app_url}/?basemap=none")
    found = map_frame(page)
    found.wait_for_function("() => window.panjMap.eventsDrawn > 0", timeout=TIMEOUT_MS)
    return found


# (event in layers/events/, its place, text the Distance row must hold)
AREA_EVENTS = [
    ("taliban-takeover", "Afghanistan (country)", [NOT_APPLICABLE]),
    ("russia-201st-stationed", "Tajikistan (country)", [NOT_APPLICABLE]),
    ("gbao-protests", "GBAO (region on the Panj)", ["reaches the frontier"]),
    ("taliban-reassert-badakhshan", "Badakhshan (province on the Panj)", ["reaches the frontier"]),
    ("resistance-baghlan", "Baghlan (province off the frontier)", ["at least ", " km from the frontier"]),
]


@pytest.mark.parametrize(("event_id", "place", "wanted"), AREA_EVENTS)
def test_an_area_event_gives_no_zero_distance(frame, event_id, place, wanted) -> None:
    text = _distance_row(frame, event_id)
    assert all(part in text for part in wanted), (place, text)
    assert not ZERO_KM.search(text), (place, text)


def _great_circle_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((phi2 - phi1) / 2) ** 2
         + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def _feature(file: str, feature_id: str) -> dict:
    collection = json.loads((LAYERS_DIR / file).read_text(encoding="utf-8"))
    return next(feature for feature in collection["features"] if feature["properties"]["id"] == feature_id)


def _frontier_points() -> list[tuple[float, float]]:
    geometry = json.loads((LAYERS_DIR / "frontier.geojson").read_text(encoding="utf-8"))["features"][0]["geometry"]
    lines = geometry["coordinates"] if geometry["type"] == "MultiLineString" else [geometry["coordinates"]]
    return [tuple(point[:2]) for line in lines for point in line]


def test_a_point_event_keeps_its_own_distances(frame) -> None:
    # chuianzoda-kabul-mission is at places:kabul; the nearest post to Kabul is Ayvoj.
    lon, lat = _feature("places.geojson", "kabul")["geometry"]["coordinates"]
    frontier_km = min(_great_circle_km(lon, lat, *point) for point in _frontier_points())
    ayvoj = _feature("posts.geojson", "ayvoj")
    post_km = _great_circle_km(lon, lat, *ayvoj["geometry"]["coordinates"])
    text = _distance_row(frame, "chuianzoda-kabul-mission")
    found = re.fullmatch(r"([\d.]+) km to the frontier; ([\d.]+) km to the nearest post, (.+)", text)
    assert found, text
    assert float(found[1]) == pytest.approx(frontier_km, rel=0.01)
    assert float(found[2]) == pytest.approx(post_km, rel=0.01)
    assert found[3] == ayvoj["properties"]["name"]
