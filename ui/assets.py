"""The page's own CSS and JavaScript under ``static/``, read once per process."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


@st.cache_resource(show_spinner=False, max_entries=16)  # a handful of files under static/
def static_text(name: str) -> str:
    """A file of ``static/``, as text."""
    return (STATIC_DIR / name).read_text(encoding="utf-8")
