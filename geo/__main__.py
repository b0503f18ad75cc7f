"""Command line: ``python -m geo {build,events,export,bench} ...``; ``--help`` on each says more."""

from __future__ import annotations

import argparse
import sys


def _build(argv: list[str]) -> int:
    # Imported here: the build extra's heavy sources are needed by this command only.
    from geo import build

    return build.main(argv)


def _events(argv: list[str]) -> int:
    import json
    from pathlib import Path

    from geo.events import EventsError
    from geo.join import CSV_GEOMETRIES, JoinError, events_to_csv, events_to_geojson, load_joined_events
    from geo.layers import LAYERS_DIR, LayerError

    parser = argparse.ArgumentParser(
        prog="python -m geo events",
        description=(
            "Write every event of layers/events/*.json to standard output, joined to the map layers: "
            "the place's geometry plus derived country, province, GBAO/Wakhan membership, distance to "
            "the frontier and nearest border post."
        ),
    )
    parser.add_argument("--format", choices=("geojson", "csv"), default="geojson",
                        help="GeoJSON FeatureCollection (default) or CSV, one row per event")
    parser.add_argument("--csv-geometry", choices=CSV_GEOMETRIES,
                        help="CSV only: 'wkt' (default) adds each event's own geometry as a wkt column; "
                             "'latlon' keeps only the lon/lat of its representative point")
    parser.add_argument("--layers-dir", type=Path, default=LAYERS_DIR, metavar="DIR",
                        help="layers directory holding manifest.json, vocabularies.json and events/ (default: %(default)s)")
    options = parser.parse_args(argv)
    if options.csv_geometry and options.format != "csv":
        parser.error("--csv-geometry applies to --format csv only")
    try:
        frame = load_joined_events(options.layers_dir)
    except (EventsError, LayerError, JoinError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if options.format == "csv":
        sys.stdout.write(events_to_csv(frame, geometry=options.csv_geometry or "wkt"))
    else:
        json.dump(events_to_geojson(frame), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    return 0


def _export(argv: list[str]) -> int:
    from geo import export

    return export.main(argv)


def _bench(argv: list[str]) -> int:
    from geo import bench

    return bench.main(argv)


COMMANDS = {
    "build": (_build, "regenerate the derived layers in layers/ from registry data (needs the build extra)"),
    "events": (_events, "write the article events, joined to the layers, as GeoJSON or CSV"),
    "export": (_export, "render a map view to a PNG through headless Chromium"),
    "bench": (_bench, "time and size Panj's events layer against a naive folium map"),
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(
        prog="python -m geo",
        description="Panj: map layers and events of the Tajikistan-Afghanistan frontier.",
        epilog="Commands: " + "; ".join(f"{name}: {text}" for name, (_, text) in COMMANDS.items()),
    )
    parser.add_argument("command", choices=COMMANDS, help="what to do; add --help after it for its options")
    parser.add_argument("args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    options = parser.parse_args(argv[:1])
    handler, _ = COMMANDS[options.command]
    return handler(argv[1:])


if __name__ == "__main__":
    sys.exit(main())
