"""What each section of a notebook shows, as a list of displayable objects (HTML, images,
tables): a template's display cell is ``display(*sections.<name>(...))``.

Every function takes plain results (comparisons, effects, figure paths, sentences) and the
language, never runs a model, and escapes every value that comes from data or config.
"""

from __future__ import annotations

import pandas as pd

from negtrend.report import examples as example_items
from negtrend.report import lang as languages
from negtrend.report.html import (
    heading_html,
    intro_html,
    section_html,
    sentences_html,
    subheading_html,
    visible,
)
from negtrend.report.sentences import (
    claim_sentences,
    comparison_sentences,
    power_how,
    power_sentence,
)
from negtrend.report.tables import ratio_frame, summary_table, window_frame
from negtrend.report.words import summary as effect_summary

MEASURE_FIGURES = ("count_per_day", "share")


def _html(text: str):
    from IPython.display import HTML

    return HTML(text)


def _table(frame: pd.DataFrame) -> pd.DataFrame:
    """A table to display: text cells and labels with hidden controls made visible (pandas
    escapes the markup when it renders the table)."""
    def shown(value):
        if isinstance(value, tuple):
            return tuple(shown(v) for v in value)
        return visible(value) if isinstance(value, str) else value

    out = frame.map(shown)
    out.index = out.index.map(shown)
    out.columns = out.columns.map(shown)
    return out


def _image(paths: list):
    from IPython.display import Image

    return Image(filename=str(paths[0]))


def heading(election, data: str, lang: str = "en") -> list:
    return [_html(intro_html(lang) + heading_html(election, data, lang))]


def finding(lines: list[str], lang: str = "en") -> list:
    """The finding that opens the report (``report.finding``: the claim's verdict, a sentence
    per category, the smallest detectable change, what the data count); empty without one."""
    if not lines:
        return []
    return [_html(section_html("finding", lang)), _html(sentences_html(lines))]


def data(summary: dict, lang: str = "en") -> list:
    return [_html(section_html("data", lang)), _table(summary_table(summary, lang))]


def windows(table: pd.DataFrame, lang: str = "en") -> list:
    return [_html(section_html("windows", lang)), _table(window_frame(table))]


def trend(figures: dict, lang: str = "en") -> list:
    """The trend figures (count per day, and the share when the volume is known)."""
    return [_html(section_html("trend", lang))] + [
        _image(figures[name]) for name in MEASURE_FIGURES if name in figures]


def window_tables(comparisons: list, lang: str = "en") -> list:
    parts = [_html(section_html("table", lang))]
    for comparison in comparisons:
        parts += [_html(subheading_html(comparison.category)),
                  _table(comparison.phase_table.set_index("window"))]
    return parts


def ratios(comparisons: list, adjusted: pd.DataFrame, lang: str = "en") -> list:
    """Every window's rate ratio per category; the adjusted p-values when there are several."""
    parts = [_html(section_html("ratios", lang))]
    parts += [_table(ratio_frame(comparison, lang)) for comparison in comparisons]
    if len(adjusted) > 1:
        parts += [_html(section_html("categories", lang)), _table(adjusted.set_index("category"))]
    return parts


def result(comparisons: list, lang: str = "en") -> list:
    return [_html(section_html("result", lang))] + [
        _html(sentences_html(comparison_sentences(c, lang))) for c in comparisons]


def estimator(name: str, effects: dict, figures: dict, lang: str = "en") -> list:
    """One estimator's section ("its", "event_study", "placebo", "changepoints"): per category
    its result in a sentence and its figure (changepoints: its table of breaks). Empty when
    the report did not run it (the event study needs daily or weekly data)."""
    found = {category: results[name] for category, results in effects.items()
             if name in results}
    if not found:
        return []
    parts = [_html(section_html(name, lang))]
    for category, outcome in found.items():
        parts.append(_html(sentences_html([effect_summary(outcome, lang)])))
        if f"{name}_{category}" in figures:
            parts.append(_image(figures[f"{name}_{category}"]))
        elif name == "changepoints" and len(outcome.table):
            parts.append(outcome.table)
    return parts


def power(effects: dict, lang: str = "en") -> list:
    parts = [_html(section_html("power", lang))]
    for category, results in effects.items():
        detectable = results["power"]
        lines = [power_sentence(category, detectable.mde_increase, detectable.mde_decrease,
                                detectable.target, lang, detectable.computed),
                 power_how(detectable.notes, lang)]
        parts.append(_html(sentences_html([line for line in lines if line])))
    return parts


def claim(claim, comparisons, checks, lang: str = "en") -> list:
    words = languages.get(lang)
    lines = [words.NO_CLAIM] if claim is None else claim_sentences(claim, comparisons, lang,
                                                                   checks)
    return [_html(section_html("claim", lang)), _html(sentences_html(lines))]


def examples(items: pd.DataFrame, kind: str, lang: str = "en") -> list:
    """Example items with why each was tagged; published counts have none to show."""
    shown = (example_items.examples_html(items, lang) if kind == "posts"
             else sentences_html([languages.get(lang).NO_EXAMPLES]))
    return [_html(section_html("examples", lang)), _html(shown)]


def tagging_error(corrected: dict, lang: str = "en") -> list:
    if not corrected:
        return []
    parts = [_html(section_html("tagging_error", lang))]
    for category, table in corrected.items():
        parts += [_html(subheading_html(category)), _table(table.set_index("window"))]
    return parts


def limitations(lines: list[str], lang: str = "en") -> list:
    return [_html(section_html("limitations", lang)), _html(sentences_html(lines))]


# --- the explore workbench and the cross-election view ---------------------------------------


def view_ratios(view, lang: str = "en") -> list:
    """One election's ratios as a table, then each category's sentences."""
    return [_table(view.ratios().set_index(["category", "window"]))] + [
        _html(sentences_html(comparison_sentences(c, lang))) for c in view.comparisons]


def figure(figures: dict, name: str) -> list:
    return [_image(figures[name])] if name in figures else []


def figures_starting(figures: dict, prefix: str) -> list:
    return [_image(paths) for name, paths in figures.items() if name.startswith(prefix)]


def examples_table(items: pd.DataFrame, lang: str = "en") -> list:
    return [_html(example_items.examples_html(items, lang))]


def cross_election_intro(runs: int, window: str, lang: str = "en") -> list:
    from negtrend.report.html import cross_election_intro_html

    return [_html(cross_election_intro_html(runs, window, lang))]


def cross_election_rows(rows: pd.DataFrame, lang: str = "en") -> list:
    return [_html(section_html("result", lang)),
            _table(rows.drop(columns=["label"]).set_index(["election", "category"]))]
