"""geo/problems.py: one error that lists every problem, each with file, item, field and reason."""

from __future__ import annotations

from pathlib import Path

from geo.events import EventsError
from geo.problems import Problem
from geo.scenes import ScenesError


def test_problem_names_file_item_field_and_reason():
    problem = Problem(Path("layers/events/a.json"), "event 'x'", "start", "2022-13 is not a date")
    assert str(problem) == "layers/events/a.json: event 'x', field 'start': 2022-13 is not a date"
    assert str(Problem(Path("s.json"), "file", None, "file not found")) == "s.json: file: file not found"


def test_errors_count_and_list_every_problem_with_their_subject():
    problems = [Problem(Path("a.json"), "event #1", "id", "missing"), Problem(Path("a.json"), "event #2", None, "not an object")]
    assert str(EventsError(problems)).splitlines() == [
        "2 problems in event data:", "  - a.json: event #1, field 'id': missing", "  - a.json: event #2: not an object",
    ]
    assert str(ScenesError(problems[:1])).splitlines()[0] == "1 problem in the scenes:"
