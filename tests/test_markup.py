"""geo/markup.py and every path text takes to the map document: text is never a template, never
Markdown, never HTML. (The page in a real browser: tests/test_browser_hostile.py.)"""

from __future__ import annotations

import json
import os
import re
import string
from pathlib import Path

import pytest
import streamlit as st
from conftest import run_page
from payloads import (
    ACTOR_NAME,
    DOCUMENT_TITLE,
    EVENT_SUMMARY,
    EVENT_TITLE,
    HOSTILE_QUERIES,
    LAYER_TITLE,
    PLACE_NAME,
    SCENE_CAPTION,
    SECOND_TITLE,
    TEMPLATE,
    write_payload_layers,
)
from snapshots import snapshot_of, with_popups

from geo import assets, figure, layout, mapview
from geo.layers import LAYERS_DIR
from geo.markup import html_text, markdown_label, markdown_text
from geo.placement import home_bounds


@pytest.fixture(scope="module")
def payload_dir(tmp_path_factory) -> Path:
    return write_payload_layers(tmp_path_factory.mktemp("payloads") / "layers")


@pytest.mark.parametrize("character", list(string.punctuation))
def test_markdown_text_escapes_every_ascii_punctuation_character(character: str) -> None:
    # CommonMark: a backslash before any ASCII punctuation character makes it literal.
    assert markdown_text(f"a{character}b").replace("\u2060", "") == f"a\\{character}b"


@pytest.mark.parametrize(("text", "expected"), [
    # U+2060 (invisible) breaks the bare autolinks Markdown would still find after the escapes.
    ("[x](https://e.example)", "\\[x\\]\\(https\\:\u2060\\/\\/e\\.example\\)"),
    ("![t](https://e.example/b.png)", "\\!\\[t\\]\\(https\\:\u2060\\/\\/e\\.example\\/b\\.png\\)"),
    ("www.e.example a@e.example", "www\u2060\\.e\\.example a\\@\u2060e\\.example"),
    ("<img src=x onerror=alert(1)>", r"\<img src\=x onerror\=alert\(1\)\>"),
    (":red[alarm] :material/home: $x$", r"\:red\[alarm\] \:material\/home\: \$x\$"),
    ("line one\nline two\r\n", "line one line two "),
    ("Dushanbe", "Dushanbe"),
])
def test_markdown_text(text: str, expected: str) -> None:
    assert markdown_text(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # A label keeps what cannot make markup on one line, so a screen reader does not read backslashes.
    ("Gorno-Badakhshan (GBAO)", "Gorno-Badakhshan (GBAO)"),
    ("Towns, villages; ports?", "Towns, villages; ports?"),
    ("- a list", "\\- a list"),
    ("12. May", "12\\. May"),
    ("3) third", "3\\) third"),
    ("[x](https://e.example)", "\\[x\\](https\\:\u2060//e.example)"),
    ("![t](b.png)", "\\!\\[t\\](b.png)"),
    (":red[alarm] :material/home: $x$", r"\:red\[alarm\] \:material/home\: \$x\$"),
    ("<img src=x> a*b* _c_ `d` ~e~ #f |g| &amp;", r"\<img src\=x\> a\*b\* \_c\_ \`d\` \~e\~ \#f \|g\| \&amp;"),
    ("www.e.example a@e.example", "www\u2060.e.example a\\@\u2060e.example"),
])
def test_markdown_label(text: str, expected: str) -> None:
    assert markdown_label(text) == expected


def test_markdown_text_shortens_long_values() -> None:
    assert markdown_text("A" * 10_000) == "A" * 499 + "…"
    assert markdown_text("A" * 10_000, limit=None) == "A" * 10_000


def test_html_text() -> None:
    assert html_text('<a href="x">&\'') == "&lt;a href=&quot;x&quot;&gt;&amp;&#x27;"


def _document(layers_dir: Path, title: str) -> str:
    snapshot = with_popups(snapshot_of(layers_dir))
    events = snapshot.events
    view = mapview.MapView(visible_layers=tuple(snapshot.layers), basemap="none", highlight=events["id"].iloc[0])
    fmap = mapview.build_map(snapshot.map_layers, events, snapshot.vocabulary, view, data=snapshot.map_data(),
                             basemaps=snapshot.basemaps, for_export=True)
    figure.add_figure(fmap, figure_layout=layout.figure_layout(1280, 720, subtitle=DOCUMENT_TITLE, caption=SCENE_CAPTION),
                      title=title,
                      subtitle=DOCUMENT_TITLE, bounds=home_bounds(snapshot.layers),
                      sources=[figure.SourceLine(DOCUMENT_TITLE)], caption=SCENE_CAPTION)
    return mapview.standalone_html(fmap)


@pytest.mark.parametrize("title", TEMPLATE)
def test_no_text_becomes_template_source(payload_dir: Path, title: str) -> None:
    document = _document(payload_dir, f"{title} figure-title")  # `{% if %}` no longer fails to compile
    assert os.getcwd() not in document
    # Each payload arrives as the text it was (JSON in scripts, HTML-escaped in markup): had Jinja
    # evaluated it, the literal would be gone. The figure title, event text, place label, document
    # title, and in the legend the actor name and the layer title.
    in_json = [f"{title} figure-title", DOCUMENT_TITLE]
    for text in in_json:
        assert _as_json(text) in document or _as_json(html_text(text)) in document, text
    assert html_text(ACTOR_NAME) in document and html_text(LAYER_TITLE) in document
    # The events' text is not in the document at all: it is data in the popup files, read as such.
    details = re.search(r'"details": "([^"]+/)"', document).group(1)
    popups = "".join(path.read_text(encoding="utf-8")
                     for path in assets.local_file(f"{details}details-0.json").parent.glob("details-*.json"))
    for text in (EVENT_TITLE, EVENT_SUMMARY, SECOND_TITLE, PLACE_NAME):
        assert text not in document and json.dumps(text, ensure_ascii=False)[1:-1] in popups, text


def _as_json(text: str) -> str:
    """``text`` as |tojson writes it inside a JSON string (HTML-unsafe characters as \\u escapes)."""
    escaped = json.dumps(text)[1:-1]
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027")):
        escaped = escaped.replace(char, code)
    return escaped


@pytest.fixture
def payload_page(payload_dir: Path, monkeypatch):
    monkeypatch.setenv("PANJ_LAYERS_DIR", str(payload_dir))
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


@pytest.mark.parametrize("query", [{}, *HOSTILE_QUERIES, {"scene": "offensives"}])
def test_the_page_runs_on_payloads_and_shows_them_as_text(payload_page, query) -> None:
    at = run_page({"basemap": "none", **query})  # fails on any exception
    rendered = [element.value for element in (*at.warning, *at.error, *at.caption)] + [
        box.label for box in at.sidebar.checkbox]
    for value in rendered:
        # No link, image, HTML tag or bare address survives in what Streamlit renders as Markdown.
        for live in (r"(?<!\\)\](?=\()", r"(?<!\\)!(?=\[)", r"(?<!\\)<", "://", "www\\."):
            assert not re.search(live, value), (live, value)
    assert any("Countries" in box.label for box in at.sidebar.checkbox)
    if query.get("scene") == "offensives":
        notes = [element.body for element in at.get("html") if "panj-scene-note" in element.body]
        assert notes and html_text(SCENE_CAPTION) in notes[0]


def test_layer_checkboxes_are_named_by_their_titles_as_written() -> None:
    """A screen reader names a checkbox by its label as written: no backslash in the shipped titles."""
    manifest = json.loads((LAYERS_DIR / "manifest.json").read_text(encoding="utf-8"))
    titles = [layer["title"] for layer in manifest["layers"]]
    assert "Gorno-Badakhshan (GBAO)" in titles
    at = run_page({"basemap": "none"})
    labels = [box.label for box in at.sidebar.checkbox]
    assert all(title in labels for title in titles), labels
