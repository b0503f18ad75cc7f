"""Events reported by source documents, and the vocabularies that classify them.

Events live in ``layers/events/*.json`` (one file per source document) and the actor and
event-type vocabularies in ``layers/vocabularies.json``. Loading validates everything in one pass:
a bad file raises one error that lists every problem, each naming the file, the event, the field
and the reason, so nothing is ever half loaded.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from geo.layers import ID_PATTERN, LAYERS_DIR
from geo.problems import Problem, ProblemsError, check_fields, item_label, read_json

VOCABULARY_NAME = "vocabularies.json"
EVENTS_DIR_NAME = "events"

# Symbols the map draws on its canvas; a vocabulary term must use one of them.
SYMBOLS = ("circle", "square", "triangle", "triangle-down", "diamond", "star", "cross", "x", "pentagon", "hexagon")
# What an event is (docs/ARCHITECTURE.md, "Events"): it happened, it holds as of a date, or it is
# intended or declared and not reported as done.
STATUSES = ("occurred", "ongoing", "planned", "announced")
PLAN_STATUSES = ("planned", "announced")
LOCATION_PRECISIONS = ("exact", "locality", "district", "province", "region", "country")

EVENT_REQUIRED = (
    "id", "title", "summary", "status", "actors", "event_type", "place", "location_precision", "citations",
)
EVENT_OPTIONAL = ("start", "end", "reported", "as_of", "planned_for", "amount_usd", "amount_note", "troops")
# Fields of the earlier model, named in a problem so an old file says what to write instead.
RENAMED_FIELDS = {
    "citation": "renamed: write 'citations', a list of {paragraph, source, source_date, url}",
    "date_basis": "removed: give 'start' for the event's own date, or 'reported' when only a report's date is known",
}
CITATION_FIELDS = ("paragraph", "source", "source_date")
CITATION_OPTIONAL = ("url",)
DOCUMENT_REQUIRED = ("id", "title", "publisher", "date")
DOCUMENT_OPTIONAL = ("volume", "issue", "author", "url", "notes")
TERM_FIELDS = ("id", "name", "colour", "symbol")
# Not usable as an actor or event-type id: in a page URL, ?actor=all means "no actor filter".
RESERVED_ID = "all"

WEB_ADDRESS_REASON = "must be an http or https address, like https://example.org/page"

_HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_PARTIAL = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_DATES_REMEMBERED = 8192  # distinct date texts whose parse is kept: over 20 years of days
# What a well-formed entry or citation holds, as sets: most rows of an import have every required
# field and no other, and are told so by two set tests instead of a check per field.
_EVENT_KNOWN = frozenset(EVENT_REQUIRED + EVENT_OPTIONAL)
_EVENT_NEEDED = frozenset(EVENT_REQUIRED)
_CITATION_KNOWN = frozenset(CITATION_FIELDS + CITATION_OPTIONAL)
_CITATION_NEEDED = frozenset(CITATION_FIELDS)


# --- partial dates -------------------------------------------------------------------------------

@dataclass(frozen=True)
class PartialDate:
    """A calendar date known to the year, the month or the day, as sources give them."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.year <= 9999:
            raise ValueError(f"year {self.year} is out of range")
        if self.month is None:
            if self.day is not None:
                raise ValueError("a day needs a month")
            return
        if not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} does not exist")
        if self.day is not None:
            days = calendar.monthrange(self.year, self.month)[1]
            if not 1 <= self.day <= days:
                raise ValueError(f"day {self.day} does not exist in {calendar.month_name[self.month]} {self.year}")

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """Read ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; the form gives the precision."""
        match = _ISO_PARTIAL.fullmatch(text) if isinstance(text, str) else None
        if match is None:
            raise ValueError("not of the form YYYY, YYYY-MM or YYYY-MM-DD")
        year, month, day = (int(part) if part else None for part in match.groups())
        return cls(year, month, day)  # type: ignore[arg-type]  # the year group always matches

    @property
    def precision(self) -> str:
        """``"year"``, ``"month"`` or ``"day"``."""
        if self.day is not None:
            return "day"
        return "month" if self.month is not None else "year"

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    @property
    def last_day(self) -> dt.date:
        month = self.month or 12
        return dt.date(self.year, month, self.day or calendar.monthrange(self.year, month)[1])

    @property
    def label(self) -> str:
        """Human form at the date's own precision: ``2021``, ``May 2022``, ``11 May 2022``."""
        if self.month is None:
            return str(self.year)
        month = calendar.month_name[self.month]
        return f"{self.day} {month} {self.year}" if self.day is not None else f"{month} {self.year}"

    def iso(self) -> str:
        parts = [f"{self.year:04d}"] + [f"{part:02d}" for part in (self.month, self.day) if part is not None]
        return "-".join(parts)

    def __str__(self) -> str:
        return self.iso()


class EventsError(ProblemsError):
    """Events or vocabularies failed validation; ``problems`` holds every problem found."""

    subject = "event data"


# --- vocabularies --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Term:
    """An actor or an event type, and how the map draws it."""

    id: str
    name: str
    colour: str  # "#rrggbb"
    symbol: str  # one of SYMBOLS


@dataclass(frozen=True)
class Vocabulary:
    actors: dict[str, Term]  # in file order
    event_types: dict[str, Term]
    # Imported actors left in their import's grey (geo.colours): the legend gives them one row.
    others: frozenset[str] = frozenset()


def load_vocabulary(layers_dir: Path = LAYERS_DIR) -> Vocabulary:
    """Read and validate ``vocabularies.json``; raises EventsError listing every problem."""
    path = Path(layers_dir) / VOCABULARY_NAME
    problems: list[Problem] = []
    raw = read_json(path, problems)
    if raw is None:
        raise EventsError(problems)
    if not isinstance(raw, dict) or set(raw) != {"actors", "event_types"}:
        raise EventsError([Problem(path, "file", None, 'expected an object with exactly "actors" and "event_types"')])
    actors = _terms(path, "actor", raw["actors"], problems)
    event_types = _terms(path, "event type", raw["event_types"], problems)
    if problems:
        raise EventsError(problems)
    return Vocabulary(actors=actors, event_types=event_types)


def _terms(path: Path, kind: str, entries: Any, problems: list[Problem]) -> dict[str, Term]:
    if not isinstance(entries, list) or not entries:
        problems.append(Problem(path, f"{kind} list", None, "must be a non-empty list"))
        return {}
    terms: dict[str, Term] = {}
    for position, entry in enumerate(entries, start=1):
        item = item_label(kind, entry, position)
        if not isinstance(entry, dict):
            problems.append(Problem(path, item, None, "not an object"))
            continue
        before = len(problems)
        check_fields(path, item, entry, TERM_FIELDS, (), problems)
        if len(problems) > before:
            continue
        term_id, name, colour, symbol = (entry[name] for name in TERM_FIELDS)
        if not isinstance(term_id, str) or not ID_PATTERN.fullmatch(term_id):
            problems.append(Problem(path, item, "id", "must be lower-case letters, digits and hyphens"))
        elif term_id in terms:
            problems.append(Problem(path, item, "id", f"duplicate {kind} id"))
        elif term_id == RESERVED_ID:
            problems.append(Problem(path, item, "id", f"{RESERVED_ID!r} is reserved (it means 'no filter' in page URLs)"))
        if not isinstance(name, str) or not name.strip():
            problems.append(Problem(path, item, "name", "must be a non-empty string"))
        if not isinstance(colour, str) or not _HEX_COLOUR.fullmatch(colour):
            problems.append(Problem(path, item, "colour", f"{colour!r} is not a hex colour like #1f77b4"))
        if symbol not in SYMBOLS:
            problems.append(Problem(path, item, "symbol", f"{symbol!r} is not one of {', '.join(SYMBOLS)}"))
        if len(problems) == before:
            terms[term_id] = Term(term_id, name, colour.lower(), symbol)
    return terms


# --- events --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Citation:
    """Where a document reports an event: its paragraph, and the source the document itself cites."""

    paragraph: int  # 1-based, by the document's own paragraph convention
    source: str
    source_date: dt.date | None
    url: str | None = None  # the cited source's address (http or https), when known


@dataclass(frozen=True)
class Event:
    """One event as its document reports it. Exactly one of ``start`` (the event's own date) and
    ``reported`` (the date a source reported it, when that is all that is known) is set."""

    id: str
    document: str  # id of the source document the event comes from
    title: str
    summary: str
    status: str  # one of STATUSES
    start: PartialDate | None
    end: PartialDate | None  # only with start, never on an ongoing event
    reported: PartialDate | None
    as_of: PartialDate | None  # ongoing events only: when the event was stated to hold
    planned_for: PartialDate | None  # planned/announced only: when the plan says it will happen
    actors: tuple[str, ...]
    event_type: str
    place: str  # feature reference "<layer>:<feature>"
    location_precision: str
    citations: tuple[Citation, ...]  # at least one
    amount_usd: float | None = None
    amount_note: str | None = None
    troops: int | None = None

    @property
    def date_basis(self) -> str:
        """``"event"`` when the event's own date is known, ``"reported"`` when only a report's is."""
        return "event" if self.start is not None else "reported"

    @property
    def anchor(self) -> PartialDate:
        """The date the event is placed at: its start, else its report date."""
        anchor = self.start or self.reported
        assert anchor is not None  # parse_event guarantees exactly one of the two
        return anchor


@dataclass(frozen=True)
class Document:
    """A source document events come from: an article, a report, a dataset export."""

    id: str
    title: str
    publisher: str
    date: PartialDate
    volume: int | None = None
    issue: int | None = None
    url: str | None = None  # the document's address (http or https), when known

    @property
    def citation_label(self) -> str:
        """'Publisher, vol. 19, no. 92 (June 2022)': how a figure's sources line names it."""
        parts = [self.publisher]
        if self.volume is not None:
            parts.append(f"vol. {self.volume}")
        if self.issue is not None:
            parts.append(f"no. {self.issue}")
        return f"{', '.join(parts)} ({self.date.label})"


def load_documents(layers_dir: Path = LAYERS_DIR) -> dict[str, Document]:
    """The document block of every ``events/*.json`` file, by document id, validated."""
    problems: list[Problem] = []
    documents: dict[str, Document] = {}
    for path in sorted((Path(layers_dir) / EVENTS_DIR_NAME).glob("*.json")):
        raw = read_json(path, problems)
        if raw is None:
            continue
        block = raw.get("document") if isinstance(raw, dict) else None
        document_id = _document_id(path, block, problems)
        if not document_id:
            continue
        if document_id in documents:
            problems.append(Problem(path, "document", "id", f"duplicate document id {document_id!r} (one file per document)"))
            continue
        documents[block["id"]] = Document(
            id=block["id"], title=block["title"], publisher=block["publisher"],
            date=PartialDate.parse(block["date"]), volume=block.get("volume"), issue=block.get("issue"),
            url=block.get("url"),
        )
    if problems:
        raise EventsError(problems)
    return documents


def load_events(
    layers_dir: Path = LAYERS_DIR, *, vocabulary: Vocabulary, place_refs: set[str]
) -> list[Event]:
    """Every event of every ``events/*.json`` file (in file-name order), validated in one pass.

    ``place_refs`` is the set of feature references events may point at (``geo.layers.feature_refs``).
    Raises EventsError listing every problem of every file; returns nothing until all are valid.
    """
    files = sorted((Path(layers_dir) / EVENTS_DIR_NAME).glob("*.json"))
    problems: list[Problem] = []
    events: list[Event] = []
    first_seen: dict[str, Path] = {}
    document_files: dict[str, Path] = {}
    for path in files:
        file_events = _events_in_file(path, vocabulary, place_refs, problems)
        if file_events:
            document_id = file_events[0].document
            if document_files.setdefault(document_id, path) != path:
                problems.append(Problem(path, "document", "id", f"duplicate document id {document_id!r} (also in {document_files[document_id]})"))
        for event in file_events:
            if event.id in first_seen:
                problems.append(Problem(path, f"event {event.id!r}", "id", f"duplicate event id (also in {first_seen[event.id]})"))
                continue
            first_seen[event.id] = path
            events.append(event)
    if problems:
        raise EventsError(problems)
    return events


def _events_in_file(path: Path, vocabulary: Vocabulary, place_refs: set[str], problems: list[Problem]) -> list[Event]:
    raw = read_json(path, problems)
    if raw is None:
        return []
    if not isinstance(raw, dict) or set(raw) != {"document", "events"}:
        problems.append(Problem(path, "file", None, 'expected an object with exactly "document" and "events"'))
        return []
    document_id = _document_id(path, raw["document"], problems)
    if not isinstance(raw["events"], list):
        problems.append(Problem(path, "file", "events", "must be a list"))
        return []
    events = []
    seen: set[str] = set()
    for position, entry in enumerate(raw["events"], start=1):
        item = item_label("event", entry, position)
        event = parse_event(entry, path=path, item=item, document_id=document_id, vocabulary=vocabulary,
                            place_refs=place_refs, problems=problems)
        if event is None:
            continue
        if event.id in seen:
            problems.append(Problem(path, item, "id", "duplicate event id in this file"))
            continue
        seen.add(event.id)
        events.append(event)
    return events


def _document_id(path: Path, document: Any, problems: list[Problem]) -> str:
    if not isinstance(document, dict):
        problems.append(Problem(path, "document", None, "must be an object"))
        return ""
    before = len(problems)
    check_fields(path, "document", document, DOCUMENT_REQUIRED, DOCUMENT_OPTIONAL, problems)
    document_id = document.get("id")
    if "id" in document and (not isinstance(document_id, str) or not ID_PATTERN.fullmatch(document_id)):
        problems.append(Problem(path, "document", "id", "must be lower-case letters, digits and hyphens"))
    if "date" in document:
        _partial_date(path, "document", "date", document["date"], problems)
    for name in ("title", "publisher", "author"):
        if name in document and (not isinstance(document[name], str) or not document[name].strip()):
            problems.append(Problem(path, "document", name, "must be a non-empty string"))
    if "url" in document and not _web_address(document["url"]):
        problems.append(Problem(path, "document", "url", WEB_ADDRESS_REASON))
    for name in ("volume", "issue"):
        if name in document and (isinstance(document[name], bool) or not isinstance(document[name], int)):
            problems.append(Problem(path, "document", name, "must be a whole number"))
    notes = document.get("notes", [])
    if not isinstance(notes, list) or not all(isinstance(note, str) and note.strip() for note in notes):
        problems.append(Problem(path, "document", "notes", "must be a list of non-empty strings"))
    return document_id if len(problems) == before else ""


def parse_event(
    entry: Any,
    *,
    path: Path,
    item: str,
    document_id: str,
    vocabulary: Vocabulary,
    place_refs: set[str],
    problems: list[Problem],
) -> Event | None:
    """One raw event entry validated: the Event, or None after recording every problem found in
    it in ``problems`` (each naming ``path``, ``item``, the field and the reason). A nested field is
    named like ``citations[2].source_date``, counting citations from 1. An empty ``document_id``
    (the document block is invalid) records nothing more but returns None."""
    if not isinstance(entry, dict):
        problems.append(Problem(path, item, None, "not an object"))
        return None
    before = len(problems)

    def bad(field: str, reason: str) -> None:
        problems.append(Problem(path, item, field, reason))

    fields = entry.keys()
    if not (fields <= _EVENT_KNOWN and fields >= _EVENT_NEEDED):  # else no field is missing, unknown or renamed
        renamed = {"citation": "citations"}
        required = EVENT_REQUIRED if not any(old in entry for old in renamed) else tuple(
            name for name in EVENT_REQUIRED if not any(old in entry and new == name for old, new in renamed.items()))
        check_fields(path, item, entry, required, EVENT_OPTIONAL + tuple(RENAMED_FIELDS), problems)
        for name, reason in RENAMED_FIELDS.items():
            if name in entry:
                bad(name, reason)
    get = entry.get

    if "id" in entry and (not isinstance(get("id"), str) or not ID_PATTERN.fullmatch(get("id"))):
        bad("id", "must be lower-case letters, digits and hyphens")
    for field in ("title", "summary"):
        if field in entry and (not isinstance(get(field), str) or not get(field).strip()):
            bad(field, "must be a non-empty string")

    status = get("status")
    if "status" in entry and status not in STATUSES:
        bad("status", f"{status!r} is not one of {', '.join(STATUSES)}")
    dates = {name: _partial_date(path, item, name, get(name), problems) if name in entry else None
             for name in ("start", "end", "reported", "as_of", "planned_for")}
    _check_dates(entry, status, dates, bad)

    if "location_precision" in entry and get("location_precision") not in LOCATION_PRECISIONS:
        bad("location_precision", f"{get('location_precision')!r} is not one of {', '.join(LOCATION_PRECISIONS)}")
    actors = get("actors")
    if "actors" in entry:
        if not isinstance(actors, list) or not actors or not all(isinstance(a, str) for a in actors):
            bad("actors", "must be a non-empty list of actor ids")
        else:
            for actor in actors:
                if actor not in vocabulary.actors:
                    bad("actors", f"unknown actor {actor!r}")
            if len(set(actors)) != len(actors):
                bad("actors", "lists an actor twice")
    if "event_type" in entry and get("event_type") not in vocabulary.event_types:
        bad("event_type", f"unknown event type {get('event_type')!r}")
    if "place" in entry and get("place") not in place_refs:
        bad("place", f"unknown place reference {get('place')!r} (expected <layer>:<feature> of a loaded layer)")

    if "amount_usd" in entry and not _positive_number(get("amount_usd")):
        bad("amount_usd", "must be a positive number")
    if "amount_note" in entry:
        if not isinstance(get("amount_note"), str) or not get("amount_note").strip():
            bad("amount_note", "must be a non-empty string")
        elif "amount_usd" not in entry:
            bad("amount_note", "given without amount_usd")
    if "troops" in entry and not (_positive_number(get("troops")) and isinstance(get("troops"), int)):
        bad("troops", "must be a positive whole number")

    citations = _citations(get("citations"), bad) if "citations" in entry else ()

    if len(problems) > before or not document_id:
        return None
    return Event(
        id=entry["id"],
        document=document_id,
        title=entry["title"],
        summary=entry["summary"],
        status=status,
        start=dates["start"],
        end=dates["end"],
        reported=dates["reported"],
        as_of=dates["as_of"],
        planned_for=dates["planned_for"],
        actors=tuple(actors),
        event_type=entry["event_type"],
        place=entry["place"],
        location_precision=entry["location_precision"],
        citations=citations,
        amount_usd=get("amount_usd"),
        amount_note=get("amount_note"),
        troops=get("troops"),
    )


def _check_dates(entry: dict[str, Any], status: Any, dates: dict[str, PartialDate | None],
                 bad: Callable[[str, str], None]) -> None:
    """The date rules of docs/ARCHITECTURE.md ("Events"): a span is the event's own dates only;
    a report date stands alone; ``as_of`` belongs to ongoing events, ``planned_for`` to plans."""
    start, end, reported, as_of = dates["start"], dates["end"], dates["reported"], dates["as_of"]
    if "start" in entry and "reported" in entry:
        bad("reported", "given with start: an event has either its own start date or one reported date, not both")
    elif "start" not in entry and "reported" not in entry:
        bad("start", "missing: give start (the event's own date) or reported (when only a report's date is known)")
    if "end" in entry:
        if "start" not in entry:
            bad("end", "needs start: an end closes the event's own span (a reported date has no span)")
        elif start and end and end.last_day < start.first_day:
            bad("end", f"{end.iso()} is before start {start.iso()}")
        if status == "ongoing":
            bad("end", "an ongoing event has no end: it is true as of its as_of date")
    if status == "ongoing" and "as_of" not in entry:
        bad("as_of", "required for an ongoing event: the date it was stated to hold")
    if "as_of" in entry and status in STATUSES and status != "ongoing":
        bad("as_of", f"only an ongoing event has as_of (this one is {status})")
    anchor = start or reported
    if as_of and anchor and as_of.last_day < anchor.first_day:
        bad("as_of", f"{as_of.iso()} is before {'start' if start else 'reported'} {anchor.iso()}")
    if "planned_for" in entry and status in STATUSES and status not in PLAN_STATUSES:
        bad("planned_for", f"only a planned or announced event has planned_for (this one is {status})")


def _citations(raw: Any, bad: Callable[[str, str], None]) -> tuple[Citation, ...]:
    """The event's citations; every problem of every citation goes to ``bad``."""
    if not isinstance(raw, list) or not raw:
        bad("citations", "must be a non-empty list of {paragraph, source, source_date, url} objects")
        return ()
    citations = []
    for number, entry in enumerate(raw, start=1):
        citation = _citation(entry, f"citations[{number}]", bad)
        if citation is not None:
            citations.append(citation)
    return tuple(citations)


def _citation(raw: Any, field: str, bad: Callable[[str, str], None]) -> Citation | None:
    if not isinstance(raw, dict):
        bad(field, "must be an object with paragraph, source and source_date")
        return None
    reasons: list[tuple[str, str]] = []
    fields = raw.keys()
    if not (fields <= _CITATION_KNOWN and fields >= _CITATION_NEEDED):  # else none missing or unknown
        for name in CITATION_FIELDS:
            if name not in raw:
                reasons.append((name, "missing required field"))
        for name in sorted(set(raw) - set(CITATION_FIELDS) - set(CITATION_OPTIONAL)):
            reasons.append((name, "unknown field"))
    if "url" in raw and not _web_address(raw["url"]):
        reasons.append(("url", WEB_ADDRESS_REASON + " (leave it out when unknown)"))
    paragraph = raw.get("paragraph")
    if "paragraph" in raw and (isinstance(paragraph, bool) or not isinstance(paragraph, int) or paragraph < 1):
        reasons.append(("paragraph", "must be a paragraph number (1 or more)"))
    source = raw.get("source")
    if "source" in raw and (not isinstance(source, str) or not source.strip()):
        reasons.append(("source", "must be a non-empty string"))
    source_date = None
    if raw.get("source_date") is not None:
        source_date = _full_date(raw["source_date"])
        if source_date is None:
            reasons.append(("source_date", f"{raw['source_date']!r} is not a date YYYY-MM-DD (or null)"))
    for name, reason in reasons:
        bad(f"{field}.{name}", reason)
    if reasons:
        return None
    return Citation(paragraph=paragraph, source=source, source_date=source_date, url=raw.get("url"))


# --- shared helpers ------------------------------------------------------------------------------

def _partial_date(path: Path, item: str, field: str, value: Any, problems: list[Problem]) -> PartialDate | None:
    parsed = _remembered_date(value) if isinstance(value, str) else _date_or_reason(value)
    if isinstance(parsed, str):
        problems.append(Problem(path, item, field, f"invalid date {value!r}: {parsed}"))
        return None
    return parsed


def _date_or_reason(value: Any) -> PartialDate | str:
    """``PartialDate.parse`` of ``value``, or why it is no partial date."""
    try:
        return PartialDate.parse(value)
    except ValueError as error:
        return str(error)


# The same, for text, remembered: an import's rows repeat a few thousand dates (PartialDate is frozen).
_remembered_date = lru_cache(maxsize=_DATES_REMEMBERED)(_date_or_reason)


def _full_date(value: Any) -> dt.date | None:
    """A real calendar day written YYYY-MM-DD, else None."""
    return _remembered_day(value) if isinstance(value, str) else None


@lru_cache(maxsize=_DATES_REMEMBERED)  # an import's citations repeat a few thousand source dates
def _remembered_day(value: str) -> dt.date | None:
    if not _ISO_DAY.fullmatch(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _web_address(value: Any) -> bool:
    """An absolute http(s) address with a host and no spaces or control characters: the map links
    to it, so nothing else (javascript:, data:, a relative path) may pass."""
    if not isinstance(value, str) or re.search(r"[\s\x00-\x1f\x7f]", value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _positive_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0
