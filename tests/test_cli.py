"""``panj``: one command line, one convention for exit statuses (0 done, 1 failure, 2 bad usage).

Each command's own behaviour is tested beside its module (test_cli_events.py, test_export.py,
test_bench.py); this file checks what every command shares, through the installed ``panj`` script
and ``python -m geo`` as a user runs them.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import free_port, serving

from geo.cli import main

ROOT = Path(__file__).resolve().parents[1]
PANJ = Path(sys.executable).parent / "panj"
COMMANDS = ("run", "events", "export", "import", "datasets", "bench", "build")
# A bad option of each command: `run` passes unknown options on to Streamlit, so its own --port is the test.
BAD_OPTIONS = {
    "run": ["--port", "eighty"],
    "events": ["--bogus"],
    "export": ["--out", "map.png", "--preset", "a3"],
    "import": ["events.csv", "--name", "x", "--format", "xlsx"],
    "datasets": ["--delete", "a", "--rename", "b", "c"],
    "bench": ["--sizes", "many"],
    "build": ["--bogus"],
}
START_TIMEOUT_S = 60.0

needs_script = pytest.mark.skipif(not PANJ.is_file(), reason="the panj script is not installed (pip install -e .)")


@needs_script
def test_panj_help_lists_every_command(tmp_path: Path) -> None:
    done = subprocess.run([PANJ, "--help"], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert done.returncode == 0
    listed = done.stdout.split("commands:")[1]
    for command in COMMANDS:
        assert f"\n  {command} " in listed
    assert "python -m geo" in done.stdout


@pytest.mark.parametrize("argv", [[], ["draw"], ["--bogus"]])
def test_no_or_an_unknown_command_is_bad_usage(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert "usage: panj" in capsys.readouterr().err


def test_python_m_geo_is_the_same_command() -> None:
    done = subprocess.run([sys.executable, "-m", "geo", "draw"], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 2
    assert "invalid choice: 'draw'" in done.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: panj {command} ")
    assert "exit status" in out


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_refuses_a_bad_option_with_2(
    command: str, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)  # nothing may be written, least of all into the project
    assert main([command, *BAD_OPTIONS[command]]) == 2
    err = capsys.readouterr().err
    assert f"usage: panj {command}" in err and f"panj {command}: error:" in err
    assert list(tmp_path.iterdir()) == []


@needs_script
def test_the_script_exits_2_on_a_bad_option(tmp_path: Path) -> None:
    done = subprocess.run([PANJ, "events", "--format", "kml"], capture_output=True, text=True, cwd=tmp_path,
                          timeout=120)
    assert done.returncode == 2
    assert "invalid choice: 'kml'" in done.stderr and done.stdout == ""


@needs_script
def test_run_serves_the_page_on_the_given_port(tmp_path: Path) -> None:
    # Started from elsewhere: `panj run` finds app.py itself; the other options reach Streamlit.
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with serving([PANJ, "run", "--port", str(port), "--server.headless", "true", "--server.address", "127.0.0.1"],
                 url=url, cwd=tmp_path):
        pass  # serving fails the test unless `panj run` announced the page and /_stcore/health answered
