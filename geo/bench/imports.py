"""The import benchmark (``panj bench --import``): a synthetic ACLED export, generated with a fixed
seed, imported whole into a new SQLite store and, given one, a PostgreSQL store with PostGIS.

Each store's figure is the whole import as ``panj import`` runs it (``Store.import_file``): in one
transaction, reading what the store holds, then reading and validating the file
(``geo.importers.read_file``) with its accepted rows written a chunk at a time, and the dataset's
search rows. The time is the wall clock's and this process's CPU time (the machine may be shared);
results go to docs/performance.md; timings are never asserted.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import resource
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from geo.importers import ACLED_OPTIONAL, ACLED_REQUIRED
from geo.layers import LAYERS_DIR, load_layers
from geo.store import open_store

SEED = 14  # fixed, so two runs import the same file
DATASET_NAME = "panj bench import"
JITTER_DEGREES = 0.05  # ~5 km around a place of the places layer
# (ACLED event type, sub-event type) pairs the mapping covers, old and new.
_TYPES = (("Battles", "Armed clash"), ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
          ("Violence against civilians", "Attack"), ("Protests", "Peaceful protest"), ("Riots", "Mob violence"),
          ("Strategic developments", "Arrests"), ("Strategic developments", "Agreement"))
# Names the mapping matches, and names it does not (kept as the dataset's own actors).
_ACTORS = ("Taliban", "Military Forces of Tajikistan (1994-)", "NRF: National Resistance Front",
           "Islamic State (Afghanistan)", "Protesters (Tajikistan)", "Civilians (Afghanistan)",
           "Unidentified Armed Group (Afghanistan)", "Military Forces of Russia (2000-)")


@dataclass(frozen=True)
class Measurement:
    store: str  # "sqlite" or "postgis"
    rows: int
    wall_s: float  # the whole import: reading, validating and storing are interleaved
    # The CPU time in it of this process and of the process an SQLite import reads its file in
    # (geo.store's _read_aside); PostgreSQL's server processes not counted.
    cpu_s: float
    peak_mb: float  # the peak resident memory so far of the benchmark process or of its reader, the larger (ru_maxrss)

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.wall_s


def write_acled_export(path: Path, rows: int, *, layers_dir: Path = LAYERS_DIR, seed: int = SEED) -> None:
    """An ACLED-shaped CSV of ``rows`` rows around the places of the places layer, in today's column set."""
    layers = load_layers(layers_dir)
    places, provinces = layers["places"].frame, layers["provinces"].frame
    # Each place's province, as ACLED's admin1 names it: a row known only to its province stands on it.
    admin1 = [next((str(name) for name, area in zip(provinces["name"], provinces.geometry, strict=True)
                    if area.covers(point)), "") for point in places.geometry]
    chooser = random.Random(seed)
    first_day = dt.date(2018, 1, 1)
    columns = [*ACLED_REQUIRED, *(name for name in ACLED_OPTIONAL
                                  if name not in ("data_id", "event_id_no_cnty", "iso3", "gwno", "ally_actor_1", "ally_actor_2"))]
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=columns)
        writer.writeheader()
        for number in range(1, rows + 1):
            index = chooser.randrange(len(places))
            place = places.iloc[index]
            event_type, sub_event_type = chooser.choice(_TYPES)
            day = first_day + dt.timedelta(days=chooser.randrange(6 * 365))
            writer.writerow({
                "event_id_cnty": f"BEN{number}", "event_date": day.isoformat(), "year": day.year,
                "time_precision": chooser.choice("1112"), "event_type": event_type, "sub_event_type": sub_event_type,
                "actor1": chooser.choice(_ACTORS), "actor2": chooser.choice(("", *_ACTORS)),
                "latitude": f"{place.geometry.y + chooser.uniform(-JITTER_DEGREES, JITTER_DEGREES):.4f}",
                "longitude": f"{place.geometry.x + chooser.uniform(-JITTER_DEGREES, JITTER_DEGREES):.4f}",
                "geo_precision": chooser.choice("1123"), "location": place["name"], "country": place.get("country", ""),
                "admin1": admin1[index],
                "source": "Synthetic source", "source_scale": "National",
                "notes": f"Synthetic event {number} near {place['name']}.", "fatalities": chooser.randrange(5),
                "timestamp": 1_650_000_000 + number,
            })


def run(rows: int, *, database_url: str | None = None, layers_dir: Path = LAYERS_DIR,
        report: Callable[[str], None] = lambda line: None) -> list[Measurement]:
    """Import a ``rows``-row export into a new SQLite store, then into ``database_url`` if given
    (its benchmark dataset is deleted afterwards)."""
    results = []
    with tempfile.TemporaryDirectory(prefix="panj-bench-") as folder:
        export = Path(folder) / "acled-synthetic.csv"
        write_acled_export(export, rows, layers_dir=layers_dir)
        report(f"generated {export.name}: {rows:,} rows, {export.stat().st_size / 1024 / 1024:,.1f} MB")
        targets = {"sqlite": f"sqlite:///{Path(folder) / 'bench.sqlite3'}"}
        if database_url:
            targets["postgis"] = database_url
        for kind, url in targets.items():
            with open_store(url) as store:
                started, cpu = time.perf_counter(), _cpu_s()
                # A million rows are over the default size limit, as --max-size lets them be.
                imported, dataset = store.import_file(DATASET_NAME, export, source_file=export.name,
                                                      licence="synthetic", by="benchmark", file_format="acled",
                                                      layers_dir=layers_dir, max_bytes=export.stat().st_size)
                if dataset is None:
                    raise ValueError(f"the synthetic export was refused: {imported.problems()[:3]}")
                result = Measurement(kind, rows, time.perf_counter() - started, _cpu_s() - cpu,
                                     max(resource.getrusage(who).ru_maxrss for who in _WHO) / 1024)
                if kind == "postgis":
                    store.delete(DATASET_NAME, by="benchmark")
            report(f"{kind}: {result.rows:,} rows in {result.wall_s:.1f} s")
            results.append(result)
    return results


_WHO = (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)  # children: the finished import's reading process


def _cpu_s() -> float:
    """CPU seconds of this process and of its finished children, user and system."""
    return sum(usage.ru_utime + usage.ru_stime for usage in map(resource.getrusage, _WHO))


def format_table(results: Sequence[Measurement]) -> str:
    lines = [f"{'store':<8} {'rows':>9} {'wall s':>8} {'CPU s':>8} {'rows/s':>8} {'peak MB':>8}"]
    lines += [f"{r.store:<8} {r.rows:>9,} {r.wall_s:>8.1f} {r.cpu_s:>8.1f} {r.rows_per_s:>8,.0f} {r.peak_mb:>8,.0f}"
              for r in results]
    return "\n".join(lines)
