"""geo.events: partial dates, vocabularies, event loading and its one-pass validation."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from snapshots import load_joined_events

from geo.events import (
    SYMBOLS,
    EventsError,
    PartialDate,
    load_documents,
    load_events,
    load_vocabulary,
    parse_event,
)
from geo.layers import LAYERS_DIR, feature_refs, load_layers
from geo.problems import Problem

FIXTURES = Path(__file__).parent / "fixtures"
SMALL_LAYERS = FIXTURES / "layers_small"
BAD_EVENTS = FIXTURES / "events"
ARTICLE = Path(__file__).resolve().parents[2] / "shared" / "sources" / "edm-v19-i92-tajikistan-afghan-border.txt"
REAL_EVENTS_FILE = LAYERS_DIR / "events" / "edm-v19-i92.json"
real_layers = pytest.mark.skipif(
    not (LAYERS_DIR / "manifest.json").exists(), reason="the derived layers are not built yet"
)


# --- partial dates -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "precision", "first", "last", "label"),
    [
        ("2021", "year", dt.date(2021, 1, 1), dt.date(2021, 12, 31), "2021"),
        ("2022-05", "month", dt.date(2022, 5, 1), dt.date(2022, 5, 31), "May 2022"),
        ("2022-05-11", "day", dt.date(2022, 5, 11), dt.date(2022, 5, 11), "11 May 2022"),
        # February's last day depends on the year
        ("2024-02", "month", dt.date(2024, 2, 1), dt.date(2024, 2, 29), "February 2024"),
        ("2022-02", "month", dt.date(2022, 2, 1), dt.date(2022, 2, 28), "February 2022"),
    ],
)
def test_partial_date(text: str, precision: str, first: dt.date, last: dt.date, label: str) -> None:
    date = PartialDate.parse(text)
    assert (date.precision, date.first_day, date.last_day, date.label) == (precision, first, last, label)
    assert date.iso() == text


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2022-02-30", "day 30 does not exist in February 2022"),
        ("2023-02-29", "day 29 does not exist in February 2023"),
        ("2022-13", "month 13 does not exist"),
        ("2022-00", "month 0 does not exist"),
        ("May 2022", "not of the form"),
        ("2022-5-1", "not of the form"),
        ("22", "not of the form"),
    ],
)
def test_partial_date_rejects(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=re.escape(reason)):
        PartialDate.parse(text)


# --- vocabularies --------------------------------------------------------------------------------

def test_small_vocabulary_loads() -> None:
    vocabulary = load_vocabulary(SMALL_LAYERS)
    assert list(vocabulary.actors) == ["alpha", "beta"]
    assert vocabulary.event_types["meeting"].symbol == "diamond"


@pytest.mark.parametrize(
    ("case", "item", "field", "reason"),
    [
        ("vocab-bad-colour", "actor 'alpha'", "colour", "'blue' is not a hex colour"),
        ("vocab-bad-symbol", "event type 'building'", "symbol", "'octagon' is not one of"),
        ("vocab-duplicate-id", "actor 'alpha'", "id", "duplicate actor id"),
        ("vocab-reserved-id", "actor 'all'", "id", "'all' is reserved"),
    ],
)
def test_vocabulary_problems(case: str, item: str, field: str, reason: str) -> None:
    with pytest.raises(EventsError) as caught:
        load_vocabulary(BAD_EVENTS / case)
    [problem] = caught.value.problems
    message = str(caught.value)
    assert f"{case}/vocabularies.json: {item}, field '{field}': " in message
    assert reason in problem.reason


# --- event validation ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def small() -> dict:
    layers = load_layers(SMALL_LAYERS)
    return {"vocabulary": load_vocabulary(SMALL_LAYERS), "place_refs": feature_refs(layers)}


def test_small_events_load(small: dict) -> None:
    events = load_events(SMALL_LAYERS, **small)
    assert [event.id for event in events] == [
        "post-ayvoj", "post-shaymak", "kabul-meeting", "gbao-area", "wakhan-area", "on-frontier",
    ]
    ayvoj = events[0]
    assert ayvoj.document == "test-doc"
    assert ayvoj.actors == ("alpha", "beta")
    assert ayvoj.amount_usd == 1100000
    kabul = events[2]
    assert kabul.citations[0].source_date == dt.date(2022, 6, 2)
    assert (kabul.status, kabul.start, kabul.reported.iso(), kabul.date_basis) == ("occurred", None, "2022-05-14", "reported")


# One row per kind of problem: each fixture directory holds one events file with exactly that defect.
BAD_CASES = [
    ("unknown-place", "event 'good-event'", "place", "unknown place reference 'places:atlantis'"),
    ("unknown-actor", "event 'good-event'", "actors", "unknown actor 'martians'"),
    ("unknown-event-type", "event 'good-event'", "event_type", "unknown event type 'picnic'"),
    ("impossible-day", "event 'good-event'", "start", "invalid date '2022-02-30': day 30 does not exist in February 2022"),
    ("impossible-month", "event 'good-event'", "start", "invalid date '2022-13': month 13 does not exist"),
    ("malformed-date", "event 'good-event'", "start", "invalid date 'May 2022': not of the form YYYY"),
    ("end-before-start", "event 'good-event'", "end", "2022-04 is before start 2022-05-11"),
    ("missing-citation", "event 'good-event'", "citations", "missing required field"),
    ("missing-citation-paragraph", "event 'good-event'", "citations[1].paragraph", "missing required field"),
    ("missing-field", "event 'good-event'", "title", "missing required field"),
    ("missing-id", "event #1", "id", "missing required field"),
    ("unknown-field", "event 'good-event'", "colour", "unknown field"),
    ("bad-source-date", "event 'good-event'", "citations[1].source_date", "'2022-06-31' is not a date YYYY-MM-DD"),
    # The model of status, dates and citations (docs/ARCHITECTURE.md, "Events").
    ("unknown-status", "event 'good-event'", "status", "'rumoured' is not one of occurred, ongoing, planned, announced"),
    ("ongoing-without-as-of", "event 'good-event'", "as_of", "required for an ongoing event"),
    ("ongoing-with-end", "event 'good-event'", "end", "an ongoing event has no end"),
    ("as-of-before-start", "event 'good-event'", "as_of", "2022-04 is before start 2022-05"),
    ("start-and-reported", "event 'good-event'", "reported", "given with start"),
    ("no-start-or-reported", "event 'good-event'", "start", "missing: give start (the event's own date) or reported"),
    ("as-of-on-occurred", "event 'good-event'", "as_of", "only an ongoing event has as_of (this one is occurred)"),
    ("planned-for-on-occurred", "event 'good-event'", "planned_for", "only a planned or announced event has planned_for"),
    ("empty-citations", "event 'good-event'", "citations", "must be a non-empty list"),
    ("citation-bad-url", "event 'good-event'", "citations[2].url", "must be an http or https address"),
    ("old-citation-field", "event 'good-event'", "citation", "renamed: write 'citations', a list of"),
]


@pytest.mark.parametrize(("case", "item", "field", "reason"), BAD_CASES, ids=[row[0] for row in BAD_CASES])
def test_event_problem(small: dict, case: str, item: str, field: str, reason: str) -> None:
    with pytest.raises(EventsError) as caught:
        load_events(BAD_EVENTS / case, **small)
    [problem] = caught.value.problems
    assert problem.file.name == f"{case}.json"
    assert (problem.item, problem.field) == (item, field)
    assert reason in problem.reason
    # The message a person reads names all four: file, event, field and reason.
    assert f"{case}/events/{case}.json: {item}, field '{field}': " in str(caught.value)
    assert reason in str(caught.value)


def test_duplicate_id_across_files(small: dict) -> None:
    with pytest.raises(EventsError) as caught:
        load_events(BAD_EVENTS / "duplicate-id-across-files", **small)
    [problem] = caught.value.problems
    assert (problem.file.name, problem.item, problem.field) == ("b.json", "event 'same-id'", "id")
    assert "duplicate event id" in problem.reason and "a.json" in problem.reason


def test_duplicate_document_id_across_files(small: dict) -> None:
    with pytest.raises(EventsError) as caught:
        load_events(BAD_EVENTS / "duplicate-document-id", **small)
    [problem] = caught.value.problems
    assert (problem.file.name, problem.item, problem.field) == ("b.json", "document", "id")
    assert "duplicate document id 'doc-a'" in problem.reason and "a.json" in problem.reason
    with pytest.raises(EventsError, match=r"b\.json: document, field 'id': duplicate document id 'doc-a'"):
        load_documents(BAD_EVENTS / "duplicate-document-id")


def test_document_fields_have_their_types(small: dict) -> None:
    with pytest.raises(EventsError, match=r"bad-document-volume\.json: document, field 'volume': must be a whole number"):
        load_events(BAD_EVENTS / "bad-document-volume", **small)


def test_every_problem_in_one_pass(small: dict) -> None:
    with pytest.raises(EventsError) as caught:
        load_events(BAD_EVENTS / "three-problems", **small)
    found = [(problem.item, problem.field) for problem in caught.value.problems]
    assert found == [("event 'first'", "place"), ("event 'second'", "start"), ("event 'third'", "citations")]
    assert str(caught.value).startswith("3 problems in event data:")


def test_no_events_directory_means_no_events(small: dict, tmp_path: Path) -> None:
    assert load_events(tmp_path, **small) == []


# --- the article's events ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def article_events() -> list:
    layers = load_layers(LAYERS_DIR)
    return load_events(LAYERS_DIR, vocabulary=load_vocabulary(LAYERS_DIR), place_refs=feature_refs(layers))


def test_vocabulary_is_well_formed() -> None:
    vocabulary = load_vocabulary(LAYERS_DIR)
    for terms in (vocabulary.actors, vocabulary.event_types):
        assert all(term.symbol in SYMBOLS for term in terms.values())
        # Every term distinct on the map: no two share both colour and symbol.
        assert len({(term.colour, term.symbol) for term in terms.values()}) == len(terms)
    assert len({term.colour for term in vocabulary.actors.values()}) == len(vocabulary.actors)


@real_layers
def test_article_events_load(article_events: list) -> None:
    assert len(article_events) >= 15
    assert {event.document for event in article_events} == {"edm-v19-i92"}
    # The article's body has 11 paragraphs, counted from "In the ten months since...".
    assert {citation.paragraph for event in article_events for citation in event.citations} <= set(range(1, 12))


@real_layers
def test_every_actor_is_used(article_events: list) -> None:
    used = {actor for event in article_events for actor in event.actors}
    assert used == set(load_vocabulary(LAYERS_DIR).actors)


@real_layers
@pytest.mark.parametrize(
    ("event_id", "status", "start", "reported", "as_of", "paragraph", "source_date"),
    [
        # "Last month (May)" in a June 2022 article: an announcement, not fighting
        ("nrf-offensive-panjshir-valley", "announced", "2022-05", None, None, 1, dt.date(2022, 5, 8)),
        ("majlisi-oli-russian-grant", "occurred", "2022-05-11", None, None, 8, dt.date(2022, 5, 11)),
        # the mission's own date is given; the source is dated later
        ("chuianzoda-kabul-mission", "occurred", "2022-05-14", None, None, 9, dt.date(2022, 6, 2)),
        # four days after 14 May
        ("gbao-counterterrorism-operation", "occurred", "2022-05-18", None, None, 10, dt.date(2022, 6, 12)),
        # "last November" seen from June 2022, still going on when the article was written
        ("gbao-protests", "ongoing", "2021-11", None, "2022-06", 10, None),
        # "late 2021": only the TASS report's day is exact, and the post "would" be built
        ("russia-announces-border-post", "announced", None, "2021-12-27", None, 8, dt.date(2021, 12, 27)),
        ("hekmatyar-threat", "occurred", None, "2022-05-10", None, 7, dt.date(2022, 5, 10)),
        # a plan reported on 1 September 2021, not a 2022 event (issue 13)
        ("us-funds-ayvoj-post", "planned", None, "2021-09-01", None, 3, dt.date(2021, 9, 1)),
        # "persistently": reported from the first of its two citations on, no span of report dates
        ("tajikistan-demands-inclusive-government", "ongoing", None, "2021-09-10", "2022-06", 6, dt.date(2021, 9, 10)),
        # "has also sought": reported in November 2021 and again in May 2022, still so in June 2022
        ("tajikistan-backs-massoud", "ongoing", None, "2021-11-01", "2022-06", 6, dt.date(2021, 11, 1)),
        ("russia-201st-stationed", "ongoing", "1991", None, "2022-06", 8, None),
    ],
)
def test_article_dates(article_events: list, event_id: str, status: str, start: str | None, reported: str | None,
                       as_of: str | None, paragraph: int, source_date) -> None:
    event = next(event for event in article_events if event.id == event_id)
    def iso(date):
        return date.iso() if date else None
    assert (event.status, iso(event.start), iso(event.reported), iso(event.as_of)) == (status, start, reported, as_of)
    assert (event.citations[0].paragraph, event.citations[0].source_date) == (paragraph, source_date)


@real_layers
def test_no_article_event_has_a_span_of_report_dates(article_events: list) -> None:
    # Nothing in the article is said to have ended (issue 13): no event has an end.
    assert [event.id for event in article_events if event.end is not None] == []
    assert next(e for e in article_events if e.id == "us-funds-ayvoj-post").planned_for.iso() == "2022"


# The article's events that it places nowhere stand on the country: (place, first day, last day,
# citations' dates), by hand from ¶6 (two reports each, true as of the article's June 2022).
@real_layers
@pytest.mark.parametrize(("event_id", "place", "first", "last", "reports"), [
    ("tajikistan-demands-inclusive-government", "countries:tajikistan", dt.date(2021, 9, 10), dt.date(2022, 6, 30),
     [dt.date(2021, 9, 10), dt.date(2021, 10, 26)]),
    ("tajikistan-backs-massoud", "countries:tajikistan", dt.date(2021, 11, 1), dt.date(2022, 6, 30),
     [dt.date(2021, 11, 1), dt.date(2022, 5, 9)]),
])
def test_unplaced_article_events_stand_on_the_country_for_their_span(event_id, place, first, last, reports) -> None:
    row = load_joined_events().set_index("id").loc[event_id]
    assert (row["place"], row["location_precision"]) == (place, "country")
    assert (row["date_first"], row["date_last"]) == (first, last)
    assert [citation["source_date"] for citation in row["citations"]] == [day.isoformat() for day in reports]


@real_layers
def test_article_figures(article_events: list) -> None:
    by_id = {event.id: event for event in article_events}
    assert by_id["us-security-funding"].amount_usd == 300_000_000
    assert "lower bound" in by_id["us-security-funding"].amount_note
    assert by_id["majlisi-oli-russian-grant"].amount_usd == 1_100_000
    assert by_id["russia-201st-strength"].troops == 7000


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9$]+(?:'[a-z]+)?", text.lower().replace("\u2019", "'"))


def _shingles(text: str, size: int = 9) -> set[tuple[str, ...]]:
    words = _words(text)
    return {tuple(words[i:i + size]) for i in range(len(words) - size + 1)}


@pytest.mark.skipif(not ARTICLE.exists(), reason="the article is not beside the clone")
def test_no_nine_word_run_of_the_article() -> None:
    import json

    article = _shingles(ARTICLE.read_text(encoding="utf-8"))
    data = json.loads(REAL_EVENTS_FILE.read_text(encoding="utf-8"))
    texts = {event["id"]: f"{event['title']}\n{event['summary']}" for event in data["events"]}
    texts["document notes"] = "\n".join(data["document"]["notes"])
    copied = {name: [" ".join(run) for run in _shingles(text) & article] for name, text in texts.items()}
    assert {name: runs for name, runs in copied.items() if runs} == {}


def test_documents_are_loaded_with_a_citation_label():
    documents = load_documents()
    article = documents["edm-v19-i92"]
    assert (article.volume, article.issue, article.date.iso()) == (19, 92, "2022-06")
    assert article.citation_label == "Jamestown Foundation – Eurasia Daily Monitor, vol. 19, no. 92 (June 2022)"


# --- addresses of the document and of cited sources ----------------------------------------------

def _small_events_with(tmp_path: Path, document: dict | None = None, citation: dict | None = None) -> Path:
    """A copy of the small fixture's events file, its document block and first citation updated."""
    import json

    data = json.loads((SMALL_LAYERS / "events" / "test-doc.json").read_text(encoding="utf-8"))
    data["document"].update(document or {})
    data["events"][0]["citations"][0].update(citation or {})
    (tmp_path / "events").mkdir()
    (tmp_path / "events" / "test-doc.json").write_text(json.dumps(data), encoding="utf-8")
    return tmp_path


def test_document_and_citation_addresses_are_kept(small: dict, tmp_path: Path) -> None:
    layers_dir = _small_events_with(tmp_path, {"url": "https://example.org/article"},
                                    {"url": "http://example.org/source?id=1"})
    events = load_events(layers_dir, **small)
    assert events[0].citations[0].url == "http://example.org/source?id=1"
    assert events[1].citations[0].url is None  # optional
    assert load_documents(layers_dir)["test-doc"].url == "https://example.org/article"


@pytest.mark.parametrize("address", [
    "javascript:alert(1)", "data:text/html,<b>x</b>", "ftp://example.org/file", "/relative/path", "example.org",
    "https://", "https://exa mple.org/", "https://example.org/\nx", "", 42,
])
def test_addresses_must_be_http_or_https(small: dict, tmp_path: Path, address) -> None:
    layers_dir = _small_events_with(tmp_path, {"url": address}, {"url": address})
    with pytest.raises(EventsError) as caught:
        load_events(layers_dir, **small)
    found = [(problem.file.name, problem.item, problem.field) for problem in caught.value.problems]
    assert found == [("test-doc.json", "document", "url"), ("test-doc.json", "event 'post-ayvoj'", "citations[1].url")]
    assert all("http or https address" in problem.reason for problem in caught.value.problems)


def test_the_article_names_its_address() -> None:
    # Confirmed against the publisher's page: Eurasia Daily Monitor, volume 19, issue 92.
    assert load_documents()["edm-v19-i92"].url == (
        "https://jamestown.org/program/russia-china-and-the-us-assist-tajikistan-in-strengthening-its-troubled-border-with-afghanistan/"
    )


# The web host of each cited publisher, written from the pages found for docs/DATA.md ("Addresses of
# the cited reports"); a citation may carry an address only on its own publisher's host.
SOURCE_HOSTS = {
    "ASIA-Plus": "asiaplustj.info",
    "Eurasia Daily Monitor": "jamestown.org",
    "TASS": "tass.com",
    "The Straits Times": "straitstimes.com",
}

# The cited reports whose own page was found, and its address (docs/DATA.md).
FOUND_REPORTS = {
    ("ASIA-Plus", "2022-05-10"): "https://www.asiaplustj.info/en/news/world/20220510/"
                                 "by-providing-asylum-to-afghan-opposition-tajikistan-declares-war-against-afghanistan-says-hekmatyar",
    ("TASS", "2021-12-27"): "https://tass.com/defense/1381573",
    ("The Straits Times", "2021-10-29"): "https://www.straitstimes.com/asia/east-asia/"
                                         "china-to-build-tajikistan-police-base-to-secure-afghan-border",
}


def _shipped_citations() -> list[dict]:
    """Every citation of the shipped events file, read as plain JSON (not through geo.events)."""
    data = json.loads(REAL_EVENTS_FILE.read_text(encoding="utf-8"))
    return [citation for event in data["events"] for citation in event["citations"]]


def test_every_citation_address_is_https_on_its_publishers_host() -> None:
    for citation in _shipped_citations():
        if citation.get("url") is None:
            continue
        parts = urlsplit(citation["url"])
        where = (citation["source"], citation["source_date"], citation["url"])
        assert parts.scheme == "https", where
        host = SOURCE_HOSTS.get(citation["source"])
        assert host is not None, f"no host known for {where}: add the publisher to SOURCE_HOSTS"
        assert parts.hostname == host or parts.hostname.endswith("." + host), where


def test_exactly_the_found_reports_carry_their_addresses() -> None:
    addressed = {(c["source"], c["source_date"]): c.get("url") for c in _shipped_citations() if c.get("url")}
    assert addressed == FOUND_REPORTS
    # A report cited twice carries its address both times.
    for citation in _shipped_citations():
        key = (citation["source"], citation["source_date"])
        assert citation.get("url") == FOUND_REPORTS.get(key), key


# --- one entry, as an import would check it -------------------------------------------------------

def test_parse_event_checks_one_entry_and_reports_every_problem(small: dict) -> None:
    problems: list[Problem] = []
    entry = {
        "id": "imported", "title": "An imported event", "summary": "From another source.", "status": "ongoing",
        "start": "2022-05", "end": "2022-06", "planned_for": "2023", "actors": ["alpha"], "event_type": "meeting",
        "place": "posts:ayvoj", "location_precision": "exact",
        "citations": [{"paragraph": 1, "source": "A", "source_date": None},
                      {"paragraph": 0, "source": "B", "source_date": "2022-06-31", "url": "ftp://example.org"}],
    }
    event = parse_event(entry, path=Path("import.json"), item="event 'imported'", document_id="doc",
                        problems=problems, **small)
    assert event is None
    assert [(problem.file.name, problem.item, problem.field) for problem in problems] == [
        ("import.json", "event 'imported'", "end"),
        ("import.json", "event 'imported'", "as_of"),
        ("import.json", "event 'imported'", "planned_for"),
        ("import.json", "event 'imported'", "citations[2].url"),
        ("import.json", "event 'imported'", "citations[2].paragraph"),
        ("import.json", "event 'imported'", "citations[2].source_date"),
    ]


def test_parse_event_returns_the_event(small: dict) -> None:
    problems: list[Problem] = []
    entry = {
        "id": "plan", "title": "A plan", "summary": "Reported, not done.", "status": "planned", "reported": "2021-09-01",
        "planned_for": "2022", "actors": ["alpha"], "event_type": "building", "place": "posts:ayvoj",
        "location_precision": "exact",
        "citations": [{"paragraph": 3, "source": "Embassy", "source_date": "2021-09-01", "url": "https://example.org/a"}],
    }
    event = parse_event(entry, path=Path("import.json"), item="event 'plan'", document_id="doc", problems=problems, **small)
    assert problems == []
    assert (event.status, event.start, event.reported.iso(), event.planned_for.iso(), event.date_basis) == (
        "planned", None, "2021-09-01", "2022", "reported")
    assert event.citations[0].url == "https://example.org/a"
