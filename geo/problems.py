"""Validation problems of data files, reported all at once: file, item, field and reason.

Every loader of a file the project reads (manifest, layers, basemaps, vocabularies, events,
scenes) records a ``Problem`` for each thing wrong and keeps going, then raises one
``ProblemsError`` subclass listing them all. The helpers below are the checks they share.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one item of a data file."""

    file: Path
    item: str  # e.g. "event 'nrf-offensive'", "event #3", "actor 'russia'", "scene 'russia'"
    field: str | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.item}, field '{self.field}'" if self.field else self.item
        return f"{self.file}: {where}: {self.reason}"


class ProblemsError(ValueError):
    """A data file failed validation; ``problems`` holds every problem found, in one pass."""

    subject = "data"  # what failed, for the message: "3 problems in event data"

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        count = len(self.problems)
        lines = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in {self.subject}:\n{lines}")

    def __reduce__(self) -> tuple[type[ProblemsError], tuple[list[Problem]]]:
        # Made again from its problems, not its message: an import's reading process sends it back
        # pickled (geo.store's _read_aside).
        return type(self), (self.problems,)


def read_json(path: Path, problems: list[Problem]) -> Any:
    """The parsed file, or None after recording why it cannot be read."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(Problem(path, "file", None, "file not found"))
    except json.JSONDecodeError as error:
        problems.append(Problem(path, "file", None, f"invalid JSON at line {error.lineno} column {error.colno}: {error.msg}"))
    return None


def item_label(kind: str, entry: Any, position: int, key: str = "id") -> str:
    """Name an item by its id (the field ``key``) when it has a usable one, else by its 1-based
    position."""
    item_id = entry.get(key) if isinstance(entry, dict) else None
    return f"{kind} {item_id!r}" if isinstance(item_id, str) and item_id else f"{kind} #{position}"


def check_fields(
    path: Path, item: str, entry: dict[str, Any], required: tuple[str, ...], optional: tuple[str, ...], problems: list[Problem]
) -> None:
    """Record each required field that is missing and each field that is neither required nor optional."""
    for name in required:
        if name not in entry:
            problems.append(Problem(path, item, name, "missing required field"))
    for name in sorted(set(entry) - set(required) - set(optional)):
        problems.append(Problem(path, item, name, "unknown field"))
