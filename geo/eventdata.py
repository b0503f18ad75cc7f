"""The events as the browser receives them: one compact columnar file per set of events, read
once per session, and the popups' text in small files fetched only when a popup opens
(docs/ARCHITECTURE.md, "Events in the browser").

``events_file`` makes the compact file, which the snapshot publishes with its layers and labels in
one content-hashed folder (``geo.snapshot``, ``geo.assets.publish_folder``); ``popup_files`` makes
the popup files, which the snapshot writes afterwards, in a background thread, into a folder of
their own inside it (popups are opened long after the map is painted); ``event_files`` gives them all:

- ``events.bin.gz``: gzip of ``MAGIC``, a little-endian Uint32 header length, the header (UTF-8 JSON,
  padded with spaces to a multiple of 4 bytes) and then the columns, each aligned to 4 bytes:
  ``lon`` and ``lat`` (Int32, degrees × ``COORDINATE_SCALE``: where the symbol stands, an area
  event's inside its area: ``geo.placement.symbol_points``), ``style`` (Uint16, or Uint32 beyond 65,535 styles: an
  index into the header's ``styles``, each ``[event type, [actors], status, location precision, halo metres]``),
  ``area`` (Uint16 or Uint32: 0, or 1 + an index into the header's ``areas``, the layer features
  whose outlines stand for an area event's place) and ``place`` (Uint32, ``place_column``: which
  earlier row's point the row stands on, or 0 for a point no earlier row has, so the browser
  numbers the places without hashing a million points). About 16 bytes per event, and less once
  gzipped.
- ``events-ids.bin.gz``: gzip of the event ids, UTF-8, one per line, in the rows' order. A file of
  its own because the first draw does not read them: at a million events they were 17 of the
  events file's 30.7 MB (docs/performance.md, "The ids apart").
- ``dates.bin.gz``: gzip of two little-endian Int32 columns, ``date_first`` then ``date_last`` of each
  row (days since 1970-01-01): what the playback reads to choose each period's events in the
  browser (``geo.playback``), fetched the first time a playback is on.
- ``fatalities.bin.gz``: gzip of one little-endian Int32 column, each row's reported fatalities, -1
  where none is reported (``geo.fatalities``): what the map sizes symbols by, fetched the first time
  the reader sizes them.
- ``details-<k>.json``: the popup text of rows ``k × DETAILS_ROWS`` up to the next chunk,
  ``{"columns": [...], "rows": [[...]]}`` (title, summary, date, actors, place, distances,
  citations as the joined events hold them...).

Rows keep the order of the events frame given, so the page can say which events to show as a
compressed bit mask over those rows (``shown_mask``): a filter change sends the mask, or the
filter's terms for the browser to apply (``geo.clientfilter``), never the events.
"""

from __future__ import annotations

import base64
import gc
import gzip
import json
import struct
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from geo import fatalities
from geo.events import Document
from geo.layers import Layer, parse_ref
from geo.placement import area_rows

MAGIC = b"PANJEV2\0"  # 2: the ids in IDS_FILE, no longer after the columns
COORDINATE_SCALE = 100_000  # 1e-5 degrees, about a metre: finer than any place the data knows
DETAILS_ROWS = 256  # events per popup file: one file is a few tens of kilobytes
EVENTS_FILE = "events.bin.gz"
IDS_FILE = "events-ids.bin.gz"
DATES_FILE = "dates.bin.gz"
FATALITIES_FILE = "fatalities.bin.gz"
NOT_REPORTED = -1  # a row of FATALITIES_FILE whose event reports no fatalities (not 0)
_GZIP_LEVEL = 6  # the mask's compression: small, sent on every rerun
# The published column files' (events, dates, fatalities, the strip's): a million events' columns
# compress in a fifth to a tenth of level 6's time, to files a twentieth to a tenth larger, made
# before the page can paint (docs/performance.md, "Issue 21: the paint floor and publishing" and
# "Publishing and PostGIS imports at a million").
PUBLISHED_GZIP_LEVEL = 1
_POPUP_BLOCK_CHUNKS = 64  # popup files made from one slice of the events at a time: bounded memory
# A place known only to a district/province/region/country is not a pin: an area place shows its
# outline; a point place shows a halo of this radius (metres) instead, unless the place states its
# own precision (a post's ``location_precision_m``: ``halo_metres``).
HALO_METRES = {"district": 20_000, "province": 75_000, "region": 150_000, "country": 300_000}


@dataclass(frozen=True)
class PublishedEvents:
    """Where one set of events was published: ``url`` is the compact file's, ``count`` its rows,
    ``payload_bytes`` the compact file's size (what the browser receives for the events at first)."""

    url: str
    count: int
    payload_bytes: int
    details: str  # the URL of the folder holding the popup files (ending in "/")

    def reference(self) -> dict[str, Any]:
        """What the map's update names the data by."""
        return {"url": self.url, "count": self.count, "details": self.details}


def event_files(
    events: pd.DataFrame, lons: np.ndarray, lats: np.ndarray, layers: Mapping[str, Layer],
    documents: Mapping[str, Document] | None = None,
    details: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
) -> dict[str, bytes]:
    """Every file of ``events`` by name: ``EVENTS_FILE`` (``events_file``), ``IDS_FILE``
    (``ids_file``) and the popup files (``popup_files``, their rows read through ``details`` when
    the events are the snapshot's compact rows: ``Snapshot.details``)."""
    return {EVENTS_FILE: events_file(events, lons, lats, layers, documents), IDS_FILE: ids_file(events),
            **dict(popup_files(events, details))}


def events_file(
    events: pd.DataFrame, lons: np.ndarray, lats: np.ndarray, layers: Mapping[str, Layer],
    documents: Mapping[str, Document] | None = None,
) -> bytes:
    """``events`` (joined events, ``geo.join``, or the snapshot's compact rows) as the browser
    reads them: the content of ``EVENTS_FILE``, the symbols at ``lons``/``lats`` (``geo.placement.symbol_points``). An area
    event's place must be a feature of ``layers`` (the only outlines the browser can fetch).
    Raises ValueError when one is not. Column by column: no Python object per event."""
    count = len(events)
    is_area = area_rows(events)
    area_rows_at = np.flatnonzero(is_area)
    area_codes = np.zeros(count, dtype=np.uint32)
    # Each distinct area place once, in the order of its first event, as the runtime numbers them.
    place_codes, place_values = pd.factorize(events["place"].iloc[area_rows_at], sort=False)
    areas: list[dict[str, str]] = []
    for code, place in enumerate(place_values):
        layer_id, feature_id = parse_ref(place)
        if layer_id not in layers or feature_id not in layers[layer_id].frame.index:
            row = area_rows_at[np.flatnonzero(place_codes == code)[0]]
            raise ValueError(f"event {events['id'].iloc[row]!r}: place {place!r} is not a feature of the map's "
                             f"layers ({', '.join(layers)}), so its outline cannot be drawn")
        areas.append({"layer": layer_id, "feature": feature_id})
    area_codes[area_rows_at] = place_codes + 1

    # A style is one combination of type, actors, status, location precision and halo.
    style_codes, combinations = style_combinations(
        [*(events[name] for name in STYLE_COLUMNS), halo_metres(events, layers)])
    styles = [[kind, list(actors), status, precision, int(halo)]
              for kind, actors, status, precision, halo in combinations]

    posts = layers["posts"].frame["name"].to_dict() if "posts" in layers else {}
    cited = {} if documents is None else {
        doc_id: {key: value for key, value in
                 (("title", documents[doc_id].title), ("publisher", documents[doc_id].publisher),
                  ("label", documents[doc_id].citation_label), ("url", documents[doc_id].url)) if value}
        for doc_id in events["document"].unique() if doc_id in documents
    }
    wide_styles, wide_areas = len(styles) > 0xFFFF, len(areas) >= 0xFFFF
    header = {
        "count": count, "scale": COORDINATE_SCALE, "styles": styles, "areas": areas,
        "styleBytes": 4 if wide_styles else 2, "areaBytes": 4 if wide_areas else 2,
        "detailsRows": DETAILS_ROWS, "names": {"post": posts}, "documents": cited,
    }
    lon_codes, lat_codes = np.round(lons * COORDINATE_SCALE).astype("<i4"), np.round(lats * COORDINATE_SCALE).astype("<i4")
    columns = [
        lon_codes, lat_codes,
        style_codes.astype("<u4" if wide_styles else "<u2"),
        area_codes.astype("<u4" if wide_areas else "<u2"),
        place_column(lon_codes, lat_codes),
    ]
    return gzip.compress(_pack(header, columns), compresslevel=PUBLISHED_GZIP_LEVEL, mtime=0)


def place_column(lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    """Each row's place among the distinct (lon, lat) pairs, numbered in the order of their first
    row, as ``EVENTS_FILE`` holds it: 0 for a row whose point no earlier row has (the next number),
    else 1 + its place's number. The browser read every row's pair into a hash table to number the
    places, a third of its first draw at a million events (docs/performance.md, "The ids apart");
    mostly zeros where most points are new, the column costs little once gzipped."""
    if len(lons) == 0:
        return np.zeros(0, dtype="<u4")
    pairs = (lons.astype(np.int64) << 32) | (lats.astype(np.int64) & 0xFFFFFFFF)
    codes, _ = pd.factorize(pairs, sort=False)  # numbered in the order of their first row
    seen = np.maximum.accumulate(codes)
    new = np.empty(len(codes), dtype=bool)
    new[0] = True
    new[1:] = codes[1:] > seen[:-1]
    return np.where(new, 0, codes + 1).astype("<u4")


def ids_file(events: pd.DataFrame) -> bytes:
    """``IDS_FILE`` of ``events`` (joined or compact rows, in the rows of ``EVENTS_FILE``)."""
    ids = "\n".join(events["id"].tolist()).encode("utf-8")
    return gzip.compress(ids, compresslevel=PUBLISHED_GZIP_LEVEL, mtime=0)


def read_ids_file(content: bytes) -> list[str]:
    """The ids of an ``IDS_FILE``, one per row."""
    text = gzip.decompress(content).decode("utf-8")
    return text.split("\n") if text else []


def dates_file(events: pd.DataFrame) -> bytes:
    """``DATES_FILE`` of ``events`` (joined events, in the rows of ``EVENTS_FILE``)."""
    columns = [pd.to_datetime(events[column]).to_numpy().astype("datetime64[D]").astype("<i4")
               for column in ("date_first", "date_last")]
    return gzip.compress(b"".join(column.tobytes() for column in columns), compresslevel=PUBLISHED_GZIP_LEVEL, mtime=0)


def read_dates_file(content: bytes) -> tuple[np.ndarray, np.ndarray]:
    """The ``date_first`` and ``date_last`` columns of a ``DATES_FILE`` (datetime64 days)."""
    days = np.frombuffer(gzip.decompress(content), dtype="<i4")
    half = len(days) // 2
    return days[:half].astype("datetime64[D]"), days[half:].astype("datetime64[D]")


def fatalities_file(events: pd.DataFrame) -> bytes:
    """``FATALITIES_FILE`` of ``events`` (joined or compact rows, in the rows of ``EVENTS_FILE``)."""
    values = (events[fatalities.COLUMN].to_numpy(dtype=float, na_value=np.nan) if fatalities.COLUMN in events.columns
              else np.full(len(events), np.nan))
    counts = np.where(np.isnan(values), NOT_REPORTED, values).astype("<i4")
    return gzip.compress(counts.tobytes(), compresslevel=PUBLISHED_GZIP_LEVEL, mtime=0)


def read_fatalities_file(content: bytes) -> np.ndarray:
    """The column of a ``FATALITIES_FILE`` (``NOT_REPORTED`` where none is reported)."""
    return np.frombuffer(gzip.decompress(content), dtype="<i4")


def _pack(header: dict[str, Any], columns: list[np.ndarray]) -> bytes:
    text = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 4)
    parts = [MAGIC, struct.pack("<I", len(text)), text]
    for column in columns:
        raw = column.tobytes()
        parts += [raw, b"\0" * (-len(raw) % 4)]
    return b"".join(parts)


def read_events_file(content: bytes) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The header and columns of an ``EVENTS_FILE`` (the inverse of ``events_file``; the browser's
    reader is ``geo/web/panj-map.js``)."""
    raw = gzip.decompress(content)
    if raw[: len(MAGIC)] != MAGIC:
        raise ValueError("not a Panj events file")
    (length,) = struct.unpack_from("<I", raw, len(MAGIC))
    offset = len(MAGIC) + 4
    header = json.loads(raw[offset: offset + length])
    offset += length
    count, columns = header["count"], {}
    for name, dtype in (("lon", "<i4"), ("lat", "<i4"), ("style", f"<u{header['styleBytes']}"),
                        ("area", f"<u{header['areaBytes']}"), ("place", "<u4")):
        size = count * np.dtype(dtype).itemsize
        columns[name] = np.frombuffer(raw, dtype=dtype, count=count, offset=offset)
        offset += size + (-size % 4)
    return header, columns


# The popup files' columns: (name in the file, column of the joined events).
DETAILS_COLUMNS = (
    ("id", "id"), ("title", "title"), ("summary", "summary"), ("status", "status"), ("date", "date_label"),
    ("precision", "date_precision"), ("actors", "actors"), ("type", "event_type"), ("place", "place_name"),
    ("loc", "location_precision"), ("country", "country"), ("province", "province"), ("gbao", "in_gbao"),
    ("wakhan", "in_wakhan"), ("frontier_km", "frontier_km"), ("post", "nearest_post"),
    ("post_km", "nearest_post_km"), ("usd", "amount_usd"), ("troops", "troops"), ("doc", "document"),
    ("cites", "citations"), ("fatalities", "fatalities"), ("low", "fatalities_low"), ("high", "fatalities_high"),
)
_ROUNDED = {"frontier_km": 1, "nearest_post_km": 1}


STYLE_COLUMNS = ("event_type", "actors", "status", "location_precision")  # what a symbol's look depends on


def style_combinations(columns: Sequence[Sequence[Any]]) -> tuple[np.ndarray, list[tuple[Any, ...]]]:
    """Each row's code among the distinct combinations of ``columns`` (one value per row in each),
    and those combinations in the order of their first row. Each column is coded on its own, the
    codes combined into one number and the numbers coded again: no Python object per row."""
    parts = [pd.factorize(column, sort=False) for column in columns]
    combined = np.zeros(len(parts[0][0]) if parts else 0, dtype=np.int64)
    for codes, uniques in parts:
        combined = combined * len(uniques) + codes
    row_codes, values = pd.factorize(combined, sort=False)
    combinations = []
    for value in values:
        picks = []
        for _codes, uniques in reversed(parts):
            value, code = divmod(int(value), len(uniques))
            picks.append(uniques[code])
        combinations.append(tuple(reversed(picks)))
    return row_codes, combinations


def halo_metres(events: pd.DataFrame, layers: Mapping[str, Layer]) -> np.ndarray:
    """The radius in metres of the dashed halo around each event's point (0: none): the stated
    precision of the place it stands on when that place gives one (a post's
    ``location_precision_m``: Shaymak's 30 km, not a district's 20), else ``HALO_METRES`` of its
    location precision; an exact event has none. Only an event on a point place shows it."""
    # Few features state one (the posts): looked up by reference, not per event.
    stated = {f"{layer_id}:{feature_id}": float(metres) for layer_id, layer in layers.items()
              if "location_precision_m" in layer.frame
              for feature_id, metres in layer.frame["location_precision_m"].dropna().items()}
    # Column-wise (a million imported events): the radius of each precision once, by its code.
    precision = events["location_precision"].astype("category")
    codes = precision.cat.codes.to_numpy()
    radii = np.array([HALO_METRES.get(term, 0) for term in precision.cat.categories] + [0], dtype=np.int64)
    halos = radii[codes]  # code -1 (no precision) reads the trailing 0
    if stated:
        at_place = np.flatnonzero(events["place"].isin(list(stated)).to_numpy(dtype=bool)
                                  & (precision != "exact").to_numpy(dtype=bool))
        places = np.asarray(events["place"].iloc[at_place], dtype=object)
        halos[at_place] = [int(stated[place]) for place in places]
    return halos


def popup_files(events: pd.DataFrame,
                details: Callable[[pd.DataFrame], pd.DataFrame] | None = None) -> Iterator[tuple[str, bytes]]:
    """The popups' text as (file name, content), ``DETAILS_ROWS`` events to a file
    (``details-<k>.json``: ``{"columns": [...], "rows": [[...]]}``, a row's values in the columns'
    order, null for a missing value), made a slice of the events at a time as they are asked for;
    with ``details``, each slice's joined columns are read through it (compact rows hold no text)."""
    names = [name for name, _ in DETAILS_COLUMNS]
    # Plain data built here, never self-referring: the encoder need not look for cycles.
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode
    block = DETAILS_ROWS * _POPUP_BLOCK_CHUNKS
    for first in range(0, len(events), block):
        # Many short-lived, acyclic objects (rows, texts): reference counting frees them, while the
        # cycle collections they would set off walk the whole long-lived heap (the page's data).
        collecting = gc.isenabled()
        gc.disable()
        try:
            part = events.iloc[first: first + block]
            rows = _popup_rows(part if details is None else details(part))
            made = [(f"details-{(first + start) // DETAILS_ROWS}.json",
                     encode({"columns": names, "rows": rows[start: start + DETAILS_ROWS]}).encode("utf-8"))
                    for start in range(0, len(rows), DETAILS_ROWS)]
        finally:
            if collecting:
                gc.enable()
        yield from made


def _popup_rows(events: pd.DataFrame) -> list[tuple[Any, ...]]:
    values = []
    for _, column in DETAILS_COLUMNS:
        # Only the fatalities may be missing: joined events carry no estimates (geo.fatalities.DETAIL_COLUMNS).
        if column in fatalities.DETAIL_COLUMNS and column not in events.columns:
            values.append([None] * len(events))
            continue
        series = events[column]
        if column in _ROUNDED:
            series = series.round(_ROUNDED[column])
        if series.dtype == bool:
            values.append(series.tolist())
        else:
            values.append(series.astype(object).where(series.notna(), None).tolist())
    return list(zip(*values))


def shown_mask(shown_rows: np.ndarray, count: int) -> str | None:
    """The rows to show (positions in the published events) as base64 of a zlib-compressed bit
    mask, row 0 the most significant bit of the first byte; None when every row is shown. A filter
    that shows few events (or hides few) sends far fewer bytes than one bit a row."""
    if len(shown_rows) == count:
        return None
    bits = np.zeros(count, dtype=bool)
    bits[np.asarray(shown_rows, dtype=np.int64)] = True
    return base64.b64encode(zlib.compress(np.packbits(bits).tobytes(), _GZIP_LEVEL)).decode("ascii")
