"""Other people's events read into Panj's event model: ACLED's CSV export, UCDP's GED and
Candidate CSV, GeoJSON FeatureCollections and Panj's own events format (a second article's file).

Every row becomes an entry of Panj's events format and passes through the same validation as the
article's events (``geo.events.parse_event``), after the checks only a file from outside needs
(columns, date forms, coordinates, encoding, size). ``read_file`` returns everything at once: the
accepted events, and every rejected row with its field and reason, so nothing is half imported
(docs/ARCHITECTURE.md, "Imports and the store").
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import json
import math
import os
import re
import tempfile
import unicodedata
from array import array
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import pyproj
import shapely
from shapely.geometry import shape

from geo.aliases import ALIASES_NAME, fold, load_aliases
from geo.events import (
    EVENT_OPTIONAL,
    EVENT_REQUIRED,
    SYMBOLS,
    Citation,
    Event,
    EventsError,
    PartialDate,
    Term,
    Vocabulary,
    load_documents,
    load_vocabulary,
    parse_event,
)
from geo.join import FORMULA_STARTS
from geo.layers import ID_PATTERN, LAYERS_DIR, Layer, feature_refs, load_layers
from geo.problems import Problem, ProblemsError, read_json

FORMATS = ("acled", "ucdp", "geojson", "panj")
# What one numbered unit of each format is called in a report: "row 12", "feature 3", "event 2".
UNIT = {"acled": "row", "ucdp": "row", "geojson": "feature", "panj": "event"}
DEFAULT_MAX_BYTES = 200 * 1024 * 1024
MAX_MB_ENV = "PANJ_IMPORT_MAX_MB"  # the size limit in megabytes, when set
ACLED_MAPPING_NAME = "import-acled.json"
UCDP_MAPPING_NAME = "import-ucdp.json"

ACLED_REQUIRED = (
    "event_id_cnty", "event_date", "time_precision", "event_type", "actor1", "latitude", "longitude",
    "geo_precision", "source", "notes",
)
# Today's export's other columns, and those of older exports (ACLED removed data_id,
# event_id_no_cnty and iso3 in March 2023; exports before 2019 had ally_actor_* and gwno).
ACLED_OPTIONAL = (
    "year", "disorder_type", "sub_event_type", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2",
    "inter2", "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2",
    "admin3", "location", "source_scale", "fatalities", "tags", "timestamp",
    "data_id", "event_id_no_cnty", "iso3", "gwno", "ally_actor_1", "ally_actor_2",
)
_OLD_ACLED_NAMES = {"ally_actor_1": "assoc_actor_1", "ally_actor_2": "assoc_actor_2"}
# Cells the event itself holds (summary, citation, place, date): not repeated as properties.
_ACLED_HELD = ("notes", "source", "latitude", "longitude", "event_date")
# The forms ACLED has written event_date in: the API's ISO date, the web export's "18 May 2022",
# and the older exports' day-first forms.
ACLED_DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d %b %Y", "%d-%B-%Y", "%d-%b-%Y", "%d-%m-%Y", "%d/%m/%Y")
# ACLED's geo_precision as Panj's location precision: 1 the place itself (a town's point), 2 near
# it, 3 a provincial capital standing for the province (the event becomes the province's).
ACLED_LOCATION_PRECISION = {"1": "locality", "2": "district", "3": "province"}
WEEK_HALF_SPAN_DAYS = 3  # time_precision 2: the week around ACLED's day, as a 7-day span
# What each source's date precision says of an accepted row's dates, as the report tells it (a
# week-precise ACLED date is not a day's, though it is written as one).
DATE_MEANINGS = {
    "time_precision": {"1": "known to the day", "2": "within a week of ACLED's date: stored as the seven days around it",
                       "3": "known to the month"},
    "date_prec": {"1": "known to the day", "2": "some time in the two to six days from date_start to date_end",
                  "3": "some time in the week from date_start to date_end", "4": "known to the month",
                  "5": "known to the year"},
}
ACLED_PUBLISHER = "ACLED (Armed Conflict Location & Event Data)"
# What the page calls a source's date precision where the dates alone do not say it: a week-precise
# ACLED date is stored as seven days, a UCDP date known to some days or a week as its span, and
# neither is a day's (geo.store.joined_events writes these into the joined date_precision).
SOURCE_DATE_PRECISIONS = {"time_precision": {"2": "week"}, "date_prec": {"2": "days", "3": "week"}}

# Which to believe when a row's own country or admin1 names another area than the one its point
# falls in: "point" keeps the row where its point falls, "row" places it on the admin1 area it names.
TRUST_CHOICES = ("point", "row")
# How a row of a coordinates file came to stand where it does (Imported.placements), as the report
# counts them.
PLACEMENTS = {
    "point": "where the point falls",
    "disputed": "where the point falls although the row's own country or admin1 names another area "
                "(trusting the point)",
    "admin1": "on the admin1 area the row names, the row being known only to its province",
    "row": "on the admin1 area the row names rather than where its point falls (trusting the row)",
    "unmatched": "where the point falls, the row's admin1 naming no area it can stand on",
}

# The 49 columns of UCDP's GED and Candidate CSV files in their published order (UCDP GED Codebook,
# versions 23.1 and 24.1; docs/ARCHITECTURE.md, "Formats"): a Candidate file without a header row
# is read by this order.
UCDP_COLUMNS = (
    "id", "relid", "year", "active_year", "code_status", "type_of_violence", "conflict_dset_id",
    "conflict_new_id", "conflict_name", "dyad_dset_id", "dyad_new_id", "dyad_name", "side_a_dset_id",
    "side_a_new_id", "side_a", "side_b_dset_id", "side_b_new_id", "side_b", "number_of_sources",
    "source_article", "source_office", "source_date", "source_headline", "source_original", "where_prec",
    "where_coordinates", "where_description", "adm_1", "adm_2", "latitude", "longitude", "geom_wkt",
    "priogrid_gid", "country", "country_id", "region", "event_clarity", "date_prec", "date_start", "date_end",
    "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown", "best", "high", "low", "gwnoa", "gwnob",
)
UCDP_REQUIRED = (
    "id", "type_of_violence", "side_a", "side_b", "source_article", "where_prec", "latitude", "longitude",
    "date_prec", "date_start", "date_end", "best", "high", "low",
)
# Cells the event itself holds (place, dates, fatalities, citation), and geom_wkt, the point again.
_UCDP_HELD = ("latitude", "longitude", "geom_wkt", "date_start", "date_end", "best", "high", "low", "source_article")
# where_prec as Panj's location precision (the codebook's meaning of each code in
# docs/ARCHITECTURE.md): 1 the place's own point, 2 a limited area around it, 3 a second-order
# division (district), 4 a first-order division (province: the event becomes the province's), 5 an
# area between a province and the country, 6 the country, 7 water or international airspace.
UCDP_LOCATION_PRECISION = {"1": "locality", "2": "district", "3": "district", "4": "province", "5": "region",
                           "6": "country", "7": "region"}
# date_prec as the form Panj writes the span's dates in: 1 the day, 2 two to six days and 3 a week
# (both spans of days), 4 a month, 5 a year.
UCDP_DATE_FORM = {"1": "day", "2": "day", "3": "day", "4": "month", "5": "year"}
_DATE_FORM_LENGTH = {"day": 10, "month": 7, "year": 4}  # of an ISO date cut to that precision
UCDP_VIOLENCE = {"1": "State-based conflict", "2": "Non-state conflict", "3": "One-sided violence"}
UCDP_PUBLISHER = "UCDP (Uppsala Conflict Data Program)"
PUBLISHERS = {"acled": ACLED_PUBLISHER, "ucdp": UCDP_PUBLISHER}
# date_start and date_end as UCDP writes them: a date, in the GED's CSV with a time of midnight.
_UCDP_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")

PLACE_GEOMETRIES = ("Point", "Polygon", "MultiPolygon")
CSV_SUFFIXES = (".csv", ".txt", ".tsv")
_BLOCK_BYTES = 4 * 1024 * 1024  # how much of a file is read at a time
_CHUNK_ROWS = 20_000  # CSV rows checked together, column by column
_PANJ_FIELDS = frozenset(EVENT_REQUIRED) | frozenset(EVENT_OPTIONAL)
_GEOD = pyproj.Geod(ellps="WGS84")
# Words a file's first-level division may end in that the provinces layer's names lack ("Badakhshan province").
_AREA_WORDS = re.compile(r"\s+(province|region|oblast|viloyat|velayat|wilayat)$", re.IGNORECASE)
_NON_ID = re.compile(r"[^a-z0-9]+")


class ImportFileError(ProblemsError):
    """A file cannot be imported; ``problems`` holds every problem found (file, row, field, reason)."""

    subject = "the imported file"


class MappingError(ProblemsError):
    """``layers/import-acled.json`` or ``layers/import-ucdp.json`` failed validation."""

    subject = "an import mapping"


# --- results -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReportLine:
    """One line of an import's report: a row accepted, or one problem of a row (or of the file)."""

    row: int | None  # the format's numbered unit (UNIT); None for the whole file
    outcome: str  # "accepted", "rejected" (the row is not imported) or "flagged" (imported, look again)
    event_id: str | None
    field: str | None
    reason: str


@dataclass(frozen=True, slots=True)  # no dict per place: an import may hold a million
class Place:
    """A place the file itself gives (coordinates, a GeoJSON geometry): a feature of the dataset's
    own places layer, referenced as ``<places_layer_id(dataset)>:<id>``."""

    id: str
    name: str
    geometry: shapely.Geometry


@dataclass(frozen=True, slots=True)  # no dict per row: an import may hold a million
class ImportedEvent:
    row: int
    entry: dict[str, Any]  # the event in Panj's events format, as validated
    event: Event
    properties: dict[str, Any]  # the rest of the row, kept as the file gave it (fatalities as a number)


@dataclass
class Imported:
    """What a file holds, read and validated, before anything is stored."""

    path: Path
    format: str
    dataset_id: str
    document: dict[str, Any]  # the dataset's document block, in Panj's events format
    sha256: str = ""  # of the file's bytes: tells a changed file from the one stored
    events: list[ImportedEvent] = field(default_factory=list)
    places: dict[str, Place] = field(default_factory=dict)
    actors: dict[str, Term] = field(default_factory=dict)  # the dataset's own actor terms
    lines: list[ReportLine] = field(default_factory=list)  # rejected and flagged, in file order
    placements: dict[str, int] = field(default_factory=dict)  # PLACEMENTS key -> accepted rows it placed
    # Accepted rows already handed to read_file's sink (and so no longer in ``events``): only what
    # their report lines say, in file order; the ids are the reader's own strings, the date
    # meanings shared ones, so a row costs a few pointers here (docs/performance.md, "Imports at scale").
    sunk_rows: array[int] = field(default_factory=lambda: array("q"))
    sunk_ids: list[str] = field(default_factory=list)
    sunk_meanings: list[tuple[str | None, str]] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        """How many rows were accepted: those handed to a sink and those in ``events``."""
        return len(self.sunk_rows) + len(self.events)

    @property
    def rejected(self) -> list[ReportLine]:
        return [line for line in self.lines if line.outcome == "rejected"]

    @property
    def flagged(self) -> list[ReportLine]:
        return [line for line in self.lines if line.outcome == "flagged"]

    @property
    def ok(self) -> bool:
        """True when every row is accepted: only then may the dataset be stored."""
        return bool(self.accepted) and not self.rejected

    def placement_text(self) -> str:
        """How many accepted rows each rule placed ("" for a file whose rows name their places):
        "Rows placed where the point falls: 3; on the admin1 area the row names, ...: 1."."""
        parts = [f"{text}: {self.placements[rule]}" for rule, text in PLACEMENTS.items() if self.placements.get(rule)]
        return f"Rows placed {'; '.join(parts)}." if parts else ""

    def problems(self) -> list[Problem]:
        """The rejections as validation problems (file, item, field, reason)."""
        return [Problem(self.path, self.item(line.row, line.event_id), line.field, line.reason) for line in self.rejected]

    def item(self, row: int | None, event_id: str | None = None) -> str:
        """How a problem names its place: a Panj event by its id (as the events loader does),
        anything else by its row or feature number."""
        if row is None:
            return "file"
        if event_id and self.format == "panj":
            return f"event {event_id!r}"
        return f"{UNIT[self.format]} {row}"

    def report_csv(self) -> str:
        """The report as CSV: every accepted row (with what its source's date precision means, when
        it gives one) and every problem, in row order, spreadsheet-safe (cells starting like a
        formula get an apostrophe, as geo.join.events_to_csv does); then, without a row, how many
        rows each rule placed (outcome ``placed``, the PLACEMENTS rule as the field)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([UNIT[self.format], "outcome", "event_id", "field", "reason"])
        accepted = [(row, "accepted", event_id, *meaning)
                    for row, event_id, meaning in zip(self.sunk_rows, self.sunk_ids, self.sunk_meanings, strict=True)]
        accepted += [(event.row, "accepted", event.entry["id"], *_date_meaning(event.properties))
                     for event in self.events]
        lines = [(line.row, line.outcome, line.event_id, line.field, line.reason) for line in self.lines]
        for row, outcome, *texts in sorted(accepted + lines, key=lambda line: (line[0] or 0, line[1] != "accepted")):
            writer.writerow(["" if row is None else row, outcome, *(_inert(text or "") for text in texts)])
        for rule, text in PLACEMENTS.items():
            if self.placements.get(rule):
                writer.writerow(["", "placed", "", rule, f"{self.placements[rule]} {text}"])
        return out.getvalue()


@dataclass(frozen=True)
class Existing:
    """What a store already holds that an import must not repeat."""

    event_ids: Mapping[str, str] = field(default_factory=dict)  # event id -> dataset name
    documents: Mapping[str, str] = field(default_factory=dict)  # document id -> dataset name
    datasets: Mapping[str, str] = field(default_factory=dict)  # dataset id -> dataset name


def _date_meaning(properties: Mapping[str, Any]) -> tuple[str | None, str]:
    """The row's date precision column and what its value means (DATE_MEANINGS); (None, "") when
    the row gives none."""
    for column, meanings in DATE_MEANINGS.items():
        value = str(properties.get(column, ""))
        if value in meanings:
            return column, f"{column} {value}: {meanings[value]}"
    return None, ""


def source_date_precision(properties: Mapping[str, Any]) -> str | None:
    """The date precision a row's source gives that its stored dates cannot show
    (SOURCE_DATE_PRECISIONS: "week", "days"); None when its dates say it themselves."""
    for column, precisions in SOURCE_DATE_PRECISIONS.items():
        precision = precisions.get(str(properties.get(column, "")))
        if precision is not None:
            return precision
    return None


def dataset_id(name: str) -> str:
    """The id a dataset name gives (lower-case ASCII letters, digits, hyphens); ValueError when none."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    slug = _NON_ID.sub("-", ascii_name).strip("-")
    if not slug:
        raise ValueError(f"dataset name {name!r} must hold a letter or a digit")
    return slug


def places_layer_id(dataset: str) -> str:
    """The layer id of a dataset's own places."""
    return f"imported-{dataset}"


def default_max_bytes() -> int:
    """The size limit: ``PANJ_IMPORT_MAX_MB`` megabytes when set, else 200 MB."""
    text = os.environ.get(MAX_MB_ENV)
    if text is None:
        return DEFAULT_MAX_BYTES
    try:
        megabytes = float(text)
    except ValueError:
        raise ValueError(f"{MAX_MB_ENV}={text!r} is not a number of megabytes") from None
    if not megabytes > 0:
        raise ValueError(f"{MAX_MB_ENV}={text!r} must be more than 0")
    return int(megabytes * 1024 * 1024)


# --- the import mappings -------------------------------------------------------------------------

@dataclass(frozen=True)
class AcledMapping:
    """``layers/import-acled.json``: ACLED actor names and event types onto Panj's vocabulary; or
    ``layers/import-ucdp.json``: UCDP's side names and ``type_of_violence`` codes (as text, with no
    sub-type)."""

    actors: tuple[tuple[re.Pattern[str], str], ...]
    event_types: tuple[tuple[str, str | None, str], ...]  # (the source's type, sub-type or None, Panj id)
    imported_colour: str
    imported_symbol: str

    def actor(self, name: str) -> str | None:
        return next((actor for pattern, actor in self.actors if pattern.search(name)), None)

    def event_type(self, event_type: str, sub_event_type: str) -> str | None:
        return next((panj for acled, sub, panj in self.event_types
                     if acled.casefold() == event_type.casefold() and sub in (None, sub_event_type)), None)


def load_acled_mapping(layers_dir: Path, vocabulary: Vocabulary) -> AcledMapping:
    """Read and check the ACLED mapping against the vocabulary; MappingError lists every problem."""
    return _load_mapping(Path(layers_dir) / ACLED_MAPPING_NAME, vocabulary, "acled_event_type")


def load_ucdp_mapping(layers_dir: Path, vocabulary: Vocabulary) -> AcledMapping:
    """Read and check the UCDP mapping against the vocabulary; MappingError lists every problem."""
    return _load_mapping(Path(layers_dir) / UCDP_MAPPING_NAME, vocabulary, "type_of_violence")


def _load_mapping(path: Path, vocabulary: Vocabulary, source_type: str) -> AcledMapping:
    """A mapping file whose event types name the source's type in ``source_type``."""
    problems: list[Problem] = []
    raw = read_json(path, problems)
    if raw is None:
        raise MappingError(problems)

    def bad(item: str, field_name: str | None, reason: str) -> None:
        problems.append(Problem(path, item, field_name, reason))

    actors = []
    for number, entry in enumerate(raw.get("actors", []), start=1):
        try:
            pattern = re.compile(entry["pattern"], re.IGNORECASE)
        except (re.error, KeyError, TypeError) as error:
            bad(f"actor #{number}", "pattern", f"not a regular expression: {error}")
            continue
        if entry.get("actor") not in vocabulary.actors:
            bad(f"actor #{number}", "actor", f"unknown actor {entry.get('actor')!r}")
            continue
        actors.append((pattern, entry["actor"]))
    event_types = []
    for number, entry in enumerate(raw.get("event_types", []), start=1):
        if entry.get("event_type") not in vocabulary.event_types:
            bad(f"event type #{number}", "event_type", f"unknown event type {entry.get('event_type')!r}")
        elif source_type == "type_of_violence" and entry.get(source_type) not in (1, 2, 3):
            bad(f"event type #{number}", source_type, "must be UCDP's type of violence: 1, 2 or 3")
        elif source_type == "acled_event_type" and not isinstance(entry.get(source_type), str):
            bad(f"event type #{number}", source_type, "must be ACLED's event type")
        else:
            event_types.append((str(entry[source_type]), entry.get("acled_sub_event_type"), entry["event_type"]))
    style = raw.get("imported_actor", {})
    if style.get("symbol") not in SYMBOLS or not re.fullmatch(r"#[0-9a-fA-F]{6}", str(style.get("colour"))):
        bad("imported_actor", None, f"needs a colour like #8c8c8c and a symbol, one of {', '.join(SYMBOLS)}")
    if problems:
        raise MappingError(problems)
    return AcledMapping(tuple(actors), tuple(event_types), style["colour"].lower(), style["symbol"])


# --- reading a file ------------------------------------------------------------------------------

def detect_format(path: Path, text: str) -> str:
    """For a .csv file, ``ucdp`` when ``text`` (the file's text, or its first line) starts with
    UCDP's header or a row in UCDP's layout, else ``acled``; for JSON, ``geojson`` when it is a
    FeatureCollection, else ``panj``."""
    if path.suffix.lower() in CSV_SUFFIXES:
        first_line = text.split("\n", 1)[0]
        return "ucdp" if _ucdp_layout(first_line, max(",;\t", key=first_line.count)) else "acled"
    return "geojson" if re.match(r'\s*\{[^{]*"type"\s*:\s*"FeatureCollection"', text) else "panj"


def read_file(
    path: Path, *, dataset_name: str, file_format: str | None = None, layers_dir: Path = LAYERS_DIR,
    max_bytes: int | None = None, existing: Existing | None = None, dataset_key: str | None = None,
    trust: str = "point", sink: Callable[[list[ImportedEvent], list[Place]], None] | None = None,
) -> Imported:
    """Read ``path`` as ``file_format`` (guessed from the file when None) into a dataset called
    ``dataset_name``, checking every row against the event model and the layers of
    ``layers_dir``. File-wide problems (size, encoding, no rows, missing columns) come back as
    rejected lines without a row. ``existing`` names event and document ids a store holds.
    ``dataset_key`` is the dataset's id when it is not the one its name gives (an update of a
    renamed dataset keeps the id it was imported with). ``trust`` (one of TRUST_CHOICES) says where a
    row whose own country or admin1 names another area than its point falls in stands: "point"
    where its point falls, "row" on the admin1 area it names; a row known only to its province
    (ACLED's geo_precision 3, UCDP's where_prec 4) stands on the admin1 area it names either way.

    With ``sink``, the accepted rows and the places they add are handed to it a chunk at a time
    (``_CHUNK_ROWS``, in file order) as they are read, and leave the result: its ``events`` and
    ``places`` come back empty and only the accepted rows' report lines are kept (``sunk_rows``);
    ``Store.import_file`` streams a file into its transaction so."""
    if trust not in TRUST_CHOICES:
        raise ValueError(f"trust must be one of {', '.join(TRUST_CHOICES)}, not {trust!r}")
    path = Path(path)
    layers = load_layers(layers_dir)
    vocabulary = load_vocabulary(layers_dir)
    reader = _Reader(path, dataset_key or dataset_id(dataset_name), dataset_name, layers, vocabulary,
                     existing or Existing(), load_aliases(feature_refs(layers), layers_dir), trust, sink)
    limit = max_bytes if max_bytes is not None else default_max_bytes()
    text = None
    if file_format in ("acled", "ucdp") or file_format is None and path.suffix.lower() in CSV_SUFFIXES:
        # A CSV export is read a block at a time, never whole: only the chunk being checked is held as text.
        readable = reader.check(limit)
        if file_format is None and readable:
            with path.open(encoding=reader.encoding, newline="") as stream:
                file_format = detect_format(path, _first_line(stream))
        file_format = file_format or "acled"
    else:
        text = reader.text(limit)
        readable = text is not None
        file_format = file_format or (detect_format(path, text) if text is not None else "acled")
    if file_format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {file_format!r}")
    imported = reader.result(file_format)
    if readable:
        if file_format == "acled":
            with path.open(encoding=reader.encoding, newline="") as stream:
                reader.read_acled(stream, load_acled_mapping(layers_dir, vocabulary))
        elif file_format == "ucdp":
            with path.open(encoding=reader.encoding, newline="") as stream:
                reader.read_ucdp(stream, load_ucdp_mapping(layers_dir, vocabulary))
        elif file_format == "geojson":
            reader.read_geojson(text, load_acled_mapping(layers_dir, vocabulary))
        else:
            reader.read_panj(text)
    reader.flush()
    imported.lines.sort(key=lambda line: line.row or 0)
    return imported


NOT_A_COLLECTION = 'expected a GeoJSON FeatureCollection: {"type": "FeatureCollection", "features": [...]}'
_JSON_SPACE = re.compile(r"[ \t\n\r]*")  # what JSON allows between tokens


class NotStreamable(ValueError):
    """A GeoJSON text ``feature_chunks`` cannot read a feature at a time: its message says why."""


def feature_chunks(text: str, size: int) -> Iterator[list[Any]]:
    """The features of the GeoJSON FeatureCollection ``text``, ``size`` at a time, each decoded as
    ``json.loads`` decodes it, without decoding the whole collection at once. Its top-level
    object's members are read in order; the features are streamed only when a "type" of
    "FeatureCollection" came before them. json.JSONDecodeError where the text stops being JSON
    (``json.loads`` says where); NotStreamable before any chunk when the text is no object, its
    "type" does not come first or its features are no non-empty array (``json.loads`` then decodes
    it whole, to refuse it as before), and after chunks when a later member names another type or
    features again."""
    decoder, space = json.JSONDecoder(), _JSON_SPACE.match
    at = space(text, 0).end()
    if text[at:at + 1] != "{":
        raise NotStreamable(NOT_A_COLLECTION)
    at = space(text, at + 1).end()
    typed = streamed = False
    while True:
        if text[at:at + 1] != '"':
            if streamed:
                raise json.JSONDecodeError("Expecting property name enclosed in double quotes", text, at)
            raise NotStreamable(NOT_A_COLLECTION)
        key, at = decoder.raw_decode(text, at)
        at = space(text, at).end()
        if text[at:at + 1] != ":":
            raise json.JSONDecodeError("Expecting ':' delimiter", text, at)
        at = space(text, at + 1).end()
        if key == "features" and typed and not streamed:
            first = space(text, at + 1).end()
            if text[at:at + 1] != "[" or text[first:first + 1] == "]":
                raise NotStreamable(NOT_A_COLLECTION)
            at, chunk = first, []
            while True:
                feature, at = decoder.raw_decode(text, at)
                chunk.append(feature)
                if len(chunk) == size:
                    yield chunk
                    chunk = []
                at = space(text, at).end()
                if text[at:at + 1] == "]":
                    at += 1
                    break
                if text[at:at + 1] != ",":
                    raise json.JSONDecodeError("Expecting ',' delimiter", text, at)
                at = space(text, at + 1).end()
            if chunk:
                yield chunk
            streamed = True
        elif key == "features":  # before the type (decoded whole), or a second time
            raise NotStreamable("the collection names its features twice: decoded whole, only the last would "
                                "count, and the first were read") if streamed else NotStreamable(NOT_A_COLLECTION)
        else:
            value, at = decoder.raw_decode(text, at)
            if key == "type" and value != "FeatureCollection":
                raise NotStreamable(NOT_A_COLLECTION)
            typed = typed or key == "type"
        at = space(text, at).end()
        if text[at:at + 1] == "}":
            break
        if text[at:at + 1] != ",":
            raise json.JSONDecodeError("Expecting ',' delimiter", text, at)
        at = space(text, at + 1).end()
    if not streamed:
        raise NotStreamable(NOT_A_COLLECTION)
    at = space(text, at + 1).end()
    if at != len(text):
        raise json.JSONDecodeError("Extra data", text, at)


class _Reader:
    """One file being read; collects events, places, the dataset's own actors and report lines."""

    def __init__(self, path: Path, dataset: str, name: str, layers: dict[str, Layer], vocabulary: Vocabulary,
                 existing: Existing, aliases: Mapping[str, tuple[str, ...]], trust: str,
                 sink: Callable[[list[ImportedEvent], list[Place]], None] | None = None):
        self.path, self.dataset, self.name, self.layers, self.existing = path, dataset, name, layers, existing
        self.trust = trust
        self.sink = sink
        self.place_ids: set[str] = set()  # every place id given, those handed to the sink too
        self.meanings: dict[tuple[str | None, str], tuple[str | None, str]] = {}  # one tuple per distinct meaning
        self.base_vocabulary = vocabulary
        # What the rows are checked against: the layers' and the vocabulary's, plus the dataset's own
        # places and actors as they are found.
        self.known = Vocabulary(dict(vocabulary.actors), vocabulary.event_types)
        self.place_refs = feature_refs(layers)
        self.places_layer = places_layer_id(dataset)
        self.imported: Imported | None = None
        self.early: list[ReportLine] = []
        self.sha256 = ""
        self.encoding = "utf-8-sig"  # or UTF-16's, found by check()
        self.seen_ids: dict[str, int] = {}
        self.place_of: dict[tuple[str, bytes], str] = {}  # (name, WKB) -> place id: one place for both
        self.place_count: dict[str, int] = {}  # places whose id starts from a name's id
        # What a file repeats, worked out once per value: these live as long as the one read and
        # hold at most one entry per distinct cell of a file within the size limit.
        self.place_base: dict[str, str] = {}  # place name -> the id its places start from
        self.actor_of: dict[str, str] = {}  # actor name -> actor id
        self.date_forms: dict[tuple[str, str], tuple[dict[str, str], PartialDate, PartialDate | None] | None] = {}
        self.type_of: dict[tuple[str, str], str | None] = {}
        self.numbers: dict[str, int | object] = {}
        region = shapely.union_all(layers["countries"].frame.geometry.to_numpy())
        shapely.prepare(region)
        self.region = region
        provinces = layers["provinces"].frame
        self.provinces = shapely.STRtree(provinces.geometry.to_numpy())
        self.province_ids = provinces.index.to_list()
        countries = layers["countries"].frame
        self.countries = shapely.STRtree(countries.geometry.to_numpy())
        self.country_ids = countries.index.to_list()
        # Prepared, each point is tested against the few areas whose boxes hold it far faster than
        # the tree's own predicate, which prepares the points instead (see holding()).
        self.area_geometries = {"countries": countries.geometry.to_numpy(), "provinces": provinces.geometry.to_numpy()}
        for geometries in self.area_geometries.values():
            shapely.prepare(geometries)
        # What a row's own country and first-level division may be called (names and aliases, folded)
        # -> the feature, and each feature's name: to tell a row that names another area than its
        # point falls in.
        self.area_name = {f"{layer}:{feature}": str(name) for layer in ("countries", "provinces")
                          for feature, name in layers[layer].frame["name"].items()}
        self.area_of: dict[str, dict[str, str]] = {layer: {} for layer in ("countries", "provinces")}
        for ref, name in self.area_name.items():
            layer = ref.split(":", 1)[0]
            for spelling in (name, *aliases.get(ref, ())):
                self.area_of[layer].setdefault(fold(spelling), ref)
        self.area_named: dict[tuple[str, str], str | None] = {}  # (layer, cell) -> feature: one per distinct cell
        # The country each province lies in, by the countries holding a point inside it (a few dozen
        # areas): a row's admin1 counts only when it is a province of the country the row names.
        inside = shapely.point_on_surface(provinces.geometry.to_numpy())
        province_index, country_index = self.holding(self.countries, "countries", inside)
        self.country_of_province = {f"provinces:{self.province_ids[province]}": f"countries:{self.country_ids[country]}"
                                    for province, country in zip(province_index, country_index, strict=True)}
        self.frontier_local: shapely.Geometry | None = None  # made at the first row flagged

    # -- shared steps --

    def check(self, max_bytes: int) -> bool:
        """Whether the file can be read (size, UTF-8 or UTF-16 with its byte order mark, not blank),
        taking its SHA-256 and its encoding on the way; a block at a time, so a large file is never
        held whole. False after recording why not."""
        def refuse(reason: str) -> bool:
            self.early.append(ReportLine(None, "rejected", None, None, reason))
            return False
        try:
            size = self.path.stat().st_size
        except OSError as error:
            return refuse(f"cannot read the file: {error.strerror}")
        if size > max_bytes:
            return refuse(f"the file is {size / 1024 / 1024:,.1f} MB, over the import limit of "
                          f"{max_bytes / 1024 / 1024:,.1f} MB (set {MAX_MB_ENV} or --max-size to change it)")
        digest = hashlib.sha256()
        try:
            self.encoding = _encoding(self.path)
        except OSError as error:
            return refuse(f"cannot read the file: {error.strerror}")
        decoder = codecs.getincrementaldecoder(self.encoding)()
        blank = True
        try:
            with self.path.open("rb") as stream:
                while block := stream.read(_BLOCK_BYTES):
                    digest.update(block)
                    text = decoder.decode(block)
                    blank = blank and not text.strip()
                blank = blank and not decoder.decode(b"", final=True).strip()
        except UnicodeDecodeError as error:
            if self.encoding == "utf-16":
                return refuse(f"not UTF-16 although it starts as UTF-16 text does: {error.reason}; save the file "
                              "as UTF-8")
            # Rare: read it whole once more to say at which line the bad byte is.
            data = self.path.read_bytes()
            try:
                data.decode("utf-8-sig")
            except UnicodeDecodeError as error:
                # The decoder counts from after a byte order mark; the message counts the file's bytes.
                start = error.start + (len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0)
                line = data[:start].count(b"\n") + 1
                return refuse(f"not UTF-8: byte 0x{data[start]:02x} at line {line} (byte {start + 1}); "
                              "save the file as UTF-8")
            return refuse("the file changed while it was read: import it again")
        self.sha256 = digest.hexdigest()
        return not blank or refuse("the file is empty")

    def text(self, max_bytes: int) -> str | None:
        """The file's text, or None after recording why it cannot be read."""
        return self.path.read_bytes().decode(self.encoding) if self.check(max_bytes) else None

    def result(self, file_format: str) -> Imported:
        publisher = PUBLISHERS.get(file_format, f"Imported from {self.path.name}")
        document = {"id": self.dataset, "title": self.name, "publisher": publisher,
                    "date": dt.date.today().isoformat(),
                    "notes": [f"Imported from {self.path.name}; a citation's paragraph is the "
                              f"{UNIT[file_format]} number in that file."]}
        self.imported = Imported(self.path, file_format, self.dataset, document, self.sha256, lines=list(self.early))
        if self.dataset in self.existing.datasets:
            self.refuse(None, None, f"the dataset name gives the id {self.dataset!r}, already dataset "
                                    f"{self.existing.datasets[self.dataset]!r}: choose another name")
        elif file_format != "panj" and self.dataset in self.existing.documents:
            self.refuse(None, None, f"the dataset name gives the id {self.dataset!r}, already a document of "
                                    f"dataset {self.existing.documents[self.dataset]!r}: choose another name")
        return self.imported

    def flush(self) -> None:
        """Hand the accepted rows and new places read since the last flush to the sink, keeping
        only the rows' report lines; nothing without a sink."""
        imported = self.imported
        if self.sink is None or imported is None or not (imported.events or imported.places):
            return
        self.sink(imported.events, list(imported.places.values()))
        for event in imported.events:
            imported.sunk_rows.append(event.row)
            imported.sunk_ids.append(event.event.id)
            meaning = _date_meaning(event.properties)
            imported.sunk_meanings.append(self.meanings.setdefault(meaning, meaning))
        imported.events = []
        imported.places = {}

    def refuse(self, row: int | None, field_name: str | None, reason: str, event_id: str | None = None) -> None:
        assert self.imported is not None
        self.imported.lines.append(ReportLine(row, "rejected", event_id, field_name, reason))

    def flag(self, row: int | None, field_name: str | None, reason: str, event_id: str | None = None) -> None:
        assert self.imported is not None
        self.imported.lines.append(ReportLine(row, "flagged", event_id, field_name, reason))

    def add_place(self, name: str, geometry: shapely.Geometry, wkb: bytes | None = None) -> str:
        """The reference of the dataset's place at ``geometry`` (its WKB ``wkb`` when already
        known) called ``name`` (one per both)."""
        assert self.imported is not None
        key = (name, geometry.wkb if wkb is None else wkb)
        if key in self.place_of:
            return f"{self.places_layer}:{self.place_of[key]}"
        if name not in self.place_base:
            self.place_base[name] = dataset_id(name) if _NON_ID.sub("", name.lower()) else "place"
        base = self.place_base[name]
        self.place_count[base] = self.place_count.get(base, 0) + 1
        place_id = base if self.place_count[base] == 1 else f"{base}-{self.place_count[base]}"
        while place_id in self.place_ids:  # a name ending in a number may take another's id
            place_id += "-2"
        self.place_ids.add(place_id)
        self.place_of[key] = place_id
        self.imported.places[place_id] = Place(place_id, name, geometry)
        ref = f"{self.places_layer}:{place_id}"
        self.place_refs.add(ref)
        return ref

    def actor_id(self, name: str, mapping: AcledMapping, row: int) -> str:
        """A vocabulary id as it is; else the mapping's actor for the name; else the dataset's own
        term, flagged at ``row``, the first that names it."""
        assert self.imported is not None
        name = name.strip()
        if name in self.actor_of:
            return self.actor_of[name]
        if name in self.base_vocabulary.actors:
            return name
        mapped = mapping.actor(name)
        if mapped is not None:
            self.actor_of[name] = mapped
            return mapped
        term_id = dataset_id(name) if _NON_ID.sub("", name.lower()) else "actor"
        while term_id in self.base_vocabulary.actors or term_id in self.imported.actors or term_id == "all":
            term_id += "-imported"
        self.imported.actors[term_id] = self.known.actors[term_id] = Term(
            term_id, name, mapping.imported_colour, mapping.imported_symbol)
        self.flag(row, "actors", f"actor {name!r} is not in the vocabulary and no mapping pattern matches it: "
                                  f"kept as the dataset's own actor {term_id!r}")
        self.actor_of[name] = term_id
        return term_id

    def check_point(self, row: int, lon: float, lat: float, event_id: str) -> bool:
        """False after refusing a point that cannot be right; flags one outside the region."""
        point = shapely.Point(lon, lat)
        if self.region.covers(point):
            return True
        if -90 <= lon <= 90 and self.region.covers(shapely.Point(lat, lon)):
            self.refuse(row, "latitude", f"latitude {lat} and longitude {lon} look swapped: ({lat}, {lon}) "
                                         "would fall in the region", event_id)
            return False
        self.flag(row, "latitude", f"({lat}, {lon}) falls outside the region's countries "
                                   "(in the sea, or another country)", event_id)
        return True

    def accept(self, row: int, entry: dict[str, Any], properties: dict[str, Any], document_id: str) -> bool:
        """Validate ``entry`` as the article's events are; keep it (True) or refuse it with every reason."""
        assert self.imported is not None
        event_id = entry.get("id")
        if isinstance(event_id, str):
            if event_id in self.seen_ids:
                self.refuse(row, "id", f"duplicate event id {event_id!r} (also {UNIT[self.imported.format]} "
                                       f"{self.seen_ids[event_id]})", event_id)
                return False
            if event_id in self.existing.event_ids:
                self.refuse(row, "id", f"event {event_id!r} is already in dataset "
                                       f"{self.existing.event_ids[event_id]!r}", event_id)
                return False
        problems: list[Problem] = []
        event = parse_event(entry, path=self.path, item=self.imported.item(row), document_id=document_id,
                            vocabulary=self.known, place_refs=self.place_refs, problems=problems)
        for problem in problems:
            self.refuse(row, problem.field, problem.reason, event_id if isinstance(event_id, str) else None)
        if event is None:
            return False
        self.seen_ids[event.id] = row
        self.imported.events.append(ImportedEvent(row, entry, event, properties))
        return True

    # -- ACLED --

    def read_acled(self, stream: TextIO, mapping: AcledMapping) -> None:
        rows = csv.reader(stream, delimiter=_delimiter(stream))
        header = [_OLD_ACLED_NAMES.get(name.strip().lower(), name.strip().lower()) for name in next(rows)]
        missing = [name for name in ACLED_REQUIRED if name not in header]
        unknown = [name for name in header if name not in ACLED_REQUIRED and name not in ACLED_OPTIONAL]
        if missing:
            hint = f" (the file has {', '.join(map(repr, unknown))}, not ACLED's)" if unknown else ""
            for name in missing:
                self.refuse(1, name, f"missing column {name!r}{hint}")
            return
        for name in unknown:
            self.flag(1, name, f"column {name!r} is not one of ACLED's: kept as a property")
        found = False
        chunk: list[tuple[int, list[str]]] = []
        for number, cells in enumerate(rows, start=2):  # row 1 is the header, as a spreadsheet counts
            if not "".join(cells).strip():  # every cell blank
                continue
            found = True
            if len(cells) != len(header):
                self.refuse(number, None, f"has {len(cells)} cells, the header {len(header)}")
                continue
            chunk.append((number, cells))
            if len(chunk) == _CHUNK_ROWS:
                self.acled_chunk(chunk, header, mapping)
                self.flush()
                chunk = []
        self.acled_chunk(chunk, header, mapping)
        if not found:
            self.refuse(None, None, "the file has a header but no rows")

    def acled_chunk(self, chunk: list[tuple[int, list[str]]], header: list[str], mapping: AcledMapping) -> None:
        """CSV rows checked a column at a time. A row every check passes is built here, as
        ``acled_row`` would build it; any other row goes through ``acled_row`` itself, so what it is
        refused or flagged for, and what it adds, stay that path's (docs/performance.md, "Imports")."""
        assert self.imported is not None
        count = len(chunk)
        if not count:
            return
        # A name given twice keeps its last cell at its first position, as dict(zip(header, cells)) does.
        positions = {name: position for position, name in enumerate(header)}
        cells_by_column = list(zip(*(cells for _, cells in chunk), strict=True))
        columns = {name: list(map(str.strip, cells_by_column[position])) for name, position in positions.items()}
        blank = [""] * count
        column = columns.get
        clean = np.ones(count, dtype=bool)
        for name in ACLED_REQUIRED:
            if name != "notes":
                clean &= np.fromiter(map(bool, columns[name]), dtype=bool, count=count)
        dates = [self.acled_dates(text, precision)
                 for text, precision in zip(columns["event_date"], columns["time_precision"], strict=True)]
        clean &= np.fromiter((found is not None for found in dates), dtype=bool, count=count)
        precisions = [ACLED_LOCATION_PRECISION.get(text) for text in columns["geo_precision"]]
        clean &= np.fromiter((found is not None for found in precisions), dtype=bool, count=count)
        sub_types = column("sub_event_type", blank)
        types = [self.acled_type(mapping, acled, sub) for acled, sub in zip(columns["event_type"], sub_types, strict=True)]
        clean &= np.fromiter((found is not None for found in types), dtype=bool, count=count)
        fatalities = [self.whole_number(text) if text else None for text in column("fatalities", blank)]
        clean &= np.fromiter((found is not _NOT_A_NUMBER for found in fatalities), dtype=bool, count=count)
        latitudes = np.array([_number(text) for text in columns["latitude"]], dtype=float)
        longitudes = np.array([_number(text) for text in columns["longitude"]], dtype=float)
        clean &= np.isfinite(latitudes) & np.isfinite(longitudes) & (np.abs(latitudes) <= 90) & (np.abs(longitudes) <= 180)
        ids = [text.lower() for text in columns["event_id_cnty"]]
        clean &= np.fromiter((ID_PATTERN.fullmatch(event_id) is not None for event_id in ids), dtype=bool, count=count)
        # A point outside the region is flagged or refused by acled_row.
        points = np.full(count, None, dtype=object)
        checked = np.flatnonzero(clean)
        points[checked] = shapely.points(longitudes[checked], latitudes[checked])
        clean[checked[~shapely.covers(self.region, points[checked])]] = False
        checked = np.flatnonzero(clean)
        # The country and province each point falls in, for rows that name others (check_named_areas).
        held_country, held_province = np.full(count, None, dtype=object), np.full(count, None, dtype=object)
        for held, tree, ids_of, layer in ((held_country, self.countries, self.country_ids, "countries"),
                                          (held_province, self.provinces, self.province_ids, "provinces")):
            point_index, area_index = self.holding(tree, layer, points[checked])
            last_first = np.argsort(-area_index, kind="stable")  # a point on a border: the lowest area is set last
            held[checked[point_index[last_first]]] = [f"{layer}:{ids_of[area]}" for area in area_index[last_first]]
        wkbs = np.full(count, None, dtype=object)
        wkbs[checked] = shapely.to_wkb(points[checked])
        countries, admin1s = column("country", blank), column("admin1", blank)
        place_names = [location or admin1 or country for location, admin1, country
                       in zip(column("location", blank), admin1s, countries, strict=True)]
        actor_columns = [columns[name] for name in ("actor1", "assoc_actor_1", "actor2", "assoc_actor_2") if name in columns]
        kept = [(name, values) for name, values in columns.items() if name not in _ACLED_HELD]
        for index, (row, _) in enumerate(chunk):
            event_id = ids[index]
            if clean[index] and event_id not in self.seen_ids and event_id not in self.existing.event_ids:
                place, rule = self.placement(row, event_id, points[index], countries[index], ("admin1", admin1s[index]),
                                             (held_country[index], held_province[index]),
                                             precisions[index] == "province")
                if place is None:
                    place = self.add_place(place_names[index] or f"{latitudes[index]:.4f}, {longitudes[index]:.4f}",
                                           points[index], wkbs[index])
                actors: list[str] = []
                for values in actor_columns:
                    for name in values[index].split(";"):
                        if name.strip() and (actor := self.actor_id(name, mapping, row)) not in actors:
                            actors.append(actor)
                if actors:
                    self.add_acled_event(row, index, columns, place, place_names[index], actors, dates[index],
                                         "province" if rule == "row" else precisions[index], types[index],
                                         fatalities[index], kept)
                    self.placed(rule)
                    continue
            self.acled_row(row, {name: values[index] for name, values in columns.items()}, mapping, geometry=None)

    def add_acled_event(self, row: int, index: int, columns: dict[str, list[str]], place: str, place_name: str,
                        actors: list[str], dates: tuple[dict[str, str], PartialDate, PartialDate | None],
                        precision: str, event_type: str, fatalities: int | None,
                        kept: list[tuple[str, list[str]]]) -> None:
        """Row ``index`` of a chunk, every check passed: the entry, event and properties
        ``acled_row`` and ``parse_event`` would make of it."""
        assert self.imported is not None
        event_id = columns["event_id_cnty"][index].lower()
        kind = columns["sub_event_type"][index] if "sub_event_type" in columns else ""
        kind = kind or columns["event_type"][index]
        title = f"{kind} in {place_name}" if place_name else kind
        summary = columns["notes"][index] or title
        source = columns["source"][index]
        entry_dates, start, end = dates
        entry = {
            "id": event_id, "title": title, "summary": summary, "status": "occurred",
            **entry_dates, "actors": actors, "event_type": event_type, "place": place,
            "location_precision": precision,
            "citations": [{"paragraph": row, "source": source, "source_date": None}],
        }
        properties: dict[str, Any] = {name: values[index] for name, values in kept if values[index]}
        if fatalities is not None:
            properties["fatalities"] = fatalities
        event = Event(id=event_id, document=self.dataset, title=title, summary=summary, status="occurred",
                      start=start, end=end, reported=None, as_of=None, planned_for=None, actors=tuple(actors),
                      event_type=event_type, place=place, location_precision=precision,
                      citations=(Citation(paragraph=row, source=source, source_date=None),))
        self.seen_ids[event_id] = row
        self.imported.events.append(ImportedEvent(row, entry, event, properties))

    def acled_dates(self, text: str, precision: str) -> tuple[dict[str, str], PartialDate, PartialDate | None] | None:
        """An entry's dates from ACLED's cells, with the partial dates parse_event reads from them;
        None when acled_row would refuse them. Remembered per pair: a file repeats its days."""
        key = (text, precision)
        if key not in self.date_forms:
            refused: list[str] = []
            dates = _acled_dates(text, precision, lambda name, reason: refused.append(reason))
            self.date_forms[key] = None if refused or "start" not in dates else (
                dates, PartialDate.parse(dates["start"]), PartialDate.parse(dates["end"]) if "end" in dates else None)
        return self.date_forms[key]

    def acled_type(self, mapping: AcledMapping, event_type: str, sub_event_type: str) -> str | None:
        """The mapping's event type, remembered per pair of ACLED's types."""
        key = (event_type, sub_event_type)
        if key not in self.type_of:
            self.type_of[key] = mapping.event_type(event_type, sub_event_type)
        return self.type_of[key]

    def whole_number(self, text: str) -> int | None | object:
        """``_whole_number`` of a cell, remembered; ``_NOT_A_NUMBER`` when it is none."""
        if text not in self.numbers:
            value = _whole_number(text)
            self.numbers[text] = _NOT_A_NUMBER if value is None else value
        return self.numbers[text]

    def acled_row(self, row: int, cells: Mapping[str, str], mapping: AcledMapping,
                  geometry: shapely.Geometry | None) -> None:
        """One ACLED row (a CSV row, or a GeoJSON feature's properties with its ``geometry``)."""
        cells = {name: str(value).strip() for name, value in cells.items() if value is not None}
        before = len(self.imported.lines)  # type: ignore[union-attr]
        event_id = cells.get("event_id_cnty", "").lower() or None

        def bad(name: str, reason: str) -> None:
            self.refuse(row, name, reason, event_id)

        needed = [name for name in ACLED_REQUIRED if geometry is None or name not in ("latitude", "longitude")]
        for name in needed:
            if not cells.get(name) and name != "notes":
                bad(name, "empty" if name in cells else "missing")
        dates = _acled_dates(cells.get("event_date", ""), cells.get("time_precision", ""), bad)
        location_precision = ACLED_LOCATION_PRECISION.get(cells.get("geo_precision", ""))
        if cells.get("geo_precision") and location_precision is None:
            bad("geo_precision", f"{cells['geo_precision']!r} is not 1, 2 or 3")
        event_type = None
        if cells.get("event_type"):
            event_type = mapping.event_type(cells["event_type"], cells.get("sub_event_type", ""))
            if event_type is None:
                bad("event_type", f"ACLED type {cells['event_type']!r} / {cells.get('sub_event_type', '')!r} has no "
                                  f"Panj event type in {ACLED_MAPPING_NAME}")
        fatalities = None
        if cells.get("fatalities"):
            fatalities = _whole_number(cells["fatalities"])
            if fatalities is None:
                bad("fatalities", f"{cells['fatalities']!r} is not a whole number of 0 or more")
        point = None
        if geometry is None and cells.get("latitude") and cells.get("longitude"):
            point = _coordinates(cells["latitude"], cells["longitude"], bad)
        if len(self.imported.lines) > before:  # type: ignore[union-attr]
            return

        place_name = cells.get("location") or cells.get("admin1") or cells.get("country") or ""
        if point is not None:
            lon, lat = point
            if not self.check_point(row, lon, lat, event_id or ""):
                return
            geometry = shapely.Point(lon, lat)
        assert geometry is not None and location_precision is not None
        place, rule = None, None
        if geometry.geom_type == "Point":
            place, rule = self.placement(row, event_id or "", geometry, cells.get("country", ""),
                                         ("admin1", cells.get("admin1", "")), self.areas_at(geometry),
                                         location_precision == "province")
            location_precision = "province" if rule == "row" else location_precision
        if place is None:
            place = self.add_place(place_name or f"{geometry.y:.4f}, {geometry.x:.4f}", geometry)
        actors: list[str] = []
        for column in ("actor1", "assoc_actor_1", "actor2", "assoc_actor_2"):
            for name in cells.get(column, "").split(";"):
                if name.strip() and (actor := self.actor_id(name, mapping, row)) not in actors:
                    actors.append(actor)
        kind = cells.get("sub_event_type") or cells["event_type"]
        title = f"{kind} in {place_name}" if place_name else kind
        entry = {
            "id": event_id, "title": title, "summary": cells.get("notes") or title, "status": "occurred",
            **dates, "actors": actors, "event_type": event_type, "place": place,
            "location_precision": location_precision,
            "citations": [{"paragraph": row, "source": cells["source"], "source_date": None}],
        }
        properties: dict[str, Any] = {name: value for name, value in cells.items() if value and name not in _ACLED_HELD}
        if fatalities is not None:
            properties["fatalities"] = fatalities
        if self.accept(row, entry, properties, self.dataset) and rule is not None:
            self.placed(rule)

    def areas_at(self, point: shapely.Geometry) -> tuple[str | None, str | None]:
        """The ``countries`` and ``provinces`` features holding ``point`` (None where none does; the
        first of the layer's order for a point on a border, as acled_chunk picks it)."""
        _, country = self.holding(self.countries, "countries", np.array([point]))
        _, province = self.holding(self.provinces, "provinces", np.array([point]))
        return (f"countries:{self.country_ids[country.min()]}" if len(country) else None,
                f"provinces:{self.province_ids[province.min()]}" if len(province) else None)

    def holding(self, tree: shapely.STRtree, layer: str, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(point index, area index) of each point and ``layer`` area covering it: the tree's boxes
        first, then the prepared areas."""
        point_index, area_index = tree.query(points)
        inside = shapely.covers(self.area_geometries[layer][area_index], points[point_index])
        return point_index[inside], area_index[inside]

    def placement(self, row: int, event_id: str, point: shapely.Geometry, country: str, admin1: tuple[str, str],
                  held: tuple[str | None, str | None], by_province: bool) -> tuple[str | None, str]:
        """Where a row with a point stands: the admin1 area it stands on (None: its own point), and
        the PLACEMENTS rule that put it there. A row known only to its province (``by_province``)
        stands on the area its first-level division names (``admin1``: its column and cell), and so
        does one whose own country or admin1 is a known area other than the one its point falls in
        (``held``: the country and province features holding it) when the reader trusts the row.
        Such a disagreement is flagged with both, the point's distance to the frontier and where the
        row stands; a row that was to stand on its admin1 and cannot is flagged with why, and keeps
        its point. A name the layers do not know contradicts nothing."""
        named_country = self.named_area("countries", country)
        named_province = self.named_area("provinces", admin1[1])
        wrong_country = named_country is not None and held[0] is not None and named_country != held[0]
        wrong_province = named_province is not None and held[1] is not None and named_province != held[1]
        disputed = wrong_country or wrong_province
        area, rule, why_not = None, "disputed" if disputed else "point", None
        if by_province or disputed and self.trust == "row":
            why_not = self.unplaceable(admin1, country, named_province, named_country)
            if why_not is None:
                area, rule = named_province, "admin1" if by_province else "row"
            else:
                rule = "unmatched"
        if disputed:
            said = ", ".join(f"{name} {text!r}" for name, text in (("country", country), admin1) if text)
            falls = ", ".join(self.area_name[ref] for ref in (held[1], held[0]) if ref is not None)
            if area is not None:
                stands = (f"it stands on {self.area_name[area]}, the {admin1[0]} it names ("
                          + ("known only to its province)" if by_province else "trusting the row)"))
            else:
                stands = "it stays where its point falls (" + ("trusting the point)" if why_not is None
                                                               else f"its {admin1[0]} cannot be placed)")
            self.flag(row, "country" if wrong_country else admin1[0],
                      f"the row says {said}, but its point ({point.y}, {point.x}) falls in {falls}, "
                      f"{self.frontier_km(point):.1f} km from the frontier: {stands}", event_id)
        if why_not is not None:
            self.flag(row, admin1[0], why_not, event_id)
        return area, rule

    def unplaceable(self, admin1: tuple[str, str], country: str, named_province: str | None,
                    named_country: str | None) -> str | None:
        """Why a row cannot stand on the admin1 area it names (None when it can): no name, a name
        that is no province of the layers or of layers/aliases.json, or a province of another
        country than the one the row names."""
        column, text = admin1
        if not text:
            return f"{column} is empty: there is no area to stand on, so the row stays where its point falls"
        if named_province is None:
            return (f"{column} {text!r} is no province of the provinces layer nor one of its spellings in "
                    f"{ALIASES_NAME}: the row stays where its point falls")
        in_country = self.country_of_province.get(named_province)
        if named_country is not None and in_country != named_country:
            return (f"{column} {text!r} is {self.area_name[named_province]}, a province of "
                    f"{self.area_name[in_country] if in_country else 'no country of the layers'}, not of the row's "
                    f"country {country!r}: the row stays where its point falls")
        return None

    def placed(self, rule: str) -> None:
        """Counts an accepted row under the PLACEMENTS rule that placed it."""
        assert self.imported is not None
        self.imported.placements[rule] = self.imported.placements.get(rule, 0) + 1

    def named_area(self, layer: str, text: str) -> str | None:
        """The ``layer`` feature a cell names, by name or alias, as written or without a last word
        like "province" (None when none), remembered per cell. The name as written comes first:
        "Gorno-Badakhshan Autonomous Region" is the provinces layer's own."""
        key = (layer, text)
        if key not in self.area_named:
            spellings, written = self.area_of[layer], text.strip()
            self.area_named[key] = (spellings.get(fold(written)) or spellings.get(fold(_AREA_WORDS.sub("", written)))
                                    if written else None)
        return self.area_named[key]

    def frontier_km(self, point: shapely.Geometry) -> float:
        """Geodesic km from ``point`` to the frontier's nearest point, found as geo.join finds it (in
        an azimuthal equidistant projection centred on the frontier), so the report and the page agree."""
        if self.frontier_local is None:
            line = shapely.union_all(self.layers["frontier"].frame.geometry.to_numpy())
            centre = line.centroid
            local = f"+proj=aeqd +lat_0={centre.y:.6f} +lon_0={centre.x:.6f} +datum=WGS84 +units=m +no_defs"
            self.to_local = pyproj.Transformer.from_crs("EPSG:4326", local, always_xy=True)
            self.to_lonlat = pyproj.Transformer.from_crs(local, "EPSG:4326", always_xy=True)
            self.frontier_local = shapely.transform(line, lambda xy: np.column_stack(self.to_local.transform(xy[:, 0], xy[:, 1])))
        here = shapely.Point(*self.to_local.transform(point.x, point.y))
        nearest = shapely.get_point(shapely.shortest_line(here, self.frontier_local), 1)
        lon, lat = self.to_lonlat.transform(nearest.x, nearest.y)
        return float(_GEOD.inv(point.x, point.y, lon, lat)[2]) / 1000

    # -- UCDP GED and Candidate --

    def read_ucdp(self, stream: TextIO, mapping: AcledMapping) -> None:
        """UCDP's CSV: by its header's names, or by UCDP's column order when the file has no header
        (its first row is then row 1)."""
        delimiter = _delimiter(stream)
        layout = _ucdp_layout(_first_line(stream), delimiter)
        rows = csv.reader(stream, delimiter=delimiter)
        if layout == "layout":
            header, first_row, expected = list(UCDP_COLUMNS), 1, f"UCDP's layout has {len(UCDP_COLUMNS)}"
        else:
            header = [name.strip().lower() for name in next(rows, [])]
            first_row, expected = 2, f"the header {len(header)}"  # row 1 is the header
            missing = [name for name in UCDP_REQUIRED if name not in header]
            if missing:
                for name in missing:
                    self.refuse(1, name, f"missing column {name!r} (UCDP GED's columns: {', '.join(UCDP_COLUMNS)})")
                return
            for name in header:
                if name not in UCDP_COLUMNS:
                    self.flag(1, name, f"column {name!r} is not one of UCDP GED's: kept as a property")
        assert self.imported is not None
        found = False
        for number, cells in enumerate(rows, start=first_row):
            if not "".join(cells).strip():  # every cell blank
                continue
            found = True
            if len(cells) != len(header):
                self.refuse(number, None, f"has {len(cells)} cells, {expected}")
                continue
            self.ucdp_row(number, dict(zip(header, map(str.strip, cells), strict=True)), mapping)
            if len(self.imported.events) >= _CHUNK_ROWS:
                self.flush()
        if not found:
            self.refuse(None, None, "the file has a header but no rows" if first_row == 2 else "the file has no rows")

    def ucdp_row(self, row: int, cells: Mapping[str, str], mapping: AcledMapping) -> None:
        """One row of UCDP's CSV, its cells by column name."""
        assert self.imported is not None
        before = len(self.imported.lines)
        event_id = cells["id"] or None

        def bad(name: str, reason: str) -> None:
            self.refuse(row, name, reason, event_id)

        for name in UCDP_REQUIRED:
            if not cells[name] and name != "source_article":
                bad(name, "empty")
        if event_id and not event_id.isdigit():
            bad("id", f"{event_id!r} is not UCDP's id, a whole number")
        violence = cells["type_of_violence"]
        event_type = mapping.event_type(violence, "") if violence else None
        if violence and violence not in UCDP_VIOLENCE:
            bad("type_of_violence", f"{violence!r} is not 1 (state-based), 2 (non-state) or 3 (one-sided)")
        elif violence and event_type is None:
            bad("type_of_violence", f"type of violence {violence} has no Panj event type in {UCDP_MAPPING_NAME}")
        location_precision = UCDP_LOCATION_PRECISION.get(cells["where_prec"])
        if cells["where_prec"] and location_precision is None:
            bad("where_prec", f"{cells['where_prec']!r} is not one of UCDP's location precisions, 1 to 7")
        dates = _ucdp_dates(cells["date_start"], cells["date_end"], cells["date_prec"], bad)
        deaths: dict[str, int] = {}
        for name in ("best", "low", "high"):
            value = self.whole_number(cells[name]) if cells[name] else None
            if value is _NOT_A_NUMBER:
                bad(name, f"{cells[name]!r} is not a whole number of 0 or more")
            elif isinstance(value, int):
                deaths[name] = value
        point = None
        if cells["latitude"] and cells["longitude"]:
            point = _coordinates(cells["latitude"], cells["longitude"], bad)
        if len(self.imported.lines) > before:
            return
        assert point is not None and location_precision is not None and event_type is not None
        if not deaths["low"] <= deaths["best"] <= deaths["high"]:
            self.flag(row, "best", f"the best estimate {deaths['best']} is not between low {deaths['low']} and "
                                   f"high {deaths['high']}", event_id)
        lon, lat = point
        if not self.check_point(row, lon, lat, event_id or ""):
            return
        geometry = shapely.Point(lon, lat)
        place, rule = self.placement(row, event_id or "", geometry, cells.get("country", ""),
                                     ("adm_1", cells.get("adm_1", "")), self.areas_at(geometry),
                                     location_precision == "province")
        location_precision = "province" if rule == "row" else location_precision
        place_name = cells.get("where_coordinates") or cells.get("adm_2") or cells.get("adm_1") or cells.get("country") or ""
        if place is None:
            place = self.add_place(place_name or f"{lat:.4f}, {lon:.4f}", geometry)
        actors: list[str] = []
        for name in (cells["side_a"], cells["side_b"]):
            if (actor := self.actor_id(name, mapping, row)) not in actors:
                actors.append(actor)
        kind = UCDP_VIOLENCE[violence]
        title = f"{kind} in {place_name}" if place_name else kind
        dyad = cells.get("dyad_name") or f"{cells['side_a']} - {cells['side_b']}"
        summary = (f"{dyad}: UCDP's best estimate of the deaths {deaths['best']} (low {deaths['low']}, "
                   f"high {deaths['high']}).")
        if cells.get("where_description"):
            summary += f" Where: {cells['where_description']}."
        entry = {
            "id": event_id, "title": title, "summary": summary, "status": "occurred", **dates, "actors": actors,
            "event_type": event_type, "place": place, "location_precision": location_precision,
            "citations": [{"paragraph": row, "source": cells["source_article"] or f"UCDP GED event {event_id}",
                           "source_date": None}],
        }
        properties: dict[str, Any] = {name: value for name, value in cells.items() if value and name not in _UCDP_HELD}
        properties.update(fatalities=deaths["best"], fatalities_low=deaths["low"], fatalities_high=deaths["high"])
        if self.accept(row, entry, properties, self.dataset):
            self.placed(rule)

    # -- GeoJSON --

    def read_geojson(self, text: str, mapping: AcledMapping) -> None:
        """The features of a FeatureCollection, decoded ``_CHUNK_ROWS`` at a time (``feature_chunks``)
        so that a million features are never all held as Python objects at once; a collection that
        cannot be read so (its "type" after its features) is decoded whole. A file found to be no
        JSON, or no collection, after rows were read is refused whole, as one decoded whole would
        be: the rows read are forgotten (the store rolls back what it was handed)."""
        assert self.imported is not None
        kept, read = len(self.imported.lines), 0
        try:
            for chunk in feature_chunks(text, _CHUNK_ROWS):
                self._geojson_chunk(read, chunk, mapping)
                read += len(chunk)
        except NotStreamable as refusal:
            self._forget_rows(kept)
            if read == 0:
                self._read_geojson_whole(text, mapping)
            else:
                self.refuse(None, None, str(refusal))
        except json.JSONDecodeError:
            self._forget_rows(kept)
            try:  # the message and place json.loads gives, as when the collection was decoded whole
                json.loads(text)
            except json.JSONDecodeError as whole:
                error = whole
            self.refuse(None, None, f"invalid JSON at line {error.lineno} column {error.colno}: {error.msg}")

    def _read_geojson_whole(self, text: str, mapping: AcledMapping) -> None:
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as error:
            self.refuse(None, None, f"invalid JSON at line {error.lineno} column {error.colno}: {error.msg}")
            return
        if not isinstance(raw, dict) or raw.get("type") != "FeatureCollection" or not isinstance(raw.get("features"), list):
            self.refuse(None, None, NOT_A_COLLECTION)
            return
        if not raw["features"]:
            self.refuse(None, "features", "the collection has no features")
        features = raw["features"]
        for start in range(0, len(features), _CHUNK_ROWS):
            self._geojson_chunk(start, features[start:start + _CHUNK_ROWS], mapping)

    def _geojson_chunk(self, start: int, chunk: list[Any], mapping: AcledMapping) -> None:
        """Features ``start`` + 1 onwards, checked together, then handed to the sink."""
        points, inside, wkbs = self.plain_points(chunk)
        for offset, feature in enumerate(chunk):
            self.geojson_feature(start + offset + 1, feature, mapping, points[offset], bool(inside[offset]), wkbs[offset])
        self.flush()

    def _forget_rows(self, kept: int) -> None:
        """Forget every row read (the file is refused whole): the report's lines after the first
        ``kept``, the events, places and actors, and what the sink was handed, which its caller
        rolls back since no row is accepted now."""
        imported = self.imported
        assert imported is not None
        del imported.lines[kept:]
        imported.events, imported.places, imported.actors, imported.placements = [], {}, {}, {}
        del imported.sunk_rows[:]
        imported.sunk_ids.clear()
        imported.sunk_meanings.clear()

    def plain_points(self, features: list[Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For each feature whose geometry is a Point of two finite numbers within longitude's and
        latitude's ranges, the point feature_geometry would make of it, whether the region covers it
        and its WKB, made for all of them at once; None (and False) for any other feature, which
        goes through feature_geometry and check_point one by one."""
        count = len(features)
        coordinates = np.full((count, 2), np.nan)
        for index, feature in enumerate(features):
            raw = feature.get("geometry") if isinstance(feature, dict) else None
            if isinstance(raw, dict) and raw.get("type") == "Point":
                pair = raw.get("coordinates")
                # NaN and infinities fail the range test; bool is an int but no coordinate.
                if (isinstance(pair, list) and len(pair) == 2 and all(type(value) in (int, float) for value in pair)
                        and abs(pair[0]) <= 180 and abs(pair[1]) <= 90):
                    coordinates[index] = pair
        lon, lat = coordinates[:, 0], coordinates[:, 1]
        plain = np.flatnonzero(~np.isnan(lon))
        points, inside, wkbs = np.full(count, None, dtype=object), np.zeros(count, dtype=bool), np.full(count, None, dtype=object)
        points[plain] = shapely.points(lon[plain], lat[plain])
        inside[plain] = shapely.covers(self.region, points[plain])
        wkbs[plain] = shapely.to_wkb(points[plain])
        return points, inside, wkbs

    def geojson_feature(self, row: int, feature: Any, mapping: AcledMapping, point: shapely.Geometry | None = None,
                        inside: bool = False, wkb: bytes | None = None) -> None:
        """One feature; ``point``, ``inside`` and ``wkb`` are plain_points' for it, when it made one."""
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            self.refuse(row, None, "not a GeoJSON Feature")
            return
        properties = feature.get("properties") or {}
        if not isinstance(properties, dict):
            self.refuse(row, "properties", "must be an object")
            return
        geometry = point
        if geometry is None and feature.get("geometry") is not None:
            named = properties.get("id", properties.get("event_id_cnty", feature.get("id")))
            geometry = self.feature_geometry(row, feature["geometry"], named if isinstance(named, str) else None)
            if geometry is None:
                return
        if "event_date" in properties:  # ACLED's names: mapped as a CSV row is
            if geometry is None or geometry.geom_type != "Point":
                self.refuse(row, "geometry", "a feature with ACLED's properties needs a Point geometry")
                return
            self.acled_row(row, properties, mapping, geometry)
            return
        entry = {name: value for name, value in properties.items() if name in _PANJ_FIELDS}
        kept = {name: value for name, value in properties.items() if name not in _PANJ_FIELDS}
        entry.setdefault("id", feature.get("id") if isinstance(feature.get("id"), str) else f"{self.dataset}-{row}")
        if isinstance(entry.get("actors"), list):
            entry["actors"] = list(dict.fromkeys(self.actor_id(actor, mapping, row) if isinstance(actor, str) and actor.strip()
                                                 else actor for actor in entry["actors"]))
        if "place" not in entry:
            if geometry is None:
                self.refuse(row, "geometry", "no geometry and no place: give one of them", entry["id"])
                return
            name = str(kept.get("place_name") or kept.get("name") or entry.get("title") or "")
            is_point = point is not None or geometry.geom_type == "Point"
            if is_point and not inside and not self.check_point(row, geometry.x, geometry.y, entry["id"]):
                return
            if not is_point and not self.region.covers(shapely.point_on_surface(geometry)):
                self.flag(row, "geometry", "the area lies outside the region's countries", entry["id"])
            entry["place"] = self.add_place(name or f"{self.dataset} {UNIT['geojson']} {row}", geometry, wkb)
        self.accept(row, entry, kept, self.dataset)

    def feature_geometry(self, row: int, raw: Any, event_id: str | None) -> shapely.Geometry | None:
        """A feature's geometry when it is a valid point or polygon in WGS84, else None after refusing it."""
        kind = raw.get("type") if isinstance(raw, dict) else None
        reason = None
        if kind not in PLACE_GEOMETRIES:
            reason = f"{kind!r} is not one of {', '.join(PLACE_GEOMETRIES)}"
        else:
            try:
                geometry = shape(raw)
            except (ValueError, TypeError, AttributeError, IndexError) as error:
                reason = f"unreadable coordinates: {error}"
            else:
                coordinates = shapely.get_coordinates(geometry)
                if not len(coordinates) or (abs(coordinates[:, 0]) > 180).any() or (abs(coordinates[:, 1]) > 90).any():
                    reason = "coordinates must be longitude (-180 to 180), latitude (-90 to 90)"
                elif not geometry.is_valid:
                    reason = f"invalid: {shapely.is_valid_reason(geometry)}"
        if reason is not None:
            self.refuse(row, "geometry", reason, event_id)
            return None
        return geometry

    # -- Panj's own format --

    def read_panj(self, text: str) -> None:
        assert self.imported is not None
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as error:
            self.refuse(None, None, f"invalid JSON at line {error.lineno} column {error.colno}: {error.msg}")
            return
        if not isinstance(raw, dict) or set(raw) != {"document", "events"} or not isinstance(raw["events"], list):
            self.refuse(None, None, 'expected an object with exactly "document" and an "events" list')
            return
        document_id = self.panj_document(text, raw["document"])
        if not raw["events"]:
            self.refuse(None, "events", "the file has no events")
        for number, entry in enumerate(raw["events"], start=1):
            self.accept(number, entry, {}, document_id)

    def panj_document(self, text: str, block: Any) -> str:
        """The document's id once geo.events has checked its block, else "" after refusing it."""
        assert self.imported is not None
        # geo.events checks a document block as part of an events directory: give it one.
        with tempfile.TemporaryDirectory() as folder:
            events_dir = Path(folder) / "events"
            events_dir.mkdir()
            (events_dir / self.path.with_suffix(".json").name).write_text(text, encoding="utf-8")
            try:
                documents = load_documents(Path(folder))
            except EventsError as error:
                for problem in error.problems:
                    self.refuse(None, f"document.{problem.field}" if problem.field else "document", problem.reason)
                return ""
        document_id = next(iter(documents))
        if document_id in self.existing.documents:
            self.refuse(None, "document.id", f"document {document_id!r} is already dataset "
                                             f"{self.existing.documents[document_id]!r}")
            return ""
        self.imported.document = block
        return document_id


# --- cell readers ---------------------------------------------------------------------------------

DELETION_ID_COLUMNS = ("event_id_cnty", "id")  # ACLED's deletions file; any other source's ids


def read_deletions(path: Path) -> dict[str, str]:
    """The events a deletions file removes: event id (lower-case, as imports store ACLED's) -> the
    deletion's time as the file gives it ("" when it gives none). ACLED publishes deletions as CSV
    rows of ``event_id_cnty,deleted_timestamp``; a file of another source's ids may name its column
    ``id``. ImportFileError lists every problem (row, field, reason)."""
    path = Path(path)
    problems: list[Problem] = []
    try:
        text = path.read_bytes().decode(_encoding(path))
    except OSError as error:
        raise ImportFileError([Problem(path, "file", None, f"cannot read the file: {error.strerror}")]) from error
    except UnicodeDecodeError as error:
        raise ImportFileError([Problem(path, "file", None, f"not UTF-8 (byte {error.start + 1}): save the file as "
                                                           "UTF-8")]) from error
    first_line = text.split("\n", 1)[0]
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=max(",;\t", key=first_line.count))
    header = [name.strip().lower() for name in next(rows, [])]
    column = next((name for name in DELETION_ID_COLUMNS if name in header), None)
    if column is None:
        raise ImportFileError([Problem(path, "row 1", None, "no id column: expected "
                                       + " or ".join(map(repr, DELETION_ID_COLUMNS)))])
    deleted: dict[str, str] = {}
    for number, cells in enumerate(rows, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            problems.append(Problem(path, f"row {number}", None, f"has {len(cells)} cells, the header {len(header)}"))
            continue
        values = dict(zip(header, (cell.strip() for cell in cells), strict=True))
        event_id = values[column].lower()
        if not event_id:
            problems.append(Problem(path, f"row {number}", column, "empty"))
            continue
        when = values.get("deleted_timestamp", "")
        if when and _time_value(when) is None:
            problems.append(Problem(path, f"row {number}", "deleted_timestamp",
                                    f"{when!r} is neither a Unix time nor an ISO date"))
            continue
        deleted[event_id] = when
    if problems:
        raise ImportFileError(problems)
    return deleted


def revision_time(properties: Mapping[str, Any]) -> float | None:
    """When a row was last revised, as the source says (ACLED's ``timestamp``, in Unix seconds;
    an ISO date or time is read too); None when the row does not say."""
    value = properties.get("timestamp")
    return None if value in (None, "") else _time_value(str(value))


def _time_value(text: str) -> float | None:
    try:
        number = float(text)
    except ValueError:
        pass
    else:
        return number if math.isfinite(number) else None
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).timestamp()


def _acled_dates(text: str, precision: str, bad: Callable[[str, str], None]) -> dict[str, str]:
    """``start`` (and ``end``) in Panj's form from ACLED's event_date and time_precision: 1 the
    day; 2 the week around the day, a 7-day span; 3 the month."""
    if not text:
        return {}
    day = None
    for form in ACLED_DATE_FORMATS:
        try:
            day = dt.datetime.strptime(text, form).date()
            break
        except ValueError:
            continue
    if day is None:
        bad("event_date", f"{text!r} is not a date (e.g. 2022-05-18 or 18 May 2022)")
        return {}
    if precision == "1":
        return {"start": day.isoformat()}
    if precision == "2":
        half = dt.timedelta(days=WEEK_HALF_SPAN_DAYS)
        return {"start": (day - half).isoformat(), "end": (day + half).isoformat()}
    if precision == "3":
        return {"start": f"{day.year:04d}-{day.month:02d}"}
    if precision:
        bad("time_precision", f"{precision!r} is not 1 (day), 2 (week) or 3 (month)")
    return {}


def _ucdp_dates(start: str, end: str, precision: str, bad: Callable[[str, str], None]) -> dict[str, str]:
    """``start`` (and ``end`` when it differs) in Panj's form from UCDP's date_start, date_end and
    date_prec: the span's days cut to the precision's form (a day, a month, a year)."""
    form = UCDP_DATE_FORM.get(precision)
    if precision and form is None:
        bad("date_prec", f"{precision!r} is not one of UCDP's date precisions, 1 to 5")
    days = {}
    for name, text in (("date_start", start), ("date_end", end)):
        match = _UCDP_DATE.fullmatch(text)
        day = None
        if match:
            try:
                day = dt.date.fromisoformat(match[1])
            except ValueError:
                pass
        if day is None and text:
            bad(name, f"{text!r} is not a date (e.g. 2021-07-22 or 2021-07-22 00:00:00.000)")
        elif day is not None:
            days[name] = day
    if len(days) < 2 or form is None:
        return {}
    if days["date_end"] < days["date_start"]:
        bad("date_end", f"{end} is before date_start {start}")
        return {}
    first, last = (days[name].isoformat()[:_DATE_FORM_LENGTH[form]] for name in ("date_start", "date_end"))
    return {"start": first} if first == last else {"start": first, "end": last}


def _coordinates(latitude: str, longitude: str, bad: Callable[[str, str], None]) -> tuple[float, float] | None:
    """(lon, lat) when both are numbers in WGS84's ranges, else None after naming each bad one."""
    values = {}
    for name, text, limit in (("latitude", latitude, 90), ("longitude", longitude, 180)):
        try:
            value = float(text)
        except ValueError:
            bad(name, f"{text!r} is not a number")
            continue
        if not math.isfinite(value) or abs(value) > limit:
            bad(name, f"{text} is outside -{limit} to {limit} (WGS84 degrees)")
            continue
        values[name] = value
    return (values["longitude"], values["latitude"]) if len(values) == 2 else None


_NOT_A_NUMBER = object()  # a fatalities cell that is not a whole number


def _encoding(path: Path) -> str:
    """``utf-16`` for a file starting with UTF-16's byte order mark (what Excel saves as "Unicode
    text"), else ``utf-8-sig`` (UTF-8, with or without its own mark)."""
    with path.open("rb") as stream:
        start = stream.read(2)
    return "utf-16" if start in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else "utf-8-sig"


def _first_line(stream: TextIO) -> str:
    """The stream's first line, read a block at a time; the stream is left at its start."""
    blocks = []
    while (block := stream.read(_BLOCK_BYTES)) and "\n" not in block:
        blocks.append(block)
    blocks.append(block)
    stream.seek(0)
    return "".join(blocks).split("\n", 1)[0]


def _delimiter(stream: TextIO) -> str:
    """The one of comma, semicolon and tab the first line holds most of (a comma on a tie); the
    stream is left at its start."""
    first_line = _first_line(stream)
    return max(",;\t", key=first_line.count)


def _ucdp_layout(first_line: str, delimiter: str) -> str | None:
    """``header`` when a CSV file's first line is UCDP's header, ``layout`` when it is a row of
    UCDP's 49 columns without one (a Candidate file: a whole-number id, a year, a type of violence
    in their places), else None."""
    cells = [cell.strip().lower() for cell in next(csv.reader([first_line.rstrip("\r")], delimiter=delimiter), [])]
    if {"id", "type_of_violence", "where_prec", "date_prec"} <= set(cells):
        return "header"
    if (len(cells) == len(UCDP_COLUMNS) and cells[0].isdigit() and re.fullmatch(r"\d{4}", cells[2])
            and cells[UCDP_COLUMNS.index("type_of_violence")] in UCDP_VIOLENCE):
        return "layout"
    return None


def _number(text: str) -> float:
    """The cell as a number, NaN when it is none."""
    try:
        return float(text)
    except ValueError:
        return math.nan


def _whole_number(text: str) -> int | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if value >= 0 and value.is_integer() else None


def _inert(text: str) -> str:
    """A cell a spreadsheet shows as text, never runs (docs/ARCHITECTURE.md, joined events' CSV)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text
