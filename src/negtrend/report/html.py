"""HTML fragments for the notebooks: headings and sentence lists, every value escaped so that
text from a corpus or a config file shows as text and never runs as markup."""

from __future__ import annotations

import html

from negtrend.data.calendar import Election
from negtrend.data.paths import source_label
from negtrend.report import lang as languages


def intro_html(lang: str = "en") -> str:
    title, body = languages.get(lang).INTRO
    return f"<h1>{html.escape(title)}</h1><p>{html.escape(body)}</p>"


def heading_html(election: Election, data: str, lang: str = "en") -> str:
    words = languages.get(lang).HEADING
    return (f"<h2>{html.escape(election.name)}</h2><p>{words['data']}: "
            f"<code>{html.escape(source_label(data))}</code> &middot; {words['election_id']} "
            f"<code>{html.escape(election.id)}</code></p>")


def section_html(name: str, lang: str = "en") -> str:
    return f"<h2>{html.escape(languages.get(lang).SECTIONS[name])}</h2>"


def subheading_html(text: str) -> str:
    return f"<h3>{html.escape(str(text))}</h3>"


def sentences_html(sentences: list[str]) -> str:
    """A bulleted list; every sentence escaped."""
    items = "".join(f"<li>{html.escape(s)}</li>" for s in sentences)
    return f'<ul class="negtrend-sentences">{items}</ul>'


def cross_election_intro_html(runs: int, window: str, lang: str = "en") -> str:
    words = languages.get(lang)
    title, body = words.CROSS_ELECTION
    text = body.format(window=words.WINDOWS.get(window, window), runs=runs)
    return f"<h1>{html.escape(title)}</h1><p>{html.escape(text)}</p>"
