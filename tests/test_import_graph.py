"""The package's import graph, read from the source: no module of ``geo`` imports, directly or
through others, a module that imports it back (issue 19: the snapshot removed the last cycle,
``geo.eventdata`` <-> ``geo.mapview``), counting imports inside functions too; and nothing the page
or the command line runs imports the build."""

from __future__ import annotations

import ast
from pathlib import Path

GEO = Path(__file__).resolve().parent.parent / "geo"


def _graph() -> dict[str, set[str]]:
    modules = {".".join(path.relative_to(GEO.parent).with_suffix("").parts).removesuffix(".__init__"): path
               for path in GEO.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                continue
            graph[name] |= {target for target in targets if target in modules and target not in ("geo", name)}
    return graph


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for target in graph[todo.pop()] - seen:
            seen.add(target)
            todo.append(target)
    return seen


def test_the_graph_is_read() -> None:
    graph = _graph()
    assert {"geo.snapshot", "geo.mapview", "geo.eventdata", "geo.bench.maps"} <= set(graph)
    assert "geo.placement" in graph["geo.snapshot"] and "geo.snapshot" in graph["geo.export"]


def test_no_module_imports_itself_through_others() -> None:
    graph = _graph()
    assert [name for name in graph if name in _reachable(graph, name)] == []


def test_the_page_and_the_commands_never_import_the_build() -> None:
    graph = _graph()
    assert "geo.build" not in _reachable(graph, "geo.snapshot")
    assert "geo.build" not in _reachable(graph, "geo.export")
