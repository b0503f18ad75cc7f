"""geo/export.py and geo/figure.py: the PNG renderer, the figure, `panj export`, the downloads.

Browser tests drive Debian's Chromium and check pixels: exact sizes, the frontier's colour, the
legend, filtered against unfiltered. The rest runs without a browser.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import folium
import numpy as np
import pandas as pd
import pytest
from browsing import NAMED_BESIDE_SYMBOLS, symbol_reach
from expected import GBAO_SCENE_SUMMARY
from PIL import Image
from snapshots import load_joined_events, snapshot_of

from geo import cli, export, figure, layout
from geo.basemaps import load_basemaps
from geo.browser import DOCUMENT_URL
from geo.events import Term, Vocabulary
from geo.filters import FilterState, apply_filters
from geo.importers import read_file
from geo.layers import LAYERS_DIR
from geo.mapview import MapView
from geo.snapshot import Snapshot, build_snapshot
from geo.store import load_shipped, open_store

FIXTURES = Path(__file__).parent / "fixtures" / "export"
IMPORTS = Path(__file__).parent / "fixtures" / "imports"
# How a figure credits the article's events (its citation, as tests/test_events.py has it) and an
# imported dataset's (its name and the licence given at import).
ARTICLE_CITATION = "Jamestown Foundation – Eurasia Daily Monitor, vol. 19, no. 92 (June 2022)"
ACLED_NAME, ACLED_LICENCE = "ACLED Tajikistan 2022", "ACLED terms of use"
FRONTIER_RED = (0xD6, 0x27, 0x28)  # the frontier's manifest colour, also the fixtures' line colour


def _pixels(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"), dtype=np.int16)


def _count_colour(pixels: np.ndarray, rgb: tuple[int, int, int], tolerance: int = 6) -> int:
    return int((np.abs(pixels - np.array(rgb)).max(axis=2) <= tolerance).sum())


def _distinct_colours(pixels: np.ndarray) -> int:
    return len(np.unique(pixels.reshape(-1, 3), axis=0))


def _hex(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


# --- no browser ----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("width", "height", "scale", "viewport"),
    [
        (1920, 1080, 1.5, (1280, 720)),
        (3508, 2480, 2, (1754, 1240)),  # A4 landscape at 300 dpi
        (800, 600, 1, (800, 600)),
    ],
)
def test_css_viewport_gives_exact_pixels(width: int, height: int, scale: float, viewport: tuple[int, int]) -> None:
    assert export.css_viewport(width, height, scale) == viewport


@pytest.mark.parametrize(
    ("width", "height", "scale", "message"),
    [
        (0, 600, 1, "width must be a positive"),
        (800, -1, 1, "height must be a positive"),
        (800, 600, 0, "scale must be a positive"),
        (1000, 600, 3, "333.33 CSS pixels"),  # Chromium would round to 999 px
        (20_000, 600, 1, "larger than"),
    ],
)
def test_css_viewport_rejects_sizes(width: int, height: int, scale: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        export.css_viewport(width, height, scale)


def test_png_text_is_read_back_by_an_image_reader() -> None:
    with Image.new("RGB", (4, 3)) as image:
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
    texts = {"Title": "Wakhan <b>&\" 2022", "Description": "Showing 5 of 30 events in Gorno-Badakhshan (GBAO), "
             "Nov 2021 to Jun 2022. Most at Хорог (5)."}
    tagged = export.with_png_text(export.with_png_dpi(buffer.getvalue(), 300), texts)
    with Image.open(io.BytesIO(tagged)) as reread:
        reread.load()
        assert reread.size == (4, 3) and reread.text == texts
        assert reread.info["dpi"] == pytest.approx((300, 300), abs=0.1)


def test_svg_text_is_the_roots_title_and_description() -> None:
    svg = (b'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10pt" '
           b'height="10pt" viewBox="0 0 10 10" version="1.1">\n<g id="surface1"><rect width="10" height="10"/></g>\n</svg>\n')
    titled = export.with_svg_text(svg, 'Wakhan <b>&" 2022', "Showing 1 of 30 events, May 2022 & after.")
    root = ElementTree.fromstring(titled)
    namespace = "{http://www.w3.org/2000/svg}"
    assert [child.tag for child in root][:3] == [f"{namespace}title", f"{namespace}desc", f"{namespace}g"]
    assert root[0].text == 'Wakhan <b>&" 2022' and root[1].text == "Showing 1 of 30 events, May 2022 & after."


def _hand_made_pdf(info: bytes) -> bytes:
    """A one-page PDF written the classic way (objects, cross-reference table, trailer), with
    ``info`` as its document information dictionary's entries."""
    objects = [b"<</Type /Catalog /Pages 2 0 R>>", b"<</Type /Pages /Kids [3 0 R] /Count 1>>",
               b"<</Type /Page /Parent 2 0 R /MediaBox [0 0 100 100]>>", b"<<" + info + b">>"]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 5\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return out + b"trailer\n<</Size 5\n/Root 1 0 R\n/Info 4 0 R>>\nstartxref\n%d\n%%%%EOF" % xref


@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="poppler-utils not installed")
def test_pdf_subject_is_added_and_replaced_and_the_file_stays_sound(tmp_path: Path) -> None:
    path = tmp_path / "hand.pdf"
    first = export.with_pdf_subject(_hand_made_pdf(b"/Title (Wakhan)\n/Subject (old)"), "Showing 5 of 30 — Хорог")
    for pdf, subject in ((first, "Showing 5 of 30 — Хорог"), (export.with_pdf_subject(first, "Again"), "Again")):
        path.write_bytes(pdf)
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
        assert info.stderr == ""  # poppler read the cross-references as written, repairing nothing
        fields = dict(line.split(":", 1) for line in info.stdout.splitlines())
        assert (fields["Title"].strip(), fields["Subject"].strip(), fields["Pages"].strip()) == ("Wakhan", subject, "1")


def test_pdf_subject_refuses_a_file_without_a_trailer() -> None:
    with pytest.raises(ValueError, match="does not end in a trailer naming its Size, Root and Info"):
        export.with_pdf_subject(b"%PDF-1.7\n1 0 obj\n<</Type /XRef>>\nendobj\n", "x")


def test_png_dpi_is_written() -> None:
    with Image.new("RGB", (4, 3)) as image:
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
    tagged = export.with_png_dpi(buffer.getvalue(), 300)
    with Image.open(io.BytesIO(tagged)) as reread:
        assert reread.size == (4, 3)
        assert reread.info["dpi"] == pytest.approx((300, 300), abs=0.1)
    assert export.png_size(tagged) == (4, 3)


def _vocabulary() -> Vocabulary:
    actors = {term.id: term for term in (
        Term("russia", "Russia", "#d55e00", "circle"), Term("china", "China", "#e69f00", "diamond"),
        Term("taliban", "Taliban", "#000000", "square"), Term("nrf", "NRF", "#117733", "triangle"),
    )}
    types = {term.id: term for term in (Term("aid", "Security aid", "#0072b2", "circle"),)}
    return Vocabulary(actors=actors, event_types=types)


def _events() -> pd.DataFrame:
    rows = [
        ("a", "2021-11-01", "2021-11-30", ("taliban",), "Clash at the border"),
        ("b", "2022-05-11", "2022-05-11", ("russia",), "Russian aid delivered"),
        ("c", "2022-06-01", "2022-06-30", ("china", "russia"), "Joint drills"),
    ]
    return pd.DataFrame(
        [{"id": i, "date_first": dt.date.fromisoformat(first), "date_last": dt.date.fromisoformat(last),
          "actors": actors, "event_type": "aid", "status": "occurred", "title": title, "summary": ""}
         for i, first, last, actors, title in rows]
    )


@pytest.mark.parametrize(
    ("state", "title"),
    [
        (FilterState(), "All 3 events, Nov 2021 – Jun 2022"),
        (FilterState(actors=frozenset({"china", "russia"}), date_from=dt.date(2022, 1, 1), date_to=dt.date(2022, 12, 31)),
         "Russia, China · 2022 · 2 of 3 events"),  # vocabulary order, not alphabetical
        (FilterState(actors=frozenset({"russia", "china", "taliban", "nrf"})), "4 actors · 3 of 3 events"),
        (FilterState(statuses=frozenset({"occurred"})), "Occurred · 3 of 3 events"),
        (FilterState(date_from=dt.date(2022, 5, 1), date_to=dt.date(2022, 5, 31)), "May 2022 · 1 of 3 events"),
        (FilterState(date_from=dt.date(2022, 5, 11), date_to=dt.date(2022, 6, 10)), "11 May – 10 Jun 2022 · 2 of 3 events"),
        (FilterState(date_from=dt.date(2022, 5, 1)), "from May 2022 · 2 of 3 events"),
        (FilterState(date_to=dt.date(2021, 12, 31)), "until Dec 2021 · 1 of 3 events"),
        (FilterState(text="drills", event_types=frozenset({"aid"})), "Security aid · “drills” · 1 of 3 events"),
        (FilterState(regions=frozenset({"gbao"})), "GBAO · 0 of 3 events"),
    ],
)
def test_describe_filters(state: FilterState, title: str) -> None:
    frame = _events().assign(in_gbao=False, in_wakhan=False, country=None, province=None)
    assert figure.describe_filters(state, frame, _vocabulary(), {"gbao": "GBAO"}) == title


def _furnished_html(**furniture) -> str:
    fmap = folium.Map(tiles=None)
    wanted = {"title": "T", "subtitle": "S", "bounds": (67, 36, 72, 39), "sources": [], **furniture}
    page = layout.figure_layout(1280, 720, subtitle=wanted["subtitle"], caption=wanted.get("caption"))
    figure.add_figure(fmap, figure_layout=page, **wanted)
    return fmap.get_root().render()


def test_figure_text_is_escaped() -> None:
    html = _furnished_html(title="<img src=x onerror=alert(1)>", subtitle="<b>sub</b>", caption="<i>c</i>",
                           sources=[figure.SourceLine("Map data: <b>bold</b> & co")])
    assert "<img src=x" not in html and "<b>bold" not in html and "<b>sub" not in html and "<i>c" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in html


def test_the_document_title_is_the_figure_title_escaped() -> None:
    page = _furnished_html(title='Wakhan <b>&" 2022')
    assert "<title>Wakhan &lt;b&gt;&amp;&quot; 2022</title>" in page


def test_figure_fits_the_bounds_exactly() -> None:
    html = _furnished_html(bounds=(67.0, 36.0, 72.0, 39.0))
    assert ".options.zoomSnap = 0;" in html  # fractional zoom: the extent fills the frame
    assert ".fitBounds([[36.0, 67.0], [39.0, 72.0]], {animate: false, padding: [0, 0]});" in html


def test_sources_lines() -> None:
    lines = figure.sources_lines(
        "© OpenStreetMap contributors; Natural Earth", ["EDM, vol. 19, no. 92 (2022-06)", "EDM, vol. 19, no. 92 (2022-06)"],
        dt.date(2022, 7, 1),
    )
    assert lines == [
        "Map data: © OpenStreetMap contributors; Natural Earth",
        "Events: EDM, vol. 19, no. 92 (2022-06)",
        "Exported 2022-07-01 with Panj",
    ]


@pytest.fixture(scope="module")
def joined() -> pd.DataFrame:
    return load_joined_events()


def test_downloads_hold_exactly_the_filtered_events(joined: pd.DataFrame) -> None:
    shown = apply_filters(joined, FilterState(actors=frozenset({"russia"})))
    assert 0 < len(shown) < len(joined)
    snapshot = snapshot_of()
    rows = snapshot.events[snapshot.events["id"].isin(shown["id"])]
    shown = snapshot.details(rows, geometry=True)  # as the page's download reads them
    collection = json.loads(export.filtered_events_geojson(shown, snapshot.symbol_points_of(rows)))
    assert [feature["id"] for feature in collection["features"]] == list(shown["id"])
    assert {feature["geometry"]["type"] for feature in collection["features"]} == {"Point"}
    areas = [place["id"] for place in collection["places"]["features"]]
    assert len(areas) == len(set(areas))  # each area once
    assert all("russia" in feature["properties"]["actors"] for feature in collection["features"])
    rows = list(csv.DictReader(io.StringIO(export.filtered_events_csv(shown).decode("utf-8"))))
    assert [row["id"] for row in rows] == list(shown["id"])
    assert all(-180 <= float(row["lon"]) <= 180 and -90 <= float(row["lat"]) <= 90 for row in rows)
    assert all("russia" in row["actors"].split(";") for row in rows)


# --- command line: bad input (no browser needed: options are checked first) ----------------------

@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--width", "0"], "width must be a positive"),
        (["--scale", "-2"], "scale must be a positive"),
        (["--width", "1000", "--scale", "3"], "not a whole number"),
        (["--bbox", "1,2,3"], "--bbox 1,2,3: expected four numbers"),
        (["--bbox", "72,36,67,39"], "need -180 <= W < E <= 180"),
        (["--bbox", "67,36,72,89"], "--bbox 67,36,72,89: need -85 <= S < N <= 85"),  # as a link's bbox
        (["--bbox", "67,nan,72,39"], "--bbox 67,nan,72,39: the numbers must be finite"),
        (["--from", "2022-13"], "--from 2022-13: month 13 does not exist"),
        (["--to", "May 2022"], "--to May 2022: not of the form"),
        (["--to", "2022-02-30"], "--to 2022-02-30: day 30 does not exist in February 2022"),
        (["--from", "2022-06", "--to", "2022-05"], "is after --to"),
        (["--actor", "nobody"], "--actor: unknown actor(s) 'nobody'"),
        (["--type", "picnic"], "--type: unknown event type(s) 'picnic'"),
        (["--status", "rumoured"], "argument --status: invalid choice: 'rumoured'"),
        (["--region", "country:atlantis"], "--region: unknown region(s) 'country:atlantis'"),
        (["--layers", "frontier,roads"], "--layers frontier,roads: unknown layer(s) 'roads'"),
        (["--basemap", "moon"], "invalid choice: 'moon'"),
        (["--preset", "a3"], "invalid choice: 'a3'"),
        (["--width", "wide"], "invalid int value"),
        (["--tile-timeout", "0"], "--tile-timeout 0: must be a positive"),
        (["--alt", "/nonexistent/map.txt"], "--alt /nonexistent/map.txt: folder /nonexistent does not exist"),
    ],
)
def test_cli_rejects_bad_options(options: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = cli.main(["export", "--out", str(tmp_path / "map.png"), *options, "--browser", "/nonexistent"])
    err = capsys.readouterr().err
    assert status == 2
    assert message in err
    assert not (tmp_path / "map.png").exists()


def test_cli_reads_the_data_directory_it_is_given(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Regions are those some event lies in: no fixture event is in Panjshir, while the shipped ones are.
    hostile = Path(__file__).parent / "fixtures" / "layers-hostile"
    options = ["--out", str(tmp_path / "map.png"), "--region", "province:panjshir", "--browser", "/nonexistent"]
    assert cli.main(["export", *options]) == 1  # a known region in layers/; then no browser
    capsys.readouterr()
    assert cli.main(["export", *options, "--layers-dir", str(hostile)]) == 2
    assert "--region: unknown region(s) 'province:panjshir'" in capsys.readouterr().err
    assert cli.main(["export", *options, "--layers-dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "cannot read the map data" in err and f"{tmp_path / 'manifest.json'}" in err and "file not found" in err


def test_cli_alt_is_one_figures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["export", "--all-scenes", str(tmp_path), "--alt", str(tmp_path / "alt.txt")]) == 2
    err = capsys.readouterr().err
    assert f"--alt {tmp_path / 'alt.txt'}: is one figure's text alternative; with --all-scenes each figure carries its own" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("out", ["map.jpg", "missing-folder/map.png"])
def test_cli_rejects_bad_out(out: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["export", "--out", str(tmp_path / out)]) == 2
    assert "--out" in capsys.readouterr().err


def test_cli_help_documents_the_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["export", "--help"]) == 0
    text = capsys.readouterr().out
    for option in ("--out", "--title", "--from", "--to", "--actor", "--type", "--region", "--text", "--layers",
                   "--bbox", "--basemap", "--width", "--height", "--scale", "--preset", "--browser", "--tile-timeout",
                   "--layers-dir", "--alt"):
        assert option in text
    assert "exit status" in text and "A4 landscape at 300 dpi" in text
    assert "a PNG as its Description" in text and "a PDF as its Subject" in text and "an SVG as its <desc>" in text


def test_cli_without_a_browser_says_what_to_install(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert cli.main(["export", "--out", str(tmp_path / "map.png"), "--browser", "/nonexistent"]) == 1
    err = capsys.readouterr().err
    assert "'/nonexistent'" in err and "apt-get install chromium" in err and "PANJ_CHROMIUM" in err
    assert any(record.levelname == "ERROR" and "'/nonexistent'" in record.getMessage() for record in caplog.records)

    monkeypatch.setenv("PANJ_CHROMIUM", str(tmp_path / "nowhere" / "chromium"))
    assert cli.main(["export", "--out", str(tmp_path / "map.png")]) == 1
    err = capsys.readouterr().err
    assert "PANJ_CHROMIUM names" in err and "apt-get install chromium" in err
    assert not (tmp_path / "map.png").exists()


class _RecordingRenderer:
    """Stands in for Renderer: keeps what export_view asks it to render, writes a blank PNG (which
    export_view then gives its title and text alternative)."""

    def __init__(self) -> None:
        self.html = ""
        self.tile_urls: list[str] | None = None

    def render(self, html: str, out_path: Path, *, tile_urls=(), **size) -> export.ExportResult:
        self.html, self.tile_urls = html, list(tile_urls)
        Image.new("RGB", (size["width"], size["height"]), "white").save(out_path, format="PNG")
        return export.ExportResult(Path(out_path), size["width"], size["height"], (), (), ())


@pytest.mark.parametrize("basemap", ["none", "street", "satellite"])
def test_export_view_allows_exactly_the_views_basemap_tiles(snapshot: Snapshot, basemap: str, tmp_path: Path) -> None:
    recording = _RecordingRenderer()
    export.export_view(
        tmp_path / "map.png", snapshot=snapshot, shown=snapshot.events,
        view=MapView(visible_layers=(), basemap=basemap), title="T", size=export.PRESETS["slides"],
        renderer=recording,  # type: ignore[arg-type]
    )
    url = load_basemaps()[basemap].url
    assert recording.tile_urls == ([url] if url else [])


@pytest.fixture(scope="module")
def with_acled(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    """The shipped data and an ACLED file imported beside it, in a store of its own."""
    url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'store.sqlite3'}"
    with open_store(url) as store:
        load_shipped(store)
        reading = read_file(IMPORTS / "acled.csv", dataset_name=ACLED_NAME, existing=store.existing())
        store.import_dataset(ACLED_NAME, reading, source_file="acled.csv", licence=ACLED_LICENCE, by="tests")
        return build_snapshot(LAYERS_DIR, store)


@pytest.mark.parametrize(("datasets", "credited"), [
    (None, {ARTICLE_CITATION}),  # the shipped data: the article
    ({"edm-v19-i92"}, {ARTICLE_CITATION}),
    ({ACLED_NAME}, {f"{ACLED_NAME} ({ACLED_LICENCE})"}),
    ({"edm-v19-i92", ACLED_NAME}, {ARTICLE_CITATION, f"{ACLED_NAME} ({ACLED_LICENCE})"}),
])
def test_sources_line_credits_every_dataset_drawn(snapshot: Snapshot, with_acled: Snapshot, datasets: set[str] | None,
                                                  credited: set[str], tmp_path: Path) -> None:
    drawn = snapshot if datasets is None else with_acled
    shown = drawn.events if datasets is None else drawn.events[drawn.events["dataset"].isin(datasets)]
    assert not shown.empty
    recording = _RecordingRenderer()
    export.export_view(
        tmp_path / "map.png", snapshot=drawn, shown=shown, view=MapView(visible_layers=(), basemap="none"),
        title="T", size=export.PRESETS["slides"], renderer=recording,  # type: ignore[arg-type]
    )
    [line] = [html.unescape(text) for text in re.findall(r"<div>(Events: [^<]*)</div>", recording.html)]
    assert set(line.removeprefix("Events: ").split("; ")) == credited


# --- the renderer, on bare Leaflet pages ---------------------------------------------------------

@pytest.fixture(scope="module")
def renderer():
    with export.Renderer(tile_timeout_s=10) as shared:
        yield shared


@pytest.mark.browser
def test_render_is_exact_and_refuses_outside_requests(renderer: export.Renderer, tmp_path: Path) -> None:
    html = (FIXTURES / "line.html").read_text()
    result = renderer.render(html, tmp_path / "line.png", width=640, height=400, scale=1)
    pixels = _pixels(result.path)
    assert (result.width, result.height) == (640, 400) == (pixels.shape[1], pixels.shape[0])
    assert _count_colour(pixels, FRONTIER_RED) > 640 * 4  # a 12-px line across the map
    assert result.blocked_urls == ("https://cdn.example.org/outside.js",)
    assert result.warnings == ()


@pytest.mark.browser
def test_scale_two_doubles_the_css_pixels(renderer: export.Renderer, tmp_path: Path) -> None:
    html = (FIXTURES / "line.html").read_text()
    single = renderer.render(html, tmp_path / "x1.png", width=640, height=400, scale=1)
    double = renderer.render(html, tmp_path / "x2.png", width=1280, height=800, scale=2)
    assert (double.width, double.height) == (2 * single.width, 2 * single.height)
    # The same layout at twice the density: about four times the line's pixels.
    ratio = _count_colour(_pixels(double.path), FRONTIER_RED) / _count_colour(_pixels(single.path), FRONTIER_RED)
    assert 3.5 < ratio < 4.5


@pytest.mark.browser
def test_unreachable_tiles_leave_the_vectors_and_a_warning(renderer: export.Renderer, tmp_path: Path) -> None:
    html = (FIXTURES / "unreachable-tiles.html").read_text()
    template = "https://{s}.tiles.panj.invalid/{z}/{x}/{y}.png"
    result = renderer.render(html, tmp_path / "tiles.png", width=640, height=400, scale=1, tile_urls=[template])
    assert result.failed_tiles == (template,)
    assert result.blocked_urls == ()  # let through to the network, where the host does not resolve
    [warning] = result.warnings
    assert "tiles.panj.invalid" in warning and "vector layers" in warning
    assert _count_colour(_pixels(result.path), FRONTIER_RED) > 640 * 4


@pytest.mark.browser
def test_tile_hosts_not_passed_are_refused(renderer: export.Renderer, tmp_path: Path) -> None:
    # The page declares the tile layer itself; without tile_urls its requests never leave the browser.
    html = (FIXTURES / "unreachable-tiles.html").read_text()
    result = renderer.render(html, tmp_path / "tiles.png", width=640, height=400, scale=1)
    assert result.blocked_urls and all(".tiles.panj.invalid/" in url for url in result.blocked_urls)


# --- the figure, through the page's own map -----------------------------------------------------

@pytest.fixture(scope="module")
def snapshot() -> Snapshot:
    return snapshot_of()


def _export(snapshot: Snapshot, renderer, path: Path, state: FilterState, *, bounds=None, width=1200, height=800,
            scale=1.0, layers: tuple[str, ...] | None = None) -> export.ExportResult:
    events, vocabulary = snapshot.events, snapshot.vocabulary
    visible = layers if layers is not None else tuple(i for i, layer in snapshot.layers.items() if layer.spec.visible)
    view = MapView(visible_layers=visible, basemap="none", bounds=bounds, highlight=None)
    shown = events[snapshot.index.mask(state)]  # the snapshot's rows hold no text: its index searches
    return export.export_view(
        path, snapshot=snapshot, shown=shown, view=view,
        title=figure.DEFAULT_TITLE, size=export.ExportSize(width, height, scale), renderer=renderer,
        description=figure.describe_filters(state, events, vocabulary, shown=len(shown)), exported_on=dt.date(2022, 7, 1),
    )


@pytest.mark.browser
def test_figure_png(snapshot: Snapshot, renderer: export.Renderer, tmp_path: Path) -> None:
    result = _export(snapshot, renderer, tmp_path / "all.png", FilterState())
    pixels = _pixels(result.path)
    assert (result.width, result.height) == (1200, 800) == (pixels.shape[1], pixels.shape[0])
    assert _distinct_colours(pixels) > 200  # layers, events, text: not a blank page
    assert _count_colour(pixels, FRONTIER_RED) > 0
    assert result.warnings == () and result.blocked_urls == ()


@pytest.mark.browser
def test_figure_draws_the_frontier(snapshot: Snapshot, renderer: export.Renderer, tmp_path: Path) -> None:
    # No events, so no event outline is drawn over the line; the legend's swatch alone is ~70 px.
    result = _export(snapshot, renderer, tmp_path / "frontier.png", FilterState(text="no such words"))
    assert _count_colour(_pixels(result.path), FRONTIER_RED) > 1000


@pytest.mark.browser
def test_legend_lists_what_the_frame_shows(snapshot: Snapshot, renderer: export.Renderer, tmp_path: Path) -> None:
    # Only Russia's events: on their own extent the legend names Russia (in its colour); on an
    # extent with no event and no layer in it (mid-Atlantic), neither the actor nor the layers.
    russia = snapshot.vocabulary.actors["russia"]
    state = FilterState(actors=frozenset({"russia"}))
    shown = apply_filters(snapshot.events, state)
    around = snapshot.events_bounds(shown)
    result = _export(snapshot, renderer, tmp_path / "legend.png", state, bounds=around)
    assert russia.name in result.layout["legendRows"]
    assert _count_colour(_pixels(result.path), _hex(russia.colour)) > 20
    far_away = (-30.0, -10.0, -29.0, -9.0)
    empty = _export(snapshot, renderer, tmp_path / "none.png", state, bounds=far_away)
    assert russia.name not in empty.layout["legendRows"]
    assert not any(row in empty.layout["legendRows"] for row in ("Countries", "Tajikistan-Afghanistan frontier"))


@pytest.mark.browser
def test_filtered_figure_differs(snapshot: Snapshot, renderer: export.Renderer, tmp_path: Path) -> None:
    everything = _pixels(_export(snapshot, renderer, tmp_path / "all.png", FilterState()).path)
    russia = _pixels(_export(snapshot, renderer, tmp_path / "russia.png", FilterState(actors=frozenset({"russia"}))).path)
    assert everything.shape == russia.shape
    changed = int((np.abs(everything - russia).max(axis=2) > 30).sum())
    assert changed > 500  # events gone, title and legend rewritten


@pytest.mark.browser
def test_cli_writes_the_png(tmp_path: Path) -> None:
    # A process of its own: the module's shared renderer holds this thread's Playwright.
    out = tmp_path / "cli.png"
    command = [sys.executable, "-m", "geo", "export", "--out", str(out), "--actor", "russia", "china",
               "--from", "2022", "--to", "2022", "--width", "900", "--height", "600", "--scale", "1.5"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=Path(__file__).parent.parent, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert f"{out} (900×600 px" in done.stdout
    assert export.png_size(out.read_bytes()) == (900, 600)


@pytest.mark.browser
@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="poppler-utils not installed")
def test_cli_pdf_title_metadata_is_the_figure_title(tmp_path: Path) -> None:
    # Characters HTML escapes, so the title must survive the document's markup unchanged.
    title = 'Wakhan <b>&" 2022'
    out = tmp_path / "titled.pdf"
    command = [sys.executable, "-m", "geo", "export", "--out", str(out), "--title", title]
    done = subprocess.run(command, capture_output=True, text=True, cwd=Path(__file__).parent.parent, timeout=180,
                          check=False)
    assert done.returncode == 0, done.stderr
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    titles = [line.removeprefix("Title:").strip() for line in info.splitlines() if line.startswith("Title:")]
    assert titles == [title]


@pytest.mark.browser
@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="poppler-utils not installed")
@pytest.mark.parametrize("output", ["png", "pdf", "svg"])
def test_cli_figure_carries_its_text_alternative_and_alt_writes_it(output: str, tmp_path: Path) -> None:
    out, alt, title = tmp_path / f"gbao.{output}", tmp_path / "gbao.txt", 'GBAO <b>&" 2022'
    command = [sys.executable, "-m", "geo", "export", "--scene", "gbao-unrest", "--title", title, "--out", str(out),
               "--alt", str(alt)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=Path(__file__).parent.parent, timeout=180,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert alt.read_text(encoding="utf-8") == GBAO_SCENE_SUMMARY + "\n"
    assert f"{alt} (text alternative" in done.stdout
    if output == "png":
        with Image.open(out) as image:
            assert image.text == {"Title": title, "Description": GBAO_SCENE_SUMMARY}
    elif output == "svg":
        root = ElementTree.parse(out).getroot()
        assert [(child.tag.split("}")[1], child.text) for child in root[:2]] == [("title", title), ("desc", GBAO_SCENE_SUMMARY)]
    else:
        info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True)
        assert info.stderr == ""
        fields = {key: value.strip() for key, value in (line.split(":", 1) for line in info.stdout.splitlines())}
        assert (fields["Title"], fields["Subject"]) == (title, GBAO_SCENE_SUMMARY)


@pytest.mark.browser
def test_cli_writes_any_whole_size_and_says_which_scale(tmp_path: Path) -> None:
    out = tmp_path / "map.png"
    command = [sys.executable, "-m", "geo", "export", "--out", str(out), "--width", "1600", "--height", "1000"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=Path(__file__).parent.parent, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert export.png_size(out.read_bytes()) == (1600, 1000)
    assert "scale 1.5 does not divide 1600×1000 px; laid out at scale 1.504 (1064×665 CSS px)" in done.stderr


class _LabelReader:
    """Renders through a real Renderer, then opens the same document at the same size and keeps the
    map frame and the drawn labels' boxes (``window.panjMap.labels()``)."""

    def __init__(self, renderer: export.Renderer) -> None:
        self.renderer = renderer
        self.labels: list[dict] = []
        self.frame: list[float] = []

    def render(self, html: str, out_path, *, width: int, height: int, scale: float, **options) -> export.ExportResult:
        result = self.renderer.render(html, out_path, width=width, height=height, scale=scale, **options)
        css_width, css_height = export.css_viewport(width, height, scale)
        context = self.renderer.document_context(html, viewport={"width": css_width, "height": css_height},
                                                 device_scale_factor=scale)
        try:
            page = context.new_page()
            page.goto(DOCUMENT_URL)
            page.wait_for_function("() => window.panjMap && window.panjMap.ready === true")
            page.evaluate("() => document.fonts.ready")
            self.labels = page.evaluate("() => window.panjMap.labels()")
            self.frame = page.evaluate("() => { const r = document.querySelector('.leaflet-container')"
                                       ".getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }")
        finally:
            context.close()
        return result


@pytest.mark.browser
def test_exported_labels_lie_wholly_inside_the_frame(snapshot: Snapshot, renderer: export.Renderer,
                                                     tmp_path: Path) -> None:
    measuring = _LabelReader(renderer)
    _export(snapshot, measuring, tmp_path / "labels.png", FilterState(), width=1280, height=720)
    texts = {label["text"] for label in measuring.labels}
    assert {"Tajikistan", "Afghanistan", "Dushanbe", "Khorugh"} <= texts
    left, top, right, bottom = measuring.frame
    for label in measuring.labels:
        box = label["box"]
        assert left <= box["left"] and box["right"] <= right and top <= box["top"] and box["bottom"] <= bottom, label


@pytest.mark.browser
def test_default_figure_labels_give_way_to_symbols(snapshot: Snapshot, renderer: export.Renderer,
                                                   tmp_path: Path) -> None:
    # The boxes the page reports just before the capture (ExportResult.layout), at panj export's default size.
    slides = export.PRESETS["slides"]
    result = _export(snapshot, renderer, tmp_path / "slides.png", FilterState(), width=slides.width,
                     height=slides.height, scale=slides.scale)
    labels, events = result.layout["labels"], result.layout["events"]
    assert len(events) >= 5
    assert set(NAMED_BESIDE_SYMBOLS) <= {label["text"] for label in labels}
    covering = []
    for label in labels:
        box = label["box"]
        for event in events:
            reach = symbol_reach(event["count"], highlighted=False)
            if (box["left"] < event["x"] + reach and event["x"] - reach < box["right"]
                    and box["top"] < event["y"] + reach and event["y"] - reach < box["bottom"]):
                covering.append((label["text"], event))
    assert covering == []


@pytest.mark.browser
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_cli_pdf_names_extract_as_words(tmp_path: Path) -> None:
    out = tmp_path / "words.pdf"
    done = subprocess.run([sys.executable, "-m", "geo", "export", "--out", str(out)], capture_output=True, text=True,
                          cwd=Path(__file__).parent.parent, timeout=180, check=False)
    assert done.returncode == 0, done.stderr
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    words = text.split()
    # The countries are set in capitals with letter-spacing; a place name with a halo, beside its group.
    for name in ("AFGHANISTAN", "TAJIKISTAN", "Dushanbe", "Khorugh"):
        assert name in words, (name, text[:400])
    # Each name once: a halo drawn as text would repeat it ("Khorugh Khorugh").
    assert words.count("Khorugh") == 1 and words.count("AFGHANISTAN") == 1
