"""Writes each stretch's from_km/to_km in a layers directory's frontier-stretches.json from the
coordinates it cites, projected onto that directory's frontier (docs/DATA.md, "Frontier stretches"):
km are derived, never typed. Usage: python scripts/frontier_stretches.py [LAYERS_DIR]"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from geo.frontier import STRETCHES_NAME, Frontier, stretch_ranges
from geo.layers import LAYERS_DIR, load_layers


def main(layers_dir: Path) -> None:
    path = layers_dir / STRETCHES_NAME
    frontier = Frontier(load_layers(layers_dir)["frontier"].frame.geometry.union_all())
    updated = stretch_ranges(json.loads(path.read_text(encoding="utf-8")), frontier)
    path.write_text(json.dumps(updated, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for stretch in updated["stretches"]:
        print(f"{stretch['id']}: {stretch['from_km']}-{stretch['to_km']} km")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else LAYERS_DIR)
