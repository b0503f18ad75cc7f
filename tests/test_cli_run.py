"""``panj run --editing``: the mode reaches the page's process as PANJ_EDITING, and a mode the page
could not honour is refused before Streamlit starts (exit status 2). Streamlit is not started:
``os.execv``, where ``panj run`` hands the process over, records what it was given instead."""

from __future__ import annotations

import os

import pytest

from geo.cli import main, store_location


class Started(BaseException):
    """Raised in place of starting Streamlit (not an Exception: panj treats those as bugs and logs them)."""


@pytest.fixture
def started(monkeypatch, tmp_path) -> list[dict]:
    """What ``panj run`` would start: the command and PANJ_EDITING, one entry per start."""
    monkeypatch.chdir(tmp_path)  # panj run moves into the project folder; this restores the test's
    monkeypatch.setenv("PANJ_EDITING", "")  # restored after the test, whatever panj run sets
    monkeypatch.setenv("PANJ_EDITOR_PASSWORD", "")
    starts: list[dict] = []

    def execv(program: str, arguments: list[str]) -> None:
        starts.append({"arguments": arguments[1:], "PANJ_EDITING": os.environ.get("PANJ_EDITING")})
        raise Started

    monkeypatch.setattr(os, "execv", execv)
    return starts


@pytest.mark.parametrize(("argv", "environ", "mode"), [
    ([], {}, "local"),
    (["--editing", "off"], {}, "off"),
    (["--editing", "local"], {"PANJ_EDITING": "off"}, "local"),  # the option wins
    ([], {"PANJ_EDITING": "Off"}, "off"),
    (["--editing", "password"], {"PANJ_EDITOR_PASSWORD": "s3cret"}, "password"),
])
def test_the_editing_mode_reaches_the_page(started, monkeypatch, argv, environ, mode) -> None:
    for variable, value in environ.items():
        monkeypatch.setenv(variable, value)
    with pytest.raises(Started):
        main(["run", *argv, "--server.headless", "true"])
    assert started == [{"arguments": ["-m", "streamlit", "run", "app.py", "--server.headless", "true"],
                        "PANJ_EDITING": mode}]


@pytest.mark.parametrize(("argv", "environ", "error"), [
    (["--editing", "anyone"], {}, "argument --editing: invalid choice: 'anyone'"),
    ([], {"PANJ_EDITING": "anyone"}, "PANJ_EDITING='anyone' is not one of local, password, off"),
    (["--editing", "password"], {}, "editing mode password needs the password in PANJ_EDITOR_PASSWORD"),
    ([], {"PANJ_EDITING": "password"}, "editing mode password needs the password in PANJ_EDITOR_PASSWORD"),
])
def test_a_mode_the_page_cannot_honour_is_bad_usage(started, monkeypatch, capsys, argv, environ, error) -> None:
    for variable, value in environ.items():
        monkeypatch.setenv(variable, value)
    assert main(["run", *argv]) == 2
    assert f"panj run: error: {error}" in capsys.readouterr().err
    assert started == []


def test_help_explains_the_modes_and_the_password_variable(capsys) -> None:
    assert main(["run", "--help"]) == 0
    out = capsys.readouterr().out
    for mode in ("local", "password", "off"):
        assert f"\n  {mode} " in out
    assert "PANJ_EDITOR_PASSWORD" in out and "PANJ_EDITING" in out


@pytest.mark.parametrize(("url", "said"), [
    ("postgresql://panj:s3cret@db.example:5432/panj", "the database postgresql://panj:***@db.example:5432/panj"),
    ("postgresql://panj@db.example/panj", "the database postgresql://panj@db.example/panj"),
    (None, "the SQLite file {data_dir}/panj.sqlite3"),
])
def test_store_location_names_the_file_or_the_url_without_its_password(monkeypatch, tmp_path, url, said) -> None:
    # What scripts/run.sh says before the first run has created the store: nothing is opened.
    monkeypatch.setenv("PANJ_DATA_DIR", str(tmp_path / "data"))
    if url is None:
        monkeypatch.delenv("PANJ_DATABASE_URL", raising=False)
    else:
        monkeypatch.setenv("PANJ_DATABASE_URL", url)
    assert store_location() == said.format(data_dir=tmp_path / "data")
    assert not (tmp_path / "data").exists()
