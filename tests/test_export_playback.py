"""panj export --animate: a playback of the events as a video (geo.export.export_playback,
encode_video), its options, and a scene's playback. The counts per month are worked out by hand
from layers/events/edm-v19-i92.json; the video's size, frame count and codec are read with ffprobe."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from geo import cli
from geo.layers import LAYERS_DIR

PLAY = ["--animate", "month", "--from", "2021-08", "--to", "2022-06"]

# Month by month, August 2021 to June 2022, "this period": (label, events shown, of them lighter).
# Lighter are the events whose days reach beyond the month: the five known since before August 2021
# and running to June 2022 (Russia's and the US's security assistance, China's, the 201st division,
# the Taliban's claims of calm from August 2021), and from their first months Tajikistan's demand for
# an inclusive government (10 Sep 2021 on), its backing of Massoud and the GBAO protests (both from
# November 2021), and in May and June 2022 the GBAO disturbances (24 May on) and the deadly unrest
# (18 May on). Whole: the takeover (August 2021), the Ayvoj plan (1 Sep), Shaymak (29 Oct), the
# Russian post (27 Dec), six May 2022 events and ten June 2022 ones.
HAND_TABLE = [
    ("August 2021", 6, 5),
    ("September 2021", 7, 6),
    ("October 2021", 7, 6),
    ("November 2021", 8, 8),
    ("December 2021", 9, 8),
    ("January 2022", 8, 8),
    ("February 2022", 8, 8),
    ("March 2022", 8, 8),
    ("April 2022", 8, 8),
    ("May 2022", 16, 10),
    ("June 2022", 20, 10),
]


def _count_text(shown: int, lighter: int) -> str:
    return f"{shown} events, {lighter} lighter"


@pytest.mark.parametrize(("options", "message"), [
    (["--animate", "month", "--from", "2021-08", "--out", "play.webm"],
     "--animate month: give the playback's first and last period with --from and --to"),
    (["--animate", "fortnight", "--from", "2021-08", "--to", "2022-06", "--out", "play.webm"],
     "argument --animate: invalid choice: 'fortnight'"),
    ([*PLAY, "--out", "play.png"], "--out play.png: --animate writes a video: the name must end in .webm, .mp4 or .gif"),
    (PLAY, "--animate month: give --out FILE.webm|.mp4|.gif, --frames DIR or both"),
    (["--out", "play.webm"], "--out play.webm: a video is a playback: add --animate STEP"),
    ([*PLAY, "--out", "play.webm", "--fps", "0"], "--fps 0: must be a number of frames a second above 0, at most 60"),
    ([*PLAY, "--out", "play.webm", "--fps", "nan"], "--fps nan: must be a number"),
    (["--out", "map.png", "--fps", "2"], "--mode, --fps and --frames are for a playback: add --animate STEP"),
    (["--out", "map.png", "--mode", "upto"], "--mode, --fps and --frames are for a playback"),
    ([*PLAY, "--out", "play.webm", "--mode", "all"], "argument --mode: invalid choice: 'all'"),
    (["--animate", "month", "--from", "2022-06", "--to", "2021-08", "--out", "play.webm"],
     "--from 2022-06 is after --to 2021-08"),
    (["--animate", "day", "--from", "2000", "--to", "2022", "--out", "play.webm"],
     "more than 500 periods of a day: choose a longer step or a shorter range"),
    ([*PLAY, "--out", "play.mp4", "--width", "1921", "--scale", "1"],
     "size 1921×1080 px: a MP4 needs an even width and height"),
    ([*PLAY, "--out", "play.webm", "--format", "pdf"], "--format pdf: is for figures"),
    (["--animate", "month", "--scene", "gbao-unrest", "--out", "play.webm"], "--animate: a scene's playback is its \"play\""),
    (["--scene", "frontier", "--out", "play.webm"], "--scene frontier: has no playback (\"play\" in scenes.json)"),
    (["--scene", "gbao-unrest", "--out", "play.webm", "--mode", "upto"], "--mode: a scene's playback sets its own mode"),
    ([*PLAY, "--frames", "missing/frames"], "--frames missing/frames: folder missing does not exist"),
    ([*PLAY, "--out", "missing/play.webm"], "--out missing/play.webm: folder missing does not exist"),
])
def test_bad_playback_options_exit_2_naming_the_option(
    options: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli.main(["export", *options, "--browser", "/nonexistent"]) == 2
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_help_documents_the_playback(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["export", "--help"]) == 0
    text = capsys.readouterr().out
    for option in ("--animate", "--mode", "--fps", "--frames", ".webm", ".mp4", ".gif"):
        assert option in text
    assert "panj export --animate month --from 2021-08 --to 2022-06 --out play.webm" in text


def _probe(video: Path) -> dict:
    done = subprocess.run(
        ["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
         "-show_entries", "stream=codec_name,width,height,nb_read_frames", "-of", "json", str(video)],
        capture_output=True, text=True, check=True,
    )
    return json.loads(done.stdout)["streams"][0]


def _hashes(folder: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(folder.glob("*.png"))}


def _panj_export(options: list[str], store: Path) -> subprocess.CompletedProcess[str]:
    """``panj export`` in a process of its own, reading a store of its own (none: the shipped events)."""
    environment = {**os.environ, "PANJ_DATA_DIR": str(store)}
    environment.pop("PANJ_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "geo", "export", *options], capture_output=True, text=True,
                          timeout=900, check=False, env=environment, cwd=Path(__file__).parent.parent)


def _frame_lines(out: str) -> list[tuple[str, str]]:
    return re.findall(r"^  (frame-\d{5}\.png): (.+)$", out, flags=re.MULTILINE)


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The acceptance command, with its frames kept; then the frames alone again, into another folder."""
    if shutil.which("ffmpeg") is None:
        pytest.fail("ffmpeg is missing: scripts/test.sh installs Debian's ffmpeg")
    folder = tmp_path_factory.mktemp("play")
    first, second = folder / "frames-1", folder / "frames-2"
    runs = [_panj_export([*PLAY, *options], folder / "store")
            for options in (["--out", str(folder / "play.webm"), "--frames", str(first)], ["--frames", str(second)])]
    return {"folder": folder, "first": first, "second": second, "runs": runs}


def test_the_month_by_month_video_is_1920_by_1080_one_frame_a_month(played: dict) -> None:
    run = played["runs"][0]
    assert run.returncode == 0, run.stderr
    assert _probe(played["folder"] / "play.webm") == {
        "codec_name": "vp9", "width": 1920, "height": 1080, "nb_read_frames": str(len(HAND_TABLE))}
    assert f"{played['folder'] / 'play.webm'} (1920×1080 px, 11 frames at 1 a second" in run.stdout


def test_each_frame_shows_its_month_and_the_events_of_the_hand_table(played: dict) -> None:
    # The label and count are read back from the page before each capture; the exporter also
    # checks that the map drew as many events as the period shows.
    for run in played["runs"]:
        assert run.returncode == 0, run.stderr
        assert _frame_lines(run.stdout) == [
            (f"frame-{number:05d}.png", f"{label}, {_count_text(shown, lighter)}")
            for number, (label, shown, lighter) in enumerate(HAND_TABLE, start=1)]


def test_the_same_inputs_give_the_same_frames_byte_for_byte(played: dict) -> None:
    first, second = _hashes(played["first"]), _hashes(played["second"])
    assert list(first) == [f"frame-{number:05d}.png" for number in range(1, len(HAND_TABLE) + 1)]
    assert first == second
    assert len(set(first.values())) == len(HAND_TABLE)  # and every month's frame differs from the others


def test_all_scenes_writes_a_scenes_playback_as_a_video_beside_its_still(tmp_path: Path) -> None:
    layers = tmp_path / "layers"
    shutil.copytree(LAYERS_DIR, layers)
    scenes = json.loads((layers / "scenes.json").read_text(encoding="utf-8"))
    scenes["scenes"] = [scene for scene in scenes["scenes"] if scene["id"] == "gbao-unrest"]
    (layers / "scenes.json").write_text(json.dumps(scenes), encoding="utf-8")
    out = tmp_path / "handout"
    out.mkdir()
    done = _panj_export(["--all-scenes", str(out), "--layers-dir", str(layers), "--fps", "2"], tmp_path / "store")
    assert done.returncode == 0, done.stderr
    assert sorted(path.name for path in out.iterdir()) == ["01-gbao-unrest.png", "01-gbao-unrest.webm"]
    # The scene plays November 2021 to June 2022: eight months. Its filters keep the GBAO unrest
    # and security operations: the protests (November 2021 on, lighter in each month), the
    # operation and the deadly unrest (18 May 2022), the disturbances (24 May on) and the rally
    # crackdown (June 2022).
    assert _probe(out / "01-gbao-unrest.webm") == {"codec_name": "vp9", "width": 1920, "height": 1080,
                                                    "nb_read_frames": "8"}
    assert [text for _, text in _frame_lines(done.stdout)] == [
        *(f"{month}, 1 event, 1 lighter" for month in ("November 2021", "December 2021", "January 2022",
                                                        "February 2022", "March 2022", "April 2022")),
        "May 2022, 4 events, 3 lighter",
        "June 2022, 4 events, 3 lighter",
    ]


def _plain_frames(folder: Path, colours: list[tuple[int, int, int]]) -> list[Path]:
    from PIL import Image

    paths = []
    for number, colour in enumerate(colours, start=1):
        path = folder / f"frame-{number:05d}.png"
        Image.new("RGB", (64, 36), colour).save(path)
        paths.append(path)
    return paths


@pytest.mark.parametrize(("output", "codec"), [("webm", "vp9"), ("mp4", "h264"), ("gif", "gif")])
def test_encode_video_writes_each_format_with_every_frame(output: str, codec: str, tmp_path: Path) -> None:
    from geo.export import encode_video

    frames = _plain_frames(tmp_path, [(200, 30, 30), (30, 200, 30), (30, 30, 200)])
    encode_video(frames, tmp_path / f"out.{output}", fps=2, output=output)
    assert _probe(tmp_path / f"out.{output}") == {"codec_name": codec, "width": 64, "height": 36, "nb_read_frames": "3"}


def test_encode_video_without_ffmpeg_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from geo.export import ExportError, encode_video

    frames = _plain_frames(tmp_path, [(0, 0, 0)])
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    with pytest.raises(ExportError, match=r"no ffmpeg to encode the video: install ffmpeg \(Debian/Ubuntu: apt-get install ffmpeg\)"):
        encode_video(frames, tmp_path / "out.webm", fps=1, output="webm")
    assert not (tmp_path / "out.webm").exists()
