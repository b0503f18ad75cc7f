"""A figure title typed on the command line is text, never a template: exported as a PDF, its
text reads exactly as typed (the PDF keeps the title as text, so pdftotext reads it back)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from payloads import TEMPLATE

from geo.cli import main

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")]


@pytest.mark.parametrize("title", TEMPLATE)
def test_a_template_title_prints_as_typed(tmp_path: Path, title: str) -> None:
    out = tmp_path / "figure.pdf"
    assert main(["export", "--out", str(out), "--format", "pdf", "--title", title, "--no-locator"]) == 0
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert " ".join(title.split()) in " ".join(text.split())
    assert os.getcwd() not in text and "\n49\n" not in f"\n{text}\n"
