"""Where text meets markup: text that did not come from the code itself reaches a page as text.

Three channels can turn text into something else, and this module owns all three:

- **Jinja.** branca renders each element's macro output *again* as a template (``Element(text)``
  compiles ``text``), so a title reading ``{{ 7*7 }}`` would print 49 and worse would run on the
  server. Every Panj map element derives from ``DataElement``, whose output is placed in the
  document as it is: data passes through the element's template once, as a value (``|tojson``,
  ``|e``), and never becomes template source.
- **HTML.** ``html_text`` escapes for element content and attribute values.
- **Markdown.** Streamlit renders Markdown in notices, captions, labels and status lines, so a URL
  value such as ``[sign in](https://evil.example)`` would become a live link and ``![](…)`` an
  image fetched from another host. ``markdown_text`` backslash-escapes every ASCII punctuation
  character (CommonMark allows that for all of them), which stops links, images, HTML,
  Streamlit's ``:colour[…]`` and ``:icon:`` directives and ``$`` maths, and folds line breaks so
  one notice stays one paragraph. Escapes do not stop GitHub-style bare autolinks (Streamlit finds
  ``https://…``, ``www.…`` and ``name@host`` in the text after escapes are read), so an invisible
  WORD JOINER (U+2060) is put after ``:`` before ``//``, after ``www`` before ``.`` and after
  ``@``: the text reads the same and no longer matches.

See docs/ARCHITECTURE.md, "Text is never markup".
"""

from __future__ import annotations

import html
import re
import string
from typing import Any

from branca.element import Element, Figure, MacroElement

MAX_SHOWN_CHARS = 500  # a notice repeats at most this much of a value: a URL can carry megabytes

_MARKDOWN_SPECIAL = re.compile("([" + re.escape(string.punctuation) + "])")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")
WORD_JOINER = "\u2060"
_AUTOLINK_STARTS = re.compile(r"(?<=:)(?=//)|(?i:(?<=www))(?=\.)|(?<=@)")


def html_text(value: Any) -> str:
    """``value`` as HTML text: safe as element content and in a quoted attribute value."""
    return html.escape(str(value), quote=True)


def markdown_text(value: Any, *, limit: int | None = MAX_SHOWN_CHARS) -> str:
    """``value`` as Markdown that renders as exactly its text (shortened to ``limit`` characters
    with an ellipsis; ``None`` keeps it whole). Use it for every value Streamlit renders as
    Markdown that did not come from the code itself."""
    text = str(value)
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    text = _AUTOLINK_STARTS.sub(WORD_JOINER, _LINE_BREAKS.sub(" ", text))
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


# Punctuation that cannot make markup inside one line of Markdown once brackets, colons, stars
# and the rest are escaped (a link needs "]("; a list its marker at the start, escaped below).
_LABEL_PLAIN = "-().,'?;\"/"
_LABEL_SPECIAL = re.compile("([" + re.escape("".join(c for c in string.punctuation if c not in _LABEL_PLAIN)) + "])")
_LIST_MARKER = re.compile(r"^(\s*)([-+]|\d+[.)])")


def markdown_label(value: Any, *, limit: int | None = MAX_SHOWN_CHARS) -> str:
    """``markdown_text`` for a widget's label. Streamlit renders a label as Markdown but gives the
    widget its accessible name from the label as written, so a screen reader would read out every
    backslash: only the characters that can still make markup on one line are escaped."""
    text = str(value)
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    text = _AUTOLINK_STARTS.sub(WORD_JOINER, _LINE_BREAKS.sub(" ", text))
    text = _LABEL_SPECIAL.sub(r"\\\1", text)
    return _LIST_MARKER.sub(lambda found: found[1] + found[2][:-1] + "\\" + found[2][-1], text)


class Verbatim(Element):
    """Rendered output of an element, placed in the document as it is (never compiled again)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def render(self, **kwargs: Any) -> str:
        return self._text


class DataElement(MacroElement):
    """A ``MacroElement`` whose ``header``, ``html`` and ``script`` macros are rendered once.

    branca's own ``MacroElement.render`` wraps each macro's output in ``Element(output)``, which
    compiles the output as a new template: data in it would be evaluated by Jinja. This render
    is the same but for that wrapping."""

    def render(self, **kwargs: Any) -> None:
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise TypeError(f"{type(self).__name__} must be inside a branca Figure to render")
        macros = self._template.module.__dict__
        for part in ("header", "html", "script"):
            macro = macros.get(part)
            if macro is not None:
                getattr(figure, part).add_child(Verbatim(str(macro(self, kwargs))), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)
