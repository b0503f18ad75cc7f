"""What a group's symbol is drawn from (geo/web/panj-map.js EventGroups.summary): for every group in
view, its actors' mentions and whether all its events have only an approximate place, against the
same counted here from the events the group holds. Both of the runtime's ways are checked: a zoom of
few groups, counted all at once, and a zoom of more than 4,096 groups, counted group by group."""

from __future__ import annotations

from collections import Counter

import pytest
from browsing import TIMEOUT_MS

from geo import mapview
from geo.bench import synthetic
from geo.bench.maps import PageServer

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("static_dir")]

# Synthetic events each stand at a point of their own, so a close enough zoom has a group apiece.
SYNTHETIC_COUNT = 5000
READY = "() => window.panjMap && window.panjMap.ready"
# The view set without animation, then each group in view: its events' ids, its summary and how many
# groups the zoom has in all.
GROUPS_IN_VIEW = """([centre, zoom]) => {
  const panj = window.panjMap, events = panj.events;
  panj.map.setView(centre, zoom, {animate: false});
  const groups = events.groupsAt(panj.map.getZoom());
  return {count: groups.count, groups: events.inView().map(at => {
    const summary = events.summary(groups, at.g);
    return {ids: events.rowsOf(groups, at.g).map(row => events.data.ids[row]), actors: summary.actors,
            approximate: summary.approximate, size: summary.count};
  })};
}"""


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory):
    return synthetic.joined_events(SYNTHETIC_COUNT, workdir=tmp_path_factory.mktemp("synthetic")).snapshot


@pytest.mark.parametrize(("zoom", "many"), [(4, False), (12, True)])
def test_each_group_counts_the_actors_and_places_of_its_own_events(page, snapshot, zoom, many) -> None:
    events = snapshot.events.set_index("id")
    fmap = mapview.build_base_map(snapshot.map_layers, snapshot.vocabulary, basemaps=snapshot.basemaps,
                                  data=snapshot.map_data())
    view = mapview.MapView(visible_layers=(), basemap="none")
    mapview.events_overlay(snapshot.events, snapshot.vocabulary, snapshot.map_layers, view,
                           data=snapshot.map_data()).add_to(fmap)
    # The densest place's neighbourhood, so the close zoom still has groups in view.
    centre = [float(snapshot.events["lat"].median()), float(snapshot.events["lon"].median())]
    with PageServer() as server:
        server.document = mapview.standalone_html(fmap).encode("utf-8")
        page.goto(server.url)
        page.wait_for_function(READY, timeout=TIMEOUT_MS)
        seen = page.evaluate(GROUPS_IN_VIEW, [centre, zoom])
    assert (seen["count"] > 4096) is many, seen["count"]
    assert seen["groups"], "no group in view"
    wrong = []
    for group in seen["groups"]:
        held = events.loc[group["ids"]]
        mentions = Counter(actor for actors in held["actors"] for actor in actors)
        approximate = bool((held["location_precision"] != "exact").all())
        if (group["actors"], group["approximate"], group["size"]) != (dict(mentions), approximate, len(held)):
            wrong.append((group["ids"][:3], group["actors"], dict(mentions), group["approximate"], approximate))
    assert not wrong, f"groups whose summary differs from their events: {wrong[:5]}"
    # Some groups hold more than one event, or the counting was not exercised.
    assert any(len(group["ids"]) > 1 for group in seen["groups"]) or many
