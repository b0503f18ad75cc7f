"""Command line: ``python -m geo {build,events,export} ...``; ``--help`` on each says more."""

from __future__ import annotations

import argparse
import sys


def _build(argv: list[str]) -> int:
    # Imported here: the build extra's heavy sources are needed by this command only.
    from geo import build

    return build.main(argv)


def _events(argv: list[str]) -> int:
    from geo import cli_events

    return cli_events.main(argv)


def _export(argv: list[str]) -> int:
    from geo import export

    return export.main(argv)


COMMANDS = {
    "build": (_build, "regenerate the derived layers in layers/ from registry data (needs the build extra)"),
    "events": (_events, "write the article events, joined to the layers, as GeoJSON or CSV"),
    "export": (_export, "render a map view to a PNG through headless Chromium"),
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
