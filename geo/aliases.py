"""Other spellings of place names, so a search finds a place however a source spells it
(Ayvoj, Aivaj, Ayvadzh). Hand-edited data, ``layers/aliases.json``:
``{"<layer>:<feature>": ["Aivaj", "Ayvadzh", ...], ...}``. The file is optional: without it, places
are found by their names only.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection
from pathlib import Path

from geo.layers import LAYERS_DIR
from geo.problems import Problem, ProblemsError, read_json

ALIASES_NAME = "aliases.json"


class AliasesError(ProblemsError):
    """``aliases.json`` failed validation; ``problems`` lists every problem found."""

    subject = "the place aliases"


def fold(text: str) -> str:
    """``text`` as searches compare it: accents dropped (NFKD, combining marks removed) and case
    folded, so "Khorugh", "KHORUGH" and "Khorúgh" are alike."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def load_aliases(feature_refs: Collection[str], layers_dir: Path = LAYERS_DIR) -> dict[str, tuple[str, ...]]:
    """Place reference -> its other spellings, read from ``aliases.json`` in ``layers_dir`` (empty
    without the file). ``feature_refs`` are the valid ``<layer>:<feature>`` references
    (``geo.layers.feature_refs``). Raises AliasesError listing every problem."""
    path = Path(layers_dir) / ALIASES_NAME
    if not path.exists():
        return {}
    problems: list[Problem] = []
    raw = read_json(path, problems)
    if raw is None:
        raise AliasesError(problems)
    if not isinstance(raw, dict):
        raise AliasesError([Problem(path, "file", None, 'expected an object {"<layer>:<feature>": ["spelling", ...]}')])
    aliases: dict[str, tuple[str, ...]] = {}
    for ref, spellings in raw.items():
        item = f"place {ref!r}"
        before = len(problems)
        if ref not in feature_refs:
            problems.append(Problem(path, item, None, "not a <layer>:<feature> reference of the layers"))
        if not isinstance(spellings, list) or not spellings:
            problems.append(Problem(path, item, None, "must be a non-empty list of spellings"))
            continue
        seen: dict[str, int] = {}
        for position, spelling in enumerate(spellings, start=1):
            field = f"spelling {position}"
            if not isinstance(spelling, str) or not spelling.strip():
                problems.append(Problem(path, item, field, "must be a non-empty string"))
            elif fold(spelling) in seen:
                problems.append(Problem(path, item, field, f"{spelling!r} repeats spelling {seen[fold(spelling)]}"))
            else:
                seen[fold(spelling)] = position
        if len(problems) == before:
            aliases[ref] = tuple(spellings)
    if problems:
        raise AliasesError(problems)
    return aliases
