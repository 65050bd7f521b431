"""HTML fragments for the notebooks: headings and sentence lists, every value escaped so that
text from a corpus or a config file shows as text and never runs as markup.

Escaping markup is not enough for text from the wild: a right-to-left override (U+202E) makes
what follows display reversed, a NUL byte corrupts the page, a lone surrogate cannot even be
written as UTF-8. :func:`visible` shows such characters as their code point (``[U+202E]``);
exports (CSV, Parquet, metrics.json) keep the original text.
"""

from __future__ import annotations

import html
import re

from negtrend.data.calendar import Election
from negtrend.data.paths import source_label
from negtrend.report import lang as languages

# C0 controls but tab and newlines, DEL, bidi marks, embeddings, overrides and isolates,
# and lone surrogates
_HIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u061c\u200e\u200f\u202a-\u202e"
                     "\u2066-\u2069\ud800-\udfff]")


def visible(text) -> str:
    """``text`` with controls that hide or reorder text shown as ``[U+XXXX]``."""
    return _HIDDEN.sub(lambda m: f"[U+{ord(m.group()):04X}]", str(text))


def escape(text) -> str:
    """Safe to put in HTML: controls made visible, then markup escaped."""
    return html.escape(visible(text), quote=True)


def intro_html(lang: str = "en") -> str:
    title, body = languages.get(lang).INTRO
    return f"<h1>{escape(title)}</h1><p>{escape(body)}</p>"


def heading_html(election: Election, data: str, lang: str = "en") -> str:
    words = languages.get(lang).HEADING
    return (f"<h2>{escape(election.name)}</h2><p>{words['data']}: "
            f"<code>{escape(source_label(data))}</code> &middot; {words['election_id']} "
            f"<code>{escape(election.id)}</code></p>")


def section_html(name: str, lang: str = "en") -> str:
    return f"<h2>{escape(languages.get(lang).SECTIONS[name])}</h2>"


def subheading_html(text: str) -> str:
    return f"<h3>{escape(str(text))}</h3>"


def sentences_html(sentences: list[str]) -> str:
    """A bulleted list; every sentence escaped."""
    items = "".join(f"<li>{escape(s)}</li>" for s in sentences)
    return f'<ul class="negtrend-sentences">{items}</ul>'


def cross_election_intro_html(runs: int, window: str, lang: str = "en") -> str:
    words = languages.get(lang)
    title, body = words.CROSS_ELECTION
    text = body.format(window=words.WINDOWS.get(window, window), runs=runs)
    return f"<h1>{escape(title)}</h1><p>{escape(text)}</p>"
