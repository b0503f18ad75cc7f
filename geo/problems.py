"""Validation problems of data files, reported all at once: file, item, field and reason."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


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
