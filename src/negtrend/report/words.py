"""Numbers and codes into words: notes, method lines, result labels and one-line summaries.

The words themselves are in ``negtrend.report.lang`` (one module per language); this module
only fills their templates, so it holds no sentence of its own.
"""

from __future__ import annotations

import math

from negtrend.analysis.effect import EffectResult
from negtrend.analysis.notes import Method, Note
from negtrend.data.paths import source_label
from negtrend.report import lang as languages


def check_lang(lang: str) -> str:
    languages.get(lang)
    return lang


def number(value, lang: str = "en", digits: int = 2) -> str:
    """``digits`` decimals with the language's decimal and thousands marks; n/a when missing."""
    words = languages.get(lang)
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return words.NOT_AVAILABLE
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\0").replace(".", words.DECIMAL).replace("\0", words.THOUSANDS)


def p_text(p, lang: str = "en") -> str:
    words = languages.get(lang).P_VALUE
    if p is None or (isinstance(p, float) and not math.isfinite(p)):
        return words["missing"]
    if p < 0.001:
        return words["small"].format(limit=number(0.001, lang, 3))
    return words["value"].format(p=number(p, lang, 3))


def window_name(window: str, lang: str = "en") -> str:
    return languages.get(lang).WINDOWS.get(window, window)


def measure_name(measure: str, lang: str = "en") -> str:
    return languages.get(lang).MEASURES.get(measure, measure)


def _param(key: str, value, lang: str):
    """A note's parameter as it reads in a sentence of ``lang``."""
    words = languages.get(lang)
    if isinstance(value, Note | Method):
        return render(value, lang)
    if key in ("window", "phase", "baseline"):
        return words.NOTE_WINDOWS.get(value, value)
    if key == "windows":
        return words.LIST_SEPARATOR.join(words.NOTE_WINDOWS.get(w, w) for w in value)
    if key == "windows_quoted":
        return words.LIST_SEPARATOR.join(repr(words.NOTE_WINDOWS.get(w, w)) for w in value)
    if key == "measure":
        return words.MEASURES.get(value, value)
    if key == "freq_unit":
        return words.FREQ_UNITS.get(value, value)
    if key == "headline":
        return words.HEADLINES.get(value, value)
    if key == "group":
        return words.REGION_GROUPS.get(value, value)
    return value


def note_text(item: Note | None, lang: str = "en") -> str:
    """One note in ``lang`` ("" for none)."""
    if item is None:
        return ""
    params = {key: _param(key, value, lang) for key, value in item.params.items()}
    return languages.get(lang).NOTES[item.code].format(**params)


def method_text(method: Method | None, lang: str = "en") -> str:
    """The method line: the model, then what was added to it ("" when nothing was fitted)."""
    if method is None or method.model is None:
        return ""
    parts = [note_text(part, lang) for part in (method.model, *method.extras)]
    return languages.get(lang).METHOD_SEPARATOR.join(part for part in parts if part)


def render(value, lang: str = "en"):
    """Notes and methods inside any value (dicts, lists, tuples) written in ``lang``; the
    rest unchanged. What a record of a result holds in words."""
    if isinstance(value, Method):
        return method_text(value, lang)
    if isinstance(value, Note):
        return note_text(value, lang)
    if isinstance(value, dict):
        return {key: render(item, lang) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [render(item, lang) for item in value]
    return value


def label(result: EffectResult, lang: str = "en") -> str:
    """What a result compares: 'campaign vs before the campaign: share of collected items'."""
    words = languages.get(lang)
    effect, spec = result.effect, result.meta.get("spec", {})
    template = result.method
    if result.method == "its" and spec.get("at_voting"):
        template = "its_at_voting"
    reference = spec.get("reference", "before")
    return words.LABELS[template].format(
        phase=words.WINDOWS.get(effect.get("phase"), effect.get("phase")),
        baseline=words.WINDOWS.get(effect.get("baseline"), effect.get("baseline")),
        measure=words.MEASURES.get(effect.get("measure"), effect.get("measure")),
        headline=words.HEADLINES[effect.get("headline", "campaign weeks")],
        reference=words.REFERENCES["before" if reference == "before" else "weeks"])


def labels(result: EffectResult) -> dict:
    """The label in every language there is."""
    return {lang: label(result, lang) for lang in languages.available()}


def summary(result: EffectResult, lang: str = "en") -> str:
    """The headline of a result in one or two sentences, in ``lang``."""
    words = languages.get(lang)
    template = words.SUMMARY
    effect = result.effect
    alpha = effect.get("alpha")
    level = int(round(100 * (1 - alpha))) if alpha and math.isfinite(alpha) else 95
    scale = effect.get("scale", "")
    head = template["head"].format(category=result.category, label=label(result, lang),
                                   scale=words.SCALES.get(scale, scale),
                                   estimate=number(effect.get("estimate"), lang))
    low, high = result.ci
    if math.isfinite(low) and math.isfinite(high):
        head += template["interval"].format(level=level, low=number(low, lang),
                                            high=number(high, lang),
                                            p=p_text(result.p_value, lang))
    elif result.p_value is not None and math.isfinite(result.p_value):
        head += template["p_only"].format(p=p_text(result.p_value, lang))
    text = template["end"].format(head=head, outcome=words.OUTCOMES[result.outcome])
    method = method_text(result.meta.get("model"), lang)
    if method:
        text += template["method"].format(method=method)
    for item in result.notes:
        text += template["note"].format(note=note_text(item, lang))
    return " ".join(text.split())


def title(result: EffectResult, lang: str = "en") -> str:
    """A figure title for a result: 'hoaks: campaign vs before the campaign: ...'."""
    return f"{result.category}: {label(result, lang)}"


def figure_title(election, data: str, measure: str, lang: str = "en") -> str:
    """'posts.csv around pemilu2024: share of collected items'."""
    return languages.get(lang).FIGURE_TITLE.format(source=source_label(data),
                                                   election=election.id,
                                                   measure=measure_name(measure, lang))
