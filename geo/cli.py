"""The command line: ``panj COMMAND ...`` (``python -m geo COMMAND ...`` is the same).

Every command keeps one convention for its exit status: 0 done; 1 bad data or a failure while
running (no browser, a render that failed); 2 bad usage (no or an unknown command, an unknown
option, a bad value). Each command imports what it needs when it runs, so ``panj --help`` is quick
and ``panj build`` alone needs the build extra.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import shlex
import sys
import textwrap
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import pandas as pd

    from geo.export import ExportSize, Renderer
    from geo.filters import FilterState
    from geo.layers import Layer
    from geo.mapview import MapView
    from geo.playback import Playback
    from geo.snapshot import Snapshot
    from geo.store import Store

logger = logging.getLogger(__name__)

EXIT_DONE = 0
EXIT_FAILED = 1  # bad data, or a failure while running
EXIT_USAGE = 2  # what argparse uses for its own errors
PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Command:
    summary: str
    run: Callable[[list[str]], int]


def _parser(command: str, description: str, epilog: str, **options: object) -> argparse.ArgumentParser:
    """A command's parser: ``prog`` reads ``panj COMMAND``; the description is wrapped, the epilog kept as written."""
    return argparse.ArgumentParser(
        prog=f"panj {command}", description=textwrap.fill(description, width=100), epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter, **options,  # type: ignore[arg-type]
    )


# --- run -----------------------------------------------------------------------------------------

def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not between 1 and 65535")
    return port


def store_location(url: str | None = None) -> str:
    """Where the store at ``url`` (default ``geo.store.default_url()``) lives, as a reader is told
    it: the SQLite file's path, or the database's URL without its password. Opens nothing, so it
    can be said before the first run has created the store (scripts/run.sh does)."""
    from geo.store import _without_password, default_url

    url = url or default_url()
    if url.startswith("sqlite:///"):
        return f"the SQLite file {Path(url.removeprefix('sqlite:///')).resolve()}"
    return f"the database {_without_password(url)}"


def run_page(argv: list[str]) -> int:
    """``panj run``: see --help. Does not return once Streamlit starts (it takes over the process)."""
    from geo import editing

    modes = "\n".join(f"  {mode:<9} {text}" for mode, text in editing.MODES.items())
    parser = _parser(
        "run",
        description="Start the page: `streamlit run app.py` in the project folder, served at "
                    "http://localhost:PORT (8501 unless --port or Streamlit's own configuration says "
                    "otherwise). At start the page records the data directory's events/*.json in the store as "
                    "its shipped datasets. Every other argument is passed on to `streamlit run` "
                    "(e.g. --server.headless true; see `streamlit run --help`).",
        epilog=f"who may import, rename and delete datasets on the page (--editing, else {editing.ENV_MODE}, "
               f"else {editing.DEFAULT_MODE}):\n{modes}\n"
               f"  The password is read from {editing.ENV_PASSWORD}, never from the command line. Readers who\n"
               "  may not edit see the datasets read-only. `panj import` and `panj datasets` are not affected.\n\n"
               "exit status: Streamlit's own once it runs (it too uses 2 for a bad option);\n"
               f"  2 for a bad --port or editing mode, or password mode without {editing.ENV_PASSWORD};\n"
               "  1 when app.py is missing.\n\n"
               "examples:\n  panj run\n  panj run --port 8600 --server.headless true\n"
               f"  {editing.ENV_PASSWORD}=... panj run --editing password --server.address 0.0.0.0",
        usage="panj run [-h] [--port N] [--editing MODE] [STREAMLIT-OPTIONS ...]",
        allow_abbrev=False,  # an abbreviation of a Streamlit option must reach Streamlit
    )
    parser.add_argument("--port", type=_port, metavar="N", help="port to serve the page on")
    parser.add_argument("--editing", choices=editing.MODES, metavar="MODE",
                        help=f"who may change datasets on the page: {', '.join(editing.MODES)} (see below)")
    options, passed_on = parser.parse_known_args(argv)
    try:
        mode = options.editing or editing.environment_mode(os.environ)
    except editing.EditingError as error:
        parser.error(str(error))
    if mode == editing.PASSWORD and not os.environ.get(editing.ENV_PASSWORD):
        parser.error(f"editing mode password needs the password in {editing.ENV_PASSWORD}")
    app = PROJECT_ROOT / "app.py"
    if not app.is_file():
        print(f"panj run: no {app}: run the page from a checkout of Panj", file=sys.stderr)
        return EXIT_FAILED
    command = [sys.executable, "-m", "streamlit", "run", app.name]
    if options.port is not None:
        command += ["--server.port", str(options.port)]
    os.environ[editing.ENV_MODE] = mode  # the page reads it (geo.editing.EditingPolicy.from_environment)
    os.chdir(PROJECT_ROOT)
    # Streamlit takes over the process, so Ctrl-C and signals reach it directly.
    os.execv(sys.executable, [*command, *passed_on])


# --- events --------------------------------------------------------------------------------------

def _failed(command: str, error: object, *, logged: str, shown: str | None = None) -> int:
    """A command that could not finish: logged for an operator, told to the reader (``shown``,
    else the error), and the exit status for it."""
    logger.error("%s: %s", logged, error)
    print(f"panj {command}: {shown if shown is not None else error}", file=sys.stderr)
    return EXIT_FAILED


def _data_errors() -> tuple[type[Exception], ...]:
    """What bad data raises when it is read (every problem named): not a bug, which is left to
    surface with its traceback."""
    from geo.join import JoinError
    from geo.problems import ProblemsError
    from geo.snapshot import DataError
    from geo.store import StoreError

    return (ProblemsError, JoinError, StoreError, DataError)


def write_events(argv: list[str]) -> int:
    """``panj events``: see --help."""
    import json

    from geo.join import CSV_GEOMETRIES, GEOJSON_GEOMETRIES, events_to_csv, events_to_geojson
    from geo.layers import LAYERS_DIR
    from geo.snapshot import DataError, dataset_mask, read_snapshot

    parser = _parser(
        "events",
        description="Write the events to standard output, joined to the map layers: where each stands (a "
                    "point by default, see --geometry) and the derived country, province, GBAO/Wakhan membership, distance to the frontier and nearest "
                    "border post (none for an event known only to a whole country: its distances do not "
                    "apply), and where it lies on the frontier: frontier_along_km (km from the frontier's "
                    "western end to its point nearest the event; none for an event on an area), "
                    "frontier_side (tajikistan or afghanistan) and frontier_stretch (amu-darya, panj, pamir "
                    "or zorkul-east); and fatalities, the count its dataset reports (ACLED's fatalities, "
                    "UCDP's best, with UCDP's fatalities_low and fatalities_high), none where none is "
                    "reported. The events are those of the data directory's events/*.json files (one dataset "
                    "each, named after the file) and of the datasets `panj import` added to the store; the "
                    "filters keep those they match, as on the page. Reads only: the store is never written, "
                    "nor created when there is none.",
        epilog="exit status: 0 written; 1 the data is invalid (every problem is named); 2 bad option.\n\n"
               "examples:\n  panj events > events.geojson\n  panj events --geometry ref > events.geojson\n"
               "  panj events --format csv --csv-geometry latlon\n"
               "  panj events --format csv --within-km 25 --side afghanistan --stretch panj",
    )
    parser.add_argument("--format", choices=("geojson", "csv"), default="geojson",
                        help="GeoJSON FeatureCollection (default) or CSV, one row per event")
    parser.add_argument("--geometry", choices=GEOJSON_GEOMETRIES,
                        help="GeoJSON only (default point): " + "; ".join(f"'{name}': {text}"
                                                                         for name, text in GEOJSON_GEOMETRIES.items()))
    parser.add_argument("--csv-geometry", choices=CSV_GEOMETRIES,
                        help="CSV only (default wkt): " + "; ".join(f"'{name}': {text}"
                                                                   for name, text in CSV_GEOMETRIES.items()))
    parser.add_argument("--dataset", nargs="+", action="extend", metavar="NAME",
                        help="only these datasets (default: every dataset; see panj datasets)")
    _filter_options(parser.add_argument_group("filters (combined as on the page)"), verb="written")
    parser.add_argument("--layers-dir", type=Path, default=LAYERS_DIR, metavar="DIR",
                        help="data directory with manifest.json, vocabularies.json and events/ (default: %(default)s)")
    options = parser.parse_args(argv)
    if options.csv_geometry and options.format != "csv":
        parser.error("--csv-geometry applies to --format csv only")
    if options.geometry and options.format != "geojson":
        parser.error("--geometry applies to --format geojson only (CSV: --csv-geometry)")
    try:
        snapshot = read_snapshot(options.layers_dir)
    except DataError as error:
        return _failed("events", "; ".join(error.problems), logged=f"cannot read the events in {options.layers_dir}")
    try:
        state = _filter_state(options, snapshot)
        within = None if not options.dataset else dataset_mask(snapshot, options.dataset)
    except _OptionError as error:
        parser.error(str(error))
    except ValueError as error:
        parser.error(f"--dataset: {error}")
    if not state.is_default:
        within = snapshot.index.mask(state, within=within)
    frame = snapshot.events if within is None else snapshot.events[within]
    points = snapshot.symbol_points_of(frame)
    frame = snapshot.details(frame, geometry=True)  # the text and places of the rows written
    if options.format == "csv":
        notes: list[str] = []
        sys.stdout.write(events_to_csv(frame, geometry=options.csv_geometry or "wkt", notes=notes))
        for note in notes:  # cells replaced or cut to stay under a spreadsheet's cell limit
            print(f"note: {note}", file=sys.stderr)
    else:
        geometry = options.geometry or "point"
        json.dump(events_to_geojson(frame, geometry, None if geometry == "full" else points), sys.stdout,
                  ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    return EXIT_DONE


# --- trends --------------------------------------------------------------------------------------

_TRENDS_EPILOG = """\
counting: an event counts in the segment its nearest frontier point lies in (frontier_along_km) when
  it lies within --within-km of the frontier (frontier_km), and in the period of its first day (an
  event with a span counts once, where it starts). An event placed on a whole area (or line) counts
  in every segment within --within-km of its area; one known only to a whole country is not counted.
columns: segment_from_km, segment_to_km (west to east from the Uzbek tripoint; the last segment ends
  at the China tripoint), stretch (of layers/frontier-stretches.json, at the segment's midpoint),
  period (YYYY-MM, or the ISO week's Monday YYYY-MM-DD), events, mean_4 (mean of the 4 periods
  before), mean_long (of the 12 months or 52 weeks before), change_4 (per cent against mean_4),
  level. A mean whose periods reach before the first period is empty: the data says nothing there.
levels (ACLED Trendfinder's thresholds): large-increase (change_4 of +25 % or more, or events
  after a mean of 0), moderate-increase (+10 to +25 %), large-decrease (-25 % or less), limited
  (otherwise, and whenever mean_4 is 2 or less and the period has 5 events or fewer); empty with
  no mean_4. See docs/DATA.md, "Change along the frontier".
periods: from the one holding --from (else the first counted event) to the one holding --to (else
  the last).
dates: YYYY, YYYY-MM or YYYY-MM-DD, as for panj export; regions: gbao, wakhan, country:<id>,
  province:<id>.

exit status: 0 written; 1 the data is invalid (every problem is named); 2 bad option or value.

examples:
  panj trends --within-km 25 --segment-km 50 --period month --out trends.csv
  panj trends --period week --from 2022 --to 2022 --dataset acled-tajikistan > weeks.csv"""


def write_trends(argv: list[str]) -> int:
    """``panj trends``: see --help."""
    from geo.layers import LAYERS_DIR
    from geo.snapshot import DataError, dataset_mask, read_snapshot
    from geo.trends import PERIODS

    parser = _parser(
        "trends",
        description="Write, as CSV, how many events each segment of the frontier had in each period and "
                    "how that compares with the periods before: a change level per segment and period by "
                    "ACLED Trendfinder's thresholds. Filters combine as on the page. Reads only.",
        epilog=_TRENDS_EPILOG,
    )
    parser.add_argument("--within-km", type=float, default=25.0, metavar="KM",
                        help="count events at most this far from the frontier (default: 25)")
    parser.add_argument("--segment-km", type=float, default=50.0, metavar="KM",
                        help="length of each segment along the frontier (default: 50)")
    parser.add_argument("--period", choices=PERIODS, default="month", help="month (default) or week (ISO, from Monday)")
    parser.add_argument("--out", type=Path, metavar="FILE", help="the CSV file to write (default: standard output)")
    filters_group = parser.add_argument_group("filters")
    _filter_options(filters_group, verb="counted", within=False)  # --within-km above is the distance filter
    filters_group.add_argument("--dataset", nargs="+", action="extend", metavar="NAME",
                               help="only these datasets (default: every dataset; see panj datasets)")
    parser.add_argument("--layers-dir", type=Path, default=LAYERS_DIR, metavar="DIR",
                        help="data directory with manifest.json, vocabularies.json and events/ (default: %(default)s)")
    options = parser.parse_args(argv)
    if not (math.isfinite(options.within_km) and options.within_km >= 0):
        parser.error(f"--within-km {options.within_km:g}: must be 0 or more km")
    if not (math.isfinite(options.segment_km) and options.segment_km > 0):
        parser.error(f"--segment-km {options.segment_km:g}: must be more than 0 km")
    if options.out is not None and not options.out.parent.is_dir():
        parser.error(f"--out {options.out}: no folder {options.out.parent}")
    try:
        snapshot = read_snapshot(options.layers_dir)
    except DataError as error:  # the stretches file's problems among them: read with the snapshot
        return _failed("trends", "; ".join(error.problems), logged=f"cannot read the events in {options.layers_dir}")
    try:
        state = _filter_state(options, snapshot, within=False)
        try:
            within = None if not options.dataset else dataset_mask(snapshot, options.dataset)
        except ValueError as error:
            raise _OptionError(f"--dataset: {error}") from None
    except _OptionError as error:
        parser.error(str(error))
    shown = snapshot.events[snapshot.index.mask(state, within=within)]
    table = snapshot.trends(shown, within_km=options.within_km, segment_km=options.segment_km, period=options.period,
                            span=(state.date_from, state.date_to))
    text = table.to_csv(index=False, lineterminator="\r\n")
    if options.out is None:
        sys.stdout.write(text)
    else:
        options.out.write_text(text, encoding="utf-8", newline="")
        print(f"{options.out} ({len(table)} rows: {table['segment_from_km'].nunique()} segments × "
              f"{table['period'].nunique()} periods)")
    return EXIT_DONE


# --- export --------------------------------------------------------------------------------------

_EXPORT_DESCRIPTION = """\
Render a view of the Panj map (layers, filtered events, basemap, extent) to a figure through
headless Chromium: a title band (title, and what is shown), the map, and a panel with the legend
(what the map shows), a locator inset and the sources line; scale bar and north arrow in a corner
of the map no event is under. PNG, vector PDF or SVG. The map is the same one the page draws.
With --animate, a playback of the events through time as a video (WebM, MP4 or GIF): the same
figure, one frame per period, the period large in the title band. With --kind strip, the frontier
strip instead of the map: the frontier west to east in km, the places along it named, time down
the Tajik bank's band and the Afghan bank's, each shown event within --within-km (25 when not
given) a symbol as on the map.
Filters combine as on the page: an event is shown when it matches every option given, and any of
the values given for one option."""

_EXPORT_EPILOG = """\
dates: YYYY, YYYY-MM or YYYY-MM-DD. A partial --from starts at its first day and a partial --to
  ends at its last: --from 2022 --to 2022 is the whole of 2022. An event is shown when the days
  its own (partial) date allows overlap that range.
regions: gbao, wakhan, country:<id> (e.g. country:afghanistan), province:<id> (e.g. province:badakhshan).
sizes (PNG): --preset slides is 1920x1080 px at scale 1.5 (a 1280x720 layout); --preset a4 is
  3508x2480 px, A4 landscape at 300 dpi, at scale 4 (an 877x620 layout). --width/--height
  override the preset's; when the preset's scale does not divide them the nearest scale that
  does is used, and the command says which. An explicit --scale must divide them. --paper
  a4|a3|letter with --orientation and --dpi (default 300) gives the paper's pixels at that dpi;
  --dpi is written into the PNG.
formats: --format png|pdf|svg (default: from the --out suffix). A PDF is one page of --paper
  (default a4) in --orientation, all vector (text selectable), except that above 2,000 event
  symbols and groups in the frame the events are one 300-dpi image (a warning says so); an SVG is
  that page converted by pdftocairo (poppler-utils).
playback: --animate day|week|month|year --from DATE --to DATE plays the events from the period
  holding --from to the one holding --to, one frame per period (--fps frames a second, default
  1), --mode this (each period's events; default) or upto (everything up to each period). An
  event shows in every period its dates reach; where they reach beyond the period (a date known
  only to its month or year, a longer span) it is drawn lighter. --out FILE.webm|.mp4|.gif
  writes the video (encoded offline by ffmpeg), --frames DIR the numbered PNG frames
  (frame-00001.png, ...); give either or both. The same inputs give the same frames, byte for
  byte. Sizes as for a PNG (1920x1080 by default); a WebM or MP4 needs an even width and height.
text alternative: a figure carries the view in words ("Showing 5 of 30 events in ..., Nov 2021
  to Jun 2022. By type: ..."), for readers who cannot see it: a PNG as its Description (and the
  title as its Title), a PDF as its Subject (pdfinfo shows it), an SVG as its <desc> (and
  <title>). --alt FILE also writes it to FILE, for a figure or a video (which carries none);
  not with --all-scenes.
change along the frontier: --trends draws the frontier in segments of --segment-km (default 50)
  coloured by each one's change level in the latest period (--period month or week), counting
  the shown events within --within-km (the frontier filter; 25 when not given) of the frontier,
  as panj trends does; the legend has a row per level drawn. Not for a playback.
scenes: --scene ID exports a scene of layers/scenes.json as its own view (title, caption under
  the map); --all-scenes DIR writes every scene as DIR/01-<id>.<format>, ... for a handout, and a
  scene with a playback ("play") also as DIR/01-<id>.webm. --scene ID --out FILE.webm writes a
  scene's playback.
basemaps: tiles come from the provider's servers; when they cannot be fetched within
  --tile-timeout seconds the figure is written without them (and without their credit) and a
  warning names the basemap.
browser: --browser, else $PANJ_CHROMIUM, else /usr/bin/chromium, else Playwright's own Chromium.

exit status: 0 written; 1 no browser or ffmpeg, unreadable data, rendering or encoding failed; 2 bad
  option or value.

examples:
  panj export --out figure.png
  panj export --out russia-china.png --actor russia china --from 2022 --to 2022 --preset a4
  panj export --out gbao.pdf --region gbao --bbox 70.5,36.6,75.2,39.5 --paper a3
  panj export --out map.png --width 1600 --height 1000 --alt map.txt
  panj export --all-scenes handout --format pdf
  panj export --animate month --from 2021-08 --to 2022-06 --out play.webm"""


class _OptionError(ValueError):
    """A bad command-line value; the message names the option."""


_Value = TypeVar("_Value")


def _export_parser(
    basemaps: Sequence[str] | None, default_basemap: str, presets: Sequence[str], default_layers_dir: Path,
    formats: Sequence[str], papers: Sequence[str], orientations: Sequence[str],
) -> argparse.ArgumentParser:
    from geo.fatalities import SIZE_BY
    from geo.playback import MODES, STEPS
    from geo.trends import PERIODS as TREND_PERIODS

    parser = _parser("export", _EXPORT_DESCRIPTION, _EXPORT_EPILOG)
    parser.add_argument("--out", type=Path, metavar="FILE",
                        help="the file to write (.png, .pdf or .svg; with --animate .webm, .mp4 or .gif)")
    parser.add_argument("--kind", choices=("map", "strip"), default="map",
                        help="map (default), or strip: the events along the frontier by km and date")
    parser.add_argument("--title", help="the figure's title (default: the scene's title, else the frontier's "
                        "name); the subtitle says what is shown: the filters, the dates and 'N of M events'")
    parser.add_argument("--format", choices=formats, help="png, pdf or svg (default: the --out suffix)")
    parser.add_argument("--no-locator", dest="locator", action="store_false",
                        help="leave out the locator inset (Central Asia with the map's extent outlined)")
    parser.add_argument("--alt", type=Path, metavar="FILE",
                        help="also write the figure's text alternative to FILE (UTF-8 text): the view in words, "
                             "as the page says it under the map; the figure carries it too (see below)")
    play_group = parser.add_argument_group("playback")
    play_group.add_argument("--animate", choices=STEPS, metavar="STEP",
                            help=f"play the events through time, a step at a time: {', '.join(STEPS)}")
    play_group.add_argument("--mode", choices=MODES, default=None,
                            help="this: each period's events (default); upto: everything up to each period")
    play_group.add_argument("--fps", type=float, default=None, metavar="F", help="frames (periods) a second (default: 1)")
    play_group.add_argument("--frames", type=Path, metavar="DIR", help="write the numbered PNG frames into DIR (with --out, or alone)")
    scene_group = parser.add_argument_group("scenes")
    scene_group.add_argument("--scene", metavar="ID", help="export this scene of scenes.json (instead of filters and view)")
    scene_group.add_argument("--all-scenes", type=Path, metavar="DIR",
                             help="write every scene as DIR/NN-<id>.<format>, a scene's playback also as .webm (instead of --out)")
    filters_group = parser.add_argument_group("filters")
    _filter_options(filters_group, verb="shown")
    filters_group.add_argument("--dataset", nargs="+", action="extend", metavar="NAME",
                               help="only these datasets' events (default: every dataset; see panj datasets); "
                                    "the sources line names each dataset drawn with its licence or terms")
    view_group = parser.add_argument_group("view")
    view_group.add_argument("--layers", metavar="ID,ID,...",
                            help="layers to draw (default: those the manifest shows; 'none' for no layers)")
    view_group.add_argument("--bbox", metavar="W,S,E,N",
                            help="extent in degrees, fitted exactly (default: the map's home extent)")
    view_group.add_argument("--basemap", choices=basemaps, default=None,
                            help=f"background tiles (default: {default_basemap})")
    view_group.add_argument("--size-by", choices=(SIZE_BY,), default=None,
                            help="size the event symbols by the fatalities they report (area proportional, with a "
                                 "legend of sizes); an event with none reported keeps its size, ringed with dots")
    trends_group = parser.add_argument_group("change along the frontier")
    trends_group.add_argument("--trends", action="store_true",
                              help="colour the frontier's segments by their latest change level (see panj trends)")
    trends_group.add_argument("--segment-km", type=float, default=None, metavar="KM",
                              help="with --trends: length of each segment along the frontier (default: 50)")
    trends_group.add_argument("--period", choices=TREND_PERIODS, default=None,
                              help="with --trends: month (default) or week")
    size_group = parser.add_argument_group("size")
    size_group.add_argument("--preset", choices=presets, default="slides", help="PNG size preset (default: slides)")
    size_group.add_argument("--width", type=int, metavar="N", help="PNG width in pixels")
    size_group.add_argument("--height", type=int, metavar="N", help="PNG height in pixels")
    size_group.add_argument("--scale", type=float, metavar="F", help="device pixels per CSS pixel (must divide the size)")
    size_group.add_argument("--paper", choices=papers, help="paper: a PNG's pixels at --dpi, a PDF's or SVG's page (default a4)")
    size_group.add_argument("--orientation", choices=orientations, default="landscape",
                            help="paper orientation (default: landscape)")
    size_group.add_argument("--dpi", type=float, metavar="N", help="resolution written into the PNG; with --paper, "
                            "its pixels (default 300)")
    browser_group = parser.add_argument_group("browser")
    browser_group.add_argument("--browser", metavar="PATH", help="Chromium or Chrome executable")
    browser_group.add_argument("--tile-timeout", type=float, default=15.0, metavar="S",
                               help="seconds to wait for basemap tiles (default: 15)")
    parser.add_argument("--layers-dir", type=Path, default=default_layers_dir, metavar="DIR",
                        help="data directory with manifest.json, vocabularies.json and events/ (default: %(default)s)")
    return parser


def _option_value(option: str, text: str | None, read: Callable[[str], _Value]) -> _Value | None:
    """``read(text)`` (None when the option is absent), its ValueError as an _OptionError naming the option."""
    if text is None:
        return None
    try:
        return read(text)
    except ValueError as error:
        raise _OptionError(f"{option} {text}: {error}") from None


def _ids(option: str, chosen: list[str] | None, known: Iterable[str], what: str) -> frozenset[str] | None:
    if not chosen:
        return None
    known = list(known)
    unknown = [item for item in chosen if item not in known]
    if unknown:
        raise _OptionError(f"{option}: unknown {what} {', '.join(map(repr, unknown))}; known: {', '.join(known)}")
    return frozenset(chosen)


def _filter_options(group: argparse._ArgumentGroup, *, verb: str, within: bool = True) -> None:
    """The filters every read command takes, combined as on the page (geo.filters): dates, actors,
    event types, statuses, regions, the frontier's (``_frontier_options``; ``within``: with its
    ``--within-km``), the fatalities range and the search text; ``verb`` says what the command does
    with the events ("shown"). ``_filter_state`` reads them."""
    from geo.events import STATUSES

    group.add_argument("--from", dest="date_from", metavar="DATE", help=f"first day {verb}")
    group.add_argument("--to", dest="date_to", metavar="DATE", help=f"last day {verb}")
    group.add_argument("--actor", nargs="+", action="extend", metavar="ID", help="actor ids (vocabularies.json)")
    group.add_argument("--type", dest="event_type", nargs="+", action="extend", metavar="ID", help="event-type ids")
    group.add_argument("--status", nargs="+", action="extend", choices=STATUSES, metavar="S",
                       help=f"event statuses: {', '.join(STATUSES)}")
    group.add_argument("--region", nargs="+", action="extend", metavar="R",
                       help="region ids: gbao, wakhan, country:<id>, province:<id>")
    _frontier_options(group, within=within)
    group.add_argument("--fatalities-min", type=int, metavar="N",
                       help="events reporting at least N fatalities; an event with none reported is left out")
    group.add_argument("--fatalities-max", type=int, metavar="N",
                       help="events reporting at most N fatalities; an event with none reported is left out")
    group.add_argument("--text", default="", metavar="Q", help="words in an event's title or summary")


def _filter_state(options: argparse.Namespace, snapshot: Snapshot, *, within: bool = True) -> FilterState:
    """The ``FilterState`` of ``_filter_options``'s options, checked against ``snapshot``'s ids;
    _OptionError names a bad value."""
    from geo.filters import REGION_ALIASES, FilterState, range_end, range_start

    date_from = _option_value("--from", options.date_from, range_start)
    date_to = _option_value("--to", options.date_to, range_end)
    if date_from and date_to and date_from > date_to:
        raise _OptionError(f"--from {options.date_from} is after --to {options.date_to}")
    counts: dict[str, int | None] = {}
    for option, name in (("--fatalities-min", "fatalities_min"), ("--fatalities-max", "fatalities_max")):
        counts[name] = getattr(options, name)  # argparse read a whole number
        if counts[name] is not None and counts[name] < 0:
            raise _OptionError(f"{option} {counts[name]}: the fatalities must be a whole number, 0 or more")
    if None not in counts.values() and counts["fatalities_min"] > counts["fatalities_max"]:
        raise _OptionError(f"--fatalities-min {counts['fatalities_min']} is more than "
                           f"--fatalities-max {counts['fatalities_max']}")
    return FilterState(
        date_from=date_from, date_to=date_to,
        actors=_ids("--actor", options.actor, snapshot.vocabulary.actors, "actor(s)"),
        event_types=_ids("--type", options.event_type, snapshot.vocabulary.event_types, "event type(s)"),
        regions=_ids("--region", [REGION_ALIASES.get(region, region) for region in options.region or ()],
                     snapshot.regions, "region(s)"),
        text=options.text, statuses=frozenset(options.status) if options.status else None,
        **_frontier_filters(options, snapshot, within=within), **counts,
    )


def _frontier_options(group: argparse._ArgumentGroup, *, within: bool = True) -> None:
    """The frontier's filters (geo.filters): ``--within-km`` (unless the command has its own),
    ``--side``, ``--stretch`` and ``--along-km``."""
    from geo.frontier import SIDES

    if within:
        group.add_argument("--within-km", type=float, metavar="KM",
                           help="events at most KM from the frontier; an event placed only on a whole country "
                                "has no distance and is left out")
    group.add_argument("--side", nargs="+", action="extend", choices=SIDES, metavar="SIDE",
                       help=f"the bank an event is on: {', '.join(SIDES)}")
    group.add_argument("--stretch", nargs="+", action="extend", metavar="ID",
                       help="frontier stretch ids (layers/frontier-stretches.json, e.g. panj); an event on an "
                            "area is on the stretches nearest its area, every one it touches")
    group.add_argument("--along-km", metavar="FROM-TO",
                       help="events whose nearest frontier point lies FROM to TO km along the frontier, west to "
                            "east (e.g. 700-900; what the page's strip brushes); an event on a whole area has none")


def _frontier_filters(options: argparse.Namespace, snapshot: Snapshot, *, within: bool = True) -> dict[str, Any]:
    """``FilterState``'s frontier fields from ``_frontier_options``'s options (``within``: with its
    ``--within-km``); _OptionError names a bad value."""
    from geo.filters import parse_along

    within_km = options.within_km if within else None
    if within_km is not None and not (math.isfinite(within_km) and within_km >= 0):
        raise _OptionError(f"--within-km {within_km:g}: must be 0 or more km")
    _, stretches = snapshot.frontier_axis
    return {
        "within_km": within_km,
        "sides": frozenset(options.side) if options.side else None,
        "stretches": _ids("--stretch", options.stretch, [stretch.id for stretch in stretches], "stretch(es)"),
        "along_km": _option_value("--along-km", options.along_km, parse_along),
    }


def _visible_layers(text: str | None, layers: dict[str, Layer]) -> tuple[str, ...]:
    from geo.filters import NO_LAYERS

    if text is None:
        return tuple(layer_id for layer_id, layer in layers.items() if layer.spec.visible)
    if text.strip() == NO_LAYERS:
        return ()
    chosen = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [item for item in chosen if item not in layers]
    if unknown or not chosen:
        raise _OptionError(f"--layers {text}: unknown layer(s) {', '.join(map(repr, unknown)) or '(none given)'}; "
                           f"known: {', '.join(layers)} or 'none'")
    return tuple(layer_id for layer_id in layers if layer_id in chosen)  # drawing order


DEFAULT_DPI = 300.0


VIDEO_SUFFIXES = {".webm": "webm", ".mp4": "mp4", ".gif": "gif"}
ALL_SCENES_VIDEO = "webm"  # a scene's playback beside its still (--all-scenes)
MAX_FPS = 60.0


def _video_format(args: argparse.Namespace) -> str | None:
    """The video --out names (webm, mp4, gif), or None; checks the playback options agree with it."""
    video = VIDEO_SUFFIXES.get(args.out.suffix.lower()) if args.out is not None else None
    if args.fps is not None and not (math.isfinite(args.fps) and 0 < args.fps <= MAX_FPS):
        raise _OptionError(f"--fps {args.fps:g}: must be a number of frames a second above 0, at most {MAX_FPS:g}")
    if args.animate is not None:
        if args.scene or args.all_scenes:
            raise _OptionError("--animate: a scene's playback is its \"play\" in scenes.json; "
                               "leave --animate out with --scene/--all-scenes")
        if args.date_from is None or args.date_to is None:
            raise _OptionError(f"--animate {args.animate}: give the playback's first and last period with --from and --to")
        if args.out is not None and video is None:
            raise _OptionError(f"--out {args.out}: --animate writes a video: the name must end in .webm, .mp4 or .gif")
        if args.out is None and args.frames is None:
            raise _OptionError(f"--animate {args.animate}: give --out FILE.webm|.mp4|.gif, --frames DIR or both")
    elif video is not None and not args.scene:
        raise _OptionError(f"--out {args.out}: a video is a playback: add --animate STEP --from DATE --to DATE, "
                           "or --scene ID of a scene with a playback")
    elif args.mode is not None and (args.scene or args.all_scenes):
        raise _OptionError("--mode: a scene's playback sets its own mode")
    elif video is None and (args.mode is not None or args.frames is not None or (args.fps is not None and not args.all_scenes)):
        raise _OptionError("--mode, --fps and --frames are for a playback: add --animate STEP --from DATE --to DATE")
    if (video is not None or args.animate is not None) and args.format is not None:
        raise _OptionError(f"--format {args.format}: is for figures; a playback's format is its --out suffix")
    return video


def _export_format(args: argparse.Namespace) -> str:
    suffixes = {".png": "png", ".pdf": "pdf", ".svg": "svg"}
    if args.out is not None and args.out.suffix.lower() in VIDEO_SUFFIXES:
        return "png"  # a video's frames
    if args.out is not None:
        suffix = suffixes.get(args.out.suffix.lower())
        if suffix is None:
            raise _OptionError(f"--out {args.out}: the file name must end in .png, .pdf or .svg")
        if args.format is not None and args.format != suffix:
            raise _OptionError(f"--out {args.out}: a {args.format.upper()} file's name must end in .{args.format}")
        return suffix
    return args.format or "png"


def _check_strip_options(args: argparse.Namespace) -> None:
    """_OptionError naming the map's own options given with --kind strip."""
    given = [option for option, value in (
        ("--animate", args.animate), ("--frames", args.frames), ("--scene", args.scene), ("--all-scenes", args.all_scenes),
        ("--trends", args.trends or None), ("--layers", args.layers), ("--bbox", args.bbox), ("--basemap", args.basemap),
    ) if value is not None]
    if given:
        raise _OptionError(f"{', '.join(given)}: the map's own; leave them out with --kind strip")


def _write_strip(wanted: _Figure, args: argparse.Namespace, *, snapshot: Snapshot, shown: pd.DataFrame,
                 size: ExportSize, renderer: Renderer, description: str, output: str, alt: str, total: int) -> None:
    """Write ``panj export --kind strip``'s figure and say what it holds."""
    from geo.strip import DEFAULT_WITHIN_KM
    from geo.stripfigure import DEFAULT_TITLE, export_strip

    within_km = DEFAULT_WITHIN_KM if args.within_km is None else args.within_km
    result = export_strip(
        wanted.out, snapshot=snapshot, shown=shown, within_km=within_km, size=size, renderer=renderer,
        title=args.title or DEFAULT_TITLE, description=description, date_from=wanted.state.date_from,
        date_to=wanted.state.date_to, output=output, alt=alt)
    unit = "px" if output == "png" else "CSS px page"
    drawn = (result.layout or {}).get("events", 0)
    print(f"{result.path} ({result.width}×{result.height} {unit}, {drawn} of {len(shown)} shown events within "
          f"{within_km:g} km of the frontier; {total} events in all)")
    _write_alt(args.alt, alt)


def _export_size(args: argparse.Namespace, output: str) -> tuple[ExportSize, str | None]:
    """The size, and a note when the exporter chose a scale the reader did not give."""
    from geo.export import PRESETS, ExportSize, paper_page, paper_png, sized

    if args.dpi is not None and not (math.isfinite(args.dpi) and 10 <= args.dpi <= 2400):
        raise _OptionError(f"--dpi {args.dpi:g}: must be a number from 10 to 2400")
    pixels_given = args.width is not None or args.height is not None or args.scale is not None
    try:
        if output != "png":
            if pixels_given or args.dpi is not None:
                raise _OptionError(f"--width, --height, --scale and --dpi are for PNGs; a {output.upper()} is a "
                                   "page: use --paper and --orientation")
            return paper_page(args.paper or "a4", args.orientation), None
        if args.paper is not None:
            if pixels_given:
                raise _OptionError("--paper gives the pixel size: leave out --width, --height and --scale")
            return paper_png(args.paper, args.orientation, args.dpi or DEFAULT_DPI)
        preset = PRESETS[args.preset]
        width = preset.width if args.width is None else args.width
        height = preset.height if args.height is None else args.height
        dpi = args.dpi if args.dpi is not None else (None if pixels_given else preset.dpi)
        if args.scale is not None:
            return ExportSize(width, height, args.scale, dpi=dpi), None
        for name, pixels in (("width", width), ("height", height)):
            if pixels <= 0:
                raise ValueError(f"{name} must be a positive whole number of pixels, got {pixels!r}")
        return sized(width, height, preset.scale, dpi=dpi)
    except ValueError as error:
        if isinstance(error, _OptionError):
            raise
        raise _OptionError(f"size: {error}") from None


@dataclass(frozen=True)
class _Figure:
    """One figure to write: where, which events, which view, what it says."""

    out: Path | None  # None: only the frames of a playback
    state: FilterState
    view: MapView
    title: str
    caption: str | None
    play: Playback | None = None  # a playback: `out` is its video (format by suffix)
    frames: Path | None = None  # where the playback's PNG frames go (else a temporary folder)


def export_png(argv: list[str]) -> int:
    """``panj export``: see --help."""
    from geo import figure, mapview, summary
    from geo.basemaps import BASEMAP_NONE, BasemapsError, load_basemaps
    from geo.browser import BrowserBusy, BrowserNotFound
    from geo.export import FORMATS, PRESETS, ExportError, Renderer, export_view
    from geo.filters import parse_bbox
    from geo.layers import LAYERS_DIR
    from geo.layout import ORIENTATIONS, PAPERS_MM
    from geo.playback import Playback, check_length
    from geo.snapshot import DataError, dataset_mask, read_snapshot

    # The data directory is read first: the other options are checked against its ids and basemaps.
    data_option = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    data_option.add_argument("--layers-dir", type=Path, default=LAYERS_DIR)
    layers_dir = data_option.parse_known_args(argv)[0].layers_dir
    try:
        basemap_ids: list[str] | None = list(load_basemaps(layers_dir))
    except BasemapsError:
        basemap_ids = None  # reading the data below names this problem, after any the layers have
    parser = _export_parser(basemap_ids, BASEMAP_NONE, list(PRESETS), LAYERS_DIR, FORMATS,
                            list(PAPERS_MM), ORIENTATIONS)
    args = parser.parse_args(argv)  # --help and a bad option stop here, before the events are read
    try:
        snapshot = read_snapshot(layers_dir)
    except DataError as error:
        return _failed("export", "; ".join(error.problems), logged=f"cannot read the map data in {layers_dir}",
                       shown=f"cannot read the map data: {'; '.join(error.problems)}")
    layers, vocabulary, regions = snapshot.layers, snapshot.vocabulary, snapshot.regions
    try:
        if args.out is not None and args.all_scenes is not None:
            raise _OptionError("--out and --all-scenes: give one")
        if args.all_scenes is not None and args.scene is not None:
            raise _OptionError("--scene and --all-scenes: give one")
        if args.alt is not None and args.all_scenes is not None:
            raise _OptionError(f"--alt {args.alt}: is one figure's text alternative; with --all-scenes each "
                               "figure carries its own (a PNG's Description, a PDF's Subject, an SVG's <desc>)")
        video = _video_format(args)
        change_options = _change_options(args)
        if args.kind == "strip":
            _check_strip_options(args)
        if change_options is not None and (video is not None or args.animate is not None):
            raise _OptionError("--trends: colours a still figure's frontier; leave it out of a playback")
        if args.out is None and args.all_scenes is None and (args.animate is None or args.frames is None):
            raise _OptionError("give --out FILE, or --all-scenes DIR")
        view_options = {"--from": args.date_from, "--to": args.date_to, "--actor": args.actor, "--type": args.event_type,
                        "--status": args.status, "--region": args.region, "--within-km": args.within_km,
                        "--side": args.side, "--stretch": args.stretch, "--fatalities-min": args.fatalities_min,
                        "--fatalities-max": args.fatalities_max, "--text": args.text, "--layers": args.layers,
                        "--bbox": args.bbox, "--basemap": args.basemap, "--size-by": args.size_by}
        given = ", ".join(option for option, value in view_options.items() if value not in (None, ""))
        if (args.scene or args.all_scenes) and given:
            raise _OptionError(f"{given}: a scene sets the filters and the view; leave these out with --scene/--all-scenes")
        output = _export_format(args)
        if args.out is not None:
            _check_folder("--out", args.out, args.out.parent)
        if args.all_scenes is not None:
            _check_folder("--all-scenes", args.all_scenes, args.all_scenes)
        if args.alt is not None:
            _check_folder("--alt", args.alt, args.alt.parent)
        if args.frames is not None:
            _check_folder("--frames", args.frames, args.frames.parent)
            if args.frames.exists() and not args.frames.is_dir():
                raise _OptionError(f"--frames {args.frames}: is a file, not a folder")
        if not (math.isfinite(args.tile_timeout) and args.tile_timeout > 0):
            raise _OptionError(f"--tile-timeout {args.tile_timeout:g}: must be a positive number of seconds")
        size, size_note = _export_size(args, output)
        # A scene's video beside a PDF or SVG still is a slide-sized PNG playback.
        video_size = size if output == "png" else PRESETS["slides"]
        for format_name in (video, ALL_SCENES_VIDEO if args.all_scenes else None):
            if format_name in ("webm", "mp4") and (video_size.width % 2 or video_size.height % 2):
                raise _OptionError(f"size {video_size.width}×{video_size.height} px: a {format_name.upper()} "
                                   "needs an even width and height")
        figures: list[_Figure] = []
        try:
            within = None if not args.dataset else dataset_mask(snapshot, args.dataset)
        except ValueError as error:
            raise _OptionError(f"--dataset: {error}") from None
        if args.scene or args.all_scenes:
            if snapshot.scenes_error is not None:
                return _failed("export", snapshot.scenes_error, logged="scenes refused")
            workshop = list(snapshot.scenes.values())
            chosen = [scene for scene in workshop if args.scene in (None, scene.id)]
            if not chosen:
                raise _OptionError(f"--scene {args.scene}: unknown scene; known: {', '.join(s.id for s in workshop)}")
            for number, scene in enumerate(chosen, start=1):
                view = mapview.MapView(visible_layers=scene.layers, basemap=scene.basemap,
                                       bounds=scene.bounds(layers), highlight=None, size_by=scene.size_by)
                title = args.title or scene.title
                if video is not None and scene.play is None:
                    raise _OptionError(f"--scene {scene.id}: has no playback (\"play\" in scenes.json) to write as a video")
                if video is None:
                    out = args.out if args.out is not None else args.all_scenes / f"{number:02d}-{scene.id}.{output}"
                    figures.append(_Figure(out, scene.filters, view, title, scene.caption))
                if scene.play is not None and (video is not None or args.all_scenes is not None):
                    out = args.out if video is not None else args.all_scenes / f"{number:02d}-{scene.id}.{ALL_SCENES_VIDEO}"
                    figures.append(_Figure(out, scene.filters, view, title, scene.caption, play=scene.play,
                                           frames=args.frames))
        else:
            state = _filter_state(args, snapshot)
            date_from, date_to = state.date_from, state.date_to
            view = mapview.MapView(
                visible_layers=_visible_layers(args.layers, layers), basemap=args.basemap or BASEMAP_NONE,
                bounds=_option_value("--bbox", args.bbox, parse_bbox), highlight=None, size_by=args.size_by,
            )
            play = None
            if args.animate is not None:
                try:
                    check_length(date_from, date_to, args.animate)
                except ValueError as error:
                    raise _OptionError(f"--animate {args.animate} --from {args.date_from} --to {args.date_to}: {error}") from None
                play = Playback(date_from, date_to, args.animate, args.mode or "this")
            figures.append(_Figure(args.out, state, view, args.title or figure.DEFAULT_TITLE, None, play=play,
                                   frames=args.frames))
    except _OptionError as error:
        parser.error(str(error))

    if size_note:
        print(f"note: {size_note}", file=sys.stderr)
    try:
        with Renderer(args.browser, tile_timeout_s=args.tile_timeout) as renderer:
            events = snapshot.events if within is None else snapshot.events[within]
            for wanted in figures:
                shown = snapshot.events[snapshot.index.mask(wanted.state, within=within)]
                description = figure.describe_shown(wanted.state, events, vocabulary, regions, shown,
                                                     snapshot.stretch_names)
                alt = summary.view_summary(shown, len(events), vocabulary, regions, wanted.state.regions,
                                           snapshot.place_names)
                if wanted.play is not None:
                    _write_playback(wanted, snapshot=snapshot, shown=shown, size=video_size, renderer=renderer,
                                    description=description, locator=args.locator, fps=args.fps or 1.0)
                    _write_alt(args.alt, alt)
                    continue
                if args.kind == "strip":
                    _write_strip(wanted, args, snapshot=snapshot, shown=shown, size=size, renderer=renderer,
                                 description=description, output=output, alt=alt, total=len(events))
                    continue
                view = wanted.view if change_options is None else replace(
                    wanted.view, frontier_change=_frontier_change(snapshot, shown, wanted.state, *change_options))
                result = export_view(
                    wanted.out, snapshot=snapshot, shown=shown, view=view, title=wanted.title, size=size,
                    renderer=renderer, description=description, caption=wanted.caption, locator=args.locator,
                    output=output, alt=alt,
                )
                for note in result.notes:
                    print(f"note: {note}", file=sys.stderr)
                for warning in result.warnings:
                    print(f"warning: {warning}", file=sys.stderr)
                unit = "px" if output == "png" else "CSS px page"
                print(f"{result.path} ({result.width}×{result.height} {unit}, {len(shown)} of {len(events)} events)")
                _write_alt(args.alt, alt)
    except (BrowserNotFound, BrowserBusy, ExportError) as error:  # logged where they are raised
        print(f"panj export: {error}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_DONE


def _change_options(args: argparse.Namespace) -> tuple[float, float, str] | None:
    """--trends' distance, segment length and period (None without --trends), checked."""
    # --within-km is the frontier filter (shared with panj events): --trends counts within it too.
    given = [option for option, value in (("--segment-km", args.segment_km), ("--period", args.period))
             if value is not None]
    if not args.trends:
        if given:
            raise _OptionError(f"{', '.join(given)}: say how to colour the frontier: add --trends")
        return None
    within_km = 25.0 if args.within_km is None else args.within_km
    segment_km = 50.0 if args.segment_km is None else args.segment_km
    if not (math.isfinite(within_km) and within_km >= 0):
        raise _OptionError(f"--within-km {within_km:g}: must be 0 or more km")
    if not (math.isfinite(segment_km) and segment_km > 0):
        raise _OptionError(f"--segment-km {segment_km:g}: must be more than 0 km")
    return within_km, segment_km, args.period or "month"


def _frontier_change(snapshot: Snapshot, shown: pd.DataFrame, state: FilterState, within_km: float, segment_km: float,
                     period: str) -> dict[str, Any]:
    """The frontier's segments coloured by their latest change level among the ``shown`` events, as
    the map draws them (``geo.mapview.frontier_change``)."""
    from geo import mapview
    from geo.frontierchange import latest_segments
    table = snapshot.trends(shown, within_km=within_km, segment_km=segment_km, period=period,
                            span=(state.date_from, state.date_to))
    return mapview.frontier_change(latest_segments(snapshot.frontier, table, segment_km), snapshot.trend_levels)


def _write_alt(path: Path | None, alt: str) -> None:
    """--alt FILE: the figure's text alternative, one line of UTF-8 text."""
    if path is None:
        return
    path.write_text(alt + "\n", encoding="utf-8")
    print(f"{path} (text alternative, {len(alt)} characters)")


def _check_folder(option: str, given: Path, folder: Path) -> None:
    if not folder.is_dir():
        raise _OptionError(f"{option} {given}: folder {folder} does not exist")


def _write_playback(
    wanted: _Figure, *, snapshot: Snapshot, shown: pd.DataFrame, size: ExportSize, renderer: Renderer,
    description: str, locator: bool, fps: float,
) -> None:
    """Render a playback's frames (into ``wanted.frames`` or a temporary folder) and encode its video."""
    import tempfile

    from geo import figure
    from geo.export import encode_video, export_playback, playback_frames

    play = wanted.play
    assert play is not None  # the caller writes only playbacks here
    frames = playback_frames(shown, play.periods(), play.mode)
    with tempfile.TemporaryDirectory(prefix="panj-frames-") as scratch:
        folder = wanted.frames if wanted.frames is not None else Path(scratch)
        folder.mkdir(exist_ok=True)
        result = export_playback(
            folder, snapshot=snapshot, shown=shown, frames=frames, view=wanted.view, title=wanted.title, size=size,
            renderer=renderer, description=figure.playback_description(description, play.step, play.mode),
            caption=wanted.caption, locator=locator,
        )
        for note in result.figure.notes:
            print(f"note: {note}", file=sys.stderr)
        for warning in result.figure.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        for path, seen in zip(result.frames, result.shown, strict=True):
            print(f"  {path.name}: {seen['label']}, {seen['count']}")
        if wanted.frames is not None:
            print(f"{folder} ({len(result.frames)} frames, {size.width}×{size.height} px)")
        if wanted.out is not None:
            video = VIDEO_SUFFIXES[wanted.out.suffix.lower()]
            encode_video(list(result.frames), wanted.out, fps=fps, output=video)
            print(f"{wanted.out} ({size.width}×{size.height} px, {len(result.frames)} frames at {fps:g} a second, "
                  f"{play.step} by {play.step}, {len(shown)} events)")


# --- import and datasets ------------------------------------------------------------------------

_STORE_EPILOG = """\
store: PANJ_DATABASE_URL (postgresql://USER@HOST/DATABASE, PostgreSQL with PostGIS), else the
  SQLite file panj.sqlite3 in PANJ_DATA_DIR, else in the user's data directory
  (~/.local/share/panj on Linux)."""


def import_events(argv: list[str]) -> int:
    """``panj import``: see --help."""
    from geo.importers import (
        DEFAULT_MAX_BYTES,
        FORMATS,
        MAX_MB_ENV,
        TRUST_CHOICES,
        UNIT,
        ImportFileError,
        dataset_id,
        default_max_bytes,
        read_deletions,
        read_file,
    )
    from geo.layers import LAYERS_DIR
    from geo.store import load_shipped, open_store

    parser = _parser(
        "import",
        description="Import a file of events as a dataset of the store: ACLED's CSV export, UCDP's GED or "
                    "Candidate CSV, a GeoJSON "
                    "FeatureCollection of points or polygons, or a file in Panj's own events format (a second "
                    "article's). Every row is checked as the article's events are, and against the layers; "
                    "the dataset is stored only when every row is accepted (--keep-good stores the accepted "
                    "ones), in one transaction: a new dataset's rows go into it a chunk at a time as they are "
                    "read, so memory does not grow with the rows' text, and a file refused is rolled back "
                    "whole. --update brings an imported dataset up to date with a newer "
                    "export: rows are matched by their source's id (ACLED's event_id_cnty, UCDP's id, a "
                    "feature's id); a row revised later than the stored one (ACLED's timestamp) replaces it, an "
                    "older or equal one is left (a row that does not say when, like UCDP's, replaces it when it "
                    "differs), a new id is added, events the file does not name are kept, and the ids of "
                    "--deletions are removed. The data directory's events/*.json are loaded into the store first "
                    "(as `panj run` does), so that no imported event repeats one of theirs.",
        epilog=f"formats: --format acled|ucdp|geojson|panj; by default a .csv file is UCDP's when its header\n"
               f"  is UCDP's (or, in a Candidate file without a header, its first row has UCDP's 49 columns),\n"
               f"  else ACLED's; a JSON file is a GeoJSON FeatureCollection or else Panj's format. UCDP:\n"
               f"  date_start to date_end is the event's span, best its fatalities (low and high kept),\n"
               f"  side_a and side_b its actors, type_of_violence its type (layers/import-ucdp.json).\n"
               f"  --update takes ACLED, UCDP and GeoJSON files.\n"
               f"places: a row known only to its province (ACLED's geo_precision 3, UCDP's where_prec 4)\n"
               f"  stands on the province its admin1 (adm_1) names, by the provinces layer's names and\n"
               f"  layers/aliases.json's spellings; a row whose own country or admin1 names another area than\n"
               f"  its point falls in is flagged (with its distance to the frontier) and stands where --trust\n"
               f"  says: 'point' (the default) where its point falls, 'row' on the province its admin1 names\n"
               f"  (known to the province). A row that cannot stand on its admin1 (none, an unknown name, a\n"
               f"  province of another country than the row's) keeps its point, flagged with why. The\n"
               f"  output counts the rows placed by each rule.\n"
               f"deletions: a CSV file with a column event_id_cnty (ACLED's deletions file) or id, and\n"
               f"  optionally deleted_timestamp; a row of the update revised after its deletion stays.\n"
               f"size: files over {DEFAULT_MAX_BYTES // 1024 // 1024} MB are refused; --max-size or {MAX_MB_ENV} "
               f"change the limit.\n{_STORE_EPILOG}\n\n"
               "exit status: 0 imported or updated; 1 the file is invalid (every rejected row is listed: row,\n"
               "  field, reason; nothing is stored unless --keep-good) or the store failed; 2 bad option, no\n"
               "  such file, a name taken or no dataset of the --update name.\n\n"
               "examples:\n  panj import 2022-acled-tajikistan.csv --name \"ACLED Tajikistan 2022\" --licence \"ACLED terms of use\"\n"
               "  panj import GEDEvent_v24_1.csv --name \"UCDP GED 24.1\" --licence \"CC BY 4.0\"\n"
               "  panj import second-article.json --name \"Second article\" --report report.csv\n"
               "  panj import acled-week-23.csv --update \"ACLED Tajikistan 2022\" --deletions acled-deleted.csv\n"
               "  panj import acled-frontier.csv --name \"ACLED frontier\" --trust row",
    )
    parser.add_argument("file", type=Path, metavar="FILE", help="the file to import")
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--name", help="the new dataset's name (unique in the store)")
    target.add_argument("--update", metavar="NAME", help="update the imported dataset NAME with the file's rows")
    parser.add_argument("--deletions", type=Path, metavar="CSV",
                        help="with --update: a file of the ids of events to remove (ACLED's deletions file)")
    parser.add_argument("--keep-good", action="store_true",
                        help="store the accepted rows of a file that has rejected ones (the report lists those)")
    parser.add_argument("--format", choices=FORMATS, help="the file's format (default: from the file)")
    parser.add_argument("--trust", choices=TRUST_CHOICES, default="point",
                        help="where a row whose own country or admin1 disagrees with its point stands: where its "
                             "point falls, or on the province its admin1 names (default: %(default)s)")
    parser.add_argument("--licence", default="", metavar="TEXT", help="the licence or terms the data comes under")
    parser.add_argument("--report", type=Path, metavar="CSV",
                        help="also write the report (every row accepted, rejected or flagged) as CSV")
    parser.add_argument("--max-size", type=float, metavar="MB", help=f"size limit in megabytes (default: {MAX_MB_ENV}, else 200)")
    parser.add_argument("--layers-dir", type=Path, default=LAYERS_DIR, metavar="DIR",
                        help="data directory with manifest.json, vocabularies.json, import-acled.json and import-ucdp.json "
                             "(default: %(default)s)")
    options = parser.parse_args(argv)
    if not options.file.is_file():
        parser.error(f"FILE {options.file}: no such file")
    if options.deletions is not None and options.update is None:
        parser.error("--deletions goes with --update NAME")
    if options.deletions is not None and not options.deletions.is_file():
        parser.error(f"--deletions {options.deletions}: no such file")
    if options.update is not None and options.licence:
        parser.error("--licence goes with --name: an update keeps the dataset's licence")
    if options.update is not None and options.format == "panj":
        parser.error("--update takes ACLED, UCDP or GeoJSON files: a Panj events file is an article's, imported whole")
    if options.max_size is not None and not (math.isfinite(options.max_size) and options.max_size > 0):
        parser.error(f"--max-size {options.max_size:g}: must be a positive number of megabytes")
    if options.report is not None and not options.report.parent.is_dir():
        parser.error(f"--report {options.report}: folder {options.report.parent} does not exist")
    name = options.name if options.update is None else options.update
    try:
        dataset_id(name)
        max_bytes = default_max_bytes() if options.max_size is None else int(options.max_size * 1024 * 1024)
    except ValueError as error:
        parser.error(str(error))
    try:
        deletions = read_deletions(options.deletions) if options.deletions is not None else None
    except ImportFileError as error:
        return _failed("import", error, logged=f"deletions file {options.deletions} refused")
    try:
        with open_store() as store:
            load_shipped(store, options.layers_dir, by=BY_COMMAND_LINE)
            datasets = {dataset.name: dataset for dataset in store.datasets()}
            if options.update is None and name.strip() in datasets:
                parser.error(f"--name {name}: a dataset of that name exists (panj datasets --rename or --delete, "
                             "or --update it)")
            if options.update is not None and (name not in datasets or datasets[name].shipped):
                known = sorted(dataset.name for dataset in datasets.values() if not dataset.shipped)
                parser.error(f"--update {name}: no imported dataset of that name"
                             + (f"; the store has {', '.join(map(repr, known))}" if known else ""))
            updating = datasets.get(name) if options.update is not None else None
            dataset = None
            if updating is None:
                # Streamed into the store as it is read, and rolled back if it is not to be kept.
                imported, dataset = store.import_file(
                    name, options.file, source_file=options.file.name, licence=options.licence, by=BY_COMMAND_LINE,
                    file_format=options.format, layers_dir=options.layers_dir, max_bytes=max_bytes,
                    trust=options.trust, keep_good=options.keep_good)
            else:
                imported = read_file(options.file, dataset_name=name, file_format=options.format,
                                     layers_dir=options.layers_dir, max_bytes=max_bytes,
                                     existing=store.existing(besides=name), dataset_key=updating.id, trust=options.trust)
            if options.report is not None:
                options.report.write_text(imported.report_csv(), encoding="utf-8", newline="")
            for line in imported.flagged:
                where = imported.item(line.row, line.event_id) + (f", field {line.field!r}" if line.field else "")
                print(f"flagged: {where}: {line.reason}", file=sys.stderr)
            unit = UNIT[imported.format]
            rejected = {line.row for line in imported.rejected}
            if imported.rejected:
                for problem in imported.problems():
                    print(problem, file=sys.stderr)
            if imported.placement_text():
                print(imported.placement_text(), file=sys.stderr)
            if not imported.accepted and not deletions or imported.rejected and not options.keep_good:
                print(f"panj import: nothing imported: {imported.accepted} {unit}s accepted, "
                      f"{len(rejected - {None})} rejected" + (" and the file refused" if None in rejected else "")
                      + ("; --keep-good stores the accepted ones" if imported.accepted and None not in rejected else ""),
                      file=sys.stderr)
                return EXIT_FAILED
            if updating is not None:
                counts = store.update_dataset(name, imported, deletions=deletions, source_file=options.file.name,
                                              by=BY_COMMAND_LINE, keep_good=options.keep_good)
                print(f"updated dataset {name!r}: {counts.added} added, {counts.revised} revised, "
                      f"{counts.unchanged} unchanged, {counts.deleted} deleted, {counts.rejected} rejected; "
                      f"{counts.row_count} events ({store.location})")
            else:
                assert dataset is not None  # import_file stores exactly what the test above lets through
                print(f"imported {dataset.row_count} events into dataset {dataset.name!r}"
                      + (f", {len(rejected - {None})} {unit}s rejected" if rejected else "") + f" ({store.location})")
    except _data_errors() as error:  # the store's, and the data directory's LayerError, EventsError, MappingError
        return _failed("import", error, logged=f"import of {options.file} failed")
    return EXIT_DONE


def manage_datasets(argv: list[str]) -> int:
    """``panj datasets``: see --help."""
    from geo.store import TRASH_DAYS, StoreError, open_store

    parser = _parser(
        "datasets",
        description="List the store's datasets (name, events, format, id (which names its actor colour file, "
                    "layers/actor-colours/ID.json), when imported, source file, licence, "
                    "and 'shipped' for a data directory's events file), or rename or delete an imported one. "
                    f"A deleted dataset goes to the trash for {TRASH_DAYS} days: --trash lists it, --restore "
                    "brings it back. --log lists every change (import, update, rename, delete, restore, purge "
                    "of the trash), newest first, with when and who made it. Listing writes nothing.",
        epilog=f"{_STORE_EPILOG}\n\n"
               "exit status: 0 done; 1 the store failed or refused (e.g. a restored name taken meanwhile);\n"
               "  2 bad option, no such dataset, or a shipped one to change.\n\n"
               "examples:\n  panj datasets\n  panj datasets --rename \"ACLED 2022\" \"ACLED Tajikistan 2022\"\n"
               "  panj datasets --delete \"ACLED Tajikistan 2022\"\n  panj datasets --trash\n"
               "  panj datasets --restore \"ACLED Tajikistan 2022\"\n  panj datasets --log",
    )
    change = parser.add_mutually_exclusive_group()
    change.add_argument("--delete", metavar="NAME", help="move the dataset NAME to the trash")
    change.add_argument("--rename", nargs=2, metavar=("OLD", "NEW"), help="rename the dataset OLD to NEW")
    change.add_argument("--restore", metavar="NAME", help="bring back the dataset last deleted as NAME")
    change.add_argument("--trash", action="store_true", help="list the deleted datasets that can be restored")
    change.add_argument("--log", action="store_true", help="list the store's changes, newest first")
    options = parser.parse_args(argv)
    try:
        if options.delete is None and options.rename is None and options.restore is None:
            with _reading_store() as store:
                _list_store(store, options)
            return EXIT_DONE
        with open_store() as store:
            datasets = {dataset.name: dataset for dataset in store.datasets()}
            named = options.delete if options.delete is not None else (options.rename[0] if options.rename else None)
            if named is not None and named not in datasets:
                parser.error(f"no dataset called {named!r}" + (f"; the store has {', '.join(map(repr, sorted(datasets)))}"
                                                                if datasets else "; the store has none"))
            if named is not None and datasets[named].shipped:
                parser.error(f"dataset {named!r} is the data directory's {datasets[named].source_file}: "
                             "change or remove that file instead")
            if options.rename and options.rename[1].strip() in set(datasets) - {options.rename[0]}:
                parser.error(f"--rename: a dataset called {options.rename[1]!r} exists already")
            if options.restore is not None and options.restore not in {item.name for item in store.trash()}:
                parser.error(f"--restore: no dataset called {options.restore!r} in the trash (see panj datasets --trash)")
            if options.delete is not None:
                store.delete(options.delete, by=BY_COMMAND_LINE)
                print(f"deleted dataset {options.delete!r}: it stays in the trash for {TRASH_DAYS} days "
                      f"(panj datasets --restore {shlex.quote(options.delete)} brings it back)")
            elif options.rename:
                store.rename(*options.rename, by=BY_COMMAND_LINE)
                print(f"renamed dataset {options.rename[0]!r} to {options.rename[1]!r}")
            else:
                restored = store.restore(options.restore, by=BY_COMMAND_LINE)
                print(f"restored dataset {restored.name!r} ({restored.row_count} events)")
    except StoreError as error:
        return _failed("datasets", error, logged="panj datasets failed")
    return EXIT_DONE


BY_COMMAND_LINE = "command line"  # who made a change, as the store's log says


@contextmanager
def _reading_store() -> Iterator[Store | None]:
    """The store for reading (``geo.store.open_store(create=False)``): None when there is none yet."""
    from geo.store import open_store

    store = open_store(create=False)
    try:
        yield store
    finally:
        if store is not None:
            store.close()


def _list_store(store: Store | None, options: argparse.Namespace) -> None:
    """Print the datasets, the trash (--trash) or the log (--log) of ``store`` (None: no store yet)."""
    if options.trash:
        trashed = store.trash() if store is not None else []
        if not trashed:
            print("the trash is empty")
        for item in trashed:
            print(f"{item.name}\t{item.row_count} events\tdeleted {item.deleted_at:%Y-%m-%d %H:%M} UTC by {item.by}\t"
                  f"restorable until {item.expires_at:%Y-%m-%d %H:%M} UTC")
    elif options.log:
        changes = store.log() if store is not None else []
        if not changes:
            print("no changes logged")
        for item in changes:
            what = f"{item.dataset} -> {item.new_name}" if item.new_name is not None else item.dataset
            print(f"{item.at:%Y-%m-%d %H:%M:%S} UTC\t{item.kind}\t{what}\t{item.by}")
    else:
        datasets = store.datasets() if store is not None else []
        if not datasets:
            print(f"no datasets in {store.location if store is not None else 'the store (none yet)'}")
        for dataset in datasets:
            print(f"{dataset.name}\t{dataset.row_count} events\t{dataset.format}\tid {dataset.id}\t"
                  f"{dataset.imported_at:%Y-%m-%d %H:%M} UTC\t{dataset.source_file}\t"
                  f"{dataset.licence or '(no licence given)'}" + ("\tshipped" if dataset.shipped else ""))


# --- bench ---------------------------------------------------------------------------------------

def benchmark(argv: list[str]) -> int:
    """``panj bench``: see --help."""
    from geo.bench import maps as bench, synthetic
    from geo.browser import BrowserNotFound
    from geo.layers import LAYERS_DIR

    shares = ", ".join(f"{share:.0%} {precision}" for precision, share in synthetic.LOCATION_SHARES.items())
    parser = _parser(
        "bench",
        description="Measure Panj's map against the naive folium map (a CircleMarker with tooltip and popup "
                    "per event) in one run, on synthetic events with a fixed seed (each with its own place in "
                    f"Tajikistan or Afghanistan; {shares}), imported "
                    "into a temporary store and read back as the page reads them. Each page is served over local "
                    "HTTP to headless Chromium. Per map and size: build_s (Python: events to what is sent), "
                    "payload_bytes (document and events files), paint_s (navigation to the frame painted with "
                    "every event drawn), settled_s (to the frame with everything drawn: Panj's area outlines, "
                    "layers and names too), "
                    "zoom_s and pan_s (one step, to the painted frame), heap_mb (JS heap after paint), step_s (Panj "
                    "only: one step of a month-by-month playback, to the painted frame). A naive "
                    f"page not painted within {bench.PAINT_TIMEOUT_S:g} s (or a zoom or pan within "
                    f"{bench.INTERACTION_TIMEOUT_S:g} s) leaves its fields empty, and the naive map is not built "
                    f"above {bench.NAIVE_MAX_SIZE:,} events. Progress goes to standard error, the table to "
                    "standard output. See docs/performance.md.",
        epilog="exit status: 0 measured; 1 no browser, unreadable data, a measurement that cannot be trusted\n"
               "  (a wrong number of events drawn) or a failed import; 2 bad option.\n\n"
               "examples:\n  panj bench --sizes 1000,10000\n  panj bench --json bench.json\n"
               "  panj bench --import --database-url postgresql://panj@localhost/panj",
    )
    parser.add_argument("--sizes", nargs="+", default=[",".join(map(str, bench.SIZES))], metavar="N[,N...]",
                        help="numbers of events to measure, comma- or space-separated (default: "
                             f"{','.join(map(str, bench.SIZES))})")
    parser.add_argument("--json", type=Path, metavar="FILE",
                        help='also write {"machine": ..., "method": ..., "records": [...]} to FILE')
    parser.add_argument("--browser", metavar="PATH",
                        help="Chromium or Chrome executable (default: $PANJ_CHROMIUM, else /usr/bin/chromium, "
                             "else Playwright's own)")
    parser.add_argument("--layers-dir", type=Path, default=LAYERS_DIR, metavar="DIR",
                        help="data directory: layers and vocabularies (default: %(default)s)")
    import_group = parser.add_argument_group("imports (instead of the map)")
    import_group.add_argument("--import", dest="imports", action="store_true",
                              help="time `panj import` of a synthetic ACLED export (fixed seed): rows per second "
                                   "into a new SQLite store and, with --database-url, into PostgreSQL")
    import_group.add_argument("--rows", type=int, default=100_000, metavar="N", help="rows of the export (default: %(default)s)")
    import_group.add_argument("--database-url", metavar="URL",
                              help="a PostgreSQL database with PostGIS to time as well (default: PANJ_DATABASE_URL "
                                   "when it is one); its benchmark dataset is deleted afterwards")
    from geo.bench import soak
    from geo.bench.app import SESSIONS

    app_group = parser.add_argument_group("the running app (instead of the map)")
    app_group.add_argument("--app", action="store_true",
                           help="serve the page (streamlit run app.py) on a temporary store of N synthetic events and "
                                "measure it in headless Chromium: import_s, first_load_s (and as a ratio to Streamlit's "
                                "floor, one st_folium map), filter_s, sent_bytes, search_s, sort_s, publish_s, rss_mb; then, at "
                                "the largest size, concurrent sessions on one app process (geo.bench.app)")
    app_group.add_argument("--sessions", type=int, metavar="N",
                           help=f"concurrent browser sessions (default: {SESSIONS} with --app, {soak.SESSIONS} with --soak)")
    app_group.add_argument("--soak", action="store_true",
                           help="a team's weeks in minutes: serve the page with --sessions sessions open and run "
                                "--cycles cycles of panj import, rename, export and delete; record the published "
                                "folders, their size, the app's memory and the store's size every 10 cycles "
                                "(geo.bench.soak)")
    app_group.add_argument("--cycles", type=int, default=soak.CYCLES, metavar="N",
                           help="cycles with --soak (default: %(default)s)")
    options = parser.parse_args(argv)
    try:
        sizes = [int(size) for text in options.sizes for size in text.split(",") if size.strip()]
    except ValueError:
        parser.error(f"--sizes: {' '.join(options.sizes)!r} is not a list of whole numbers")
    if not sizes or any(size < 1 for size in sizes):
        parser.error("--sizes: every size must be at least 1")
    if options.imports:
        return _benchmark_imports(options.rows, options.database_url or os.environ.get("PANJ_DATABASE_URL"),
                                  options.layers_dir, parser)
    if options.soak:
        return _benchmark_soak(options, parser)
    if options.app:
        return _benchmark_app(list(dict.fromkeys(sizes)), options, parser)
    try:
        result = bench.run(list(dict.fromkeys(sizes)), layers_dir=options.layers_dir, browser_path=options.browser,
                           report=lambda line: print(line, file=sys.stderr))
    except BrowserNotFound as error:  # logged where it is raised
        print(f"panj bench: {error}", file=sys.stderr)
        return EXIT_FAILED
    except bench.BenchError as error:
        return _failed("bench", error, logged="benchmark measurement refused")
    except _data_errors() as error:  # the data's LayerError, EventsError, JoinError, StoreError, DataError
        return _failed("bench", error, logged=f"cannot read the data in {options.layers_dir}",
                       shown=f"cannot read the data: {error}")
    print(bench.format_table(result.records))
    if options.json is not None:
        bench.write_json(result, options.json)
        print(f"records written to {options.json}", file=sys.stderr)
    return EXIT_DONE


def _benchmark_soak(options: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from geo.bench import app as appbench, soak
    from geo.browser import BrowserNotFound

    sessions = soak.SESSIONS if options.sessions is None else options.sessions
    if sessions < 1 or options.cycles < 1:
        parser.error("--sessions and --cycles: must be at least 1")
    try:
        result = soak.run(cycles=options.cycles, sessions=sessions, layers_dir=options.layers_dir,
                          browser_path=options.browser, report=lambda line: print(line, file=sys.stderr))
    except BrowserNotFound as error:  # logged where it is raised
        print(f"panj bench: {error}", file=sys.stderr)
        return EXIT_FAILED
    except (appbench.AppBenchError, appbench.StepFailed) as error:
        return _failed("bench", error, logged="soak benchmark failed")
    print(soak.format_table(result.records))
    if options.json is not None:
        soak.write_json(result, options.json)
        print(f"records written to {options.json}", file=sys.stderr)
    return EXIT_DONE


def _benchmark_app(sizes: list[int], options: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from geo.bench import app as appbench
    from geo.bench.app import SESSIONS
    from geo.browser import BrowserNotFound

    sessions = SESSIONS if options.sessions is None else options.sessions
    if sessions < 1:
        parser.error("--sessions: must be at least 1")
    try:
        result = appbench.run(sizes, sessions=sessions, layers_dir=options.layers_dir,
                              browser_path=options.browser, report=lambda line: print(line, file=sys.stderr))
    except BrowserNotFound as error:  # logged where it is raised
        print(f"panj bench: {error}", file=sys.stderr)
        return EXIT_FAILED
    except (appbench.AppBenchError, *_data_errors()) as error:  # the import or the server failed; unreadable data
        return _failed("bench", error, logged="app benchmark could not start")
    print(appbench.format_table(result.records))
    print(f"\nissue 21's targets:\n{appbench.format_targets(appbench.check_targets(result.records))}")
    if options.json is not None:
        appbench.write_json(result, options.json)
        print(f"records written to {options.json}", file=sys.stderr)
    return EXIT_DONE


def _benchmark_imports(rows: int, database_url: str | None, layers_dir: Path, parser: argparse.ArgumentParser) -> int:
    from geo.bench import imports as importbench

    if rows < 1:
        parser.error("--rows: must be at least 1")
    if database_url and not database_url.startswith(("postgresql://", "postgres://")):
        parser.error(f"--database-url: {database_url!r} is not a postgresql:// address")
    try:
        results = importbench.run(rows, database_url=database_url, layers_dir=layers_dir,
                                  report=lambda line: print(line, file=sys.stderr))
    except _data_errors() as error:  # the store's, and bad data
        return _failed("bench", error, logged="import benchmark failed")
    print(importbench.format_table(results))
    return EXIT_DONE


# --- build ---------------------------------------------------------------------------------------

def build_layers(argv: list[str]) -> int:
    """``panj build``: see --help."""
    # Loads only shapely and pyproj; the build extra's sources are imported as build_layers needs them.
    from geo import build

    parser = _parser(
        "build",
        description="Derive the map layers (layers/*.geojson and the manifest's provenance) from public "
                    "data installed with the build extra (bash scripts/setup.sh build). Needs no network; "
                    "a second run writes byte-identical files.",
        epilog="exit status: 0 written; 1 the build extra is missing or the data cannot be derived;\n"
               "  2 bad option.",
    )
    parser.add_argument("--out", type=Path, default=build.DEFAULT_OUT, metavar="DIR",
                        help="output directory (default: %(default)s)")
    options = parser.parse_args(argv)
    try:
        written = build.build_layers(options.out)
    except ModuleNotFoundError as error:
        return _failed("build", error, logged="build extra missing",
                       shown=f"{error}: install the build extra (bash scripts/setup.sh build)")
    for path in written:
        print(f"{path}  {path.stat().st_size:,} bytes")
    return EXIT_DONE


# --- the command ---------------------------------------------------------------------------------

COMMANDS = {
    "run": Command("start the page (streamlit run app.py); --port N, --editing local|password|off", run_page),
    "events": Command("write the events, joined to the layers, as GeoJSON or CSV", write_events),
    "trends": Command("count events per segment of the frontier and period, with ACLED Trendfinder's change "
                      "levels, as CSV", write_trends),
    "export": Command("render a map view (or scenes) to a PNG, PDF or SVG figure through headless Chromium",
                      export_png),
    "import": Command("import ACLED CSV, GeoJSON or Panj events into the store as a dataset", import_events),
    "datasets": Command("list the store's datasets; --rename OLD NEW, --delete NAME, --trash, --restore NAME, --log",
                        manage_datasets),
    "bench": Command("measure Panj's map against a naive folium map in headless Chromium; --import, --app, "
                     "--soak: imports, the running page, a team's weeks", benchmark),
    "build": Command("derive layers/ from registry data (needs the build extra)", build_layers),
}


def _top_parser() -> argparse.ArgumentParser:
    width = max(map(len, COMMANDS))
    listing = "\n".join(f"  {name:<{width}}  {command.summary}" for name, command in COMMANDS.items())
    parser = argparse.ArgumentParser(
        prog="panj", usage="panj [-h] COMMAND [ARGUMENTS ...]",
        description="Panj: the map of the Tajikistan–Afghanistan frontier and the events one policy "
                    "article reports on it.",
        epilog=f"commands:\n{listing}\n\n"
               "`panj COMMAND --help` describes a command's options.\n"
               "`python -m geo COMMAND ...` is the same as `panj COMMAND ...`.\n\n"
               "exit status: 0 done; 1 bad data or a failure while running; 2 bad usage.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("command", choices=COMMANDS, metavar="COMMAND", help="one of: " + ", ".join(COMMANDS))
    return parser


def _exit_status(code: object) -> int:
    """The status a SystemExit stands for; a message (as `build` raises) is printed and is a failure."""
    if code is None:
        return EXIT_DONE
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return EXIT_FAILED


def main(argv: Sequence[str] | None = None) -> int:
    """``panj``: run the command ``argv`` names (default: the process's arguments); returns the exit status."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    # Failures are logged besides the message for the user; a host that configured logging keeps its own.
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        command = _top_parser().parse_args(arguments[:1]).command
        return COMMANDS[command].run(arguments[1:])
    except SystemExit as stop:  # argparse's --help (0) and usage errors (2)
        return _exit_status(stop.code)
    except Exception as error:  # a bug, not bad data: logged with its traceback for a report
        logger.exception("panj %s failed unexpectedly", arguments[0])
        print(f"panj {arguments[0]}: unexpected {type(error).__name__} (a bug in Panj; the traceback is logged above)",
              file=sys.stderr)
        return EXIT_FAILED
