"""Colours for the actors of imported datasets (docs/ARCHITECTURE.md, "Imported actors' colours").

An import keeps every actor it cannot map to the vocabulary as the dataset's own term, all in one
grey. When a snapshot is built, each dataset's most frequent own actors are given colours of their
own: first those an analyst names in ``layers/actor-colours/<dataset id>.json``, then, round by
round over the datasets in name order, the next candidate of ``layers/actor-palette.json`` that
stays at least ``MIN_DELTA_E`` (CIEDE2000) from the vocabulary's actor colours, the imported grey
and every colour already given. Actors left when the candidates run out keep the grey, and the
legend shows them as one "Other actors" row. The choice depends only on the data, so the same
store and files always give the same colours.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from geo.events import Term, Vocabulary
from geo.layers import LAYERS_DIR
from geo.problems import Problem, ProblemsError, check_fields, read_json

PALETTE_NAME = "actor-palette.json"
NAMED_DIR_NAME = "actor-colours"
# Two actors' colours closer than this (CIEDE2000) are too easily confused; the vocabulary's own
# actor colours keep the same distance (tests/test_vocabulary.py).
MIN_DELTA_E = 20.0

Lab = tuple[float, float, float]

_HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
# D65 white and the sRGB primaries' XYZ (IEC 61966-2-1).
_WHITE = (0.95047, 1.0, 1.08883)
_TO_XYZ = ((0.4124, 0.3576, 0.1805), (0.2126, 0.7152, 0.0722), (0.0193, 0.1192, 0.9505))


class ActorColoursError(ProblemsError):
    """The actor palette failed validation; ``problems`` holds every problem found."""

    subject = "actor colours"


@dataclass(frozen=True)
class ActorColours:
    """The vocabulary with the datasets' own actors coloured (those left grey in its ``others``),
    and what was wrong or doubtful in the analysts' colour files."""

    vocabulary: Vocabulary
    problems: tuple[Problem, ...]  # reported, never stopping the page: a bad entry is skipped


def lab(hex_colour: str) -> Lab:
    """CIELAB (D65) of an sRGB colour ``#rrggbb``."""
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    x, y, z = (sum(weight * value for weight, value in zip(row, linear, strict=True)) / white
               for row, white in zip(_TO_XYZ, _WHITE, strict=True))
    fx, fy, fz = (t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29 for t in (x, y, z))
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def delta_e(first: Lab, second: Lab) -> float:
    """CIEDE2000 difference of two CIELAB colours, kL = kC = kH = 1 (Sharma, Wu and Dalal 2005)."""
    (l1, a1, b1), (l2, a2, b2) = first, second
    chroma = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    stretch = 1 + 0.5 * (1 - math.sqrt(chroma ** 7 / (chroma ** 7 + 25 ** 7)))
    c1, c2 = math.hypot(a1 * stretch, b1), math.hypot(a2 * stretch, b2)
    h1 = math.degrees(math.atan2(b1, a1 * stretch)) % 360 if c1 else 0.0
    h2 = math.degrees(math.atan2(b2, a2 * stretch)) % 360 if c2 else 0.0
    turn = h2 - h1
    if c1 * c2 == 0:
        turn = 0.0
    elif turn > 180:
        turn -= 360
    elif turn < -180:
        turn += 360
    hue_step = 2 * math.sqrt(c1 * c2) * math.sin(math.radians(turn / 2))
    mean_l, mean_c = (l1 + l2) / 2, (c1 + c2) / 2
    if c1 * c2 == 0:
        mean_h = h1 + h2
    elif abs(h1 - h2) <= 180:
        mean_h = (h1 + h2) / 2
    else:
        mean_h = (h1 + h2 + (360 if h1 + h2 < 360 else -360)) / 2
    t = (1 - 0.17 * math.cos(math.radians(mean_h - 30)) + 0.24 * math.cos(math.radians(2 * mean_h))
         + 0.32 * math.cos(math.radians(3 * mean_h + 6)) - 0.20 * math.cos(math.radians(4 * mean_h - 63)))
    s_l = 1 + 0.015 * (mean_l - 50) ** 2 / math.sqrt(20 + (mean_l - 50) ** 2)
    s_c = 1 + 0.045 * mean_c
    s_h = 1 + 0.015 * mean_c * t
    rotation = (-2 * math.sqrt(mean_c ** 7 / (mean_c ** 7 + 25 ** 7))
                * math.sin(math.radians(60 * math.exp(-(((mean_h - 275) / 25) ** 2)))))
    dl, dc, dh = (l2 - l1) / s_l, (c2 - c1) / s_c, hue_step / s_h
    return math.sqrt(dl ** 2 + dc ** 2 + dh ** 2 + rotation * dc * dh)


def load_palette(layers_dir: Path = LAYERS_DIR) -> tuple[str, ...]:
    """The candidate colours of ``actor-palette.json``, in the order they are tried; none when the
    data directory has no such file (its imported actors then keep their grey unless named).
    Raises ActorColoursError listing every problem."""
    path = Path(layers_dir) / PALETTE_NAME
    if not path.exists():
        return ()
    problems: list[Problem] = []
    raw = read_json(path, problems)
    if raw is None:
        raise ActorColoursError(problems)
    if not isinstance(raw, dict):
        raise ActorColoursError([Problem(path, "file", None, 'expected an object with "colours"')])
    check_fields(path, "file", raw, ("colours",), ("notes",), problems)
    colours = raw.get("colours")
    if "colours" in raw and (not isinstance(colours, list) or not colours):
        problems.append(Problem(path, "file", "colours", "must be a non-empty list of hex colours like #1f77b4"))
        colours = []
    seen: set[str] = set()
    for position, colour in enumerate(colours or [], start=1):
        if not isinstance(colour, str) or not _HEX_COLOUR.fullmatch(colour):
            problems.append(Problem(path, f"colour #{position}", None, f"{colour!r} is not a hex colour like #1f77b4"))
        elif colour.lower() in seen:
            problems.append(Problem(path, f"colour #{position}", None, f"{colour} is listed twice"))
        else:
            seen.add(colour.lower())
    if problems:
        raise ActorColoursError(problems)
    return tuple(colour.lower() for colour in colours)


def named_colours(layers_dir: Path, dataset_id: str, own: Mapping[str, Term],
                  problems: list[Problem]) -> dict[str, str]:
    """Actor id -> colour an analyst named in ``actor-colours/<dataset id>.json`` for the dataset's
    own actors ``own`` (by id), each named by the source's name or its namespaced id; empty when the
    dataset has no such file. Each bad entry is recorded in ``problems`` and skipped."""
    path = Path(layers_dir) / NAMED_DIR_NAME / f"{dataset_id}.json"
    if not path.is_file():
        return {}
    raw = read_json(path, problems)
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append(Problem(path, "file", None, 'expected an object with "actors"'))
        return {}
    check_fields(path, "file", raw, ("actors",), ("notes",), problems)
    entries = raw.get("actors", {})
    if not isinstance(entries, dict):
        problems.append(Problem(path, "file", "actors", "must be an object of actor name or id -> hex colour"))
        return {}
    by_name: dict[str, str] = {}
    for term in own.values():
        by_name.setdefault(term.name, term.id)
    chosen: dict[str, str] = {}
    named_by: dict[str, str] = {}
    for key, colour in entries.items():
        item = f"actor {key!r}"
        actor = key if key in own else by_name.get(key)
        if actor is None:
            problems.append(Problem(path, item, None, f"dataset {dataset_id!r} has no actor of its own by this name or id"))
        elif actor in named_by:
            problems.append(Problem(path, item, None, f"names the same actor as {named_by[actor]!r}"))
        elif not isinstance(colour, str) or not _HEX_COLOUR.fullmatch(colour):
            problems.append(Problem(path, item, "colour", f"{colour!r} is not a hex colour like #1f77b4"))
        else:
            chosen[actor] = colour.lower()
            named_by[actor] = key
    return chosen


def colour_actors(vocabulary: Vocabulary, own: Mapping[str, Mapping[str, Term]], events: Iterable[tuple[str, ...]],
                  *, palette: tuple[str, ...], layers_dir: Path = LAYERS_DIR,
                  dataset_ids: Mapping[str, str] | None = None) -> ActorColours:
    """The vocabulary with the own actors of each dataset (``own``: dataset name -> its terms by
    actor id) added, coloured as the module says. ``events`` are the actor ids of every stored
    event (counts decide which actors come first; ties by actor id); ``dataset_ids`` maps a
    dataset's name to the id its colour file is named by (default: the name)."""
    problems: list[Problem] = []
    counts = Counter(actor for actors in events for actor in actors)
    # Every colour an actor's must stay apart from, with what it is, for a warning to name.
    taken = [(f"the vocabulary's actor {term.id!r}", lab(term.colour)) for term in vocabulary.actors.values()]
    taken += [(f"the imported grey {colour}", lab(colour))
              for colour in sorted({term.colour for terms in own.values() for term in terms.values()})]
    coloured: dict[str, str] = {}
    names = sorted(own)
    for name in names:
        dataset_id = (dataset_ids or {}).get(name, name)
        for actor, colour in named_colours(layers_dir, dataset_id, own[name], problems).items():
            label, distance = min(((label, delta_e(lab(colour), value)) for label, value in taken),
                                  key=lambda pair: pair[1])
            if distance < MIN_DELTA_E:
                problems.append(Problem(
                    Path(layers_dir) / NAMED_DIR_NAME / f"{dataset_id}.json", f"actor {own[name][actor].name!r}",
                    "colour", f"warning: {colour} is only {distance:.1f} from {label} (CIEDE2000; "
                              f"{MIN_DELTA_E:.0f} tells colours apart); kept as named"))
            coloured[actor] = colour
            taken.append((f"actor {own[name][actor].name!r}'s {colour}", lab(colour)))
    # Round by round: each dataset's most frequent actor, then each one's second, and so on, so one
    # large dataset does not take every colour. A candidate too close to a colour taken stays too
    # close to it, so the candidates are walked once.
    queues = [sorted((actor for actor in own[name] if actor not in coloured), key=lambda a: (-counts[a], a))
              for name in names]
    candidates = iter(palette)
    for rank in range(max(map(len, queues), default=0)):
        for queue in queues:
            if rank >= len(queue):
                continue
            colour = next((candidate for candidate in candidates
                           if all(delta_e(lab(candidate), value) >= MIN_DELTA_E for _, value in taken)), None)
            if colour is not None:
                coloured[queue[rank]] = colour
                taken.append((f"actor {queue[rank]!r}'s {colour}", lab(colour)))
    actors = dict(vocabulary.actors)
    for name in names:
        for actor, term in own[name].items():
            actors[actor] = replace(term, colour=coloured[actor]) if actor in coloured else term
    others = frozenset(actor for terms in own.values() for actor in terms if actor not in coloured)
    return ActorColours(Vocabulary(actors, vocabulary.event_types, others), tuple(problems))
