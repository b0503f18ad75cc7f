"""What a search matches, in one place for the store's index (``geo.store``) and the in-memory
path of a snapshot without a store (``geo.filters.EventIndex``) (docs/ARCHITECTURE.md, "Search").

An event matches a search text when every word of the text, folded (``geo.aliases.fold``: accents
and case ignored), is a substring of its title, its summary, its place's name or one of the place's
other spellings (``layers/aliases.json``, "; "-separated as the join gives them). The fields are
folded one by one and joined by a line break; a word never holds whitespace, so no word is found
across two fields, and a word is found in the whole text exactly when it is found in one field.
That is what lets the store index an event's own text (title, summary and, for a place of the
dataset's own, its name) and match the layers' places apart, by reference (``place_texts``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pyarrow as pa
import pyarrow.compute as pc

from geo.aliases import fold
from geo.layers import Layer

SEPARATOR = "\n"  # between the fields of an event's searched text
ALIAS_SEPARATOR = "; "  # between a place's other spellings (geo.join's place_aliases)


def folded(text: str) -> str:
    """``fold(text)``, faster for ASCII text, which has no accent to drop: its fold is its lower case."""
    return text.lower() if text.isascii() else fold(text)


def folded_column(texts: pa.Array | pa.ChunkedArray) -> pa.Array:
    """``fold`` of each string of ``texts`` (a null stays null), worked out by Arrow for the ASCII
    ones (their fold is their lower case) and in Python once per distinct other text: a million
    titles in a fraction of a second where ``fold`` one by one takes seconds."""
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks() if texts.num_chunks else pa.array([], texts.type)
    other = pc.invert(pc.fill_null(pc.string_is_ascii(texts), True))
    lowered = pc.ascii_lower(texts)
    if not pc.any(other).as_py():
        return lowered
    distinct = pc.dictionary_encode(texts.filter(other))
    folds = pa.array([fold(text) for text in distinct.dictionary.to_pylist()], pa.string())
    return pc.replace_with_mask(lowered, other, folds.take(distinct.indices))


def words(text: str) -> tuple[str, ...]:
    """The words a search ``text`` asks for, folded, each once, in the order typed."""
    return tuple(dict.fromkeys(fold(text).split()))


def searched_text(fields: Iterable[str | None]) -> str:
    """The folded text a search looks in for ``fields`` (missing ones are empty)."""
    return SEPARATOR.join(folded(field) if isinstance(field, str) else "" for field in fields)


def place_texts(layers: Mapping[str, Layer], aliases: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Place reference -> the folded text a search looks in for an event placed there: the
    feature's name (the ``name`` property, as ``geo.join`` names an event's place) and its other
    spellings from ``aliases`` (``geo.aliases.load_aliases``), for every feature of ``layers``."""
    texts = {}
    for layer_id, layer in layers.items():
        if "name" not in layer.frame:
            continue
        for feature_id, name in zip(layer.frame.index, layer.frame["name"], strict=True):
            ref = f"{layer_id}:{feature_id}"
            texts[ref] = searched_text((name if isinstance(name, str) else None,
                                        ALIAS_SEPARATOR.join(aliases.get(ref, ())) or None))
    return texts


def places_with(word: str, places: Mapping[str, str]) -> list[str]:
    """The references of ``places`` (reference -> folded text, ``place_texts``) whose text holds ``word``."""
    return [ref for ref, text in places.items() if word in text]
